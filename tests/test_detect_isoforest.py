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
