"""Fellegi-Sunter scoring whose weights come from the records being matched (as splink does).

u (how often an unrelated pair lands on a level) is counted on random pairs of the records; m (how
often a duplicate does) and the share of duplicates among the blocked pairs are learnt by EM on
the blocked pairs, first over all of them, then per segment (persons, companies, mixed) with the
overall values as the prior. The priors in `comparisons.py` keep a handful of records sensible.
A pair's match weight is log2 of its Bayes factor plus the prior odds; exact agreement on a value
of a term-frequency comparison weighs log2(m / frequency of that value), so "white" shared by five
people counts less than a rare surname.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from odoo_triage.matchers.comparisons import Comparison

NULL = -1
_NUMBER = re.compile(r"\d+")


# --------------------------------------------------------------------------- levels


@dataclass
class PairColumns:
    """Per-record columns (object arrays of normalised text) plus derived keys computed once."""

    values: dict[str, np.ndarray]
    _derived: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def release(self) -> None:
        """Drop the derived per-record keys (recomputed on demand): they are as large as a column each,
        and explaining a few thousand pairs needs them again only for a moment."""
        self._derived = {k: v for k, v in self._derived.items() if k[0] == "tf"}

    def derived(self, column: str, kind: str) -> np.ndarray:
        key = (column, kind)
        if key not in self._derived:
            vals = self.values[column]
            if kind == "sorted":
                self._derived[key] = np.array([" ".join(sorted(v.split())) for v in vals], dtype=object)
            elif kind == "squashed":
                self._derived[key] = np.array([v.replace(" ", "") for v in vals], dtype=object)
            elif kind == "number":
                self._derived[key] = np.array([" ".join(_NUMBER.findall(v)) for v in vals], dtype=object)
            elif kind == "words":
                self._derived[key] = np.array([_NUMBER.sub(" ", v).strip() for v in vals], dtype=object)
            elif kind == "has_initial":
                self._derived[key] = np.array([any(len(w) == 1 for w in v.split()) for v in vals], dtype=bool)
        return self._derived[key]


def _cp(scorer, a: np.ndarray, b: np.ndarray, cutoff: float | None = None) -> np.ndarray:  # noqa: ANN001
    """Similarity of each pair. With `cutoff`, rapidfuzz stops early on pairs that cannot reach it
    (most random pairs): those score 0 (a distance scorer returns cutoff + 1)."""
    # threads only pay off on many pairs: starting them costs more than a few hundred comparisons
    return process.cpdist(list(a), list(b), scorer=scorer, workers=-1 if len(a) > 20_000 else 1, dtype=np.float32,
                          score_cutoff=cutoff)


def abbreviates(short: str, long_: str) -> bool:
    """Whether `short` is `long_` with some words written as their initial ("maria m" / "maria machado",
    "j smith" / "james smith"): its words, in order, each the same word of `long_` or its first letter,
    one of them at least a whole word and one an initial. A word `long_` has more (a middle name) may be
    left out; none of its own."""
    a, b = short.split(), long_.split()
    if len(a) > len(b):
        return False
    whole = initial = False
    k = 0
    for w in a:
        while k < len(b) and not (w == b[k] or (len(w) == 1 and len(b[k]) > 1 and b[k][0] == w)):
            k += 1
        if k == len(b):
            return False
        whole |= w == b[k] and len(w) > 1
        initial |= len(w) == 1 and len(b[k]) > 1
        k += 1
    return whole and initial


def _test(cols: PairColumns, comp: Comparison, test: str, threshold: float, left: np.ndarray,
          right: np.ndarray) -> np.ndarray:
    """Whether each pair (left[k], right[k]) passes one level's test."""
    col = comp.column
    a, b = cols.values[col][left], cols.values[col][right]
    if test == "exact":
        return a == b
    if test == "reordered":
        s, q = cols.derived(col, "sorted"), cols.derived(col, "squashed")
        return (s[left] == s[right]) | (q[left] == q[right])
    if test == "subset":
        return _cp(fuzz.token_set_ratio, a, b, 100) >= 100
    if test == "jaro_winkler":
        return _cp(JaroWinkler.normalized_similarity, a, b, threshold) >= threshold
    if test == "token_sort":
        return _cp(fuzz.token_sort_ratio, a, b, threshold * 100) >= threshold * 100
    if test == "ratio":
        return _cp(fuzz.ratio, a, b, threshold * 100) >= threshold * 100
    if test == "levenshtein":
        return _cp(Levenshtein.distance, a, b, threshold) <= threshold
    if test == "same_number":
        num, words = cols.derived(col, "number"), cols.derived(col, "words")
        same = (num[left] == num[right]) & (num[left] != "")
        out = np.zeros(len(left), dtype=bool)
        if same.any():
            out[same] = _cp(fuzz.ratio, words[left][same], words[right][same], threshold * 100) >= threshold * 100
        return out
    if test == "initials":
        has = cols.derived(col, "has_initial")
        out = np.zeros(len(left), dtype=bool)
        for k in np.flatnonzero(has[left] | has[right]):  # only a name with a one-letter word can abbreviate
            out[k] = abbreviates(a[k], b[k]) or abbreviates(b[k], a[k])
        return out
    if test == "else":
        return np.ones(len(left), dtype=bool)
    raise ValueError(f"unknown comparison test {test!r}")


def levels(comparisons: tuple[Comparison, ...], cols: PairColumns, left: np.ndarray, right: np.ndarray,
           *, pair_kind: np.ndarray, inherited: dict[str, np.ndarray]) -> np.ndarray:
    """Level index of every pair on every comparison (NULL when missing or not applicable), int8."""
    m = len(left)
    G = np.full((m, len(comparisons)), NULL, dtype=np.int8)
    for c, comp in enumerate(comparisons):
        vals = cols.values[comp.column]
        todo = (vals[left] != "") & (vals[right] != "")
        if comp.only == "persons":
            todo &= pair_kind == 0
        elif comp.only == "companies":
            todo &= pair_kind == 1
        elif comp.only == "not_persons":
            todo &= pair_kind != 0
        if comp.person_inherits and comp.column in inherited:
            inh = inherited[comp.column]
            todo &= ~(inh[left] | inh[right])
            if "parent_key" in cols.values:  # two contacts of one company: a shared value is the company's
                pk = cols.values["parent_key"]
                todo &= ~((pair_kind == 0) & (pk[left] != "") & (pk[left] == pk[right]) & (vals[left] == vals[right]))
        idx = np.flatnonzero(todo)
        for lv, level in enumerate(comp.levels):
            if len(idx) == 0:
                break
            hit = _test(cols, comp, level.test, level.threshold, left[idx], right[idx])
            G[idx[hit], c] = lv
            idx = idx[~hit]
    names = [comp.name for comp in comparisons]
    for c, comp in enumerate(comparisons):
        if comp.implied_by in names:
            G[G[:, names.index(comp.implied_by)] == 0, c] = NULL
    return G


# --------------------------------------------------------------------------- parameters


@dataclass
class Parameters:
    """m and u per comparison level, and the prior share of duplicates, for one segment of pairs."""

    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float

    def weights(self) -> list[np.ndarray]:
        """log2(m / u) per level, never rising from a more similar level to a less similar one (a rare
        level's u, counted on few random pairs, must not make "a few letters apart" beat "same name")."""
        return [np.minimum.accumulate(np.log2(m / u)) for m, u in zip(self.m, self.u, strict=True)]


def prior_parameters(comparisons: tuple[Comparison, ...], prior: float) -> Parameters:
    norm = lambda x: np.asarray(x, dtype=np.float64) / np.sum(x)  # noqa: E731
    return Parameters(m=[norm([lv.m for lv in c.levels]) for c in comparisons],
                      u=[norm([lv.u for lv in c.levels]) for c in comparisons], prior=prior)


def _counts(G: np.ndarray, c: int, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    col = G[:, c].astype(np.int64)
    ok = col >= 0
    return np.bincount(col[ok], weights=None if weights is None else weights[ok], minlength=size).astype(np.float64)


def estimate_u(G_random: np.ndarray, base: Parameters, strength: float = 50.0) -> list[np.ndarray]:
    """u from the levels of random pairs (nearly all unrelated), shrunk toward the prior u."""
    out = []
    for c, u0 in enumerate(base.u):
        counts = _counts(G_random, c, len(u0))
        u = (counts + strength * u0) / (counts.sum() + strength)
        # a level never seen among N random pairs is rarer than about 1 / N, not impossible
        out.append(np.maximum(u, 1.0 / (len(G_random) + strength)))
    return out


def _log2_bf(G: np.ndarray, weights: list[np.ndarray]) -> np.ndarray:
    total = np.zeros(len(G), dtype=np.float64)
    for c, w in enumerate(weights):
        col = G[:, c]
        ok = col >= 0
        total[ok] += w[col[ok]]
    return total


def em(G: np.ndarray, start: Parameters, *, learn: list[bool], strength: float = 20.0, iterations: int = 40,
       tf_bonus: np.ndarray | None = None) -> Parameters:
    """Maximum a posteriori EM for m and the prior (u stays as counted on random pairs)."""
    params = Parameters(m=[m.copy() for m in start.m], u=start.u, prior=start.prior)
    if len(G) == 0:
        return params
    bonus = tf_bonus if tf_bonus is not None else 0.0
    for _ in range(iterations):
        logit = np.log2(params.prior / (1 - params.prior)) + _log2_bf(G, params.weights()) + bonus
        r = 1.0 / (1.0 + np.exp2(-np.clip(logit, -60, 60)))
        new_m = []
        for c, m0 in enumerate(start.m):
            if not learn[c]:
                new_m.append(m0)
                continue
            counts = _counts(G, c, len(m0), r)
            new_m.append(np.maximum((counts + strength * m0) / (counts.sum() + strength), 1e-6))
        prior = float(np.clip((r.sum() + strength * start.prior) / (len(r) + strength), 1e-6, 0.5))
        delta = max(float(np.max(np.abs(a - b))) for a, b in zip(new_m, params.m, strict=True))
        delta = max(delta, abs(prior - params.prior))
        params = Parameters(m=new_m, u=params.u, prior=prior)
        if delta < 1e-5:
            break
    return params


# --------------------------------------------------------------------------- term frequencies


def tf_adjustment(comparisons: tuple[Comparison, ...], cols: PairColumns, G: np.ndarray, left: np.ndarray,
                  params_u: list[np.ndarray]) -> np.ndarray:
    """log2(u_exact / frequency of the shared value) for exact agreements of term-frequency comparisons.

    Added to the weight: a value rarer than average weighs more, a common one less.
    """
    out = np.zeros(len(G), dtype=np.float64)
    for c, comp in enumerate(comparisons):
        if not comp.term_frequency:
            continue
        vals = cols.values[comp.column]
        key = ("tf", comp.column)
        if key not in cols._derived:
            # factorize, not np.unique(vals.astype(str)): a fixed-width copy of 300,000 names is ~200 MB
            codes, _uniq = pd.factorize(vals)
            cols._derived[key] = np.bincount(codes)[codes] / max(len(vals), 1)
        freq = cols._derived[key]
        exact = G[:, c] == 0
        if exact.any():
            u_exact = float(params_u[c][0])
            out[exact] = np.log2(u_exact / np.maximum(freq[left[exact]], 1.0 / max(len(vals), 1)))
    return out


# --------------------------------------------------------------------------- graded levels

# Levels that catch what spelling similarity misses ("Maria M."): not a step of the similarity scale, so a
# graded level still loses weight toward the level of different values below it.
_OFF_SCALE = frozenset({"initials"})
_SIMILARITY = {"jaro_winkler": JaroWinkler.normalized_similarity, "token_sort": fuzz.token_sort_ratio,
               "ratio": fuzz.ratio}


def graded_adjustment(comparisons: tuple[Comparison, ...], cols: PairColumns, G: np.ndarray, left: np.ndarray,
                      right: np.ndarray, kind: np.ndarray, weights: list[list[np.ndarray]]) -> np.ndarray:
    """Within a similarity level, a pair at the bottom of the band loses up to half the weight gap to
    the level below; one at the top keeps the level's weight.

    Discrete levels put every "a few letters apart" pair on one probability; grading spreads them by
    how similar they are, so no plateau of pairs sits on the decision threshold.
    `weights[segment][comparison]` are the log2 Bayes factors per level.
    """
    out = np.zeros(len(G), dtype=np.float64)
    for c, comp in enumerate(comparisons):
        if not comp.graded:
            continue
        upper = 1.0
        for lv, level in enumerate(comp.levels[:-1]):
            scorer = _SIMILARITY.get(level.test)
            if scorer is None:
                continue
            sel = np.flatnonzero(G[:, c] == lv)
            if len(sel) and upper > level.threshold:
                vals = cols.values[comp.column]
                sim = _cp(scorer, vals[left[sel]], vals[right[sel]]) / (1.0 if level.test == "jaro_winkler" else 100.0)
                frac = np.clip((sim - level.threshold) / (upper - level.threshold), 0.0, 1.0)
                below = next(x for x in range(lv + 1, len(comp.levels)) if comp.levels[x].test not in _OFF_SCALE)
                gap = np.array([max(float(weights[k][c][lv] - weights[k][c][below]), 0.0) for k in kind[sel]])
                out[sel] -= 0.5 * (1.0 - frac) * gap
            upper = level.threshold
    return out
