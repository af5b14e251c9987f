"""Speed-only rewrites give exactly what the plain versions give (#19): the calendar's block prefilter,
the reader's header memo."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from odoo_triage.detectors.calendar import _PREFILTER, _prefiltered_lines


def _plain(path: Path) -> list[bytes]:
    with open(path, "rb") as fh:
        return [raw for raw in fh if any(w in raw.lower() for w in _PREFILTER)]


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_block_prefilter_gives_the_lines_a_line_loop_gives(tmp_path, block):
    rng = random.Random(block)
    words = [b"MAINTENANCE", b"Wartung", b"onderhoud", b"x", b"maint", b"enance", b"\n", b" ", b"\r\n", b"\xc3\xa9"]
    for k in range(5):
        p = tmp_path / f"log{k}.log"
        p.write_bytes(b"".join(rng.choice(words) for _ in range(rng.randint(0, 400))))
        assert list(_prefiltered_lines(p, block_bytes=block)) == _plain(p)


def test_cited_csv_rows_read_the_header_of_the_file_as_it_is_now(tmp_path):
    import os

    from odoo_triage.detectors.readers.csv_records import csv_row_at
    from odoo_triage.detectors.readers.mapping import CSV_MAPPING, row_builder

    build = row_builder(CSV_MAPPING)
    p = tmp_path / "log.csv"
    p.write_bytes(b"timestamp,flow,status\n2026-04-20T08:00:00Z,crm,ok\n")
    first = csv_row_at(p, build, 22, 2)
    assert first is not None and first.flow == "crm" and csv_row_at(p, build, 22, 2) == first
    st = p.stat()
    p.write_bytes(b"timestamp;flow;status\n2026-04-20T08:00:00Z;erp;ok\n")  # same size, new header
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    again = csv_row_at(p, build, 22, 2)
    assert again is not None and again.flow == "erp"
