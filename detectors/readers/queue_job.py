"""Odoo `queue.job` exports (OCA queue_job): each row is one job attempt, read as one event.

timestamp = date_started (date_created when the job never started); flow = the channel's last
component (`root.invoice_export` -> `invoice_export`); status: done -> ok, failed -> error, any
other state carrying an exception -> retry (the job will run again), otherwise ok; error =
`exc_name: exc_message`; latency = exec_time; records = `queue.job:<uuid>` plus the job's records.
The uuid is the idempotency key: a job done twice is a duplicate execution.
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
    opt_float,
    opt_int,
    parse_ts,
)
from odoo_triage.detectors.readers.csv_records import csv_chunks, csv_row_at

REQUIRED = ("uuid", "state", "channel", "date_created")
_RECORDS = re.compile(r"([a-z_][\w.]*)\(([\d,\s]*)\)")
_HTTP = re.compile(r"\b([45]\d\d)\b(?= (?:Client|Server) Error| Too Many| Gone| Unauthorized| Forbidden| Not Found|"
                   r" Service Unavailable| Bad Gateway| Gateway)")


def looks_like_queue_job(header: list[str]) -> bool:
    return {"uuid", "state", "channel", "exc_name"} <= {h.strip() for h in header}


def job_records(value: str) -> list[str]:
    out = []
    for model, ids in _RECORDS.findall(value or ""):
        out.extend(f"{model}:{i.strip()}" for i in ids.split(",") if i.strip())
    return out


def build_job(d: dict[str, str], line_no: int, offset: int) -> EventRow:
    uuid = d.get("uuid", "").strip()
    if not uuid:
        raise RowError("job without uuid")
    channel = (d.get("channel") or "root").strip()
    flow = channel.rsplit(".", 1)[-1] or channel
    state = (d.get("state") or "").strip()
    exc_name = (d.get("exc_name") or "").strip()
    exc_message = (d.get("exc_message") or "").strip()
    if state == "done":
        status = "ok"
    elif state == "failed":
        status = "error"
    elif state in ("pending", "enqueued", "started", "wait_dependencies", "cancelled"):
        status = "retry" if exc_name else "ok"
    else:
        raise RowError(f"unknown job state {state!r}")
    ts = parse_ts(d.get("date_started") or d.get("date_created") or "")
    error = f"{exc_name}: {exc_message}" if exc_name else (exc_message or None)
    exec_time = opt_float(d.get("exec_time"))
    m = _HTTP.search(exc_message) if exc_message else None
    return EventRow(
        ts, flow, "odoo", (d.get("model_name") or "").strip(), (d.get("method_name") or "").strip(), status,
        exec_time * 1000.0 if exec_time is not None else None, int(m.group(1)) if m else None, error,
        opt_int(d.get("retry")) or 0, None, uuid, (f"queue.job:{uuid}", *job_records(d.get("records", ""))),
        line_no, offset,
    )


class QueueJobReader:
    format = "queue_job"

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        return csv_chunks(path, build_job, REQUIRED, "queue.job header", chunk_size)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        return csv_row_at(path, build_job, offset, line_no)
