"""Property-based, for the export readers: whatever the cells of an .xlsx queue.job export, rows read =
parsed + set aside + blank and nothing crashes; whatever the bytes of a records CSV, read_records sets
rows aside instead of failing, and every row it keeps has the header's width."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo_triage.core.errors import InputError
from odoo_triage.detectors.readers import make_reader
from odoo_triage.matchers.records import inspect_records, read_records
from tests.odoo_export import write_xlsx

HEADER = ["UUID", "State", "Channel", "Created Date", "Start Date", "Execution Time (avg)", "Current try",
          "Exception", "Exception Message", "Record(s)"]
CELL = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.sampled_from(["Done", "Failed", "Fehlgeschlagen", "En erreur", "root.x", "account.move(1,)", "#VALUE!",
                     "{'model': 'res.partner', 'ids': [1]}", "[1, 2]"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=0, max_size=12), max_size=15))
@example([["u1", "Done", "root", -62135596801], ["u2", "Done", "root", "-62135596801"]])  # before year 1: found here
def test_xlsx_queue_job_rows_add_up(rows):
    with tempfile.TemporaryDirectory() as d:
        path = write_xlsx(Path(d) / "jobs.xlsx", HEADER, rows)
        chunks = list(make_reader("queue_job").chunks(path))
        lines = sum(c.lines for c in chunks)
        assert lines == sum(c.parsed + c.set_aside + c.blank for c in chunks)
        assert sum(c.set_aside for c in chunks) == sum(len(c.rejected) for c in chunks)
        assert lines >= 1 + max((i + 1 for i, r in enumerate(rows) if any(v not in (None, "") for v in r)),
                                default=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), st.just(b""), st.just(b'"'), st.just(b"1,Acme,a@a.de"),
                          st.just(b"x,Bad,"), st.just("2;Müller".encode("cp1252")), st.just(b"\x00")), max_size=12))
def test_records_csv_never_fails_on_a_row(lines):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.csv"
        path.write_bytes(b"id,name,email\n" + b"\n".join(lines))
        try:
            read = read_records(path)
        except InputError as exc:  # only whole-file problems (UTF-16) may refuse the file
            assert "UTF-16" in str(exc)
            return
        assert all(len(r) == 3 for r in read.rows)
        assert all(s.line >= 2 for s in read.set_aside)
        checked = inspect_records(path, "res.partner")
        assert all(str(r["id"]).lstrip("-").isdigit() for r in checked.rows)
        assert len({int(r["id"]) for r in checked.rows}) == len(checked.rows)
