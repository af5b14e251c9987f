"""Incident lifecycle: incidents that end, and a queue that only counts open work.

    open -> proposed -> mitigating (a fix executed) -> resolved (a later run saw the flow healthy,
    or the duplicates gone) -> closed;  resolved | closed -> reopened when the problem returns;
    acknowledged / snoozed (until a time) by a reviewer, with a reason.

Machine moves happen in `status_on_rerun` (an incident seen again), `note_execution` (a fix ran) and
`after_run` (what a run no longer sees). Every move, by a person or the pipeline, is an audit entry
`incident:<status>` with the old status, the new one and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from odoo_triage.agent.redact import redact_obj
from odoo_triage.agent.store import Store, audit_chain
from odoo_triage.agent.store.database import redact_url
from odoo_triage.agent.store.tables import IncidentRow, ProposalRow
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import OPEN_WORK_STATUSES, Incident, IncidentStatus
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import LifecycleSettings

S = IncidentStatus
PIPELINE_ACTOR = "triage-lifecycle"
OPEN_WORK = sorted(str(s) for s in OPEN_WORK_STATUSES)
#: statuses the pipeline may still move by itself (a person's acknowledge/snooze/dismiss is kept)
MACHINE_OWNED = {S.open, S.proposed, S.reopened}
#: what a reviewer may do, from where; each needs a reason
HUMAN_MOVES: dict[S, set[S]] = {
    S.acknowledged: {S.open, S.proposed, S.reopened, S.snoozed, S.mitigating},
    S.snoozed: {S.open, S.proposed, S.reopened, S.acknowledged, S.mitigating},
    S.resolved: {S.open, S.proposed, S.reopened, S.acknowledged, S.snoozed, S.mitigating},
    S.closed: {S.open, S.proposed, S.reopened, S.acknowledged, S.snoozed, S.mitigating, S.resolved, S.dismissed},
    S.reopened: {S.resolved, S.closed, S.dismissed, S.snoozed, S.acknowledged, S.mitigating},
    S.dismissed: {S.open, S.proposed, S.reopened, S.acknowledged, S.snoozed},
}


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def is_open_work(status: str, snoozed_until: datetime | None = None, now: datetime | None = None) -> bool:
    """Open work, counting a snooze that has run out as open again."""
    if status in OPEN_WORK:
        return True
    until = _aware(snoozed_until)
    return status == S.snoozed and until is not None and until <= (now or utcnow())


def open_work_clause(now: datetime | None = None) -> Any:
    """The SQL filter for `is_open_work`, for queries over IncidentRow."""
    return or_(IncidentRow.status.in_(OPEN_WORK),
               and_(IncidentRow.status == str(S.snoozed), IncidentRow.snoozed_until <= (now or utcnow())))


def _audit(s: Session, actor: str, event: str, incident_id: str, **detail: Any) -> None:
    """One audit entry (the same append-only table the approvals write), redacted."""
    plain = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in detail.items()}
    audit_chain.append(s, actor, event, None, incident_id, redact_obj(plain))


def _move(s: Session, row: IncidentRow, to: S, actor: str, reason: str = "", **detail: Any) -> None:
    old = row.status
    if old == str(to) and not detail.get("until"):
        return
    now = utcnow()
    row.status, row.status_by, row.status_reason, row.status_changed_at = str(to), actor, reason or None, now
    if to != S.snoozed:
        row.snoozed_until = None
    _audit(s, actor, f"incident:{to}", row.incident_id, **{"from": old, "to": str(to), "reason": reason}, **detail)


# --------------------------------------------------------------------------- a reviewer's moves


def set_status(store: Store, incident_id: str, to: S | str, actor: str, reason: str, *,
               until: datetime | None = None, settings: LifecycleSettings | None = None) -> IncidentRow:
    """Acknowledge, snooze (until), resolve, close, reopen or dismiss, with a reason; refused
    (InputError) when the move makes no sense from where the incident is."""
    to = S(to)
    settings = settings or LifecycleSettings()
    if to not in HUMAN_MOVES:
        raise InputError(f"a reviewer cannot set an incident to {to}; one of {', '.join(HUMAN_MOVES)}")
    if not (reason or "").strip():
        raise InputError(f"{to} needs a reason (--reason)")
    now = utcnow()
    if to == S.snoozed:
        if until is None or until <= now:
            raise InputError("a snooze needs a time in the future (--until 24h or an ISO date)")
        if until - now > timedelta(hours=settings.max_snooze_h):
            raise InputError(f"a snooze may last at most {settings.max_snooze_h:g} h")
    with store.session() as s:
        row = s.get(IncidentRow, incident_id, with_for_update=True)
        if row is None:
            raise InputError(f"no incident {incident_id!r} in the store {redact_url(store.url)}")
        if S(row.status) not in HUMAN_MOVES[to]:
            raise InputError(f"incident {incident_id} is {row.status}; it cannot become {to}")
        extra: dict[str, Any] = {}
        if to == S.snoozed:
            row.snoozed_until = until
            extra["until"] = until
        if to == S.resolved:
            row.resolved_as_of = _aware(row.window_end)
        _move(s, row, to, actor, reason.strip(), **extra)
        if to == S.snoozed:
            row.snoozed_until = until
    return row


# --------------------------------------------------------------------------- the pipeline's moves


def status_on_rerun(s: Session, row: IncidentRow, inc: Incident, actor: str = PIPELINE_ACTOR) -> None:
    """A run produced this incident again: keep a person's status, follow the pipeline's, reopen
    a resolved or closed incident when the new evidence is later than what showed it healthy."""
    current = S(row.status)
    if current in (S.open, S.proposed):
        if str(inc.status) != row.status:
            _move(s, row, S(inc.status), actor, "proposals made" if inc.status == S.proposed else "")
        return
    if current in (S.resolved, S.closed):
        healthy_at = _aware(row.resolved_as_of) or _aware(row.window_end)
        if healthy_at is not None and _aware(inc.window_end) > healthy_at:  # type: ignore[operator]
            _move(s, row, S.reopened, actor, f"seen again in a run up to {inc.window_end:%Y-%m-%d %H:%M} UTC")
            row.resolved_as_of = None


def note_execution(s: Session, incident_id: str | None, status: str, actor: str) -> None:
    """A proposal of the incident was executed: once none of its batch waits any more (approved or
    not yet), the incident is being mitigated. Call after the proposal's own status is updated."""
    if not incident_id or status != "executed":
        return
    row = s.get(IncidentRow, incident_id)
    if row is None or S(row.status) in (S.mitigating, S.resolved, S.closed, S.dismissed):
        return
    waiting = s.scalar(select(func.count()).select_from(ProposalRow).where(
        ProposalRow.incident_id == incident_id, ProposalRow.status.in_(["proposed", "approved"])))
    if waiting:
        return
    _move(s, row, S.mitigating, actor, "its fixes were executed")


def flow_last_seen(flow_stats: Any) -> dict[str, datetime]:
    """flow -> the end of its last logged hour, from the detectors' hourly flow_stats frame."""
    if flow_stats is None or getattr(flow_stats, "empty", True):
        return {}
    out: dict[str, datetime] = {}
    for flow, hour in flow_stats.groupby("flow")["hour"].max().items():
        out[str(flow)] = hour.to_pydatetime() + timedelta(hours=1)
    return out


def after_run(
    store: Store,
    seen_ids: Iterable[str],
    *,
    last_seen: Mapping[str, datetime] | None = None,
    rescanned_flows: Iterable[str] = (),
    settings: LifecycleSettings | None = None,
    actor: str = PIPELINE_ACTOR,
) -> dict[str, int]:
    """What a run no longer sees ends. An incident of a flow the run read, absent from the run and
    followed by at least `healthy_after_h` of logs, is resolved; a duplicates incident whose model
    was matched again without it is resolved (the duplicates are gone). Resolved incidents older
    than `close_after_h` are closed. Returns how many moved where."""
    settings = settings or LifecycleSettings()
    seen, last_seen, rescanned = set(seen_ids), dict(last_seen or {}), set(rescanned_flows)
    margin = timedelta(hours=settings.healthy_after_h)
    now = utcnow()
    moved = {"resolved": 0, "closed": 0}
    active = [str(x) for x in (S.open, S.proposed, S.reopened, S.acknowledged, S.mitigating, S.snoozed)]
    with store.session() as s:
        for row in s.scalars(select(IncidentRow).where(IncidentRow.status.in_(active))):
            if row.incident_id in seen:
                continue
            end = _aware(row.window_end)
            if row.flow in rescanned:
                _move(s, row, S.resolved, actor, "a later match no longer finds these duplicates")
                row.resolved_as_of = now
                moved["resolved"] += 1
            elif row.flow in last_seen and end is not None and last_seen[row.flow] >= end + margin:
                healthy = last_seen[row.flow]
                _move(s, row, S.resolved, actor, f"flow healthy up to {healthy:%Y-%m-%d %H:%M} UTC",
                      healthy_until=healthy)
                row.resolved_as_of = healthy
                moved["resolved"] += 1
        if settings.close_after_h > 0:
            cutoff = now - timedelta(hours=settings.close_after_h)
            for row in s.scalars(select(IncidentRow).where(IncidentRow.status == str(S.resolved))):
                changed = _aware(row.status_changed_at)
                if changed is not None and changed <= cutoff:
                    _move(s, row, S.closed, actor, f"resolved for {settings.close_after_h:g} h")
                    moved["closed"] += 1
    return moved


def status_counts(store: Store, now: datetime | None = None) -> dict[str, int]:
    """How many incidents are in each status, plus `open_work` (what the queue shows)."""
    now = now or utcnow()
    with store.session() as s:
        rows = s.execute(select(IncidentRow.status, IncidentRow.snoozed_until)).all()
    out: dict[str, int] = {}
    for status, _until in rows:
        out[status] = out.get(status, 0) + 1
    out["open_work"] = sum(1 for status, until in rows if is_open_work(status, until, now))
    return out
