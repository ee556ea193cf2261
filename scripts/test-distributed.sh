#!/usr/bin/env bash
# The Spark job against `puffy run`: a generated batch with every quirk
# (renamed and missing columns, a null spike, reused transaction ids, bad
# rows, a cut-off file), the same day delivered twice and once more inside
# a ZIP, referrers that only the whole batch can judge, run by the job with
# 4 partitions, and again with identity
# stitching on 3 partitions. Every file the job writes (the seven tables
# and report.json) must equal puffy run's byte for byte. Part of scripts/test.sh; runs alone too.
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
# Referrers judged over the whole batch: six hosts each send two shoppers
# back to checkout and nowhere else (payment providers, though their
# shoppers land in different partitions); six more send one shopper to
# checkout and another to the shop (not payment providers, though one
# partition sees checkout referrals only).
python3 - "$work/in/events_20250227_referrals.csv" <<'PY'
import sys
ua = '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36"'
rows = ["client_id,page_url,referrer,timestamp,event_name,event_data,user_agent"]
def visit(client, hour, back, txn):
    order = '"{""transaction_id"":""%s"",""revenue"":25.5}"' % txn
    rows.append(f"{client},https://puffy.com/?utm_source=google&utm_medium=cpc,https://www.google.com/,2025-02-27T{hour:02}:00:00Z,page_viewed,,{ua}")
    rows.append(f"{client},https://checkout.puffy.com/c/1,https://puffy.com/,2025-02-27T{hour:02}:01:00Z,checkout_started,,{ua}")
    rows.append(f"{client},https://checkout.puffy.com/c/1/thank-you,{back},2025-02-27T{hour:02}:02:00Z,checkout_completed,{order},{ua}")
for k in range(6):
    visit(f"pay{k}-a", k, f"https://pay{k}.example/r", f"P{k}A")
    visit(f"pay{k}-b", k + 6, f"https://pay{k}.example/r", f"P{k}B")
    visit(f"mix{k}-a", k + 12, f"https://mix{k}.example/r", f"M{k}A")
    rows.append(f"mix{k}-b,https://puffy.com/products/bed,https://mix{k}.example/blog,2025-02-27T{k + 12:02}:30:00Z,page_viewed,,{ua}")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
printf '[attribution]\nstitch_identities = true\n' > "$work/stitched.toml"

compare() { # expected-dir actual-dir what
  local bad=0
  for f in events_enriched.csv sessions.csv conversions.csv attribution.csv channel_summary.csv \
    user_journeys.csv quarantine.csv report.json; do
    if ! cmp -s "$1/$f" "$2/$f"; then
      echo "FAIL ($3): $f differs from puffy run's; first difference:" >&2
      diff <(head -c 2000000 "$1/$f") <(head -c 2000000 "$2/$f") | head -6 >&2 || true
      bad=1
    else
      echo "ok ($3): $f identical ($(wc -l < "$1/$f") lines)"
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
