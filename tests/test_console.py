"""The review console driven with streamlit.testing.v1.AppTest, over a seeded store.

Decisions must go through agent/approvals.py: the tests check the proposal's status, the approval
row and the audit log that those functions write, not just what the page says.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from odoo_triage.agent.store import open_store
from odoo_triage.agent.store.tables import (
    AnomalyRow,
    ApprovalRow,
    DuplicateClusterRow,
    IncidentRow,
    ProposalRow,
)
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import ActionName, RemediationProposal
from odoo_triage.core.identity import hash_password
from tests.conftest import TEST_APPROVAL_KEY

MAIN = str(Path(__file__).parents[1] / "app" / "console" / "main.py")
PASSWORDS = {"dana": "dana-pw", "vera": "vera-pw", "rex": "rex-pw", "triage-agent": "agent-pw"}
_HASHES = ", ".join(f'"{u}" = "{hash_password(pw, iterations=1000)}"' for u, pw in PASSWORDS.items())
CONFIG = f"""
[roles]
dana = "approver"
vera = "viewer"
rex = "reviewer"
triage-agent = "reviewer"

[console]
passwords = {{ {_HASHES} }}
"""


def _incident(iid: str, flow: str, severity: str, status: str, created: datetime, **extra) -> IncidentRow:
    data = {
        "incident_id": iid, "title": extra.get("title", f"{flow} trouble"), "flow": flow, "summary": f"Summary of {iid}.",
        "cause_confidence": 0.9, "anomaly_ids": [f"an-{iid}"], "cluster_ids": extra.get("cluster_ids", []),
        "signatures": [f"HTTPError: <NUM> Too Many Requests ({iid})"],
        "affected_records": ["queue.job:u-1", "queue.job:u-2"],
        "evidence": [{"evidence_id": f"queue_job.csv:{n}", "kind": "event", "text": f"job failed 429 line {n}",
                      "record_ids": ["queue.job:u-1"]} for n in (10, 11, 12)],
        "report": {"provider": "offline", "report": {"summary": f"Report summary of {iid}.",
                                                      "business_impact": "Invoices are not sent."}},
    }
    return IncidentRow(incident_id=iid, title=data["title"], flow=flow, severity=severity, severity_score=0.8,
                       cause="rate_limit", status=status, window_start=created - timedelta(hours=2),
                       window_end=created, data=data, created_at=created, updated_at=created)


def seed_store(url: str) -> None:
    """Three incidents on two flows, a duplicate cluster and two proposals from the agent."""
    from odoo_triage.agent import approvals

    store = open_store(url)
    now = utcnow()
    with store.session() as s:
        s.add(_incident("inc-invoice", "invoice_export", "critical", "proposed", now - timedelta(hours=3),
                        title="Invoice export rate-limited", cluster_ids=["cl-1"]))
        s.add(_incident("inc-crm", "crm_partner_sync", "high", "open", now - timedelta(hours=30),
                        title="CRM sync token expired"))
        s.add(_incident("inc-old", "crm_partner_sync", "low", "resolved", now - timedelta(days=9),
                        title="CRM sync slow"))
        for iid, flow in (("inc-invoice", "invoice_export"), ("inc-crm", "crm_partner_sync")):
            s.add(AnomalyRow(anomaly_id=f"an-{iid}", kind="error_spike", flow=flow, window_start=now - timedelta(hours=5),
                             window_end=now - timedelta(hours=3), score=0.9, reason="errors x10", data={"metrics": {}}))
        s.add(DuplicateClusterRow(cluster_id="cl-1", model="res.partner", probability=0.96, data={
            "record_ids": [12, 57], "suggested_master_id": 12, "reason": "same VAT, close names",
            "pairs": [{"left_id": 12, "right_id": 57, "fields": [
                {"field": "name", "left": "Acme NV", "right": "ACME N.V.", "score": 0.9, "verdict": "agree"},
                {"field": "vat", "left": "BE0477472701", "right": "BE0477472701", "score": 1.0, "verdict": "agree"},
                {"field": "email", "left": "ap@acme.be", "right": "billing@acme.be", "score": 0.3, "verdict": "disagree"},
            ]}]}))
    approvals.propose(store, RemediationProposal(
        proposal_id="prop-requeue", incident_id="inc-invoice", action=ActionName.requeue_jobs,
        params={"job_uuids": ["u-1", "u-2"]}, rationale="429s: requeue after the limit resets",
        evidence_ids=["queue_job.csv:10"], proposed_by="triage-agent"))
    approvals.propose(store, RemediationProposal(
        proposal_id="prop-escalate", incident_id="inc-crm", action=ActionName.escalate,
        params={"flow": "crm_partner_sync", "owner": "crm-team", "message": "renew the token"},
        proposed_by="triage-agent"))
    store.dispose()


@pytest.fixture
def console_env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'console.db'}"
    seed_store(url)
    cfg = tmp_path / "config.toml"
    cfg.write_text(CONFIG)
    monkeypatch.setenv("TRIAGE_DATABASE_URL", url)
    monkeypatch.setenv("TRIAGE_CONFIG", str(cfg))
    monkeypatch.setenv("TRIAGE_APPROVAL_KEY", TEST_APPROVAL_KEY)
    monkeypatch.delenv("TRIAGE_USER", raising=False)
    monkeypatch.delenv("TRIAGE_TRUSTED_USER_HEADER", raising=False)
    monkeypatch.delenv("TRIAGE_PROXY_SECRET", raising=False)
    return url


def app_test(user: str | None = "dana"):
    """The console as `user` after a password sign-in (None: nobody signed in)."""
    from streamlit.testing.v1 import AppTest

    from odoo_triage.app.console.identity import SESSION_KEY

    at = AppTest.from_file(MAIN, default_timeout=30)
    if user is not None:
        at.session_state[SESSION_KEY] = user
    at.run()
    assert not at.exception, at.exception
    return at


def frame(at, column: str):
    """The first dataframe on the page with this column (AppTest does not expose dataframe keys)."""
    return next((d.value for d in at.dataframe if column in d.value.columns), None)


QUEUE, EVIDENCE, CLUSTER, AUDIT = "waiting", "kind", "differs", "event"


def _proposal(url: str, pid: str) -> ProposalRow:
    store = open_store(url)
    try:
        with store.session() as s:
            return s.get(ProposalRow, pid)
    finally:
        store.dispose()


def test_queue_lists_most_severe_first_and_filters(console_env):
    at = app_test()
    assert "dana (approver)" in at.sidebar.markdown[0].value
    queue = frame(at, QUEUE)
    assert list(queue["incident_id"]) == ["inc-invoice", "inc-crm"]  # the open work; inc-old is resolved
    assert list(queue["waiting"]) == [1, 1]
    assert any("2 open incident(s)" in c.value for c in at.caption)
    at.sidebar.checkbox(key="f_all").check().run()
    assert list(frame(at, QUEUE)["incident_id"]) == ["inc-invoice", "inc-crm", "inc-old"]
    at.sidebar.multiselect(key="f_flow").select("crm_partner_sync").run()
    assert list(frame(at, QUEUE)["incident_id"]) == ["inc-crm", "inc-old"]
    at.sidebar.multiselect(key="f_status").select("open").run()
    assert list(frame(at, QUEUE)["incident_id"]) == ["inc-crm"]
    at.sidebar.multiselect(key="f_status").unselect("open").run()
    at.sidebar.number_input(key="f_age").set_value(48).run()  # inc-old is 9 days old
    assert list(frame(at, QUEUE)["incident_id"]) == ["inc-crm"]
    at.sidebar.multiselect(key="f_severity").select("critical").run()
    assert frame(at, QUEUE) is None
    assert any("No incident matches" in i.value for i in at.info)


def test_incident_page_shows_summary_cause_evidence_calls_and_cluster(console_env):
    at = app_test()
    assert at.selectbox(key="incident").value == "inc-invoice"
    assert at.header[1].value == "Invoice export rate-limited"
    assert any("Report summary of inc-invoice." in m.value for m in at.markdown)
    assert at.metric[0].value == "rate_limit"
    evidence = frame(at, EVIDENCE)
    assert list(evidence["id"]) == ["queue_job.csv:10", "queue_job.csv:11", "queue_job.csv:12"]
    codes = [c.value for c in at.code]
    assert "HTTPError: <NUM> Too Many Requests (inc-invoice)" in codes
    calls = next(c for c in codes if "queue.job.requeue" in c)
    assert "WRITE queue.job.requeue" in calls and 'read  queue.job.search_read' in calls
    cluster = frame(at, CLUSTER)
    assert list(cluster.columns) == ["field", "#12 (master)", "#57", "differs"]
    assert dict(zip(cluster["field"], cluster["differs"], strict=True)) == {"name": True, "vat": False, "email": True}
    at.selectbox(key="incident").select("inc-crm").run()
    assert at.header[1].value == "CRM sync token expired"
    assert any("(no Odoo call" in c.value for c in at.code)


def test_approve_as_configured_approver_writes_approval_and_audit(console_env):
    at = app_test()
    at.text_input(key="reason_prop-requeue").input("limit has reset, requeue")
    at.button(key="approve_prop-requeue").click().run()
    assert not at.exception
    assert any("Approved prop-requeue as dana" in s.value for s in at.success)
    assert _proposal(console_env, "prop-requeue").status == "approved"
    store = open_store(console_env)
    with store.session() as s:
        (appr,) = s.scalars(select(ApprovalRow)).all()
        assert (appr.decided_by, appr.reason, appr.decision) == ("dana", "limit has reset, requeue", "approved")
    store.dispose()
    audit = frame(at, AUDIT)
    assert list(audit["event"])[:2] == ["approved", "proposed"]
    assert audit.iloc[0]["actor"] == "dana"
    # the approved proposal now offers Execute, and the Approve button is gone
    assert at.button(key="execute_prop-requeue") is not None
    with pytest.raises(KeyError):
        at.button(key="approve_prop-requeue")


def test_reject_needs_a_reason(console_env):
    at = app_test()
    at.button(key="reject_prop-requeue").click().run()
    assert any("reason_required" in e.value for e in at.error)
    assert _proposal(console_env, "prop-requeue").status == "proposed"
    at.text_input(key="reason_prop-requeue").input("wrong jobs")
    at.button(key="reject_prop-requeue").click().run()
    assert _proposal(console_env, "prop-requeue").status == "rejected"


def test_viewer_cannot_approve(console_env, monkeypatch):
    at = app_test("vera")
    assert "vera (viewer)" in at.sidebar.markdown[0].value
    button = at.button(key="approve_prop-requeue")
    assert button.disabled
    assert any("vera (viewer) may not approve" in c.value for c in at.caption)
    from streamlit.testing.v1.errors import AppTestError

    with pytest.raises(AppTestError):
        button.click().run()  # a browser cannot click it either
    assert _proposal(console_env, "prop-requeue").status == "proposed"
    assert at.button(key="reject_prop-requeue").disabled  # a viewer may not reject either


def test_rules_come_from_agent_approvals_not_the_page(console_env, monkeypatch, tmp_path):
    """The proposer is an approver here, so the page enables Approve; approvals.approve still says no."""
    cfg = tmp_path / "four_eyes.toml"
    cfg.write_text(CONFIG.replace('triage-agent = "reviewer"', 'triage-agent = "approver"'))
    monkeypatch.setenv("TRIAGE_CONFIG", str(cfg))
    at = app_test("triage-agent")
    at.button(key="approve_prop-requeue").click().run()
    assert any("self_approval" in e.value for e in at.error)
    assert _proposal(console_env, "prop-requeue").status == "proposed"
    audit = frame(at, AUDIT)
    assert audit.iloc[0]["event"] == "refused:self_approval" and audit.iloc[0]["actor"] == "triage-agent"


def test_trusted_header_only_when_enabled_and_vouched_for(console_env, monkeypatch, tmp_path):
    from odoo_triage.app.console.identity import PROXY_SECRET_HEADER, resolve_reviewer
    from odoo_triage.core.settings import load_settings

    settings = load_settings()
    headers = {"X-Forwarded-User": "vera"}
    assert resolve_reviewer(settings, headers).user is None  # not enabled: the header is ignored
    monkeypatch.setenv("TRIAGE_TRUSTED_USER_HEADER", "X-Forwarded-User")
    settings = load_settings()
    assert resolve_reviewer(settings, headers).user is None  # enabled without a proxy secret: still ignored
    monkeypatch.setenv("TRIAGE_PROXY_SECRET", "proxy-shared-secret")
    settings = load_settings()
    assert resolve_reviewer(settings, headers).user is None  # a client around the proxy sends no secret
    assert resolve_reviewer(settings, {**headers, PROXY_SECRET_HEADER: "guess"}).user is None
    who = resolve_reviewer(settings, {**headers, PROXY_SECRET_HEADER: "proxy-shared-secret"})
    assert (who.user, str(who.role), who.source) == ("vera", "viewer", "header X-Forwarded-User")
    assert resolve_reviewer(settings, {}, signed_in="dana").user == "dana"
    monkeypatch.delenv("TRIAGE_TRUSTED_USER_HEADER")
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(CONFIG.replace('[console]\n', '[console]\ntrusted_user_header = "X-Remote-User"\n'))
    monkeypatch.setenv("TRIAGE_CONFIG", str(cfg))
    settings = load_settings()
    vouched = {PROXY_SECRET_HEADER: "proxy-shared-secret"}
    assert resolve_reviewer(settings, {"x-remote-user": "rex", **vouched}).label == "rex (reviewer)"
    assert resolve_reviewer(settings, {"X-Forwarded-User": "vera", **vouched}).user is None  # only the named header
    assert resolve_reviewer(settings, {"x-remote-user": "mallory", **vouched}).role is None  # unknown: no rights


def test_sign_in_with_a_password_and_read_only_without(console_env, monkeypatch, tmp_path):
    at = app_test(None)
    assert "nobody (read-only)" in at.sidebar.markdown[0].value
    assert at.button(key="approve_prop-requeue").disabled and at.button(key="reject_prop-requeue").disabled
    at.sidebar.text_input(key="sign_in_user").input("dana")
    at.sidebar.text_input(key="sign_in_password").input("wrong")
    at.sidebar.button[0].click().run()
    assert "nobody (read-only)" in at.sidebar.markdown[0].value
    assert any("Sign-in failed" in e.value for e in at.error)
    at.sidebar.text_input(key="sign_in_user").input("dana")
    at.sidebar.text_input(key="sign_in_password").input(PASSWORDS["dana"])
    at.sidebar.button[0].click().run()
    assert "dana (approver)" in at.sidebar.markdown[0].value
    assert not at.button(key="approve_prop-requeue").disabled
    bare = tmp_path / "empty.toml"
    bare.write_text("")
    monkeypatch.setenv("TRIAGE_CONFIG", str(bare))
    at = app_test("dana")  # no passwords configured: a stale session name proves nothing
    assert "nobody (read-only)" in at.sidebar.markdown[0].value
    assert at.button(key="approve_prop-requeue").disabled


def test_execute_escalation_and_see_the_result(console_env, monkeypatch):
    from odoo_triage.agent import approvals
    from odoo_triage.core.settings import load_settings

    store = open_store(console_env)
    approvals.approve(store, "prop-escalate", "dana", "ok", load_settings())
    store.dispose()
    at = app_test()
    at.selectbox(key="incident").select("inc-crm").run()
    at.button(key="execute_prop-escalate").click().run()
    assert not at.exception
    assert _proposal(console_env, "prop-escalate").status == "approved"  # Execute asks first
    assert any("Execute escalate on Odoo?" in w.value for w in at.warning)
    assert any("nothing in Odoo changes" in c.value for c in at.caption)
    at.button(key="confirm_execute_prop-escalate").click().run()
    assert _proposal(console_env, "prop-escalate").status == "executed"
    assert any(s.value.startswith("executed") for s in at.success)
    audit = frame(at, AUDIT)
    assert list(audit["event"])[:3] == ["incident:mitigating", "executed", "execution_started"]


def test_duplicates_and_audit_views(console_env):
    at = app_test()
    at.sidebar.radio(key="view").set_value("Duplicate clusters").run()
    assert at.selectbox(key="cluster").value == "cl-1"
    assert list(frame(at, CLUSTER)["field"]) == ["name", "vat", "email"]
    at.sidebar.radio(key="view").set_value("Audit trail").run()
    events = frame(at, AUDIT)
    assert sorted(events["event"]) == ["proposed", "proposed"]


def test_console_command_runs_streamlit_with_the_store_url(monkeypatch, tmp_path):
    import subprocess

    from typer.testing import CliRunner

    from odoo_triage.app.cli import app

    seen = {}

    def fake_run(cmd, env, check):  # noqa: ARG001
        seen["cmd"], seen["env"] = cmd, env
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr("odoo_triage.app.commands.console.subprocess.run", fake_run)
    url = f"sqlite:///{tmp_path / 'c.db'}"
    res = CliRunner().invoke(app, ["console", "--database-url", url, "--port", "8999"])
    assert res.exit_code == 0, res.output
    assert seen["cmd"][1:4] == ["-m", "odoo_triage.app.console.serve", "run"]  # streamlit run, preloaded
    assert seen["cmd"][4].endswith("app/console/main.py")
    assert "--server.port" in seen["cmd"] and "8999" in seen["cmd"]
    assert seen["env"]["TRIAGE_DATABASE_URL"] == url
    assert "TRIAGE_ODOO_URL" not in seen["env"] or seen["env"]["TRIAGE_ODOO_URL"] == os.environ.get("TRIAGE_ODOO_URL")
    res = CliRunner().invoke(app, ["console", "--database-url", url, "--sandbox", "--headless"])
    assert res.exit_code == 0, res.output
    assert seen["env"]["TRIAGE_ODOO_URL"].startswith("http://127.0.0.1:")
    assert len(seen["env"]["TRIAGE_ODOO_WRITE_KEY"]) >= 20 and seen["env"]["TRIAGE_ODOO_DB"] == "odoo"
    assert "127.0.0.1" in seen["cmd"]  # headless listens on loopback only
    assert seen["env"]["TRIAGE_ODOO_WRITE_KEY"] not in res.output  # keys never printed


def test_utc_helpers():
    from odoo_triage.app.console.data import age_text

    now = datetime(2026, 11, 3, tzinfo=UTC)
    assert age_text(now - timedelta(hours=5), now) == "5.0 h"
    assert age_text(now - timedelta(days=3), now) == "3.0 d"


def test_execute_requeue_against_the_odoo_sandbox(console_env, monkeypatch):
    """Approve in the store, execute from the console: the gateway from settings talks to the stand-in."""
    import uuid

    from odoo_triage.agent import approvals
    from odoo_triage.core.settings import load_settings
    from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, start_sandbox

    data = demo_data()
    failed = [str(uuid.UUID(int=i)) for i in (1, 2)]  # demo_data: jobs 1-3 failed, 4 started
    store = open_store(console_env)
    approvals.propose(store, RemediationProposal(
        proposal_id="prop-sandbox", incident_id="inc-invoice", action=ActionName.requeue_jobs,
        params={"job_uuids": failed}, proposed_by="triage-agent"))
    approvals.approve(store, "prop-sandbox", "dana", "503s are over", load_settings())
    store.dispose()
    with start_sandbox(data=data) as sb:
        for var, value in {"TRIAGE_ODOO_URL": sb.url, "TRIAGE_ODOO_DB": data.db, "TRIAGE_ODOO_PROTOCOL": "json2",
                           "TRIAGE_ODOO_READ_LOGIN": READ_LOGIN, "TRIAGE_ODOO_READ_KEY": data.user(READ_LOGIN).api_key,
                           "TRIAGE_ODOO_WRITE_LOGIN": WRITE_LOGIN,
                           "TRIAGE_ODOO_WRITE_KEY": data.user(WRITE_LOGIN).api_key}.items():
            monkeypatch.setenv(var, value)
        at = app_test()
        at.button(key="execute_prop-sandbox").click().run()
        assert not at.exception and not sb.write_calls()  # the confirmation only reads
        diff = frame(at, "after")
        assert set(diff["after"]) == {"pending"} and set(diff["now"]) == {"failed"}  # read from Odoo now
        at.button(key="confirm_execute_prop-sandbox").click().run()
        assert not at.exception
        states = {data.records["queue.job"][i]["state"] for i in (1, 2)}
        writes = sb.write_calls()
    assert states == {"pending"}
    assert [c[1:] for c in writes] == [("queue.job", "requeue")]
    assert _proposal(console_env, "prop-sandbox").status == "executed"
    assert any(s.value.startswith("executed") for s in at.success)
    result = _proposal(console_env, "prop-sandbox").result
    assert result["status"] == "executed"


def test_incident_chart_from_logs_when_given(console_env, monkeypatch, tmp_path):
    from test_digest import write_logs

    at = app_test()  # without logs: the stored anomalies
    at.selectbox(key="incident").select("inc-crm").run()
    assert len(at.get("vega_lite_chart")) == 1  # drawn by the browser, no server-side image
    assert any(c.value.startswith("Chart: the flow's stored anomalies") for c in at.caption)
    store = open_store(console_env)
    with store.session() as s:  # put the incident inside the logged days
        row = s.get(IncidentRow, "inc-crm")
        row.window_start, row.window_end = datetime(2026, 10, 29, 8, tzinfo=UTC), datetime(2026, 10, 29, 12, tzinfo=UTC)
    store.dispose()
    monkeypatch.setenv("TRIAGE_CONSOLE_LOGS", str(write_logs(tmp_path)))  # crm_partner_sync is the logged flow
    at = app_test()
    at.selectbox(key="incident").select("inc-crm").run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3  # events, error rate, p95
    assert any(c.value == "Chart: hour by hour from the logs." for c in at.caption)


def _seed_batch(url: str, n: int = 8) -> None:
    from odoo_triage.agent import approvals

    store = open_store(url)
    now = utcnow()
    with store.session() as s:
        s.add(_incident("inc-dq", "res.partner duplicates", "high", "proposed", now - timedelta(hours=1),
                        title="8 duplicate cluster(s) in res.partner", cluster_ids=["cl-1"]))
    for i in range(n):
        approvals.propose(store, RemediationProposal(
            proposal_id=f"prop-m{i}", incident_id="inc-dq", action=ActionName.merge_partners,
            params={"partner_ids": [100 + 2 * i, 101 + 2 * i], "destination_id": 100 + 2 * i},
            evidence_ids=["cl-1"], proposed_by="triage-agent"))
    store.dispose()


def test_a_batch_is_one_table_approved_by_selection_with_one_comparison(console_env):
    _seed_batch(console_env)
    at = app_test()
    at.selectbox(key="incident").select("inc-dq").run()
    batch = frame(at, "hash")
    assert len(batch) == 8 and set(batch["status"]) == {"proposed"}
    assert len([d for d in at.dataframe if "differs" in d.value.columns]) == 1  # one comparison, not eight
    at.session_state["batch_inc-dq"] = {"edited_rows": {0: {"select": True}, 2: {"select": True}},
                                        "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="batch_approve_inc-dq").click().run()
    assert not at.exception
    assert any("Approved 2 of 2 as dana" in s.value for s in at.success)
    statuses = {f"prop-m{i}": _proposal(console_env, f"prop-m{i}").status for i in range(8)}
    assert sorted(p for p, st in statuses.items() if st == "approved") == sorted(batch.loc[[0, 2], "proposal"])


def test_lifecycle_from_the_console_and_a_digest_link(console_env, monkeypatch):
    at = app_test()
    at.selectbox(key="move_inc-invoice").select("snooze")
    at.text_input(key="move_reason_inc-invoice").input("waiting for the vendor")
    at.button(key="move_apply_inc-invoice").click().run()
    assert not at.exception and any("now snoozed" in s.value for s in at.success)
    store = open_store(console_env)
    with store.session() as s:
        row = s.get(IncidentRow, "inc-invoice")
        assert (row.status, row.status_reason, row.status_by) == ("snoozed", "waiting for the vendor", "dana")
    store.dispose()
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(MAIN, default_timeout=30)
    at.query_params["incident"] = "inc-crm"
    at.run()
    assert at.selectbox(key="incident").value == "inc-crm"


def test_reconcile_shows_running_executions_and_marks_nothing_without_odoo(console_env, monkeypatch):
    from odoo_triage.agent.store.tables import ExecutionRow

    store = open_store(console_env)
    with store.session() as s:
        s.add(ExecutionRow(proposal_id="prop-requeue", payload_hash="h", executed_by="dana", status="running",
                           started_at=utcnow() - timedelta(hours=1)))
    store.dispose()
    monkeypatch.setenv("TRIAGE_ODOO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TRIAGE_ODOO_READ_KEY", "k")
    at = app_test()
    at.sidebar.radio(key="view").set_value("Audit trail").run()
    assert any("1 execution(s) still running" in w.value for w in at.warning)
    at.button(key="reconcile").click().run()
    assert any("Could not read Odoo" in e.value for e in at.error)
    assert _proposal(console_env, "prop-requeue").status == "proposed"
