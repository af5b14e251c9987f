"""Reading every file into one compact, columnar event table (numpy/pandas).

Per event we keep ~50 bytes: time, flow code, status, latency, HTTP status, retry count, error
cluster, hashed idempotency key and correlation id, and where it came from (file, line, byte
offset). Texts stay in the files: an event cited as evidence is re-read from its offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from odoo_triage.core.domain import FlowInfo, LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.redact import redact
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers import (
    FieldMapping,
    FileStats,
    FlowCatalog,
    Reader,
    detect_format,
    make_reader,
    record_stats,
    to_log_event,
)
from odoo_triage.detectors.readers.base import Chunk, EventRow, check_regular, numbered_lines, reject
from odoo_triage.detectors.templates import TemplateMinerCache

OK, ERROR, RETRY = 0, 1, 2
_STATUS_CODE = {"ok": OK, "error": ERROR, "retry": RETRY}
COLUMNS = ("ts", "flow", "status", "latency", "http", "retry", "cluster", "idem", "corr", "file", "line", "offset")


@dataclass
class EventFrame:
    events: pd.DataFrame  # COLUMNS; flow is a code into `flows`
    flows: list[str]
    files: list[Path]
    readers: list[Reader]
    stats: dict[str, FileStats]
    rejected: list[RejectedLine]
    miner: TemplateMinerCache
    _row_cache: dict[str, LogEvent] = field(default_factory=dict)

    def event_id(self, i: int) -> str:
        ev = self.events
        return f"{self.files[int(ev['file'].iat[i])].name}:{int(ev['line'].iat[i])}"

    def event_ids(self, idx: np.ndarray | list[int]) -> list[str]:
        f = self.events["file"].to_numpy()[idx]
        ln = self.events["line"].to_numpy()[idx]
        return [f"{self.files[int(a)].name}:{int(b)}" for a, b in zip(f, ln, strict=True)]

    def log_event(self, i: int) -> LogEvent | None:
        """Re-read one event from its file (the table keeps no texts)."""
        ev = self.events
        fi, line, off = int(ev["file"].iat[i]), int(ev["line"].iat[i]), int(ev["offset"].iat[i])
        path = self.files[fi]
        key = f"{path.name}:{line}"
        if key not in self._row_cache:
            row: EventRow | None = self.readers[fi].row_at(path, off, line)
            if row is None:
                return None
            event = to_log_event(row, path.name)
            if event.error:  # the error text crosses into evidence, prompts, the store: masked here, once
                event = event.model_copy(update={"error": redact(event.error)})
            self._row_cache[key] = event
        return self._row_cache[key]


def _hash_keys(values: tuple[str | None, ...]) -> np.ndarray:
    arr = np.array(values, dtype=object)
    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    out = np.zeros(len(values), dtype=np.uint64)
    if present.any():
        h = pd.util.hash_array(arr[present], categorize=False)
        out[present] = np.where(h == 0, 1, h)
    return out


LOG_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".log")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its log files (by suffix), sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in LOG_SUFFIXES)
            if not found:
                raise InputError(f"{p}: no log files ({', '.join(LOG_SUFFIXES)}) in this folder")
            out.extend(found)
        elif p.exists():
            check_regular(p)
            out.append(p)
        else:
            raise InputError(f"no such log file: {p}")
    return out


def read_frame(
    paths: list[Path],
    *,
    formats: dict[str, str] | str | None = None,
    mapping: FieldMapping | None = None,
    progress: Callable[[int], None] | None = None,
    miner: TemplateMinerCache | None = None,
    catalog: list[FlowInfo] | FlowCatalog | None = None,
    settings: ReaderSettings | None = None,
    start_offsets: dict[Path, tuple[int, int]] | None = None,
    sink: Callable[[Path, Chunk], None] | None = None,
) -> EventFrame:
    """Stream every file, chunk by chunk, into the event table. `progress(n)` gets lines read.

    `catalog` (flows.json) attributes loggers, channels and names to flows. After reading, events
    further than `ts_window_days` from the data's median time are set aside like malformed lines:
    one stray year-9999 line must not stretch the hourly grid over millennia.

    `start_offsets` {path: (byte offset, line number)}: read only what follows (an incremental run,
    detectors/state.py). `sink(source, chunk)` sees every chunk's rows (`--write-events`). A Parquet
    events file (readers/parquet_events.py) brings each of its sources as a file of its own.
    """
    cfg = settings or ReaderSettings()
    cat = catalog if isinstance(catalog, FlowCatalog) else FlowCatalog(catalog or (), cfg)
    miner = miner or TemplateMinerCache()
    flow_codes: dict[str, int] = {}
    parts: list[dict[str, np.ndarray]] = []
    stats: dict[str, FileStats] = {}
    rejected: list[RejectedLine] = []
    readers: list[Reader] = []
    files: list[Path] = []
    for path, reader, chunks in _sources(expand_paths(paths), formats, mapping, cat, cfg, start_offsets or {}):
        fi = len(files)
        files.append(path)
        readers.append(reader)
        st = stats.setdefault(path.name, FileStats(path.name, reader.format))
        for chunk in chunks:
            _cap_flows(chunk, flow_codes, cfg.max_flows, path)
            _rename_flows(chunk, cat)
            if sink is not None:
                sink(path, chunk)
            st.add(chunk)
            record_stats(reader, st)
            rejected.extend(r.model_copy(update={"raw": redact(r.raw), "reason": redact(r.reason)})
                            for r in chunk.rejected)
            if progress is not None:
                progress(chunk.lines)
            if not chunk.rows:
                continue
            cols = list(zip(*chunk.rows, strict=True))
            n = len(chunk.rows)
            status = np.fromiter((_STATUS_CODE[s] for s in cols[5]), dtype=np.int8, count=n)
            cluster = np.fromiter(
                (miner.cluster_of(e) if (s != "ok" and e) else -1 for s, e in zip(cols[5], cols[8], strict=True)),
                dtype=np.int32, count=n)
            ok = status == OK
            idem = _hash_keys(cols[11])
            corr = _hash_keys(cols[10])
            idem[~ok] = 0
            corr[~ok] = 0
            parts.append({
                "ts": np.asarray(cols[0], dtype=np.float64),
                "flow": np.fromiter((flow_codes.setdefault(f, len(flow_codes)) for f in cols[1]), dtype=np.int32, count=n),
                "status": status,
                "latency": np.asarray(cols[6], dtype=np.float32),
                "http": np.asarray([h or 0 for h in cols[7]], dtype=np.int16),
                "retry": np.asarray(cols[9], dtype=np.int16),
                "cluster": cluster,
                "idem": idem,
                "corr": corr,
                "file": np.full(n, fi, dtype=np.int16),
                "line": np.asarray(cols[13], dtype=np.int32),
                "offset": np.asarray(cols[14], dtype=np.int64),
            })
    if parts:
        events = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in COLUMNS})
        events = _outside_window(events, files, stats, rejected, cfg.ts_window_days)
    else:
        events = pd.DataFrame({c: np.array([], dtype=np.float64 if c == "ts" else np.int32) for c in COLUMNS})
    used = sorted(set(events["flow"].unique().tolist()))
    if len(used) < len(flow_codes):  # a flow all of whose events were set aside is no flow
        names = list(flow_codes)
        remap = np.full(len(names), -1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        events["flow"] = remap[events["flow"].to_numpy()]
        flow_codes = {names[c]: i for i, c in enumerate(used)}
    return EventFrame(events=events, flows=list(flow_codes), files=files, readers=readers, stats=stats,
                      rejected=rejected, miner=miner)


def _sources(paths: list[Path], formats: dict[str, str] | str | None, mapping: FieldMapping | None,
             cat: FlowCatalog, cfg: ReaderSettings,
             starts: dict[Path, tuple[int, int]]) -> Iterator[tuple[Path, Reader, Iterable[Chunk]]]:
    """(source, its reader, its chunks) per file given: the file itself, or each source of a Parquet events file."""
    from odoo_triage.detectors.readers import parquet_events

    for path in paths:
        fmt = formats if isinstance(formats, str) else (formats or {}).get(path.name)
        if fmt == parquet_events.FORMAT or (fmt is None and parquet_events.is_parquet(path)):
            for source, preader in parquet_events.open_sources(path, cfg):
                yield (path if source == path.name else Path(source)), preader, preader.chunks(path)
            continue
        reader = make_reader(fmt or detect_format(path), mapping, cat, cfg)
        start = starts.get(path)
        yield path, reader, (reader.chunks(path) if start is None or start == (0, 1)
                             else _tail_chunks(reader, path, *start))


def _tail_chunks(reader: Reader, path: Path, offset: int, line_no: int, chunk_size: int = 5_000) -> Iterator[Chunk]:
    """The records after `offset` (line `line_no`), one by one through the reader's `row_at` (which seeks).

    The reader is first primed on the head of the file (a CSV header, an inferred mapping). Each line
    that does not start an event (a traceback line, server noise, a malformed line) counts as parsed;
    the full read is what names the reason of a malformed line. Reading stops at the size the file had
    when reading began: a line still being written is left for the next run."""
    for _ in reader.chunks(path, 1):
        break
    end = path.stat().st_size
    chunk = Chunk()
    for ln, off, raw in numbered_lines(path, offset, line_no):
        if off + len(raw) > end or not raw.endswith(b"\n"):
            break
        if len(chunk.rows) >= chunk_size:
            yield chunk
            chunk = Chunk()
        if not raw.strip():
            chunk.blank += 1
            continue
        row = reader.row_at(path, off, ln)
        chunk.parsed += 1
        if row is not None and row.line_no == ln:
            chunk.rows.append(row)
        else:
            chunk.skipped += 1
    yield chunk


def _rename_flows(chunk, cat: FlowCatalog) -> None:  # type: ignore[no-untyped-def]
    """Flow values as flows.json names them (an alias in the logs becomes the catalog name)."""
    if not cat.names or not chunk.rows:
        return
    rows = chunk.rows
    for i, r in enumerate(rows):
        name = cat.by_name(r.flow)
        if name != r.flow:
            rows[i] = r._replace(flow=name)


def _cap_flows(chunk, flow_codes: dict[str, int], max_flows: int, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Set aside events of flows beyond the cap: an id column taken for the flow would make a flow per line."""
    new = {r.flow for r in chunk.rows} - flow_codes.keys()
    if len(flow_codes) + len(new) <= max_flows:
        return
    admitted = set(flow_codes)
    keep = []
    for r in chunk.rows:
        if r.flow not in admitted and len(admitted) < max_flows:
            admitted.add(r.flow)
        if r.flow in admitted:
            keep.append(r)
            continue
        chunk.rejected.append(reject(path, r.line_no, f"more than {max_flows} distinct flows: flow {r.flow[:40]!r} "
                                                      "set aside", r.flow))
        chunk.parsed -= 1
        chunk.set_aside += 1
    chunk.rows[:] = keep


def _raw_at(path: Path, offset: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.readline(600)


def _outside_window(events: pd.DataFrame, files: list[Path], stats: dict[str, FileStats],
                    rejected: list[RejectedLine], window_days: float) -> pd.DataFrame:
    ts = events["ts"].to_numpy()
    med = float(np.median(ts))
    far = np.abs(ts - med) > window_days * 86400.0
    if not far.any():
        return events
    for i in np.flatnonzero(far)[:100_000].tolist():
        fi, line, off = int(events["file"].iat[i]), int(events["line"].iat[i]), int(events["offset"].iat[i])
        path = files[fi]
        st = stats[path.name]
        st.events -= 1
        st.rejected += 1
        st.parsed_lines -= 1
        st.set_aside_lines += 1
        rejected.append(reject(path, line, f"timestamp more than {window_days:g} days from the rest of the data",
                               _raw_at(path, off)))
    return events[~far].reset_index(drop=True)
