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

    [matcher]          # duplicate matching (core.settings.MatcherSettings)
    threshold = 0.5

    [odoo]
    url = "https://odoo.example.com"
    db = "prod"
    protocol = "json2" # or "jsonrpc"
    read_login = "triage-read"
    write_login = "triage-write"
    timeout_s = 15
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


class MatcherSettings(BaseModel):
    """Duplicate matching knobs ([matcher] in the config file)."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)  # match probability a pair needs
    random_pairs: int = Field(default=200_000, gt=0)  # partners: u is counted on this many random pairs
    fit_pairs: int = Field(default=400_000, gt=0)  # partners: m and the prior are learnt on a sample this big
    min_labels: int = Field(default=4, ge=1)  # reviewer labels before the calibration moves
    label_strength: float = Field(default=4.0, gt=0)  # the calibration's pull back to (1, 0), in labels
    vat_cap: float = Field(default=0.01, ge=0.0, le=1.0)  # two different valid VAT numbers
    phase_cap: float = Field(default=0.05, ge=0.0, le=1.0)  # projects: another phase / follow-up
    code_cap: float = Field(default=0.05, ge=0.0, le=1.0)  # projects: another project number


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: dict[str, Role] = Field(default_factory=lambda: dict(DEMO_USERS))
    approval_expiry_hours: float = Field(default=24.0, gt=0)
    console_user: str | None = DEMO_CONSOLE_USER
    # Behind an authenticating proxy: the request header naming the user (e.g. X-Forwarded-User).
    # Off by default: a header is only trusted when the deployment says the proxy sets it.
    console_trusted_header: str | None = None
    odoo: OdooSettings = Field(default_factory=OdooSettings)
    matcher: MatcherSettings = Field(default_factory=MatcherSettings)
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

    unknown = set(raw) - {"approvals", "roles", "console", "odoo", "matcher"}
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
    if "matcher" in raw:
        values["matcher"] = raw["matcher"]
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
                           ("console_user", "console.user")):
            if where == field or where.startswith(field + "."):
                where = key + where[len(field):]
        raise InputError(f"settings from {source}: {where}: {first['msg']}") from None
