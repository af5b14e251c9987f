"""Silent flows and volume drops: fewer events than the same hours of the baseline week promise.

Only drops are judged (a month-end peak is business, not an outage). A silent flow is a run of
hours with zero events where the baseline expected enough that silence is not chance
(Poisson: P(0) = exp(-expected)); a volume drop is a run of at least two hours well under half
the expectation, with a Poisson tail below 1e-6. Hours the business calendar calls quiet
(maintenance windows, closing periods a flow may be quiet in) are never judged; holidays carry
the weekend expectation (windows.py).

Bursty flows (a few expense reports a day, payroll batches) are judged in their own units, not
events: one unit is a burst of events no more than `burst_gap_s` apart. Silence is then the
chance of no unit at all over the run under a negative binomial fitted to the baseline's daily
unit counts (Poisson when they are not over-dispersed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.checks import dist
from odoo_triage.detectors.checks.base import Context, duration, make_anomaly, to_dt
from odoo_triage.detectors.windows import HOUR, runs


def unit_starts(ts: np.ndarray, gap_s: float) -> np.ndarray:
    """Start times of a flow's units: a new unit begins after a pause longer than gap_s."""
    if not len(ts):
        return ts
    return ts[np.concatenate([[True], np.diff(ts) > gap_s])]


def is_bursty(ctx: Context, flow: int) -> bool:
    """Declared (flows.json `unit` other than "event"), or seen: most baseline business hours are
    empty and events come several to a unit."""
    if ctx.win.calendar.unit_of(ctx.name(flow)) != "event":
        return True
    h = ctx.win.hourly
    base = h[(h["flow"] == flow) & h["baseline"] & (h["coverage"] >= 0.999) & ~h["weekend"]]
    if len(base) < 24:
        return False
    _, ts = ctx.flow_events(flow)
    ts = ts[ts < ctx.win.baseline_end]
    units = unit_starts(ts, ctx.volume.burst_gap_s)
    return bool((base["volume"] == 0).mean() >= 0.5 and len(units) <= ctx.volume.bursty_units_per_event * len(ts))


def source_end(ctx: Context, flow: int) -> float:
    """Where the data of a flow's sources ends: the last event of any file that carries the flow.

    After it nothing can be said about the flow: the export (or the copied log) stops there, and a
    silence no later line of its own sources bounds is the end of the file, not an outage. A file that
    carries this flow alone says nothing of the kind: its last line is the flow's own last event, and a
    flow that stopped for good must still be found silent up to the end of the data."""
    idx, _ = ctx.flow_events(flow)
    if not len(idx):
        return ctx.win.end
    ends, shared = ctx.file_ends(), ctx.shared_files()
    return float(max(ends[f] if f in shared else ctx.win.end for f in np.unique(ctx.col("file")[idx]).tolist()))


def judged_until(ctx: Context, flow: int, h: pd.DataFrame) -> np.ndarray:
    """Hours of `h` that end before the flow's sources do (all of them with `silence_until_source_end` off)."""
    if not ctx.volume.silence_until_source_end:
        return np.ones(len(h), dtype=bool)
    return (h["hour"].to_numpy() + 1) * HOUR <= source_end(ctx, flow) + 1e-6


def _silence_evidence(ctx: Context, f: int, t0: float, t1: float) -> tuple[float, float, np.ndarray]:
    """(last event before, first event after, their indices): what bounds a silent run (never past the data)."""
    idx_all, ts_all = ctx.flow_events(f)
    k0 = np.searchsorted(ts_all, t0, "left")  # first event at/after t0
    k1 = np.searchsorted(ts_all, t1, "left")
    start = float(ts_all[k0 - 1]) if k0 > 0 else t0
    end = float(ts_all[k1]) if k1 < len(ts_all) else min(t1, ctx.win.end)
    evidence = np.array([idx_all[k0 - 1]] if k0 > 0 else [], dtype=np.int64)
    if k0 > 0:
        evidence = np.append(_errors_before(ctx, idx_all[:k0], ts_all[:k0]), evidence)
    if k1 < len(ts_all):
        evidence = np.append(evidence, idx_all[k1])
    return start, end, evidence


def _unit_expectation(ctx: Context, f: int, h: pd.DataFrame, starts: np.ndarray) -> tuple[np.ndarray, float]:
    """Expected units per detection hour (mean over the baseline's days of that kind, same hour of
    day) and the negative-binomial size r of the baseline's daily unit counts (inf = Poisson)."""
    hw = ctx.win.hourly
    base = hw[(hw["flow"] == f) & hw["baseline"] & (hw["coverage"] >= 0.999) & ~hw["maintenance"] & ~hw["period"]]
    counts = pd.Series(starts // HOUR).astype(np.int64).value_counts()
    units = counts.reindex(base["hour"].to_numpy()).fillna(0).to_numpy()
    frame = pd.DataFrame({"weekend": base["weekend"].to_numpy(), "hod": base["hod"].to_numpy(),
                          "day": base["hour"].to_numpy() // 24, "units": units})
    if frame.empty:
        return np.zeros(len(h)), float("inf")
    days = frame.groupby("weekend")["day"].nunique()
    sums = frame.groupby(["weekend", "hod"])["units"].sum()
    mean = sums / days.reindex(sums.index.get_level_values(0)).to_numpy()
    key = pd.MultiIndex.from_arrays([h["weekend"], h["hod"]])
    exp = np.nan_to_num(mean.reindex(key).to_numpy(), nan=0.0) * h["coverage"].to_numpy()
    daily = frame[~frame["weekend"]].groupby("day")["units"].sum().to_numpy()
    r = float("inf")
    if len(daily) >= 3:
        m, v = float(daily.mean()), float(daily.var(ddof=1))
        if v > m > 0:
            r = m * m / (v - m)
    return exp, r


def _p_zero(mu: float, r: float) -> float:
    return float(dist.poisson_pmf0(mu)) if not np.isfinite(r) else float(dist.nbinom_pmf0(r, r / (r + mu)))


def _unit_anomalies(ctx: Context, f: int, h: pd.DataFrame) -> list[Anomaly]:
    vs = ctx.volume
    unit = ctx.win.calendar.unit_of(ctx.name(f))
    unit = "unit" if unit == "event" else unit
    _, ts_all = ctx.flow_events(f)
    starts = unit_starts(ts_all, vs.burst_gap_s)
    exp, r = _unit_expectation(ctx, f, h, starts)
    obs = h["volume"].to_numpy()
    # runs of empty hours, nights included: a flow of a few reports a day is silent over days, not hours
    silent = (obs == 0) & ~h["quiet"].to_numpy() & judged_until(ctx, f, h)
    out = []
    silent_days: set[int] = set()
    for a, b in runs(silent):
        mu = float(exp[a:b + 1].sum())
        if mu <= 0:
            continue
        p0 = _p_zero(vs.slack * mu, r)
        if p0 >= vs.unit_silent_p:
            continue
        t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
        start, end, evidence = _silence_evidence(ctx, f, t0, t1)
        reason = (f"no {unit} for {duration(end - start)} in {ctx.name(f)}, about {mu:.1f} expected from the baseline "
                  f"(chance of none {p0:.1e}, negative binomial on daily {unit} counts); last event before the gap "
                  f"and first after it cited")
        out.append(make_anomaly(ctx, AnomalyKind.silent_flow, f, start, end, 0.6 + 0.4 * min(1.0, -np.log10(p0) / 12),
                                reason, evidence, metrics={"expected_units": mu, "observed_units": 0, "p_zero": p0,
                                                           "silent_hours": float(b - a + 1)}))
        silent_days.update((h["hour"].iloc[a:b + 1] // 24).tolist())
    out.extend(_unit_drops(ctx, f, h, starts, exp, r, silent_days, unit))
    return out


def _plural(unit: str) -> str:
    return unit + ("es" if unit.endswith(("s", "x", "ch", "sh")) else "s")


def _unit_drops(ctx: Context, f: int, h: pd.DataFrame, starts: np.ndarray, exp: np.ndarray, r: float,
                silent_days: set[int], unit: str) -> list[Anomaly]:
    """Whole days (fully inside the data, no quiet hour) with far fewer units than expected: under half,
    with a negative-binomial tail below `drop_p`. Judged per day: a bursty flow's hours are too noisy."""
    vs = ctx.volume
    day = (h["hour"].to_numpy() // 24)
    full = h.groupby(day)["coverage"].transform("min").to_numpy() >= 0.999
    quiet_day = h.groupby(day)["quiet"].transform("max").to_numpy().astype(bool)
    per_hour = pd.Series(starts // HOUR).astype(np.int64).value_counts()
    units = per_hour.reindex(h["hour"].to_numpy()).fillna(0).to_numpy()
    out = []
    for d in np.unique(day[full & ~quiet_day]).tolist():
        if d in silent_days:
            continue
        rows = day == d
        mu, o = float(exp[rows].sum()), float(units[rows].sum())
        if mu <= 0 or o >= 0.5 * mu:
            continue
        m = vs.slack * mu
        p = float(dist.poisson_cdf(o, m)) if not np.isfinite(r) else float(dist.nbinom_cdf(o, r, r / (r + m)))
        if p >= vs.drop_p:
            continue
        t0, t1 = d * 24 * HOUR, (d + 1) * 24 * HOUR
        idx = ctx.events_between(f, t0, t1)
        reason = (f"{o:.0f} {_plural(unit)} vs about {mu:.0f} expected ({o / mu:.0%}) on {to_dt(t0):%Y-%m-%d} in {ctx.name(f)} "
                  f"(chance {p:.1e}, negative binomial on the baseline's daily {unit} counts)")
        out.append(make_anomaly(ctx, AnomalyKind.volume_drop, f, t0, t1, 0.5 + 0.5 * (1 - o / mu), reason, idx,
                                metrics={"expected_units": mu, "observed_units": o, "p_value": p}))
    return out


def _errors_before(ctx: Context, idx: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """The errors a flow logged just before it fell silent on an error (the error it died on, then "task is
    being killed"): the last event of each distinct error template within `silence_cause_lookback_s` of the last
    event, at most `silence_cause_errors`, the last event itself excluded (it is cited anyway)."""
    n = ctx.volume.silence_cause_errors
    if n <= 0 or len(idx) < 2:
        return np.array([], dtype=np.int64)
    last_cl = int(ctx.col("cluster")[idx[-1]])
    if last_cl < 0:  # the flow's last word was not an error: whatever failed before did not end it
        return np.array([], dtype=np.int64)
    lo = int(np.searchsorted(ts, ts[-1] - ctx.volume.silence_cause_lookback_s, "left"))
    near = idx[lo:-1]
    cl = ctx.col("cluster")[near]
    picked: list[int] = []
    seen = {last_cl}
    for i, c in zip(near[::-1].tolist(), cl[::-1].tolist(), strict=True):  # newest first
        if c >= 0 and c not in seen:
            seen.add(int(c))
            picked.append(int(i))
            if len(picked) >= n:
                break
    return np.array(picked[::-1], dtype=np.int64)


def volume_anomalies(ctx: Context) -> list[Anomaly]:
    out = []
    slack, min_expected, drop_p = ctx.volume.slack, ctx.volume.silent_min_expected, ctx.volume.drop_p
    for f in ctx.flows:
        h = ctx.detection_hours(f)
        if h.empty:
            continue
        if is_bursty(ctx, f):
            out.extend(_unit_anomalies(ctx, f, h))
            continue
        obs, exp = h["volume"].to_numpy(), h["expected"].to_numpy()
        judged = ~h["quiet"].to_numpy() & judged_until(ctx, f, h)
        silent = (obs == 0) & (exp > 0) & judged
        silent_hours = np.zeros(len(h), dtype=bool)
        for a, b in runs(silent):
            e = float(exp[a:b + 1].sum())
            if e * slack < min_expected:
                continue
            silent_hours[a:b + 1] = True
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            start, end, evidence = _silence_evidence(ctx, f, t0, t1)
            reason = (f"no events for {duration(end - start)} in {ctx.name(f)}, expected about {e:.0f} from the "
                      f"same hours of the baseline week; last event before the gap (and the errors just before it) and "
                      f"first after it cited")
            out.append(make_anomaly(ctx, AnomalyKind.silent_flow, f, start, end,
                                    0.6 + 0.4 * min(1.0, e / 100), reason, evidence,
                                    metrics={"expected_events": e, "observed_events": 0,
                                             "silent_hours": float(b - a + 1)}))
        low = (obs < 0.5 * exp) & (exp >= 5) & ~silent_hours & judged
        for a, b in runs(low):
            if b - a + 1 < 2:
                continue
            o, e = float(obs[a:b + 1].sum()), float(exp[a:b + 1].sum())
            p = float(dist.poisson_cdf(o, slack * e))
            if p >= drop_p:
                continue
            t0, t1 = h["hour"].iat[a] * HOUR, (h["hour"].iat[b] + 1) * HOUR
            idx = ctx.events_between(f, t0, t1)
            reason = (f"volume {o:.0f} events vs about {e:.0f} expected ({o / e:.0%}) for {duration(t1 - t0)} in "
                      f"{ctx.name(f)}, judged against the same hours of the baseline week")
            out.append(make_anomaly(ctx, AnomalyKind.volume_drop, f, t0, t1, 0.5 + 0.5 * (1 - o / e), reason, idx,
                                    metrics={"expected_events": e, "observed_events": o, "p_value": p}))
    return out
