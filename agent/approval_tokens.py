"""HMAC seals for approvals, and the one-use token the gateway demands before any Odoo write.

The key is server-side (TRIAGE_APPROVAL_KEY or a key file, core.settings), never in the database:
someone who can write the store can rewrite a payload and both stored hashes, or insert an
approval row, but cannot produce the seal, so the executor and the gateway refuse it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from odoo_triage.core.domain import payload_hash


class ApprovalTokenInvalid(Exception):
    """No token, a forged or stale one, or one for another action."""


def _utc(dt: datetime | None) -> str:
    if dt is None:
        return ""
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _mac(key: SecretStr | None, purpose: str, fields: dict[str, Any]) -> str:
    if key is None:
        raise ApprovalTokenInvalid("no approval key configured (TRIAGE_APPROVAL_KEY or [approvals] key_file)")
    body = json.dumps({"purpose": purpose, **fields}, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key.get_secret_value().encode(), body.encode(), hashlib.sha256).hexdigest()


def seal_approval(key: SecretStr | None, proposal_id: str, payload_digest: str, decided_by: str,
                  decided_at: datetime, expires_at: datetime | None) -> str:
    """The seal stored on an approval row: binds who, what (the payload hash) and until when."""
    return _mac(key, "approval", {"proposal_id": proposal_id, "payload_hash": payload_digest,
                                  "decided_by": decided_by, "decided_at": _utc(decided_at),
                                  "expires_at": _utc(expires_at)})


def approval_seal_ok(key: SecretStr | None, signature: str | None, proposal_id: str, payload_digest: str,
                     decided_by: str, decided_at: datetime, expires_at: datetime | None) -> bool:
    if not signature or key is None:
        return False
    good = seal_approval(key, proposal_id, payload_digest, decided_by, decided_at, expires_at)
    return hmac.compare_digest(good, signature)


def action_digest(action: Any) -> str:
    """The hash of the typed action as the gateway will run it."""
    return payload_hash(action.model_dump(mode="json"))


class ApprovalToken(BaseModel):
    """Minted by agent.approvals.execute after every rule passed; verified by the gateway before writing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    proposal_id: str
    action_digest: str
    approvers: tuple[str, ...]
    expires_at: datetime
    signature: str


def mint_token(key: SecretStr | None, proposal_id: str, action: Any, approvers: list[str],
               expires_at: datetime) -> ApprovalToken:
    fields = {"proposal_id": proposal_id, "action_digest": action_digest(action),
              "approvers": sorted(approvers), "expires_at": _utc(expires_at)}
    return ApprovalToken(proposal_id=proposal_id, action_digest=fields["action_digest"],
                         approvers=tuple(sorted(approvers)), expires_at=expires_at,
                         signature=_mac(key, "execute", fields))


def verify_token(key: SecretStr | None, token: ApprovalToken | None, action: Any, now: datetime) -> None:
    """Raise ApprovalTokenInvalid unless `token` is a genuine, unexpired approval of exactly `action`."""
    if token is None:
        raise ApprovalTokenInvalid("no approval token (every Odoo write goes through agent.approvals.execute)")
    fields = {"proposal_id": token.proposal_id, "action_digest": token.action_digest,
              "approvers": sorted(token.approvers), "expires_at": _utc(token.expires_at)}
    if not hmac.compare_digest(_mac(key, "execute", fields), token.signature):
        raise ApprovalTokenInvalid("the approval token's signature does not verify")
    if token.action_digest != action_digest(action):
        raise ApprovalTokenInvalid("the approval token is for another action")
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=UTC)
    if expires <= now:
        raise ApprovalTokenInvalid("the approval token has expired")
