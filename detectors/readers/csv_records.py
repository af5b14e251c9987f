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
