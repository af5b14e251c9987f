"""Odoo's three external APIs over one httpx client: JSON-2 (19+), JSON-RPC and XML-RPC (17-19),
and the version detection that picks between them.

Each protocol authenticates a credential (to a uid) and makes one call; none of them retries. Keys are
`SecretStr`s, read only where a request is built, never logged nor put in an error.
"""

from __future__ import annotations

import itertools
import xmlrpc.client
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from odoo_triage.agent.odoo.errors import (
    OdooAuthError,
    OdooConnectionError,
    OdooError,
    OdooTimeoutError,
    error_from_fault,
    error_from_odoo,
)
from odoo_triage.core.settings import OdooSettings

PROTOCOLS = ("json2", "jsonrpc", "xmlrpc")


class Credential:
    """A login and its API key; the uid once authenticated. The key never shows in a repr."""

    __slots__ = ("login", "key", "uid", "role")

    def __init__(self, login: str, key: SecretStr | None, role: str) -> None:
        self.login = login
        self.key = key
        self.uid: int | None = None
        self.role = role  # READ or WRITE: names the environment variable in errors

    def secret(self) -> str:
        if self.key is None:
            raise OdooAuthError(f"no Odoo API key for {self.login!r}: set TRIAGE_ODOO_{self.role}_KEY", name="config")
        return self.key.get_secret_value()

    def __repr__(self) -> str:
        return f"Credential(login={self.login!r}, key={'**********' if self.key else None})"


class Transport:
    """POSTs to Odoo with the configured timeout; transport failures become typed errors."""

    def __init__(self, settings: OdooSettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(base_url=settings.base_url, timeout=settings.timeout_s)
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    def post(self, path: str, *, json: Any = None, content: bytes | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        try:
            return self.client.post(path, json=json, content=content, headers=headers)
        except httpx.TimeoutException:
            raise OdooTimeoutError(f"no answer from Odoo within {self.settings.timeout_s}s on {path}",
                                   name="timeout") from None
        except httpx.HTTPError as exc:
            raise OdooConnectionError(f"cannot reach Odoo at {self.settings.base_url}: {type(exc).__name__}",
                                      name="connection") from None

    def jsonrpc(self, path: str, params: dict[str, Any]) -> Any:
        """A JSON-RPC 2.0 request (`/jsonrpc` and the web client's routes) and its result or error."""
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": self.next_id()}
        resp = self.post(path, json=body)
        if resp.status_code != 200:
            raise error_from_odoo("", f"HTTP {resp.status_code} from {path}", resp.status_code)
        try:
            payload = resp.json()
        except ValueError:
            raise OdooError(f"unparsable JSON-RPC answer from {path}", http_status=resp.status_code) from None
        if not isinstance(payload, dict):
            raise OdooError(f"unexpected JSON-RPC answer from {path}")
        if payload.get("error"):
            err = payload["error"] if isinstance(payload["error"], dict) else {}
            data = err.get("data") or {}
            if err.get("code") == 100:
                raise OdooAuthError(data.get("message") or "Odoo session expired", name=data.get("name", ""))
            raise error_from_odoo(data.get("name", ""), data.get("message") or err.get("message", ""),
                                  None, data.get("arguments"))
        return payload.get("result")


@dataclass(frozen=True)
class ServerVersion:
    major: int
    serie: str
    info: dict[str, Any]


def detect_version(transport: Transport) -> ServerVersion:
    """`POST /web/webclient/version_info`, served by 17, 18 and 19 (`/web/version` is 19 only)."""
    info = transport.jsonrpc("/web/webclient/version_info", {})
    try:
        major = int((info.get("server_version_info") or [0])[0])
    except (AttributeError, TypeError, ValueError, IndexError):
        raise OdooError(f"unexpected version answer from Odoo: {str(info)[:200]}", name="version") from None
    return ServerVersion(major=major, serie=str(info.get("server_serie") or info.get("server_version") or major),
                         info=info)


def choose_protocol(settings: OdooSettings, major: int) -> str:
    """The protocol for this server: JSON-2 exists from 19 on; 17 and 18 speak JSON-RPC or XML-RPC."""
    if settings.protocol != "auto":
        if settings.protocol == "json2" and major < 19:
            raise OdooError(f"Odoo {major} has no JSON-2 API (19+): set TRIAGE_ODOO_PROTOCOL to auto, jsonrpc "
                            "or xmlrpc", name="config")
        return settings.protocol
    return settings.protocol_on_19 if major >= 19 else settings.protocol_before_19


class Protocol:
    """One of Odoo's external APIs: authenticate a credential, make one call."""

    name = ""

    def __init__(self, transport: Transport, db: str) -> None:
        self.transport = transport
        self.db = db

    def authenticate(self, cred: Credential) -> int:
        raise NotImplementedError

    def call(self, cred: Credential, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any],
             context: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _auth_failed(self, cred: Credential) -> OdooAuthError:
        return OdooAuthError(f"authentication failed for login {cred.login!r} on database {self.db!r} "
                             f"over {self.name}", name="authenticate")


class Json2(Protocol):
    """`POST /json/2/<model>/<method>`, bearer key, named arguments flat in the body (Odoo 19+)."""

    name = "json2"

    def _headers(self, cred: Credential) -> dict[str, str]:
        headers = {"Authorization": f"bearer {cred.secret()}"}
        if self.db:
            headers["X-Odoo-Database"] = self.db
        return headers

    def authenticate(self, cred: Credential) -> int:
        """The key's user: `res.users.context_get` answers with its uid (a bad key is a 401)."""
        context = self.call(cred, "res.users", "context_get", None, {}, {})
        if not isinstance(context, dict) or not context.get("uid"):
            raise self._auth_failed(cred)
        cred.uid = int(context["uid"])
        return cred.uid

    def call(self, cred: Credential, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any],
             context: dict[str, Any]) -> Any:
        body: dict[str, Any] = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        if context:
            body["context"] = context
        resp = self.transport.post(f"/json/2/{model}/{method}", json=body, headers=self._headers(cred))
        if resp.status_code == 200:
            return resp.json()
        try:
            err = resp.json()
            if not isinstance(err, dict):
                raise ValueError
        except ValueError:
            err = {"name": "", "message": f"HTTP {resp.status_code} from Odoo"}
        raise error_from_odoo(err.get("name", ""), err.get("message", ""), resp.status_code, err.get("arguments"))


class _Rpc(Protocol):
    """common.authenticate and object.execute_kw, whatever carries them."""

    def _rpc(self, service: str, method: str, args: list[Any]) -> Any:
        raise NotImplementedError

    def version(self) -> dict[str, Any]:
        return self._rpc("common", "version", [])

    def authenticate(self, cred: Credential) -> int:
        if cred.uid is None:
            uid = self._rpc("common", "authenticate", [self.db, cred.login, cred.secret(), {}])
            if not uid:
                raise self._auth_failed(cred)
            cred.uid = int(uid)
        return cred.uid

    def call(self, cred: Credential, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any],
             context: dict[str, Any]) -> Any:
        args: list[Any] = [ids] if ids is not None else []
        kw = {**kwargs, **({"context": context} if context else {})}
        return self._rpc("object", "execute_kw", [self.db, self.authenticate(cred), cred.secret(), model, method,
                                                  args, kw])


class JsonRpc(_Rpc):
    """`POST /jsonrpc` (17-19; deprecated in 19)."""

    name = "jsonrpc"

    def _rpc(self, service: str, method: str, args: list[Any]) -> Any:
        return self.transport.jsonrpc("/jsonrpc", {"service": service, "method": method, "args": args})


class XmlRpc(_Rpc):
    """`POST /xmlrpc/2/common|object` (17-19; deprecated in 19). Faults carry Odoo's codes 1-4."""

    name = "xmlrpc"

    def _rpc(self, service: str, method: str, args: list[Any]) -> Any:
        path = f"/xmlrpc/2/{service}"
        body = xmlrpc.client.dumps(tuple(args), methodname=method, allow_none=True).encode()
        resp = self.transport.post(path, content=body, headers={"Content-Type": "text/xml"})
        if resp.status_code != 200:
            raise error_from_odoo("", f"HTTP {resp.status_code} from {path}", resp.status_code)
        try:
            (result,), _ = xmlrpc.client.loads(resp.content, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            raise error_from_fault(int(fault.faultCode) if str(fault.faultCode).isdigit() else 1,
                                   str(fault.faultString)) from None
        except Exception:  # noqa: BLE001 - anything unparsable is Odoo's problem, typed
            raise OdooError(f"unparsable XML-RPC answer from {path}", http_status=resp.status_code) from None
        return result


def make_protocol(name: str, transport: Transport, db: str) -> Protocol:
    return {"json2": Json2, "jsonrpc": JsonRpc, "xmlrpc": XmlRpc}[name](transport, db)
