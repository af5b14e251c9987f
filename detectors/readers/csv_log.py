"""Integration logs exported as CSV (one row per message), fields picked by a `FieldMapping`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow
from odoo_triage.detectors.readers.csv_records import csv_chunks, csv_row_at
from odoo_triage.detectors.readers.mapping import CSV_MAPPING, FieldMapping, row_builder


class CsvReader:
    format = "csv"

    def __init__(self, mapping: FieldMapping | None = None) -> None:
        self.mapping = mapping or CSV_MAPPING
        self._build = row_builder(self.mapping)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        return csv_chunks(path, self._build, (self.mapping.timestamp,), "header", chunk_size)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        return csv_row_at(path, self._build, offset, line_no)
