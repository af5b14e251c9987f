"""Readers: each format on small inline samples, malformed lines kept with their line numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from odoo_triage.core.errors import InputError
from odoo_triage.detectors.readers import FieldMapping, FileStats, detect_format, make_reader, read_events

MIDDLEWARE = [
    '{"ts":"2026-10-19T00:06:47.704Z","flow":"crm_partner_sync","source":"crm","target":"odoo","operation":"upsert res.partner","status":"ok","latency_ms":215.8,"http_status":200,"error":null,"retry":0,"correlation_id":"c1","idempotency_key":"crm:1","record_ids":["res.partner:12"],"message_id":"m1"}',
    '{"ts":"2026-10-19T00:07:25.603Z","flow":"hr_employee_sync","source":"hris","target":"odoo","operation":"write hr.employee","status":"error","latency_ms":43.0,"http_status":401,"error":"{\\"name\\":\\"werkzeug.exceptions.Unauthorized\\",\\"message\\":\\"Invalid apikey\\"}","retry":0,"correlation_id":"c2","idempotency_key":null,"record_ids":[],"message_id":"m2"}',
    '{"ts":"2026-10-19T00:08:00.000Z","flow":"crm_partner_sync","status":"ok","latency_ms":2',
    "",
    '{"ts":"yesterday","flow":"crm_partner_sync","status":"ok"}',
    '{"ts":"2026-10-19T00:09:00Z","flow":"crm_partner_sync","status":"retry","retry":2,"http_status":503,"error":"503 Service Unavailable"}',
]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def read_all(path: Path, **kw):
    rejected, stats = [], FileStats(path.name, "?")
    events = list(read_events(path, rejected=rejected, stats=stats, **kw))
    return events, rejected, stats


def test_jsonl_events_fields_and_rejected_lines(tmp_path):
    p = write(tmp_path, "middleware.jsonl", MIDDLEWARE)
    events, rejected, stats = read_all(p)
    assert [e.event_id for e in events] == ["middleware.jsonl:1", "middleware.jsonl:2", "middleware.jsonl:6"]
    first = events[0]
    assert first.timestamp == datetime(2026, 10, 19, 0, 6, 47, 704000, tzinfo=UTC)
    assert (first.flow, first.source_system, first.latency_ms, first.record_ids) == (
        "crm_partner_sync", "crm", 215.8, ["res.partner:12"])
    assert events[1].status == "error" and events[1].http_status == 401 and "Invalid apikey" in events[1].error
    assert events[2].status == "retry" and events[2].retry_count == 2
    assert [(r.line_no, r.reason.split(":")[0]) for r in rejected] == [(3, "invalid JSON"), (5, "bad timestamp 'yesterday'")]
    assert rejected[0].raw.startswith('{"ts":"2026-10-19T00:08:00.000Z"')
    assert (stats.lines, stats.events, stats.rejected) == (6, 3, 2)


def test_jsonl_custom_mapping_with_nested_keys(tmp_path):
    p = write(tmp_path, "x.jsonl", [
        '{"time":"2026-10-19T10:00:00+02:00","meta":{"flow":"shop_orders"},"ok":"success","ms":12,"keys":"a;b"}',
        '{"time":"2026-10-19T10:01:00+02:00","meta":{},"ok":"failed","ms":15,"msg":"boom"}',
    ])
    mapping = FieldMapping(timestamp="time", flow="meta.flow", status="ok", latency_ms="ms", record_ids="keys",
                           error="msg", default_flow="fallback")
    events, rejected, _ = read_all(p, mapping=mapping)
    assert not rejected
    assert events[0].timestamp == datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
    assert events[0].flow == "shop_orders" and events[0].record_ids == ["a", "b"] and events[0].status == "ok"
    assert events[1].flow == "fallback" and events[1].status == "error" and events[1].error == "boom"


CSV = [
    "timestamp,flow,source,target,operation,status,latency_ms,http_status,error,retry,correlation_id,idempotency_key,record_ids",
    "2026-10-19T00:15:43.138Z,psa_timesheet_import,psa,odoo,create account.analytic.line,ok,265.5,200,,0,c1,psa-1,account.analytic.line:1;hr.employee:34",
    '2026-10-19T00:16:00Z,psa_timesheet_import,psa,odoo,create,error,100,422,"ValidationError: line one',
    'line two, still the same field",0,c2,psa-2,',
    "2026-10-19T00:17:00Z,psa_timesheet_import,psa,odoo,create,ok,178.1",
    "2026-10-19T00:18:00Z,psa_timesheet_import,psa,odoo,create,ok,99,200,,0,c3,psa-3,",
]


def test_csv_quoted_multiline_field_and_short_row(tmp_path):
    p = write(tmp_path, "psa.csv", CSV)
    assert detect_format(p) == "csv"
    events, rejected, stats = read_all(p)
    assert [e.line_no for e in events] == [2, 3, 6]
    assert events[0].record_ids == ["account.analytic.line:1", "hr.employee:34"]
    assert events[1].error == "ValidationError: line one\nline two, still the same field"
    assert [(r.line_no, r.reason) for r in rejected] == [(5, "CSV row with 7 of 13 fields")]
    assert stats.lines == 6


QUEUE_JOB = [
    "uuid,name,model_name,method_name,func_string,state,priority,exc_name,exc_message,exc_info,retry,max_retries,channel,date_created,date_enqueued,date_started,date_done,exec_time,records",
    '23bb946b-905a-4b56-a640-79fef766d2ef,Export,account.move,_export_to_finance,"account.move(40001,)._export_to_finance()",done,10,,,,0,5,root.invoice_export,2026-10-19 00:16:11,2026-10-19 00:16:12,2026-10-19 00:16:28,2026-10-19 00:16:29,0.584,"account.move(40001,)"',
    '673cd768-ceed-41ba-a6c8-825bb9f0c408,Export,account.move,_export_to_finance,"x()",pending,10,odoo.addons.queue_job.exception.RetryableJobError,"429 Client Error: Too Many Requests for url: https://api.finance.example/v1/invoices","Traceback (most recent call last):',
    '  File ""/opt/odoo/addons/queue_job/job.py"", line 536, in perform',
    'odoo.addons.queue_job.exception.RetryableJobError: 429 Client Error",1,5,root.invoice_export,2026-10-28 15:10:22,2026-10-28 15:10:22,2026-10-28 15:10:39,,0.000,"account.move(45982,)"',
    '673cd768-ceed-41ba-a6c8-825bb9f0c408,Export,account.move,_export_to_finance,"x()",failed,10,odoo.addons.queue_job.exception.FailedJobError,"Max. retries (5) reached: 429 Client Error",,5,5,root.invoice_export,2026-10-28 15:10:22,,,,1.5,"account.move(45982,)"',
    "broken,row",
]


def test_queue_job_export(tmp_path):
    p = write(tmp_path, "queue_job.csv", QUEUE_JOB)
    assert detect_format(p) == "queue_job"
    events, rejected, _ = read_all(p)
    done, pending, failed = events
    assert (done.flow, done.status, done.latency_ms, done.line_no) == ("invoice_export", "ok", 584.0, 2)
    assert done.record_ids == ["queue.job:23bb946b-905a-4b56-a640-79fef766d2ef", "account.move:40001"]
    assert done.timestamp == datetime(2026, 10, 19, 0, 16, 28, tzinfo=UTC)  # date_started
    assert (pending.status, pending.retry_count, pending.http_status, pending.line_no) == ("retry", 1, 429, 3)
    assert pending.error.startswith("odoo.addons.queue_job.exception.RetryableJobError: 429 Client Error")
    assert failed.status == "error" and failed.line_no == 6
    assert failed.timestamp == datetime(2026, 10, 28, 15, 10, 22, tzinfo=UTC)  # never started: date_created
    assert [(r.line_no, r.reason) for r in rejected] == [(7, "CSV row with 2 of 19 fields")]


ODOO_LOG = [
    "  orphan continuation",
    "2026-10-19 00:00:02,000 4790 INFO ? odoo: Odoo version 19.0-20261015 - - -",
    "2026-10-19 01:00:02,621 4704 INFO prod odoo.addons.payroll_export.models.payroll_provider: sent payslip SLIP/2026/10/12001 of employee 278 in batch PB/2026/10/0041 to payroll provider (HTTP 201) 56 0.244 0.845",
    "2026-10-19 01:00:11,943 4704 ERROR prod odoo.addons.payroll_export.models.payroll_batch: export of payslip SLIP/2026/10/12008 of employee 372 failed: Payslip SLIP/2026/10/12008 of employee 372 is still in draft 201 0.262 1.181",
    "Traceback (most recent call last):",
    '  File "/opt/odoo/addons/payroll_export/models/payroll_batch.py", line 148, in _export_batch',
    "    payload = self._build_payload(slip)",
    "odoo.exceptions.ValidationError: Payslip SLIP/2026/10/12008 of employee 372 is still in draft",
    "2026-10-24 01:00:05,539 476\ufffd\ufffd INF",
    "2026-10-19 01:01:50,399 4704 WARNING prod odoo.addons.payroll_export.models.payroll_provider: payroll provider answered HTTP 503 for payslip SLIP/2026/10/12119 of employee 50, retry 1/3 in 31 s - - -",
    '2026-10-19 13:52:36,508 4766 INFO prod werkzeug: 10.0.7.47 - - [19/Oct/2026 13:52:36] "POST /web/dataset/call_kw HTTP/1.1" 200 - 34 0.038 0.030',
]


def test_odoo_log_tracebacks_noise_and_garbled_lines(tmp_path):
    p = write(tmp_path, "odoo-server.log", ODOO_LOG)
    assert detect_format(p) == "odoo_log"
    events, rejected, stats = read_all(p)
    assert [e.event_id for e in events] == ["odoo-server.log:3", "odoo-server.log:4", "odoo-server.log:10"]
    ok, err, warn = events
    assert ok.flow == "payroll_export" and ok.status == "ok" and ok.http_status == 201
    assert ok.latency_ms == pytest.approx(1089.0) and ok.record_ids == []  # free text names records; it never grounds them (#12)
    assert err.status == "error"
    assert err.error == "odoo.exceptions.ValidationError: Payslip SLIP/2026/10/12008 of employee 372 is still in draft"
    assert warn.status == "retry" and warn.retry_count == 1 and warn.latency_ms is None and warn.http_status == 503
    assert [r.line_no for r in rejected] == [1, 9]
    assert stats.skipped == 2  # the server banner and werkzeug: valid lines, not integration events
    assert stats.lines == len(ODOO_LOG)


def test_readers_stream_in_chunks_and_reread_one_event(tmp_path):
    lines = [MIDDLEWARE[0].replace('"crm:1"', f'"crm:{i}"') for i in range(25)]
    p = write(tmp_path, "m.jsonl", lines)
    reader = make_reader("jsonl")
    chunks = list(reader.chunks(p, chunk_size=10))
    assert [len(c.rows) for c in chunks] == [10, 10, 5]
    row = chunks[1].rows[3]
    again = reader.row_at(p, row.offset, row.line_no)
    assert again == row and again.idempotency_key == "crm:13"


def test_format_override_and_unknown_format(tmp_path):
    p = write(tmp_path, "data.txt", MIDDLEWARE[:2])
    assert detect_format(p) == "jsonl"
    with pytest.raises(InputError):
        make_reader("xml")
    with pytest.raises(InputError):
        list(read_events(tmp_path / "missing.jsonl"))


def test_a_file_of_garbage_streams_in_bounded_chunks(tmp_path):
    p = write(tmp_path, "junk.jsonl", ["{not json"] * 35)
    chunks = list(make_reader("jsonl").chunks(p, chunk_size=10))
    assert [len(c.rejected) for c in chunks] == [10, 10, 10, 5]
    assert [r.line_no for r in chunks[1].rejected] == list(range(11, 21))
