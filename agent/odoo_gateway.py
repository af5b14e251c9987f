"""The one module that writes to Odoo: JSON-2 and JSON-RPC over httpx, typed errors, guarded actions.

Reads use the read-only credentials; only `execute_action` (the executor path in agent/approvals.py)
uses the write credentials. Keys are `SecretStr`s: they are never logged, never put in an
exception and never shown in a repr. A write that times out is never retried: the gateway re-reads
to learn whether it happened (Odoo runs each call in its own transaction, so it either did or not).
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
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
from odoo_triage.agent.redact import redact
from odoo_triage.core.clock import utcnow
from odoo_triage.core.settings import OdooSettings, Settings

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- errors


class OdooError(Exception):
    """An error from Odoo (or on the way to it). `name` is Odoo's exception class when known."""

    def __init__(self, message: str, *, name: str = "", http_status: int | None = None,
                 arguments: list[Any] | None = None) -> None:
        self.message = redact(message)
        self.name = name
        self.http_status = http_status
        self.arguments = arguments or []
        super().__init__(self.message)

    def __str__(self) -> str:
        short = self.name.rsplit(".", 1)[-1] if self.name else type(self).__name__
        return f"{short}: {self.message}"


class OdooAuthError(OdooError):
    """Bad or missing API key / login (AccessDenied, HTTP 401 "Invalid apikey")."""


class OdooUserError(OdooError):
    """odoo.exceptions.UserError; like in Odoo, the three below are kinds of it."""


class OdooAccessError(OdooUserError):
    """odoo.exceptions.AccessError: the user lacks the rights (JSON-2: HTTP 403)."""


class OdooValidationError(OdooUserError):
    """odoo.exceptions.ValidationError: a constraint refused the values (JSON-2: HTTP 422)."""


class OdooMissingError(OdooUserError):
    """odoo.exceptions.MissingError: the record does not exist or was deleted (JSON-2: HTTP 404)."""


class OdooLockError(OdooError):
    """odoo.exceptions.LockError: the record is being written by someone else (JSON-2: HTTP 409)."""


class OdooTimeoutError(OdooError):
    """No answer in time. For a write the outcome is unknown, so it is re-read, never retried."""


class OdooConnectionError(OdooError):
    """Odoo could not be reached at all."""


class GatewayRefused(OdooError):
    """The gateway's own guard refused before writing (a started job, a changed write_date...)."""


_BY_NAME: dict[str, type[OdooError]] = {
    "AccessDenied": OdooAuthError, "Unauthorized": OdooAuthError, "AccessError": OdooAccessError,
    "ValidationError": OdooValidationError, "MissingError": OdooMissingError, "UserError": OdooUserError,
    "RedirectWarning": OdooUserError, "LockError": OdooLockError, "CacheMiss": OdooMissingError,
}
_BY_STATUS: dict[int, type[OdooError]] = {401: OdooAuthError, 403: OdooAccessError, 409: OdooLockError,
                                          422: OdooUserError}


def error_from_odoo(name: str, message: str, http_status: int | None = None,
                    arguments: list[Any] | None = None) -> OdooError:
    """The typed exception for Odoo's error: by exception class first, then by HTTP status."""
    short = (name or "").rsplit(".", 1)[-1]
    cls = _BY_NAME.get(short) or (_BY_STATUS.get(http_status or 0) if http_status else None) or OdooError
    return cls(message or short or "Odoo error", name=name, http_status=http_status, arguments=arguments)


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


class _Credential:
    __slots__ = ("login", "key")

    def __init__(self, login: str, key: SecretStr | None) -> None:
        self.login = login
        self.key = key

    def __repr__(self) -> str:
        return f"_Credential(login={self.login!r}, key={'**********' if self.key else None})"


# --------------------------------------------------------------------------- gateway


class OdooGateway:
    """Odoo's external API over httpx, on the protocol the settings name (json2 or jsonrpc)."""

    def __init__(self, settings: OdooSettings, *, client: httpx.Client | None = None,
                 approval_key: SecretStr | None = None) -> None:
        self.settings = settings
        self._approval_key = approval_key  # verifies the approval token of every write (issue #12)
        self.protocol = settings.protocol
        self._read = _Credential(settings.read_login, settings.read_key)
        self._write = _Credential(settings.write_login, settings.write_key)
        self._client = client or httpx.Client(base_url=settings.base_url, timeout=settings.timeout_s)
        self._uids: dict[str, int] = {}
        self._ids = itertools.count(1)

    @classmethod
    def from_settings(cls, settings: Settings | OdooSettings, **kw: Any) -> OdooGateway:
        if isinstance(settings, Settings):
            kw.setdefault("approval_key", settings.approvals.key)
            return cls(settings.odoo, **kw)
        return cls(settings, **kw)

    def __repr__(self) -> str:
        return f"OdooGateway(url={self.settings.base_url!r}, db={self.settings.db!r}, protocol={self.protocol!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OdooGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transport
    def _post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            return self._client.post(path, json=body, headers=headers)
        except httpx.TimeoutException:
            raise OdooTimeoutError(f"no answer from Odoo within {self.settings.timeout_s}s on {path}",
                                   name="timeout") from None
        except httpx.HTTPError as exc:
            raise OdooConnectionError(f"cannot reach Odoo at {self.settings.base_url}: {type(exc).__name__}",
                                      name="connection") from None

    def _jsonrpc(self, service: str, method: str, args: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": args},
                "id": next(self._ids)}
        resp = self._post("/jsonrpc", body)
        if resp.status_code != 200:
            raise error_from_odoo("", f"HTTP {resp.status_code} from /jsonrpc", resp.status_code)
        try:
            payload = resp.json()
        except ValueError:
            raise OdooError("unparsable JSON-RPC answer", http_status=resp.status_code) from None
        if "error" in payload:
            err = payload["error"] or {}
            data = err.get("data") or {}
            if err.get("code") == 100:
                raise OdooAuthError(data.get("message") or "Odoo session expired", name=data.get("name", ""))
            raise error_from_odoo(data.get("name", ""), data.get("message") or err.get("message", ""),
                                  None, data.get("arguments"))
        return payload.get("result")

    def _uid(self, cred: _Credential) -> int:
        if cred.login not in self._uids:
            uid = self._jsonrpc("common", "authenticate",
                                [self.settings.db, cred.login, cred.key.get_secret_value(), {}])
            if not uid:
                raise OdooAuthError(f"authentication failed for login {cred.login!r} on database "
                                    f"{self.settings.db!r}", name="authenticate")
            self._uids[cred.login] = int(uid)
        return self._uids[cred.login]

    def _json2(self, cred: _Credential, model: str, method: str, ids: list[int] | None,
               kwargs: dict[str, Any], context: dict[str, Any]) -> Any:
        headers = {"Authorization": f"bearer {cred.key.get_secret_value()}"}
        if self.settings.db:
            headers["X-Odoo-Database"] = self.settings.db
        body: dict[str, Any] = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        if context:
            body["context"] = context
        resp = self._post(f"/json/2/{model}/{method}", body, headers)
        if resp.status_code == 200:
            return resp.json()
        try:
            err = resp.json()
            if not isinstance(err, dict):
                raise ValueError
        except ValueError:
            err = {"name": "", "message": f"HTTP {resp.status_code} from Odoo"}
        raise error_from_odoo(err.get("name", ""), err.get("message", ""), resp.status_code, err.get("arguments"))

    def _call(self, cred: _Credential, model: str, method: str, ids: list[int] | None,
              kwargs: dict[str, Any], context: dict[str, Any]) -> Any:
        if cred.key is None:
            which = "WRITE" if cred is self._write else "READ"
            raise OdooAuthError(f"no Odoo API key for {cred.login!r}: set TRIAGE_ODOO_{which}_KEY", name="config")
        log.info("odoo %s %s.%s ids=%s as %s", self.protocol, model, method, ids, cred.login)
        if self.protocol == "json2":
            return self._json2(cred, model, method, ids, kwargs, context)
        args: list[Any] = [ids] if ids is not None else []
        kw = {**kwargs, **({"context": context} if context else {})}
        return self._jsonrpc("object", "execute_kw", [self.settings.db, self._uid(cred),
                                                      cred.key.get_secret_value(), model, method, args, kw])

    # ------------------------------------------------------------------ reads (read-only user)
    def version(self) -> dict[str, Any]:
        if self.protocol == "jsonrpc":
            return self._jsonrpc("common", "version", [])
        try:
            resp = self._client.get("/web/version")
        except httpx.HTTPError as exc:
            raise OdooConnectionError(f"cannot reach Odoo at {self.settings.base_url}: {type(exc).__name__}") from None
        if resp.status_code != 200:
            raise error_from_odoo("", f"HTTP {resp.status_code} from /web/version", resp.status_code)
        return resp.json()

    def read_call(self, model: str, method: str, ids: list[int] | None = None, *,
                  context: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A read with the read-only user; a timed-out read is safe to retry once."""
        try:
            return self._call(self._read, model, method, ids, kwargs, context or {})
        except OdooTimeoutError:
            return self._call(self._read, model, method, ids, kwargs, context or {})

    def search_read(self, model: str, domain: list[Any], fields: list[str] | None = None, *,
                    limit: int | None = None, context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        kw: dict[str, Any] = {"domain": domain}
        if fields:
            kw["fields"] = fields
        if limit:
            kw["limit"] = limit
        return self.read_call(model, "search_read", None, context=context, **kw)

    def read(self, model: str, ids: list[int], fields: list[str] | None = None) -> list[dict[str, Any]]:
        return self.read_call(model, "read", ids, **({"fields": fields} if fields else {}))

    def run_read(self, call: OdooCall) -> Any:
        if call.write:
            raise ValueError("run_read() is for read calls only")
        return self.read_call(call.model, call.method, call.ids, context=call.context, **call.kwargs)

    def preflight(self, action: _Action) -> None:
        """Before an execution is claimed: keys present and Odoo answering, so a configuration
        problem is a refusal to retry later rather than a spent, failed execution."""
        calls = action.odoo_calls()
        for cred, needed, var in ((self._read, any(not c.write for c in calls), "READ"),
                                  (self._write, any(c.write for c in calls), "WRITE")):
            if needed and cred.key is None:
                raise OdooAuthError(f"no Odoo API key for {cred.login!r}: set TRIAGE_ODOO_{var}_KEY", name="config")
        if calls:
            self.version()
            if self.protocol == "jsonrpc":
                self._uid(self._write if any(c.write for c in calls) else self._read)

    # ------------------------------------------------------------------ writes (executor only)
    def _write_call(self, call: OdooCall, ids: list[int] | None = None) -> Any:
        return self._call(self._write, call.model, call.method, ids if ids is not None else call.ids,
                          call.kwargs, call.context)

    def execute_action(self, action: _Action, dry_run: bool = False, *,
                       approval: ApprovalToken | None = None) -> ActionOutcome:
        """Run an allow-listed action: guards read first, writes with the write user, then verify.

        Dry-run performs the reads (so it shows what would be skipped or refused) and no write.
        Anything that writes needs `approval`, the token agent.approvals.execute mints.
        """
        # ---- approval gate (issue #12): no write without a verified approval token
        if not dry_run and action.write_calls():
            try:
                verify_token(self._approval_key, approval, action, utcnow())
            except ApprovalTokenInvalid as exc:
                raise GatewayRefused(f"refused before writing: {exc}", name="approval") from None
        # ---- end of the approval gate
        handlers = {RequeueJobs: self._requeue, MergePartners: self._merge, ArchiveProject: self._archive,
                    SetField: self._set_field, PostNote: self._post_note, Escalate: self._escalate}
        handler = handlers.get(type(action))
        if handler is None:
            raise GatewayRefused(f"action {type(action).__name__} is not on the allow-list", name="allow-list")
        out = ActionOutcome(action=str(getattr(action, "action", type(action).__name__)), dry_run=dry_run,
                            calls=[c.render() for c in action.odoo_calls()])
        handler(action, out)
        return out

    def _requeue(self, action: RequeueJobs, out: ActionOutcome) -> None:
        read, write, verify = action.odoo_calls()
        jobs = self.run_read(read)
        by_uuid = {j["uuid"]: j for j in jobs}
        eligible = [j for j in jobs if j["state"] == "failed"]
        skipped = {u: ("not found" if u not in by_uuid else
                       "started: never requeued, it would run twice" if by_uuid[u]["state"] == "started" else
                       f"state is {by_uuid[u]['state']}, not failed")
                   for u in action.job_uuids if u not in {j["uuid"] for j in eligible}}
        ids = [j["id"] for j in eligible]
        out.details.update(requeue_ids=ids, skipped=skipped)
        out.calls[1] = write.model_copy(update={"ids": ids, "ids_from": None}).render()
        if not ids:
            raise GatewayRefused(f"no failed job to requeue among {len(action.job_uuids)}: "
                                 + "; ".join(f"{u}: {why}" for u, why in skipped.items()), name="guard")
        if out.dry_run:
            out.summary = f"would requeue {len(ids)} failed queue.job ({len(skipped)} skipped)"
            return
        try:
            self._write_call(write, ids)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True  # re-read below decides; never requeue twice
        after = {j["uuid"]: j for j in self.run_read(verify)}
        not_pending = [j["uuid"] for j in eligible if after.get(j["uuid"], {}).get("state") not in
                       ("pending", "enqueued", "started", "done")]
        if not_pending:
            raise OdooError(f"requeue not confirmed for {not_pending}: still {[after.get(u, {}).get('state') for u in not_pending]}",
                            name="verify")
        out.summary = f"requeued {len(ids)} failed queue.job" + (f", skipped {len(skipped)}" if skipped else "")

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
        if out.dry_run:
            out.summary = f"would merge res.partner {', '.join(map(str, alive))} into {dst}"
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
        out.summary = f"merged res.partner {', '.join(map(str, alive))} into {dst}"

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
        expected, actual = _odoo_datetime(action.expected_write_date), _odoo_datetime(current.get("write_date"))
        out.details.update(before=current)
        if expected != actual:
            raise GatewayRefused(f"{action.model} {action.record_id} changed since the proposal: write_date is "
                                 f"{current.get('write_date')}, expected {expected:%Y-%m-%d %H:%M:%S}", name="guard")
        if out.dry_run:
            out.summary = f"would set {action.model} {action.record_id}.{action.field}"
            return
        try:
            self._write_call(write)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
        after = self.read(action.model, [action.record_id], [action.field])[0]
        value = after.get(action.field)
        value = value[0] if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) else value
        if value != action.value:
            raise OdooError(f"write not confirmed: {action.field} is {value!r}", name="verify")
        out.summary = f"set {action.model} {action.record_id}.{action.field}"

    def _post_note(self, action: PostNote, out: ActionOutcome) -> None:
        (post,) = action.odoo_calls()
        if out.dry_run:
            out.summary = f"would post a note on {action.model} {action.record_id}"
            return
        try:
            result = self._write_call(post)
        except OdooTimeoutError:
            out.confirmed_after_timeout = True
            found = self.search_read("mail.message", [["model", "=", action.model], ["res_id", "=", action.record_id],
                                                      ["body", "=", action.body]], ["id"])
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
