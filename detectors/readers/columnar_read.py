"""Which columnar reader reads a file (the row reader's chunks, as columns, where none applies)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from odoo_triage.detectors.readers.columnar import (
    ColumnChunk,
    _csv_plan,
    csv_columns,
    jsonl_columns,
    odoo_columns,
    row_columns,
    simple_mapping,
)
from odoo_triage.detectors.readers.columnar_queue_job import queue_job_columns, queue_job_plan


def _plain_lines(reader: Any) -> bool:
    """No line shape beyond the mapping (readers.shapes): record refs, error classes, logger flows,
    control lines and flows.json loggers are applied by the row reader only."""
    inferred = getattr(reader, "inferred", None)
    shape = getattr(inferred, "shape", None)
    if shape is None:
        return True
    catalog = getattr(reader, "catalog", None)
    return not (shape.active() or bool(catalog is not None and catalog and catalog.loggers))


def column_chunks(reader: Any, path: Path, start: tuple[int, int] = (0, 1), columnar: bool = True,
                  stop: int | None = None) -> Iterator[ColumnChunk]:
    """Any reader's file as column chunks: the columnar path where it applies, else the row reader's
    chunks turned into columns. `stop`: the columnar readers read no block past it (the caller stops
    the row readers' chunks and drops their rows past it)."""
    if columnar and reader.format == "jsonl":
        if reader.explicit is None and reader.inferred is None:
            reader._infer(path)
        if simple_mapping(reader.mapping) and _plain_lines(reader) and not reader.shifts(path):  # naive local
            yield from jsonl_columns(reader, path, start, stop=stop)  # times: the row reader shifts them
            return
    if columnar and reader.format == "csv" and start == (0, 1):
        if reader.explicit is None and reader.inferred is None:
            reader._infer(path)
        plan = _csv_plan(reader, path) if simple_mapping(reader.mapping) and _plain_lines(reader) \
            and not reader.shifts(path) else None  # naive local times: the row reader shifts them
        if plan is not None:
            yield from csv_columns(reader, path, *plan, stop=stop)
            return
    if columnar and reader.format == "queue_job" and start == (0, 1):
        plan = queue_job_plan(reader, path)
        if plan is not None:
            yield from queue_job_columns(reader, path, *plan)
            return
    if columnar and reader.format == "odoo_log":
        yield from odoo_columns(reader, path, start, stop=stop)
        return
    yield from row_columns(reader.chunks(path, start=start) if start != (0, 1) else reader.chunks(path))
