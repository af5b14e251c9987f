"""New error signatures: an error template of a flow never seen in that flow's baseline, seen at
least `new_signature_min_count` times close together (settings) (one stray message is not an incident).
Server-down failures (`maintenance_http`, `maintenance_errors`) inside a maintenance window of the flow
(configured or announced) are what the window said would happen: they make no signature of their own. Any other
failure there still counts: an announcement is only a log line.
A failed or retried attempt whose message (same correlation id or idempotency key) later went through
was recovered (a serialization failure Odoo or the sender retried): it makes no signature; attempts
that pile up to a failure still do, and rates (error spike, retry storm) judge them all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, one_line, time_clusters
from odoo_triage.detectors.frame import OK, _hash_keys
from odoo_triage.detectors.windows import HOUR, events_between_count

MAX_READ_BACK = 200  # hits whose keys are read back; beyond them a signature is too big to be a recovered retry


def recovered(ctx: Context, idx: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """Which failed attempts `hits` (of one flow, whose events are `idx`) have a later success with the
    same correlation id or idempotency key: the retry went through. The frame keeps keys of successes
    only, so the hits' own keys are read back from their lines (a new signature has few)."""
    out = np.zeros(len(hits), dtype=bool)
    st, ts = ctx.col("status"), ctx.col("ts")
    for name, attr in (("corr", "correlation_id"), ("idem", "idempotency_key")):
        keys = ctx.col(name)
        ok = idx[(st[idx] == OK) & (keys[idx] != 0)]
        if not len(ok):
            continue
        last_ok = pd.Series(ts[ok]).groupby(keys[ok]).max()
        for j, i in enumerate(hits[:MAX_READ_BACK].tolist()):
            ev = ctx.frame.log_event(int(i))
            key = getattr(ev, attr) if ev is not None else None
            if out[j] or not key:
                continue
            h = int(_hash_keys(pl.Series([key]), np.ones(1, dtype=bool))[0])
            out[j] = bool(h in last_ok.index and last_ok[h] > ts[i])
    return out


def _close_runs(times: np.ndarray, ranks: np.ndarray, gap_s: float, gap_events: int) -> list[tuple[int, int]]:
    """Runs of occurrences each close to the one before: within `gap_s` seconds, or within `gap_events` of
    the flow's own events (a flow that sends a few invoices a day is judged on its own clock, not the hour's)."""
    if not len(times):
        return []
    near = (np.diff(times) <= gap_s) | (np.diff(ranks) <= gap_events)
    return time_clusters(np.cumsum(np.concatenate([[0], ~near])).astype(np.float64), 0.5)


def new_signatures(ctx: Context) -> list[Anomaly]:
    out = []
    ev = ctx.frame.events
    cl_all, st_all, ts_all = ev["cluster"].to_numpy(), ev["status"].to_numpy(), ev["ts"].to_numpy()
    base_end = ctx.win.baseline_end
    for f in ctx.flows:
        idx, ts = ctx.flow_events(f)
        err = idx[(st_all[idx] != OK) & (cl_all[idx] >= 0)]
        if not len(err):
            continue
        in_base = ts_all[err] < base_end
        known = set(np.unique(cl_all[err[in_base]]).tolist())
        later = err[~in_base]
        windows = ctx.win.calendar.maintenance(ctx.name(f))
        if windows:
            t = ts_all[later]
            inside = np.zeros(len(later), dtype=bool)
            for w in windows:
                inside |= (t >= w.start.timestamp()) & (t < w.end.timestamp())
            later = later[~(inside & ctx.server_down(later))]
        fresh = later[~np.isin(cl_all[later], list(known))] if known else later
        for c in np.unique(cl_all[fresh]).tolist():
            occ = fresh[cl_all[fresh] == c]
            for a, b in _close_runs(ts_all[occ], np.searchsorted(ts, ts_all[occ]), ctx.cfg.new_signature_gap_hours * HOUR,
                                    ctx.cfg.new_signature_gap_events):
                hits = occ[a:b + 1]
                if len(hits) < ctx.cfg.new_signature_min_count:
                    continue
                hits = hits[~recovered(ctx, idx, hits)]
                if len(hits) < ctx.cfg.new_signature_min_count:
                    continue
                start, end = float(ts_all[hits[0]]), float(ts_all[hits[-1]])
                template = ctx.frame.miner.template(int(c))
                sig = ctx.frame.miner.signature_of_cluster(int(c))
                n_all = max(events_between_count(ctx.win, f, ts, ctx.col("file")[idx], ctx.col("line")[idx], start, end,
                                                 ctx.cfg.stream_events_per_hour), len(hits))
                reason = (f"new error signature in {ctx.name(f)}: {len(hits)} events in {duration(end - start)} "
                          f"({len(hits) / max(n_all, 1):.0%} of the flow), never seen in the baseline: "
                          f"{one_line(template)}")
                out.append(make_anomaly(
                    ctx, AnomalyKind.new_error_signature, f, start, end, 0.5 + 0.5 * min(1.0, len(hits) / 30),
                    reason, hits, signature=sig, metrics={"occurrences": len(hits), "events": n_all},
                    remedy=hits))
    return out
