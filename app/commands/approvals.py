"""`triage proposals | show-proposal | approve | reject | execute | audit`, and the demo's approval stage.

Exit codes: 0 done; 2 bad input (core.errors.InputError, one line); 3 refused by an approval rule
(one line `refused (<code>): <reason>`, also in the audit log); 4 executed but Odoo failed (the
proposal is `failed` with Odoo's message); 5 `audit verify` found the audit log tampered with.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.console import Console
from rich.table import Table

from odoo_triage.core.errors import InputError

if TYPE_CHECKING:
    from odoo_triage.agent.actions import MergePartners
    from odoo_triage.app.demo import DemoContext

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

EXIT_REFUSED = 3
EXIT_ODOO_FAILED = 4
EXIT_AUDIT_BROKEN = 5

DB_OPTION = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the SQLite file).")
CONFIG_OPTION = typer.Option(None, "--config", help="Settings TOML (default: TRIAGE_CONFIG or the user config file).")


def _store(database_url: str | None):  # type: ignore[no-untyped-def]
    from odoo_triage.agent.store import open_store

    return open_store(database_url)


def _settings(config: Path | None):  # type: ignore[no-untyped-def]
    from odoo_triage.core.settings import load_settings

    return load_settings(config)


AS_OPTION = typer.Option(None, "--as", help="Admins only: the person you act for (recorded in the audit log; "
                                            "the decision stays yours).")


def _actor(settings, as_user: str | None) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    """(who acts, for whom): the OS account or TRIAGE_TOKEN's user, never a name typed here."""
    from odoo_triage.core.identity import current_identity
    from odoo_triage.core.settings import Permission

    me = current_identity(settings)
    if as_user and as_user != me.user:
        if not settings.can(me.user, Permission.admin):
            raise InputError(f"--as is for admins acting for someone; you are {me.user!r} "
                             f"({me.role or 'no role'}, identity from {me.source})")
        return me.user, as_user
    return me.user, None


def _refused(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]refused ({getattr(exc, 'code', 'refused')}):[/] {getattr(exc, 'reason', exc)}",
                      highlight=False)
    return typer.Exit(EXIT_REFUSED)


def _resolve(store: Any, given: str, kind: str = "proposal") -> str:
    from odoo_triage.app.ids import resolve_id

    return resolve_id(store, kind, given)


def _where(store: Any) -> str:
    from odoo_triage.agent.store.database import redact_url

    return redact_url(store.url)


def _check_format(output_format: str) -> None:
    if output_format not in ("table", "json"):
        raise InputError(f"--format must be table or json, not {output_format!r}")


def proposals_command(
    status: str = typer.Option(None, "--status", help="proposed, approved, rejected, executed or failed."),
    incident: str = typer.Option(None, "--incident", help="Only this incident's proposals (id or unique prefix)."),
    limit: int = typer.Option(200, "--limit", help="At most this many, newest first."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    database_url: str = DB_OPTION,
) -> None:
    """List remediation proposals (ids are short unique prefixes every command accepts)."""
    from odoo_triage.agent.approvals import list_proposals
    from odoo_triage.app.ids import short_map
    from odoo_triage.core.domain import ProposalStatus

    _check_format(output_format)
    if status and status not in ProposalStatus.__members__:
        raise InputError(f"--status must be one of {', '.join(ProposalStatus)}, not {status!r}")
    store = _store(database_url)
    rows = list_proposals(store, status, None if incident else limit)
    if incident:
        inc = _resolve(store, incident, "incident")
        rows = [r for r in rows if r.incident_id == inc][:limit]
    if output_format == "json":
        typer.echo(json.dumps([{"proposal_id": r.proposal_id, "status": r.status, "action": r.action,
                                "incident_id": r.incident_id, "proposed_by": r.proposed_by,
                                "payload_hash": r.payload_hash, "created_at": r.created_at.isoformat()}
                               for r in rows], indent=2))
        return
    if not rows:
        console.print("no proposals" + (f" with status {status}" if status else "") + f" in {_where(store)}",
                      highlight=False, soft_wrap=True)
        return
    short = short_map(store, "proposal", [r.proposal_id for r in rows])
    short_inc = short_map(store, "incident", [r.incident_id for r in rows])
    table = Table("status", "action", "proposed by", "created", caption=f"{len(rows)} proposal(s) in {_where(store)}")
    table.add_column("proposal", no_wrap=True, min_width=max(len(v) for v in short.values()))
    table.add_column("incident", no_wrap=True, min_width=max(len(v) for v in short_inc.values()))
    for r in rows:
        table.add_row(r.status, r.action, r.proposed_by, r.created_at.strftime("%Y-%m-%d %H:%M"),
                      short[r.proposal_id], short_inc[r.incident_id])
    console.print(table)


def show_proposal_command(proposal_id: str = typer.Argument(..., help="The proposal id (or a unique prefix)."),
                          all_ids: bool = typer.Option(False, "--all", help="Every id in full (payload and calls)."),
                          database_url: str = DB_OPTION) -> None:
    """Show a proposal with the exact Odoo calls it would make, its decisions and execution."""
    from odoo_triage.agent.approvals import approvals_for, execution_for, get_proposal, proposal_calls
    from odoo_triage.agent.preview import compact_call, compact_params, job_table

    store = _store(database_url)
    proposal_id = _resolve(store, proposal_id)
    row = get_proposal(store, proposal_id)
    if row is None:
        raise InputError(f"no proposal {proposal_id!r} in {_where(store)}")
    console.print(f"[bold]{row.proposal_id}[/]  {row.status}  {row.action}  incident {row.incident_id}")
    console.print(f"proposed by {row.proposed_by} at {row.created_at:%Y-%m-%d %H:%M}; payload hash {row.payload_hash}")
    if row.rationale:
        console.print(f"why: {row.rationale}", highlight=False)
    params = row.payload.get("params") or {}
    shown = {"action": row.payload.get("action"), "params": params if all_ids else compact_params(params)}
    console.print(f"payload: {json.dumps(shown, sort_keys=True, default=str)}", highlight=False)
    try:
        calls = proposal_calls(row)
    except ValueError as exc:
        console.print(f"[red]the stored action does not parse:[/] {exc}")
        calls = []
    console.print("[bold]Odoo calls[/]" + ("" if calls else ": none (nothing is written to Odoo)"))
    for i, call in enumerate(calls, 1):
        console.print(f"  {i}. {call.render() if all_ids else compact_call(call)}", highlight=False)
        if call.purpose:
            console.print(f"     [dim]{call.purpose}[/]", highlight=False)
    if row.action == "requeue_jobs":
        console.print(_jobs_table(job_table(list(params.get("job_uuids") or []), _incident_evidence(store, row))))
    for cluster_id in row.evidence_ids or []:
        _print_comparison(store, cluster_id)
    for a in approvals_for(store, proposal_id):
        expiry = f", expires {a.expires_at:%Y-%m-%d %H:%M} UTC" if a.expires_at else ""
        console.print(f"{a.decision} by {a.decided_by} at {a.decided_at:%Y-%m-%d %H:%M}{expiry}: {a.reason}",
                      highlight=False)
    ex = execution_for(store, proposal_id)
    if ex is not None:
        summary = (ex.result or {}).get("summary", "")
        console.print(f"execution: {ex.status} by {ex.executed_by} at {ex.started_at:%Y-%m-%d %H:%M}: {summary}",
                      highlight=False)


def _print_comparison(store: Any, cluster_id: str) -> None:
    """A merge's duplicate cluster, field by field (the console's side-by-side table)."""
    from odoo_triage.app.console.data import cluster_side_by_side

    got = cluster_side_by_side(store, cluster_id)
    if got is None or got[0].empty:
        return
    df, meta = got
    table = Table(*[c for c in df.columns if c != "differs"], title=f"{meta['model']} cluster {cluster_id}, "
                  f"p={meta['probability']:.2f} (* = the records differ)")
    for rec in df.to_dict("records"):
        mark = " *" if rec.pop("differs") else ""
        table.add_row(*(f"{v}{mark}" if k == "field" else ("" if v is None or v != v else str(v))  # None, NaN
                        for k, v in rec.items()))
    console.print(table)


def _incident_evidence(store: Any, row: Any) -> list[dict[str, Any]]:
    from odoo_triage.agent.store.tables import IncidentRow

    with store.session() as s:
        inc = s.get(IncidentRow, row.incident_id)
        return list((inc.data or {}).get("evidence", [])) if inc is not None else []


def _jobs_table(rows: list[dict[str, Any]]) -> Table:
    from odoo_triage.agent.preview import JOB_COLUMNS

    table = Table(title=f"{len(rows)} job(s) to requeue")
    for c in JOB_COLUMNS:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in JOB_COLUMNS))
    return table


def approve_command(
    proposal_id: str = typer.Argument(..., help="The proposal id (or a unique prefix)."),
    reason: str = typer.Option("", "--reason", help="Why."),
    as_user: str = AS_OPTION,
    database_url: str = DB_OPTION,
    config: Path = CONFIG_OPTION,
) -> None:
    """Approve a proposal's exact payload as yourself (OS account or TRIAGE_TOKEN; not your own proposal)."""
    from odoo_triage.agent.approvals import ApprovalRefused, approve

    settings = _settings(config)
    user, acting_for = _actor(settings, as_user)
    store = _store(database_url)
    proposal_id = _resolve(store, proposal_id)
    try:
        a = approve(store, proposal_id, user, reason, settings, acting_for=acting_for)
    except ApprovalRefused as exc:
        raise _refused(exc) from None
    console.print(f"approved {proposal_id} by {a.decided_by}; payload hash {a.payload_hash[:12]}…; "
                  f"expires {a.expires_at:%Y-%m-%d %H:%M} UTC")


def reject_command(
    proposal_id: str = typer.Argument(..., help="The proposal id (or a unique prefix)."),
    reason: str = typer.Option(..., "--reason", help="Why (required)."),
    as_user: str = AS_OPTION,
    database_url: str = DB_OPTION,
    config: Path = CONFIG_OPTION,
) -> None:
    """Reject a proposal as yourself (reviewer, approver or admin)."""
    from odoo_triage.agent.approvals import ApprovalRefused, reject

    settings = _settings(config)
    user, acting_for = _actor(settings, as_user)
    store = _store(database_url)
    proposal_id = _resolve(store, proposal_id)
    try:
        reject(store, proposal_id, user, reason, settings, acting_for=acting_for)
    except ApprovalRefused as exc:
        raise _refused(exc) from None
    console.print(f"rejected {proposal_id} by {user}: {reason}", highlight=False)


def execute_command(
    proposal_id: str = typer.Argument(..., help="The proposal id (or a unique prefix)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the exact calls and what Odoo holds; write nothing."),
    as_user: str = AS_OPTION,
    database_url: str = DB_OPTION,
    config: Path = CONFIG_OPTION,
) -> None:
    """Execute an approved proposal once against Odoo as yourself (approver, executor or admin)."""
    from odoo_triage.agent.approvals import ApprovalRefused, execute, get_proposal, proposal_calls
    from odoo_triage.agent.odoo_gateway import OdooGateway

    settings = _settings(config)
    as_user, acting_for = _actor(settings, as_user)
    store = _store(database_url)
    proposal_id = _resolve(store, proposal_id)
    row = get_proposal(store, proposal_id)
    needs_odoo = row is not None and bool(_safe_calls(proposal_calls, row))
    gateway = OdooGateway.from_settings(settings) if needs_odoo else None
    preview: dict[str, Any] = {}
    try:
        result = execute(store, proposal_id, as_user, gateway, dry_run=dry_run, settings=settings,
                         acting_for=acting_for)
        if dry_run and gateway is not None and result.error is None:
            preview = _dry_run_preview(gateway, row)
    except ApprovalRefused as exc:
        raise _refused(exc) from None
    finally:
        if gateway is not None:
            gateway.close()
    for call in result.calls:
        console.print(f"  {call}", highlight=False)
    if dry_run:
        _print_preview(preview)
        if result.error is not None or preview.get("error"):
            why = result.error or preview.get("error")
            err_console.print(f"[red]{result.summary if result.error else 'would fail'}[/] "
                              f"({result.error_name or 'read'}: {why})", highlight=False)
            raise typer.Exit(EXIT_ODOO_FAILED)
    if result.status == "failed":
        err_console.print(f"[red]failed:[/] {result.error_name}: {result.error}", highlight=False)
        raise typer.Exit(EXIT_ODOO_FAILED)
    note = f" ({result.error_name}: {result.error})" if result.error and result.error not in result.summary else ""
    console.print(f"{result.status}: {result.summary}{note}", highlight=False)


def _dry_run_preview(gateway: Any, row: Any) -> dict[str, Any]:
    """The target records as Odoo holds them now (read-only user), as they will be after, and the diff."""
    from odoo_triage.agent.approvals import action_of
    from odoo_triage.agent.odoo_gateway import OdooError
    from odoo_triage.agent.preview import diff, missing_targets, predict_after, read_targets

    action = action_of(row)
    try:
        before = read_targets(gateway, action)
    except OdooError as exc:
        return {"error": f"cannot read the target records: {exc}"}
    after = predict_after(action, before)
    return {"before": before, "diff": diff(before, after), "missing": missing_targets(action, before)}


def _print_preview(preview: dict[str, Any]) -> None:
    if not preview or "before" not in preview:
        return
    console.print("[bold]Target records as Odoo holds them now[/] (read-only user):")
    for model, recs in preview["before"].items():
        for key, rec in recs.items():
            console.print(f"  {model}:{key} {json.dumps(rec, sort_keys=True, default=str)}", highlight=False)
    for ref in preview["missing"]:
        console.print(f"  [yellow]{ref}: not in Odoo[/]", highlight=False)
    if preview["diff"]:
        table = Table("record", "field", "now", "after", title="What will change")
        for d in preview["diff"]:
            table.add_row(d["record"], d["field"], d["now"], d["after"])
        console.print(table)


def _safe_calls(fn: Any, row: Any) -> list[Any]:
    try:
        return fn(row)
    except ValueError:
        return []


def audit_command(
    what: str = typer.Argument(None, help="`verify`: check the hash chain and name the first broken link."),
    proposal: str = typer.Option(None, "--proposal", help="Only this proposal's entries."),
    limit: int = typer.Option(200, "--limit", help="The last N entries."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    anchor: str = typer.Option(None, "--anchor", help="With verify: a `<seq>:<hash>` an earlier verify printed "
                                                      "(kept outside the database); a rewritten chain fails it."),
    database_url: str = DB_OPTION,
) -> None:
    """The append-only, hash-chained audit log: who did what, when and why (`triage audit verify` checks it)."""
    from odoo_triage.agent.approvals import audit_trail

    _check_format(output_format)
    if what not in (None, "verify"):
        raise InputError(f"unknown audit subcommand {what!r}: use `triage audit` or `triage audit verify`")
    if what == "verify":
        from odoo_triage.agent.store import audit_chain

        report = audit_chain.verify(_store(database_url), anchor)
        if output_format == "json":
            typer.echo(json.dumps(report.__dict__, default=str))
        else:
            (console if report.ok else err_console).print(report.line(), highlight=False)
        if not report.ok:
            raise typer.Exit(EXIT_AUDIT_BROKEN)
        return
    store = _store(database_url)
    entries = audit_trail(store, _resolve(store, proposal) if proposal else None, limit)
    if output_format == "json":
        typer.echo(json.dumps([e.model_dump(mode="json") for e in entries], indent=2))
        return
    if not entries:
        console.print(f"no audit entries in {_where(store)}", highlight=False, soft_wrap=True)
        return
    table = Table("at (UTC)", "actor", "event", "proposal", "detail")
    for e in entries:
        d = e.detail
        detail = d.get("reason") or d.get("summary") or d.get("error") or d.get("text") or ""
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.event, e.proposal_id or "", str(detail)[:120])
    console.print(table)


def whoami_command(config: Path = CONFIG_OPTION) -> None:
    """Who the CLI acts as (OS account or TRIAGE_TOKEN) and the role the settings file gives them."""
    from odoo_triage.core.identity import current_identity

    settings = _settings(config)
    me = current_identity(settings)
    console.print(f"{me.user} ({me.role or 'no role: read-only'}); identity from {me.source}; "
                  f"roles from {settings.source}", highlight=False)


def new_token_command() -> None:
    """A personal token (give it to the person, for TRIAGE_TOKEN) and the line for [identity.tokens]."""
    from odoo_triage.core.identity import new_token

    token, digest = new_token()
    console.print(f"token (TRIAGE_TOKEN, shown once): {token}", highlight=False, soft_wrap=True)
    console.print(f'settings file, [identity.tokens]: "{digest}" = "<user>"', highlight=False, soft_wrap=True)


def hash_password_command() -> None:
    """A PBKDF2 hash of a console password, for [console] passwords."""
    from odoo_triage.core.identity import hash_password

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    console.print(hash_password(password), highlight=False, soft_wrap=True)


def init_key_command(path: Path = typer.Argument(None, help="Key file (default: the user config dir's approval.key).")
                     ) -> None:
    """Create the approval HMAC key file (mode 600). Never overwrites: a new key voids every approval."""
    from odoo_triage.core.settings import default_key_path, write_key_file

    target = path or default_key_path()
    if target.exists():
        raise InputError(f"{target} exists; a new key would void every standing approval")
    write_key_file(target)
    console.print(f"wrote {target} (mode 600); point [approvals] key_file at it or keep the default location",
                  highlight=False)


# --------------------------------------------------------------------------- demo


def _pick(store: Any, proposals: list[Any], sandbox_data: Any) -> Any:
    """A write proposal the stand-in can carry out: merges whose partners exist, share an e-mail and
    are not parent and child are best (Odoo refuses the others for a non-admin user)."""
    from odoo_triage.agent.approvals import action_of, get_proposal, list_proposals, propose
    from odoo_triage.core.domain import WRITE_ACTIONS, ActionName, ProposalStatus

    for p in proposals:
        propose(store, p)  # idempotent: the triage stage has normally done it already
    rows = [get_proposal(store, p.proposal_id) for p in proposals] or list_proposals(store, ProposalStatus.proposed)
    rows = [r for r in rows if r is not None and r.status == ProposalStatus.proposed
            and ActionName(r.action) in WRITE_ACTIONS]
    partners = sandbox_data.records["res.partner"]

    def score(row: Any) -> int:
        try:
            action = action_of(row)
        except ValueError:
            return -1
        if row.action != ActionName.merge_partners:
            return 1
        ids = cast("MergePartners", action).partner_ids  # row.action is merge_partners
        if not all(i in partners for i in ids):
            return 0
        emails = {partners[i].get("email") or "" for i in ids}  # Odoo compares them exactly
        related = any(partners[i].get("parent_id") in ids for i in ids)
        return 3 if len(emails) == 1 and not related else 0

    ranked = sorted(rows, key=score, reverse=True)
    return ranked[0] if ranked and score(ranked[0]) >= 0 else None


def _fallback_proposals(sandbox_data: Any, limit: int = 20) -> list[Any]:
    """No proposal from the triage stage: propose merging partners the stand-in holds twice (same e-mail)."""
    from odoo_triage.core.domain import RemediationProposal, stable_id

    by_email: dict[str, list[int]] = {}
    for pid, rec in sorted(sandbox_data.records["res.partner"].items()):
        if rec.get("email") and not rec.get("parent_id"):
            by_email.setdefault(rec["email"], []).append(pid)  # exact: Odoo's merge wizard folds no case
    pairs = [ids[:2] for ids in by_email.values() if len(ids) >= 2][:limit]
    return [RemediationProposal(proposal_id=stable_id("prop", "demo-merge", *pair), incident_id="demo-duplicates",
                                action="merge_partners", params={"partner_ids": pair, "destination_id": pair[0]},
                                proposed_by="triage-agent", rationale="same e-mail address on two partners")
            for pair in pairs]


DEMO_CONFIG = "config.toml"
DEMO_KEY = "approval.key"
DEMO_SIGN_IN = "console-sign-in.txt"


def demo_settings(folder: Path):  # type: ignore[no-untyped-def]
    """The demo's own settings: its users, a key and console passwords inside its folder, nowhere else.

    Written once (re-runs keep them); read back without the caller's environment, so a local
    TRIAGE_* variable cannot change what the demo does.
    """
    import secrets

    from odoo_triage.core.identity import hash_password
    from odoo_triage.core.settings import DEMO_USERS, load_settings, write_key_file

    folder.mkdir(parents=True, exist_ok=True)
    config, key, sign_in = folder / DEMO_CONFIG, folder / DEMO_KEY, folder / DEMO_SIGN_IN
    if not key.exists():
        write_key_file(key)
    if not config.exists():
        passwords = {user: secrets.token_urlsafe(9) for user in DEMO_USERS}
        fd = os.open(sign_in, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("".join(f"{u} ({r}): {passwords[u]}\n" for u, r in DEMO_USERS.items()))
        hashes = ", ".join(f'{u} = "{hash_password(pw, iterations=100_000)}"' for u, pw in passwords.items())
        roles = "".join(f'{u} = "{r}"\n' for u, r in DEMO_USERS.items())
        config.write_text(f"# odoo-triage demo settings: these users exist only in this folder's store\n"
                          f"[roles]\n{roles}\n[approvals]\nkey_file = \"{DEMO_KEY}\"\n\n"
                          f"[console]\npasswords = {{ {hashes} }}\n")
    return load_settings(config, env={})


def demo_stage(ctx: DemoContext) -> str:
    """Approve one write proposal as a demo approver and execute it in the Odoo stand-in over HTTP."""
    from odoo_triage.agent.approvals import (
        ApprovalRefused,
        approve,
        audit_trail,
        execute,
        get_proposal,
        propose,
    )
    from odoo_triage.agent.odoo_gateway import OdooGateway
    from odoo_triage.core.domain import ProposalStatus
    from odoo_triage.core.settings import OdooSettings
    from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, load_world, start_sandbox

    world = Path(ctx.world_dir)
    data = load_world(world) if (world / "records" / "res_partner.csv").exists() else demo_data()
    store = ctx.store
    row = _pick(store, list(ctx.results.get("proposals") or []), data)
    if row is None:  # propose only the one the demo uses
        for candidate in _fallback_proposals(data):
            existing = get_proposal(store, candidate.proposal_id)
            if existing is None or existing.status == ProposalStatus.proposed:
                row = propose(store, candidate)
                break
        if row is None:
            return "no write proposal to approve"
    settings = demo_settings(world.parent)  # the demo's own users and key, whatever the local config says
    approver = next(u for u in settings.users_with("approve") if u != row.proposed_by and u != "ada")
    with start_sandbox(data=data) as sb:
        odoo = OdooSettings(url=sb.url, db=data.db, protocol="json2", read_login=READ_LOGIN,
                            read_key=data.user(READ_LOGIN).api_key, write_login=WRITE_LOGIN,
                            write_key=data.user(WRITE_LOGIN).api_key, timeout_s=30)
        try:
            approve(store, row.proposal_id, approver, "demo: checked the records side by side", settings)
        except ApprovalRefused as exc:
            return f"proposal {row.proposal_id} not approved: {exc.reason}"
        with OdooGateway(odoo, approval_key=settings.approvals.key) as gw:
            result = execute(store, row.proposal_id, approver, gw, settings=settings)
            verified = ""
            if result.status == "executed" and row.action == "merge_partners":
                left = gw.search_read("res.partner", [["id", "in", row.payload["params"]["partner_ids"]]], ["id"],
                                      context={"active_test": False})
                verified = f" (verified: {len(left)} partner left)"
    n = len(audit_trail(store, row.proposal_id))
    ctx.results["execution"] = result
    if result.status != "executed":
        return (f"1 proposal approved by {approver}, execution in the Odoo sandbox failed: {result.error}; "
                f"audit has {n} entries")
    return (f"1 proposal approved by {approver} and executed in the Odoo sandbox: {result.summary}{verified}; "
            f"audit has {n} entries")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `triage` app."""
    app.command("proposals")(proposals_command)
    app.command("show-proposal")(show_proposal_command)
    app.command("approve")(approve_command)
    app.command("reject")(reject_command)
    app.command("execute")(execute_command)
    app.command("audit")(audit_command)
    app.command("whoami")(whoami_command)
    app.command("new-token")(new_token_command)
    app.command("hash-password")(hash_password_command)
    app.command("init-key")(init_key_command)
