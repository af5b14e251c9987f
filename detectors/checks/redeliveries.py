"""Duplicate deliveries: one idempotency key (or correlation id) processed successfully twice.

A delivery the sender stopped waiting for (a gateway timeout: 408, 504, 524) counts as processed: the
receiver often finished the work after the sender gave up, which is why the sender redelivered it.
A repeat is judged in the detection period; repeats close in time form one anomaly. A flow whose
baseline already repeats correlation ids routinely (more than 1% of its successes) is not judged
on them: there they name a conversation, not a message.

One delivery often writes several lines (received, then booked; an action and its run) that share the
idempotency key and the run's correlation id: those are one delivery, processed when none of its lines
failed (an attempt that failed and was retried later is the sender's retry, not a redelivery). A
repeat later than `redelivery_max_hours` after the first delivery is no redelivery: senders retry for
hours to days (Stripe for three days), a key seen again weeks later is reused, not redelivered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, time_clusters
from odoo_triage.detectors.frame import GATEWAY_TIMEOUTS, OK
from odoo_triage.detectors.windows import HOUR


def one_line_per_delivery(ev: pd.DataFrame, judged: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """`judged` with the lines of one delivery (same flow, idempotency key and correlation id) down to its
    first, and without the deliveries that failed: a run (flow and correlation id) of one key with a failed
    line (the frame keeps no key on failed lines). Lines without a correlation id stay as they are."""
    corr, idem = ev["corr"].to_numpy(), ev["idem"].to_numpy()
    in_run = np.flatnonzero(corr != 0)
    if not len(in_run):
        return judged
    runs_ = pd.DataFrame({"f": ev["flow"].to_numpy()[in_run], "c": corr[in_run], "k": idem[in_run],
                          "bad": ~ok[in_run]})
    run_no = runs_.groupby(["f", "c"], sort=False).ngroup().to_numpy()
    runs_["r"] = run_no
    keyed = runs_[runs_["k"] != 0]
    one_key = keyed.groupby("r")["k"].nunique().reindex(range(int(run_no.max()) + 1)).fillna(0).to_numpy() == 1
    failed = runs_.groupby("r")["bad"].any().to_numpy() & one_key
    out = judged.copy()
    out[in_run[failed[run_no]]] = False
    kept = in_run[out[in_run]]
    again = pd.DataFrame({"r": run_no[out[in_run]], "k": idem[kept]}).duplicated().to_numpy()
    out[kept[again]] = False
    return out


def duplicate_deliveries(ctx: Context) -> list[Anomaly]:
    ev = ctx.frame.events
    out: list[Anomaly] = []
    timed_out = np.isin(ev["http"].to_numpy(), GATEWAY_TIMEOUTS)
    ok = (ev["status"].to_numpy() == OK) | timed_out
    base_end = ctx.win.baseline_end
    gap = ctx.cfg.redelivery_gap_hours * HOUR
    base_days = max((base_end - ctx.win.start) / 86400, 1e-9)
    for key_col, label in (("idem", "idempotency key"), ("corr", "correlation id")):
        keys = ev[key_col].to_numpy()
        judged = ok & (keys != 0)
        if set(ctx.flows) != set(range(len(ctx.frame.flows))):  # some flows only (--flow)
            judged &= np.isin(ev["flow"].to_numpy(), ctx.flows)
        if key_col == "idem":
            judged = one_line_per_delivery(ev, judged, ok)
        sel = np.flatnonzero(judged)
        if not len(sel):
            continue
        flow_all, ts_all = ev["flow"].to_numpy(), ev["ts"].to_numpy()
        # per flow, its successes with a key (and those in the baseline), counted in the hourly aggregates
        # (the table keeps only the successes whose key repeats); the hour holding the baseline's end pro rata
        n_flow = max(int(flow_all.max()) + 1, len(ctx.frame.flows), 1)
        hw = ctx.win.hourly
        h_flow, h_ok = hw["flow"].to_numpy(), hw["ok_idem" if key_col == "idem" else "ok_corr"].to_numpy()
        before = np.clip((base_end - hw["hour"].to_numpy() * HOUR) / HOUR, 0.0, 1.0)
        ok_count = np.bincount(h_flow, weights=h_ok, minlength=n_flow).round().astype(np.int64)
        base_ok_count = np.bincount(h_flow, weights=h_ok * before, minlength=n_flow)
        # only keys seen more than once can repeat: a hash pass keeps them, the sort runs on those alone
        # (a subset of whole key groups keeps its order in the sort, so nothing else changes)
        sel = sel[pd.Series(keys[sel]).duplicated(keep=False).to_numpy()]  # one hash pass (an Index checks uniqueness first)
        if not len(sel):
            continue
        # one stable lexsort on the numpy columns (flow, key, time): ties keep event order, as before
        order0 = np.lexsort((ts_all[sel], keys[sel], flow_all[sel]))
        d_i = sel[order0]
        d_flow, d_key, d_ts = flow_all[d_i], keys[d_i], ts_all[d_i]
        new_group = np.ones(len(d_i), dtype=bool)
        new_group[1:] = (d_flow[1:] != d_flow[:-1]) | (d_key[1:] != d_key[:-1])
        repeat = ~new_group
        if not repeat.any():
            continue
        starts = np.flatnonzero(new_group)
        group = np.cumsum(new_group) - 1
        first_ts = np.fmin.reduceat(d_ts, starts)[group]  # fmin: a missing time is skipped, as pandas' min
        first_i = d_i[starts][group]
        repeat &= ~(d_ts - first_ts > ctx.cfg.redelivery_max_hours * HOUR)
        for f in np.unique(d_flow[repeat]).tolist():
            in_flow = d_flow == f
            ok_f = int(ok_count[f])
            rep_f = repeat & in_flow
            base_rep = rep_f & (d_ts < base_end)
            base_ok = float(base_ok_count[f])
            if key_col == "corr" and base_ok and base_rep.sum() > 0.01 * base_ok:
                continue
            per_day = base_rep.sum() / base_days
            pick = np.flatnonzero(rep_f & (d_ts >= base_end))
            if not len(pick):
                continue
            order = pick[np.argsort(d_ts[pick], kind="stable")]
            times = d_ts[order]
            for a, b in time_clusters(times, gap):
                rows = order[a:b + 1]
                if len(rows) < max(1, 3 * per_day):
                    continue
                twins_ts = first_ts[rows]
                start = float(max(min(twins_ts.min(), times[a]), times[a] - gap))
                end = float(times[b])
                pairs = np.ravel(np.column_stack([first_i[rows], d_i[rows]]))
                gaps = d_ts[rows] - twins_ts
                example = ctx.frame.log_event(int(d_i[rows[0]]))
                ex_key = (example.idempotency_key if key_col == "idem" else example.correlation_id) if example else None
                first = ctx.frame.log_event(int(first_i[rows[0]]))
                recs = ""
                if example and first and (first.record_ids or example.record_ids):
                    recs = f" -> {', '.join(first.record_ids[:2])} and {', '.join(example.record_ids[:2])}"
                reason = (f"{len(rows)} message(s) processed successfully twice (same {label}, median "
                          f"{duration(float(np.median(gaps)))} apart) within {duration(end - start)} in "
                          f"{ctx.name(f)}; e.g. {ex_key}{recs}")
                out.append(make_anomaly(
                    ctx, AnomalyKind.duplicate_delivery, f, start, end, 0.55 + 0.45 * min(1.0, len(rows) / 10),
                    reason, np.sort(pairs[:ctx.cfg.evidence_per_finding]),
                    metrics={"duplicates": len(rows), "baseline_duplicates_per_day": per_day,
                             "ok_events": ok_f},
                    remedy=pairs))
    return out
