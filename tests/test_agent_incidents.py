from collections import Counter
from datetime import timedelta

from odoo_triage.agent.causes import classify, evaluate_holdout, rule_cause
from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.agent.severity import score_severity
from odoo_triage.agent.store.tables import IncidentRow
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.domain import Cause, Criticality, Severity
from tests.test_agent_fixtures import FLOWS, SECRET, UUIDS, FakeDetection, anomaly, ev, world


def by_flow():
    det, partners, projects = world()
    return {a.incident.flow: a for a in assemble_incidents(det, partners, projects, FLOWS)}


def test_one_outage_is_one_incident_and_clusters_join_their_delivery():
    inc = by_flow()
    assert set(inc) == {"invoice_export", "crm_partner_sync", "hr_employee_sync", "payroll_export",
                        "esign_project_webhook", "res.partner duplicates"}
    storm = inc["invoice_export"].incident
    assert storm.anomaly_ids == ["an-retry", "an-spike-inv"]
    assert set(storm.kinds) == {"retry_storm", "error_spike"}
    esign = inc["esign_project_webhook"].incident
    assert esign.cluster_ids == ["jc-1"]  # the project cluster joins the duplicate delivery
    assert inc["esign_project_webhook"].facts.duplicate_project_ids == [51]


def test_separate_episodes_stay_separate():
    a = [ev("m.jsonl", 1, "f", 0, http_status=500), ev("m.jsonl", 2, "f", 600, http_status=500)]
    det = FakeDetection(anomalies=[anomaly("a1", "error_spike", "f", 0, 10, a[:1]),
                                   anomaly("a2", "error_spike", "f", 600, 610, a[1:])],
                        evidence={e.event_id: e for e in a})
    assert len(assemble_incidents(det)) == 2
    det.anomalies[1] = anomaly("a2", "error_spike", "f", 35, 50, a[1:])  # 25 minutes later: adjacent
    assert len(assemble_incidents(det)) == 1


def test_evidence_items_events_records_and_redaction():
    inc = by_flow()
    storm = inc["invoice_export"]
    ids = {e.evidence_id: e for e in storm.incident.evidence}
    assert {"an-retry", "an-spike-inv", "queue_job.csv:10", "queue_job.csv:30", f"queue.job:{UUIDS[0]}"} <= set(ids)
    assert "status=error http=429" in ids["queue_job.csv:10"].text
    assert storm.facts.failed_job_uuids == UUIDS[:5]  # the sixth succeeded later: not requeued
    hr = inc["hr_employee_sync"].incident
    assert all(SECRET not in e.text for e in hr.evidence)
    assert SECRET not in hr.title


def test_causes_of_the_labeled_kinds():
    inc = by_flow()
    assert {f: a.incident.cause for f, a in inc.items()} == {
        "invoice_export": Cause.rate_limit,
        "crm_partner_sync": Cause.configuration,
        "hr_employee_sync": Cause.credential_auth,
        "payroll_export": Cause.schema_validation,
        "esign_project_webhook": Cause.data_quality,
        "res.partner duplicates": Cause.data_quality,
    }


def test_rules_and_model():
    assert rule_cause(["latency_shift"], Counter(), "").cause == Cause.upstream_outage
    assert rule_cause(["silent_flow"], Counter(), "").cause == Cause.configuration
    assert rule_cause(["error_spike"], Counter({503: 9}), "Service Unavailable").cause == Cause.upstream_outage
    assert rule_cause(["error_spike"], Counter(), "weird") is None
    # a latency shift with a few background failures of mixed kinds stays an upstream problem
    assert rule_cause(["latency_shift", "multivariate"], Counter({504: 1, 422: 1, 503: 1}),
                      "504 Gateway Timeout | ValidationError: Timesheet exceeds 24 hours").cause == Cause.upstream_outage
    # mixed statuses: the majority class decides, not the first one seen
    assert rule_cause(["error_spike"], Counter({422: 2, 503: 5, 504: 3}), "").cause == Cause.upstream_outage
    assert rule_cause(["error_spike"], Counter({401: 9, 500: 1}), "Invalid apikey").cause == Cause.credential_auth
    # no rule fires: the text model decides
    verdict = classify(["error_spike"], Counter(), "the client certificate has expired")
    assert verdict.source == "model" and verdict.cause == Cause.credential_auth
    verdict = classify(["error_spike"], Counter(), "XSD validation failed for e-invoice: missing cbc:IssueDate")
    assert verdict.cause == Cause.schema_validation


def test_model_holdout_accuracy():
    figures = evaluate_holdout()
    assert figures["examples"] >= 500
    assert figures["accuracy"] >= 0.9
    assert figures["templates"] >= 100 and figures["unseen_template_accuracy"] >= 0.7


def test_severity_weighs_criticality_and_blast_radius():
    crit, crit_score = score_severity(Criticality.critical, records=10, failed_events=10)
    low, low_score = score_severity(Criticality.low, records=10, failed_events=10)
    assert crit_score > low_score and crit in (Severity.critical, Severity.high) and low in (Severity.low, Severity.medium)
    _, small = score_severity(Criticality.high, records=1, failed_events=1)
    _, big = score_severity(Criticality.high, records=200, failed_events=500)
    assert big > small


def test_rerun_updates_instead_of_duplicating(store):
    det, partners, projects = world()
    first = run_triage(det, partners, projects, FLOWS, store=store)
    assert first.new_incidents == 6
    det.anomalies[1] = det.anomalies[1].model_copy(
        update={"window_end": det.anomalies[1].window_end + timedelta(minutes=10)})
    second = run_triage(det, partners, projects, FLOWS, store=store)
    assert second.new_incidents == 0
    assert [i.incident_id for i in first.incidents] == [i.incident_id for i in second.incidents]
    with store.session() as s:
        rows = s.query(IncidentRow).all()
        assert len(rows) == 6
        storm = next(r for r in rows if r.flow == "invoice_export")
        assert storm.data["report"]["provider"] == "offline"
        new_end = next(i for i in second.incidents if i.flow == "invoice_export").window_end
        assert storm.window_end.replace(tzinfo=None) == new_end.replace(tzinfo=None)
        assert storm.data["window_end"].startswith(new_end.strftime("%Y-%m-%dT%H:%M"))
