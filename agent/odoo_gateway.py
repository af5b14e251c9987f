"""The one module that writes to Odoo: the protocol the server speaks, typed errors, guarded actions.

The protocol is picked from the server's version (agent/odoo/protocols.py): JSON-2 on 19, JSON-RPC
or XML-RPC on 17 and 18. Reads use the read-only credentials; only `execute_action` (the executor path
in agent/approvals.py) uses the write credentials. Keys are `SecretStr`s: they are never logged, never
put in an exception and never shown in a repr. A write that times out is never retried: the gateway
re-reads to learn whether it happened (Odoo runs each call in its own transaction, so it either did
or not). Odoo has no conditional write over RPC, so every write is preceded by a fresh, filtered read
immediately before it and followed by a verifying read; what the verification does not confirm is
reported, never counted as done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import markupsafe
from pydantic import BaseModel, Field, SecretStr

from odoo_triage.agent.actions import (
    ArchiveProject,
    Escalate,
    MergePartners,
    OdooCall,
    PostNote,
    RequeueJobs,
    SetField,
    _Action,
)
from odoo_triage.agent.approval_tokens import ApprovalToken, ApprovalTokenInvalid, verify_token
from odoo_triage.agent.odoo.errors import (
    GatewayRefused,
    OdooAccessError,
    OdooAuthError,
    OdooConnectionError,
    OdooError,
    OdooLockError,
    OdooMissingError,
    OdooTimeoutError,
    OdooUserError,
    OdooValidationError,
    error_from_odoo,
)
from odoo_triage.agent.odoo.protocols import (
    Credential,
    Protocol,
    ServerVersion,
    Transport,
    choose_protocol,
    detect_version,
    make_protocol,
)
from odoo_triage.core.clock import utcnow
from odoo_triage.core.settings import OdooSettings, Settings

log = logging.getLogger(__name__)

__all__ = ["ActionOutcome", "GatewayRefused", "OdooAccessError", "OdooAuthError", "OdooConnectionError",
           "OdooError", "OdooGateway", "OdooLockError", "OdooMissingError", "OdooTimeoutError", "OdooUserError",
           "OdooValidationError", "error_from_odoo", "offline_outcome"]

#: the merge wizard skips its e-mail check for these (env.is_admin(): Settings / Access Rights)
ADMIN_GROUP = "base.group_erp_manager"
JOURNAL_ITEMS_SHOWN = 50

# --------------------------------------------------------------------------- outcome


class ActionOutcome(BaseModel):
    """What an action did (or, dry-run, would do): the calls, their results, a one-line summary."""

    action: str
    dry_run: bool = False
    calls: list[str] = Field(default_factory=list)  # rendered, in order (planned ones when dry-run)
    summary: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    noop: bool = False
    confirmed_after_timeout: bool = False


def _odoo_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    dt = dt.astimezone(UTC) if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.replace(microsecond=0)


def _m2o_id(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) else value


# --------------------------------------------------------------------------- gateway


class OdooGateway:
    """Odoo's external API over httpx, on the protocol the server's version calls for."""

    def __init__(self, settings: OdooSettings, *, client: httpx.Client | None = None,
                 approval_key: SecretStr | None = None) -> None:
        self.settings = settings
        self._approval_key = approval_key  # verifies the approval token of every write (issue #12)
        self._transport = Transport(settings, client)
        self._read = Credential(settings.read_login, settings.read_key, "READ")
        self._write = Credential(settings.write_login, settings.write_key, "WRITE")
        self._server: ServerVersion | None = None
        self._protocol: Protocol | None = None

    @classmethod
    def from_settings(cls, settings: Settings | OdooSettings, **kw: Any) -> OdooGateway:
        if isinstance(settings, Settings):
            kw.setdefault("approval_key", settings.approvals.key)
            return cls(settings.odoo, **kw)
        return cls(settings, **kw)

    def __repr__(self) -> str:
        return (f"OdooGateway(url={self.settings.base_url!r}, db={self.settings.db!r}, "
                f"protocol={self.settings.protocol!r})")

    def close(self) -> None:
        self._transport.client.close()

    def __enter__(self) -> OdooGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol
    def server_version(self) -> ServerVersion:
        """The server's version, asked once (`/web/webclient/version_info`, 17 to 19)."""
        if self._server is None:
            self._server = detect_version(self._transport)
        return self._server

    def _proto(self) -> Protocol:
        if self._protocol is None:
            if self.settings.protocol == "auto":
                name = choose_protocol(self.settings, self.server_version().major)
            else:
                name = self.settings.protocol
            self._protocol = make_protocol(name, self._transport, self.settings.db)
        return self._protocol

    @property
    def protocol(self) -> str:
        """json2, jsonrpc or xmlrpc: the one in use (asks the server when the setting is auto)."""
        return self._proto().name

    def version(self) -> dict[str, Any]:
        """common.version()'s answer: server_version, server_version_info, server_serie, protocol_version."""
        return self.server_version().info

    def _call(self, cred: Credential, model: str, method: str, ids: list[int] | None,
              kwargs: dict[str, Any], context: dict[str, Any]) -> Any:
        cred.secret()  # a missing key is a configuration error before anything is sent
        proto = self._proto()
        log.info("odoo %s %s.%s ids=%s as %s", proto.name, model, method, ids, cred.login)
        return proto.call(cred, model, method, ids, kwargs, context)

    # ------------------------------------------------------------------ reads (read-only user)
    def read_call(self, model: str, method: str, ids: list[int] | None = None, *,
                  context: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A read with the read-only user; a timed-out read is safe to retry once."""
        try:
            return self._call(self._read, model, method, ids, kwargs, context or {})
        except OdooTimeoutError:
            return self._call(self._read, model, method, ids, kwargs, context or {})

    def search_read(self, model: str, domain: list[Any], fields: list[str] | None = None, *,
                    limit: int | None = None, offset: int = 0, order: str | None = None,
                    context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        kw: dict[str, Any] = {"domain": domain}
        if fields:
            kw["fields"] = fields
        if offset:
            kw["offset"] = offset
        if limit:
            kw["limit"] = limit
        if order:
            kw["order"] = order
        return self.read_call(model, "search_read", None, context=context, **kw)

    def search_count(self, model: str, domain: list[Any], *, context: dict[str, Any] | None = None) -> int:
        return int(self.read_call(model, "search_count", None, context=context, domain=domain))

    def read(self, model: str, ids: list[int], fields: list[str] | None = None, *,
             context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.read_call(model, "read", ids, context=context, **({"fields": fields} if fields else {}))

    def run_read(self, call: OdooCall) -> Any:
        if call.write:
            raise ValueError("run_read() is for read calls only")
        return self.read_call(call.model, call.method, call.ids, context=call.context, **call.kwargs)

    def preflight(self, action: _Action) -> None:
        """Before an execution is claimed: keys present, two different users, both authenticated on a
        server whose version speaks the configured protocol, so a configuration problem (a wrong write
        key included) is a refusal to retry later rather than a spent, failed execution."""
        calls = action.odoo_calls()
        if not calls:
            return
        for cred in (self._read, self._write):
            cred.secret()
        if self._read.secret() == self._write.secret():
            raise OdooAuthError("the read and write users have the same API key: give the read user its own, "
                                "read-only key", name="config")
        self._server, self._protocol = None, None
        choose_protocol(self.settings, self.server_version().major)  # refuses JSON-2 before 19
        proto = self._proto()
        uids = {}
        for cred in (self._read, self._write):
            cred.uid = None
            try:
                uids[cred.role] = proto.authenticate(cred)
            except OdooAuthError as exc:
                raise OdooAuthError(f"the {cred.role.lower()} user {cred.login!r} cannot log in over {proto.name}: "
                                    f"{exc.message}", name=exc.name or "authenticate") from None
        if uids["READ"] == uids["WRITE"]:
            raise OdooAuthError(f"the read and write keys belong to the same Odoo user (uid {uids['READ']})",
                                name="config")

    # ------------------------------------------------------------------ writes (executor only)
    def _write_call(self, call: OdooCall, ids: list[int] | None = None) -> Any:
        return self._call(self._write, call.model, call.method, ids if ids is not None else call.ids,
                          call.kwargs, call.context)

    def execute_action(self, action: _Action, dry_run: bool = False, *,
                       approval: ApprovalToken | None = None) -> ActionOutcome:
        """Run an allow-listed action: the one entry point for every write.

        Guards read first, writes go with the write user, then a read verifies. Dry-run performs the
        reads and Odoo's own checks read-only (so it shows what would be skipped or refused) and no write.
        Anything that writes needs `approval`, the token agent.approvals.execute mints.
        """
        # ---- approval gate (issue #12): no write without a verified approval token
        if not dry_run and action.write_calls():
            try:
                verify_token(self._approval_key, approval, action, utcnow())
            except ApprovalTokenInvalid as exc:
                raise GatewayRefused(f"refused before writing: {exc}", name="approval") from None
        # ---- end of the approval gate
        # each handler takes its own action type; the lookup by type(action) keeps them matched
        handlers: dict[type[_Action], Callable[[Any, ActionOutcome], None]] = {
            RequeueJobs: self._requeue, MergePartners: self._merge, ArchiveProject: self._archive,
            SetField: self._set_field, PostNote: self._post_note, Escalate: self._escalate}
        handler = handlers.get(type(action))
        if handler is None:
            raise GatewayRefused(f"action {type(action).__name__} is not on the allow-list", name="allow-list")
        out = ActionOutcome(action=str(getattr(action, "action", type(action).__name__)), dry_run=dry_run,
                            calls=[c.render() for c in action.odoo_calls()])
        handler(action, out)
        return out

    # ------------------------------------------------------------------ requeue
    def _requeue(self, action: RequeueJobs, out: ActionOutcome) -> None:
        read, write, verify = action.odoo_calls()
        jobs = self.run_read(read)
        by_uuid = {j["uuid"]: j for j in jobs}
        eligible = [j for j in jobs if j["state"] == "failed"]
        skipped = {u: ("not found" if u not in by_uuid else
                       "started: never requeued, it would run twice" if by_uuid[u]["state"] == "started" else
                       f"state is {by_uuid[u]['state']}, not failed")
                   for u in action.job_uuids if u not in {j["uuid"] for j in eligible}}
        out.details.update(skipped=skipped)
        if not eligible:
            raise GatewayRefused(f"no failed job to requeue among {len(action.job_uuids)}: "
                                 + "; ".join(f"{u}: {why}" for u, why in skipped.items()), name="guard")
        if out.dry_run:
            ids = [j["id"] for j in eligible]
            out.details["requeue_ids"] = ids
            out.calls[1] = write.model_copy(update={"ids": ids, "ids_from": None}).render()
            out.summary = f"would requeue {len(ids)} failed queue.job ({len(skipped)} skipped)"
            return
        # immediately before the write: only what is failed NOW (a job the runner took meanwhile would
        # run twice: OCA's requeue does not refuse `started`)
        now_failed = self.search_read("queue.job", [["uuid", "in", [j["uuid"] for j in eligible]],
                                                    ["state", "=", "failed"]], ["id", "uuid", "state"])
        still = {j["uuid"] for j in now_failed}
        for j in eligible:
            if j["uuid"] not in still:
                skipped[j["uuid"]] = "no longer failed just before the requeue: left alone"
        ids = [j["id"] for j in now_failed]
        out.details["requeue_ids"] = ids
        out.calls[1] = write.model_copy(update={"ids": ids, "ids_from": None}).render()
        if not ids:
            raise GatewayRefused("no job was still failed just before the requeue: nothing requeued", name="guard")
        try:
            self._write_call(write, ids)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True  # the re-read below decides; never requeue twice
        after = {j["uuid"]: j for j in self.run_read(verify)}
        requeued, waiting, unconfirmed = [], [], {}
        for j in now_failed:
            state = after.get(j["uuid"], {}).get("state")
            if state == "pending":
                requeued.append(j["uuid"])
            elif state == "wait_dependencies":  # OCA: requeued, waiting for a job it depends on
                waiting.append(j["uuid"])
            else:
                unconfirmed[j["uuid"]] = f"state is {state or 'gone'} right after the requeue, not pending"
        out.details.update(requeued=requeued, waiting_dependencies=waiting, not_requeued=unconfirmed)
        if unconfirmed:
            raise OdooError(f"requeue not confirmed for {len(unconfirmed)} of {len(ids)} job(s): "
                            + "; ".join(f"{u}: {why}" for u, why in unconfirmed.items())
                            + (f" (confirmed: {len(requeued) + len(waiting)})" if requeued or waiting else ""),
                            name="verify")
        out.summary = (f"requeued {len(requeued) + len(waiting)} failed queue.job"
                       + (f" ({len(waiting)} waiting for dependencies)" if waiting else "")
                       + (f", skipped {len(skipped)}" if skipped else ""))

    # ------------------------------------------------------------------ merge
    def _merge_checks(self, alive: list[int], dst: int, out: ActionOutcome) -> None:
        """The merge wizard's refusals, read-only (base_partner_merge.py `_merge`), and what it would
        repoint that the approver should see: posted journal items move to the destination."""
        ctx = {"active_test": False}
        partners = {p["id"]: p for p in self.read("res.partner", alive, ["email", "parent_id", "user_ids"],
                                                  context=ctx)}
        if len(alive) > 3:
            raise GatewayRefused("Odoo refuses to merge more than 3 contacts at once", name="guard")
        family: set[int] = set()
        for pid in alive:
            family |= {r["id"] for r in self.search_read("res.partner", [["id", "child_of", [pid]]], ["id"],
                                                         context=ctx)} - {pid}
        if family & set(alive):
            raise GatewayRefused(f"Odoo refuses: res.partner {sorted(family & set(alive))} is a parent or child "
                                 "of another partner in the merge", name="guard")
        emails = {partners[p].get("email") or False for p in alive}
        if len(emails) > 1 and not self._write_is_admin():
            raise GatewayRefused(f"Odoo refuses: the e-mails differ exactly ({sorted(map(str, emails))}) and the "
                                 "write user is not an administrator", name="guard")
        users = sorted({u for p in alive for u in partners[p].get("user_ids") or []})
        if len(users) > 1:
            raise GatewayRefused(f"Odoo refuses: the partners are linked to {len(users)} users {users} "
                                 "(archived ones count)", name="guard")
        sources = [p for p in alive if p != dst]
        try:
            domain = [["partner_id", "in", sources]]
            count = self.search_count("account.move.line", domain)
            lines = self.search_read("account.move.line", domain, ["move_name", "partner_id", "parent_state"],
                                     limit=JOURNAL_ITEMS_SHOWN, order="id") if count else []
            out.details["journal_items"] = {"count": count, "shown": lines}
        except OdooAccessError:
            out.details["journal_items"] = {"count": None, "note": "the read user cannot see journal items"}
        except OdooUserError as exc:
            if "doesn't exist" not in exc.message:
                raise
            out.details["journal_items"] = {"count": 0, "note": "no accounting module"}
        except OdooError as exc:
            if exc.http_status != 404:
                raise
            out.details["journal_items"] = {"count": 0, "note": "no accounting module"}

    def _write_is_admin(self) -> bool:
        try:
            uid = self._proto().authenticate(self._write)
            return bool(self._call(self._write, "res.users", "has_group", [uid], {"group_ext_id": ADMIN_GROUP}, {}))
        except OdooUserError:
            return False

    def _merge(self, action: MergePartners, out: ActionOutcome) -> None:
        before_call, create, merge, verify = action.odoo_calls()
        before = {p["id"]: p for p in self.run_read(before_call)}
        dst, sources = action.destination_id, action.source_ids
        out.details.update(destination_id=dst, source_ids=sources, before=list(before.values()))
        if dst not in before:
            raise GatewayRefused(f"destination res.partner {dst} no longer exists", name="guard")
        alive = [s for s in sources if s in before]
        if not alive:
            out.noop = True
            out.summary = f"nothing to merge: res.partner {sources} already gone, {dst} remains"
            return
        self._merge_checks([dst, *alive], dst, out)
        items = out.details.get("journal_items", {}).get("count")
        repoint = f"; {items} journal item(s) would move to {dst}" if items else ""
        if out.dry_run:
            out.summary = f"would merge res.partner {', '.join(map(str, alive))} into {dst}{repoint}"
            return
        created = self._write_call(create)
        wizard_id = created[0] if isinstance(created, list) else created
        out.details["wizard_id"] = wizard_id
        out.calls[2] = merge.model_copy(update={"ids": [wizard_id], "ids_from": None}).render()
        try:
            self._write_call(merge, [wizard_id])  # returns a window action: no status in it
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
        after = {p["id"]: p for p in self.run_read(verify)}
        left = [s for s in alive if s in after]
        if left or dst not in after:
            raise OdooError(f"merge not confirmed: res.partner {left} still exist" if left else
                            f"merge not confirmed: destination {dst} is gone", name="verify")
        out.details["after"] = list(after.values())
        out.summary = f"merged res.partner {', '.join(map(str, alive))} into {dst}" + repoint.replace(
            "would move", "moved")

    # ------------------------------------------------------------------ archive, set_field, note
    def _archive(self, action: ArchiveProject, out: ActionOutcome) -> None:
        (write,) = action.odoo_calls()
        current = self.read("project.project", [action.project_id], ["active", "name"])[0]
        out.details["before"] = current
        if out.dry_run:
            out.summary = f"would archive project.project {action.project_id} ({current.get('name')})"
            return
        try:
            self._write_call(write)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
        after = self.read("project.project", [action.project_id], ["active"])[0]
        if after.get("active"):
            raise OdooError(f"archive not confirmed: project.project {action.project_id} is still active",
                            name="verify")
        out.summary = f"archived project.project {action.project_id}"

    def _set_field(self, action: SetField, out: ActionOutcome) -> None:
        read, write = action.odoo_calls()
        current = self.run_read(read)[0]
        out.details.update(before=current)
        self._check_unchanged(action, current, "changed since the proposal")
        if out.dry_run:
            out.summary = f"would set {action.model} {action.record_id}.{action.field}"
            return
        # write_date has one-second precision over the API: compare the field's value too, and re-read
        # immediately before the write so the window left is one round trip
        again = self.run_read(read)[0]
        self._check_unchanged(action, again, "changed just before the write")
        if _m2o_id(again.get(action.field)) != _m2o_id(current.get(action.field)):
            raise GatewayRefused(f"{action.model} {action.record_id}.{action.field} changed just before the "
                                 "write: nothing written", name="conflict")
        try:
            self._write_call(write)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
        after = self.read(action.model, [action.record_id], [action.field, "write_date"])[0]
        value = _m2o_id(after.get(action.field))
        out.details["after"] = after
        if value != action.value:
            raise OdooError(f"conflict: {action.model} {action.record_id}.{action.field} is {value!r} right after "
                            f"the write, not the value written: someone else wrote it too", name="conflict")
        out.summary = f"set {action.model} {action.record_id}.{action.field}"

    @staticmethod
    def _check_unchanged(action: SetField, current: dict[str, Any], why: str) -> None:
        expected, actual = _odoo_datetime(action.expected_write_date), _odoo_datetime(current.get("write_date"))
        if expected != actual:
            raise GatewayRefused(f"{action.model} {action.record_id} {why}: write_date is "
                                 f"{current.get('write_date')}, expected {expected:%Y-%m-%d %H:%M:%S}", name="guard")

    def _post_note(self, action: PostNote, out: ActionOutcome) -> None:
        (post,) = action.odoo_calls()
        if out.dry_run:
            out.summary = f"would post a note on {action.model} {action.record_id}"
            return
        try:
            result = self._write_call(post)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
            # message_post escapes a plain-text body: the stored body is the escaped one
            stored = str(markupsafe.escape(action.body))
            found = self.search_read("mail.message", [["model", "=", action.model], ["res_id", "=", action.record_id],
                                                      ["body", "=", stored]], ["id"])
            if not found:
                raise OdooTimeoutError("note not confirmed after a timeout; not posted again", name="timeout") from None
            result = [found[-1]["id"]]
        message_id = result[0] if isinstance(result, list) else result
        out.details["message_id"] = message_id
        out.summary = f"posted a note on {action.model} {action.record_id} (mail.message {message_id})"

    def _escalate(self, action: Escalate, out: ActionOutcome) -> None:
        _escalate(action, out)


def _escalate(action: Escalate, out: ActionOutcome) -> None:
    out.details.update(escalated_to=action.owner, flow=action.flow, message=action.message)
    out.summary = f"{'would escalate' if out.dry_run else 'escalated'} {action.flow} to {action.owner}"


def offline_outcome(action: _Action, dry_run: bool = False) -> ActionOutcome:
    """The outcome of an action that makes no Odoo call (escalate), so no gateway is needed."""
    if not isinstance(action, Escalate):
        raise GatewayRefused(f"{type(action).__name__} calls Odoo: it needs a gateway", name="gateway")
    out = ActionOutcome(action=str(action.action), dry_run=dry_run)
    _escalate(action, out)
    return out
