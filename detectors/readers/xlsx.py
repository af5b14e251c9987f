"""Excel exports (.xlsx), the default format of Odoo's export dialog, read as rows like a CSV.

Odoo writes them with xlsxwriter (web/controllers/export.py): one sheet, a bold header row, datetimes
as real date cells (`yyyy-mm-dd hh:mm:ss`), floats as numbers, lists and dicts through str(); a grouped
export adds group rows (`    Failed (12)` plus aggregates). Rows are streamed with openpyxl's
read-only mode, so memory stays flat; each sheet row is one "line" (its row number is the line number
and the re-read offset), counted parsed, set aside or blank like any other reader's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from odoo_triage.core.xlsx import XlsxSource, cell_text, is_xlsx, xlsx_rows, xlsx_sheet
from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    RowChecker,
    RowError,
    reject,
)
from odoo_triage.detectors.readers.csv_records import HeaderFix, RowBuilder

#: a group row of a grouped export: the group's label and its record count, indented by depth
_GROUP = re.compile(r"^\s*.{0,200}\(\d+\)\s*$")

__all__ = ["XlsxSource", "cell_text", "is_xlsx", "xlsx_chunks", "xlsx_header", "xlsx_records", "xlsx_row_at",
           "xlsx_rows"]

def _trimmed(cells: list[Any]) -> list[str]:
    out = [cell_text(c) for c in cells]
    while out and out[-1] == "":
        out.pop()
    return out


def xlsx_header(path: Path, fix: HeaderFix | None = None, limit: int = 50) -> list[str]:
    """The first non-empty row (technical names when `fix` is given)."""
    return _header(xlsx_rows(path, 1, limit), fix, limit)


def _header(rows: Iterable[tuple[int, list[Any]]], fix: HeaderFix | None, limit: int = 50) -> list[str]:
    for n, cells in rows:
        row = _trimmed(cells)
        if row:
            h = [c.strip() for c in row]
            return fix(h) if fix else h
        if n >= limit:
            break
    return []


def xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text without trailing empties) for every row."""
    for n, cells in xlsx_rows(path):
        yield n, _trimmed(cells)


def _is_group_row(row: list[str]) -> bool:
    if not row or not _GROUP.match(row[0]):
        return False
    return all(c == "" or _number(c) for c in row[1:])


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def xlsx_chunks(path: Path, build: RowBuilder, required: Sequence[str], what: str = "header",
                chunk_size: int = CHUNK_SIZE, fix_header: HeaderFix | None = None,
                checker: RowChecker | None = None) -> Iterator[Chunk]:
    """Rows built from the sheet, in chunks, with the same accounting as `csv_chunks`: a row the builder
    or the range checks refuse is set aside with `file:row` and the reason; empty rows are blank; group
    rows of a grouped export are well-formed noise (parsed, skipped)."""
    check = checker or RowChecker()
    chunk = Chunk()
    header: list[str] | None = None
    for n, row in xlsx_records(path):
        if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
            yield chunk
            chunk = Chunk()
        if not row or all(not c.strip() for c in row):
            chunk.blank += 1
            continue
        raw = "\t".join(row)
        if header is None:
            header = [h.strip() for h in row]
            if fix_header:
                header = fix_header(header)
            missing = [c for c in required if c not in header]
            if missing:
                chunk.set_aside += 1
                chunk.rejected.append(reject(path, n, f"{what} lacks {', '.join(missing)}", raw))
                header = None
            else:
                chunk.parsed += 1
            continue
        if len(row) > len(header):
            chunk.set_aside += 1
            chunk.rejected.append(reject(path, n, f"row with {len(row)} cells under a header of {len(header)}", raw))
            continue
        if _is_group_row(row):
            chunk.parsed += 1
            chunk.skipped += 1
            continue
        cells = row + [""] * (len(header) - len(row))
        try:
            chunk.rows.append(check(build(dict(zip(header, cells, strict=True)), n, n)))
            chunk.parsed += 1
        except RowError as exc:
            chunk.set_aside += 1
            chunk.rejected.append(reject(path, n, str(exc), raw))
    yield chunk


def xlsx_row_at(path: Path, build: RowBuilder, row_no: int, fix_header: HeaderFix | None = None,
                checker: RowChecker | None = None) -> EventRow | None:
    """Re-read one row (a cited event), or None if it no longer builds."""
    sheet = xlsx_sheet(path)
    if sheet is None:
        header = xlsx_header(path, fix_header)
        wanted: Iterable[tuple[int, list[Any]]] = xlsx_rows(path, row_no, row_no)
    else:
        header = _header(enumerate(sheet, start=1), fix_header)
        wanted = [(row_no, sheet[row_no - 1])] if 0 < row_no <= len(sheet) else []
    if not header:
        return None
    check = checker or RowChecker()
    for n, cells in wanted:
        row = _trimmed(cells)
        if not row or len(row) > len(header):
            return None
        try:
            return check(build(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)), n, n))
        except RowError:
            return None
    return None
