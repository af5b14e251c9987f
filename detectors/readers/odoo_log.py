"""Odoo server logs: `%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s`.

Lines that do not start with a timestamp continue the previous event (its traceback). The flow
is the one flows.json attributes the logger to (`loggers` prefixes, or an addon named like a
flow); framework loggers (queue_job runner and controller, mail, web, werkzeug, odoo.modules.*,
the server itself) are counted as skipped, never turned into events. With a catalog, a logger no
flow claims is skipped and reported (`unattributed`); without one the addon's name is the flow,
also reported. Levels: INFO/DEBUG ok, WARNING ok unless it announces a retry, ERROR/CRITICAL error. The error text is the traceback's exception line
(`odoo.exceptions.ValidationError: ...`), else the message. Latency is query time + remaining time
of perf_info. No record ids are taken from the message: it is free text (an error message can
quote anything a user or an upstream system typed), and only typed fields may ground an action.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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
    parse_ts,
    reject,
)
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.folding import fold_records

_START = re.compile(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_START_TEXT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)?) (\d+) (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) ([\w.\-]+): (.*)$"
)
_PERF = re.compile(r" (\d+|-) (\d+(?:\.\d+)?|-) (\d+(?:\.\d+)?|-)$")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Denied|Unauthorized|Exit|Interrupt|[A-Z]\w+)): ?(.*)$")
_HTTP = re.compile(r"\bHTTP (\d{3})\b")
_ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3}) ')  # werkzeug: "POST /path HTTP/1.1" 200
_RETRY = re.compile(r"\bretry (\d+)(?:/\d+)?")
_STATUS = {"DEBUG": "ok", "INFO": "ok", "WARNING": "ok", "ERROR": "error", "CRITICAL": "error"}
_RETRYING = re.compile(r"\bretry(?:ing)?\b|\bwill be retried\b|\bRetryableJobError\b|\bpostponed\b", re.I)
DEFAULT_IGNORED_ADDONS = frozenset({"base", "web", "bus", "http_routing", "website"})


def looks_like_odoo_log(first_line: bytes) -> bool:
    return bool(LINE.match(first_line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")))


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
    if level == "WARNING" and _RETRYING.search(message):
        status = "retry"
    error = None
    if status != "ok":
        error = _exception_line(traceback) or message.strip()
    latency = None
    if qt not in (None, "-") and rt not in (None, "-"):
        latency = (float(qt) + float(rt)) * 1000.0
    http = _HTTP.search(message)
    access = _ACCESS.search(message) if http is None and logger == "werkzeug" else None
    if access is not None:
        code = int(access.group(3))
        if code >= 400:
            status, error = "error", f"HTTP {code} on {access.group(1)} {access.group(2).split('?')[0]}"
        return EventRow(parse_ts(asctime.replace(",", ".")), flow, "", "odoo", access.group(2).split("?")[0], status,
                        latency, code, error, 0, None, None, (), line_no, offset)
    retry = _RETRY.search(message) if status == "retry" else None
    return EventRow(
        parse_ts(asctime.replace(",", ".")), flow, "odoo", "", logger.rsplit(".", 1)[-1], status, latency,
        int(http.group(1)) if http else None, error, int(retry.group(1)) if retry else 0, None, None,
        (), line_no, offset,  # no record ids: a log message is free text, anyone can write `res.partner(1,)` in it
    )


class OdooLogReader:
    format = "odoo_log"

    def __init__(self, ignored_addons: frozenset[str] = DEFAULT_IGNORED_ADDONS, catalog: FlowCatalog | None = None,
                 settings: ReaderSettings | None = None) -> None:
        self.ignored_addons = ignored_addons
        self.catalog = catalog or FlowCatalog(settings=settings)
        self.check = RowChecker(settings)
        self.decoder = LineDecoder()
        self._flows: dict[str, tuple[str | None, bool]] = {}
        # (line number, offset, bytes) of the file's lines from an offset: a container's unwrap them (container.py)
        self.numbered: Callable[[Path, int, int], Iterator[tuple[int, int, bytes]]] = numbered_lines

    def flow_of(self, logger: str) -> tuple[str | None, bool]:
        hit = self._flows.get(logger)
        if hit is None:
            if logger.startswith("odoo.addons.") and logger.split(".", 3)[2] in self.ignored_addons:
                hit = (None, True)
            else:
                hit = self.catalog.by_logger(logger)
            self._flows[logger] = hit
        return hit

    def _events(self, path: Path, start_offset: int = 0, start_line: int = 1,
                single: bool = False) -> Iterator[tuple[EventRow | None, object | None, int, str]]:
        return self.events_of(path, self.numbered(path, start_offset, start_line), single)

    def events_of(self, path: Path, numbered: Iterable[tuple[int, int, bytes]],
                  single: bool = False) -> Iterator[tuple[EventRow | None, object | None, int, str]]:
        """(row, rejected, lines consumed, kind) from (line number, offset, bytes) lines; kind is "event",
        "rejected", "skipped", "blank" or "unattributed:<logger>" (a well-formed line no flow claims)."""
        def open_record(text: str, line_no: int, offset: int) -> tuple[re.Match[str], int, int, str | None, str] | None:
            m = LINE.match(text)
            if m is None:
                return None
            flow, attributed = self.flow_of(m.group(5))
            if flow is None and m.group(5) == "werkzeug" and self.catalog.endpoints:
                acc = _ACCESS.search(m.group(6))
                flow = self.catalog.by_endpoint(acc.group(2)) if acc else None
            kind = "skipped" if attributed or flow is not None else f"unattributed:{m.group(5)}"
            if flow is not None and not attributed:
                kind = f"guessed:{m.group(5)}"
            return m, line_no, offset, flow, kind

        def close(cur: tuple[re.Match[str], int, int, str | None, str], tb: list[str],
                  lines: int) -> tuple[EventRow | None, object | None, int, str]:
            m, ln, off, flow, kind = cur
            if flow is None:
                return None, None, lines, kind
            try:
                return self.check(build_event(m, tb, ln, off, flow)), None, lines, \
                    kind if kind.startswith("guessed:") else "event"
            except RowError as exc:
                return None, reject(path, ln, str(exc), m.group(0)), lines, "rejected"

        return fold_records(path, numbered, self.decoder, starts=_START_TEXT.match, open_record=open_record,
                            close=close, trim=_keep_tail, unmatched="timestamped line not in the Odoo log format",
                            orphan="continuation line without a log event before it", single=single)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        chunk = Chunk()
        for row, rejected, lines, kind in self._events(path, *start):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            take(chunk, row, rejected, lines, kind)
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        for row, _rej, _lines, kind in self._events(path, offset, line_no, single=True):
            if kind != "blank":
                return row
        return None


def _keep_tail(tb: list[str]) -> None:
    """A runaway "traceback": keep its tail (the exception line is last)."""
    del tb[:200]


def take(chunk: Chunk, row: EventRow | None, rejected: object | None, lines: int, kind: str) -> None:
    """One item of `events_of` into a chunk's rows and counts."""
    if row is not None:
        chunk.rows.append(row)
        chunk.parsed += lines
        if kind.startswith("guessed:"):
            chunk.unattributed[_logger_key(kind)] += 1
    elif rejected is not None:
        chunk.rejected.append(rejected)  # type: ignore[arg-type]
        chunk.set_aside += lines
    elif kind == "blank":
        chunk.blank += lines
    else:
        chunk.skipped += 1
        chunk.parsed += lines
        if kind.startswith("unattributed:"):
            chunk.unattributed[_logger_key(kind)] += 1


def _logger_key(kind: str) -> str:
    """`guessed:odoo.addons.x.models.y` -> `odoo.addons.x (flow x, by its name)` and the like."""
    tag, _, logger = kind.partition(":")
    head = ".".join(logger.split(".")[:3]) if logger.startswith("odoo.addons.") else logger
    return f"{head} (became flow {head.split('.')[-1]!r}: no flows.json entry)" if tag == "guessed" else \
        f"{head} (no flow in flows.json claims it: skipped)"
