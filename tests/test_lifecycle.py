"""Incident lifecycle (agent/lifecycle.py) and the duplicate roll-up (agent/incidents.py)."""

from datetime import timedelta

import pytest

from odoo_triage.agent.approvals import audit_trail
from odoo_triage.agent.incidents import assemble_incidents, data_quality_incident_id
from odoo_triage.agent.lifecycle import after_run, is_open_work, note_execution, set_status, status_counts
from odoo_triage.agent.store.tables import IncidentRow, ProposalRow
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import DuplicateCluster, RecordModel
from odoo_triage.core.errors import InputError
from tests.test_agent_fixtures import FLOWS, FakeMatch, world


def _partners(n: int) -> FakeMatch:
    return FakeMatch(clusters=[
        DuplicateCluster(cluster_id=f"pc-{i}", model=RecordModel.partner, record_ids=[100 + 2 * i, 101 + 2 * i],
                         suggested_master_id=100 + 2 * i, probability=0.9, reason="same e-mail")
        for i in range(n)])


def _status(store, incident_id: str) -> str:
    with store.session() as s:
        return s.get(IncidentRow, incident_id).status


def test_clusters_of_one_model_roll_up_into_one_incident_with_one_merge_each():
    det, _, projects = world()
    got = assemble_incidents(det, _partners(12), projects, FLOWS)
    dq = [a for a in got if a.incident.flow == "res.partner duplicates"]
    assert len(dq) == 1
    inc = dq[0].incident
    assert inc.incident_id == data_quality_incident_id(RecordModel.partner)
    assert len(inc.cluster_ids) == 12 and inc.title.startswith("12 duplicate cluster(s) in res.partner")
    run = run_triage(det, _partners(12), projects, FLOWS)
    merges = [p for p in run.proposals_for(inc.incident_id) if str(p.action) == "merge_partners"]
    assert len(merges) == 12 and len({p.payload_hash for p in merges}) == 12  # each its own hashed payload
    assert len(run.reports[inc.incident_id].report.summary) < 600  # not one clause per cluster


def test_an_executed_fix_mitigates_and_a_healthy_run_resolves_then_closes(store, fixed_clock):
    det, partners, projects = world()
    run = run_triage(det, partners, projects, FLOWS, store=store)
    storm = next(i for i in run.incidents if i.flow == "invoice_export")
    assert _status(store, storm.incident_id) == "proposed"
    with store.session() as s:
        note_execution(s, storm.incident_id, "executed", "dana")
    assert _status(store, storm.incident_id) == "proposed"  # its proposal still waits
    with store.session() as s:
        s.query(ProposalRow).filter_by(incident_id=storm.incident_id).update({"status": "executed"})
        note_execution(s, storm.incident_id, "executed", "dana")
    assert _status(store, storm.incident_id) == "mitigating"
    assert not is_open_work("mitigating")
    # a later run reads the flow 30 minutes past the incident: not enough healthy data yet
    end = storm.window_end
    assert after_run(store, [], last_seen={"invoice_export": end + timedelta(minutes=30)})["resolved"] == 0
    moved = after_run(store, [], last_seen={"invoice_export": end + timedelta(hours=3)})
    assert moved["resolved"] == 1 and _status(store, storm.incident_id) == "resolved"
    # other flows were not read: untouched
    assert status_counts(store)["proposed"] == 5
    fixed_clock.advance(timedelta(hours=73))
    assert after_run(store, [])["closed"] == 1
    assert _status(store, storm.incident_id) == "closed"
    events = [e.event for e in audit_trail(store, limit=1000) if e.incident_id == storm.incident_id]
    assert events[-3:] == ["incident:mitigating", "incident:resolved", "incident:closed"]


def test_the_problem_coming_back_reopens_but_the_same_logs_do_not(store):
    det, partners, projects = world()
    run = run_triage(det, partners, projects, FLOWS, store=store)
    storm = next(i for i in run.incidents if i.flow == "invoice_export")
    after_run(store, [], last_seen={"invoice_export": storm.window_end + timedelta(hours=3)})
    run_triage(det, partners, projects, FLOWS, store=store)  # the same logs again
    assert _status(store, storm.incident_id) == "resolved"
    det.anomalies[1] = det.anomalies[1].model_copy(
        update={"window_end": storm.window_end + timedelta(hours=5)})
    run_triage(det, partners, projects, FLOWS, store=store)
    assert _status(store, storm.incident_id) == "reopened"
    assert is_open_work("reopened")


def test_duplicates_gone_in_a_new_match_resolve_the_data_quality_incident(store):
    det, partners, projects = world()
    run_triage(det, partners, projects, FLOWS, store=store)
    dq = data_quality_incident_id(RecordModel.partner)
    assert _status(store, dq) == "proposed"
    after_run(store, [], rescanned_flows=["res.partner duplicates"])
    assert _status(store, dq) == "resolved"


def test_acknowledge_and_snooze_need_a_reason_and_a_snooze_ends(store, fixed_clock):
    det, partners, projects = world()
    run = run_triage(det, partners, projects, FLOWS, store=store)
    iid = run.incidents[0].incident_id
    with pytest.raises(InputError, match="reason"):
        set_status(store, iid, "acknowledged", "rex", "")
    set_status(store, iid, "acknowledged", "rex", "on it with finance")
    assert _status(store, iid) == "acknowledged" and is_open_work("acknowledged")
    with pytest.raises(InputError, match="future"):
        set_status(store, iid, "snoozed", "rex", "waiting for the vendor", until=utcnow() - timedelta(hours=1))
    set_status(store, iid, "snoozed", "rex", "waiting for the vendor", until=utcnow() + timedelta(hours=4))
    before = status_counts(store)["open_work"]
    fixed_clock.advance(timedelta(hours=5))
    assert status_counts(store)["open_work"] == before + 1  # the snooze ran out: open work again
    with pytest.raises(InputError, match="no incident 'nope' in the store"):
        set_status(store, "nope", "closed", "rex", "x")
    set_status(store, iid, "closed", "rex", "fixed by the vendor")
    with pytest.raises(InputError, match="cannot become"):
        set_status(store, iid, "acknowledged", "rex", "x")


def test_a_person_s_status_survives_a_rerun(store):
    det, partners, projects = world()
    run = run_triage(det, partners, projects, FLOWS, store=store)
    iid = run.incidents[0].incident_id
    set_status(store, iid, "dismissed", "rex", "known test traffic")
    run_triage(det, partners, projects, FLOWS, store=store)
    assert _status(store, iid) == "dismissed"
