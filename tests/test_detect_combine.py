"""The combiner: one outage, one row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.detectors.combine import combine

T0 = datetime(2026, 10, 27, 9, tzinfo=UTC)


def an(aid: str, kind: str, flow: str, start_h: float, end_h: float, score: float, ev: list[str]) -> Anomaly:
    return Anomaly(anomaly_id=aid, kind=AnomalyKind(kind), flow=flow, window_start=T0 + timedelta(hours=start_h),
                   window_end=T0 + timedelta(hours=end_h), score=score, reason=f"{kind} reason",
                   evidence_event_ids=ev, signature="sig-1" if kind == "new_error_signature" else None)


def test_overlapping_anomalies_of_one_flow_merge():
    out = combine([
        an("a", "error_spike", "hr", 0, 5, 0.9, ["m:1", "m:2"]),
        an("b", "new_error_signature", "hr", 0.5, 5.5, 0.95, ["m:2", "m:3"]),
        an("c", "multivariate", "hr", 1, 3, 0.6, ["m:4"]),
        an("d", "error_spike", "hr", 9, 10, 0.7, ["m:9"]),  # later the same day: its own row
        an("e", "latency_shift", "psa", 1, 2, 0.8, ["p:1"]),  # other flow: never merged
    ])
    assert len(out) == 3
    lead = out[0]
    assert lead.kind == AnomalyKind.new_error_signature and lead.anomaly_id == "b"
    assert lead.related_kinds == [AnomalyKind.error_spike, AnomalyKind.multivariate]
    assert lead.window_start == T0 and lead.window_end == T0 + timedelta(hours=5.5)
    assert set(lead.evidence_event_ids) == {"m:1", "m:2", "m:3", "m:4"}
    assert lead.signature == "sig-1" and "error_spike" in lead.reason
    assert [a.anomaly_id for a in out[1:]] == ["e", "d"]  # ranked by score


def test_evidence_stays_bounded():
    many = [an(f"x{i}", "error_spike", "f", 0, 1, 0.5 + i / 100, [f"f:{i}-{j}" for j in range(20)]) for i in range(5)]
    (one,) = combine(many)
    assert len(one.evidence_event_ids) <= 30
    assert one.evidence_event_ids[:20] == [f"f:4-{j}" for j in range(20)]  # the strongest's evidence first


def test_ids_stay_unique():
    out = combine([an("same", "error_spike", "f", 0, 1, 0.9, ["f:1"]), an("same", "error_spike", "f", 3, 4, 0.8, ["f:2"])])
    assert len({a.anomaly_id for a in out}) == 2 and out[0].anomaly_id == "same"
