#!/usr/bin/env bash
# The project's benchmark command: `puffy run` side by side with the same
# pipeline written as DuckDB SQL (scripts/bench/duckdb_pipeline.py, DuckDB
# from the package index in a local virtualenv, .bench-venv/), on
# real-shaped batches (`puffy generate --real-shape`: 14 days, ~50,000
# events, 16 MB) and on 10× and 100× copies of it (client and transaction
# ids suffixed per copy). Runs alternate between the two so drift on a
# shared machine hits both alike. Prints, per size: best and median wall
# time, peak memory (max RSS, /usr/bin/time) and the ratio puffy / DuckDB.
#
# Usage: scripts/bench.sh [RUNS] [SIZES...]   (default: 3 runs; sizes 1 10 100)
# Not part of the test command. Needs ~1.7 GB of free disk for 100×.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
sizes=("${@:-1 10 100}")
read -r -a sizes <<<"${sizes[*]}"

cargo build --release -p puffy-cli --locked >/dev/null 2>&1 || cargo build --release -p puffy-cli --locked
bin=target/release/puffy
venv=.bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >/dev/null
  "$venv/bin/pip" install --quiet 'duckdb>=2,<3'
fi
duck_version=$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%d)  duckdb: $duck_version  runs: $runs"

# One timed run: prints "seconds max_rss_kb cpu_seconds" (CPU: user + system).
timed() {
  /usr/bin/time -o "$work/time" -f '%e %M %U %S' "$@" >/dev/null 2>"$work/err" || {
    echo "failed: $*" >&2
    cat "$work/err" >&2
    exit 1
  }
  tail -n1 "$work/time" | awk '{ print $1, $2, $3 + $4 }'
}

# best, median and max RSS (MB) of "seconds rss cpu" lines.
summary() {
  sort -n | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%.2f %.2f %d", t[1], t[int((NR + 1) / 2)], m / 1024 }'
}

printf '%-6s %8s | %-28s | %-28s | %s\n' size MB "puffy run: best median RSS" "duckdb: best median RSS" "ratio (median)"
for n in "${sizes[@]}"; do
  dir="$work/data-$n"
  "$bin" generate "$dir" --real-shape --events-per-day 3571 --copies "$n" 2>/dev/null
  rm -f "$dir/truth.json"
  mb=$(du -sm "$dir" | cut -f1)
  : >"$work/puffy"
  : >"$work/duck"
  for _ in $(seq "$runs"); do
    timed "$bin" run "$dir" --out "$work/out-puffy" >>"$work/puffy"
    timed "$venv/bin/python" scripts/bench/duckdb_pipeline.py "$dir" "$work/out-duck" >>"$work/duck"
  done
  read -r pb pm pr <<<"$(summary <"$work/puffy")"
  read -r db dm dr <<<"$(summary <"$work/duck")"
  ratio=$(awk -v a="$pm" -v b="$dm" 'BEGIN { printf "%.2f", a / b }')
  printf '%-6s %8s | %7ss %7ss %6d MB | %7ss %7ss %6d MB | %s\n' "${n}x" "$mb" "$pb" "$pm" "$pr" "$db" "$dm" "$dr" "$ratio"
  pc=$(awk '{ print $3 }' "$work/puffy" | sort -n | awk '{ c[NR] = $1 } END { print c[int((NR + 1) / 2)] }')
  echo "$n $pm $pb $pc" >>"$work/medians"
  rm -rf "$dir" "$work/out-puffy" "$work/out-duck"
done

# Growth of puffy's time from each size to the next, against the growth of
# the batch (the target: 100x within 11 times 10x): of the median and of the
# best wall time, and of the median CPU time (user + system), which drifts
# least with whatever else the machine runs.
if [ -s "$work/medians" ]; then
  awk 'NR > 1 { printf "puffy run %sx -> %sx: %.1f times the time for %g times the data (best: %.1f; CPU time: %.1f)\n", n, $1, $2 / t, $1 / n, $3 / b, $4 / c } { n = $1; t = $2; b = $3; c = $4 }' "$work/medians"
fi
