"""`triage odoo-sandbox`: the Odoo stand-in on loopback, loaded with the demo world, until Ctrl-C."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

from odoo_triage.core.errors import InputError

console = Console()


def sandbox_command(
    port: int = typer.Option(8069, "--port", help="Port on 127.0.0.1 (0: any free port)."),
    world: Path = typer.Option(None, "--world", help="A demo world folder (records/, logs/queue_job.csv); "
                                                      "default: the built-in small world."),
    db: str = typer.Option("odoo", "--db", help="Database name the stand-in answers to."),
    odoo_version: int = typer.Option(19, "--odoo-version", help="The Odoo version to answer as: 17, 18 or 19 "
                                     "(each with its routes: JSON-2 and /web/version on 19 only)."),
    protocol: str = typer.Option("auto", "--protocol", help="Protocol to print in the env vars: auto (ask the "
                                 "server its version), json2 (19), jsonrpc or xmlrpc."),
    serve_seconds: float = typer.Option(0, "--serve-seconds", hidden=True, help="Stop after N seconds (tests)."),
) -> None:
    """Start a protocol-faithful Odoo 17/18/19 stand-in and print how to point the gateway at it."""
    from odoo_triage.sim.odoo_sandbox import (
        ADMIN_LOGIN,
        READ_LOGIN,
        WRITE_LOGIN,
        demo_data,
        load_world,
        start_sandbox,
    )

    if odoo_version not in (17, 18, 19):
        raise InputError(f"--odoo-version must be 17, 18 or 19, not {odoo_version}")
    if protocol not in ("auto", "json2", "jsonrpc", "xmlrpc"):
        raise InputError(f"--protocol must be auto, json2, jsonrpc or xmlrpc, not {protocol!r}")
    if protocol == "json2" and odoo_version < 19:
        raise InputError(f"Odoo {odoo_version} has no JSON-2 API: use --protocol auto, jsonrpc or xmlrpc")
    if world is not None and not (world / "records").is_dir():
        raise InputError(f"{world} is not a demo world folder (no records/ in it)")
    data = (load_world(world, db=db, version=odoo_version) if world is not None
            else demo_data(db=db, version=odoo_version))
    try:
        sb = start_sandbox(port=port, data=data)
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    counts = ", ".join(f"{len(recs)} {model}" for model, recs in data.records.items() if recs)
    apis = "JSON-2, JSON-RPC and XML-RPC" if odoo_version >= 19 else "JSON-RPC and XML-RPC"
    console.print(f"Odoo stand-in ({odoo_version}.0, {apis}) at [bold]{sb.url}[/] with {counts}")
    console.print(f"users: {READ_LOGIN} (read-only), {WRITE_LOGIN} (write), {ADMIN_LOGIN} (admin)\n")
    console.print("# point the gateway at it:", highlight=False)
    for var, value in (("TRIAGE_ODOO_URL", sb.url), ("TRIAGE_ODOO_DB", db), ("TRIAGE_ODOO_PROTOCOL", protocol),
                       ("TRIAGE_ODOO_READ_LOGIN", READ_LOGIN), ("TRIAGE_ODOO_READ_KEY", data.user(READ_LOGIN).api_key),
                       ("TRIAGE_ODOO_WRITE_LOGIN", WRITE_LOGIN),
                       ("TRIAGE_ODOO_WRITE_KEY", data.user(WRITE_LOGIN).api_key)):
        console.print(f"export {var}={value}", highlight=False, soft_wrap=True)
    console.print(f"# admin API key (may merge partners with different e-mails): {data.user(ADMIN_LOGIN).api_key}",
                  highlight=False, soft_wrap=True)
    console.print("\nServing until Ctrl-C.")
    started = time.monotonic()
    try:
        while not serve_seconds or time.monotonic() - started < serve_seconds:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
    console.print("stopped")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `triage` app."""
    app.command("odoo-sandbox")(sandbox_command)
