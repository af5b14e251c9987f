"""`triage batch FILE`: group a failed import/sync batch by error signature and cause."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from odoo_triage.app.batch import (
    EXIT_ACTIONABLE,
    EXIT_BAD_INPUT,
    EXIT_NOTHING_ACTIONABLE,
    BatchReport,
    count_rows,
    triage_batch,
)
from odoo_triage.core.errors import InputError

PROGRESS_FROM_LINES = 2_000  # below this the batch is read before a bar could be drawn

HELP = (
    "Group the failures of one import or sync batch by error signature and cause.\n\n"
    "FILE is a CSV or JSON (array, or JSON lines) of rows with their error (the error column is found by "
    "name: error, error_message, message, exc_message, ...), or a queue.job export of failed jobs (CSV from "
    "Odoo, field names or labels). Each group shows its count, example rows, affected records and the "
    "proposed remediation: rate limit or outage on queue.jobs -> requeue_jobs of their uuids (never "
    "`started` ones); auth, configuration or unknown -> escalate; validation or data -> fix the rows and "
    "post_note on their records. Malformed rows are counted and listed with their line numbers.\n\n"
    "\b\nExit codes, for automation:\n"
    f"  {EXIT_NOTHING_ACTIONABLE}  nothing actionable (no failed rows left to act on)\n"
    f"  {EXIT_ACTIONABLE}  at least one group has an actionable remediation\n"
    f"  {EXIT_BAD_INPUT}  bad input: missing file, unreadable or unknown format, no error column"
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def load_owners(path: Path | None) -> dict[str, str]:
    """flow -> owner from a flows.json catalog (agent/domain.py FlowInfo)."""
    if path is None:
        return {}
    from odoo_triage.core.domain import FlowInfo
    from odoo_triage.core.errors import InputError

    try:
        flows = [FlowInfo.model_validate(f) for f in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the flow catalog {path}: {exc}") from exc
    return {f.name: f.owner for f in flows}


def render_table(report: BatchReport, console: Console) -> None:
    console.print(
        f"[bold]{report.file}[/] ({report.format}, error column [cyan]{report.error_column}[/]): "
        f"{report.rows_total} rows, {report.failed_rows} failed, {report.skipped_rows} skipped, "
        f"{len(report.malformed)} malformed, {len(report.groups)} groups"
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("cause", no_wrap=True)
    table.add_column("signature", ratio=3)
    table.add_column("affected records", ratio=2)
    table.add_column("remediation", ratio=3)
    for i, g in enumerate(report.groups, start=1):
        recs = _records_cell(g.affected_records)
        example = g.example_rows[0] if g.example_rows else {}
        sig = f"{escape(g.signature)}\n[dim]e.g. line {example.get('line_no')}; lines {', '.join(map(str, g.lines[:8]))}" + (
            " ...[/]" if len(g.lines) > 8 else "[/]")
        style = "bold yellow" if g.remediation.actionable else "dim"
        calls = ""
        if g.remediation.proposals:
            writes = [c for c in g.remediation.proposals[0].get("odoo_calls", []) if c.startswith("WRITE")]
            n = len(g.remediation.proposals)
            calls = f"\n[dim]{n} proposal(s){': ' + escape(writes[0][:90]) if writes else ''}[/]"
        table.add_row(str(i), str(g.count), f"{g.cause}\n[dim]{g.cause_confidence:.0%}[/]", sig, recs,
                      f"[{style}]{g.remediation.action}[/]\n{escape(g.remediation.summary)}{calls}")
    console.print(table)
    if report.malformed:
        console.print(f"[red]{len(report.malformed)} malformed row(s)[/], kept aside:")
        for m in report.malformed[:20]:
            console.print(f"  line {m.line_no}: {m.reason}")
        if len(report.malformed) > 20:
            console.print(f"  ... and {len(report.malformed) - 20} more (use --format json for all)")
    n = len(report.actionable_groups)
    console.print(f"{n} actionable group(s); exit code {report.exit_code}.")


def _records_cell(refs: list[str]) -> str:
    by_model: dict[str, list[str]] = {}
    for ref in refs:
        model, _, rid = ref.rpartition(":")
        by_model.setdefault(model, []).append(rid)
    parts = []
    for model, ids in by_model.items():
        shown = ", ".join(i[:8] for i in ids[:3]) + (" ..." if len(ids) > 3 else "")
        parts.append(f"{len(ids)} {model}\n[dim]{shown}[/]")
    return "\n".join(parts) or "-"


def register(app: typer.Typer) -> None:
    """Add `triage batch` to the app."""

    @app.command("batch", help=HELP)
    def batch(
        file: Path = typer.Argument(None, help="The failed batch: .csv, .json or .jsonl (queue.job export or rows)."),
        from_odoo: bool = typer.Option(False, "--from-odoo", help="Read the failed queue.jobs straight from Odoo "
                                       "(read-only user, TRIAGE_ODOO_* settings) instead of a file."),
        since: str = typer.Option(None, "--since", help="With --from-odoo: jobs created since 24h, 7d or an ISO date."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table (rich) or json."),
        flow: str = typer.Option(None, "--flow", help="Flow name (default: from the queue.job channel, else the file name)."),
        owner: str = typer.Option(None, "--owner", help="Who escalations go to (default: from --flows, else 'the flow owner')."),
        flows: Path = typer.Option(None, "--flows", help="flows.json catalog, to find the flow's owner."),
        store: bool = typer.Option(False, "--store", help="Store each group as an incident and its proposals "
                                   "in the approval queue (without it, they are only shown)."),
        database_url: str = typer.Option(None, "--database-url", help="With --store: the store URL (default: "
                                         "TRIAGE_DATABASE_URL or the local SQLite file)."),
        mapping_file: Path = typer.Option(None, "--mapping", help="FieldMapping JSON naming the batch's columns: "
                                          "error, record_ids, flow, status, e.g. {\"error\": \"Fehlertext\"} "
                                          "(default: a mapping.json beside the file, else inferred)."),
    ) -> None:
        out = Console()
        err = Console(stderr=True)
        owners = load_owners(flows)
        if from_odoo:
            report = _from_odoo(since, flow=flow, owner=owner, owners=owners, err=err)
            _keep(report, store, database_url, err)
            _print(report, fmt, out)
        if file is None:
            raise InputError("give a batch file, or --from-odoo")
        from odoo_triage.app.inputs import resolve_mapping

        mapping, mapping_path = resolve_mapping(mapping_file, [file])
        lines = count_rows(file) if file.is_file() else 0
        if lines >= PROGRESS_FROM_LINES:
            with Progress(SpinnerColumn(), TextColumn("reading {task.description}"), BarColumn(),
                          MofNCompleteColumn(), console=err, transient=True) as progress:
                task = progress.add_task(file.name, total=None)
                report = triage_batch(file, flow=flow, owner=owner, owners=owners,
                                      tick=lambda: progress.advance(task), mapping=mapping)
        else:
            report = triage_batch(file, flow=flow, owner=owner, owners=owners, mapping=mapping)
        describe_batch(report, mapping_path, err)
        _keep(report, store, database_url, err)
        _print(report, fmt, out)


def describe_batch(report: BatchReport, mapping_path: Path | None, err: Console) -> None:
    """The columns used, given or inferred with a confidence, in the same words as the log commands."""
    from odoo_triage.app.inputs import mapping_line

    if report.mapping:
        err.print(f"{Path(report.file).name}: {report.format}, {report.encoding}; "
                  + mapping_line(report.mapping, report.mapping_confidence,
                                 mapping_path if report.mapping_given else None),
                  highlight=False, soft_wrap=True)


def _keep(report: BatchReport, store: bool, database_url: str | None, err: Console) -> None:
    """Store the groups and proposals with --store; otherwise say they were only shown, and how to keep them."""
    n = sum(len(g.remediation.proposals) for g in report.groups)
    if not store:
        if n:
            err.print(f"{n} proposal(s) shown, not stored: add --store to put them in the approval queue.",
                      highlight=False, soft_wrap=True)
        return
    from odoo_triage.agent.store import open_store
    from odoo_triage.agent.store.database import redact_url
    from odoo_triage.app.batch_store import store_batch

    st = open_store(database_url)
    try:
        kept = store_batch(st, report)
    finally:
        st.dispose()
    err.print(f"stored {len(kept.incidents)} incident(s) and {len(kept.proposals)} proposal(s) in {redact_url(st.url)}"
              + (f"; {len(kept.refused)} refused: {'; '.join(kept.refused[:3])}" if kept.refused else ""),
              highlight=False, soft_wrap=True)


def _from_odoo(since: str | None, *, flow: str | None, owner: str | None, owners: dict[str, str],
               err: Console) -> BatchReport:
    from odoo_triage.agent.odoo_records import read_failed_jobs, read_gateway
    from odoo_triage.app.batch import load_rows
    from odoo_triage.app.digest import parse_since

    with read_gateway() as gw, err.status("reading failed queue.jobs from Odoo"):
        rows = read_failed_jobs(gw, since=parse_since(since) if since else None)
        name = f"{gw.settings.base_url} queue.job (failed)"
    return triage_batch(batch=load_rows(rows), name=name, flow=flow, owner=owner, owners=owners)


def _print(report: BatchReport, fmt: OutputFormat, out: Console) -> None:
    """Print the report and exit with the code automation branches on."""
    if fmt is OutputFormat.json:
        data = report.model_dump(mode="json")
        data["actionable_groups"] = len(report.actionable_groups)
        data["exit_code"] = report.exit_code
        typer.echo(json.dumps(data, indent=2))
    else:
        render_table(report, out)
    raise typer.Exit(report.exit_code)

