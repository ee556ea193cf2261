#!/usr/bin/env bash
# The project's benchmark command: release build of `puffy`, generated
# batches of 14 days at 3,500 events/day (~16 MB, the DuckDB reference size)
# and at 35,000 events/day (~160 MB), each command timed over several runs
# (wall time, best and median) with peak memory (max RSS) from /usr/bin/time.
# Usage: scripts/bench.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -p puffy-cli --locked >/dev/null 2>&1 || cargo build --release -p puffy-cli --locked
bin=target/release/puffy
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%d)"
for per_day in 3500 35000; do
  dir="$work/$per_day"
  "$bin" generate "$dir" --days 14 --events-per-day "$per_day" --seed 7 2>/dev/null
  size=$(du -sm --exclude=truth.json "$dir" | cut -f1)
  for cmd in check run; do
    times=()
    rss=0
    for _ in $(seq "$runs"); do
      # check exits 1 when it finds errors: that is the data, not a failure.
      case $cmd in
        check) args=(--json) ;;
        run) args=(--out "$work/out") ;;
      esac
      /usr/bin/time -o "$work/time" -f '%e %M' "$bin" "$cmd" "$dir" "${args[@]}" >/dev/null 2>&1 || true
      out=$(tail -n1 "$work/time")
      times+=("$(echo "$out" | cut -d' ' -f1)")
      r=$(echo "$out" | cut -d' ' -f2)
      if [ "$r" -gt "$rss" ]; then rss=$r; fi
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    best=$(echo "$sorted" | head -n1)
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    printf '%-8s %6s events/day %5s MB  best %6ss  median %6ss  max RSS %6d MB\n' \
      "$cmd" "$per_day" "$size" "$best" "$median" "$((rss / 1024))"
  done
done
