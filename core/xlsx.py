"""Reading .xlsx workbooks row by row (openpyxl read-only mode), for the log and record readers.

Odoo's export dialog writes XLSX by default, with xlsxwriter (web/controllers/export.py): one sheet,
a bold header row, datetimes as date cells, floats as numbers, lists and dicts through str().
Cells become the text a CSV export of the same data would hold (`cell_text`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from odoo_triage.core.errors import InputError, check_regular

SUFFIXES = (".xlsx", ".xlsm")
_ZIP = b"PK\x03\x04"


class XlsxSource:
    """What the stats report as the file's encoding."""

    name = "xlsx"


def is_xlsx(path: Path) -> bool:
    """An Excel workbook: by suffix, or a zip whose name says nothing (exports renamed by hand)."""
    if path.suffix.lower() in SUFFIXES:
        return True
    if path.suffix.lower() in (".csv", ".jsonl", ".ndjson", ".json", ".log", ".txt") or not path.is_file():
        return False  # a FIFO is never opened here: reading one would block
    try:
        with path.open("rb") as fh:
            return fh.read(4) == _ZIP and zipfile.is_zipfile(path)
    except OSError:
        return False


def cell_text(value: Any) -> str:
    """A cell as the text a CSV export would hold: ISO times, integral floats without `.0`, NUL dropped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _open(path: Path) -> Any:
    check_regular(path)
    import openpyxl  # a few hundred ms to import: only when an xlsx is read

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    except Exception as exc:  # openpyxl's InvalidFileException and friends
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({exc.__class__.__name__}: {exc})") from None


def _value(cell: Any) -> Any:
    """A cell's value; a datetime whose number format shows no time (Odoo's `yyyy-mm-dd` for date
    fields) is the date it displays."""
    v = getattr(cell, "value", None)
    if isinstance(v, datetime) and not any(c in str(getattr(cell, "number_format", "") or "").lower()
                                           for c in ("h", "s")):
        if v.time() == time(0, 0):
            return v.date()
    return v


def xlsx_rows(path: Path, min_row: int = 1, max_row: int | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number, raw cell values) of the first sheet, streamed; empty rows included (as blanks)."""
    wb = _open(path)
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            return
        for n, row in enumerate(ws.iter_rows(min_row=min_row, max_row=max_row), start=min_row):
            yield n, [_value(c) for c in row]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
        raise InputError(f"{path.name}: damaged .xlsx workbook ({exc.__class__.__name__}: {exc})") from None
    finally:
        wb.close()




# an export re-read for its cited rows is read once, not once per row (a workbook's shared strings
# alone cost ~0.5 s to parse); bounded: the last two workbooks up to `_CACHE_BYTES` on disk
_CACHE_BYTES = 64 * 1024 * 1024
_cache: dict[tuple[str, int, int], list[list[Any]]] = {}


def xlsx_sheet(path: Path) -> list[list[Any]] | None:
    """Every row of the first sheet (index 0 = row 1), kept for random access; None when the
    workbook is too large to keep (read it streaming with `xlsx_rows`)."""
    st = path.stat()
    if st.st_size > _CACHE_BYTES:
        return None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    rows = _cache.get(key)
    if rows is None:
        rows = [cells for _, cells in xlsx_rows(path)]
        while len(_cache) >= 2:
            _cache.pop(next(iter(_cache)))
        _cache[key] = rows
    return rows
