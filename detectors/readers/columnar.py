"""Columnar reading: JSON lines and CSV logs parsed by Polars, block by block, into the columns the
event table keeps (never a Python object per event).

The row readers stay the reference: the columnar path takes the clean bulk and hands every line it
cannot take *exactly* as the row reader would (an odd value type, a time that is not plain ISO 8601,
a value out of range, an unknown status, a NUL, a truncated line, ...) to the row reader's own code,
so reasons, counts and events are the same on both paths (tests/test_detect_columnar.py checks it).
A block that Polars refuses as a whole (a line of invalid JSON, bytes that are not UTF-8, a CSV
record spanning lines) is read by the row reader: per line for JSON, from that block to the end of
the file for CSV.

Every chunk is a `ColumnChunk`: a Polars frame with `COLUMN_SCHEMA` and the counts of a `Chunk`
(its `rows` empty). Fields nobody downstream uses (source, target, operation, record ids) are not
built; a cited event is re-read from its offset by the row reader.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from odoo_triage.detectors.readers.base import (
    _STATUS_WORDS,
    BOM,
    Chunk,
    EventRow,
    RowChecker,
    RowError,
    reject,
)
from odoo_triage.detectors.readers.csv_records import sniff_delimiter
from odoo_triage.detectors.readers.mapping import FieldMapping

BLOCK_BYTES = 8 << 20  # bytes parsed at once: a block's transient memory (8 MB: ~110 MB less peak RSS than 16 MB
# on the 1M-event bench) against Polars' per-call cost (4 MB blocks cost ~10% more CPU)
STATUS_CODE = {"ok": 0, "error": 1, "retry": 2}
COLUMN_SCHEMA: dict[str, Any] = {
    "ts": pl.Float64, "flow": pl.String, "status": pl.Int8, "latency": pl.Float32, "http": pl.Int16,
    "retry": pl.Int16, "error": pl.String, "corr": pl.String, "idem": pl.String, "line": pl.Int32,
    "offset": pl.Int64,
}
# What the row path would read differently from the text Polars gives: such values go to the row reader.
_NUMBERISH = r"^[-+]?(?:\d|\.\d)[\d.eE+\-]*$"
# (a number in the JSON reads differently: Polars writes 1000.0 as "1000", the row reader "1000.0")
_ODD_TEXT = r"^(?:[\[{]|true$|false$|[-+]?(?:\d|\.\d)[\d.eE+\-]*$)"
_ISO = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{3}|\.\d{6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$"


# An ISO 8601 column (vetted by _ISO) to epoch seconds, vectorised, in two stages because the second
# reads the first's `tail`: the whole seconds, then the fraction and the UTC offset after them.
def iso_seconds(col: str) -> dict[str, pl.Expr]:
    return {"base_us": pl.col(col).str.slice(0, 19).str.replace("T", " ", literal=True)
            .str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").dt.epoch("us"),
            "tail": pl.col(col).str.slice(19)}


def iso_fraction_and_offset() -> dict[str, pl.Expr]:
    tail = pl.col("tail")
    return {"frac_us": tail.str.extract(r"^\.(\d+)", 1).str.pad_end(6, "0").cast(pl.Int64, strict=False).fill_null(0),
            "tz_s": pl.when(tail.str.slice(-6, 1).is_in(["+", "-"])).then(
                tail.str.slice(-6, 3).cast(pl.Int64, strict=False).fill_null(0) * 3600
                + tail.str.slice(-2, 2).cast(pl.Int64, strict=False).fill_null(0)
                * pl.when(tail.str.slice(-6, 1) == "-").then(-60).otherwise(60)).otherwise(0)}


ISO_TS = (pl.col("base_us") + pl.col("frac_us") - pl.col("tz_s") * 1_000_000).cast(pl.Float64) / 1e6


@dataclass
class ColumnChunk:
    cols: pl.DataFrame  # COLUMN_SCHEMA
    chunk: Chunk  # counts and rejected lines; `rows` stays empty
    end_offset: int = 0  # bytes of the file read so far (for progress)


def empty_columns() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMN_SCHEMA)


def rows_to_columns(rows: list[EventRow]) -> pl.DataFrame:
    """Row-reader rows as the columns of the event table (the fallback and the non-columnar readers)."""
    if not rows:
        return empty_columns()
    c = list(zip(*rows, strict=True))
    return pl.DataFrame({
        "ts": pl.Series(c[0], dtype=pl.Float64),
        "flow": pl.Series(c[1], dtype=pl.String),
        "status": pl.Series([STATUS_CODE[s] for s in c[5]], dtype=pl.Int8),
        "latency": pl.Series(np.asarray(c[6], dtype=np.float32)),
        "http": pl.Series([h or 0 for h in c[7]], dtype=pl.Int16),
        "retry": pl.Series(c[9], dtype=pl.Int16),
        "error": pl.Series(c[8], dtype=pl.String),
        "corr": pl.Series(c[10], dtype=pl.String),
        "idem": pl.Series(c[11], dtype=pl.String),
        "line": pl.Series(c[13], dtype=pl.Int32),
        "offset": pl.Series(c[14], dtype=pl.Int64),
    }, schema=COLUMN_SCHEMA)


def simple_mapping(mapping: FieldMapping) -> bool:
    """Mappings the fast path reads: plain keys (the row reader's `row_builder` fast case)."""
    keys = [mapping.timestamp, mapping.flow, mapping.status, mapping.latency_ms, mapping.http_status,
            mapping.error, mapping.retry_count, mapping.correlation_id, mapping.idempotency_key,
            mapping.source_system, mapping.target_system, mapping.operation, mapping.record_ids]
    return not (any(k is not None and "." in k for k in keys) or mapping.level or mapping.message
                or mapping.endpoint or mapping.latency_scale != 1.0 or mapping.dayfirst is not None)


def mapped_keys(mapping: FieldMapping) -> dict[str, str | None]:
    return {"ts": mapping.timestamp, "flow": mapping.flow, "status": mapping.status, "latency": mapping.latency_ms,
            "http": mapping.http_status, "error": mapping.error, "retry": mapping.retry_count,
            "corr": mapping.correlation_id, "idem": mapping.idempotency_key}


# ---------------------------------------------------------------- blocks and lines


def iter_blocks(path: Path, start: tuple[int, int] = (0, 1), block_bytes: int = BLOCK_BYTES,
                stop: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(bytes of whole lines, line number and byte offset of the first) from `start` to the end (or to
    `stop`, a line's start: --since/--until pruning)."""
    offset, line = start
    with path.open("rb") as fh:
        fh.seek(offset)
        rest = b""
        while True:
            block = fh.read(block_bytes if stop is None else max(0, min(block_bytes, stop - fh.tell())))
            if not block:
                if rest:
                    yield rest, line, offset
                return
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                rest += block
                continue
            # one copy of the block at most: the carried partial line and the block's whole lines
            out = block if not rest and cut == len(block) else b"".join((rest, memoryview(block)[:cut]))
            rest = block[cut:]
            yield out, line, offset
            line += out.count(b"\n")
            offset += len(out)


def line_index(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start of each line and end of its content (newline excluded), as byte positions in `data`."""
    arr = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if not len(data) or data[-1:] != b"\n":
        ends = np.append(ends, len(data))
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    return starts, ends


def _join(data: bytes, starts: np.ndarray, ends: np.ndarray, keep: np.ndarray) -> bytes:
    """The kept lines of `data`, each ending in a newline (contiguous runs copied at once)."""
    if keep.all() and data.endswith(b"\n"):
        return data
    idx = np.flatnonzero(keep)
    if not len(idx):
        return b""
    breaks = np.flatnonzero(np.diff(idx) != 1)
    run_first = np.r_[idx[0], idx[breaks + 1]]
    run_last = np.r_[idx[breaks], idx[-1]]
    parts = [data[int(starts[a]):int(ends[b])] + b"\n" for a, b in zip(run_first, run_last, strict=True)]
    return b"".join(parts)


# ---------------------------------------------------------------- values, as the row builder reads them


def build_columns(raw: pl.DataFrame, mapping: FieldMapping, check: RowChecker, line: np.ndarray,
                  offset: np.ndarray) -> tuple[pl.DataFrame, np.ndarray]:
    """Event columns from source fields read as text (null or "" = absent), and a mask of the rows the
    fast path cannot vouch for (they go to the row reader). Mirrors `mapping.row_builder` + `RowChecker`."""
    keys = mapped_keys(mapping)
    n = raw.height

    def src(name: str) -> pl.Expr:
        k = keys[name]
        if k is None or k not in raw.columns:
            return pl.lit(None, dtype=pl.String)
        return pl.when(pl.col(k) == "").then(None).otherwise(pl.col(k))

    default_flow = mapping.default_flow
    e = raw.lazy().select(
        ts_s=src("ts"), flow_s=src("flow"), status_s=src("status"), lat_s=src("latency"), http_s=src("http"),
        err_s=src("error"), retry_s=src("retry"), corr_s=src("corr"), idem_s=src("idem"),
    ).with_columns(
        http_i=pl.when(pl.col("http_s").str.contains(r"^-?\d{1,9}$")).then(pl.col("http_s").cast(pl.Int64, strict=False)),
        lat_f=pl.when(pl.col("lat_s").str.contains(r"^-?\d{1,15}(?:\.\d{1,17})?$"))
        .then(pl.col("lat_s").cast(pl.Float64, strict=False)),
        retry_i=pl.when(pl.col("retry_s").str.contains(r"^\d{1,9}$")).then(pl.col("retry_s").cast(pl.Int64, strict=False)),
        iso=pl.col("ts_s").str.contains(_ISO),
        word=_coded_status(mapping).str.strip_chars().str.to_lowercase().replace_strict(_STATUS_WORDS, default=None,
                                                                                    return_dtype=pl.String),
        flow=pl.col("flow_s").fill_null(pl.lit(default_flow, dtype=pl.String)),
    ).with_columns(
        **iso_seconds("ts_s"),
    ).with_columns(
        **iso_fraction_and_offset(),
    ).with_columns(
        ts=ISO_TS,
        status=pl.when(pl.col("status_s").is_not_null()).then(pl.col("word"))
        .when(pl.col("http_i").is_not_null()).then(pl.when(pl.col("http_i") >= 400).then(pl.lit("error"))
                                                   .otherwise(pl.lit("ok")))
        .when(pl.col("err_s").is_not_null()).then(pl.lit("error")).otherwise(pl.lit("ok")),
    )
    if check.http_patterns:  # as RowChecker: a failed or retried row without an HTTP status takes its text's
        e = e.with_columns(http_i=pl.when(pl.col("http_i").is_null() & (pl.col("status") != "ok"))
                           .then(pl.coalesce([pl.col("err_s").str.extract(p, 1) for p in check.http_patterns])
                                 .cast(pl.Int64, strict=False))
                           .otherwise(pl.col("http_i")))

    def odd_text(c: str, limit: int) -> pl.Expr:
        col = pl.col(c)
        return col.is_not_null() & (col.str.contains(_ODD_TEXT) | col.str.contains("\x00", literal=True)
                                    | (col.str.len_chars() > limit))

    bad = (
        (pl.col("ts_s").is_null() | ~pl.col("iso") | pl.col("base_us").is_null()
         | (pl.col("ts") < check.ts_min) | (pl.col("ts") >= check.ts_max)
         | (pl.col("status_s").is_not_null() & pl.col("word").is_null())
         | (pl.col("http_s").is_not_null() & (pl.col("http_i").is_null() | (pl.col("http_i") < 100)
                                               | (pl.col("http_i") > 599)))
         | (pl.col("lat_s").is_not_null() & (pl.col("lat_f").is_null() | (pl.col("lat_f") < 0)
                                              | (pl.col("lat_f") > check.max_latency)))
         | (pl.col("retry_s").is_not_null() & (pl.col("retry_i").is_null() | (pl.col("retry_i") > check.max_retry)))
         | pl.col("flow").is_null() | (pl.col("flow").str.strip_chars("\x00 ") == "") | odd_text("flow", 200)
         | (pl.col("flow_s").is_not_null() & pl.col("flow_s").str.contains(r"^(?:0|true|false)$"))
         | odd_text("err_s", 4000) | odd_text("corr_s", 4000) | odd_text("idem_s", 4000)
         ).fill_null(True).alias("bad")
    )
    out = e.select(  # one collect: the columns and the mask share every parsed intermediate
        pl.col("ts"), pl.col("flow"),
        pl.col("status").replace_strict(STATUS_CODE, default=0, return_dtype=pl.Int8),
        latency=pl.col("lat_f").cast(pl.Float32).fill_null(float("nan")),
        http=pl.col("http_i").fill_null(0).clip(-1, 1000).cast(pl.Int16),
        retry=pl.col("retry_i").fill_null(0).clip(-1, 30_000).cast(pl.Int16),
        error=pl.col("err_s"), corr=pl.col("corr_s"), idem=pl.col("idem_s"), bad=bad,
    ).collect()
    flagged = out["bad"].to_numpy()
    cols = out.drop("bad").with_columns(line=pl.Series(line, dtype=pl.Int32), offset=pl.Series(offset, dtype=pl.Int64))
    assert cols.height == n
    return cols, np.asarray(flagged, dtype=bool)


def _coded_status(mapping: FieldMapping) -> pl.Expr:
    """The status field, a numeric vocabulary's codes as their words (mapping.status_values)."""
    col = pl.col("status_s")
    return col.str.strip_chars().replace(mapping.status_values) if mapping.status_values else col


def _merge(fast: pl.DataFrame, fallback: Chunk) -> pl.DataFrame:
    if not fallback.rows:
        return fast
    return pl.concat([fast, rows_to_columns(fallback.rows)]).sort("line")


# ---------------------------------------------------------------- JSON lines


def jsonl_columns(reader: Any, path: Path, start: tuple[int, int] = (0, 1),
                  block_bytes: int = BLOCK_BYTES, stop: int | None = None) -> Iterator[ColumnChunk]:
    """A `JsonLinesReader`'s file, columnar. Lines that are not one clean object go to `reader.take_line`."""
    keys = sorted({k for k in mapped_keys(reader.mapping).values() if k is not None})
    schema = dict.fromkeys(keys, pl.String)
    for data, line0, off0 in iter_blocks(path, start, block_bytes, stop):
        starts, ends = line_index(data)
        n = len(starts)
        lens = ends - starts
        arr = np.frombuffer(data, dtype=np.uint8)
        first = np.where(lens > 0, arr[np.minimum(starts, len(data) - 1)], 0)
        last_pos = np.maximum(ends - 1, 0)
        last = arr[last_pos] if len(data) else np.zeros(n, dtype=np.uint8)
        cr = (last == 13) & (lens > 0)
        last = np.where(cr & (lens > 1), arr[np.maximum(ends - 2, 0)], last)
        empty = (lens == 0) | (cr & (lens == 1))
        good = (first == 0x7B) & (last == 0x7D) & ~empty
        if line0 == 1 and data.startswith(BOM):
            good[0] = False
        if b"\x00" in data:
            nul = np.flatnonzero(arr == 0)
            good[np.searchsorted(ends, nul, "left")] = False
        chunk = Chunk()
        chunk.blank += int(empty.sum())
        lines = np.arange(line0, line0 + n, dtype=np.int64)
        offsets = starts.astype(np.int64) + off0
        try:
            buf = _join(data, starts, ends, good)
            raw = pl.read_ndjson(io.BytesIO(buf), schema=schema) if buf else pl.DataFrame(schema=schema)
            if raw.height != int(good.sum()):
                raise ValueError("row count")
        except Exception:  # noqa: BLE001 - Polars refused the block: the row reader takes every line
            good[:] = False
            raw = pl.DataFrame(schema=schema)
        gi = np.flatnonzero(good)
        cols, flagged = build_columns(raw, reader.mapping, reader.check, lines[gi], offsets[gi])
        hand = np.flatnonzero(~good & ~empty)
        if flagged.any():
            hand = np.sort(np.r_[hand, gi[flagged]])
            cols = cols.filter(pl.Series(~flagged))
        fb = Chunk()
        for i in hand.tolist():
            reader.take_line(path, data[int(starts[i]):int(ends[i]) + 1], int(lines[i]), int(offsets[i]), fb)
        chunk.parsed += cols.height + fb.parsed
        chunk.set_aside += fb.set_aside
        chunk.blank += fb.blank
        chunk.rejected.extend(fb.rejected)
        yield ColumnChunk(_merge(cols, fb), chunk, off0 + len(data))


# ---------------------------------------------------------------- CSV logs


def _csv_plan(reader: Any, path: Path, required: tuple[str, ...] | None = None,
              fix_header: Any = None, spanning: bool = False) -> tuple[str, list[str]] | None:
    """(delimiter, header) when the fast path can read this file, else None (the row reader reads it):
    a header on line 1, unique names including the timestamp, no BOM, no NUL, UTF-8, and no line with an
    odd number of quotes (a quoted field spanning lines)."""
    import csv

    delim = sniff_delimiter(path)
    with path.open("rb") as fh:
        head = fh.readline()
    if not head.strip() or head.startswith(BOM) or b'"' in head:
        return None
    try:
        header = [h.strip() for h in next(csv.reader([head.decode("utf-8")], delimiter=delim))]
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    if fix_header is not None:
        header = fix_header(header)
    need = required if required is not None else (reader.mapping.timestamp,)
    if len(set(header)) != len(header) or any(c not in header for c in need):
        return None
    utf8 = codecs.getincrementaldecoder("utf-8")()  # (a character may straddle two reads)
    quotes = False
    with path.open("rb") as fh:  # raw reads, no lines: this pass reads the whole file before the real one
        while block := fh.read(BLOCK_BYTES):
            if b"\x00" in block:
                return None
            try:
                # ASCII is UTF-8 and far cheaper to check: its first byte ends (or refuses) a pending character
                utf8.decode(block[:1] if block.isascii() else block)
            except UnicodeDecodeError:
                return None
            quotes = quotes or (not spanning and b'"' in block)
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if quotes:  # no line with an odd number of quotes
        for data, _line0, _off0 in iter_blocks(path):
            if b'"' in data:
                starts, ends = line_index(data)
                q = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 34)
                if (np.bincount(np.searchsorted(ends, q, "left"), minlength=len(ends)) % 2).any():
                    return None
    return delim, header


def csv_columns(reader: Any, path: Path, delim: str, header: list[str],
                block_bytes: int = BLOCK_BYTES, stop: int | None = None) -> Iterator[ColumnChunk]:
    """A `CsvReader`'s file, columnar: lines without quotes and with the header's width are split by
    Polars; every other line goes through the csv module and the row builder, as the row reader does."""
    import csv

    d = ord(delim)
    width = len(header)
    for data, line0, off0 in iter_blocks(path, (0, 1), block_bytes, stop):
        starts, ends = line_index(data)
        n = len(starts)
        arr = np.frombuffer(data, dtype=np.uint8)
        lens = ends - starts
        cr = (lens > 0) & (arr[np.maximum(ends - 1, 0)] == 13)
        cend = ends - cr
        empty = cend == starts
        line_of = np.searchsorted(ends, np.flatnonzero(arr == d), "left")
        ndelim = np.bincount(line_of, minlength=n)[:n]
        line_of_q = np.searchsorted(ends, np.flatnonzero(arr == 34), "left")
        quoted = np.bincount(line_of_q, minlength=n)[:n] > 0
        first = arr[np.minimum(starts, max(len(data) - 1, 0))]
        good = ~empty & ~quoted & (ndelim == width - 1) & ~np.isin(first, (32, 9, 11, 12))
        chunk = Chunk()
        if line0 == 1:  # the header line
            good[0] = False
            empty[0] = False
            chunk.parsed += 1
        chunk.blank += int(empty.sum())
        lines = np.arange(line0, line0 + n, dtype=np.int64)
        offsets = starts.astype(np.int64) + off0
        buf = _join(data, starts, cend, good)
        raw = (pl.read_csv(io.BytesIO(buf), has_header=False, separator=delim, quote_char=None,
                           schema=dict.fromkeys(header, pl.String))
               if buf else pl.DataFrame(schema=dict.fromkeys(header, pl.String)))
        gi = np.flatnonzero(good)
        if raw.height != len(gi):  # not the lines we counted: every line by the csv module
            gi = gi[:0]
            good[:] = False
            raw = pl.DataFrame(schema=dict.fromkeys(header, pl.String))
        cols, flagged = build_columns(raw, reader.mapping, reader.check, lines[gi], offsets[gi])
        hand = np.flatnonzero(~good & ~empty)
        if line0 == 1:
            hand = hand[hand != 0]
        if flagged.any():
            hand = np.sort(np.r_[hand, gi[flagged]])
            cols = cols.filter(pl.Series(~flagged))
        fb = Chunk()
        for i in hand.tolist():
            _csv_line(reader, path, data[int(starts[i]):int(ends[i]) + 1], int(lines[i]), int(offsets[i]), delim,
                      header, fb, csv)
        chunk.parsed += cols.height + fb.parsed
        chunk.set_aside += fb.set_aside
        chunk.blank += fb.blank
        chunk.rejected.extend(fb.rejected)
        yield ColumnChunk(_merge(cols, fb), chunk, off0 + len(data))


def _csv_line(reader: Any, path: Path, raw: bytes, line_no: int, offset: int, delim: str, header: list[str],
              chunk: Chunk, csv: Any, build: Any = None) -> None:
    """One single-line record, as `csv_records.csv_chunks` takes it (blank, short row, builder or range refusal)."""
    text = reader.decoder.text(raw, line_no)
    try:
        fields: list[str] = next(csv.reader([text], delimiter=delim), [])
    except csv.Error as exc:
        chunk.set_aside += 1
        chunk.rejected.append(reject(path, line_no, f"CSV error: {exc}", text))
        return
    if not fields or fields == [""] or not text.strip():
        chunk.blank += 1
        return
    if len(fields) != len(header):
        chunk.set_aside += 1
        chunk.rejected.append(reject(path, line_no, f"CSV row with {len(fields)} of {len(header)} fields", text))
        return
    try:
        chunk.rows.append(reader.check((build or reader._build)(dict(zip(header, fields, strict=True)), line_no,
                                                                offset)))
        chunk.parsed += 1
    except RowError as exc:
        chunk.set_aside += 1
        chunk.rejected.append(reject(path, line_no, str(exc), text))


# ---------------------------------------------------------------- Odoo server logs

_ODOO_LINE = (r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)?) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) "
              r"([\w.\-]+): (.*)$")
_ODOO_PERF = r" (\d+|-) (\d+(?:\.\d+)?|-) (\d+(?:\.\d+)?|-)$"
_ODOO_RETRYING = r"(?i)\bretry(?:ing)?\b|\bwill be retried\b|\bRetryableJobError\b|\bpostponed\b"
_TS_SHAPE = np.frombuffer(b"dddd-dd-dd dd:dd:dd", dtype=np.uint8)


def _odoo_fields(text: pl.Series) -> pl.DataFrame:
    """`_ODOO_LINE`'s six groups per line (all null where it does not match), without capturing: the
    match is tested by a DFA, and the fields cut by spaces, which is where the pattern puts them (a date
    and a time, then pid, level and db as single-spaced tokens without spaces, then `logger: message`
    where the logger holds no colon). Capture groups cost 4x as much."""
    parts = pl.col("t").str.splitn(" ", 6)
    rest = parts.struct.field("field_5").str.splitn(": ", 2)
    ok = pl.col("t").str.contains(_ODOO_LINE)

    def when_ok(e: pl.Expr) -> pl.Expr:
        return pl.when(ok).then(e).otherwise(pl.lit(None, dtype=pl.String))

    return pl.DataFrame({"t": text}).lazy().select(
        asctime=when_ok(parts.struct.field("field_0") + " " + parts.struct.field("field_1")),
        pid=when_ok(parts.struct.field("field_2")), level=when_ok(parts.struct.field("field_3")),
        db=when_ok(parts.struct.field("field_4")), logger=when_ok(rest.struct.field("field_0")),
        message=when_ok(rest.struct.field("field_1")),
    ).collect()


def _starts_timestamp(arr: np.ndarray, starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Lines beginning `YYYY-mm-dd HH:MM:SS` (ASCII digits; any other start line is left to the row reader)."""
    ok = lens >= 19
    pos = np.where(ok, starts, 0)
    for k, ch in enumerate(_TS_SHAPE.tolist()):
        b = arr[np.minimum(pos + k, len(arr) - 1)]
        ok &= ((b >= 48) & (b <= 57)) if ch == ord("d") else (b == ch)
    return ok


def _odoo_blocks(path: Path, start: tuple[int, int], block_bytes: int,
                 stop: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """Blocks of whole events: each block after the first begins on a timestamped line."""
    carry, c_line, c_off = b"", start[1], start[0]
    for data, line0, off0 in iter_blocks(path, start, block_bytes, stop):
        if carry:
            data, line0, off0 = carry + data, c_line, c_off
        cut = -1
        pos = len(data) - 1
        while True:  # the last newline followed by a timestamp: the event after it may go on in the next block
            cut = data.rfind(b"\n", 0, pos)
            if cut < 0 or _starts_timestamp(np.frombuffer(data, dtype=np.uint8), np.array([cut + 1]),
                                             np.array([len(data) - cut - 1]))[0]:
                break
            pos = cut
        if cut < 0:
            carry, c_line, c_off = data, line0, off0
            continue
        out = data[:cut + 1]
        carry, c_line, c_off = data[cut + 1:], line0 + out.count(b"\n"), off0 + cut + 1
        if out:
            yield out, line0, off0
    if carry:
        yield carry, c_line, c_off


def odoo_columns(reader: Any, path: Path, start: tuple[int, int] = (0, 1),
                 block_bytes: int = BLOCK_BYTES, stop: int | None = None) -> Iterator[ColumnChunk]:
    """An `OdooLogReader`'s file, columnar: one-line INFO/DEBUG/WARNING events (not announcing a retry) are
    taken by vectorized regexes; events with a traceback, errors, retries, werkzeug lines and anything
    odd go to the row reader's own `events_of`, event by event."""
    import pyarrow as pa

    from odoo_triage.detectors.readers.odoo_log import _logger_key, take

    check = reader.check
    for data, line0, off0 in _odoo_blocks(path, start, block_bytes, stop):
        starts, ends = line_index(data)
        n = len(starts)
        arr = np.frombuffer(data, dtype=np.uint8)
        lens = ends - starts
        cr = (lens > 0) & (arr[np.maximum(ends - 1, 0)] == 13)
        cend = ends - cr
        is_start = _starts_timestamp(arr, starts, cend - starts)
        if line0 == 1:
            is_start[0] = False  # a BOM or not: the row reader takes the file's first event
        clean = b"\x00" not in data
        if clean and not data.isascii():  # (ASCII is UTF-8)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                clean = False
        group = np.cumsum(is_start)  # 0: lines before the first event of the block
        size = np.bincount(group, minlength=int(group[-1]) + 1 if n else 1)
        single = is_start & (size[group] == 1) if clean else np.zeros(n, dtype=bool)
        chunk = Chunk()
        fast = np.flatnonzero(single)
        cols = empty_columns()
        hand_groups: set[int] = set(np.unique(group[~single]).tolist())
        if len(fast):
            buf = _join(data, starts, cend, single)
            ln = (cend - starts)[fast] + 1
            offs = np.zeros(len(fast) + 1, dtype=np.int64)
            np.cumsum(ln, out=offs[1:])
            text = pl.from_arrow(pa.LargeStringArray.from_buffers(
                len(fast), pa.py_buffer(offs.tobytes()),
                pa.py_buffer(buf)))
            assert isinstance(text, pl.Series)
            text = text.str.strip_suffix("\n")
            g = _odoo_fields(text)
            loggers = g["logger"].unique().drop_nulls().to_list()
            flows = {lg: reader.flow_of(lg) for lg in loggers}
            g = g.with_columns(
                flow=pl.col("logger").replace_strict({k: v[0] for k, v in flows.items()}, default=None,
                                                     return_dtype=pl.String),
                attributed=pl.col("logger").replace_strict({k: v[1] for k, v in flows.items()}, default=None,
                                                           return_dtype=pl.Boolean),
                perf=pl.col("message").str.extract_groups(_ODOO_PERF),
                perf_len=pl.col("message").str.extract(r"( (?:\d+|-) (?:\d+(?:\.\d+)?|-) (?:\d+(?:\.\d+)?|-))$", 1)
                .str.len_chars().fill_null(0),
            ).with_columns(
                core=pl.col("message").str.slice(0, pl.col("message").str.len_chars() - pl.col("perf_len")),
                qt=pl.col("perf").struct.field("2"), rt=pl.col("perf").struct.field("3"),
            ).with_columns(
                http_i=pl.col("core").str.extract(r"\bHTTP (\d{3})\b", 1).cast(pl.Int64, strict=False),
                retrying=pl.col("core").str.contains(_ODOO_RETRYING),
                frac=pl.col("asctime").str.slice(19),
                base_us=pl.col("asctime").str.slice(0, 19).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False,
                                                                           time_unit="us").dt.epoch("us"),
            ).with_columns(
                lat=pl.when((pl.col("qt") != "-") & (pl.col("rt") != "-"))
                .then((pl.col("qt").cast(pl.Float64, strict=False) + pl.col("rt").cast(pl.Float64, strict=False))
                      * 1000.0),
                ts=(pl.col("base_us") + pl.col("frac").str.slice(1).str.pad_end(6, "0").cast(pl.Int64, strict=False)
                    .fill_null(0)).cast(pl.Float64) / 1e6,
            )
            lines = (np.arange(line0, line0 + n, dtype=np.int64))[fast]
            offsets = (starts.astype(np.int64) + off0)[fast]
            ok_level = pl.col("level").is_in(["INFO", "DEBUG"]) | ((pl.col("level") == "WARNING") & ~pl.col("retrying"))
            event = pl.col("flow").is_not_null() & ok_level
            noise = pl.col("flow").is_null()
            bad = (pl.col("asctime").is_null() | (pl.col("logger") == "werkzeug") | (pl.col("perf_len") > 55)
                   | ~pl.col("frac").is_in(["", ",000"]) & ~pl.col("frac").str.contains(r"^[,.](?:\d{3}|\d{6})$")
                   | pl.col("base_us").is_null() | (pl.col("ts") < check.ts_min) | (pl.col("ts") >= check.ts_max)
                   | (event & (pl.col("http_i").is_not_null() & ((pl.col("http_i") < 100) | (pl.col("http_i") > 599))))
                   | (event & pl.col("lat").is_not_null() & ((pl.col("lat") < 0) | (pl.col("lat") > check.max_latency)))
                   | (event & ((pl.col("flow").str.len_chars() > 200) | (pl.col("flow").str.strip_chars("\x00 ") == "")))
                   | (~noise & ~ok_level)).fill_null(True)
            kinds = g.select(bad=bad, event=event & ~bad, noise=noise & ~bad)
            badm, evm, noisem = (kinds[c].to_numpy() for c in ("bad", "event", "noise"))
            hand_groups.update(group[fast[badm]].tolist())
            ev = g.filter(pl.Series(evm))
            cols = pl.DataFrame({
                "ts": ev["ts"], "flow": ev["flow"], "status": pl.Series(np.zeros(ev.height, dtype=np.int8)),
                "latency": ev["lat"].cast(pl.Float32).fill_null(float("nan")),
                "http": ev["http_i"].fill_null(0).cast(pl.Int16), "retry": pl.Series(np.zeros(ev.height, np.int16)),
                "error": pl.Series([None] * 0, dtype=pl.String).extend_constant(None, ev.height),
                "corr": pl.Series([], dtype=pl.String).extend_constant(None, ev.height),
                "idem": pl.Series([], dtype=pl.String).extend_constant(None, ev.height),
                "line": pl.Series(lines[evm], dtype=pl.Int32), "offset": pl.Series(offsets[evm], dtype=pl.Int64),
            }, schema=COLUMN_SCHEMA)
            chunk.parsed += ev.height + int(noisem.sum())
            chunk.skipped += int(noisem.sum())
            guessed = ev.filter(~pl.col("attributed"))["logger"].value_counts()
            for lg, k in guessed.iter_rows():
                chunk.unattributed[_logger_key(f"guessed:{lg}")] += k
            skipped = g.filter(pl.Series(noisem) & ~pl.col("attributed"))["logger"].value_counts()
            for lg, k in skipped.iter_rows():
                chunk.unattributed[_logger_key(f"unattributed:{lg}")] += k
        fb = Chunk()
        if hand_groups:
            member = np.isin(group, np.fromiter(hand_groups, dtype=group.dtype))
            idx = np.flatnonzero(member)
            for gid_lines in np.split(idx, np.flatnonzero(np.diff(group[idx]) != 0) + 1):
                if not len(gid_lines):
                    continue
                numbered = [(line0 + i, off0 + int(starts[i]), data[int(starts[i]):int(ends[i]) + 1])
                            for i in gid_lines.tolist()]
                for item in reader.events_of(path, numbered):
                    take(fb, *item)
        chunk.parsed += fb.parsed
        chunk.set_aside += fb.set_aside
        chunk.blank += fb.blank
        chunk.skipped += fb.skipped
        chunk.unattributed.update(fb.unattributed)
        chunk.rejected.extend(fb.rejected)
        yield ColumnChunk(_merge(cols, fb), chunk, off0 + len(data))


# ---------------------------------------------------------------- dispatch


def row_columns(chunks: Iterator[Chunk]) -> Iterator[ColumnChunk]:
    for chunk in chunks:
        rows, chunk.rows = chunk.rows, []
        end = max((r.offset for r in rows), default=0)
        yield ColumnChunk(rows_to_columns(rows), chunk, end)
