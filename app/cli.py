"""The `triage` command line. Each stage's commands live in app/commands/<stage>.py."""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from odoo_triage.agent.store import StoreError, open_store
from odoo_triage.core.errors import InputError

COMMAND_MODULES = ["detect", "match", "triage", "approvals", "batch", "digest", "console", "evaluate", "sandbox", "incidents"]

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 2


class _TriageGroup(TyperGroup):
    """Turns errors the user can fix into one line on stderr and exit code 2, for every command."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (InputError, StoreError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            err_console.print(f"[red]error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None


app = typer.Typer(
    cls=_TriageGroup,
    name="triage",
    help="Triage the integrations around Odoo: detect, match duplicates, explain, propose, approve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def package_version() -> str:
    try:
        return version("odoo-triage")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"odoo-triage {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True, help="Show the version."),
) -> None:
    """Triage the integrations around Odoo."""


@app.command()
def demo(
    out: Path = typer.Option(Path("triage-demo"), "--out", help="Folder for the demo world and its database."),
    events: int = typer.Option(60_000, "--events", help="Approximate number of log events in the world."),
    seed: int = typer.Option(7, "--seed", help="Random seed of the simulation."),
    database_url: str = typer.Option(None, "--database-url", help="Store URL; default: a SQLite file in --out."),
) -> None:
    """Build the labeled demo world and run every stage on it."""
    from odoo_triage.app.demo import DemoContext, stages
    from odoo_triage.sim.world import generate_world

    out.mkdir(parents=True, exist_ok=True)
    store = open_store(database_url or f"sqlite:///{(out / 'triage.db').resolve()}")
    ctx = DemoContext(world_dir=out / "world", store=store, console=console)
    summaries: list[tuple[str, str]] = []
    steps = stages()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("building the demo world", total=len(steps) + 1)
        world = generate_world(ctx.world_dir, seed=seed, events=events)
        ctx.results["world"] = world
        summaries.append(("world", world.summary()))
        progress.advance(task)
        for name, fn in steps:
            progress.update(task, description=f"running {name}")
            summaries.append((name, fn(ctx)))
            progress.advance(task)
    console.rule("[bold]odoo-triage demo")
    for name, line in summaries:
        console.print(f"[bold cyan]{name:>10}[/]  {line}")
    db = f"--database-url {store.url}"
    console.print(f"\nEverything is in [bold]{out}[/]. Next:")
    for what, command in (
        ("review, approve and execute in the console", f"triage console {db}"),
        ("list what waits for approval", f"triage proposals {db}"),
        ("read the daily digest", f"{out / 'digest.html'}"),
        ("start the Odoo stand-in loaded with this world", f"triage odoo-sandbox --world {ctx.world_dir}"),
    ):
        console.print(f"  [dim]{what}:[/]")
        console.print(f"    {command}", soft_wrap=True, highlight=False)


for _name in COMMAND_MODULES:
    importlib.import_module(f"odoo_triage.app.commands.{_name}").register(app)


def main() -> None:
    """Entry point of the `triage` console script."""
    app()


if __name__ == "__main__":
    main()
