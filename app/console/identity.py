"""Who is using the console: the configured user, or a trusted proxy header when enabled.

The header (e.g. X-Forwarded-User set by an authenticating reverse proxy) is only believed when
the settings name it; otherwise anyone could type any name into a request. The role always comes
from the settings' user list, never from the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from odoo_triage.core.settings import Permission, Role, Settings


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


def trusted_header_name(settings: Settings) -> str | None:
    """The header to trust, when the configuration enables one (`[console] trusted_user_header` or
    TRIAGE_TRUSTED_USER_HEADER, read by core.settings). Off by default."""
    return settings.console_trusted_header


def resolve_reviewer(settings: Settings, headers: Mapping[str, str] | None = None) -> Reviewer:
    header = trusted_header_name(settings)
    if header and headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = (lowered.get(header.lower()) or "").strip()
        if value:
            return Reviewer(value, settings.role_of(value), f"header {header}")
    user = settings.console_user
    if user:
        return Reviewer(user, settings.role_of(user), "settings")
    return Reviewer(None, None, "none")
