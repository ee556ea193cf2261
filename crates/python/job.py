"""Puffy Analytics as an Apache Spark job, partitioned by person.

    spark-submit job.py INPUT... --out DIR [--partitions N] [--config puffy.toml]

INPUT is a CSV or ZIP file, or a folder of them (its ``.csv`` and ``.zip``
files in name order), on any file system Spark reads (``file:``,
``s3a://``, ``abfss://``, ``gs://``...). DIR receives the files ``puffy
run`` writes: ``events_enriched.csv``, ``sessions.csv``,
``conversions.csv``, ``attribution.csv``, ``channel_summary.csv``,
``user_journeys.csv``, ``quarantine.csv`` and ``report.json``. Every executor needs the
``puffy_engine`` wheel installed (one abi3 wheel for CPython 3.9 and newer).

The stages, and where each runs:

1. read: one task per input file parses it with the engine
   (``puffy_engine.read_input``); the driver gets each file's report and
   quarantine, small next to the rows.
2. across the batch (Spark SQL): exact copies keep their first copy by
   (file, line); a reused transaction id counts at its earliest
   (time, file, line); each referrer's counts over the batch decide which
   are payment providers (the engine's rule, on the driver); client ids
   that share an email hash become one person (the pairs go to the driver,
   which links them); rows are repartitioned by a hash of the person, so
   each person's events meet in one task.
3. per partition (``puffy_engine.run_partition``), twice: first the
   partition's Markov transition counts, which the driver adds up; then,
   with the batch's counts, the rows of every per-person table and the
   partition's channel days and report tally (sums).
4. the driver adds the channel days and the tallies, numbers events in
   (time, file, line) order and writes the files and ``report.json``.
"""

import argparse
import os
import sys
import time

import pyarrow as pa
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import to_arrow_schema

import puffy_engine as pe

#: Rows per Arrow batch handed back to Spark (keeps each batch far below
#: Arrow's 2 GB per column).
SLICE = 20_000

#: Rows of an output table the driver fetches at a time.
ROWS_PER_RANGE = 250_000

READ_SCHEMA = T.StructType(
    [
        T.StructField("input", T.LongType()),
        T.StructField("file", T.LongType()),
        T.StructField("line", T.LongType()),
        T.StructField("ts", T.LongType()),
        T.StructField("client", T.StringType()),
        T.StructField("email", T.StringType()),
        T.StructField("transaction_id", T.StringType()),
        T.StructField("referrer_source", T.StringType()),
        T.StructField("checkout_page", T.BooleanType()),
        T.StructField("revenue_cents", T.LongType()),
        T.StructField("record", T.BinaryType()),
        T.StructField("side", T.BinaryType()),
    ]
)

OUT_SCHEMA = T.StructType(
    [
        T.StructField("table", T.StringType()),
        T.StructField("ts", T.LongType()),
        T.StructField("file", T.LongType()),
        T.StructField("line", T.LongType()),
        T.StructField("seq", T.LongType()),
        T.StructField("row", T.BinaryType()),
    ]
)


#: The Arrow schemas Spark expects back from ``mapInArrow`` (its 32-bit
#: string and binary types).
READ_ARROW = to_arrow_schema(READ_SCHEMA)
OUT_ARROW = to_arrow_schema(OUT_SCHEMA)


def _for_spark(batch, schema):
    """``batch`` (large types allowed) in ``schema``, in slices of SLICE rows."""
    for start in range(0, max(batch.num_rows, 1), SLICE):
        yield batch.slice(start, SLICE).select(schema.names).cast(schema)


def list_inputs(spark, inputs):
    """Input files in ``puffy run``'s order: arguments in order, a folder's
    ``.csv`` and ``.zip`` files by name."""
    paths = []
    for given in inputs:
        found = (
            spark.read.format("binaryFile")
            .option("pathGlobFilter", "*.[cCzZ][sSiI][vVpP]")
            .load(given)
            .select("path")
            .collect()
        )
        names = sorted(r.path for r in found if r.path.lower().endswith((".csv", ".zip")))
        if not names:
            raise SystemExit(f"{given}: no CSV or ZIP files found")
        paths.extend(names)
    return paths


def read_inputs(spark, paths, settings):
    """Every input read by one task each: (rows DataFrame, sides in input order)."""
    index = {p: i for i, p in enumerate(paths)}

    def read(batches):
        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
                i = index[path]
                rows, side = pe.read_input(os.path.basename(path), content, settings)
                n = rows.num_rows
                full = pa.RecordBatch.from_arrays(
                    [pa.array([i] * n, pa.int64()), *rows.columns, pa.nulls(n, pa.large_binary())],
                    names=["input", *rows.schema.names, "side"],
                )
                yield from _for_spark(full, READ_ARROW)
                # The side travels on a row of its own (line -1).
                yield pa.RecordBatch.from_pylist(
                    [{"input": i, "file": -1, "line": -1, "ts": 0, "client": "", "email": "",
                      "transaction_id": "", "referrer_source": "", "checkout_page": False,
                      "revenue_cents": 0, "record": b"", "side": side}],
                    schema=READ_ARROW,
                )

    files = spark.read.format("binaryFile").load(paths).repartition(min(len(paths), 64), "path")
    read_df = files.mapInArrow(read, READ_SCHEMA).persist()
    sides = {r.input: r.side for r in read_df.filter("line < 0").select("input", "side").collect()}
    return read_df.filter("line >= 0").drop("side"), [sides[i] for i in range(len(paths))]


def link_persons(pairs):
    """Client id -> the least client id of its person, over (client, email)
    pairs: clients sharing an email are one person."""
    parent = {}

    def find(c):
        root = c
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(c, c) != root:
            parent[c], c = root, parent[c]
        return root

    by_email = {}
    for client, email in pairs:
        other = by_email.setdefault(email, client)
        a, b = find(other), find(client)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {c: find(c) for c in parent}


def run(spark, inputs, out, partitions, settings):
    t0 = time.time()
    timings = {}
    paths = list_inputs(spark, inputs)
    rows, sides = read_inputs(spark, paths, settings)
    names, revenue = [], 0
    offsets = []
    for side in sides:
        offsets.append(len(names))
        files, cents = pe.side_files(side)
        names.extend(files)
        revenue += cents
    # What a partition needs of the batch's files: names, days, headers.
    files = pe.batch_files(sides)
    if revenue > pe.MAX_BATCH_REVENUE_CENTS:
        raise SystemExit(
            "the batch's orders add up past the revenue ceiling: run `puffy run`, "
            "which quarantines the orders past it one by one"
        )
    timings["read"] = time.time() - t0
    offset = F.create_map(*[x for i, o in enumerate(offsets) for x in (F.lit(i), F.lit(o))])
    rows = rows.withColumn("file", F.col("file") + F.element_at(offset, F.col("input"))).drop("input")

    # Exact copies: the first by (file, line) stays; the others are counted
    # on their file, with the file of their first copy.
    copies = Window.partitionBy("record").orderBy("file", "line")
    rows = rows.withColumn("copy", F.row_number().over(copies)) \
        .withColumn("first_file", F.first("file").over(copies)).persist()
    copy_counts = [
        (r.file, r.first_file, r.n, r.line)
        for r in rows.filter("copy > 1").groupBy("file", "first_file")
        .agg(F.count("*").alias("n"), F.min("line").alias("line")).collect()
    ]
    kept = rows.filter("copy = 1").drop("copy", "first_file")
    # A reused transaction id counts once, at its earliest (time, file, line).
    # Only orders carry one: the others stay out of the shuffle (grouped
    # together, every row without an id would fall into one task).
    reuse = Window.partitionBy("transaction_id").orderBy("ts", "file", "line")
    orders = kept.filter("transaction_id != ''") \
        .withColumn("use", F.row_number().over(reuse)) \
        .withColumn("uses", F.count("*").over(Window.partitionBy("transaction_id")))
    reused = [
        (r.ts, r.file, r.line, r.client, r.transaction_id, r.revenue_cents)
        for r in orders.filter("uses > 1")
        .select("ts", "file", "line", "client", "transaction_id", "revenue_cents").collect()
    ]
    orders = orders.withColumn("excluded", F.col("use") > 1).drop("use", "uses")
    kept = kept.filter("transaction_id = ''").withColumn("excluded", F.lit(False)) \
        .unionByName(orders).persist()

    # Referrers are judged on their counts over the whole batch: a
    # partition sees only its own persons' referrals.
    referrer_counts = (
        kept.filter("referrer_source != ''").groupBy("referrer_source").agg(
            F.sum(F.when(~F.col("checkout_page"), 1).otherwise(0)).alias("other"),
            F.countDistinct(F.when(F.col("checkout_page") & (F.col("client") != ""), F.col("client")))
            .alias("clients"),
        ).collect()
    )
    providers = pe.payment_providers(
        [(r.referrer_source, r.other, r.clients) for r in referrer_counts], settings)

    # Persons: the (client, email) pairs are few next to the events.
    pairs = (
        kept.filter("client != '' AND email != ''").select("client", "email").distinct()
        .orderBy("client", "email").collect()
    )
    person_of = link_persons((r.client, r.email) for r in pairs)
    # Parallelized, not a local relation: a local one would travel inside
    # every task of the plan.
    linked = spark.createDataFrame(
        spark.sparkContext.parallelize(list(person_of.items()), max(1, len(person_of) // 100_000)),
        "client string, linked string",
    )
    kept = kept.join(F.broadcast(linked), "client", "left").withColumn(
        "person",
        F.when(F.col("linked").isNotNull(), F.col("linked"))
        .when(F.col("client") != "", F.col("client"))
        .otherwise(F.concat_ws(":", F.col("file"), F.col("line"))),
    )
    parts = kept.select("person", "file", "line", "record", "excluded").repartition(partitions, "person").persist()
    timings["batch rules"] = time.time() - t0 - sum(timings.values())
    # What every task needs of the batch, sent to each executor once.
    batch = spark.sparkContext.broadcast((files, providers, settings))

    def markov_pass(batches):
        files, providers, settings = batch.value
        result = pe.run_partition(_arrow_table(batches), files, providers, settings)
        yield pa.RecordBatch.from_pylist([{"transitions": result["transitions"]}],
                                         schema=pa.schema([("transitions", pa.binary())]))

    counts = [r.transitions for r in parts.mapInArrow(markov_pass, "transitions binary").collect()]
    markov = spark.sparkContext.broadcast(pe.merge_markov(counts))
    timings["markov pass"] = time.time() - t0 - sum(timings.values())

    def tables_pass(batches):
        files, providers, settings = batch.value
        result = pe.run_partition(_arrow_table(batches), files, providers, settings, markov.value)
        for name in pe.ROW_TABLES:
            part = result[name]
            label = pa.array([name] * part.num_rows, pa.string())
            yield from _for_spark(
                pa.RecordBatch.from_arrays([label, *part.columns], names=["table", *part.schema.names]),
                OUT_ARROW,
            )
        yield pa.RecordBatch.from_pylist(
            [{"table": name, "ts": 0, "file": 0, "line": 0, "seq": 0, "row": result[name]}
             for name in ("channel_days", "tally")],
            schema=OUT_ARROW,
        )

    produced = parts.mapInArrow(tables_pass, OUT_SCHEMA).persist()
    sums = produced.filter("table IN ('channel_days', 'tally')").select("table", "row").collect()
    days = [r.row for r in sums if r.table == "channel_days"]
    tallies = [r.row for r in sums if r.table == "tally"]
    timings["tables pass"] = time.time() - t0 - sum(timings.values())

    os.makedirs(out, exist_ok=True)
    headers = pe.headers()
    # Each table in key order, streamed to the driver a range at a time:
    # ranges of at most ROWS_PER_RANGE rows keep every piece the driver
    # fetches small, however the rows were partitioned.
    sizes = {r.table: r["count"] for r in produced.groupBy("table").count().collect()}
    keys = ["ts", "file", "line", "seq"]
    for name in pe.ROW_TABLES:
        with open(os.path.join(out, name + ".csv"), "wb") as f:
            f.write(headers[name + ".csv"].encode())
            ranges = max(1, -(-sizes.get(name, 0) // ROWS_PER_RANGE))
            ordered = produced.filter(F.col("table") == name).select(*keys, "row") \
                .repartitionByRange(ranges, *keys).sortWithinPartitions(*keys).select("row")
            number = name == "events_enriched"
            for i, r in enumerate(ordered.toLocalIterator(prefetchPartitions=True), start=1):
                if number:
                    f.write(b"%d," % i)
                f.write(r.row)
    with open(os.path.join(out, "channel_summary.csv"), "wb") as f:
        f.write(pe.channel_summary(days))
    with open(os.path.join(out, "quarantine.csv"), "wb") as f:
        f.write(pe.quarantine_csv(sides))
    with open(os.path.join(out, "report.json"), "wb") as f:
        f.write(pe.report(sides, copy_counts, reused, tallies, markov.value, settings))
    timings["write"] = time.time() - t0 - sum(timings.values())
    return timings


def _arrow_table(batches):
    """A partition's batches as one table (an empty partition has none)."""
    batches = list(batches)
    if batches:
        return pa.Table.from_batches(batches)
    return pa.table({"file": pa.array([], pa.int64()), "line": pa.array([], pa.int64()),
                     "record": pa.array([], pa.binary()), "excluded": pa.array([], pa.bool_())})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="CSV or ZIP files, or folders of them")
    parser.add_argument("--out", required=True, help="output folder (created if needed)")
    parser.add_argument("--partitions", type=int, default=0,
                        help="partitions by person (default: the cluster's default parallelism)")
    parser.add_argument("--config", help="settings file (puffy.toml)")
    args = parser.parse_args(argv)
    settings = ""
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            settings = f.read()
    spark = SparkSession.builder.appName("puffy").getOrCreate()
    partitions = args.partitions or spark.sparkContext.defaultParallelism
    t0 = time.time()
    timings = run(spark, args.inputs, args.out, partitions, settings)
    spark.stop()
    detail = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    print(f"puffy on Spark: {partitions} partitions, {time.time() - t0:.1f} s ({detail}); "
          f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
