"""CSV records with the line number and byte offset they start on (quoted fields may span lines)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, RowError, numbered_lines, reject

csv.field_size_limit(min(sys.maxsize, 16 * 1024 * 1024))


@dataclass
class CsvRecord:
    fields: list[str] | None  # None when the csv module could not parse the record
    line_no: int
    offset: int
    parts: list[tuple[int, int, str]] = field(default_factory=list)  # (line, offset, text) of its lines
    error: str = ""

    @property
    def lines(self) -> int:
        """Physical lines the record spans."""
        return len(self.parts)

    @property
    def raw(self) -> str:
        return "".join(p[2] for p in self.parts)


def csv_records(path: Path, start_offset: int = 0, start_line: int = 1) -> Iterator[CsvRecord]:
    state: list[list[tuple[int, int, str]]] = [[]]

    def lines() -> Iterator[str]:
        for line_no, offset, raw in numbered_lines(path, start_offset, start_line):
            text = raw.decode("utf-8", errors="replace")
            state[0].append((line_no, offset, text))
            yield text

    reader = csv.reader(lines())
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            parts, state[0] = state[0], []
            if not parts:
                return
            yield CsvRecord(None, parts[0][0], parts[0][1], parts, f"CSV error: {exc}")
            continue
        parts, state[0] = state[0], []
        if parts:
            yield CsvRecord(fields, parts[0][0], parts[0][1], parts)


RowBuilder = Callable[[dict[str, str], int, int], EventRow]


def header_of(path: Path) -> list[str]:
    return next(([h.strip() for h in r.fields] for r in csv_records(path) if r.fields), [])


def csv_chunks(path: Path, build: RowBuilder, required: Sequence[str], what: str = "header",
               chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
    """Rows built from a headed CSV, in chunks; every record that cannot be built is set aside
    with its line number (a bad header, a short row, a row the builder refuses)."""
    chunk = Chunk()
    header: list[str] | None = None
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
            missing = [c for c in required if c not in header]
            if missing:
                chunk.rejected.append(reject(path, rec.line_no, f"{what} lacks {', '.join(missing)}", rec.raw))
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


def csv_row_at(path: Path, build: RowBuilder, offset: int, line_no: int) -> EventRow | None:
    """Re-read the one record starting at `offset` (a cited event), or None if it no longer builds."""
    header = header_of(path)
    if not header:
        return None
    for rec in csv_records(path, offset, line_no):
        if rec.fields is None or len(rec.fields) != len(header):
            return None
        try:
            return build(dict(zip(header, rec.fields, strict=True)), rec.line_no, rec.offset)
        except RowError:
            return None
    return None
