"""Latency as a mergeable, bounded sketch: log-bucketed counts per (flow, hour) (DDSketch's buckets).

A latency x > 0 falls in bucket b = ceil(log(x) / log(g)), g = (1 + a) / (1 - a), and stands for
2 g^b / (g + 1): within a relative error `a` (settings: detectors.latency_sketch_accuracy, 0.5%) of
every value of its bucket. Counts of two sketches add, so chunks, files and hours merge exactly; the
size is bounded by the buckets a flow's latencies span (~log(max/min) / 2a: ~700 from 1 ms to 1 min),
not by the calls. Quantiles interpolate between order statistics as numpy's default does, each
order statistic taken as its bucket's value: within `a` of the exact quantile. Latencies <= 0 share
one bucket worth 0; missing ones (NaN) are not timed and count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ZERO_BUCKET = -(1 << 30)  # latencies <= 0
SKETCH_COLUMNS = ("flow", "hour", "bucket", "n")


def _log_gamma(accuracy: float) -> float:
    return float(np.log((1 + accuracy) / (1 - accuracy)))


def buckets(lat: np.ndarray, accuracy: float) -> np.ndarray:
    """Bucket of each (finite) latency."""
    x = np.asarray(lat, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.ceil(np.log(x) / _log_gamma(accuracy))
    b = np.where(x > 0, b, ZERO_BUCKET)
    return b.astype(np.int32)


def values(b: np.ndarray, accuracy: float) -> np.ndarray:
    """The value a bucket stands for."""
    g = (1 + accuracy) / (1 - accuracy)
    b = np.asarray(b)
    return np.where(b == ZERO_BUCKET, 0.0, 2.0 * np.exp(b.astype(np.float64) * np.log(g)) / (g + 1))


def sketch_rows(flow: np.ndarray, hour: np.ndarray, lat: np.ndarray, accuracy: float) -> pd.DataFrame:
    """(flow, hour, bucket, n) of these events' timed calls, sorted."""
    timed = np.isfinite(lat)
    df = pd.DataFrame({"flow": flow[timed].astype(np.int32), "hour": hour[timed].astype(np.int64),
                       "bucket": buckets(lat[timed], accuracy)})
    return df.groupby(["flow", "hour", "bucket"], sort=True).size().rename("n").reset_index()


def merge_rows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Sketch rows of several parts, counts added."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({"flow": np.array([], np.int32), "hour": np.array([], np.int64),
                             "bucket": np.array([], np.int32), "n": np.array([], np.int64)})
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts).groupby(["flow", "hour", "bucket"], sort=True)["n"].sum().reset_index()


def _quantile_sorted(b: np.ndarray, n: np.ndarray, q: float, accuracy: float) -> float:
    """Quantile q of one sketch given as sorted buckets and their counts (NaN when empty)."""
    total = int(n.sum())
    if total == 0:
        return float("nan")
    cum = np.cumsum(n)
    r = q * (total - 1)
    j0, j1 = int(np.floor(r)), int(np.ceil(r))
    v0, v1 = values(b[np.searchsorted(cum, [j0 + 1, j1 + 1])], accuracy)
    return float(v0 + (r - j0) * (v1 - v0))


def hourly_quantile(rows: pd.DataFrame, q: float, accuracy: float) -> pd.Series:
    """Quantile q of each (flow, hour) of sorted sketch rows, indexed by (flow, hour)."""
    if rows.empty:
        return pd.Series([], dtype=np.float64, index=pd.MultiIndex.from_arrays(
            [np.array([], np.int32), np.array([], np.int64)], names=["flow", "hour"]))
    flow, hour = rows["flow"].to_numpy(), rows["hour"].to_numpy()
    n = rows["n"].to_numpy().astype(np.int64)
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (flow[1:] != flow[:-1]) | (hour[1:] != hour[:-1])
    starts = np.flatnonzero(new)
    cum = np.cumsum(n)
    before = cum[starts] - n[starts]  # calls of the earlier groups
    total = np.add.reduceat(n, starts)
    r = q * (total - 1)
    j0, j1 = np.floor(r), np.ceil(r)
    b = rows["bucket"].to_numpy()
    v0 = values(b[np.searchsorted(cum, before + j0 + 1)], accuracy)
    v1 = values(b[np.searchsorted(cum, before + j1 + 1)], accuracy)
    return pd.Series(v0 + (r - j0) * (v1 - v0), index=pd.MultiIndex.from_arrays(
        [flow[starts], hour[starts]], names=["flow", "hour"]))


@dataclass
class LatencyHours:
    """Per-(flow, hour) latency sketches, as the latency check asks them: pooled over hours, counted
    above a threshold, a quantile of a run of hours."""

    rows: pd.DataFrame  # flow, hour, bucket, n (sorted)
    accuracy: float
    _by_flow: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rows.empty:
            return
        flow = self.rows["flow"].to_numpy()
        bounds = np.flatnonzero(np.diff(flow)) + 1
        cuts = [0, *bounds.tolist(), len(flow)]
        hour, b, n = (self.rows[c].to_numpy() for c in ("hour", "bucket", "n"))
        for a, z in zip(cuts[:-1], cuts[1:], strict=True):
            self._by_flow[int(flow[a])] = (hour[a:z], b[a:z], n[a:z].astype(np.int64))

    def _select(self, flow: int, hours: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        h, b, n = self._by_flow.get(flow, (np.array([], np.int64), np.array([], np.int32), np.array([], np.int64)))
        if hours is None:
            return h, b, n
        keep = np.isin(h, hours)
        return h[keep], b[keep], n[keep]

    def pooled(self, flow: int, hours: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(buckets, counts) of these hours (all: None) merged, buckets sorted."""
        _, b, n = self._select(flow, hours)
        if not len(b):
            return b, n
        ub, inv = np.unique(b, return_inverse=True)
        return ub, np.bincount(inv, weights=n, minlength=len(ub)).astype(np.int64)

    def count(self, flow: int, hours: np.ndarray | None = None) -> int:
        return int(self._select(flow, hours)[2].sum())

    def count_at_least(self, flow: int, threshold: float, hours: np.ndarray | None = None) -> int:
        """Timed calls of these hours whose bucket stands for `threshold` or more."""
        _, b, n = self._select(flow, hours)
        return int(n[values(b, self.accuracy) >= threshold].sum())

    def at_least_by_hour(self, flow: int, hours: np.ndarray, threshold: float) -> np.ndarray:
        """For each of `hours` (sorted, unique): timed calls whose bucket stands for `threshold` or more."""
        h, b, n = self._select(flow, hours)
        slow = values(b, self.accuracy) >= threshold
        pos = np.searchsorted(hours, h[slow])
        return np.bincount(pos, weights=n[slow], minlength=len(hours))

    def quantile(self, flow: int, q: float, hours: np.ndarray | None = None) -> float:
        b, n = self.pooled(flow, hours)
        return _quantile_sorted(b, n, q, self.accuracy)


__all__ = ["SKETCH_COLUMNS", "ZERO_BUCKET", "LatencyHours", "buckets", "hourly_quantile", "merge_rows",
           "sketch_rows", "values"]
