"""The approval workflow: proposed -> approved | rejected -> executed | failed, stored with SQLAlchemy.

The rules (docs/CONTRIBUTING.md): no Odoo write without a recorded human approval; the approval is
bound to the payload hash and sealed with an HMAC under a server-side key (agent.approval_tokens;
a row someone wrote into the store without the key does not count); the approver is not the
proposer; high-risk actions can need two distinct approvers; approvals expire, never later than
the settings file's maximum; execution happens at most once, enforced by the database (the UNIQUE
executions.proposal_id row is committed before Odoo is called, together with a conditional UPDATE
on the proposal) and the gateway only writes with the token minted here; every attempt, success
or refusal is appended to the hash-chained audit log (agent.store.audit_chain). A refusal is both
an audit entry and an `ApprovalRefused` subclass. Callers pass the *verified* identity
(core.identity), never a name someone typed.

Console / CLI use:

    settings = load_settings()
    propose(store, proposal)                          # the agent does this
    approve(store, pid, "dana", "looks right", settings)
    result = execute(store, pid, "dana", OdooGateway.from_settings(settings), settings=settings)
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, Literal, cast, overload

from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import CursorResult, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from odoo_triage.agent.actions import MergePartners, OdooCall, _Action, parse_action
from odoo_triage.agent.approval_tokens import approval_seal_ok, mint_token, seal_approval
from odoo_triage.agent.lifecycle import note_execution
from odoo_triage.agent.redact import redact_obj
from odoo_triage.agent.store import Store, audit_chain
from odoo_triage.agent.store.match_labels import record_merge_decision
from odoo_triage.agent.store.tables import ApprovalRow, AuditRow, ExecutionRow, ProposalRow
from odoo_triage.core.domain import (
    WRITE_ACTIONS,
    ActionName,
    Approval,
    AuditEntry,
    Decision,
    ProposalStatus,
    RemediationProposal,
    payload_hash,
    utcnow,
)
from odoo_triage.core.settings import Permission, Settings, load_settings

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- refusals


class ApprovalRefused(Exception):
    """A rule said no. `code` is the audit event suffix (`refused:<code>`), `reason` the one line."""

    code = "refused"

    def __init__(self, reason: str, proposal_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.proposal_id = proposal_id


class UnknownProposal(ApprovalRefused):
    code = "unknown_proposal"


class InvalidAction(ApprovalRefused):
    code = "invalid_action"


class RoleNotAllowed(ApprovalRefused):
    code = "role_not_allowed"


class SelfApproval(ApprovalRefused):
    code = "self_approval"


class PayloadChanged(ApprovalRefused):
    code = "payload_changed"


class ApprovalExpired(ApprovalRefused):
    code = "expired"


class NotApproved(ApprovalRefused):
    code = "not_approved"


class ForgedApproval(ApprovalRefused):
    """An approval row whose HMAC seal does not verify: written around this module."""

    code = "forged_approval"


class NoApprovalKey(ApprovalRefused):
    code = "no_approval_key"


class AlreadyDecided(ApprovalRefused):
    code = "already_decided"


class ReasonRequired(ApprovalRefused):
    code = "reason_required"


class OdooUnavailable(ApprovalRefused):
    """Odoo cannot be used right now (no key, unreachable, bad login): nothing was claimed or run."""

    code = "odoo_unavailable"


class AlreadyExecuted(ApprovalRefused):
    code = "already_executed"


class ConcurrentExecution(AlreadyExecuted):
    """Another executor holds (or finished) the one execution this proposal may have."""

    code = "concurrent_execution"


# --------------------------------------------------------------------------- results


class ExecutionResult(BaseModel):
    proposal_id: str
    status: Literal["executed", "failed", "dry_run"]
    executed_by: str
    action: str
    calls: list[str] = Field(default_factory=list)
    summary: str = ""
    error: str | None = None  # Odoo's message when status is failed
    error_name: str | None = None  # Odoo's exception class, e.g. odoo.exceptions.UserError
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "failed" and self.error is None


@overload
def _aware(dt: datetime) -> datetime: ...


@overload
def _aware(dt: None) -> None: ...


def _aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything here is UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _audit(s: Session, actor: str, event: str, proposal_id: str | None = None, incident_id: str | None = None,
           **detail: Any) -> None:
    audit_chain.append(s, actor, event, proposal_id, incident_id, redact_obj(_jsonable(detail)))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj


def _refuse(store: Store, exc: ApprovalRefused, actor: str, incident_id: str | None = None,
            **detail: Any) -> ApprovalRefused:
    """Append the refusal to the audit log in its own transaction; the caller raises it."""
    with store.session() as s:
        _audit(s, actor, f"refused:{exc.code}", exc.proposal_id, incident_id, reason=exc.reason, **detail)
    log.info("refused %s for %s on %s: %s", exc.code, actor, exc.proposal_id, exc.reason)
    return exc


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else load_settings()


def _require(store: Store, settings: Settings, user: str, permission: Permission, row: ProposalRow | None,
             pid: str, what: str) -> None:
    if not settings.can(user, permission):
        role = settings.role_of(user)
        why = (f"{user!r} is not a configured user" if role is None
               else f"{user!r} is a {role.value}, who may not {what}")
        raise _refuse(store, RoleNotAllowed(f"{why} (allowed: {', '.join(settings.users_with(permission)) or 'nobody'})",
                                            pid), user, row.incident_id if row else None, role=str(role or ""))


def _load(store: Store, pid: str, actor: str) -> ProposalRow:
    row = get_proposal(store, pid)
    if row is None:
        raise _refuse(store, UnknownProposal(f"no proposal {pid!r}", pid), actor)
    return row


# --------------------------------------------------------------------------- queries


def get_proposal(store: Store, proposal_id: str) -> ProposalRow | None:
    with store.session() as s:
        return s.get(ProposalRow, proposal_id)


def list_proposals(store: Store, status: ProposalStatus | str | None = None, limit: int | None = None
                   ) -> list[ProposalRow]:
    """Newest first."""
    q = select(ProposalRow).order_by(ProposalRow.created_at.desc(), ProposalRow.proposal_id)
    if status:
        q = q.where(ProposalRow.status == str(ProposalStatus(status)))
    if limit:
        q = q.limit(limit)
    with store.session() as s:
        return list(s.scalars(q))


def approvals_for(store: Store, proposal_id: str) -> list[Approval]:
    with store.session() as s:
        rows = s.scalars(select(ApprovalRow).where(ApprovalRow.proposal_id == proposal_id).order_by(ApprovalRow.id))
        return [Approval(proposal_id=r.proposal_id, decision=Decision(r.decision), decided_by=r.decided_by,
                         reason=r.reason, payload_hash=r.payload_hash, decided_at=_aware(r.decided_at),
                         expires_at=_aware(r.expires_at)) for r in rows]


def _approval_rows(store: Store, proposal_id: str) -> list[ApprovalRow]:
    with store.session() as s:
        return list(s.scalars(select(ApprovalRow).where(ApprovalRow.proposal_id == proposal_id)
                              .order_by(ApprovalRow.id)))


def standing_approvals(store: Store, row: ProposalRow, settings: Settings
                       ) -> tuple[list[Approval], list[str], list[Approval]]:
    """(the approvals that count now, why rows that claim to be approvals are not, the expired ones).

    Counted: approvals after the last rejection, of the current payload hash, unexpired, sealed by
    the key, not by the proposer, one per person, with an expiry within the settings' maximum.
    """
    rows = _approval_rows(store, row.proposal_id)
    last_reject = max((i for i, r in enumerate(rows) if r.decision == Decision.rejected), default=-1)
    key = settings.approvals.key
    max_span = settings.approvals.max_expiry_hours * 3600
    now = utcnow()
    good: dict[str, Approval] = {}
    bad: list[str] = []
    expired: list[Approval] = []
    for r in rows[last_reject + 1:]:
        if r.decision != Decision.approved:
            continue
        decided, expires = _aware(r.decided_at), _aware(r.expires_at)
        if not approval_seal_ok(key, r.signature, r.proposal_id, r.payload_hash, r.decided_by, decided, expires):
            bad.append(f"approval row {r.id} by {r.decided_by!r} is not sealed by the approval key")
            continue
        if r.payload_hash != row.payload_hash or payload_hash(row.payload) != r.payload_hash:
            continue
        if r.decided_by == row.proposed_by or expires is None or (expires - decided).total_seconds() > max_span:
            continue
        approval = Approval(proposal_id=r.proposal_id, decision=Decision.approved, decided_by=r.decided_by,
                            reason=r.reason, payload_hash=r.payload_hash, decided_at=decided, expires_at=expires)
        if expires <= now:
            expired.append(approval)
            continue
        good.setdefault(r.decided_by, approval)
    return list(good.values()), bad, expired


def current_approval(store: Store, proposal_id: str) -> Approval | None:
    """The latest approval, if the latest decision is one (a later rejection cancels it)."""
    decisions = approvals_for(store, proposal_id)
    return decisions[-1] if decisions and decisions[-1].decision == Decision.approved else None


def execution_for(store: Store, proposal_id: str) -> ExecutionRow | None:
    with store.session() as s:
        return s.scalars(select(ExecutionRow).where(ExecutionRow.proposal_id == proposal_id)).one_or_none()


def audit_trail(store: Store, proposal_id: str | None = None, limit: int = 500) -> list[AuditEntry]:
    """The last `limit` audit entries (of one proposal, or all), oldest first."""
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if proposal_id:
        q = q.where(AuditRow.proposal_id == proposal_id)
    with store.session() as s:
        rows = list(s.scalars(q))
    return [AuditEntry(at=_aware(r.at), actor=r.actor, event=r.event, proposal_id=r.proposal_id,
                       incident_id=r.incident_id, detail=r.detail or {}) for r in reversed(rows)]


def action_of(row: ProposalRow | RemediationProposal) -> _Action:
    """The typed action a stored proposal carries (pydantic.ValidationError if it no longer parses)."""
    if isinstance(row, RemediationProposal):
        return parse_action(str(row.action), row.params)
    return parse_action(row.payload["action"], row.payload.get("params") or {})


def proposal_calls(row: ProposalRow | RemediationProposal) -> list[OdooCall]:
    """The exact Odoo calls, for display before approval."""
    return action_of(row).odoo_calls()


def is_write(row: ProposalRow | RemediationProposal) -> bool:
    return ActionName(row.action) in WRITE_ACTIONS


# --------------------------------------------------------------------------- transitions


def propose(store: Store, proposal: RemediationProposal) -> ProposalRow:
    """Record a proposal (idempotent on proposal_id). A changed payload under the same id revises it:
    status back to proposed, and any earlier approval is void because its hash no longer matches."""
    actor = proposal.proposed_by
    try:
        parse_action(str(proposal.action), proposal.params)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _refuse(store, InvalidAction(f"{proposal.action}: {where}: {first['msg']}", proposal.proposal_id),
                      actor, proposal.incident_id) from None
    payload, digest = proposal.payload, proposal.payload_hash
    with store.session() as s:
        row = s.get(ProposalRow, proposal.proposal_id, with_for_update=True)
        if row is not None and row.payload_hash == digest:
            return row
        if row is not None:
            if row.status in (ProposalStatus.executed, ProposalStatus.failed) or s.scalar(
                    select(exists().where(ExecutionRow.proposal_id == row.proposal_id))):
                raise AlreadyExecuted(f"proposal {row.proposal_id} already ran; make a new proposal",
                                      row.proposal_id)
            old = row.payload_hash
            row.payload, row.payload_hash, row.status = payload, digest, str(ProposalStatus.proposed)
            row.rationale, row.evidence_ids, row.updated_at = proposal.rationale, list(proposal.evidence_ids), utcnow()
            # a void marker: approvals given before this revision never count again, even if the payload
            # is later revised back to what they approved
            s.add(ApprovalRow(proposal_id=row.proposal_id, decision=str(Decision.rejected), decided_by=actor,
                              reason="payload revised: earlier approvals are void", payload_hash=digest,
                              decided_at=utcnow()))
            _audit(s, actor, "revised", row.proposal_id, row.incident_id, old_hash=old, payload_hash=digest,
                   payload=payload)
            return row
        row = ProposalRow(proposal_id=proposal.proposal_id, incident_id=proposal.incident_id,
                          action=str(proposal.action), payload=payload, payload_hash=digest,
                          status=str(ProposalStatus.proposed), proposed_by=actor, rationale=proposal.rationale,
                          evidence_ids=list(proposal.evidence_ids), created_at=proposal.created_at,
                          updated_at=utcnow())
        s.add(row)
        _audit(s, actor, "proposed", row.proposal_id, row.incident_id, action=row.action, payload=payload,
               payload_hash=digest)
    return row


def _check_payload(store: Store, row: ProposalRow, actor: str) -> None:
    if payload_hash(row.payload) != row.payload_hash:
        raise _refuse(store, PayloadChanged(f"the stored payload of {row.proposal_id} no longer matches its hash",
                                            row.proposal_id), actor, row.incident_id,
                      stored_hash=row.payload_hash, actual_hash=payload_hash(row.payload))


def approve(store: Store, proposal_id: str, user: str, reason: str = "", settings: Settings | None = None,
            *, acting_for: str | None = None) -> Approval:
    """Approve the proposal's exact payload, for the configured expiry, sealed with the approval key.

    Four eyes: not the proposer; actions listed in [approvals] two_approvers need a second,
    distinct approver before they are `approved`. `acting_for` (an admin acting for someone) is
    only recorded: the approval is the admin's own.
    """
    settings = _settings(settings)
    row = _load(store, proposal_id, user)
    _require(store, settings, user, Permission.approve, row, proposal_id, "approve")
    if user == row.proposed_by:
        raise _refuse(store, SelfApproval(f"{user!r} proposed {proposal_id} and cannot also approve it",
                                          proposal_id), user, row.incident_id)
    _check_payload(store, row, user)
    key = settings.approvals.key
    if key is None:
        raise _refuse(store, NoApprovalKey("no approval key is configured (TRIAGE_APPROVAL_KEY or [approvals] "
                                           "key_file): approvals cannot be sealed", proposal_id), user,
                      row.incident_id)
    if row.status not in (ProposalStatus.proposed, ProposalStatus.approved):
        raise _refuse(store, AlreadyDecided(f"proposal {proposal_id} is already {row.status}", proposal_id),
                      user, row.incident_id, status=row.status)
    standing, _forged, _expired = standing_approvals(store, row, settings)
    needed = settings.approvals.approvers_needed(row.action)
    names = [a.decided_by for a in standing]
    if user in names:
        raise _refuse(store, AlreadyDecided(
            f"{user!r} already approved {proposal_id}" + (f"; it needs {needed - len(names)} more distinct "
                                                        f"approver(s)" if len(names) < needed else ""),
            proposal_id), user, row.incident_id, status=row.status)
    if len(names) >= needed:
        raise _refuse(store, AlreadyDecided(f"proposal {proposal_id} is already approved by {', '.join(names)}",
                                            proposal_id), user, row.incident_id, status=row.status)
    now = utcnow()
    expires = now + settings.approval_expiry
    status = ProposalStatus.approved if len(names) + 1 >= needed else ProposalStatus.proposed
    signature = seal_approval(key, proposal_id, row.payload_hash, user, now, expires)
    with store.session() as s:
        s.get(ProposalRow, proposal_id, with_for_update=True)
        changed = cast("CursorResult[Any]", s.execute(
            update(ProposalRow)
            .where(ProposalRow.proposal_id == proposal_id, ProposalRow.status == row.status,
                   ProposalRow.payload_hash == row.payload_hash,
                   ~exists().where(ExecutionRow.proposal_id == proposal_id))
            .values(status=str(status), updated_at=now)
        )).rowcount
        if changed == 1:
            s.add(ApprovalRow(proposal_id=proposal_id, decision=str(Decision.approved), decided_by=user,
                              reason=reason, payload_hash=row.payload_hash, decided_at=now, expires_at=expires,
                              signature=signature))
            _audit(s, user, "approved", proposal_id, row.incident_id, reason=reason, payload_hash=row.payload_hash,
                   expires_at=expires, renewed=row.status == ProposalStatus.approved,
                   approvals=f"{len(names) + 1} of {needed}", acting_for=acting_for)
    if changed != 1:
        raise _refuse(store, AlreadyDecided(f"proposal {proposal_id} changed while approving; look again",
                                            proposal_id), user, row.incident_id)
    _label_merge(store, row, True, user, settings)
    return Approval(proposal_id=proposal_id, decision=Decision.approved, decided_by=user, reason=reason,
                    payload_hash=row.payload_hash, decided_at=now, expires_at=expires)


def reject(store: Store, proposal_id: str, user: str, reason: str, settings: Settings | None = None,
           *, acting_for: str | None = None) -> Approval:
    """Reject a proposed or approved (not yet executed) proposal; a reason is required."""
    settings = _settings(settings)
    row = _load(store, proposal_id, user)
    _require(store, settings, user, Permission.reject, row, proposal_id, "reject")
    if not (reason or "").strip():
        raise _refuse(store, ReasonRequired("a rejection needs a reason", proposal_id), user, row.incident_id)
    if row.status not in (ProposalStatus.proposed, ProposalStatus.approved):
        raise _refuse(store, AlreadyDecided(f"proposal {proposal_id} is already {row.status}", proposal_id),
                      user, row.incident_id, status=row.status)
    now = utcnow()
    with store.session() as s:
        s.get(ProposalRow, proposal_id, with_for_update=True)
        changed = cast("CursorResult[Any]", s.execute(
            update(ProposalRow)
            .where(ProposalRow.proposal_id == proposal_id,
                   ProposalRow.status.in_([str(ProposalStatus.proposed), str(ProposalStatus.approved)]),
                   ~exists().where(ExecutionRow.proposal_id == proposal_id))
            .values(status=str(ProposalStatus.rejected), updated_at=now)
        )).rowcount
        if changed == 1:
            s.add(ApprovalRow(proposal_id=proposal_id, decision=str(Decision.rejected), decided_by=user,
                              reason=reason, payload_hash=row.payload_hash, decided_at=now))
            _audit(s, user, "rejected", proposal_id, row.incident_id, reason=reason, payload_hash=row.payload_hash,
                   acting_for=acting_for)
    if changed != 1:
        raise _refuse(store, AlreadyExecuted(f"proposal {proposal_id} is executing or ran already", proposal_id),
                      user, row.incident_id)
    _label_merge(store, row, False, user, settings)
    return Approval(proposal_id=proposal_id, decision=Decision.rejected, decided_by=user, reason=reason,
                    payload_hash=row.payload_hash, decided_at=now)


def _label_merge(store: Store, row: ProposalRow, approved: bool, user: str, settings: Settings) -> None:
    """A decided partner merge is a reviewer label for the matcher's next runs on this database."""
    action = action_of(row)
    if isinstance(action, MergePartners):
        record_merge_decision(store, action.partner_ids, approved, user, row.proposal_id, settings.odoo.db)


def comment(store: Store, proposal_id: str, user: str, text: str, settings: Settings | None = None) -> AuditEntry:
    """A reviewer's note on a proposal, kept in the audit log."""
    settings = _settings(settings)
    row = _load(store, proposal_id, user)
    _require(store, settings, user, Permission.comment, row, proposal_id, "comment")
    with store.session() as s:
        _audit(s, user, "commented", proposal_id, row.incident_id, text=text)
    return AuditEntry(actor=user, event="commented", proposal_id=proposal_id, incident_id=row.incident_id,
                      detail={"text": text})


def execute(store: Store, proposal_id: str, user: str, gateway: Any = None, dry_run: bool = False,
            settings: Settings | None = None, *, acting_for: str | None = None) -> ExecutionResult:
    """Run an approved proposal once through the gateway (agent.odoo_gateway.OdooGateway).

    Odoo errors end the proposal as `failed` with Odoo's message (returned, not raised) and are not
    retried. Dry-run needs no approval, writes nothing, leaves the approval unused, and is audited.
    """
    from odoo_triage.agent.odoo_gateway import OdooError

    settings = _settings(settings)
    row = _load(store, proposal_id, user)
    if dry_run:
        return _dry_run(store, row, user, gateway, settings)
    _require(store, settings, user, Permission.execute, row, proposal_id, "execute")
    done = execution_for(store, proposal_id)
    if done is not None or row.status in (ProposalStatus.executed, ProposalStatus.failed):
        state = done.status if done else row.status
        raise _refuse(store, AlreadyExecuted(
            f"proposal {proposal_id} was already executed ({state}) by {done.executed_by if done else 'someone'}; "
            "it never runs twice", proposal_id), user, row.incident_id, execution_status=state)
    if row.status != ProposalStatus.approved:
        needed = settings.approvals.approvers_needed(row.action)
        more = (f" (it needs {needed} distinct approvers)" if needed > 1 and row.status == ProposalStatus.proposed
                else "")
        raise _refuse(store, NotApproved(f"proposal {proposal_id} is {row.status}, not approved{more}", proposal_id),
                      user, row.incident_id, status=row.status)
    if payload_hash(row.payload) != row.payload_hash:
        raise _refuse(store, PayloadChanged(
            f"the payload of {proposal_id} no longer matches its hash: any approval is void", proposal_id),
            user, row.incident_id, stored_hash=row.payload_hash, actual_hash=payload_hash(row.payload))
    standing, forged, expired = standing_approvals(store, row, settings)
    if forged:
        raise _refuse(store, ForgedApproval(f"{forged[0]}; nothing was run", proposal_id), user, row.incident_id,
                      forged=forged[:5])
    needed = settings.approvals.approvers_needed(row.action)
    if len(standing) < needed and expired:
        last = expired[-1]
        raise _refuse(store, ApprovalExpired(
            f"the approval of {proposal_id} by {last.decided_by} expired at {last.expires_at:%Y-%m-%d %H:%M} UTC",
            proposal_id), user, row.incident_id, expires_at=last.expires_at)
    if len(standing) < needed:
        have = f"{len(standing)} standing approval(s)" + (f" ({', '.join(a.decided_by for a in standing)})"
                                                          if standing else "")
        raise _refuse(store, NotApproved(
            f"proposal {proposal_id} needs {needed} distinct approver(s) who are not its proposer, with an "
            f"unexpired approval of its current payload; it has {have}", proposal_id), user, row.incident_id)
    approval = standing[-1]
    try:
        action = action_of(row)
    except PydanticValidationError as exc:
        raise _refuse(store, InvalidAction(f"stored action no longer parses: {exc.errors()[0]['msg']}",
                                           proposal_id), user, row.incident_id) from None
    if gateway is None and action.odoo_calls():
        raise ValueError("execute() needs an OdooGateway for an action that calls Odoo")
    if gateway is not None and hasattr(gateway, "preflight"):
        try:
            gateway.preflight(action)
        except OdooError as exc:
            raise _refuse(store, OdooUnavailable(f"Odoo is not usable, nothing was run: {exc}", proposal_id),
                          user, row.incident_id, error_name=exc.name) from None

    _claim(store, row, user, approval, acting_for)
    token = mint_token(settings.approvals.key, proposal_id, action, [a.decided_by for a in standing],
                       min(a.expires_at for a in standing if a.expires_at is not None))

    status: Literal["executed", "failed"] = "executed"
    error = error_name = None
    calls = [c.render() for c in action.odoo_calls()]
    summary, details = "", {}
    try:
        if gateway is not None:
            outcome = gateway.execute_action(action, approval=token)
        else:  # escalate: nothing goes to Odoo
            from odoo_triage.agent.odoo_gateway import offline_outcome

            outcome = offline_outcome(action)
        calls, summary, details = outcome.calls, outcome.summary, dict(outcome.details)
        details.update(noop=outcome.noop, confirmed_after_timeout=outcome.confirmed_after_timeout)
    except OdooError as exc:
        status, error, error_name = "failed", exc.message, exc.name or type(exc).__name__
        summary = f"failed: {exc}"
    except Exception as exc:  # unknown outcome: record it as failed, never leave it running
        status, error, error_name = "failed", f"{type(exc).__name__}: {exc}", type(exc).__name__
        summary = f"failed: {error}"
        _finish(store, row, user, status, calls, summary, error, error_name, details)
        raise
    _finish(store, row, user, status, calls, summary, error, error_name, details)
    return ExecutionResult(proposal_id=proposal_id, status=status, executed_by=user, action=row.action, calls=calls,
                           summary=summary, error=error, error_name=error_name, details=details)


def _claim(store: Store, row: ProposalRow, user: str, approval: Approval, acting_for: str | None = None) -> None:
    """Commit the one execution row before Odoo is called: a second executor fails here."""
    pid = row.proposal_id
    try:
        with store.session() as s:
            s.execute(insert(ExecutionRow).values(proposal_id=pid, payload_hash=approval.payload_hash,
                                                  executed_by=user, status="running", started_at=utcnow()))
            changed = cast("CursorResult[Any]", s.execute(
                update(ProposalRow)
                .where(ProposalRow.proposal_id == pid, ProposalRow.status == str(ProposalStatus.approved),
                       ProposalRow.payload_hash == approval.payload_hash)
                .values(updated_at=utcnow())
            )).rowcount
            if changed != 1:
                raise NotApproved(f"proposal {pid} changed (rejected or revised) before execution", pid)
            _audit(s, user, "execution_started", pid, row.incident_id, payload_hash=approval.payload_hash,
                   approved_by=approval.decided_by, acting_for=acting_for)
    except IntegrityError:
        raise _refuse(store, ConcurrentExecution(
            f"proposal {pid} is already being executed or was executed by someone else; it never runs twice",
            pid), user, row.incident_id) from None
    except NotApproved as exc:
        raise _refuse(store, exc, user, row.incident_id) from None


def _finish(store: Store, row: ProposalRow, user: str, status: str, calls: list[str], summary: str,
            error: str | None, error_name: str | None, details: dict[str, Any]) -> None:
    result = _jsonable({"status": status, "summary": summary, "calls": calls, "error": error,
                        "error_name": error_name, "details": details})
    with store.session() as s:
        s.execute(update(ExecutionRow).where(ExecutionRow.proposal_id == row.proposal_id)
                  .values(status=status, result=result, finished_at=utcnow()))
        s.execute(update(ProposalRow).where(ProposalRow.proposal_id == row.proposal_id)
                  .values(status=status, result=result, updated_at=utcnow()))
        _audit(s, user, status, row.proposal_id, row.incident_id, summary=summary, calls=calls, error=error,
               error_name=error_name, details=details)
        note_execution(s, row.incident_id, status, user)  # the incident is now being mitigated


def _dry_run(store: Store, row: ProposalRow, user: str, gateway: Any, settings: Settings) -> ExecutionResult:
    from odoo_triage.agent.odoo_gateway import OdooError

    _require(store, settings, user, Permission.read, row, row.proposal_id, "preview")
    try:
        action = action_of(row)
    except PydanticValidationError as exc:
        raise _refuse(store, InvalidAction(f"stored action no longer parses: {exc.errors()[0]['msg']}",
                                           row.proposal_id), user, row.incident_id) from None
    calls = [c.render() for c in action.odoo_calls()]
    summary, details, error, error_name = f"would run {len(calls)} Odoo call(s)", {}, None, None
    if gateway is not None:
        try:
            outcome = gateway.execute_action(action, dry_run=True)
            calls, summary, details = outcome.calls, outcome.summary, dict(outcome.details)
        except OdooError as exc:
            error, error_name, summary = exc.message, exc.name or type(exc).__name__, f"would fail: {exc}"
    with store.session() as s:
        _audit(s, user, "dry_run", row.proposal_id, row.incident_id, calls=calls, summary=summary, error=error,
               error_name=error_name)
    return ExecutionResult(proposal_id=row.proposal_id, status="dry_run", executed_by=user, action=row.action,
                           calls=calls, summary=summary, error=error, error_name=error_name, details=details)
