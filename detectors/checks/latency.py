"""Latency shifts: many calls far slower than normal, judged over a pooled window, not one hour's p95.

"Slow" is a call above the flow's threshold (`latency_min_ratio` times the baseline's median hourly
p95, or further out when the baseline's p95 swings a lot). A shift is a run of hours in which a
sizeable share of calls is slow (`latency_slow_share`), pooled so a low-volume flow (a few timed
calls an hour) is judged on the whole run: the run needs `latency_min_events` timed calls and
`latency_min_slow` slow ones in total, and the count of slow calls must be improbable under the
baseline's own rate of slow calls (binomial tail below `latency_p_value`). One or two stray timeouts
lift an hour's p95 without being a shift; they do not pass the count or the tail.

That rate is the one of baseline hours as busy as the judged ones (timed calls per hour in powers of
two), shrunk towards the flow's overall rate (`latency_hour_prior_calls`): a service scaled to zero
(Cloud Run, Lambda) answers the first call after an idle pause with a cold start, so in quiet hours
most calls are slow every night, weekend and holiday, and that is its normal, not a shift; a slow
busy hour still is one, whatever the hour of day or the clock change.
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


def load_class(calls: np.ndarray) -> np.ndarray:
    """An hour's load class: its timed calls in powers of two (1, 2-3, 4-7, ...)."""
    return np.floor(np.log2(np.maximum(calls, 1))).astype(np.int64)


def hour_slow_share(base_n: np.ndarray, base_k: np.ndarray, calls: np.ndarray, q0: float,
                    prior_calls: float) -> np.ndarray:
    """Per judged hour (its timed `calls`), the share of slow calls over the baseline hours (their timed
    calls `base_n`, slow ones `base_k`) of the same load class, with `prior_calls` calls at the flow's
    overall share `q0` mixed in (a class of two calls says little); never below `q0`."""
    if not len(calls):
        return np.full(0, q0)
    cls = load_class(base_n)
    size = int(max(cls.max(initial=0), load_class(calls).max())) + 1
    n_c = np.bincount(cls, weights=base_n.astype(float), minlength=size)
    k_c = np.bincount(cls, weights=base_k.astype(float), minlength=size)
    share = (k_c + prior_calls * q0) / (n_c + prior_calls)
    return np.maximum(share[load_class(calls)], q0)


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
        # the normal slow share of hours with as many calls (a cold start makes a quiet hour's calls slow)
        b_rows = hw[(hw["flow"] == f) & hw["baseline"] & (hw["lat_n"] > 0)]
        b_hours = b_rows["hour"].to_numpy()
        b_k = sk.at_least_by_hour(f, b_hours, thr)
        q_h = hour_slow_share(b_rows["lat_n"].to_numpy(), b_k, n_h, q0, cfg.latency_hour_prior_calls)
        flag = (n_h > 0) & (k_h >= cfg.latency_slow_share * np.maximum(n_h, 1))
        for a, b in runs(flag, max_gap=1):
            n, k = int(n_h[a:b + 1].sum()), int(k_h[a:b + 1].sum())
            if n < cfg.latency_min_events or k < cfg.latency_min_slow:
                continue
            # the run's normal share: its hours' own, weighted by their calls
            q_run = float((n_h[a:b + 1] * q_h[a:b + 1]).sum() / n)
            p = float(dist.binom_sf(k - 1, n, q_run))
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
                      f"{thr:,.0f} ms (normally {q_run:.1%} of calls at these hours)")
            out.append(make_anomaly(
                ctx, AnomalyKind.latency_shift, f, start, end, 0.5 + 0.5 * min(1.0, np.log2(max(ratio, 1.0)) / 3),
                reason, np.sort(worst),
                metrics={"p95_ms": run_p95, "baseline_p95_ms": m, "ratio": ratio, "events": n,
                         "slow_calls": k, "baseline_slow_share": q0, "normal_slow_share": q_run, "p_value": p}))
    return out
