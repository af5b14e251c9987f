"""Web server access logs (nginx `combined` / Apache combined, optionally with a request time field).

A webhook receiver behind nginx leaves its trace here first: one line per delivery with the route and
the status the sender saw. The flow is the flows.json entry whose `endpoints` the path starts with; a
path no flow claims is skipped and reported (the root of a site is no integration flow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    LineDecoder,
    RowChecker,
    RowError,
    numbered_lines,
    parse_status,
    reject,
)
from odoo_triage.detectors.readers.flows import FlowCatalog

FORMAT = "access_log"
# ip ident user [time] "request" status bytes ["referer" "agent"] [request_time | upstream time ...]
LINE = re.compile(
    r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?:\d+|-)'
    r'(?: "(?P<referer>[^"]*)" "(?P<agent>[^"]*)")?(?P<rest>.*)$')
_REQUEST = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+)(?: HTTP/[\d.]+)?$")
_SECONDS = re.compile(r"(?:rt=|request_time=)?(\d+\.\d{3})\b")


def looks_like_access_log(first: bytes) -> bool:
    try:
        return LINE.match(first.decode("utf-8", "replace").rstrip("\r\n")) is not None
    except ValueError:
        return False


def _ts(text: str) -> float:
    try:
        return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").timestamp()
    except ValueError:
        raise RowError(f"bad access-log time {text[:40]!r}") from None


class AccessLogReader:
    format = FORMAT

    def __init__(self, catalog: FlowCatalog | None = None, settings: ReaderSettings | None = None) -> None:
        self.catalog = catalog
        self.check = RowChecker(settings)
        self.decoder = LineDecoder()

    def _row(self, text: str, line_no: int, offset: int) -> EventRow | str:
        """The event, or the reason the line is no event of any flow (a str: skipped, counted)."""
        m = LINE.match(text)
        if m is None:
            raise RowError("line not in the combined access-log format")
        req = _REQUEST.match(m["request"])
        if req is None:
            return "request line without method and path"
        path = req["path"].split("?", 1)[0]
        flow = self.catalog.by_endpoint(path) if self.catalog is not None and self.catalog.endpoints else None
        if flow is None:
            return "path no flows.json endpoint claims"
        status = int(m["status"])
        t = _SECONDS.search(m["rest"] or "")
        latency = float(t.group(1)) * 1000.0 if t else None
        state = parse_status(None, status, None)
        row = EventRow(ts=_ts(m["time"]), flow=flow, source_system="", target_system="", operation=req["method"],
                       status=state, latency_ms=latency, http_status=status,
                       error=f"HTTP {status} on {req['method']} {path}" if state == "error" else None,
                       retry_count=0, correlation_id=None, idempotency_key=None, record_ids=(),
                       line_no=line_no, offset=offset)
        return self.check(row)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        chunk = Chunk()
        for line_no, offset, raw in numbered_lines(path, *start):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            text = self.decoder.text(raw, line_no).rstrip("\r\n")
            if not text.strip():
                chunk.blank += 1
                continue
            try:
                got = self._row(text, line_no, offset)
            except (RowError, ValueError, OverflowError) as exc:
                chunk.set_aside += 1
                chunk.rejected.append(reject(path, line_no, str(exc)[:200] or type(exc).__name__, raw))
                continue
            chunk.parsed += 1
            if isinstance(got, str):
                chunk.skipped += 1
                chunk.skip_reasons[got] += 1
            else:
                chunk.rows.append(got)
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        for ln, off, raw in numbered_lines(path, offset, line_no):
            try:
                got = self._row(LineDecoder().text(raw, ln).rstrip("\r\n"), ln, off)
            except (RowError, ValueError, OverflowError):
                return None
            return got if isinstance(got, EventRow) else None
        return None
