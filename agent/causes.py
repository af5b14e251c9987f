"""Cause classification: explicit rules first, a small text model for what the rules miss.

Rules carry what an integration engineer knows for sure (a 429 is a rate limit, a 401 with
"apikey" is a credential); the TF-IDF + logistic-regression model, trained on the shipped
`cause_examples.csv`, handles free-text errors no rule names. The model ships as joblib;
`retrain()` rebuilds it from the CSV.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from odoo_triage.core.domain import Cause

HERE = Path(__file__).parent
EXAMPLES_CSV = HERE / "cause_examples.csv"
MODEL_PATH = HERE / "models" / "cause_model.joblib"


@dataclass(frozen=True)
class CauseVerdict:
    cause: Cause
    confidence: float
    source: str  # "rule:<name>" | "model" | "none"


# --------------------------------------------------------------------------- rules

_CRED_WORDS = re.compile(r"(?i)api ?key|token|unauthori[sz]ed|credential|access ?denied|authenticat|session expired|login")
_SCHEMA_WORDS = re.compile(r"(?i)validationerror|validation (error|failed)|schema|does not match|unprocessable|invalid value|xsd")
_DUP_WORDS = re.compile(r"(?i)duplicate|idempotency key .*twice|received twice|created twice|redeliver")
_TIMEOUT_WORDS = re.compile(r"(?i)timed? ?out|timeout|connection (refused|reset)|service unavailable|bad gateway")
_CONFIG_WORDS = re.compile(r"(?i)\bgone\b|api change|deprecated|retired|endpoint (moved|removed)|misconfigur|does not exist on model")
_RATE_WORDS = re.compile(r"(?i)too many requests|rate.?limit|throttl|quota")


_ERROR_KINDS = {"error_spike", "new_error_signature", "retry_storm"}


def _status_class(status: int) -> Cause | None:
    if status in (401, 403):
        return Cause.credential_auth
    if status == 429:
        return Cause.rate_limit
    if status >= 500:
        return Cause.upstream_outage
    if status in (404, 405, 410):
        return Cause.configuration
    if status in (400, 409, 422):
        return Cause.schema_validation
    return None


def dominant_status_cause(statuses: Counter[int]) -> tuple[Cause, float] | None:
    """The cause most failed calls' HTTP statuses point to, and its share, when it is a majority."""
    classes: Counter[Cause] = Counter()
    for status, n in statuses.items():
        cls = _status_class(status)
        if cls is not None:
            classes[cls] += n
    if not classes:
        return None
    cause, n = classes.most_common(1)[0]
    share = n / sum(classes.values())
    return (cause, share) if share >= 0.5 else None


def rule_cause(kinds: Iterable[str], statuses: Counter[int], text: str) -> CauseVerdict | None:
    """The cause the evidence makes certain, or None when it takes judgement."""
    kinds = set(kinds)
    failures = sum(statuses.values())
    if "duplicate_delivery" in kinds or "duplicate_cluster" in kinds:
        return CauseVerdict(Cause.data_quality, 0.95, "rule:duplicate")
    if "latency_shift" in kinds and not kinds & _ERROR_KINDS:
        return CauseVerdict(Cause.upstream_outage, 0.8, "rule:latency-shift")
    if kinds & {"silent_flow", "volume_drop"} and not kinds & _ERROR_KINDS and failures == 0:
        return CauseVerdict(Cause.configuration, 0.8, "rule:silent-flow")
    dominant = dominant_status_cause(statuses)
    if dominant is not None:
        cause, share = dominant
        if cause != Cause.credential_auth or _CRED_WORDS.search(text) or share >= 0.8:
            name = {Cause.credential_auth: "http-401", Cause.rate_limit: "http-429", Cause.upstream_outage: "http-5xx",
                    Cause.configuration: "http-410", Cause.schema_validation: "http-422"}[cause]
            return CauseVerdict(cause, round(0.75 + 0.2 * share, 3), f"rule:{name}")
    if "retry_storm" in kinds and _RATE_WORDS.search(text):
        return CauseVerdict(Cause.rate_limit, 0.9, "rule:retry-storm-rate")
    if _SCHEMA_WORDS.search(text):
        return CauseVerdict(Cause.schema_validation, 0.85, "rule:validation")
    if _TIMEOUT_WORDS.search(text):
        return CauseVerdict(Cause.upstream_outage, 0.8, "rule:timeout")
    if _CONFIG_WORDS.search(text):
        return CauseVerdict(Cause.configuration, 0.75, "rule:config-words")
    if _RATE_WORDS.search(text):
        return CauseVerdict(Cause.rate_limit, 0.75, "rule:rate-words")
    if _DUP_WORDS.search(text):
        return CauseVerdict(Cause.data_quality, 0.75, "rule:duplicate-words")
    if _CRED_WORDS.search(text) and re.search(r"(?i)invalid|expired|revoked|denied|unauthori", text):
        return CauseVerdict(Cause.credential_auth, 0.75, "rule:credential-words")
    return None


# --------------------------------------------------------------------------- model


def read_examples(path: Path = EXAMPLES_CSV) -> tuple[list[str], list[str]]:
    texts, labels, _ = read_examples_with_templates(path)
    return texts, labels


def read_examples_with_templates(path: Path = EXAMPLES_CSV) -> tuple[list[str], list[str], list[str]]:
    """Texts, causes and the template each example was written from (its family of wordings)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return ([r["text"] for r in rows], [r["cause"] for r in rows],
            [r.get("template") or r["text"] for r in rows])


def build_pipeline() -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True,
                                  token_pattern=r"(?u)\b\w+\b")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)),
    ])
    return Pipeline([("features", features),
                     ("clf", LogisticRegression(max_iter=2000, C=8.0, class_weight="balanced"))])


def evaluate_holdout(path: Path = EXAMPLES_CSV, *, test_size: float = 0.25, seed: int = 0) -> dict[str, Any]:
    """Accuracy on held-out examples, two ways: a stratified random split, and a split by template
    (whole families of wordings unseen in training: the honest figure for new error texts)."""
    texts, labels, templates = read_examples_with_templates(path)
    x_tr, x_te, y_tr, y_te = train_test_split(texts, labels, test_size=test_size, random_state=seed, stratify=labels)
    pipe = build_pipeline().fit(x_tr, y_tr)
    random_acc = float(accuracy_score(y_te, pipe.predict(x_te)))
    splitter = GroupShuffleSplit(n_splits=5, test_size=test_size, random_state=seed)
    grouped = []
    for tr, te in splitter.split(texts, labels, groups=templates):
        model = build_pipeline().fit([texts[i] for i in tr], [labels[i] for i in tr])
        grouped.append(accuracy_score([labels[i] for i in te], model.predict([texts[i] for i in te])))
    return {"examples": len(texts), "templates": len(set(templates)), "train": len(x_tr), "test": len(x_te),
            "accuracy": random_acc, "unseen_template_accuracy": float(sum(grouped) / len(grouped))}


def retrain(path: Path = EXAMPLES_CSV, out: Path = MODEL_PATH) -> dict[str, Any]:
    """Refit on every example, write the joblib, and return the held-out figure for the record."""
    report = evaluate_holdout(path)
    texts, labels = read_examples(path)
    pipe = build_pipeline().fit(texts, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipe, out)
    load_model.cache_clear()
    return {**report, "model_path": str(out)}


@lru_cache(maxsize=1)
def load_model() -> Pipeline:
    if not MODEL_PATH.exists():
        retrain()
    return joblib.load(MODEL_PATH)


def model_cause(text: str) -> CauseVerdict:
    if not text.strip():
        return CauseVerdict(Cause.unknown, 0.0, "none")
    model = load_model()
    probs = model.predict_proba([text])[0]
    best = int(probs.argmax())
    return CauseVerdict(Cause(model.classes_[best]), float(probs[best]), "model")


def classify(kinds: Iterable[str], statuses: Counter[int], text: str) -> CauseVerdict:
    """Rules when they are sure; otherwise the model; `unknown` when the model is unsure."""
    kinds = list(kinds)
    verdict = rule_cause(kinds, statuses, text)
    if verdict is not None:
        return verdict
    guess = model_cause(text)
    if guess.confidence < 0.3:
        return CauseVerdict(Cause.unknown, guess.confidence, "model")
    return guess


_HTTP_STATUS = re.compile(r"(?i)(?:\bhttp[ /]?(?:status)?[ :=]*|\bstatus[ :=]+|^|\s)([1-5]\d\d)\b")


def classify_text(text: str) -> CauseVerdict:
    """One free-text error (a batch row, a log line): HTTP statuses are read from the text itself."""
    statuses: Counter[int] = Counter(int(m) for m in _HTTP_STATUS.findall(text) if 400 <= int(m) < 600)
    return classify([], statuses, text)
