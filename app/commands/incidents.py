"""`triage incidents`, `triage incident ack|snooze|resolve|close|reopen|dismiss`, `triage approve-batch`
and `triage reconcile`: a reviewer's day, from the queue to an empty queue.

Ids anywhere are full ids or unique prefixes (app/ids.py). Exit codes as app/commands/approvals.py:
0 done, 2 bad input, 3 refused by an approval rule.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from odoo_triage.core.errors import InputError

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

EXIT_REFUSED = 3
DB_OPTION = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the SQLite file).")
CONFIG_OPTION = typer.Option(None, "--config", help="Settings TOML (default: TRIAGE_CONFIG or the user config file).")
AS_OPTION = typer.Option(None, "--as", help="Admins only: the person you act for (recorded in the audit log; "
                                            "the decision stays yours).")
STATUS_HELP = "open (the work left: open, proposed, acknowledged, reopened, expired snoozes; default), all, or one status."


def _store(database_url: str | None):  # type: ignore[no-untyped-def]
    from odoo_triage.agent.store import open_store

    return open_store(database_url)


def _where(store: Any) -> str:
    from odoo_triage.agent.store.database import redact_url

    return redact_url(store.url)


def _who(as_user: str | None, settings: Any) -> tuple[str, str | None]:
    """(who acts, for whom): the OS account or TRIAGE_TOKEN's user, as for every approval command."""
    from odoo_triage.app.commands.approvals import _actor

    return _actor(settings, as_user)


def _format(value: str) -> str:
    if value not in ("table", "json"):
        raise InputError(f"--format must be table or json, not {value!r}")
    return value


# --------------------------------------------------------------------------- the queue


def incident_rows(store: Any, status: str = "open") -> list[Any]:
    """Stored incidents, most severe first: the open work by default."""
    from sqlalchemy import select

    from odoo_triage.agent.lifecycle import open_work_clause
    from odoo_triage.agent.store.tables import IncidentRow
    from odoo_triage.core.domain import IncidentStatus, Severity

    q = select(IncidentRow)
    if status == "open":
        q = q.where(open_work_clause())
    elif status != "all":
        if status not in IncidentStatus.__members__:
            raise InputError(f"--status: {STATUS_HELP} Not {status!r}.")
        q = q.where(IncidentRow.status == status)
    rank = {s.value: i for i, s in enumerate(Severity)}
    with store.session() as s:
        rows = list(s.scalars(q))
    return sorted(rows, key=lambda r: (rank.get(r.severity, 9), -r.severity_score, r.incident_id))


def incidents_command(
    status: str = typer.Option("open", "--status", help=STATUS_HELP),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    database_url: str = DB_OPTION,
) -> None:
    """List incidents: the open work, most severe first, with short ids every command accepts."""
    from sqlalchemy import func, select

    from odoo_triage.agent.store.tables import ProposalRow
    from odoo_triage.app.ids import short_map

    _format(output_format)
    store = _store(database_url)
    rows = incident_rows(store, status)
    with store.session() as s:
        waiting = dict(s.execute(select(ProposalRow.incident_id, func.count()).where(
            ProposalRow.status == "proposed").group_by(ProposalRow.incident_id)).all())
    if output_format == "json":
        typer.echo(json.dumps([{
            "incident_id": r.incident_id, "severity": r.severity, "status": r.status, "title": r.title,
            "flow": r.flow, "cause": r.cause, "started_at": (r.started_at or r.window_start).isoformat(),
            "proposals_waiting": waiting.get(r.incident_id, 0), "status_reason": r.status_reason,
            "snoozed_until": r.snoozed_until.isoformat() if r.snoozed_until else None} for r in rows], indent=2))
        return
    if not rows:
        what = "open incidents" if status == "open" else f"incidents with status {status}" if status != "all" else "incidents"
        console.print(f"no {what} in {_where(store)}", highlight=False, soft_wrap=True)
        return
    short = short_map(store, "incident", [r.incident_id for r in rows])
    table = Table("severity", "status", "title", "waiting", caption=f"{len(rows)} incident(s) in {_where(store)}")
    table.add_column("incident", no_wrap=True, min_width=max(map(len, short.values())))
    for r in rows:
        table.add_row(r.severity, r.status, r.title, str(waiting.get(r.incident_id, 0)), short[r.incident_id])
    console.print(table)


# --------------------------------------------------------------------------- a reviewer's moves


def _move(to: str, incident: str, reason: str, as_user: str | None, until: str | None, database_url: str | None,
          config: Path | None) -> None:
    from odoo_triage.agent.lifecycle import set_status
    from odoo_triage.app.digest import parse_since
    from odoo_triage.app.ids import resolve_id
    from odoo_triage.core.clock import utcnow
    from odoo_triage.core.settings import Permission, load_settings

    settings = load_settings(config)
    user, _acting_for = _who(as_user, settings)
    if not settings.can(user, Permission.comment):
        raise InputError(f"{user!r} may not change incidents (reviewers, approvers and admins may)")
    store = _store(database_url)
    iid = resolve_id(store, "incident", incident)
    when = None
    if until:
        now = utcnow()
        is_span = re.fullmatch(r"\s*\d+\s*[mhdw]\s*", until) is not None
        when = now + (now - parse_since(until, now)) if is_span else _future(until)
    row = set_status(store, iid, to, user, reason, until=when, settings=settings.lifecycle)
    extra = f" until {row.snoozed_until:%Y-%m-%d %H:%M} UTC" if row.snoozed_until else ""
    console.print(f"incident {iid} is {row.status}{extra} ({user}: {reason})", highlight=False)


def _future(value: str) -> Any:
    from datetime import UTC, datetime

    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--until {value!r}: expected 4h, 2d or an ISO date") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


incident_app = typer.Typer(help="Change an incident's status, with a reason (audited).", no_args_is_help=True)


def _verb(to: str, doc: str, with_until: bool = False) -> None:
    def command(
        incident: str = typer.Argument(..., help="Incident id or unique prefix."),
        reason: str = typer.Option(..., "--reason", help="Why (required, kept in the audit log)."),
        until: str = typer.Option(None, "--until", help="Snooze until: 4h, 2d or an ISO date.", hidden=not with_until),
        as_user: str = AS_OPTION,
        database_url: str = DB_OPTION,
        config: Path = CONFIG_OPTION,
    ) -> None:
        if to == "snoozed" and not until:
            raise InputError("snooze needs --until (4h, 2d or an ISO date)")
        _move(to, incident, reason, as_user, until, database_url, config)

    command.__doc__ = doc
    incident_app.command({"acknowledged": "ack", "snoozed": "snooze", "resolved": "resolve", "closed": "close",
                          "reopened": "reopen", "dismissed": "dismiss"}[to])(command)


_verb("acknowledged", "Acknowledge: you own it; it stays in the queue as yours.")
_verb("snoozed", "Snooze until a time: out of the queue, back by itself when the time comes.", with_until=True)
_verb("resolved", "Resolve by hand (a run normally does this when the flow is healthy again).")
_verb("closed", "Close: nothing more to do.")
_verb("reopened", "Reopen a resolved, closed or dismissed incident.")
_verb("dismissed", "Dismiss: not a problem (a re-run keeps it dismissed).")


# --------------------------------------------------------------------------- batches


def approve_batch_command(
    incident: str = typer.Argument(..., help="Incident id or unique prefix: its waiting proposals are the batch."),
    action: str = typer.Option(None, "--action", help="Only proposals of this action (merge_partners, post_note, ...)."),
    only: list[str] = typer.Option(None, "--only", help="Only these proposals (ids or prefixes; repeatable)."),
    skip: list[str] = typer.Option(None, "--except", help="Leave these out (ids or prefixes; repeatable)."),
    reason: str = typer.Option("", "--reason", help="Why (kept with every approval)."),
    yes: bool = typer.Option(False, "--yes", help="Approve without listing the batch first."),
    as_user: str = AS_OPTION,
    database_url: str = DB_OPTION,
    config: Path = CONFIG_OPTION,
) -> None:
    """Approve an incident's waiting proposals as one batch: each keeps its own payload hash and
    approval (the same rules as `triage approve`, one by one); --only / --except select."""
    from odoo_triage.agent.approvals import ApprovalRefused, approve, list_proposals
    from odoo_triage.app.ids import resolve_id
    from odoo_triage.core.settings import load_settings

    settings = load_settings(config)
    user, acting_for = _who(as_user, settings)
    store = _store(database_url)
    iid = resolve_id(store, "incident", incident)
    chosen = {resolve_id(store, "proposal", p) for p in only or []}
    left_out = {resolve_id(store, "proposal", p) for p in skip or []}
    batch = [p for p in list_proposals(store, "proposed") if p.incident_id == iid
             and (not action or p.action == action) and (not chosen or p.proposal_id in chosen)
             and p.proposal_id not in left_out]
    if not batch:
        console.print(f"nothing waiting for approval in incident {iid} (store {_where(store)})", highlight=False, soft_wrap=True)
        return
    if not yes:
        table = Table("proposal", "action", "payload hash", title=f"batch of {len(batch)} in incident {iid}")
        for p in batch:
            table.add_row(p.proposal_id, p.action, p.payload_hash[:12])
        console.print(table)
        typer.confirm(f"approve these {len(batch)} proposal(s) as {user}?", abort=True)
    refused = 0
    for p in batch:
        try:
            approve(store, p.proposal_id, user, reason, settings, acting_for=acting_for)
        except ApprovalRefused as exc:
            refused += 1
            err_console.print(f"[red]refused ({exc.code}):[/] {p.proposal_id}: {exc.reason}", highlight=False)
    console.print(f"approved {len(batch) - refused} of {len(batch)} proposal(s) in incident {iid} as {user}",
                  highlight=False)
    if refused:
        raise typer.Exit(EXIT_REFUSED)


# --------------------------------------------------------------------------- reconcile


def reconcile_command(
    proposals: list[str] = typer.Argument(None, help="Only these proposals (default: every stale running execution)."),
    as_user: str = AS_OPTION,
    output_format: str = typer.Option("table", "--format", help="table or json."),
    database_url: str = DB_OPTION,
    config: Path = CONFIG_OPTION,
) -> None:
    """End executions left `running` by an interrupted executor: read Odoo (read-only user), then
    mark each executed or failed, audited. Nothing is written to Odoo."""
    from odoo_triage.agent.odoo_records import read_gateway
    from odoo_triage.agent.reconcile import reconcile, stale_executions
    from odoo_triage.app.ids import resolve_id
    from odoo_triage.core.settings import Permission, load_settings

    _format(output_format)
    settings = load_settings(config)
    user, _acting_for = _who(as_user, settings)
    if not settings.can(user, Permission.execute):
        raise InputError(f"{user!r} may not reconcile executions (approvers and admins may)")
    store = _store(database_url)
    ids = [resolve_id(store, "proposal", p) for p in proposals or []]
    older = timedelta(minutes=settings.lifecycle.reconcile_after_min)
    if not ids and not stale_executions(store, older):
        console.print(f"no execution left running for over {older} in {_where(store)}", highlight=False, soft_wrap=True)
        return
    with read_gateway(settings) as gw:
        done = reconcile(store, gw, user, proposal_ids=ids or None, older_than=older)
    if output_format == "json":
        typer.echo(json.dumps([vars(d) for d in done], indent=2))
        return
    for d in done:
        console.print(f"{d.proposal_id}: {d.status}: {d.summary}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("incidents")(incidents_command)
    app.add_typer(incident_app, name="incident")
    app.command("approve-batch")(approve_batch_command)
    app.command("reconcile")(reconcile_command)
