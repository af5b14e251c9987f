"""`triage detect FILE...`: read integration logs, find anomalies per flow, rank, store them.

Also the demo stage: detection over the demo world's logs.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from odoo_triage.core.errors import InputError
from odoo_triage.core.redact import redact_obj

if TYPE_CHECKING:
    from odoo_triage.app.demo import DemoContext
    from odoo_triage.detectors.pipeline import DetectionResult

err_console = Console(stderr=True)
FORMATS = ("table", "json")
SHOWN_REJECTED = 5


def parse_when(value: str | None, option: str) -> datetime | None:
    """An ISO date or date-time; naive means UTC."""
    if value is None:
        return None
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            dt = datetime.combine(date.fromisoformat(value.strip()), datetime.min.time())
        except ValueError:
            raise InputError(f"{option} {value!r}: expected an ISO date or time like 2026-10-26 or "
                             f"2026-10-26T08:00") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class ByteProgress:
    """One pass, by bytes, over every stage: a bar with ETA on a terminal, else a plain line every
    `every` seconds and at each stage (logs of cron jobs and CI show where a long run is)."""

    def __init__(self, total: int, every: float, console: Console = err_console) -> None:
        self.total, self.every, self.console = max(total, 1), every, console
        self.done = 0
        self.stage_name = "reading logs"
        self.t0 = self.last = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> ByteProgress:
        if self.console.is_terminal:
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                                TimeElapsedColumn(), TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task(self.stage_name, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def advance(self, n: int) -> None:
        self.done += n
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.done)
        elif time.monotonic() - self.last >= self.every:
            self._line()

    def stage(self, name: str) -> None:
        self.stage_name = name
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=name)
        elif time.monotonic() - self.last >= self.every:  # a short run prints nothing
            self._line()

    def _line(self) -> None:
        self.last = now = time.monotonic()
        elapsed = now - self.t0
        share = min(1.0, self.done / self.total)
        eta = f", ETA {elapsed * (1 - share) / share:.0f} s" if 0 < share < 1 else ""
        self.console.print(f"{self.stage_name}: {share:.0%} of {self.total / 1e6:,.1f} MB read, {elapsed:.0f} s"
                           f"{eta}", highlight=False, soft_wrap=True)


def detect_with_progress(files: list[Path], **kwargs: Any) -> DetectionResult:
    from odoo_triage.core.settings import load_settings
    from odoo_triage.detectors.pipeline import run_detection

    total = sum(f.stat().st_size for f in files)  # no counting pass: the bar is in bytes
    every = load_settings().readers.progress_every_seconds
    with ByteProgress(total, every) as progress:
        result = run_detection(files, progress=progress.advance, stage=progress.stage, **kwargs)
    return result


def render_table(result: DetectionResult, limit: int) -> Table:
    table = Table(title=f"{len(result.anomalies)} anomalies, ranked", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("kind", no_wrap=True)
    table.add_column("flow", no_wrap=True)
    table.add_column("window (UTC)", no_wrap=True)
    table.add_column("why")
    table.add_column("evidence", no_wrap=True)
    for n, a in enumerate(result.anomalies[:limit], start=1):
        kinds = str(a.kind) + ("".join(f"\n+ {k}" for k in a.related_kinds))
        window = f"{a.window_start:%Y-%m-%d %H:%M}\n{a.window_end:%Y-%m-%d %H:%M}"
        ev = a.evidence_event_ids
        table.add_row(str(n), f"{a.score:.2f}", kinds, a.flow, window, a.reason,
                      "\n".join(ev[:3]) + (f"\n(+{len(ev) - 3} more)" if len(ev) > 3 else ""))
    if len(result.anomalies) > limit:
        table.caption = f"{len(result.anomalies) - limit} more: use --limit or --format json"
    return table


def as_json(result: DetectionResult, saved: int | None, rejected_file: Path | None) -> dict[str, Any]:
    return {
        "summary": result.summary(),
        "files": {name: s.as_dict() for name, s in result.stats.items()},
        "lines_read": result.lines,
        "events_parsed": result.events,
        "lines_set_aside": len(result.rejected),
        "rejected_sample": [r.model_dump() for r in result.rejected[:SHOWN_REJECTED]],
        "rejected_file": str(rejected_file) if rejected_file else None,
        "baseline_end": result.baseline_end.isoformat() if result.baseline_end else None,
        "flows": result.flows,
        "unattributed_loggers": result.unattributed,
        "anomalies": [a.model_dump(mode="json") for a in result.anomalies],
        "templates": {sid: {"template": t, "count": n} for sid, (t, n) in result.templates.items()},
        "stored": saved,
    }


def load_catalog(path: Path | None, files: list[Path]) -> list[Any]:
    """flows.json given, else the one next to (or one level above) the logs, else none."""
    from odoo_triage.core.labels import read_flows

    if path is not None:
        return read_flows(path)
    for folder in dict.fromkeys(f.parent for f in files):
        for candidate in (folder / "flows.json", folder.parent / "flows.json"):
            if candidate.is_file():
                return read_flows(candidate)
    return []


def describe_inputs(result: DetectionResult) -> list[str]:
    """Per file: format, encoding, lines = parsed + set aside + blank, the mapping inferred (with its
    confidence) and the top set-aside reasons; then the Odoo loggers no flows.json entry claims."""
    from odoo_triage.app.inputs import describe_files

    return describe_files(result.stats, unattributed=result.unattributed)


def write_rejected(result: DetectionResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in result.rejected:
            fh.write(json.dumps(redact_obj(r.model_dump(mode="json"))) + "\n")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the `triage` app."""

    @app.command("detect")
    def detect_command(
        files: list[Path] = typer.Argument(..., help="Log files (or folders of them): JSON lines, CSV, queue.job export, Odoo server log."),
        since: str = typer.Option(None, "--since", help="Only anomalies ending after this (ISO date/time, UTC). "
                                  "Reads the baseline and from a lookback before it on (detectors."
                                  "prune_lookback_hours): time-ordered logs are entered by binary search."),
        until: str = typer.Option(None, "--until", help="Only anomalies starting before this (ISO date/time, UTC). "
                                  "Time-ordered logs are read to a lookback after it."),
        read_all: bool = typer.Option(False, "--read-all", help="With --since/--until: read everything, as a run "
                                      "without them does, and only filter the anomalies."),
        read_since: str = typer.Option(None, "--read-since",
                                       help="Read and judge only events from this time on (ISO date/time, UTC; the "
                                            "baseline is then the first days of those): time-ordered logs are "
                                            "entered by binary search instead of read from their start. --since "
                                            "keeps the baseline (the data's first days)."),
        flow: list[str] = typer.Option(None, "--flow", help="Only these flows (repeatable)."),
        output_format: str = typer.Option("table", "--format", help="table or json."),
        baseline_days: float = typer.Option(None, "--baseline-days",
                                            help="Days at the start of the data taken as normal (default 7, or half "
                                                 "the data when it covers under 14 days)."),
        log_format: str = typer.Option(None, "--log-format",
                                       help="Force the format of every file: jsonl, csv, queue_job, odoo_log, "
                                            "access_log, prefixed (syslog / log drain), logfmt or java_log."),
        mapping_file: Path = typer.Option(None, "--mapping",
                                          help="JSON file naming the source field of each event field for JSON-lines "
                                               "and CSV logs, e.g. {\"timestamp\": \"time\", \"flow\": \"integration\"} "
                                               "(default: a mapping.json beside the logs, else inferred per file)."),
        flows_file: Path = typer.Option(None, "--flows",
                                        help="flows.json: which loggers, queue channels and aliases belong to which "
                                             "flow (default: a flows.json next to the logs folder, if any)."),
        rejected_file: Path = typer.Option(None, "--rejected-file",
                                           help="Write every set-aside line here (JSON lines with file, line, reason)."),
        database_url: str = typer.Option(None, "--database-url", help="Store URL (default: TRIAGE_DATABASE_URL or SQLite)."),
        no_store: bool = typer.Option(False, "--no-store", help="Do not write the anomalies to the store."),
        limit: int = typer.Option(30, "--limit", help="Anomalies shown in the table."),
        engine: str = typer.Option(None, "--engine", help="Where the hourly aggregation runs: local or spark "
                                                          "(default: the detectors.engine setting). Spark reads "
                                                          "Parquet events (--write-events) on a shared path."),
        master: str = typer.Option(None, "--master", help="Spark master URL, e.g. local[2] or spark://host:7077."),
        state_dir: Path = typer.Option(None, "--state", help="Folder of saved offsets, aggregates and templates: "
                                                             "read only the lines added since the last run."),
        write_events: Path = typer.Option(None, "--write-events", help="Write the parsed events to this Parquet file."),
        write_windows: Path = typer.Option(None, "--write-windows",
                                           help="Write the per-flow hourly aggregates to this Parquet file."),
    ) -> None:
        """Find anomalies in integration logs: error spikes, latency shifts, silent flows, retry storms,
        duplicate deliveries, new error signatures. Ranked, explained, stored."""
        if output_format not in FORMATS:
            raise InputError(f"--format must be table or json, not {output_format!r}")
        from odoo_triage.app.inputs import given_line, resolve_mapping
        from odoo_triage.detectors.frame import expand_paths

        files = expand_paths(files)
        t_since, t_until = parse_when(since, "--since"), parse_when(until, "--until")
        t_read = parse_when(read_since, "--read-since")
        if t_since and t_until and t_since > t_until:
            raise InputError("--since is after --until")
        catalog = load_catalog(flows_file, files)
        mapping, mapping_path = resolve_mapping(mapping_file, files)
        result = detect_with_progress(files, since=t_since, until=t_until, flows=flow or None,
                                      baseline_days=baseline_days, formats=log_format, catalog=catalog,
                                      mapping=mapping, read_since=t_read, prune=not read_all,
                                      **_scale_options(engine, master, state_dir, write_events, write_windows))
        for note in result.notes:
            err_console.print(note, highlight=False)
        saved = None
        if not no_store:
            from odoo_triage.agent.store import open_store
            from odoo_triage.agent.store.stage_results import save_anomalies

            store = open_store(database_url)
            try:
                saved = save_anomalies(store, result.anomalies)
            finally:
                store.dispose()
        if rejected_file is not None:
            write_rejected(result, rejected_file)
        if output_format == "json":  # the same figures are in the JSON ("files": mapping, mapping_confidence)
            typer.echo(json.dumps(redact_obj(as_json(result, saved, rejected_file)), indent=1, default=str))
            return
        out = Console(width=None if sys.stdout.isatty() else 180)
        out.print(render_table(result, limit))
        if mapping is not None and mapping_path is not None:
            out.print(given_line(mapping, mapping_path), highlight=False)
        for line in describe_inputs(result):
            out.print(line, highlight=False)
        out.print(f"{result.lines:,} lines read, {result.events:,} events parsed, "
                  f"{len(result.rejected):,} lines set aside" + (f", {saved} new anomalies stored" if saved is not None else ""))
        if result.rejected:
            shown = ", ".join(f"{r.source_file}:{r.line_no} ({r.reason})" for r in result.rejected[:SHOWN_REJECTED])
            more = (f"; all {len(result.rejected):,} in {rejected_file}" if rejected_file
                    else "; --rejected-file PATH lists them all" if len(result.rejected) > SHOWN_REJECTED else "")
            out.print(f"set aside: {shown}{more}", highlight=False)


def _scale_options(engine: str | None, master: str | None, state_dir: Path | None, write_events: Path | None,
                   write_windows: Path | None) -> dict[str, Any]:
    """The engine, incremental-state and Parquet options of `triage detect`, those given only."""
    from odoo_triage.core.settings import load_settings

    cfg = load_settings().detectors  # [detectors] engine, spark_master, state_dir when not given here
    given = {"engine": engine or cfg.engine, "master": master or cfg.spark_master,
             "state_dir": state_dir or (Path(cfg.state_dir) if cfg.state_dir else None),
             "write_events": write_events, "write_windows": write_windows}
    return {k: v for k, v in given.items() if v is not None}


def demo_stage(ctx: DemoContext) -> str:
    """Detection over the demo world's logs; the result is handed to later stages."""
    from odoo_triage.agent.store.stage_results import save_anomalies
    from odoo_triage.detectors.pipeline import run_detection

    flows_path = Path(ctx.world_dir) / "flows.json"
    catalog = load_catalog(flows_path if flows_path.exists() else None, [])
    result = run_detection([Path(ctx.world_dir) / "logs"], catalog=catalog)
    save_anomalies(ctx.store, result.anomalies)
    ctx.results["detection"] = result
    return result.summary()
