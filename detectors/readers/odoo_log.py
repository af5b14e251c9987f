"""Odoo server logs: `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s`.

Lines that do not start with a timestamp continue the previous event (its traceback). The flow
is the addon of `odoo.addons.<addon>.…` loggers; other loggers (werkzeug, odoo.modules.*, the
server itself) are counted as skipped, never turned into events. Levels: INFO/DEBUG ok,
WARNING retry, ERROR/CRITICAL error. The error text is the traceback's exception line
(`odoo.exceptions.ValidationError: ...`), else the message. Latency is query time + remaining time
of perf_info. No record ids are taken from the message: it is free text (an error message can
quote anything a user or an upstream system typed), and only typed fields may ground an action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    RowError,
    numbered_lines,
    parse_ts,
    reject,
)

_START = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)?) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) ([\w.\-]+): (.*)$"
)
_PERF = re.compile(r" (\d+|-) (\d+(?:\.\d+)?|-) (\d+(?:\.\d+)?|-)$")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Denied|Unauthorized|Exit|Interrupt|[A-Z]\w+)): ?(.*)$")
_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_RETRY = re.compile(r"\bretry (\d+)(?:/\d+)?")
_STATUS = {"DEBUG": "ok", "INFO": "ok", "WARNING": "retry", "ERROR": "error", "CRITICAL": "error"}
DEFAULT_IGNORED_ADDONS = frozenset({"base", "web", "bus", "http_routing", "website"})


def looks_like_odoo_log(first_line: bytes) -> bool:
    return bool(LINE.match(first_line.decode("utf-8", errors="replace").rstrip("\r\n")))


def logger_flow(logger: str, ignored: frozenset[str] = DEFAULT_IGNORED_ADDONS) -> str | None:
    if not logger.startswith("odoo.addons."):
        return None
    addon = logger.split(".", 3)[2]
    return None if addon in ignored else addon


def _exception_line(traceback: list[str]) -> str | None:
    for line in reversed(traceback):
        s = line.strip()
        if s and not s.startswith(("File ", "Traceback", "^", "~")) and _EXC_LINE.match(s):
            return s
    return None


def build_event(m: re.Match[str], traceback: list[str], line_no: int, offset: int, flow: str) -> EventRow:
    asctime, _pid, level, _db, logger, message = m.groups()
    qt = rt = None
    perf = _PERF.search(message, max(0, len(message) - 60))
    if perf is not None:
        qt, rt = perf.group(2), perf.group(3)
        message = message[: perf.start()]
    status = _STATUS[level]
    error = None
    if status != "ok":
        error = _exception_line(traceback) or message.strip()
    latency = None
    if qt not in (None, "-") and rt not in (None, "-"):
        latency = (float(qt) + float(rt)) * 1000.0
    http = _HTTP.search(message)
    retry = _RETRY.search(message) if status == "retry" else None
    return EventRow(
        parse_ts(asctime.replace(",", ".")), flow, "odoo", "", logger.rsplit(".", 1)[-1], status, latency,
        int(http.group(1)) if http else None, error, int(retry.group(1)) if retry else 0, None, None,
        (), line_no, offset,  # no record ids: a log message is free text, anyone can write `res.partner(1,)` in it
    )


class OdooLogReader:
    format = "odoo_log"

    def __init__(self, ignored_addons: frozenset[str] = DEFAULT_IGNORED_ADDONS) -> None:
        self.ignored_addons = ignored_addons

    def _events(self, path: Path, start_offset: int = 0, start_line: int = 1,
                single: bool = False) -> Iterator[tuple[EventRow | None, object | None, int]]:
        """(row, rejected, lines consumed); row and rejected both None for a skipped noise line."""
        cur: tuple[re.Match[str], int, int, str | None] | None = None  # match, line, offset, flow
        tb: list[str] = []
        lines = 0

        def finish() -> tuple[EventRow | None, object | None, int]:
            assert cur is not None
            m, ln, off, flow = cur
            if flow is None:
                return None, None, lines
            try:
                return build_event(m, tb, ln, off, flow), None, lines
            except RowError as exc:
                return None, reject(path, ln, str(exc), m.group(0)), lines

        for line_no, offset, raw in numbered_lines(path, start_offset, start_line):
            if _START.match(raw):
                if cur is not None:
                    out = finish()
                    yield out
                    if single:
                        return
                    lines = 0
                    cur, tb = None, []
                lines += 1
                text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                m = LINE.match(text)
                if m is None:
                    yield None, reject(path, line_no, "timestamped line not in the Odoo log format", raw), lines
                    lines = 0
                    continue
                cur = (m, line_no, offset, logger_flow(m.group(5), self.ignored_addons))
            else:
                lines += 1
                if cur is None:
                    if raw.strip():
                        yield None, reject(path, line_no, "continuation line without a log event before it", raw), lines
                    else:
                        yield None, None, lines
                    lines = 0
                    continue
                tb.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
                if len(tb) > 400:  # a runaway "traceback": keep the tail only
                    del tb[:200]
        if cur is not None:
            yield finish()
        elif lines:
            yield None, None, lines

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        chunk = Chunk()
        for row, rejected, lines in self._events(path):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            chunk.lines += lines
            if row is not None:
                chunk.rows.append(row)
            elif rejected is not None:
                chunk.rejected.append(rejected)  # type: ignore[arg-type]
            else:
                chunk.skipped += 1
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        for row, _rej, _lines in self._events(path, offset, line_no, single=True):
            return row
        return None
