"""Error-rate spikes and retry storms: an hour's share of failing (or retried) attempts far above
the flow's baseline share, and statistically so (binomial tail), over one or more hours.
A spike inside a maintenance window of the flow (configured or announced) whose failures all say the
server was down (`maintenance_http`) is what the window announced; an announcement is only a log line,
so no other failure is ever hidden by one."""

from __future__ import annotations

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks import dist
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, one_line
from odoo_triage.detectors.frame import ERROR, RETRY
from odoo_triage.detectors.windows import HOUR, runs


def _flag(count: np.ndarray, n: np.ndarray, p0: float, factor: float, min_excess: float, min_count: int,
          p_value: float) -> np.ndarray:
    rate = np.divide(count, n, out=np.zeros(len(n)), where=n > 0)
    p = dist.binom_sf(count - 1, n, p0)
    return (count >= min_count) & (rate >= max(factor * p0, p0 + min_excess)) & (p < p_value)


def _announced_downtime(ctx: Context, h, a: int, b: int, errs: np.ndarray) -> bool:  # type: ignore[no-untyped-def]
    """Every hour of the run in a maintenance window and every failure a server-down status."""
    if "maintenance" not in h or not h["maintenance"].iloc[a:b + 1].all():
        return False
    return bool(np.isin(ctx.col("http")[errs], ctx.cfg.maintenance_http).all())


def _score(rate: float, p0: float) -> float:
    return 0.5 + 0.5 * min(1.0, (rate - p0) / 0.4)


def error_spikes(ctx: Context) -> list[Anomaly]:
    out = []
    status = ctx.col("status")
    for f in ctx.flows:
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        p0 = ctx.win.base_error_rate[f]
        cfg = ctx.cfg
        flag = _flag(h["errors"].to_numpy(), h["volume"].to_numpy(), p0, cfg.error_spike_factor,
                     cfg.error_spike_min_excess, cfg.error_spike_min_errors, cfg.p_value)
        for a, b in runs(flag, max_gap=1):
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            errs = idx[status[idx] == ERROR]
            if not len(errs) or _announced_downtime(ctx, h, a, b, errs):
                continue
            n, e = int(h["volume"].iloc[a:b + 1].sum()), int(h["errors"].iloc[a:b + 1].sum())
            rate = e / max(n, 1)
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
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        r0 = ctx.win.base_retry_rate[f]
        cfg = ctx.cfg
        flag = _flag(h["retries"].to_numpy(), h["volume"].to_numpy(), r0, cfg.retry_storm_factor,
                     cfg.retry_storm_min_excess, cfg.retry_storm_min_retries, cfg.p_value)
        for a, b in runs(flag, max_gap=1):
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            is_retry = (status[idx] == RETRY) | ((status[idx] == ERROR) & (retry[idx] > 0))
            rt = idx[is_retry]
            if not len(rt):
                continue
            gave_up = idx[(status[idx] == ERROR) & (retry[idx] > 0)]
            n, r = int(h["volume"].iloc[a:b + 1].sum()), int(h["retries"].iloc[a:b + 1].sum())
            rate = r / max(n, 1)
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
