"""The stand-in's HTTP side: each Odoo version's external routes with their real envelopes.

17, 18 and 19: XML-RPC (`/xmlrpc/2/common|object`), JSON-RPC (`/jsonrpc`), the web client's
`/web/webclient/version_info`, `/web/session/authenticate` and `/web/dataset/call_kw` (session cookie).
19 only: JSON-2 (`/json/2/<model>/<method>`, bearer key) and `GET /web/version`; the JSON-RPC error
code is 200 before 19 and 0 in 19. Facts: /work/shared/odoo-api.md.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import xmlrpc.client
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from odoo_triage.sim.odoo_sandbox.orm import (
    FIELDS,
    LABELS,
    MODEL_METHODS,
    READ_KWARGS,
    RECORD_METHODS,
    SIGNATURES,
    AccessDenied,
    AccessError,
    MissingError,
    NotFound,
    OdooException,
    Orm,
    SandboxData,
    SandboxUser,
    ServerError,
    UnknownModel,
    UserError,
    ValidationError,
)

#: a test hook: called with the sandbox just before a given call runs (e.g. the job runner starts a job)
Hook = Callable[["OdooSandbox"], None]


def version_info(version: int) -> dict[str, Any]:
    """common.version() / /web/webclient/version_info for a major version."""
    serie = f"{version}.0"
    return {"server_version": serie, "server_version_info": [version, 0, 0, "final", 0, ""],
            "server_serie": serie, "protocol_version": 1}


def _debug(exc: BaseException) -> str:
    name = exc.name if isinstance(exc, OdooException) else type(exc).__name__
    return f"Traceback (most recent call last):\n  (sandbox)\n{name}: {exc}"


def _as_odoo(exc: Exception) -> OdooException:
    if isinstance(exc, OdooException):
        return exc
    return ServerError(str(exc), f"builtins.{type(exc).__name__}")


class ArgumentError(ServerError):
    """Arguments that do not bind to the method: a TypeError on RPC, 422 on JSON-2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "builtins.TypeError")


def _named(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional arguments (RPC) onto the method's parameter names (JSON-2's only form)."""
    names = SIGNATURES.get(method, [])
    if len(args) > len(names):
        raise ArgumentError(f"{method}() takes {len(names)} positional arguments but {len(args)} were given")
    out = dict(zip(names, args, strict=False))
    dupes = set(out) & set(kwargs)
    if dupes:
        raise ArgumentError(f"{method}() got multiple values for argument {sorted(dupes)[0]!r}")
    out.update(kwargs)
    if method in SIGNATURES and method != "message_post":
        unknown = set(out) - set(names) - (READ_KWARGS if method == "search_read" else set())
        if unknown:
            raise ArgumentError(f"{method}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    return out


def _rpc_error(exc: Exception) -> OdooException:
    """What RPC callers see: Odoo's UserError for a model that is not installed (not a KeyError)."""
    if isinstance(exc, UnknownModel):
        return UserError(exc.message)
    if isinstance(exc, NotFound):
        return ServerError(exc.message, "builtins.AttributeError")
    return _as_odoo(exc)


#: XML-RPC fault codes of /xmlrpc/2 (odoo/service/wsgi_server.py, xmlrpc_handle_exception_int)
def _fault_code(exc: OdooException) -> int:
    if isinstance(exc, AccessError):
        return 4
    if isinstance(exc, AccessDenied):
        return 3
    if isinstance(exc, UserError | ValidationError | MissingError) or exc.name == "odoo.exceptions.UserError":
        return 2
    return 1


class OdooSandbox:
    """A running stand-in: `url`, `version`, `data`, `calls` (who called what), `stop()`.

    Usable as `with start_sandbox() as sb:` or unpacked as `url, stop = start_sandbox()`.
    `delays[(model, method)] = seconds` answers that call late, after it has run: a client timeout
    on a write whose effect did happen, as on a slow production server. `before(model, method, hook)`
    runs `hook(sandbox)` just before that call (its nth one from now): a concurrent change between two
    of the gateway's calls. `legacy_rpc=False` on 19 answers 404 to JSON-RPC/XML-RPC `object` and
    `common.login/authenticate`, as builds without `rpc.use_deprecated_services` do.
    """

    def __init__(self, data: SandboxData, host: str = "127.0.0.1", port: int = 0, *,
                 legacy_rpc: bool = True) -> None:
        self.data = data
        self.version = data.version
        self.legacy_rpc = legacy_rpc or self.version < 19
        self.orm = Orm(data)
        self.delays: dict[tuple[str, str], float] = {}
        self.sessions: dict[str, int] = {}
        self._hooks: dict[tuple[str, str], list[list[Any]]] = {}
        handler = type("Handler", (_Handler,), {"sandbox": self})
        self.server = ThreadingHTTPServer((host, port), handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="odoo-sandbox", daemon=True)
        self._thread.start()

    @property
    def calls(self) -> list[tuple[str, str, str]]:
        return self.orm.calls

    def write_calls(self) -> list[tuple[str, str, str]]:
        from odoo_triage.sim.odoo_sandbox.orm import WRITE_METHODS

        return [c for c in self.orm.calls if c[2] in WRITE_METHODS]

    def before(self, model: str, method: str, hook: Hook, nth: int = 1) -> None:
        """Run `hook(self)` once, just before the nth call of model.method from now."""
        self._hooks.setdefault((model, method), []).append([nth, hook])

    def _fire(self, model: str, method: str) -> None:
        pending = self._hooks.get((model, method)) or []
        for entry in list(pending):
            entry[0] -= 1
            if entry[0] == 0:
                pending.remove(entry)
                entry[1](self)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OdooSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.url, self.stop))

    # ------------------------------------------------------------------ auth
    def user_by_key(self, key: str) -> SandboxUser | None:
        return next((u for u in self.data.users if key and u.api_key == key), None)

    def authenticate(self, db: str, login: str, key: str) -> int | bool:
        """RPC login: the API key (or the password) of an active user, else False (no error)."""
        self._check_db(db)
        user = next((u for u in self.data.users if u.login == login), None)
        if user and key and key in (user.api_key, user.password):
            return user.uid
        return False

    def user_by_uid(self, db: str, uid: Any, key: str) -> SandboxUser:
        self._check_db(db)
        user = next((u for u in self.data.users if u.uid == uid), None)
        if user is None or not key or key not in (user.api_key, user.password):
            raise AccessDenied("Access Denied")
        return user

    def session_login(self, db: str | None, login: str | None, password: str | None) -> tuple[str, SandboxUser]:
        """/web/session/authenticate: the password only (API keys are not for interactive logins)."""
        self._check_db(db)
        user = next((u for u in self.data.users if u.login == login), None)
        if user is None or not password or user.password != password:
            raise AccessDenied("Access Denied")
        sid = secrets.token_hex(20)
        self.sessions[sid] = user.uid
        return sid, user

    def _check_db(self, db: str | None) -> None:
        if db != self.data.db:
            raise ServerError(f'database "{db}" does not exist', "psycopg2.OperationalError")

    def run(self, user: SandboxUser, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any],
            context: dict[str, Any]) -> Any:
        self._fire(model, method)
        try:
            return self.orm.call(user, model, method, ids, kwargs, context)
        finally:
            delay = self.delays.get((model, method))
            if delay:
                time.sleep(delay)

    def execute(self, user: SandboxUser, model: str, method: str, args: list[Any],
                kwargs: dict[str, Any]) -> Any:
        """execute_kw / call_kw: ids are args[0] unless the method is model-level."""
        kwargs = dict(kwargs)
        context = kwargs.pop("context", None) or {}
        args = list(args)
        if method in MODEL_METHODS:
            ids = None
        else:
            first = args.pop(0) if args else []
            ids = [first] if isinstance(first, int) else list(first or [])
        result = self.run(user, model, method, ids, _named(method, args, kwargs), context)
        if method == "message_post" and isinstance(result, list):
            return result[0]  # @api.returns('mail.message', lambda m: m.id): RPC gets the id
        return result


NOT_FOUND = {"name": "werkzeug.exceptions.NotFound", "message": "Not Found", "arguments": [], "context": {},
             "debug": ""}


class _Handler(BaseHTTPRequestHandler):
    sandbox: OdooSandbox
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: tests read stderr
        return

    def setup(self) -> None:
        super().setup()
        # headers and body go out as two writes: without this, Nagle and the client's delayed ACK
        # add ~40 ms to every call on loopback
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send_raw(self, status: int, raw: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test): fine
            self.close_connection = True

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send_raw(status, json.dumps(body, default=str).encode(), "application/json; charset=utf-8", headers)

    def _not_found(self) -> None:
        if self.sandbox.version >= 19:
            self._send(404, NOT_FOUND)
        else:  # 17/18 have no JSON-2: an unknown route is werkzeug's HTML page
            self._send_raw(404, b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>",
                           "text/html; charset=utf-8")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0].rstrip("/")
        if path == "/web/version" and self.sandbox.version >= 19:
            info = version_info(self.sandbox.version)
            self._send(200, {"version_info": info["server_version_info"], "version": info["server_version"]})
            return
        if path.startswith("/doc-bearer/") and path.endswith(".json") and self.sandbox.version >= 19:
            self._doc(path[len("/doc-bearer/"):-len(".json")])
            return
        self._not_found()

    def _doc(self, model: str) -> None:
        """19's api_doc (`/doc-bearer/<model>.json`): fields and method parameters, which clients such
        as odooly read to name JSON-2's arguments."""
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        user = self.sandbox.user_by_key(key.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            self._send(401, {"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey",
                             "arguments": [], "context": {}, "debug": ""})
            return
        if model not in FIELDS:
            self._send(404, NOT_FOUND)
            return
        methods = {m: {"api": ["model"] if m in MODEL_METHODS else [],
                       "parameters": {name: {} for name in SIGNATURES.get(m, [])}}
                   for m in sorted(MODEL_METHODS | RECORD_METHODS)}
        self._send(200, {"model": model, "name": LABELS[model],
                         "fields": self.sandbox.orm.fields_get(model, None, None), "methods": methods})

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0].rstrip("/")
        v19 = self.sandbox.version >= 19
        if path == "/jsonrpc":
            self._jsonrpc()
        elif path.startswith("/xmlrpc/2/"):
            self._xmlrpc(path[len("/xmlrpc/2/"):])
        elif path.startswith("/json/2/") and v19:
            self._json2(path[len("/json/2/"):])
        elif path == "/web/version" and v19:
            self.do_GET()
        elif path in ("/web/webclient/version_info", "/web/session/authenticate", "/web/database/list",
                      "/web/session/get_session_info") or path.startswith("/web/dataset/call_kw"):
            self._web(path)
        else:
            self._not_found()

    # ------------------------------------------------------------------ JSON-2 (19)
    def _json2_error(self, exc: OdooException, status: int | None = None) -> None:
        self._send(status or exc.http_status, {"name": exc.name, "message": exc.message,
                                               "arguments": exc.arguments, "context": {}, "debug": _debug(exc)})

    def _json2(self, rest: str) -> None:
        sb = self.sandbox
        auth = self.headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        raw = self._body()
        if scheme.lower() != "bearer":
            self._json2_error(ServerError('User not authenticated, use the "Authorization" header',
                                          "werkzeug.exceptions.Unauthorized"), 401)
            return
        user = sb.user_by_key(key.strip())
        if user is None:
            self._json2_error(ServerError("Invalid apikey", "werkzeug.exceptions.Unauthorized"), 401)
            return
        database = self.headers.get("X-Odoo-Database")
        if database and database != sb.data.db:
            self._json2_error(NotFound(f"database {database!r} not found"), 404)
            return
        model, _, method = rest.partition("/")
        if not model or not method or "/" in method:
            self._json2_error(NotFound("Not Found"), 404)
            return
        try:
            body = json.loads(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            self._json2_error(ServerError(f"could not parse the body: {exc}", "werkzeug.exceptions.BadRequest"), 400)
            return
        ids = body.pop("ids", None)
        context = body.pop("context", None) or {}
        unprocessable = "werkzeug.exceptions.UnprocessableEntity"
        try:
            if model not in FIELDS:
                raise NotFound(f"the model {model!r} does not exist")
            if ids is not None and method in MODEL_METHODS:
                raise ServerError(f"cannot call {model}.{method} with ids", unprocessable)
            if ids is not None and not (isinstance(ids, list) and all(isinstance(i, int) for i in ids)):
                raise ServerError(f"ids must be a list of integers, not {ids!r}", unprocessable)
            try:
                kwargs = _named(method, [], body)
            except ArgumentError as exc:
                raise ServerError(exc.message, unprocessable) from None
            result = sb.run(user, model, method, ids if ids is not None else [], kwargs, context)
        except Exception as exc:  # every error becomes Odoo's JSON-2 envelope
            odoo_exc = _as_odoo(exc)
            self._json2_error(odoo_exc, 422 if odoo_exc.name == unprocessable else None)
            return
        if method == "create" and isinstance(result, int):
            result = [result]  # a recordset becomes a list of ids
        self._send(200, result)

    # ------------------------------------------------------------------ JSON-RPC
    def _jsonrpc_error(self, rid: Any, exc: Exception, code: int | None = None, message: str = "") -> None:
        odoo_exc = _rpc_error(exc)
        if code is None:
            code = 0 if self.sandbox.version >= 19 else 200
        self._send(200, {"jsonrpc": "2.0", "id": rid, "error": {
            "code": code, "message": message or "Odoo Server Error",
            "data": {"name": odoo_exc.name, "debug": _debug(odoo_exc), "message": odoo_exc.message,
                     "arguments": odoo_exc.arguments, "context": {}}}})

    def _jsonrpc_request(self) -> tuple[Any, dict[str, Any]] | None:
        try:
            req = json.loads(self._body() or b"{}")
            params = req.get("params") or {}
            if not isinstance(params, dict):
                raise ValueError
            return req.get("id"), params
        except (ValueError, AttributeError):
            self._send(400, {"jsonrpc": "2.0", "id": None,
                             "error": {"code": 400, "message": "Invalid JSON data", "data": {}}})
            return None

    def _jsonrpc(self) -> None:
        parsed = self._jsonrpc_request()
        if parsed is None:
            return
        rid, params = parsed
        service, method, args = params.get("service"), params.get("method"), list(params.get("args") or [])
        if not self._legacy_allowed(service, method):
            self._send(404, NOT_FOUND)
            return
        try:
            result = self._dispatch(service, method, args)
        except Exception as exc:  # HTTP 200 with the error object, as Odoo does
            self._jsonrpc_error(rid, exc)
            return
        self._send(200, {"jsonrpc": "2.0", "id": rid, "result": result})

    def _legacy_allowed(self, service: Any, method: Any) -> bool:
        return self.sandbox.legacy_rpc or not (service == "object" or (service == "common" and method in
                                                                        ("login", "authenticate")))

    def _dispatch(self, service: str | None, method: str | None, args: list[Any]) -> Any:
        sb = self.sandbox
        if service == "common":
            if method == "version":
                return version_info(sb.version)
            if method in ("authenticate", "login"):
                db, login, key = (args + [None, None, None])[:3]
                return sb.authenticate(db, login, key)
        elif service == "db" and method == "list":
            return [sb.data.db]
        elif service == "object" and method in ("execute_kw", "execute"):
            if len(args) < 5:
                raise ServerError(f"{method}() missing required arguments", "builtins.TypeError")
            db, uid, key, model, meth = args[:5]
            if method == "execute_kw":
                call_args = list(args[5]) if len(args) > 5 and args[5] else []
                kwargs = dict(args[6]) if len(args) > 6 and args[6] else {}
            else:
                call_args, kwargs = list(args[5:]), {}
            user = sb.user_by_uid(db, uid, key)
            return sb.execute(user, model, meth, call_args, kwargs)
        raise ServerError(f"No such service/method: {service}.{method}", "builtins.NameError")

    # ------------------------------------------------------------------ XML-RPC
    def _xmlrpc(self, service: str) -> None:
        try:
            args, method = xmlrpc.client.loads(self._body(), use_builtin_types=True)
        except Exception:  # noqa: BLE001 - an unparsable request is a fault, as in Odoo
            self._xmlrpc_reply(xmlrpc.client.Fault(1, "could not parse the XML-RPC request"))
            return
        if service not in ("common", "object", "db") or not self._legacy_allowed(service, method):
            self._not_found()
            return
        try:
            result = self._dispatch(service, method or "", list(args))
            reply: Any = (result,)
            xmlrpc.client.dumps(reply, methodresponse=True, allow_none=False)  # None: a fault, as in Odoo
        except Exception as exc:  # noqa: BLE001 - every error is a fault with Odoo's code
            odoo_exc = _rpc_error(exc)
            code = _fault_code(odoo_exc)
            text = odoo_exc.message if code > 1 else _debug(odoo_exc)
            reply = xmlrpc.client.Fault(code, text)
        self._xmlrpc_reply(reply)

    def _xmlrpc_reply(self, reply: Any) -> None:
        raw = xmlrpc.client.dumps(reply, methodresponse=not isinstance(reply, xmlrpc.client.Fault),
                                  allow_none=False).encode()
        self._send_raw(200, raw, "text/xml; charset=utf-8")

    # ------------------------------------------------------------------ web client routes (JSON-RPC bodies)
    def _web(self, path: str) -> None:
        parsed = self._jsonrpc_request()
        if parsed is None:
            return
        rid, params = parsed
        sb = self.sandbox
        headers: dict[str, str] = {}
        try:
            if path == "/web/webclient/version_info":
                result: Any = version_info(sb.version)
            elif path == "/web/database/list":
                result = [sb.data.db]
            elif path == "/web/session/authenticate":
                sid, logged_in = sb.session_login(params.get("db"), params.get("login"), params.get("password"))
                headers["Set-Cookie"] = f"session_id={sid}; Path=/; HttpOnly; SameSite=Lax"
                result = self._session_info(logged_in)
            else:
                user = self._session_user()
                if user is None:
                    self._jsonrpc_error(rid, ServerError("Session expired", "odoo.http.SessionExpiredException"),
                                        code=100, message="Odoo Session Expired")
                    return
                if path == "/web/session/get_session_info":
                    result = self._session_info(user)
                else:
                    result = sb.execute(user, params.get("model") or "", params.get("method") or "",
                                        list(params.get("args") or []), dict(params.get("kwargs") or {}))
        except Exception as exc:  # noqa: BLE001 - Odoo's JSON-RPC error object, HTTP 200
            self._jsonrpc_error(rid, exc)
            return
        self._send(200, {"jsonrpc": "2.0", "id": rid, "result": result}, headers)

    def _session_user(self) -> SandboxUser | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookie["session_id"].value if "session_id" in cookie else ""
        uid = self.sandbox.sessions.get(sid)
        return next((u for u in self.sandbox.data.users if u.uid == uid), None) if uid else None

    def _session_info(self, user: SandboxUser) -> dict[str, Any]:
        info = version_info(self.sandbox.version)
        return {"uid": user.uid, "is_admin": user.is_admin, "is_system": user.is_admin, "db": self.sandbox.data.db,
                "username": user.login, "name": user.name, "partner_id": user.partner_id or False,
                "user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": user.uid},
                "server_version": info["server_version"], "server_version_info": info["server_version_info"]}


def start_sandbox(port: int = 0, data: SandboxData | None = None, host: str = "127.0.0.1", *,
                  version: int | None = None, legacy_rpc: bool = True) -> OdooSandbox:
    """Start the stand-in on loopback in a background thread (port 0: any free port).

    `version` (17, 18, 19) picks the built-in world's version; a given `data` carries its own."""
    if data is None:
        from odoo_triage.sim.odoo_sandbox.world import demo_data

        data = demo_data(version=version or 19)
    elif version is not None and version != data.version:
        raise ValueError(f"the data is for Odoo {data.version}, not {version}")
    return OdooSandbox(data, host=host, port=port, legacy_rpc=legacy_rpc)


__all__ = ["HTTPStatus", "OdooSandbox", "start_sandbox", "version_info"]
