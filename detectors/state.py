"""Incremental runs: what a run saves per source so that the next one reads only the new lines.

A state folder (`triage detect --state DIR`, setting `detectors.state_dir`) holds
- `state.json`: per source its identity (device, inode, a hash of its first bytes), size, and the
  byte offset and line number reached; the flows in code order; the per-file counts;
- `events-NNNNN.arrow`: the compact event table, one part per run (only the new events are
  written; Arrow IPC, uncompressed: an incremental run reads it all, ~7x faster than Parquet; older
  states' `events-NNNNN.parquet` parts are still read): the checks judge new hours against the
  baseline and redeliveries against earlier deliveries, and evidence is re-read from the logs by
  offset, so the rows stay (~50 bytes each);
- `hourly.arrow` and `sketch.arrow`: the per-(flow, hour) counts (`aggregates.hour_counts`) and latency
  sketch rows (`sketches.sketch_rows`, of the accuracy kept in `state.json`), the windows' inputs; a run
  recomputes only the hours from the first one its new events fall in (each (flow, hour) depends on its
  own events alone) and keeps the saved rows before it, so it never groups every event again;
- `cited.jsonl`: the events earlier runs re-read from the logs (evidence, quoted errors; masked),
  so that a run does not re-read them again;
- `readers.pickle`: what each file's reader learned from it that a full run would learn again from
  the same first lines: the inferred field mapping (kept only when its sample ended before the end of
  the file, and for the same reader settings) and the decoder's state (a BOM on line 1, lines that
  were not UTF-8), so that an incremental run neither samples ~50k lines again nor reports another
  encoding; the format of each file is kept in `state.json`;
- `announce.json`: per Odoo log the candidate maintenance-announcement lines and the offset scanned
  to (calendar.announcement_lines), so that only appended bytes are scanned;
- `miner.pickle`: the template miner (drain3 clusters and the masked-message cache), so that the
  same error gets the same cluster and signature as in a full run. The folder is trusted like the
  settings file: it is written by this program and unpickled.
A run over the first part of the logs and an incremental run over the rest give the anomalies of
a full run over all of it (tests/test_detect_state.py). A source whose identity changed or that
shrank (rotated, truncated) is read from its start again, with a note, and its saved rows dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from odoo_triage.core.domain import LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.detectors.aggregates import COUNT_COLUMNS, hour_counts
from odoo_triage.detectors.frame import COLUMNS, EVENT_DTYPES, EventFrame, empty_events
from odoo_triage.detectors.readers import FileStats
from odoo_triage.detectors.sketches import LatencyHours, sketch_rows
from odoo_triage.detectors.templates import TemplateMinerCache
from odoo_triage.detectors.windows import HOUR

VERSION = 1
HEAD_BYTES = 4096
READERS_FILE = "readers.pickle"
ANNOUNCE_FILE = "announce.json"
HOURLY_FILE = "hourly.arrow"
SKETCH_FILE = "sketch.arrow"
MAX_REJECTED = 100_000  # set-aside lines kept across runs (the newest)
_STAT_FIELDS = ("lines", "events", "rejected", "skipped", "blank", "parsed_lines", "set_aside_lines")


@dataclass
class SourceState:
    path: str
    dev: int
    ino: int
    head: str  # sha1 of the first HEAD_BYTES bytes (or fewer)
    size: int
    offset: int
    line: int
    format: str = ""


@dataclass
class Saved:
    sources: dict[str, SourceState]  # resolved path -> state
    files: list[str]  # resolved paths, in file-code order of the saved events
    flows: list[str]
    stats: dict[str, dict[str, Any]]
    events: pd.DataFrame
    hourly: pd.DataFrame | None  # per (flow, hour): COUNT_COLUMNS (None: an older state's, recomputed)
    miner: TemplateMinerCache
    parts: int
    rejected: list[RejectedLine] = field(default_factory=list)
    learned: dict[str, dict[str, Any]] = field(default_factory=dict)  # resolved path -> readers.pickle entry
    announce: dict[str, dict[str, Any]] = field(default_factory=dict)  # resolved path -> {offset, lines}
    sketch: pd.DataFrame | None = None  # flow, hour, bucket, n (None: recomputed)
    accuracy: float | None = None  # the sketch's


@dataclass
class IncrementalRead:
    frame: EventFrame
    aggregates: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    new_events: int = 0
    announcements: dict[Path, list[str]] | None = None  # Odoo log -> calendar.announcement_lines, all of them


def _conform(events: pd.DataFrame) -> pd.DataFrame:
    """The event table's columns in their dtypes (EVENT_DTYPES), converting only those that differ."""
    wrong = {c: EVENT_DTYPES[c] for c in COLUMNS if events[c].dtype != EVENT_DTYPES[c]}
    return events.astype(wrong) if wrong else events


def _event_parts(folder: Path) -> list[Path]:
    """The saved parts of the event table in the order they were written (older states wrote Parquet)."""
    found = [*folder.glob("events-*.arrow"), *folder.glob("events-*.parquet")]
    return sorted(found, key=lambda p: (int(p.stem.split("-", 1)[1]) if p.stem.split("-", 1)[1].isdigit() else -1,
                                        p.name))


def _read_table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_feather(path)


def _write_table(df: pd.DataFrame, path: Path) -> None:
    """Arrow IPC, uncompressed, written aside and moved into place (a killed run leaves no half part)."""
    tmp = path.with_name(path.name + ".tmp")
    df.reset_index(drop=True).to_feather(tmp, compression="uncompressed")
    os.replace(tmp, path)


def _head(path: Path, size: int) -> str:
    with path.open("rb") as fh:
        return hashlib.sha1(fh.read(min(size, HEAD_BYTES))).hexdigest()


def identity(path: Path) -> tuple[int, int, int, str]:
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, _head(path, st.st_size)


def offset_after(path: Path, start: int, lines: int) -> int:
    """Byte offset after `lines` physical lines from `start` (where a reader that counted them stopped)."""
    if lines <= 0:
        return start
    pos, left = start, lines
    with path.open("rb") as fh:
        fh.seek(start)
        while left > 0:
            block = fh.read(1 << 20)
            if not block:
                return pos
            n = block.count(b"\n")
            if n < left:
                left -= n
                pos += len(block)
                continue
            i = -1
            for _ in range(left):
                i = block.index(b"\n", i + 1)
            return pos + i + 1
    return pos


def load(folder: Path) -> Saved | None:
    meta = folder / "state.json"
    if not meta.is_file():
        return None
    data = json.loads(meta.read_text(encoding="utf-8"))
    if data.get("version") != VERSION:
        return None
    parts = _event_parts(folder)
    ev = (pd.concat([_read_table(p) for p in parts], ignore_index=True) if parts
          else empty_events())
    ev = _conform(ev)
    hourly_path, sketch_path = folder / HOURLY_FILE, folder / SKETCH_FILE
    hourly = sketch = None
    if hourly_path.is_file() and sketch_path.is_file():
        hourly = pd.read_feather(hourly_path).set_index(["flow", "hour"])
        sketch = pd.read_feather(sketch_path)
        if not set(COUNT_COLUMNS) <= set(hourly.columns):  # an older state's aggregates: recomputed
            hourly = sketch = None
    with (folder / "miner.pickle").open("rb") as fh:
        miner = pickle.load(fh)  # noqa: S301 - our own state folder (module docstring)
    rej_path = folder / "rejected.jsonl"
    rejected = ([RejectedLine.model_validate_json(ln) for ln in rej_path.read_text(encoding="utf-8").splitlines()
                 if ln.strip()] if rej_path.is_file() else [])
    learned: dict[str, dict[str, Any]] = {}
    if (folder / READERS_FILE).is_file():
        with (folder / READERS_FILE).open("rb") as fh:
            learned = pickle.load(fh)  # noqa: S301 - our own state folder (module docstring)
    announce_path = folder / ANNOUNCE_FILE
    announce = json.loads(announce_path.read_text(encoding="utf-8")) if announce_path.is_file() else {}
    return Saved(sources={k: SourceState(**v) for k, v in data["sources"].items()}, files=data["files"],
                 flows=data["flows"], stats=data["stats"], events=ev, hourly=hourly, miner=miner,
                 parts=int(data.get("parts", len(parts))), rejected=rejected, learned=learned, announce=announce,
                 sketch=sketch, accuracy=data.get("sketch_accuracy"))


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def plan(saved: Saved | None, paths: list[Path]) -> tuple[dict[Path, tuple[int, int]], list[str], set[str]]:
    """Where to start each file ({path: (offset, line)}), notes, and the files to read from the start."""
    starts: dict[Path, tuple[int, int]] = {}
    notes: list[str] = []
    restart: set[str] = set()
    for p in paths:
        k = _key(p)
        prev = saved.sources.get(k) if saved else None
        if prev is None:
            continue
        dev, ino, size, head = identity(p)
        if (dev, ino) != (prev.dev, prev.ino) or size < prev.size or head != prev.head:
            why = "replaced (rotated)" if (dev, ino) != (prev.dev, prev.ino) else \
                "smaller than last time (truncated)" if size < prev.size else "rewritten (its first bytes changed)"
            notes.append(f"{p.name}: {why}; read from the start")
            restart.add(k)
            continue
        starts[p] = (prev.offset, prev.line)
    return starts, notes, restart


def _merge_stats(old: dict[str, Any] | None, new: FileStats | None, name: str, fmt: str) -> FileStats:
    st = FileStats(name, fmt)
    for src in (old or {}), (new.as_dict() if new else {}):
        for f in _STAT_FIELDS:
            setattr(st, f, getattr(st, f) + int(src.get(f, 0)))
    if new is not None:
        st.encoding, st.mapping, st.mapping_confidence = new.encoding, new.mapping, new.mapping_confidence
        st.unattributed = new.unattributed
    return st


def _fingerprint(reader: Any) -> str:
    """What an inferred mapping depends on besides the file's first lines: the format and the reader settings."""
    settings = getattr(reader, "settings", None)
    dump = settings.model_dump_json() if settings is not None else ""
    return hashlib.sha1(f"{reader.format}\0{dump}".encode()).hexdigest()


def _preparer(saved: Saved | None, starts: dict[Path, tuple[int, int]]) -> Any:
    """`read_frame(prepare=)`: a file read on from its saved offset (its first lines unchanged) gets back
    what its reader learned from it last time; a file read from its start learns it again."""
    going_on = {_key(p) for p in starts}

    def prepare(path: Path, reader: Any) -> None:
        k = _key(path)
        entry = saved.learned.get(k) if saved is not None else None
        if entry is None or k not in going_on or entry.get("format") != reader.format:
            return
        dec = getattr(reader, "decoder", None)
        if dec is not None and "decoder" in entry:
            dec.bom, dec.fallback = entry["decoder"]
        inferred = entry.get("inferred")
        if (inferred is not None and entry.get("fingerprint") == _fingerprint(reader) and hasattr(reader, "adopt")
                and getattr(reader, "explicit", True) is None):
            reader.adopt(inferred)
            reader.sample_complete = True

    return prepare


def _learned(saved: Saved | None, frame: EventFrame, restart: set[str]) -> dict[str, dict[str, Any]]:
    """readers.pickle: per file its reader's format, decoder state and (when its sample was complete and
    no mapping was given) inferred mapping; entries of files not given this time are kept."""
    out = {k: v for k, v in (saved.learned.items() if saved is not None else ()) if k not in restart}
    for path, reader in zip(frame.files, frame.readers, strict=True):
        entry: dict[str, Any] = {"format": reader.format}
        dec = getattr(reader, "decoder", None)
        if dec is not None:
            entry["decoder"] = (bool(dec.bom), int(dec.fallback))
        inferred = getattr(reader, "inferred", None)
        if (inferred is not None and getattr(reader, "sample_complete", False)
                and getattr(reader, "explicit", True) is None):
            entry["inferred"] = inferred
            entry["fingerprint"] = _fingerprint(reader)
        out[_key(path)] = entry
    return out


def _announcements(saved: Saved | None, frame: EventFrame, starts: dict[Path, tuple[int, int]],
                   ) -> tuple[dict[Path, list[str]], dict[str, dict[str, Any]]]:
    """Per Odoo log read this time, its candidate announcement lines (the saved ones, plus those in what
    was appended), and announce.json to save."""
    from odoo_triage.detectors.calendar import announcement_lines

    going_on = {_key(p) for p in starts}
    keep = {k: v for k, v in (saved.announce.items() if saved is not None else ()) if k not in {
        _key(p) for p in frame.files}}
    out: dict[Path, list[str]] = {}
    for path, reader in zip(frame.files, frame.readers, strict=True):
        if reader.format != "odoo_log" or not Path(path).is_file():
            continue
        k = _key(path)
        prev = saved.announce.get(k) if saved is not None and k in going_on else None
        start = int(prev["offset"]) if prev and int(prev["offset"]) <= Path(path).stat().st_size else 0
        lines, end, tail = announcement_lines(Path(path), start)
        lines = [*(prev["lines"] if prev and start else []), *lines]
        keep[k] = {"offset": end, "lines": lines}
        out[path] = [*lines, *([tail] if tail is not None else [])]
    return out, keep


def _saved_formats(saved: Saved | None, paths: list[Path], starts: dict[Path, tuple[int, int]]) -> dict[str, str]:
    """Formats of the files read on from a saved offset (by name, as read_frame takes them; names given twice
    are detected again)."""
    if saved is None:
        return {}
    names = [Path(p).name for p in paths]
    out = {}
    for p in starts:
        prev = saved.sources.get(_key(p))
        if prev is not None and prev.format and names.count(Path(p).name) == 1:
            out[Path(p).name] = prev.format
    return out


def read_incremental(folder: Path, paths: list[Path], read: Any, *, announcements: bool = True,
                     accuracy: float = 0.005, **kwargs: Any) -> IncrementalRead:
    """Read what is new since the saved state (all of it the first time) and join it to what was saved.

    `read(paths, **kwargs)` is `frame.read_frame` (it takes `start_offsets`, `miner` and `prepare`).
    `announcements`: also collect the Odoo logs' maintenance-announcement lines (calendar.py).
    `accuracy`: the latency sketch's (detectors.latency_sketch_accuracy); the frame carries the sketch."""
    from odoo_triage.detectors.readers.parquet_events import is_parquet

    if any(is_parquet(Path(p)) for p in paths):
        raise InputError("--state follows log files as they grow; Parquet events are read whole, without it")
    saved = load(folder)
    starts, notes, restart = plan(saved, paths)
    miner = saved.miner if saved else kwargs.pop("miner", None) or TemplateMinerCache()
    kwargs.pop("miner", None)
    if kwargs.get("formats") is None:
        kwargs["formats"] = _saved_formats(saved, paths, starts) or None
    new = read(paths, start_offsets=starts, miner=miner, prepare=_preparer(saved, starts), **kwargs)
    if announcements:
        announced, announce_state = _announcements(saved, new, starts)
    else:  # what was scanned of the files read now may not hold for them next time
        announced, given_now = None, {_key(p) for p in new.files}
        announce_state = {k: v for k, v in (saved.announce.items() if saved else ()) if k not in given_now}
    new_keys = [_key(p) for p in new.files]
    files: list[str] = []
    flows: list[str] = list(saved.flows) if saved else []
    parts = []
    keep_old = np.zeros(0, dtype=bool)
    if saved is not None and len(saved.events):
        wanted = set(new_keys) - restart
        old_codes = np.array([k in wanted for k in saved.files], dtype=bool)
        keep_old = old_codes[saved.events["file"].to_numpy()]
        files = [k for k in saved.files]
        parts.append(saved.events if keep_old.all() else saved.events[keep_old])
    for k in new_keys:
        if k not in files:
            files.append(k)
    remap_file = np.array([files.index(k) for k in new_keys], dtype=np.int16)
    for f in new.flows:
        if f not in flows:
            flows.append(f)
    remap_flow = np.array([flows.index(f) for f in new.flows], dtype=np.int32)
    fresh = new.events.copy()
    if len(fresh):
        fresh["file"] = remap_file[fresh["file"].to_numpy()]
        fresh["flow"] = remap_flow[fresh["flow"].to_numpy()]
    parts.append(fresh)
    parts = [p for p in parts if len(p)] or parts[:1]
    events = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    events = _conform(events)
    # the run's frame: only the files given this time, in the saved order, codes kept
    by_key = dict(zip(new_keys, zip(new.files, new.readers, strict=True), strict=True))
    frame_files = [by_key[k][0] if k in by_key else Path(k) for k in files]
    frame_readers = [by_key[k][1] if k in by_key else new.readers[0] for k in files] if new.readers else []
    stats: dict[str, FileStats] = {}
    for k, path in zip(files, frame_files, strict=True):
        if k not in by_key:
            continue
        old = saved.stats.get(k) if saved and k not in restart else None
        fmt = (saved.sources[k].format if saved and k in saved.sources else "") or new.stats[path.name].format
        stats[path.name] = _merge_stats(old, new.stats.get(path.name), path.name, fmt)
    used = np.unique(events["flow"].to_numpy()).tolist() if len(events) else []
    compacted = len(used) < len(flows)
    if compacted:  # a flow all of whose events went with a replaced file is no flow (as in read_frame)
        remap = np.full(len(flows), -1, dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        events["flow"] = remap[events["flow"].to_numpy()]
        flows = [flows[c] for c in used]
    given = {Path(k).name for k in by_key} - {Path(k).name for k in restart}
    rejected = [r for r in (saved.rejected if saved else []) if r.source_file in given] + new.rejected
    frame = EventFrame(events=events, flows=flows, files=frame_files, readers=frame_readers, stats=stats,
                       rejected=rejected[-MAX_REJECTED:], miner=miner)
    frame._row_cache = _load_rows(folder, given)
    aggregates, sketch = _aggregates(saved, events, fresh, keep_old, bool(restart) or compacted, accuracy)
    frame.latency = LatencyHours(sketch, accuracy)
    _save(folder, saved, frame, files, new, starts, fresh, aggregates, bool(restart) or compacted, sketch, accuracy)
    _save_learned(folder, _learned(saved, new, restart), announce_state)
    return IncrementalRead(frame=frame, aggregates=aggregates, notes=notes, new_events=len(fresh),
                           announcements=announced)


def _save_learned(folder: Path, learned: dict[str, dict[str, Any]], announce: dict[str, dict[str, Any]]) -> None:
    _write_if_changed(folder / READERS_FILE, pickle.dumps(learned, protocol=pickle.HIGHEST_PROTOCOL))
    _write_if_changed(folder / ANNOUNCE_FILE, json.dumps(announce).encode())


def _write_if_changed(path: Path, data: bytes) -> None:
    """Written aside and moved into place, unless the file holds these bytes already (most runs)."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _aggregates(saved: Saved | None, events: pd.DataFrame, fresh: pd.DataFrame, keep_old: np.ndarray,
                dropped: bool, accuracy: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The counts and sketch rows: the saved ones before the first hour the new events touch, recomputed
    from there on (from every event when the saved ones no longer hold: a file read again, flows renumbered)."""
    if (saved is None or saved.hourly is None or saved.sketch is None or saved.accuracy != accuracy or dropped
            or not keep_old.all() or not len(saved.events)):
        return _hours(events, accuracy)
    if not len(fresh):
        return saved.hourly, saved.sketch
    h0 = int(fresh["ts"].min() // HOUR)
    tail = events[events["ts"].to_numpy() >= h0 * HOUR]  # the hours from h0 on (no float floor division)
    counts, sketch = _hours(tail, accuracy)
    old_c = saved.hourly[saved.hourly.index.get_level_values("hour").to_numpy() < h0]
    old_s = saved.sketch[saved.sketch["hour"].to_numpy() < h0]
    # both parts sorted, the old hours all before the new: a stable sort by flow is the sorted union
    both_c = pd.concat([old_c, counts])
    both_c = both_c.iloc[np.argsort(both_c.index.get_level_values("flow").to_numpy(), kind="stable")]
    both_s = pd.concat([old_s, sketch], ignore_index=True)
    both_s = both_s.iloc[np.argsort(both_s["flow"].to_numpy(), kind="stable")].reset_index(drop=True)
    return both_c, both_s


def _hours(events: pd.DataFrame, accuracy: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (flow, hour) of these events: the counts and the latency sketch rows, as windows.build_windows
    computes them from a table of every event."""
    cols = {c: events[c].to_numpy() for c in events.columns}
    return hour_counts(cols), sketch_rows(cols["flow"], (cols["ts"] // HOUR).astype(np.int64), cols["latency"],
                                          accuracy)


def _save(folder: Path, saved: Saved | None, frame: EventFrame, files: list[str], new: EventFrame,
          starts: dict[Path, tuple[int, int]], fresh: pd.DataFrame, aggregates: pd.DataFrame,
          rewrite_all: bool, sketch: pd.DataFrame, accuracy: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sources: dict[str, dict[str, Any]] = {k: vars(v) for k, v in (saved.sources.items() if saved else ())}
    for path in new.files:
        k = _key(path)
        if not path.is_file():
            continue
        dev, ino, size, head = identity(path)
        st = new.stats.get(path.name)
        off, line = starts.get(path, (0, 1))
        lines = st.lines if st else 0
        sources[k] = vars(SourceState(path=k, dev=dev, ino=ino, head=head, size=size,
                                      offset=offset_after(path, off, lines), line=line + lines,
                                      format=st.format if st else ""))
    stats = {path_key: frame.stats[Path(path_key).name].as_dict() for path_key in files
             if Path(path_key).name in frame.stats}
    if saved is not None:
        for k, v in saved.stats.items():
            stats.setdefault(k, v)
    rewrite = saved is not None and (rewrite_all or len(frame.events) != len(saved.events) + len(fresh))
    parts = saved.parts if saved and not rewrite else 0
    if rewrite:
        for p in _event_parts(folder):
            p.unlink()
        _write_table(frame.events, folder / f"events-{parts:05d}.arrow")
        parts += 1
    elif len(fresh):
        _write_table(fresh, folder / f"events-{parts:05d}.arrow")
        parts += 1
    if saved is None or aggregates is not saved.hourly or sketch is not saved.sketch:  # else unchanged
        _write_table(aggregates.reset_index(), folder / HOURLY_FILE)
        _write_table(sketch, folder / SKETCH_FILE)
    (folder / "hourly.parquet").unlink(missing_ok=True)
    with (folder / "rejected.jsonl").open("w", encoding="utf-8") as fh:  # already masked by read_frame
        fh.writelines(r.model_dump_json() + "\n" for r in frame.rejected)
    tmp = folder / "miner.pickle.tmp"
    raw, frame.miner._raw = frame.miner._raw, {}  # a cache of exact messages: rebuilt as they come again
    try:
        with tmp.open("wb") as fh:
            pickle.dump(frame.miner, fh, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        frame.miner._raw = raw
    os.replace(tmp, folder / "miner.pickle")
    meta = {"version": VERSION, "sources": sources, "files": files, "flows": frame.flows, "stats": stats,
            "parts": parts, "sketch_accuracy": accuracy}
    tmp = folder / "state.json.tmp"
    tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(tmp, folder / "state.json")


ROWS_FILE = "cited.jsonl"
MAX_ROWS = 20_000


class _Rows(dict[str, LogEvent]):
    """A frame's row cache filled from cited.jsonl; `as_saved` = its size when it holds every saved row and
    nothing else (then the file need not be written again), else -1."""

    as_saved = -1


def _load_rows(folder: Path, names: set[str]) -> _Rows:
    """Events re-read from the logs by earlier runs (cited, quoted): not read again while their file stays."""
    path = folder / ROWS_FILE
    out = _Rows()
    if not path.is_file():
        return out
    total = 0
    for ln in path.read_text(encoding="utf-8").splitlines():
        if ln.strip():
            total += 1
            ev = LogEvent.model_validate_json(ln)
            if ev.source_file in names:
                out[ev.event_id] = ev
    if len(out) == total:
        out.as_saved = total
    return out


def save_rows(folder: Path, frame: EventFrame) -> None:
    """After the checks: the events this run re-read (error texts already masked by `log_event`); not
    written again when they are the saved ones (log_event only adds to the cache)."""
    cache = frame._row_cache
    if isinstance(cache, _Rows) and cache.as_saved == len(cache) and (folder / ROWS_FILE).is_file():
        return
    rows = list(cache.values())[-MAX_ROWS:]
    tmp = folder / (ROWS_FILE + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.writelines(ev.model_dump_json() + "\n" for ev in rows)
    os.replace(tmp, folder / ROWS_FILE)


def check_folder(folder: Path) -> Path:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--state {folder}: not a folder")
    return folder


__all__ = ["IncrementalRead", "Saved", "SourceState", "check_folder", "load", "offset_after", "plan",
           "read_incremental", "save_rows"]
