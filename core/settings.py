"""Configuration: who may do what, how long an approval lasts, and how to reach Odoo.

Read from a TOML file (`TRIAGE_CONFIG`, default `<user config dir>/odoo-triage/config.toml`) and
environment variables for Odoo. Odoo API keys and the approval key come from the environment (or a
key file) only and are held as `SecretStr`, so they never show in a repr, a log line or an exception.
With no file at all nobody has a role: everything is read-only (`triage demo` writes its own file).
Who may do what is never taken from the environment or a flag: roles, expiry and the approval rules
come from the file, the identity from the OS account or a personal token (core/identity.py).

    [approvals]
    expiry_hours = 24
    max_expiry_hours = 72          # expiry_hours may not exceed this
    two_approvers = ["merge_partners", "set_field"]   # need two distinct approvers
    key_file = "/etc/odoo-triage/approval.key"        # or TRIAGE_APPROVAL_KEY; never the database

    [roles]            # user = "viewer" | "reviewer" | "approver" | "executor" | "admin"
    dana = "approver"  # the OS account name, or the user a personal token maps to

    [identity.tokens]  # sha256 of a personal token (TRIAGE_TOKEN) = user
    "9f86d0...0a08" = "dana"

    [console]
    # passwords = { dana = "pbkdf2_sha256$600000$<salt hex>$<hash hex>" }  # `triage hash-password`
    # trusted_user_header = "X-Forwarded-User"   # only behind a proxy that sets it, and only with
    #                                            # TRIAGE_PROXY_SECRET sent in X-Triage-Proxy-Secret

    [grounding.set_field]          # the only fields set_field may write, per model
    "res.partner" = ["email", "phone", "mobile"]

    [lifecycle]        # when incidents move on by themselves (agent/lifecycle.py)
    healthy_after_h = 1
    close_after_h = 72

    [eval]             # triage eval --compare: speed regresses only beyond the measured noise
    speed_noise_bands = 3

    [readers]          # what log readers accept (ReaderSettings): synonyms, value ranges
    ts_window_days = 400

    [matcher]          # duplicate matching (core.settings.MatcherSettings)
    threshold = 0.5

    [odoo]
    url = "https://odoo.example.com"
    db = "prod"
    protocol = "auto"  # or "json2" (19+), "jsonrpc", "xmlrpc"; auto asks the server its version
    read_login = "triage-read"
    write_login = "triage-write"
    timeout_s = 15

    [llm]              # the openai provider; every field also TRIAGE_LLM_<FIELD> (see LLMSettings)
    base_url = "http://127.0.0.1:8080/v1"
    model = "smollm2-135m"
    context_tokens = 8192
    [llm.prices."http://127.0.0.1:8080/v1"]
    "smollm2" = { input = 0.0, output = 0.0 }
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_dir
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from odoo_triage.core.calendar import FlowCalendar, MaintenanceWindow, PeriodKind
from odoo_triage.core.domain import ActionName
from odoo_triage.core.errors import InputError

CONFIG_ENV = "TRIAGE_CONFIG"


class Role(StrEnum):
    viewer = "viewer"
    reviewer = "reviewer"
    approver = "approver"
    executor = "executor"
    admin = "admin"


class Permission(StrEnum):
    read = "read"
    comment = "comment"
    reject = "reject"
    approve = "approve"
    execute = "execute"
    admin = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: frozenset({Permission.read}),
    Role.reviewer: frozenset({Permission.read, Permission.comment, Permission.reject}),
    Role.approver: frozenset({Permission.read, Permission.comment, Permission.reject, Permission.approve,
                              Permission.execute}),
    Role.executor: frozenset({Permission.read, Permission.comment, Permission.execute}),
    Role.admin: frozenset(Permission),
}

#: `triage demo` writes these into its own ./triage-demo/config.toml; nowhere else do they exist.
DEMO_USERS: dict[str, Role] = {
    "vera": Role.viewer,
    "rex": Role.reviewer,
    "dana": Role.approver,
    "omar": Role.approver,
    "ada": Role.admin,
}

#: The longest an approval may ever last, whatever a settings file says (30 days).
EXPIRY_CEILING_HOURS = 24 * 30

#: Fields set_field may never write, whatever the allow-list says: archiving, money, security, ownership.
FORBIDDEN_SET_FIELDS = frozenset({
    "active", "id", "create_uid", "write_uid", "create_date", "write_date", "company_id", "company_ids",
    "user_id", "user_ids", "groups_id", "password", "new_password", "api_key_ids", "share", "parent_id",
    "child_ids", "bank_ids", "vat", "credit_limit", "privacy_visibility", "message_follower_ids",
})
_FORBIDDEN_FIELD_WORDS = ("account", "journal", "tax", "payment", "invoice", "currency", "pricelist", "group",
                          "password", "security", "access", "rule", "token", "key", "company", "user")


def forbidden_field(field: str) -> bool:
    """`active`, accounting and security fields are never written by set_field."""
    return field in FORBIDDEN_SET_FIELDS or any(w in field for w in _FORBIDDEN_FIELD_WORDS)


class GroundingSettings(BaseModel):
    """What the grounding guard lets through beyond the evidence itself."""

    model_config = ConfigDict(extra="forbid")

    set_field: dict[str, list[str]] = Field(default_factory=lambda: {
        "res.partner": ["email", "phone", "mobile", "website", "street", "street2", "city", "zip", "ref"],
        "project.project": ["name", "description", "date_start", "date"],
    })

    @field_validator("set_field")
    @classmethod
    def _never_dangerous(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = sorted(f"{m}.{f}" for m, fields in value.items() for f in fields if forbidden_field(f))
        if bad:
            raise ValueError(f"set_field may never write {', '.join(bad)} (archiving, accounting, security)")
        return value

    def settable(self, model: str, field: str) -> bool:
        return field in self.set_field.get(model, []) and not forbidden_field(field)


class ApprovalSettings(BaseModel):
    """Expiry and approval rules, from the settings file only; the key from the environment or a key file."""

    model_config = ConfigDict(extra="forbid")

    expiry_hours: float = Field(default=24.0, gt=0, allow_inf_nan=False)
    max_expiry_hours: float = Field(default=72.0, gt=0, le=EXPIRY_CEILING_HOURS, allow_inf_nan=False)
    two_approvers: list[str] = Field(default_factory=list)  # action names that need two distinct approvers
    key_file: str | None = None
    key: SecretStr | None = Field(default=None, exclude=True, repr=False)  # the HMAC key, loaded, never stored

    @model_validator(mode="after")
    def _within_max(self) -> ApprovalSettings:
        if self.expiry_hours > self.max_expiry_hours:
            raise ValueError(f"expiry_hours {self.expiry_hours:g} exceeds max_expiry_hours {self.max_expiry_hours:g}")
        unknown = [a for a in self.two_approvers if a not in ActionName.__members__]
        if unknown:
            raise ValueError(f"two_approvers: unknown action(s) {unknown}")
        return self

    def approvers_needed(self, action: str) -> int:
        return 2 if str(action) in self.two_approvers else 1


class IdentitySettings(BaseModel):
    """Personal tokens (TRIAGE_TOKEN) map to users by their SHA-256, so the file holds no token."""

    model_config = ConfigDict(extra="forbid")

    tokens: dict[str, str] = Field(default_factory=dict)  # sha256 hex of the token -> user
    token: SecretStr | None = Field(default=None, exclude=True, repr=False)  # TRIAGE_TOKEN, when set


class OdooSettings(BaseModel):
    """Where Odoo is and with which credentials: reads and writes use different users."""

    model_config = ConfigDict(extra="forbid")

    url: str = "http://127.0.0.1:8069"
    db: str = ""
    # auto: ask the server its version (/web/webclient/version_info) and use protocol_on_19 on 19+,
    # protocol_before_19 on 17 and 18 (JSON-2 does not exist before 19)
    protocol: Literal["auto", "json2", "jsonrpc", "xmlrpc"] = "auto"
    protocol_before_19: Literal["jsonrpc", "xmlrpc"] = "jsonrpc"
    protocol_on_19: Literal["json2", "jsonrpc", "xmlrpc"] = "json2"  # jsonrpc/xmlrpc: the deprecated fallback
    page_size: int = Field(default=500, ge=1, le=10_000)  # records per paged read (search_read limit)
    read_login: str = "triage-read"
    read_key: SecretStr | None = None
    write_login: str = "triage-write"
    write_key: SecretStr | None = None
    timeout_s: float = Field(default=15.0, gt=0)

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")


#: Event field -> source field names that mean it, most specific first. Compared case- and
#: punctuation-insensitively (`@timestamp`, `Execution Time`, `event.outcome` all work), whole name
#: first, then the last dotted component. Values are checked before a name is taken.
DEFAULT_FIELD_SYNONYMS: dict[str, list[str]] = {
    "timestamp": ["ts", "@timestamp", "timestamp", "time", "datetime", "date_time", "event_time", "eventtime",
                  "logged_at", "created_at", "occurred_at", "execution_time", "execution_start", "start_time",
                  "started_at", "date", "time_stamp", "timestampiso", "_time", "received_at",
                  # European Excel / tool exports with localized headers (de, fr, es, it, nl)
                  "zeitstempel", "zeitpunkt", "zeit", "horodatage", "date_heure", "fecha_hora", "marca_de_tiempo",
                  "data_ora", "tijdstip", "tijdstempel",
                  "@t"],  # Serilog's compact JSON (CLEF: @t, @l, @m, @x)
    "flow": ["flow", "integration", "interface", "flow_name", "flowname", "process_name", "processname", "process",
             "integration_name", "pipeline", "connector", "channel", "job_name", "application_name",
             "applicationname", "app", "service_name", "service", "workflow_name", "workflowname", "workflow",
             "scenario_name", "scenario", "zap_name",
             # run-history exports name the automation a run belongs to by its title (Zapier, Make, n8n,
             # Power Automate, UiPath, Workato): flows.json aliases attribute it
             "zap_title", "zap", "scenario_title", "workflow_title", "flow_title", "process_title",
             "automation_name", "automation_title", "automation", "recipe_name", "recipe",
             "schnittstelle", "flux", "interfaz", "interfaccia", "koppeling"],
    "status": ["status", "outcome", "event.outcome", "result", "state", "execution_status", "delivery_status",
               "success", "ok", "ergebnis", "statut", "résultat", "estado", "resultado", "stato", "esito",
               "resultaat"],
    "level": ["level", "log.level", "loglevel", "severity", "priority", "levelname", "@l", "severity_text",
              "severitytext"],
    "latency_ms": ["latency_ms", "duration_ms", "elapsed_ms", "response_time_ms", "took_ms", "latency",
                   "execution_duration_ms", "execution_duration", "elapsed", "duration", "response_time", "took",
                   "event.duration", "dauer", "dauer_ms", "laufzeit", "antwortzeit", "durée", "durée_ms", "duración",
                   "duracion_ms", "durata", "duur"],
    "http_status": ["http_status", "status_code", "http.response.status_code", "statuscode", "http_code",
                    "response_code", "httpstatus", "http_status_code", "response_status", "code", "status"],
    "error": ["error", "error.message", "error_message", "errormessage", "err", "exception", "exception_message",
              "failure_reason", "reason", "fault", "message_error", "error_description", "errordescription",
              "error_detail", "error_text", "exc_info", "exception.message", "fehler", "fehlermeldung",
              "fehlertext", "erreur", "message_d_erreur", "mensaje_de_error", "mensaje_error", "errore",
              "messaggio_errore", "foutmelding", "fout", "erro", "mensagem_de_erro", "mensagem_erro", "@x"],
    "retry_count": ["retry", "retries", "retry_count", "attempt", "attempts", "retrycount", "redelivery_count"],
    "correlation_id": ["correlation_id", "correlationid", "trace.id", "trace_id", "traceid", "request_id",
                       "requestid", "x_request_id", "execution_id", "executionid", "run_id"],
    "idempotency_key": ["idempotency_key", "labels.idempotency_key", "idempotencykey", "dedup_key",
                        "deduplication_id", "message_key", "event_id", "eventid", "delivery_id", "webhook_id",
                        # a sender's delivery id, kept on its redeliveries (Azure Logic Apps, GitHub webhooks)
                        "client_tracking_id", "x_github_delivery", "delivery_uuid",
                        # a webhook envelope's own id (meta.id, flattened meta_id) and a broker's message id
                        "meta.id", "meta_id", "message_id", "messageid",
                        # a redelivered notification keeps its id (Salesforce outbound messages, SNS)
                        "notification_id", "notificationid",
                        # a payment's end-to-end id (ISO 20022 EndToEndId, Brazil's Pix endToEndId: BCB's webhook
                        # resends carry the same one)
                        "end_to_end_id", "endtoendid", "e2e_id", "endtoendidentification"],
    "record_ids": ["record_ids", "records", "odoo.records", "res_ids", "record_refs", "odoo_ids"],
    "source_system": ["source", "source_system", "from", "sender", "origin"],
    "target_system": ["target", "target_system", "to", "destination", "receiver"],
    "operation": ["operation", "event.action", "action", "method", "operation_name", "op"],
    "endpoint": ["endpoint", "url.path", "request.path", "http.request.path", "path", "route", "uri", "url",
                 "request_uri", "resource"],
    "message": ["message", "msg", "log.message", "text", "description", "event.original", "@m"],
}

#: Unit of a latency source, as the factor to milliseconds (ECS `event.duration` is nanoseconds).
#: Fields naming the error's class or code (`error_type: odoo.exceptions.ValidationError`, `errorCode`):
#: put in front of the error text, where causes read exception classes first.
DEFAULT_ERROR_CLASS_FIELDS = ["error_type", "errortype", "error_class", "error_code", "errorcode", "error.type",
                              "error.code", "exception_type", "exception_class", "exc_type", "exc_name", "errorname",
                              "error_name", "exception.type"]
#: Logger-name fields (structlog, python-json-logger, logback JSON): the flow when no flow field exists.
DEFAULT_LOGGER_FIELDS = ["logger", "logger_name", "loggername", "log.logger", "name"]
#: Fields whose value names the kind of a line; a line without flow and status whose kind has one of the
#: control words (`$$EventMessageConfirm`, `heartbeat`) is bus bookkeeping: skipped, not an event.
DEFAULT_CONTROL_KIND_FIELDS = ["__type", "_type", "type", "kind", "event", "event_type", "eventname", "event_name",
                               "message_type", "msg_type"]
DEFAULT_CONTROL_WORDS = ["confirm", "confirmation", "confirmed", "ack", "acknowledge", "acknowledged",
                         "acknowledgement", "heartbeat", "keepalive", "ping", "pong"]
#: A word in a record-id field's name (`partner_id`, `odooPartnerId`, `hr_employee_id`) -> the Odoo model.
DEFAULT_RECORD_ID_MODELS: dict[str, str] = {
    "partner": "res.partner", "contact": "res.partner", "customer": "res.partner", "vendor": "res.partner",
    "supplier": "res.partner", "invoice": "account.move", "move": "account.move", "bill": "account.move",
    "employee": "hr.employee", "project": "project.project", "task": "project.task", "lead": "crm.lead",
    "opportunity": "crm.lead", "sale_order": "sale.order", "purchase_order": "purchase.order",
    "product": "product.product", "leave": "hr.leave", "absence": "hr.leave", "timesheet": "account.analytic.line",
    "payment": "account.payment", "expense": "hr.expense"}
#: Record-id fields that name no model (`odoo_id`, `res_id`): the model comes from a model field of the same
#: line (`odoo_model`, `res_model`) or from the flow's only model in flows.json.
DEFAULT_GENERIC_RECORD_ID_FIELDS = ["odoo_id", "odooid", "record_id", "recordid", "res_id", "resid", "odoo_record_id"]
#: Numeric id columns of a run's automation (`Zap ID`, `Scenario ID`): the flow when flows.json aliases name
#: their values (a bare number is no flow otherwise).
DEFAULT_FLOW_ID_FIELDS = ["zap_id", "scenario_id", "workflow_id", "flow_id", "process_id", "integration_id",
                          "recipe_id", "automation_id", "pipeline_id", "job_id", "interface_id"]
#: Run ids of run-history exports: repeated with a higher attempt number (`Attempt`), a run id is a replay
#: of the same delivery, so it is the run's idempotency key.
DEFAULT_RUN_ID_FIELDS = ["run_id", "zap_run_id", "execution_id", "scenario_run_id", "workflow_run_id",
                         "flow_run_id", "job_run_id", "process_run_id", "instance_id", "process_instance_id",
                         "recipe_run_id"]
#: Error texts saying the sender stopped waiting for the answer (an iPaaS step timeout): on a replayed run
#: the receiver may have done the work, as after a gateway timeout (read as HTTP 504 when no status is given).
DEFAULT_SENDER_TIMEOUT_TEXTS = [r"(?i)did not respond in[- ]?time", r"(?i)(?:request|step|action|app) timed? ?out",
                                r"(?i)timed out waiting", r"(?i)no response (?:with)?in"]
#: The zones of countries spanning several (an export's naive times are in one of them).
DEFAULT_COUNTRY_ZONE_CANDIDATES: dict[str, list[str]] = {
    "US": ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
           "America/Anchorage", "Pacific/Honolulu"],
    "CA": ["America/Toronto", "America/Winnipeg", "America/Edmonton", "America/Vancouver", "America/Halifax",
           "America/St_Johns", "America/Regina"],
    "MX": ["America/Mexico_City", "America/Tijuana", "America/Hermosillo", "America/Cancun"],
    "AU": ["Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Perth", "Australia/Darwin"],
    "BR": ["America/Sao_Paulo", "America/Manaus", "America/Recife"],
    "ES": ["Europe/Madrid", "Atlantic/Canary"], "PT": ["Europe/Lisbon", "Atlantic/Azores"],
}
DEFAULT_MODEL_FIELDS = ["odoo_model", "odoomodel", "res_model", "resmodel", "model", "model_name"]

#: Numeric status vocabularies (a source's documented codes -> a status word): a status field whose values
#: are all codes of one of them is read through it. Make.com's execution logs: 1 success, 2 warning, 3 error.
DEFAULT_STATUS_CODES: dict[str, dict[str, str]] = {"make.com executions": {"1": "success", "2": "warning",
                                                                           "3": "error"}}
#: Where an HTTP status hides in an error text when no field holds it (one capture group each, checked in
#: order): "HTTP 504", "HTTP/1.1 503", "status code 502", a code before its reason phrase ("503 Service
#: Unavailable", "[502] Bad Gateway"), a bracketed code leading the text ("[401] invalid_grant") and the
#: forms of python requests ("503 Server Error: Service Unavailable for url", "<Response [502]>").
DEFAULT_HTTP_IN_TEXT: list[str] = [
    r"(?i)\bHTTP(?:/\d(?:\.\d)?)?(?:\s+error)?\s*[:#]?\s*([1-5]\d\d)\b",
    r"(?i)\bstatus(?:[ _-]?code)?\s*[:=]?\s*([1-5]\d\d)\b",
    r"(?i)\b([1-5]\d\d)\]?\s*[-:]?\s*(?:" + "|".join(
        re.escape(p).replace(r"\ ", "[ -]?") for p in sorted({s.phrase for s in HTTPStatus if 400 <= s.value <= 599}
                                                | {"Gateway Time-out"}, key=lambda p: (-len(p), p))) + r")\b",  # longest first; a total order, so
    # the settings (and a saved state's fingerprint of them) are the same in every process
    r"^\s*\[([1-5]\d\d)\]",
    r"\b([1-5]\d\d) (?:Client|Server) Error\b",  # python requests' raise_for_status()
    r"<?Response \[([1-5]\d\d)\]",  # a requests Response's repr
]

DEFAULT_LATENCY_UNITS: dict[str, float] = {"event.duration": 1e-6, "duration_s": 1000.0, "elapsed_s": 1000.0,
                                           "exec_time": 1000.0}


#: Line prefixes a log shipper puts in front of each message (`prefixed.py`), tried in order on a file's
#: first lines. Named groups: `pri` (syslog <PRI>), `ts` (ISO 8601 or BSD `Mmm dd hh:mm:ss`), `host`,
#: `app` (the flow candidate), `proc`, `stream`, `tag` (CRI `F` full / `P` partial), `msg` (the payload).
DEFAULT_LINE_PREFIXES: dict[str, str] = {
    # RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG; an octet count in
    # front (RFC 6587 framing, HTTPS drain bodies) and a missing STRUCTURED-DATA (Heroku drains) are accepted
    "rfc5424": r'^(?:\d{1,7} )?<(?P<pri>\d{1,3})>\d{1,2} (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<proc>\S+) '
               r'(?P<msgid>\S+)(?: (?P<sd>-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+))?'
               r'(?: \ufeff?(?P<msg>.*))?$',
    # RFC 3164 (BSD syslog): <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG (the PRI is dropped by most files on disk)
    "rfc3164": r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
               r"(?P<app>[^\s\[\]:]+)(?:\[(?P<proc>[^\]\s]*)\])?: ?(?P<msg>.*)$",
    # CRI (containerd / CRI-O, Kubernetes node logs): TIMESTAMP STREAM TAG MSG
    "cri": r"^(?P<ts>\d{4}-\d\d-\d\dT\S+) (?P<stream>stdout|stderr) (?P<tag>[FP]) ?(?P<msg>.*)$",
    # logplex / Heroku log drain: TIMESTAMP SOURCE[PROCESS]: MSG
    "logplex": r"^(?P<ts>\d{4}-\d\d-\d\dT\S+) (?P<app>[\w.-]+)\[(?P<proc>[\w.-]+)\]: ?(?P<msg>.*)$",
    # journald short-iso and syslog daemons' files with ISO times: TIMESTAMP HOST UNIT[PID]: MSG
    "journald": r"^(?P<ts>\d{4}-\d\d-\d\dT\S+) (?P<host>\S+) (?P<app>[^\s\[\]:]+)(?:\[(?P<proc>[^\]\s]*)\])?: "
                r"?(?P<msg>.*)$",
}
#: Prefix kinds whose `app` group names a platform component (logplex `app`, `heroku`), not a program:
#: never a flow of its own unless flows.json names it.
DEFAULT_PLATFORM_PREFIXES = ["logplex"]
#: Router error codes (Heroku H10-H99 and the like): a line carrying one is a server-side failure.
DEFAULT_ROUTER_ERROR_CODES = r"^H(?:1\d|[2-9]\d)$"
DEFAULT_ROUTER_CODE_FIELDS = ["code", "error_code"]
DEFAULT_ROUTER_TEXT_FIELDS = ["desc", "description"]


class ReaderSettings(BaseModel):
    """What the log readers accept: field-name synonyms for inference and the sane range of every value.

    A value outside its range sets its line aside (file:line and reason), it never reaches a detector.
    """

    model_config = ConfigDict(extra="forbid")

    field_synonyms: dict[str, list[str]] = Field(default_factory=lambda: {k: list(v) for k, v in
                                                                          DEFAULT_FIELD_SYNONYMS.items()})
    latency_units: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_LATENCY_UNITS))
    inference_sample: int = Field(default=200, ge=1, le=100_000)  # records looked at to infer a mapping
    min_value_match: float = Field(default=0.8, gt=0, le=1)  # share of sampled values a field must parse
    ts_min_year: int = Field(default=2000, ge=1971)
    ts_max_year: int = Field(default=2100, le=9998)
    ts_window_days: float = Field(default=400.0, gt=0)  # events this far from the data's median are set aside
    max_latency_ms: float = Field(default=7 * 86_400_000.0, gt=0)
    max_retry: int = Field(default=10_000, ge=0, le=32_767)  # stored as int16
    max_flows: int = Field(default=1000, ge=1, le=30_000)  # more distinct flows: the rest is set aside
    # lines scanned past the sample for shapes the first lines lack (error fields appear only on failures)
    inference_scan_lines: int = Field(default=50_000, ge=0, le=10_000_000)
    error_class_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_ERROR_CLASS_FIELDS))
    status_codes: dict[str, dict[str, str]] = Field(default_factory=lambda: {k: dict(v) for k, v in
                                                                             DEFAULT_STATUS_CODES.items()})
    # JSON/CSV logs: a failed event without an HTTP status field takes the one its error text names
    http_in_text: list[str] = Field(default_factory=lambda: list(DEFAULT_HTTP_IN_TEXT))
    # queue.job exports write naive datetimes in the exporting user's zone: seconds ahead of UTC by file
    # name; when a file has none, detection aligns it on the Odoo server log's job lines (UTC), except in
    # incremental runs (detectors.state_dir), which read only new lines
    # (detectors/time_alignment.py). Any other log whose times are naive (a CSV run history) is aligned
    # the same way on identifiers it shares with a UTC log; `naive_time_zones` (file name -> IANA zone or
    # +HH:MM) wins over an offset and follows daylight saving; `naive_timezone` is the zone of naive
    # files nothing aligned (set from [calendar] timezone when aligning); none: UTC, as before
    export_utc_offsets: dict[str, float] = Field(default_factory=dict)
    naive_time_zones: dict[str, str] = Field(default_factory=dict)
    naive_timezone: str | None = None
    # zones tried for a naive file whose times no fixed offset aligns (daylight saving changed within the
    # data), by the calendar's country (countries of one zone: [calendar] country_zones)
    country_zone_candidates: dict[str, list[str]] = Field(default_factory=lambda: {
        k: list(v) for k, v in DEFAULT_COUNTRY_ZONE_CANDIDATES.items()})
    align_exports: bool = True
    export_align_min_jobs: int = Field(default=5, ge=1)
    flow_id_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_FLOW_ID_FIELDS))
    run_id_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_RUN_ID_FIELDS))
    sender_timeout_texts: list[str] = Field(default_factory=lambda: list(DEFAULT_SENDER_TIMEOUT_TEXTS))
    logger_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_LOGGER_FIELDS))
    control_kind_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_CONTROL_KIND_FIELDS))
    control_words: list[str] = Field(default_factory=lambda: list(DEFAULT_CONTROL_WORDS))
    record_id_models: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RECORD_ID_MODELS))
    generic_record_id_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_GENERIC_RECORD_ID_FIELDS))
    record_model_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_MODEL_FIELDS))
    # JSON envelopes (readers/envelope.py): fields naming a log line, whose text may be a plain app line with
    # a level (Docker json-file `log`, journald `MESSAGE`, GCP `textPayload`); JSON or logfmt text is read in any
    envelope_line_fields: list[str] = Field(default_factory=lambda: ["log", "message", "msg", "MESSAGE",
                                                                     "textPayload", "line", "log_line"])
    # share of sampled objects whose field must hold an inner event for it to be the file's envelope (an app's
    # traceback lines, one object each, hold none)
    envelope_min_share: float = Field(default=0.5, gt=0, le=1)
    # a log store's own id of each log record, by a field only that store's records carry: CloudWatch Logs'
    # eventId (beside logStreamName), Cloud Logging's insertId (beside logName), journald's __CURSOR. Unique by
    # construction, it never repeats, so it is never an idempotency key (a redelivery keeps its key) nor a
    # correlation id
    log_store_record_ids: dict[str, str] = Field(default_factory=lambda: {
        "logStreamName": "eventId", "logName": "insertId", "__CURSOR": "__CURSOR"})
    # prefixed lines (syslog, log drains, container logs: prefixed.py)
    line_prefixes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_LINE_PREFIXES))
    platform_prefixes: list[str] = Field(default_factory=lambda: list(DEFAULT_PLATFORM_PREFIXES))
    router_error_codes: str = DEFAULT_ROUTER_ERROR_CODES
    router_code_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_ROUTER_CODE_FIELDS))
    router_text_fields: list[str] = Field(default_factory=lambda: list(DEFAULT_ROUTER_TEXT_FIELDS))
    # the router line's field naming the process that served the request (Heroku `dyno=web.1`): a router
    # line no app line pairs by request id is an event of the flow that process's app lines name
    router_process_fields: list[str] = Field(default_factory=lambda: ["dyno"])
    syslog_year: int | None = Field(default=None, ge=1971, le=9998)  # RFC 3164 times carry none: else the file's mtime
    max_paired_requests: int = Field(default=2_000_000, ge=0)  # request ids remembered per file for pairing
    max_line_chars: int = Field(default=1_000_000, ge=1000)  # a longer prefixed line is set aside unread
    progress_every_seconds: float = Field(default=10.0, gt=0)  # a plain progress line this often when stderr is no terminal
    # `--read-since` enters a time-ordered log by binary search this much earlier than asked: lines a few
    # minutes out of order (several workers writing one file) are still read; probes out of order by more
    # mean the file is not time-ordered, and it is read whole
    seek_margin_seconds: float = Field(default=3600.0, ge=0)
    # Odoo loggers that are framework noise, never a flow of their own (queue_job runner/controller,
    # mail, the web client): matched as prefixes.
    ignored_loggers: list[str] = Field(default_factory=lambda: [
        "odoo.addons.queue_job.jobrunner", "odoo.addons.queue_job.controllers", "odoo.addons.queue_job.job",
        "odoo.addons.queue_job.models", "odoo.addons.mail", "odoo.addons.base", "odoo.addons.web",
        "odoo.addons.bus", "odoo.addons.http_routing", "odoo.addons.website", "odoo.addons.auth_signup",
        "odoo.addons.iap", "odoo.addons.fetchmail"])
    # JVM pattern logs (log4j / logback: Kafka Connect, Spring Boot, Mule, Camel): loggers of the runtime
    # itself (worker, group rebalance, framework start-up), matched as prefixes; a line of one with no
    # connector context is the runtime's housekeeping, skipped and counted, never reported as unclaimed
    java_runtime_loggers: list[str] = Field(default_factory=lambda: [
        "org.apache.kafka.", "org.apache.zookeeper.", "org.eclipse.jetty.", "org.glassfish.", "org.reflections.",
        "org.springframework.", "o.s.", "org.hibernate.", "com.zaxxer.hikari.", "org.apache.catalina.",
        "o.a.c.", "org.apache.coyote.", "org.mule.runtime.", "org.apache.camel.impl.", "io.netty.",
        "io.confluent.common.", "kafka.", "org.quartz."])
    # a WARN line whose message holds one of these (case-insensitive, inside words too:
    # `remainingRetries=9`) announces a retry; an ERROR line stays an error
    java_retry_words: list[str] = Field(default_factory=lambda: ["retry", "retries", "retrying", "retried"])


class DetectorSettings(BaseModel):
    """Every threshold of detection ([detectors] in the file, TRIAGE_DETECTORS_<FIELD> in the environment)."""

    model_config = ConfigDict(extra="forbid")

    baseline_days: float = Field(7.0, gt=0, description="days at the start of the data that form the baseline "
                                 "(the first half when the data covers less than twice this)")
    evidence_per_finding: int = Field(20, ge=1, le=500, description="events cited by one detector finding")
    evidence_per_anomaly: int = Field(30, ge=1, le=500, description="events cited after combining findings")
    combine_within_minutes: float = Field(15.0, ge=0, description="findings of one flow this close become one anomaly")
    p_value: float = Field(1e-6, gt=0, lt=1, description="binomial tail below which an error/retry rate is abnormal")
    error_spike_factor: float = Field(3.0, gt=1, description="error rate must reach this times the baseline rate")
    error_spike_min_excess: float = Field(0.05, ge=0, description="... and exceed the baseline rate by this share")
    error_spike_min_errors: int = Field(5, ge=1, description="... with at least this many failed attempts")
    judge_baseline: bool = Field(True, description="error and retry rates are judged in the baseline days too, "
                                 "each hour against the baseline without the day around it (leave one day out), "
                                 "so an incident in the first days of the data is found as well")
    baseline_leave_out_hours: int = Field(12, ge=0, le=168, description="... hours on either side of a baseline "
                                          "hour left out of what is normal for it")
    retry_storm_factor: float = Field(5.0, gt=1, description="retry rate must reach this times the baseline rate")
    retry_storm_min_excess: float = Field(0.1, ge=0, description="... and exceed the baseline rate by this share")
    retry_storm_min_retries: int = Field(10, ge=1, description="... with at least this many retried attempts")
    latency_min_events: int = Field(10, ge=1, description="timed calls a latency shift needs over its whole run "
                                    "(hours are pooled, so a low-volume flow is judged too)")
    latency_min_ratio: float = Field(2.0, gt=1, description="a call is slow above this times the baseline's median "
                                     "hourly p95")
    latency_slow_share: float = Field(0.15, gt=0, le=1, description="share of an hour's timed calls that must be slow "
                                      "for the hour to join a latency shift")
    latency_min_slow: int = Field(5, ge=1, description="slow calls a latency shift needs in total (a stray timeout "
                                  "or two is not a shift)")
    latency_p_value: float = Field(1e-6, gt=0, lt=1, description="binomial tail of the slow calls under the "
                                   "baseline's slow-call rate below which a latency shift is reported")
    latency_hour_prior_calls: float = Field(10.0, gt=0, description="pseudo-calls at the flow's overall "
                                            "slow-call share mixed into the share of baseline hours as busy as "
                                            "the judged ones (cold starts make quiet hours slow every night)")
    redelivery_gap_hours: float = Field(2.0, gt=0, description="re-deliveries this close are one episode")
    redelivery_max_hours: float = Field(72.0, gt=0, description="a key processed again later than this after "
                                        "its first delivery is reused, not redelivered (senders retry for up to "
                                        "about three days)")
    new_signature_min_count: int = Field(3, ge=1, description="a new error signature must occur this often ...")
    new_signature_gap_hours: float = Field(2.0, gt=0, description="... with occurrences this close together")
    new_signature_gap_events: int = Field(10, ge=0, description="... or this few of the flow's own events apart "
                                          "(a low-volume flow judged on its own clock)")
    maintenance_http: list[int] = Field(default_factory=lambda: [502, 503, 504], description="inside a maintenance "
                                        "window, failures with these HTTP statuses (the server being down) are no "
                                        "error spike or new signature; any other failure still alarms, since an "
                                        "announcement is only a log line")
    maintenance_errors: list[str] = Field(default_factory=lambda: [
        r"connection refused", r"econnrefused", r"connection reset", r"econnreset", r"could not connect",
        r"failed to connect", r"unable to connect", r"connect(?:ion)?[ _-]?time[ds]?[ _-]?out", r"etimedout",
        r"service unavailable", r"bad gateway", r"gateway time-?out", r"temporarily unavailable",
        r"server is down", r"no route to host", r"host unreachable", r"ehostunreach"],
        description="... and failures without an HTTP status whose message says the server could not be "
                    "reached (regular expressions, case-insensitive)")
    multivariate_quantile: float = Field(0.005, gt=0, lt=1, description="IsolationForest score quantile of the baseline")
    multivariate_outside: float = Field(1.5, gt=1, description="times the baseline's extreme a feature must pass")
    engine: Literal["local", "spark"] = Field("local", description="where the per-flow hourly aggregation runs: "
                                              "local (pandas) or spark (PySpark, extra [spark]; Parquet events in)")
    spark_master: str = Field("local[2]", description="Spark master URL for engine = spark (local[N], spark://host:7077)")
    state_dir: str | None = Field(None, description="folder of saved offsets, aggregates and templates: detection "
                                  "runs read only new lines (none: every run reads everything)")
    bounded_memory: bool = Field(True, description="each chunk read is reduced at once to per-(flow, hour) "
                                 "aggregates and a bounded table of the events checks cite (detectors/aggregates.py): "
                                 "memory does not grow with the events read (off: a table of every event)")
    stream_events_per_hour: int = Field(64, ge=1, description="... events of one flow's hour kept: all of an hour "
                                        "with no more, else a sample of this many (volume-drop evidence, bursts)")
    stream_keys_kept: int = Field(200_000, ge=0, description="... keyed successes remembered to find a re-delivery "
                                  "or a recovered retry: a twin further back than this many is not seen")
    latency_sketch_accuracy: float = Field(0.005, gt=0, lt=0.5, description="relative accuracy of the latency "
                                           "sketch (log buckets) behind hourly p95s and slow-call counts")
    prune_lookback_hours: float = Field(24.0, ge=0, description="--since/--until read, besides the baseline (the "
                                        "data's first days), only this much before --since and after --until "
                                        "(plus the re-delivery and new-signature gaps): an anomaly reaching "
                                        "further out than this is seen cut there")


#: A country's zone, for announcements written in local time without one (countries with one zone only).
DEFAULT_COUNTRY_ZONES: dict[str, str] = {
    "AT": "Europe/Vienna", "DE": "Europe/Berlin", "CH": "Europe/Zurich", "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "FR": "Europe/Paris", "IT": "Europe/Rome",
    "ES": "Europe/Madrid", "GB": "Europe/London", "UK": "Europe/London", "IE": "Europe/Dublin",
    "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "NO": "Europe/Oslo", "FI": "Europe/Helsinki",
    "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "SK": "Europe/Bratislava", "HU": "Europe/Budapest",
    "SI": "Europe/Ljubljana", "HR": "Europe/Zagreb", "GR": "Europe/Athens", "RO": "Europe/Bucharest",
    "BG": "Europe/Sofia", "EE": "Europe/Tallinn", "LV": "Europe/Riga", "LT": "Europe/Vilnius",
    "IN": "Asia/Kolkata", "JP": "Asia/Tokyo", "SG": "Asia/Singapore", "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg", "IL": "Asia/Jerusalem", "AE": "Asia/Dubai",
    # the zone most of the country lives in (Brasília time; Sydney / Melbourne / Canberra / Hobart)
    "BR": "America/Sao_Paulo", "AU": "Australia/Sydney"}
#: Zone abbreviations an announcement may use, as an IANA zone or a fixed offset. "CET/CEST" is local
#: central European time (its offset changes with daylight saving), a fixed "CEST" is +02:00.
DEFAULT_ZONE_ABBREVIATIONS: dict[str, str] = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "CET": "+01:00", "CEST": "+02:00", "MEZ": "+01:00",
    "MESZ": "+02:00", "WET": "+00:00", "WEST": "+01:00", "EET": "+02:00", "EEST": "+03:00", "BST": "+01:00",
    "CET/CEST": "Europe/Berlin", "MEZ/MESZ": "Europe/Berlin", "WET/WEST": "Europe/Lisbon",
    "EET/EEST": "Europe/Helsinki", "GMT/BST": "Europe/London",
    # North America (CST here is US Central, as Odoo's US users write it, not China's)
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    # Australia and New Zealand, as their users write them after a time
    "AEST": "+10:00", "AEDT": "+11:00", "ACST": "+09:30", "ACDT": "+10:30", "AWST": "+08:00",
    "NZST": "+12:00", "NZDT": "+13:00",
    # Brazil: Brasília time (no daylight saving since 2019), as an abbreviation or written out
    "BRT": "-03:00", "HORARIO DE BRASILIA": "America/Sao_Paulo", "HORA DE BRASILIA": "America/Sao_Paulo",
    "HORARIO OFICIAL DE BRASILIA": "America/Sao_Paulo"}


class CalendarSettings(BaseModel):
    """The business calendar ([calendar]): holidays, maintenance windows, closing periods.

    Per-flow values in flows.json (`country`, `calendar`) or under [calendar.flows.<name>] win.
    """

    model_config = ConfigDict(extra="forbid")

    country: str | None = None  # ISO 3166 code for public holidays (the `holidays` package)
    subdivision: str | None = None
    business_weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    holidays: list[date] = Field(default_factory=list)  # extra closed days for every flow
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    detect_announcements: bool = True  # read "maintenance ... from X to Y" lines in Odoo logs
    # who may announce: loggers of the Odoo server's own code (these prefixes) and the loggers flows.json
    # names; never the loggers that write what outsiders send (request lines, incoming mail, payloads)
    announcement_loggers: list[str] = Field(default_factory=lambda: ["odoo"])
    announcement_untrusted_loggers: list[str] = Field(default_factory=lambda: [
        "werkzeug", "odoo.http", "odoo.addons.mail.models.mail_thread", "odoo.addons.mail.models.fetchmail",
        "odoo.addons.mail.controllers", "odoo.addons.website", "odoo.addons.web", "odoo.addons.bus",
        "odoo.addons.portal", "odoo.addons.auth_signup", "odoo.addons.http_routing", "odoo.addons.queue_job",
        "odoo.addons.base.models.ir_http", "odoo.addons.fetchmail"])
    month_end_days: int = Field(default=2, ge=0, le=10)  # last business days of a month
    payroll_days: list[int] = Field(default_factory=list)  # days of the month payroll runs
    lock_day: int | None = Field(default=None, ge=1, le=28)  # day of month the previous period is locked
    quiet_periods: list[PeriodKind] = Field(default_factory=list)  # periods flows may be quiet in
    flows: dict[str, FlowCalendar] = Field(default_factory=dict)
    # the zone of announcements that name none ("from 2026-05-06 20:00 to 23:30"); None: the country's zone
    timezone: str | None = None
    country_zones: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_COUNTRY_ZONES))
    zone_abbreviations: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ZONE_ABBREVIATIONS))


class VolumeSettings(BaseModel):
    """Silence and volume-drop checks ([volume]): thresholds in events, and in units for bursty flows."""

    model_config = ConfigDict(extra="forbid")

    slack: float = Field(default=0.7, gt=0, le=1)  # expectations shrink by this: traffic varies beyond Poisson
    silent_min_expected: float = Field(default=12.0, gt=0)  # events a silent run must have been expected to hold
    drop_p: float = Field(default=1e-6, gt=0, lt=1)  # Poisson tail for a volume drop
    unit_silent_p: float = Field(default=1e-4, gt=0, lt=1)  # P(no unit at all) below which a bursty flow is silent
    burst_gap_s: float = Field(default=300.0, gt=0)  # events closer than this belong to one unit (a batch)
    bursty_units_per_event: float = Field(default=0.5, gt=0, le=1)  # below this units/event, a flow is bursty
    # a flow is judged for silence only until the last line of the files that carry it: a file that ends
    # (an export made at 23:45) says nothing about the hours after it
    silence_until_source_end: bool = True
    # a silence cites the errors its flow logged just before it (the error a consumer died on comes a few
    # lines before "task is being killed"): distinct error templates within this many seconds of the last event
    silence_cause_lookback_s: float = Field(default=300.0, ge=0)
    silence_cause_errors: int = Field(default=3, ge=0)  # at most this many of them


class CorrelationSettings(BaseModel):
    """When anomalies of one flow are one incident, and what the hours around them say ([correlation])."""

    model_config = ConfigDict(extra="forbid")

    adjacent_minutes: float = Field(default=30.0, ge=0)  # windows this close are one episode
    same_signature_hours: float = Field(default=6.0, ge=0)  # the same error signature this close is one cause
    shared_key_hours: float = Field(default=6.0, ge=0)  # shared correlation ids / idempotency keys this close
    max_fused_span_hours: float = Field(default=24.0, gt=0)  # a fused incident never spans more than this
    # a silence whose messages arrive in a burst after it was held by the sender (its queue stalled): the
    # excess over the expected volume in the hours after the gap, against the events the silence missed
    backlog_hours: float = Field(default=2.0, gt=0)  # hours after a silence its replayed backlog is counted in
    backlog_share: float = Field(default=0.5, gt=0)  # excess / missed events that says the backlog was replayed
    backlog_min_events: int = Field(default=5, ge=1)  # and at least this many events above the expected volume


class LifecycleSettings(BaseModel):
    """When incidents move on by themselves (agent/lifecycle.py). TOML section [lifecycle]."""

    model_config = ConfigDict(extra="forbid")

    # a run must see this much healthy data on a flow after an incident's window to call it resolved
    healthy_after_h: float = Field(default=1.0, ge=0)
    # a resolved incident nobody reopened is closed after this long (0: only a reviewer closes)
    close_after_h: float = Field(default=72.0, ge=0)
    # longest snooze a reviewer may ask for
    max_snooze_h: float = Field(default=14 * 24.0, gt=0)
    # an execution still `running` after this long is stale: `triage reconcile` may end it
    reconcile_after_min: float = Field(default=10.0, ge=0)


class EvalSettings(BaseModel):
    """`triage eval --compare`: speed is only a regression beyond the noise the repeats measured. [eval]"""

    model_config = ConfigDict(extra="forbid")

    # a speed figure regresses when the new median exceeds the old by more than this many noise bands
    speed_noise_bands: float = Field(default=3.0, gt=0)
    # and by at least this fraction of the old median, however quiet the machine was
    speed_min_relative: float = Field(default=0.25, ge=0)


class ModelPrice(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


OPENAI_API_URL = "https://api.openai.com/v1"

#: List prices (USD per million tokens, 2026) of the OpenAI API. Keyed by base URL, then model prefix
#: (longest prefix wins). A server not in the table (a local llama.cpp, Ollama or vLLM) costs 0 unless priced.
DEFAULT_PRICES: dict[str, dict[str, ModelPrice]] = {OPENAI_API_URL: {
    m: ModelPrice(input=i, output=o) for m, (i, o) in {
        "gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00), "gpt-4.1-nano": (0.10, 0.40),
        "gpt-4.1-mini": (0.40, 1.60), "gpt-4.1": (2.00, 8.00), "gpt-5-nano": (0.05, 0.40),
        "gpt-5-mini": (0.25, 2.00), "gpt-5": (1.25, 10.00), "o4-mini": (1.10, 4.40)}.items()}}


class LLMSettings(BaseModel):
    """The openai provider: which server, how long to wait, how much to send. `[llm]` in the file,
    TRIAGE_LLM_<FIELD> in the environment (plus OPENAI_API_KEY, OPENAI_BASE_URL, TRIAGE_OPENAI_MODEL)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(default="gpt-4o-mini", description="Model name sent to the server")
    base_url: str | None = Field(default=None, description="OpenAI-compatible server (Ollama, vLLM, llama.cpp); "
                                                           "default the OpenAI API")
    api_key: SecretStr | None = Field(default=None, description="API key; a loopback server needs none")
    timeout_s: float = Field(default=60.0, gt=0, description="Per HTTP call")
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries of one call on 429/5xx/timeouts")
    structured: Literal["auto", "json_schema", "tools", "json_object"] = Field(
        default="auto", description="Structured-output mode; auto tries json_schema, tools, json_object and "
                                    "remembers per server and model what worked")
    single_slot: bool | None = Field(default=None, description="The server computes one request at a time (a "
                                                               "local llama.cpp): one call at a time, no retry "
                                                               "after a timeout; default: a loopback base_url")
    concurrency: int | None = Field(default=None, ge=1, le=64,
                                    description="Parallel calls; default 1 for a single-slot server, else 4")
    context_tokens: int = Field(default=8192, ge=1024, description="The server's context size: prompt plus answer")
    max_tokens: int = Field(default=1024, ge=64, description="Answer length limit, always sent")
    incident_budget_s: float = Field(default=120.0, gt=0, description="Wall time per incident, retries included")
    run_budget_s: float = Field(default=1800.0, gt=0, description="Wall time of all LLM calls in one run")
    breaker_failures: int = Field(default=3, ge=1,
                                  description="Consecutive failed incidents after which the rest go offline")
    prices: dict[str, dict[str, ModelPrice]] = Field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_PRICES.items()},
        description="USD per million tokens by base URL, then model prefix")

    @property
    def effective_base_url(self) -> str:
        return (self.base_url or OPENAI_API_URL).rstrip("/")


#: Environment variables of LLMSettings (several names: the first set wins; older names kept working).
LLM_ENV: dict[str, tuple[str, ...]] = {
    "model": ("TRIAGE_LLM_MODEL", "TRIAGE_OPENAI_MODEL"),
    "base_url": ("TRIAGE_LLM_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("TRIAGE_LLM_API_KEY", "OPENAI_API_KEY"),
    "timeout_s": ("TRIAGE_LLM_TIMEOUT_S", "TRIAGE_OPENAI_TIMEOUT"),
    "max_retries": ("TRIAGE_LLM_MAX_RETRIES", "TRIAGE_OPENAI_MAX_RETRIES"),
    "structured": ("TRIAGE_LLM_STRUCTURED", "TRIAGE_OPENAI_STRUCTURED"),
    "single_slot": ("TRIAGE_LLM_SINGLE_SLOT",),
    "concurrency": ("TRIAGE_LLM_CONCURRENCY", "TRIAGE_OPENAI_CONCURRENCY"),
    "context_tokens": ("TRIAGE_LLM_CONTEXT_TOKENS",),
    "max_tokens": ("TRIAGE_LLM_MAX_TOKENS",),
    "incident_budget_s": ("TRIAGE_LLM_INCIDENT_BUDGET_S",),
    "run_budget_s": ("TRIAGE_LLM_RUN_BUDGET_S",),
    "breaker_failures": ("TRIAGE_LLM_BREAKER_FAILURES",),
}
_STRUCTURED_ALIASES = {"function_calling": "tools", "json_mode": "json_object"}


def llm_values(raw: Mapping[str, object], env: Mapping[str, str]) -> dict:
    """The `[llm]` section overlaid with the environment; prices from the file add to the defaults."""
    values = dict(raw)
    if "api_key" in values:
        raise InputError("put the LLM key in OPENAI_API_KEY (or TRIAGE_LLM_API_KEY), not in the file ([llm] api_key)")
    for field, names in LLM_ENV.items():
        for name in names:
            if env.get(name):
                values[field] = env[name]
                break
    structured = values.get("structured")
    if isinstance(structured, str):
        values["structured"] = _STRUCTURED_ALIASES.get(structured, structured)
    prices = values.get("prices")
    if isinstance(prices, dict):
        merged = {k: dict(v) for k, v in DEFAULT_PRICES.items()}
        for url, models in prices.items():
            merged.setdefault(str(url).rstrip("/"), {}).update(models)
        values["prices"] = merged
    return values


class MatcherSettings(BaseModel):
    """Duplicate matching knobs ([matcher] in the config file)."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)  # match probability a pair needs
    random_pairs: int = Field(default=200_000, gt=0)  # partners: u is counted on at most this many random pairs
    random_pairs_per_record: int = Field(default=20, gt=0)  # ... and on 20 per record below that (u settles early)
    random_pairs_min: int = Field(default=50_000, gt=0)  # ... but never fewer (rare levels need a few sightings)
    fit_pairs: int = Field(default=400_000, gt=0)  # partners: m and the prior are learnt on a sample this big
    min_labels: int = Field(default=4, ge=1)  # reviewer labels before the calibration moves
    label_strength: float = Field(default=4.0, gt=0)  # the calibration's pull back to (1, 0), in labels
    vat_cap: float = Field(default=0.01, ge=0.0, le=1.0)  # two different valid VAT numbers
    phase_cap: float = Field(default=0.05, ge=0.0, le=1.0)  # projects: another phase / follow-up
    code_cap: float = Field(default=0.05, ge=0.0, le=1.0)  # projects: another project number
    year_cap: float = Field(default=0.05, ge=0.0, le=1.0)  # projects: names for another year ("Support 2026")
    topic_cap: float = Field(default=0.2, ge=0.0, le=1.0)  # projects: each topic has a word the other lacks
    code_floor: float = Field(default=0.9, ge=0.0, le=1.0)  # projects: one code with year and number, one client


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: dict[str, Role] = Field(default_factory=dict)
    # Behind an authenticating proxy: the request header naming the user (e.g. X-Forwarded-User).
    # Off by default: a header is only trusted when the deployment says the proxy sets it, and only
    # on requests that also carry the shared secret (TRIAGE_PROXY_SECRET).
    console_trusted_header: str | None = None
    console_proxy_secret: SecretStr | None = Field(default=None, repr=False)
    console_passwords: dict[str, str] = Field(default_factory=dict, repr=False)  # user -> pbkdf2 hash
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    grounding: GroundingSettings = Field(default_factory=GroundingSettings)
    odoo: OdooSettings = Field(default_factory=OdooSettings)
    detectors: DetectorSettings = Field(default_factory=DetectorSettings)
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    volume: VolumeSettings = Field(default_factory=VolumeSettings)
    correlation: CorrelationSettings = Field(default_factory=CorrelationSettings)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    evals: EvalSettings = Field(default_factory=EvalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    readers: ReaderSettings = Field(default_factory=ReaderSettings)
    matcher: MatcherSettings = Field(default_factory=MatcherSettings)
    source: str = "defaults (no users: read-only)"  # where these settings came from, for display

    @property
    def approval_expiry_hours(self) -> float:
        return self.approvals.expiry_hours

    @property
    def approval_expiry(self) -> timedelta:
        return timedelta(hours=self.approvals.expiry_hours)

    def snapshot(self) -> dict[str, Any]:
        """Every setting as plain JSON, keys masked: what an evaluation run records it ran with."""
        return self.model_dump(mode="json", exclude={"source"})

    def role_of(self, user: str) -> Role | None:
        return self.users.get(user)

    def can(self, user: str, permission: Permission | str) -> bool:
        role = self.role_of(user)
        return role is not None and Permission(permission) in ROLE_PERMISSIONS[role]

    def users_with(self, permission: Permission | str) -> list[str]:
        return sorted(u for u in self.users if self.can(u, permission))


#: sections of thresholds: [name] in the file, TRIAGE_<NAME>_<FIELD> in the environment (which wins)
TUNABLE_SECTIONS: dict[str, type[BaseModel]] = {
    "detectors": DetectorSettings, "volume": VolumeSettings, "correlation": CorrelationSettings,
    "lifecycle": LifecycleSettings, "matcher": MatcherSettings,
}


def _tunable_section(raw: dict, env: Mapping[str, str], section: str) -> dict:
    values = dict(raw.get(section, {}))
    for name in TUNABLE_SECTIONS[section].model_fields:
        var = f"TRIAGE_{section.upper()}_{name.upper()}"
        if env.get(var):
            values[name] = env[var]
    return values


#: variables that are not a field of a section (or keep a name of their own), documented with the rest
OTHER_VARIABLES: dict[str, str] = {
    "TRIAGE_CONFIG": "the settings file (default: <user config dir>/odoo-triage/config.toml)",
    "TRIAGE_DATABASE_URL": "the store: a SQLAlchemy URL (default: a SQLite file in the user data dir)",
    "TRIAGE_ODOO_URL": "Odoo's base URL ([odoo] url)",
    "TRIAGE_ODOO_DB": "Odoo database name ([odoo] db)",
    "TRIAGE_ODOO_PROTOCOL": "auto (by the server's version), json2, jsonrpc or xmlrpc ([odoo] protocol)",
    "TRIAGE_ODOO_PROTOCOL_BEFORE_19": "with auto: jsonrpc or xmlrpc on Odoo 17 and 18",
    "TRIAGE_ODOO_PROTOCOL_ON_19": "with auto: json2, or jsonrpc as a configured fallback on 19",
    "TRIAGE_ODOO_PAGE_SIZE": "records per page of a read ([odoo] page_size)",
    "TRIAGE_ODOO_READ_LOGIN": "the read-only Odoo user ([odoo] read_login)",
    "TRIAGE_ODOO_READ_KEY": "its API key (environment only)",
    "TRIAGE_ODOO_WRITE_LOGIN": "the Odoo user that executes approved actions ([odoo] write_login)",
    "TRIAGE_ODOO_WRITE_KEY": "its API key (environment only)",
    "TRIAGE_ODOO_TIMEOUT_S": "seconds per Odoo call ([odoo] timeout_s)",
    "TRIAGE_TOKEN": "a personal token; its SHA-256 maps to a user in [identity.tokens] (else the OS account)",
    "TRIAGE_APPROVAL_KEY": "the server-side HMAC key approvals are bound with (or a key file)",
    "TRIAGE_APPROVAL_KEY_FILE": "a file holding that key ([approvals] key_file); never the database",
    "TRIAGE_TRUSTED_USER_HEADER": "behind an authenticating proxy: the header naming the user",
    "TRIAGE_PROXY_SECRET": "the shared secret that proxy sends, without which the header is ignored",
}


def environment_table() -> str:
    """Every TRIAGE_* variable as a Markdown table, generated from the settings object for the README."""
    rows = [(var, what) for var, what in OTHER_VARIABLES.items()]
    for section, model in TUNABLE_SECTIONS.items():
        for name, info in model.model_fields.items():
            rows.append((f"TRIAGE_{section.upper()}_{name.upper()}",
                         f"{info.description or name} (default {info.default!r}; [{section}] {name})"))
    for name, names in LLM_ENV.items():
        info = LLMSettings.model_fields[name]
        default = "unset" if name == "api_key" else repr(info.default)
        rows.append((" / ".join(names), f"{info.description or name} (default {default}; [llm] {name})"))
    lines = ["| variable | what |", "|---|---|", *(f"| `{var}` | {what} |" for var, what in rows)]
    return "\n".join(lines) + "\n"


#: sections read from the file only (lists and tables: holidays, maintenance windows, per-flow calendars)
FILE_SECTIONS = ("calendar",)


def default_config_path() -> Path:
    return Path(user_config_dir("odoo-triage", appauthor=False)) / "config.toml"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else default_config_path()


KEY_ENV = "TRIAGE_APPROVAL_KEY"
KEY_FILE_ENV = "TRIAGE_APPROVAL_KEY_FILE"
MIN_KEY_CHARS = 32
#: Knobs that once came from the environment and now may only come from the settings file.
_REFUSED_ENV = {
    "TRIAGE_APPROVAL_EXPIRY_HOURS": "approval expiry is set in the settings file ([approvals] expiry_hours), "
                                    "never by the approver's environment",
    "TRIAGE_USER": "the identity is the OS account or TRIAGE_TOKEN, never a name in the environment",
}


def default_key_path() -> Path:
    return Path(user_config_dir("odoo-triage", appauthor=False)) / "approval.key"


def read_key_file(path: Path) -> SecretStr:
    """The HMAC key from a file only its owner can read (like ssh refuses a world-readable key)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"approval key file {path}: {exc.strerror}") from None
    if mode & 0o077:
        raise InputError(f"approval key file {path} is readable by others (mode {mode & 0o777:o}): chmod 600 it")
    if len(text) < MIN_KEY_CHARS:
        raise InputError(f"approval key file {path} holds fewer than {MIN_KEY_CHARS} characters")
    return SecretStr(text)


def write_key_file(path: Path) -> Path:
    """A new random key, mode 600. Refuses to overwrite: a new key voids every approval."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path


def _approval_key(raw_approvals: dict, env: Mapping[str, str], file: Path) -> SecretStr | None:
    if env.get(KEY_ENV):
        if len(env[KEY_ENV].strip()) < MIN_KEY_CHARS:
            raise InputError(f"{KEY_ENV} must hold at least {MIN_KEY_CHARS} characters")
        return SecretStr(env[KEY_ENV].strip())
    named = env.get(KEY_FILE_ENV) or raw_approvals.get("key_file")
    if named:
        path = Path(str(named)).expanduser()
        if not path.is_absolute():
            path = file.parent / path  # relative to the settings file
        return read_key_file(path)
    return read_key_file(default_key_path()) if default_key_path().exists() else None


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the TOML file (if any) overlaid with environment variables for Odoo and keys.

    A missing default file means no users (read-only); a file named explicitly (argument or
    TRIAGE_CONFIG) must exist. Errors are `InputError`s with the file name, never a key.
    """
    env = os.environ if env is None else env
    for var, why in _REFUSED_ENV.items():
        if env.get(var):
            raise InputError(f"{var} is not read: {why}")
    explicit = path is not None or bool(env.get(CONFIG_ENV))
    file = Path(path) if path is not None else config_path(env)
    raw: dict = {}
    source = "defaults (no users: read-only)"
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"config file {file} is not valid TOML: {exc}") from None
        source = str(file)
    elif explicit:
        raise InputError(f"config file {file} does not exist")

    unknown = set(raw) - {"approvals", "roles", "console", "odoo", "identity", "grounding", "eval", "llm", "readers",
                          *TUNABLE_SECTIONS, *FILE_SECTIONS}
    if unknown:
        raise InputError(f"config file {file}: unknown section(s) {sorted(unknown)}")
    odoo = dict(raw.get("odoo", {}))
    for secret in ("read_key", "write_key", "key", "password", "api_key"):
        if secret in odoo:
            raise InputError(f"config file {file}: put Odoo keys in TRIAGE_ODOO_READ_KEY / "
                             f"TRIAGE_ODOO_WRITE_KEY, not in the file ([odoo] {secret})")
    env_map = {"url": "TRIAGE_ODOO_URL", "db": "TRIAGE_ODOO_DB", "protocol": "TRIAGE_ODOO_PROTOCOL",
               "read_login": "TRIAGE_ODOO_READ_LOGIN", "write_login": "TRIAGE_ODOO_WRITE_LOGIN",
               "read_key": "TRIAGE_ODOO_READ_KEY", "write_key": "TRIAGE_ODOO_WRITE_KEY",
               "timeout_s": "TRIAGE_ODOO_TIMEOUT_S", "protocol_before_19": "TRIAGE_ODOO_PROTOCOL_BEFORE_19",
               "protocol_on_19": "TRIAGE_ODOO_PROTOCOL_ON_19", "page_size": "TRIAGE_ODOO_PAGE_SIZE"}
    for field, var in env_map.items():
        if env.get(var):
            odoo[field] = env[var]

    values: dict = {"odoo": odoo, "source": source}
    for section in TUNABLE_SECTIONS:
        values[section] = _tunable_section(raw, env, section)
    values.update({name: raw[name] for name in FILE_SECTIONS if name in raw})
    if "eval" in raw:
        values["evals"] = raw["eval"]
    values["llm"] = llm_values(raw.get("llm", {}), env)
    if "readers" in raw:
        values["readers"] = raw["readers"]
    if "roles" in raw:
        values["users"] = raw["roles"]
    approvals = dict(raw.get("approvals", {}))
    if "key" in approvals:
        raise InputError(f"config file {file}: the approval key goes in a key file ([approvals] key_file) "
                         f"or {KEY_ENV}, not in the settings file")
    approvals["key"] = _approval_key(approvals, env, file)
    values["approvals"] = approvals
    identity = dict(raw.get("identity", {}))
    if env.get("TRIAGE_TOKEN"):
        identity["token"] = env["TRIAGE_TOKEN"]
    values["identity"] = identity
    if "grounding" in raw:
        values["grounding"] = raw["grounding"]
    console = dict(raw.get("console", {}))
    if "user" in console:
        raise InputError(f"config file {file}: [console] user is gone: the console signs people in "
                         "([console] passwords or a trusted proxy header)")
    if console.get("trusted_user_header"):
        values["console_trusted_header"] = console["trusted_user_header"]
    if env.get("TRIAGE_TRUSTED_USER_HEADER"):
        values["console_trusted_header"] = env["TRIAGE_TRUSTED_USER_HEADER"]
    if env.get("TRIAGE_PROXY_SECRET"):
        values["console_proxy_secret"] = env["TRIAGE_PROXY_SECRET"]
    if console.get("passwords"):
        values["console_passwords"] = console["passwords"]
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        for field, key in (("users", "roles"), ("console_passwords", "console.passwords"), ("llm", "llm")):
            if where == field or where.startswith(field + "."):
                where = key + where[len(field):]
        raise InputError(f"settings from {source}: {where}: {first['msg']}") from None
