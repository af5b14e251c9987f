"""The project match-probability model: gradient boosting on pair features, sigmoid-calibrated.

Shipped models live in matchers/models/<kind>.joblib and record the world seeds they were trained
on; `train_model` retrains one from a firm's own records and entity labels.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier

from odoo_triage.core.errors import InputError

MODELS_DIR = Path(__file__).parent / "models"


AGREE_AT = 0.85  # a field's similarity from which a reviewer reads it as "agrees"

Comparison = tuple[str, str, str, float, str, str]  # field, left, right, score, verdict, phrase


def compared(field: str, left: str, right: str, score: float | None, agree: str, disagree: str) -> Comparison:
    """One field of one pair, as the reviewer reads it: missing on a side, agreeing, or not."""
    if not left or not right or score is None:
        return (field, left, right, 0.0, "missing", "")
    verdict = "agree" if score >= AGREE_AT else "disagree"
    return (field, left, right, float(score), verdict, agree if verdict == "agree" else disagree)


def same_or_missing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pair feature: 1 equal, 0 different, NaN when either side is empty (the model learns that
    missing is not disagreement)."""
    out = (a == b).astype(np.float32)
    out[(a == "") | (b == "")] = np.nan
    return out

MODEL_FILES = {"project.project": "project.joblib"}  # partners: matchers/scoring.py learns from the records
ENV_MODEL_DIR = "TRIAGE_MATCH_MODEL_DIR"

# +1: the probability may only rise with the feature; -1: only fall. Keeps the learnt model
# honest where the business rule is clear (a second, different valid VAT never argues for a match).
MONOTONIC = {
    "project.project": {"code_same": 1, "code_diff": -1, "topic_jaccard": 1, "year_diff": -1,
                        "number_diff": -1, "phase_diff": -1, "code_variant": 1},
}


@dataclass
class PairModel:
    kind: str
    features: list[str]
    estimator: Any
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        return self.estimator.predict_proba(X)[:, 1]


def fit(kind: str, features: list[str], X: np.ndarray, y: np.ndarray, info: dict[str, Any] | None = None) -> PairModel:
    if y.sum() < 5 or (len(y) - y.sum()) < 5:
        raise InputError(f"too few labeled pairs to train a {kind} model: {int(y.sum())} duplicate pairs, "
                         f"{int(len(y) - y.sum())} others among the blocked pairs (need 5 of each)")
    mono = [MONOTONIC.get(kind, {}).get(f, 0) for f in features]
    # Small on purpose: prediction cost over millions of pairs grows with the number of trees.
    base = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.1, max_leaf_nodes=15, early_stopping=False,
                                          min_samples_leaf=10, l2_regularization=1.0, monotonic_cst=mono,
                                          random_state=0)
    folds = int(min(5, max(2, y.sum() // 20)))
    # sigmoid, not isotonic: isotonic steps put many pairs on one value (p = 0.5000 at the threshold)
    est = CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)
    est.fit(X, y)
    meta = {"trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "pairs": int(len(y)),
            "positives": int(y.sum()), "sklearn": sklearn.__version__, **(info or {})}
    return PairModel(kind=kind, features=list(features), estimator=est, info=meta)


def save(model: PairModel, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"kind": model.kind, "features": model.features, "estimator": model.estimator,
                 "info": model.info}, path, compress=3)
    return path


def default_path(kind: str) -> Path:
    base = os.environ.get(ENV_MODEL_DIR)
    return (Path(base) if base else MODELS_DIR) / MODEL_FILES[kind]


_CACHE: dict[tuple[str, float], PairModel] = {}


def load(kind: str, path: Path | None = None) -> PairModel:
    path = Path(path) if path else default_path(kind)
    if not path.exists():
        raise InputError(f"no {kind} match model at {path}: train one with `triage match train`")
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        data = joblib.load(path)
        _CACHE[key] = PairModel(kind=data["kind"], features=data["features"], estimator=data["estimator"],
                                info=data.get("info", {}))
    model = _CACHE[key]
    if model.kind != kind:
        raise InputError(f"{path} is a {model.kind} model, not a {kind} one")
    return model
