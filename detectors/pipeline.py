"""Detection end to end: read the logs (streaming), template the errors, judge every flow's hours
against its baseline, combine and rank. This is the API the CLI, the digest and the agent call.

Baseline: the first `baseline_days` of the data (default 7 days, or the first half when the data
covers under two weeks). Anomalies are only looked for after it. `since`/`until` do not shrink
the baseline: they choose which anomalies are reported (those whose window overlaps the range), and
only the baseline and the range widened by a lookback are read (`_Pruning`; `prune=False` reads all).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from odoo_triage.core.domain import Anomaly, FlowInfo, LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import (
    CalendarSettings,
    DetectorSettings,
    ReaderSettings,
    VolumeSettings,
    load_settings,
)
from odoo_triage.detectors.calendar import BusinessCalendar, build_calendar
from odoo_triage.detectors.checks.base import Context
from odoo_triage.detectors.checks.latency import latency_shifts
from odoo_triage.detectors.checks.rates import error_spikes, retry_storms
from odoo_triage.detectors.checks.redeliveries import duplicate_deliveries
from odoo_triage.detectors.checks.signatures import new_signatures
from odoo_triage.detectors.checks.volume import volume_anomalies
from odoo_triage.detectors.combine import combine
from odoo_triage.detectors.frame import EventFrame, expand_paths, read_frame
from odoo_triage.detectors.readers import FieldMapping, FileStats
from odoo_triage.detectors.templates import TemplateMinerCache
from odoo_triage.detectors.windows import HOUR, build_windows

if TYPE_CHECKING:
    from odoo_triage.detectors.engines import Engine


def multivariate_anomalies(ctx: Context) -> list[Anomaly]:
    """The IsolationForest check, imported when it runs (scikit-learn costs ~2 CPU-s to import)."""
    from odoo_triage.detectors.checks.multivariate import multivariate_anomalies as run

    return run(ctx)


DETECTORS: list[Callable[[Context], list[Anomaly]]] = [
    error_spikes, latency_shifts, volume_anomalies, retry_storms, duplicate_deliveries, new_signatures,
    multivariate_anomalies,
]


@dataclass
class DetectionResult:
    anomalies: list[Anomaly]  # ranked, combined
    stats: dict[str, FileStats]  # per file name: lines, events, rejected, skipped
    rejected: list[RejectedLine]
    templates: dict[str, tuple[str, int]]  # signature id -> (template, messages)
    evidence: dict[str, LogEvent]  # every event cited by an anomaly, remedy events included
    flows: list[str]
    flow_stats: pd.DataFrame  # flow, hour, volume, errors, error_rate, p95_ms, retries, expected_volume
    baseline_end: datetime | None = None
    raw_anomalies: list[Anomaly] = field(default_factory=list)  # before combining
    notes: list[str] = field(default_factory=list)  # e.g. a rotated file read again from its start

    @property
    def events(self) -> int:
        return sum(s.events for s in self.stats.values())

    @property
    def lines(self) -> int:
        return sum(s.lines for s in self.stats.values())

    @property
    def unattributed(self) -> dict[str, int]:
        """Odoo loggers no flows.json entry claims (skipped) or that became flows by their name (guessed)."""
        out: dict[str, int] = {}
        for st in self.stats.values():
            for k, n in st.unattributed.items():
                out[k] = out.get(k, 0) + n
        return out

    def summary(self) -> str:
        n_flows = len({a.flow for a in self.anomalies})
        return (f"{self.events:,} events read, {len(self.rejected):,} set aside, {len(self.anomalies)} anomalies "
                f"in {n_flows} flow{'s' if n_flows != 1 else ''}")


def _flow_stats(frame: EventFrame, hourly: pd.DataFrame) -> pd.DataFrame:
    names = np.array(frame.flows, dtype=object)
    vol = hourly["volume"].to_numpy()
    return pd.DataFrame({
        "flow": names[hourly["flow"].to_numpy()] if len(hourly) else [],
        "hour": pd.to_datetime(hourly["hour"] * int(HOUR), unit="s", utc=True),
        "volume": vol,
        "errors": hourly["errors"].to_numpy(),
        "error_rate": np.divide(hourly["errors"].to_numpy(), vol, out=np.full(len(vol), np.nan), where=vol > 0),
        "p95_ms": hourly["p95"].to_numpy(),
        "retries": hourly["retries"].to_numpy(),
        "expected_volume": hourly["expected"].to_numpy(),
        "baseline": hourly["baseline"].to_numpy(),
    })


def run_detection(
    paths: list[Path],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    flows: list[str] | None = None,
    baseline_days: float | None = None,
    progress: Callable[[int], None] | None = None,
    formats: dict[str, str] | str | None = None,
    mapping: FieldMapping | None = None,
    miner: TemplateMinerCache | None = None,
    catalog: list[FlowInfo] | None = None,
    settings: DetectorSettings | None = None,
    readers: ReaderSettings | None = None,
    calendar: BusinessCalendar | CalendarSettings | None = None,
    volume: VolumeSettings | None = None,
    columnar: bool = True,
    start_offsets: dict[Path, tuple[int, int]] | None = None,
    stage: Callable[[str], None] | None = None,
    engine: str | Engine | None = None,
    master: str | None = None,
    state_dir: Path | None = None,
    write_events: Path | None = None,
    write_windows: Path | None = None,
    read_since: datetime | None = None,
    prune: bool = True,
) -> DetectionResult:
    """Read, template, detect, combine. `progress(n)` is called with the number of lines just read.

    `catalog` is the firm's flows.json: it attributes loggers, queue channels and aliases to flows,
    and gives each flow its country and unit. `settings` holds every detection threshold
    (core.settings.DetectorSettings; `baseline_days` overrides its baseline), `readers` the readers'
    synonyms and ranges. `calendar` (or calendar settings) says which hours are holidays,
    maintenance or closing periods; maintenance announced in the Odoo logs read is added to it.

    `engine` (settings: detectors.engine) is where the hourly aggregation runs, `local` or `spark`
    (`master` its URL; the inputs are then Parquet events on a shared path). `state_dir` (settings:
    detectors.state_dir) makes the run incremental: only lines after the saved offsets are read.
    `write_events` / `write_windows`: Parquet files of the parsed events / the hourly aggregates.
    `read_since` (unlike `since`, which only chooses what is reported): only events at or after it are
    read and judged (the baseline is the first days of those); a time-ordered log is entered by binary
    search (readers.base.seek_entry), other files are read whole and their earlier events dropped as
    they are read, so the anomalies are those of a full read filtered so.

    `since`/`until` with `prune` (the default) read less: the baseline (the data's first days) and the events
    from `since - lookback` to `until + lookback` (settings: detectors.prune_lookback_hours plus the checks'
    gaps); time-ordered line logs are entered and left by binary search, other files read whole, and the
    events between (and after) dropped as read in every file, whose hours are then not judged (`_Pruning`).
    An anomaly lying wholly inside the lookback is found as a full read finds it."""
    cfg = settings or DetectorSettings()
    if baseline_days is not None and baseline_days <= 0:
        raise InputError(f"baseline_days must be positive, got {baseline_days}")
    if readers is None:  # the [readers] section of the config file, else the defaults
        readers = load_settings().readers
    aligned: list[str] = []
    if readers.align_exports and state_dir is None and not cfg.state_dir:  # an incremental run reads new lines only
        from odoo_triage.detectors.time_alignment import aligned_settings

        cal = calendar if isinstance(calendar, CalendarSettings) else None
        readers, aligned = aligned_settings(paths, formats, readers,
                                            readers.naive_timezone or (cal.timezone if cal else None),
                                            cal.country if cal else None)
    if stage is not None:
        stage("reading logs")
    read_kw: dict[str, Any] = {"formats": formats, "mapping": mapping, "progress": progress, "miner": miner,
                               "catalog": catalog, "settings": readers, "columnar": columnar}
    if start_offsets:
        read_kw["start_offsets"] = start_offsets
    if flows and state_dir is None and not cfg.state_dir:  # --flow prunes while reading (a saved state keeps all)
        read_kw["keep_flows"] = flows
    entered: list[str] = []
    if read_since is not None:
        if state_dir is not None or cfg.state_dir:
            raise InputError("--read-since reads a part of the logs, --state follows all of them as they grow: "
                             "use one of the two")
        read_kw["min_ts"] = read_since.timestamp()
        read_kw["prepare"] = _entry(read_since.timestamp(), readers.seek_margin_seconds, entered)
    want_announced = not isinstance(calendar, BusinessCalendar) and (calendar or CalendarSettings()).detect_announcements
    pruning = None
    if (prune and (since is not None or until is not None) and read_since is None and state_dir is None
            and not cfg.state_dir and write_events is None and (engine or cfg.engine) == "local"):
        pruning = _Pruning(since.timestamp() if since else None, until.timestamp() if until else None,
                           baseline_days, cfg, readers.seek_margin_seconds, entered)
        read_kw["plan"] = pruning
    frame, aggregates, notes, announced = _read(paths, cfg, engine, master, state_dir, write_events, read_kw,
                                                want_announced)
    if pruning is not None and pruning.applied and not pruning.holds(frame):
        entered.clear()  # what the plan assumed of the data's start or span does not hold: read it all
        entered.append(f"--since/--until: {pruning.why}; every file read whole")
        read_kw.pop("plan")
        pruning = None
        frame, aggregates, notes, announced = _read(paths, cfg, engine, master, state_dir, write_events, read_kw,
                                                    want_announced)
    notes = [*aligned, *notes, *entered]
    known = frame.flows
    if flows:
        unknown = [f for f in flows if f not in known]
        if unknown and len(unknown) == len(flows):
            raise InputError(f"no events for flow(s) {', '.join(unknown)}; flows in these logs: "
                             f"{', '.join(frame.seen_flows or known)}")
        codes = [known.index(f) for f in flows if f in known]
    else:
        codes = list(range(len(known)))
    if stage is not None:
        stage("judging flows")
    templates = frame.miner.templates()
    if frame.events.empty:
        return DetectionResult([], frame.stats, frame.rejected, templates, {}, [], pd.DataFrame(
            columns=["flow", "hour", "volume", "errors", "error_rate", "p95_ms", "retries", "expected_volume"]),
            notes=notes)
    if not isinstance(calendar, BusinessCalendar):
        odoo_logs = [p for p, r in zip(frame.files, frame.readers, strict=True) if r.format == "odoo_log"]
        calendar = build_calendar(calendar, catalog, odoo_logs, known, announcements=announced)
    # an engine's table holds every event (frame.aggregates None): the windows count its keyed successes and
    # build its latency sketch from it (a saved state keeps both: its counts and frame.latency), and the checks
    # find what they find on a bounded read
    win = build_windows(frame.events, list(range(len(known))), baseline_days, calendar, known,
                        preferred_baseline_days=cfg.baseline_days,
                        aggregates=frame.aggregates if frame.aggregates is not None else aggregates,
                        latency=frame.latency, accuracy=cfg.latency_sketch_accuracy)
    if pruning is not None and pruning.gap is not None:  # hours not read are not judged (nor silent)
        hs = win.hourly["hour"].to_numpy() * HOUR
        lo, hi = pruning.gap
        win.hourly = win.hourly[~((hs >= lo) & (hs < hi))].reset_index(drop=True)
    state = state_dir if state_dir is not None else (Path(cfg.state_dir) if cfg.state_dir else None)
    ctx = Context(frame=frame, win=win, flows=codes, cfg=cfg, volume=volume or VolumeSettings(), state_dir=state)
    raw: list[Anomaly] = []
    for detector in DETECTORS:
        raw.extend(detector(ctx))
    if stage is not None:
        stage("combining and citing evidence")
    anomalies = combine(raw, cfg)
    if since is not None:
        anomalies = [a for a in anomalies if a.window_end >= since]
    if until is not None:
        anomalies = [a for a in anomalies if a.window_start <= until]
    evidence = _evidence(frame, anomalies)
    if state_dir is not None or cfg.state_dir:
        from odoo_triage.detectors.state import save_rows

        save_rows(Path(state_dir if state_dir is not None else cfg.state_dir or ""), frame)
    stats = _flow_stats(frame, win.hourly)
    if flows:
        stats = stats[stats["flow"].isin(flows)].reset_index(drop=True)
    if write_windows is not None:
        Path(write_windows).parent.mkdir(parents=True, exist_ok=True)
        stats.to_parquet(write_windows, index=False)
    return DetectionResult(
        anomalies=anomalies, stats=frame.stats, rejected=frame.rejected, templates=templates, evidence=evidence,
        flows=[known[c] for c in codes], flow_stats=stats,
        baseline_end=datetime.fromtimestamp(win.baseline_end, tz=UTC), raw_anomalies=raw, notes=notes)


class _Pruning:
    """`read_frame(plan=)` for `--since/--until`: what must be read for the anomalies near [since, until]
    to be those of a full read.

    The baseline is the data's first `baseline_days` (at most the setting, or the days given): everything
    up to the first file's first time plus that is read. Then everything from `since - lookback` to `until +
    lookback`, lookback = `prune_lookback_hours` plus the longest gap a check joins occurrences over
    (re-deliveries, new signatures, combining). Between the two (whole hours) and after the second nothing
    is kept, in any file; time-ordered line logs (readers.base.SEEKABLE_FORMATS) are not even read there
    (`seek_stop`/`seek_time`, `readers.seek_margin_seconds` of disorder allowed), other files are read whole.
    When the baseline would reach past the part read (an early line set aside) or, its length following
    the span of the data, the span read is under twice the setting, `holds` says so and all is read.
    Nothing changes when the data before `since` is shorter than baseline plus lookback and the data after
    `until` shorter than the lookback."""

    def __init__(self, since: float | None, until: float | None, baseline_days: float | None,
                 cfg: DetectorSettings, margin: float, notes: list[str]) -> None:
        self.since, self.until, self.given_days, self.cfg, self.margin, self.notes = (
            since, until, baseline_days, cfg, margin, notes)
        self.lookback = max(cfg.prune_lookback_hours, cfg.redelivery_gap_hours, cfg.new_signature_gap_hours,
                            cfg.combine_within_minutes / 60) * HOUR
        self.gap: tuple[float, float] | None = None
        self.horizon: float | None = None
        self.applied = False
        self.why = ""

    def __call__(self, files: list[tuple[Path, Any]]) -> Any:
        from odoo_triage.detectors.readers.base import ReadPlan, seek_stop, seek_time, time_probe

        probes = {path: time_probe(reader, path) for path, reader in files}
        firsts = [got[0] for tp in probes.values() if tp is not None and (got := tp(0)) is not None]
        if not firsts:
            return ReadPlan()  # no file says when the data starts: the baseline cannot be bounded
        start = min(firsts)  # the data starts no later (other files read whole may start earlier)
        days = self.given_days if self.given_days is not None else self.cfg.baseline_days
        base_end = np.ceil((start + days * 86400) / HOUR) * HOUR
        if self.since is not None:
            lo = np.floor((self.since - self.lookback) / HOUR) * HOUR
            if lo > base_end:
                self.gap = (float(base_end), float(lo))
        if self.until is not None:
            hi = float(np.ceil((self.until + self.lookback) / HOUR) * HOUR)
            # the baseline's length follows the data's span unless it is the setting's (or given) anyway
            if self.given_days is not None or hi - start >= 2 * days * 86400:
                self.horizon = hi
        if self.gap is None and self.horizon is None:
            return ReadPlan()
        self.applied = True
        keep = [(-np.inf, self.gap[0]), (self.gap[1], np.inf)] if self.gap else [(-np.inf, np.inf)]
        if self.horizon is not None:
            keep = [(a, min(b, self.horizon)) for a, b in keep if a < self.horizon]
        segments: dict[Path, list[tuple[tuple[int, int], int | None]]] = {}
        for path, tp in probes.items():
            if tp is None:
                continue
            stop = seek_stop(path, self.horizon, tp, self.margin) if self.horizon is not None else None
            segs: list[tuple[tuple[int, int], int | None]] = [((0, 1), stop)]
            if self.gap is not None:
                leave = seek_stop(path, self.gap[0], tp, self.margin)
                enter = seek_time(path, self.gap[1], tp, self.margin)
                if leave is not None and enter != (0, 1) and leave < enter[0]:
                    segs = [((0, 1), leave), (enter, stop)]
            segs = [(a, b) for a, b in segs if b is None or b > a[0]]
            if segs == [((0, 1), None)]:
                continue
            segments[path] = segs
            size = max(path.stat().st_size, 1)
            read = sum((b if b is not None else size) - a[0] for a, b in segs)
            parts = " + ".join(f"{a[0]:,}-{b if b is not None else size:,}" for a, b in segs) or "none"
            self.notes.append(f"{path.name}: time-ordered, bytes {parts} read: {1 - read / size:.0%} not read")
        return ReadPlan(segments=segments, keep=keep)

    def holds(self, frame: EventFrame) -> bool:
        """Whether the baseline of what was read is the full read's (see the class)."""
        ts = frame.events["ts"].to_numpy()
        if not len(ts):
            return True
        start, end = float(ts.min()), float(ts.max())
        days = self.given_days if self.given_days is not None else self.cfg.baseline_days
        if self.given_days is None and self.horizon is not None and end - start < 2 * days * 86400:
            self.why = "the data read covers under twice the baseline, whose length then follows its end"
            return False
        from odoo_triage.detectors.windows import default_baseline_days

        bdays = days if self.given_days is not None else default_baseline_days((end - start) / 86400, days)
        if self.gap is not None and start + bdays * 86400 > self.gap[0]:
            self.why = "the baseline starts later than the files' first lines say"
            return False
        return True


def _entry(since: float, margin: float, notes: list[str]) -> Callable[[Path, Any], tuple[int, int] | None]:
    """`read_frame(prepare=)` for `read_since`: where to enter each file, noted when it skips a part."""
    from odoo_triage.detectors.readers.base import seek_entry

    def prepare(path: Path, reader: Any) -> tuple[int, int] | None:
        start = seek_entry(reader, path, since, margin)
        if start is not None:
            size = max(path.stat().st_size, 1)
            notes.append(f"{path.name}: time-ordered, entered at byte {start[0]:,} (line {start[1]:,}): "
                         f"{start[0] / size:.0%} not read")
        return start

    return prepare


def _read(paths: list[Path], cfg: DetectorSettings, engine: str | Engine | None, master: str | None,
          state_dir: Path | None, write_events: Path | None, read_kw: dict[str, Any], announcements: bool = True,
          ) -> tuple[EventFrame, pd.DataFrame | None, list[str], dict[Path, list[str]] | None]:
    """The event table, the hourly aggregates when an engine or the saved state computed them, notes, and
    the Odoo logs' maintenance-announcement lines when the saved state kept them (else None: scanned).

    The engine runs here to its end (Spark stops before the checks start); aggregates of None mean
    the windows compute them locally, as they always did."""
    files = [Path(p) for p in paths]
    writer = None
    if write_events is not None:
        from odoo_triage.detectors.readers.parquet_events import EventsWriter

        writer = EventsWriter(Path(write_events))
        read_kw["sink"] = lambda source, chunk: writer.add(source.name, chunk.rows)
    state_dir = state_dir if state_dir is not None else (Path(cfg.state_dir) if cfg.state_dir else None)
    name = engine if isinstance(engine, str) else (engine.name if engine is not None else cfg.engine)
    try:
        if state_dir is not None:
            if name != "local":
                raise InputError("--state (incremental runs) works with the local engine only")
            from odoo_triage.detectors import state

            inc = state.read_incremental(state.check_folder(Path(state_dir)), expand_paths(files), read_frame,
                                         announcements=announcements, accuracy=cfg.latency_sketch_accuracy,
                                         **read_kw)
            return inc.frame, inc.aggregates, inc.notes, inc.announcements
        if name == "local" and (engine is None or isinstance(engine, str)):
            return read_frame(files, **read_kw, bounded=cfg if cfg.bounded_memory else None), None, [], None
        if "min_ts" in read_kw:
            raise InputError("--read-since reads logs here; the spark engine reads its Parquet events whole")
        from odoo_triage.detectors.engines import make_engine

        eng = engine if engine is not None and not isinstance(engine, str) else \
            make_engine(name, master or cfg.spark_master)
        try:
            if writer is not None:
                raise InputError("--write-events reads logs; the spark engine reads Parquet events already")
            frame = eng.read(files, **read_kw)
            return frame, (eng.aggregate(frame) if len(frame.events) else None), [], None
        finally:
            if engine is None or isinstance(engine, str):
                eng.close()
    finally:
        if writer is not None:
            writer.close()


def _evidence(frame: EventFrame, anomalies: list[Anomaly]) -> dict[str, LogEvent]:
    wanted = {e for a in anomalies for e in a.cited_event_ids()}
    if not wanted:
        return {}
    ev = frame.events
    names = [p.name for p in frame.files]
    out: dict[str, LogEvent] = {}
    # event id -> row: only rows whose (file, line) are cited
    by_file: dict[int, set[int]] = {}
    for eid in wanted:
        name, _, line = eid.rpartition(":")
        if name in names:
            by_file.setdefault(names.index(name), set()).add(int(line))
    file_col, line_col = ev["file"].to_numpy(), ev["line"].to_numpy()
    cache = frame._row_cache  # events re-read already (this run, or a saved state's): no table lookups
    for fi, lines in by_file.items():
        rows = np.flatnonzero((file_col == fi) & np.isin(line_col, list(lines)))
        for i, line in zip(rows.tolist(), line_col[rows].tolist(), strict=True):
            le = cache.get(f"{names[fi]}:{line}") or frame.log_event(i)
            if le is not None:
                out[le.event_id] = le
    return out


