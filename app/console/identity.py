"""Who is using the console: the configured user, or a trusted proxy header when enabled.

The header (e.g. X-Forwarded-User set by an authenticating reverse proxy) is only believed when
the settings name it; otherwise anyone could type any name into a request. The role always comes
from the settings' user list, never from the request.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from agent.settings import Permission, Role, Settings, config_path

HEADER_ENV = "TRIAGE_TRUSTED_USER_HEADER"


@dataclass(frozen=True)
class Reviewer:
    user: str | None
    role: Role | None
    source: str  # "header X-Forwarded-User" | "settings" | "TRIAGE_USER" | "none"

    def can(self, settings: Settings, permission: Permission | str) -> bool:
        return self.user is not None and settings.can(self.user, permission)

    @property
    def label(self) -> str:
        if self.user is None:
            return "nobody (read-only)"
        return f"{self.user} ({self.role or 'no role'})"


def trusted_header_name(settings: Settings, env: Mapping[str, str] | None = None) -> str | None:
    """The header to trust, when the configuration enables one: `[console] trusted_user_header` in
    the settings file (TRIAGE_CONFIG), or TRIAGE_TRUSTED_USER_HEADER. Off by default."""
    env = os.environ if env is None else env
    for attr in ("trusted_user_header", "console_trusted_header"):
        value = getattr(settings, attr, None)
        if value:
            return str(value)
    if env.get(HEADER_ENV):
        return env[HEADER_ENV]
    path = config_path(env)
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None  # load_settings already reports a broken file
        value = raw.get("console", {}).get("trusted_user_header")
        return str(value) if value else None
    return None


def resolve_reviewer(settings: Settings, headers: Mapping[str, str] | None = None,
                     env: Mapping[str, str] | None = None) -> Reviewer:
    header = trusted_header_name(settings, env)
    if header and headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = (lowered.get(header.lower()) or "").strip()
        if value:
            return Reviewer(value, settings.role_of(value), f"header {header}")
    user = settings.console_user
    if user:
        return Reviewer(user, settings.role_of(user), "settings")
    return Reviewer(None, None, "none")
