"""Where duplicate records are scored: a Fellegi-Sunter model fitted on the records being matched.

`fit` counts u on random pairs, learns m by EM on the blocked pairs (all, then per segment), and,
when reviewers have labeled pairs of this database, recalibrates the weights on those labels.
`FittedModel.score` gives each pair a match weight (log2 odds) and a probability; `explain` lists
the evidence for and against a pair, each with its weight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from odoo_triage.core.settings import MatcherSettings
from odoo_triage.matchers.comparisons import Comparison
from odoo_triage.matchers.fellegi_sunter import (
    NULL,
    PairColumns,
    Parameters,
    em,
    estimate_u,
    graded_adjustment,
    levels,
    prior_parameters,
    tf_adjustment,
)

MIN_SESSION_PAIRS = 20


@dataclass
class Evidence:
    field: str
    level: int  # NULL when missing
    label: str
    phrase: str
    weight: float  # log2 Bayes factor; > 0 argues for a duplicate


@dataclass
class FittedModel:
    comparisons: tuple[Comparison, ...]
    segments: list[Parameters]  # by pair kind
    tf_u: list[np.ndarray]  # u over all random pairs, the baseline of term-frequency adjustments
    calibration: tuple[float, float] = (1.0, 0.0)  # weight -> a * weight + b
    labels_used: int = 0
    info: dict[str, float] = field(default_factory=dict)
    # comparison -> (index of its `within` comparison, u of its levels among random pairs agreeing on that one)
    within_u: dict[int, tuple[int, np.ndarray]] = field(default_factory=dict)

    def _within_weights(self, w: list[np.ndarray], params: Parameters) -> dict[int, tuple[int, np.ndarray]]:
        """Agreement weights of a comparison on pairs that agree on its `within` one: log2(m / u given
        that agreement), between 0 and the plain weight. Where every zip has one town, the town adds
        nothing to the zip; where zips span towns (or the data is synthetic), it still counts."""
        out = {}
        for c, (k, cu) in self.within_u.items():
            plain = w[c]
            cond = np.clip(np.log2(params.m[c] / cu), 0.0, None)
            out[c] = (k, np.where(plain > 0, np.minimum(plain, cond), plain))
        return out

    def _raw_weight(self, G: np.ndarray, kind: np.ndarray, tf: np.ndarray) -> np.ndarray:
        out = np.zeros(len(G), dtype=np.float64)
        for s, params in enumerate(self.segments):
            sel = kind == s
            if not sel.any():
                continue
            w = params.weights()
            given = self._within_weights(w, params)
            total = np.full(int(sel.sum()), np.log2(params.prior / (1 - params.prior)))
            Gs = G[sel]
            for c, wc in enumerate(w):
                col = Gs[:, c]
                ok = col >= 0
                if c in given:
                    k, wk = given[c]
                    both = ok & (Gs[:, k] == 0)
                    total[both] += wk[col[both]]
                    ok &= ~both
                total[ok] += wc[col[ok]]
            out[sel] = total + tf[sel]
        return out

    def weight(self, G: np.ndarray, kind: np.ndarray, tf: np.ndarray) -> np.ndarray:
        a, b = self.calibration
        return a * self._raw_weight(G, kind, tf) + b

    @staticmethod
    def probability(weight: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))

    def adjustment(self, cols: PairColumns, G: np.ndarray, left: np.ndarray, right: np.ndarray,
                   kind: np.ndarray) -> np.ndarray:
        """Per-pair additions to the name's weight: term frequency of an exact value, grading inside a level."""
        weights = [p.weights() for p in self.segments]
        return (tf_adjustment(self.comparisons, cols, G, left, self.tf_u)
                + graded_adjustment(self.comparisons, cols, G, left, right, kind, weights))

    def explain(self, G_row: np.ndarray, kind: int, tf: float) -> list[Evidence]:
        params = self.segments[kind]
        w = params.weights()
        given = self._within_weights(w, params)
        out = []
        for c, comp in enumerate(self.comparisons):
            lv = int(G_row[c])
            if lv == NULL:
                out.append(Evidence(comp.name, NULL, "missing", "", 0.0))
                continue
            level = comp.levels[lv]
            wc = given[c][1] if c in given and int(G_row[given[c][0]]) == 0 else w[c]
            weight = float(wc[lv]) + (tf if comp.term_frequency else 0.0)
            out.append(Evidence(comp.name, lv, level.label, level.phrase, self.calibration[0] * weight))
        return out


def random_pairs(n: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Up to k distinct random pairs of n records (all of them when there are fewer)."""
    total = n * (n - 1) // 2
    if total <= k:
        iu, ju = np.triu_indices(n, 1)
        return iu.astype(np.int64), ju.astype(np.int64)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=k)
    b = rng.integers(0, n - 1, size=k)
    b = np.where(b >= a, b + 1, b)
    return np.minimum(a, b), np.maximum(a, b)


def _session_m(comparisons: tuple[Comparison, ...], G: np.ndarray, tf: np.ndarray, base: Parameters,
               sessions: list[tuple[np.ndarray, tuple[str, ...]]]) -> list[np.ndarray]:
    """m per comparison from the EM session where it separates duplicates best (largest KL(m || u)).

    A session's latent "duplicate" class is whatever its blocked pairs mostly share: pairs found by
    the street may be neighbours, pairs found by the VAT are one company. A comparison's m is taken
    from the session in which it tells the two classes apart most, never from one that blocked on it;
    the prior m when no session could learn it.
    """
    names = [c.name for c in comparisons]
    best: list[tuple[float, np.ndarray] | None] = [None] * len(comparisons)
    for mask, without in sessions:
        if mask.sum() < MIN_SESSION_PAIRS:
            continue
        drop = [names.index(w) for w in without if w in names]
        Gs = G[mask].copy()
        Gs[:, drop] = NULL
        tf_s = tf[mask] * (0.0 if any(comparisons[c].term_frequency for c in drop) else 1.0)
        learn = [c not in drop and not comparisons[c].fixed for c in range(len(comparisons))]
        est = em(Gs, base, learn=learn, tf_bonus=tf_s)
        for c in range(len(comparisons)):
            if learn[c] and (Gs[:, c] >= 0).sum() >= MIN_SESSION_PAIRS:
                kl = float(np.sum(est.m[c] * np.log(est.m[c] / base.u[c])))
                prev = best[c]
                if prev is None or kl > prev[0]:
                    best[c] = (kl, est.m[c])
    return [b[1] if b is not None else base.m[c] for c, b in enumerate(best)]


def _keep_fixed(comparisons: tuple[Comparison, ...], u: list[np.ndarray], prior_u: list[np.ndarray]) -> list[np.ndarray]:
    return [prior_u[c] if comp.fixed else u[c] for c, comp in enumerate(comparisons)]


def fit(comparisons: tuple[Comparison, ...], cols: PairColumns, n: int, left: np.ndarray, right: np.ndarray,
        *, kind_of: Callable[[np.ndarray, np.ndarray], np.ndarray], inherited: dict[str, np.ndarray],
        segments: int, prior: float, sessions: list[tuple[np.ndarray, tuple[str, ...]]],
        labels: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        knobs: MatcherSettings | None = None) -> FittedModel:
    """Parameters learnt from these records; `kind_of(left, right)` gives each pair's segment.

    `sessions`: (mask over the pairs, comparisons left out) per training session.
    `labels` = (left, right, is_duplicate) of reviewer-labeled pairs among these records.
    """
    knobs = knobs or MatcherSettings()
    base = prior_parameters(comparisons, prior)
    rl, rr = random_pairs(n, min(knobs.random_pairs, max(knobs.random_pairs_per_record * n, knobs.random_pairs_min)))
    rkind = kind_of(rl, rr)
    G_random = levels(comparisons, cols, rl, rr, pair_kind=rkind, inherited=inherited)
    u_all = _keep_fixed(comparisons, estimate_u(G_random, base), base.u)
    if len(left) > knobs.fit_pairs:  # EM needs a sample, not every pair: memory stays flat on big estates
        pick = np.sort(np.random.default_rng(1).choice(len(left), knobs.fit_pairs, replace=False))
        left, right = left[pick], right[pick]
        sessions = [(mask[pick], without) for mask, without in sessions]
    kind = kind_of(left, right)
    G = levels(comparisons, cols, left, right, pair_kind=kind, inherited=inherited)
    tf = tf_adjustment(comparisons, cols, G, left, u_all)
    m = _session_m(comparisons, G, tf, Parameters(m=base.m, u=u_all, prior=prior), sessions)
    fixed = [False] * len(comparisons)
    fitted: list[Parameters] = []
    for s in range(segments):
        sel = kind == s
        seg_u = _keep_fixed(comparisons, estimate_u(G_random[rkind == s], Parameters(m=m, u=u_all, prior=prior),
                                                    strength=200.0), base.u)
        start = Parameters(m=m, u=seg_u, prior=prior)  # only the share of duplicates is learnt per segment
        fitted.append(em(G[sel], start, learn=fixed, tf_bonus=tf[sel]) if sel.any() else start)
    model = FittedModel(comparisons=comparisons, segments=fitted, tf_u=u_all,
                        info={"pairs": float(len(left)), "random_pairs": float(len(rl))},
                        within_u=_within_u(comparisons, G_random, u_all))
    if labels is not None and len(labels[0]) >= knobs.min_labels:
        ll, lr, y = labels
        lk = kind_of(ll, lr)
        Gl = levels(comparisons, cols, ll, lr, pair_kind=lk, inherited=inherited)
        tfl = model.adjustment(cols, Gl, ll, lr, lk)
        model.calibration = calibrate(model._raw_weight(Gl, lk, tfl), y, knobs.label_strength)
        model.labels_used = int(len(y))
    return model


def _within_u(comparisons: tuple[Comparison, ...], G_random: np.ndarray,
              u_all: list[np.ndarray], strength: float = 10.0) -> dict[int, tuple[int, np.ndarray]]:
    """u of each `within` comparison's levels among the random pairs that agree exactly on the other.

    Conditioned on a rare agreement, random pairs are no longer nearly all unrelated: the duplicates
    among them (a few per thousand on Febrl, all sharing the zip) would count as "unrelated pairs
    sharing the town". Random pairs with any resemblance of the name, or another rare agreement
    (street, phone, e-mail: u below 5 %), are left out."""
    names = [c.name for c in comparisons]
    resembles = np.zeros(len(G_random), dtype=bool)
    for c, comp in enumerate(comparisons):
        if comp.term_frequency:  # the name: anything above "different names" may be the same record
            resembles |= (G_random[:, c] >= 0) & (G_random[:, c] < len(comp.levels) - 1)
    out: dict[int, tuple[int, np.ndarray]] = {}
    for c, comp in enumerate(comparisons):
        if not comp.within or comp.within not in names:
            continue
        k = names.index(comp.within)
        other = np.zeros(len(G_random), dtype=bool)
        for o in range(len(comparisons)):
            if o not in (c, k) and u_all[o][0] < 0.05:
                other |= G_random[:, o] == 0
        col = G_random[(G_random[:, k] == 0) & ~resembles & ~other, c].astype(np.int64)
        counts = np.bincount(col[col >= 0], minlength=len(comp.levels)).astype(np.float64)
        cu = (counts + strength * u_all[c]) / (counts.sum() + strength)
        out[c] = (k, np.maximum(cu, 1.0 / (len(G_random) + strength)))
    return out


def calibrate(weight: np.ndarray, y: np.ndarray, strength: float = 4.0) -> tuple[float, float]:
    """a, b of p = sigmoid(a * weight + b) fitted to labels, held near (1, 0) when labels are few.

    The penalty is worth `strength` labels: ten labels nudge the calibration, a thousand set it.
    """
    y = y.astype(np.float64)
    x = weight * np.log(2.0)

    def loss(ab: np.ndarray) -> float:
        z = ab[0] * x + ab[1] * np.log(2.0)
        nll = np.sum(np.logaddexp(0.0, z) - y * z)
        return float(nll + strength * ((ab[0] - 1.0) ** 2 + (ab[1] / 10.0) ** 2))

    res = minimize(loss, np.array([1.0, 0.0]), method="L-BFGS-B", bounds=[(0.05, 5.0), (-40.0, 40.0)])
    return float(res.x[0]), float(res.x[1])
