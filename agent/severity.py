"""Severity: business weight of the flow times how far the damage reaches.

A quote-to-cash flow failing for ten records outranks a reporting feed failing for a
thousand; within one flow, more records, more failed messages and more money rank higher.
"""

from __future__ import annotations

import math

from odoo_triage.core.domain import Criticality, Severity

CRITICALITY_WEIGHT = {Criticality.critical: 1.0, Criticality.high: 0.75, Criticality.medium: 0.5, Criticality.low: 0.25}
THRESHOLDS = ((0.75, Severity.critical), (0.55, Severity.high), (0.35, Severity.medium))


def _saturating(x: float, half: float) -> float:
    """0 at 0, 0.5 at `half`, towards 1 beyond: blast radius grows fast, then flattens."""
    return 0.0 if x <= 0 else 1.0 - math.exp(-math.log(2) * x / half)


def blast_radius(records: int, failed_events: int, money: float = 0.0) -> float:
    parts = [_saturating(records, 20), _saturating(failed_events, 50)]
    if money > 0:
        parts.append(_saturating(money, 10_000))
    return max(parts) * 0.7 + (sum(parts) / len(parts)) * 0.3


def score_severity(
    criticality: Criticality | None,
    *,
    records: int,
    failed_events: int,
    money: float = 0.0,
    anomaly_score: float = 0.5,
) -> tuple[Severity, float]:
    """(severity, score in 0..1). Unknown flows weigh as medium."""
    weight = CRITICALITY_WEIGHT[criticality or Criticality.medium]
    score = 0.5 * weight + 0.35 * blast_radius(records, failed_events, money) + 0.15 * anomaly_score
    score = round(min(max(score, 0.0), 1.0), 4)
    for threshold, severity in THRESHOLDS:
        if score >= threshold:
            return severity, score
    return Severity.low, score
