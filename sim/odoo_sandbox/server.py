"""The stand-in's HTTP side: Odoo's JSON-RPC (`/jsonrpc`) and JSON-2 (`/json/2/<model>/<method>`)
endpoints with their real request and error envelopes, on a loopback ThreadingHTTPServer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from odoo_triage.sim.odoo_sandbox.orm import (
    FIELDS,
    MODEL_METHODS,
    SIGNATURES,
    AccessDenied,
    NotFound,
    OdooException,
    Orm,
    SandboxData,
    SandboxUser,
    ServerError,
    UserError,
)

VERSION_INFO = [19, 0, 0, "final", 0, ""]
SERVER_VERSION = "19.0"


def _debug(exc: BaseException) -> str:
    return f"Traceback (most recent call last):\n  (sandbox)\n{exc.name if isinstance(exc, OdooException) else type(exc).__name__}: {exc}"


def _as_odoo(exc: Exception) -> OdooException:
    if isinstance(exc, OdooException):
        return exc
    return ServerError(str(exc), f"builtins.{type(exc).__name__}")


def _named(method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Positional arguments (JSON-RPC) onto the method's parameter names (JSON-2's only form)."""
    names = SIGNATURES.get(method, [])
    if len(args) > len(names):
        raise ServerError(f"{method}() takes {len(names)} positional arguments but {len(args)} were given",
                          "builtins.TypeError")
    out = dict(zip(names, args, strict=False))
    dupes = set(out) & set(kwargs)
    if dupes:
        raise ServerError(f"{method}() got multiple values for argument {sorted(dupes)[0]!r}", "builtins.TypeError")
    out.update(kwargs)
    if method in SIGNATURES and method != "message_post":
        unknown = set(out) - set(names)
        if unknown:
            raise ServerError(f"{method}() got an unexpected keyword argument {sorted(unknown)[0]!r}",
                              "builtins.TypeError")
    return out


class OdooSandbox:
    """A running stand-in: `url`, `data`, `calls` (who called what), `stop()`.

    Usable as `with start_sandbox() as sb:` or unpacked as `url, stop = start_sandbox()`.
    `delays[(model, method)] = seconds` answers that call late, after it has run: a client timeout
    on a write whose effect did happen, as on a slow production server.
    """

    def __init__(self, data: SandboxData, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data = data
        self.orm = Orm(data)
        self.delays: dict[tuple[str, str], float] = {}
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
        self._check_db(db)
        user = next((u for u in self.data.users if u.login == login), None)
        return user.uid if user and key and user.api_key == key else False

    def user_by_uid(self, db: str, uid: Any, key: str) -> SandboxUser:
        self._check_db(db)
        user = next((u for u in self.data.users if u.uid == uid), None)
        if user is None or not key or user.api_key != key:
            raise AccessDenied("Access Denied")
        return user

    def _check_db(self, db: str) -> None:
        if db != self.data.db:
            raise ServerError(f'database "{db}" does not exist', "psycopg2.OperationalError")

    def run(self, user: SandboxUser, model: str, method: str, ids: list[int] | None, kwargs: dict[str, Any],
            context: dict[str, Any]) -> Any:
        try:
            return self.orm.call(user, model, method, ids, kwargs, context)
        finally:
            delay = self.delays.get((model, method))
            if delay:
                time.sleep(delay)


class _Handler(BaseHTTPRequestHandler):
    sandbox: OdooSandbox
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: tests read stderr
        return

    def _send(self, status: int, body: Any) -> None:
        raw = json.dumps(body, default=str).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        try:
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test): fine
            self.close_connection = True

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/") == "/web/version":
            self._send(200, {"version_info": VERSION_INFO, "version": SERVER_VERSION})
            return
        self._send(404, {"name": "werkzeug.exceptions.NotFound", "message": "Not Found", "arguments": [],
                         "context": {}, "debug": ""})

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/jsonrpc":
            self._jsonrpc()
        elif path.startswith("/json/2/"):
            self._json2(path[len("/json/2/"):])
        elif path == "/web/version":
            self.do_GET()
        else:
            self._send(404, {"name": "werkzeug.exceptions.NotFound", "message": "Not Found", "arguments": [],
                             "context": {}, "debug": ""})

    # ------------------------------------------------------------------ JSON-2
    def _json2_error(self, exc: OdooException, status: int | None = None) -> None:
        self._send(status or exc.http_status, {"name": exc.name, "message": exc.message,
                                               "arguments": exc.arguments, "context": {}, "debug": _debug(exc)})

    def _json2(self, rest: str) -> None:
        sb = self.sandbox
        auth = self.headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        user = sb.user_by_key(key.strip()) if scheme.lower() == "bearer" else None
        raw = self._body()
        if user is None:
            exc = ServerError("Invalid apikey", "werkzeug.exceptions.Unauthorized")
            self._json2_error(exc, 401)
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
        try:
            if model not in FIELDS:
                raise NotFound(f"the model {model!r} does not exist")
            if ids is not None and method in MODEL_METHODS:
                raise UserError(f"cannot call {model}.{method} with ids")
            if ids is not None and not (isinstance(ids, list) and all(isinstance(i, int) for i in ids)):
                raise UserError(f"ids must be a list of integers, not {ids!r}")
            kwargs = _named(method, [], body)
            result = sb.run(user, model, method, ids if ids is not None else [], kwargs, context)
        except Exception as exc:  # every error becomes Odoo's JSON-2 envelope
            self._json2_error(_as_odoo(exc))
            return
        if method == "create" and isinstance(result, int):
            result = [result]  # a recordset becomes a list of ids
        self._send(200, result)

    # ------------------------------------------------------------------ JSON-RPC
    def _jsonrpc(self) -> None:
        try:
            req = json.loads(self._body() or b"{}")
            rid = req.get("id")
            params = req.get("params") or {}
            service, method, args = params.get("service"), params.get("method"), list(params.get("args") or [])
        except (ValueError, AttributeError):
            self._send(400, {"jsonrpc": "2.0", "id": None,
                             "error": {"code": 400, "message": "Invalid JSON data", "data": {}}})
            return
        try:
            result = self._dispatch(service, method, args)
        except Exception as exc:  # HTTP 200 with the error object, as Odoo does
            odoo_exc = _as_odoo(exc)
            if isinstance(exc, NotFound):
                odoo_exc = ServerError(exc.message, "builtins.AttributeError" if "method" in exc.message
                                       else "builtins.KeyError")
            self._send(200, {"jsonrpc": "2.0", "id": rid, "error": {
                "code": 200, "message": "Odoo Server Error",
                "data": {"name": odoo_exc.name, "debug": _debug(odoo_exc), "message": odoo_exc.message,
                         "arguments": odoo_exc.arguments, "context": {}}}})
            return
        self._send(200, {"jsonrpc": "2.0", "id": rid, "result": result})

    def _dispatch(self, service: str, method: str, args: list[Any]) -> Any:
        sb = self.sandbox
        if service == "common":
            if method == "version":
                return {"server_version": SERVER_VERSION, "server_version_info": VERSION_INFO,
                        "server_serie": SERVER_VERSION, "protocol_version": 1}
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
            context = kwargs.pop("context", None) or {}
            if meth in MODEL_METHODS:
                ids = None
            else:
                first = call_args.pop(0) if call_args else []
                ids = [first] if isinstance(first, int) else list(first or [])
            result = sb.run(user, model, meth, ids, _named(meth, call_args, kwargs), context)
            if meth == "message_post" and isinstance(result, list):
                return result[0]  # @api.returns('mail.message', lambda m: m.id): JSON-RPC gets the id
            return result
        raise ServerError(f"No such service/method: {service}.{method}", "builtins.NameError")


def start_sandbox(port: int = 0, data: SandboxData | None = None, host: str = "127.0.0.1") -> OdooSandbox:
    """Start the stand-in on loopback in a background thread (port 0: any free port)."""
    if data is None:
        from odoo_triage.sim.odoo_sandbox.world import demo_data

        data = demo_data()
    return OdooSandbox(data, host=host, port=port)


__all__ = ["HTTPStatus", "OdooSandbox", "start_sandbox"]
