"""Reading every file into the compact, columnar event table the checks index (numpy/pandas).

Per event ~50 bytes: time, flow code, status, latency, HTTP status, retry count, error cluster, hashed
idempotency key and correlation id, and where it came from (file, line, byte offset). Texts stay in the
files: an event cited as evidence is re-read from its offset. A bounded read (`read_frame(bounded=)`, the
pipeline's default) reduces each chunk at once (aggregates.py): the table then holds only the events the
checks cite, and the frame carries the per-(flow, hour) aggregates and latency sketches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

from odoo_triage.core.domain import FlowInfo, LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.redact import redact
from odoo_triage.core.settings import DetectorSettings, ReaderSettings
from odoo_triage.detectors.aggregates import GATEWAY_TIMEOUTS, Reduced, StreamReducer, hourly_aggregates
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
from odoo_triage.detectors.readers.base import Chunk, EventRow, ReadPlan, check_regular, reject
from odoo_triage.detectors.readers.columnar import ColumnChunk, row_columns
from odoo_triage.detectors.readers.columnar_read import column_chunks
from odoo_triage.detectors.sketches import LatencyHours
from odoo_triage.detectors.templates import TemplateMinerCache

OK, ERROR, RETRY = 0, 1, 2
HOUR = 3600.0
_STATUS_CODE = {"ok": OK, "error": ERROR, "retry": RETRY}
# the event table's dtypes, on every path (readers, a saved state, engines): an empty part must not
# upcast the others when concatenated (float32 latencies becoming float64 change a p95 in its last digit)
EVENT_DTYPES: dict[str, type] = {
    "ts": np.float64, "flow": np.int32, "status": np.int8, "latency": np.float32, "http": np.int16,
    "retry": np.int16, "cluster": np.int32, "idem": np.uint64, "corr": np.uint64, "file": np.int16,
    "line": np.int32, "offset": np.int64}
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
    seen_flows: list[str] = field(default_factory=list)  # every flow read, also those pruned by keep_flows
    # bounded reading (aggregates.py): `events` is the bounded table, these the per-(flow, hour) aggregates
    aggregates: pd.DataFrame | None = None
    latency: LatencyHours | None = None
    _row_cache: dict[str, LogEvent] = field(default_factory=dict)

    def event_id(self, i: int) -> str:
        ev = self.events
        return f"{self.files[int(ev['file'].iat[i])].name}:{int(ev['line'].iat[i])}"

    def event_ids(self, idx: np.ndarray | list[int]) -> list[str]:
        f = self.events["file"].to_numpy()[idx]
        ln = self.events["line"].to_numpy()[idx]
        names = [p.name for p in self.files]  # Path.name is computed on every access
        return [f"{names[a]}:{b}" for a, b in zip(f.tolist(), ln.tolist(), strict=True)]

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


def _hash_keys(values: pl.Series, keep: np.ndarray) -> np.ndarray:
    """64-bit hashes of keys (0 = no key), kept only where `keep` (the same function on both read paths)."""
    h = values.hash(seed=0x7269616765).to_numpy()
    out = np.where(values.is_null().to_numpy() | ~keep, np.uint64(0), h).astype(np.uint64)
    out[(out == 0) & keep & ~values.is_null().to_numpy()] = 1
    return out


# GATEWAY_TIMEOUTS (aggregates.py): the caller gave up waiting; the receiver may still have done the work

LOG_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".log", ".xlsx")


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
    columnar: bool = True,
    keep_flows: list[str] | None = None,
    sink: Callable[[Path, Chunk], None] | None = None,
    prepare: Callable[[Path, Reader], tuple[int, int] | None] | None = None,
    min_ts: float | None = None,
    plan: Callable[[list[tuple[Path, Reader]]], ReadPlan] | None = None,
    bounded: DetectorSettings | None = None,
) -> EventFrame:
    """Stream every file, chunk by chunk, into the event table. `progress(n)` gets bytes just read.

    `catalog` (flows.json) attributes loggers, channels and names to flows. After reading, events
    further than `ts_window_days` from the data's median time are set aside like malformed lines:
    one stray year-9999 line must not stretch the hourly grid over millennia.
    `start_offsets` {path: (byte offset, line number)} reads each such file only from there (what was
    appended since a saved offset: an incremental run, detectors/state.py). `columnar` picks the Polars
    readers where they apply (the row readers give the same table, only slower). `keep_flows` drops other
    flows' events as they are read. `sink(source, chunk)` sees every chunk's rows (`--write-events`: the
    row readers then read, since only they build every field). A Parquet events file
    (readers/parquet_events.py) brings each of its sources as a file of its own. `prepare(path, reader)`
    sees each reader before it reads (a saved state hands it what it learned from the file last time)
    and may return where to start instead (`--read-since` entering a time-ordered file). `min_ts` drops
    events before it as they are read, before templating (as `keep_flows` drops flows). `plan(files)` sees
    every (file, reader) before any is read and says which byte segments of each to read and which time
    ranges to keep (`--since/--until` pruning, pipeline.py). `bounded` (detector settings): each chunk is
    reduced at once (aggregates.py): `events` is then the bounded table and the frame carries the
    per-(flow, hour) aggregates and latency sketches; memory no longer grows with the events read.
    """
    cfg = settings or ReaderSettings()
    cat = catalog if isinstance(catalog, FlowCatalog) else FlowCatalog(catalog or (), cfg)
    acc = _Accumulator(cfg, cat, miner or TemplateMinerCache(), set(keep_flows) if keep_flows else None, min_ts)
    if bounded is not None:
        acc.reducer = StreamReducer(bounded.stream_events_per_hour, bounded.evidence_per_finding,
                                    bounded.stream_keys_kept, bounded.latency_sketch_accuracy)
        acc.accuracy = bounded.latency_sketch_accuracy
    starts = {Path(k).resolve(): v for k, v in (start_offsets or {}).items()}
    sources: Iterable[tuple[Path, Path, Reader]] = _sources(expand_paths(paths), formats, mapping, cat, cfg)
    read_plan = None
    if plan is not None:
        sources = list(sources)
        read_plan = plan([(p, r) for p, _, r in sources])
        acc.keep = read_plan.keep
    for path, source, reader in sources:
        entered = prepare(path, reader) if prepare is not None else None
        fi = len(acc.files)
        acc.files.append(source)
        acc.readers.append(reader)
        st = acc.stats.setdefault(source.name, FileStats(source.name, reader.format))
        start = entered or starts.get(path.resolve(), (0, 1))
        done = start[0]
        size = path.stat().st_size
        if sink is not None:  # only the row readers build every field an events file keeps
            raw_chunks = reader.chunks(path, start=start) if start != (0, 1) else reader.chunks(path)  # type: ignore[call-arg]
            chunks = _sunk(raw_chunks, source, sink)
            column_iter: Iterator[ColumnChunk] = row_columns(chunks)
        else:
            column_iter = column_chunks(reader, path, start, columnar)
        segments = read_plan.segments.get(path) if read_plan is not None else None
        for seg_start, stop in segments if segments is not None else [(start, None)]:
            if segments is not None:
                column_iter = column_chunks(reader, path, seg_start, columnar, stop)
            for cc in column_iter:
                if stop is not None:  # the rows of a chunk past the segment's end are another's (or none's)
                    cc = ColumnChunk(cc.cols.filter(pl.col("offset") < stop), cc.chunk, cc.end_offset)
                acc.add(cc, fi, source, st)
                record_stats(reader, st)
                if progress is not None and cc.end_offset > done:
                    progress(cc.end_offset - done)
                    done = cc.end_offset
                if stop is not None and cc.end_offset >= stop:
                    break
        if progress is not None and size > done:
            progress(size - done)
    return acc.frame()


def _sources(paths: list[Path], formats: dict[str, str] | str | None, mapping: FieldMapping | None,
             cat: FlowCatalog, cfg: ReaderSettings) -> Iterator[tuple[Path, Path, Reader]]:
    """(file read, source it stands for, reader) per file given: the file itself, or each source of a
    Parquet events file."""
    from odoo_triage.detectors.readers import parquet_events

    for path in paths:
        fmt = formats if isinstance(formats, str) else (formats or {}).get(path.name)
        if fmt == parquet_events.FORMAT or (fmt is None and parquet_events.is_parquet(path)):
            for source, preader in parquet_events.open_sources(path, cfg):
                yield path, (path if source == path.name else Path(source)), preader  # type: ignore[misc]
            continue
        yield path, path, make_reader(fmt or detect_format(path), mapping, cat, cfg)


def _sunk(chunks: Iterable[Chunk], source: Path, sink: Callable[[Path, Chunk], None] | None) -> Iterator[Chunk]:
    for chunk in chunks:
        if sink is not None:
            sink(source, chunk)
        yield chunk


def empty_events() -> pd.DataFrame:
    return pd.DataFrame({c: np.array([], dtype=EVENT_DTYPES[c]) for c in COLUMNS})


class _Accumulator:
    """What reading builds, chunk by chunk: flow codes, error clusters, hashed keys, the numpy columns."""

    def __init__(self, cfg: ReaderSettings, cat: FlowCatalog, miner: TemplateMinerCache,
                 keep_flows: set[str] | None, min_ts: float | None = None) -> None:
        self.cfg, self.cat, self.miner, self.keep_flows, self.min_ts = cfg, cat, miner, keep_flows, min_ts
        self.flow_codes: dict[str, int] = {}
        self.parts: list[dict[str, np.ndarray]] = []
        self.stats: dict[str, FileStats] = {}
        self.rejected: list[RejectedLine] = []
        self.readers: list[Reader] = []
        self.files: list[Path] = []
        self.seen: dict[str, None] = {}
        self.keep: list[tuple[float, float]] = []  # time ranges kept ([] = all)
        self.reducer: StreamReducer | None = None
        self.accuracy = 0.005
        self.seq = 0  # events added so far (their arrival order)

    def add(self, cc: ColumnChunk, fi: int, path: Path, st: FileStats) -> None:
        cols, chunk = cc.cols, cc.chunk
        cols = self._cap_flows(cols, chunk, path)
        st.add(chunk)
        st.events += cols.height
        self.rejected.extend(r.model_copy(update={"raw": redact(r.raw), "reason": redact(r.reason)})
                             for r in chunk.rejected)
        if not cols.height:
            return
        uniq = cols["flow"].unique(maintain_order=True).to_list()
        if self.cat.names:
            renamed = {f: self.cat.by_name(f) for f in uniq}
            if any(k != v for k, v in renamed.items()):
                cols = cols.with_columns(pl.col("flow").replace_strict(renamed, return_dtype=pl.String))
                uniq = list(dict.fromkeys(renamed.values()))
        if self.keep_flows is not None:
            self.seen.update(dict.fromkeys(uniq))
            cols = cols.filter(pl.col("flow").is_in(list(self.keep_flows)))
            uniq = [f for f in uniq if f in self.keep_flows]
            if not cols.height:
                return
        if self.min_ts is not None or self.keep:
            if self.min_ts is not None:
                cols = cols.filter(pl.col("ts") >= self.min_ts)
            if self.keep:
                cols = cols.filter(pl.any_horizontal([pl.col("ts").is_between(lo, hi, closed="left")
                                                      for lo, hi in self.keep]))
            left = set(cols["flow"].unique().to_list())
            uniq = [f for f in uniq if f in left]
            if not cols.height:
                return
        for f in uniq:
            self.flow_codes.setdefault(f, len(self.flow_codes))
        n = cols.height
        status = cols["status"].to_numpy()
        ok = status == OK
        err = cols["error"]
        want = ~ok & (err.is_not_null() & (err != "")).fill_null(False).to_numpy()
        cluster = np.full(n, -1, dtype=np.int32)
        if want.any():
            msgs = pl.DataFrame({"e": err.filter(pl.Series(want))}).group_by("e", maintain_order=True).len()
            ids = self.miner.clusters(msgs["e"].to_list(), msgs["len"].to_list())
            code = dict(zip(msgs["e"].to_list(), ids, strict=True))
            cluster[want] = err.filter(pl.Series(want)).replace_strict(code, return_dtype=pl.Int32).to_numpy()
        http = cols["http"].to_numpy()
        # a delivery the sender stopped waiting for (gateway timeout) may have done its work: its key counts
        idem_any = _hash_keys(cols["idem"], np.ones(n, dtype=bool))
        part = {
            "ts": cols["ts"].to_numpy(),
            "flow": cols["flow"].replace_strict(self.flow_codes, return_dtype=pl.Int32).to_numpy(),
            "status": status,
            "latency": cols["latency"].to_numpy(),
            "http": http,
            "retry": cols["retry"].to_numpy(),
            "cluster": cluster,
            "idem": np.where(ok | np.isin(http, GATEWAY_TIMEOUTS), idem_any, np.uint64(0)),
            "corr": _hash_keys(cols["corr"], np.ones(n, dtype=bool)),  # one run's events: its failures too
            "file": np.full(n, fi, dtype=np.int16),
            "line": cols["line"].to_numpy(),
            "offset": cols["offset"].to_numpy(),
        }
        for c, a in part.items():  # own copies: a view would keep the chunk's Polars buffers alive
            if a.base is not None:
                part[c] = a.copy()
        if self.reducer is not None:
            part["seq"] = np.arange(self.seq, self.seq + n, dtype=np.int64)
            part["idem_any"] = idem_any
            self.seq += n
            self.reducer.add(part)
            return
        self.parts.append(part)

    def _cap_flows(self, cols: pl.DataFrame, chunk: Chunk, path: Path) -> pl.DataFrame:
        """Set aside events of flows beyond the cap: an id column taken for the flow would make a flow per line."""
        max_flows = self.cfg.max_flows
        uniq = cols["flow"].unique(maintain_order=True).to_list()
        new = set(uniq) - self.flow_codes.keys()
        if len(self.flow_codes) + len(new) <= max_flows:
            return cols
        admitted = set(self.flow_codes)
        for f in uniq:
            if f not in admitted and len(admitted) < max_flows:
                admitted.add(f)
        out = cols.filter(~pl.col("flow").is_in(list(admitted)))
        for fl, line in zip(out["flow"].to_list(), out["line"].to_list(), strict=True):
            chunk.rejected.append(reject(path, line, f"more than {max_flows} distinct flows: flow {fl[:40]!r} "
                                                     "set aside", fl))
        chunk.parsed -= out.height
        chunk.set_aside += out.height
        return cols.filter(pl.col("flow").is_in(list(admitted)))

    def frame(self) -> EventFrame:
        if self.reducer is not None:
            return self._bounded_frame(self.reducer.finish())
        flow_codes = self.flow_codes
        if self.parts:
            # column by column, each chunk's piece dropped once copied: the peak is one table, not two
            cols = {c: np.concatenate([p.pop(c) for p in self.parts]) for c in COLUMNS}
            self.parts = []
            events = pd.DataFrame(cols, copy=False)
            events = _outside_window(events, self.files, self.stats, self.rejected, self.cfg.ts_window_days)
        else:
            events = empty_events()
        used = sorted(set(events["flow"].unique().tolist()))
        if len(used) < len(flow_codes):  # a flow all of whose events were set aside is no flow
            names = list(flow_codes)
            remap = np.full(len(names), -1, dtype=np.int32)
            remap[used] = np.arange(len(used), dtype=np.int32)
            events["flow"] = remap[events["flow"].to_numpy()]
            flow_codes = {names[c]: i for i, c in enumerate(used)}
        return EventFrame(events=events, flows=list(flow_codes), files=self.files, readers=self.readers,
                          stats=self.stats, rejected=self.rejected, miner=self.miner,
                          seen_flows=list(self.seen) or list(flow_codes))


    def _bounded_frame(self, red: Reduced) -> EventFrame:
        """The frame of a bounded read: far-from-the-data hours set aside, flows without events dropped."""
        red = _outside_window_bounded(red, self.files, self.stats, self.rejected, self.cfg.ts_window_days)
        agg = hourly_aggregates(red, self.accuracy)
        ev = red.events
        events = pd.DataFrame({c: ev[c] for c in COLUMNS}, copy=False) if ev else empty_events()
        flow_codes = self.flow_codes
        used = sorted(set(agg.index.get_level_values(0).tolist())) if len(agg) else []
        sketch = red.sketch
        if len(used) < len(flow_codes):  # a flow all of whose events were set aside is no flow
            names = list(flow_codes)
            remap = np.full(len(names), -1, dtype=np.int32)
            remap[used] = np.arange(len(used), dtype=np.int32)
            events["flow"] = remap[events["flow"].to_numpy()]
            agg.index = pd.MultiIndex.from_arrays([remap[agg.index.get_level_values(0).to_numpy()],
                                                   agg.index.get_level_values(1)], names=["flow", "hour"])
            sketch = sketch.assign(flow=remap[sketch["flow"].to_numpy()])
            flow_codes = {names[c]: i for i, c in enumerate(used)}
        return EventFrame(events=events, flows=list(flow_codes), files=self.files, readers=self.readers,
                          stats=self.stats, rejected=self.rejected, miner=self.miner,
                          seen_flows=list(self.seen) or list(flow_codes), aggregates=agg,
                          latency=LatencyHours(sketch, self.accuracy))


def _outside_window_bounded(red: Reduced, files: list[Path], stats: dict[str, FileStats],
                            rejected: list[RejectedLine], window_days: float) -> Reduced:
    """`_outside_window` by the hour: the data's median taken as the middle of the hour that holds it
    (the hour histogram is all a bounded read has); the events of an hour further than `window_days`
    from it are set aside, counted per file, and the kept ones among them listed."""
    per_hour = red.counts["volume"].groupby(level=1).sum().sort_index()
    if per_hour.empty:
        return red
    cum = np.cumsum(per_hour.to_numpy())
    hours = per_hour.index.to_numpy()
    med = float(hours[np.searchsorted(cum, (cum[-1] - 1) / 2, "right")]) * HOUR + HOUR / 2
    far_hours = hours[np.abs(hours * HOUR + HOUR / 2 - med) > window_days * 86400.0]
    if not len(far_hours):
        return red
    fh = red.file_hours["events"]
    far_files = fh[np.isin(fh.index.get_level_values(1), far_hours)].groupby(level=0).sum()
    for fi, c in far_files.items():
        st = stats[files[int(fi)].name]
        st.events -= int(c)
        st.rejected += int(c)
        st.parsed_lines -= int(c)
        st.set_aside_lines += int(c)
    ev = red.events
    far = np.isin((ev["ts"] // HOUR).astype(np.int64), far_hours) if ev else np.array([], dtype=bool)
    for i in np.flatnonzero(far)[:100_000].tolist():
        path = files[int(ev["file"][i])]
        rejected.append(reject(path, int(ev["line"][i]), f"timestamp more than {window_days:g} days from the rest "
                               "of the data", _raw_at(path, int(ev["offset"][i]))))
    keep_c = ~np.isin(red.counts.index.get_level_values(1), far_hours)
    keep_s = ~np.isin(red.sketch["hour"].to_numpy(), far_hours)
    return Reduced({c: a[~far] for c, a in ev.items()}, red.counts[keep_c], red.sketch[keep_s].reset_index(drop=True),
                   red.file_hours)


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

