"""`triage match partners|projects FILE`: duplicate records, ranked, explained, stored.

Also `triage match train` (retrain the pair model on a firm's own labels) and the demo stage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from odoo_triage.core.errors import InputError

if TYPE_CHECKING:
    from odoo_triage.app.demo import DemoContext
    from odoo_triage.matchers.pipeline import MatchResult
    from odoo_triage.matchers.records import Source

console = Console()
err_console = Console(stderr=True)

match_app = typer.Typer(name="match", help="Find duplicate partners and projects, explain why, store them.",
                        no_args_is_help=True)

FORMATS = ("table", "json")


def _check(threshold: float, output_format: str) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"--threshold must be between 0 and 1, not {threshold}")
    if output_format not in FORMATS:
        raise InputError(f"--format must be table or json, not {output_format!r}")


def _run_with_progress(fn: Any, source: Path | list[dict[str, Any]], name: str | None = None, **kwargs: Any) -> Any:
    name = name or (source.name if isinstance(source, Path) else f"{len(source):,} records from Odoo")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=not err_console.is_terminal) as progress:
        task = progress.add_task(f"matching {name}", total=1.0)

        def report(stage: str, done: float) -> None:
            progress.update(task, description=f"{name}: {stage}", completed=done)

        return fn(source, progress=report, **kwargs)


def _label(result: MatchResult, rid: int) -> str:
    return f"{rid} {result.names.get(rid, '')}".strip()


def render_table(result: MatchResult, limit: int) -> Table:
    noun = "partners" if result.model.value == "res.partner" else "projects"
    s = result.stats
    table = Table(title=f"{len(result.clusters):,} duplicate clusters among {s['records']:,} {noun} "
                        f"({s['blocked_pairs']:,} pairs compared, {s['reduction_ratio']:.2%} skipped by blocking, "
                        f"{s['seconds']:.1f} s)", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("p", justify="right")
    table.add_column("keep (suggested master)", no_wrap=True)
    table.add_column("duplicates", no_wrap=True)
    table.add_column("why")
    for n, cl in enumerate(result.clusters[:limit], start=1):
        others = [r for r in cl.record_ids if r != cl.suggested_master_id]
        table.add_row(str(n), f"{cl.probability:.2f}", _label(result, cl.suggested_master_id),
                      "\n".join(_label(result, r) for r in others), cl.reason)
    if len(result.clusters) > limit:
        table.caption = f"{len(result.clusters) - limit:,} more clusters: use --limit or --format json"
    return table


def as_json(result: MatchResult, saved: dict[str, int] | None) -> dict[str, Any]:
    return {
        "model": result.model.value,
        "stats": result.stats,
        "saved": saved,
        "clusters": [cl.model_dump(mode="json") | {"names": {str(r): result.names.get(r, "") for r in cl.record_ids}}
                     for cl in result.clusters],
    }


def _match(kind: str, file: Path | None, threshold: float | None, include_archived: bool, output_format: str,
           database_url: str | None, no_store: bool, limit: int, model: Path | None,
           from_odoo: bool = False) -> None:
    from odoo_triage.agent.store import open_store
    from odoo_triage.agent.store.match_labels import labels_for
    from odoo_triage.agent.store.stage_results import save_matches
    from odoo_triage.core.settings import load_settings
    from odoo_triage.matchers.pipeline import match_partners, match_projects

    settings = load_settings()
    threshold = settings.matcher.threshold if threshold is None else threshold
    _check(threshold, output_format)
    source: Path | list[dict[str, Any]]
    model_name = "res.partner" if kind == "partners" else "project.project"
    inspected = None
    if from_odoo:
        source = _read_from_odoo(kind, include_archived)
    elif file is None:
        raise InputError("give a records file, or --from-odoo")
    elif not file.exists():
        raise InputError(f"{file}: no such file")
    else:
        from odoo_triage.matchers.records import inspect_records

        inspected = inspect_records(file, model_name)
        if not inspected.rows:
            why = f"; line {inspected.set_aside[0].line}: {inspected.set_aside[0].reason}" if inspected.set_aside else ""
            raise InputError(f"{file}: no usable record ({len(inspected.set_aside)} row(s) set aside{why})")
        source = inspected.rows
    fn = match_partners if kind == "partners" else match_projects
    store = None if no_store else open_store(database_url)
    try:
        # reviewers' decisions on this database's pairs: calibration, and no "not a duplicate" proposed again
        labels = labels_for(store, model_name, settings.odoo.db) if store is not None else []
        result = _run_with_progress(fn, source, name=file.name if file is not None and not from_odoo else None,
                                    threshold=threshold, include_archived=include_archived,
                                    model_path=model, labels=labels, settings=settings.matcher)
        saved = save_matches(store, result) if store is not None else None
    finally:
        if store is not None:
            store.dispose()
    result.stats["labels_stored"] = len(labels)
    if inspected is not None:
        result.stats["input"] = input_stats(inspected)
        for line in input_lines(inspected):
            err_console.print(line, highlight=False, soft_wrap=True)
    if output_format == "json":
        typer.echo(json.dumps(as_json(result, saved), indent=1, default=str))
        return
    out = Console(width=None if sys.stdout.isatty() else 160)  # piped or captured: wide, not 80 columns
    out.print(render_table(result, limit))
    out.print(labels_line(result))
    if saved is not None:
        out.print(f"stored {saved['clusters']:,} clusters, {saved['candidates_inserted']:,} new and "
                      f"{saved['candidates_updated']:,} updated pairs")


def input_stats(read: Any) -> dict[str, Any]:
    """Rows read / kept / set aside of a records file, with the reasons (JSON output: stats.input)."""
    return {"file": read.file, "encoding": read.encoding, "lines_read": read.lines_read, "rows": len(read.rows),
            "blank": read.blank, "set_aside": len(read.set_aside), "set_aside_reasons": dict(read.reasons()),
            "set_aside_rows": [str(s) for s in read.set_aside[:50]]}


def input_lines(read: Any, shown: int = 5) -> list[str]:
    """`file: encoding; N lines read, R records, S rows set aside: reason ×n; ...` then the first few."""
    line = (f"{read.file}: {read.encoding}; {read.lines_read:,} lines read, {len(read.rows):,} records, "
            f"{len(read.set_aside):,} row(s) set aside")
    if read.set_aside:
        line += ": " + "; ".join(f"{r} ×{n:,}" for r, n in read.reasons())
    out = [line]
    out += [f"  set aside {s}" for s in read.set_aside[:shown]]
    if len(read.set_aside) > shown:
        out.append(f"  ... and {len(read.set_aside) - shown:,} more (--format json lists the first 50)")
    return out


def labels_line(result: Any) -> str:
    s = result.stats
    return (f"used {s['labels_used']:,} reviewer labels of this database ({s.get('labels_stored', 0):,} stored; "
            f"{s['not_duplicate_marks']:,} pairs marked not a duplicate are never proposed)")


def _read_from_odoo(kind: str, include_archived: bool) -> list[dict[str, Any]]:
    """The records straight from Odoo with the read-only user (TRIAGE_ODOO_* settings)."""
    from odoo_triage.agent.odoo_records import read_gateway, read_partners, read_projects

    read = read_partners if kind == "partners" else read_projects
    with read_gateway() as gw, err_console.status(f"reading {kind} from Odoo"):
        return read(gw, include_archived=include_archived)


_FROM_ODOO = typer.Option(False, "--from-odoo", help="Read the records straight from Odoo (read-only user, "
                          "TRIAGE_ODOO_* settings) instead of a file.")
_THRESHOLD = typer.Option(None, "--threshold", help="Match probability a pair needs (0-1; default [matcher] "
                          "threshold, 0.5).")
_ARCHIVED = typer.Option(False, "--include-archived", help="Also match archived (active=False) records.")
_FORMAT = typer.Option("table", "--format", help="table or json.")
_DB = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the SQLite file).")
_NO_STORE = typer.Option(False, "--no-store", help="Do not write the results to the store.")
_LIMIT = typer.Option(30, "--limit", help="Clusters shown in the table.")
_MODEL = typer.Option(None, "--model", help="Projects: a pair model trained with `triage match train` "
                      "(default: shipped). Partners learn their weights from the records.")


@match_app.command("partners")
def partners_command(
    file: Path = typer.Argument(None, help="res.partner export: CSV or JSON (Odoo field names)."),
    threshold: float | None = _THRESHOLD, include_archived: bool = _ARCHIVED, output_format: str = _FORMAT,
    database_url: str = _DB, no_store: bool = _NO_STORE, limit: int = _LIMIT, model: Path = _MODEL,
    from_odoo: bool = _FROM_ODOO,
) -> None:
    """Duplicate partners: same company written differently, never a company and its own contacts."""
    _match("partners", file, threshold, include_archived, output_format, database_url, no_store, limit, model,
           from_odoo)


@match_app.command("projects")
def projects_command(
    file: Path = typer.Argument(None, help="project.project export: CSV or JSON (Odoo field names)."),
    threshold: float | None = _THRESHOLD, include_archived: bool = _ARCHIVED, output_format: str = _FORMAT,
    database_url: str = _DB, no_store: bool = _NO_STORE, limit: int = _LIMIT, model: Path = _MODEL,
    from_odoo: bool = _FROM_ODOO,
) -> None:
    """Duplicate projects of the same client (codes written two ways, webhook double-creations)."""
    _match("projects", file, threshold, include_archived, output_format, database_url, no_store, limit, model,
           from_odoo)


@match_app.command("train")
def train_command(
    records: list[Path] = typer.Option(..., "--records", help="Records file(s), CSV or JSON; repeatable."),
    labels: list[Path] = typer.Option(..., "--labels", help="id,entity CSV per records file; repeatable."),
    kind: str = typer.Option("projects", "--kind", help="projects (partners learn from the records they match)."),
    out: Path = typer.Option(..., "--out", help="Where to write the model (.joblib); pass it later with --model."),
) -> None:
    """Retrain the project pair model on your own labeled records (same entity = duplicates)."""
    from odoo_triage.matchers.pipeline import train_model

    if kind == "partners":
        raise InputError("partner weights are learnt from the records being matched, and reviewers' merge "
                         "decisions are their labels: there is no partner model to train")
    if kind != "projects":
        raise InputError(f"--kind must be projects, not {kind!r}")
    if len(records) != len(labels):
        raise InputError("give one --labels file per --records file")
    for p in [*records, *labels]:
        if not p.exists():
            raise InputError(f"{p}: no such file")
    model = "project.project"
    with err_console.status(f"training the {kind} model"):
        record_sources: list[Source] = list(records)
        path = train_model(record_sources, list(labels), model=model, out=out)
    console.print(f"wrote {path}")


def demo_stage(ctx: DemoContext) -> str:
    """Match the demo world's partners and projects, store them, hand both results on."""
    from odoo_triage.agent.store.stage_results import save_matches
    from odoo_triage.matchers.pipeline import match_partners, match_projects

    records = Path(ctx.world_dir) / "records"
    partners = match_partners(records / "res_partner.csv")
    projects = match_projects(records / "project_project.csv")
    for result in (partners, projects):
        save_matches(ctx.store, result)
    ctx.results["partners"] = partners
    ctx.results["projects"] = projects
    return (f"{partners.stats['records_read']:,} partners -> {len(partners.clusters):,} duplicate clusters; "
            f"{projects.stats['records_read']:,} projects -> {len(projects.clusters):,} clusters")


def register(app: typer.Typer) -> None:
    """Add `triage match ...` to the `triage` app."""
    app.add_typer(match_app, name="match")
