"""Detection end to end: read the logs (streaming), template the errors, judge every flow's hours
against its baseline, combine and rank. This is the API the CLI, the digest and the agent call.

Baseline: the first `baseline_days` of the data (default 7 days, or the first half when the data
covers under two weeks). Anomalies are only looked for after it. `since`/`until` do not shrink
the baseline: they choose which anomalies are reported (those whose window overlaps the range).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
from odoo_triage.detectors.frame import EventFrame, read_frame
from odoo_triage.detectors.readers import FieldMapping, FileStats
from odoo_triage.detectors.templates import TemplateMinerCache
from odoo_triage.detectors.windows import HOUR, build_windows


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
) -> DetectionResult:
    """Read, template, detect, combine. `progress(n)` is called with the number of lines just read.

    `catalog` is the firm's flows.json: it attributes loggers, queue channels and aliases to flows,
    and gives each flow its country and unit. `settings` holds every detection threshold
    (core.settings.DetectorSettings; `baseline_days` overrides its baseline), `readers` the readers'
    synonyms and ranges. `calendar` (or calendar settings) says which hours are holidays,
    maintenance or closing periods; maintenance announced in the Odoo logs read is added to it."""
    cfg = settings or DetectorSettings()
    if baseline_days is not None and baseline_days <= 0:
        raise InputError(f"baseline_days must be positive, got {baseline_days}")
    if readers is None:  # the [readers] section of the config file, else the defaults
        readers = load_settings().readers
    if stage is not None:
        stage("reading logs")
    frame = read_frame([Path(p) for p in paths], formats=formats, mapping=mapping, progress=progress, miner=miner,
                       catalog=catalog, settings=readers, columnar=columnar, start_offsets=start_offsets,
                       keep_flows=flows or None)  # --flow prunes what is kept while reading
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
            columns=["flow", "hour", "volume", "errors", "error_rate", "p95_ms", "retries", "expected_volume"]))
    if not isinstance(calendar, BusinessCalendar):
        odoo_logs = [p for p, r in zip(frame.files, frame.readers, strict=True) if r.format == "odoo_log"]
        calendar = build_calendar(calendar, catalog, odoo_logs, known)
    win = build_windows(frame.events, list(range(len(known))), baseline_days, calendar, known,
                        preferred_baseline_days=cfg.baseline_days)
    ctx = Context(frame=frame, win=win, flows=codes, cfg=cfg, volume=volume or VolumeSettings())
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
    stats = _flow_stats(frame, win.hourly)
    if flows:
        stats = stats[stats["flow"].isin(flows)].reset_index(drop=True)
    return DetectionResult(
        anomalies=anomalies, stats=frame.stats, rejected=frame.rejected, templates=templates, evidence=evidence,
        flows=[known[c] for c in codes], flow_stats=stats,
        baseline_end=datetime.fromtimestamp(win.baseline_end, tz=UTC), raw_anomalies=raw)


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
    for fi, lines in by_file.items():
        rows = np.flatnonzero((ev["file"].to_numpy() == fi) & np.isin(ev["line"].to_numpy(), list(lines)))
        for i in rows.tolist():
            le = frame.log_event(i)
            if le is not None:
                out[le.event_id] = le
    return out


