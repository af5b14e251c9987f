"""JVM pattern logs (log4j / logback): Kafka Connect, Spring Boot, Mule, Camel, Boomi atoms.

Three layouts are read, each a timestamp, a level, a context or thread, a logger and a message:
Kafka Connect's `[ts] LEVEL [connector|task-0] message (logger:line)`, Spring Boot's
`ts  LEVEL pid --- [thread] logger : message` and logback's `ts [thread] LEVEL logger - message`
(or with the level first). Lines that do not start a record (`\\tat ...`, `Caused by: ...`, the
exception line) belong to the event before them: parsed lines of it, never events of their own.

The flow is the connector named by Kafka Connect's `connector|task-N` context (an alias in flows.json
names it), else the flows.json entry whose `loggers` the logger starts with. A context or logger no
flow claims is skipped and reported (`unattributed`); a runtime logger (settings
`java_runtime_loggers`) without a connector context is the runtime's housekeeping (worker, rebalance,
start-up): skipped and counted, not reported. Without a catalog a connector context is its own flow
and any other logger's lines are the file's flow (its name), as a JSON log's without a flow field: both
reported as guesses. ERROR/FATAL is an error, WARN naming a retry is a retry, the rest ok; the
error text is the root cause of the stack trace (the last `Caused by:`), else its exception line.
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
from odoo_triage.detectors.readers.naive_time import Shift, is_naive, naive_shift

FORMAT = "java_log"
_TS = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
_LEVEL = r"TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE"
_LOGGER = r"[A-Za-z_$][\w.$\-]*"
# log4j `[%d] %p %X{connector.context}%m (%c:%L)%n` (Kafka Connect)
_BRACKETED = re.compile(
    rf"^\[(?P<ts>{_TS})\] (?P<level>{_LEVEL}) +(?:\[(?P<ctx>[^\]]*)\] )?(?P<msg>.*?)"
    rf"(?: \((?P<logger>{_LOGGER})(?::\d+)?\))?\s*$")
# Spring Boot: `%d %5p %pid --- [%app] [%t] %-40.40logger : %m`
_SPRING = re.compile(
    rf"^(?P<ts>{_TS})\s+(?P<level>{_LEVEL})\s+\d+\s+---\s+(?:\[[^\]]*\]\s+)?\[\s*(?P<ctx>[^\]]*?)\s*\]\s+"
    rf"(?P<logger>{_LOGGER})\s*:\s(?P<msg>.*)$")
# logback / log4j2 defaults: `%d [%t] %-5level %logger - %msg` or `%d %-5level [%t] %logger - %msg`
_PLAIN = re.compile(
    rf"^(?P<ts>{_TS})\s+(?:\[(?P<ctx>[^\]]*)\]\s+)?(?P<level>{_LEVEL})\s+(?:\[(?P<ctx2>[^\]]*)\]\s+)?"
    rf"(?P<logger>{_LOGGER})\s+-\s(?P<msg>.*)$")
_LAYOUTS = (_BRACKETED, _SPRING, _PLAIN)
_START = re.compile(rf"^\[?{_TS}")  # a record starts here; any other line continues the one before
_CAUSE = re.compile(r"^Caused by: (.+)$")
_EXC = re.compile(r"^((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure)[\w$]*)(?:: ?(.*))?$")
_RETRY_N = re.compile(r"\b(?:retry|attempt)\s*#?(\d+)|\bremainingRetries=\d+", re.I)
_STATUS = {"TRACE": "ok", "DEBUG": "ok", "INFO": "ok", "WARN": "ok", "WARNING": "ok",
           "ERROR": "error", "FATAL": "error", "SEVERE": "error"}


def match_line(text: str) -> re.Match[str] | None:
    for layout in _LAYOUTS:
        m = layout.match(text)
        if m is not None:
            return m
    return None


def looks_like_java_log(first_line: bytes) -> bool:
    return match_line(first_line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")) is not None


def looks_like_java_log_file(path: Path, first_line: bytes, scan: int = 50) -> bool:
    """The first record decides, past the tail of a stack trace a rotated file may open with."""
    if looks_like_java_log(first_line):
        return True
    if not _is_trace(first_line.decode("utf-8", errors="replace").strip()):
        return False
    with path.open("rb") as fh:
        for i, raw in enumerate(fh):
            text = raw.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
            if i >= scan:
                break
            if text.strip() and not _is_trace(text.strip()):
                return match_line(text) is not None
    return False


def _is_trace(s: str) -> bool:
    return s.startswith(("at ", "... ", "Caused by: ", "Suppressed: ")) or _EXC.match(s) is not None


def connector_of(context: str | None) -> str | None:
    """Kafka Connect's MDC context `name|task-0` (or `name|worker`): the connector's name. A bare thread
    name (`main`, `http-nio-8080-exec-1`) names no flow."""
    if not context or "|" not in context:
        return None
    name = context.split("|", 1)[0].strip()
    return name or None


def root_cause(trace: list[str]) -> str | None:
    """The last `Caused by:` of a stack trace (the root cause), else its first exception line."""
    for line in reversed(trace):
        m = _CAUSE.match(line.strip())
        if m is not None:
            return m.group(1).strip()
    for line in trace:
        s = line.strip()
        if _EXC.match(s):
            return s
    return None


class JavaLogReader:
    format = FORMAT

    def __init__(self, catalog: FlowCatalog | None = None, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()
        self.catalog = catalog or FlowCatalog(settings=self.settings)
        self.check = RowChecker(settings)
        self.decoder = LineDecoder()
        self.runtime = tuple(self.settings.java_runtime_loggers)
        self.retry_words = tuple(w.lower() for w in self.settings.java_retry_words)
        self._shift: Shift | None = None
        self._flows: dict[tuple[str | None, str], tuple[str | None, str]] = {}
        self._stem: str | None = None  # the file's name: the flow of its lines when there is no flows.json
        # (line number, offset, bytes) of the file's lines from an offset: a container's unwrap them (container.py)
        self.numbered: Callable[[Path, int, int], Iterator[tuple[int, int, bytes]]] = numbered_lines

    def _file_shift(self, path: Path) -> Shift | None:
        """A zone or offset given for this file shifts its naive times; the estate-wide fallback zone does
        not: a JVM writes in its own default zone, often UTC in containers, not the business calendar's."""
        cfg = self.settings
        if path.name in cfg.naive_time_zones or path.name in cfg.export_utc_offsets:
            return naive_shift(cfg, path.name)
        return None

    def flow_of(self, context: str | None, logger: str) -> tuple[str | None, str]:
        """(flow, kind): kind is "event", "guessed:<name>", "unattributed:<name>" or "housekeeping"."""
        connector = connector_of(context)
        key = (connector, logger)
        hit = self._flows.get(key)
        if hit is None:
            hit = self._attribute(connector, logger)
            self._flows[key] = hit
        return hit

    def _attribute(self, connector: str | None, logger: str) -> tuple[str | None, str]:
        cat = self.catalog
        if connector is not None and connector.lower() in cat.names:
            return cat.names[connector.lower()], "event"
        for prefix, name in cat.loggers:
            if logger == prefix or logger.startswith(prefix + "."):
                return name, "event"
        if connector is not None:
            if cat:
                return None, f"unattributed:connector {connector}"
            return connector, f"guessed:connector {connector}"
        if not logger or logger.startswith(self.runtime):
            return None, "housekeeping"
        if not cat and self._stem:
            return self._stem, f"guessed:{logger} -> {self._stem}"
        return None, f"unattributed:{logger}"

    def _row(self, m: re.Match[str], trace: list[str], flow: str, line_no: int, offset: int) -> EventRow:
        level = m["level"]
        message = m["msg"].strip()
        status = _STATUS[level]
        lowered = message.lower()
        if status == "ok" and level.startswith("WARN") and any(w in lowered for w in self.retry_words):
            status = "retry"
        error = (root_cause(trace) or message) if status != "ok" else None
        retry = 0
        if status == "retry":
            n = _RETRY_N.search(message)
            retry = int(n.group(1)) if n is not None and n.group(1) else 0
        logger = m["logger"] or ""
        ts_text = m["ts"].replace(",", ".")
        ts = parse_ts(ts_text)
        if self._shift is not None and is_naive(ts_text):
            ts = self._shift(ts)
        return EventRow(ts, flow, "", "", logger.rsplit(".", 1)[-1], status, None, None,
                        error[:2000] if error else None, retry, None, None, (), line_no, offset)

    def events_of(self, path: Path, numbered: Iterable[tuple[int, int, bytes]],
                  single: bool = False) -> Iterator[tuple[EventRow | None, object | None, int, str]]:
        """(row, rejected, lines consumed, kind) per record; kind as `flow_of`, or "rejected"/"blank"."""
        def open_record(text: str, line_no: int, offset: int) -> tuple[re.Match[str], int, int, str | None, str] | None:
            m = match_line(text)
            if m is None:
                return None
            ctx = m["ctx"] or (m["ctx2"] if "ctx2" in m.re.groupindex else None)
            flow, kind = self.flow_of(ctx, m["logger"] or "")
            return m, line_no, offset, flow, kind

        def close(cur: tuple[re.Match[str], int, int, str | None, str], trace: list[str],
                  lines: int) -> tuple[EventRow | None, object | None, int, str]:
            m, ln, off, flow, kind = cur
            if flow is None:
                return None, None, lines, kind
            try:
                return self.check(self._row(m, trace, flow, ln, off)), None, lines, kind
            except (RowError, ValueError, OverflowError) as exc:
                return None, reject(path, ln, str(exc)[:200] or type(exc).__name__, m.group(0)), lines, "rejected"

        return fold_records(path, numbered, self.decoder, starts=_START.match, open_record=open_record, close=close,
                            trim=_keep_ends, unmatched="timestamped line in no known JVM log layout",
                            orphan="stack-trace line without a log event before it", single=single)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        self._shift = self._file_shift(path)
        self._stem = path.stem
        chunk = Chunk()
        for row, rejected, lines, kind in self.events_of(path, self.numbered(path, *start)):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            _take(chunk, row, rejected, lines, kind)
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        self._shift = self._file_shift(path)
        self._stem = path.stem
        for row, _rej, _lines, kind in self.events_of(path, self.numbered(path, offset, line_no), single=True):
            if kind != "blank":
                return row
        return None


def _keep_ends(trace: list[str]) -> None:
    """A runaway trace: keep the head (the exception) and the tail (the root cause)."""
    del trace[50:250]


def _take(chunk: Chunk, row: EventRow | None, rejected: object | None, lines: int, kind: str) -> None:
    if row is not None:
        chunk.rows.append(row)
        chunk.parsed += lines
        if kind.startswith("guessed:"):
            chunk.unattributed[f"{kind[8:]} (became its own flow: no flows.json entry)"] += 1
    elif rejected is not None:
        chunk.rejected.append(rejected)  # type: ignore[arg-type]
        chunk.set_aside += lines
    elif kind == "blank":
        chunk.blank += lines
    else:
        chunk.skipped += 1
        chunk.parsed += lines
        if kind == "housekeeping":
            chunk.skip_reasons["runtime housekeeping (no connector context, runtime logger)"] += 1
        elif kind.startswith("unattributed:"):
            chunk.unattributed[f"{kind[13:]} (no flow in flows.json claims it: skipped)"] += 1
