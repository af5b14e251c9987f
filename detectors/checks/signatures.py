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
import polars as pl

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, one_line, time_clusters
from odoo_triage.detectors.frame import OK, _hash_keys
from odoo_triage.detectors.windows import HOUR, events_between_count

MAX_READ_BACK = 200  # hits whose keys are read back; beyond them a signature is too big to be a recovered retry


def _row_keys(ctx: Context, i: int) -> tuple[str | None, str | None]:
    """(correlation id, idempotency key) of event `i`, re-read from its line: the row alone (no LogEvent
    built, no error text masked: only the keys are wanted), or the event already re-read this run."""
    frame = ctx.frame
    ev = frame.events
    fi, line = int(ev["file"].iat[i]), int(ev["line"].iat[i])
    path = frame.files[fi]
    cached = frame._row_cache.get(f"{path.name}:{line}")
    if cached is not None:
        return cached.correlation_id, cached.idempotency_key
    row = frame.readers[fi].row_at(path, int(ev["offset"].iat[i]), line)
    return (row.correlation_id, row.idempotency_key) if row is not None else (None, None)


def recovered(ctx: Context, idx: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """Which failed attempts `hits` (of one flow, whose events are `idx`) have a later success with the
    same correlation id or idempotency key: the retry went through. The frame keeps keys of successes
    only, so the hits' own keys are read back from their lines (a new signature has few), each line
    once and all keys hashed in one call."""
    out = np.zeros(len(hits), dtype=bool)
    st, ts = ctx.col("status"), ctx.col("ts")
    ok_flow = st[idx] == OK
    read: list[tuple[str | None, str | None]] | None = None
    for k, name in enumerate(("corr", "idem")):
        keys = ctx.col(name)[idx]
        ok = ok_flow & (keys != 0)
        if not ok.any():
            continue
        if read is None:
            read = [_row_keys(ctx, int(i)) for i in hits[:MAX_READ_BACK].tolist()]
        todo = [j for j, got in enumerate(read) if not out[j] and got[k]]
        if not todo:
            continue
        hashed = _hash_keys(pl.Series([read[j][k] for j in todo], dtype=pl.String), np.ones(len(todo), dtype=bool))
        # the latest success of each of these keys (what a groupby max over all successes gives for them)
        cand = ok & np.isin(keys, hashed)
        c_key, c_ts = keys[cand], ts[idx[cand]]
        order = np.lexsort((c_ts, c_key))
        c_key, c_ts = c_key[order], c_ts[order]
        last = np.ones(len(c_key), dtype=bool)
        last[:-1] = c_key[1:] != c_key[:-1]
        uniq, last_ts = c_key[last], c_ts[last]
        if not len(uniq):
            continue
        pos = np.minimum(np.searchsorted(uniq, hashed), len(uniq) - 1)
        out[todo] = (uniq[pos] == hashed) & (last_ts[pos] > ts[hits[todo]])
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
