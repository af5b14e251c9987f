"""What every detector gets (`Context`) and how it turns a finding into an `Anomaly`."""

from __future__ import annotations

import re
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

#: The prior of a baseline share (as windows.build_windows): a flow with no baseline errors is not
#: "infinitely" surprised by one.
PRIOR_COUNT, PRIOR_EVENTS = 0.5, 50.0


@dataclass
class Context:
    frame: EventFrame
    win: Windows
    flows: list[int]  # flow codes to judge
    cfg: DetectorSettings = field(default_factory=DetectorSettings)
    volume: VolumeSettings = field(default_factory=VolumeSettings)
    state_dir: Path | None = None  # incremental runs: where checks may keep what a baseline fit (isoforest.py)
    _by_flow: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _file_ends: dict[int, float] | None = None
    _shared_files: set[int] | None = None

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

    def rate_hours(self, flow: int, col: str, base_rate: float) -> tuple[pd.DataFrame, np.ndarray]:
        """The hours to judge for a share (`col` of `volume`: errors, retries) and the share normal for each.

        After the baseline it is the baseline's share (`base_rate`). With `judge_baseline` the baseline's
        own hours are judged too, each against the baseline without the `baseline_leave_out_hours` on
        either side of it (leave one day out): an incident on the first days is then compared with the
        other days instead of being part of its own normal, when the rest holds at least as many events as
        the hours left out. Same prior as the windows' (0.5 in 50)."""
        h = self.win.hourly
        h = h[h["flow"] == flow].reset_index(drop=True)
        base = h["baseline"].to_numpy()
        p0 = np.full(len(h), base_rate)
        if not self.cfg.judge_baseline or not base.any():
            keep = ~base
            return h[keep].reset_index(drop=True), p0[keep]
        vol = np.where(base, h["volume"].to_numpy(), 0).astype(np.float64)
        cnt = np.where(base, h[col].to_numpy(), 0).astype(np.float64)
        w = self.cfg.baseline_leave_out_hours
        cv, cc = np.concatenate([[0.0], np.cumsum(vol)]), np.concatenate([[0.0], np.cumsum(cnt)])
        i = np.arange(len(h))
        lo, hi = np.clip(i - w, 0, len(h)), np.clip(i + w + 1, 0, len(h))
        v_in = cv[hi] - cv[lo]
        v_out, c_out = cv[-1] - v_in, cc[-1] - (cc[hi] - cc[lo])
        p0[base] = ((c_out + PRIOR_COUNT) / (v_out + PRIOR_EVENTS))[base]
        # a rest of the baseline smaller than what is left out says too little of what is normal: such
        # an hour is not judged (a share of 1 can never be exceeded)
        p0[base & ((v_out < v_in) | (v_out < PRIOR_EVENTS))] = 1.0
        return h, p0

    def server_down(self, idx: np.ndarray) -> np.ndarray:
        """Which failures say the server was down: an HTTP status of `maintenance_http`, or no status and a
        message (its error template) matching `maintenance_errors` (connection refused, 503 in words...), and
        the failures that share a correlation id (one run) with such a failure."""
        http = self.col("http")[idx]
        down = np.isin(http, self.cfg.maintenance_http)
        cl = self.col("cluster")[idx]
        rest = ~down & (http == 0) & (cl >= 0)
        if rest.any() and self.cfg.maintenance_errors:
            rx = re.compile("|".join(f"(?:{w})" for w in self.cfg.maintenance_errors), re.IGNORECASE)
            said = {c: bool(rx.search(self.frame.miner.template(c))) for c in np.unique(cl[rest]).tolist()}
            down[rest] = np.array([said[c] for c in cl[rest].tolist()], dtype=bool)
        corr = self.col("corr")[idx]
        if down.any() and (~down & (corr != 0)).any():
            # a run's own failure ("an action failed") beside the step the server refused is the same failure
            down |= (corr != 0) & np.isin(corr, np.unique(corr[down & (corr != 0)]))
        return down

    def file_ends(self) -> dict[int, float]:
        """The last event time of each file (by the frame's file code), computed once."""
        if self._file_ends is None:
            ev = self.frame.events
            ends = pd.Series(ev["ts"].to_numpy()).groupby(ev["file"].to_numpy()).max()
            self._file_ends = {int(k): float(v) for k, v in ends.items()}
        return self._file_ends

    def shared_files(self) -> set[int]:
        """Files (by the frame's file code) that carry more than one flow, computed once."""
        if self._shared_files is None:
            ev = self.frame.events
            flows = pd.Series(ev["flow"].to_numpy()).groupby(ev["file"].to_numpy()).nunique()
            self._shared_files = {int(k) for k, v in flows.items() if v > 1}
        return self._shared_files

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
