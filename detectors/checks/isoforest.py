"""A fitted IsolationForest kept as numpy arrays in the state folder, scored without scikit-learn.

An incremental run judges one new hour against the same baseline as yesterday: refitting the forest
(and importing scikit-learn, ~1.5 CPU-s) every run is waste. The trees are saved once per baseline
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
