"""Readers on files shaped the way Odoo and common middleware really write them, and on hostile values."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.errors import InputError
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.detectors.readers import FileStats, FlowCatalog, detect_format, make_reader, read_events
from odoo_triage.detectors.readers.inference import infer_mapping


def physical_lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def read(path: Path, **kw):  # type: ignore[no-untyped-def]
    fmt = kw.pop("fmt", None) or detect_format(path)
    reader = make_reader(fmt, **kw)
    stats, rows, rejected = FileStats(path.name, fmt), [], []
    for chunk in reader.chunks(path):
        stats.add(chunk)
        rows += chunk.rows
        rejected += chunk.rejected
    assert stats.parsed_lines + stats.set_aside_lines + stats.blank == stats.lines == physical_lines(path)
    return reader, stats, rows, rejected


EXPORT_LABELS = [
    '"UUID","Description","Model","State","Exception","Exception Message","Current try","Channel",'
    '"Created Date","Start Date","Execution Time (avg)","Record(s)","Company"',
    '"u-1","Digitise bill","account.move","Done","","","0","root.vendor_bills","2026-04-20 05:42:12",'
    '"2026-04-20 05:42:26","1.744","{""_type"": ""odoo_recordset"", ""model"": ""account.move"", ""ids"": [7001, 7002]}",'
    '"Havenkade B.V."',
    '"u-2","Digitise bill","account.move","Failed","odoo.addons.queue_job.exception.FailedJobError",'
    '"Max. retries (5) reached: 429 Too Many Requests","5","root.vendor_bills","2026-04-20 06:00:00","2026-04-20 06:00:05",'
    '"","{""_type"": ""odoo_recordset"", ""model"": ""account.move"", ""ids"": [7003]}","Havenkade B.V."',
    '"u-3","Digitise bill","account.move","Pending","odoo.addons.queue_job.exception.RetryableJobError","429","2",'
    '"root.vendor_bills","2026-04-20 06:10:00","","","{}","Havenkade B.V."',
]


def test_queue_job_export_dialog_labels_and_selection_labels(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("\n".join(EXPORT_LABELS) + "\n")
    assert detect_format(path) == "queue_job"
    _r, stats, rows, rejected = read(path)
    assert not rejected and stats.events == 3
    done, failed, pending = rows
    assert (done.status, done.flow, done.latency_ms) == ("ok", "vendor_bills", pytest.approx(1744.0))
    assert done.record_ids == ("queue.job:u-1", "account.move:7001", "account.move:7002")
    assert (failed.status, failed.retry_count, failed.http_status) == ("error", 5, 429)
    assert pending.status == "retry"


def test_queue_job_import_compatible_with_bom_and_record_ids(tmp_path):
    path = tmp_path / "queue_job.csv"
    rows = ["id,uuid,state,channel,exc_name,exc_message,retry,date_created,date_started,model_name,record_ids,company_id/id",
            "__export__.j1,u-9,Done,root.sepa_payments,,,0,2027-03-08 09:00:00,2027-03-08 09:00:02,account.payment,"
            '"[3001, 3002]",base.main_company']
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(rows).encode() + b"\n")
    catalog = FlowCatalog([FlowInfo(name="sepa-payments", source_system="odoo", target_system="bank", owner="t",
                                    channels=["root.sepa_payments"])])
    reader, stats, out, rejected = read(path, catalog=catalog)
    assert not rejected
    assert out[0].flow == "sepa-payments"
    assert out[0].record_ids == ("queue.job:u-9", "account.payment:3001", "account.payment:3002")
    assert reader.decoder.name == "utf-8-sig"


def test_ecs_json_lines_mapping_is_inferred_with_units(tmp_path):
    path = tmp_path / "filebeat.ndjson"
    docs = [{"@timestamp": "2026-04-20T08:00:00.000Z", "log": {"level": "error"}, "integration": "webshop-orders",
             "event": {"action": "sale.order.create", "outcome": "failure", "duration": 250_000_000},
             "http": {"response": {"status_code": 422}}, "trace": {"id": "t1"},
             "labels": {"idempotency_key": "wc-1"}, "error": {"message": "No tax", "type": "ValidationError"}},
            {"@timestamp": "2026-04-20T08:00:01.000Z", "log": {"level": "info"}, "integration": "webshop-orders",
             "event": {"action": "sale.order.create", "outcome": "success", "duration": 100_000_000},
             "http": {"response": {"status_code": 201}}, "trace": {"id": "t2"}, "odoo": {"records": ["sale.order:1"]}}]
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n")
    reader, stats, rows, rejected = read(path)
    assert not rejected and stats.blank == 1
    m = reader.inferred.mapping
    assert (m.timestamp, m.flow, m.status, m.http_status) == ("@timestamp", "integration", "event.outcome",
                                                             "http.response.status_code")
    assert reader.inferred.confidence >= 0.8
    bad, good = rows
    assert (bad.status, bad.latency_ms, bad.http_status, bad.idempotency_key) == ("error", 250.0, 422, "wc-1")
    assert bad.error == "ValidationError: No tax"  # ECS error.type is the class, put in front (#13)
    assert good.record_ids == ("sale.order:1",)


def test_boomi_csv_semicolons_cp1252_day_first(tmp_path):
    path = tmp_path / "boomi.csv"
    text = ("Execution Time;Process Name;Status;Execution Duration (ms);Error Message;Execution ID\r\n"
            "08/03/2027 09:15:02;SF -> Odoo;COMPLETE;1500;;e1\r\n"
            "25/03/2027 10:00:00;SF -> Odoo;ERROR;800;Müller & Söhne: £ invalid;e2\r\n")
    path.write_bytes(text.encode("cp1252"))
    reader, stats, rows, rejected = read(path)
    assert not rejected and len(rows) == 2
    assert rows[0].flow == "SF -> Odoo" and rows[1].status == "error"
    assert rows[1].error == "Müller & Söhne: £ invalid"  # not U+FFFD
    assert rows[1].ts - rows[0].ts == pytest.approx((17 * 24 + 0.75) * 3600 - 2, abs=1)
    assert "cp1252" in reader.decoder.name


def test_mule_json_logger_level_as_status_and_message_as_error():
    inferred = infer_mapping([
        {"timestamp": "2027-03-08T09:00:00.123+00:00", "flowName": "xero-invoice-export", "priority": "ERROR",
         "tracePoint": "EXCEPTION", "elapsed": 412, "message": "failed: unauthorized (401)",
         "correlationId": "c1", "content.httpStatus": 401},
        {"timestamp": "2027-03-08T09:00:01.123+00:00", "flowName": "xero-invoice-export", "priority": "INFO",
         "tracePoint": "END", "elapsed": 300, "message": "posted", "correlationId": "c2", "content.httpStatus": 200}])
    m = inferred.mapping
    assert (m.flow, m.level, m.latency_ms, m.correlation_id, m.message) == (
        "flowName", "priority", "elapsed", "correlationId", "message")


ODOO_LOG = [
    "2026-04-20 02:04:47,509 2211 INFO db odoo.addons.peppol_connector.models.account_move: invoice sent 14 0.072 0.577",
    "2026-04-20 02:05:00,000 2211 INFO db odoo.addons.queue_job.jobrunner.runner: asking Odoo to run job 8d2f on db db",
    "2026-04-20 02:06:00,000 2211 ERROR db odoo.addons.queue_job.controllers.main: Traceback in job 3f1c (will be retried)",
    "Traceback (most recent call last):",
    "psycopg2.errors.SerializationFailure: could not serialize",
    "",
    "2026-04-20 02:07:00,000 2211 WARNING db odoo.addons.peppol_connector.models.peppol_api: slow access point",
    "2026-04-20 02:08:00,000 2211 ERROR db odoo.addons.mail.models.mail_mail: failed sending mail",
    "2026-04-20 02:09:00,000 2211 INFO db odoo.addons.my_custom.models.x: something",
]


def test_odoo_log_queue_job_runner_and_mail_are_no_flows(tmp_path):
    path = tmp_path / "odoo.log"
    path.write_text("\n".join(ODOO_LOG) + "\n")
    catalog = FlowCatalog([FlowInfo(name="einvoice", source_system="odoo", target_system="peppol", owner="t",
                                    loggers=["odoo.addons.peppol_connector"])])
    _r, stats, rows, _rej = read(path, catalog=catalog)
    assert [r.flow for r in rows] == ["einvoice", "einvoice"]
    assert rows[1].status == "ok"  # a WARNING without a retry is not a retry
    assert stats.blank == 1
    assert list(stats.unattributed) == ["odoo.addons.my_custom (no flow in flows.json claims it: skipped)"]
    _r, stats, rows, _rej = read(path)  # without a catalog: the addon's name, reported as a guess
    assert {r.flow for r in rows} == {"peppol_connector", "my_custom"}
    assert sorted(stats.unattributed) == ["odoo.addons.my_custom (became flow 'my_custom': no flows.json entry)",
                                          "odoo.addons.peppol_connector (became flow 'peppol_connector': no "
                                          "flows.json entry)"]


HOSTILE = [
    '{"ts": 1e300, "flow": "f", "status": "ok"}',
    '{"ts": -1e15, "flow": "f", "status": "ok"}',
    '{"ts": "0001-01-01T00:00:00+14:00", "flow": "f", "status": "ok"}',
    '{"ts": "9999-12-31T23:59:59Z", "flow": "f", "status": "ok"}',
    '{"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "error", "http_status": 70000}',
    '{"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "retry", "retry": 70000}',
    '{"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "ok", "latency_ms": -5}',
    '{"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "ok", "retry": 1e400}',
    '{"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "error", "error": "bad\\u0000value"}',
    '{"ts": "2026-04-20T09:00:00Z", "flow": "f", "status": "ok"}',
]


def test_hostile_values_are_set_aside_with_reasons(tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(HOSTILE).encode() + b"\n")
    _r, stats, rows, rejected = read(path)
    assert [r.line_no for r in rejected] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert all(r.reason for r in rejected)
    assert "range" in rejected[0].reason and "HTTP status" in rejected[4].reason
    assert rows[0].error == "badvalue"  # NUL stripped before anything can store it
    result = run_detection([path])
    assert result.events == 2


def test_a_stray_time_far_from_the_data_is_set_aside(tmp_path):
    path = tmp_path / "m.jsonl"
    lines = [json.dumps({"ts": f"2026-04-{d:02d}T08:00:00Z", "flow": "f", "status": "ok"}) for d in range(1, 29)]
    lines.append(json.dumps({"ts": "2099-12-31T00:00:00Z", "flow": "f", "status": "ok"}))
    path.write_text("\n".join(lines) + "\n")
    frame = read_frame([path])
    assert len(frame.events) == 28
    assert frame.rejected[-1].line_no == 29 and "days from the rest" in frame.rejected[-1].reason
    st = frame.stats[path.name]
    assert st.parsed_lines + st.set_aside_lines + st.blank == st.lines


def test_truncated_last_csv_record_is_set_aside(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text('timestamp,flow,status,error\n2026-04-20T08:00:00Z,f,ok,\n2026-04-20T08:01:00Z,f,error,"cut\n'
                    "2026-04-20T08:02:00Z,f,ok,")
    _r, stats, rows, rejected = read(path)
    assert [r.line_no for r in rows] == [2, 4] and rejected[0].line_no == 3 and "truncated" in rejected[0].reason
    path.write_text('timestamp,flow,status,error\n2026-04-20T08:00:00Z,f,ok,\n2026-04-20T08:01:00Z,f,error,"cut\n')
    _r, stats, rows, rejected = read(path)  # the last record itself cut in a quoted field
    assert [r.line_no for r in rows] == [2] and [r.line_no for r in rejected] == [3]


def test_a_stray_quote_costs_its_own_line_only(tmp_path):
    path = tmp_path / "log.csv"
    good = [f"2026-04-20T08:{m:02d}:00Z,f,ok,fine" for m in range(10)]
    path.write_text("timestamp,flow,status,error\n" + "\n".join(good[:5] + ['2026-04-20T09:00:00Z,f,error,"oops']
                                                                     + good[5:]) + "\n")
    _r, stats, rows, rejected = read(path)
    assert len(rows) == 10 and [r.line_no for r in rejected] == [7]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_not_read(tmp_path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        run_detection([fifo])
    with pytest.raises(InputError, match="not a regular file"):
        list(read_events(fifo))


def test_utf16_is_refused_clearly(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes("timestamp,flow\n".encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read(path, fmt="csv")


def test_nul_in_messages_never_reaches_the_store(tmp_path, store):
    """An error spike whose messages carry \\u0000 is detected and stored on SQLite and PostgreSQL alike."""
    from datetime import UTC, datetime, timedelta

    from odoo_triage.agent.store.stage_results import save_anomalies
    from odoo_triage.agent.store.tables import AnomalyRow

    start = datetime(2026, 4, 6, tzinfo=UTC)
    docs = []
    for h in range(24 * 14):
        t = start + timedelta(hours=h)
        for k in range(6):
            failed = h >= 24 * 10 + 9 and h < 24 * 10 + 13
            docs.append({"ts": (t + timedelta(minutes=k * 9)).isoformat(), "flow": "orders\u0000x",
                         "status": "error" if failed else "ok", "http_status": 500 if failed else 200,
                         "error": "boom\u0000 in\u0000 order" if failed else None, "idempotency_key": f"k{h}-{k}"})
    path = tmp_path / "nul.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    result = run_detection([path])
    assert result.anomalies
    save_anomalies(store, result.anomalies)
    with store.session() as s:
        rows = s.query(AnomalyRow).all()
        assert rows and all("\\u0000" not in json.dumps(r.data) and "\x00" not in r.reason + r.flow for r in rows)


def test_endpoints_in_flows_json_name_the_flow(tmp_path):
    catalog = FlowCatalog([FlowInfo(name="shop-webhook", source_system="shop", target_system="odoo", owner="t",
                                    endpoints=["/shop/webhook"])])
    log = tmp_path / "odoo.log"
    log.write_text(
        '2026-04-20 08:00:00,000 7 INFO db werkzeug: 10.0.0.2 - - [20/Apr/2026 08:00:00] "POST /shop/webhook?x=1 '
        'HTTP/1.1" 200 - 12 0.010 0.090\n'
        '2026-04-20 08:00:01,000 7 INFO db werkzeug: 10.0.0.2 - - [20/Apr/2026 08:00:01] "POST /shop/webhook '
        'HTTP/1.1" 500 - 3 0.001 0.020\n'
        '2026-04-20 08:00:02,000 7 INFO db werkzeug: 10.0.0.2 - - [20/Apr/2026 08:00:02] "GET /web HTTP/1.1" 200 - '
        '1 0.001 0.002\n')
    _r, stats, rows, _rej = read(log, catalog=catalog)
    assert [(r.flow, r.status, r.http_status) for r in rows] == [("shop-webhook", "ok", 200),
                                                                ("shop-webhook", "error", 500)]
    assert stats.skipped == 1
    js = tmp_path / "access.jsonl"
    js.write_text(json.dumps({"time": "2026-04-20T08:00:00Z", "url.path": "/shop/webhook/v2", "status_code": 201})
                  + "\n" + json.dumps({"time": "2026-04-20T08:00:01Z", "url.path": "/other", "status_code": 502}) + "\n")
    _r, _stats, rows, _rej = read(js, catalog=catalog)
    assert [(r.flow, r.status) for r in rows] == [("shop-webhook", "ok"), ("access", "error")]


def test_reader_limits_come_from_the_config_file(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text("[readers]\nts_min_year = 2027\n")
    monkeypatch.setenv("TRIAGE_CONFIG", str(cfg))
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"ts": "2026-04-20T08:00:00Z", "flow": "f", "status": "ok"}) + "\n")
    result = run_detection([path])
    assert result.events == 0 and "timestamp out of range" in result.rejected[0].reason


def test_a_flow_per_line_is_capped(tmp_path):
    from odoo_triage.core.settings import ReaderSettings

    path = tmp_path / "ids.jsonl"
    path.write_text("".join(json.dumps({"ts": f"2026-04-20T08:{i // 60:02d}:{i % 60:02d}Z", "flow": f"id-{i}",
                                        "status": "ok"}) + "\n" for i in range(300)))
    frame = read_frame([path], settings=ReaderSettings(max_flows=50))
    assert len(frame.flows) == 50 and len(frame.events) == 50 and len(frame.rejected) == 250
    st = frame.stats[path.name]
    assert st.parsed_lines + st.set_aside_lines + st.blank == st.lines == 300
