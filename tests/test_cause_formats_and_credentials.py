"""#14 (judge2): an OAuth `access_denied` is a credential even inside a UserError, and the escalation of an
expired credential hands over the failed jobs left for after the re-authorisation; a format revision the
reader does not support is schema validation; a fiscal code refused *for the issuer* is configuration; an
anomaly carries more than 500 failed jobs to its remedies (requeued in proposals of at most 500); an
ambiguous project lookup (Odoo's "Expected singleton: project.project(a, b)") selects the matcher's cluster
holding both, whose copy is archived."""

from __future__ import annotations

from collections import Counter

from odoo_triage.agent.causes import classify, classify_text
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.domain import ActionName, Anomaly, Cause, DuplicateCluster, RecordModel
from tests.test_agent_fixtures import FakeDetection, FakeMatch, anomaly, ev

RENEWAL = ('odoo.exceptions.UserError: CRM: could not renew the access_token (HTTP 401): '
           '{"error_type": "ACCESS_DENIED", "error_message": "Wrong credentials provided."}')


def test_oauth_access_denied_is_a_credential_even_in_a_user_error():
    v = classify_text(RENEWAL)
    assert (v.cause, v.source, v.retry_safe) == (Cause.credential_auth, "signal:oauth", False)


def _uuid(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-000000000000"


def test_an_expired_credential_escalation_hands_over_its_failed_jobs():
    events = [ev("q.csv", i, "crm_sync", i, error=RENEWAL, record_ids=[f"queue.job:{_uuid(i)}"]) for i in range(40)]
    det = FakeDetection(anomalies=[anomaly("cred", "error_spike", "crm_sync", 0, 40, events)],
                        evidence={e.event_id: e for e in events})
    (reviewed,) = run_triage(det, None, None, None).reports.values()
    report = reviewed.report
    assert report.probable_cause == Cause.credential_auth
    (action,) = report.actions
    assert action.action == ActionName.escalate
    assert set(action.params["records"]) == {f"queue.job:{_uuid(i)}" for i in range(40)}


def test_an_unsupported_layout_version_is_schema_validation():
    for text in ["LayoutNaoSuportado: versão do layout do arquivo 107 no header; suportadas: 101, 103",
                 "UnsupportedFormatError: file format version 3 is not supported",
                 "Dateiformat-Version 4 wird nicht unterstützt"]:
        v = classify(["error_spike"], Counter(), text)
        assert (v.cause, v.source) == (Cause.schema_validation, "rule:unsupported-format"), text
    assert classify(["error_spike"], Counter(), "version 42 deployed").source != "rule:unsupported-format"


def test_a_fiscal_code_refused_for_the_issuer_is_configuration():
    text = ('{"codigo": "1206", "descricao": "Código do serviço prestado inválido ou não permitido para o '
            'prestador (01.07)."}')
    v = classify(["error_spike"], Counter(), text)
    assert (v.cause, v.source) == (Cause.configuration, "signal:config-mapping")
    assert classify_text("Tax code not allowed for the seller").cause == Cause.configuration
    # the customer's own identifier refused is the record's data, not the issuer's setting
    assert classify_text("CPF/CNPJ do tomador inválido.").source != "signal:config-mapping"


def test_more_than_500_failed_jobs_are_all_requeued():
    n = 620
    events = [ev("q.csv", i, "crm_sync", i / 10, http_status=429, retry_count=5,
                 error="429 Client Error: Too Many Requests", record_ids=[f"queue.job:{_uuid(i)}"]) for i in range(n)]
    an = anomaly("storm", "retry_storm", "crm_sync", 0, n / 10, events[:20])
    # validated as the detectors build it: the remedies are not cut to one proposal's 500
    an = Anomaly.model_validate({**an.model_dump(), "remedy_event_ids": [e.event_id for e in events]})
    det = FakeDetection(anomalies=[an], evidence={e.event_id: e for e in events})
    (reviewed,) = run_triage(det, None, None, None).reports.values()
    report = reviewed.report
    requeued = [u for a in report.actions if a.action == ActionName.requeue_jobs for u in a.params["job_uuids"]]
    assert sorted(requeued) == sorted(_uuid(i) for i in range(n))
    assert all(len(a.params["job_uuids"]) <= 500 for a in report.actions if a.action == ActionName.requeue_jobs)


def _project_world(error: str) -> tuple[FakeDetection, FakeMatch]:
    events = [ev("odoo.log", i, "jira_import", i, error=error) for i in range(6)]
    det = FakeDetection(anomalies=[anomaly("sp", "error_spike", "jira_import", 0, 6, events)],
                        evidence={e.event_id: e for e in events})
    projects = FakeMatch(clusters=[DuplicateCluster(cluster_id="jc-9", model=RecordModel.project, record_ids=[27, 374],
                                                    suggested_master_id=27, probability=0.95, reason="same key")])
    return det, projects


def test_an_ambiguous_project_lookup_archives_the_copy_of_the_cluster_it_names():
    det, projects = _project_world("ValueError: Expected singleton: project.project(27, 374)")
    (reviewed,) = run_triage(det, None, projects, None).reports.values()
    archives = [a.params["project_id"] for a in reviewed.report.actions if a.action == ActionName.archive_project]
    assert archives == [374]


def test_a_recordset_naming_records_outside_the_cluster_selects_nothing():
    det, projects = _project_world("ValueError: Expected singleton: project.project(27, 999)")
    result = run_triage(det, None, projects, None)
    (inc,) = [i for i in result.incidents if i.flow == "jira_import"]
    assert not inc.cluster_ids
    assert not [a for a in result.reports[inc.incident_id].report.actions if a.action == ActionName.archive_project]
