"""Prefixed lines (syslog RFC 5424 / 3164, logplex drains, journald, CRI) and logfmt, on small hand-made files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers import FileStats, detect_format, make_reader, record_stats
from odoo_triage.detectors.readers.base import EventRow
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.logfmt import duration_ms, parse_logfmt

CAT = FlowCatalog([
    FlowInfo(name="crm_accounts", source_system="CRM", target_system="Odoo", owner="t",
             aliases=["accounts"], endpoints=["/crm/account"]),
    FlowInfo(name="crm_deals", source_system="CRM", target_system="Odoo", owner="t",
             aliases=["deals"], endpoints=["/crm/deal"]),
    FlowInfo(name="hr_sync", source_system="HR", target_system="Odoo", owner="t", aliases=["hr-hook"]),
])


def _read(tmp_path: Path, name: str, lines: list[str], catalog: FlowCatalog | None = CAT,
          settings: ReaderSettings | None = None) -> tuple[str, FileStats, list[EventRow], list]:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fmt = detect_format(path)
    reader = make_reader(fmt, None, catalog, settings)
    st = FileStats(path.name, fmt)
    rows: list[EventRow] = []
    rejected: list = []
    for ch in reader.chunks(path):
        st.add(ch)
        record_stats(reader, st)
        rows += ch.rows
        rejected += ch.rejected
    assert st.lines == len(lines) == st.parsed_lines + st.set_aside_lines + st.blank
    return fmt, st, rows, rejected


def test_logfmt_quoting_escapes_units_and_bare_keys():
    got = parse_logfmt('at=info msg="a \\"quoted\\" word" path="/x y" service=310ms connect=1ms elapsed=1.2s ok')
    assert got is not None
    fields, durations = got
    assert fields == {"at": "info", "msg": 'a "quoted" word', "path": "/x y", "service": 310.0, "connect": 1.0,
                      "elapsed": 1200.0, "ok": True}
    assert sorted(durations) == ["connect", "elapsed", "service"]
    assert duration_ms("250us") == 0.25 and duration_ms("310") is None
    assert parse_logfmt("State changed from up to starting") is None
    assert parse_logfmt("Deploy a41c9e0 by user x=y") is None  # one pair in a sentence: not logfmt


def test_rfc5424_json_message_flow_from_field_or_program(tmp_path):
    lines = [
        '<134>1 2026-10-26T00:34:17.663007-05:00 host-1 hr-hook 2211 - - {"event": "synced", "level": "info", '
        '"hook": "hr-hook", "delivery_id": "d1", "elapsed_ms": 20, "response_status": 200}',
        '<131>1 2026-10-26T00:35:00.000000-05:00 host-1 hr-hook 2211 - - {"event": "failed", "level": "error", '
        '"hook": "hr-hook", "delivery_id": "d2", "error": "ReadTimeout", "elapsed_ms": 20000, "response_status": 500}',
        '<134>1 2026-10-26T00:36:00.000000-05:00 host-1 hr-hook 2211 - [meta x="1"] {"event": "listening"}',
        '',
    ]
    fmt, st, rows, rejected = _read(tmp_path, "hook.log", lines)
    assert fmt == "prefixed" and st.format == "prefixed (rfc5424 + json)"
    assert not rejected and len(rows) == 3
    assert {r.flow for r in rows} == {"hr_sync"}  # the field's alias, and the program for the lifecycle line
    assert [r.status for r in rows] == ["ok", "error", "ok"]
    assert rows[1].http_status == 500 and rows[1].error == "ReadTimeout" and rows[1].latency_ms == 20000.0
    assert rows[0].ts == datetime(2026, 10, 26, 5, 34, 17, 663007, tzinfo=UTC).timestamp()  # prefix time (no field)


def test_rfc5424_severity_from_pri_when_message_has_no_level(tmp_path):
    lines = [
        '<134>1 2026-10-26T00:34:17Z h hr-hook 1 - - {"hook": "hr-hook", "msg": "fine"}',
        '<131>1 2026-10-26T00:35:17Z h hr-hook 1 - - {"hook": "hr-hook", "msg": "broken pipe"}',
    ]
    _fmt, _st, rows, _rej = _read(tmp_path, "sev.log", lines)
    assert [r.status for r in rows] == ["ok", "error"]  # <131> = local0.err
    assert rows[1].error == "broken pipe"


def test_rfc3164_with_year_from_settings(tmp_path):
    lines = ['<14>Oct 26 11:42:50 host1 hr-hook[42]: level=info hook=hr-hook msg="done" took_ms=12',
             'Oct  7 01:02:03 host1 hr-hook: level=error hook=hr-hook msg="failed" error="boom"']
    fmt, st, rows, rej = _read(tmp_path, "bsd.log", lines, settings=ReaderSettings(syslog_year=2025))
    assert fmt == "prefixed" and st.format.startswith("prefixed (rfc3164")
    assert not rej
    assert rows[0].ts == datetime(2025, 10, 26, 11, 42, 50, tzinfo=UTC).timestamp()
    assert rows[1].ts == datetime(2025, 10, 7, 1, 2, 3, tzinfo=UTC).timestamp()
    assert [r.status for r in rows] == ["ok", "error"] and rows[0].latency_ms == 12.0


def test_journald_and_cri_prefixes(tmp_path):
    jl = ['2026-10-26T11:42:50+0000 host1 hr-hook[99]: {"hook": "hr-hook", "level": "info", "ts2": 1}',
          '2026-10-26T11:43:50+0000 host1 hr-hook[99]: {"hook": "hr-hook", "level": "error", "error": "x"}']
    _f, st, rows, rej = _read(tmp_path, "journal.log", jl)
    assert st.format == "prefixed (journald + json)" and not rej and [r.status for r in rows] == ["ok", "error"]
    cri = ['2026-10-26T11:42:50.123456789Z stdout F level=info sync=deals msg="ok" duration=2s',
           '2026-10-26T11:42:51.000000000Z stderr P level=error sync=deals ',
           '2026-10-26T11:42:51.000000000Z stderr F msg="part two" error="bad"']
    _f, st, rows, rej = _read(tmp_path, "pod.log", cri)
    assert st.format == "prefixed (cri + logfmt)" and not rej
    assert [(r.flow, r.status, r.line_no) for r in rows] == [("crm_deals", "ok", 1), ("crm_deals", "error", 2)]
    assert rows[0].latency_ms == 2000.0 and rows[1].error == "bad"


DRAIN = [
    '2026-10-26T08:28:00.000000+00:00 heroku[web.1]: State changed from up to starting',
    '2026-10-26T11:42:50.890309+00:00 app[web.1]: level=info sync=accounts msg="upserted" request_id=r1 '
    'odoo_model=res.partner odoo_id=494 duration_ms=308',
    '2026-10-26T11:42:50.894309+00:00 heroku[router]: at=info method=POST path="/crm/account" request_id=r1 '
    'connect=0ms service=310ms status=200 bytes=416',
    '2026-10-26T11:50:00.000000+00:00 app[web.1]: level=error sync=deals msg="write failed" request_id=r2 '
    'error="Fault 1: ValueError"',
    '2026-10-26T11:50:00.100000+00:00 heroku[router]: at=info method=POST path="/crm/deal" request_id=r2 '
    'connect=1ms service=95ms status=500 bytes=20',
    '2026-10-26T12:00:00.000000+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=POST '
    'path="/crm/deal" request_id=r3 connect=0ms service=30000ms status=503 bytes=0',
    '2026-10-26T12:01:00.000000+00:00 heroku[router]: at=info method=GET path="/health" request_id=r4 '
    'connect=0ms service=2ms status=200 bytes=2',
    '2026-10-26T12:02:00.000000+00:00 app[api]: Deploy a41c9e0 by user deploy@example.com',
]


def test_logplex_drain_one_event_per_request(tmp_path):
    fmt, st, rows, rej = _read(tmp_path, "drain.log", DRAIN)
    assert fmt == "prefixed" and st.format.startswith("prefixed (logplex + logfmt")
    assert not rej
    assert [(r.line_no, r.flow, r.status, r.http_status, r.latency_ms) for r in rows] == [
        (2, "crm_accounts", "ok", 200, 308.0),  # the app line, its router line's status
        (4, "crm_deals", "error", 500, 95.0),  # the app line lacks a latency: the router's
        (6, "crm_deals", "error", 503, 30000.0),  # router only (H12): an event of its own, flow by endpoint
    ]
    assert rows[0].record_ids == ("res.partner:494",)
    assert rows[2].error is not None and rows[2].error.startswith("H12 Request timeout")
    assert st.skip_reasons["router line of a request its app line reports"] == 2
    assert st.skip_reasons["line without fields (platform / lifecycle message), not an event"] == 2
    assert rows[0].operation == "POST"  # the router line's method
    assert st.skip_reasons["router line of a route no flows.json endpoint claims"] == 1
    assert st.skipped == 5 and st.events == 3


def test_bare_logfmt_file(tmp_path):
    lines = ['time=2026-10-26T11:42:50Z level=info flow=deals msg="ok" elapsed=1.5s',
             'time=2026-10-26T11:43:50Z level=error flow=deals msg="bad" error="E1"',
             *[f'time=2026-10-26T12:0{i}:00Z level=info flow=deals msg="ok" elapsed=500ms' for i in range(8)],
             'time=nonsense level=info flow=deals']
    fmt, st, rows, rej = _read(tmp_path, "svc.log", lines)
    assert fmt == "logfmt" and st.format == "logfmt (no prefix + logfmt)"
    assert [(r.status, r.latency_ms) for r in rows[:3]] == [("ok", 1500.0), ("error", None), ("ok", 500.0)]
    assert {r.flow for r in rows} == {"crm_deals"}
    assert [(r.line_no, r.reason.split(" '")[0]) for r in rej] == [(11, "bad timestamp")]


def test_hostile_lines_set_aside_with_file_line(tmp_path):
    good = '<134>1 2026-10-26T00:34:17Z h hr-hook 1 - - {"hook": "hr-hook", "level": "info"}'
    lines = [good, good,
             '<999>1 2026-10-26T00:34:17Z h hr-hook 1 - - {"hook": "hr-hook"}',  # bad PRI
             '<134>1 2026-10-26T00:34:17Z h hr-hook',  # truncated prefix
             '<134>1 2026-10-26T00:34:17Z h hr-hook 1 - - {"hook": "hr-hook", "level":',  # truncated JSON
             '<134>1 2026-10-26T00:34:17Z h hr-hook 1 - - {"hook": "' + "x" * 3000 + '"}',  # huge line
             '', '\x00\x00']
    settings = ReaderSettings(max_line_chars=2000)
    _f, st, rows, rej = _read(tmp_path, "hostile.log", lines, settings=settings)
    assert len(rows) == 2 and st.blank == 2 and st.set_aside_lines == 4
    reasons = {r.line_no: r.reason for r in rej}
    assert set(reasons) == {3, 4, 5, 6} and all(r.source_file == "hostile.log" for r in rej)
    assert reasons[3].startswith("bad syslog priority")
    assert reasons[4].startswith("line without the rfc5424 prefix")
    assert reasons[5].startswith("invalid JSON message")
    assert reasons[6].startswith("line too long")


@pytest.mark.parametrize("first, fmt", [
    ('<134>1 2026-10-26T00:34:17Z h app 1 - - {"a": 1, "b": 2}', "prefixed"),
    ("2026-10-26T08:28:00.000000+00:00 heroku[web.1]: Cycling", "prefixed"),
    ("time=2026-10-26T11:42:50Z level=info msg=x", "logfmt"),
    ("2026-10-26 08:28:00,123 42 INFO db odoo.modules: loading", "odoo_log"),
    ("timestamp,flow,status", "csv"),
])
def test_sniffing(tmp_path, first, fmt):
    p = tmp_path / "f.log"
    p.write_text(first + "\n", encoding="utf-8")
    assert detect_format(p) == fmt


def test_rfc5424_drain_without_structured_data_and_octet_count(tmp_path):
    """Heroku HTTPS drains frame each line with its length and leave STRUCTURED-DATA out."""
    lines = [
        '310 <158>1 2026-10-26T12:00:00.000000+00:00 host heroku router - at=error code=H12 desc="Request timeout" '
        'method=POST path="/crm/deal" request_id=r9 connect=1ms service=30000ms status=503 bytes=0',
        '<190>1 2026-10-26T12:00:01.000000+00:00 host app web.1 - level=info sync=deals msg="ok" request_id=r8 '
        'duration_ms=20',
        '<190>1 2026-10-26T12:00:02.000000+00:00 host app web.1 - - level=info sync=deals msg="ok" request_id=r7 '
        'duration_ms=30',
    ]
    _f, st, rows, rej = _read(tmp_path, "drain5424.log", lines)
    assert not rej and st.format.startswith("prefixed (rfc5424 + logfmt")
    assert [(r.flow, r.status, r.latency_ms) for r in rows] == [
        ("crm_deals", "error", 30000.0), ("crm_deals", "ok", 20.0), ("crm_deals", "ok", 30.0)]
    assert rows[0].error is not None and rows[0].error.startswith("H12")
