"""Who is acting: the OS account, or the user a personal token (TRIAGE_TOKEN) maps to.

Never a name typed on the command line or put in the environment: `--as dana` proved nothing.
The role always comes from the settings file's [roles]. Console passwords are PBKDF2 hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pwd
import secrets
from dataclasses import dataclass

from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import Permission, Role, Settings

PBKDF2_ITERATIONS = 600_000


@dataclass(frozen=True)
class Identity:
    user: str
    role: Role | None
    source: str  # "OS account" | "TRIAGE_TOKEN" | "console password" | "proxy header ..."

    def can(self, settings: Settings, permission: Permission | str) -> bool:
        return settings.can(self.user, permission)


def os_account() -> str:
    """The account the process runs as, from the kernel's uid (not $USER, which anyone can set)."""
    return pwd.getpwuid(os.geteuid()).pw_name


def token_digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """(token for the user, its digest for [identity.tokens])."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def current_identity(settings: Settings) -> Identity:
    """The CLI's identity: a personal token when TRIAGE_TOKEN is set (it must be known), else the OS account."""
    token = settings.identity.token
    if token is not None:
        digest = token_digest(token.get_secret_value())
        for known, user in settings.identity.tokens.items():
            if hmac.compare_digest(known.lower(), digest):
                return Identity(user, settings.role_of(user), "TRIAGE_TOKEN")
        raise InputError("TRIAGE_TOKEN is not a token listed in the settings file's [identity.tokens]")
    user = os_account()
    return Identity(user, settings.role_of(user), "OS account")


def hash_password(password: str, *, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)
