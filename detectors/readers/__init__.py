"""Log readers: one module per format, picked by extension and content unless told explicitly.

| format      | files                                   | reader             |
|-------------|-----------------------------------------|--------------------|
| `jsonl`     | `*.jsonl`, `*.ndjson`, lines of `{...}` | `JsonLinesReader`  |
|             | (an envelope's inner event too: Docker  |                    |
|             | json-file `log`, `message` holding JSON)|                    |
| `csv`       | `*.csv` with a timestamp column         | `CsvReader`        |
| `queue_job` | `*.csv` or `*.xlsx` with uuid, state,   | `QueueJobReader`   |
|             | channel, ... (Odoo's export dialog)     |                    |
| `odoo_log`  | `*.log` in the Odoo server log format   | `OdooLogReader`    |
| `prefixed`  | syslog (RFC 5424 / 3164), log drains,   | `PrefixedReader`   |
|             | journald, CRI: a prefix, then JSON or   |                    |
|             | logfmt                                  |                    |
| `logfmt`    | lines of `key=value key2="v w"`         | `PrefixedReader`   |
| `java_log`  | log4j / logback pattern lines (Kafka    | `JavaLogReader`    |
|             | Connect, Spring Boot, Mule, Camel) with |                    |
|             | their stack traces                      |                    |
| `json_document` | one JSON array / wrapper object, or | `JsonDocumentReader` |
|             | pretty-printed objects (API exports)    |                    |
| `container` | an Odoo or JVM log as a container       | `ContainerReader`  |
|             | runtime wraps it (CRI, Docker json-file)|                    |
| `lambda`    | a CloudWatch Logs export (JSON lines) of| `LambdaLogReader`  |
|             | an AWS Lambda function: one event per   |                    |
|             | invocation                              |                    |
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from odoo_triage.core.domain import LogEvent, RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.access_log import AccessLogReader, looks_like_access_log
from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    FileStats,
    check_regular,
    to_log_event,
)
from odoo_triage.detectors.readers.container import ContainerReader, inner_format
from odoo_triage.detectors.readers.csv_log import CsvReader
from odoo_triage.detectors.readers.csv_records import csv_records
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.inference import Inferred, infer_mapping
from odoo_triage.detectors.readers.java_log import JavaLogReader, looks_like_java_log_file
from odoo_triage.detectors.readers.json_document import JsonDocumentReader, looks_like_json_document
from odoo_triage.detectors.readers.jsonl import JsonLinesReader
from odoo_triage.detectors.readers.lambda_log import LambdaLogReader
from odoo_triage.detectors.readers.lambda_log import sniff as looks_like_lambda_file
from odoo_triage.detectors.readers.mapping import CSV_MAPPING, MIDDLEWARE_MAPPING, FieldMapping
from odoo_triage.detectors.readers.odoo_log import OdooLogReader, looks_like_odoo_log
from odoo_triage.detectors.readers.prefixed import PrefixedReader, looks_like_logfmt_file, looks_like_prefixed
from odoo_triage.detectors.readers.queue_job import QueueJobReader, looks_like_queue_job
from odoo_triage.detectors.readers.xlsx import is_xlsx, xlsx_header

FORMATS = ("jsonl", "csv", "queue_job", "odoo_log", "access_log", "prefixed", "logfmt", "java_log", "container",
           "json_document", "lambda")

__all__ = [
    "CSV_MAPPING", "FORMATS", "MIDDLEWARE_MAPPING", "Chunk", "CsvReader", "EventRow", "FieldMapping", "FileStats",
    "FlowCatalog", "Inferred", "infer_mapping", "record_stats", "JavaLogReader", "JsonLinesReader", "OdooLogReader", "PrefixedReader", "QueueJobReader", "Reader", "detect_format", "make_reader", "read_events",
    "to_log_event",
]


class Reader(Protocol):
    format: str

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]: ...

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None: ...


def _first_line(path: Path) -> bytes:
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                return raw.lstrip(b"\xef\xbb\xbf")
            if fh.tell() > 1 << 20:
                break
    return b""


def detect_format(path: Path) -> str:
    """The format of a log file, from its extension and first non-empty line."""
    check_regular(path)
    if is_xlsx(path):
        if looks_like_queue_job(xlsx_header(path)):
            return "queue_job"
        raise InputError(f"{path.name}: an .xlsx log must be an Odoo queue.job export (uuid, state, channel, ...); "
                         "save other logs as CSV")
    first = _first_line(path)
    suffix = path.suffix.lower()
    if inner_format(path, first) is not None:  # an Odoo / JVM log in CRI or Docker json-file lines
        return "container"
    if looks_like_json_document(first):  # `[`, `{"data": [`, a pretty-printed object: not one object a line
        return "json_document"
    if suffix in (".jsonl", ".ndjson", ".json") or first.startswith(b"{"):
        return "lambda" if first.startswith(b"{") and b"logStreamName" in first and looks_like_lambda_file(path) \
            else "jsonl"
    if looks_like_odoo_log(first):
        return "odoo_log"
    if looks_like_access_log(first):
        return "access_log"
    if looks_like_java_log_file(path, first):  # before logfmt: `key=value` inside a JVM message is no logfmt record
        return "java_log"
    if looks_like_prefixed(first):  # before CSV: a syslog line with a JSON message holds commas
        return "prefixed"
    if looks_like_logfmt_file(first):
        return "logfmt"
    if suffix in (".csv", ".tsv", ".txt") or b"," in first:
        header = next((r.fields for r in csv_records(path) if r.fields), None) or []
        return "queue_job" if looks_like_queue_job(header) else "csv"
    if suffix == ".log":
        return "odoo_log"
    raise InputError(f"{path.name}: cannot tell the log format; pass it explicitly ({', '.join(FORMATS)})")


def make_reader(fmt: str, mapping: FieldMapping | None = None, catalog: FlowCatalog | None = None,
                settings: ReaderSettings | None = None) -> Reader:
    """A reader for one file (readers keep per-file state: the inferred mapping, the encoding seen)."""
    if fmt == "jsonl":
        return JsonLinesReader(mapping, settings, catalog)
    if fmt == "csv":
        return CsvReader(mapping, settings, catalog)
    if fmt == "queue_job":
        return QueueJobReader(catalog, settings)
    if fmt == "odoo_log":
        return OdooLogReader(catalog=catalog, settings=settings)
    if fmt == "access_log":
        return AccessLogReader(catalog, settings)
    if fmt == "java_log":
        return JavaLogReader(catalog, settings)
    if fmt == "container":
        return ContainerReader(catalog, settings)
    if fmt == "lambda":
        return LambdaLogReader(catalog, settings)
    if fmt == "json_document":
        return JsonDocumentReader(mapping, settings, catalog)
    if fmt in ("prefixed", "logfmt"):
        return PrefixedReader(mapping, settings, catalog, bare=fmt == "logfmt")
    raise InputError(f"unknown log format {fmt!r}; expected one of {', '.join(FORMATS)}")


def read_events(
    path: Path, fmt: str | None = None, mapping: FieldMapping | None = None,
    rejected: list[RejectedLine] | None = None, stats: FileStats | None = None,
) -> Iterator[LogEvent]:
    """Stream the `LogEvent`s of one file; malformed lines go to `rejected`, counts to `stats`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such log file: {path}")
    check_regular(path)
    fmt = fmt or detect_format(path)
    reader = make_reader(fmt, mapping)
    for chunk in reader.chunks(path):
        if stats is not None:
            stats.add(chunk)
            record_stats(reader, stats)
        if rejected is not None:
            rejected.extend(chunk.rejected)
        for row in chunk.rows:
            yield to_log_event(row, path.name)


def record_stats(reader: Reader, stats: FileStats) -> None:
    """Copy what a reader learned about its file (encoding, inferred mapping) into its stats."""
    shape = getattr(reader, "line_shape", None)
    if isinstance(shape, str):
        stats.format = f"{reader.format} ({shape})"
    dec = getattr(reader, "decoder", None)
    if dec is not None:
        stats.encoding = dec.name
    described = getattr(reader, "described", None)
    if isinstance(described, dict) and described:  # a format read by its documented layout, nothing guessed
        stats.mapping = dict(described)
        stats.mapping_confidence = 1.0
    inferred = getattr(reader, "inferred", None)
    if inferred is not None:
        used = inferred.mapping.sources() if inferred.mapping is not None else {}
        stats.mapping = {k: v[0] for k, v in inferred.fields.items() if used.get(k) == v[0]}
        if inferred.mapping is not None and inferred.mapping.default_flow and not inferred.mapping.flow:
            why = getattr(inferred, "flow_from", "the file name")  # a state saved before it was kept
            stats.mapping["flow"] = f"{inferred.mapping.default_flow!r} ({why})"
        if inferred.mapping is not None and inferred.shape is not None:
            stats.mapping.update(inferred.shape.sources())
        stats.mapping_confidence = inferred.confidence
