"""Latency shifts: the hourly p95 (not the mean: a few slow calls matter, averages hide them)
far above the median hourly p95 of the baseline."""

from __future__ import annotations

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly
from odoo_triage.detectors.windows import HOUR, runs


def latency_shifts(ctx: Context) -> list[Anomaly]:
    out = []
    lat, ts = ctx.col("latency"), ctx.col("ts")
    for f in ctx.flows:
        if f not in ctx.win.base_p95:
            continue
        m, mad = ctx.win.base_p95[f]
        if m <= 0:
            continue
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        thr = max(ctx.cfg.latency_min_ratio * m, m + 8 * 1.4826 * mad)
        p95 = h["p95"].to_numpy()
        flag = (h["lat_n"].to_numpy() >= ctx.cfg.latency_min_events) & (np.nan_to_num(p95) >= thr)
        for a, b in runs(flag, max_gap=1):
            seg = p95[a:b + 1]
            ratio = float(np.nanmedian(seg[flag[a:b + 1]])) / m
            if b - a + 1 < 2 and ratio < 4:
                continue
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            slow = idx[np.nan_to_num(lat[idx]) >= thr]
            if not len(slow):
                continue
            start, end = float(ts[slow[0]]), float(ts[slow[-1]])
            worst = slow[np.argsort(-lat[slow], kind="stable")[:ctx.cfg.evidence_per_finding]]
            hours_p95 = float(np.nanmedian(seg[flag[a:b + 1]]))
            reason = (f"p95 latency {hours_p95:,.0f} ms vs normal {m:,.0f} ms (x{ratio:.1f}) for "
                      f"{duration(end - start)} in {ctx.name(f)}; {len(slow)} of {len(idx)} calls slower than "
                      f"{thr:,.0f} ms")
            out.append(make_anomaly(
                ctx, AnomalyKind.latency_shift, f, start, end, 0.5 + 0.5 * min(1.0, np.log2(ratio) / 3), reason,
                np.sort(worst), metrics={"p95_ms": hours_p95, "baseline_p95_ms": m, "ratio": ratio,
                                         "events": len(idx)}))
    return out
