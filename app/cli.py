"""The `triage` command line. Each stage's commands live in app/commands/<stage>.py.

Command modules are imported only when their command runs: `triage --help` and `--version` load no
stage, no pandas, no SQLAlchemy. `COMMANDS` names each command's module and one-line help; a test
checks it against the commands the modules really register.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer import _click as click  # typer vendors click: its Context and Command are these
from typer.core import TyperCommand, TyperGroup

from odoo_triage.core.errors import InputError, StoreError

#: command name -> (module under app/commands/, one-line help shown by `triage --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "detect": ("detect", "Read integration logs, rank anomalies with their evidence, store them."),
    "match": ("match", "Find duplicate partners or projects in an export or in Odoo."),
    "triage": ("triage", "Detection, matching, incidents, LLM report and proposals in one run."),
    "batch": ("batch", "Group the failures of one import/sync batch by signature and cause."),
    "digest": ("digest", "Write the daily anomaly digest (Markdown or HTML, optionally e-mailed)."),
    "console": ("console", "Start the Streamlit review console."),
    "proposals": ("approvals", "List remediation proposals and their status."),
    "show-proposal": ("approvals", "Show one proposal: payload, Odoo calls, approvals, execution."),
    "approve": ("approvals", "Approve a proposal (bound to its exact payload)."),
    "reject": ("approvals", "Reject a proposal with a reason."),
    "execute": ("approvals", "Execute an approved proposal in Odoo, once."),
    "audit": ("approvals", "Show the hash-chained audit log; `audit verify` checks every link."),
    "whoami": ("approvals", "Who the CLI acts as (OS account or TRIAGE_TOKEN) and their role."),
    "new-token": ("approvals", "Make a personal token and its line for [identity.tokens]."),
    "hash-password": ("approvals", "Hash a console password for [console] passwords."),
    "init-key": ("approvals", "Create the approval HMAC key file (never overwrites)."),
    "incidents": ("incidents", "List incidents: the open work, most severe first, with short ids."),
    "incident": ("incidents", "Move an incident: ack, snooze, resolve, close, reopen, dismiss (audited)."),
    "approve-batch": ("incidents", "Approve an incident's waiting proposals as one batch, each on its own."),
    "reconcile": ("incidents", "End executions left running: read Odoo, mark executed or failed."),
    "eval": ("evaluate", "Score the pipeline on labeled estates; list and compare stored runs."),
    "odoo-sandbox": ("sandbox", "Start the protocol-faithful Odoo stand-in on loopback."),
}

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 2


_loaded: dict[str, TyperGroup] = {}


def load_commands(module: str) -> TyperGroup:
    """The click commands that app/commands/<module>.py registers, imported on first use."""
    if module not in _loaded:
        sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        importlib.import_module(f"odoo_triage.app.commands.{module}").register(sub)
        _loaded[module] = typer.main.get_group(sub)
    return _loaded[module]


class _TriageGroup(TyperGroup):
    """Loads a command's module only when it runs; turns errors the user can fix into one line on
    stderr and exit code 2, for every command."""

    _listing = False  # True while help is drawn: list commands from COMMANDS without importing them

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        own = super().get_command(ctx, cmd_name)
        if own is not None or cmd_name not in COMMANDS:
            return own
        module, short = COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(cmd_name, help=short, short_help=short)
        return load_commands(module).get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

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
    from odoo_triage.agent.store import open_store
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
    cfg = f"TRIAGE_CONFIG={out / 'config.toml'}"
    console.print(f"\nEverything is in [bold]{out}[/]. Next:")
    for what, command in (
        (f"review, approve and execute in the console (sign in with a user from {out / 'console-sign-in.txt'})",
         f"{cfg} triage console {db}"),
        ("list what waits for approval", f"triage proposals {db}"),
        ("read the daily digest", f"{out / 'digest.html'}"),
        ("start the Odoo stand-in loaded with this world", f"triage odoo-sandbox --world {ctx.world_dir}"),
    ):
        console.print(f"  [dim]{what}:[/]")
        console.print(f"    {command}", soft_wrap=True, highlight=False)


def main() -> None:
    """Entry point of the `triage` console script."""
    app()


if __name__ == "__main__":
    main()
