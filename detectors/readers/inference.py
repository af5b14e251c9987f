"""Which source field means what, inferred from field names and sampled values, no mapping file needed.

Each event field has a list of synonyms (`ReaderSettings.field_synonyms`). A source field is a
candidate when its name, compared without case and punctuation, equals a synonym (or its last
dotted component does, scoring lower); it is taken only if most sampled values parse as that field
(a timestamp, a status word, an HTTP code, a number). The result carries a confidence per field and
overall, which the commands print, so a wrong guess is visible and fixable with `--mapping`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    PINO_LEVELS,
    SYSLOG_LEVELS,
    RowError,
    guess_dayfirst,
    is_latency_text,
    known_level,
    known_status,
    parse_ts,
)
from odoo_triage.detectors.readers.mapping import FieldMapping
from odoo_triage.detectors.readers.shapes import Shape, columns_of, infer_shape, looks_like_class

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Fields in the order they are decided: a source field taken by one is not offered to the next.
ORDER = ("timestamp", "flow", "status", "http_status", "level", "latency_ms", "error", "retry_count",
         "idempotency_key", "correlation_id", "record_ids", "endpoint", "operation", "source_system", "target_system",
         "message")
MAX_FLOWS = 200  # a "flow" column with more distinct values is an id, not a flow
_TS_MIN, _TS_MAX = 946_684_800.0, 4_102_444_800.0  # 2000 .. 2100

ENVELOPE_PREFIX = "envelope."  # an unwrapped envelope's own fields (readers/envelope.py)


def norm(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


def flatten(d: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Nested objects as dotted keys (`event.outcome`); lists stay values."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and depth < 4 and v:
            out.update(flatten(v, key + ".", depth + 1))
        else:
            out[key] = v
    return out


@dataclass
class Inferred:
    mapping: FieldMapping | None  # None when no timestamp field was found
    confidence: float
    fields: dict[str, tuple[str, float]] = field(default_factory=dict)  # event field -> (source, score)
    notes: list[str] = field(default_factory=list)
    shape: Shape | None = None  # record refs, error class, control lines, logger flow (shapes.py)
    flow_from: str = "the file name"  # how the default flow (no flow field) was found

    def describe(self) -> str:
        got = ", ".join(f"{k}<-{src} ({s:.2f})" for k, (src, s) in self.fields.items())
        return f"confidence {self.confidence:.2f}: {got}" + (f"; {'; '.join(self.notes)}" if self.notes else "")


def _name_score(column: str, synonyms: list[str]) -> float:
    full = norm(column)
    last = norm(column.rsplit(".", 1)[-1])
    best = 0.0
    for i, syn in enumerate(synonyms):
        ns = norm(syn)
        if full == ns:
            best = max(best, 1.0 - 0.01 * i)
        elif last == ns:
            best = max(best, 0.8 - 0.01 * i)
    return best


def _is_int_like(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, str):
        try:
            float(v.replace(",", "."))
            return True
        except ValueError:
            return False
    return False


def _valid(kind: str, values: list[Any]) -> float:
    """Share of the sampled (non-empty) values that are plausible for this event field."""
    if not values:
        return 0.0
    if kind == "timestamp":
        def ok(v: Any) -> bool:
            try:
                return _TS_MIN <= parse_ts(v) < _TS_MAX
            except RowError:
                return False
        return sum(map(ok, values)) / len(values)
    if kind == "status":
        return sum(1 for v in values if known_status(v) and _is_int_like(v) is None) / len(values)
    if kind == "level":
        nums = {n for v in values if (n := _is_int_like(v)) is not None and not isinstance(v, str)}
        if nums and (nums <= PINO_LEVELS or nums <= SYSLOG_LEVELS):  # pino / bunyan 30, 50; GELF 3, 6
            return sum(1 for v in values if _is_int_like(v) in nums) / len(values)
        return sum(1 for v in values if isinstance(v, str) and known_level(v)) / len(values)
    if kind == "http_status":
        return sum(1 for v in values if (n := _is_int_like(v)) is not None and 100 <= n <= 599) / len(values)
    if kind == "latency_ms":  # numbers in any locale, or texts with their unit (`532ms`, `PT0.5S`)
        return sum(1 for v in values if is_latency_text(v)) / len(values)
    if kind == "retry_count":
        return sum(1 for v in values if _is_number(v)) / len(values)
    if kind == "flow":
        strs = [v for v in values if isinstance(v, str) and v.strip()]
        if len({*strs}) > MAX_FLOWS:
            return 0.0
        return len(strs) / len(values)
    if kind == "record_ids":
        return sum(1 for v in values if isinstance(v, list | str)) / len(values)
    return sum(1 for v in values if isinstance(v, str | int | float) and not isinstance(v, bool)) / len(values)


def status_vocabulary(values: list[Any], cfg: ReaderSettings) -> tuple[str, dict[str, str]] | None:
    """The numeric status vocabulary (settings `status_codes`) holding every sampled value, if one does
    (the first listed): Make's execution logs write 1/2/3 for success/warning/error."""
    seen = {str(n) for v in values if (n := _is_int_like(v)) is not None}
    if not seen or len(seen) < len({str(v).strip() for v in values}):
        return None
    for name, vocab in cfg.status_codes.items():
        if seen <= set(vocab) and all(known_status(w) for w in vocab.values()):
            return name, dict(vocab)
    return None


def _scale(column: str, table: dict[str, float]) -> float:
    n = norm(column)
    for name, factor in table.items():
        if norm(name) == n:
            return factor
    low = column.lower()
    if re.search(r"(\bms\b|_ms$|\(ms\)|millis)", low):
        return 1.0
    if re.search(r"(_ns$|\(ns\)|nanos)", low):
        return 1e-6
    if re.search(r"(_us$|\(us\)|micros)", low):
        return 1e-3
    if re.search(r"(_s$|\(s\)|_sec$|seconds|\bsecs?\b)", low):
        return 1000.0
    return 1.0


def infer_mapping(records: Iterable[Mapping[str, Any]], settings: ReaderSettings | None = None,
                  fallback_flow: str | None = None, known_flow: Callable[[str], bool] | None = None,
                  fallback_from: str = "the file name") -> Inferred:
    """A FieldMapping from sampled records (flat dicts: CSV rows, or flattened JSON objects).

    `known_flow` (flows.json names, aliases, loggers): when no flow field is found by name, or the one found
    holds values flows.json does not know, a field whose values it knows is the flow (`sync=accounts`)."""
    cfg = settings or ReaderSettings()
    rows = list(records)
    columns: dict[str, list[Any]] = {}
    for r in rows:
        for k, v in r.items():
            vals = columns.setdefault(k, [])
            if v is not None and v != "" and v != []:
                vals.append(v)
    taken: set[str] = set()
    chosen: dict[str, tuple[str, float]] = {}
    notes: list[str] = []
    codes: dict[str, tuple[str, dict[str, str]]] = {}  # status column -> (vocabulary name, codes)
    store_ids = log_store_ids(columns, cfg)
    for target in ORDER:
        syns = cfg.field_synonyms.get(target, [])
        best: tuple[float, str] | None = None
        for col, vals in columns.items():
            if col in taken or (col in store_ids and target in ("idempotency_key", "correlation_id")):
                continue
            ns = _name_score(col, syns)
            if ns <= 0:
                continue
            validity = _valid(target, vals) if vals else (0.5 if target in ("error", "retry_count") else 0.0)
            if target == "level" and norm(col.rsplit(".", 1)[-1]) == "priority" and validity \
                    and any(_is_int_like(v) is not None for v in vals):
                validity = 0.0  # a numeric priority ranks work (queue.job 10), it says nothing of failure
            if target == "status" and vals and validity < cfg.min_value_match \
                    and (vocab := status_vocabulary(vals, cfg)) is not None:
                validity = 1.0
                codes[col] = vocab
            if target == "status" and vals and _valid("http_status", vals) >= cfg.min_value_match \
                    and "http_status" not in chosen:
                continue  # a numeric "status" column holds HTTP codes; the http_status pass takes it
            if validity < cfg.min_value_match and not (target == "error" and validity >= 0.5):
                continue
            score = ns * validity
            if best is None or score > best[0]:
                best = (score, col)
        if best is not None:
            chosen[target] = (best[1], round(best[0], 3))
            taken.add(best[1])
    if "error" not in chosen and (obj := _error_object(columns, taken, cfg)) is not None:
        chosen["error"] = obj
        taken.add(obj[0])
    if known_flow is not None:
        _known_flow_field(columns, len(rows), chosen, taken, known_flow, cfg)
    if "timestamp" not in chosen:
        return Inferred(None, 0.0, chosen, [f"no timestamp field among {', '.join(list(columns)[:12])}"])
    values = {k: v[0] for k, v in chosen.items()}
    default_flow = None
    flow_score = chosen.get("flow", ("", 0.0))[1]
    if "flow" not in chosen:
        default_flow = fallback_flow
        flow_score = 0.5 if fallback_flow else 0.0
        notes.append(f"no flow field: every event is flow {fallback_flow!r} ({fallback_from})")
    status_score = max((chosen[k][1] for k in ("status", "http_status", "level") if k in chosen), default=0.0)
    if status_score == 0.0:
        status_score = 0.5 if "error" in chosen else 0.3
        notes.append("no status, HTTP status or level field: an event with an error text counts as failed"
                     if "error" in chosen else "no status field at all: every event counts as ok")
    status_values = None
    if "status" in values and values["status"] in codes:
        name, status_values = codes[values["status"]]
        notes.append(f"status {values['status']!r} read as {name} codes "
                     f"({', '.join(f'{k} {v}' for k, v in status_values.items())})")
    ts_values = [v for v in columns.get(values["timestamp"], []) if isinstance(v, str)][:200]
    dayfirst = guess_dayfirst(ts_values)
    mapping = FieldMapping(
        timestamp=values["timestamp"], flow=values.get("flow"), source_system=values.get("source_system"),
        target_system=values.get("target_system"), operation=values.get("operation"),
        status=values.get("status"), latency_ms=values.get("latency_ms"), http_status=values.get("http_status"),
        error=values.get("error"), retry_count=values.get("retry_count"),
        correlation_id=values.get("correlation_id"), idempotency_key=values.get("idempotency_key"),
        record_ids=values.get("record_ids"), level=values.get("level") if "status" not in chosen else None,
        message=values.get("message"), endpoint=values.get("endpoint"), default_flow=default_flow,
        latency_scale=_scale(values["latency_ms"], cfg.latency_units) if "latency_ms" in values else 1.0,
        dayfirst=dayfirst, status_values=status_values,
    )
    confidence = round(min(chosen["timestamp"][1], flow_score, status_score), 3)
    return refine(Inferred(mapping, confidence, chosen, notes, flow_from=fallback_from), rows, cfg)


def log_store_ids(columns: Mapping[str, Any], cfg: ReaderSettings) -> set[str]:
    """The fields holding a log store's own record id (settings `log_store_record_ids`), at the top or in an
    envelope: CloudWatch's eventId where logStreamName is."""
    out: set[str] = set()
    for marker, field_name in cfg.log_store_record_ids.items():
        for pre in ("", ENVELOPE_PREFIX):
            if pre + marker in columns:
                out.add(pre + field_name)
    return out


def _known_flow_field(columns: dict[str, list[Any]], n_rows: int, chosen: dict[str, tuple[str, float]],
                      taken: set[str], known: Callable[[str], bool], cfg: ReaderSettings) -> None:
    """Put in `chosen` the field whose values flows.json knows best (share of known values x share of rows
    carrying it), unless the flow field chosen by name already holds known values. Route fields are left
    to flows.json `endpoints`."""
    def share(vals: list[Any]) -> float:
        strs = [v for v in vals if isinstance(v, str)]
        return sum(1 for v in strs if known(v)) / len(vals) if vals else 0.0

    cur = chosen.get("flow")
    if cur is not None and share(columns.get(cur[0], [])) >= cfg.min_value_match:
        return
    routes = cfg.field_synonyms.get("endpoint", [])
    best: tuple[float, float, str] | None = None
    for col, vals in columns.items():
        if (col in taken and (cur is None or col != cur[0])) or not vals or _name_score(col, routes) > 0:
            continue
        s = share(vals)
        if s < cfg.min_value_match:
            continue
        coverage = s * len(vals) / max(n_rows, 1)
        if best is None or coverage > best[0]:
            best = (coverage, s, col)
    if best is not None:
        if cur is not None:
            taken.discard(cur[0])
        chosen["flow"] = (best[2], round(best[1], 3))
        taken.add(best[2])


LOGGER_FLOW_SCORE = 0.7  # a logger names a code module, not always a business flow: below a flow field


def _logger_column(cols: dict[str, list[Any]], taken: set[str], cfg: ReaderSettings) -> tuple[str, float] | None:
    """A logger-name field (structlog, python-json-logger) that can stand in for the flow."""
    best: tuple[float, str] | None = None
    for col, vals in cols.items():
        if col in taken or not vals:
            continue
        ns = _name_score(col, cfg.logger_fields)
        if ns <= 0 or _valid("flow", vals) < cfg.min_value_match:
            continue
        if best is None or ns > best[0]:
            best = (ns, col)
    return (best[1], round(LOGGER_FLOW_SCORE * best[0], 3)) if best else None


def _error_object(cols: dict[str, list[Any]], taken: set[str], cfg: ReaderSettings) -> tuple[str, float] | None:
    """A nested error object (`jsonPayload.error = {name, odoo_message}`) when no error field is a value:
    flattening leaves only its members, none named like an error; the object itself is the error field
    (its class and message read together as one text)."""
    best: tuple[float, str] | None = None
    for col, vals in cols.items():
        if "." not in col or not vals or not all(isinstance(v, str) for v in vals):
            continue
        parent = col.rsplit(".", 1)[0]
        if parent in taken:
            continue
        ns = _name_score(parent, cfg.field_synonyms.get("error", []))
        if ns > 0 and (best is None or ns > best[0]):
            best = (ns, parent)
    return (best[1], round(0.9 * best[0], 3)) if best else None


def _error_text_column(cols: dict[str, list[Any]], taken: set[str], cfg: ReaderSettings) -> tuple[str, float] | None:
    """Another error field holding sentences, for when the chosen one holds exception classes."""
    best: tuple[float, str] | None = None
    for col, vals in cols.items():
        if col in taken or not vals or looks_like_class(vals, 0.5):
            continue
        ns = _name_score(col, cfg.field_synonyms.get("error", []))
        if ns > 0 and (best is None or ns > best[0]) and _valid("error", vals) >= cfg.min_value_match:
            best = (ns, col)
    return (best[1], round(best[0], 3)) if best else None


def refine(inferred: Inferred, rows: list[Mapping[str, Any]], cfg: ReaderSettings) -> Inferred:
    """What the first pass leaves open: a logger as the flow, an error field holding exception classes
    (the class goes in front of the message field's text), and the file's Shape (record refs, error
    class, control lines). Additive: a mapping with a flow field and a text error field is unchanged."""
    m = inferred.mapping
    if m is None:
        return inferred
    cols = columns_of(rows)
    chosen = dict(inferred.fields)
    notes = list(inferred.notes)
    taken = {src for src, _s in chosen.values()}
    updates: dict[str, Any] = {}
    from_logger = False
    if m.flow is None and (lg := _logger_column(cols, taken, cfg)) is not None:
        updates.update(flow=lg[0], default_flow=None)
        chosen["flow"] = lg
        taken.add(lg[0])
        notes = [n for n in notes if not n.startswith("no flow field")]
        notes.append(f"flow from the logger field {lg[0]!r} (flows.json `loggers` attribute it)")
        from_logger = True
    error_class = None
    if m.error and looks_like_class(cols.get(m.error, []), cfg.min_value_match):
        text = _error_text_column(cols, taken, cfg)
        if text is not None:
            error_class = m.error
            updates["error"] = text[0]
            chosen["error"] = text
            notes.append(f"{m.error!r} holds exception classes: error text from {text[0]!r}, class in front")
    mapping = m.model_copy(update=updates) if updates else m
    shape = infer_shape(rows, mapping.sources(), cfg, taken=[error_class] if error_class else ())
    if error_class is not None:
        shape = replace(shape, error_class=error_class)
    shape = replace(shape, flow_from_logger=from_logger)
    if shape.error_class:
        chosen["error_class"] = (shape.error_class, 1.0)
    notes += [n for n in shape.notes if n not in notes]
    flow_score = chosen["flow"][1] if "flow" in chosen else (0.5 if mapping.default_flow else 0.0)
    status_score = max((chosen[k][1] for k in ("status", "http_status", "level") if k in chosen), default=0.0) \
        or (0.5 if "error" in chosen else 0.3)
    confidence = round(min(chosen["timestamp"][1], flow_score, status_score), 3)
    return Inferred(mapping, confidence, chosen, notes, shape, inferred.flow_from)
