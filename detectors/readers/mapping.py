"""Which source field feeds which `LogEvent` field, for the JSON-lines and CSV readers.

The defaults fit the middleware export (`ts`, `flow`, `source`, ... `record_ids`); a firm whose
exporter names things differently passes its own mapping instead of rewriting its logs.
Dotted keys (`"meta.flow"`) reach into nested JSON objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from odoo_triage.core.errors import InputError
from odoo_triage.detectors.readers.base import (
    EventRow,
    RowError,
    opt_int,
    opt_latency,
    opt_str,
    parse_status,
    parse_ts,
)


class FieldMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timestamp: str = "ts"
    flow: str | None = "flow"
    source_system: str | None = "source"
    target_system: str | None = "target"
    operation: str | None = "operation"
    status: str | None = "status"
    latency_ms: str | None = "latency_ms"
    http_status: str | None = "http_status"
    error: str | None = "error"
    retry_count: str | None = "retry"
    correlation_id: str | None = "correlation_id"
    idempotency_key: str | None = "idempotency_key"
    record_ids: str | None = "record_ids"
    level: str | None = None  # a log level, read as the status when the status field is absent
    endpoint: str | None = None  # URL path or route: names the flow (flows.json `endpoints`) when no flow field does
    message: str | None = None  # the log message: the error text of a failed event that has no error field
    default_flow: str | None = None  # used when the row has no flow (one file per flow)
    record_ids_separator: str = ";"  # when record ids come as one string
    latency_scale: float = 1.0  # factor from the latency field's unit to milliseconds
    dayfirst: bool | None = None  # for dd/mm/yyyy versus mm/dd/yyyy times; None: try day first
    # a numeric status vocabulary (source code -> status word, ReaderSettings.status_codes), e.g. Make's 1/2/3
    status_values: dict[str, str] | None = None

    def sources(self) -> dict[str, str]:
        """Event field -> source field, for the fields that are mapped (what a person checks)."""
        return {k: v for k, v in self.model_dump().items()
                if k in FIELDS and isinstance(v, str)}


FIELDS = ("timestamp", "flow", "source_system", "target_system", "operation", "status", "latency_ms",
          "http_status", "error", "retry_count", "correlation_id", "idempotency_key", "record_ids", "level", "message", "endpoint")


MIDDLEWARE_MAPPING = FieldMapping()
CSV_MAPPING = FieldMapping(timestamp="timestamp")


def _getter(key: str | None) -> Callable[[Mapping[str, Any]], Any]:
    if key is None:
        return lambda _d: None
    if "." not in key:
        return lambda d: d.get(key)
    parts = key.split(".")

    def get(d: Mapping[str, Any]) -> Any:
        if key in d:  # a flattened export keeps the dotted name as the key
            return d[key]
        cur: Any = d
        for p in parts:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(p)
        return cur

    return get


EndpointFlow = Callable[[str], str | None]


def row_builder(mapping: FieldMapping, endpoint_flow: EndpointFlow | None = None, decimal_comma: bool = True,
                ) -> Callable[[Mapping[str, Any], int, int], EventRow]:
    """A function turning one parsed record (dict) into an EventRow, raising RowError if it cannot.

    `endpoint_flow` (flows.json `endpoints`) names the flow of a record without a flow field; `decimal_comma`:
    a lone comma in a number is decimal (`12,5`), false for a comma-delimited CSV (`1,234` is thousands)."""
    names = ("timestamp", "flow", "source_system", "target_system", "operation", "status", "latency_ms",
             "http_status", "error", "retry_count", "correlation_id", "idempotency_key", "record_ids")
    keys = [getattr(mapping, n) for n in names]
    if any(k is not None and "." in k for k in keys) or mapping.level or mapping.message or mapping.endpoint \
            or mapping.latency_scale != 1.0 \
            or mapping.dayfirst is not None:
        return _nested_builder(mapping, endpoint_flow, decimal_comma)
    (k_ts, k_flow, k_src, k_tgt, k_op, k_status, k_lat, k_http, k_err, k_retry, k_corr, k_idem, k_rec) = (
        k if k is not None else "\x00unmapped" for k in keys)
    sep = mapping.record_ids_separator
    default_flow = mapping.default_flow
    codes = mapping.status_values or {}

    def build(d: Mapping[str, Any], line_no: int, offset: int) -> EventRow:
        if not isinstance(d, dict):
            if not isinstance(d, Mapping):
                raise RowError("not an object")
        get = d.get
        flow = get(k_flow) or default_flow
        if not flow:
            raise RowError("no flow")
        http = get(k_http)
        if http is not None and type(http) is not int:
            http = opt_int(http)
        error = get(k_err)
        if error is not None and type(error) is not str:
            error = _text(error)
        elif error == "":
            error = None
        lat = get(k_lat)
        if lat is not None and type(lat) is not float:
            lat = opt_latency(lat, 1.0, decimal_comma)
        retry = get(k_retry)
        if type(retry) is not int:
            retry = opt_int(retry) or 0
        recs = get(k_rec)
        if not recs:
            rec_t: tuple[str, ...] = ()
        elif type(recs) is list:
            rec_t = tuple(recs) if all(type(r) is str for r in recs) else tuple(str(r) for r in recs)
        elif isinstance(recs, str):
            rec_t = tuple(r for r in recs.split(sep) if r)
        else:
            rec_t = (str(recs),)
        return EventRow(
            parse_ts(get(k_ts)), flow if type(flow) is str else str(flow), opt_str(get(k_src)) or "",
            opt_str(get(k_tgt)) or "", opt_str(get(k_op)) or "", parse_status(_coded(get(k_status), codes), http, error),
            lat, http,
            error, retry, opt_str(get(k_corr)), opt_str(get(k_idem)), rec_t, line_no, offset,
        )

    return build


def _coded(value: Any, codes: dict[str, str]) -> Any:
    """A status code of the mapping's vocabulary as its word (Make's 3 -> "error"); anything else as is."""
    if not codes or value is None or isinstance(value, bool):
        return value
    return codes.get(str(value).strip(), value)


def _text(value: Any) -> str | None:
    """An error field as text: a nested error object keeps its message (or its JSON)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        # the usual keys, then any `*_message` (an app's `odoo_message`, `error_message`)
        keys = [*("message", "msg", "description", "detail"),
                *(k for k in value if isinstance(k, str) and k.lower().endswith("message"))]
        for k in keys:
            if isinstance(value.get(k), str) and value[k]:
                t = value.get("type") or value.get("name") or value.get("code")
                return f"{t}: {value[k]}" if isinstance(t, str) and t and t not in value[k] else value[k]
        return json.dumps(value, sort_keys=True, default=str)[:4000]
    return str(value)


def _nested_builder(mapping: FieldMapping, endpoint_flow: EndpointFlow | None = None, decimal_comma: bool = True,
                    ) -> Callable[[Mapping[str, Any], int, int], EventRow]:
    """The general (slower) builder, for dotted keys into nested objects."""
    g = {name: _getter(getattr(mapping, name)) for name in (
        "timestamp", "flow", "source_system", "target_system", "operation", "status", "latency_ms",
        "http_status", "error", "retry_count", "correlation_id", "idempotency_key", "record_ids", "level",
        "message", "endpoint")}
    sep = mapping.record_ids_separator
    default_flow = mapping.default_flow
    scale, dayfirst = mapping.latency_scale, mapping.dayfirst
    codes = mapping.status_values or {}

    def build(d: Mapping[str, Any], line_no: int, offset: int) -> EventRow:
        if not isinstance(d, Mapping):
            raise RowError("not an object")
        flow = g["flow"](d)
        if not flow and endpoint_flow is not None and isinstance(path := g["endpoint"](d), str):
            flow = endpoint_flow(path)
        flow = flow or default_flow
        if not flow:
            raise RowError("no flow")
        http = opt_int(g["http_status"](d))
        error = _text(g["error"](d))
        lat = opt_latency(g["latency_ms"](d), scale, decimal_comma)
        recs = g["record_ids"](d)
        if recs is None or recs == "":
            rec_t: tuple[str, ...] = ()
        elif isinstance(recs, str):
            rec_t = tuple(r for r in recs.split(sep) if r)
        elif isinstance(recs, list | tuple):
            rec_t = tuple(str(r) for r in recs)
        else:
            rec_t = (str(recs),)
        status = parse_status(_coded(g["status"](d), codes), http, error, g["level"](d))
        if error is None and status != "ok":
            error = _text(g["message"](d))
        return EventRow(
            parse_ts(g["timestamp"](d), dayfirst), str(flow), opt_str(g["source_system"](d)) or "",
            opt_str(g["target_system"](d)) or "", opt_str(g["operation"](d)) or "",
            status, lat, http, error,
            opt_int(g["retry_count"](d)) or 0, opt_str(g["correlation_id"](d)), opt_str(g["idempotency_key"](d)),
            rec_t, line_no, offset,
        )

    return build


def load_mapping_file(path: Path) -> FieldMapping:
    """A FieldMapping JSON (`--mapping`, or a labeled folder's mapping.json), with errors a person can act on."""
    from pydantic import ValidationError

    try:
        return FieldMapping.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"mapping file {path}: no such file") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"mapping file {path}: {'.'.join(map(str, first['loc'])) or 'file'}: {first['msg']}") from None
