"""`triage eval`: run the pipeline on labeled incidents, store the figures, compare runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from odoo_triage.core.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from odoo_triage.agent.store import Store
    from odoo_triage.app.demo import DemoContext
    from odoo_triage.core.settings import Settings
    from odoo_triage.detectors.readers import FieldMapping

console = Console()
progress_console = Console(stderr=True)  # progress on stderr keeps --format json clean


def eval_command(
    labels: list[Path] = typer.Option(None, "--labels", help="A labeled folder (logs/, records/, labels/, flows.json; see "
                                                           "docs/labels.md); repeat it for figures per estate."),
    split: str = typer.Option("all", "--split", help="Without --labels: all, dev (the demo world), an estate "
                                                      "(harbor, meridian, alder, birch, cedar, dogwood, elm, fir, ginkgo) or heldout "
                                                      "(ginkgo: designed blind, scored once as it came, not tuned on)."),
    mapping_file: Path = typer.Option(None, "--mapping", help="FieldMapping JSON for every JSON/CSV log (default: the "
                                                             "folder's mapping.json, else inferred per file)."),
    provider: str = typer.Option("offline", "--provider", help="offline or openai."),
    compare: tuple[str, str] | None = typer.Option(None, "--compare", help="Compare two stored runs: RUN_A RUN_B."),
    list_runs_: bool = typer.Option(False, "--list", help="List the stored runs."),
    report: Path = typer.Option(None, "--report", help="Write a report: .md for Markdown, .html with plots."),
    output_format: str = typer.Option("table", "--format", help="table or json."),
    repeats: int = typer.Option(1, "--repeats", min=1, help="Time each stage this many times: --compare then "
                                "flags speed only beyond the noise band the repeats measured."),
    database_url: str = typer.Option(None, "--database-url", help="The evaluation's store (default: its own "
                                     "SQLite file, eval.db; never TRIAGE_DATABASE_URL: the evaluation's synthetic "
                                     "incidents and proposals stay out of the real approval queue)."),
    config: Path = typer.Option(None, "--config", help="Settings TOML (default: TRIAGE_CONFIG or the user config file)."),
) -> None:
    """Evaluate detection, duplicate matching, causes, remediation and grounding against labels."""
    from odoo_triage.core.settings import load_settings
    from odoo_triage.evals import report as reports
    from odoo_triage.evals.runs import compare as compare_figures
    from odoo_triage.evals.runs import list_runs, load_run, settings_changes

    if output_format not in ("table", "json"):
        raise InputError(f"--format must be table or json, not {output_format!r}")
    if provider not in ("offline", "openai"):
        raise InputError(f"--provider must be offline or openai, not {provider!r}")
    from odoo_triage.agent.store import open_store
    from odoo_triage.evals.runner import default_eval_database_url

    store = open_store(database_url or default_eval_database_url())
    if list_runs_:
        from odoo_triage.agent.store.database import redact_url

        runs_found = list_runs(store)
        if output_format == "json":
            print(json.dumps([{"run_id": r.run_id, "created_at": r.created_at.isoformat(), "code": r.code_version,
                               "config": r.config} for r in runs_found], indent=2, default=str))
            return
        if not runs_found:
            console.print(f"no evaluation runs in {redact_url(store.url)}", highlight=False, soft_wrap=True)
            return
        table = Table("created", "code", "split", "recall", "precision")
        table.add_column("run", no_wrap=True, min_width=20)
        for r in runs_found:
            ov = r.figures.get("detection", {}).get("overall", {})
            table.add_row(r.created_at.strftime("%Y-%m-%d %H:%M"), r.code_version, str(r.config.get("split")),
                          f"{ov.get('recall', 0):.3f}", f"{ov.get('precision', 0):.3f}", r.run_id)
        console.print(table)
        console.print(f"[dim]store: {redact_url(store.url)}[/]", highlight=False, soft_wrap=True)
        return
    if compare:
        a, b = load_run(store, compare[0]), load_run(store, compare[1])
        changes = compare_figures(a.figures, b.figures, load_settings(config).evals)
        text = reports.compare_markdown(a.run_id, b.run_id, changes, settings_changes(a.config, b.config))
        console.print(text)
        if report:
            report.write_text(text)
        if any(c.regression for c in changes):
            raise typer.Exit(1)
        return

    from odoo_triage.evals.runner import load_mapping_file

    mapping = load_mapping_file(mapping_file) if mapping_file else None
    runs = _run_splits(labels, split, provider, store, load_settings(config), repeats, mapping)
    figures = {name: figs for name, (_rid, figs) in runs.items()}
    from odoo_triage.app.inputs import describe_files, given_line

    for name, figs in figures.items():
        progress_console.print(f"[bold]{name}[/]: inputs", highlight=False)
        if mapping is not None and mapping_file is not None:
            progress_console.print(given_line(mapping, mapping_file), highlight=False, soft_wrap=True)
        elif figs.get("mapping_file"):
            progress_console.print(f"mapping given ({figs['mapping_file']})", highlight=False, soft_wrap=True)
        for line in describe_files(figs.get("files", {})):
            progress_console.print(line, highlight=False, soft_wrap=True)
    if output_format == "json":
        print(json.dumps(figures, default=str, indent=2))
    else:
        console.print(reports.markdown(figures))
        for name, (run_id, _f) in runs.items():
            console.print(f"stored run [bold]{run_id}[/] ({name}) in {_redacted(store.url)}", highlight=False, soft_wrap=True)
    if report:
        report.write_text(reports.html_report(figures) if report.suffix == ".html" else reports.markdown(figures))
        console.print(f"report written to {report}")


def _redacted(url: str) -> str:
    from odoo_triage.agent.store.database import redact_url

    return redact_url(url)


def _run_splits(labels: list[Path] | Path | None, split: str, provider: str, store: Store, settings: Settings,
                repeats: int = 1, mapping: FieldMapping | None = None,
                ) -> dict[str, tuple[str, dict[str, Any]]]:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from odoo_triage.evals.runner import SPLIT_NAMES, SPLITS, evaluate_folder, folder_for_split
    from odoo_triage.evals.runs import save_run

    folders = [labels] if isinstance(labels, Path) else list(labels or [])
    targets: list[tuple[str, Callable[[], Path], dict[str, Any]]]
    if folders:
        missing = [str(f) for f in folders if not f.exists()]
        if missing:
            raise InputError(f"no such folder: {', '.join(missing)}")
        names = [f.name for f in folders]
        # estates with the same folder name (a/estate, b/estate) are told apart by their parent
        names = [f"{f.parent.name}/{f.name}" if names.count(f.name) > 1 else f.name for f in folders]
        targets = [(n, partial(Path, f), {"labels": str(f)}) for n, f in zip(names, folders, strict=True)]
    else:
        names = list(SPLIT_NAMES) if split in ("all", "both") else [split]
        targets = []
        for n in names:
            label, folder_of = folder_for_split(n, build=False)  # "meridian (held-out)"; raises on a bad name
            targets.append((label, folder_of, dict(vars(SPLITS[n])) if n in SPLITS else {"estate": label}))
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=progress_console) as prog:
        for name, folder_fn, params in targets:
            task = prog.add_task(f"{name}: building world", total=None)
            folder = folder_fn()
            figs = evaluate_folder(folder, provider=provider, store=store, settings=settings, repeats=repeats,
                                   mapping=mapping, progress=partial(_describe, prog, task, name))
            prog.update(task, description=f"{name}: done")
            config = {**params, "split": name, "provider": provider, "folder": str(folder),
                      "settings": settings.snapshot()}
            out[name] = (save_run(store, config, figs), figs)
    return out


def _describe(prog: Progress, task: TaskID, name: str, message: str) -> None:
    prog.update(task, description=f"{name}: {message}")


def demo_stage(ctx: DemoContext) -> str:
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
