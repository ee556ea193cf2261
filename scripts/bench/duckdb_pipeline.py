"""Puffy's pipeline as DuckDB SQL: the analyst's alternative, for the
side-by-side benchmark in scripts/bench.sh (not part of the test command).

Reads every CSV of INPUT (columns matched by name, so the clientId rename
and a missing referrer column are handled), drops rows without a client id
and bots, cuts 30-minute sessions with window functions, gives each session
the channel of its first event with a source (the same rule order as the
engine's default table, as regular expressions), keeps the earliest order of
each transaction id, credits first and last click over the 7 days before
each order, and writes sessions, conversions and attribution as CSV.

Usage: python duckdb_pipeline.py INPUT OUTPUT
"""
import glob
import os
import sys

import duckdb

BOTS = (
    "bot/|bot;|bot\\)|bot |crawl|spider|slurp|\\+http|headless|phantomjs|puppeteer|"
    "playwright|selenium|webdriver|lighthouse|pingdom|gtmetrix|python-requests|"
    "python-urllib|aiohttp|curl/|wget/|go-http-client|java/|okhttp|scrapy|httpclient|"
    "facebookexternalhit|bytespider|gptbot|ccbot"
)

CHANNEL = r"""
CASE
  WHEN regexp_matches(page_url, '[?&](gclid|gbraid|wbraid|gad_source|msclkid)=') THEN 'Paid Search'
  WHEN regexp_matches(page_url, '[?&](fbclid|ttclid|twclid|li_fat_id|sccid|epik)=') THEN 'Paid Social'
  WHEN regexp_matches(page_url, '[?&](irclickid|im_ref|sharedid)=') THEN 'Affiliate'
  WHEN regexp_matches(page_url, '[?&]_kx=') THEN 'Email'
  WHEN regexp_matches(ref, '^(https?://(mail\.google\.com|outlook\.live\.com|outlook\.office\.com|mail\.yahoo\.com)|android-app://com\.google\.android\.gm)') THEN 'Email'
  WHEN regexp_matches(page_url, '[?&]srsltid=') THEN 'Organic Search'
  WHEN regexp_matches(ref, '^(https?://([^/]*\.)?(google\.[^/]*|bing\.com|duckduckgo\.com|search\.yahoo\.com|ecosia\.org)/|android-app://com\.google\.android\.googlequicksearchbox)') THEN 'Organic Search'
  WHEN regexp_matches(ref, '^(https?://([^/]*\.)?(facebook|instagram|reddit|youtube|tiktok|pinterest|twitter|linkedin)\.com/|android-app://com\.(facebook|instagram|reddit))') THEN 'Organic Social'
  WHEN regexp_matches(page_url, '[?&]utm_(source|medium|campaign|id)=') THEN 'Other Campaign'
  WHEN ref <> '' AND NOT regexp_matches(ref, '^https?://(www\.|checkout\.)?puffy\.com') THEN 'Referral'
  ELSE NULL
END
"""


def main(inp, out):
    os.makedirs(out, exist_ok=True)
    files = sorted(glob.glob(os.path.join(inp, "**", "*.csv"), recursive=True))
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE raw AS SELECT * FROM read_csv(?, union_by_name = true, all_varchar = true, "
        "ignore_errors = true, null_padding = true, header = true)",
        [files],
    )
    cols = {r[0] for r in con.execute("DESCRIBE raw").fetchall()}
    client = "coalesce(" + ", ".join(c for c in ("client_id", "clientId") if c in cols) + ")"
    ref = "coalesce(referrer, '')" if "referrer" in cols else "''"
    con.execute(f"""
        CREATE TABLE ev AS
        SELECT {client} AS client, page_url, {ref} AS ref,
               TRY_CAST("timestamp" AS TIMESTAMP) AS ts, event_name, event_data
        FROM raw
        WHERE coalesce({client}, '') <> ''
          AND TRY_CAST("timestamp" AS TIMESTAMP) IS NOT NULL
          AND NOT regexp_matches(lower(coalesce(user_agent, '')), '{BOTS}')
          AND coalesce(user_agent, '') <> ''
    """)
    con.execute(f"""
        CREATE TABLE src AS
        SELECT *, sum(new) OVER (PARTITION BY client ORDER BY ts ROWS UNBOUNDED PRECEDING) AS session_no
        FROM (
          SELECT *, {CHANNEL} AS channel,
                 CASE WHEN lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > INTERVAL 30 MINUTE
                      THEN 1 ELSE 0 END AS new
          FROM ev WINDOW w AS (PARTITION BY client ORDER BY ts)
        )
    """)
    con.execute("""
        CREATE TABLE sessions AS
        SELECT client, session_no, min(ts) AS start, max(ts) AS "end", count(*) AS events,
               coalesce(arg_min(channel, ts) FILTER (WHERE channel IS NOT NULL), 'Direct') AS channel
        FROM src GROUP BY client, session_no
    """)
    con.execute("""
        CREATE TABLE conversions AS
        SELECT txn, client, session_no, ts, revenue FROM (
          SELECT json_extract_string(event_data, '$.transaction_id') AS txn, client, session_no, ts,
                 TRY_CAST(json_extract(event_data, '$.revenue') AS DECIMAL(18, 2)) AS revenue,
                 row_number() OVER (PARTITION BY json_extract_string(event_data, '$.transaction_id')
                                    ORDER BY ts) AS copy
          FROM src WHERE event_name = 'checkout_completed' AND json_valid(event_data)
        ) WHERE copy = 1 AND txn IS NOT NULL
    """)
    con.execute("""
        CREATE TABLE attribution AS
        WITH touches AS (
          SELECT c.txn, c.revenue, s.channel,
                 row_number() OVER (PARTITION BY c.txn ORDER BY s.start) AS first_rank,
                 row_number() OVER (PARTITION BY c.txn ORDER BY s.start DESC) AS last_rank
          FROM conversions c JOIN sessions s
            ON s.client = c.client AND s.start <= c.ts AND s.start >= c.ts - INTERVAL 7 DAY
        )
        SELECT txn, 'first_click' AS model, channel, revenue FROM touches WHERE first_rank = 1
        UNION ALL
        SELECT txn, 'last_click' AS model, channel, revenue FROM touches WHERE last_rank = 1
    """)
    for table in ("sessions", "conversions", "attribution"):
        con.execute(f"COPY {table} TO '{os.path.join(out, table + '.csv')}' (HEADER)")
    orders, revenue = con.execute("SELECT count(*), sum(revenue) FROM conversions").fetchone()
    print(f"duckdb: {orders} orders, revenue {revenue}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
