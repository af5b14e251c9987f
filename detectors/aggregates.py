"""Bounded memory: each chunk of events is reduced at once into per-(flow, hour) aggregates and a
bounded table of the events the checks and remediations cite; no table of every event is built.

Aggregates per (flow, hour), added chunk by chunk: volume, errors, retries, timed calls, successes
with an idempotency key / a correlation id, and a latency sketch (detectors/sketches.py). Events
kept (`StreamReducer`), whatever the number read:
- every failed or retried event (the remediations need them all: failed queue.job uuids, records);
- per (flow, hour, file) its first and last event (silences, the end of each file, shared files);
- per (flow, hour) the `evidence_per_finding` slowest calls and the calls slower than every call before
  (or after) them in the hour, so the first and the last slow call of a latency shift are kept whatever
  its threshold; and a sample of `stream_events_per_hour` events (by a hash of file and line), which is
  every event of an hour that has no more;
- successes whose idempotency key or correlation id another event of the last `stream_keys_kept`
  keyed successes (or any failure) carries: re-deliveries and recovered retries, with their twins.
Each rule keeps of a union what it keeps of the parts kept (first/last, top-k, records, bottom-k
samples, with ties broken by arrival), so the table kept after many chunks is the one kept from all
events at once; only the key horizon depends on arrival order. Memory: flows x hours x
(sample + slowest + records + files) rows, plus failures, plus the key horizon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from odoo_triage.detectors.sketches import hourly_quantile, merge_rows, sketch_rows

HOUR = 3600.0
OK = 0
GATEWAY_TIMEOUTS = (408, 504, 524)
COUNT_COLUMNS = ("volume", "errors", "retries", "lat_n", "ok_idem", "ok_corr")

Part = dict[str, np.ndarray]
_EMPTY: Part = {"ts": np.array([], np.float64), "flow": np.array([], np.int32), "status": np.array([], np.int8),
                "http": np.array([], np.int16), "retry": np.array([], np.int16), "latency": np.array([], np.float32),
                "idem": np.array([], np.uint64), "corr": np.array([], np.uint64)}


def _concat(parts: Iterable[Part]) -> Part:
    parts = [p for p in parts if p and len(next(iter(p.values())))]
    if not parts:
        return {}
    if len(parts) == 1:
        return parts[0]
    return {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}


def _take(part: Part, idx: np.ndarray) -> Part:
    return {c: a[idx] for c, a in part.items()}


def _rows(part: Part) -> int:
    return len(part["ts"]) if part else 0


def _once(part: Part) -> Part:
    """Each event once, in arrival order: a row pinned after it was kept as a sample is there twice (the
    pinned copy stays), and a copy must not take another event's place in a sample or a top-k."""
    if not part:
        return part
    order = np.lexsort((~part["pinned"], part["seq"]))
    s = part["seq"][order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = s[1:] != s[:-1]
    return _take(part, order[first])


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64: a deterministic hash of 64-bit integers (the sample's order)."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def sample_hash(file: np.ndarray, line: np.ndarray) -> np.ndarray:
    """The order of an hour's sample: the events of smallest hash of (file, line) are a uniform sample."""
    return _mix((file.astype(np.uint64) << np.uint64(32)) | line.astype(np.uint64))


def hour_counts(part: Part) -> pd.DataFrame:
    """Per (flow, hour) of these events: the COUNT_COLUMNS (a partial sum)."""
    st, http = part["status"], part["http"]
    ok = (st == OK) | np.isin(http, GATEWAY_TIMEOUTS)
    df = pd.DataFrame({
        "flow": part["flow"], "hour": (part["ts"] // HOUR).astype(np.int64),
        "volume": np.ones(len(st), dtype=np.int64),
        "errors": (st == 1).astype(np.int64),
        "retries": ((st == 2) | ((st == 1) & (part["retry"] > 0))).astype(np.int64),
        "lat_n": np.isfinite(part["latency"]).astype(np.int64),
        "ok_idem": (ok & (part["idem"] != 0)).astype(np.int64),
        "ok_corr": (ok & (part["corr"] != 0)).astype(np.int64),
    })
    return df.groupby(["flow", "hour"], sort=True).sum()


def _lat_key(lat: np.ndarray) -> np.ndarray:
    """uint32 keys in the order of the (float32) latencies, NaN lowest: sorts and running maxima on integers."""
    bits = np.ascontiguousarray(lat, dtype=np.float32).view(np.uint32)
    key = np.where(bits >> np.uint32(31), ~bits, bits | np.uint32(0x80000000))
    return np.where(np.isfinite(lat), key, np.uint32(0)).astype(np.uint32)


def select(part: Part, per_hour: int, slowest: int) -> np.ndarray:
    """Which rows of `part` (in arrival order) the bounded table keeps: the rules of the module docstring
    but the keys. Ties are broken by time, then arrival, so what is kept of a union does not depend on
    how it was split."""
    n = _rows(part)
    keep = part["pinned"].copy()
    if not n:
        return keep
    hour = (part["ts"] // HOUR).astype(np.int64)
    # one integer per (flow, hour): flow codes stay under 2^15 (ReaderSettings.max_flows), hours span < 2^32
    gkey = (part["flow"].astype(np.int64) << 32) | (hour - hour.min())
    timed = np.isfinite(part["latency"])
    seq = part["seq"]
    in_order = bool((seq[1:] > seq[:-1]).all())  # arrival order already: no third sort key
    # time order within each (flow, hour), ties by arrival
    order = np.lexsort((part["ts"], gkey)) if in_order else np.lexsort((seq, part["ts"], gkey))
    gs = gkey[order]
    start = np.ones(n, dtype=bool)
    start[1:] = gs[1:] != gs[:-1]
    grp = np.cumsum(start).astype(np.uint64)  # 1, 2, ...: the (flow, hour) of each sorted row
    # first and last event of each (flow, hour, file)
    pair = pd.Series((gs << 16) | part["file"][order].astype(np.int64))
    keep[order[~pair.duplicated(keep="first").to_numpy()]] = True
    keep[order[~pair.duplicated(keep="last").to_numpy()]] = True
    # calls slower than every call before them (and after them) in the hour: running maxima of (hour, latency)
    # keys, one accumulate over all hours (an hour's keys all exceed those of the hours before it)
    lk = _lat_key(part["latency"])[order].astype(np.uint64)
    t_o = timed[order]
    for g, k, idx, tt in ((grp, lk, order, t_o), (grp[-1] + np.uint64(1) - grp[::-1], lk[::-1], order[::-1], t_o[::-1])):
        v = (g << np.uint64(32)) | k
        prev = np.zeros(n, dtype=np.uint64)
        prev[1:] = np.maximum.accumulate(v)[:-1]
        keep[idx[tt & (v > prev)]] = True  # a new hour's first timed call exceeds every key before it
    # the slowest calls (ties: the earlier first, as the latency check cites them): a stable sort of the time order
    desc = np.where(t_o, ~lk.astype(np.uint32), np.uint32(0xFFFFFFFF)).astype(np.uint64)
    o2 = order[np.argsort((grp << np.uint64(32)) | desc, kind="stable")]
    _ranked(keep, o2, gkey, slowest, timed)
    # a sample spread over the hour: the smallest hashes of (file, line), distinct per event (a bijection)
    dense = np.empty(n, dtype=np.uint64)
    dense[order] = grp
    h = sample_hash(part["file"], part["line"])
    comp = (dense << np.uint64(40)) | (h >> np.uint64(24))
    o3 = np.argsort(comp)
    c3 = comp[o3]
    if (c3[1:] == c3[:-1]).any():  # 40 bits of the hash tie: the full order (rare)
        o3 = np.lexsort((seq, h, dense))
    _ranked(keep, o3, gkey, per_hour, None)
    return keep


def _ranked(keep: np.ndarray, order: np.ndarray, gid: np.ndarray, k: int, ok: np.ndarray | None) -> None:
    """Keep the first k rows of each group in `order` (rows of one group adjacent), those of `ok` only."""
    gs = gid[order]
    start = np.ones(len(gs), dtype=bool)
    start[1:] = gs[1:] != gs[:-1]
    first = np.maximum.accumulate(np.where(start, np.arange(len(gs)), 0))
    top = (np.arange(len(gs)) - first) < k
    if ok is not None:
        top &= ok[order]
    keep[order[top]] = True


@dataclass
class Reduced:
    events: Part  # the bounded table (COLUMNS, seq), in arrival order
    counts: pd.DataFrame  # per (flow, hour): COUNT_COLUMNS
    sketch: pd.DataFrame  # flow, hour, bucket, n
    file_hours: pd.DataFrame  # per (file, hour): events (what a far-from-the-data hour takes from each file)


class StreamReducer:
    """Chunks in, `Reduced` out, holding at most a bounded table, the key horizon and the pending chunks."""

    def __init__(self, per_hour: int = 64, slowest: int = 20, keys_kept: int = 200_000, accuracy: float = 0.005,
                 pending_rows: int = 131_072) -> None:
        self.per_hour, self.slowest, self.keys_kept, self.accuracy = per_hour, slowest, keys_kept, accuracy
        self.pending_rows = pending_rows
        self.pending: list[Part] = []
        self.n_pending = 0
        self.kept: dict[int, Part] = {}  # the bounded table, per flow: merged flow by flow (a flow's rows at a time)
        self.n_kept = 0
        self.backlog: list[Part] = []  # reduced batches not merged into `kept` yet
        self.n_backlog = 0
        self.ring: Part = {}
        self.fail_idem = np.array([], dtype=np.uint64)
        self.fail_corr = np.array([], dtype=np.uint64)
        self.counts: list[pd.DataFrame] = []
        self.sketch: list[pd.DataFrame] = []
        self.file_hours: list[pd.DataFrame] = []

    def add(self, part: Part) -> None:
        """One chunk's columns (frame.COLUMNS, `seq` and `idem_any`: the idempotency key of every event)."""
        if not _rows(part):
            return
        self.pending.append(part)
        self.n_pending += _rows(part)
        if self.n_pending >= self.pending_rows:
            self._batch()

    def _batch(self) -> None:
        """The pending chunks reduced on their own (aggregates counted once, keys matched, rows selected)."""
        new = _concat(self.pending)
        self.pending, self.n_pending = [], 0
        if not new:
            return
        hour = (new["ts"] // HOUR).astype(np.int64)
        self.counts.append(hour_counts(new))
        self.sketch.append(sketch_rows(new["flow"], hour, new["latency"], self.accuracy))
        self.file_hours.append(pd.DataFrame({"file": new["file"], "hour": hour}).groupby(["file", "hour"]).size()
                               .rename("events").to_frame())
        self._merge_partials(final=False)
        failed = new["status"] != OK
        new["pinned"] = failed.copy()
        fi, fc = new["idem_any"][failed], new["corr"][failed]
        self.fail_idem = np.unique(np.concatenate([self.fail_idem, fi[fi != 0]]))
        self.fail_corr = np.unique(np.concatenate([self.fail_corr, fc[fc != 0]]))
        del new["idem_any"]
        new = self._keys(new)
        red = _take(new, np.flatnonzero(select(new, self.per_hour, self.slowest)))
        self.backlog.append(red)
        self.n_backlog += _rows(red)
        if self.n_backlog >= max(self.n_kept, self.pending_rows):
            self._merge()

    def _merge(self) -> None:
        """The reduced batches into the bounded table (what each rule keeps of a union: module docstring),
        flow by flow: the rules hold per (flow, hour), and the working copies are then one flow's."""
        if not self.backlog:
            return
        back = _concat(self.backlog)
        self.backlog, self.n_backlog = [], 0
        order = np.argsort(back["flow"], kind="stable")
        flows = back["flow"][order]
        cuts = np.flatnonzero(np.diff(flows)) + 1
        for rows in np.split(order, cuts):
            f = int(back["flow"][rows[0]])
            both = _once(_concat([self.kept.get(f, {}), _take(back, rows)]))
            self.kept[f] = _take(both, np.flatnonzero(select(both, self.per_hour, self.slowest)))
        self.n_kept = sum(map(_rows, self.kept.values()))

    def _keys(self, new: Part) -> Part:
        """Pin the successes whose key another event carries (within the horizon); the ring remembers the rest.
        Keys are compared as arrays; rows are copied once, into the new ring (its transient is one batch)."""
        ok = (new["status"] == OK) | np.isin(new["http"], GATEWAY_TIMEOUTS)
        cand_idx = np.flatnonzero(ok & ((new["idem"] != 0) | (new["corr"] != 0)) & ~new["pinned"])
        ring, n_ring = self.ring, _rows(self.ring)
        if not n_ring and not len(cand_idx):
            return new
        mark = np.zeros(n_ring + len(cand_idx), dtype=bool)
        for col, fails in (("idem", self.fail_idem), ("corr", self.fail_corr)):
            keys = np.concatenate([ring[col], new[col][cand_idx]]) if n_ring else new[col][cand_idx]
            parts = [keys]
            for k in (*self.kept.values(), *self.backlog):  # the pinned ones: distinct events from the ring's
                if k:
                    parts.append(k[col][k["pinned"] & (k[col] != 0)])
            dup = pd.Series(np.concatenate(parts) if len(parts) > 1 else keys).duplicated(keep=False).to_numpy()
            mark |= (keys != 0) & (dup[:len(keys)] | np.isin(keys, fails))
        in_ring, in_new = mark[:n_ring], mark[n_ring:]
        new["pinned"][cand_idx[in_new]] = True
        back = _take(ring, np.flatnonzero(in_ring)) if in_ring.any() else {}
        # the horizon: the last `keys_kept` unpinned keyed successes, the ring's oldest dropped first
        rest_r, rest_c = np.flatnonzero(~in_ring), cand_idx[~in_new]
        drop = max(0, len(rest_r) + len(rest_c) - self.keys_kept)
        rest_r, rest_c = rest_r[min(drop, len(rest_r)):], rest_c[max(0, drop - len(rest_r)):]
        self.ring = _concat([_take(ring, rest_r) if n_ring else {}, _take(new, rest_c)])
        if back:  # a success of an earlier chunk, pinned by its twin in this one
            back["pinned"] = np.ones(_rows(back), dtype=bool)
            new = _concat([new, back])
        return new

    def _merge_partials(self, final: bool = True) -> None:
        """Partial sums added up: always at the end, else once they are many (a sketch's rows are many)."""
        if len(self.counts) > (1 if final else 16):
            self.counts = [pd.concat(self.counts).groupby(level=[0, 1], sort=True).sum()]
        if len(self.file_hours) > (1 if final else 16):
            self.file_hours = [pd.concat(self.file_hours).groupby(level=[0, 1], sort=True).sum()]
        if len(self.sketch) > 1 and (final or sum(map(len, self.sketch[1:])) > max(len(self.sketch[0]), 1 << 18)):
            self.sketch = [merge_rows(self.sketch)]

    def finish(self) -> Reduced:
        self._batch()
        self._merge()
        self._merge_partials()
        kept = _concat(self.kept.values())
        if kept:  # in arrival order
            kept = _take(kept, np.argsort(kept["seq"], kind="stable"))
            kept.pop("pinned", None)
        counts = self.counts[0] if self.counts else hour_counts(_EMPTY)
        sketch = merge_rows(self.sketch)
        fh = self.file_hours[0] if self.file_hours else pd.DataFrame(
            {"events": np.array([], np.int64)}, index=pd.MultiIndex.from_arrays(
                [np.array([], np.int16), np.array([], np.int64)], names=["file", "hour"]))
        return Reduced(kept, counts, sketch, fh)


def hourly_aggregates(red: Reduced, accuracy: float) -> pd.DataFrame:
    """The per-(flow, hour) table `windows.hourly_table` takes: the counts and the sketch's p95."""
    agg = red.counts.copy()
    p95 = hourly_quantile(red.sketch, 0.95, accuracy)
    agg["p95"] = p95.reindex(agg.index).to_numpy()
    return agg


__all__ = ["COUNT_COLUMNS", "Reduced", "StreamReducer", "hour_counts", "hourly_aggregates", "sample_hash", "select"]
