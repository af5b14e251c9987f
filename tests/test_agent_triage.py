"""The pipeline end to end on hand-built detection results: CLI, demo stage, stored proposals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.agent.store import open_store
from odoo_triage.agent.store.tables import IncidentRow, ProposalRow
from odoo_triage.agent.triage import run_triage
from odoo_triage.app.cli import app
from tests.test_agent_fixtures import FLOWS, SECRET, UUIDS, world


@pytest.fixture(autouse=True)
def _no_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.fixture
def fake_detection(monkeypatch):
    det, partners, projects = world()
    import odoo_triage.app.commands.triage as cmd

    monkeypatch.setattr(cmd, "_detect", lambda paths, *args, **kwargs: det)
    monkeypatch.setattr(cmd, "_match", lambda kind, path: (partners if kind == "partners" else projects) if path else None)
    return det


def test_offline_actions_follow_the_labels():
    det, partners, projects = world()
    run = run_triage(det, partners, projects, FLOWS)
    actions = {i.flow: sorted({str(p.action) for p in run.proposals_for(i.incident_id)}) for i in run.incidents}
    assert actions == {
        "invoice_export": ["requeue_jobs"],
        "crm_partner_sync": ["escalate"],
        "hr_employee_sync": ["escalate"],
        "payroll_export": ["post_note"],
        "esign_project_webhook": ["archive_project"],
        "res.partner duplicates": ["merge_partners"],
    }
    by_action = {str(p.action): p for p in run.proposals}
    assert by_action["requeue_jobs"].params == {"job_uuids": UUIDS[:5]}
    assert by_action["merge_partners"].params == {"partner_ids": [42, 41, 43], "destination_id": 42}
    assert by_action["archive_project"].params == {"project_id": 51}
    esc = [p for p in run.proposals if p.incident_id == next(i.incident_id for i in run.incidents
                                                              if i.flow == "hr_employee_sync")][0]
    assert esc.params["owner"] == "hr-it@firm.test" and SECRET not in esc.params["message"]
    assert run.grounding == {"caught": 0, "passed_on": 0, "rejected_actions": 0, "unsafe_passed_on": 0}
    assert run.provider_label == "offline (deterministic, no LLM)"
    assert all(u["cost_usd"] == 0 and u["prompt_tokens"] == 0 for u in run.usage)


def test_proposals_are_stored_once(sqlite_store):
    det, partners, projects = world()
    first = run_triage(det, partners, projects, FLOWS, store=sqlite_store)
    run_triage(det, partners, projects, FLOWS, store=sqlite_store)
    with sqlite_store.session() as s:
        rows = s.query(ProposalRow).all()
        assert len(rows) == len(first.proposals) == 8
        assert {r.proposed_by for r in rows} == {"triage-agent/offline"}
        assert all(r.status == "proposed" for r in rows)
        incidents = s.query(IncidentRow).all()
        stored = json.dumps([r.payload for r in rows] + [r.data for r in incidents] + [r.title for r in incidents])
    assert "Invalid apikey" in stored and SECRET not in stored


def test_cli_json(tmp_path: Path, fake_detection):
    log = tmp_path / "middleware.jsonl"
    log.write_text("{}\n")
    flows = tmp_path / "flows.json"
    flows.write_text(json.dumps([f.model_dump(mode="json") for f in FLOWS]))
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = CliRunner().invoke(app, ["triage", str(log), "--flows", str(flows), "--partners", str(log),
                                      "--projects", str(log), "--format", "json", "--database-url", db])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["provider_label"] == "offline (deterministic, no LLM)"
    assert len(data["incidents"]) == 6
    assert data["grounding"]["passed_on"] == 0
    assert SECRET not in result.stdout
    store = open_store(db)
    with store.session() as s:
        assert s.query(IncidentRow).count() == 6
    store.dispose()


def test_cli_table_and_bad_input(tmp_path: Path, fake_detection):
    log = tmp_path / "x.log"
    log.write_text("line\n")
    db = f"sqlite:///{tmp_path / 't.db'}"
    result = CliRunner(env={"COLUMNS": "240"}).invoke(app, ["triage", str(log), "--database-url", db])
    assert result.exit_code == 0, result.output
    assert "provider: offline (deterministic, no LLM)" in result.stdout
    assert "requeue_jobs" in result.stdout
    bad = CliRunner().invoke(app, ["triage", str(tmp_path / "missing.log"), "--database-url", db])
    assert bad.exit_code != 0
    assert bad.exit_code == 2 and "log file not found" in bad.output


def test_demo_stage_uses_earlier_results(tmp_path: Path, sqlite_store):
    from odoo_triage.app.commands.triage import demo_stage
    from odoo_triage.app.demo import DemoContext

    det, partners, projects = world()
    (tmp_path / "flows.json").write_text(json.dumps([f.model_dump(mode="json") for f in FLOWS]))
    ctx = DemoContext(world_dir=tmp_path, store=sqlite_store, console=None)  # type: ignore[arg-type]
    ctx.results.update(detection=det, partners=partners, projects=projects)
    line = demo_stage(ctx)
    assert line == "6 incidents (0 critical; 1 from duplicate records), 8 proposals waiting for approval; provider offline"
    assert len(ctx.results["incidents"]) == 6 and len(ctx.results["proposals"]) == 8


def test_a_changed_payload_revises_the_same_proposal(sqlite_store):
    det, partners, projects = world()
    first = run_triage(det, None, None, FLOWS, store=sqlite_store)
    requeue = next(p for p in first.proposals if str(p.action) == "requeue_jobs")
    # the sixth job's later success disappears from the evidence: it is failed now, so it joins the requeue
    det.anomalies[1] = det.anomalies[1].model_copy(update={"evidence_event_ids": det.anomalies[1].evidence_event_ids[:-1]})
    second = run_triage(det, None, None, FLOWS, store=sqlite_store)
    again = next(p for p in second.proposals if str(p.action) == "requeue_jobs")
    assert again.proposal_id == requeue.proposal_id and again.params["job_uuids"] == UUIDS
    with sqlite_store.session() as s:
        row = s.get(ProposalRow, requeue.proposal_id)
        assert row.payload["params"]["job_uuids"] == UUIDS
        assert s.query(ProposalRow).filter(ProposalRow.action == "requeue_jobs").count() == 1


def test_only_records_failing_for_the_incident_cause_are_acted_on():
    from odoo_triage.agent.incidents import IncidentFacts
    from odoo_triage.agent.llm.providers import records_of_cause
    from odoo_triage.core.domain import Cause

    facts = IncidentFacts(failed_records=[
        *[(f"429 Too Many Requests (Retry-After: {n})", [f"queue.job:j{n}"]) for n in range(8)],
        ("odoo.exceptions.UserError: Invoice INV/2026/07179 has no partner bank account", ["queue.job:other"]),
    ])
    assert [r for r, _ in records_of_cause(facts, Cause.rate_limit)] == [f"queue.job:j{n}" for n in range(8)]
    facts = IncidentFacts(failed_records=[
        *[(f"ValidationError: The IBAN of employee {n} does not match the SEPA schema", [f"hr.employee:{n}"])
          for n in range(10)],
        ("odoo.exceptions.ValidationError: Payslip SLIP/2026/10/16313 of employee 310 is still in draft",
         ["hr.employee:310"]),
    ])
    assert [r for r, _ in records_of_cause(facts, Cause.schema_validation)] == [f"hr.employee:{n}" for n in range(10)]


def test_openai_without_a_key_is_a_clear_error(tmp_path: Path, fake_detection):
    log = tmp_path / "x.log"
    log.write_text("line\n")
    result = CliRunner().invoke(app, ["triage", str(log), "--provider", "openai",
                                      "--database-url", f"sqlite:///{tmp_path / 't.db'}"])
    assert result.exit_code == 2 and "OPENAI_API_KEY" in result.output


def test_a_partial_requeue_says_so():
    det, _, _ = world()
    det.anomalies[0] = det.anomalies[0].model_copy(update={"metrics": {"gave_up": 9.0}})
    run = run_triage(det, None, None, FLOWS)
    requeue = next(p for p in run.proposals if str(p.action) == "requeue_jobs")
    assert "The evidence cites 5 of 9 failed jobs" in requeue.rationale
