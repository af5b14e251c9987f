"""Odoo's errors as typed exceptions, whichever protocol carried them (JSON-2, JSON-RPC, XML-RPC)."""

from __future__ import annotations

from typing import Any

from odoo_triage.agent.redact import redact


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


#: /xmlrpc/2 fault codes (odoo/service/wsgi_server.py): 2 the UserError family, 3 AccessDenied, 4 AccessError
_BY_FAULT: dict[int, type[OdooError]] = {2: OdooUserError, 3: OdooAuthError, 4: OdooAccessError}
_FAULT_NAMES = {2: "odoo.exceptions.UserError", 3: "odoo.exceptions.AccessDenied", 4: "odoo.exceptions.AccessError"}


def error_from_fault(code: int, text: str) -> OdooError:
    """An XML-RPC fault: by its code (2 is the whole UserError family: a ValidationError arrives as an
    OdooUserError); code 1 carries a traceback whose last line is `name: message`."""
    if code == 2 and (text or "").startswith("Record does not exist or has been deleted"):
        # the fault code does not tell UserError's kinds apart; MissingError's message does
        return OdooMissingError(text, name="odoo.exceptions.MissingError")
    if code in _BY_FAULT:
        cls = _BY_FAULT[code]
        return cls(text or cls.__name__, name=_FAULT_NAMES[code])
    last = (text or "").strip().splitlines()[-1] if (text or "").strip() else ""
    name, _, message = last.partition(": ")
    if " " in name or not message:
        name, message = "", last
    return error_from_odoo(name, message or "Odoo error")
