"""Who is using the console: someone who signed in, or a trusted proxy's header; otherwise nobody.

Nobody signed in means read-only: the page shows everything and every button is disabled. Two
ways in, both from the settings file, never from what a request merely claims:

- a password sign-in against PBKDF2 hashes in `[console] passwords` (`triage hash-password`);
- behind an authenticating reverse proxy: the header the settings name (e.g. X-Forwarded-User),
  believed only on requests that also carry the proxy's shared secret (TRIAGE_PROXY_SECRET) in
  X-Triage-Proxy-Secret, so a client that reaches the console around the proxy cannot pose as anyone.

The role always comes from the settings' [roles], never from the request.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from odoo_triage.core.identity import verify_password
from odoo_triage.core.settings import Permission, Role, Settings

PROXY_SECRET_HEADER = "X-Triage-Proxy-Secret"
SESSION_KEY = "signed_in_user"  # st.session_state key: lives on the server, set only by `sign_in`


@dataclass(frozen=True)
class Reviewer:
    user: str | None
    role: Role | None
    source: str  # "header X-Forwarded-User" | "password" | "none"

    def can(self, settings: Settings, permission: Permission | str) -> bool:
        return self.user is not None and settings.can(self.user, permission)

    @property
    def label(self) -> str:
        if self.user is None:
            return "nobody (read-only)"
        return f"{self.user} ({self.role or 'no role'})"


def trusted_header_name(settings: Settings) -> str | None:
    """The header to trust, when the configuration enables one and a proxy secret guards it."""
    if settings.console_trusted_header and settings.console_proxy_secret is not None:
        return settings.console_trusted_header
    return None


def _proxy_vouches(settings: Settings, lowered: Mapping[str, str]) -> bool:
    secret = settings.console_proxy_secret
    sent = lowered.get(PROXY_SECRET_HEADER.lower(), "")
    return secret is not None and bool(sent) and hmac.compare_digest(sent.encode(), secret.get_secret_value().encode())


def sign_in(settings: Settings, user: str, password: str) -> Reviewer | None:
    """The reviewer, when `password` matches the stored hash of `user`; None otherwise."""
    stored = settings.console_passwords.get(user.strip())
    if not stored or not verify_password(password, stored):
        return None
    return Reviewer(user.strip(), settings.role_of(user.strip()), "password")


def can_sign_in(settings: Settings) -> bool:
    return bool(settings.console_passwords)


def resolve_reviewer(settings: Settings, headers: Mapping[str, str] | None = None,
                     signed_in: str | None = None) -> Reviewer:
    header = trusted_header_name(settings)
    if header and headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = (lowered.get(header.lower()) or "").strip()
        if value and _proxy_vouches(settings, lowered):
            return Reviewer(value, settings.role_of(value), f"header {header}")
    if signed_in and signed_in in settings.console_passwords:
        return Reviewer(signed_in, settings.role_of(signed_in), "password")
    return Reviewer(None, None, "none")
