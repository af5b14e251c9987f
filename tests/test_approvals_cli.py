"""The approval commands and settings: one clear line and a documented exit code for each refusal."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.agent.approvals import audit_trail, get_proposal, propose
from odoo_triage.agent.store import open_store
from odoo_triage.app.cli import app
from odoo_triage.app.commands.approvals import EXIT_ODOO_FAILED, EXIT_REFUSED, demo_stage
from odoo_triage.app.demo import DemoContext
from odoo_triage.core.domain import RemediationProposal
from odoo_triage.core.errors import InputError
from odoo_triage.core.identity import os_account, token_digest
from odoo_triage.core.settings import Permission, Role, load_settings
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, start_sandbox
from tests.conftest import TEST_APPROVAL_KEY

runner = CliRunner()
TOKENS = {user: f"personal-token-of-{user}-0123456789" for user in ("dana", "rex", "agent", "ada")}
_TOKEN_LINES = "".join(f'"{token_digest(t)}" = "{u}"\n' for u, t in TOKENS.items())


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRIAGE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TRIAGE_APPROVAL_KEY", TEST_APPROVAL_KEY)
    monkeypatch.delenv("TRIAGE_TOKEN", raising=False)
    (tmp_path / "config.toml").write_text('[roles]\ndana = "approver"\nrex = "reviewer"\nagent = "approver"\n'
                                          'ada = "admin"\n[approvals]\nexpiry_hours = 2\n'
                                          f'[identity.tokens]\n{_TOKEN_LINES}')
    store = open_store(url)
    for pid, params in (("p-merge", {"partner_ids": [20, 21], "destination_id": 20}),
                        ("p-archive", {"project_id": 3})):
        propose(store, RemediationProposal(proposal_id=pid, incident_id="inc-1",
                                           action="merge_partners" if "merge" in pid else "archive_project",
                                           params=params, proposed_by="agent"))
    store.dispose()
    return url


def cli(*args: str, who: str | None = None):
    """The CLI as `who` (their personal token in TRIAGE_TOKEN), or as the OS account."""
    return runner.invoke(app, list(args), env={"TRIAGE_TOKEN": TOKENS[who]} if who else None)


def test_list_show_and_refusals(db):
    r = cli("proposals", "--database-url", db)
    assert r.exit_code == 0 and "p-merge" in r.output and "p-archive" in r.output
    assert cli("proposals", "--status", "bogus", "--database-url", db).exit_code == 2
    r = cli("show-proposal", "p-merge", "--database-url", db)
    assert r.exit_code == 0 and "base.partner.merge.automatic.wizard.create" in r.output.replace("\n", "")
    r = cli("approve", "p-merge", "--database-url", db, who="agent")
    assert r.exit_code == EXIT_REFUSED
    assert [ln for ln in r.stderr.splitlines() if ln.strip()][0].startswith("refused (self_approval):")
    r = cli("approve", "p-merge", "--database-url", db, who="rex")
    assert r.exit_code == EXIT_REFUSED and "role_not_allowed" in r.stderr
    r = cli("execute", "p-merge", "--database-url", db, who="dana")
    assert r.exit_code == EXIT_REFUSED and "not_approved" in r.stderr
    r = cli("reject", "p-archive", "--reason", "keep it", "--database-url", db, who="rex")
    assert r.exit_code == 0
    r = cli("audit", "--database-url", db, "--format", "json")
    assert r.exit_code == 0 and "refused:self_approval" in r.output and "rejected" in r.output


def test_approve_and_execute_against_the_sandbox(db, monkeypatch):
    with start_sandbox(data=demo_data()) as sb:
        monkeypatch.setenv("TRIAGE_ODOO_URL", sb.url)
        monkeypatch.setenv("TRIAGE_ODOO_DB", "odoo")
        monkeypatch.setenv("TRIAGE_ODOO_READ_KEY", sb.data.user(READ_LOGIN).api_key)
        monkeypatch.setenv("TRIAGE_ODOO_WRITE_KEY", sb.data.user(WRITE_LOGIN).api_key)
        r = cli("approve", "p-merge", "--reason", "same company", "--database-url", db, who="dana")
        assert r.exit_code == 0 and "approved p-merge by dana" in r.output
        r = cli("execute", "p-merge", "--dry-run", "--database-url", db, who="dana")
        # different e-mails: the dry run runs the merge wizard's checks read-only, sees the refusal, exits 4
        assert r.exit_code == EXIT_ODOO_FAILED and "would fail" in r.output + r.stderr
        assert "e-mails differ" in r.output + r.stderr
        r = cli("execute", "p-merge", "--database-url", db, who="dana")
        assert r.exit_code == EXIT_ODOO_FAILED and "e-mails differ" in r.stderr
        r = cli("execute", "p-merge", "--database-url", db, who="dana")
        assert r.exit_code == EXIT_REFUSED and "already_executed" in r.stderr
    store = open_store(db)
    assert get_proposal(store, "p-merge").status == "failed"
    assert [e.event for e in audit_trail(store, "p-merge")] == [
        "proposed", "approved", "dry_run", "execution_started", "failed", "refused:already_executed"]


def test_unreachable_odoo_is_refused_without_spending_the_execution(db, monkeypatch):
    monkeypatch.setenv("TRIAGE_ODOO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TRIAGE_ODOO_READ_KEY", "k1")
    monkeypatch.setenv("TRIAGE_ODOO_WRITE_KEY", "k2")
    assert cli("approve", "p-archive", "--database-url", db, who="dana").exit_code == 0
    r = cli("execute", "p-archive", "--database-url", db, who="dana")
    assert r.exit_code == EXIT_REFUSED and "odoo_unavailable" in r.stderr
    assert get_proposal(open_store(db), "p-archive").status == "approved"


def test_identity_is_the_os_account_or_a_token_never_a_flag(db, tmp_path):
    me = os_account()
    r = cli("whoami", who=None)
    assert r.exit_code == 0 and r.output.startswith(f"{me} (no role: read-only); identity from OS account")
    assert cli("whoami", who="dana").output.startswith("dana (approver); identity from TRIAGE_TOKEN")
    r = runner.invoke(app, ["whoami"], env={"TRIAGE_TOKEN": "made-up"})
    assert r.exit_code == 2 and "not a token listed" in r.stderr
    r = cli("approve", "p-merge", "--as", "dana", "--database-url", db, who="rex")  # --as is no disguise
    assert r.exit_code == 2 and "--as is for admins" in r.stderr
    r = cli("approve", "p-merge", "--database-url", db)  # the OS account has no role here
    assert r.exit_code == EXIT_REFUSED and "role_not_allowed" in r.stderr
    r = cli("approve", "p-merge", "--as", "dana", "--reason", "dana is on leave", "--database-url", db, who="ada")
    assert r.exit_code == 0 and "approved p-merge by ada" in r.output  # the admin's own decision...
    entry = audit_trail(open_store(db), "p-merge")[-1]
    assert (entry.actor, entry.detail["acting_for"]) == ("ada", "dana")  # ...audited as acting for dana


def test_settings_from_file_and_env(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[roles]\nann = "admin"\nbob = "viewer"\n'
                   '[odoo]\nurl = "https://odoo.example"\nprotocol = "jsonrpc"\n[approvals]\nexpiry_hours = 6\n')
    s = load_settings(cfg, env={"TRIAGE_ODOO_WRITE_KEY": "sekrit-write"})
    assert s.users == {"ann": Role.admin, "bob": Role.viewer}
    assert s.odoo.protocol == "jsonrpc" and s.odoo.write_key.get_secret_value() == "sekrit-write"
    assert s.approval_expiry.total_seconds() == 6 * 3600
    assert s.can("ann", Permission.execute) and not s.can("bob", Permission.reject) and not s.can("eve", "read")
    assert "sekrit-write" not in repr(s) + str(s) + s.model_dump_json()
    with pytest.raises(InputError, match="never a name in the environment"):
        load_settings(cfg, env={"TRIAGE_USER": "bob"})
    cfg.write_text('[console]\nuser = "ann"\n')
    with pytest.raises(InputError, match="signs people in"):
        load_settings(cfg, env={})
    defaults = load_settings(env={"TRIAGE_CONFIG": ""} | {"HOME": str(tmp_path)})
    assert defaults.users == {} and defaults.users_with(Permission.approve) == []  # no demo users on an install


@pytest.mark.parametrize(("text", "message"), [
    ("[roles\n", "not valid TOML"),
    ('[odoo]\nwrite_key = "x"\n', "not in the file"),
    ('[roles]\nann = "boss"\n', "roles.ann"),
    ("[other]\n", "unknown section"),
])
def test_bad_settings_are_one_line_input_errors(tmp_path, text, message):
    cfg = tmp_path / "c.toml"
    cfg.write_text(text)
    with pytest.raises(InputError, match=message):
        load_settings(cfg, env={})
    with pytest.raises(InputError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", env={})


def test_demo_stage_executes_one_merge_in_the_sandbox(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'd.db'}")
    ctx = DemoContext(world_dir=tmp_path / "no-world", store=store, console=None)  # type: ignore[arg-type]
    line = demo_stage(ctx)
    assert line == ("1 proposal approved by dana and executed in the Odoo sandbox: merged res.partner 12 into 7; "
                    "2 journal item(s) moved to 7 (verified: 1 partner left); audit has 4 entries")
    assert ctx.results["execution"].status == "executed"


def test_odoo_sandbox_command_prints_how_to_connect():
    out: dict[str, object] = {}

    def run() -> None:
        out["r"] = runner.invoke(app, ["odoo-sandbox", "--port", "0", "--serve-seconds", "0.3"])

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=20)
    time.sleep(0)
    r = out["r"]
    assert r.exit_code == 0, r.output
    assert "export TRIAGE_ODOO_URL=http://127.0.0.1:" in r.output and "TRIAGE_ODOO_WRITE_KEY=" in r.output
    assert runner.invoke(app, ["odoo-sandbox", "--world", str(Path("/nonexistent"))]).exit_code == 2


def test_demo_stage_prefers_a_mergeable_proposal_from_the_triage_stage(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'd.db'}")
    mk = lambda pid, action, params: RemediationProposal(  # noqa: E731
        proposal_id=pid, incident_id="inc-9", action=action, params=params, proposed_by="dana")
    proposals = [mk("p-esc", "escalate", {"flow": "f", "owner": "o", "message": "m"}),
                 mk("p-bad", "merge_partners", {"partner_ids": [20, 21], "destination_id": 20}),  # e-mails differ
                 mk("p-ok", "merge_partners", {"partner_ids": [30, 31], "destination_id": 30})]
    for p in proposals:
        propose(store, p)
    ctx = DemoContext(world_dir=tmp_path / "no-world", store=store, console=None)  # type: ignore[arg-type]
    ctx.results["proposals"] = proposals
    line = demo_stage(ctx)
    assert line.startswith("1 proposal approved by omar and executed in the Odoo sandbox: merged res.partner 31 "
                           "into 30")  # dana proposed, so another approver signs
    assert get_proposal(store, "p-ok").status == "executed" and get_proposal(store, "p-bad").status == "proposed"
