"""Parsed events in Parquet: the canonical schema, a writer (`triage detect --write-events`) and a reader.

A file of this schema is what `triage detect` wrote from the logs it parsed, or what another job
(a Spark export, a data lake table) produced. One row per event:

| column            | type            | meaning                                                     |
|-------------------|-----------------|-------------------------------------------------------------|
| `ts`              | double          | event time, epoch seconds UTC (a `timestamp` column is also read) |
| `flow`            | string          | flow name (required)                                        |
| `source_system`   | string          | system the message came from                                |
| `target_system`   | string          | system it went to                                           |
| `operation`       | string          | what was done (create, sync, webhook ...)                   |
| `status`          | string          | `ok`, `error` or `retry`                                    |
| `latency_ms`      | double, null    | processing time                                             |
| `http_status`     | int32, null     | HTTP status of the call                                     |
| `error`           | string, null    | error text                                                  |
| `retry_count`     | int32           | attempts before this one                                    |
| `correlation_id`  | string, null    |                                                             |
| `idempotency_key` | string, null    |                                                             |
| `record_ids`      | list<string>    | Odoo records touched, `model:id`                            |
| `source_file`     | string, null    | provenance: the log file the event was parsed from          |
| `line_no`         | int64, null     | provenance: its line there (the event id is `source_file:line_no`) |
| `offset`          | int64, null     | provenance: byte offset of that line                        |

Without provenance columns the file itself is the source: event ids are `<file>.parquet:<row>`.
The same columns as JSON lines (`.jsonl`, `.ndjson`, `.json`, one object per line, `ts` in epoch
seconds) are read too where an engine takes them (the Spark engine reads either from a shared
path); cited events are then re-read from the JSON file by its line.
Each source in a file becomes one source of the run (same event ids as reading the logs), so
anomalies found from the Parquet cite the same events as anomalies found from the logs.
Rows are untrusted like log lines: the same range checks apply and a bad row is set aside.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, RowChecker, RowError, reject

FORMAT = "parquet"
SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
STATUSES = ("ok", "error", "retry")
_FIELDS = ("ts", "flow", "source_system", "target_system", "operation", "status", "latency_ms", "http_status",
           "error", "retry_count", "correlation_id", "idempotency_key", "record_ids", "line_no", "offset")

SCHEMA = pa.schema([
    ("ts", pa.float64()), ("flow", pa.string()), ("source_system", pa.string()), ("target_system", pa.string()),
    ("operation", pa.string()), ("status", pa.string()), ("latency_ms", pa.float64()), ("http_status", pa.int32()),
    ("error", pa.string()), ("retry_count", pa.int32()), ("correlation_id", pa.string()),
    ("idempotency_key", pa.string()), ("record_ids", pa.list_(pa.string())), ("source_file", pa.string()),
    ("line_no", pa.int64()), ("offset", pa.int64()),
])
#: the columns a reader cannot do without
REQUIRED = ("ts", "flow", "status")


def is_parquet(path: Path) -> bool:
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def rows_table(rows: list[EventRow], source: str) -> pa.Table:
    """Rows of one source as a table of the canonical schema."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(EventRow._fields)
    n = len(rows)
    data = {
        "ts": cols[0], "flow": cols[1], "source_system": cols[2], "target_system": cols[3], "operation": cols[4],
        "status": cols[5], "latency_ms": cols[6], "http_status": cols[7], "error": cols[8], "retry_count": cols[9],
        "correlation_id": cols[10], "idempotency_key": cols[11], "record_ids": [list(r) for r in cols[12]],
        "source_file": [source] * n, "line_no": cols[13], "offset": cols[14],
    }
    return pa.table({f.name: pa.array(data[f.name], type=f.type) for f in SCHEMA}, schema=SCHEMA)


class EventsWriter:
    """Parsed events to one Parquet file, source after source, as they are read (bounded memory)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(self.path, SCHEMA, compression="zstd")
        self.rows = 0

    def add(self, source: str, rows: list[EventRow]) -> None:
        if rows and self._writer is not None:
            self._writer.write_table(rows_table(rows, source))
            self.rows += len(rows)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def dataset_format(path: Path) -> str:
    """`json` for JSON lines of the events schema (a file, or a folder of them), else `parquet`."""
    p = Path(path)
    if p.is_dir():
        names = sorted(f.suffix.lower() for f in p.iterdir() if f.is_file() and not f.name.startswith((".", "_")))
        return "json" if names and all(n in JSON_SUFFIXES for n in names) else "parquet"
    return "json" if p.suffix.lower() in JSON_SUFFIXES else "parquet"


def _dataset(path: Path) -> ds.Dataset:
    return ds.dataset(path, format=dataset_format(path))


def _columns(path: Path) -> list[str]:
    return list(_dataset(path).schema.names)


def sources(path: Path) -> list[str]:
    """The sources in a Parquet events file, in order of first appearance (the order they were read in)."""
    if "source_file" not in _columns(path):
        return [path.name]
    col = _dataset(path).to_table(columns=["source_file"]).column("source_file")
    found = [s for s in pc.unique(col).to_pylist() if s]
    if col.null_count:
        found.append(path.name)
    return found or [path.name]


def _seconds(col: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_timestamp(col.type):
        return pc.cast(pc.cast(col, pa.timestamp("us", tz="UTC")), pa.int64()).to_numpy(zero_copy_only=False) / 1e6
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)


def _opt(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


class ParquetEventsReader:
    """The events of one source of a Parquet events file (see the module docstring for the schema)."""

    format = FORMAT

    def __init__(self, path: Path, source: str, settings: ReaderSettings | None = None) -> None:
        self.path = Path(path)
        self.source = source
        self.check = RowChecker(settings or ReaderSettings())
        names = _columns(self.path)
        missing = [c for c in REQUIRED if c not in names and not (c == "ts" and "timestamp" in names)]
        if missing:
            from odoo_triage.core.errors import InputError

            raise InputError(f"{self.path.name}: a Parquet events file needs the columns {', '.join(missing)}")
        self.names = names
        self.provenance = "source_file" in names
        self._index: tuple[np.ndarray, np.ndarray] | None = None  # line numbers of this source, their rows

    def _filter(self) -> Any:
        if not self.provenance:
            return None
        if self.source == self.path.name:
            return ds.field("source_file").is_null() | (ds.field("source_file") == self.source)
        return ds.field("source_file") == self.source

    def _batches(self, chunk_size: int) -> Iterator[tuple[int, pa.RecordBatch]]:
        """(row number in the file of the batch's first row, batch); row numbers only without provenance."""
        dataset = _dataset(self.path)
        if self.provenance:
            for b in dataset.to_batches(filter=self._filter(), batch_size=chunk_size):
                yield -1, b
            return
        row = 0
        for b in dataset.to_batches(batch_size=chunk_size):
            yield row, b
            row += b.num_rows

    def _tuples(self, first_row: int, b: pa.RecordBatch) -> Iterator[tuple[int, int, tuple[Any, ...]]]:
        """(line, offset, values in `_FIELDS` order) per row of the batch."""
        tbl = pa.Table.from_batches([b])
        names = set(tbl.column_names)
        ts = _seconds(tbl.column("ts" if "ts" in names else "timestamp")).tolist()
        n = tbl.num_rows
        cols = [ts] + [tbl.column(c).to_pylist() if c in names else [None] * n for c in _FIELDS[1:]]
        lines, offs = cols[-2], cols[-1]
        for i, values in enumerate(zip(*cols, strict=True)):
            if self.provenance and lines[i] is not None:
                yield int(lines[i]), int(offs[i] or 0), values
            else:
                yield first_row + i + 1, first_row + i, values

    def _build_values(self, v: tuple[Any, ...], line: int, off: int) -> EventRow:
        ts, flow, src, tgt, op, status, lat, http, err, retry, corr, idem, recs = v[:13]
        status = str(status or "").strip().lower()
        if status not in STATUSES:
            raise RowError(f"unknown status {str(v[5])[:40]!r}")
        if not isinstance(flow, str):
            raise RowError("no flow")
        if not math.isfinite(ts):
            raise RowError("timestamp is not a finite number")
        return self.check(EventRow(
            ts=ts, flow=flow, source_system=str(src or ""), target_system=str(tgt or ""), operation=str(op or ""),
            status=status, latency_ms=_opt(lat), http_status=_opt(http), error=err or None,
            retry_count=int(retry or 0), correlation_id=corr or None, idempotency_key=idem or None,
            record_ids=tuple(str(r) for r in recs) if recs else (), line_no=line, offset=off))

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        where = Path(self.source)
        for first_row, b in self._batches(chunk_size):
            chunk = Chunk()
            build, rows = self._build_values, chunk.rows
            for line, off, values in self._tuples(first_row, b):
                try:
                    rows.append(build(values, line, off))
                except (RowError, TypeError, ValueError, OverflowError) as exc:
                    chunk.rejected.append(reject(where, line, f"Parquet row: {exc}", repr(values)[:500]))
                    chunk.set_aside += 1
            chunk.parsed += len(rows)
            yield chunk

    def _locate(self, line_no: int) -> int | None:
        """Row number in the file (or folder of part files) of this source's event at `line_no`."""
        if not self.provenance:
            return line_no - 1
        if self._index is None:
            t = _dataset(self.path).to_table(columns=["source_file", "line_no"])
            src = t.column("source_file")
            mine = pc.equal(src, self.source)
            if self.source == self.path.name:
                mine = pc.or_kleene(mine, pc.is_null(src))
            rows = np.flatnonzero(pc.fill_null(mine, False).to_numpy(zero_copy_only=False))
            lines = pc.fill_null(t.column("line_no"), -1).to_numpy(zero_copy_only=False)[rows].astype(np.int64)
            order = np.argsort(lines, kind="stable")
            self._index = (lines[order], rows[order])
        lines, rows = self._index
        k = int(np.searchsorted(lines, line_no))
        return int(rows[k]) if k < len(lines) and lines[k] == line_no else None

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        """Re-read one event (a cited one), found by its line, from its row group (a few are cached)."""
        row = self._locate(line_no)
        if row is None:
            return None
        batch = _row(self.path, row)
        for line, off, values in self._tuples(row, batch) if batch is not None else ():
            try:
                return self._build_values(values, line, off)
            except (RowError, TypeError, ValueError, OverflowError):
                return None
        return None


def _row(path: Path, row: int) -> pa.RecordBatch | None:
    if dataset_format(path) == "json" and path.is_file():
        st = path.stat()
        starts = _json_lines(str(path), st.st_mtime_ns, st.st_size)
        if not 0 <= row < len(starts):
            return None
        with path.open("rb") as fh:
            fh.seek(int(starts[row]))
            obj = json.loads(fh.readline())
        return pa.RecordBatch.from_pylist([obj]) if isinstance(obj, dict) else None
    if path.is_dir():
        got = _dataset(path).take([row]).to_batches()
        return got[0] if got else None
    st = path.stat()
    bounds = _row_groups(str(path), st.st_mtime_ns, st.st_size)
    rg = int(np.searchsorted(bounds, row, "right")) - 1
    if rg < 0 or rg >= len(bounds) - 1:
        return None
    tbl = _row_group(str(path), st.st_mtime_ns, st.st_size, rg)
    return tbl.slice(row - int(bounds[rg]), 1).to_batches()[0]


@lru_cache(maxsize=4)
def _json_lines(path: str, mtime: int, size: int) -> np.ndarray:
    """Byte offsets of the non-blank lines of a JSON lines file: its rows, in the order a dataset reads them."""
    data = np.fromfile(path, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)
    starts = np.r_[0, ends + 1]
    stops = np.r_[ends, len(data)]
    solid = np.r_[0, np.cumsum(~np.isin(data, (9, 10, 11, 12, 13, 32)))]  # bytes that are not white space
    return starts[solid[stops] - solid[starts] > 0]


@lru_cache(maxsize=16)
def _row_groups(path: str, mtime: int, size: int) -> np.ndarray:
    meta = pq.ParquetFile(path).metadata
    return np.concatenate([[0], np.cumsum([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])])


@lru_cache(maxsize=4)
def _row_group(path: str, mtime: int, size: int, rg: int) -> pa.Table:
    return pq.ParquetFile(path).read_row_group(rg)


def open_sources(path: Path, settings: ReaderSettings | None = None) -> list[tuple[str, ParquetEventsReader]]:
    """One reader per source in the file, in the order they were read."""
    return [(s, ParquetEventsReader(path, s, settings)) for s in sources(path)]


__all__ = ["FORMAT", "REQUIRED", "SCHEMA", "EventsWriter", "ParquetEventsReader", "is_parquet", "open_sources",
           "rows_table", "sources"]
