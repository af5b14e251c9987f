"""New error signatures: an error template of a flow never seen in that flow's baseline, seen at
least `new_signature_min_count` times close together (settings) (one stray message is not an incident).
Server-down failures (`maintenance_http`) inside a maintenance window of the flow (configured or
announced) are what the window said would happen: they make no signature of their own. Any other
failure there still counts: an announcement is only a log line."""

from __future__ import annotations

import numpy as np

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, one_line, time_clusters
from odoo_triage.detectors.frame import OK
from odoo_triage.detectors.windows import HOUR


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
            later = later[~(inside & np.isin(ev["http"].to_numpy()[later], ctx.cfg.maintenance_http))]
        fresh = later[~np.isin(cl_all[later], list(known))] if known else later
        for c in np.unique(cl_all[fresh]).tolist():
            occ = fresh[cl_all[fresh] == c]
            for a, b in time_clusters(ts_all[occ], ctx.cfg.new_signature_gap_hours * HOUR):
                hits = occ[a:b + 1]
                if len(hits) < ctx.cfg.new_signature_min_count:
                    continue
                start, end = float(ts_all[hits[0]]), float(ts_all[hits[-1]])
                template = ctx.frame.miner.template(int(c))
                sig = ctx.frame.miner.signature_of_cluster(int(c))
                n_all = int(((ts_all[idx] >= start) & (ts_all[idx] <= end)).sum())
                reason = (f"new error signature in {ctx.name(f)}: {len(hits)} events in {duration(end - start)} "
                          f"({len(hits) / max(n_all, 1):.0%} of the flow), never seen in the baseline: "
                          f"{one_line(template)}")
                out.append(make_anomaly(
                    ctx, AnomalyKind.new_error_signature, f, start, end, 0.5 + 0.5 * min(1.0, len(hits) / 30),
                    reason, hits, signature=sig, metrics={"occurrences": len(hits), "events": n_all},
                    remedy=hits))
    return out
