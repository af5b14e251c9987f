"""A reviewer's commands: short ids, list formats, batches, dry runs that read Odoo, reconcile."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from odoo_triage.agent.approvals import approve, audit_trail, get_proposal, propose
from odoo_triage.agent.store import open_store
from odoo_triage.agent.store.tables import ExecutionRow, IncidentRow
from odoo_triage.app.cli import app
from odoo_triage.app.commands.approvals import EXIT_ODOO_FAILED
from odoo_triage.app.ids import resolve_id, short_ids
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import RemediationProposal
from odoo_triage.core.errors import InputError
from odoo_triage.core.identity import token_digest
from odoo_triage.core.settings import OdooSettings, load_settings
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, start_sandbox
from tests.approval_helpers import ApprovedGateway
from tests.conftest import TEST_APPROVAL_KEY

runner = CliRunner()
TOKENS = {user: f"personal-token-of-{user}-0123456789" for user in ("dana", "rex", "agent")}
_TOKEN_LINES = "".join(f'"{token_digest(t)}" = "{u}"\n' for u, t in TOKENS.items())


def cli(*args: str, who: str | None = None):
    """The CLI as `who` (their personal token in TRIAGE_TOKEN), or as the OS account."""
    return runner.invoke(app, list(args), env={"TRIAGE_TOKEN": TOKENS[who]} if who else None)


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("TRIAGE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TRIAGE_APPROVAL_KEY", TEST_APPROVAL_KEY)
    monkeypatch.delenv("TRIAGE_TOKEN", raising=False)
    (tmp_path / "config.toml").write_text('[roles]\ndana = "approver"\nrex = "reviewer"\nagent = "approver"\n'
                                          f'[identity.tokens]\n{_TOKEN_LINES}')
    store = open_store(url)
    with store.session() as s:
        now = utcnow()
        s.add(IncidentRow(incident_id="inc-aaaa111122223333", title="dupes", flow="res.partner duplicates",
                          severity="high", severity_score=0.7, cause="data_quality", status="proposed",
                          window_start=now, window_end=now, data={}))
    for pid, params in (("prop-abc1234500000001", {"partner_ids": [30, 31], "destination_id": 30}),
                        ("prop-abc1234500000002", {"partner_ids": [20, 21], "destination_id": 20}),
                        ("prop-ffff000000000003", {"partner_ids": [20, 9999], "destination_id": 9999})):
        propose(store, RemediationProposal(proposal_id=pid, incident_id="inc-aaaa111122223333",
                                           action="merge_partners", params=params, proposed_by="agent"))
    store.dispose()
    return url


def _odoo_env(monkeypatch, sb) -> None:
    monkeypatch.setenv("TRIAGE_ODOO_URL", sb.url)
    monkeypatch.setenv("TRIAGE_ODOO_DB", "odoo")
    monkeypatch.setenv("TRIAGE_ODOO_READ_KEY", sb.data.user(READ_LOGIN).api_key)
    monkeypatch.setenv("TRIAGE_ODOO_WRITE_KEY", sb.data.user(WRITE_LOGIN).api_key)


def test_short_ids_are_unique_prefixes_and_every_form_resolves(db):
    ids = ["prop-abc1234500000001", "prop-abc1234500000002", "prop-ffff000000000003"]
    short = short_ids(ids)
    assert short["prop-ffff000000000003"] == "prop-ffff000"
    assert short["prop-abc1234500000001"] == "prop-abc1234500000001"  # grows until unique, never cut
    store = open_store(db)
    assert resolve_id(store, "proposal", "ffff00") == "prop-ffff000000000003"
    assert resolve_id(store, "proposal", "prop-ffff") == "prop-ffff000000000003"
    with pytest.raises(InputError, match="ambiguous"):
        resolve_id(store, "proposal", "abc12")
    with pytest.raises(InputError, match=r"no proposal 'zzz' in the store sqlite:///"):
        resolve_id(store, "proposal", "zzz")


def test_lists_have_json_and_never_cut_ids(db, tmp_path):
    r = cli("proposals", "--database-url", db)  # CliRunner: 80 columns
    assert r.exit_code == 0 and "prop-ffff000" in r.output and "prop-ffff0…" not in r.output
    rows = json.loads(cli("proposals", "--database-url", db, "--format", "json").output)
    assert {p["proposal_id"] for p in rows} >= {"prop-ffff000000000003"}
    r = cli("show-proposal", "ffff000", "--database-url", db)
    assert r.exit_code == 0 and "prop-ffff000000000003" in r.output
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    for command in (["proposals"], ["incidents"], ["audit"]):
        r = cli(*command, "--database-url", empty)
        assert r.exit_code == 0 and "empty.db" in r.output, command
    inc = json.loads(cli("incidents", "--database-url", db, "--format", "json").output)
    assert [i["incident_id"] for i in inc] == ["inc-aaaa111122223333"]


def test_incident_moves_and_batch_approval(db):
    r = cli("incident", "ack", "inc-aaaa", "--reason", "mine", "--database-url", db, who="rex")
    assert r.exit_code == 0 and "acknowledged" in r.output
    r = cli("approve-batch", "aaaa1111", "--except", "ffff", "--yes", "--database-url", db, who="dana")
    assert r.exit_code == 0 and "approved 2 of 2" in r.output
    store = open_store(db)
    assert get_proposal(store, "prop-ffff000000000003").status == "proposed"
    assert get_proposal(store, "prop-abc1234500000001").status == "approved"
    r = cli("incident", "snooze", "inc-aaaa", "--reason", "later", "--until", "4h", "--database-url", db, who="rex")
    assert r.exit_code == 0 and "snoozed until" in r.output
    assert "no open incidents" in cli("incidents", "--database-url", db).output


def test_dry_run_reads_the_records_and_a_would_fail_exits_non_zero(db, monkeypatch):
    with start_sandbox(data=demo_data()) as sb:
        _odoo_env(monkeypatch, sb)
        r = cli("execute", "prop-abc1234500000001", "--dry-run", "--database-url", db, who="dana")
        assert r.exit_code == 0, r.output
        out = r.output.replace("\n", " ")
        assert "res.partner:31" in out and "as Odoo holds them now" in out and "deleted (merged" in out
        r = cli("execute", "ffff", "--dry-run", "--database-url", db, who="dana")
        assert r.exit_code == EXIT_ODOO_FAILED and "no longer exists" in r.stderr


def test_reconcile_ends_an_interrupted_execution_from_what_odoo_holds(db, monkeypatch, fixed_clock):
    store = open_store(db)
    settings = load_settings()
    for pid in ("prop-abc1234500000001", "prop-abc1234500000002"):
        approve(store, pid, "dana", "ok", settings)
    with start_sandbox(data=demo_data()) as sb:
        _odoo_env(monkeypatch, sb)
        odoo = OdooSettings(url=sb.url, db="odoo", protocol="json2", read_login=READ_LOGIN,
                            read_key=sb.data.user(READ_LOGIN).api_key, write_login=WRITE_LOGIN,
                            write_key=sb.data.user(WRITE_LOGIN).api_key)
        from odoo_triage.agent.approvals import action_of

        with ApprovedGateway(odoo) as gw:  # the executor merged 31 into 30, then was killed
            gw.execute_action(action_of(get_proposal(store, "prop-abc1234500000001")))
        with store.session() as s:
            for pid in ("prop-abc1234500000001", "prop-abc1234500000002"):
                s.add(ExecutionRow(proposal_id=pid, payload_hash=get_proposal(store, pid).payload_hash,
                                   executed_by="dana", status="running", started_at=utcnow()))
        r = cli("reconcile", "--database-url", db, who="dana")
        assert "no execution left running" in r.output  # not stale yet
        fixed_clock.advance(timedelta(minutes=30))
        r = cli("reconcile", "--database-url", db, "--format", "json", who="dana")
        assert r.exit_code == 0, r.output
    got = {d["proposal_id"]: d["status"] for d in json.loads(r.output)}
    assert got == {"prop-abc1234500000001": "executed", "prop-abc1234500000002": "failed"}
    assert get_proposal(store, "prop-abc1234500000001").status == "executed"
    assert audit_trail(store, "prop-abc1234500000002")[-1].detail["details"]["reconciled"] is True


def test_show_proposal_of_a_merge_compares_the_records_field_by_field(db):
    from odoo_triage.agent.store.tables import DuplicateClusterRow

    store = open_store(db)
    with store.session() as s:
        s.add(DuplicateClusterRow(cluster_id="cl-x", model="res.partner", probability=0.97, data={
            "record_ids": [30, 31], "suggested_master_id": 30, "pairs": [{"left_id": 30, "right_id": 31, "fields": [
                {"field": "name", "left": "Acme NV", "right": "ACME N.V.", "score": 0.9, "verdict": "agree"},
                {"field": "vat", "left": "BE1", "right": "BE1", "score": 1.0, "verdict": "agree"}]}]}))
    propose(store, RemediationProposal(proposal_id="prop-cmp0000000000001", incident_id="inc-aaaa111122223333",
                                       action="merge_partners", params={"partner_ids": [30, 31], "destination_id": 30},
                                       evidence_ids=["cl-x"], proposed_by="agent"))
    r = cli("show-proposal", "prop-cmp", "--database-url", db)
    assert r.exit_code == 0, r.output
    assert "name *" in r.output and "ACME N.V." in r.output and "vat *" not in r.output
