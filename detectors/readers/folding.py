"""Multi-line records: a line that starts a record (a timestamp) and the lines that continue it (a
traceback, a stack trace), folded into one event. The Odoo server log and the JVM pattern logs share it.

Every physical line is counted once: the lines of a record go with it (parsed, or set aside when its
row fails), a blank line is blank, a continuation line with no record before it is set aside with
`file:line` and the reader's reason, a line that starts like a record but fits no layout is set aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from odoo_triage.detectors.readers.base import EventRow, LineDecoder, reject

#: (row, rejected line, physical lines consumed, kind) per record, blank line or set-aside line
Item = tuple[EventRow | None, object | None, int, str]
S = TypeVar("S")


def fold_records(path: Path, numbered: Iterable[tuple[int, int, bytes]], decoder: LineDecoder, *,
                 starts: Callable[[str], Any], open_record: Callable[[str, int, int], S | None],
                 close: Callable[[S, list[str], int], Item], trim: Callable[[list[str]], None],
                 unmatched: str, orphan: str, single: bool = False) -> Iterator[Item]:
    """Items of (line number, offset, bytes) lines. `starts(text)`: the line begins a record;
    `open_record(text, line, offset)`: its state, or None when it fits no layout (set aside, `unmatched`);
    `close(state, continuation lines, lines)`: the record's item; `trim(lines)` keeps a runaway trace
    bounded (called past 400 lines); `orphan`: the reason for a continuation line without a record.
    `single`: stop after the first record."""
    cur: S | None = None
    trace: list[str] = []
    lines = 0
    for line_no, offset, raw in numbered:
        text = decoder.text(raw, line_no).rstrip("\r\n")
        if starts(text):
            if cur is not None:
                yield close(cur, trace, lines)
                if single:
                    return
                cur, trace, lines = None, [], 0
            lines += 1
            cur = open_record(text, line_no, offset)
            if cur is None:
                yield None, reject(path, line_no, unmatched, raw), lines, "rejected"
                lines = 0
        elif not text.strip():
            yield None, None, 1, "blank"
        elif cur is None:
            yield None, reject(path, line_no, orphan, raw), 1, "rejected"
        else:
            lines += 1
            trace.append(text)
            if len(trace) > 400:
                trim(trace)
    if cur is not None:
        yield close(cur, trace, lines)
