"""`triage triage LOGS...`: detect, match duplicates, assemble incidents, explain and propose.

Also the demo stage: the same pipeline on the demo world with the offline provider.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.errors import InputError
from odoo_triage.core.labels import read_flows

if TYPE_CHECKING:
    from odoo_triage.agent.triage import TriageRun
    from odoo_triage.app.demo import DemoContext
    from odoo_triage.core.domain import RemediationProposal
    from odoo_triage.core.settings import Settings
    from odoo_triage.detectors.pipeline import DetectionResult

LOG_SUFFIXES = {".jsonl", ".ndjson", ".json", ".csv", ".log"}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class ProviderName(StrEnum):
    offline = "offline"
    openai = "openai"


def load_flows(path: Path | None) -> list[FlowInfo]:
    return read_flows(path) if path is not None else []


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in LOG_SUFFIXES))
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"log file not found: {p}")
    return out


def _detect(paths: list[Path], mapping: Any = None, catalog: list[FlowInfo] | None = None,
            settings: Settings | None = None) -> DetectionResult:
    """Detection with the flow catalog (attribution, countries, units) and the settings' thresholds,
    readers and business calendar."""
    from odoo_triage.detectors.pipeline import run_detection

    if settings is None:
        return run_detection(paths, mapping=mapping, catalog=catalog or None)
    return run_detection(paths, mapping=mapping, catalog=catalog or None, settings=settings.detectors,
                         readers=settings.readers, calendar=settings.calendar, volume=settings.volume)


def _match(kind: str, path: Path | None) -> Any:
    if path is None:
        return None
    if not path.exists():
        raise InputError(f"{kind} file not found: {path}")
    from odoo_triage.matchers.pipeline import match_partners, match_projects

    return (match_partners if kind == "partners" else match_projects)(path)


def run_to_json(run: TriageRun) -> dict[str, Any]:
    return {
        "provider": run.provider,
        "provider_label": run.provider_label,
        "summary": run.summary(),
        "answered_by_model": run.answered_by_model,
        "fallbacks": dict(run.fallbacks),
        "notes": run.notes,
        "grounding": run.grounding,
        "incidents": [
            {**inc.model_dump(mode="json", exclude={"evidence"}),
             "evidence_count": len(inc.evidence),
             "report": run.reports[inc.incident_id].model_dump(mode="json"),
             "proposals": [p.model_dump(mode="json") for p in run.proposals_for(inc.incident_id)]}
            for inc in run.incidents
        ],
        "usage": run.usage,
    }


def _action_cell(p: RemediationProposal) -> str:
    return f"{p.action} {p.target}".strip()


def render_table(run: TriageRun, console: Console, *, limit: int = 50) -> None:
    console.print(f"provider: [bold]{run.provider_label}[/]")
    table = Table(show_lines=True, expand=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("flow / window", ratio=2)
    table.add_column("cause", no_wrap=True)
    table.add_column("summary", ratio=4)
    table.add_column("proposals", ratio=2)
    for inc in run.incidents[:limit]:
        rep = run.reports[inc.incident_id]
        props = run.proposals_for(inc.incident_id)
        shown = [_action_cell(p) for p in props[:4]] + ([f"... +{len(props) - 4}"] if len(props) > 4 else [])
        notes = []
        if rep.rejected:
            notes.append(f"[red]{len(rep.rejected)} rejected by the guard[/]")
        if rep.fallback_reason:
            notes.append(f"[yellow]fallback: {rep.fallback_reason[:60]}[/]")
        style = SEVERITY_STYLE.get(str(inc.severity), "")
        table.add_row(
            f"[{style}]{inc.severity}[/]\n[dim]{inc.severity_score:.2f}[/]",
            f"{inc.flow}\n[dim]{inc.window_start:%Y-%m-%d %H:%M} - {inc.window_end:%H:%M}\n{inc.incident_id}[/]",
            f"{inc.cause}\n[dim]{inc.cause_confidence:.0%}[/]",
            rep.report.summary[:400],
            "\n".join(shown + notes) or "-",
        )
    console.print(table)
    if len(run.incidents) > limit:
        console.print(f"[dim]... {len(run.incidents) - limit} more incidents (use --format json for all)[/]")
    g = run.grounding
    tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in run.usage)
    cost = sum(u["cost_usd"] for u in run.usage)
    console.print(f"{run.summary()}. Guard: {g['rejected_actions']} action(s) rejected, {g['caught']} ungrounded "
                  f"id(s) caught, {g['passed_on']} passed on. Tokens {tokens:,}, cost ${cost:.4f}.")


def register(app: typer.Typer) -> None:
    """Add `triage triage` to the app."""

    @app.command("triage")
    def triage(
        logs: list[Path] = typer.Argument(..., help="Log files (or folders of them): .jsonl, .csv, .log."),
        partners: Path = typer.Option(None, "--partners", help="res.partner CSV export, for duplicate partners."),
        projects: Path = typer.Option(None, "--projects", help="project.project CSV export, for duplicate projects."),
        flows: Path = typer.Option(None, "--flows", help="flows.json catalog: owner and criticality per flow."),
        mapping_file: Path = typer.Option(None, "--mapping", help="FieldMapping JSON for the JSON-lines and CSV logs "
                                                                 "(default: a mapping.json beside the logs, else "
                                                                 "inferred per file)."),
        provider: ProviderName = typer.Option(None, "--provider",
                                              help="offline (deterministic) or openai; default: openai when "
                                                   "OPENAI_API_KEY is set, else offline."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table (rich) or json."),
        database_url: str = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or "
                                                                      "the local SQLite file)."),
        require_llm: bool = typer.Option(False, "--require-llm", help="Exit 3 when the model answered no incident "
                                                                      "(every report is the offline fallback)."),
    ) -> None:
        """Detect anomalies, match duplicates, group them into incidents, explain them and propose fixes."""
        from odoo_triage.agent.grounding import odoo_write_date_reader
        from odoo_triage.agent.llm.providers import default_provider_name
        from odoo_triage.agent.odoo_gateway import OdooGateway
        from odoo_triage.agent.store import open_store
        from odoo_triage.agent.triage import RunInterrupted, run_triage
        from odoo_triage.core.settings import load_settings

        err = Console(stderr=True)
        paths = _expand(logs)
        if not paths:
            raise InputError("no log files given")
        catalog = load_flows(flows)
        from odoo_triage.evals.runner import write_dates_from_exports

        settings = load_settings()
        name = str(provider) if provider else default_provider_name()
        store = open_store(database_url)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("detecting", total=None)
            from odoo_triage.app.inputs import describe_files, given_line, resolve_mapping

            mapping, mapping_path = resolve_mapping(mapping_file, paths)
            detection = _detect(paths, mapping, catalog, settings)
            progress.update(task, description="matching duplicates")
            partner_result = _match("partners", partners)
            project_result = _match("projects", projects)
            progress.update(task, description=f"triage ({name})")

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            # set_field's write_date is read from Odoo when proposed (#12), when Odoo is configured
            gateway = OdooGateway.from_settings(settings) if settings.odoo.read_key is not None else None
            try:
                run = run_triage(detection, partner_result, project_result, catalog, provider=name, store=store,
                                 progress=tick, correlation=settings.correlation, grounding=settings.grounding,
                                 read_write_date=odoo_write_date_reader(gateway) if gateway else None,
                                 write_dates=write_dates_from_exports(partners, projects))
            except RunInterrupted as stop:
                progress.stop()
                err.print(f"[yellow]interrupted[/]: {stop.run.summary()}. Detection, matching and "
                          f"{len(stop.run.reports)} finished reports are stored.")
                raise typer.Exit(130) from None
            finally:
                if gateway is not None:
                    gateway.close()
        if mapping is not None and mapping_path is not None:
            err.print(given_line(mapping, mapping_path), highlight=False, soft_wrap=True)
        for line in describe_files(getattr(detection, "stats", {}) or {},
                                   unattributed=getattr(detection, "unattributed", None)):
            err.print(line, highlight=False, soft_wrap=True)
        if fmt is OutputFormat.json:
            typer.echo(json.dumps(run_to_json(run), indent=2, default=str))
        else:
            render_table(run, Console(width=None if sys.stdout.isatty() else 180))  # piped: wide
        for note in run.notes:
            err.print(f"[yellow]note[/]: {note}")
        if run.provider != "offline" and run.incidents and run.answered_by_model == 0:
            err.print(f"[bold yellow]{run.llm_line()}[/]")
            if require_llm:
                raise typer.Exit(3)


def demo_stage(ctx: DemoContext) -> str:
    """Triage the demo world with the offline provider; incidents and proposals go to the store."""
    from odoo_triage.agent.triage import run_triage

    world = Path(ctx.world_dir)
    detection = ctx.results.get("detection")
    if detection is None:
        flows_json = world / "flows.json"
        detection = _detect(sorted(q for q in (world / "logs").iterdir() if q.suffix in LOG_SUFFIXES),
                            catalog=load_flows(flows_json) if flows_json.exists() else [])
        ctx.results["detection"] = detection
    results = {}
    for kind, fname in (("partners", "res_partner.csv"), ("projects", "project_project.csv")):
        result = ctx.results.get(kind)
        if result is None and (world / "records" / fname).exists():
            result = _match(kind, world / "records" / fname)
            ctx.results[kind] = result
        results[kind] = result
    flows_path = world / "flows.json"
    catalog = load_flows(flows_path) if flows_path.exists() else []
    run = run_triage(detection, results["partners"], results["projects"], catalog, provider="offline",
                     store=ctx.store)
    ctx.results["triage"] = run
    ctx.results["incidents"] = run.incidents
    ctx.results["proposals"] = run.proposals
    return run.summary()
