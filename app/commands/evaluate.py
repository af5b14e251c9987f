"""`triage eval`: run the pipeline on labeled incidents, store the figures, compare runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from odoo_triage.core.errors import InputError

console = Console()
progress_console = Console(stderr=True)  # progress on stderr keeps --format json clean


def eval_command(
    labels: Path = typer.Option(None, "--labels", help="A labeled folder (logs/, records/, labels/, flows.json; see docs/labels.md)."),
    split: str = typer.Option("all", "--split", help="Without --labels: all, dev (the demo world), an estate "
                                                      "(harbor, meridian) or heldout (the estate no code was tuned on)."),
    mapping_file: Path = typer.Option(None, "--mapping", help="FieldMapping JSON for every JSON/CSV log (default: the "
                                                             "folder's mapping.json, else inferred per file)."),
    provider: str = typer.Option("offline", "--provider", help="offline or openai."),
    compare: tuple[str, str] | None = typer.Option(None, "--compare", help="Compare two stored runs: RUN_A RUN_B."),
    list_runs_: bool = typer.Option(False, "--list", help="List the stored runs."),
    report: Path = typer.Option(None, "--report", help="Write a report: .md for Markdown, .html with plots."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    database_url: str = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the SQLite file)."),
) -> None:
    """Evaluate detection, duplicate matching, causes, remediation and grounding against labels."""
    from odoo_triage.evals import report as reports
    from odoo_triage.evals.runs import compare as compare_figures
    from odoo_triage.evals.runs import list_runs, load_run

    if provider not in ("offline", "openai"):
        raise InputError(f"--provider must be offline or openai, not {provider!r}")
    from odoo_triage.agent.store import open_store

    store = open_store(database_url)
    if list_runs_:
        table = Table("created", "code", "split", "recall", "precision")
        table.add_column("run", no_wrap=True, min_width=20)
        for r in list_runs(store):
            ov = r.figures.get("detection", {}).get("overall", {})
            table.add_row(r.created_at.strftime("%Y-%m-%d %H:%M"), r.code_version, str(r.config.get("split")),
                          f"{ov.get('recall', 0):.3f}", f"{ov.get('precision', 0):.3f}", r.run_id)
        console.print(table)
        return
    if compare:
        a, b = load_run(store, compare[0]), load_run(store, compare[1])
        changes = compare_figures(a.figures, b.figures)
        text = reports.compare_markdown(a.run_id, b.run_id, changes)
        console.print(text)
        if report:
            report.write_text(text)
        if any(c.regression for c in changes):
            raise typer.Exit(1)
        return

    from odoo_triage.evals.runner import load_mapping_file

    mapping = load_mapping_file(mapping_file) if mapping_file else None
    runs = _run_splits(labels, split, provider, store, mapping)
    figures = {name: figs for name, (_rid, figs) in runs.items()}
    if output_format == "json":
        print(json.dumps(figures, default=str, indent=2))
    else:
        console.print(reports.markdown(figures))
        for name, (run_id, _f) in runs.items():
            console.print(f"stored run [bold]{run_id}[/] ({name})")
    if report:
        report.write_text(reports.html_report(figures) if report.suffix == ".html" else reports.markdown(figures))
        console.print(f"report written to {report}")


def _run_splits(labels: Path | None, split: str, provider: str, store: Any,
                mapping: Any = None) -> dict[str, tuple[str, dict[str, Any]]]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from odoo_triage.evals.runner import SPLIT_NAMES, SPLITS, evaluate_folder, folder_for_split
    from odoo_triage.evals.runs import save_run

    if labels is not None:
        if not labels.exists():
            raise InputError(f"no such folder: {labels}")
        targets = [(labels.name, lambda: labels, {"labels": str(labels)})]
    else:
        names = list(SPLIT_NAMES) if split in ("all", "both") else [split]
        targets = []
        for n in names:
            label, folder_of = folder_for_split(n, build=False)  # "meridian (held-out)"; raises on a bad name
            config = dict(vars(SPLITS[n])) if n in SPLITS else {"estate": label}
            targets.append((label, folder_of, config))
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=progress_console) as prog:
        for name, folder_fn, config in targets:
            task = prog.add_task(f"{name}: building world", total=None)
            folder = folder_fn()
            figs = evaluate_folder(folder, provider=provider, store=store, mapping=mapping,
                                   progress=lambda msg, t=task, n=name: prog.update(t, description=f"{n}: {msg}"))
            prog.update(task, description=f"{name}: done")
            config = {**config, "split": name, "provider": provider, "folder": str(folder)}
            out[name] = (save_run(store, config, figs), figs)
    return out


def demo_stage(ctx) -> str:  # type: ignore[no-untyped-def]
    """Score what the demo's earlier stages found against the world's own labels, and store the run."""
    from odoo_triage.evals.runner import score_folder
    from odoo_triage.evals.runs import save_run

    detection = ctx.results.get("detection")
    if detection is None:
        return "skipped: no detection results"
    figs = score_folder(ctx.world_dir, detection, ctx.results.get("partners"), ctx.results.get("projects"),
                        ctx.results.get("triage"))
    run_id = save_run(ctx.store, {"split": "demo", "folder": str(ctx.world_dir)}, figs)
    ov = figs["detection"]["overall"]
    dup = figs.get("duplicates", {})
    tri = figs.get("triage", {})
    parts = [f"detection recall {ov['recall']:.2f} precision {ov['precision']:.2f}"]
    for model in ("partners", "projects"):
        if model in dup:
            parts.append(f"{model} P/R {dup[model]['precision']:.2f}/{dup[model]['recall']:.2f}")
    if tri:
        parts.append(f"cause acc. {tri['cause_accuracy']:.2f}, action acc. {tri['action_accuracy']:.2f}")
    return "; ".join(parts) + f" (run {run_id})"


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
