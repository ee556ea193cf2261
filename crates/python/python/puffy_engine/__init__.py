"""The Puffy Analytics engine for a cluster: one partition of persons in,
its share of the outputs out, as Arrow record batches.

The Spark job (``job.py``) calls these in order:

1. :func:`read_input` on each input file: its accepted rows (with the keys
   the job de-duplicates and partitions by) and a ``side`` for the driver
   (file reports, quarantined rows).
2. :func:`run_partition` on each partition, twice: first for its Markov
   counts (:func:`merge_markov` adds them up), then for its table rows.
3. :func:`channel_summary` and :func:`quarantine_csv` on the driver.

Columns cross between Rust and Python as raw buffers wrapped by pyarrow
without a copy.
"""

import numpy as np
import pyarrow as pa

from . import _native

ENGINE_VERSION = _native.ENGINE_VERSION

#: The most revenue a batch may hold, in cents (past it, ``puffy run``
#: quarantines orders one by one, which a cluster cannot do in parallel).
MAX_BATCH_REVENUE_CENTS = _native.MAX_BATCH_REVENUE_CENTS

#: The columns of :func:`read_input`'s batch.
INPUT_SCHEMA = pa.schema(
    [
        ("file", pa.int64()),
        ("line", pa.int64()),
        ("ts", pa.int64()),
        ("client", pa.large_string()),
        ("email", pa.large_string()),
        ("transaction_id", pa.large_string()),
        ("referrer_source", pa.large_string()),
        ("checkout_page", pa.bool_()),
        ("revenue_cents", pa.int64()),
        ("record", pa.large_binary()),
    ]
)

#: The tables whose rows partitions make, in the order they are returned.
ROW_TABLES = ["events_enriched", "sessions", "conversions", "attribution", "user_journeys"]


def _ints(buf, rust_type, arrow_type):
    """An int64 Arrow array from little-endian u32/i64 bytes."""
    values = np.frombuffer(buf, dtype=rust_type)
    return pa.array(values.astype(np.int64, copy=False), type=arrow_type)


def _binary(pair, arrow_type=pa.large_binary()):
    """An Arrow large binary (or string) array from (i64 offsets, bytes)."""
    offsets, data = pair
    n = len(offsets) // 8 - 1
    return pa.Array.from_buffers(arrow_type, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def headers():
    """``{file name: header line}`` of every table, as the engine writes them."""
    return dict(_native.headers())


def read_input(name, data, settings=""):
    """Reads one input (a CSV, or a ZIP by its name) as the engine's reader
    does, without dropping exact copies (that needs the whole batch).

    Returns ``(batch, side)``: a record batch in :data:`INPUT_SCHEMA` and the
    bytes :func:`side_files` and :func:`quarantine_csv` read.
    """
    out = _native.read_input(name, bytes(data), settings)
    batch = pa.RecordBatch.from_arrays(
        [
            _ints(out["file"], "<u4", pa.int64()),
            _ints(out["line"], "<u4", pa.int64()),
            _ints(out["ts"], "<i8", pa.int64()),
            _binary(out["client"], pa.large_string()),
            _binary(out["email"], pa.large_string()),
            _binary(out["transaction_id"], pa.large_string()),
            _binary(out["referrer_source"], pa.large_string()),
            pa.array(np.frombuffer(out["checkout_page"], dtype=np.uint8).astype(bool), pa.bool_()),
            _ints(out["revenue_cents"], "<i8", pa.int64()),
            _binary(out["record"]),
        ],
        schema=INPUT_SCHEMA,
    )
    return batch, out["side"]


def side_files(side):
    """``([file names], revenue in cents)`` of an input's side."""
    return _native.side_files(bytes(side))


def batch_files(sides):
    """The batch's file reports (every input's, in input order), as the
    bytes :func:`run_partition` takes."""
    return _native.batch_files([bytes(s) for s in sides])


def _column_bytes(table, name, dtype):
    return np.ascontiguousarray(table.column(name).to_numpy(), dtype=dtype).tobytes()


def _records(table):
    """(i64 offsets, bytes) of the ``record`` column, however Arrow cut it."""
    arr = table.column("record").combine_chunks().cast(pa.large_binary())
    _, offsets, data = arr.buffers()
    offsets = np.frombuffer(offsets, dtype="<i8")[arr.offset : arr.offset + len(arr) + 1]
    return offsets.tobytes(), (data.to_pybytes() if data is not None else b"")


def payment_providers(counts, settings=""):
    """The referrer sources the batch sets aside as payment providers, from
    ``(source, referrals off checkout, distinct clients referred to
    checkout)`` over the whole batch (rows with a ``referrer_source``)."""
    return _native.payment_providers(settings, [(s, int(o), int(c)) for s, o, c in counts])


def run_partition(table, files, providers, settings="", markov=None):
    """Runs the pipeline on one partition: ``table`` holds every row of its
    persons (columns ``file``, ``line``, ``record``, ``excluded``; any order);
    ``files`` the batch's file reports (:func:`batch_files`); ``providers``
    the batch's payment providers
    (:func:`payment_providers`).

    Without ``markov`` returns ``{"transitions": bytes}``, the partition's
    Markov counts. With the batch's counts (:func:`merge_markov`) also, for
    each table of :data:`ROW_TABLES`, a record batch of its rows (``row``,
    a CSV line) with their keys (``ts``, ``file``, ``line``, ``seq``): rows
    of every partition sorted by key are the table ``puffy run`` writes
    (``events_enriched`` rows still lack their ``event_id``, the row's
    number in that order); and ``channel_days`` (bytes for
    :func:`channel_summary`) and ``tally`` (bytes for :func:`report`).
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    offsets, data = _records(table)
    excluded = np.asarray(table.column("excluded").fill_null(False).to_numpy(zero_copy_only=False), dtype=np.uint8)
    out = _native.run_partition(
        bytes(files),
        settings,
        list(providers),
        _column_bytes(table, "file", "<u4"),
        _column_bytes(table, "line", "<u4"),
        offsets,
        data,
        excluded.tobytes(),
        None if markov is None else bytes(markov),
    )
    if markov is None:
        return {"transitions": out["transitions"]}
    result = {"transitions": out["transitions"], "channel_days": out["channel_days"], "tally": out["tally"]}
    for name in ROW_TABLES:
        part = out[name]
        result[name] = pa.RecordBatch.from_arrays(
            [
                _ints(part["ts"], "<i8", pa.int64()),
                _ints(part["file"], "<u4", pa.int64()),
                _ints(part["line"], "<u4", pa.int64()),
                _ints(part["seq"], "<u4", pa.int64()),
                _binary(part["rows"]),
            ],
            names=["ts", "file", "line", "seq", "row"],
        )
    return result


def merge_markov(parts):
    """The batch's Markov counts from its partitions' (a list of bytes)."""
    return _native.merge_markov([bytes(p) for p in parts])


def channel_summary(parts):
    """``channel_summary.csv`` (bytes) from the partitions' channel days."""
    return _native.channel_summary([bytes(p) for p in parts])


def quarantine_csv(sides):
    """``quarantine.csv`` (bytes) from every input's side, in input order."""
    return _native.quarantine([bytes(s) for s in sides])


def report(sides, copies, reused, tallies, markov, settings=""):
    """``report.json`` (bytes, as ``puffy run`` writes it) of the batch.

    ``sides``: every input's side, in input order. ``copies``: exact copies
    as ``(copy's file, first copy's file, copies, earliest copy's line)``.
    ``reused``: the orders of transaction ids used more than once, as
    ``(ts, file, line, client, transaction_id, revenue_cents)``.
    ``tallies``: every partition's ``tally``. ``markov``: the batch's
    counts (:func:`merge_markov`).
    """
    return _native.report(
        settings,
        [bytes(s) for s in sides],
        [tuple(int(v) for v in c) for c in copies],
        [(int(t), int(f), int(l), str(c), str(x), int(r)) for t, f, l, c, x, r in reused],
        [bytes(t) for t in tallies],
        bytes(markov),
    )
