"""`triage console`: open the Streamlit review console on the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

MAIN = Path(__file__).resolve().parents[1] / "console" / "main.py"

HELP = (
    "Open the review console (Streamlit): the incident queue with filters, each incident's summary, cause, "
    "evidence, anomaly chart and error signatures, duplicate clusters side by side, the proposal with the "
    "exact Odoo calls it would make, approve / reject with a reason, execute, and the audit trail.\n\n"
    "Nobody is signed in until they sign in with a password (PBKDF2 hashes in \\[console] passwords, "
    "`triage hash-password`); behind an authenticating proxy, a trusted header names the user, only when "
    "enabled (\\[console] trusted_user_header or TRIAGE_TRUSTED_USER_HEADER) and only on requests carrying "
    "TRIAGE_PROXY_SECRET in X-Triage-Proxy-Secret. Without either the console is read-only. Roles always "
    "come from the settings. Decisions go through the same approval rules as the CLI.\n\n"
    "--sandbox starts the Odoo stand-in on loopback (demo only) and points the console's gateway at it."
)


def _sandbox_env(world: Path | None) -> tuple[object, dict[str, str]]:
    """Start the Odoo stand-in and return it with the env that points the gateway at it."""
    from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, demo_data, load_world, start_sandbox

    data = load_world(world) if world is not None else demo_data()
    sb = start_sandbox(data=data)
    env = {"TRIAGE_ODOO_URL": sb.url, "TRIAGE_ODOO_DB": data.db, "TRIAGE_ODOO_PROTOCOL": "json2",
           "TRIAGE_ODOO_READ_LOGIN": READ_LOGIN, "TRIAGE_ODOO_WRITE_LOGIN": WRITE_LOGIN,
           "TRIAGE_ODOO_READ_KEY": data.user(READ_LOGIN).api_key,
           "TRIAGE_ODOO_WRITE_KEY": data.user(WRITE_LOGIN).api_key}
    return sb, env


def streamlit_command(port: int, headless: bool) -> list[str]:
    # app/console/serve.py: `streamlit run` with the console's imports done before the first visitor
    return [sys.executable, "-m", "odoo_triage.app.console.serve", "run", str(MAIN), "--server.port", str(port),
            "--server.address", "127.0.0.1" if headless else "localhost",
            "--server.headless", "true" if headless else "false", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]


def register(app: typer.Typer) -> None:
    """Add `triage console` to the app."""

    @app.command("console", help=HELP)
    def console(
        database_url: str = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the local SQLite file)."),
        port: int = typer.Option(8501, "--port", help="Port to serve on."),
        logs: list[Path] = typer.Option(None, "--logs", help="Log folder or files: charts each incident's flow hour by hour."),
        headless: bool = typer.Option(False, "--headless", help="Do not open a browser; listen on 127.0.0.1 only."),
        sandbox: bool = typer.Option(False, "--sandbox", help="Execute against the Odoo stand-in (demo)."),
        world: Path = typer.Option(None, "--world", help="With --sandbox: load the demo world's records into it."),
    ) -> None:
        from odoo_triage.agent.store import open_store
        from odoo_triage.agent.store.database import redact_url, resolve_database_url

        url = resolve_database_url(database_url)
        open_store(url).dispose()  # a bad URL is a one-line error here, not a stack trace in the browser
        env = dict(os.environ, TRIAGE_DATABASE_URL=url)
        if logs:
            env["TRIAGE_CONSOLE_LOGS"] = os.pathsep.join(str(p.resolve()) for p in logs)
        sb = None
        if sandbox:
            sb, extra = _sandbox_env(world)
            env.update(extra)
            typer.echo(f"Odoo stand-in on {extra['TRIAGE_ODOO_URL']}", err=True)
        typer.echo(f"review console on port {port}, store {redact_url(url)}", err=True)
        try:
            rc = subprocess.run(streamlit_command(port, headless), env=env, check=False).returncode
        except KeyboardInterrupt:
            rc = 0
        finally:
            if sb is not None:
                sb.stop()  # type: ignore[attr-defined]
        raise typer.Exit(rc)
