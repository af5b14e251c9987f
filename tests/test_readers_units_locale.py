"""Latencies as sources write them: texts with their unit (Go, .NET, Azure, GCP), numbers in a
decimal-comma locale (European Excel `;` CSVs, XLSX text cells), read with no mapping file (#13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_triage.detectors.readers import detect_format, make_reader
from odoo_triage.detectors.readers.base import RowError, duration_ms, opt_latency, parse_number


@pytest.mark.parametrize(("text", "ms"), [
    ("532ms", 532.0), ("0.532s", 532.0), ("1.2 s", 1200.0), ("12,5 ms", 12.5), ("PT0.5S", 500.0),
    ("PT1M2.5S", 62_500.0), ("1m30.5s", 90_500.0), ("350µs", 0.35), ("00:00:01.234", 1234.0), ("3 sec", 3000.0),
    ("1.02:03:04.5", 93_784_500.0),
])
def test_duration_texts(text, ms):
    assert duration_ms(text) == pytest.approx(ms)


@pytest.mark.parametrize("text", ["", "fast", "P", "PT", "12:5", "5 MB", "1.2.3s"])
def test_no_duration(text):
    assert duration_ms(text) is None


def test_numbers_in_any_locale():
    assert parse_number("12,5") == 12.5 and parse_number("1.234,5") == 1234.5
    assert parse_number("1 234,5") == 1234.5 and parse_number("1,234.5") == 1234.5
    assert parse_number("1'234.5") == 1234.5 and parse_number("1.234.567") == 1234567.0
    assert parse_number("1,234", decimal_comma=False) == 1234.0 and parse_number("12,5", decimal_comma=False) is None
    assert parse_number("1,2,3") is None and parse_number("abc") is None


def test_a_unit_in_the_text_wins_over_the_fields_unit():
    assert opt_latency("1.2s", scale=1000.0) == 1200.0  # `duration_s` = "1.2s": not 1.2 million ms
    assert opt_latency("1.2", scale=1000.0) == 1200.0
    assert opt_latency(3, scale=1000.0) == 3000.0
    with pytest.raises(RowError, match="not a number"):
        opt_latency("slow")


def _events(path: Path):
    reader = make_reader(detect_format(path))
    rows, lines, aside = [], 0, 0
    for ch in reader.chunks(path):
        rows.extend(ch.rows)
        lines += ch.lines
        aside += ch.set_aside
    return reader, rows, lines, aside


@pytest.mark.parametrize(("value", "ms"), [("532ms", 532.0), ("0.532s", 532.0), ("0.532 s", 532.0),
                                           ("PT0.532S", 532.0)])
def test_jsonl_latency_with_a_unit_is_inferred(tmp_path, value, ms):
    p = tmp_path / "events.jsonl"
    p.write_text("".join(json.dumps({"time": f"2026-10-01T10:{i:02d}:00.1234567Z", "flow": "orders",
                                     "status": "ok", "duration": value}) + "\n" for i in range(30)))
    reader, rows, lines, aside = _events(p)
    assert reader.inferred.mapping.latency_ms == "duration"
    assert (len(rows), lines, aside) == (30, 30, 0)
    assert [r.latency_ms for r in rows] == pytest.approx([ms] * 30)


def test_semicolon_csv_with_decimal_commas(tmp_path):
    """European Excel: `;` separators, `1.234,5` and `12,5` in the duration column."""
    p = tmp_path / "runs.csv"
    p.write_text("timestamp;flow;status;duration_ms\n" + "".join(
        f"2026-10-01 10:{i:02d}:00;orders;ok;{'1.234,5' if i % 2 else '12,5'}\n" for i in range(30)), encoding="utf-8")
    reader, rows, lines, aside = _events(p)
    assert reader.inferred.mapping.latency_ms == "duration_ms"
    assert (len(rows), lines, aside) == (30, 31, 0)
    assert sorted({r.latency_ms for r in rows}) == [12.5, 1234.5]


def test_comma_csv_keeps_thousands_apart_from_decimals(tmp_path):
    p = tmp_path / "runs.csv"
    p.write_text("timestamp,flow,status,duration_ms\n" + "".join(
        f'2026-10-01 10:{i:02d}:00,orders,ok,"1,234"\n' for i in range(30)), encoding="utf-8")
    _reader, rows, _lines, aside = _events(p)
    assert aside == 0 and {r.latency_ms for r in rows} == {1234.0}


def test_xlsx_queue_job_text_cells_with_decimal_commas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["uuid", "state", "channel", "date_created", "exec_time"])
    ws.append(["x-1", "done", "root.x", "2026-11-30 10:00:00", "1,5"])
    ws.append(["x-2", "done", "root.x", "2026-11-30 10:01:00", "1.234,5"])
    ws.append(["x-3", "done", "root.x", "2026-11-30 10:02:00", 2.25])
    p = tmp_path / "queue_job.xlsx"
    wb.save(p)
    _reader, rows, _lines, aside = _events(p)
    assert aside == 0
    assert [r.latency_ms for r in rows] == [1500.0, 1234500.0, 2250.0]


# ---------------------------------------------------------------- envelopes (Docker json-file, message JSON)


def _docker(path: Path, lines: list[str]) -> Path:
    """As moby's jsonfilelog writes: the line with its newline, the stream, the time in RFC 3339 nanoseconds."""
    path.write_text("".join(json.dumps({"log": line + "\n", "stream": "stdout",
                                        "time": f"2026-10-01T10:{i:02d}:00.123456789Z"}) + "\n"
                            for i, line in enumerate(lines)))
    return path


def test_docker_json_file_with_an_inner_json_event(tmp_path):
    lines = [json.dumps({"ts": f"2026-10-01T09:{i:02d}:30Z", "flow": "orders", "level": "error" if i % 5 == 0
                         else "info", "took": f"{100 + i}ms"}) for i in range(30)]
    reader, rows, lines_read, aside = _events(_docker(tmp_path / "abc-json.log", lines))
    m = reader.inferred.mapping
    assert (m.timestamp, m.flow, m.latency_ms) == ("ts", "flow", "took")  # the app's own time wins
    assert (len(rows), lines_read, aside) == (30, 30, 0)
    assert rows[0].ts == 1790845230.0 and rows[0].status == "error" and rows[1].latency_ms == 101.0


def test_docker_json_file_with_logfmt_and_plain_lines(tmp_path):
    fmt = [f'level={"error" if i % 5 == 0 else "info"} flow=orders msg="done" duration=1.{i:02d}s'
           for i in range(30)]
    reader, rows, _n, aside = _events(_docker(tmp_path / "a-json.log", fmt))
    assert aside == 0 and reader.inferred.mapping.timestamp == "envelope.time"  # no time inside: the envelope's
    assert [r.status for r in rows[:2]] == ["error", "ok"] and rows[3].latency_ms == pytest.approx(1030.0)
    plain = [f"{'ERROR' if i % 5 == 0 else 'INFO'} orders: processed order {i}" for i in range(30)]
    reader, rows, _n, aside = _events(_docker(tmp_path / "b-json.log", plain))
    assert aside == 0 and [r.status for r in rows[:2]] == ["error", "ok"]
    assert rows[0].error == "orders: processed order 0" and rows[0].ts == pytest.approx(1790848800.123456)


def test_message_holding_json(tmp_path):
    p = tmp_path / "shipped.jsonl"
    p.write_text("".join(json.dumps({"@timestamp": "2026-10-01T00:00:00Z", "host": "h1", "message": json.dumps(
        {"timestamp": f"2026-10-01T10:{i:02d}:00Z", "flow": "orders", "status": "error" if i % 5 == 0 else "ok",
         "latency": "0.25 s"})}) + "\n" for i in range(30)))
    reader, rows, lines_read, aside = _events(p)
    assert reader.inferred.mapping.timestamp == "timestamp" and reader.inferred.shape.envelope == "message"
    assert (len(rows), lines_read, aside) == (30, 30, 0)
    assert rows[1].ts - rows[0].ts == 60 and rows[0].latency_ms == 250.0 and rows[0].status == "error"


def test_a_plain_message_field_is_no_envelope(tmp_path):
    p = tmp_path / "plain.jsonl"
    p.write_text("".join(json.dumps({"ts": f"2026-10-01T10:{i:02d}:00Z", "flow": "orders", "status": "ok",
                                     "message": "ERROR would be a level, but the status says it"}) + "\n"
                         for i in range(30)))
    reader, rows, _n, _aside = _events(p)
    assert reader.inferred.shape is None or reader.inferred.shape.envelope is None
    assert {r.status for r in rows} == {"ok"}


# ---------------------------------------------------------------- container lines, Heroku router lines


def test_cri_lines_with_a_plain_leveled_message(tmp_path):
    """Kubernetes (CRI) writes `<RFC 3339 nano> <stream> <F|P> <message>`; a plain app line leads with its level
    (a logback / Odoo pattern line inside is read by that reader instead: test_readers_container.py)."""
    p = tmp_path / "orders-7d9f_default_app-0123.log"
    p.write_text("".join(f"2026-10-01T10:{i:02d}:00.123456789Z {'stderr' if i % 5 == 0 else 'stdout'} F "
                         f"2026-10-01 12:{i:02d}:00 [{'ERROR' if i % 5 == 0 else 'INFO'}] orders: order {i} synced\n"
                         for i in range(30)))
    reader, rows, lines_read, aside = _events(p)
    assert detect_format(p) == "prefixed" and (len(rows), lines_read, aside) == (30, 30, 0)
    assert [r.status for r in rows[:2]] == ["error", "ok"]
    assert rows[0].ts == pytest.approx(1790848800.123456)  # the CRI time (UTC), not the line's local 12:00


def _drain(path: Path, with_app: bool) -> Path:
    """A Heroku log drain: router lines (the request's status and service time) and the app's own lines,
    which carry no request id, so nothing pairs them."""
    out = []
    for i in range(40):
        ts = f"2026-10-26T10:{i:02d}:00.000000+00:00"
        if i % 8 == 0:
            out.append(f'{ts} heroku[router]: at=error code=H12 desc="Request timeout" method=POST path="/hooks" '
                       f'host=shop.herokuapp.com request_id=r{i} fwd="10.0.0.1" dyno=web.1 connect=0ms '
                       f'service=30000ms status=503 bytes=0 protocol=https')
        else:
            out.append(f'{ts} heroku[router]: at=info method=POST path="/hooks" host=shop.herokuapp.com '
                       f'request_id=r{i} fwd="10.0.0.1" dyno=web.1 connect=0ms service={50 + i}ms status=200 '
                       f'bytes=12 protocol=https')
            if with_app:
                out.append(f'{ts} app[web.1]: level=info flow=order_webhooks msg="order stored"')
    path.write_text("\n".join(out) + "\n")
    return path


def test_heroku_router_lines_count_for_the_apps_flow(tmp_path):
    _reader, rows, lines_read, aside = _events(_drain(tmp_path / "drain.log", with_app=True))
    assert (lines_read, aside) == (75, 0)
    assert {r.flow for r in rows} == {"order_webhooks"}
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 5 and {(r.http_status, r.latency_ms) for r in failed} == {(503, 30000.0)}
    assert failed[0].error.startswith("H12 Request timeout")


def test_german_excel_run_log_with_localized_headers_and_states(tmp_path):
    p = tmp_path / "laeufe.csv"
    p.write_text("Zeitstempel;Schnittstelle;Ergebnis;Dauer (ms);Fehlermeldung\n" + "".join(
        f"01.10.2026 10:{i:02d}:00;Aufträge;{'Fehlgeschlagen' if i % 5 == 0 else 'Erfolgreich'};1.2{i:02d},5;"
        f"{'Zeitüberschreitung' if i % 5 == 0 else ''}\n" for i in range(30)), encoding="utf-8")
    reader, rows, lines, aside = _events(p)
    m = reader.inferred.mapping
    assert (m.timestamp, m.flow, m.status, m.latency_ms, m.error) == (
        "Zeitstempel", "Schnittstelle", "Ergebnis", "Dauer (ms)", "Fehlermeldung")
    assert (len(rows), lines, aside) == (30, 31, 0)
    assert [r.status for r in rows[:2]] == ["error", "ok"] and rows[1].latency_ms == 1201.5
    assert rows[0].error == "Zeitüberschreitung"


def test_docker_lines_holding_no_event_are_skipped_not_counted_ok(tmp_path):
    """A Python app in a container writes its traceback one line per JSON object: those are no events."""
    lines = []
    for i in range(30):
        lines.append(f"{'ERROR' if i % 5 == 0 else 'INFO'} orders: order {i}")
        if i % 5 == 0:
            lines += ["Traceback (most recent call last):", '  File "app.py", line 3, in sync',
                      "ValueError: bad order"]
    p = _docker(tmp_path / "c-json.log", lines)
    reader = make_reader(detect_format(p))
    chunks = list(reader.chunks(p))
    rows = [r for c in chunks for r in c.rows]
    assert len(rows) == 30 and sum(c.skipped for c in chunks) == 18
    assert sum(c.lines for c in chunks) == 48 and sum(c.set_aside for c in chunks) == 0


def test_a_daemons_leveled_line_beside_json_app_lines_is_no_event(tmp_path):
    p = tmp_path / "syslog.log"
    p.write_text("".join(
        f"Oct  1 10:{i:02d}:00 host1 orders[42]: " + json.dumps({"flow": "orders", "status": "ok"}) + "\n"
        + f"Oct  1 10:{i:02d}:30 host1 sshd[7]: error: connection closed by 10.0.0.{i}\n" for i in range(30)))
    _reader, rows, lines_read, aside = _events(p)
    assert (lines_read, aside) == (60, 0) and {r.flow for r in rows} == {"orders"} and len(rows) == 30


@pytest.mark.parametrize(("text", "ts"), [
    ("Tue, 01 Oct 2026 10:00:00 GMT", 1790848800.0),  # HTTP Date, JavaScript toUTCString()
    ("01/Oct/2026:10:00:00 +0000", 1790848800.0),  # nginx $time_local in a JSON access log
    ("2026-10-01 10:00:00 UTC", 1790848800.0),  # Rails, str() of an aware datetime's zone name
    ("2026-10-01 10:00:00.123456789 +0200 CEST m=+0.000123", 1790841600.123456),  # Go's time.String()
    ("2026-10-01 10:00:00.5 +02:00", 1790841600.5),
    ("01.10.2026 10:00:00,123", 1790848800.123),  # German Excel with a decimal comma
    ("Oct 1, 2026 10:00:00 AM", 1790848800.0),  # Java DateFormat.MEDIUM (en_US)
    ("2026-10-01T10:00:00.1234567Z", 1790848800.123456),  # .NET "o": 7 fraction digits
    ("1790848800123456789", 1790848800.123456789), ("1790848800123", 1790848800.123),
])
def test_timestamps_as_other_runtimes_print_them(text, ts):
    from odoo_triage.detectors.readers.base import parse_ts
    from odoo_triage.detectors.readers.naive_time import is_naive

    assert parse_ts(text) == pytest.approx(ts, abs=1e-6)
    naive = text.startswith(("01.10.", "Oct "))  # the zoned ones say so, Go's abbreviation included
    assert is_naive(text) == naive


def test_numeric_levels_of_pino_and_gelf(tmp_path):
    """pino / bunyan write `level: 30` (info) and 50 (error); GELF the syslog severity (3 error, 6 info)."""
    for name, ok, bad in (("pino.jsonl", 30, 50), ("gelf.jsonl", 6, 3)):
        p = tmp_path / name
        p.write_text("".join(json.dumps({"time": 1790848800000 + 60_000 * i, "level": bad if i % 5 == 0 else ok,
                                         "flow": "orders", "msg": "synced"}) + "\n" for i in range(30)))
        reader, rows, _n, aside = _events(p)
        assert reader.inferred.mapping.level == "level" and aside == 0
        assert [r.status for r in rows[:2]] == ["error", "ok"] and rows[0].error == "synced"
    p = tmp_path / "jobs.jsonl"  # a numeric priority is no level
    p.write_text("".join(json.dumps({"time": 1790848800 + 60 * i, "priority": i % 4, "flow": "orders"}) + "\n"
                         for i in range(30)))
    reader, rows, _n, _aside = _events(p)
    assert reader.inferred.mapping.level is None and {r.status for r in rows} == {"ok"}


def test_serilog_compact_json(tmp_path):
    """Serilog's CLEF (Seq): @t, @mt, @l only when not Information, @x the exception."""
    p = tmp_path / "clef.jsonl"
    p.write_text("".join(json.dumps({"@t": f"2026-10-01T10:{i:02d}:00.1234567Z", "@mt": "Order {Id} synced",
                                     "Id": i, "SourceContext": "Acme.OrderSync", "Flow": "orders",
                                     **({"@l": "Error", "@x": "System.TimeoutException: The operation timed out"}
                                        if i % 5 == 0 else {})}) + "\n" for i in range(30)))  # no @l: Information
    reader, rows, _n, aside = _events(p)
    m = reader.inferred.mapping
    assert (m.timestamp, m.level, m.flow) == ("@t", "@l", "Flow") and aside == 0
    assert rows[0].status == "error" and rows[0].error == "System.TimeoutException: The operation timed out"


@pytest.mark.parametrize("preamble", ["sep=;\n", "Läufe der Schnittstelle, Export vom 01.10.2026\n",
                                      "Run export;;;\n"])
def test_excel_sep_hint_and_title_lines_above_the_header(tmp_path, preamble):
    p = tmp_path / "runs.csv"
    p.write_text(preamble + "Start Time;Integration;Result;Elapsed (ms)\n" + "".join(
        f"2026-10-01 10:{i:02d}:00;orders;{'failed' if i % 5 == 0 else 'success'};12,5\n" for i in range(30)),
        encoding="utf-8")
    reader, rows, lines, aside = _events(p)
    assert reader.inferred.mapping.latency_ms == "Elapsed (ms)" and reader.inferred.mapping.flow == "Integration"
    assert len(rows) == 30 and lines == 32 and aside <= 1  # the preamble line: set aside with its reason
    assert {r.latency_ms for r in rows} == {12.5} and rows[0].status == "error"
