"""The `triage` command line. Each stage's commands live in app/commands/<stage>.py."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from agent.errors import InputError
from agent.store import StoreError, open_store

COMMAND_MODULES = ["detect", "match", "triage", "approvals", "batch", "digest", "console", "evaluate", "sandbox"]

app = typer.Typer(
    name="triage",
    help="Triage the integrations around Odoo: detect, match duplicates, explain, propose, approve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_BAD_INPUT = 2


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
    from evals.world import generate_world

    from app.demo import DemoContext, stages

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
    console.print(f"\nEverything is in [bold]{out}[/]; the store is {store.url.split('///')[-1]}.")


for _name in COMMAND_MODULES:
    importlib.import_module(f"app.commands.{_name}").register(app)


def main() -> None:
    """Entry point: known errors become one line on stderr and exit code 2, never a traceback."""
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except (InputError, StoreError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        err_console.print(f"[red]error:[/] {exc}")
        sys.exit(EXIT_BAD_INPUT)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors come through here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(EXIT_BAD_INPUT)
        raise


if __name__ == "__main__":
    main()
