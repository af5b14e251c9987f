"""`triage digest`: the daily anomaly digest, and its demo stage."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from odoo_triage.app.digest import (
    CRON_LINE,
    Digest,
    SmtpConfig,
    build_digest,
    flow_stats_from_logs,
    parse_since,
    render_html,
    render_markdown,
    save_digest,
    send_digest,
    subject_of,
)

HELP = (
    "Write the daily anomaly digest: new and ongoing incidents by severity, each flow's volume, error "
    "rate and p95 latency against its normal band (small charts), duplicates found, proposals waiting "
    "for approval and their age, and what changed since the previous digest (each digest's figures are "
    "saved in the store).\n\n"
    "Flow figures come from the integration logs (--logs, a folder or files, read with the detectors' "
    "readers): the store does not keep flow statistics. HTML embeds the charts; Markdown writes them as "
    "PNGs into <out>_charts/ next to --out and links them.\n\n"
    "Delivery by e-mail with --send, configured from the environment: TRIAGE_SMTP_HOST, TRIAGE_SMTP_PORT, "
    "TRIAGE_SMTP_USER, TRIAGE_SMTP_PASSWORD (never logged), TRIAGE_SMTP_FROM, TRIAGE_SMTP_TO (comma "
    "separated), TRIAGE_SMTP_STARTTLS=1 or TRIAGE_SMTP_SSL=1.\n\n"
    f"\b\nEvery weekday at 07:00, from cron:\n  {CRON_LINE} --logs /var/log/integrations"
)

if TYPE_CHECKING:
    from odoo_triage.app.demo import DemoContext


class DigestFormat(StrEnum):
    md = "md"
    html = "html"


def write_digest(digest: Digest, fmt: DigestFormat, out: Path | None, console_url: str | None = None) -> str:
    """Render and write; returns the rendered text (Markdown charts go to <out>_charts/)."""
    if fmt is DigestFormat.html:
        text = render_html(digest, console_url)
    elif out is not None:
        text = render_markdown(digest, chart_dir=out.parent / f"{out.stem}_charts", link_base=out.parent)
    else:
        text = render_markdown(digest)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return text


def register(app: typer.Typer) -> None:
    """Add `triage digest` to the app."""

    @app.command("digest", help=HELP)
    def digest(
        since: str = typer.Option("24h", "--since", help="24h, 7d, 90m, 2w, or an ISO date (UTC)."),
        fmt: DigestFormat = typer.Option(DigestFormat.html, "--format", help="md or html."),
        out: Path = typer.Option(None, "--out", help="File to write; default: standard output."),
        logs: list[Path] = typer.Option(None, "--logs", help="Log folder or files for the flow figures (repeatable)."),
        mapping_file: Path = typer.Option(None, "--mapping", help="FieldMapping JSON for JSON-lines and CSV logs "
                                                                 "(default: a mapping.json beside the logs, else "
                                                                 "inferred per file)."),
        database_url: str = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or the local SQLite file)."),
        send: bool = typer.Option(False, "--send", help="Also e-mail it (TRIAGE_SMTP_* environment)."),
        console_url: str = typer.Option(None, "--console-url", help="HTML: link incident ids to this review "
                                        "console (e.g. http://localhost:8501)."),
    ) -> None:
        from odoo_triage.agent.store import open_store

        err = Console(stderr=True, soft_wrap=True)
        from odoo_triage.core.clock import utcnow

        now = utcnow()
        start = parse_since(since, now)
        smtp = SmtpConfig.from_env() if send else None  # fail before the work on a bad configuration
        store = open_store(database_url)
        try:
            with err.status("reading the logs and the store"):
                from odoo_triage.app.inputs import describe_files, given_line, resolve_mapping

                mapping, mapping_path = resolve_mapping(mapping_file, logs or [])
                stats = flow_stats_from_logs(logs, mapping) if logs else None
            if mapping is not None and mapping_path is not None:
                err.print(given_line(mapping, mapping_path), highlight=False)
            if stats is not None:
                for line in describe_files(stats.attrs.get("files", {})):
                    err.print(line, highlight=False)
            with err.status("writing the digest"):
                d = build_digest(store, start, now=now, flow_stats=stats)
            text = write_digest(d, fmt, out, console_url=console_url)
            save_digest(store, d)
        finally:
            store.dispose()
        if out is None:
            sys.stdout.write(text)
        else:
            err.print(f"digest written to {out}: {_summary(d)}", highlight=False)
        if smtp is not None:
            plain = render_markdown(d)
            send_digest(smtp, subject_of(d), plain, render_html(d) if fmt is DigestFormat.html else None)
            err.print(f"sent to {', '.join(smtp.to)} via {smtp.host}:{smtp.port}", highlight=False)


def _summary(d: Digest) -> str:
    return f"{len(d.incidents)} open incidents ({len(d.ended)} ended), {len(d.proposals_waiting)} proposals waiting"


def demo_stage(ctx: DemoContext) -> str:
    """Write the demo's digest.html next to its world, from the demo store and the world's logs."""
    from datetime import timedelta

    from odoo_triage.core.clock import utcnow

    logs = ctx.world_dir / "logs"
    stats = None
    if logs.is_dir():
        try:
            stats = flow_stats_from_logs([logs])
        except Exception as exc:  # the digest still helps without the flow charts
            ctx.console.print(f"[yellow]digest: no flow figures ({exc})[/]")
    d = build_digest(ctx.store, utcnow() - timedelta(hours=24), flow_stats=stats)
    out = ctx.world_dir.parent / "digest.html"
    write_digest(d, DigestFormat.html, out, console_url="http://localhost:8501")  # `triage console`'s default
    save_digest(ctx.store, d)
    ctx.results["digest"] = out
    return f"digest written to {out}: {_summary(d)}"
