"""Duplicate deliveries: one idempotency key (or correlation id) processed successfully twice.

A repeat is judged in the detection period; repeats close in time form one anomaly. A flow whose
baseline already repeats correlation ids routinely (more than 1% of its successes) is not judged
on them: there they name a conversation, not a message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, time_clusters
from odoo_triage.detectors.frame import OK
from odoo_triage.detectors.windows import HOUR


def duplicate_deliveries(ctx: Context) -> list[Anomaly]:
    ev = ctx.frame.events
    out: list[Anomaly] = []
    ok = ev["status"].to_numpy() == OK
    base_end = ctx.win.baseline_end
    gap = ctx.cfg.redelivery_gap_hours * HOUR
    base_days = max((base_end - ctx.win.start) / 86400, 1e-9)
    for key_col, label in (("idem", "idempotency key"), ("corr", "correlation id")):
        keys = ev[key_col].to_numpy()
        sel = np.flatnonzero(ok & (keys != 0) & np.isin(ev["flow"].to_numpy(), ctx.flows))
        if not len(sel):
            continue
        d = pd.DataFrame({"i": sel, "flow": ev["flow"].to_numpy()[sel], "key": keys[sel], "ts": ev["ts"].to_numpy()[sel]})
        d = d.sort_values(["flow", "key", "ts"], kind="stable")
        repeat = d.duplicated(["flow", "key"], keep="first").to_numpy()
        if not repeat.any():
            continue
        first_ts = d.groupby(["flow", "key"])["ts"].transform("min").to_numpy()
        first_i = d.groupby(["flow", "key"])["i"].transform("first").to_numpy()
        for f in np.unique(d["flow"].to_numpy()[repeat]).tolist():
            in_flow = d["flow"].to_numpy() == f
            ok_f = int(in_flow.sum())
            rep_f = repeat & in_flow
            base_rep = rep_f & (d["ts"].to_numpy() < base_end)
            base_ok = int((in_flow & (d["ts"].to_numpy() < base_end)).sum())
            if key_col == "corr" and base_ok and base_rep.sum() > 0.01 * base_ok:
                continue
            per_day = base_rep.sum() / base_days
            pick = np.flatnonzero(rep_f & (d["ts"].to_numpy() >= base_end))
            if not len(pick):
                continue
            order = pick[np.argsort(d["ts"].to_numpy()[pick], kind="stable")]
            times = d["ts"].to_numpy()[order]
            for a, b in time_clusters(times, gap):
                rows = order[a:b + 1]
                if len(rows) < max(1, 3 * per_day):
                    continue
                twins_ts = first_ts[rows]
                start = float(max(min(twins_ts.min(), times[a]), times[a] - gap))
                end = float(times[b])
                pairs = np.ravel(np.column_stack([first_i[rows], d["i"].to_numpy()[rows]]))
                gaps = d["ts"].to_numpy()[rows] - twins_ts
                example = ctx.frame.log_event(int(d["i"].to_numpy()[rows[0]]))
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
