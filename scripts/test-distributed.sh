#!/usr/bin/env bash
# The Spark job against `puffy run`: a generated batch with every quirk
# (renamed and missing columns, a null spike, reused transaction ids, bad
# rows, a cut-off file), the same day delivered twice and once more inside
# a ZIP, run by the job with 4 partitions, and again with identity
# stitching on 3 partitions. Every file the job writes must equal puffy
# run's byte for byte. Part of scripts/test.sh; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -p puffy-cli --locked -q
puffy=target/release/puffy

"$puffy" generate "$work/in" --days 10 --events-per-day 1500 >/dev/null
cp "$work/in/events_20250225.csv" "$work/in/events_20250225_resent.csv"
python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'export/events_20250226.csv'); z.close()" \
  "$work/in/late_delivery.zip" "$work/in/events_20250226.csv"
printf '[attribution]\nstitch_identities = true\n' > "$work/stitched.toml"

compare() { # expected-dir actual-dir what
  local bad=0
  for f in events_enriched sessions conversions attribution channel_summary user_journeys quarantine; do
    if ! cmp -s "$1/$f.csv" "$2/$f.csv"; then
      echo "FAIL ($3): $f.csv differs from puffy run's; first difference:" >&2
      diff <(head -c 2000000 "$1/$f.csv") <(head -c 2000000 "$2/$f.csv") | head -6 >&2 || true
      bad=1
    else
      echo "ok ($3): $f.csv identical ($(($(wc -l < "$1/$f.csv") - 1)) rows)"
    fi
  done
  return $bad
}

status=0
"$puffy" run "$work/in" --out "$work/single" 2>/dev/null
scripts/distributed.sh "$work/in" "$work/spark4" --partitions 4
compare "$work/single" "$work/spark4" "4 partitions" || status=1

"$puffy" run "$work/in" --config "$work/stitched.toml" --out "$work/single_stitched" 2>/dev/null
scripts/distributed.sh "$work/in" "$work/spark3" --partitions 3 --config "$work/stitched.toml"
compare "$work/single_stitched" "$work/spark3" "stitching, 3 partitions" || status=1
exit $status
