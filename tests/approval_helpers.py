"""Tests that drive the gateway directly stand in for agent.approvals.execute: they mint a real token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from odoo_triage.agent.approval_tokens import ApprovalToken, mint_token
from odoo_triage.agent.odoo_gateway import ActionOutcome, OdooGateway
from odoo_triage.core.clock import utcnow
from tests.conftest import TEST_APPROVAL_KEY

KEY = SecretStr(TEST_APPROVAL_KEY)


def token_for(action: Any, proposal_id: str = "p-test") -> ApprovalToken:
    return mint_token(KEY, proposal_id, action, ["dana"], utcnow() + timedelta(hours=1))


class ApprovedGateway(OdooGateway):
    """An OdooGateway whose writes carry a genuine token, as if approvals.execute had minted it."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("approval_key", KEY)
        super().__init__(*args, **kw)

    def execute_action(self, action: Any, dry_run: bool = False, *, approval: ApprovalToken | None = None
                       ) -> ActionOutcome:
        return super().execute_action(action, dry_run, approval=approval or token_for(action))
