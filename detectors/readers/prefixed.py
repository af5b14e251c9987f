"""Prefixed lines: a shipper's prefix (syslog RFC 5424 / 3164, a Heroku log drain, journald, CRI) in front
of a JSON or logfmt message; also whole logfmt files (no prefix).

The prefixes are data (`ReaderSettings.line_prefixes`); the kind is decided per file from its first lines.
The message is read by the mapping inference like any JSON / CSV record. The prefix adds:
- its time: the fallback timestamp (a field of the message wins);
- its program (`app`): the flow of a line whose message names none, when flows.json knows it (or when there
  is no flows.json and the kind names programs, not platform components);
- the syslog severity (from <PRI>): the level when the message has none.

One event per request: a router / access line (route + HTTP status) and an app line with the same request
id in one file are one request; the app line is the event and takes the router's status, latency and
operation (method) when it lacks them. A router line without an app line is an event of its own: flow by
flows.json `endpoints`, else the flow the app lines of the process that served it name (Heroku's
`dyno=web.1` and the `app[web.1]` lines; settings `router_process_fields`), else the app's only flow, so a
router timeout (H12, 503 after 30 s) counts for the app's flow. A message that is neither JSON nor logfmt
is an event when a level word leads it (`ERROR orders: ...`, readers/envelope.py). Lines with no fields
(`State changed from up to starting`) and lines of platform components no flow claims are skipped and
counted, like control lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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
from odoo_triage.detectors.readers.envelope import inner_event
from odoo_triage.detectors.readers.flows import FlowCatalog, file_flow
from odoo_triage.detectors.readers.inference import Inferred, flatten, infer_mapping
from odoo_triage.detectors.readers.jsonload import _JSONError, _loads
from odoo_triage.detectors.readers.logfmt import looks_like_logfmt, parse_logfmt
from odoo_triage.detectors.readers.mapping import FieldMapping, row_builder
from odoo_triage.detectors.readers.shapes import SkipLine, shaped_builder

FORMAT = "prefixed"
LOGFMT = "logfmt"  # the same reader on files without a prefix
# keys the prefix adds to a record (dotted: a message field of the same name scores higher)
TS_KEY, SEV_KEY, MSG_KEY, DUR_KEY, FLOW_KEY = (
    "prefix.timestamp", "prefix.severity", "prefix.message", "prefix.duration_ms", "prefix.flow")
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")  # RFC 5424 6.2.1
SNIFF_LINES = 20


def _compiled(settings: ReaderSettings) -> list[tuple[str, re.Pattern[str]]]:
    return [(name, re.compile(rx)) for name, rx in settings.line_prefixes.items()]


_DEFAULT = _compiled(ReaderSettings())


def prefix_kind(text: str, prefixes: list[tuple[str, re.Pattern[str]]] | None = None) -> str | None:
    """The first prefix kind that matches a line, or None."""
    for name, rx in prefixes or _DEFAULT:
        if rx.match(text):
            return name
    return None


def looks_like_prefixed(first: bytes) -> bool:
    return prefix_kind(first.decode("utf-8", "replace").rstrip("\r\n")) is not None


def looks_like_logfmt_file(first: bytes) -> bool:
    return looks_like_logfmt(first.decode("utf-8", "replace").rstrip("\r\n"))


@dataclass
class _Parsed:
    record: dict[str, Any] | None  # message fields + prefix keys; None: a line with no fields
    app: str | None
    kind: str  # "json" | "logfmt" | "text"
    text: str
    partial: bool = False  # a CRI partial line: the message goes on on the next line
    proc: str | None = None  # the process (logplex `web.1`, syslog PID)


class PrefixedReader:
    format = FORMAT

    def __init__(self, mapping: FieldMapping | None = None, settings: ReaderSettings | None = None,
                 catalog: FlowCatalog | None = None, *, bare: bool = False) -> None:
        """`bare`: a logfmt file without prefixes."""
        self.settings = settings or ReaderSettings()
        self.catalog = catalog if catalog else None
        self.explicit = mapping
        self.bare = bare
        self.format = LOGFMT if bare else FORMAT
        self.prefixes = _compiled(self.settings) if settings is not None else _DEFAULT
        self.kind: str | None = None  # the file's prefix kind, decided on its first lines
        self.year: int | None = self.settings.syslog_year
        self.inferred: Inferred | None = None
        self.decoder = LineDecoder()
        self.check = RowChecker(self.settings, http_in_text=True)
        self.flow_key: str | None = None
        self.default_flow: str | None = None
        self.mapping: FieldMapping | None = None
        self._build: Callable[[Mapping[str, Any], int, int], EventRow] | None = None
        self.routers: dict[str, tuple[Any, Any, Any]] = {}  # request id -> (http status, latency, operation)
        self.app_requests: set[str] = set()
        self.process_flows: dict[str, Counter[str]] = {}  # process (web.1) -> flows its app lines name
        # the file's messages are plain leveled lines (no JSON / logfmt fields): events (None: not sampled yet)
        self.plain_lines: bool | None = None
        self.payloads: dict[str, int] = {}
        self.duration_keys: set[str] = set()  # logfmt fields whose values carried a unit (read as ms)
        self.codes = re.compile(self.settings.router_error_codes)

    # -- line level ---------------------------------------------------------------------------------

    @property
    def line_shape(self) -> str:
        kinds = "/".join(k for k, _n in sorted(self.payloads.items(), key=lambda x: -x[1])) or "?"
        return f"{self.kind or 'no prefix'} + {kinds}"

    def _decide_kind(self, path: Path) -> None:
        if self.bare or self.kind is not None:
            return
        votes: dict[str, int] = {}
        dec = LineDecoder()
        seen = 0
        for line_no, _off, raw in numbered_lines(path):
            text = dec.text(raw, line_no).rstrip("\r\n")
            if not text.strip():
                continue
            k = prefix_kind(text[: self.settings.max_line_chars], self.prefixes)
            if k is not None:
                votes[k] = votes.get(k, 0) + 1
            seen += 1
            if seen >= SNIFF_LINES:
                break
        self.kind = max(votes, key=lambda k: votes[k]) if votes else None
        if self.kind is None:
            self.bare = True
        if self.year is None:
            self.year = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).year

    def _ts(self, text: str | None) -> float | None:
        if not text or text == "-":
            return None
        if text[:1].isalpha():  # BSD syslog: no year
            try:
                dt = datetime.strptime(f"{self.year or 1970} {' '.join(text.split())}", "%Y %b %d %H:%M:%S")
            except ValueError:
                raise RowError(f"bad syslog time {text[:40]!r}") from None
            return dt.replace(tzinfo=UTC).timestamp()
        return parse_ts(text)

    def parse(self, text: str) -> _Parsed:
        """Prefix and message of one line (RowError when the prefix is missing or broken)."""
        if len(text) > self.settings.max_line_chars:
            raise RowError(f"line too long ({len(text)} characters)")
        prefix: dict[str, str | None] = {}
        msg = text
        if not self.bare:
            rx = dict(self.prefixes)[self.kind or ""]
            m = rx.match(text)
            if m is None:
                raise RowError(f"line without the {self.kind} prefix")
            prefix = m.groupdict()
            msg = prefix.get("msg") or ""
        extra: dict[str, Any] = {}
        pri = prefix.get("pri")
        if pri is not None:
            n = int(pri)
            if n > 191:
                raise RowError(f"bad syslog priority <{pri}>")
            extra[SEV_KEY] = SEVERITIES[n % 8]
        ts = self._ts(prefix.get("ts"))
        if ts is not None:
            extra[TS_KEY] = ts
        partial = prefix.get("tag") == "P"
        app = prefix.get("app")
        if app == "-":
            app = None
        body = msg.strip()
        if partial:
            return _Parsed(None, app, "text", msg, partial=True)
        if body.startswith("{"):
            try:
                obj = _loads(body)
            except (_JSONError, ValueError) as exc:
                raise RowError(f"invalid JSON message: {str(exc).splitlines()[0][:80]}") from None
            if not isinstance(obj, dict):
                raise RowError("JSON message is not an object")
            return _Parsed({**flatten(obj), **extra}, app, "json", msg)
        proc = prefix.get("proc")
        got = parse_logfmt(body)
        if got is not None:
            fields, durations = got
            if durations:
                self.duration_keys.update(durations)
                extra[DUR_KEY] = max(float(fields[k]) for k in durations)
            return _Parsed({**fields, **extra}, app, LOGFMT, msg, proc=proc)
        leveled = inner_event(body, plain=True) if body[:1] != "{" else None
        if leveled is not None and "level" in leveled:  # `ERROR orders: ...`: the app's own plain line
            return _Parsed({**leveled, **extra}, app, "line", msg, proc=proc)
        extra[MSG_KEY] = body
        return _Parsed(None if not extra.get(TS_KEY) else extra, app, "text", msg, proc=proc)

    # -- inference ----------------------------------------------------------------------------------

    def _known(self, value: str) -> bool:
        cat = self.catalog
        if cat is None:
            return False
        if value.lower() in cat.names:
            return True
        return any(value == p or value.startswith(p + ".") for p, _n in cat.loggers)

    def _sample(self, path: Path) -> list[dict[str, Any]]:
        """The first `inference_sample` records with fields, plus later ones bringing a field not seen yet."""
        cfg = self.settings
        sample: list[dict[str, Any]] = []
        extra: list[dict[str, Any]] = []
        seen: set[str] = set()
        leveled: list[dict[str, Any]] = []  # plain lines led by a level: the events only of a file with no fields
        dec = LineDecoder()
        limit = max(20 * cfg.inference_sample, cfg.inference_sample + cfg.inference_scan_lines)
        for line_no, _off, raw in numbered_lines(path):
            full = len(sample) >= cfg.inference_sample
            if line_no > limit or (full and (len(extra) >= cfg.inference_sample or not cfg.inference_scan_lines)) \
                    or (not sample and len(leveled) >= cfg.inference_sample and line_no > 20 * cfg.inference_sample):
                break
            try:
                got = self.parse(dec.text(raw, line_no).rstrip("\r\n"))
            except (RowError, ValueError):
                continue
            if got.record is None or got.kind == "text":
                continue
            if got.kind == "line":
                if len(leveled) < cfg.inference_sample:
                    leveled.append(got.record)
                continue
            if not full:
                sample.append(got.record)
                seen.update(got.record)
            elif not seen.issuperset(got.record):
                extra.append(got.record)
                seen.update(got.record)
        self.plain_lines = not sample and bool(leveled)
        return sample + extra if sample else leveled

    def _infer(self, path: Path) -> None:
        self._decide_kind(path)
        if self.explicit is not None:
            self._use(Inferred(self.explicit, 1.0))
            return
        known = self._known if self.catalog is not None else None
        flow, why = file_flow(path.stem, self.catalog)
        self._use(infer_mapping(self._sample(path), self.settings, fallback_flow=flow, fallback_from=why,
                                known_flow=known))

    def adopt(self, inferred: Inferred) -> None:
        """Read with this inferred mapping (saved by an earlier run over the same file)."""
        self._use(inferred)

    def _use(self, inferred: Inferred) -> None:
        self.inferred = inferred if self.explicit is None else None
        m = inferred.mapping
        if m is None:
            return
        self.flow_key, self.default_flow = m.flow, m.default_flow
        update: dict[str, Any] = {"flow": FLOW_KEY, "default_flow": None}
        if m.latency_ms in self.duration_keys:
            update["latency_scale"] = 1.0  # `elapsed_s=1.2s` is already 1200 ms
        self.mapping = m.model_copy(update=update)
        build = row_builder(self.mapping)
        if inferred.shape is not None:
            build = shaped_builder(build, inferred.shape, self.catalog)
        self._build = build

    # -- events -------------------------------------------------------------------------------------

    def _flow(self, rec: dict[str, Any], app: str | None) -> str:
        m = self.mapping
        assert m is not None
        v = rec.get(self.flow_key) if self.flow_key else None
        if isinstance(v, str) and v.strip():
            return v
        route = rec.get(m.endpoint) if m.endpoint else None
        if isinstance(route, str) and self.catalog is not None and self.catalog.endpoints:
            by_route = self.catalog.by_endpoint(route.split("?", 1)[0])
            if by_route is not None:
                return by_route
        if self._is_access(rec) and self.catalog is not None and self.catalog.endpoints:
            raise SkipLine("router line of a route no flows.json endpoint claims")
        if self._is_access(rec) and (served := self._served_by(rec)) is not None:
            return served
        platform = self.kind in self.settings.platform_prefixes
        if app and (self._known(app) or (self.catalog is None and not platform)):
            return app
        if self.default_flow and (not app or self.catalog is None):
            return self.default_flow
        if MSG_KEY in rec:
            raise SkipLine("line without fields (platform / lifecycle message), not an event")
        if platform:
            raise SkipLine(f"{app or 'platform'} line naming no flow, not an event")
        raise SkipLine("line naming no flow (lifecycle / other program)", logger=app)

    def _served_by(self, rec: Mapping[str, Any]) -> str | None:
        """The flow of the app whose process served a router line: the one flow (80% of them) the app lines
        of its process (`dyno=web.1`) name, else the file's one flow."""
        share = self.settings.min_value_match
        for f in self.settings.router_process_fields:
            proc = rec.get(f)
            if isinstance(proc, str) and (seen := self.process_flows.get(proc)):
                flow, n = seen.most_common(1)[0]
                if n >= share * sum(seen.values()):
                    return flow
        flows: Counter[str] = Counter()
        for seen in self.process_flows.values():
            flows.update(seen)
        if flows:
            flow, n = flows.most_common(1)[0]
            if n >= share * sum(flows.values()):
                return flow
        return None

    def _fill(self, rec: dict[str, Any]) -> None:
        """Prefix values for the mapped fields a message lacks (time, severity, duration, text)."""
        m = self.mapping
        assert m is not None
        for key, src in ((m.timestamp, TS_KEY), (m.level, SEV_KEY), (m.message, MSG_KEY)):
            if key and key != src and rec.get(key) in (None, "") and src in rec:
                rec[key] = rec[src]
        if m.latency_ms and m.latency_ms != DUR_KEY and rec.get(m.latency_ms) in (None, "") and DUR_KEY in rec:
            rec[m.latency_ms] = rec[DUR_KEY] / (m.latency_scale or 1.0)

    def _is_access(self, rec: Mapping[str, Any]) -> bool:
        m = self.mapping
        return bool(m is not None and m.endpoint and m.http_status and rec.get(m.endpoint) not in (None, "")
                    and rec.get(m.http_status) not in (None, ""))

    def _request_id(self, rec: Mapping[str, Any]) -> str | None:
        m = self.mapping
        v = rec.get(m.correlation_id) if m is not None and m.correlation_id else None
        return v if isinstance(v, str) and v else None

    def _pair(self, path: Path) -> None:
        """First pass: request ids of app lines, what router lines say about each request, and the flows the
        app lines of each process name."""
        m = self.mapping
        if m is None or not (m.endpoint and m.http_status) or self.routers or self.app_requests \
                or self.process_flows:
            return
        dec = LineDecoder()
        cap = self.settings.max_paired_requests
        for line_no, _off, raw in numbered_lines(path):
            try:
                got = self.parse(dec.text(raw, line_no).rstrip("\r\n"))
            except (RowError, ValueError):
                continue
            rec = got.record
            if rec is None or got.kind in ("text", "line"):
                continue
            if not self._is_access(rec) and len(self.process_flows) < 10_000:
                v = rec.get(self.flow_key) if self.flow_key else None
                if isinstance(v, str) and v.strip():
                    self.process_flows.setdefault(got.proc or "", Counter())[v] += 1
            if not m.correlation_id or (rid := self._request_id(rec)) is None:
                continue
            if self._is_access(rec):
                if len(self.routers) < cap:
                    self._fill(rec)
                    self.routers[rid] = (rec.get(m.http_status), rec.get(m.latency_ms) if m.latency_ms else None,
                                         rec.get(m.operation) if m.operation else None)
            elif len(self.app_requests) < cap:
                self.app_requests.add(rid)

    def _router_error(self, rec: Mapping[str, Any], row: EventRow) -> EventRow:
        """A router error code (Heroku H12 `Request timeout`) makes the line a server-side failure."""
        for f in self.settings.router_code_fields:
            code = rec.get(f)
            if isinstance(code, str) and self.codes.match(code):
                desc = next((rec[t] for t in self.settings.router_text_fields if isinstance(rec.get(t), str)), "")
                return row._replace(status="error", error=row.error or f"{code} {desc}".strip())
        return row

    def _row(self, got: _Parsed, line_no: int, offset: int) -> EventRow:
        if self._build is None or self.mapping is None:
            notes = "; ".join(self.inferred.notes) if self.inferred is not None else ""
            raise RowError(f"no timestamp field in the messages{': ' + notes if notes else ''}")
        rec = got.record
        if rec is None or (got.kind == "line" and not self.plain_lines):  # a daemon's line beside the app's JSON
            raise SkipLine("line without fields (platform / lifecycle message), not an event")
        self._fill(rec)
        rid = self._request_id(rec)
        access = self._is_access(rec)
        if access and rid is not None and rid in self.app_requests:
            raise SkipLine("router line of a request its app line reports")
        flow = self._flow(rec, got.app)
        rec[FLOW_KEY] = self.catalog.by_name(flow) if self.catalog is not None else flow
        row = self._router_error(rec, self._build(rec, line_no, offset))
        if not access and rid is not None and (seen := self.routers.get(rid)) is not None:
            http, lat, method = seen
            changes: dict[str, Any] = {}
            if not row.operation and isinstance(method, str) and method:
                changes["operation"] = method[:200]
            if row.http_status is None and http not in (None, ""):
                changes["http_status"] = int(http)
            if row.latency_ms is None and isinstance(lat, int | float):
                changes["latency_ms"] = float(lat) * (self.mapping.latency_scale or 1.0)
            if changes:
                row = row._replace(**changes)
        return self.check(row)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        """Chunks from `start` = (byte offset, line number) of a line (the beginning by default)."""
        self._decide_kind(path)
        if self._build is None:
            self._infer(path)
        if self.plain_lines is None:  # a mapping given or saved: what the file's messages are is sampled still
            self._sample(path)
        self._pair(path)
        chunk = Chunk()
        pending: tuple[int, int, str] | None = None  # a CRI partial message: (line, offset, text so far)
        for line_no, offset, raw in numbered_lines(path, *start):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            text = self.decoder.text(raw, line_no).rstrip("\r\n")
            if not text.strip():
                chunk.blank += 1
                continue
            try:
                got = self.parse(text)
                if got.partial or pending is not None:
                    first, first_off, so_far = pending or (line_no, offset, "")
                    if got.partial:
                        pending = (first, first_off, so_far + got.text)
                        chunk.parsed += 1
                        continue
                    pending = None
                    whole = self._joined(text, so_far)
                    line_no, offset, got = first, first_off, whole
                self.payloads[got.kind] = self.payloads.get(got.kind, 0) + 1
                chunk.rows.append(self._row(got, line_no, offset))
                chunk.parsed += 1
            except SkipLine as skip:
                chunk.parsed += 1
                chunk.skipped += 1
                chunk.skip_reasons[skip.reason] += 1
                if skip.logger:
                    chunk.unattributed[f"{skip.logger} (no flow in flows.json claims it: skipped)"] += 1
            except (RowError, UnicodeDecodeError, TypeError, ValueError, OverflowError, KeyError) as exc:
                chunk.set_aside += 1
                chunk.rejected.append(reject(path, line_no, str(exc)[:200] or type(exc).__name__, raw))
        yield chunk

    def _joined(self, text: str, so_far: str) -> _Parsed:
        """The last fragment of a CRI partial message, parsed with the fragments before it."""
        m = dict(self.prefixes)[self.kind or ""].match(text)
        assert m is not None
        return self.parse(text[: m.start("msg")] + so_far + (m.group("msg") or ""))

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        self._decide_kind(path)
        if self._build is None:
            self._infer(path)
        if self.plain_lines is None:
            self._sample(path)
        for ln, off, raw in numbered_lines(path, offset, line_no):
            try:
                return self._row(self.parse(LineDecoder().text(raw, ln).rstrip("\r\n")), ln, off)
            except (RowError, TypeError, ValueError, OverflowError, KeyError):
                return None
        return None
