"""Which source field feeds which `LogEvent` field, for the JSON-lines and CSV readers.

The defaults fit the middleware export (`ts`, `flow`, `source`, ... `record_ids`); a firm whose
exporter names things differently passes its own mapping instead of rewriting its logs.
Dotted keys (`"meta.flow"`) reach into nested JSON objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from detectors.readers.base import EventRow, RowError, opt_float, opt_int, opt_str, parse_status, parse_ts


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
    default_flow: str | None = None  # used when the row has no flow (one file per flow)
    record_ids_separator: str = ";"  # when record ids come as one string


MIDDLEWARE_MAPPING = FieldMapping()
CSV_MAPPING = FieldMapping(timestamp="timestamp")


def _getter(key: str | None) -> Callable[[Mapping[str, Any]], Any]:
    if key is None:
        return lambda _d: None
    if "." not in key:
        return lambda d: d.get(key)
    parts = key.split(".")

    def get(d: Mapping[str, Any]) -> Any:
        cur: Any = d
        for p in parts:
            if not isinstance(cur, Mapping):
                return None
            cur = cur.get(p)
        return cur

    return get


def row_builder(mapping: FieldMapping) -> Callable[[Mapping[str, Any], int, int], EventRow]:
    """A function turning one parsed record (dict) into an EventRow, raising RowError if it cannot."""
    g = {name: _getter(getattr(mapping, name)) for name in (
        "timestamp", "flow", "source_system", "target_system", "operation", "status", "latency_ms",
        "http_status", "error", "retry_count", "correlation_id", "idempotency_key", "record_ids")}
    sep = mapping.record_ids_separator
    default_flow = mapping.default_flow
    g_ts, g_flow, g_status, g_err, g_http = g["timestamp"], g["flow"], g["status"], g["error"], g["http_status"]
    g_src, g_tgt, g_op, g_lat, g_retry = g["source_system"], g["target_system"], g["operation"], g["latency_ms"], g["retry_count"]
    g_corr, g_idem, g_rec = g["correlation_id"], g["idempotency_key"], g["record_ids"]

    def build(d: Mapping[str, Any], line_no: int, offset: int) -> EventRow:
        if not isinstance(d, Mapping):
            raise RowError("not an object")
        flow = g_flow(d) or default_flow
        if not flow:
            raise RowError("no flow")
        http = opt_int(g_http(d))
        error = opt_str(g_err(d))
        recs = g_rec(d)
        if recs is None or recs == "":
            rec_t: tuple[str, ...] = ()
        elif isinstance(recs, str):
            rec_t = tuple(r for r in recs.split(sep) if r)
        elif isinstance(recs, list | tuple):
            rec_t = tuple(str(r) for r in recs)
        else:
            rec_t = (str(recs),)
        return EventRow(
            parse_ts(g_ts(d)), str(flow), opt_str(g_src(d)) or "", opt_str(g_tgt(d)) or "", opt_str(g_op(d)) or "",
            parse_status(g_status(d), http, error), opt_float(g_lat(d)), http, error, opt_int(g_retry(d)) or 0,
            opt_str(g_corr(d)), opt_str(g_idem(d)), rec_t, line_no, offset,
        )

    return build
