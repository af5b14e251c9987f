"""`triage batch` on labeled failed batches: group by group, and the exit codes automation uses."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

from odoo_triage.agent.actions import parse_action
from odoo_triage.app.batch import EXIT_ACTIONABLE, EXIT_BAD_INPUT, EXIT_NOTHING_ACTIONABLE, triage_batch
from odoo_triage.core.domain import Cause

DATA = Path(__file__).parent / "data" / "batch"
QUEUE_JOB = DATA / "queue_job_failed.csv"


def _uuid(tag: str, i: int) -> str:
    """How tests/data/batch/queue_job_failed.csv named its jobs."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"batch/{tag}/{i}"))


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from odoo_triage.app.cli import main

    monkeypatch.setattr(sys, "argv", ["triage", *args])
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture(scope="module")
def qj_report():
    return triage_batch(QUEUE_JOB)


def test_queue_job_export_totals(qj_report):
    r = qj_report
    assert r.format == "queue_job_csv"
    assert r.flow == "invoice_export"  # from channel root.invoice_export
    assert (r.rows_total, r.failed_rows, r.skipped_rows) == (21, 17, 2)
    assert [(m.line_no, m.reason) for m in r.malformed] == [
        (55, "failed job without exception text"),
        (60, "expected 13 fields, found 6"),
    ]
    assert [g.cause for g in r.groups] == [
        Cause.rate_limit, Cause.credential_auth, Cause.schema_validation, Cause.upstream_outage]
    assert [g.count for g in r.groups] == [7, 4, 3, 3]
    # nothing lost: every failed row is in exactly one group
    assert sum(g.count for g in r.groups) == r.failed_rows
    assert r.exit_code == EXIT_ACTIONABLE


def test_rate_limit_group_requeues_failed_jobs_but_never_started(qj_report):
    g = qj_report.groups[0]
    assert "Too Many Requests" in g.signature
    assert g.lines == [2, 6, 10, 15, 19, 23, 27]
    assert g.remediation.action == "requeue_jobs" and g.remediation.actionable
    assert len(g.remediation.proposals) == 1
    uuids = g.remediation.proposals[0]["params"]["job_uuids"]
    started = _uuid("rate", 3)
    assert sorted(uuids) == sorted(_uuid("rate", i) for i in range(7) if i != 3)
    assert started not in uuids
    assert g.remediation.skipped == [f"queue.job:{started}"]
    assert f"queue.job:{started}" in g.affected_records  # still shown as affected
    assert {f"account.move:{1100 + i}" for i in range(7)} <= set(g.affected_records)
    parse_action("requeue_jobs", g.remediation.proposals[0]["params"])  # allow-list accepts it
    calls = g.remediation.proposals[0]["odoo_calls"]
    assert [c.split("(")[0] for c in calls] == ["read  queue.job.search_read", "WRITE queue.job.requeue",
                                                 "read  queue.job.search_read"]


def test_auth_group_escalates(qj_report):
    g = qj_report.groups[1]
    assert g.signature.startswith("odoo.exceptions.AccessDenied: Invalid apikey")
    assert g.lines == [31, 35, 39, 43]
    (p,) = g.remediation.proposals
    assert p["action"] == "escalate"
    assert p["params"]["flow"] == "invoice_export"
    assert "lines 31, 35, 39, 43" in p["params"]["message"]


def test_validation_group_fixes_data_with_notes(qj_report):
    g = qj_report.groups[2]
    assert "VAT number" in g.signature and g.count == 3
    assert g.lines == [47, 51, 56]
    assert g.remediation.action == "post_note"
    notes = [(p["params"]["model"], p["params"]["record_id"]) for p in g.remediation.proposals]
    assert notes == [("account.move", 1400), ("account.move", 1401), ("account.move", 1402)]
    assert len(g.example_rows) == 3 and g.example_rows[0]["line_no"] == 47
    assert "exc_info" not in g.example_rows[0]  # tracebacks kept out of examples


def test_outage_group_requeues(qj_report):
    g = qj_report.groups[3]
    assert "Max retries exceeded" in g.signature
    assert g.remediation.proposals[0]["params"]["job_uuids"] == sorted(_uuid("down", i) for i in range(3))


def test_partner_import_json(tmp_path):
    r = triage_batch(DATA / "partner_import.json")
    assert (r.format, r.error_column) == ("json", "error_message")
    assert (r.rows_total, r.failed_rows, r.skipped_rows) == (7, 5, 1)  # the row without error is skipped
    assert [(m.line_no, m.reason) for m in r.malformed] == [(8, "expected an object, found str")]
    dup, missing = r.groups
    assert (dup.cause, dup.count, dup.lines) == (Cause.data_quality, 3, [2, 4, 11])
    assert dup.affected_records == ["res.partner:101", "res.partner:102", "res.partner:106"]
    assert (missing.cause, missing.count) == (Cause.schema_validation, 2)
    assert [p["params"]["record_id"] for p in missing.remediation.proposals] == [103, 107]


def test_jsonl_with_broken_line(tmp_path):
    r = triage_batch(DATA / "crm_sync.jsonl", owner="crm-team")
    assert [m.line_no for m in r.malformed] == [4]
    limit, auth = r.groups
    assert (limit.cause, limit.count, limit.lines) == (Cause.rate_limit, 3, [1, 2, 5])
    assert limit.remediation.action == "resubmit_rows"  # not queue.jobs: nothing to requeue in Odoo
    assert auth.remediation.proposals[0]["params"]["owner"] == "crm-team"


def test_odoo_label_headers_are_understood(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text('"UUID","Task","State","Exception","Exception Message","Channel"\n'
                 '"u-1","Export","failed","odoo.exceptions.AccessDenied","Invalid apikey","root.bank_sync"\n'
                 '"u-2","Export","done","","","root.bank_sync"\n')
    r = triage_batch(f)
    assert r.format == "queue_job_csv" and r.flow == "bank_sync"
    assert [(g.cause, g.count) for g in r.groups] == [(Cause.credential_auth, 1)]
    assert r.groups[0].affected_records == ["queue.job:u-1"]


def test_only_started_jobs_is_not_actionable(tmp_path):
    f = tmp_path / "started.csv"
    f.write_text("uuid,state,exc_name,exc_message\n"
                 "a1,started,HTTPError,429 Too Many Requests\n"
                 "a2,done,,\n")
    r = triage_batch(f)
    assert r.groups[0].remediation.proposals == []
    assert r.exit_code == EXIT_NOTHING_ACTIONABLE


def test_cli_json_output_and_exit_code(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB), "--format", "json")
    assert code == EXIT_ACTIONABLE
    data = json.loads(out)
    assert data["exit_code"] == 3 and data["actionable_groups"] == 4
    assert [g["count"] for g in data["groups"]] == [7, 4, 3, 3]
    assert [m["line_no"] for m in data["malformed"]] == [55, 60]


def test_cli_table_output(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB))
    assert code == EXIT_ACTIONABLE
    assert "rate_limit" in out and "credential_auth" in out and "requeue_jobs" in out
    assert "line 55: failed job without exception text" in out
    assert "4 actionable group(s); exit code 3." in out


def test_cli_owner_from_flows_catalog(monkeypatch, capsys, tmp_path):
    flows = tmp_path / "flows.json"
    flows.write_text(json.dumps([{"name": "invoice_export", "source_system": "odoo", "target_system": "platform",
                                  "owner": "finance-integrations", "criticality": "critical"}]))
    code, out, _ = run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB), "--format", "json", "--flows", str(flows))
    esc = json.loads(out)["groups"][1]["remediation"]["proposals"][0]
    assert esc["params"]["owner"] == "finance-integrations"


def test_cli_nothing_actionable_exits_0(monkeypatch, capsys, tmp_path):
    f = tmp_path / "ok.csv"
    f.write_text("id,name,error\n1,a,\n2,b,\n")
    code, out, _ = run_cli(monkeypatch, capsys, "batch", str(f), "--format", "json")
    assert code == EXIT_NOTHING_ACTIONABLE
    assert json.loads(out)["skipped_rows"] == 2


@pytest.mark.parametrize("content,name,needle", [
    (None, "missing.csv", "no such file"),
    ("id,name,status\n1,a,ok\n", "noerr.csv", "no error column"),
    ('[{"error": "x"', "broken.json", "unreadable JSON"),
    ("", "empty.csv", "is empty"),
    ("\x00\x01binary", "blob.bin", "unknown batch format"),
])
def test_cli_bad_input_exits_2(monkeypatch, capsys, tmp_path, content, name, needle):
    f = tmp_path / name
    if content is not None:
        f.write_text(content)
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(f))
    assert code == EXIT_BAD_INPUT
    assert needle in err


def test_long_batch_goes_through_the_progress_path_and_keeps_json_clean(monkeypatch, capsys, tmp_path):
    f = tmp_path / "big.jsonl"
    rows = [json.dumps({"id": i, "model": "res.partner", "res_id": i,
                        "error": f"429 Too Many Requests: retry after {i % 60}s" if i % 3 else
                        f"ValidationError: partner {i} has an invalid e-mail address"}) for i in range(1, 3001)]
    rows[1499] = "{broken"
    f.write_text("\n".join(rows) + "\n")
    code, out, _ = run_cli(monkeypatch, capsys, "batch", str(f), "--format", "json")
    data = json.loads(out)
    assert code == EXIT_ACTIONABLE
    assert (data["rows_total"], data["failed_rows"]) == (3000, 2999)
    assert [m["line_no"] for m in data["malformed"]] == [1500]
    counts = {g["cause"]: g["count"] for g in data["groups"]}
    assert counts == {"rate_limit": 2000, "schema_validation": 999}  # line 1500 (a validation row) is broken


def test_matches_the_shipped_labels(qj_report):
    """tests/data/batch/queue_job_failed.labels.json says what a person expects, group by group."""
    labels = json.loads((DATA / "queue_job_failed.labels.json").read_text())
    r = qj_report
    assert (r.rows_total, r.failed_rows, r.skipped_rows) == (labels["rows_total"], labels["failed_rows"],
                                                             labels["skipped_rows"])
    assert [m.model_dump(include={"line_no", "reason"}) for m in r.malformed] == labels["malformed"]
    assert len(r.groups) == len(labels["groups"])
    for group, want in zip(r.groups, labels["groups"], strict=True):
        assert want["signature_contains"] in group.signature
        assert (str(group.cause), group.count, group.lines) == (want["cause"], want["count"], want["lines"])
        assert group.remediation.action == want["action"]
        if "requeue" in want:
            uuids = [u for p in group.remediation.proposals for u in p["params"]["job_uuids"]]
            assert uuids == want["requeue"]
            assert not set(uuids) & set(want.get("never_requeue", []))
        if "notes_on" in want:
            assert [f"{p['params']['model']}:{p['params']['record_id']}" for p in group.remediation.proposals] == \
                want["notes_on"]


def test_cli_store_puts_groups_and_proposals_in_the_queue(monkeypatch, capsys, tmp_path):
    from odoo_triage.agent.approvals import list_proposals
    from odoo_triage.agent.store import open_store
    from odoo_triage.agent.store.tables import IncidentRow

    db = f"sqlite:///{tmp_path / 'b.db'}"
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB), "--format", "json")
    assert "not stored: add --store" in err
    code, _, err = run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB), "--format", "json", "--store",
                           "--database-url", db)
    assert code == EXIT_ACTIONABLE and "stored 4 incident(s)" in err
    store = open_store(db)
    first = {p.proposal_id for p in list_proposals(store)}
    assert first and all(p.proposed_by == "triage-batch" for p in list_proposals(store))
    run_cli(monkeypatch, capsys, "batch", str(QUEUE_JOB), "--store", "--database-url", db)  # idempotent
    assert {p.proposal_id for p in list_proposals(store)} == first
    with store.session() as s:
        assert s.query(IncidentRow).count() == 4
