"""CSV records with the line number and byte offset they start on (quoted fields may span lines)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from detectors.readers.base import numbered_lines

csv.field_size_limit(min(sys.maxsize, 16 * 1024 * 1024))


@dataclass
class CsvRecord:
    fields: list[str] | None  # None when the csv module could not parse the record
    line_no: int
    offset: int
    lines: int  # physical lines it spans
    raw: list[str] = field(default_factory=list)
    error: str = ""


def csv_records(path: Path, start_offset: int = 0, start_line: int = 1) -> Iterator[CsvRecord]:
    pending: list[tuple[int, int, str]] = []

    def lines() -> Iterator[str]:
        for line_no, offset, raw in numbered_lines(path, start_offset, start_line):
            text = raw.decode("utf-8", errors="replace")
            pending.append((line_no, offset, text))
            yield text

    reader = csv.reader(lines())
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if not pending:
                return
            yield CsvRecord(None, pending[0][0], pending[0][1], len(pending), [p[2] for p in pending], f"CSV error: {exc}")
            pending.clear()
            continue
        if not pending:  # pragma: no cover - the csv module always consumes a line per record
            continue
        yield CsvRecord(fields, pending[0][0], pending[0][1], len(pending), [p[2] for p in pending])
        pending.clear()
