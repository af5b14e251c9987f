"""AWS Lambda logs as CloudWatch Logs exports them: one event per invocation, as Lambda reports it.

The export (`aws logs filter-log-events` / `get-log-events` saved as JSON lines) holds one CloudWatch event
a line: `logStreamName`, `timestamp` (ms since the epoch), `message`, `ingestionTime`, `eventId` (CloudWatch's
own unique id: no idempotency key). In a Lambda function's log group the messages are the runtime's text
lines (AWS Lambda Developer Guide, "Monitoring > Logs"; the runtime interface clients' sources):

- platform lines: `START RequestId: <id> Version: <v>`, `END RequestId: <id>`, and `REPORT RequestId: <id>
  \\tDuration: 831.33 ms\\tBilled Duration: ...\\tInit Duration: ...` (`Status: timeout|error` on newer runtimes):
  the invocation's own figures;
- Node.js (`console.*`): `<ISO time>\\t<request id>\\t<LEVEL>\\t<text>`; an unhandled rejection or throw is
  `... ERROR\\tInvoke Error \\t{"errorType": ..., "errorMessage": ..., "stack": [...]}`;
- Python (the runtime's logging handler): `[LEVEL]\\t<ISO time>\\t<request id>\\t<text>`; an unhandled
  exception is `[ERROR] <Type>: <message>` followed by `Traceback (most recent call last):` in the same
  message, with no request id;
- `<time> <request id> Task timed out after 3.00 seconds`: the platform stopped the invocation;
- with the function's LogFormat JSON, the same as objects: `{"type": "platform.start" | "platform.runtimeDone" |
  "platform.report", "record": {"requestId", "status", "metrics": {"durationMs"}}}` and the app's
  `{"timestamp", "level", "requestId", "message"}` (errors: `errorType`, `errorMessage`).

Lines of one invocation are its one event (as the Heroku router and app lines are one request): at the START
line, with the REPORT's duration as its latency, failed when a line of it is ERROR / FATAL / CRITICAL, an
Invoke Error, a timeout, or its REPORT says so (the first such text is its error), its request id as the
correlation id, and the record ids typed fields of its JSON messages carry (`partner_id`). A line without a
request id belongs to the invocation last started on its log stream (an execution environment runs one at a
time, or, on managed instances, several: the request id then says which).
The flow is the log group's function as flows.json names it (a `logGroupName` field, else the file name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from odoo_triage.detectors.readers.flows import FlowCatalog, file_flow
from odoo_triage.detectors.readers.jsonload import _JSONError, _loads
from odoo_triage.detectors.readers.shapes import GENERIC, _int_id, record_model

FORMAT = "lambda"
MAX_INVOCATION_S = 15 * 60 + 60  # Lambda's longest timeout, and a minute of delivery
_RID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_PLATFORM = re.compile(rf"^(START|END|REPORT) RequestId: ({_RID})\b(.*)$", re.DOTALL)
_TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"
_NODE = re.compile(rf"^({_TS})\t({_RID})\t([A-Z]+)\t(.*)$", re.DOTALL)
_PYTHON = re.compile(rf"^\[([A-Z]+)\]\t({_TS})\t({_RID})\t(.*)$", re.DOTALL)
_PY_ERROR = re.compile(r"^\[(ERROR|CRITICAL|FATAL)\]\s+(.*)$", re.DOTALL)
_TIMEOUT = re.compile(rf"^(?:{_TS}\s+)?(?:({_RID})\s+)?(Task timed out after [\d.]+ seconds)", re.DOTALL)
_DURATION = re.compile(r"\tDuration: ([\d.]+) ms")
_STATUS = re.compile(r"\tStatus: (\w+)")
_FAILED_LEVELS = frozenset({"ERROR", "FATAL", "CRITICAL"})
#: the export's fields (aws logs filter-log-events / get-log-events)
EXPORT_FIELDS = frozenset({"logStreamName", "timestamp", "message"})


def looks_like_lambda_export(objects: list[dict[str, Any]]) -> bool:
    """CloudWatch Logs events (`logStreamName`, `timestamp`, `message`) whose messages are a Lambda runtime's
    (a START / END / REPORT RequestId line among them)."""
    if not objects or sum(1 for o in objects if EXPORT_FIELDS <= o.keys()) < 0.8 * len(objects):
        return False
    return any(isinstance(o.get("message"), str) and _platform(o["message"]) is not None for o in objects)


def sniff(path: Path, lines: int = 200) -> bool:
    objs: list[dict[str, Any]] = []
    dec = LineDecoder()
    for line_no, _off, raw in numbered_lines(path):
        if line_no > lines:
            break
        try:
            obj = _loads(dec.utf8(raw, line_no))
        except (_JSONError, ValueError):
            continue
        if isinstance(obj, dict):
            objs.append(obj)
    return looks_like_lambda_export(objs)


@dataclass
class Invocation:
    rid: str
    ts: float
    line_no: int
    offset: int
    flow: str
    failed: bool = False
    error: str | None = None
    latency_ms: float | None = None
    records: list[str] = field(default_factory=list)


def _error_text(body: str) -> str:
    """`Invoke Error \\t{"errorType": "X", "errorMessage": "m"}` -> `X: m`; other text as it is (first lines)."""
    text = body.strip()
    if text.startswith("Invoke Error"):
        rest = text[len("Invoke Error"):].strip()
        try:
            obj = _loads(rest)
        except (_JSONError, ValueError):
            obj = None
        if isinstance(obj, dict):
            kind, msg = obj.get("errorType"), obj.get("errorMessage")
            return ": ".join(str(x) for x in (kind, msg) if x) or text[:500]
    return "\n".join(text.splitlines()[:3])[:500]


def _object(text: str) -> dict[str, Any] | None:
    try:
        obj = _loads(text)
    except (_JSONError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


#: LogFormat JSON's platform events (Lambda Telemetry API schema): the text lines' START / END / REPORT
_PLATFORM_TYPES = {"platform.start": "START", "platform.runtimeDone": "END", "platform.report": "REPORT"}


def _platform(msg: str) -> tuple[str, str, float | None, str | None] | None:
    """(START | END | REPORT, request id, duration ms, status) of a platform line, text or JSON, else None."""
    m = _PLATFORM.match(msg)
    if m is not None:
        kind, rid, rest = m.groups()
        d, st = _DURATION.search(rest), _STATUS.search(rest)
        return kind, rid, float(d.group(1)) if d else None, st.group(1) if st else None
    if not msg.startswith("{") or '"platform.' not in msg[:300] or (obj := _object(msg)) is None:
        return None
    kind, rec = _PLATFORM_TYPES.get(str(obj.get("type"))), obj.get("record")
    if kind is None or not isinstance(rec, dict) or not isinstance(rec.get("requestId"), str):
        return None
    metrics = rec.get("metrics")
    dur = metrics.get("durationMs") if kind == "REPORT" and isinstance(metrics, dict) else None
    status = rec.get("status") if kind != "START" and isinstance(rec.get("status"), str) else None
    return kind, rec["requestId"], float(dur) if isinstance(dur, int | float) else None, status


class LambdaLogReader:
    """One event per invocation of a CloudWatch Logs export of a Lambda function (module docstring)."""

    format = FORMAT
    line_shape = "CloudWatch Logs export of AWS Lambda: one event per invocation (START .. REPORT)"

    def __init__(self, catalog: FlowCatalog | None = None, settings: ReaderSettings | None = None) -> None:
        self.catalog = catalog
        self.settings = settings or ReaderSettings()
        self.decoder = LineDecoder()
        self.check = RowChecker(self.settings, http_in_text=True)
        self.described: dict[str, str] = {}
        self._models: dict[str, str | None] = {}

    def _flow(self, path: Path, obj: dict[str, Any]) -> str:
        group = obj.get("logGroupName")
        if isinstance(group, str) and group and self.catalog:
            got = self.catalog.by_file_name(group)
            if got is not None:
                return got[0]
        flow, why = file_flow(path.stem, self.catalog)
        if not self.described:
            self.described = {"timestamp": "timestamp (ms) of START", "flow": f"{flow!r} ({why})",
                              "latency_ms": "REPORT Duration", "status": "the invocation's lines and REPORT",
                              "correlation_id": "RequestId"}
        return flow

    def _records(self, text: str) -> list[str]:
        """Record refs from typed id fields of a JSON message (`partner_id`: res.partner); never from text."""
        body = text.strip()
        if not body.startswith("{"):
            return []
        try:
            obj = _loads(body)
        except (_JSONError, ValueError):
            return []
        out = []
        for k, v in obj.items() if isinstance(obj, dict) else ():
            if k not in self._models:
                m = record_model(k, self.settings)
                self._models[k] = m if m != GENERIC else None
            model, n = self._models[k], _int_id(v)
            if model and n is not None:
                out.append(f"{model}:{n}")
        return out

    def _events(self, path: Path, start: tuple[int, int], only: str | None = None,
                ) -> Iterator[tuple[str, Any, int]]:
        """("row", EventRow, 0) per invocation closed, ("line", reason, n) per line folded or set aside:
        n 1 a line taken, 0 blank; `only` one request id (row_at)."""
        open_: dict[str, Invocation] = {}
        stream_rid: dict[str, str] = {}
        for line_no, offset, raw in numbered_lines(path, *start):
            if not raw.strip():
                yield "blank", None, 0
                continue
            try:
                obj = _loads(self.decoder.utf8(raw, line_no))
                if not isinstance(obj, dict) or not isinstance(obj.get("message"), str):
                    raise RowError("not a CloudWatch Logs event (no message)")
                ts = parse_ts(obj.get("timestamp"))
            except _JSONError as exc:
                yield "reject", reject(path, line_no, f"invalid JSON: {str(exc).splitlines()[0][:80]}", raw), 1
                continue
            except (RowError, UnicodeDecodeError, TypeError, ValueError, OverflowError) as exc:
                yield "reject", reject(path, line_no, str(exc)[:200] or type(exc).__name__, raw), 1
                continue
            msg: str = obj["message"]
            stream = str(obj.get("logStreamName") or "")
            if only is not None and open_ and ts - next(iter(open_.values())).ts > MAX_INVOCATION_S:
                break  # Lambda stops an invocation after 15 minutes: its REPORT is not coming
            plat = _platform(msg)
            if plat is not None:
                kind, rid, duration, status = plat
                if only is not None and rid != only:
                    continue
                failed = status is not None and status.lower() not in ("success", "ok")
                if kind == "START":
                    if only is None and len(open_) > 64 and line_no % 64 == 0:
                        for old in [i for i in open_.values() if ts - i.ts > MAX_INVOCATION_S]:
                            del open_[old.rid]  # Lambda stopped it long ago: its REPORT is not in this file
                            yield "row", self._row(old), -1
                    open_[rid] = Invocation(rid, ts, line_no, offset, self._flow(path, obj))
                    stream_rid[stream] = rid
                    yield "line", "Lambda START / END line (part of its invocation's event)", 1
                elif kind == "END":
                    if failed and rid in open_:
                        open_[rid].failed = True
                        open_[rid].error = open_[rid].error or f"Lambda invocation status: {status}"
                    yield "line", "Lambda START / END line (part of its invocation's event)", 1
                else:
                    inv = open_.pop(rid, None) or Invocation(rid, ts, line_no, offset, self._flow(path, obj))
                    if stream_rid.get(stream) == rid:
                        del stream_rid[stream]
                    inv.latency_ms = duration
                    if failed:
                        inv.failed = True
                        inv.error = inv.error or f"Lambda invocation status: {status}"
                    yield "row", self._row(inv), 0
                    if only is not None:
                        return
                    yield "line", "the REPORT line of an invocation (its event)", 1
                continue
            app_rid, level, body = self._app_line(msg)
            app_inv = open_.get(app_rid) if app_rid else open_.get(stream_rid.get(stream, ""))
            if app_inv is None or (only is not None and app_inv.rid != only):
                if only is None:
                    yield "line", "Lambda line outside any invocation (init or a stream cut off): skipped", 1
                continue
            inv = app_inv
            if level in _FAILED_LEVELS:
                inv.failed = True
                inv.error = inv.error or _error_text(body)
            new = [r for r in self._records(msg if msg.startswith("{") else body) if r not in inv.records]
            inv.records.extend(new)
            yield "line", "Lambda app line (folded into its invocation's event)", 1
        for inv in open_.values():  # unfinished at the end of the file: what is known of them
            if only is None or inv.rid == only:
                yield "row", self._row(inv), -1

    @staticmethod
    def _app_line(msg: str) -> tuple[str | None, str, str]:
        """(request id or None, level, text) of a runtime's app line, text or JSON (LogFormat JSON:
        `{"timestamp", "level", "requestId", "message"}`, an error's `errorType` / `errorMessage`)."""
        if msg.startswith("{") and (obj := _object(msg)) is not None and ("requestId" in obj or "level" in obj):
            rid = obj.get("requestId") if isinstance(obj.get("requestId"), str) else None
            kind, err = obj.get("errorType"), obj.get("errorMessage")
            body = obj.get("message")
            text = ": ".join(str(x) for x in (kind, err) if x) if (kind or err) else \
                body if isinstance(body, str) else msg
            return rid, str(obj.get("level") or "INFO").upper(), text if not isinstance(body, dict) else msg
        if (m := _NODE.match(msg)) is not None:
            return m.group(2), m.group(3), m.group(4)
        if (m := _PYTHON.match(msg)) is not None:
            return m.group(3), m.group(1), m.group(4)
        if (m := _TIMEOUT.match(msg)) is not None:
            return m.group(1), "ERROR", m.group(2)
        if (m := _PY_ERROR.match(msg)) is not None:
            return None, m.group(1), m.group(2)
        return None, "INFO", msg

    def _row(self, inv: Invocation) -> EventRow | None:
        try:
            return self.check(EventRow(inv.ts, inv.flow, "", "", "", "error" if inv.failed else "ok", inv.latency_ms,
                                       None, inv.error, 0, inv.rid, None, tuple(inv.records), inv.line_no,
                                       inv.offset))
        except RowError:  # out of range (a time far off): no event
            return None

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        chunk, lines = Chunk(), 0
        for kind, item, n in self._events(path, start):
            if kind == "row":
                if item is not None:
                    chunk.rows.append(item)
                if n < 0:  # emitted at the end: one of its folded lines is its event after all
                    chunk.skipped -= 1
                    chunk.skip_reasons["Lambda START / END line (part of its invocation's event)"] -= 1
                continue
            lines += 1
            if kind == "blank":
                chunk.blank += 1
            elif kind == "reject":
                chunk.set_aside += 1
                chunk.rejected.append(item)
            else:
                chunk.parsed += 1
                if not item.startswith("the REPORT line"):
                    chunk.skipped += 1
                    chunk.skip_reasons[item] += 1
            if lines >= chunk_size:
                yield chunk
                chunk, lines = Chunk(), 0
        chunk.skip_reasons = +chunk.skip_reasons
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        """The invocation whose START is at `offset` (read on to its REPORT)."""
        for ln, _off, raw in numbered_lines(path, offset, line_no):
            try:
                obj = _loads(self.decoder.utf8(raw, ln))
            except (_JSONError, ValueError):
                return None
            plat = _platform(obj.get("message", "")) if isinstance(obj, dict) else None
            if plat is None:
                return None
            for kind, item, _n in self._events(path, (offset, line_no), only=plat[1]):
                if kind == "row":
                    return item  # type: ignore[no-any-return]
            return None
        return None
