"""What every detector gets (`Context`) and how it turns a finding into an `Anomaly`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from odoo_triage.core.domain import MAX_REMEDY_EVENTS, Anomaly, AnomalyKind, stable_id
from odoo_triage.core.settings import DetectorSettings, VolumeSettings
from odoo_triage.detectors.frame import EventFrame
from odoo_triage.detectors.windows import HOUR, Windows


@dataclass
class Context:
    frame: EventFrame
    win: Windows
    flows: list[int]  # flow codes to judge
    cfg: DetectorSettings = field(default_factory=DetectorSettings)
    volume: VolumeSettings = field(default_factory=VolumeSettings)
    state_dir: Path | None = None  # incremental runs: where checks may keep what a baseline fit (isoforest.py)
    _by_flow: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ev = self.frame.events
        flow_all, ts_all = ev["flow"].to_numpy(), ev["ts"].to_numpy()
        # what np.lexsort((ts, flow)) gives (stable: ties keep event order), in two cheaper stable sorts:
        # by flow (a radix sort on 16-bit codes), then each flow's events by time (runs of a file are in order)
        codes = flow_all.astype(np.int16) if len(flow_all) and int(flow_all.max()) < 1 << 15 else flow_all
        by_flow = np.argsort(codes, kind="stable")
        flows = flow_all[by_flow]
        for f in np.unique(flows).tolist():
            lo, hi = np.searchsorted(flows, f, "left"), np.searchsorted(flows, f, "right")
            idx = by_flow[lo:hi]
            idx = idx[np.argsort(ts_all[idx], kind="stable")]
            self._by_flow[int(f)] = (idx, ts_all[idx])

    def name(self, flow: int) -> str:
        return self.frame.flows[flow]

    def flow_events(self, flow: int) -> tuple[np.ndarray, np.ndarray]:
        """(event indices, their times), in time order."""
        return self._by_flow.get(flow, (np.array([], dtype=np.int64), np.array([], dtype=np.float64)))

    def events_between(self, flow: int, t0: float, t1: float) -> np.ndarray:
        idx, ts = self.flow_events(flow)
        return idx[np.searchsorted(ts, t0, "left"):np.searchsorted(ts, t1, "left")]

    def detection_hours(self, flow: int) -> pd.DataFrame:
        h = self.win.hourly
        return h[(h["flow"] == flow) & ~h["baseline"]].reset_index(drop=True)

    def col(self, name: str) -> np.ndarray:
        return self.frame.events[name].to_numpy()

    def top_cluster(self, idx: np.ndarray) -> tuple[int, int]:
        """The most frequent error cluster among these events, and how many carry it."""
        cl = self.col("cluster")[idx]
        cl = cl[cl >= 0]
        if not len(cl):
            return -1, 0
        c, n = Counter(cl.tolist()).most_common(1)[0]
        return int(c), int(n)

    def example_error(self, idx: np.ndarray) -> str:
        for i in idx[:5].tolist():
            ev = self.frame.log_event(i)
            if ev is not None and ev.error:
                return one_line(ev.error)
        return ""


def one_line(text: str, limit: int = 140) -> str:
    s = " ".join(text.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def sample(idx: np.ndarray, k: int) -> np.ndarray:
    """At most k indices, spread evenly over the array (first and last included)."""
    if len(idx) <= k:
        return idx
    pos = np.unique(np.linspace(0, len(idx) - 1, k).round().astype(int))
    return idx[pos]


def to_dt(t: float) -> datetime:
    return datetime.fromtimestamp(round(t, 3), tz=UTC)


def time_clusters(times: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """(first, last) index of each run of sorted times whose neighbours are at most `gap` seconds apart."""
    if not len(times):
        return []
    cuts = np.flatnonzero(np.diff(times) > gap)
    starts = np.concatenate([[0], cuts + 1])
    ends = np.concatenate([cuts, [len(times) - 1]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def duration(seconds: float) -> str:
    if seconds < 90 * 60:
        return f"{max(1, round(seconds / 60))} min"
    return f"{seconds / HOUR:.1f}h"


def make_anomaly(ctx: Context, kind: AnomalyKind, flow: int, start: float, end: float, score: float, reason: str,
                 evidence: np.ndarray, signature: str | None = None, metrics: dict[str, float] | None = None,
                 remedy: np.ndarray | None = None) -> Anomaly:
    name = ctx.name(flow)
    start_dt = to_dt(start)
    return Anomaly(
        anomaly_id=stable_id("anomaly", name, str(kind), start_dt.strftime("%Y-%m-%dT%H:%M"), signature or ""),
        kind=kind, flow=name, window_start=start_dt, window_end=to_dt(max(end, start)),
        score=float(min(1.0, max(0.0, score))), reason=reason,
        evidence_event_ids=ctx.frame.event_ids(sample(np.asarray(evidence, dtype=np.int64), ctx.cfg.evidence_per_finding)),
        signature=signature, metrics={k: round(float(v), 4) for k, v in (metrics or {}).items()},
        remedy_event_ids=ctx.frame.event_ids(np.sort(np.asarray(remedy, dtype=np.int64))[:MAX_REMEDY_EVENTS])
        if remedy is not None else [],
    )
