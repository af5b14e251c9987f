"""Integration logs exported as CSV (one row per message), fields picked by a `FieldMapping`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, RowError, reject
from detectors.readers.csv_records import csv_records
from detectors.readers.mapping import CSV_MAPPING, FieldMapping, row_builder


class CsvReader:
    format = "csv"

    def __init__(self, mapping: FieldMapping | None = None) -> None:
        self.mapping = mapping or CSV_MAPPING
        self._build = row_builder(self.mapping)

    def _header(self, path: Path) -> list[str]:
        return next(([h.strip() for h in r.fields] for r in csv_records(path) if r.fields), [])

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        chunk = Chunk()
        header: list[str] | None = None
        build = self._build
        for rec in csv_records(path):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            chunk.lines += rec.lines
            if rec.fields is None:
                chunk.rejected.append(reject(path, rec.line_no, rec.error, rec.raw))
                continue
            if not rec.fields or rec.fields == [""]:
                continue
            if header is None:
                header = [h.strip() for h in rec.fields]
                missing = {self.mapping.timestamp} - set(header)
                if missing:
                    chunk.rejected.append(reject(path, rec.line_no, f"header lacks {', '.join(sorted(missing))}",
                                                 rec.raw))
                    header = None
                continue
            if len(rec.fields) != len(header):
                chunk.rejected.append(reject(path, rec.line_no, f"CSV row with {len(rec.fields)} of {len(header)} fields",
                                             rec.raw))
                continue
            try:
                chunk.rows.append(build(dict(zip(header, rec.fields, strict=True)), rec.line_no, rec.offset))
            except RowError as exc:
                chunk.rejected.append(reject(path, rec.line_no, str(exc), rec.raw))
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        header = self._header(path)
        for rec in csv_records(path, offset, line_no):
            if rec.fields is None or len(rec.fields) != len(header):
                return None
            try:
                return self._build(dict(zip(header, rec.fields, strict=True)), rec.line_no, rec.offset)
            except RowError:
                return None
        return None
