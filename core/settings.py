"""Configuration: who may do what, how long an approval lasts, and how to reach Odoo.

Read from a TOML file (`TRIAGE_CONFIG`, default `<user config dir>/odoo-triage/config.toml`) and
environment variables, which win. Odoo API keys come from the environment only and are held as
`SecretStr`, so they never show in a repr, a log line or an exception. With no file at all the
demo users below apply, so `triage demo` works on a fresh machine.

    [approvals]
    expiry_hours = 24

    [roles]            # user = "viewer" | "reviewer" | "approver" | "admin"
    dana = "approver"

    [console]
    user = "dana"      # the identity the Streamlit console acts as (TRIAGE_USER overrides)
    # trusted_user_header = "X-Forwarded-User"   # only behind a proxy that sets it (TRIAGE_TRUSTED_USER_HEADER)

    [odoo]
    url = "https://odoo.example.com"
    db = "prod"
    protocol = "json2" # or "jsonrpc"
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
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from odoo_triage.core.errors import InputError

CONFIG_ENV = "TRIAGE_CONFIG"


class Role(StrEnum):
    viewer = "viewer"
    reviewer = "reviewer"
    approver = "approver"
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
    Role.admin: frozenset(Permission),
}

#: Used when no config file exists: enough people to show the four-eyes rule in the demo.
DEMO_USERS: dict[str, Role] = {
    "vera": Role.viewer,
    "rex": Role.reviewer,
    "dana": Role.approver,
    "omar": Role.approver,
    "ada": Role.admin,
}
DEMO_CONSOLE_USER = "dana"


class OdooSettings(BaseModel):
    """Where Odoo is and with which credentials: reads and writes use different users."""

    model_config = ConfigDict(extra="forbid")

    url: str = "http://127.0.0.1:8069"
    db: str = ""
    protocol: Literal["json2", "jsonrpc"] = "json2"
    read_login: str = "triage-read"
    read_key: SecretStr | None = None
    write_login: str = "triage-write"
    write_key: SecretStr | None = None
    timeout_s: float = Field(default=15.0, gt=0)

    @property
    def base_url(self) -> str:
        return self.url.rstrip("/")


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
    if isinstance(values.get("structured"), str):
        values["structured"] = _STRUCTURED_ALIASES.get(values["structured"], values["structured"])
    if isinstance(values.get("prices"), dict):
        merged = {k: dict(v) for k, v in DEFAULT_PRICES.items()}
        for url, models in values["prices"].items():
            merged.setdefault(str(url).rstrip("/"), {}).update(models)
        values["prices"] = merged
    return values


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: dict[str, Role] = Field(default_factory=lambda: dict(DEMO_USERS))
    approval_expiry_hours: float = Field(default=24.0, gt=0)
    console_user: str | None = DEMO_CONSOLE_USER
    # Behind an authenticating proxy: the request header naming the user (e.g. X-Forwarded-User).
    # Off by default: a header is only trusted when the deployment says the proxy sets it.
    console_trusted_header: str | None = None
    odoo: OdooSettings = Field(default_factory=OdooSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    source: str = "defaults (demo users)"  # where these settings came from, for display

    @property
    def approval_expiry(self) -> timedelta:
        return timedelta(hours=self.approval_expiry_hours)

    def role_of(self, user: str) -> Role | None:
        return self.users.get(user)

    def can(self, user: str, permission: Permission | str) -> bool:
        role = self.role_of(user)
        return role is not None and Permission(permission) in ROLE_PERMISSIONS[role]

    def users_with(self, permission: Permission | str) -> list[str]:
        return sorted(u for u in self.users if self.can(u, permission))


def default_config_path() -> Path:
    return Path(user_config_dir("odoo-triage", appauthor=False)) / "config.toml"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else default_config_path()


def load_settings(path: Path | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the TOML file (if any) overlaid with environment variables.

    A missing default file means the demo defaults; a file named explicitly (argument or
    TRIAGE_CONFIG) must exist. Errors are `InputError`s with the file name, never a key.
    """
    env = os.environ if env is None else env
    explicit = path is not None or bool(env.get(CONFIG_ENV))
    file = Path(path) if path is not None else config_path(env)
    raw: dict = {}
    source = "defaults (demo users)"
    if file.exists():
        try:
            raw = tomllib.loads(file.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"config file {file} is not valid TOML: {exc}") from None
        source = str(file)
    elif explicit:
        raise InputError(f"config file {file} does not exist")

    unknown = set(raw) - {"approvals", "roles", "console", "odoo", "llm"}
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
               "timeout_s": "TRIAGE_ODOO_TIMEOUT_S"}
    for field, var in env_map.items():
        if env.get(var):
            odoo[field] = env[var]

    values: dict = {"odoo": odoo, "source": source}
    values["llm"] = llm_values(raw.get("llm", {}), env)
    if "roles" in raw:
        values["users"] = raw["roles"]
    approvals = raw.get("approvals", {})
    if "expiry_hours" in approvals:
        values["approval_expiry_hours"] = approvals["expiry_hours"]
    if env.get("TRIAGE_APPROVAL_EXPIRY_HOURS"):
        values["approval_expiry_hours"] = env["TRIAGE_APPROVAL_EXPIRY_HOURS"]
    if "user" in raw.get("console", {}):
        values["console_user"] = raw["console"]["user"]
    elif "roles" in raw:
        values["console_user"] = None
    if env.get("TRIAGE_USER"):
        values["console_user"] = env["TRIAGE_USER"]
    if raw.get("console", {}).get("trusted_user_header"):
        values["console_trusted_header"] = raw["console"]["trusted_user_header"]
    if env.get("TRIAGE_TRUSTED_USER_HEADER"):
        values["console_trusted_header"] = env["TRIAGE_TRUSTED_USER_HEADER"]
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        for field, key in (("users", "roles"), ("approval_expiry_hours", "approvals.expiry_hours"),
                           ("console_user", "console.user"), ("llm", "llm")):
            if where == field or where.startswith(field + "."):
                where = key + where[len(field):]
        raise InputError(f"settings from {source}: {where}: {first['msg']}") from None
