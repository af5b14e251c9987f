"""The IsolationForest kept in the state folder (detectors/checks/isoforest.py): scores bit-identical to
scikit-learn's, and a later run with the same baseline scores from the folder without scikit-learn."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from odoo_triage.core.labels import read_flows
from odoo_triage.detectors.checks import isoforest
from odoo_triage.detectors.checks.multivariate import FOREST
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.sim.world import generate_world


def _features(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.minimum(0, rng.normal(0, 0.3, n)), np.maximum(0, rng.normal(0, 1, n)),
                         rng.exponential(0.2, n), np.zeros(n)])
    X[::7, 1] = 0.0  # ties, as quiet hours give
    return X


@pytest.mark.parametrize("params", [FOREST, {**FOREST, "max_features": 2, "n_estimators": 30}])
def test_scores_are_bit_identical_to_scikit_learn(params):
    X = _features(400, 1)
    model = IsolationForest(**params).fit(X[:300])
    Y = np.vstack([X, _features(50, 2) * 5])  # and hours far outside the baseline
    ours = isoforest.score_samples(isoforest.forest_arrays(model, X.shape[1]), Y)
    assert np.array_equal(ours, model.score_samples(Y))


def test_cache_path_names_the_baseline(tmp_path):
    X = _features(100, 3)
    a = isoforest.cache_path(tmp_path, X, FOREST)
    assert a == isoforest.cache_path(tmp_path, X.copy(), FOREST)
    X[5, 1] += 1e-9
    assert a != isoforest.cache_path(tmp_path, X, FOREST)
    assert a != isoforest.cache_path(tmp_path, _features(100, 3), {**FOREST, "random_state": 1})


def test_second_run_scores_from_the_state_folder_without_sklearn(tmp_path, monkeypatch):
    world = tmp_path / "world"
    generate_world(world, seed=11, events=20_000, partners=200)
    logs, catalog = sorted((world / "logs").iterdir()), read_flows(world / "flows.json")
    full = run_detection(logs, catalog=catalog)
    first = run_detection(logs, catalog=catalog, state_dir=tmp_path / "state")
    assert len(list((tmp_path / "state").glob("isoforest-*.npz"))) == 1
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)  # importing it now fails
    again = run_detection(logs, catalog=catalog, state_dir=tmp_path / "state")
    dump = [sorted(a.model_dump_json() for a in r.anomalies) for r in (full, first, again)]
    assert dump[0] == dump[1] == dump[2]


def _shapes(n: int, seed: int, kind: str) -> np.ndarray:
    """Inputs with what grows odd trees: ties, near-constant and constant columns, repeated rows, wide scales."""
    rng = np.random.default_rng(seed)
    if kind == "ties":
        return rng.integers(0, 3, size=(n, 4)).astype(float)
    if kind == "near_constant":  # spreads under the splitter's FEATURE_THRESHOLD (1e-7): constant to it
        X = np.zeros((n, 4))
        X[:, 2] = rng.normal(size=n) * 1e-8
        X[:, 3] = rng.normal(size=n)
        return X
    if kind == "repeated":
        return np.repeat(rng.normal(size=(n // 10 + 1, 4)), 10, axis=0)[:n]
    if kind == "scales":
        return rng.normal(size=(n, 4)) * 10.0 ** rng.integers(-6, 6, size=4)
    return _features(n, seed)


@pytest.mark.parametrize(("n", "kind", "params"), [
    (48, "features", FOREST),            # the fewest baseline hours the check fits on
    (256, "ties", FOREST),               # every row drawn (reservoir, no draw)
    (258, "near_constant", FOREST),      # reservoir sampling with draws
    (1000, "features", FOREST),          # a permutation's first 256 rows
    (700, "repeated", {**FOREST, "random_state": 7, "n_estimators": 40}),
    (400, "scales", {**FOREST, "random_state": 123, "n_estimators": 25}),
    (30_000, "features", {**FOREST, "n_estimators": 10}),  # tracking selection (under 1% drawn)
])
def test_forest_grown_without_sklearn_is_sklearns(n, kind, params):
    X = _shapes(n, n, kind)
    model = IsolationForest(**params).fit(X)
    ours = isoforest.fit_forest(X, params["n_estimators"], params["random_state"])
    assert ours is not None
    ref = isoforest.forest_arrays(model, X.shape[1])
    assert ours.keys() == ref.keys()
    for key, value in ref.items():
        assert np.array_equal(ours[key], value), key
    Y = np.vstack([X, _features(50, 2) * 5])
    assert np.array_equal(isoforest.score_samples(ours, Y), model.score_samples(Y))


def test_fit_forest_leaves_nan_and_infinities_to_sklearn():
    X = _features(100, 4)
    for bad in (np.nan, np.inf):
        Y = X.copy()
        Y[3, 1] = bad
        assert isoforest.fit_forest(Y) is None
    assert isoforest.fit_forest(X[:0]) is None


def test_detection_does_not_import_sklearn_and_scores_as_sklearn(tmp_path, monkeypatch):
    """The check runs its forest without scikit-learn; its scores (so its anomalies) are scikit-learn's."""
    import subprocess

    from odoo_triage.detectors.checks import multivariate

    world = tmp_path / "world"
    generate_world(world, seed=11, events=20_000, partners=200)
    code = ("import sys; from pathlib import Path; from odoo_triage.core.labels import read_flows; "
            "from odoo_triage.detectors.pipeline import run_detection; "
            f"w = Path({str(world)!r}); r = run_detection(sorted((w / 'logs').iterdir()), "
            "catalog=read_flows(w / 'flows.json')); "
            "print('sklearn' in sys.modules, 'scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    assert out == ["False", "False"]

    seen = []
    real = multivariate.baseline_scores

    def spy(ctx, X, base):
        scores = real(ctx, X, base)
        seen.append((X, base, scores))
        return scores

    monkeypatch.setattr(multivariate, "baseline_scores", spy)
    run_detection(sorted((world / "logs").iterdir()), catalog=read_flows(world / "flows.json"))
    (X, base, scores), = seen
    assert base.sum() >= 48 and len(X) > base.sum()
    model = IsolationForest(**FOREST).fit(X[base])
    assert np.array_equal(scores, model.score_samples(X))


def test_another_sklearn_release_fits_with_sklearn(monkeypatch):
    """fit_forest replicates the releases it was checked against; with another one installed the check
    fits with scikit-learn, whose trees may differ."""
    assert isoforest.replicates_installed_sklearn()  # the installed one is checked by the tests above
    monkeypatch.setattr(isoforest, "version", lambda name: "9.0.0")
    assert not isoforest.replicates_installed_sklearn()
