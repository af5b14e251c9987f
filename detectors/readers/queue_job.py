"""Odoo `queue.job` exports (OCA queue_job): each row is one job attempt, read as one event.

Any shape Odoo's export dialog writes: technical headers (import-compatible, `company_id/id`) or
field labels (`UUID`, `State`, `Exception`, `Record(s)`), technical or label selection values
(`done` / `Done`). timestamp = date_started (date_created when the job never started); flow = the
flow claiming the channel in flows.json, else the channel's last component (`root.invoice_export`
-> `invoice_export`); status: done -> ok, failed -> error, any other state carrying an exception ->
retry (the job will run again), otherwise ok; error = `exc_name: exc_message`; latency = exec_time
(a decimal comma, `1,928017`, is read when the file's delimiter is not a comma: Excel saving in a
Spanish, Italian, French or German locale writes `;` and decimal commas);
records = `queue.job:<uuid>` plus the job's records (`records` as `model(1, 2)` or the JSON Odoo
exports, `record_ids` as a JSON list with `model_name`). The uuid is the idempotency key.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

from odoo_triage.core.export_labels import field_for, label_key, selection_value
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    LineDecoder,
    RowChecker,
    RowError,
    opt_float,
    opt_int,
    parse_number,
    parse_ts,
)
from odoo_triage.detectors.readers.csv_records import csv_chunks, csv_row_at, header_of, sniff_delimiter
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.xlsx import XlsxSource, is_xlsx, xlsx_chunks, xlsx_row_at

REQUIRED = ("uuid", "state", "channel", "date_created")
_RECORDS = re.compile(r"([a-z_][\w.]*)\(([\d,\s]*)\)")
_HTTP = re.compile(r"\b([45]\d\d)\b(?= (?:Client|Server) Error| Too Many| Gone| Unauthorized| Forbidden| Not Found|"
                   r" Service Unavailable| Bad Gateway| Gateway)")

#: English field labels of queue.job (OCA queue_job 14-18) -> technical names.
LABELS = {
    "uuid": "uuid", "description": "name", "task": "func_string", "model": "model_name",
    "model name": "model_name", "method name": "method_name", "method": "method_name", "state": "state",
    "status": "state", "priority": "priority", "exception": "exc_name", "exception name": "exc_name",
    "exception message": "exc_message", "exception info": "exc_info", "exception information": "exc_info",
    "result": "result", "created date": "date_created", "date created": "date_created",
    "creation date": "date_created", "created on": "date_created", "start date": "date_started",
    "date started": "date_started", "started": "date_started", "enqueue time": "date_enqueued",
    "date enqueued": "date_enqueued", "date done": "date_done", "done date": "date_done",
    "execution time (avg)": "exec_time", "execution time": "exec_time", "current try": "retry",
    "retry": "retry", "retries": "retry", "max. retries": "max_retries", "max retries": "max_retries",
    "channel": "channel", "record(s)": "records", "records": "records", "record ids": "record_ids",
    "record id": "record_ids", "company": "company_id", "user id": "user_id", "user": "user_id",
    "identity key": "identity_key", "worker pid": "worker_pid", "job function": "job_function_id",
    "graph uuid": "graph_uuid", "execute only after": "eta", "eta": "eta", "date cancelled": "date_cancelled",
    "complete method name": "channel_method_name", "arguments": "args", "keyword arguments": "kwargs",
}
STATES = {"done": "done", "failed": "failed", "pending": "pending", "enqueued": "enqueued", "started": "started",
          "cancelled": "cancelled", "canceled": "cancelled", "wait_dependencies": "wait_dependencies",
          "wait dependencies": "wait_dependencies", "waiting dependencies": "wait_dependencies"}


def technical_header(header: list[str]) -> list[str]:
    """Export-dialog headers as technical field names: labels in any language of core/export_labels.json
    (then the English variants above) translated, `/id` and `/Database ID` suffixes dropped."""
    out = []
    for h in header:
        key = str(h).strip()
        base, sep, sub = key.rpartition("/")
        if sep and label_key(sub) in _ID_SUFFIXES:
            key = base
        low = key.lower()
        out.append(field_for("queue.job", key) or LABELS.get(low) or (low if low in LABELS.values() else key))
    return out


_ID_SUFFIXES = {"id", "databaseid", "name", "displayname"}


def job_state(label: str) -> str | None:
    """`done`, `Done`, `Fehlgeschlagen`, `En erreur` -> the technical state, or None."""
    text = label.strip()
    return STATES.get(text.lower()) or selection_value("queue.job", "state", text)


def looks_like_queue_job(header: list[str]) -> bool:
    h = set(technical_header(header))
    return {"uuid", "state", "channel"} <= h and bool({"exc_name", "date_created", "model_name"} & h)


def job_records(value: str, model: str = "") -> list[str]:
    """`model(1, 2)`, Odoo's recordset JSON ({"model": ..., "ids": [...]}) or a JSON id list (with `model`)."""
    text = (value or "").strip()
    if not text:
        return []
    if text[0] in "[{":
        data = _literal(text)
        if isinstance(data, dict) and isinstance(data.get("ids"), list):
            m = str(data.get("model") or model)
            return [f"{m}:{int(i)}" for i in data["ids"][:1000] if _intlike(i)] if m else []
        if isinstance(data, list):
            return [f"{model}:{int(i)}" for i in data[:1000] if _intlike(i)] if model else []
    out: list[str] = []
    for m, ids in _RECORDS.findall(text):
        out.extend(f"{m}:{i.strip()}" for i in ids.split(",") if i.strip())
    return out


#: queue_job's `func_string` is `"{}.{}({})".format(repr(job.recordset), method, args)`: its head is the job's
#: recordset as Odoo writes it (`project.project(348,)`); the arguments after it are not read.
_FUNC_HEAD = re.compile(r"^\s*([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)\(((?:\s*\d+\s*,?)*)\)\.[A-Za-z_]\w*\(")


def func_records(value: str) -> list[str]:
    """The records of a job from its func_string's recordset (`res.partner(7, 9)._export()`), else []."""
    m = _FUNC_HEAD.match(value or "")
    if not m:
        return []
    return [f"{m.group(1)}:{i.strip()}" for i in m.group(2).split(",")[:1000] if i.strip()]


def _literal(text: str) -> object:
    """JSON, else a Python literal: Odoo's xlsx export writes lists and dicts with str() (single quotes)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    if len(text) > 100_000:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None


def _intlike(v: object) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and v.isdigit())


_AWARE = re.compile(r"(?:Z|[+-]\d\d:?\d\d)\s*$")
#: a number written with a decimal comma (`1,928017`, `-0,5`): no other comma, no thousands separator
DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d*,\d+\s*$")


def opt_decimal(value: str | None, decimal_comma: bool) -> float | None:
    """`opt_float`, also taking `1,928017` and `1.234,5` when the file writes decimal commas (a CSV whose
    delimiter is not `,`, or an XLSX text cell), and `1,234.5` anywhere."""
    try:
        return opt_float(value)
    except RowError:
        n = parse_number(value, decimal_comma) if isinstance(value, str) else None
        if n is None:
            raise
        return n


def job_builder(catalog: FlowCatalog | None = None, naive: list[float] | None = None,  # type: ignore[no-untyped-def]
                decimal_comma: list[bool] | None = None):
    """`naive[0]`: seconds the file's naive times are ahead of UTC (the exporting user's zone), 0 = UTC;
    `decimal_comma[0]`: the file's numbers may carry a decimal comma (its delimiter is not a comma)."""
    cat = catalog or FlowCatalog()
    shift = naive if naive is not None else [0.0]
    comma = decimal_comma if decimal_comma is not None else [False]

    def build_job(d: dict[str, str], line_no: int, offset: int) -> EventRow:
        uuid = d.get("uuid", "").strip()
        if not uuid:
            raise RowError("job without uuid")
        channel = (d.get("channel") or "root").strip()
        model = (d.get("model_name") or "").strip()
        flow = cat.by_channel(channel, model)
        raw_state = (d.get("state") or "").strip()
        state = job_state(raw_state)
        exc_name = (d.get("exc_name") or "").strip()
        exc_message = (d.get("exc_message") or "").strip()
        if state == "done":
            status = "ok"
        elif state == "failed":
            status = "error"
        elif state is not None:
            status = "retry" if exc_name else "ok"
        else:
            raise RowError(f"unknown job state {raw_state[:40]!r}")
        when = d.get("date_started") or d.get("date_created") or ""
        ts = parse_ts(when)
        if shift[0] and not _AWARE.search(str(when)):
            ts -= shift[0]
        error = f"{exc_name}: {exc_message}" if exc_name else (exc_message or None)
        exec_time = opt_decimal(d.get("exec_time"), comma[0])
        m = _HTTP.search(exc_message) if exc_message else None
        records = job_records(d.get("records", ""), model) or job_records(d.get("record_ids", ""), model) \
            or func_records(d.get("func_string", ""))
        return EventRow(
            ts, flow, "odoo", model, (d.get("method_name") or "").strip(), status,
            exec_time * 1000.0 if exec_time is not None else None, int(m.group(1)) if m else None, error,
            opt_int(d.get("retry")) or 0, None, uuid, (f"queue.job:{uuid}", *records), line_no, offset,
        )

    return build_job


build_job = job_builder()


class QueueJobReader:
    format = "queue_job"

    def __init__(self, catalog: FlowCatalog | None = None, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()
        self._naive = [0.0]
        self._comma = [False]
        self._comma_of: dict[tuple[str, int, int], bool] = {}
        self.build = job_builder(catalog, self._naive, self._comma)
        self.check = RowChecker(settings)
        self.decoder = LineDecoder()

    def naive_offset(self, path: Path) -> float:
        """Seconds this file's naive times are ahead of UTC (settings `export_utc_offsets`, by file name).
        Also notes whether the file's numbers may use decimal commas (a CSV whose delimiter is not `,`)."""
        self._naive[0] = float(self.settings.export_utc_offsets.get(path.name, 0.0))
        # an XLSX number is a number cell; one saved as text by a decimal-comma locale reads `1,5`
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)  # sniffed once per file version: evidence re-reads
        if key not in self._comma_of:  # call this once per cited event
            self._comma_of[key] = is_xlsx(path) or sniff_delimiter(path) != ","
        self._comma[0] = self._comma_of[key]
        return self._naive[0]

    @property
    def decimal_comma(self) -> bool:
        """The file being read may write `1,5` for 1.5 (set by `naive_offset`)."""
        return self._comma[0]

    @property
    def naive_offset_s(self) -> float:
        return self._naive[0]

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        self.naive_offset(path)
        if is_xlsx(path):  # an xlsx export is small and read whole: a saved offset means nothing in a zip
            self.decoder = XlsxSource()  # type: ignore[assignment]
            return xlsx_chunks(path, self.build, REQUIRED, "queue.job header", chunk_size,
                               fix_header=technical_header, checker=self.check)
        return csv_chunks(path, self.build, REQUIRED, "queue.job header", chunk_size, fix_header=technical_header,
                          checker=self.check, decoder=self.decoder, start=start,
                          header=header_of(path, technical_header) if start != (0, 1) else None)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        self.naive_offset(path)
        if is_xlsx(path):
            return xlsx_row_at(path, self.build, line_no, fix_header=technical_header, checker=self.check)
        return csv_row_at(path, self.build, offset, line_no, fix_header=technical_header, checker=self.check)
