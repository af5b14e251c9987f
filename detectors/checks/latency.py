"""Latency shifts: many calls far slower than normal, judged over a pooled window, not one hour's p95.

"Slow" is a call above the flow's threshold (`latency_min_ratio` times the baseline's median hourly
p95, or further out when the baseline's p95 swings a lot). A shift is a run of hours in which a
sizeable share of calls is slow (`latency_slow_share`), pooled so a low-volume flow (a few timed
calls an hour) is judged on the whole run: the run needs `latency_min_events` timed calls and
`latency_min_slow` slow ones in total, and the count of slow calls must be improbable under the
baseline's own rate of slow calls (binomial tail below `latency_p_value`). One or two stray timeouts
lift an hour's p95 without being a shift; they do not pass the count or the tail.
"""

from __future__ import annotations

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks import dist
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly
from odoo_triage.detectors.windows import HOUR, runs

#: Hourly p95s a baseline needs before its median is trusted; below that, the calls are pooled.
MIN_BASELINE_HOURS = 3


def baseline_reference(ctx: Context, f: int, base_hours: np.ndarray) -> tuple[float, float] | None:
    """(normal p95, its spread): the median and MAD of the baseline's hourly p95s when there are
    enough well-filled hours, else the p95 of the pooled baseline calls (a low-volume flow)."""
    h = ctx.win.hourly
    b = h[(h["flow"] == f) & h["baseline"] & (h["lat_n"] >= ctx.cfg.latency_min_events)]["p95"].dropna().to_numpy()
    if len(b) >= MIN_BASELINE_HOURS:
        m = float(np.median(b))
        return m, float(np.median(np.abs(b - m)))
    if ctx.win.latency.count(f, base_hours) >= ctx.cfg.latency_min_events:
        return ctx.win.latency.quantile(f, 0.95, base_hours), 0.0
    return None


def latency_shifts(ctx: Context) -> list[Anomaly]:
    """Calls are counted in the hours' latency sketches (windows.Windows.latency): slow means a bucket worth
    the threshold or more; the run's first, last and slowest calls are events of the table."""
    out = []
    cfg = ctx.cfg
    sk = ctx.win.latency
    lat, ts = ctx.col("latency"), ctx.col("ts")
    hw = ctx.win.hourly
    for f in ctx.flows:
        idx_all, ts_all = ctx.flow_events(f)
        if not len(idx_all):
            continue
        base_hours = hw[(hw["flow"] == f) & hw["baseline"]]["hour"].to_numpy()
        ref = baseline_reference(ctx, f, base_hours)
        if ref is None or ref[0] <= 0:
            continue
        m, mad = ref
        thr = max(cfg.latency_min_ratio * m, m + 8 * 1.4826 * mad)
        # the baseline's own rate of slow calls, with a small prior so a clean baseline is not "certain"
        q0 = min(max((sk.count_at_least(f, thr, base_hours) + 0.5) / (sk.count(f, base_hours) + 1.0), 1e-4), 0.5)
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        hours = h["hour"].to_numpy()
        # timed and slow calls per detection hour
        n_h = h["lat_n"].to_numpy()
        k_h = sk.at_least_by_hour(f, hours, thr)
        flag = (n_h > 0) & (k_h >= cfg.latency_slow_share * np.maximum(n_h, 1))
        for a, b in runs(flag, max_gap=1):
            n, k = int(n_h[a:b + 1].sum()), int(k_h[a:b + 1].sum())
            if n < cfg.latency_min_events or k < cfg.latency_min_slow:
                continue
            p = float(dist.binom_sf(k - 1, n, q0))
            if p > cfg.latency_p_value:
                continue
            t0, t1 = hours[a] * HOUR, (hours[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            timed_idx = idx[np.isfinite(lat[idx])]
            slow = timed_idx[lat[timed_idx] >= thr]
            if not len(slow):
                continue
            start, end = float(ts[slow[0]]), float(ts[slow[-1]])
            worst = slow[np.argsort(-lat[slow], kind="stable")[:cfg.evidence_per_finding]]
            run_p95 = sk.quantile(f, 0.95, hours[a:b + 1])
            ratio = run_p95 / m
            reason = (f"p95 latency {run_p95:,.0f} ms vs normal {m:,.0f} ms (x{ratio:.1f}) for "
                      f"{duration(end - start)} in {ctx.name(f)}; {k} of {n} calls slower than "
                      f"{thr:,.0f} ms (normally {q0:.1%} of calls)")
            out.append(make_anomaly(
                ctx, AnomalyKind.latency_shift, f, start, end, 0.5 + 0.5 * min(1.0, np.log2(max(ratio, 1.0)) / 3),
                reason, np.sort(worst),
                metrics={"p95_ms": run_p95, "baseline_p95_ms": m, "ratio": ratio, "events": n,
                         "slow_calls": k, "baseline_slow_share": q0, "p_value": p}))
    return out
