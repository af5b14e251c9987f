"""Scoring the pipeline against labels: pure functions, no I/O, so every figure is testable.

Detection is scored at incident level: an anomaly matches a labeled incident when it is on the
same flow and its window overlaps the label's window (widened by `tolerance`). A label is found
when at least one anomaly matches it; an anomaly matching no label is a false alarm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from odoo_triage.core.domain import Anomaly
from odoo_triage.core.labels import LabeledIncident

DEFAULT_TOLERANCE = timedelta(hours=1)

# Which labeled kind a false alarm of each anomaly kind is charged to, for per-kind precision.
ANOMALY_TO_INCIDENT_KIND = {
    "error_spike": "error_spike",
    "latency_shift": "latency_shift",
    "volume_drop": "silent_flow",
    "silent_flow": "silent_flow",
    "retry_storm": "retry_storm",
    "duplicate_delivery": "duplicate_delivery",
    "new_error_signature": "new_error_signature",
    "multivariate": "multivariate",
}


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime, tol: timedelta) -> bool:
    return a_start <= b_end + tol and b_start <= a_end + tol


@dataclass
class DetectionScore:
    overall: dict[str, float]
    per_kind: dict[str, dict[str, float]]
    matches: dict[str, list[str]]  # label id -> anomaly ids
    false_alarms: list[str]
    false_alarms_per_flow_day: float
    max_false_alarms_one_flow_day: int
    time_to_detect_minutes: dict[str, float] = field(default_factory=dict)  # label id -> minutes

    def as_dict(self) -> dict[str, Any]:
        ttd = list(self.time_to_detect_minutes.values())
        return {
            "overall": self.overall,
            "per_kind": self.per_kind,
            "false_alarms": len(self.false_alarms),
            "false_alarms_per_flow_day": self.false_alarms_per_flow_day,
            "max_false_alarms_one_flow_day": self.max_false_alarms_one_flow_day,
            "time_to_detect_median_min": median(ttd) if ttd else None,
            "time_to_detect_max_min": max(ttd) if ttd else None,
        }


def score_detection(
    anomalies: list[Anomaly],
    labels: list[LabeledIncident],
    *,
    flows: int,
    days: float,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> DetectionScore:
    """Incident-level precision/recall/F1, per labeled kind and overall, and false alarms per flow-day."""
    matches: dict[str, list[str]] = {lab.incident_id: [] for lab in labels}
    matched_anomalies: dict[str, str] = {}  # anomaly id -> label kind
    for an in anomalies:
        for lab in labels:
            if an.flow == lab.flow and overlaps(an.window_start, an.window_end, lab.start, lab.end, tolerance):
                matches[lab.incident_id].append(an.anomaly_id)
                matched_anomalies.setdefault(an.anomaly_id, lab.kind)
    false_alarms = [an for an in anomalies if an.anomaly_id not in matched_anomalies]

    kinds = sorted({lab.kind for lab in labels} | {ANOMALY_TO_INCIDENT_KIND.get(a.kind, a.kind) for a in false_alarms})
    per_kind: dict[str, dict[str, float]] = {}
    for kind in kinds:
        kind_labels = [lab for lab in labels if lab.kind == kind]
        found = sum(1 for lab in kind_labels if matches[lab.incident_id])
        tp_anoms = sum(1 for k in matched_anomalies.values() if k == kind)
        fp = sum(1 for a in false_alarms if ANOMALY_TO_INCIDENT_KIND.get(a.kind, a.kind) == kind)
        scores = prf(tp_anoms, fp, 0)
        recall = found / len(kind_labels) if kind_labels else 1.0
        precision = scores["precision"]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_kind[kind] = {"labeled": len(kind_labels), "found": found, "recall": recall,
                          "precision": precision, "f1": f1, "false_alarms": fp}

    found_total = sum(1 for ids in matches.values() if ids)
    precision = len(matched_anomalies) / len(anomalies) if anomalies else 1.0
    recall = found_total / len(labels) if labels else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    overall = {"precision": precision, "recall": recall, "f1": f1, "labeled": len(labels),
               "found": found_total, "anomalies": len(anomalies)}

    per_flow_day: Counter[tuple[str, str]] = Counter(
        (a.flow, a.window_start.date().isoformat()) for a in false_alarms
    )
    ttd: dict[str, float] = {}
    by_id = {a.anomaly_id: a for a in anomalies}
    for lab in labels:
        if matches[lab.incident_id]:
            first = min(by_id[i].window_start for i in matches[lab.incident_id])
            ttd[lab.incident_id] = max(0.0, (first - lab.start).total_seconds() / 60)
    return DetectionScore(
        overall=overall,
        per_kind=per_kind,
        matches=matches,
        false_alarms=[a.anomaly_id for a in false_alarms],
        false_alarms_per_flow_day=len(false_alarms) / (flows * days) if flows and days else 0.0,
        max_false_alarms_one_flow_day=max(per_flow_day.values(), default=0),
        time_to_detect_minutes=ttd,
    )


def score_pairs(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    """Pair precision/recall/F1; pairs are (low id, high id)."""
    tp = len(predicted & truth)
    return prf(tp, len(predicted - truth), len(truth - predicted))


def normalise_pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@dataclass
class TriageOutcome:
    """What the agent said about one incident, reduced to what labels can check."""

    flow: str
    window_start: datetime
    window_end: datetime
    cause: str
    actions: list[str]
    records: set[str] = field(default_factory=set)  # every record the proposed actions touch


def score_triage(
    outcomes: list[TriageOutcome], labels: list[LabeledIncident], tolerance: timedelta = DEFAULT_TOLERANCE
) -> dict[str, Any]:
    """Cause accuracy and remediation-action accuracy over the labeled incidents the agent found, and
    one row per labeled incident (what was predicted against what was labeled) so a miss can be read."""
    cause_ok = action_ok = found = 0
    coverage: list[float] = []
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    rows: list[dict[str, Any]] = []
    for lab in labels:
        hits = [o for o in outcomes if o.flow == lab.flow
                and overlaps(o.window_start, o.window_end, lab.start, lab.end, tolerance)]
        row = incident_row(lab, hits)
        rows.append(row)
        if not hits:
            continue
        found += 1
        confusion[str(lab.cause)][row["predicted_cause"]] += 1
        cause_ok += row["cause_ok"]
        action_ok += row["action_ok"]
        if lab.affected_records:
            coverage.append(row["records_covered"] / row["records_labeled"])
    return {
        "labeled": len(labels),
        "found": found,
        "cause_accuracy": cause_ok / found if found else 0.0,
        "action_accuracy": action_ok / found if found else 0.0,
        "cause_confusion": {k: dict(v) for k, v in confusion.items()},
        # Share of each labeled incident's affected records that its proposals act on, averaged.
        "affected_records_covered": sum(coverage) / len(coverage) if coverage else None,
        "incidents": rows,
    }


def incident_row(lab: LabeledIncident, hits: list[TriageOutcome]) -> dict[str, Any]:
    """One labeled incident against the agent's best matching incident: the predicted cause and actions,
    and how many labeled records the proposals of every matching incident touch (missed ones listed)."""
    row: dict[str, Any] = {"id": lab.incident_id, "flow": lab.flow, "kind": lab.kind, "cause": str(lab.cause),
                           "expected_action": str(lab.expected_action), "found": bool(hits),
                           "matched_incidents": len(hits), "predicted_cause": None, "actions": [],
                           "cause_ok": False, "action_ok": False,
                           "records_labeled": len(lab.affected_records), "records_covered": 0,
                           "records_missed": sorted(lab.affected_records)}
    if not hits:
        return row
    best = max(hits, key=lambda o: (o.cause == lab.cause, str(lab.expected_action) in o.actions))
    touched = set().union(*(o.records for o in hits))
    missed = sorted(set(lab.affected_records) - touched)
    row.update(predicted_cause=best.cause, actions=sorted(set(best.actions)), cause_ok=best.cause == lab.cause,
               action_ok=str(lab.expected_action) in best.actions,
               records_covered=len(set(lab.affected_records) & touched), records_missed=missed)
    return row
