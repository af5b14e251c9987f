"""An IsolationForest fitted and scored as numpy arrays, without importing scikit-learn, and kept in
the state folder.

Importing scikit-learn costs ~1.2 CPU-s (it pulls scipy.stats), more than the rest of the check at a million
events. `fit_forest` grows the same trees as `IsolationForest(n_estimators, random_state=int).fit(X)`
(scikit-learn 1.9: the same NumPy RandomState draws for the seeds, the tree seeds and the samples, the
trees' own rand_r generator, the random splitter's feature draws with its constant-feature bookkeeping,
the partition's swaps and the squared-error sums in the same order, float32 inputs); a test checks the
arrays and the scores are identical on many inputs. Inputs it does not cover (NaN, infinities), and any
scikit-learn release it was not checked against (`REPLICATED_SKLEARN`), go to scikit-learn.

An incremental run judges one new hour against the same baseline as yesterday: refitting the forest
every run is waste. The trees are saved once per baseline
(file name = hash of the baseline features, the forest's parameters and the scikit-learn version)
and scored here exactly as `IsolationForest.score_samples` does (float32 inputs, `x <= threshold`
goes left, depths summed tree by tree): a test checks the scores are bit-identical.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

PREFIX = "isoforest-"
SCORES_PREFIX = "iso-scores-"  # beside each forest: the rows it scored and their scores (cached_scores)


def _scores_path(path: Path) -> Path:
    return path.with_name(SCORES_PREFIX + path.name.removeprefix(PREFIX))


def cache_path(folder: Path, X_base: np.ndarray, params: dict[str, Any]) -> Path:
    h = hashlib.sha256()
    h.update(repr((X_base.shape, str(X_base.dtype), sorted(params.items()), version("scikit-learn"))).encode())
    h.update(np.ascontiguousarray(X_base).tobytes())
    return folder / f"{PREFIX}{h.hexdigest()[:24]}.npz"


def forest_arrays(model: Any, n_features: int) -> dict[str, np.ndarray]:
    """The fitted forest's trees as flat arrays (children as indices into the flat node arrays)."""
    from sklearn.ensemble._iforest import _average_path_length

    left, right, feat, thr, dpl, apl, roots = [], [], [], [], [], [], []
    off = 0
    subsample = model._max_features != n_features
    for k, est in enumerate(model.estimators_):
        t = est.tree_
        cl, cr = t.children_left.astype(np.int64), t.children_right.astype(np.int64)
        f = t.feature.astype(np.int64)
        if subsample:  # the tree was grown on X[:, features]
            f = np.where(cl >= 0, np.asarray(model.estimators_features_[k])[np.maximum(f, 0)], f)
        left.append(np.where(cl >= 0, cl + off, -1))
        right.append(np.where(cr >= 0, cr + off, -1))
        feat.append(f)
        thr.append(t.threshold.astype(np.float64))
        dpl.append(np.asarray(model._decision_path_lengths[k]))
        apl.append(np.asarray(model._average_path_length_per_tree[k]))
        roots.append(off)
        off += t.node_count
    return {"left": np.concatenate(left), "right": np.concatenate(right), "feature": np.concatenate(feat),
            "threshold": np.concatenate(thr), "path_len": np.concatenate(dpl), "avg_len": np.concatenate(apl),
            "roots": np.asarray(roots, dtype=np.int64),
            "denominator": np.asarray([len(model.estimators_) * float(_average_path_length([model._max_samples])[0])])}


MAX_INT = 2**31 - 1  # np.iinfo(np.int32).max: scikit-learn's seeds and RAND_R_MAX
_EPSILON = float(np.finfo(np.float64).eps)
_FEATURE_THRESHOLD = np.float32(1e-7)


def average_path_length(n: np.ndarray) -> np.ndarray:
    """sklearn.ensemble._iforest._average_path_length: the mean depth of an unsuccessful search in n samples."""
    n = np.asarray(n)
    out = np.zeros(n.shape)
    inner = n > 2
    out[n == 2] = 1.0
    m = n[inner]
    out[inner] = 2.0 * (np.log(m - 1.0) + np.euler_gamma) - 2.0 * (m - 1.0) / m
    return out


def _without_replacement(rng: np.random.RandomState, population: int, k: int) -> np.ndarray:
    """sklearn.utils.random.sample_without_replacement(population, k, random_state=rng), method "auto"."""
    ratio = k / population if population != 0 else 1.0
    if 0.01 < ratio < 0.99:
        return rng.permutation(population)[:k]
    if ratio < 0.2:  # tracking selection
        out, chosen = [], set()
        for _ in range(k):
            j = rng.randint(population)
            while j in chosen:
                j = rng.randint(population)
            chosen.add(j)
            out.append(j)
        return np.asarray(out, dtype=np.int64)
    res = list(range(k))  # reservoir sampling
    for i in range(k, population):
        j = rng.randint(0, i + 1)
        if j < k:
            res[j] = i
    return np.asarray(res, dtype=np.int64)


def _rand_r(state: list[int]) -> int:
    """scikit-learn's our_rand_r (xorshift on 32 bits), state kept in a one-item list."""
    s = state[0] or 1
    s ^= (s << 13) & 0xFFFFFFFF
    s ^= s >> 17
    s ^= (s << 5) & 0xFFFFFFFF
    state[0] = s
    return s % (MAX_INT + 1)


def _grow_tree(cols: list[list[float]], y: list[float], samples: list[int],
               max_depth: int, rand_state: int) -> dict[str, list[Any]]:
    """One ExtraTreeRegressor(max_features=1, splitter="random") grown by DepthFirstTreeBuilder on the rows
    `samples` (weight 1, the others 0), as scikit-learn's Cython does it, step for step."""
    S = list(samples)
    n_samples = len(S)
    FV = [0.0] * n_samples
    n_features = len(cols)
    F = list(range(n_features))
    CF = [0] * n_features
    state = [rand_state]
    w_total = float(n_samples)
    left: list[int] = []
    right: list[int] = []
    feature: list[int] = []
    threshold: list[float] = []
    n_node: list[int] = []
    depths: list[int] = []  # Tree.compute_node_depths: the root is 1
    stack = [(0, n_samples, 0, -1, False, np.inf, 0)]
    first = True
    while stack:
        start, end, depth, parent, is_left, impurity, n_known = stack.pop()
        n = end - start
        wn = float(n)
        leaf = depth >= max_depth or n < 2
        sum_total = sq_total = 0.0
        if first or not leaf:  # criterion.init: the node's sums, in the samples' order (a leaf needs none)
            for i in S[start:end]:
                yi = y[i]
                sum_total += yi
                sq_total += yi * yi
        if first:
            impurity = sq_total / wn - (sum_total / wn) ** 2.0
            first = False
        leaf = leaf or impurity <= _EPSILON
        split = None
        n_total = n_known
        if not leaf:
            split, n_total = _split_node(cols, y, S, FV, F, CF, state, start, end, n_known, sum_total,
                                         sq_total, wn, w_total, impurity)
            leaf = split is None or split[0] >= end or split[4] + _EPSILON < 0.0
        node = len(left)
        if parent >= 0:
            (left if is_left else right)[parent] = node
        left.append(-1)
        right.append(-1)
        n_node.append(n)
        depths.append(depth + 1)
        if leaf or split is None:
            feature.append(-2)
            threshold.append(-2.0)
            continue
        pos, f, thr, imp_l, _imp, imp_r = split[0], split[1], split[2], split[3], split[4], split[5]
        feature.append(f)
        threshold.append(thr)
        stack.append((pos, end, depth + 1, node, False, imp_r, n_total))
        stack.append((start, pos, depth + 1, node, True, imp_l, n_total))
    return {"left": left, "right": right, "feature": feature, "threshold": threshold, "n_node": n_node,
            "depth": depths}


def _split_node(cols: list[list[float]], y: list[float], S: list[int], FV: list[float],
                F: list[int], CF: list[int], state: list[int], start: int, end: int, n_known: int,
                sum_total: float, sq_total: float, wn: float, w_total: float, impurity: float,
                ) -> tuple[tuple[int, int, float, float, float, float] | None, int]:
    """node_split_random with max_features=1 (and DensePartitioner, MSE): ((pos, feature, threshold,
    impurity_left, improvement, impurity_right) or None, constant features now known)."""
    f_i = len(F)
    n_found = n_drawn = n_visited = 0
    n_total = n_known
    best: tuple[int, int, float] | None = None
    while f_i > n_total and (n_visited < 1 or n_visited <= n_found + n_drawn):
        n_visited += 1
        f_j = n_drawn + _rand_r(state) % (f_i - n_found - n_drawn)
        if f_j < n_known:
            F[n_drawn], F[f_j] = F[f_j], F[n_drawn]
            n_drawn += 1
            continue
        f_j += n_found
        cur = F[f_j]
        col = cols[cur]
        part = [col[i] for i in S[start:end]]
        FV[start:end] = part
        mn, mx = min(part), max(part)
        if mx <= float(np.float32(mn) + _FEATURE_THRESHOLD):  # float32 arithmetic, as the Cython
            F[f_j], F[n_total] = F[n_total], cur
            n_found += 1
            n_total += 1
            continue
        f_i -= 1
        F[f_i], F[f_j] = F[f_j], F[f_i]
        thr = ((mx - mn) * float(_rand_r(state)) / float(MAX_INT)) + mn
        if thr == mx:
            thr = mn
        ps, pe = start, end
        while ps < pe:
            if FV[ps] <= thr:
                ps += 1
            else:
                pe -= 1
                FV[ps], FV[pe] = FV[pe], FV[ps]
                S[ps], S[pe] = S[pe], S[ps]
        if pe - start < 1 or end - pe < 1:
            continue
        best = (pe, cur, thr)
    F[0:n_known] = CF[0:n_known]
    CF[n_known:n_known + n_found] = F[n_known:n_known + n_found]
    if best is None:
        return None, n_total
    pos, f, thr = best
    # criterion.reset(); update(pos): sums from the nearer end, in the samples' order
    if pos - start <= end - pos:
        sum_left = 0.0
        for i in S[start:pos]:
            sum_left += y[i]
        wl = float(pos - start)  # sums of weights 1.0: exact
    else:
        sum_left = sum_total
        for i in reversed(S[pos:end]):
            sum_left -= y[i]
        wl = wn - float(end - pos)
    wr = wn - wl
    sum_right = sum_total - sum_left
    sq_left = 0.0
    for i in S[start:pos]:
        yi = y[i]
        sq_left += yi * yi
    sq_right = sq_total - sq_left
    imp_l = sq_left / wl - (sum_left / wl) ** 2.0
    imp_r = sq_right / wr - (sum_right / wr) ** 2.0
    improvement = (wn / w_total) * (impurity - (wr / wn * imp_r) - (wl / wn * imp_l))
    return (pos, f, thr, imp_l, improvement, imp_r), n_total


#: scikit-learn releases whose IsolationForest `fit_forest` was checked against (tests/test_detect_isoforest.py);
#: with another one installed the check fits with scikit-learn itself, so its results stay scikit-learn's
REPLICATED_SKLEARN = ("1.9",)


def replicates_installed_sklearn() -> bool:
    """Whether `fit_forest` grows the installed scikit-learn's trees (true too when none is installed)."""
    from importlib.metadata import PackageNotFoundError

    try:
        installed = version("scikit-learn")
    except PackageNotFoundError:
        return True
    return ".".join(installed.split(".")[:2]) in REPLICATED_SKLEARN


def fit_forest(X: np.ndarray, n_estimators: int = 100, random_state: int = 0) -> dict[str, np.ndarray] | None:
    """`forest_arrays(IsolationForest(n_estimators=n_estimators, random_state=random_state).fit(X))` without
    scikit-learn (max_samples "auto", max_features 1.0, no bootstrap), or None for X it does not cover
    (NaN or infinite values, no rows): the caller fits with scikit-learn then."""
    X32 = np.asarray(X, dtype=np.float32)
    if X32.ndim != 2 or not len(X32) or not np.isfinite(X32).all():
        return None
    n, n_features = X32.shape
    y: list[float] = np.asarray(np.random.RandomState(random_state).uniform(size=n)).tolist()
    max_samples = min(256, n)
    max_depth = int(np.ceil(np.log2(max(max_samples, 2))))
    seeds = np.random.RandomState(random_state).randint(MAX_INT, size=n_estimators)
    cols = [X32[:, f].astype(np.float64).tolist() for f in range(n_features)]
    trees = []
    rng = np.random.RandomState(0)  # re-seeded: the draws of a fresh RandomState(seed), 50x cheaper to get
    for seed in seeds.tolist():
        rng.seed(seed)
        tree_seed = rng.randint(MAX_INT)  # _set_random_states
        rng.seed(seed)  # _generate_bagging_indices
        _without_replacement(rng, n_features, n_features)  # the features (all of them: no draw is kept)
        rows = np.flatnonzero(np.bincount(_without_replacement(rng, n, max_samples), minlength=n)).tolist()
        rng.seed(tree_seed)
        rand_state = int(rng.randint(0, MAX_INT))  # Splitter.init
        trees.append(_grow_tree(cols, y, rows, max_depth, rand_state))
    left, right, feat, thr, dpl, apl, roots = [], [], [], [], [], [], []
    off = 0
    for t in trees:
        cl, cr = np.asarray(t["left"], dtype=np.int64), np.asarray(t["right"], dtype=np.int64)
        left.append(np.where(cl >= 0, cl + off, -1))
        right.append(np.where(cr >= 0, cr + off, -1))
        feat.append(np.asarray(t["feature"], dtype=np.int64))
        thr.append(np.asarray(t["threshold"], dtype=np.float64))
        dpl.append(np.asarray(t["depth"], dtype=np.int64))
        apl.append(average_path_length(np.asarray(t["n_node"], dtype=np.int64)))
        roots.append(off)
        off += len(cl)
    return {"left": np.concatenate(left), "right": np.concatenate(right), "feature": np.concatenate(feat),
            "threshold": np.concatenate(thr), "path_len": np.concatenate(dpl), "avg_len": np.concatenate(apl),
            "roots": np.asarray(roots, dtype=np.int64),
            "denominator": np.asarray([n_estimators * float(average_path_length(np.asarray([max_samples]))[0])])}


def score_samples(arrays: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """`IsolationForest.score_samples(X)` from `forest_arrays` (X without NaN)."""
    X32 = X.astype(np.float32)
    n = len(X32)
    left, right, feat, thr = arrays["left"], arrays["right"], arrays["feature"], arrays["threshold"]
    node = np.repeat(arrays["roots"][:, None], n, axis=1)  # (trees, samples)
    cols = np.broadcast_to(np.arange(n), node.shape)
    while True:
        inner = left[node] >= 0
        if not inner.any():
            break
        f = np.where(inner, feat[node], 0)
        go_left = X32[cols, f] <= thr[node]
        node = np.where(inner, np.where(go_left, left[node], right[node]), node)
    contrib = arrays["path_len"][node] + arrays["avg_len"][node] - 1.0
    depths = np.zeros(n)
    for row in contrib:  # tree by tree, as scikit-learn sums them
        depths += row
    denominator = arrays["denominator"]
    return -(2 ** (-np.divide(depths, denominator, out=np.ones_like(depths), where=denominator != 0)))


def save_scores(path: Path, X: np.ndarray, scores: np.ndarray) -> None:
    """The rows scored under the forest at `path` and their scores, for `cached_scores`."""
    side = _scores_path(path)
    tmp = side.with_name(side.stem + ".tmp.npz")
    np.savez(tmp, rows=np.ascontiguousarray(X), scores=np.asarray(scores, dtype=np.float64))
    tmp.replace(side)


def cached_scores(path: Path, arrays: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """`score_samples(arrays, X)`, reusing the scores of rows this forest scored last time (`iso-scores-<hash>.npz`):
    a row's score depends on that row alone, so an incremental run scores only the hours that changed."""
    side = _scores_path(path)
    X = np.ascontiguousarray(X)
    keys = [row.tobytes() for row in X]
    known: dict[bytes, float] = {}
    old = load(side)
    if old is not None and old.get("rows") is not None and old["rows"].shape[1:] == X.shape[1:]:
        known = dict(zip((r.tobytes() for r in np.ascontiguousarray(old["rows"], dtype=X.dtype)),
                         old["scores"].tolist(), strict=True))
    hit = np.fromiter((k in known for k in keys), dtype=bool, count=len(keys))
    out = np.empty(len(X), dtype=np.float64)
    if hit.any():
        out[hit] = [known[k] for k, h in zip(keys, hit.tolist(), strict=True) if h]
    if not hit.all():
        out[~hit] = score_samples(arrays, X[~hit])
        save_scores(path, X, out)
    return out


def load(path: Path) -> dict[str, np.ndarray] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, KeyError):
        return None


def save(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the forest, dropping forests of older baselines (one per folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in [*path.parent.glob(f"{PREFIX}*.npz"), *path.parent.glob(f"{SCORES_PREFIX}*.npz")]:
        if old != path:
            old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)
