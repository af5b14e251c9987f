"""The one folding of multi-line records (Odoo tracebacks, JVM stack traces): every line counted once."""

from __future__ import annotations

import re

from odoo_triage.detectors.readers.base import EventRow, LineDecoder
from odoo_triage.detectors.readers.folding import fold_records

_START = re.compile(r"^\d{4}-")


def _fold(lines: list[str], single: bool = False):
    numbered = [(i + 1, i * 100, (t + "\n").encode()) for i, t in enumerate(lines)]

    def open_record(text, line_no, offset):
        return None if "bad" in text else (text, line_no)

    def close(cur, trace, n):
        row = EventRow(0.0, "f", "", "", "", "ok", None, None, "|".join(trace) or None, 0, None, None, (), cur[1], 0)
        return row, None, n, "event"

    from pathlib import Path
    return list(fold_records(Path("x.log"), numbered, LineDecoder(), starts=_START.match, open_record=open_record,
                             close=close, trim=lambda t: t.__delitem__(slice(0, 200)), unmatched="no layout",
                             orphan="orphan", single=single))


def test_every_line_counted_once():
    items = _fold(["  orphan trace", "2026-01 first", "  at a", "", "  at b", "2026-02 bad", "  after bad",
                   "2026-03 last", "  tail"])
    assert sum(n for _r, _j, n, _k in items) == 9
    kinds = [(k, n) for _r, _j, n, k in items]
    assert kinds == [("rejected", 1), ("blank", 1), ("event", 3), ("rejected", 1), ("rejected", 1), ("event", 2)]
    rows = [r for r, _j, _n, _k in items if r is not None]
    assert [r.error for r in rows] == ["  at a|  at b", "  tail"] and [r.line_no for r in rows] == [2, 8]
    assert [j.reason for _r, j, _n, _k in items if j is not None] == ["orphan", "no layout", "orphan"]


def test_single_stops_after_the_first_record_and_a_runaway_trace_is_trimmed():
    assert len(_fold(["2026-01 a", "  x", "2026-02 b"], single=True)) == 1
    (row, _j, n, _k), = _fold(["2026-01 a", *[f"  {i}" for i in range(450)]])
    assert n == 451 and row is not None and row.error is not None and row.error.count("|") < 260
