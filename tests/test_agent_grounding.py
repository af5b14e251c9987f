from odoo_triage.agent.grounding import guard_report
from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.agent.llm.report import ProposedAction, TriageReport
from tests.test_agent_fixtures import FLOWS, world


def incident(flow: str):
    det, partners, projects = world()
    return next(a.incident for a in assemble_incidents(det, partners, projects, FLOWS) if a.incident.flow == flow)


def report(actions, evidence_ids=("an-dup",)) -> TriageReport:
    """Each action cites the report's evidence unless it names its own."""
    return TriageReport(summary="s", probable_cause="data_quality", business_impact="b",
                        evidence_ids=list(evidence_ids),
                        actions=[ProposedAction(**{"evidence_ids": list(evidence_ids), **a}) for a in actions],
                        confidence=0.5)


def test_grounded_archive_passes():
    inc = incident("esign_project_webhook")
    out = guard_report(inc, report([{"action": "archive_project", "params": {"project_id": 51}}]))
    assert [type(t).__name__ for t, _ in out.accepted] == ["ArchiveProject"]
    assert out.rejected == [] and out.caught == 0


def test_invented_project_and_citation_are_rejected():
    inc = incident("esign_project_webhook")
    out = guard_report(inc, report([{"action": "archive_project", "params": {"project_id": 999},
                                     "evidence_ids": ["middleware.jsonl:1"]}],
                                   evidence_ids=("an-dup", "made-up:1")))
    assert out.accepted == [] and out.report.actions == []
    assert "project.project:999" in out.rejected[0].reason
    assert out.ungrounded_evidence_ids == ["made-up:1", "middleware.jsonl:1"]
    assert out.report.evidence_ids == ["an-dup"]
    assert out.caught == 3


def test_bad_parameters_and_off_list_actions_are_rejected():
    inc = incident("res.partner duplicates")
    out = guard_report(inc, report([
        {"action": "merge_partners", "params": {"partner_ids": [41, 42], "destination_id": 43}},  # dest not in ids
        {"action": "merge_partners", "params": {"partner_ids": [41, 42, 43], "destination_id": 42, "force": True}},
        {"action": "delete_everything", "params": {}},
        {"action": "merge_partners", "params": {"partner_ids": [42, 41], "destination_id": 42}},
    ], evidence_ids=("pc-1",)))
    assert len(out.rejected) == 3
    assert [t.partner_ids for t, _ in out.accepted] == [[42, 41]]


def test_escalation_must_name_the_incident_flow():
    inc = incident("crm_partner_sync")
    out = guard_report(inc, report([
        {"action": "escalate", "params": {"flow": "payroll_export", "owner": "x", "message": "m"}},
        {"action": "escalate", "params": {"flow": "crm_partner_sync", "owner": "crm-team@firm.test", "message": "m"}},
    ], evidence_ids=("an-410",)))
    assert len(out.rejected) == 1 and len(out.accepted) == 1
