"""Reconcile executions left `running`: an executor killed after it claimed an execution leaves the
proposal `approved` with a `running` execution forever (execute and reject both refuse).

Reconciling reads Odoo with the read-only user, decides from what Odoo holds whether the action took
effect, and ends the execution `executed` or `failed` through the approvals module's own finish
(so the proposal, the execution row, the incident and the audit log agree). Nothing is written to
Odoo; a failed one needs a new proposal, never a second run of the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from odoo_triage.agent.actions import ArchiveProject, Escalate, MergePartners, PostNote, RequeueJobs, SetField
from odoo_triage.agent.approvals import _finish, action_of, get_proposal
from odoo_triage.agent.preview import read_targets
from odoo_triage.agent.store import Store
from odoo_triage.agent.store.tables import ExecutionRow
from odoo_triage.core.clock import utcnow


@dataclass
class Reconciled:
    proposal_id: str
    status: str  # executed | failed | skipped
    summary: str


def stale_executions(store: Store, older_than: timedelta, now: datetime | None = None) -> list[ExecutionRow]:
    """Executions still `running` that started longer ago than `older_than`."""
    cutoff = (now or utcnow()) - older_than
    with store.session() as s:
        rows = list(s.scalars(select(ExecutionRow).where(ExecutionRow.status == "running")
                              .order_by(ExecutionRow.started_at)))
    return [r for r in rows if (r.started_at if r.started_at.tzinfo else r.started_at.replace(tzinfo=UTC)) <= cutoff]


def took_effect(gateway: Any, action: Any) -> tuple[bool, str, dict[str, Any]]:
    """(did it happen, why we think so, what Odoo holds), read with the read-only user."""
    if isinstance(action, Escalate):
        return False, "an escalation leaves no trace in Odoo: it cannot be confirmed", {}
    if isinstance(action, PostNote):
        found = gateway.search_read("mail.message", [["model", "=", action.model], ["res_id", "=", action.record_id],
                                                     ["body", "=", action.body]], ["id"])
        return bool(found), ("the note is on the record" if found else "no such note on the record"), \
            {"messages": [m["id"] for m in found]}
    held = read_targets(gateway, action)
    if isinstance(action, MergePartners):
        partners = held.get("res.partner", {})
        left = [i for i in action.source_ids if str(i) in partners]
        done = not left and str(action.destination_id) in partners
        why = (f"sources {action.source_ids} are gone, {action.destination_id} remains" if done
               else f"res.partner {left} still exist")
        return done, why, held
    if isinstance(action, ArchiveProject):
        rec = held.get("project.project", {}).get(str(action.project_id))
        done = rec is not None and not rec.get("active")
        return done, ("the project is archived" if done else "the project is still active"), held
    if isinstance(action, SetField):
        rec = held.get(action.model, {}).get(str(action.record_id)) or {}
        done = rec.get(action.field) == action.value
        return done, (f"{action.field} holds the new value" if done else f"{action.field} is {rec.get(action.field)!r}"), held
    if isinstance(action, RequeueJobs):
        jobs = held.get("queue.job", {})
        still_failed = [u for u, j in jobs.items() if j.get("state") == "failed"]
        done = bool(jobs) and not still_failed
        return done, (f"{len(jobs)} job(s) left the failed state" if done
                      else f"{len(still_failed)} of {len(jobs)} job(s) still failed"), held
    return False, f"cannot confirm {type(action).__name__}", held


def reconcile(store: Store, gateway: Any, user: str, *, proposal_ids: list[str] | None = None,
              older_than: timedelta = timedelta(minutes=10)) -> list[Reconciled]:
    """End every stale `running` execution (or the ones named) as executed or failed, audited."""
    rows = stale_executions(store, timedelta(0) if proposal_ids else older_than)
    if proposal_ids:
        rows = [r for r in rows if r.proposal_id in set(proposal_ids)]
    out = []
    for ex in rows:
        prop = get_proposal(store, ex.proposal_id)
        if prop is None:
            continue
        action = action_of(prop)
        done, why, held = took_effect(gateway, action)
        status = "executed" if done else "failed"
        summary = f"reconciled after an interrupted execution: {why}"
        _finish(store, prop, user, status, [c.render() for c in action.odoo_calls()], summary,
                None if done else why, None if done else "reconcile",
                {"reconciled": True, "interrupted_execution_by": ex.executed_by, "odoo_holds": held})
        out.append(Reconciled(ex.proposal_id, status, summary))
    return out
