"""Integration logs exported as CSV (one row per message), fields picked by a `FieldMapping`
(given, or inferred per file from the header and the first rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, LineDecoder, RowChecker
from odoo_triage.detectors.readers.csv_records import csv_chunks, csv_records, csv_row_at, header_of
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.inference import Inferred, infer_mapping
from odoo_triage.detectors.readers.mapping import CSV_MAPPING, FieldMapping, row_builder
from odoo_triage.detectors.readers.shapes import shaped_builder


class CsvReader:
    format = "csv"

    def __init__(self, mapping: FieldMapping | None = None, settings: ReaderSettings | None = None,
                 catalog: FlowCatalog | None = None) -> None:
        self.explicit = mapping
        self.settings = settings or ReaderSettings()
        self.endpoint_flow = catalog.by_endpoint if catalog is not None and catalog.endpoints else None
        self.catalog = catalog
        self.mapping = mapping or CSV_MAPPING
        self._build = row_builder(self.mapping, self.endpoint_flow)
        self.inferred: Inferred | None = None
        self.sample_complete = False  # the sample stopped before the end of the file (a saved state may keep it)
        self.decoder = LineDecoder()
        self.check = RowChecker(self.settings, http_in_text=True)

    def _infer(self, path: Path) -> None:
        header: list[str] | None = None
        sample: list[dict[str, str]] = []
        for rec in csv_records(path):
            if rec.fields is None or not rec.fields or rec.fields == [""]:
                continue
            if header is None:
                header = [h.strip() for h in rec.fields]
                continue
            if len(rec.fields) == len(header):
                sample.append(dict(zip(header, rec.fields, strict=True)))
            if len(sample) >= self.settings.inference_sample:
                self.sample_complete = True
                break
        if header is None:
            return
        if not sample:
            sample = [dict.fromkeys(header, "")]
        self.adopt(infer_mapping(sample, self.settings, fallback_flow=path.stem))

    def adopt(self, inferred: Inferred) -> None:
        """Read with this inferred mapping (just inferred, or saved by an earlier run over the same file)."""
        self.inferred = inferred
        if self.inferred.mapping is not None:
            self.mapping = self.inferred.mapping
            self._build = row_builder(self.mapping, self.endpoint_flow)
            if self.inferred.shape is not None:  # a CSV row is never skipped: csv_chunks sets RowErrors aside
                self._build = shaped_builder(self._build, self.inferred.shape, self.catalog, skip_lines=False)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        """Chunks from `start` = (byte offset, line number) of a record (the beginning by default)."""
        if self.explicit is None and self.inferred is None:
            self._infer(path)
        return csv_chunks(path, self._build, (self.mapping.timestamp,), "header", chunk_size,
                          checker=self.check, decoder=self.decoder, start=start,
                          header=header_of(path) if start != (0, 1) else None)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        return csv_row_at(path, self._build, offset, line_no, checker=self.check)
