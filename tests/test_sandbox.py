"""The Odoo stand-in: Odoo's envelopes on both protocols and Odoo's rules (merge, queue.job, access)."""

from __future__ import annotations

import csv

import httpx
import pytest

from odoo_triage.agent.actions import parse_action
from odoo_triage.agent.odoo_gateway import GatewayRefused, OdooGateway
from odoo_triage.core.settings import OdooSettings
from odoo_triage.sim.odoo_sandbox import (
    ADMIN_LOGIN,
    READ_LOGIN,
    WRITE_LOGIN,
    SandboxUser,
    demo_data,
    load_world,
    start_sandbox,
)
from odoo_triage.sim.odoo_sandbox.orm import domain_matches
from tests.approval_helpers import ApprovedGateway

KEYS = {ADMIN_LOGIN: "admin-key", READ_LOGIN: "read-key", WRITE_LOGIN: "write-key"}
UIDS = {ADMIN_LOGIN: 2, READ_LOGIN: 6, WRITE_LOGIN: 7}


@pytest.fixture
def sb():
    with start_sandbox(data=demo_data(keys=KEYS)) as sandbox:
        yield sandbox


def rpc(sb, service: str, method: str, *args):
    resp = httpx.post(f"{sb.url}/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 9,
                                                "params": {"service": service, "method": method, "args": list(args)}})
    assert resp.status_code == 200  # JSON-RPC errors are HTTP 200 too
    return resp.json()


def kw(sb, login: str, model: str, method: str, args: list, kwargs: dict | None = None):
    return rpc(sb, "object", "execute_kw", "odoo", UIDS[login], KEYS[login], model, method, args, kwargs or {})


def j2(sb, login: str, model: str, method: str, body: dict) -> httpx.Response:
    return httpx.post(f"{sb.url}/json/2/{model}/{method}", json=body,
                      headers={"Authorization": f"bearer {KEYS[login]}", "X-Odoo-Database": "odoo"})


def gateway(sb, protocol: str, write_login: str = WRITE_LOGIN) -> OdooGateway:
    return ApprovedGateway(OdooSettings(url=sb.url, db="odoo", protocol=protocol, read_login=READ_LOGIN,
                                    read_key=KEYS[READ_LOGIN], write_login=write_login, write_key=KEYS[write_login]))


# --------------------------------------------------------------------------- protocol


def test_version_and_authenticate(sb):
    assert httpx.get(f"{sb.url}/web/version").json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
    v = rpc(sb, "common", "version")["result"]
    assert v["server_version"] == "19.0" and v["protocol_version"] == 1
    assert rpc(sb, "common", "authenticate", "odoo", WRITE_LOGIN, "write-key", {})["result"] == 7
    assert rpc(sb, "common", "authenticate", "odoo", WRITE_LOGIN, "wrong", {})["result"] is False


def test_jsonrpc_error_envelope(sb):
    out = kw(sb, READ_LOGIN, "res.partner", "write", [[7], {"name": "x"}])
    assert set(out) == {"jsonrpc", "id", "error"} and out["id"] == 9
    err = out["error"]
    assert err["code"] == 0 and err["message"] == "Odoo Server Error"  # 19: code 0 (17 and 18: 200)
    assert err["data"]["name"] == "odoo.exceptions.AccessError"
    assert set(err["data"]) == {"name", "message", "arguments", "context", "debug"}
    assert kw(sb, WRITE_LOGIN, "res.partner", "write", [[999], {"name": "x"}])["error"]["data"]["name"] == \
        "odoo.exceptions.MissingError"
    bad = rpc(sb, "object", "execute_kw", "odoo", 7, "wrong-key", "res.partner", "read", [[7]], {})
    assert bad["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    unknown = kw(sb, WRITE_LOGIN, "no.model", "read", [[1]])["error"]["data"]
    assert (unknown["name"], unknown["message"]) == ("odoo.exceptions.UserError", "Object no.model doesn't exist")


@pytest.mark.parametrize(("login", "model", "method", "body", "status", "name"), [
    ("nobody", "res.partner", "read", {"ids": [7]}, 401, "werkzeug.exceptions.Unauthorized"),
    (READ_LOGIN, "res.partner", "write", {"ids": [7], "vals": {"name": "x"}}, 403, "odoo.exceptions.AccessError"),
    (WRITE_LOGIN, "res.partner", "write", {"ids": [999], "vals": {"name": "x"}}, 404, "odoo.exceptions.MissingError"),
    (WRITE_LOGIN, "no.model", "read", {"ids": [1]}, 404, "werkzeug.exceptions.NotFound"),
    (WRITE_LOGIN, "res.partner", "no_method", {"ids": [1]}, 404, "werkzeug.exceptions.NotFound"),
    (WRITE_LOGIN, "res.partner", "search", {"ids": [1], "domain": []}, 422, "werkzeug.exceptions.UnprocessableEntity"),
    (WRITE_LOGIN, "res.partner", "search", {"domain": [], "bogus": 1}, 422, "werkzeug.exceptions.UnprocessableEntity"),
    (WRITE_LOGIN, "res.partner", "write", {"ids": [7], "vals": {"name": False}}, 422,
     "odoo.exceptions.ValidationError"),
    (WRITE_LOGIN, "queue.job", "create", {"vals_list": [{"name": "x"}]}, 403, "odoo.exceptions.AccessError"),
    (WRITE_LOGIN, "res.partner", "write", {"ids": [7], "vals": {"nope": 1}}, 500, "builtins.ValueError"),
])
def test_json2_error_envelopes(sb, login, model, method, body, status, name):
    KEYS.setdefault("nobody", "no-such-key")
    resp = j2(sb, login, model, method, body)
    assert resp.status_code == status
    err = resp.json()
    assert set(err) == {"name", "message", "arguments", "context", "debug"} and err["name"] == name


def test_json2_unparsable_body_is_400(sb):
    resp = httpx.post(f"{sb.url}/json/2/res.partner/search", content=b"{nope",
                      headers={"Authorization": "bearer read-key", "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["name"] == "werkzeug.exceptions.BadRequest"


def test_json2_success_shapes(sb):
    assert j2(sb, WRITE_LOGIN, "res.partner", "create", {"vals_list": {"name": "New"}}).json() == [62]
    rows = j2(sb, READ_LOGIN, "res.partner", "read", {"ids": [13], "fields": ["parent_id", "display_name"]}).json()
    assert rows == [{"id": 13, "parent_id": [12, "ACME Corp."], "display_name": "ACME Corp., Jane Doe"}]
    assert kw(sb, WRITE_LOGIN, "res.partner", "create", [{"name": "Solo"}])["result"] == 63  # JSON-RPC: an int


def test_failed_call_leaves_nothing_behind(sb):
    before = dict(sb.data.records["res.partner"][7])
    resp = j2(sb, WRITE_LOGIN, "res.partner", "write", {"ids": [7, 999], "vals": {"city": "Ghent"}})
    assert resp.status_code == 404 and sb.data.records["res.partner"][7] == before


# --------------------------------------------------------------------------- domains


@pytest.mark.parametrize(("domain", "ids"), [
    ([["email", "=", "info@acme.example"]], [7, 12]),
    ([["name", "ilike", "acme"]], [7, 12]),
    ([["name", "like", "ACME"]], [12]),
    ([["id", "in", [7, 20, 99]]], [7, 20]),
    ([["id", "not in", [1, 7, 12, 13]], ["is_company", "=", True], ["name", "!=", "Initech"], ["id", "<", 50]],
     [20, 21, 40]),
    ([["id", "child_of", [12]]], [12, 13]),
    (["|", ["id", "=", 7], ["id", "=", 20]], [7, 20]),
    (["!", ["is_company", "=", True]], [13, 41]),
    (["&", ["id", ">", 30], ["id", "<=", 32]], [31, 32]),
    ([["id", ">=", 40], ["parent_id", "!=", False]], [41]),
    ([["parent_id", "=", False], ["id", "<", 13]], [1, 7, 12]),
    (["|", "&", ["id", "=", 7], ["city", "=", False], ["id", "=", 12]], [7, 12]),
])
def test_search_domains_over_both_protocols(sb, domain, ids):
    assert j2(sb, READ_LOGIN, "res.partner", "search", {"domain": domain}).json() == ids
    assert kw(sb, READ_LOGIN, "res.partner", "search", [domain])["result"] == ids
    assert kw(sb, READ_LOGIN, "res.partner", "search_count", [domain])["result"] == len(ids)


def test_active_test_and_read_of_archived(sb):
    j2(sb, WRITE_LOGIN, "project.project", "write", {"ids": [3], "vals": {"active": False}})
    assert 3 not in j2(sb, READ_LOGIN, "project.project", "search", {"domain": []}).json()
    assert 3 in j2(sb, READ_LOGIN, "project.project", "search", {"domain": [], "context": {"active_test": False}}).json()
    assert j2(sb, READ_LOGIN, "project.project", "read", {"ids": [3], "fields": ["active"]}).json() == [
        {"id": 3, "active": False}]


def test_domain_errors():
    with pytest.raises(ValueError):
        domain_matches({"id": 1}, [["id", "~", 1]], "res.partner")
    with pytest.raises(ValueError):
        domain_matches({"id": 1}, [["nope", "=", 1]], "res.partner")


# --------------------------------------------------------------------------- merge wizard


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc"])
def test_merge_really_merges_over_http(sb, protocol):
    gw = gateway(sb, protocol)
    partners, projects = sb.data.records["res.partner"], sb.data.records["project.project"]
    out = gw.execute_action(parse_action("merge_partners", {"partner_ids": [7, 12], "destination_id": 7}))
    assert out.summary == "merged res.partner 12 into 7; 2 journal item(s) moved to 7" and not out.noop
    assert {line["partner_id"] for line in sb.data.records["account.move.line"].values()} == {7}  # repointed
    assert 12 not in partners  # source deleted
    assert projects[1]["partner_id"] == 7 and projects[4]["partner_id"] == 7  # references repointed
    assert partners[13]["parent_id"] == 7
    assert (partners[7]["city"], partners[7]["vat"], partners[7]["name"]) == ("Brussels", "BE0477472701",
                                                                              "Acme Corporation")  # filled
    assert any(m["res_id"] == 7 and "Merged with" in m["body"] for m in sb.data.records["mail.message"].values())
    snapshot = {m: {i: dict(r) for i, r in recs.items()} for m, recs in sb.data.records.items()
                if m != "base.partner.merge.automatic.wizard"}
    again = gw.execute_action(parse_action("merge_partners", {"partner_ids": [7, 12], "destination_id": 7}))
    assert again.noop and "already gone" in again.summary
    # Odoo's own re-run (fewer than 2 surviving ids) silently does nothing
    wiz = kw(sb, WRITE_LOGIN, "base.partner.merge.automatic.wizard", "create",
             [{"partner_ids": [[6, 0, [7, 12]]], "dst_partner_id": 7}])["result"]
    action = kw(sb, WRITE_LOGIN, "base.partner.merge.automatic.wizard", "action_merge", [[wiz]])["result"]
    assert action["type"] == "ir.actions.act_window"
    assert {m: recs for m, recs in sb.data.records.items() if m != "base.partner.merge.automatic.wizard"} == snapshot


@pytest.mark.parametrize(("ids", "dst", "login", "message"), [
    ([30, 31, 32, 33], 30, WRITE_LOGIN, "more than 3 contacts"),
    ([40, 41], 40, WRITE_LOGIN, "with one of his parent"),
    ([12, 13], 12, ADMIN_LOGIN, "with one of his parent"),
    ([20, 21], 20, WRITE_LOGIN, "same email"),
])
def test_merge_rules(sb, ids, dst, login, message):
    ctx = {"active_model": "res.partner", "active_ids": ids}
    wiz = j2(sb, login, "base.partner.merge.automatic.wizard", "create",
             {"vals_list": {"partner_ids": [[6, 0, ids]], "dst_partner_id": dst}, "context": ctx}).json()
    resp = j2(sb, login, "base.partner.merge.automatic.wizard", "action_merge", {"ids": wiz})
    assert resp.status_code == 422 and resp.json()["name"] == "odoo.exceptions.UserError"
    assert message in resp.json()["message"]
    assert set(ids) <= set(sb.data.records["res.partner"])


def test_admin_may_merge_different_emails(sb):
    out = gateway(sb, "json2", write_login=ADMIN_LOGIN).execute_action(
        parse_action("merge_partners", {"partner_ids": [20, 21], "destination_id": 20}))
    assert out.summary == "merged res.partner 21 into 20" and sb.data.records["project.project"][2]["partner_id"] == 20
    writes = len(sb.write_calls())
    with pytest.raises(GatewayRefused, match="e-mails differ exactly"):  # the wizard's check, read-only first
        gateway(sb, "jsonrpc").execute_action(
            parse_action("merge_partners", {"partner_ids": [30, 40], "destination_id": 30}))
    assert len(sb.write_calls()) == writes


# --------------------------------------------------------------------------- queue.job


def test_queue_job_rules(sb):
    jobs = sb.data.records["queue.job"]
    assert kw(sb, ADMIN_LOGIN, "queue.job", "create", [{"name": "x"}])["error"]["data"]["name"] == \
        "odoo.exceptions.AccessError"
    assert j2(sb, WRITE_LOGIN, "queue.job", "requeue", {"ids": [1, 6]}).json() is True
    # OCA keeps the exception fields and clears the dates
    assert (jobs[1]["state"], jobs[1]["retry"], jobs[1]["exc_name"]) == ("pending", 0, "requests.exceptions.HTTPError")
    assert jobs[6]["state"] == "wait_dependencies"  # requeue skips it, as OCA's does
    assert j2(sb, WRITE_LOGIN, "queue.job", "requeue", {"ids": [7]}).json() is True
    assert (jobs[7]["state"], jobs[7]["exc_message"]) == ("wait_dependencies", "502 Bad Gateway")  # depends on 6
    # queue.job rights are all-or-nothing (queue_job manager group): who reads jobs can requeue them
    assert j2(sb, READ_LOGIN, "queue.job", "requeue", {"ids": [2]}).json() is True
    assert j2(sb, WRITE_LOGIN, "queue.job", "write", {"ids": [2], "vals": {"name": "x"}}).status_code == 403
    sb.data.add_user(SandboxUser("plain", "plain-key", uid=30, access="none"))
    resp = httpx.post(f"{sb.url}/json/2/queue.job/search_read", json={"domain": []},
                      headers={"Authorization": "bearer plain-key"})
    assert resp.status_code == 403 and "Job Queue Manager" in resp.json()["message"]


def test_load_world_from_csv(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "logs").mkdir()
    with (tmp_path / "records" / "res_partner.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "email", "country_id", "is_company", "parent_id", "active", "write_date"])
        w.writerow([5, "Acme", "a@x.example", "Belgium", "True", "", "True", "2024-10-29 19:15:56"])
        w.writerow([6, "Jane", "j@x.example", "", "False", "5", "True", "2024-10-29 19:15:56"])
    with (tmp_path / "records" / "project_project.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "partner_id", "user_id", "active"])
        w.writerow([1, "Rollout", 6, "Hugo Lambert", "True"])
    with (tmp_path / "logs" / "queue_job.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["uuid", "name", "state", "retry", "channel"])
        w.writerow(["u-1", "Export", "pending", 1, "root.invoice_export"])
        w.writerow(["u-1", "Export", "failed", 5, "root.invoice_export"])  # a later attempt of the same job
        w.writerow(["u-2", "Export", "done", 0, "root.invoice_export"])
    data = load_world(tmp_path, keys=KEYS)
    p = data.records["res.partner"]
    assert p[6]["parent_id"] == 5 and p[5]["is_company"] is True and p[6]["is_company"] is False
    assert p[5]["write_date"] == "2024-10-29 19:15:56"
    assert data.records["project.project"][1]["partner_id"] == 6
    jobs = sorted((j["uuid"], j["state"], j["retry"]) for j in data.records["queue.job"].values())
    assert jobs == [("u-1", "failed", 5), ("u-2", "done", 0)]
    with start_sandbox(data=data) as sandbox:
        rows = j2(sandbox, READ_LOGIN, "queue.job", "search_read",
                  {"domain": [["state", "=", "failed"]], "fields": ["uuid"]}).json()
        assert [r["uuid"] for r in rows] == ["u-1"]


def test_unlink_fields_get_and_positional_jsonrpc(sb):
    fields = kw(sb, READ_LOGIN, "project.project", "fields_get", [])["result"]
    assert fields["partner_id"] == {"type": "many2one", "string": "Customer", "relation": "res.partner",
                                    "required": False, "readonly": False, "help": ""}
    assert "account_id" in fields and "analytic_account_id" not in fields  # 19 (17: analytic_account_id)
    rows = kw(sb, READ_LOGIN, "res.partner", "search_read", [[["id", "in", [7, 20]]], ["name"]])["result"]
    assert rows == [{"id": 7, "name": "Acme Corporation"}, {"id": 20, "name": "Globex"}]
    assert kw(sb, READ_LOGIN, "res.partner", "unlink", [[20]])["error"]["data"]["name"] == "odoo.exceptions.AccessError"
    assert j2(sb, WRITE_LOGIN, "res.partner", "unlink", {"ids": [20]}).json() is True
    assert 20 not in sb.data.records["res.partner"]
    assert j2(sb, WRITE_LOGIN, "res.partner", "read", {"ids": [20]}).status_code == 404
    assert j2(sb, READ_LOGIN, "res.partner", "_private", {}).json()["name"] == "odoo.exceptions.AccessError"


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize("version", [17, 18])
def test_17_and_18_routes_and_envelopes(version):
    with start_sandbox(data=demo_data(keys=KEYS, version=version)) as sb:
        assert httpx.get(f"{sb.url}/web/version").status_code == 404  # JSON-2 and /web/version are 19 only
        assert httpx.post(f"{sb.url}/json/2/res.partner/search", json={},
                          headers={"Authorization": "bearer read-key"}).status_code == 404
        info = httpx.post(f"{sb.url}/web/webclient/version_info", json={"jsonrpc": "2.0", "params": {}}).json()
        assert info["result"]["server_version_info"][0] == version
        err = kw(sb, READ_LOGIN, "res.partner", "write", [[7], {"name": "x"}])["error"]
        assert err["code"] == 200 and err["data"]["name"] == "odoo.exceptions.AccessError"
        fields = kw(sb, READ_LOGIN, "project.project", "fields_get", [])["result"]
        assert ("analytic_account_id" in fields, "account_id" in fields) == ((True, False) if version == 17
                                                                            else (False, True))


def test_web_session_and_call_kw():
    keys = {**KEYS, f"{WRITE_LOGIN}:password": "pw"}
    with start_sandbox(data=demo_data(keys=keys, version=17)) as sb, httpx.Client(base_url=sb.url) as web:
        call = {"jsonrpc": "2.0", "id": 1, "params": {"model": "res.partner", "method": "read",
                                                      "args": [[7], ["name"]], "kwargs": {}}}
        expired = web.post("/web/dataset/call_kw/res.partner/read", json=call).json()["error"]
        assert expired["code"] == 100 and expired["data"]["name"] == "odoo.http.SessionExpiredException"
        refused = web.post("/web/session/authenticate", json={"jsonrpc": "2.0", "params": {
            "db": "odoo", "login": WRITE_LOGIN, "password": "write-key"}}).json()  # an API key is not a password
        assert refused["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
        info = web.post("/web/session/authenticate", json={"jsonrpc": "2.0", "params": {
            "db": "odoo", "login": WRITE_LOGIN, "password": "pw"}}).json()["result"]
        assert info["uid"] == 7 and info["server_version_info"][0] == 17
        assert web.post("/web/dataset/call_kw", json=call).json()["result"] == [{"id": 7, "name": "Acme Corporation"}]


def test_hook_runs_once_just_before_the_nth_call(sb):
    seen = []
    sb.before("res.partner", "read", lambda s: seen.append(len(s.calls)), nth=2)
    for _ in range(3):
        j2(sb, READ_LOGIN, "res.partner", "read", {"ids": [7], "fields": ["name"]})
    assert seen == [1]  # before the second call ran, once


def test_res_users_and_groups(sb):
    users = j2(sb, READ_LOGIN, "res.users", "search_read", {"domain": [], "fields": ["login", "partner_id"],
                                                            "context": {"active_test": False}}).json()
    assert {u["login"] for u in users} >= {ADMIN_LOGIN, READ_LOGIN, WRITE_LOGIN, "art.old@vandelay.example"}
    assert j2(sb, READ_LOGIN, "res.partner", "read", {"ids": [60, 61], "fields": ["user_ids"],
                                                      "context": {"active_test": False}}).json() == [
        {"id": 60, "user_ids": [20]}, {"id": 61, "user_ids": [21]}]
    assert j2(sb, WRITE_LOGIN, "res.users", "has_group", {"ids": [2], "group_ext_id": "base.group_erp_manager"}).json()
    assert not j2(sb, WRITE_LOGIN, "res.users", "has_group",
                  {"ids": [7], "group_ext_id": "base.group_erp_manager"}).json()
    # rights come from groups, not from the login: a user called "admin" without them is no admin
    sb.data.users[0].groups -= {"base.group_erp_manager", "base.group_system"}
    resp = j2(sb, ADMIN_LOGIN, "base.partner.merge.automatic.wizard", "create",
              {"vals_list": {"partner_ids": [[6, 0, [20, 21]]], "dst_partner_id": 20}})
    merged = j2(sb, ADMIN_LOGIN, "base.partner.merge.automatic.wizard", "action_merge", {"ids": resp.json()})
    assert merged.status_code == 422 and "same email" in merged.json()["message"]


def test_sandbox_command_answers_as_the_version_asked():
    from typer.testing import CliRunner

    from odoo_triage.app.cli import app

    r = CliRunner().invoke(app, ["odoo-sandbox", "--port", "0", "--odoo-version", "17", "--serve-seconds", "0.2"])
    assert r.exit_code == 0 and "Odoo stand-in (17.0, JSON-RPC and XML-RPC)" in r.output
    assert "TRIAGE_ODOO_PROTOCOL=auto" in r.output
    assert CliRunner().invoke(app, ["odoo-sandbox", "--odoo-version", "17", "--protocol", "json2"]).exit_code == 2
    assert CliRunner().invoke(app, ["odoo-sandbox", "--odoo-version", "16"]).exit_code == 2
