"""What every reader yields: compact event rows in chunks, rejected lines, per-file counts.

Readers stream: they hold one chunk of rows at a time, so memory does not grow with the file.
Rows are plain tuples (`EventRow`) because a million pydantic objects cost seconds and a gigabyte;
`to_log_event` turns one row into the `LogEvent` of the domain model when it crosses a boundary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from odoo_triage.core.domain import EventStatus, LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.errors import check_regular as check_regular_file
from odoo_triage.core.settings import ReaderSettings

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
    """Rows of one stretch of a file. Every physical line is counted exactly once: parsed (an event or
    well-formed noise), set aside (part of a rejected record) or blank."""

    rows: list[EventRow] = field(default_factory=list)
    rejected: list[RejectedLine] = field(default_factory=list)
    parsed: int = 0  # physical lines of events and of well-formed non-event lines
    set_aside: int = 0  # physical lines of rejected records
    blank: int = 0
    skipped: int = 0  # well-formed records that are not integration events (server noise)
    unattributed: Counter[str] = field(default_factory=Counter)  # logger -> lines no flow claims
    skip_reasons: Counter[str] = field(default_factory=Counter)  # why well-formed lines were skipped

    @property
    def lines(self) -> int:
        """Physical lines consumed by this chunk."""
        return self.parsed + self.set_aside + self.blank


@dataclass
class FileStats:
    file: str
    format: str
    lines: int = 0
    events: int = 0
    rejected: int = 0
    skipped: int = 0
    blank: int = 0
    parsed_lines: int = 0
    set_aside_lines: int = 0
    encoding: str = "utf-8"
    mapping: dict[str, str] = field(default_factory=dict)  # event field -> source field, when inferred
    mapping_confidence: float | None = None
    unattributed: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)  # reason kind -> lines set aside
    skip_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, chunk: Chunk) -> None:
        self.lines += chunk.lines
        self.events += len(chunk.rows)
        self.rejected += len(chunk.rejected)
        self.skipped += chunk.skipped
        self.blank += chunk.blank
        self.parsed_lines += chunk.parsed
        self.set_aside_lines += chunk.set_aside
        self.unattributed.update(chunk.unattributed)
        self.skip_reasons.update(chunk.skip_reasons)
        for r in chunk.rejected:
            self.reasons[reason_kind(r.reason)] += 1

    def top_reasons(self, n: int = 5) -> list[tuple[str, int]]:
        return self.reasons.most_common(n)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file, "format": self.format, "lines": self.lines, "events": self.events,
            "rejected": self.rejected, "skipped": self.skipped, "blank": self.blank,
            "parsed_lines": self.parsed_lines, "set_aside_lines": self.set_aside_lines, "encoding": self.encoding}
        if self.mapping:
            out["mapping"] = dict(self.mapping)
            out["mapping_confidence"] = self.mapping_confidence
        if self.reasons:
            out["set_aside_reasons"] = dict(self.top_reasons())
        if self.skip_reasons:
            out["skipped_reasons"] = dict(self.skip_reasons.most_common(20))
        if self.unattributed:
            out["unattributed_loggers"] = dict(self.unattributed.most_common(20))
        return out


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DETAIL = re.compile(r"\s*\([^)]*\)")
_NUMBER = re.compile(r"\d+")


def reason_kind(reason: str) -> str:
    """A set-aside reason without its particulars (values, counts, details in brackets), so that
    a thousand `bad timestamp '...'` lines make one line of a report."""
    text = _DETAIL.sub("", _QUOTED.sub("'…'", reason))
    return _NUMBER.sub("N", text).strip()[:120] or "unreadable"


class RowError(ValueError):
    """A line that cannot become an event; the message is the rejection reason."""


def reject(path: Path, line_no: int, reason: str, raw: str | bytes) -> RejectedLine:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    raw = raw.replace("\x00", "")
    reason = reason.replace("\x00", "")
    return RejectedLine(source_file=path.name, line_no=line_no, reason=reason, raw=raw.rstrip("\r\n")[:RAW_KEEP])


_STATUS_WORDS = {
    "ok": "ok", "success": "ok", "succeeded": "ok", "successful": "ok", "done": "ok", "200": "ok", "true": "ok",
    "complete": "ok", "completed": "ok", "processed": "ok", "sent": "ok", "delivered": "ok", "accepted": "ok",
    "passed": "ok", "created": "ok", "updated": "ok",
    "error": "error", "failed": "error", "failure": "error", "fail": "error", "ko": "error", "false": "error",
    "errored": "error", "exception": "error", "rejected": "error", "aborted": "error", "timeout": "error",
    "timed_out": "error", "dead": "error", "dead_letter": "error",
    "retry": "retry", "retrying": "retry", "retried": "retry", "pending": "retry", "warning": "retry",
    "requeued": "retry", "deferred": "retry", "throttled": "retry",
    # execution states of iPaaS run histories (n8n, Zapier, Make, Boomi, Workato): in flight, stopped on
    # purpose or by a filter is no failure; crashed, expired or discarded is; partial/incomplete will rerun
    "crashed": "error", "expired": "error", "discarded": "error", "denied": "error", "unauthorized": "error",
    "forbidden": "error", "errored_out": "error", "timedout": "error", "time_out": "error",
    "running": "ok", "in_progress": "ok", "inprogress": "ok", "started": "ok", "queued": "ok", "waiting": "ok",
    "scheduled": "ok", "enqueued": "ok", "new": "ok", "halted": "ok", "stopped": "ok", "filtered": "ok",
    "skipped": "ok", "ignored": "ok", "canceled": "ok", "cancelled": "ok", "noop": "ok",
    "inprocess": "ok", "in_process": "ok", "processing": "ok",
    "partial": "retry", "partially_failed": "retry", "incomplete": "retry", "completed_with_errors": "retry",
    "completedwitherrors": "retry",
    # localized run states (de, fr, es, it, nl) as tools and Excel exports write them
    "erfolgreich": "ok", "erledigt": "ok", "fehlgeschlagen": "error", "fehler": "error", "succès": "ok",
    "réussi": "ok", "terminé": "ok", "échec": "error", "échoué": "error", "erreur": "error", "éxito": "ok",
    "exitoso": "ok", "completado": "ok", "fallido": "error", "fallo": "error", "successo": "ok", "riuscito": "ok",
    "completato": "ok", "fallito": "error", "errore": "error", "geslaagd": "ok", "voltooid": "ok",
    "mislukt": "error", "fout": "error",
}
#: Log levels, for sources that say how bad a line is but not whether the message went through.
_LEVEL_WORDS = {"trace": "ok", "debug": "ok", "info": "ok", "notice": "ok", "information": "ok",
                "warn": "ok", "warning": "ok", "error": "error", "err": "error", "fatal": "error",
                "critical": "error", "crit": "error", "alert": "error", "emerg": "error", "severe": "error",
                "verbose": "ok", "emergency": "error", "panic": "error", "dpanic": "error",
                # numbers: pino / bunyan (10 trace .. 60 fatal) and syslog / GELF severities (0 emerg .. 7 debug),
                # two sets that share no value (readers.inference takes a numeric level field only if one holds it)
                "10": "ok", "20": "ok", "30": "ok", "40": "ok", "50": "error", "60": "error",
                "0": "error", "1": "error", "2": "error", "3": "error", "4": "ok", "5": "ok", "6": "ok", "7": "ok"}
PINO_LEVELS, SYSLOG_LEVELS = frozenset({10, 20, 30, 40, 50, 60}), frozenset(range(8))


def known_status(value: object) -> bool:
    return str(value).strip().lower() in _STATUS_WORDS


def known_level(value: object) -> bool:
    """A level word (a number is a level only as a JSON number of a field inference vetted: see PINO_LEVELS)."""
    text = str(value).strip().lower()
    return text in _LEVEL_WORDS and not text.isdigit()


def parse_status(value: object, http_status: int | None, error: str | None, level: object = None) -> str:
    """Status from the status field; when absent, from the HTTP status, the log level or an error."""
    if value is not None and value != "":
        s = _STATUS_WORDS.get(str(value).strip().lower())
        if s is None:
            raise RowError(f"unknown status {str(value)[:40]!r}")
        return s
    if http_status is not None:
        return "error" if http_status >= 400 else "ok"
    if level is not None and level != "":
        lv = _LEVEL_WORDS.get(str(level).strip().lower())
        if lv == "error":
            return "error"
    return "error" if error else "ok"


#: Times that are not ISO 8601, as spreadsheets and middleware consoles write them.
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S.%f", "%d-%m-%Y %H:%M:%S",
              "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")
_MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p",
                "%m/%d/%Y %H:%M:%S.%f")
_OTHER = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S.%f", "%d %b %Y %H:%M:%S", "%d-%b-%Y %H:%M:%S",
          "%b %d, %Y %H:%M:%S", "%a, %d %b %Y %H:%M:%S %z", "%Y%m%dT%H%M%S%z", "%Y%m%d%H%M%S",
          "%d/%b/%Y:%H:%M:%S %z",  # nginx / Apache `$time_local` in a JSON access log
          "%b %d, %Y %I:%M:%S %p", "%d.%m.%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S.%f %z")
# How other runtimes print a time (normalized before the formats above are tried): Go's time.String()
# `2026-10-01 10:00:00.123 +0200 CEST m=+0.01`, Rails / Python `2026-10-01 10:00:00 UTC`, a space before
# the offset, a decimal comma before the fraction (`10:00:00,123`)
_GO_TAIL = re.compile(r"(\s[+-]\d{4})\s+[A-Z]{2,5}(?:\s+m=[+-][\d.]+)?$")
_ZONE_WORD = re.compile(r"(\d)\s*(?:UTC|GMT)$")
_SPACED_OFFSET = re.compile(r"(\d)\s+([+-]\d\d:?\d\d)$")
_COMMA_FRACTION = re.compile(r"(\d\d:\d\d:\d\d),(\d+)")


def _number_ts(v: float) -> float:
    if not math.isfinite(v):
        raise RowError("timestamp is not a finite number")
    av = abs(v)
    if av > 1e17:
        return v / 1e9  # nanoseconds
    if av > 1e14:
        return v / 1e6  # microseconds
    if av > 1e11:
        return v / 1e3  # milliseconds
    return v


def parse_ts(value: object, dayfirst: bool | None = None) -> float:
    """Epoch seconds from ISO 8601 (naive means UTC), a common non-ISO form, or epoch s/ms/us/ns."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_ts(float(value))
    if not isinstance(value, str) or not value.strip():
        raise RowError("missing timestamp")
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = _parse_other(text, dayfirst)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.timestamp()
    except (OverflowError, ValueError, OSError):
        raise RowError(f"timestamp out of range {text[:40]!r}") from None


def _parse_other(text: str, dayfirst: bool | None) -> datetime:
    if text.lstrip("-").replace(".", "", 1).isdigit() and len(text) <= 24:
        if abs(float(text)) >= 1e20:
            return _bad_ts(text)
        try:
            return datetime.fromtimestamp(_number_ts(float(text)), tz=UTC)
        except (OverflowError, ValueError, OSError):  # before year 1 or past 9999: no datetime holds it
            raise RowError(f"timestamp out of range {text[:40]!r}") from None
    order = (_DAY_FIRST + _MONTH_FIRST) if dayfirst is not False else (_MONTH_FIRST + _DAY_FIRST)
    for fmt in order + _OTHER:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    norm = _COMMA_FRACTION.sub(r"\1.\2", _SPACED_OFFSET.sub(r"\1\2", _ZONE_WORD.sub(r"\1+00:00", _GO_TAIL.sub(
        r"\1", text))))
    if norm != text:
        try:
            return datetime.fromisoformat(norm)
        except ValueError:
            for fmt in order + _OTHER:
                try:
                    return datetime.strptime(norm, fmt)
                except ValueError:
                    continue
    if text[:3].isalpha() and "," in text[3:5]:  # RFC 1123 / 2822: HTTP `Date`, JavaScript toUTCString()
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    return _bad_ts(text)


def _bad_ts(text: str) -> datetime:
    raise RowError(f"bad timestamp {text[:40]!r}")


def guess_dayfirst(samples: list[str]) -> bool | None:
    """dd/mm or mm/dd from sampled values: a first part above 12 means day first, a second above 12 month first."""
    day = month = False
    for v in samples:
        head = v.strip().split(" ")[0].replace(".", "/").replace("-", "/").split("/")
        if len(head) == 3 and len(head[2]) == 4 and head[0].isdigit() and head[1].isdigit():
            day |= int(head[0]) > 12
            month |= int(head[1]) > 12
    if day != month:
        return day
    return None


def opt_float(value: object) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError(f"not a number: {str(value)[:40]!r}") from None


_THOUSANDS = {".": re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$"), ",": re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$")}
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d[\d.,]*|[.,]\d+)$")
_GROUP_MARKS = str.maketrans("", "", " '\u00a0\u202f\u2009")


def parse_number(text: str, decimal_comma: bool = True) -> float | None:
    """A number as locales and spreadsheets write it, or None: `12,5` and `1.234,5` (European Excel),
    `1 234,5` (French), `1'234.5` (Swiss), `1,234.5`. Both marks: the last one is the decimal one. A lone
    comma is decimal when `decimal_comma` (a `;` CSV, JSON text, an XLSX text cell); else only a
    thousands grouping (`1,234`) is read, as a comma-delimited file's writer means it."""
    s = text.strip().translate(_GROUP_MARKS)
    if not _NUMBER_TEXT.match(s):
        return None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        head, _, frac = s.rpartition(dec)
        if not _THOUSANDS["." if dec == "," else ","].match(head) or not frac.isdigit():
            return None
        return float(head.replace("." if dec == "," else ",", "") + "." + frac)
    if commas:
        if commas == 1 and decimal_comma and not s.endswith(","):
            return float(s.replace(",", "."))
        return float(s.replace(",", "")) if _THOUSANDS[","].match(s) else None
    if dots > 1:
        return float(s.replace(".", "")) if decimal_comma and _THOUSANDS["."].match(s) else None
    try:
        return float(s)
    except ValueError:
        return None


#: Duration units as factors to milliseconds (Go's `time.Duration` words, .NET, log4j, humans).
_UNIT_MS = {"ns": 1e-6, "nanos": 1e-6, "us": 1e-3, "µs": 1e-3, "μs": 1e-3, "micros": 1e-3, "ms": 1.0,
            "msec": 1.0, "msecs": 1.0, "millis": 1.0, "millisecond": 1.0, "milliseconds": 1.0, "s": 1000.0,
            "sec": 1000.0, "secs": 1000.0, "second": 1000.0, "seconds": 1000.0, "m": 60_000.0, "min": 60_000.0,
            "mins": 60_000.0, "minute": 60_000.0, "minutes": 60_000.0, "h": 3_600_000.0, "hr": 3_600_000.0,
            "hrs": 3_600_000.0, "hour": 3_600_000.0, "hours": 3_600_000.0}
_ONE_DURATION = re.compile(r"^([+-]?[\d.,' \u00a0\u202f]*\d|[+-]?[.,]\d+)\s*([a-zA-Zµμ]+)\.?$")
_GO_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|s|m|h)){2,}$")  # Go: 1m30.5s, 2h3m4s
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)")
_ISO_DURATION = re.compile(r"^P(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?"
                           r"(?:(\d+(?:[.,]\d+)?)S)?)?$", re.I)
_CLOCK = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):([0-5]\d):([0-5]\d(?:[.,]\d+)?)$")  # hh:mm:ss.fff, .NET d.hh:mm:ss


def duration_ms(text: str, decimal_comma: bool = True) -> float | None:
    """A duration written with its unit, in milliseconds, or None: `532ms`, `0.532s`, `1.2 s`, `12,5 ms`,
    Go's `1m30.5s`, ISO 8601 `PT0.5S` (Azure, .NET XML), a clock `00:00:01.234` (.NET TimeSpan)."""
    s = text.strip()
    if not s or len(s) > 40:
        return None
    m = _ONE_DURATION.match(s)
    if m is not None:
        unit = _UNIT_MS.get(m.group(2)) or _UNIT_MS.get(m.group(2).lower())
        n = parse_number(m.group(1), decimal_comma) if unit is not None else None
        return n * unit if n is not None and unit is not None else None
    if s[:1] in "Pp":
        iso = _ISO_DURATION.match(s)
        if iso is None or not any(iso.groups()):
            return None
        d, h, mi, sec = (float(g.replace(",", ".")) if g else 0.0 for g in iso.groups())
        return ((d * 24 + h) * 60 + mi) * 60_000.0 + sec * 1000.0
    if ":" in s:
        c = _CLOCK.match(s)
        if c is None:
            return None
        return (((float(c.group(1) or 0) * 24 + float(c.group(2))) * 60 + float(c.group(3))) * 60
                + float(c.group(4).replace(",", "."))) * 1000.0
    if _GO_DURATION.match(s):
        return sum(float(n) * _UNIT_MS[u] for n, u in _GO_PART.findall(s))
    return None


def opt_latency(value: object, scale: float = 1.0, decimal_comma: bool = True) -> float | None:
    """A latency in milliseconds: a number in the field's unit (times `scale`), the same as text in any
    locale (`12,5`), or a text carrying its own unit (`532ms`, `PT0.5S`: the unit wins over the field's)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) * scale
    if isinstance(value, str):
        try:
            return float(value) * scale
        except ValueError:
            pass
        if (d := duration_ms(value, decimal_comma)) is not None:
            return d
        if (n := parse_number(value, decimal_comma)) is not None:
            return n * scale
    raise RowError(f"not a number: {str(value)[:40]!r}")


def is_latency_text(value: object) -> bool:
    """A value `opt_latency` reads (the mapping inference's test for a latency field)."""
    try:
        return opt_latency(value) is not None
    except RowError:
        return False


def opt_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if type(value) is int:
        return value
    try:
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise RowError(f"not an integer: {str(value)[:40]!r}") from None


def opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


MAX_TEXT = 4000  # characters of one error or field kept: a runaway value cannot balloon the run
MAX_RECORDS = 1000


def _clean(text: str, limit: int = MAX_TEXT) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text if len(text) <= limit else text[:limit]


class RowChecker:
    """Range checks every reader applies to every row before it becomes an event.

    Timestamps inside [ts_min_year, ts_max_year), HTTP status 100-599, retries and latency
    non-negative and bounded, NUL characters stripped from every text (PostgreSQL refuses them).
    """

    def __init__(self, limits: ReaderSettings | None = None, *, http_in_text: bool = False) -> None:
        """`http_in_text` (the JSON/CSV readers): a failed or retried row without an HTTP status takes the
        one its error text names ("[503] Service Unavailable", "HTTP 504"), so a rule on server-down failures
        (maintenance windows) holds for sources that only write the status into the message."""
        lim = limits or ReaderSettings()
        self.http_patterns = list(lim.http_in_text) if http_in_text else []
        self._http_res = [re.compile(p) for p in self.http_patterns]
        self.ts_min = datetime(lim.ts_min_year, 1, 1, tzinfo=UTC).timestamp()
        self.ts_max = datetime(lim.ts_max_year, 1, 1, tzinfo=UTC).timestamp()
        self.max_latency = lim.max_latency_ms
        self.max_retry = lim.max_retry

    def __call__(self, row: EventRow) -> EventRow:
        ts = row.ts
        if not (self.ts_min <= ts < self.ts_max):  # also false for NaN
            raise RowError(f"timestamp out of range ({_fmt_ts(ts)})")
        if row.http_status is not None and not 100 <= row.http_status <= 599:
            raise RowError(f"HTTP status out of range ({row.http_status})")
        if not 0 <= row.retry_count <= self.max_retry:
            raise RowError(f"retry count out of range ({row.retry_count})")
        lat = row.latency_ms
        if lat is not None and not (0.0 <= lat <= self.max_latency):
            raise RowError(f"latency out of range ({lat})")
        if not row.flow or not row.flow.strip("\x00 "):
            raise RowError("no flow")
        changes: dict[str, Any] = {}
        if self._http_res and row.http_status is None and row.status != "ok" and row.error:
            code = self.http_in_text(row.error)
            if code is not None:
                changes["http_status"] = code
        for name in ("flow", "source_system", "target_system", "operation"):
            v = getattr(row, name)
            if "\x00" in v or len(v) > 200:
                changes[name] = _clean(v, 200)
        for name in ("error", "correlation_id", "idempotency_key"):
            v = getattr(row, name)
            if v is not None and ("\x00" in v or len(v) > MAX_TEXT):
                changes[name] = _clean(v) or None
        recs = row.record_ids
        if recs and (len(recs) > MAX_RECORDS or any("\x00" in r or len(r) > 200 for r in recs)):
            changes["record_ids"] = tuple(_clean(r, 200) for r in recs[:MAX_RECORDS])
        return row._replace(**changes) if changes else row


    def http_in_text(self, text: str) -> int | None:
        """The HTTP status an error text names, by the first pattern that finds one."""
        for rx in self._http_res:
            m = rx.search(text)
            if m:
                return int(m.group(1))
        return None


def _fmt_ts(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return repr(ts)


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


def check_regular(path: Path) -> None:
    """Refuse FIFOs, devices and sockets before opening them: reading one would block or never end."""
    check_regular_file(path, "the log")


def numbered_lines(path: Path, start_offset: int = 0, start_line: int = 1) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, raw bytes) for each physical line, streamed."""
    check_regular(path)
    offset, line_no = start_offset, start_line
    with path.open("rb") as fh:
        if start_offset:
            fh.seek(start_offset)
        for raw in fh:
            yield line_no, offset, raw
            offset += len(raw)
            line_no += 1


BOM = b"\xef\xbb\xbf"


class LineDecoder:
    """Bytes of one line to text: UTF-8 (a leading BOM dropped), else cp1252, else latin-1.

    Decided per line, so one Windows line in a UTF-8 file costs nothing else; what was used is
    reported (`encoding`). UTF-16 files are refused, not read as mojibake. NULs are dropped.
    """

    def __init__(self) -> None:
        self.bom = False
        self.fallback = 0

    def text(self, raw: bytes, line_no: int) -> str:
        if line_no == 1:
            if raw.startswith(BOM):
                self.bom = True
                raw = raw[3:]
            elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise InputError("UTF-16 text is not supported: save the file as UTF-8")
        if b"\x00" in raw:
            raw = raw.replace(b"\x00", b"")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.fallback += 1
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError:
                return raw.decode("latin-1")

    def utf8(self, raw: bytes, line_no: int) -> bytes:
        """The line as UTF-8 bytes (for parsers that take bytes)."""
        if line_no == 1 and raw.startswith(BOM):
            self.bom = True
            raw = raw[3:]
        if b"\x00" in raw:
            raw = raw.replace(b"\x00", b"")
        try:
            raw.decode("utf-8")
            return raw
        except UnicodeDecodeError:
            return self.text(raw, 0).encode("utf-8")

    @property
    def name(self) -> str:
        base = "utf-8-sig" if self.bom else "utf-8"
        return base if not self.fallback else f"{base}, {self.fallback} line(s) cp1252"


SEEK_MIN_BYTES = 1 << 20  # smaller files are read whole: a binary search would not save anything
SEEK_PROBE_LINES = 200  # lines tried after a probe offset for one that gives a time (tracebacks, noise)
SEEK_CHECKS = 32  # probes spread evenly over the file besides the search's: all in order, or it is read whole


def line_start_after(path: Path, pos: int) -> int:
    """The offset of the first line starting at or after `pos` (the file's size when there is none)."""
    if pos <= 0:
        return 0
    with path.open("rb") as fh:
        fh.seek(pos - 1)
        fh.readline()  # the rest of the line `pos` falls in (nothing when pos - 1 is a newline)
        return fh.tell()


def line_number_at(path: Path, offset: int) -> int:
    """The line number (1-based) of the line starting at `offset`: event ids stay those of a full read."""
    n, left = 1, offset
    with path.open("rb") as fh:
        while left > 0:
            block = fh.read(min(left, 1 << 22))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


def seek_time(path: Path, since: float, time_at: Callable[[int], tuple[float, int] | None],
              margin: float) -> tuple[int, int]:
    """(byte offset, line number) to start reading a time-ordered file so that no line at or after `since`
    is missed: binary search over byte offsets for the last line before `since - margin`.

    `time_at(offset)` gives (time, offset of the line it came from) for the first line from `offset` that
    has one, or None. Safe fallback, (0, 1) = read it all: a small file, a search probe without a time,
    or probes (the search's and `SEEK_CHECKS` spread over the file: files concatenated or merged out of
    order show) out of order by more than `margin`. A file whose disorder no probe meets is not caught:
    the option is for logs written as things happen."""
    found = _bracket(path, since - margin, time_at, margin)
    if found is None or found[0] <= 0:
        return 0, 1
    return found[0], line_number_at(path, found[0])


def seek_stop(path: Path, until: float, time_at: Callable[[int], tuple[float, int] | None],
              margin: float) -> int | None:
    """The byte offset of a line from which on every line of a time-ordered file is at or after `until`
    (the first probe at or after `until + margin`, lines `margin` out of order allowed): reading may stop
    there. None: read to the end (small, unprobed or out of order, or nothing that late)."""
    found = _bracket(path, until + margin, time_at, margin)
    if found is None or found[1] >= path.stat().st_size:
        return None
    return found[1]


def _bracket(path: Path, target: float, time_at: Callable[[int], tuple[float, int] | None],
             margin: float) -> tuple[int, int] | None:
    """(lo, hi): line offsets with the line at lo before `target` (0 when the file starts at or after it)
    and the probed line at hi at or after it (the file's size when none is), at most 64 KB apart; None
    when the file cannot be searched (small, a probe without a time, probes out of order by > margin)."""
    size = path.stat().st_size
    if size < SEEK_MIN_BYTES or target != target:
        return None
    first = time_at(0)
    if first is None:
        return None
    if first[0] >= target:
        return 0, 0
    lo, hi = 0, size  # invariant: the line at lo is before target; lines at or after hi are not
    probes = [first]
    while hi - lo > (1 << 16):
        mid = line_start_after(path, (lo + hi) // 2)
        if mid >= hi:
            break
        got = time_at(mid)
        if got is None:
            return None
        probes.append(got)
        if got[0] < target:
            lo = got[1]
        else:
            hi = mid
    for k in range(1, SEEK_CHECKS):
        at = line_start_after(path, size * k // SEEK_CHECKS)
        got = time_at(at) if at < size else None
        if got is not None:
            probes.append(got)
    probes.sort(key=lambda p: p[1])
    times = [t for t, _ in probes]
    if any(b < a - margin for a, b in zip(times, times[1:], strict=False)):
        return None  # not time-ordered: read whole
    return lo, hi


@dataclass(frozen=True)
class ReadPlan:
    """What `read_frame(plan=)` reads: per file the byte segments ((offset, line) to start, offset to stop
    or None = the end; a file not named is read whole), and the time ranges [lo, hi) whose events are
    kept, in every file, before templating (what makes a pruned read equal to a whole read so filtered)."""

    segments: dict[Path, list[tuple[tuple[int, int], int | None]]] = field(default_factory=dict)
    keep: list[tuple[float, float]] = field(default_factory=list)


# records written as they happen, each starting on a line of its own (a JVM record's stack trace follows it)
SEEKABLE_FORMATS = ("jsonl", "csv", "odoo_log", "access_log", "prefixed", "logfmt", "java_log", "container")


def time_probe(reader: Any, path: Path) -> Callable[[int], tuple[float, int] | None] | None:
    """`time_at(offset)` for `seek_time`/`seek_stop` over the reader's own `row_at` (the time of the first line
    from `offset` that has one), or None when the format is not one record per line written as it happens."""
    if getattr(reader, "format", None) not in SEEKABLE_FORMATS:
        return None
    if getattr(reader, "explicit", True) is None and getattr(reader, "inferred", True) is None:
        reader._infer(path)  # the mapping first: a full read infers it from the same first lines

    def time_at(offset: int) -> tuple[float, int] | None:
        with path.open("rb") as fh:
            fh.seek(offset)
            off = offset
            for _ in range(SEEK_PROBE_LINES):
                raw = fh.readline()
                if not raw:
                    return None
                try:
                    row = reader.row_at(path, off, 0)
                except (RowError, InputError, ValueError, OSError):
                    row = None
                if row is not None and row.ts == row.ts:
                    return float(row.ts), off
                off += len(raw)
        return None

    return time_at


def seek_entry(reader: Any, path: Path, since: float, margin: float) -> tuple[int, int] | None:
    """Where a reader should start `path` to read every event at or after `since` (`seek_time` over its own
    `row_at`), or None to read it from the start (not a line-per-record log format, or not time-ordered)."""
    time_at = time_probe(reader, path)
    if time_at is None:
        return None
    start = seek_time(path, since, time_at, margin)
    return None if start == (0, 1) else start
