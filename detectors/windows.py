"""Per-flow hourly windows and what is normal for them, computed from the baseline period.

Baseline: the first `baseline_days` of the data (default: 7 days, or the first half of the data
when it covers less than 14 days). Detectors only judge the hours after it.

Expected volume of an hour: the median of the same hour of day over the baseline's weekdays
(or over its weekend days, for a weekend hour; none when the baseline has no such day). With one prior week that is five (or two)
observations per hour, robust to one odd day, and it carries nights, weekends and lunch dips
without alarms. Volume above normal (month-end peaks) is never an alarm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from odoo_triage.detectors.aggregates import hour_counts, sample_hash
from odoo_triage.detectors.calendar import BusinessCalendar, hourly_calendar
from odoo_triage.detectors.frame import ERROR, OK, RETRY
from odoo_triage.detectors.sketches import LatencyHours, hourly_quantile, sketch_rows

HOUR = 3600.0


def default_baseline_days(span_days: float, preferred: float) -> float:
    """`preferred` days (settings: 7) when the data covers at least twice that, else the first half of it."""
    return preferred if span_days >= 2 * preferred else span_days / 2


@dataclass
class Windows:
    hourly: pd.DataFrame  # flow, hour (epoch hours), volume, errors, retries, p95, coverage, expected, baseline
    baseline_end: float  # epoch seconds
    start: float
    end: float
    base_error_rate: dict[int, float]
    base_retry_rate: dict[int, float]
    base_p95: dict[int, tuple[float, float]]  # median of hourly p95s, MAD
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    # per-(flow, hour) latency sketches (sketches.py): the hourly p95s are theirs, slow calls are counted in them
    latency: LatencyHours = field(default_factory=lambda: LatencyHours(sketch_rows(
        np.array([], np.int32), np.array([], np.int64), np.array([], np.float64), 0.005), 0.005))


def aggregate_hours(events: pd.DataFrame) -> pd.DataFrame:
    """The heavy group-by: per (flow, hour) volume, errors, retries, p95 latency, latencies seen.

    Separate so that an engine (detectors/engines) can run it elsewhere, on any split of the events
    that keeps each (flow, hour) whole: the result of one group never depends on the others. Locally
    it runs flow by flow for the same reason: the group-by's working copies (hours, flags, latencies,
    sort orders: ~60 bytes an event) then exist for one flow at a time, not for every event at once."""
    flow = events["flow"].to_numpy()
    if len(flow) == 0 or int(flow.min()) == int(flow.max()):
        return _aggregate_part(events, slice(None))
    order = np.argsort(flow, kind="stable")  # each flow's rows, in event order
    bounds = np.searchsorted(flow[order], np.unique(flow), "left").tolist() + [len(flow)]
    parts = [_aggregate_part(events, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return pd.concat(parts)


def _aggregate_part(events: pd.DataFrame, rows: slice | np.ndarray) -> pd.DataFrame:
    """`aggregate_hours` over these rows (whole (flow, hour) groups)."""
    h = (events["ts"].to_numpy()[rows] // HOUR).astype(np.int64)
    st = events["status"].to_numpy()[rows]
    df = pd.DataFrame({
        "flow": events["flow"].to_numpy()[rows], "hour": h,
        "err": (st == ERROR).astype(np.int32),
        "rty": ((st == RETRY) | ((st == ERROR) & (events["retry"].to_numpy()[rows] > 0))).astype(np.int32),
        "lat": events["latency"].to_numpy()[rows].astype(np.float64),  # one dtype on every path (state, engines)
    })
    g = df.groupby(["flow", "hour"], sort=True)
    return pd.DataFrame({"volume": g.size(), "errors": g["err"].sum(), "retries": g["rty"].sum(),
                         "p95": g["lat"].quantile(0.95), "lat_n": g["lat"].count()})


def hourly_table(events: pd.DataFrame, flows: list[int], start: float, end: float,
                 aggregates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every flow x every hour from start to end, zeros where nothing happened. `aggregates`
    (indexed by flow, hour, as `aggregate_hours` returns them) when an engine computed them already."""
    agg = aggregate_hours(events) if aggregates is None else aggregates
    h0, h1 = int(start // HOUR), int(end // HOUR)
    full = pd.MultiIndex.from_product([flows, np.arange(h0, h1 + 1)], names=["flow", "hour"])
    agg = agg.reindex(full)
    counts = [c for c in ("volume", "errors", "retries", "lat_n", "ok_idem", "ok_corr") if c in agg.columns]
    agg[counts] = agg[counts].fillna(0).astype(np.int64)
    agg = agg.reset_index()
    # share of the hour inside the data (the first and last hours may be partial)
    hs = agg["hour"].to_numpy() * HOUR
    agg["coverage"] = np.clip((np.minimum(hs + HOUR, end) - np.maximum(hs, start)) / HOUR, 0.0, 1.0)
    hours = agg["hour"].to_numpy()
    agg["weekday"] = (hours // 24 + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
    agg["hod"] = hours % 24
    return agg


def build_windows(events: pd.DataFrame, flows: list[int], baseline_days: float | None,
                  calendar: BusinessCalendar | None = None, flow_names: list[str] | None = None,
                  preferred_baseline_days: float = 7.0, aggregates: pd.DataFrame | None = None,
                  latency: LatencyHours | None = None, accuracy: float = 0.005) -> Windows:
    """Hourly table and baseline expectations; the calendar's closed days (holidays) are judged like
    weekends, and its maintenance and closing-period hours never shape what is normal.

    `aggregates` and `latency` come from a bounded read (frame.EventFrame); without them they are computed
    from `events`, every event then, in the same way (hourly p95s from the latency sketch of `accuracy`)."""
    ts = events["ts"].to_numpy()
    if latency is None:
        latency = LatencyHours(sketch_rows(events["flow"].to_numpy(), (ts // HOUR).astype(np.int64),
                                           events["latency"].to_numpy(), accuracy), accuracy)
    if aggregates is None:
        aggregates = hour_counts({c: events[c].to_numpy() for c in events.columns})
    aggregates = aggregates.copy()
    if "ok_idem" not in aggregates.columns:  # an engine's or a saved state's counts: the keyed successes here
        keyed = hour_counts({c: events[c].to_numpy() for c in events.columns})[["ok_idem", "ok_corr"]]
        aggregates = aggregates.join(keyed, how="left")
    aggregates["p95"] = hourly_quantile(latency.rows, 0.95, latency.accuracy).reindex(aggregates.index).to_numpy()
    start, end = float(ts.min()), float(ts.max())
    span_days = (end - start) / 86400
    bdays = (default_baseline_days(span_days, preferred_baseline_days) if baseline_days is None
             else float(baseline_days))
    baseline_end = start + bdays * 86400
    hourly = hourly_table(events, flows, start, end, aggregates)
    hourly["baseline"] = hourly["hour"].to_numpy() * HOUR + HOUR <= baseline_end + 1e-6
    calendar = calendar or BusinessCalendar()
    names = flow_names or [str(f) for f in range(max(flows, default=-1) + 1)]
    marks = hourly_calendar(calendar, hourly, names)
    for col in marks.columns:
        hourly[col] = marks[col].to_numpy()
    hourly["weekend"] = (hourly["weekday"] >= 5) | hourly["closed"]

    base = hourly[hourly["baseline"] & (hourly["coverage"] >= 0.999) & ~hourly["maintenance"] & ~hourly["period"]]
    med = base.groupby(["flow", "weekend", "hod"])["volume"].median()
    key = pd.MultiIndex.from_arrays([hourly["flow"], hourly["weekend"], hourly["hod"]])
    # a kind of day the baseline never saw (a weekend, after a Monday-to-Wednesday baseline) has no
    # expectation: it is not judged on volume rather than judged against the wrong kind of day
    expected = med.reindex(key).to_numpy()
    hourly["expected"] = np.nan_to_num(expected, nan=0.0) * hourly["coverage"].to_numpy()

    b_all = hourly[hourly["baseline"]]
    sums = b_all.groupby("flow")[["volume", "errors", "retries"]].sum()
    base_error_rate, base_retry_rate, base_p95 = {}, {}, {}
    for f in flows:
        v, e, r = (sums.loc[f].tolist() if f in sums.index else (0, 0, 0))
        # a little prior so a flow with no baseline errors is not "infinitely" surprised by one
        base_error_rate[f] = (e + 0.5) / (v + 50)
        base_retry_rate[f] = (r + 0.5) / (v + 50)
        p = b_all[(b_all["flow"] == f) & (b_all["lat_n"] >= 10)]["p95"].dropna().to_numpy()
        if len(p):
            m = float(np.median(p))
            base_p95[f] = (m, float(np.median(np.abs(p - m))))
    return Windows(hourly=hourly, baseline_end=baseline_end, start=start, end=end,
                   base_error_rate=base_error_rate, base_retry_rate=base_retry_rate, base_p95=base_p95,
                   calendar=calendar, latency=latency)


def events_between_count(win: Windows, flow: int, ts: np.ndarray, file: np.ndarray, line: np.ndarray, t0: float,
                         t1: float, per_hour: int) -> int:
    """Events of a flow from t0 to t1 (both included), given the flow's events in the table (times, files, lines):
    counted in hours the table holds whole (no more than `per_hour` events: aggregates.py), estimated in the
    others from the hour's sample (its `per_hour` events of smallest hash: a uniform sample) times its volume."""
    h = win.hourly
    h = h[(h["flow"] == flow) & (h["hour"] >= int(t0 // HOUR)) & (h["hour"] <= int(t1 // HOUR))]
    total = 0.0
    for hour, vol in zip(h["hour"].tolist(), h["volume"].tolist(), strict=True):
        lo, hi = max(t0, hour * HOUR), min(t1, (hour + 1) * HOUR)
        rows = (ts >= hour * HOUR) & (ts < (hour + 1) * HOUR)
        inside = (ts[rows] >= lo) & (ts[rows] <= hi)
        if vol <= per_hour:
            total += int(inside.sum())
            continue
        order = np.argsort(sample_hash(file[rows], line[rows]), kind="stable")[:per_hour]
        total += vol * float(inside[order].mean()) if len(order) else 0.0
    return int(round(total))


def runs(mask: np.ndarray, max_gap: int = 0) -> list[tuple[int, int]]:
    """(first, last) index of each run of True, joining runs separated by at most max_gap Falses."""
    idx = np.flatnonzero(mask)
    if not len(idx):
        return []
    out: list[tuple[int, int]] = []
    s = p = int(idx[0])
    for i in idx[1:].tolist():
        if i - p > max_gap + 1:
            out.append((s, p))
            s = i
        p = i
    out.append((s, p))
    return out


__all__ = ["ERROR", "HOUR", "events_between_count", "OK", "RETRY", "Windows", "aggregate_hours", "build_windows", "default_baseline_days", "hourly_table", "runs"]
