"""Silent flows and volume drops: fewer events than the same hours of the baseline week promise.

Only drops are judged (a month-end peak is business, not an outage). A silent flow is a run of
hours with zero events where the baseline expected enough that silence is not chance
(Poisson: P(0) = exp(-expected)); a volume drop is a run of at least two hours well under half
the expectation, with a Poisson tail below 1e-6.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly
from odoo_triage.detectors.windows import HOUR, runs


def volume_anomalies(ctx: Context) -> list[Anomaly]:
    out = []
    for f in ctx.flows:
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        obs, exp = h["volume"].to_numpy(), h["expected"].to_numpy()
        idx_all, ts_all = ctx.flow_events(f)
        silent = (obs == 0) & (exp > 0)
        silent_hours = np.zeros(len(h), dtype=bool)
        for a, b in runs(silent):
            e = float(exp[a:b + 1].sum())
            if e * ctx.cfg.volume_slack < ctx.cfg.silent_min_expected:
                continue
            silent_hours[a:b + 1] = True
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            k0 = np.searchsorted(ts_all, t0, "left")  # first event at/after t0
            k1 = np.searchsorted(ts_all, t1, "left")
            start = float(ts_all[k0 - 1]) if k0 > 0 else t0
            end = float(ts_all[k1]) if k1 < len(ts_all) else t1
            evidence = np.array([idx_all[k0 - 1]] if k0 > 0 else [], dtype=np.int64)
            if k1 < len(ts_all):
                evidence = np.append(evidence, idx_all[k1])
            reason = (f"no events for {duration(end - start)} in {ctx.name(f)}, expected about {e:.0f} from the "
                      f"same hours of the baseline week; last event before the gap and first after it cited")
            out.append(make_anomaly(ctx, AnomalyKind.silent_flow, f, start, end,
                                    0.6 + 0.4 * min(1.0, e / 100), reason, evidence,
                                    metrics={"expected_events": e, "observed_events": 0,
                                             "silent_hours": float(b - a + 1)}))
        low = (obs < 0.5 * exp) & (exp >= 5) & ~silent_hours
        for a, b in runs(low):
            if b - a + 1 < 2:
                continue
            o, e = float(obs[a:b + 1].sum()), float(exp[a:b + 1].sum())
            p = float(poisson.cdf(o, ctx.cfg.volume_slack * e))
            if p >= ctx.cfg.volume_drop_p:
                continue
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            reason = (f"volume {o:.0f} events vs about {e:.0f} expected ({o / e:.0%}) for {duration(t1 - t0)} in "
                      f"{ctx.name(f)}, judged against the same hours of the baseline week")
            out.append(make_anomaly(ctx, AnomalyKind.volume_drop, f, t0, t1, 0.5 + 0.5 * (1 - o / e), reason, idx,
                                    metrics={"expected_events": e, "observed_events": o, "p_value": p}))
    return out
