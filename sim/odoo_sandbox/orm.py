"""The stand-in's data and the Odoo model methods it serves, with Odoo's rules and exceptions.

In memory, one lock, each call its own transaction (a failing call leaves nothing behind), as
each external-API call is in Odoo. The rules are the ones in /work/shared/odoo-api.md: merge
wizard limits and side effects, queue.job requeue semantics, access rights per user.
"""

from __future__ import annotations

import bisect
import copy
import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any

import markupsafe

from odoo_triage.core.clock import utcnow

# --------------------------------------------------------------------------- Odoo's exceptions


class OdooException(Exception):
    """An exception as Odoo raises it: `name` is the module-qualified class name it reports."""

    name = "odoo.exceptions.UserError"
    http_status = 422

    def __init__(self, message: str, *arguments: Any) -> None:
        super().__init__(message)
        self.message = message
        self.arguments = list(arguments) or [message]


class UserError(OdooException):
    pass


class ValidationError(OdooException):
    name = "odoo.exceptions.ValidationError"


class AccessError(OdooException):
    name = "odoo.exceptions.AccessError"
    http_status = 403


class AccessDenied(OdooException):
    name = "odoo.exceptions.AccessDenied"
    http_status = 403


class MissingError(OdooException):
    name = "odoo.exceptions.MissingError"
    http_status = 404


class NotFound(OdooException):
    """Unknown model or method on JSON-2 (werkzeug's 404)."""

    name = "werkzeug.exceptions.NotFound"
    http_status = 404


class UnknownModel(NotFound):
    """A model that is not installed: JSON-2 answers 404, RPC a UserError "Object x doesn't exist"."""

    def __init__(self, model: str) -> None:
        super().__init__(f"Object {model} doesn't exist")
        self.model = model


class ServerError(OdooException):
    """Anything that is not an Odoo exception: JSON-2 answers 500."""

    name = "builtins.ValueError"
    http_status = 500

    def __init__(self, message: str, name: str = "builtins.ValueError") -> None:
        super().__init__(message)
        self.name = name


# --------------------------------------------------------------------------- schema

M2O = "many2one"
FIELDS: dict[str, dict[str, str]] = {
    "res.partner": {
        "id": "integer", "name": "char", "display_name": "char", "complete_name": "char", "email": "char",
        "phone": "char", "vat": "char", "company_registry": "char", "ref": "char", "street": "char",
        "street2": "char", "city": "char", "zip": "char", "country_id": M2O, "state_id": M2O,
        "is_company": "boolean", "parent_id": M2O, "commercial_partner_id": M2O, "type": "selection",
        "active": "boolean", "company_id": M2O, "create_date": "datetime", "write_date": "datetime",
    },
    "project.project": {
        "id": "integer", "name": "char", "display_name": "char", "active": "boolean", "partner_id": M2O,
        "user_id": M2O, "company_id": M2O, "date_start": "date", "date": "date",
        "create_date": "datetime", "write_date": "datetime",
    },
    "queue.job": {
        "id": "integer", "uuid": "char", "name": "char", "display_name": "char", "model_name": "char",
        "method_name": "char", "func_string": "char", "state": "selection", "priority": "integer",
        "exc_name": "char", "exc_message": "text", "exc_info": "text", "result": "text",
        "date_created": "datetime", "date_enqueued": "datetime", "date_started": "datetime",
        "date_done": "datetime", "eta": "datetime", "retry": "integer", "max_retries": "integer",
        "channel": "char", "identity_key": "char", "create_date": "datetime", "write_date": "datetime",
        "exec_time": "float", "records": "char", "worker_pid": "integer",
    },
    "mail.message": {
        "id": "integer", "model": "char", "res_id": "integer", "body": "html", "message_type": "selection",
        "subtype_xmlid": "char", "author_id": M2O, "date": "datetime", "display_name": "char",
        "create_date": "datetime", "write_date": "datetime",
    },
    "base.partner.merge.automatic.wizard": {
        "id": "integer", "partner_ids": "many2many", "dst_partner_id": M2O, "state": "selection",
        "display_name": "char", "create_date": "datetime", "write_date": "datetime",
    },
    "res.users": {
        "id": "integer", "login": "char", "name": "char", "display_name": "char", "partner_id": M2O,
        "active": "boolean", "share": "boolean", "company_id": M2O, "create_date": "datetime",
        "write_date": "datetime",
    },
    "ir.model": {
        "id": "integer", "model": "char", "name": "char", "transient": "boolean", "display_name": "char",
        "create_date": "datetime", "write_date": "datetime",
    },
    "account.move.line": {
        "id": "integer", "move_name": "char", "name": "char", "partner_id": M2O, "parent_state": "selection",
        "debit": "float", "credit": "float", "date": "date", "display_name": "char",
        "create_date": "datetime", "write_date": "datetime",
    },
}
_BASIC = {"id": "integer", "name": "char", "display_name": "char", "create_date": "datetime", "write_date": "datetime"}
FIELDS.update({  # the comodels a client follows (odoorpc browses res.country for country_id)
    "res.country": {**_BASIC, "code": "char"},
    "res.country.state": {**_BASIC, "code": "char", "country_id": M2O},
    "res.company": {**_BASIC, "partner_id": M2O},
    "account.analytic.account": {**_BASIC, "active": "boolean"},
})
FIELDS["queue.job"].update({"depends_on": "many2many", "date_cancelled": "datetime"})
FIELDS["res.partner"]["user_ids"] = "one2many"
FIELDS["res.partner"]["mobile"] = "char"
FIELDS["project.project"].update({"account_id": M2O, "analytic_account_id": M2O})
FIELDS["ir.model"]["abstract"] = "boolean"
#: fields each version does NOT have (read against odoo/odoo): `mobile` left in saas-18.2, project's
#: analytic account was `analytic_account_id` before 18, ir.model.abstract is new in 19.
ABSENT: dict[int, set[tuple[str, str]]] = {
    17: {("project.project", "account_id"), ("ir.model", "abstract")},
    18: {("project.project", "analytic_account_id"), ("ir.model", "abstract")},
    19: {("res.partner", "mobile"), ("project.project", "analytic_account_id")},
}
VERSIONS = (17, 18, 19)

RELATIONS = {("res.partner", "country_id"): "res.country", ("res.partner", "state_id"): "res.country.state",
             ("res.partner", "company_id"): "res.company", ("project.project", "user_id"): "res.users",
             ("project.project", "company_id"): "res.company",
             ("project.project", "account_id"): "account.analytic.account",
             ("res.country.state", "country_id"): "res.country", ("res.company", "partner_id"): "res.partner",
             ("res.partner", "parent_id"): "res.partner", ("res.partner", "commercial_partner_id"): "res.partner",
             ("project.project", "partner_id"): "res.partner", ("mail.message", "author_id"): "res.partner",
             ("base.partner.merge.automatic.wizard", "dst_partner_id"): "res.partner",
             ("res.users", "partner_id"): "res.partner", ("res.users", "company_id"): "res.company",
             ("account.move.line", "partner_id"): "res.partner", ("project.project", "analytic_account_id"): "account.analytic.account"}
LABELS = {"res.partner": "Contact", "project.project": "Project", "queue.job": "Job",
          "mail.message": "Message", "base.partner.merge.automatic.wizard": "Merge Partner Wizard",
          "res.users": "User", "ir.model": "Models", "account.move.line": "Journal Item", "res.country": "Country",
          "res.country.state": "Country state", "res.company": "Companies",
          "account.analytic.account": "Analytic Account"}
TRANSIENT = {"base.partner.merge.automatic.wizard"}
#: the comodels the stand-in does not serve, for fields_get
OTHER_RELATIONS = {"country_id": "res.country", "state_id": "res.country.state", "company_id": "res.company",
                   "user_id": "res.users", "account_id": "account.analytic.account",
                   "analytic_account_id": "account.analytic.account", "user_ids": "res.users",
                   "partner_ids": "res.partner", "depends_on": "queue.job"}
FIELD_LABELS = {("res.partner", "name"): "Name", ("res.partner", "email"): "Email", ("res.partner", "vat"): "Tax ID",
                ("res.partner", "parent_id"): "Related Company", ("res.partner", "is_company"): "Is a Company",
                ("res.partner", "user_ids"): "Users", ("res.partner", "commercial_partner_id"): "Commercial Entity",
                ("res.partner", "company_registry"): "Company ID", ("res.partner", "ref"): "Reference",
                ("project.project", "partner_id"): "Customer", ("project.project", "user_id"): "Project Manager",
                ("project.project", "name"): "Name", ("queue.job", "state"): "State",
                ("queue.job", "exc_info"): "Exception Info", ("queue.job", "uuid"): "UUID",
                ("queue.job", "depends_on"): "Depends On", ("res.users", "login"): "Login",
                ("ir.model", "model"): "Model", ("account.move.line", "partner_id"): "Partner"}
REQUIRED = {"res.partner": {"type"}, "project.project": {"name"}, "queue.job": {"uuid", "state"},
            "res.users": {"login"}, "ir.model": {"model", "name"}}
SELECTIONS = {
    ("queue.job", "state"): [["wait_dependencies", "Wait Dependencies"], ["pending", "Pending"],
                             ["enqueued", "Enqueued"], ["started", "Started"], ["done", "Done"],
                             ["cancelled", "Cancelled"], ["failed", "Failed"]],
    ("res.partner", "type"): [["contact", "Contact"], ["invoice", "Invoice Address"],
                              ["delivery", "Delivery Address"], ["other", "Other Address"]],
    ("account.move.line", "parent_state"): [["draft", "Draft"], ["posted", "Posted"], ["cancel", "Cancelled"]],
}

# --------------------------------------------------------------------------- groups and access rights

GROUP_USER = "base.group_user"
GROUP_ERP_MANAGER = "base.group_erp_manager"  # Settings / Access Rights: env.is_admin()
GROUP_SYSTEM = "base.group_system"  # Settings / Administration (implies Access Rights)
GROUP_PARTNER_MANAGER = "base.group_partner_manager"
GROUP_PROJECT_USER = "project.group_project_user"
GROUP_PROJECT_MANAGER = "project.group_project_manager"
GROUP_QUEUE_JOB_MANAGER = "queue_job.group_queue_job_manager"
GROUP_ACCOUNT_READONLY = "account.group_account_readonly"
GROUP_ACCOUNT_INVOICE = "account.group_account_invoice"
GROUP_NAMES = {GROUP_USER: "Role / User", GROUP_ERP_MANAGER: "Administration / Access Rights",
               GROUP_SYSTEM: "Administration / Settings", GROUP_PARTNER_MANAGER: "Extra Rights / Contact Creation",
               GROUP_PROJECT_USER: "Project / User", GROUP_PROJECT_MANAGER: "Project / Administrator",
               GROUP_QUEUE_JOB_MANAGER: "Job Queue / Job Queue Manager",
               GROUP_ACCOUNT_READONLY: "Accounting / Read-only", GROUP_ACCOUNT_INVOICE: "Accounting / Invoicing"}
#: ir.model.access per model and mode (any one group grants it), after each module's ir.model.access.csv.
#: queue_job grants everything to its manager group and nothing to anyone else.
ACCESS: dict[str, dict[str, set[str]]] = {
    "res.partner": {"read": {GROUP_USER}, "write": {GROUP_PARTNER_MANAGER}, "create": {GROUP_PARTNER_MANAGER},
                    "unlink": {GROUP_PARTNER_MANAGER}},
    "project.project": {"read": {GROUP_PROJECT_USER}, "write": {GROUP_PROJECT_MANAGER},
                        "create": {GROUP_PROJECT_MANAGER}, "unlink": {GROUP_PROJECT_MANAGER}},
    "queue.job": {m: {GROUP_QUEUE_JOB_MANAGER} for m in ("read", "write", "create", "unlink")},
    "mail.message": {"read": {GROUP_USER}, "write": {GROUP_USER}, "create": {GROUP_USER}, "unlink": {GROUP_SYSTEM}},
    "base.partner.merge.automatic.wizard": {m: {GROUP_PARTNER_MANAGER} for m in ("read", "write", "create",
                                                                                  "unlink")},
    "res.users": {"read": {GROUP_USER}, "write": {GROUP_ERP_MANAGER}, "create": {GROUP_ERP_MANAGER},
                  "unlink": {GROUP_ERP_MANAGER}},
    "ir.model": {"read": {GROUP_USER}, "write": {GROUP_SYSTEM}, "create": {GROUP_SYSTEM}, "unlink": {GROUP_SYSTEM}},
    **{m: {"read": {GROUP_USER}, "write": {GROUP_SYSTEM}, "create": {GROUP_SYSTEM}, "unlink": {GROUP_SYSTEM}}
       for m in ("res.country", "res.country.state", "res.company")},
    "account.analytic.account": {"read": {GROUP_USER}, "write": {GROUP_ACCOUNT_INVOICE},
                                 "create": {GROUP_ACCOUNT_INVOICE}, "unlink": {GROUP_ACCOUNT_INVOICE}},
    "account.move.line": {"read": {GROUP_ACCOUNT_READONLY, GROUP_ACCOUNT_INVOICE},
                          "write": {GROUP_ACCOUNT_INVOICE}, "create": {GROUP_ACCOUNT_INVOICE},
                          "unlink": {GROUP_ACCOUNT_INVOICE}},
}
#: message_post needs this access on the document (mail.thread's _mail_post_access, project overrides it)
MAIL_POST_ACCESS = {"res.partner": "write", "project.project": "read", "queue.job": "write"}
MAIL_THREADS = {"res.partner", "project.project", "queue.job"}
COMPUTED = {"id", "display_name", "complete_name", "create_date", "write_date", "user_ids"}
MERGE_WIZARD = "base.partner.merge.automatic.wizard"

MODEL_METHODS = {"search", "search_read", "search_count", "read_group", "create", "fields_get", "name_search",
                 "default_get", "context_get", "check_access_rights"}
RECORD_METHODS = {"read", "write", "unlink", "requeue", "button_done", "button_cancelled", "message_post",
                  "action_merge", "exists", "has_group"}
# positional parameter names, so JSON-RPC's args and JSON-2's named body land in the same place
SIGNATURES: dict[str, list[str]] = {
    "search": ["domain", "offset", "limit", "order"],
    "search_read": ["domain", "fields", "offset", "limit", "order"],
    "search_count": ["domain", "limit"],
    "create": ["vals_list"],
    "fields_get": ["allfields", "attributes"],
    "default_get": ["fields_list"],
    "name_search": ["name", "domain", "operator", "limit"],
    "read": ["fields", "load"],
    "write": ["vals"],
    "message_post": [],
    "context_get": [],
    "has_group": ["group_ext_id"],
    "check_access_rights": ["operation", "raise_exception"],
    "exists": [],
    "unlink": [],
    "requeue": [],
    "button_done": [],
    "button_cancelled": [],
    "action_merge": [],
}
#: search_read passes these on to read (`**read_kwargs`)
READ_KWARGS = {"load"}
METHOD_MODES = {"search": "read", "search_read": "read", "search_count": "read", "read": "read",
                "name_search": "read", "read_group": "read", "write": "write", "requeue": "write",
                "button_done": "write", "button_cancelled": "write", "action_merge": "write", "create": "create",
                "unlink": "unlink"}
QUEUE_JOB_PROTECTED = {"uuid", "name", "date_created", "model_name", "method_name", "func_string",
                       "channel_method_name", "job_function_id", "records", "args", "kwargs"}
WRITE_METHODS = {"create", "write", "unlink", "requeue", "button_done", "button_cancelled", "message_post",
                 "action_merge"}


def odoo_now() -> str:
    return utcnow().strftime("%Y-%m-%d %H:%M:%S")


#: the groups of the three kinds of API user the stand-in ships (OCA: reading queue.job needs the
#: manager group, which can also requeue: a read-only job user does not exist)
ACCESS_GROUPS: dict[str, set[str]] = {
    "none": {GROUP_USER},
    "read": {GROUP_USER, GROUP_PROJECT_USER, GROUP_QUEUE_JOB_MANAGER, GROUP_ACCOUNT_READONLY},
    "write": {GROUP_USER, GROUP_PROJECT_USER, GROUP_PROJECT_MANAGER, GROUP_PARTNER_MANAGER,
              GROUP_QUEUE_JOB_MANAGER, GROUP_ACCOUNT_READONLY},
    "admin": {GROUP_USER, GROUP_PROJECT_USER, GROUP_PROJECT_MANAGER, GROUP_PARTNER_MANAGER, GROUP_QUEUE_JOB_MANAGER,
              GROUP_ACCOUNT_READONLY, GROUP_ACCOUNT_INVOICE, GROUP_ERP_MANAGER, GROUP_SYSTEM},
}


@dataclass
class SandboxUser:
    """An Odoo user with an API key (RPC, JSON-2) and a password (web session).

    `access` (read, write, admin, none) picks a default set of `groups`; rights come from the groups,
    as in Odoo: admin means Settings / Access Rights (`env.is_admin()`), whatever the login.
    """

    login: str
    api_key: str
    uid: int
    access: str = "read"
    name: str = ""
    groups: set[str] = field(default_factory=set)
    password: str = ""
    partner_id: int | bool = False

    def __post_init__(self) -> None:
        if not self.groups:
            self.groups = set(ACCESS_GROUPS[self.access])

    @property
    def is_admin(self) -> bool:
        return self.uid == 1 or bool(self.groups & {GROUP_ERP_MANAGER, GROUP_SYSTEM})

    def has(self, model: str, mode: str) -> bool:
        return bool(self.groups & ACCESS.get(model, {}).get(mode, set()))

    def __repr__(self) -> str:  # the key stays out of reprs
        return f"SandboxUser(login={self.login!r}, uid={self.uid}, access={self.access!r})"


@dataclass
class SandboxData:
    """Records per model ({id: {field: value}}, many2one as int or False), the users, the version."""

    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    users: list[SandboxUser] = field(default_factory=list)
    db: str = "odoo"
    version: int = 19

    def __post_init__(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(f"Odoo version must be one of {VERSIONS}, not {self.version!r}")
        for model in FIELDS:
            self.records.setdefault(model, {})
        for user in self.users:
            self.add_user(user)
        if not self.records["ir.model"]:
            for i, model in enumerate(FIELDS, start=1):
                self.add("ir.model", id=i, model=model, name=LABELS[model], transient=model in TRANSIENT)

    def add_user(self, user: SandboxUser) -> None:
        """An API user, also visible as a res.users record."""
        if user not in self.users:
            self.users.append(user)
        self.add("res.users", id=user.uid, login=user.login, name=user.name or user.login,
                 partner_id=user.partner_id or False, active=True, share=False)

    def has_field(self, model: str, fname: str) -> bool:
        return fname in FIELDS[model] and (model, fname) not in ABSENT[self.version]

    def fields(self, model: str) -> list[str]:
        return [f for f in FIELDS[model] if (model, f) not in ABSENT[self.version]]

    def user(self, login: str) -> SandboxUser:
        return next(u for u in self.users if u.login == login)

    def next_id(self, model: str) -> int:
        return max(self.records[model], default=0) + 1

    def add(self, model: str, /, **values: Any) -> int:
        """Insert a record directly (fixtures, loaders): defaults filled, no access checks."""
        rid = int(values.pop("id", 0) or self.next_id(model))
        rec = {f: _default(model, f) for f in FIELDS[model]}
        rec.update(values)
        rec["id"] = rid
        now = odoo_now()
        rec["create_date"] = rec.get("create_date") or now
        rec["write_date"] = rec.get("write_date") or now
        self.records[model][rid] = rec
        return rid


def _default(model: str, fname: str) -> Any:
    ftype = FIELDS[model][fname]
    if fname == "active":
        return True
    if model == "res.partner" and fname == "type":
        return "contact"
    if model == "queue.job":
        if fname == "state":
            return "pending"
        if fname in ("retry", "priority"):
            return 0 if fname == "retry" else 10
        if fname == "max_retries":
            return 5
        if fname == "channel":
            return "root"
    if ftype in ("many2many", "one2many"):
        return []
    if ftype == "integer":
        return 0
    if ftype == "float":
        return 0.0
    return False


# --------------------------------------------------------------------------- domains


def _normalise_domain(domain: list[Any]) -> list[Any]:
    """Odoo's implicit AND made explicit, so the prefix walk below sees a full expression."""
    out: list[Any] = []
    expected = 1
    for item in domain:
        if expected == 0:
            out.insert(0, "&")
            expected = 1
        if isinstance(item, str):
            if item in ("&", "|"):
                expected += 1
            elif item != "!":
                raise ValueError(f"Invalid domain operator {item!r}")
        else:
            expected -= 1
        out.append(item)
    if expected > 0 and domain:
        raise ValueError(f"Invalid domain: {domain!r}")
    return out


def _term_matches(rec: dict[str, Any], term: list[Any] | tuple[Any, ...], model: str) -> bool:
    if len(term) != 3:
        raise ValueError(f"Invalid leaf {term!r}")
    fname, op, value = term
    if fname in (True, 1) or fname in (False, 0):  # TRUE_LEAF (1, '=', 1) / FALSE_LEAF (0, '=', 1)
        return bool(fname)
    base = str(fname).split(".")[0]
    if base not in FIELDS[model]:
        raise ValueError(f"Invalid field {model}.{base} in leaf {term!r}")
    actual = rec.get(base)
    if isinstance(actual, list) and FIELDS[model][base] == "many2many":
        return any(_compare(v, op, value) for v in actual) if actual else _compare(False, op, value)
    return _compare(actual, op, value)


def _compare(actual: Any, op: str, value: Any) -> bool:
    empty = actual in (False, None, "")
    if op in ("=", "=="):
        return empty if value is False or value is None else actual == value
    if op in ("!=", "<>"):
        return not empty if value is False or value is None else actual != value
    if op in ("in", "not in"):
        values = value if isinstance(value, list | tuple) else [value]
        hit = actual in values or (empty and (False in values or None in values))
        return hit if op == "in" else not hit
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        if value is False or value is None:
            return not empty if "not" not in op else empty
        text = "" if empty else str(actual)
        pattern = str(value)
        if op.startswith("="):
            pattern = pattern.replace("%", "*").replace("_", "?")
            hit = fnmatch.fnmatchcase(text.lower() if "ilike" in op else text,
                                      pattern.lower() if "ilike" in op else pattern)
        elif "ilike" in op:
            hit = pattern.lower() in text.lower()
        else:
            hit = pattern in text
        return not hit if op.startswith("not") else hit
    if op in (">", "<", ">=", "<="):
        if empty:
            return False
        try:
            return {">": actual > value, "<": actual < value, ">=": actual >= value, "<=": actual <= value}[op]
        except TypeError:
            return False
    raise ValueError(f"Invalid operator {op!r}")


def domain_matches(rec: dict[str, Any], domain: list[Any], model: str) -> bool:
    return expr_matches(rec, _normalise_domain(list(domain)), model)


def expr_matches(rec: dict[str, Any], expr: list[Any], model: str) -> bool:
    """A normalised (prefix, explicit) domain against one record."""
    if not expr:
        return True

    def walk(i: int) -> tuple[bool, int]:
        item = expr[i]
        if item == "!":
            v, j = walk(i + 1)
            return not v, j
        if item in ("&", "|"):
            left, j = walk(i + 1)
            right, k = walk(j)
            return (left and right) if item == "&" else (left or right), k
        return _term_matches(rec, item, model), i + 1

    value, end = walk(0)
    return value


def _id_floor(expr: list[Any]) -> int:
    """For an all-AND domain with an `id > n` (or `>=`) leaf: ids at or below the floor cannot match."""
    if any(item in ("|", "!") for item in expr):
        return -1
    floors = [int(t[2]) - (1 if t[1] == ">=" else 0) for t in expr
              if isinstance(t, list | tuple) and len(t) == 3 and t[0] == "id" and t[1] in (">", ">=")
              and isinstance(t[2], int)]
    return max(floors, default=-1)


# --------------------------------------------------------------------------- the ORM


class Orm:
    """Serves Odoo model methods on SandboxData for an authenticated user."""

    def __init__(self, data: SandboxData) -> None:
        self.data = data
        self.lock = threading.RLock()
        self.calls: list[tuple[str, str, str]] = []  # (login, model, method): what tests assert on

    # ------------------------------------------------------------------ dispatch
    def call(self, user: SandboxUser, model: str, method: str, ids: list[int] | None,
             kwargs: dict[str, Any], context: dict[str, Any]) -> Any:
        if model not in FIELDS:
            raise UnknownModel(model)
        if method.startswith("_"):
            raise AccessError(f"Private methods (such as {model}.{method}) cannot be called remotely.")
        if method not in MODEL_METHODS | RECORD_METHODS:
            raise NotFound(f"The method {method!r} does not exist on the model {model!r}")
        if method in MODEL_METHODS and ids:
            raise UserError(f"{model}.{method} is a model-level method: it takes no ids")
        with self.lock:
            self.calls.append((user.login, model, method))
            self._check_access(user, model, method, kwargs)
            if method in WRITE_METHODS:
                snapshot = copy.deepcopy(self.data.records)
                try:
                    return self._run(user, model, method, ids or [], kwargs, context)
                except Exception:
                    self.data.records = snapshot  # each call is its own transaction
                    raise
            return self._run(user, model, method, ids or [], kwargs, context)

    def _check_access(self, user: SandboxUser, model: str, method: str, kwargs: dict[str, Any]) -> None:
        """ir.model.access by group, then the modules' own refusals (OCA queue_job's create and write)."""
        if method == "message_post":
            self.check_model_access(user, model, MAIL_POST_ACCESS.get(model, "write"))
            self.check_model_access(user, "mail.message", "create")
            return
        mode = METHOD_MODES.get(method)
        if mode:
            self.check_model_access(user, model, mode)
        if model == "queue.job" and method == "create":
            raise AccessError("Queue jobs must be created by calling 'with_delay()'.")
        if model == "queue.job" and method == "write":
            protected = sorted(set(kwargs.get("vals") or {}) & QUEUE_JOB_PROTECTED)
            if protected:
                raise AccessError(f"Not allowed to change field(s): {protected}")

    def check_model_access(self, user: SandboxUser, model: str, mode: str) -> None:
        if user.uid == 1 or user.has(model, mode):
            return
        verb = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}[mode]
        allowed = sorted(GROUP_NAMES.get(g, g) for g in ACCESS.get(model, {}).get(mode, set()))
        groups = ("This operation is allowed for the following groups:\n" + "".join(f"\t- {g}\n" for g in allowed)
                  if allowed else "No group currently allows this operation.\n")
        raise AccessError(f"You are not allowed to {verb} '{LABELS[model]}' ({model}) records.\n\n{groups}\n"
                          f"Contact your administrator to request access if necessary.")

    def _run(self, user: SandboxUser, model: str, method: str, ids: list[int], kw: dict[str, Any],
             context: dict[str, Any]) -> Any:
        load = kw.get("load", "_classic_read")
        if method == "search":
            return self.search(model, kw.get("domain") or [], context, kw.get("offset", 0), kw.get("limit"),
                               kw.get("order"))
        if method == "search_count":
            return len(self.search(model, kw.get("domain") or [], context, limit=kw.get("limit")))
        if method == "search_read":
            found = self.search(model, kw.get("domain") or [], context, kw.get("offset", 0), kw.get("limit"),
                                kw.get("order"))
            return [self._export(model, self.data.records[model][i], kw.get("fields"), load, context)
                    for i in found]
        if method == "read":
            return [self._export(model, r, kw.get("fields"), load, context) for r in self._browse(user, model, ids)]
        if method == "exists":
            return [i for i in ids if i in self.data.records[model]]
        if method == "fields_get":
            return self.fields_get(model, kw.get("allfields"), kw.get("attributes"))
        if method == "context_get":
            return {"lang": "en_US", "tz": "Europe/Brussels", "uid": user.uid}
        if method == "has_group":
            target = next((u for u in self.data.users if u.uid == (ids[0] if ids else user.uid)), None)
            return bool(target and kw.get("group_ext_id") in target.groups)
        if method == "check_access_rights":
            try:
                self.check_model_access(user, model, kw.get("operation") or "read")
            except AccessError:
                if kw.get("raise_exception", True):
                    raise
                return False
            return True
        if method == "default_get":
            return {f: _default(model, f) for f in (kw.get("fields_list") or []) if f in FIELDS[model]}
        if method == "name_search":
            dom = [["display_name", "ilike", kw.get("name", "")]] + list(kw.get("domain") or [])
            found = self.search(model, dom, context, limit=kw.get("limit", 100))
            return [[i, self._display(model, self.data.records[model][i])] for i in found]
        if method == "read_group":
            raise ServerError("read_group is not served by the sandbox", "builtins.NotImplementedError")
        if method == "create":
            return self.create(user, model, kw.get("vals_list"), context)
        if method == "write":
            return self.write(user, model, ids, kw.get("vals") or {})
        if method == "unlink":
            for r in self._browse(user, model, ids):
                del self.data.records[model][r["id"]]
            return True
        if method == "message_post":
            return self.message_post(user, model, ids, kw)
        if model == "queue.job" and method in ("requeue", "button_done", "button_cancelled"):
            return self.job_state(user, ids, method)
        if model == MERGE_WIZARD and method == "action_merge":
            return self.action_merge(user, ids)
        raise NotFound(f"The method {method!r} does not exist on the model {model!r}")

    # ------------------------------------------------------------------ helpers
    def _browse(self, user: SandboxUser, model: str, ids: list[int]) -> list[dict[str, Any]]:
        table = self.data.records[model]
        missing = [i for i in ids if i not in table]
        if missing:
            raise MissingError(
                "Record does not exist or has been deleted.\n"
                f"(Record: {model}({', '.join(str(i) for i in missing)},), User: {user.uid})")
        return [table[i] for i in ids]

    def _display(self, model: str, rec: dict[str, Any]) -> str:
        if model == "res.partner" and rec.get("parent_id"):
            parent = self.data.records[model].get(rec["parent_id"])
            if parent:
                return f"{parent.get('name') or ''}, {rec.get('name') or ''}"
        if model == "queue.job":
            return rec.get("name") or rec.get("uuid") or f"queue.job,{rec['id']}"
        return rec.get("name") or f"{model},{rec['id']}"

    def _export(self, model: str, rec: dict[str, Any], fields: list[str] | None, load: Any = "_classic_read",
                context: dict[str, Any] | None = None) -> dict[str, Any]:
        names = list(fields) if fields else self.data.fields(model)
        classic = load == "_classic_read"  # else (e.g. "_classic_write", None) many2one is the bare id
        bad = [f for f in names if not self.data.has_field(model, f)]
        if bad:
            raise ServerError(f"Invalid field {bad[0]!r} on model {model!r}")
        out: dict[str, Any] = {"id": rec["id"]}
        for f in names:
            value = rec.get(f, False)
            if f in ("display_name", "complete_name"):
                value = self._display(model, rec)
            elif model == "res.partner" and f == "user_ids":
                active_test = (context or {}).get("active_test", True)
                value = sorted(u["id"] for u in self.data.records["res.users"].values()
                               if u.get("partner_id") == rec["id"] and (u.get("active") or not active_test))
            elif FIELDS[model][f] == M2O and f == "commercial_partner_id" and not value:
                value = [rec["id"], self._display(model, rec)] if classic else rec["id"]
            elif FIELDS[model][f] == M2O and value and classic:
                target = RELATIONS.get((model, f))
                label = (self._display(target, self.data.records[target][value])
                         if target and value in self.data.records[target] else f"{f},{value}")
                value = [value, label]
            out[f] = value if value is not None else False
        return out

    def fields_get(self, model: str, allfields: list[str] | None, attributes: list[str] | None) -> dict[str, Any]:
        """Odoo's field descriptions: string, type, required, readonly, help, relation, selection."""
        out: dict[str, Any] = {}
        for f in self.data.fields(model):
            if allfields and f not in allfields:
                continue
            ftype = FIELDS[model][f]
            desc: dict[str, Any] = {"type": ftype, "string": FIELD_LABELS.get((model, f), f.replace("_", " ").title()),
                                    "required": f in REQUIRED.get(model, set()),
                                    "readonly": f in COMPUTED or (model == "queue.job" and f in QUEUE_JOB_PROTECTED),
                                    "help": ""}
            if ftype in (M2O, "many2many", "one2many"):
                desc["relation"] = RELATIONS.get((model, f)) or OTHER_RELATIONS[f]
            if ftype == "selection":
                desc["selection"] = SELECTIONS.get((model, f), [])
            out[f] = {k: v for k, v in desc.items() if not attributes or k in attributes}
        return out

    def _clean_vals(self, model: str, vals: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(vals, dict):
            raise ServerError(f"vals must be a dict, not {type(vals).__name__}", "builtins.TypeError")
        out: dict[str, Any] = {}
        for f, v in vals.items():
            if not self.data.has_field(model, f):
                raise ServerError(f"Invalid field {f!r} on model {model!r}")
            if f in COMPUTED:
                continue
            ftype = FIELDS[model][f]
            if ftype == M2O:
                target = RELATIONS.get((model, f))
                if isinstance(v, list | tuple):
                    v = v[0] if v else False
                if v and target and v not in self.data.records[target]:
                    raise MissingError(f"Record does not exist or has been deleted.\n(Record: {target}({v},))")
                v = int(v) if v else False
            elif ftype == "many2many":
                v = _apply_commands([], v)
            out[f] = v
        return out

    def search(self, model: str, domain: list[Any], context: dict[str, Any], offset: int = 0,
               limit: int | None = None, order: str | None = None) -> list[int]:
        if not isinstance(domain, list):
            raise ServerError(f"Invalid domain {domain!r}")
        dom = [self._expand_hierarchy(model, t) for t in domain]
        if ("active" in FIELDS[model] and context.get("active_test", True)
                and not any(isinstance(t, list | tuple) and t and t[0] == "active" for t in dom)):
            dom = ["&", ["active", "=", True], *(_normalise_domain(dom) or [[1, "=", 1]])]
        expr = _normalise_domain(dom)
        key, reverse = "id", False
        if order:
            first = order.split(",")[0].split()
            key = first[0]
            reverse = len(first) > 1 and first[1].lower() == "desc"
            if key not in FIELDS[model]:
                raise ServerError(f"Invalid field {key!r} in order {order!r}")
        table = self.data.records[model]
        if key == "id" and not reverse and limit:  # by id: walk ids in order, stop at the page (a cursor read)
            found: list[int] = []
            ordered = sorted(table)
            for rid in ordered[bisect.bisect_right(ordered, _id_floor(expr)):]:
                if expr_matches(table[rid], expr, model):
                    found.append(rid)
                    if len(found) >= (offset or 0) + limit:
                        break
            return found[offset or 0:]
        rows = [r for r in table.values() if expr_matches(r, expr, model)]
        rows.sort(key=lambda r: (r.get(key) in (False, None), r.get(key) if r.get(key) not in (False, None) else 0),
                  reverse=reverse)
        ids = [r["id"] for r in rows][offset or 0:]
        return ids[:limit] if limit else ids

    def _expand_hierarchy(self, model: str, term: Any) -> Any:
        """`child_of` / `parent_of` leaves (res.partner's parent_id hierarchy) as plain `in` leaves."""
        if not (isinstance(term, list | tuple) and len(term) == 3 and term[1] in ("child_of", "parent_of")):
            return term
        if model != "res.partner" or term[0] != "id":
            raise ServerError(f"child_of/parent_of on {model}.{term[0]} is not served by the sandbox")
        roots = term[2] if isinstance(term[2], list | tuple) else [term[2]]
        found: set[int] = set()
        for pid in roots:
            found |= self._descendants(pid) if term[1] == "child_of" else self._ancestors(pid)
        return ["id", "in", sorted(found)]

    def _ancestors(self, pid: int) -> set[int]:
        out, cur = set(), pid
        partners = self.data.records["res.partner"]
        while cur in partners and cur not in out:
            out.add(cur)
            cur = partners[cur].get("parent_id") or 0
        return out

    # ------------------------------------------------------------------ writes
    def create(self, user: SandboxUser, model: str, vals_list: Any, context: dict[str, Any]) -> Any:
        single = isinstance(vals_list, dict)
        items = [vals_list] if single else list(vals_list or [])
        if not items or not all(isinstance(v, dict) for v in items):
            raise ServerError("create() expects a dict or a list of dicts", "builtins.TypeError")
        new_ids = []
        for vals in items:
            vals = dict(vals)
            if model == MERGE_WIZARD:
                if "partner_ids" not in vals and context.get("active_model") == "res.partner":
                    vals["partner_ids"] = [[6, 0, list(context.get("active_ids") or [])]]
                vals.setdefault("state", "option")
            clean = self._clean_vals(model, vals)
            if model == "res.partner" and not clean.get("name") and not clean.get("parent_id"):
                raise ValidationError("Contacts require a name")
            if model == "mail.message":
                clean.setdefault("date", odoo_now())
            new_ids.append(self.data.add(model, **clean))
        return new_ids[0] if single else new_ids

    def write(self, user: SandboxUser, model: str, ids: list[int], vals: dict[str, Any]) -> bool:
        recs = self._browse(user, model, ids)
        clean = self._clean_vals(model, vals)
        if model == "res.partner" and "name" in clean and not clean["name"]:
            raise ValidationError("Contacts require a name")
        if model == "res.partner" and clean.get("parent_id") in ids:
            raise ValidationError("You cannot create recursive Partner hierarchies.")
        now = odoo_now()
        for r in recs:
            r.update(clean)
            r["write_date"] = now
        return True

    def message_post(self, user: SandboxUser, model: str, ids: list[int], kw: dict[str, Any]) -> list[int]:
        if model not in MAIL_THREADS:
            raise NotFound(f"The method 'message_post' does not exist on the model {model!r}")
        if len(ids) != 1:
            raise ServerError(f"Expected singleton: {model}({', '.join(map(str, ids))})")
        self._browse(user, model, ids)
        # a str body is plain text: Odoo escapes it (Markup is HTML, and RPC can only send str)
        return [self._add_message(model, ids[0], str(markupsafe.escape(kw.get("body") or "")), kw)]

    def _add_message(self, model: str, res_id: int, body: str, kw: dict[str, Any]) -> int:
        return self.data.add("mail.message", model=model, res_id=res_id, body=body,
                             message_type=kw.get("message_type") or "notification",
                             subtype_xmlid=kw.get("subtype_xmlid") or False, date=odoo_now())

    def job_state(self, user: SandboxUser, ids: list[int], method: str) -> bool:
        """OCA queue_job's buttons. requeue = `set_pending(reset_retry=True)` on every job not waiting for
        dependencies: wait_dependencies while a `depends_on` job is not done, else pending; retry 0; dates
        and worker_pid cleared; exc_name / exc_message / exc_info KEPT. It requeues a `started` job too
        (the double-run hazard): only the caller can avoid that."""
        jobs = self._browse(user, "queue.job", ids)
        table = self.data.records["queue.job"]
        now = odoo_now()
        for job in jobs:
            if method == "requeue":
                if job["state"] == "wait_dependencies":
                    continue
                if job["state"] == "started":
                    job["runs_twice"] = True
                waiting = any(table.get(d, {}).get("state") != "done" for d in job.get("depends_on") or [])
                job.update(state="wait_dependencies" if waiting else "pending", retry=0, date_enqueued=False,
                           date_started=False, date_done=False, date_cancelled=False, worker_pid=0)
            elif method == "button_done":
                job.update(state="done", date_done=now, result="Manually set to done by " + user.login)
            else:
                job.update(state="cancelled", date_cancelled=now, result="Cancelled by " + user.login)
            job["write_date"] = now
        return True

    def action_merge(self, user: SandboxUser, ids: list[int]) -> dict[str, Any]:
        wizards = self._browse(user, MERGE_WIZARD, ids)
        wizard = wizards[0]
        partners = self.data.records["res.partner"]
        partner_ids = [i for i in wizard["partner_ids"] if i in partners]  # exists()
        dst_id = wizard["dst_partner_id"] or (max(partner_ids) if partner_ids else False)
        if len(partner_ids) >= 2 and dst_id in partners:
            self._merge(user, partner_ids, dst_id)
        wizard["state"] = "finished"
        return {"type": "ir.actions.act_window", "res_model": MERGE_WIZARD, "res_id": wizard["id"],
                "view_mode": "form", "target": "new", "context": {}}

    def _merge(self, user: SandboxUser, partner_ids: list[int], dst_id: int) -> None:
        partners = self.data.records["res.partner"]
        if len(partner_ids) > 3:
            raise UserError("For safety reasons, you cannot merge more than 3 contacts together. "
                            "You can re-open the wizard several times if needed.")
        family: set[int] = set()
        for pid in partner_ids:
            family |= self._descendants(pid) - {pid}
        if family & set(partner_ids):
            raise UserError("You cannot merge a contact with one of his parent.")
        # env.is_admin() (Settings / Access Rights) skips the extra checks; the comparison is exact
        emails = {partners[i].get("email") for i in partner_ids}
        if len(emails) > 1 and not user.is_admin:
            raise UserError("All contacts must have the same email. Only the Administrator can merge "
                            "contacts with different emails.")
        users = [u for u in self.data.records["res.users"].values() if u.get("partner_id") in partner_ids]
        if len(users) > 1:
            raise UserError("You cannot merge contacts linked to more than one user even if only one is active.")
        dst = partners[dst_id]
        sources = [partners[i] for i in partner_ids if i != dst_id]
        src_ids = {s["id"] for s in sources}
        # repoint every reference to the sources (many2one fields, posted journal items included, as
        # Odoo's SQL does, and model/res_id pairs)
        for (model, fname), target in RELATIONS.items():
            if target != "res.partner":
                continue
            for rec in self.data.records[model].values():
                if rec.get(fname) in src_ids:
                    rec[fname] = dst_id
        for msg in self.data.records["mail.message"].values():
            if msg.get("model") == "res.partner" and msg.get("res_id") in src_ids:
                msg["res_id"] = dst_id
        # fill the destination's empty fields: later sources, then the destination itself, win
        for fname in FIELDS["res.partner"]:
            if fname in COMPUTED or fname in ("active",):
                continue
            value = False
            for item in [*sources, dst]:
                if item.get(fname) not in (False, None, "", []):
                    value = item[fname]
            if value is not False:
                dst[fname] = value
        dst["write_date"] = odoo_now()
        names = ", ".join(f"{s.get('name') or ''} <{s.get('email') or ''}> ({s['id']})" for s in sources)
        self._add_message("res.partner", dst_id, f"Merged with the following partners: {names}",
                          {"message_type": "notification"})
        for sid in src_ids:
            del partners[sid]

    def _descendants(self, pid: int) -> set[int]:
        """child_of: the partner and everyone below it."""
        out, frontier = {pid}, [pid]
        partners = self.data.records["res.partner"]
        while frontier:
            cur = frontier.pop()
            for rec in partners.values():
                if rec.get("parent_id") == cur and rec["id"] not in out:
                    out.add(rec["id"])
                    frontier.append(rec["id"])
        return out


def _apply_commands(current: list[int], commands: Any) -> list[int]:
    """x2many commands: [6, 0, ids] replace, [4, id] link, [3, id] unlink, [5] clear; plain ids too."""
    ids = list(current)
    if not isinstance(commands, list):
        raise ServerError(f"Invalid x2many value {commands!r}")
    for cmd in commands:
        if isinstance(cmd, int):
            ids.append(cmd)
        elif isinstance(cmd, list | tuple) and cmd:
            op = cmd[0]
            if op == 6:
                ids = [int(i) for i in cmd[2]]
            elif op == 4:
                ids.append(int(cmd[1]))
            elif op == 3:
                ids = [i for i in ids if i != cmd[1]]
            elif op == 5:
                ids = []
            else:
                raise ServerError(f"Unsupported x2many command {cmd!r}")
    return list(dict.fromkeys(ids))
