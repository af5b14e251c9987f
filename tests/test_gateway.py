"""The Odoo gateway: both protocols over HTTP, each error envelope mapped to its type, guarded
actions, rendered calls, and keys that never show up in logs, reprs or errors."""

from __future__ import annotations

import json
import logging
import xmlrpc.client
from datetime import datetime

import httpx
import pytest

from odoo_triage.agent.actions import OdooCall, calls_for, parse_action
from odoo_triage.agent.odoo_gateway import (
    GatewayRefused,
    OdooAccessError,
    OdooAuthError,
    OdooError,
    OdooGateway,
    OdooLockError,
    OdooMissingError,
    OdooUserError,
    OdooValidationError,
)
from odoo_triage.core.settings import OdooSettings
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, start_sandbox
from tests.approval_helpers import ApprovedGateway

READ_KEY, WRITE_KEY = "rk-" + "a" * 37, "wk-" + "b" * 37
KEYS = {READ_LOGIN: READ_KEY, WRITE_LOGIN: WRITE_KEY, "admin": "ak-" + "c" * 37}
PROTOCOLS = ["json2", "jsonrpc", "xmlrpc"]


def settings(url: str, protocol: str = "json2", **kw) -> OdooSettings:
    base = {"url": url, "db": "odoo", "protocol": protocol, "read_login": READ_LOGIN, "read_key": READ_KEY,
            "write_login": WRITE_LOGIN, "write_key": WRITE_KEY, "timeout_s": 5}
    return OdooSettings(**{**base, **kw})


@pytest.fixture
def sandbox():
    with start_sandbox(data=demo_data(keys=KEYS)) as sb:
        yield sb


# --------------------------------------------------------------------------- envelopes, mocked


def _json2_gateway(status: int, body: object) -> OdooGateway:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/json/2/res.partner/write"
        assert request.headers["authorization"] == f"bearer {WRITE_KEY}"
        assert request.headers["x-odoo-database"] == "odoo"
        sent = json.loads(request.content)
        assert sent == {"ids": [7], "vals": {"name": "x"}}  # named arguments flat, ids alongside
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    client = httpx.Client(base_url="http://odoo.test", transport=httpx.MockTransport(handler))
    return ApprovedGateway(settings("http://odoo.test"), client=client)


def _j2(name: str, message: str = "boom") -> dict:
    return {"name": name, "message": message, "arguments": [message], "context": {}, "debug": "Traceback..."}


WRITE = OdooCall(model="res.partner", method="write", ids=[7], kwargs={"vals": {"name": "x"}}, write=True)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (401, _j2("werkzeug.exceptions.Unauthorized", "Invalid apikey"), OdooAuthError),
    (403, _j2("odoo.exceptions.AccessError"), OdooAccessError),
    (403, _j2("odoo.exceptions.AccessDenied"), OdooAuthError),
    (404, _j2("odoo.exceptions.MissingError"), OdooMissingError),
    (404, _j2("werkzeug.exceptions.NotFound"), OdooError),
    (409, _j2("odoo.exceptions.LockError"), OdooLockError),
    (422, _j2("odoo.exceptions.ValidationError"), OdooValidationError),
    (422, _j2("odoo.exceptions.UserError"), OdooUserError),
    (400, _j2("werkzeug.exceptions.BadRequest"), OdooError),
    (500, _j2("builtins.ValueError"), OdooError),
    (502, "<html>Bad Gateway</html>", OdooError),
    (403, _j2(""), OdooAccessError),  # no name: the status decides
])
def test_json2_error_envelopes(status, body, expected):
    gw = _json2_gateway(status, body)
    with pytest.raises(expected) as info:
        gw._write_call(WRITE)
    assert type(info.value) is expected
    assert info.value.http_status == status
    if isinstance(body, dict) and body["name"]:
        assert info.value.name == body["name"] and info.value.message == body["message"]


def _rpc_gateway(error: dict | None, auth_result: object = 7) -> OdooGateway:
    def handler(request: httpx.Request) -> httpx.Response:
        req = json.loads(request.content)
        assert request.url.path == "/jsonrpc" and req["jsonrpc"] == "2.0" and req["method"] == "call"
        params = req["params"]
        if params["method"] == "authenticate":
            assert params["args"][:3] == ["odoo", WRITE_LOGIN, WRITE_KEY]
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": req["id"], "result": auth_result})
        assert params["service"] == "object" and params["method"] == "execute_kw"
        assert params["args"][:6] == ["odoo", 7, WRITE_KEY, "res.partner", "write", [[7]]]
        assert params["args"][6] == {"vals": {"name": "x"}}
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": req["id"], "error": error})

    client = httpx.Client(base_url="http://odoo.test", transport=httpx.MockTransport(handler))
    return ApprovedGateway(settings("http://odoo.test", "jsonrpc"), client=client)


def _rpc(name: str, code: int = 200) -> dict:
    return {"code": code, "message": "Odoo Server Error",
            "data": {"name": name, "message": "boom", "arguments": ["boom"], "context": {}, "debug": "Traceback"}}


@pytest.mark.parametrize(("error", "expected"), [
    (_rpc("odoo.exceptions.AccessError"), OdooAccessError),
    (_rpc("odoo.exceptions.AccessDenied"), OdooAuthError),
    (_rpc("odoo.exceptions.ValidationError"), OdooValidationError),
    (_rpc("odoo.exceptions.MissingError"), OdooMissingError),
    (_rpc("odoo.exceptions.UserError"), OdooUserError),
    (_rpc("odoo.exceptions.RedirectWarning"), OdooUserError),
    (_rpc("builtins.KeyError"), OdooError),
    (_rpc("odoo.http.SessionExpiredException", code=100), OdooAuthError),
])
def test_jsonrpc_error_envelopes(error, expected):
    with pytest.raises(expected) as info:
        _rpc_gateway(error)._write_call(WRITE)
    assert type(info.value) is expected and info.value.message == "boom"
    assert info.value.name == error["data"]["name"]


def test_jsonrpc_authenticate_false_is_an_auth_error():
    with pytest.raises(OdooAuthError, match="authentication failed"):
        _rpc_gateway(None, auth_result=False)._write_call(WRITE)


@pytest.mark.parametrize(("code", "text", "expected", "name"), [
    (4, "You are not allowed to modify 'Contact'", OdooAccessError, "odoo.exceptions.AccessError"),
    (3, "Access Denied", OdooAuthError, "odoo.exceptions.AccessDenied"),
    (2, "Contacts require a name", OdooUserError, "odoo.exceptions.UserError"),
    (2, "Record does not exist or has been deleted.\n(Record: res.partner(9,))", OdooMissingError,
     "odoo.exceptions.MissingError"),
    (1, "Traceback (most recent call last):\n  ...\nbuiltins.ValueError: Invalid field 'nope'", OdooError,
     "builtins.ValueError"),
])
def test_xmlrpc_faults(code, text, expected, name):
    def handler(request: httpx.Request) -> httpx.Response:
        method = xmlrpc.client.loads(request.content)[1]
        if method == "authenticate":
            return httpx.Response(200, content=xmlrpc.client.dumps((7,), methodresponse=True).encode())
        assert request.url.path == "/xmlrpc/2/object" and method == "execute_kw"
        return httpx.Response(200, content=xmlrpc.client.dumps(xmlrpc.client.Fault(code, text)).encode())

    client = httpx.Client(base_url="http://odoo.test", transport=httpx.MockTransport(handler))
    with pytest.raises(expected) as info:
        OdooGateway(settings("http://odoo.test", "xmlrpc"), client=client)._write_call(WRITE)
    assert type(info.value) is expected and info.value.name == name


def test_odoo_exception_hierarchy_mirrors_odoo():
    assert issubclass(OdooAccessError, OdooUserError) and issubclass(OdooValidationError, OdooUserError)
    assert issubclass(OdooMissingError, OdooUserError) and not issubclass(OdooAuthError, OdooUserError)


# --------------------------------------------------------------------------- against the stand-in


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reads_and_real_errors_over_http(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    assert gw.version()["server_version"] == "19.0" and gw.protocol == protocol
    rows = gw.search_read("res.partner", [["email", "=", "info@acme.example"]], ["name"])
    assert [r["id"] for r in rows] == [7, 12]
    with pytest.raises(OdooMissingError, match="does not exist"):
        gw.read("res.partner", [999])
    with pytest.raises(OdooAccessError, match="not allowed to modify"):  # the read user cannot write
        gw.read_call("res.partner", "write", [7], vals={"name": "x"})
    with pytest.raises(OdooAccessError):
        gw._write_call(OdooCall(model="queue.job", method="create", kwargs={"vals_list": {"name": "x"}}, write=True))
    bad = ApprovedGateway(settings(sandbox.url, protocol, read_key="wrong-key"))
    with pytest.raises(OdooAuthError):
        bad.search_read("res.partner", [], ["name"])
    assert sandbox.data.records["res.partner"][7]["name"] == "Acme Corporation"
    assert len(sandbox.data.records["queue.job"]) == 7


def test_json2_model_level_method_with_ids_is_422(sandbox):
    resp = httpx.post(f"{sandbox.url}/json/2/res.partner/search_read", json={"ids": [7], "domain": []},
                      headers={"Authorization": f"bearer {READ_KEY}"})
    assert resp.status_code == 422 and set(resp.json()) == {"name", "message", "arguments", "context", "debug"}


def test_missing_write_key_is_a_clear_error(sandbox):
    gw = ApprovedGateway(settings(sandbox.url, write_key=None))
    with pytest.raises(OdooAuthError, match="TRIAGE_ODOO_WRITE_KEY"):
        gw.execute_action(parse_action("archive_project", {"project_id": 3}))
    assert sandbox.data.records["project.project"][3]["active"] is True


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_requeue_never_touches_started_jobs(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    jobs = sandbox.data.records["queue.job"]
    uuids = [jobs[1]["uuid"], jobs[2]["uuid"], jobs[4]["uuid"], jobs[5]["uuid"]]  # failed, failed, started, done
    out = gw.execute_action(parse_action("requeue_jobs", {"job_uuids": uuids}))
    assert out.details["requeue_ids"] == [1, 2]
    assert "started" in out.details["skipped"][jobs[4]["uuid"]]
    assert (jobs[1]["state"], jobs[1]["retry"], jobs[4]["state"], jobs[5]["state"]) == ("pending", 0, "started", "done")
    assert "runs_twice" not in jobs[4]
    with pytest.raises(GatewayRefused, match="never requeued"):
        gw.execute_action(parse_action("requeue_jobs", {"job_uuids": [jobs[4]["uuid"]]}))
    assert jobs[4]["state"] == "started"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_set_field_guarded_by_write_date(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    sandbox.data.records["res.partner"][20]["write_date"] = "2026-11-02 09:00:00"
    stale = parse_action("set_field", {"model": "res.partner", "record_id": 20, "field": "phone", "value": "+1 555",
                                       "expected_write_date": datetime(2026, 11, 1, 9, 0)})
    with pytest.raises(GatewayRefused, match="changed since the proposal"):
        gw.execute_action(stale)
    assert sandbox.write_calls() == []
    fresh = stale.model_copy(update={"expected_write_date": datetime(2026, 11, 2, 9, 0)})
    out = gw.execute_action(fresh)
    assert out.summary == "set res.partner 20.phone" and sandbox.data.records["res.partner"][20]["phone"] == "+1 555"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_archive_and_post_note(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    assert gw.execute_action(parse_action("archive_project", {"project_id": 3})).summary == "archived project.project 3"
    assert sandbox.data.records["project.project"][3]["active"] is False
    out = gw.execute_action(parse_action("post_note", {"model": "res.partner", "record_id": 7, "body": "dup of 12"}))
    msg = sandbox.data.records["mail.message"][out.details["message_id"]]
    assert (msg["model"], msg["res_id"], msg["body"], msg["subtype_xmlid"]) == ("res.partner", 7, "dup of 12", "mail.mt_note")


# --------------------------------------------------------------------------- rendering and secrets


def test_every_action_renders_its_exact_calls():
    merge = calls_for("merge_partners", {"partner_ids": [7, 12], "destination_id": 7})
    create = merge[1]
    assert (create.model, create.method, create.write) == ("base.partner.merge.automatic.wizard", "create", True)
    assert create.kwargs == {"vals_list": {"partner_ids": [[6, 0, [7, 12]]], "dst_partner_id": 7}}
    assert create.context == {"active_model": "res.partner", "active_ids": [7, 12]}
    assert [c.method for c in merge] == ["search_read", "create", "action_merge", "search_read"]
    archive = calls_for("archive_project", {"project_id": 3})
    assert [c.render() for c in archive] == ['WRITE project.project.write([3], vals={"active": false})']
    assert calls_for("escalate", {"flow": "f", "owner": "o", "message": "m"}) == []
    requeue = calls_for("requeue_jobs", {"job_uuids": ["u"]})
    assert [c.write for c in requeue] == [False, True, False] and "failed" in requeue[1].render()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_secrets_never_in_logs_reprs_or_errors(sandbox, protocol, caplog):
    caplog.set_level(logging.DEBUG)
    s = settings(sandbox.url, protocol)
    gw = ApprovedGateway(s)
    gw.execute_action(parse_action("merge_partners", {"partner_ids": [7, 12], "destination_id": 7}))
    errors = []
    for call in (lambda: gw.read("res.partner", [999]),
                 lambda: ApprovedGateway(settings(sandbox.url, protocol, write_key="nope-" + "d" * 30)).execute_action(
                     parse_action("archive_project", {"project_id": 3}))):
        with pytest.raises(OdooError) as info:
            call()
        errors.append(info.value)
    seen = caplog.text + repr(gw) + repr(s) + str(s) + s.model_dump_json() + "".join(
        f"{e!s}{e!r}{e.args}" for e in errors) + repr(gw._read) + repr(gw._write)
    assert "res.partner.search_read" in caplog.text or "search_read" in caplog.text  # logging did happen
    for secret in (READ_KEY, WRITE_KEY, "nope-" + "d" * 30):
        assert secret not in seen


# --------------------------------------------------------------------------- writes that cannot race silently


def _set_state(job_id: int, state: str):
    def hook(sb) -> None:
        sb.data.records["queue.job"][job_id]["state"] = state
    return hook


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_requeue_rechecks_the_states_immediately_before_the_call(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    jobs = sandbox.data.records["queue.job"]
    # the runner starts job 2 between the guard read and the requeue: the state-filtered search just
    # before the call leaves it out, so it does not run twice
    sandbox.before("queue.job", "search_read", _set_state(2, "started"), nth=2)
    out = gw.execute_action(parse_action("requeue_jobs", {"job_uuids": [jobs[1]["uuid"], jobs[2]["uuid"]]}))
    assert out.details["requeue_ids"] == [1] and out.details["requeued"] == [jobs[1]["uuid"]]
    assert "no longer failed" in out.details["skipped"][jobs[2]["uuid"]]
    assert jobs[2]["state"] == "started" and "runs_twice" not in jobs[2]
    assert out.summary == "requeued 1 failed queue.job, skipped 1"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_requeue_reports_jobs_it_cannot_confirm(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    jobs = sandbox.data.records["queue.job"]
    sandbox.before("queue.job", "search_read", _set_state(3, "done"), nth=3)  # between the requeue and the check
    with pytest.raises(OdooError, match="requeue not confirmed for 1 of 2") as info:
        gw.execute_action(parse_action("requeue_jobs", {"job_uuids": [jobs[1]["uuid"], jobs[3]["uuid"]]}))
    assert jobs[3]["uuid"] in str(info.value) and "confirmed: 1" in str(info.value)


def test_requeue_of_a_job_waiting_for_its_dependency(sandbox):
    gw = ApprovedGateway(settings(sandbox.url))
    jobs = sandbox.data.records["queue.job"]
    out = gw.execute_action(parse_action("requeue_jobs", {"job_uuids": [jobs[7]["uuid"]]}))
    assert out.details["waiting_dependencies"] == [jobs[7]["uuid"]] and jobs[7]["state"] == "wait_dependencies"
    assert out.summary == "requeued 1 failed queue.job (1 waiting for dependencies)"
    assert jobs[7]["exc_message"] == "502 Bad Gateway"  # OCA keeps the exception


def _set_field(record_id: int = 20, value: str = "+1 555"):
    return parse_action("set_field", {"model": "res.partner", "record_id": record_id, "field": "phone",
                                      "value": value, "expected_write_date": datetime(2026, 11, 2, 9, 0)})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_set_field_rereads_just_before_writing(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    partner = sandbox.data.records["res.partner"][20]
    partner["write_date"] = "2026-11-02 09:00:00"

    def edit_in_the_same_second(sb) -> None:  # write_date has one-second precision: it does not move
        sb.data.records["res.partner"][20]["phone"] = "+32 2 000"

    sandbox.before("res.partner", "read", edit_in_the_same_second, nth=2)
    with pytest.raises(GatewayRefused, match="changed just before the write"):
        gw.execute_action(_set_field())
    assert sandbox.write_calls() == [] and partner["phone"] == "+32 2 000"


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_set_field_reports_a_conflict_instead_of_success(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol))
    sandbox.data.records["res.partner"][20]["write_date"] = "2026-11-02 09:00:00"

    def someone_else_writes(sb) -> None:
        sb.data.records["res.partner"][20]["phone"] = "+44 20 000"

    sandbox.before("res.partner", "read", someone_else_writes, nth=3)  # after our write, before the check
    with pytest.raises(OdooError, match="conflict") as info:
        gw.execute_action(_set_field())
    assert info.value.name == "conflict" and "+44 20 000" in str(info.value)


@pytest.mark.parametrize(("ids", "dst", "why"), [
    ([40, 41], 40, "parent or child"),
    ([50, 51], 50, "e-mails differ exactly"),  # 'Info@hooli.example' vs 'info@hooli.example '
    ([60, 61], 60, "linked to 2 users"),  # one of them archived
])
def test_merge_dry_run_sees_the_wizards_refusals(sandbox, ids, dst, why):
    gw = ApprovedGateway(settings(sandbox.url))
    with pytest.raises(GatewayRefused, match=why):
        gw.execute_action(parse_action("merge_partners", {"partner_ids": ids, "destination_id": dst}), dry_run=True)
    assert sandbox.write_calls() == []
    # and Odoo itself refuses the same for a non-admin user, so the execution would have failed
    created = gw._write_call(OdooCall(model="base.partner.merge.automatic.wizard", method="create", write=True,
                                      kwargs={"vals_list": {"partner_ids": [[6, 0, ids]], "dst_partner_id": dst}}))
    with pytest.raises(OdooUserError):
        gw._write_call(OdooCall(model="base.partner.merge.automatic.wizard", method="action_merge", write=True,
                                ids=created))
    assert set(ids) <= set(sandbox.data.records["res.partner"])


def test_merge_dry_run_lists_the_journal_items_that_would_move(sandbox):
    gw = ApprovedGateway(settings(sandbox.url))
    out = gw.execute_action(parse_action("merge_partners", {"partner_ids": [7, 12], "destination_id": 7}),
                            dry_run=True)
    items = out.details["journal_items"]
    assert items["count"] == 2 and {line["move_name"] for line in items["shown"]} == {"INV/2026/00042"}
    assert out.summary == "would merge res.partner 12 into 7; 2 journal item(s) would move to 7"
    assert sandbox.write_calls() == []


def test_admin_merge_skips_only_the_email_check(sandbox):
    gw = ApprovedGateway(settings(sandbox.url, write_login="admin", write_key=KEYS["admin"]))
    out = gw.execute_action(parse_action("merge_partners", {"partner_ids": [50, 51], "destination_id": 50}))
    assert out.summary == "merged res.partner 51 into 50"
    with pytest.raises(GatewayRefused, match="linked to 2 users"):
        gw.execute_action(parse_action("merge_partners", {"partner_ids": [60, 61], "destination_id": 60}))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_note_confirmed_after_a_timeout_by_its_escaped_body(sandbox, protocol):
    gw = ApprovedGateway(settings(sandbox.url, protocol, timeout_s=0.3))
    sandbox.delays[("res.partner", "message_post")] = 1.0
    body = "dup of <12> & 'ACME' \"Corp\""
    out = gw.execute_action(parse_action("post_note", {"model": "res.partner", "record_id": 7, "body": body}))
    assert out.confirmed_after_timeout
    msg = sandbox.data.records["mail.message"][out.details["message_id"]]
    assert msg["body"] == "dup of &lt;12&gt; &amp; &#39;ACME&#39; &#34;Corp&#34;"
    assert [c[2] for c in sandbox.calls].count("message_post") == 1


# --------------------------------------------------------------------------- paged reads


def test_paged_reads_cover_every_record_with_progress(sandbox):
    from odoo_triage.agent.odoo_records import read_all, read_partners

    gw = ApprovedGateway(settings(sandbox.url, page_size=3))
    seen = []
    rows = read_partners(gw, include_archived=True, progress=seen.append)
    assert sorted(r["id"] for r in rows) == sorted(sandbox.data.records["res.partner"])
    total = len(sandbox.data.records["res.partner"])
    assert [p.done for p in seen] == [min(3 * i, total) for i in range(1, len(seen) + 1)]
    assert seen[-1].total == total and seen[-1].pages == -(-total // 3) + (total % 3 == 0)
    limits = [c for c in sandbox.calls if c[1] == "res.partner" and c[2] == "search_read"]
    assert len(limits) == seen[-1].pages
    jobs = read_all(gw, "queue.job", [["state", "=", "failed"]], ["uuid"], page_size=2)
    assert len(jobs) == 4 and all(set(j) == {"uuid"} for j in jobs)


def test_a_paged_read_that_does_not_advance_stops():
    from types import SimpleNamespace

    from odoo_triage.agent.odoo_records import read_all

    class IgnoresTheCursor:
        settings = SimpleNamespace(page_size=2)

        def search_count(self, model, domain, context=None):
            return 10

        def search_read(self, model, domain, fields, **kw):
            return [{"id": 1}, {"id": 2}]  # the same page, whatever the cursor

    with pytest.raises(OdooError, match="did not advance"):
        read_all(IgnoresTheCursor(), "res.partner", [], ["id"])
