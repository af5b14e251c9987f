"""Columnar reading of queue.job CSV exports (the `QueueJobReader`'s `build_job`, vectorized).

Fast path: ASCII lines whose fields are well formed (quoted fields closed on the line, `""` escapes)
and as many as the header's; Polars splits them. Every other line, and every row whose values the
vectorized builder cannot vouch for, goes through the csv module and `build_job` as the row reader
does, so reasons and counts stay the same (tests/test_detect_columnar.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from odoo_triage.detectors.readers.base import Chunk, RowError
from odoo_triage.detectors.readers.columnar import (
    _ISO,
    BLOCK_BYTES,
    COLUMN_SCHEMA,
    ISO_TS,
    ColumnChunk,
    _csv_line,
    _csv_plan,
    _join,
    _merge,
    iso_fraction_and_offset,
    iso_seconds,
    iter_blocks,
    line_index,
    row_columns,
)
from odoo_triage.detectors.readers.csv_records import csv_chunks
from odoo_triage.detectors.readers.queue_job import (
    DECIMAL_COMMA,
    REQUIRED,
    STATES,
    job_state,
    technical_header,
)

# queue_job._HTTP without its lookahead (the Rust regex engine has none): same leftmost match, same group
_HTTP = (r"\b([45]\d\d) (?:Client Error|Server Error|Too Many|Gone|Unauthorized|Forbidden|Not Found|"
         r"Service Unavailable|Bad Gateway|Gateway)")
_STATUS = {"done": 0, "failed": 1}


def queue_job_plan(reader: Any, path: Path) -> tuple[str, list[str]] | None:
    return _csv_plan(reader, path, REQUIRED, technical_header, spanning=True)


def _record_blocks(path: Path, block_bytes: int) -> Iterator[tuple[bytes, int, int]]:
    """Blocks that end where no quoted field is open (an even number of quotes so far)."""
    carry, c_line, c_off = b"", 1, 0
    for data, line0, off0 in iter_blocks(path, (0, 1), block_bytes):
        if carry:
            data, line0, off0 = carry + data, c_line, c_off
        starts, ends = line_index(data)
        q = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 34)
        per = np.bincount(np.searchsorted(ends, q, "left"), minlength=len(ends))[:len(ends)]
        even = np.flatnonzero(np.cumsum(per) % 2 == 0)
        if not len(even) or int(ends[even[-1]]) >= len(data):
            carry, c_line, c_off = data, line0, off0
            continue
        cut = int(ends[even[-1]]) + 1
        out, carry = data[:cut], data[cut:]
        yield out, line0, off0
        c_line, c_off = line0 + out.count(b"\n"), off0 + cut
    if carry:
        yield carry, c_line, c_off


def outside_delimiters(arr: np.ndarray, qpos: np.ndarray, delim: str) -> np.ndarray:
    """Positions of the delimiters outside quotes (`qpos`: every quote's position; the bytes open outside quotes)."""
    dpos = np.flatnonzero(arr == ord(delim))
    return dpos[(np.searchsorted(qpos, dpos) & 1) == 0]


def field_shape(arr: np.ndarray, qpos: np.ndarray, dpos: np.ndarray, rec_start: np.ndarray, rec_end: np.ndarray,
                delim: str, width: int) -> np.ndarray:
    """Per record (byte span [start, end) of `arr`, sorted, disjoint, each opening outside quotes with an even
    number of quotes before it, its newlines inside quotes): whether it is `width` well-formed fields
    (`^F(?:,F)*$`, F `[^",]*` or `"(?:[^"]|"")*"`), from the positions of the quotes (`qpos`) and of the
    delimiters outside them (`dpos`, `outside_delimiters`) alone: the regexes cost ~0.3 CPU-s per 1M jobs. A
    quote opening a field follows a delimiter, the record's start or a closing quote (`""`); one closing it
    precedes a delimiter, the record's end or a quote."""
    n = len(rec_start)
    if not n:
        return np.zeros(0, dtype=bool)
    d = ord(delim)
    ok = np.ones(n, dtype=bool)
    lo, hi = np.searchsorted(qpos, rec_start, "left"), np.searchsorted(qpos, rec_end, "left")
    ok &= (hi - lo) % 2 == 0  # a record closes every quote it opens
    rid = np.searchsorted(rec_start, qpos, "right") - 1
    qi = np.flatnonzero((rid >= 0) & (qpos < rec_end[np.maximum(rid, 0)]))  # the quotes inside the records
    if len(qi):
        at, rid = qpos[qi], rid[qi]
        last = len(arr) - 1
        prev = arr[np.maximum(at - 1, 0)]
        nxt = arr[np.minimum(at + 1, last)]
        opening = qi % 2 == 0  # the bytes open outside quotes: every other quote opens one
        good_open = (at == rec_start[rid]) | (prev == d) | (prev == 34)
        good_close = (at + 1 == rec_end[rid]) | (nxt == d) | (nxt == 34)
        ok[rid[np.where(opening, ~good_open, ~good_close)]] = False
    per = np.searchsorted(dpos, rec_end, "left") - np.searchsorted(dpos, rec_start, "left")
    return ok & (per == width - 1)


def _lines_series(data: bytes, starts: np.ndarray, cend: np.ndarray, keep: np.ndarray) -> pl.Series:
    import pyarrow as pa

    idx = np.flatnonzero(keep)
    buf = _join(data, starts, cend, keep)
    offs = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum((cend - starts)[idx] + 1, out=offs[1:])
    s = pl.from_arrow(pa.LargeStringArray.from_buffers(len(idx), pa.py_buffer(offs.tobytes()), pa.py_buffer(buf)))
    assert isinstance(s, pl.Series)
    return s.str.strip_suffix("\n")


def queue_job_columns(reader: Any, path: Path, delim: str, header: list[str],
                      block_bytes: int = BLOCK_BYTES) -> Iterator[ColumnChunk]:
    import csv

    reader.naive_offset(path)  # this file's naive times: the exporting user's zone
    width = len(header)
    for data, line0, off0 in _record_blocks(path, block_bytes):
        starts, ends = line_index(data)
        n = len(starts)
        q = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 34)
        per = np.bincount(np.searchsorted(ends, q, "left"), minlength=n)[:n]
        before = (np.cumsum(per) - per) % 2 == 1  # inside a quoted field when the line starts
        after_odd = np.cumsum(per) % 2 == 1
        spans = np.flatnonzero(~before & after_odd)  # first lines of records spanning lines
        stop = n  # lines from here on go to the row reader
        arr = np.frombuffer(data, dtype=np.uint8)
        dpos = outside_delimiters(arr, q, delim)
        lens = ends - starts
        cr = (lens > 0) & (arr[np.maximum(ends - 1, 0)] == 13)
        cend = ends - cr
        empty = cend == starts
        odd = np.flatnonzero(arr < 32)  # control bytes but tab, LF, CR, and non-ASCII ones (4x cheaper thus)
        odd = odd[~np.isin(arr[odd], (9, 10, 13))]
        if not data.isascii():
            odd = np.union1d(odd, np.flatnonzero(arr >= 128))
        cand = ~empty
        cand[np.searchsorted(ends, odd, "left")] = False
        cand &= ~np.isin(arr[np.minimum(starts, max(len(data) - 1, 0))], (32, 9))
        cand &= ~before & ~after_odd
        # each spanning record's last line: the first line after it not both starting and ending inside quotes
        closing = np.flatnonzero(~(before & after_odd))
        pos = np.searchsorted(closing, spans, "right")
        last = np.where(pos < len(closing), closing[np.minimum(pos, max(len(closing) - 1, 0))], n)
        open_end = np.flatnonzero(last >= n)
        if len(open_end):  # a quoted field open at the end of the file: the row reader says what it is
            stop = int(spans[open_end[0]])
            spans, last = spans[:open_end[0]], last[:open_end[0]]
        multi: list[tuple[int, int]] = list(zip(spans.tolist(), last.tolist(), strict=True))
        chunk = Chunk()
        if line0 == 1:
            cand[0] = False
            empty[0] = False
            chunk.parsed += 1
        fb = Chunk()
        mcols, vouched = _multi_line_columns(reader, data, starts, ends, cr, odd, (q, dpos), multi, line0, off0,
                                             delim, header)
        taken: list[int] = []
        for k, (a, b) in enumerate(multi):
            if a >= stop:
                break
            if vouched[k]:  # parsed by Polars exactly as _take_record would build it
                taken.append(k)
                chunk.parsed += b - a + 1
                continue
            if not _take_record(reader, path, data, starts, ends, line0, off0, a, b, delim, header, fb, csv):
                stop = a
                break
        cand[stop:] = False
        empty[stop:] = False
        chunk.blank += int(empty.sum())
        good = cand.copy()
        if cand.any():
            ci = np.flatnonzero(cand)
            good[ci] = field_shape(arr, q, dpos, starts[ci], cend[ci], delim, width)
        lines = np.arange(line0, line0 + n, dtype=np.int64)
        offsets = starts.astype(np.int64) + off0
        buf = _join(data, starts, cend, good)
        schema = dict.fromkeys(header, pl.String)
        raw = (pl.read_csv(io.BytesIO(buf), has_header=False, separator=delim, quote_char='"', schema=schema)
               if buf else pl.DataFrame(schema=schema))
        gi = np.flatnonzero(good)
        if raw.height != len(gi):
            gi, good[:] = gi[:0], False
            raw = pl.DataFrame(schema=schema)
        cols, flagged = build_job_columns(raw, reader, lines[gi], offsets[gi])
        inside = np.zeros(n, dtype=bool)
        for a, b in multi:
            inside[a:b + 1] = True
        hand = np.flatnonzero(~good & ~empty & ~inside)
        hand = hand[hand < stop]
        if line0 == 1:
            hand = hand[hand != 0]
        if flagged.any():
            hand = np.sort(np.r_[hand, gi[flagged]])
            cols = cols.filter(pl.Series(~flagged))
        for i in hand.tolist():
            _csv_line(reader, path, data[int(starts[i]):int(ends[i]) + 1], int(lines[i]), int(offsets[i]), delim,
                      header, fb, csv, build=reader.build)
        chunk.parsed += cols.height + fb.parsed
        if taken:  # (their lines are counted above)
            cols = pl.concat([cols, mcols[(np.cumsum(vouched)[taken] - 1).tolist()]]).sort("line")
        chunk.set_aside += fb.set_aside
        chunk.blank += fb.blank
        chunk.rejected.extend(fb.rejected)
        if stop < n:  # from a record the fast path cannot vouch for: the row reader reads the rest
            yield ColumnChunk(_merge(cols, fb), chunk, off0 + int(starts[stop]))
            yield from row_columns(csv_chunks(path, reader.build, REQUIRED, "queue.job header",
                                              fix_header=technical_header, checker=reader.check,
                                              decoder=reader.decoder,
                                              start=(off0 + int(starts[stop]), line0 + stop), header=header))
            return
        yield ColumnChunk(_merge(cols, fb), chunk, off0 + len(data))


def _multi_line_columns(reader: Any, data: bytes, starts: np.ndarray, ends: np.ndarray, cr: np.ndarray,
                        odd: np.ndarray, quotes: tuple[np.ndarray, np.ndarray], multi: list[tuple[int, int]],
                        line0: int, off0: int, delim: str, header: list[str]) -> tuple[pl.DataFrame, np.ndarray]:
    """Records spanning lines (a quoted traceback), vectorized: the event columns of those the fast path
    can vouch for (plain ASCII, no CR, well-formed fields, the header's width, values `build_job` takes)
    and the mask of which those are, in `multi` order; the others are left to `_take_record`."""
    vouched = np.zeros(len(multi), dtype=bool)
    if not multi:
        return pl.DataFrame(schema=COLUMN_SCHEMA), vouched
    first = np.array([a for a, _ in multi], dtype=np.int64)
    last = np.array([b for _, b in multi], dtype=np.int64)
    unclean = np.zeros(len(starts), dtype=bool)
    unclean[np.searchsorted(ends, odd, "left")] = True
    unclean |= cr
    seen = np.concatenate([[0], np.cumsum(unclean)])
    ok = (seen[last + 1] == seen[first]) & ~np.isin(np.frombuffer(data, dtype=np.uint8)[starts[first]], (32, 9))
    idx = np.flatnonzero(ok)
    if not len(idx):
        return pl.DataFrame(schema=COLUMN_SCHEMA), vouched
    # (their newlines are inside quotes: `multi` spans from the line opening a quote to the one closing it)
    idx = idx[field_shape(np.frombuffer(data, dtype=np.uint8), *quotes, starts[first[idx]], ends[last[idx]],
                          delim, len(header))]
    if not len(idx):
        return pl.DataFrame(schema=COLUMN_SCHEMA), vouched
    buf = b"\n".join(data[int(starts[first[k]]):int(ends[last[k]])] for k in idx.tolist()) + b"\n"
    schema = dict.fromkeys(header, pl.String)
    try:
        raw = pl.read_csv(io.BytesIO(buf), has_header=False, separator=delim, quote_char='"', schema=schema)
    except pl.exceptions.PolarsError:
        return pl.DataFrame(schema=COLUMN_SCHEMA), vouched
    if raw.height != len(idx):
        return pl.DataFrame(schema=COLUMN_SCHEMA), vouched
    cols, flagged = build_job_columns(raw, reader, first[idx] + line0, starts[first[idx]].astype(np.int64) + off0)
    vouched[idx[~flagged]] = True
    return cols.filter(pl.Series(~flagged)), vouched


def _take_record(reader: Any, path: Path, data: bytes, starts: np.ndarray, ends: np.ndarray, line0: int, off0: int,
                 a: int, b: int, delim: str, header: list[str], chunk: Chunk, csv: Any) -> bool:
    """Lines a..b as one record, the way the row reader takes it when it is whole and builds; False when
    the row reader would do anything else (it then reads from line a on)."""
    texts = [reader.decoder.text(data[int(starts[i]):int(ends[i]) + 1], line0 + i) for i in range(a, b + 1)]
    try:
        recs = list(csv.reader(texts, delimiter=delim))
    except csv.Error:
        return False
    if len(recs) != 1 or len(recs[0]) != len(header):
        return False
    try:
        row = reader.check(reader.build(dict(zip(header, recs[0], strict=True)), line0 + a, off0 + int(starts[a])))
    except RowError:
        return False
    chunk.rows.append(row)
    chunk.parsed += b - a + 1
    return True


def build_job_columns(raw: pl.DataFrame, reader: Any, line: np.ndarray, offset: np.ndarray,
                      ) -> tuple[pl.DataFrame, np.ndarray]:
    """`queue_job.build_job` + `RowChecker` on text columns; the mask marks rows left to the row reader."""
    check = reader.check

    def col(k: str) -> pl.Expr:
        return pl.col(k).fill_null("") if k in raw.columns else pl.lit("", dtype=pl.String)

    base = raw.select(
        uuid=col("uuid").str.strip_chars(), ch=col("channel"), mo=col("model_name"),
        state=col("state").str.strip_chars().str.to_lowercase(),
        exc_name=col("exc_name").str.strip_chars(), exc_msg=col("exc_message").str.strip_chars(),
        ts_s=pl.when(col("date_started") != "").then(col("date_started")).otherwise(col("date_created")),
        exec_s=col("exec_time"), retry_s=col("retry"),
    )
    if getattr(reader, "decimal_comma", False):  # `1,928017` as `opt_decimal` reads it (queue_job.DECIMAL_COMMA)
        base = base.with_columns(exec_s=pl.when(pl.col("exec_s").str.contains(DECIMAL_COMMA.pattern))
                                 .then(pl.col("exec_s").str.replace(",", ".", literal=True))
                                 .otherwise(pl.col("exec_s")))
    # translated states (`Hecho`, `Fallido`) as `job_state` reads them: a file holds a handful of distinct values
    words = {**STATES, **{v: w for v in base["state"].unique().to_list()[:1000] if v and (w := job_state(v))}}
    pairs = base.select("ch", "mo").unique(maintain_order=True)
    flows = [_flow_of(reader, c, m) for c, m in pairs.iter_rows()]
    pairs = pairs.with_columns(flow=pl.Series(flows, dtype=pl.String))
    e = base.lazy().join(pairs.lazy(), on=["ch", "mo"], how="left", maintain_order="left").with_columns(
        word=pl.col("state").replace_strict(words, default=None, return_dtype=pl.String),
        lat_f=pl.when(pl.col("exec_s").str.contains(r"^-?\d{1,15}(?:\.\d{1,17})?$"))
        .then(pl.col("exec_s").cast(pl.Float64, strict=False) * 1000.0),
        retry_i=pl.when(pl.col("retry_s") == "").then(0)
        .when(pl.col("retry_s").str.contains(r"^\d{1,9}$")).then(pl.col("retry_s").cast(pl.Int64, strict=False)),
        http_i=pl.col("exc_msg").str.extract(_HTTP, 1).cast(pl.Int64, strict=False),
        error=pl.when(pl.col("exc_name") != "").then(pl.col("exc_name") + ": " + pl.col("exc_msg"))
        .when(pl.col("exc_msg") != "").then(pl.col("exc_msg")),
        iso=pl.col("ts_s").str.contains(_ISO),
        **iso_seconds("ts_s"),
    ).with_columns(
        **iso_fraction_and_offset(),
        status=pl.when(pl.col("word") == "done").then(0).when(pl.col("word") == "failed").then(1)
        .when(pl.col("exc_name") != "").then(2).otherwise(0).cast(pl.Int8),
    ).with_columns(  # naive times are the exporting user's zone (queue_job.export_utc_offsets)
        ts=ISO_TS - pl.when(pl.col("tail").str.contains(r"(?:Z|[+-]\d\d:?\d\d)\s*$")).then(0.0)
        .otherwise(reader.naive_offset_s) if reader.naive_offset_s else ISO_TS,
    )
    bad = (
        ((pl.col("uuid") == "") | pl.col("word").is_null() | ~pl.col("iso") | pl.col("base_us").is_null()
         | (pl.col("ts") < check.ts_min) | (pl.col("ts") >= check.ts_max)
         | ((pl.col("exec_s") != "") & (pl.col("lat_f").is_null() | (pl.col("lat_f") < 0)
                                        | (pl.col("lat_f") > check.max_latency)))
         | pl.col("retry_i").is_null() | (pl.col("retry_i") > check.max_retry)
         | pl.col("flow").is_null() | (pl.col("flow").str.strip_chars("\x00 ") == "")
         | (pl.col("flow").str.len_chars() > 200) | (pl.col("error").str.len_chars() > 4000).fill_null(False)
         | (pl.col("uuid").str.len_chars() > 4000)).fill_null(True).alias("bad")
    )
    out = e.select(  # one collect: the columns and the mask share every parsed intermediate
        "ts", "flow", "status",
        latency=pl.col("lat_f").cast(pl.Float32).fill_null(float("nan")),
        http=pl.col("http_i").fill_null(0).cast(pl.Int16),
        retry=pl.col("retry_i").fill_null(0).clip(-1, 30_000).cast(pl.Int16),
        error=pl.col("error"), corr=pl.lit(None, dtype=pl.String), idem=pl.col("uuid"), bad=bad,
    ).collect()
    flagged = out["bad"].to_numpy()
    cols = out.drop("bad").with_columns(line=pl.Series(line, dtype=pl.Int32), offset=pl.Series(offset, dtype=pl.Int64))
    return cols.select(list(COLUMN_SCHEMA)).cast(COLUMN_SCHEMA), np.asarray(flagged, dtype=bool)  # type: ignore[arg-type]


def _flow_of(reader: Any, channel: str, model: str) -> str:
    """The flow `build_job` gives a (channel, model) pair, from a one-row call of the builder itself."""
    row = reader.build({"uuid": "x", "channel": channel, "model_name": model, "state": "done",
                        "date_created": "2026-01-01T00:00:00"}, 0, 0)
    return str(row.flow)
