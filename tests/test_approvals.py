"""The approval workflow's rules, each refusal proven on SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import inspect
import threading
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

import odoo_triage.agent.approvals as approvals
from odoo_triage.agent.approval_tokens import verify_token
from odoo_triage.agent.approvals import (
    AlreadyDecided,
    AlreadyExecuted,
    ApprovalExpired,
    ApprovalRefused,
    ConcurrentExecution,
    InvalidAction,
    NotApproved,
    PayloadChanged,
    ReasonRequired,
    RoleNotAllowed,
    SelfApproval,
    UnknownProposal,
    approve,
    audit_trail,
    execute,
    get_proposal,
    list_proposals,
    propose,
    reject,
)
from odoo_triage.agent.odoo_gateway import ActionOutcome, OdooGateway
from odoo_triage.agent.store.tables import AuditRow, ExecutionRow, ProposalRow
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import RemediationProposal
from odoo_triage.core.settings import ApprovalSettings, OdooSettings, Settings
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, SandboxUser, start_sandbox
from tests.conftest import TEST_APPROVAL_KEY

KEY = SecretStr(TEST_APPROVAL_KEY)
SETTINGS = Settings(users={"vera": "viewer", "rex": "reviewer", "dana": "approver", "omar": "approver",
                           "ada": "admin", "agent": "approver"}, approvals=ApprovalSettings(expiry_hours=24, key=KEY))

MERGE = {"partner_ids": [7, 12], "destination_id": 7}


def proposal(pid: str = "p-1", action: str = "merge_partners", params: dict | None = None,
             by: str = "agent") -> RemediationProposal:
    return RemediationProposal(proposal_id=pid, incident_id="inc-1", action=action,
                               params=MERGE if params is None else params, proposed_by=by)


class FakeGateway:
    """Counts executions; optionally slow, to hold the execution open while another thread tries."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()

    def execute_action(self, action, dry_run: bool = False, *, approval=None) -> ActionOutcome:
        if not dry_run:
            verify_token(KEY, approval, action, utcnow())  # the real gateway's gate
            with self.lock:
                self.calls += 1
            time.sleep(self.delay)
        return ActionOutcome(action=str(action.action), dry_run=dry_run, calls=[c.render() for c in action.odoo_calls()],
                             summary="done")


def events(store, pid: str = "p-1") -> list[str]:
    return [e.event for e in audit_trail(store, pid)]


def approved(store, pid: str = "p-1", **kw) -> None:
    propose(store, proposal(pid, **kw))
    approve(store, pid, "dana", "checked the two records", SETTINGS)


# --------------------------------------------------------------------------- propose


def test_propose_is_idempotent_and_audited(store):
    first = propose(store, proposal())
    again = propose(store, proposal())
    assert first.proposal_id == again.proposal_id == "p-1"
    assert [r.proposal_id for r in list_proposals(store)] == ["p-1"]
    assert events(store) == ["proposed"]
    assert get_proposal(store, "p-1").payload_hash == proposal().payload_hash


def test_invalid_action_is_refused_and_audited(store):
    with pytest.raises(InvalidAction, match="destination_id must be one of partner_ids"):
        propose(store, proposal(params={"partner_ids": [7, 12], "destination_id": 99}))
    assert get_proposal(store, "p-1") is None
    assert events(store) == ["refused:invalid_action"]


def test_unknown_proposal(store):
    with pytest.raises(UnknownProposal):
        approve(store, "nope", "dana", settings=SETTINGS)
    with pytest.raises(UnknownProposal):
        execute(store, "nope", "dana", FakeGateway(), settings=SETTINGS)
    assert [e.event for e in audit_trail(store)] == ["refused:unknown_proposal"] * 2


# --------------------------------------------------------------------------- approve / reject


def test_proposer_cannot_approve(store):
    propose(store, proposal(by="dana"))
    with pytest.raises(SelfApproval):
        approve(store, "p-1", "dana", settings=SETTINGS)
    assert get_proposal(store, "p-1").status == "proposed"
    assert events(store)[-1] == "refused:self_approval"
    entry = audit_trail(store, "p-1")[-1]
    assert entry.actor == "dana" and "cannot also approve" in entry.detail["reason"] and entry.at is not None


@pytest.mark.parametrize("user", ["vera", "rex", "mallory"])
def test_role_not_allowed_to_approve(store, user):
    propose(store, proposal())
    with pytest.raises(RoleNotAllowed):
        approve(store, "p-1", user, settings=SETTINGS)
    assert get_proposal(store, "p-1").status == "proposed"
    assert events(store) == ["proposed", "refused:role_not_allowed"]


def test_reviewer_may_reject_but_not_execute_viewer_neither(store):
    approved(store)
    with pytest.raises(RoleNotAllowed):
        execute(store, "p-1", "rex", FakeGateway(), settings=SETTINGS)
    with pytest.raises(RoleNotAllowed):
        reject(store, "p-1", "vera", "no", SETTINGS)
    with pytest.raises(ReasonRequired):
        reject(store, "p-1", "rex", "  ", SETTINGS)
    reject(store, "p-1", "rex", "wrong destination", SETTINGS)
    assert get_proposal(store, "p-1").status == "rejected"
    gw = FakeGateway()
    with pytest.raises(NotApproved, match="rejected"):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    with pytest.raises(AlreadyDecided):
        approve(store, "p-1", "omar", settings=SETTINGS)
    assert gw.calls == 0


def test_approval_records_hash_and_expiry(store):
    propose(store, proposal())
    a = approve(store, "p-1", "dana", "ok", SETTINGS)
    assert a.payload_hash == proposal().payload_hash
    assert timedelta(hours=23, minutes=59) < a.expires_at - a.decided_at <= timedelta(hours=24)
    with pytest.raises(AlreadyDecided, match="already approved by dana"):
        approve(store, "p-1", "omar", settings=SETTINGS)


# --------------------------------------------------------------------------- execute refusals


def test_unapproved_proposal_is_not_executed(store):
    propose(store, proposal())
    gw = FakeGateway()
    with pytest.raises(NotApproved):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert gw.calls == 0
    with store.session() as s:
        assert s.scalars(select(ExecutionRow)).all() == []
    assert events(store) == ["proposed", "refused:not_approved"]


def test_payload_changed_after_approval_voids_it(store):
    approved(store)
    with store.session() as s:  # someone edits the stored payload behind the approval's back
        s.execute(update(ProposalRow).values(payload={"action": "merge_partners",
                                                      "params": {"partner_ids": [7, 13], "destination_id": 7}}))
    gw = FakeGateway()
    with pytest.raises(PayloadChanged, match="approval is void"):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert gw.calls == 0
    assert events(store)[-1] == "refused:payload_changed"


def test_revised_proposal_needs_a_new_approval(store):
    approved(store)
    propose(store, proposal(params={"partner_ids": [7, 12, 13], "destination_id": 7}))
    assert get_proposal(store, "p-1").status == "proposed"
    with pytest.raises(NotApproved):
        execute(store, "p-1", "dana", FakeGateway(), settings=SETTINGS)
    assert events(store) == ["proposed", "approved", "revised", "refused:not_approved"]


def test_expired_approval_is_refused(store, fixed_clock):
    approved(store)
    fixed_clock.advance(timedelta(hours=24, minutes=1))
    gw = FakeGateway()
    with pytest.raises(ApprovalExpired, match="expired"):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert gw.calls == 0 and get_proposal(store, "p-1").status == "approved"
    approve(store, "p-1", "omar", "renewed", SETTINGS)  # an expired approval can be renewed
    assert execute(store, "p-1", "dana", gw, settings=SETTINGS).status == "executed"


def test_expiry_comes_from_settings(store):
    propose(store, proposal())
    short = SETTINGS.model_copy(update={"approvals": SETTINGS.approvals.model_copy(update={"expiry_hours": 0.5})})
    a = approve(store, "p-1", "dana", settings=short)
    assert a.expires_at - a.decided_at == timedelta(minutes=30)


def test_executed_twice_runs_once(store):
    approved(store)
    gw = FakeGateway()
    first = execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert first.status == "executed" and get_proposal(store, "p-1").status == "executed"
    with pytest.raises(AlreadyExecuted):
        execute(store, "p-1", "omar", gw, settings=SETTINGS)
    assert gw.calls == 1
    assert events(store) == ["proposed", "approved", "execution_started", "executed", "refused:already_executed"]


def test_concurrent_execution_runs_once(store):
    approved(store)
    gw = FakeGateway(delay=0.4)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(user: str) -> None:
        barrier.wait()
        try:
            results.append(execute(store, "p-1", user, gw, settings=SETTINGS))
        except ApprovalRefused as exc:
            results.append(exc)

    threads = [threading.Thread(target=run, args=(u,)) for u in ("dana", "omar")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert gw.calls == 1
    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(done) == 1 and done[0].status == "executed"
    assert len(refused) == 1 and isinstance(refused[0], AlreadyExecuted)
    with store.session() as s:
        assert len(s.scalars(select(ExecutionRow)).all()) == 1
    evs = events(store)
    assert evs.count("executed") == 1 and evs.count("execution_started") == 1
    assert sum(e.startswith("refused:") for e in evs) == 1


def test_claim_race_loses_on_the_unique_row(store):
    """The database, not the pre-checks, stops the second executor: simulate both passing them."""
    approved(store)
    row = get_proposal(store, "p-1")
    approval = approvals.current_approval(store, "p-1")
    approvals._claim(store, row, "dana", approval)
    with pytest.raises(ConcurrentExecution):
        approvals._claim(store, row, "omar", approval)


def test_non_write_actions_need_approval_too(store):
    esc = {"flow": "invoice_export", "owner": "finance-it@example.com", "message": "invoices stuck"}
    propose(store, proposal("p-esc", action="escalate", params=esc))
    with pytest.raises(NotApproved):
        execute(store, "p-esc", "dana", None, settings=SETTINGS)
    approve(store, "p-esc", "dana", settings=SETTINGS)
    r = execute(store, "p-esc", "omar", None, settings=SETTINGS)
    assert r.status == "executed" and r.details["escalated_to"] == "finance-it@example.com"
    assert audit_trail(store, "p-esc")[-1].detail["details"]["escalated_to"] == "finance-it@example.com"
    note = {"model": "res.partner", "record_id": 7, "body": "possible duplicate of 12"}
    propose(store, proposal("p-note", action="post_note", params=note))
    with pytest.raises(NotApproved):
        execute(store, "p-note", "dana", FakeGateway(), settings=SETTINGS)


# --------------------------------------------------------------------------- against the Odoo stand-in


def _gateway(sb, protocol: str = "json2", timeout: float = 10.0) -> OdooGateway:
    return OdooGateway(OdooSettings(url=sb.url, db="odoo", protocol=protocol, read_login=READ_LOGIN,
                                    read_key=sb.data.user(READ_LOGIN).api_key, write_login=WRITE_LOGIN,
                                    write_key=sb.data.user(WRITE_LOGIN).api_key, timeout_s=timeout),
                       approval_key=KEY)


def test_odoo_error_ends_failed_with_odoos_message_and_no_retry(store):
    approved(store, params={"partner_ids": [20, 21], "destination_id": 20})  # different e-mails
    with start_sandbox() as sb, _gateway(sb) as gw:
        r = execute(store, "p-1", "dana", gw, settings=SETTINGS)
        # the merge wizard's own e-mail check, run read-only by the gateway before any write
        assert r.status == "failed" and r.error_name == "guard"
        assert "e-mails differ exactly" in r.error
        row = get_proposal(store, "p-1")
        assert row.status == "failed" and "e-mails differ" in row.result["error"]
        assert audit_trail(store, "p-1")[-1].event == "failed"
        with pytest.raises(AlreadyExecuted):
            execute(store, "p-1", "dana", gw, settings=SETTINGS)
        assert sb.write_calls() == []
        assert {20, 21} <= set(sb.data.records["res.partner"])


def test_access_error_ends_failed(store):
    approved(store, action="archive_project", params={"project_id": 3})
    with start_sandbox() as sb:
        sb.data.add_user(SandboxUser("viewer", "viewer-key", uid=31, access="read"))  # a "write" user without rights
        gw = OdooGateway(OdooSettings(url=sb.url, db="odoo", protocol="jsonrpc", read_login=READ_LOGIN,
                                      read_key=sb.data.user(READ_LOGIN).api_key, write_login="viewer",
                                      write_key="viewer-key"), approval_key=KEY)
        r = execute(store, "p-1", "dana", gw, settings=SETTINGS)
        assert r.status == "failed" and r.error_name == "odoo.exceptions.AccessError"
        assert "not allowed to modify 'Project'" in r.error
        assert sb.data.records["project.project"][3]["active"] is True


def test_dry_run_writes_nothing_and_keeps_the_approval(store):
    approved(store)
    with start_sandbox() as sb, _gateway(sb) as gw:
        preview = execute(store, "p-1", "dana", gw, dry_run=True, settings=SETTINGS)
        assert preview.status == "dry_run" and preview.summary == ("would merge res.partner 12 into 7; "
                                                                  "2 journal item(s) would move to 7")
        assert any("action_merge" in c for c in preview.calls)
        assert sb.write_calls() == [] and 12 in sb.data.records["res.partner"]
        assert get_proposal(store, "p-1").status == "approved"
        assert events(store)[-1] == "dry_run"
        done = execute(store, "p-1", "dana", gw, settings=SETTINGS)
        assert done.status == "executed" and done.summary.startswith("merged res.partner 12 into 7")
        assert 12 not in sb.data.records["res.partner"]
        assert sb.data.records["project.project"][1]["partner_id"] == 7


def test_timeout_on_write_is_reread_not_retried(store):
    approved(store)
    with start_sandbox() as sb, _gateway(sb, timeout=0.3) as gw:
        sb.delays[("base.partner.merge.automatic.wizard", "action_merge")] = 1.0
        r = execute(store, "p-1", "dana", gw, settings=SETTINGS)
        assert r.status == "executed" and r.details["confirmed_after_timeout"] is True
        assert [c[2] for c in sb.calls].count("action_merge") == 1


# --------------------------------------------------------------------------- the audit log


def test_audit_log_refuses_update_and_delete(store):
    propose(store, proposal())
    for stmt in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.session() as s:
            s.execute(text(stmt))
    with store.session() as s:
        rows = s.scalars(select(AuditRow)).all()
        assert [(r.actor, r.event) for r in rows] == [("agent", "proposed")]


def test_approvals_module_has_no_audit_update_or_delete_path():
    src = inspect.getsource(approvals)
    assert "AuditRow" in src
    for forbidden in ("update(AuditRow", "delete(AuditRow", "s.delete(", ".delete("):
        assert forbidden not in src
