"""Property-based: for every reader, whatever the lines, parsed + set aside + blank = lines read, and no
single line (extreme numbers and times included) crashes full detection."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.detectors.readers import FileStats, make_reader

EXTREME_NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e300, -1e15, 70000, 2**63, 1e11, 1e14, 1e17]),
)
EXTREME_TIMES = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59-14:00",
                     "2026-02-30T00:00:00Z", "2026-04-20T08:00:00Z", "", "now", "31/12/2026 25:61:00"]),
    EXTREME_NUMBERS,
    st.datetimes().map(lambda d: d.isoformat()),
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUE = st.one_of(st.none(), st.booleans(), EXTREME_NUMBERS, TEXT, st.lists(TEXT, max_size=3))


def json_line() -> st.SearchStrategy[bytes]:
    obj = st.fixed_dictionaries(
        {"ts": EXTREME_TIMES, "flow": st.one_of(st.sampled_from(["a", "b"]), VALUE)},
        optional={"status": st.one_of(st.sampled_from(["ok", "error", "retry", "Done"]), VALUE),
                  "latency_ms": VALUE, "http_status": VALUE, "retry": VALUE, "error": VALUE,
                  "idempotency_key": VALUE, "record_ids": VALUE, "nested": st.dictionaries(TEXT, VALUE, max_size=3)})
    return st.one_of(obj.map(lambda d: json.dumps(d, default=str).encode()),
                     st.binary(max_size=40), st.just(b""), st.just(b"   "), st.just(b"\xef\xbb\xbf{}"),
                     TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))


def csv_field() -> st.SearchStrategy[str]:
    return st.one_of(EXTREME_TIMES.map(str), VALUE.map(lambda v: "" if v is None else str(v)),
                     st.sampled_from(['"', '""', ",", "\n", "a\"b", "Done", "Failed", "root.x"]))


def csv_line(n: int) -> st.SearchStrategy[bytes]:
    return st.one_of(st.lists(csv_field(), min_size=n, max_size=n).map(lambda f: ",".join(f).encode("utf-8", "replace")),
                     st.binary(max_size=30), st.just(b""), st.just("é;ü".encode("cp1252")))


ODOO_LINES = st.one_of(
    st.builds(lambda ts, lvl, lg, msg: f"{ts} 42 {lvl} db {lg}: {msg}".encode("utf-8", "replace"),
              st.sampled_from(["2026-04-20 08:00:00,000", "9999-12-31 23:59:59,999", "0001-01-01 00:00:00",
                               "2026-13-45 99:99:99,000"]),
              st.sampled_from(["INFO", "WARNING", "ERROR", "CRITICAL", "DEBUG", "TRACE"]),
              st.sampled_from(["odoo.addons.x.models.y", "odoo.addons.queue_job.jobrunner.runner", "werkzeug",
                               "odoo.addons.mail.models.mail_mail"]),
              TEXT),
    st.just(b"Traceback (most recent call last):"), st.just(b"odoo.exceptions.UserError: boom"),
    st.binary(max_size=30), st.just(b""),
)

HEADERS = {
    "csv": ["timestamp", "flow", "status", "latency_ms", "http_status", "retry", "error"],
    "queue_job": ["uuid", "state", "channel", "exc_name", "exc_message", "date_created", "date_started", "retry",
                  "exec_time", "records"],
}
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def physical_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def check_counts(fmt: str, data: bytes, suffix: str) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        data = b"x" + data  # a UTF-16 byte-order mark first is refused as a whole file (tested elsewhere)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        stats = FileStats(path.name, fmt)
        for chunk in make_reader(fmt).chunks(path, chunk_size=7):
            stats.add(chunk)
            assert all(isinstance(r.reason, str) and r.reason for r in chunk.rejected)
            for row in chunk.rows:
                assert "\x00" not in row.flow and (row.error is None or "\x00" not in row.error)
                assert row.http_status is None or 100 <= row.http_status <= 599
        assert stats.parsed_lines + stats.set_aside_lines + stats.blank == stats.lines == physical_lines(data)
        assert stats.events + stats.rejected <= stats.lines


@FUZZ
@given(st.lists(json_line(), max_size=25), st.booleans())
def test_jsonl_every_line_counted_once(lines, trailing_newline):
    data = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    check_counts("jsonl", data, ".jsonl")


@FUZZ
@given(st.sampled_from(sorted(HEADERS)), st.data())
def test_csv_readers_every_line_counted_once(fmt, data):
    header = HEADERS[fmt]
    rows = data.draw(st.lists(csv_line(len(header)), max_size=20))
    bom = data.draw(st.booleans())
    payload = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join([",".join(header).encode(), *rows])
    check_counts(fmt, payload, ".csv")


@FUZZ
@given(st.lists(ODOO_LINES, max_size=25))
def test_odoo_log_every_line_counted_once(lines):
    check_counts("odoo_log", b"\n".join(lines) + b"\n", ".log")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({"ts": EXTREME_TIMES, "latency_ms": EXTREME_NUMBERS,
                                       "http_status": EXTREME_NUMBERS, "retry": EXTREME_NUMBERS,
                                       "status": st.sampled_from(["ok", "error", "retry"])}), max_size=6))
def test_no_single_line_crashes_detection(hostile):
    """A normal week of one flow plus a few hostile lines: detection always completes."""
    normal = [{"ts": f"2026-04-{1 + h // 24:02d}T{h % 24:02d}:00:00Z", "flow": "orders", "status": "ok",
               "latency_ms": 200.0, "http_status": 200, "retry": 0} for h in range(24 * 10)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mixed.jsonl"
        docs = normal + [{**h, "flow": "orders"} for h in hostile]
        path.write_text("\n".join(json.dumps(d, default=str) for d in docs) + "\n")
        result = run_detection([path])
        assert result.events + len(result.rejected) == len(docs)
        assert result.events >= len(normal)
