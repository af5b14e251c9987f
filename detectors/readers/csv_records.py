"""CSV records with the line number and byte offset they start on (quoted fields may span lines).

The delimiter is sniffed from the header line (`,` `;` tab `|`: Excel in many locales writes `;`),
each line is decoded on its own (UTF-8, a BOM dropped, else cp1252), and a quoted field still open
at the end of the file is a truncated record, set aside, not a value swallowing the lines after it.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    LineDecoder,
    RowChecker,
    RowError,
    numbered_lines,
    reject,
)

csv.field_size_limit(min(sys.maxsize, 16 * 1024 * 1024))
DELIMITERS = (",", ";", "\t", "|")


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


def _unquoted_count(text: str, ch: str) -> int:
    n, quoted = 0, False
    for c in text:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


SNIFF_LINES = 20


def sniff_delimiter(path: Path) -> str:
    """The delimiter of the file's first lines: Excel's `sep=;` hint line names it; else the candidate
    occurring most often outside quotes in the first line, when it holds two or more; else in the first line
    the next line matches (as many of it), so a title line above the header (`Runs, exported 01.10.2026`)
    does not decide; else the first line's."""
    dec = LineDecoder()
    rows: list[dict[str, int]] = []
    for line_no, _off, raw in numbered_lines(path):
        text = dec.text(raw, line_no)
        if text.strip():
            hint = text.strip()
            if not rows and len(hint) == 5 and hint.lower().startswith("sep=") and hint[4] in DELIMITERS:
                return hint[4]
            rows.append({d: _unquoted_count(text, d) for d in DELIMITERS})
            if len(rows) >= SNIFF_LINES:
                break
        if line_no > 1000:
            break
    for i, counts in enumerate(rows[:-1]):
        best = max(DELIMITERS, key=lambda d: counts[d])
        if counts[best] >= 2 and i == 0:
            return best  # a header of three columns or more decides, as it always did
        if counts[best] and rows[i + 1][best] == counts[best]:
            return best
    if rows:
        best = max(DELIMITERS, key=lambda d: rows[0][d])
        return best if rows[0][best] else ","
    return ","


def csv_records(path: Path, start_offset: int = 0, start_line: int = 1, delimiter: str | None = None,
                decoder: LineDecoder | None = None, width: int | None = None) -> Iterator[CsvRecord]:
    """Records of a CSV file. A stray quote must not swallow the lines after it: a record spanning several
    lines that does not parse, or has another width than the header, costs its first line only (set aside)
    and reading resumes on the next line."""
    dec = decoder or LineDecoder()
    delim = delimiter or sniff_delimiter(path)
    offset, line = start_offset, start_line
    while True:
        restart: tuple[int, int] | None = None
        for rec in _records(path, offset, line, delim, dec):
            if width is None and start_offset == 0 and rec.fields and rec.fields != [""]:
                width = len(rec.fields)
                yield rec
                continue
            if rec.lines > 1 and (rec.fields is None or (width is not None and len(rec.fields) != width)):
                first = rec.parts[0]
                why = rec.error or f"CSV row with {len(rec.fields or [])} of {width} fields"
                yield CsvRecord(None, first[0], first[1], [first], f"{why} (a quoted field opened here spans "
                                                                  f"{rec.lines} lines; read again from the next)")
                restart = (rec.parts[1][1], rec.parts[1][0])
                break
            yield rec
        if restart is None:
            return
        offset, line = restart


def _records(path: Path, start_offset: int, start_line: int, delim: str, dec: LineDecoder) -> Iterator[CsvRecord]:
    state: list[list[tuple[int, int, str]]] = [[]]

    def lines() -> Iterator[str]:
        for line_no, offset, raw in numbered_lines(path, start_offset, start_line):
            text = dec.text(raw, line_no)
            state[0].append((line_no, offset, text))
            yield text

    reader = csv.reader(lines(), delimiter=delim)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            parts = state[0]
            if parts:  # lines the csv module consumed without making a record of them
                yield CsvRecord(None, parts[0][0], parts[0][1], parts, "unparsed lines at end of file")
            return
        except csv.Error as exc:
            parts, state[0] = state[0], []
            if not parts:
                return
            yield CsvRecord(None, parts[0][0], parts[0][1], parts, f"CSV error: {exc}")
            continue
        parts, state[0] = state[0], []
        if not parts:
            continue
        rec = CsvRecord(fields, parts[0][0], parts[0][1], parts)
        if sum(p[2].count('"') for p in parts) % 2:  # only when the file ends inside a quoted field
            rec = CsvRecord(None, rec.line_no, rec.offset, parts, "truncated record: quoted field open at end of file")
        yield rec


RowBuilder = Callable[[dict[str, str], int, int], EventRow]
HeaderFix = Callable[[list[str]], list[str]]


def header_of(path: Path, fix: HeaderFix | None = None) -> list[str]:
    h = next(([h.strip() for h in r.fields] for r in csv_records(path) if r.fields and r.fields != [""]), [])
    return fix(h) if fix else h


def csv_chunks(path: Path, build: RowBuilder, required: Sequence[str], what: str = "header",
               chunk_size: int = CHUNK_SIZE, fix_header: HeaderFix | None = None,
               checker: RowChecker | None = None, decoder: LineDecoder | None = None,
               start: tuple[int, int] = (0, 1), header: list[str] | None = None) -> Iterator[Chunk]:
    """Rows built from a headed CSV, in chunks; every record that cannot be built is set aside
    with its line number (a bad header, a short row, a row the builder or the range checks refuse).
    A multi-line record the builder refuses costs its first line only; reading resumes on the next.
    `start` (byte offset, line) with the file's `header` resumes at a record boundary."""
    check = checker or RowChecker()
    dec = decoder or LineDecoder()
    delim = sniff_delimiter(path)
    chunk = Chunk()
    records = csv_records(path, start[0], start[1], delimiter=delim, decoder=dec,
                          width=len(header) if header else None)
    while True:
        restart: tuple[int, int] | None = None
        for rec in records:
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            if rec.fields is None:
                chunk.set_aside += rec.lines
                chunk.rejected.append(reject(path, rec.line_no, rec.error, rec.raw))
                continue
            if not rec.fields or rec.fields == [""] or (rec.lines == 1 and not rec.raw.strip()):
                chunk.blank += rec.lines
                continue
            if header is None:
                header = [h.strip() for h in rec.fields]
                if fix_header:
                    header = fix_header(header)
                missing = [c for c in required if c not in header]
                if missing:
                    chunk.set_aside += rec.lines
                    chunk.rejected.append(reject(path, rec.line_no, f"{what} lacks {', '.join(missing)}", rec.raw))
                    header = None
                else:
                    chunk.parsed += rec.lines
                continue
            if len(rec.fields) != len(header):
                chunk.set_aside += rec.lines
                chunk.rejected.append(reject(path, rec.line_no, f"CSV row with {len(rec.fields)} of {len(header)} "
                                                                "fields", rec.raw))
                continue
            try:
                chunk.rows.append(check(build(dict(zip(header, rec.fields, strict=True)), rec.line_no, rec.offset)))
                chunk.parsed += rec.lines
            except RowError as exc:
                if rec.lines > 1:  # maybe a stray quote joined good lines: give back all but the first
                    chunk.set_aside += 1
                    chunk.rejected.append(reject(path, rec.line_no, f"{exc} (a record of {rec.lines} lines; read "
                                                                    "again from the next)", rec.parts[0][2]))
                    restart = (rec.parts[1][1], rec.parts[1][0])
                    break
                chunk.set_aside += rec.lines
                chunk.rejected.append(reject(path, rec.line_no, str(exc), rec.raw))
        if restart is None:
            break
        records = csv_records(path, restart[0], restart[1], delimiter=delim, decoder=dec,
                              width=len(header) if header else None)
    yield chunk


_HEADS: dict[tuple[str, int, int, HeaderFix | None], tuple[list[str], str]] = {}


def _head_of(path: Path, fix_header: HeaderFix | None) -> tuple[list[str], str]:
    """(header, delimiter) of a file, remembered while the file is unchanged (size and mtime): an
    anomaly cites hundreds of rows of one file, and each re-read should not parse its header again."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, fix_header)
    got = _HEADS.get(key)
    if got is None:
        if len(_HEADS) >= 64:
            _HEADS.clear()
        got = _HEADS[key] = (header_of(path, fix_header), sniff_delimiter(path))
    return list(got[0]), got[1]


def csv_row_at(path: Path, build: RowBuilder, offset: int, line_no: int, fix_header: HeaderFix | None = None,
               checker: RowChecker | None = None) -> EventRow | None:
    """Re-read the one record starting at `offset` (a cited event), or None if it no longer builds."""
    header, delim = _head_of(path, fix_header)
    if not header:
        return None
    check = checker or RowChecker()
    for rec in csv_records(path, offset, line_no, delimiter=delim):
        if rec.fields is None or len(rec.fields) != len(header):
            return None
        try:
            return check(build(dict(zip(header, rec.fields, strict=True)), rec.line_no, rec.offset))
        except RowError:
            return None
    return None
