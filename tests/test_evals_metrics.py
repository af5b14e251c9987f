from datetime import UTC, datetime, timedelta

import pytest

from odoo_triage.core.domain import ActionName, Anomaly, AnomalyKind, Cause
from odoo_triage.core.labels import LabeledIncident, read_incidents, true_pairs, write_incidents
from odoo_triage.evals.metrics import TriageOutcome, score_detection, score_pairs, score_triage
from odoo_triage.evals.report import compare_markdown, html_report, markdown
from odoo_triage.evals.runs import compare, list_runs, load_run, save_run

T0 = datetime(2026, 10, 27, 10, tzinfo=UTC)


def lab(i: str, kind: str, flow: str, start: datetime, hours: float = 3, cause=Cause.configuration,
        action=ActionName.escalate) -> LabeledIncident:
    return LabeledIncident(incident_id=i, kind=kind, flow=flow, start=start, end=start + timedelta(hours=hours),
                           cause=cause, expected_action=action)


def anom(i: str, kind: AnomalyKind, flow: str, start: datetime, hours: float = 1) -> Anomaly:
    return Anomaly(anomaly_id=i, kind=kind, flow=flow, window_start=start, window_end=start + timedelta(hours=hours),
                   score=0.9, reason="r")


LABELS = [
    lab("L1", "error_spike", "crm", T0),
    lab("L2", "retry_storm", "invoice", T0 + timedelta(days=1), cause=Cause.rate_limit, action=ActionName.requeue_jobs),
    lab("L3", "silent_flow", "esign", T0 + timedelta(days=2)),
]


def test_detection_counts_found_labels_and_false_alarms():
    anomalies = [
        anom("a1", AnomalyKind.error_spike, "crm", T0 + timedelta(minutes=30)),
        anom("a2", AnomalyKind.new_error_signature, "crm", T0 + timedelta(hours=1)),  # same label, not an FP
        anom("a3", AnomalyKind.retry_storm, "invoice", T0 + timedelta(days=1, hours=3, minutes=30)),  # within 1h tol
        anom("a4", AnomalyKind.latency_shift, "esign", T0 + timedelta(days=5)),  # false alarm
        anom("a5", AnomalyKind.error_spike, "invoice", T0),  # wrong flow for L1: false alarm
    ]
    s = score_detection(anomalies, LABELS, flows=3, days=10)
    assert s.overall["found"] == 2 and s.overall["labeled"] == 3
    assert s.overall["recall"] == pytest.approx(2 / 3)
    assert s.overall["precision"] == pytest.approx(3 / 5)
    assert sorted(s.false_alarms) == ["a4", "a5"]
    assert s.false_alarms_per_flow_day == pytest.approx(2 / 30)
    assert s.per_kind["silent_flow"]["recall"] == 0.0
    assert s.per_kind["error_spike"]["found"] == 1
    assert s.per_kind["error_spike"]["false_alarms"] == 1  # a5 is charged to error_spike
    assert s.per_kind["latency_shift"]["labeled"] == 0 and s.per_kind["latency_shift"]["false_alarms"] == 1
    assert s.time_to_detect_minutes["L1"] == pytest.approx(30)


def test_no_anomalies_means_zero_recall_and_no_false_alarms():
    s = score_detection([], LABELS, flows=3, days=10)
    assert s.overall["recall"] == 0 and s.false_alarms == [] and s.max_false_alarms_one_flow_day == 0


def test_pairs_and_entities():
    truth = true_pairs({1: "a", 2: "a", 3: "a", 4: "b", 5: "c", 6: "c"})
    assert truth == {(1, 2), (1, 3), (2, 3), (5, 6)}
    s = score_pairs({(1, 2), (2, 3), (4, 5)}, truth)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == pytest.approx(2 / 4)


def test_affected_record_coverage():
    label = LABELS[1].model_copy(update={"affected_records": ["queue.job:a", "queue.job:b", "queue.job:c", "queue.job:d"]})
    start = label.start
    outcomes = [TriageOutcome("invoice", start, start + timedelta(hours=1), "rate_limit", ["requeue_jobs"],
                              {"queue.job:a", "queue.job:b", "queue.job:zzz"})]
    s = score_triage(outcomes, [label])
    assert s["affected_records_covered"] == 0.5
    assert score_triage(outcomes, LABELS[:1])["affected_records_covered"] is None  # no records labeled


def test_triage_accuracy_uses_matching_incident():
    outcomes = [
        TriageOutcome("crm", T0, T0 + timedelta(hours=2), "configuration", ["escalate"]),
        TriageOutcome("invoice", T0 + timedelta(days=1), T0 + timedelta(days=1, hours=2), "upstream_outage", ["escalate"]),
    ]
    s = score_triage(outcomes, LABELS)
    assert s["found"] == 2
    assert s["cause_accuracy"] == 0.5 and s["action_accuracy"] == 0.5
    assert s["cause_confusion"]["rate_limit"] == {"upstream_outage": 1}


def test_labels_round_trip(tmp_path):
    write_incidents(tmp_path / "i.jsonl", LABELS)
    assert read_incidents(tmp_path / "i.jsonl") == LABELS


def test_compare_flags_regressions_only_beyond_tolerance():
    before = {"detection": {"overall": {"recall": 1.0, "precision": 0.95}, "false_alarms_per_flow_day": 0.1},
              "stages": {"detect": {"seconds": 10.0}, "triage": {"seconds": 10.0}}}
    after = {"detection": {"overall": {"recall": 0.857, "precision": 0.953}, "false_alarms_per_flow_day": 0.3},
             "stages": {"detect": {"seconds": 10.5}, "triage": {"seconds": 14.0}}}
    changes = {c.figure: c for c in compare(before, after)}
    assert changes["detection.overall.recall"].regression
    assert not changes["detection.overall.precision"].regression  # better
    assert changes["detection.false_alarms_per_flow_day"].regression  # lower is better, rose
    assert not changes["stages.detect.seconds"].regression  # one timing is no evidence
    assert not changes["stages.triage.seconds"].regression  # nor is +40% without a noise band
    text = compare_markdown("A", "B", list(changes.values()))
    assert "2 regression(s)" in text


def test_speed_regresses_only_beyond_the_noise_band_of_the_repeats():
    before = {"stages": {"detect": {"seconds": 0.54, "seconds_noise": 0.2}, "triage": {"seconds": 10.0,
                                                                                       "seconds_noise": 0.1}}}
    after = {"stages": {"detect": {"seconds": 0.9, "seconds_noise": 0.3}, "triage": {"seconds": 14.0,
                                                                                     "seconds_noise": 0.2}}}
    changes = {c.figure: c for c in compare(before, after)}
    assert not changes["stages.detect.seconds"].regression  # +0.36 s within 3 x 0.3 s of noise
    assert changes["stages.triage.seconds"].regression  # +4 s against 0.2 s of noise
    assert "stages.detect.seconds_noise" not in changes
    assert not compare({"stages": {"x": {"seconds": 0.54}}}, {"stages": {"x": {"seconds": 5.63}}})[0].regression


def test_runs_are_stored_and_loaded(store):
    rid = save_run(store, {"split": "dev", "seed": 7}, {"detection": {"overall": {"recall": 1.0}}})
    assert load_run(store, rid).figures["detection"]["overall"]["recall"] == 1.0
    assert load_run(store, rid[:10]).run_id == rid  # a prefix is enough
    assert [r.run_id for r in list_runs(store)] == [rid]


def test_reports_render_both_splits():
    figs = {"detection": {"overall": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "found": 1, "labeled": 2},
                          "per_kind": {"error_spike": {"labeled": 1, "found": 1, "precision": 1.0, "recall": 1.0,
                                                       "f1": 1.0}}},
            "stages": {"detect": {"seconds": 1.5, "peak_rss_mb": 200.0}}}
    md = markdown({"dev": figs, "heldout": figs})
    assert "| detection recall | 0.500 | 0.500 |" in md
    assert "error_spike" in md
    page = html_report({"dev": figs})
    assert "data:image/png;base64," in page
