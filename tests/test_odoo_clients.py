"""Standard Odoo clients (xmlrpc.client, odoorpc, odooly) against the stand-in, for 17, 18 and 19.

If a real client and our gateway disagree about the stand-in, the stand-in is wrong: these tests
hold it to what real clients send and expect (login, search_read, read, fields_get, write, create,
the merge wizard, queue.job requeue, message_post, access and validation errors).
"""

from __future__ import annotations

import xmlrpc.client
from urllib.parse import urlparse

import httpx
import pytest

from odoo_triage.agent.actions import parse_action
from odoo_triage.agent.odoo_gateway import OdooAuthError, OdooError
from odoo_triage.core.settings import OdooSettings
from odoo_triage.sim.odoo_sandbox import ADMIN_LOGIN, READ_LOGIN, WRITE_LOGIN, demo_data, start_sandbox
from tests.approval_helpers import ApprovedGateway

VERSIONS = [17, 18, 19]
KEYS = {ADMIN_LOGIN: "admin-key", READ_LOGIN: "read-key", WRITE_LOGIN: "write-key",
        f"{WRITE_LOGIN}:password": "write-password"}
NOTE = "Acme <b>merged</b> & 'checked' \"twice\""
ESCAPED = "Acme &lt;b&gt;merged&lt;/b&gt; &amp; &#39;checked&#39; &#34;twice&#34;"


@pytest.fixture(params=VERSIONS, ids=lambda v: f"odoo{v}")
def sb(request):
    with start_sandbox(data=demo_data(keys=KEYS, version=request.param)) as sandbox:
        yield sandbox


def _gateway(sb, **kw) -> ApprovedGateway:
    base = {"url": sb.url, "db": "odoo", "read_login": READ_LOGIN, "read_key": KEYS[READ_LOGIN],
            "write_login": WRITE_LOGIN, "write_key": KEYS[WRITE_LOGIN], "timeout_s": 5}
    return ApprovedGateway(OdooSettings(**{**base, **kw}))


# --------------------------------------------------------------------------- xmlrpc.client


def test_xmlrpc_client(sb):
    common = xmlrpc.client.ServerProxy(f"{sb.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{sb.url}/xmlrpc/2/object")
    assert common.version()["server_version_info"][0] == sb.version
    uid = common.authenticate("odoo", WRITE_LOGIN, KEYS[WRITE_LOGIN], {})
    assert uid == 7 and common.authenticate("odoo", WRITE_LOGIN, "wrong", {}) is False

    def call(model, method, args, kwargs=None, login=WRITE_LOGIN, user=uid):
        return models.execute_kw("odoo", user, KEYS[login], model, method, args, kwargs or {})

    rows = call("res.partner", "search_read", [[["email", "=", "info@acme.example"]]], {"fields": ["name"]})
    assert rows == [{"id": 7, "name": "Acme Corporation"}, {"id": 12, "name": "ACME Corp."}]
    assert call("res.partner", "read", [[13], ["parent_id"]])[0]["parent_id"] == [12, "ACME Corp."]
    assert call("res.partner", "read", [[13], ["parent_id"]], {"load": "_classic_write"})[0]["parent_id"] == 12
    fields = call("res.partner", "fields_get", [], {"attributes": ["string", "type", "relation"]})
    assert fields["parent_id"] == {"string": "Related Company", "type": "many2one", "relation": "res.partner"}
    assert ("mobile" in fields) is (sb.version < 19)  # mobile left in saas-18.2
    assert call("res.partner", "write", [[20], {"city": "Ghent"}]) is True
    new_id = call("res.partner", "create", [{"name": "Over XML-RPC"}])
    assert sb.data.records["res.partner"][new_id]["name"] == "Over XML-RPC"
    wizard = call("base.partner.merge.automatic.wizard", "create",
                  [{"partner_ids": [[6, 0, [7, 12]]], "dst_partner_id": 7}],
                  {"context": {"active_model": "res.partner", "active_ids": [7, 12]}})
    assert call("base.partner.merge.automatic.wizard", "action_merge", [[wizard]])["type"] == "ir.actions.act_window"
    assert 12 not in sb.data.records["res.partner"]
    assert call("queue.job", "requeue", [[1]]) is True and sb.data.records["queue.job"][1]["state"] == "pending"
    message_id = call("res.partner", "message_post", [[7]], {"body": NOTE, "message_type": "comment"})
    assert sb.data.records["mail.message"][message_id]["body"] == ESCAPED
    # faults carry Odoo's codes: 4 AccessError, 3 AccessDenied, 2 the UserError family, 1 anything else
    faults = {
        4: lambda: call("res.partner", "write", [[7], {"name": "x"}], login=READ_LOGIN, user=6),
        3: lambda: models.execute_kw("odoo", uid, "wrong", "res.partner", "read", [[7]], {}),
        2: lambda: call("res.partner", "write", [[7], {"name": False}]),
    }
    for code, fn in faults.items():
        with pytest.raises(xmlrpc.client.Fault) as info:
            fn()
        assert info.value.faultCode == code
    with pytest.raises(xmlrpc.client.Fault, match="Object no.model doesn't exist") as info:
        call("no.model", "read", [[1]])
    assert info.value.faultCode == 2
    with pytest.raises(xmlrpc.client.Fault, match="MissingError|does not exist"):
        call("res.partner", "read", [[999]])


# --------------------------------------------------------------------------- odoorpc


def test_odoorpc(sb):
    odoorpc = pytest.importorskip("odoorpc")  # dev extra
    url = urlparse(sb.url)
    odoo = odoorpc.ODOO(url.hostname, port=url.port)  # asks /web/webclient/version_info
    assert odoo.version == f"{sb.version}.0"
    odoo.login("odoo", WRITE_LOGIN, KEYS[WRITE_LOGIN])  # common.login, then res.users.context_get
    assert odoo.env.user.name == "Triage (write)"
    partners = odoo.env["res.partner"]  # ir.model search + fields_get
    assert partners.search_read([["id", "in", [7, 20]]], ["name"]) == [{"id": 7, "name": "Acme Corporation"},
                                                                       {"id": 20, "name": "Globex"}]
    acme = partners.browse(7)
    assert acme.name == "Acme Corporation" and acme.country_id.name == "Belgium"
    acme.city = "Leuven"  # a write
    assert sb.data.records["res.partner"][7]["city"] == "Leuven"
    new_id = partners.create({"name": "Over odoorpc"})
    assert sb.data.records["res.partner"][new_id]["name"] == "Over odoorpc"
    assert "vat" in partners.fields_get()
    wizards = odoo.env["base.partner.merge.automatic.wizard"]
    wizard = wizards.create({"partner_ids": [[6, 0, [7, 12]]], "dst_partner_id": 7})
    wizards.browse(wizard).action_merge()
    assert 12 not in sb.data.records["res.partner"]
    odoo.env["queue.job"].browse([1, 2]).requeue()
    assert [sb.data.records["queue.job"][i]["state"] for i in (1, 2)] == ["pending", "pending"]
    message_id = partners.browse(7).message_post(body=NOTE)
    assert sb.data.records["mail.message"][message_id]["body"] == ESCAPED
    with pytest.raises(odoorpc.error.RPCError, match="All contacts must have the same email") as info:
        w = wizards.create({"partner_ids": [[6, 0, [50, 51]]], "dst_partner_id": 50})  # differ only in case
        wizards.browse(w).action_merge()
    assert info.value.info["data"]["name"] == "odoo.exceptions.UserError"
    with pytest.raises(odoorpc.error.RPCError) as info:
        partners.browse(7).write({"name": False})
    assert info.value.info["data"]["name"] == "odoo.exceptions.ValidationError"
    reader = odoorpc.ODOO(url.hostname, port=url.port)
    reader.login("odoo", READ_LOGIN, KEYS[READ_LOGIN])
    with pytest.raises(odoorpc.error.RPCError, match="not allowed to modify") as info:
        reader.env["res.partner"].browse(20).write({"name": "x"})
    assert info.value.info["data"]["name"] == "odoo.exceptions.AccessError"
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login"):
        odoorpc.ODOO(url.hostname, port=url.port).login("odoo", WRITE_LOGIN, "wrong")


# --------------------------------------------------------------------------- odooly


def _one_id(result) -> int:
    """odooly's answer for one new record: a Record (RPC returns an id) or a RecordList (JSON-2 returns
    the recordset, as a list of ids)."""
    ids = getattr(result, "ids", None)
    if ids is not None and not isinstance(ids, int):
        return int(list(ids)[0])
    return int(getattr(result, "id", result))


def _odooly_exercise(odooly, env, sb) -> None:
    partners = env["res.partner"]
    assert partners.search_read([("id", "in", [7, 20])], ["name"]) == [{"id": 7, "name": "Acme Corporation"},
                                                                       {"id": 20, "name": "Globex"}]
    globex = partners.browse(20)
    assert globex.name == "Globex" and globex.read(["email"])["email"] == "contact@globex.example"
    globex.write({"city": "Paris"})
    assert sb.data.records["res.partner"][20]["city"] == "Paris"
    created = partners.create({"name": "Over odooly"})
    assert sb.data.records["res.partner"][_one_id(created)]["name"] == "Over odooly"
    assert partners.fields_get(["name"], attributes=["string"]) == {"name": {"string": "Name"}}
    wizard = env["base.partner.merge.automatic.wizard"].create({"partner_ids": [(6, 0, [7, 12])],
                                                                 "dst_partner_id": 7})
    wizard.action_merge()
    assert 12 not in sb.data.records["res.partner"]
    env["queue.job"].browse([3]).requeue()
    assert sb.data.records["queue.job"][3]["exc_name"] == "requests.exceptions.HTTPError"  # OCA keeps it
    message = partners.browse(7).message_post(body=NOTE)
    message_id = _one_id(message)
    assert sb.data.records["mail.message"][message_id]["body"] == ESCAPED
    with pytest.raises(odooly.ServerError, match="ValidationError|Contacts require a name"):
        partners.browse(7).write({"name": False})


@pytest.mark.parametrize("via", ["jsonrpc", "web-session", "json2"])
def test_odooly(sb, via):
    odooly = pytest.importorskip("odooly")  # dev extra
    if via == "json2" and sb.version < 19:
        assert httpx.post(f"{sb.url}/json/2/res.users/context_get", json={}).status_code == 404
        return
    if via == "jsonrpc":
        client = odooly.Client(f"{sb.url}/jsonrpc", db="odoo", user=WRITE_LOGIN, password=KEYS[WRITE_LOGIN])
    elif via == "web-session":  # /web/session/authenticate with the password, then /web/dataset/call_kw
        client = odooly.Client(sb.url, db="odoo", user=WRITE_LOGIN, password=KEYS[f"{WRITE_LOGIN}:password"])
    else:
        client = odooly.Client(sb.url, db="odoo", user=WRITE_LOGIN, api_key=KEYS[WRITE_LOGIN])
    assert client.env.uid == 7 and client.version_info == float(sb.version)
    _odooly_exercise(odooly, client.env, sb)


def test_odooly_read_user_is_refused_writes(sb):
    odooly = pytest.importorskip("odooly")
    client = odooly.Client(f"{sb.url}/jsonrpc", db="odoo", user=READ_LOGIN, password=KEYS[READ_LOGIN])
    with pytest.raises(odooly.ServerError, match="AccessError|not allowed to modify"):
        client.env["res.partner"].browse(20).write({"name": "x"})
    with pytest.raises(odooly.ServerError, match="doesn't exist"):
        client.env.execute("no.model", "search", [])


# --------------------------------------------------------------------------- our gateway on each version


@pytest.mark.parametrize("legacy", ["jsonrpc", "xmlrpc"])
def test_gateway_picks_the_protocol_from_the_version(sb, legacy):
    gw = _gateway(sb, protocol_before_19=legacy)
    assert gw.version()["server_version_info"][0] == sb.version
    assert gw.protocol == ("json2" if sb.version >= 19 else legacy)
    gw.preflight(parse_action("archive_project", {"project_id": 3}))
    out = gw.execute_action(parse_action("merge_partners", {"partner_ids": [7, 12], "destination_id": 7}))
    assert out.summary == "merged res.partner 12 into 7; 2 journal item(s) moved to 7"
    # what a standard client reads afterwards is what the gateway reported
    models = xmlrpc.client.ServerProxy(f"{sb.url}/xmlrpc/2/object")
    left = models.execute_kw("odoo", 6, KEYS[READ_LOGIN], "res.partner", "search", [[["id", "in", [7, 12]]]])
    assert left == [7]
    jobs = sb.data.records["queue.job"]
    out = gw.execute_action(parse_action("requeue_jobs", {"job_uuids": [jobs[1]["uuid"], jobs[4]["uuid"]]}))
    assert out.details["requeued"] == [jobs[1]["uuid"]] and jobs[4]["state"] == "started"


def test_json2_is_refused_before_19_with_a_clear_reason(sb):
    action = parse_action("archive_project", {"project_id": 3})
    if sb.version >= 19:
        _gateway(sb, protocol="json2").preflight(action)
        return
    assert httpx.get(f"{sb.url}/web/version").status_code == 404  # the old preflight's 404
    with pytest.raises(OdooError, match=f"Odoo {sb.version} has no JSON-2"):
        _gateway(sb, protocol="json2").preflight(action)
    _gateway(sb).preflight(action)  # the default (auto) works on every version


def test_preflight_authenticates_both_users(sb):
    action = parse_action("archive_project", {"project_id": 3})
    with pytest.raises(OdooAuthError, match="triage-write"):
        _gateway(sb, write_key="wrong-key").preflight(action)
    with pytest.raises(OdooAuthError, match="same API key"):
        _gateway(sb, write_key=KEYS[READ_LOGIN]).preflight(action)
    assert sb.write_calls() == []


def test_19_without_deprecated_rpc_still_works_on_json2():
    with start_sandbox(data=demo_data(keys=KEYS, version=19), legacy_rpc=False) as sb:
        assert httpx.post(f"{sb.url}/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw", "args": []}}).status_code == 404
        gw = _gateway(sb)
        gw.preflight(parse_action("archive_project", {"project_id": 3}))
        assert gw.protocol == "json2"
        with pytest.raises(OdooError, match="HTTP 404"):
            _gateway(sb, protocol_on_19="jsonrpc").preflight(parse_action("archive_project", {"project_id": 3}))


@pytest.mark.parametrize("version", [17, 18])
def test_an_approved_merge_executes_on_17_and_18_with_default_settings(store, version):
    """The bug this file exists for: with default settings the gateway refused every action on 17 and 18."""
    from odoo_triage.agent.approvals import approve, execute, propose
    from odoo_triage.core.domain import RemediationProposal
    from odoo_triage.core.settings import ApprovalSettings, Settings
    from tests.approval_helpers import KEY

    settings = Settings(users={"dana": "approver", "agent": "approver"}, approvals=ApprovalSettings(key=KEY))
    propose(store, RemediationProposal(proposal_id="p-17", incident_id="inc-1", action="merge_partners",
                                       params={"partner_ids": [7, 12], "destination_id": 7}, proposed_by="agent"))
    approve(store, "p-17", "dana", "same company", settings)
    with start_sandbox(data=demo_data(keys=KEYS, version=version)) as sb, _gateway(sb) as gw:
        assert gw.settings.protocol == "auto"
        result = execute(store, "p-17", "dana", gw, settings=settings)
        assert result.status == "executed", result.error
        assert gw.protocol == "jsonrpc" and 12 not in sb.data.records["res.partner"]
