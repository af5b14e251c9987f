"""Causes, actions and coverage from structured signals that real logs carry outside the message text:
a nested error object (class + Odoo's message), a Portuguese `erro` field, a list of partner ids, Odoo's
"Expected singleton" ambiguity, and an HTTP status named only inside a queue.job's exception text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from odoo_triage.agent.causes import classify, read_signals, statuses_named
from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.domain import Cause, DuplicateCluster, RecordModel
from odoo_triage.detectors.readers import FileStats, detect_format, make_reader
from tests.test_agent_fixtures import FakeDetection, FakeMatch, anomaly, ev


def _rows(path: Path) -> list:  # type: ignore[type-arg]
    reader = make_reader(detect_format(path))
    stats, rows = FileStats(path.name, detect_format(path)), []
    for chunk in reader.chunks(path):
        stats.add(chunk)
        rows += chunk.rows
    return rows


def _cloud_logging(tmp_path: Path, payloads: list[dict]) -> Path:  # type: ignore[type-arg]
    """Cloud Logging LogEntry lines (a log sink's export) carrying an app's structured jsonPayload."""
    lines = []
    for i, p in enumerate(payloads):
        lines.append(json.dumps({
            "insertId": f"id{i}", "timestamp": f"2026-10-12T01:{i:02d}:00.000000Z",
            "severity": "ERROR" if "error" in p or "erro" in p else "INFO",
            "resource": {"type": "cloud_run_revision", "labels": {"service_name": "onboard"}},
            "jsonPayload": p}))
    path = tmp_path / "stdout.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_nested_error_object_is_the_error_text_with_its_class(tmp_path):
    ok = {"message": "envelope processed", "odoo_partner_id": 7}
    bad = {"message": "Odoo refused to write the ABN", "odoo_partner_id": 41,
           "error": {"name": "odoo.exceptions.ValidationError",
                     "odoo_message": "The VAT 51824753556 already exists in another partner."}}
    rows = _rows(_cloud_logging(tmp_path, [ok, ok, bad, ok, bad, ok]))
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 2
    assert failed[0].error == ("odoo.exceptions.ValidationError: The VAT 51824753556 already exists in "
                               "another partner.")
    assert read_signals(failed[0].error).duplicate == "vat"
    assert "res.partner:41" in failed[0].record_ids


def test_a_portuguese_erro_field_and_a_list_of_partner_ids_are_read(tmp_path):
    ok = {"message": "pagamento registrado", "partner_id": 5}
    bad = {"message": "falha ao registrar pagamento no Odoo", "partner_ids": [772, 3464],
           "erro": "Fault 2: ValueError: Expected singleton: res.partner(772, 3464)"}
    rows = _rows(_cloud_logging(tmp_path, [ok, bad, ok, ok, bad]))
    failed = [r for r in rows if r.status == "error"]
    assert [r.error for r in failed] == ["Fault 2: ValueError: Expected singleton: res.partner(772, 3464)"] * 2
    assert all({"res.partner:772", "res.partner:3464"} <= set(r.record_ids) for r in failed)


def test_expected_singleton_is_duplicate_data_whatever_the_status():
    text = "Fault 2: ValueError: Expected singleton: res.partner(772, 3464)"
    verdict = classify(["error_spike"], Counter({500: 40}), text)
    assert (verdict.cause, verdict.source, verdict.retry_safe) == (
        Cause.data_quality, "signal:expected-singleton", False)
    # one record is no ambiguity
    assert read_signals("Expected singleton: res.partner(772,)").ambiguous is None


def test_an_ambiguous_partner_lookup_proposes_the_merge_of_its_cluster():
    events = [ev("s.jsonl", i, "pix", i, http_status=500, record_ids=["res.partner:772", "res.partner:3464"],
                 error="Fault 2: ValueError: Expected singleton: res.partner(772, 3464)") for i in range(6)]
    det = FakeDetection(anomalies=[anomaly("sp", "error_spike", "pix", 0, 6, events)],
                        evidence={e.event_id: e for e in events})
    cluster = DuplicateCluster(cluster_id="dup-1", model=RecordModel.partner, record_ids=[772, 3464],
                               suggested_master_id=772, probability=0.99, reason="same CNPJ")
    (item,) = [a for a in assemble_incidents(det, FakeMatch(clusters=[cluster])) if a.incident.flow == "pix"]
    assert item.incident.cause == Cause.data_quality and item.incident.cluster_ids == ["dup-1"]
    run = run_triage(det, FakeMatch(clusters=[cluster]), None, None)
    merges = [p.params for p in run.proposals if str(p.action) == "merge_partners"]
    assert merges == [{"partner_ids": [772, 3464], "destination_id": 772}]
    assert run.grounding["rejected_actions"] == 0


def test_the_status_a_queue_job_error_names_decides_when_no_field_holds_one():
    cred = ('odoo.exceptions.UserError: CRM: could not refresh the access_token (HTTP 401): '
            '{"error_type": "ACCESS_DENIED", "error_message": "Wrong credentials provided."}')
    rate = ("odoo.addons.queue_job.exception.FailedJobError: Max. retries (5) reached: 429 Client Error: "
            "Too Many Requests for url: https://api.crm.test/v2/contacts")
    assert statuses_named(Counter({cred: 3, rate: 2, "no status here 4040": 5})) == Counter({401: 3, 429: 2})
    # through the incident: queue.job rows carry no http status, the verdict reads the one the text names
    events = [ev("q.csv", i, "crm", i, error=cred, record_ids=[f"queue.job:u{i}"]) for i in range(6)]
    det = FakeDetection(anomalies=[anomaly("sp", "error_spike", "crm", 0, 6, events)],
                        evidence={e.event_id: e for e in events})
    (item,) = assemble_incidents(det)
    assert (item.incident.cause, item.facts.verdict.retry_safe) == (Cause.credential_auth, False)
    jobs = [ev("q.csv", 10 + i, "crm", i, error=rate, retry_count=5, record_ids=[f"queue.job:r{i}"])
            for i in range(6)]
    det = FakeDetection(anomalies=[anomaly("rs", "retry_storm", "crm", 0, 6, jobs)],
                        evidence={e.event_id: e for e in jobs})
    run = run_triage(det, None, None, None)
    assert [str(i.cause) for i in run.incidents] == ["rate_limit"]
    (requeue,) = [p for p in run.proposals if str(p.action) == "requeue_jobs"]
    assert sorted(requeue.params["job_uuids"]) == [f"r{i}" for i in range(6)]


def test_a_jobs_records_come_from_its_func_string_head_never_its_arguments():
    from odoo_triage.detectors.readers.queue_job import func_records

    assert func_records("project.project(348,)._provision_sharepoint_folder()") == ["project.project:348"]
    assert func_records("res.partner(7, 9)._export(res.partner(11,), 'x')") == ["res.partner:7", "res.partner:9"]
    assert func_records("_export('project.project(5,)')") == []  # an id inside the arguments is text
    assert func_records("") == []


def test_a_failed_job_on_a_duplicate_project_rejected_as_a_duplicate_proposes_the_archive():
    err = ("odoo.exceptions.UserError: Microsoft Graph refused to create folder 'P-2524 Cost Plan': 409 "
           "nameAlreadyExists - An item with the same name already exists under the parent")
    events = [ev("q.csv", i, "folders", i, error=err, record_ids=[f"queue.job:u{i}", f"project.project:{348 + i}"])
              for i in range(3)]
    det = FakeDetection(anomalies=[anomaly("ns", "new_error_signature", "folders", 0, 3, events)],
                        evidence={e.event_id: e for e in events})
    clusters = [DuplicateCluster(cluster_id=f"pj-{i}", model=RecordModel.project, record_ids=[40 + i, 348 + i],
                                 suggested_master_id=40 + i, probability=0.98, reason="same name, same client")
                for i in range(3)]
    run = run_triage(det, None, FakeMatch(clusters=clusters), None)
    (inc,) = [i for i in run.incidents if i.flow == "folders"]
    assert inc.cause == Cause.data_quality and sorted(inc.cluster_ids) == ["pj-0", "pj-1", "pj-2"]
    archives = sorted(p.params["project_id"] for p in run.proposals if str(p.action) == "archive_project")
    assert archives == [348, 349, 350] and run.grounding["rejected_actions"] == 0
    # a project id only in the error text links nothing
    texted = [ev("q.csv", 10 + i, "folders", i, error=err + " (project 348)", record_ids=[f"queue.job:t{i}"])
              for i in range(3)]
    det = FakeDetection(anomalies=[anomaly("nt", "new_error_signature", "folders", 0, 3, texted)],
                        evidence={e.event_id: e for e in texted})
    run = run_triage(det, None, FakeMatch(clusters=clusters), None)
    (inc,) = [i for i in run.incidents if i.flow == "folders"]
    assert inc.cluster_ids == []


def test_the_failed_jobs_of_archived_duplicates_are_handed_over_not_requeued():
    err = "odoo.exceptions.UserError: Graph refused to create folder 'P-1': 409 nameAlreadyExists - already exists"
    events = [ev("q.csv", i, "folders", i, error=err, record_ids=[f"queue.job:u{i}", f"project.project:{348 + i}"])
              for i in range(3)]
    det = FakeDetection(anomalies=[anomaly("ns", "new_error_signature", "folders", 0, 3, events)],
                        evidence={e.event_id: e for e in events})
    clusters = [DuplicateCluster(cluster_id=f"pj-{i}", model=RecordModel.project, record_ids=[40 + i, 348 + i],
                                 suggested_master_id=40 + i, probability=0.98) for i in range(3)]
    run = run_triage(det, None, FakeMatch(clusters=clusters), None)
    assert not [p for p in run.proposals if str(p.action) == "requeue_jobs"]
    (handover,) = [p for p in run.proposals if str(p.action) == "escalate"]
    assert handover.params["records"] == ["queue.job:u0", "queue.job:u1", "queue.job:u2"]
    assert run.grounding["rejected_actions"] == 0
