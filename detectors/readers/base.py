"""What every reader yields: compact event rows in chunks, rejected lines, per-file counts.

Readers stream: they hold one chunk of rows at a time, so memory does not grow with the file.
Rows are plain tuples (`EventRow`) because a million pydantic objects cost seconds and a gigabyte;
`to_log_event` turns one row into the `LogEvent` of the domain model when it crosses a boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from odoo_triage.core.domain import EventStatus, LogEvent, RejectedLine

CHUNK_SIZE = 20_000
RAW_KEEP = 500  # characters of a rejected line kept aside


class EventRow(NamedTuple):
    ts: float  # epoch seconds, UTC
    flow: str
    source_system: str
    target_system: str
    operation: str
    status: str  # "ok" | "error" | "retry"
    latency_ms: float | None
    http_status: int | None
    error: str | None
    retry_count: int
    correlation_id: str | None
    idempotency_key: str | None
    record_ids: tuple[str, ...]
    line_no: int
    offset: int  # byte offset of the event's first line: lets the pipeline re-read cited events


@dataclass
class Chunk:
    rows: list[EventRow] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)
    lines: int = 0  # physical lines consumed by this chunk
    skipped: int = 0  # well-formed lines that are not integration events (server noise)


@dataclass
class FileStats:
    file: str
    format: str
    lines: int = 0
    events: int = 0
    rejected: int = 0
    skipped: int = 0

    def add(self, chunk: Chunk) -> None:
        self.lines += chunk.lines
        self.events += len(chunk.rows)
        self.rejected += len(chunk.rejected)
        self.skipped += chunk.skipped

    def as_dict(self) -> dict[str, int | str]:
        return {"file": self.file, "format": self.format, "lines": self.lines, "events": self.events,
                "rejected": self.rejected, "skipped": self.skipped}


class RowError(ValueError):
    """A line that cannot become an event; the message is the rejection reason."""


def reject(path: Path, line_no: int, reason: str, raw: str | bytes) -> RejectedLine:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return RejectedLine(source_file=path.name, line_no=line_no, reason=reason, raw=raw.rstrip("\r\n")[:RAW_KEEP])


_STATUS_WORDS = {
    "ok": "ok", "success": "ok", "succeeded": "ok", "done": "ok", "200": "ok", "true": "ok",
    "error": "error", "failed": "error", "failure": "error", "fail": "error", "ko": "error", "false": "error",
    "retry": "retry", "retrying": "retry", "pending": "retry", "warning": "retry",
}


def parse_status(value: object, http_status: int | None, error: str | None) -> str:
    """Status from the status field; when absent, from the HTTP status or the presence of an error."""
    if value is not None and value != "":
        s = _STATUS_WORDS.get(str(value).strip().lower())
        if s is None:
            raise RowError(f"unknown status {value!r}")
        return s
    if http_status is not None:
        return "error" if http_status >= 400 else "ok"
    return "error" if error else "ok"


def parse_ts(value: object) -> float:
    """Epoch seconds from an ISO 8601 string (naive means UTC) or a number of epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value / 1000 if value > 1e11 else value)
    if not isinstance(value, str) or not value:
        raise RowError("missing timestamp")
    try:
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RowError(f"bad timestamp {value[:40]!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def opt_float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError(f"not a number: {str(value)[:40]!r}") from None


def opt_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError(f"not an integer: {str(value)[:40]!r}") from None


def opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def to_log_event(row: EventRow, source_file: str) -> LogEvent:
    return LogEvent(
        event_id=f"{source_file}:{row.line_no}",
        timestamp=datetime.fromtimestamp(row.ts, tz=UTC),
        flow=row.flow,
        source_system=row.source_system,
        target_system=row.target_system,
        operation=row.operation,
        status=EventStatus(row.status),
        latency_ms=row.latency_ms,
        http_status=row.http_status,
        error=row.error,
        retry_count=row.retry_count,
        correlation_id=row.correlation_id,
        idempotency_key=row.idempotency_key,
        record_ids=list(row.record_ids),
        source_file=source_file,
        line_no=row.line_no,
    )


def numbered_lines(path: Path, start_offset: int = 0, start_line: int = 1) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, raw bytes) for each physical line, streamed."""
    offset, line_no = start_offset, start_line
    with path.open("rb") as fh:
        if start_offset:
            fh.seek(start_offset)
        for raw in fh:
            yield line_no, offset, raw
            offset += len(raw)
            line_no += 1
