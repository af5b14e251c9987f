"""Forged and tampered approvals never execute; the gateway writes only with a verified token; the audit
chain names the first broken link after deletes, edits, reorders, inserts and dropped triggers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import insert, select, text, update
from typer.testing import CliRunner

from odoo_triage.agent.actions import parse_action
from odoo_triage.agent.approval_tokens import mint_token
from odoo_triage.agent.approvals import (
    AlreadyDecided,
    ForgedApproval,
    NoApprovalKey,
    NotApproved,
    approve,
    execute,
    get_proposal,
    propose,
    reject,
)
from odoo_triage.agent.odoo_gateway import ActionOutcome, GatewayRefused, OdooGateway
from odoo_triage.agent.store import audit_chain, open_store
from odoo_triage.agent.store.tables import ApprovalRow, ProposalRow
from odoo_triage.app.cli import app
from odoo_triage.app.commands.approvals import EXIT_AUDIT_BROKEN
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import RemediationProposal, payload_hash
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import ApprovalSettings, OdooSettings, Settings, load_settings
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, start_sandbox
from tests.approval_helpers import KEY, token_for

USERS = {"dana": "approver", "omar": "approver", "ada": "admin", "eve": "executor"}
SETTINGS = Settings(users=USERS, approvals=ApprovalSettings(key=KEY))
MERGE = {"partner_ids": [7, 12], "destination_id": 7}


class CountingGateway:
    def __init__(self) -> None:
        self.calls = 0

    def execute_action(self, action, dry_run: bool = False, *, approval=None) -> ActionOutcome:
        self.calls += 0 if dry_run else 1
        return ActionOutcome(action=str(action.action), dry_run=dry_run, summary="done")


def proposed(store, pid: str = "p-1", params: dict | None = None) -> None:
    propose(store, RemediationProposal(proposal_id=pid, incident_id="inc-1", action="merge_partners",
                                       params=params or MERGE, proposed_by="agent"))


# --------------------------------------------------------------------------- forged / tampered approvals


def test_inserted_approval_row_never_executes(store):
    proposed(store)
    now = utcnow()
    with store.session() as s:  # someone with database access writes an approval around the module
        s.execute(insert(ApprovalRow).values(proposal_id="p-1", decision="approved", decided_by="dana", reason="",
                                             payload_hash=get_proposal(store, "p-1").payload_hash, decided_at=now,
                                             expires_at=now + timedelta(hours=1), signature="0" * 64))
        s.execute(update(ProposalRow).values(status="approved"))
    gw = CountingGateway()
    with pytest.raises(ForgedApproval, match="not sealed"):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert gw.calls == 0


def test_rewritten_payload_and_both_hashes_never_execute(store):
    proposed(store)
    approve(store, "p-1", "dana", "ok", SETTINGS)
    evil = {"action": "merge_partners", "params": {"partner_ids": [7, 99], "destination_id": 99}}
    with store.session() as s:
        s.execute(update(ProposalRow).values(payload=evil, payload_hash=payload_hash(evil)))
        s.execute(update(ApprovalRow).values(payload_hash=payload_hash(evil)))
    gw = CountingGateway()
    with pytest.raises(ForgedApproval):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    assert gw.calls == 0


def test_extended_expiry_or_other_key_never_execute(store):
    proposed(store)
    approve(store, "p-1", "dana", "ok", SETTINGS)
    with store.session() as s:
        s.execute(update(ApprovalRow).values(expires_at=utcnow() + timedelta(days=3650)))
    gw = CountingGateway()
    with pytest.raises(ForgedApproval):
        execute(store, "p-1", "dana", gw, settings=SETTINGS)
    proposed(store, "p-2")
    approve(store, "p-2", "dana", "ok", SETTINGS)
    other = SETTINGS.model_copy(update={"approvals": ApprovalSettings(key=SecretStr("x" * 40))})
    with pytest.raises(ForgedApproval):
        execute(store, "p-2", "dana", gw, settings=other)
    assert gw.calls == 0


def test_no_key_no_approval(store):
    proposed(store)
    with pytest.raises(NoApprovalKey):
        approve(store, "p-1", "dana", "ok", Settings(users=USERS))


def test_two_distinct_approvers_for_high_risk_actions(store):
    two = SETTINGS.model_copy(update={"approvals": ApprovalSettings(key=KEY, two_approvers=["merge_partners"])})
    proposed(store)
    approve(store, "p-1", "dana", "first look", two)
    assert get_proposal(store, "p-1").status == "proposed"
    gw = CountingGateway()
    with pytest.raises(NotApproved, match="needs 2 distinct approvers"):
        execute(store, "p-1", "dana", gw, settings=two)
    with pytest.raises(AlreadyDecided, match="already approved"):
        approve(store, "p-1", "dana", "again", two)
    approve(store, "p-1", "omar", "second look", two)
    assert get_proposal(store, "p-1").status == "approved"
    assert execute(store, "p-1", "eve", gw, settings=two).status == "executed"  # an executor runs it
    assert gw.calls == 1


def test_revision_back_to_an_approved_payload_needs_new_approvals(store):
    proposed(store)
    approve(store, "p-1", "dana", "ok", SETTINGS)
    proposed(store, params={"partner_ids": [7, 12, 13], "destination_id": 7})
    proposed(store)  # back to what dana approved
    with pytest.raises(NotApproved):
        execute(store, "p-1", "dana", CountingGateway(), settings=SETTINGS)


def test_rejection_voids_standing_approvals(store):
    proposed(store)
    approve(store, "p-1", "dana", "ok", SETTINGS)
    reject(store, "p-1", "omar", "wrong master", SETTINGS)
    with pytest.raises(NotApproved):
        execute(store, "p-1", "dana", CountingGateway(), settings=SETTINGS)


# --------------------------------------------------------------------------- the gateway's own gate


def _gw(sb, key=KEY) -> OdooGateway:
    return OdooGateway(OdooSettings(url=sb.url, db="odoo", protocol="json2", read_login=READ_LOGIN,
                                    read_key=sb.data.user(READ_LOGIN).api_key, write_login=WRITE_LOGIN,
                                    write_key=sb.data.user(WRITE_LOGIN).api_key), approval_key=key)


def test_gateway_refuses_writes_without_a_verified_token():
    archive = parse_action("archive_project", {"project_id": 3})
    other = parse_action("archive_project", {"project_id": 4})
    with start_sandbox() as sb, _gw(sb) as gw:
        forged = token_for(archive).model_copy(update={"signature": "f" * 64})
        stale = mint_token(KEY, "p", archive, ["dana"], utcnow() - timedelta(seconds=1))
        for token, why in ((None, "no approval token"), (token_for(other), "another action"),
                           (forged, "does not verify"), (stale, "expired")):
            with pytest.raises(GatewayRefused, match=why):
                gw.execute_action(archive, approval=token)
        assert gw.execute_action(archive, dry_run=True).dry_run  # reads need no token
        with _gw(sb, key=None) as keyless, pytest.raises(GatewayRefused, match="no approval key"):
            keyless.execute_action(archive, approval=token_for(archive))
        assert sb.write_calls() == [] and sb.data.records["project.project"][3]["active"] is True
        assert gw.execute_action(archive, approval=token_for(archive)).summary == "archived project.project 3"


# --------------------------------------------------------------------------- expiry from the settings file


def test_expiry_never_from_the_environment_and_bad_values_are_clear(tmp_path):
    cfg = tmp_path / "c.toml"
    with pytest.raises(InputError, match="never by the approver's environment"):
        load_settings(env={"TRIAGE_APPROVAL_EXPIRY_HOURS": "87600"})
    for value, msg in (("87600", "exceeds max_expiry_hours"), ("inf", "finite"), ("-1", "greater than 0"),
                       ('"soon"', "valid number")):
        cfg.write_text(f"[approvals]\nexpiry_hours = {value}\n")
        with pytest.raises(InputError, match=msg):
            load_settings(cfg, env={})
    cfg.write_text("[approvals]\nexpiry_hours = 48\nmax_expiry_hours = 10000\n")
    with pytest.raises(InputError, match="max_expiry_hours"):
        load_settings(cfg, env={})


def test_key_from_environment_or_private_key_file_never_the_settings_file(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[approvals]\nkey = "abc"\n')
    with pytest.raises(InputError, match="not in the settings file"):
        load_settings(cfg, env={})
    key = tmp_path / "approval.key"
    key.write_text("k" * 64)
    key.chmod(0o644)
    cfg.write_text('[approvals]\nkey_file = "approval.key"\n')
    with pytest.raises(InputError, match="readable by others"):
        load_settings(cfg, env={})
    key.chmod(0o600)
    assert load_settings(cfg, env={}).approvals.key.get_secret_value() == "k" * 64
    assert "k" * 64 not in repr(load_settings(cfg, env={}))
    with pytest.raises(InputError, match="at least 32"):
        load_settings(cfg, env={"TRIAGE_APPROVAL_KEY": "short"})


# --------------------------------------------------------------------------- the audit hash chain


def _history(store) -> None:
    for pid in ("p-1", "p-2", "p-3"):
        proposed(store, pid)
    approve(store, "p-1", "dana", "ok", SETTINGS)
    execute(store, "p-1", "dana", CountingGateway(), settings=SETTINGS)
    reject(store, "p-2", "omar", "no", SETTINGS)


def _unprotect(store) -> None:
    """What the owning connection can always do: take the append-only triggers away."""
    with store.session() as s:
        if store.dialect == "sqlite":
            s.execute(text("DROP TRIGGER audit_log_no_update"))
            s.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            s.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))


def _seq_ids(store) -> list[tuple[int, int]]:
    with store.session() as s:
        return [tuple(r) for r in s.execute(text("SELECT seq, id FROM audit_log ORDER BY seq"))]


@pytest.mark.parametrize("tamper", ["delete_middle", "delete_last", "edit", "reorder", "insert", "triggers_only"])
def test_audit_verify_names_the_first_broken_link(store, tamper):
    _history(store)
    assert audit_chain.verify(store).ok
    rows = _seq_ids(store)
    assert len(rows) >= 7
    _unprotect(store)
    with store.session() as s:
        if tamper == "delete_middle":
            s.execute(text("DELETE FROM audit_log WHERE seq = 3"))
        elif tamper == "delete_last":
            s.execute(text(f"DELETE FROM audit_log WHERE seq = {len(rows)}"))
        elif tamper == "edit":
            s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"))
        elif tamper == "reorder":
            s.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 2"))
            s.execute(text("UPDATE audit_log SET seq = 2 WHERE seq = 5"))
            s.execute(text("UPDATE audit_log SET seq = 5 WHERE seq = -1"))
        elif tamper == "insert":
            s.execute(text("INSERT INTO audit_log (at, actor, event, detail) VALUES (:at, 'mallory', 'approved', '{}')"),
                      {"at": utcnow()})
    report = audit_chain.verify(store)
    assert not report.ok
    expected = {"delete_middle": 3, "delete_last": len(rows), "edit": 4, "reorder": 2, "insert": 1,
                "triggers_only": None}[tamper]
    if tamper == "insert":  # the unchained row sorts first (no seq) and is named
        assert "not chained" in report.reason
    elif tamper == "triggers_only":
        assert "trigger" in report.reason
    else:
        assert report.first_broken_seq == expected, report


def rewrite_everything(store) -> None:
    """An attacker who owns the database: change a row, then rebuild the whole chain and its head."""
    from odoo_triage.agent.store.tables import AuditHeadRow, AuditRow

    with store.session() as s:
        rows = list(s.scalars(select(AuditRow).order_by(AuditRow.seq)))
        rows[0].actor = "mallory"
        prev = ""
        for r in rows:
            r.prev_hash = prev
            r.row_hash = audit_chain.row_digest(r.seq, prev, r.at, r.actor, r.event, r.proposal_id, r.incident_id,
                                                r.detail)
            prev = r.row_hash
        s.get(AuditHeadRow, 1).last_hash = prev


def test_audit_verify_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    _history(store)
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert r.exit_code == 0 and "audit log intact" in r.output
    _unprotect(store)
    with store.session() as s:
        s.execute(text("UPDATE audit_log SET detail = '{\"reason\": \"fine\"}' WHERE seq = 2"))
    store.dispose()
    r = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert r.exit_code == EXIT_AUDIT_BROKEN and "BROKEN at seq 2" in r.stderr


def test_upgrade_chains_the_rows_written_before_0003(tmp_path):
    from alembic import command
    from alembic.config import Config

    from odoo_triage.agent.store.database import MIGRATIONS_DIR, migrate

    store = open_store(f"sqlite:///{tmp_path / 'old.db'}", run_migrations=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_audit_append_only")
    with store.engine.begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO audit_log (at, actor, event, detail) VALUES (:at, 'agent', 'proposed', "
                              ":d)"), {"at": utcnow(), "d": f'{{"n": {n}}}'})
    migrate(store.engine)
    report = audit_chain.verify(store)
    assert report.ok and report.rows == 3, report
    proposed(store)  # new rows continue the chain
    assert audit_chain.verify(store).ok and audit_chain.verify(store).rows == 4


def test_a_wholesale_rewrite_fails_against_an_anchor_kept_elsewhere(store):

    _history(store)
    anchor = audit_chain.verify(store).anchor
    _unprotect(store)
    rewrite_everything(store)  # change a row, recompute every hash and the head, put the triggers back
    with store.session() as s:
        if store.dialect == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                s.execute(text(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                               f"BEGIN SELECT RAISE(ABORT, 'append-only'); END"))
        else:
            s.execute(text("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
                           "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"))
    assert audit_chain.verify(store).ok  # the chain alone cannot tell...
    report = audit_chain.verify(store, anchor)
    assert not report.ok and "anchored hash" in report.reason  # ...the anchor can
