"""From scored pairs to clusters, without chaining.

Pairs above the threshold form connected components. A component of two is a cluster. A bigger
one is re-checked on all its inner pairs (the ones blocking never compared get scored now) and
split by average linkage: a record joins a group only when its mean probability to the group's
members clears the threshold, so A~B and B~C no longer drag an unrelated A and C together. Pairs
a rule keeps apart (`apart`: two different valid VAT numbers, a company and its contact, a reviewer's
"not a duplicate") never end in one group, whatever their neighbours say: a cluster is one merge.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

MAX_COMPONENT = 50
APART = 1e6  # the distance of a pair kept apart: no average over a component of 50 brings it under 1  # beyond this a component is split on its strongest edges only (inner pairs grow as k^2)


def components(n: int, left: np.ndarray, right: np.ndarray) -> list[np.ndarray]:
    if len(left) == 0:
        return []
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _count, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels)
    multi = np.flatnonzero(sizes >= 2)
    order = np.argsort(labels, kind="stable")
    starts = np.r_[0, np.cumsum(sizes)]
    return [order[starts[c] : starts[c + 1]] for c in multi]


def cluster_pairs(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    prob: np.ndarray,
    threshold: float,
    rescore: Callable[[np.ndarray, np.ndarray], np.ndarray],
    apart: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[list[np.ndarray], dict[tuple[int, int], float]]:
    """Clusters (arrays of record indices) and the probability of every inner pair that was scored.

    `apart(a, b)`: which pairs must never share a cluster (checked on the inner pairs of components
    of three or more)."""
    above = prob >= threshold
    known = {(int(a), int(b)): float(p) for a, b, p in zip(left[above], right[above], prob[above], strict=True)}
    known.update({(b, a): p for (a, b), p in list(known.items())})
    clusters: list[np.ndarray] = []
    inner: dict[tuple[int, int], float] = {}
    big: list[np.ndarray] = []
    for comp in components(n, left[above], right[above]):
        comp = np.sort(comp)
        if len(comp) == 2:
            clusters.append(comp)
            inner[(int(comp[0]), int(comp[1]))] = known[(int(comp[0]), int(comp[1]))]
        elif len(comp) <= MAX_COMPONENT:
            big.append(comp)
        else:  # too big to check every inner pair: split on very strong links only
            members = set(comp.tolist())
            strong = [(a, b) for (a, b), p in known.items() if a < b and p >= max(threshold, 0.9) and a in members]
            sub_l = np.array([a for a, _ in strong], dtype=np.int64)
            sub_r = np.array([b for _, b in strong], dtype=np.int64)
            big += [np.sort(part) for part in components(n, sub_l, sub_r) if len(part) <= MAX_COMPONENT]
    # every inner pair of the bigger components that blocking never scored, scored in one batch
    missing_l, missing_r = [], []
    for comp in big:
        iu, ju = np.triu_indices(len(comp), 1)
        for i, j in zip(comp[iu].tolist(), comp[ju].tolist(), strict=True):
            if (i, j) not in known:
                missing_l.append(i)
                missing_r.append(j)
    if missing_l:
        extra = rescore(np.array(missing_l, dtype=np.int64), np.array(missing_r, dtype=np.int64))
        for i, j, p in zip(missing_l, missing_r, extra.tolist(), strict=True):
            known[(i, j)] = p
    never: set[tuple[int, int]] = set()
    if apart is not None and big:
        pl, pr = [], []
        for comp in big:
            iu, ju = np.triu_indices(len(comp), 1)
            pl.append(comp[iu])
            pr.append(comp[ju])
        al, ar = np.concatenate(pl).astype(np.int64), np.concatenate(pr).astype(np.int64)
        mask = apart(al, ar)
        never = set(zip(al[mask].tolist(), ar[mask].tolist(), strict=True))
    for comp in big:
        sub_clusters, sub_inner = _split(comp, known, threshold, never)
        clusters += sub_clusters
        inner.update(sub_inner)
    return clusters, inner


def _split(
    comp: np.ndarray, known: dict[tuple[int, int], float], threshold: float,
    never: set[tuple[int, int]] | None = None,
) -> tuple[list[np.ndarray], dict[tuple[int, int], float]]:
    """Average-linkage split of one component whose inner pairs are all scored; a pair in `never` is
    at a distance no average can bring under the threshold, so its two records end in two groups."""
    k = len(comp)
    iu, ju = np.triu_indices(k, 1)
    a, b = comp[iu], comp[ju]
    probs = np.array([known[(i, j)] for i, j in zip(a.tolist(), b.tolist(), strict=True)])
    dist = 1.0 - probs
    if never:
        dist[[(i, j) in never for i, j in zip(a.tolist(), b.tolist(), strict=True)]] = APART
    labels = fcluster(linkage(dist, method="average"), t=1.0 - threshold, criterion="distance")
    out: list[np.ndarray] = []
    inner: dict[tuple[int, int], float] = {}
    for lab in np.unique(labels):
        members = comp[labels == lab]
        if len(members) < 2:
            continue
        out.append(members)
        same = (labels[iu] == lab) & (labels[ju] == lab)
        for i, j, p in zip(a[same].tolist(), b[same].tolist(), probs[same].tolist(), strict=True):
            inner[(i, j)] = p
    return out, inner
