"""Error-rate spikes and retry storms: an hour's share of failing (or retried) attempts far above
the flow's baseline share, and statistically so (binomial tail), over one or more hours; hours too
thin to say so alone are pooled over their run. The baseline's own days are judged too, each hour
against the rest of the baseline (leave one day out, `Context.rate_hours`).
A spike inside a maintenance window of the flow (configured or announced) whose failures all say the
server was down (`maintenance_http`, or `maintenance_errors` in words) is what the window announced;
an announcement is only a log line, so no other failure is ever hidden by one."""

from __future__ import annotations

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks import dist
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, one_line
from odoo_triage.detectors.frame import ERROR, RETRY
from odoo_triage.detectors.windows import HOUR, runs


def _thresholds(p0: np.ndarray, factor: float, min_excess: float) -> np.ndarray:
    return np.maximum(factor * p0, p0 + min_excess)


def flagged_runs(count: np.ndarray, n: np.ndarray, p0: np.ndarray, factor: float, min_excess: float,
                 min_count: int, p_value: float) -> list[tuple[int, int]]:
    """Runs of hours whose share (count of n) is abnormal against the normal share p0 of each hour.

    An hour is abnormal on its own (enough failures, the share `factor` times normal, binomial tail under
    `p_value`); hours whose share is that high but whose counts are too few for it on their own are pooled
    with their neighbours (one quiet hour may separate them) and judged over the run, so six failures in two
    hours of a flow that normally has none count as a spike, like a low-volume latency shift."""
    count, n = count.astype(np.float64), n.astype(np.float64)
    rate = np.divide(count, n, out=np.zeros(len(n)), where=n > 0)
    high = (count > 0) & (rate >= _thresholds(p0, factor, min_excess))
    alone = high & (count >= min_count) & (dist.binom_sf(count - 1, n, p0) < p_value)
    out: list[tuple[int, int]] = []
    for a, b in runs(high, max_gap=1):
        c, v = count[a:b + 1].sum(), n[a:b + 1].sum()
        q = float((p0[a:b + 1] * n[a:b + 1]).sum() / v) if v > 0 else float(p0[a])
        if c >= min_count and c / max(v, 1) >= max(factor * q, q + min_excess) and dist.binom_sf(c - 1, v, q) < p_value:
            out.append((a, b))
        else:
            out.extend((a + x, a + y) for x, y in runs(alone[a:b + 1], max_gap=1))
    return out


def _announced_downtime(ctx: Context, h, a: int, b: int, errs: np.ndarray) -> bool:  # type: ignore[no-untyped-def]
    """Every hour of the run in a maintenance window and every failure a server-down status."""
    if "maintenance" not in h or not h["maintenance"].iloc[a:b + 1].all():
        return False
    return bool(ctx.server_down(errs).all())


def _normal(p0: np.ndarray, h, a: int, b: int) -> float:  # type: ignore[no-untyped-def]
    """The run's normal share: its hours' normal shares weighted by their volume."""
    v = h["volume"].to_numpy()[a:b + 1].astype(np.float64)
    return float((p0[a:b + 1] * v).sum() / v.sum()) if v.sum() > 0 else float(p0[a])


def _score(rate: float, p0: float) -> float:
    return 0.5 + 0.5 * min(1.0, (rate - p0) / 0.4)


def error_spikes(ctx: Context) -> list[Anomaly]:
    out = []
    status = ctx.col("status")
    for f in ctx.flows:
        h, p0s = ctx.rate_hours(f, "errors", ctx.win.base_error_rate[f])
        if h.empty:
            continue
        cfg = ctx.cfg
        for a, b in flagged_runs(h["errors"].to_numpy(), h["volume"].to_numpy(), p0s, cfg.error_spike_factor,
                                 cfg.error_spike_min_excess, cfg.error_spike_min_errors, cfg.p_value):
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            errs = idx[status[idx] == ERROR]
            if not len(errs) or _announced_downtime(ctx, h, a, b, errs):
                continue
            n, e = int(h["volume"].iloc[a:b + 1].sum()), int(h["errors"].iloc[a:b + 1].sum())
            rate, p0 = e / max(n, 1), _normal(p0s, h, a, b)
            cl, cl_n = ctx.top_cluster(errs)
            top = errs[ctx.col("cluster")[errs] == cl] if cl >= 0 else errs
            ts = ctx.col("ts")
            start, end = float(ts[errs[0]]), float(ts[errs[-1]])
            example = ctx.example_error(top)
            share = f" ({cl_n / len(errs):.0%} of the errors)" if cl >= 0 and cl_n < len(errs) else ""
            reason = (f"error rate {rate:.0%} vs normal {p0:.1%} for {duration(end - start)} in {ctx.name(f)}"
                      f" ({e} of {n} failed); {one_line(example)}{share}")
            out.append(make_anomaly(
                ctx, AnomalyKind.error_spike, f, start, end, _score(rate, p0), reason, top if len(top) else errs,
                signature=ctx.frame.miner.signature_of_cluster(cl) if cl >= 0 else None,
                metrics={"error_rate": rate, "baseline_error_rate": p0, "errors": e, "events": n},
                remedy=errs))  # every failed event, so a proposal can cover all of them, not the sample
    return out


def retry_storms(ctx: Context) -> list[Anomaly]:
    out = []
    status, retry = ctx.col("status"), ctx.col("retry")
    for f in ctx.flows:
        h, r0s = ctx.rate_hours(f, "retries", ctx.win.base_retry_rate[f])
        if h.empty:
            continue
        cfg = ctx.cfg
        for a, b in flagged_runs(h["retries"].to_numpy(), h["volume"].to_numpy(), r0s, cfg.retry_storm_factor,
                                 cfg.retry_storm_min_excess, cfg.retry_storm_min_retries, cfg.p_value):
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            is_retry = (status[idx] == RETRY) | ((status[idx] == ERROR) & (retry[idx] > 0))
            rt = idx[is_retry]
            if not len(rt):
                continue
            gave_up = idx[(status[idx] == ERROR) & (retry[idx] > 0)]
            n, r = int(h["volume"].iloc[a:b + 1].sum()), int(h["retries"].iloc[a:b + 1].sum())
            rate, r0 = r / max(n, 1), _normal(r0s, h, a, b)
            cl, _ = ctx.top_cluster(rt)
            ts = ctx.col("ts")
            start, end = float(ts[rt[0]]), float(ts[rt[-1]])
            example = ctx.example_error(rt[ctx.col("cluster")[rt] == cl] if cl >= 0 else rt)
            failed = f"; {len(gave_up)} failed after retrying" if len(gave_up) else ""
            reason = (f"{r} retried attempts in {duration(end - start)} ({rate:.0%} of attempts vs normal {r0:.1%}) "
                      f"in {ctx.name(f)}{failed}; {one_line(example)}")
            evidence = np.concatenate([rt[status[rt] == RETRY][:10], gave_up[:10]]) if len(gave_up) else rt
            out.append(make_anomaly(
                ctx, AnomalyKind.retry_storm, f, start, end, _score(rate, r0), reason, np.sort(evidence),
                signature=ctx.frame.miner.signature_of_cluster(cl) if cl >= 0 else None,
                metrics={"retry_rate": rate, "baseline_retry_rate": r0, "retries": r, "gave_up": len(gave_up),
                         "events": n},
                remedy=gave_up))
    return out
