"""Platform log exports read as their platform writes them: `journalctl -o json`, ..."""

from __future__ import annotations

import json
from pathlib import Path

from odoo_triage.core.domain import FlowInfo
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import FileStats, FlowCatalog, detect_format, make_reader


def read(path: Path, catalog: FlowCatalog | None = None):  # type: ignore[no-untyped-def]
    fmt = detect_format(path)
    reader = make_reader(fmt, catalog=catalog)
    stats, rows, rejected = FileStats(path.name, fmt), [], []
    for chunk in reader.chunks(path):
        stats.add(chunk)
        rows += chunk.rows
        rejected += chunk.rejected
    return reader, stats, rows, rejected


def _flow(name: str, **kw) -> FlowInfo:  # type: ignore[no-untyped-def]
    return FlowInfo(name=name, source_system="a", target_system="b", owner="t", **kw)


def _journal(tmp_path: Path) -> Path:
    us = 1_790_000_000_000_000
    base = {"__CURSOR": "s=1;i=1", "_BOOT_ID": "b", "_HOSTNAME": "worker-1", "_TRANSPORT": "journal"}
    lines = [
        {**base, "__REALTIME_TIMESTAMP": str(us), "PRIORITY": "6", "SYSLOG_IDENTIFIER": "systemd", "_PID": "1",
         "_SYSTEMD_UNIT": "init.scope", "UNIT": "pay-sync.service", "MESSAGE": "Starting pay-sync.service - Pay sync..."},
        {**base, "__REALTIME_TIMESTAMP": str(us + 2_000_000), "_SOURCE_REALTIME_TIMESTAMP": str(us + 1_000_000),
         "PRIORITY": "6", "SYSLOG_IDENTIFIER": "pay-sync", "_SYSTEMD_UNIT": "pay-sync.service", "LOGGER": "pay_sync.api",
         "PROCESS_NAME": "MainProcess", "CODE_FILE": "/opt/pay/sync.py", "MESSAGE": "POST /timesheets -> 200",
         "HTTP_STATUS": "200", "DURATION_MS": "344", "RUN_ID": "r1"},
        {**base, "__REALTIME_TIMESTAMP": str(us + 3_000_000), "PRIORITY": "3", "SYSLOG_IDENTIFIER": "pay-sync",
         "_SYSTEMD_UNIT": "pay-sync.service", "LOGGER": "pay_sync.auth", "PROCESS_NAME": "MainProcess",
         "MESSAGE": [116, 111, 107, 101, 110, 32, 114, 101, 102, 114, 101, 115, 104, 32, 102, 97, 105, 108, 101, 100,
                     255], "RUN_ID": "r1"},
        {**base, "__REALTIME_TIMESTAMP": str(us + 4_000_000), "PRIORITY": "4", "SYSLOG_IDENTIFIER": "systemd",
         "_PID": "1", "_SYSTEMD_UNIT": "init.scope", "UNIT": "pay-sync.service",
         "MESSAGE": "pay-sync.service: Failed with result 'exit-code'."},
    ]
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_a_journalctl_json_export_is_read_per_systemds_fields(tmp_path):
    """µs times (the client's own first), syslog PRIORITY, MESSAGE (bytes as numbers), the unit as the flow:
    systemd's own messages about a unit (UNIT=, from init.scope) are that unit's; the app's fields are kept."""
    path = _journal(tmp_path)
    cat = FlowCatalog([_flow("payroll", aliases=["pay-sync"]), _flow("other", loggers=["pay_sync.auth"])])
    _r, stats, rows, rejected = read(path, cat)
    assert rejected == [] and stats.parsed_lines == 4
    assert [r.flow for r in rows] == ["payroll"] * 4
    assert [r.status for r in rows] == ["ok", "ok", "error", "ok"]  # err is 3; warning (4) is no failure
    assert rows[1].ts == 1_790_000_001.0 and rows[0].ts == 1_790_000_000.0
    assert (rows[1].http_status, rows[1].latency_ms, rows[1].correlation_id) == (200, 344.0, "r1")
    assert rows[2].error is not None and rows[2].error.startswith("token refresh failed")
    _r, _s, rows, _rej = read(path)  # no flows.json: the unit's name without its type suffix
    assert {r.flow for r in rows} == {"pay-sync"}
    frame = read_frame([path], catalog=cat)  # and the same through the event table
    assert frame.flows == ["payroll"] and len(frame.events) == 4


def test_a_file_without_a_flow_field_is_the_flow_its_name_holds(tmp_path):
    """No flow field: flows.json names and aliases found in the file name as whole words (`-_./` alike,
    the longest), printed with the mapping; else the stem as before."""
    from odoo_triage.detectors.readers import record_stats
    from odoo_triage.detectors.readers.flows import file_flow

    cat = FlowCatalog([_flow("invoices", aliases=["/aws/lambda/invoice-push"]), _flow("pix", aliases=["pix"]),
                       _flow("pix_refunds", aliases=["pix-refunds"])])
    assert file_flow("cloudwatch_aws-lambda-invoice-push", cat)[0] == "invoices"
    assert file_flow("export_pix_refunds_2026", cat)[0] == "pix_refunds"  # the longest name wins
    assert file_flow("pixel-tracker", cat) == ("pixel-tracker", "the file name")  # whole words only
    assert file_flow("cloudwatch_aws-lambda-invoice-push", None)[0] == "cloudwatch_aws-lambda-invoice-push"
    path = tmp_path / "logs_aws.lambda.invoice-push.jsonl"
    path.write_text(json.dumps({"time": "2026-04-20T08:00:00Z", "status": "ok", "msg": "sent"}) + "\n")
    reader, stats, rows, _rej = read(path, cat)
    assert [r.flow for r in rows] == ["invoices"]
    record_stats(reader, stats)
    assert stats.mapping["flow"].startswith("'invoices' (flows.json name/alias '/aws/lambda/invoice-push'")


RID1, RID2, RID3 = ("9005dbdd-7115-4f7c-b655-e2a88d9f4f98", "c29742c6-e5a0-4439-939b-c91255c717e5",
                    "83cc9481-7ad5-45c8-8212-6065f37c6dd6")


def _cw(stream: str, ms: int, message: str, n: int) -> str:
    return json.dumps({"logStreamName": stream, "timestamp": ms, "message": message, "ingestionTime": ms + 900,
                       "eventId": f"{ms}{n:04d}0000000020441381494949101869222148841390"}) + "\n"


def _lambda_export(tmp_path: Path) -> Path:
    t, a, b = 1_792_991_213_174, "2026/10/26/[41]857cdf35", "2026/10/26/[41]f20bb3eb"
    lines = [
        _cw(a, t, f"START RequestId: {RID1} Version: 41\n", 1),
        _cw(a, t + 5, f"2026-10-26T05:06:53.179Z\t{RID1}\tINFO\t"
            '{"evento": "recebida", "partner_id": 2517, "sqs_message_id": "6e5a"}\n', 2),
        _cw(b, t + 6, f"START RequestId: {RID2} Version: 41\n", 3),  # another environment, interleaved
        _cw(b, t + 9, f"2026-10-26T05:06:53.183Z\t{RID2}\tERROR\tInvoke Error \t"
            '{"errorType": "RejectedError", "errorMessage": "lote rejeitado: E45", "stack": ["at x"]}\n', 4),
        _cw(a, t + 800, f"END RequestId: {RID1}\n", 5),
        _cw(a, t + 801, f"REPORT RequestId: {RID1}\tDuration: 831.33 ms\tBilled Duration: 832 ms\t"
            "Memory Size: 512 MB\tMax Memory Used: 140 MB\tInit Duration: 427.32 ms\t\n", 6),
        _cw(b, t + 3000, f"2026-10-26T05:06:56.174Z {RID2} Task timed out after 3.00 seconds\n\n", 7),
        _cw(b, t + 3001, f"END RequestId: {RID2}\n", 8),
        _cw(b, t + 3002, f"REPORT RequestId: {RID2}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
            "Memory Size: 512 MB\tMax Memory Used: 90 MB\tStatus: timeout\n", 9),
        _cw(a, t + 9000, f"START RequestId: {RID3} Version: $LATEST\n", 10),
        _cw(a, t + 9001, f"[INFO]\t2026-10-26T05:07:02.175Z\t{RID3}\tArquivo recebido: RET_001.ret\n", 11),
        _cw(a, t + 9002, "[ERROR] LayoutError: layout 040 no header\nTraceback (most recent call last):\n"
            '  File "/var/task/app.py", line 88, in handler\n', 12),  # Python: no request id, same stream
        _cw(a, t + 9003, f"END RequestId: {RID3}\n", 13),
        _cw(a, t + 9004, f"REPORT RequestId: {RID3}\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
            "Memory Size: 256 MB\tMax Memory Used: 60 MB\t\n", 14),
    ]
    path = tmp_path / "cloudwatch_aws-lambda-nfse-emissor.jsonl"
    path.write_text("".join(lines))
    return path


def test_a_cloudwatch_export_of_a_lambda_function_is_one_event_per_invocation(tmp_path):
    """START .. REPORT of one request id (Node's and Python's line formats, an Invoke Error, a timeout, a
    traceback without a request id) is one event: its START time, REPORT duration, failed or not, the first
    error, typed record ids; the flow from the log group in the file name; eventId is no idempotency key."""
    path = _lambda_export(tmp_path)
    assert detect_format(path) == "lambda"
    cat = FlowCatalog([_flow("nfse", aliases=["/aws/lambda/nfse-emissor"])])
    reader, stats, rows, rejected = read(path, cat)
    assert rejected == [] and stats.parsed_lines == 14 and len(rows) == 3 and stats.skipped == 14 - 3
    by = {r.correlation_id: r for r in rows}
    one, two, three = by[RID1], by[RID2], by[RID3]
    assert (one.flow, one.status, one.latency_ms, one.ts, one.line_no) == ("nfse", "ok", 831.33, 1_792_991_213.174, 1)
    assert one.record_ids == ("res.partner:2517",) and one.idempotency_key is None
    assert (two.status, two.latency_ms, two.error) == ("error", 3000.0, "RejectedError: lote rejeitado: E45")
    assert (three.status, three.latency_ms) == ("error", 12.5) and three.error.startswith("LayoutError: layout 040")
    assert reader.row_at(path, one.offset, one.line_no) == one and reader.row_at(path, two.offset, 3) == two
    frame = read_frame([path], catalog=cat)
    assert frame.flows == ["nfse"] and len(frame.events) == 3


def test_a_log_stores_own_record_id_is_no_idempotency_key():
    """CloudWatch's eventId (beside logStreamName), also in an envelope, and journald's cursor never repeat:
    no redelivery key. A webhook's own eventId (no log store's field beside it) still is one."""
    from odoo_triage.detectors.readers.inference import infer_mapping

    rows = [{"logStreamName": "s", "timestamp": 1_792_991_213_174 + i, "eventId": f"1792991213{i:046d}",
             "message": "x", "status": "ok"} for i in range(30)]
    m = infer_mapping(rows, fallback_flow="f").mapping
    assert m is not None and m.idempotency_key is None and m.correlation_id is None
    wrapped = [{("envelope." + k if k != "status" else k): v for k, v in r.items()} for r in rows]
    m = infer_mapping(wrapped, fallback_flow="f").mapping
    assert m is not None and m.idempotency_key is None
    hook = [{"time": "2026-04-20T08:00:00Z", "eventId": f"e{i % 20}", "status": "ok", "flow": "h"} for i in range(30)]
    m = infer_mapping(hook).mapping
    assert m is not None and m.idempotency_key == "eventId"


def test_a_payments_end_to_end_id_is_its_idempotency_key():
    """A Pix / ISO 20022 end-to-end id stays the same when the bank resends the notification."""
    from odoo_triage.detectors.readers.inference import infer_mapping

    rows = [{"timestamp": "2026-10-26T03:52:02Z", "flow": "pix", "severity": "INFO",
             "jsonPayload": {"endToEndId": f"E6070119020261026{i:016d}", "txid": f"t{i}"}} for i in range(20)]
    from odoo_triage.detectors.readers.inference import flatten

    m = infer_mapping([flatten(r) for r in rows]).mapping
    assert m is not None and m.idempotency_key == "jsonPayload.endToEndId"


def test_a_lambda_export_in_log_format_json_is_read_the_same(tmp_path):
    """LogFormat JSON: platform.start / runtimeDone / report objects and the app's JSON lines."""
    t, s = 1_792_991_213_174, "2026/10/26/[$LATEST]e1eb"
    lines = [
        _cw(s, t, json.dumps({"time": "2026-10-26T05:06:53.174Z", "type": "platform.start",
                              "record": {"requestId": RID1, "version": "$LATEST"}}), 1),
        _cw(s, t + 5, json.dumps({"timestamp": "2026-10-26T05:06:53.179Z", "level": "ERROR", "requestId": RID1,
                                  "errorType": "TypeError", "errorMessage": "x is undefined", "partner_id": 7}), 2),
        _cw(s, t + 9, json.dumps({"time": "2026-10-26T05:06:53.183Z", "type": "platform.runtimeDone",
                                  "record": {"requestId": RID1, "status": "failure"}}), 3),
        _cw(s, t + 10, json.dumps({"time": "2026-10-26T05:06:53.184Z", "type": "platform.report",
                                   "record": {"requestId": RID1, "status": "failure",
                                              "metrics": {"durationMs": 9.5, "billedDurationMs": 10}}}), 4),
    ]
    path = tmp_path / "lambda.jsonl"
    path.write_text("".join(lines))
    assert detect_format(path) == "lambda"
    _r, _stats, rows, rejected = read(path)
    assert rejected == [] and len(rows) == 1
    row = rows[0]
    assert row.record_ids == ("res.partner:7",)
    assert (row.status, row.latency_ms, row.error, row.correlation_id) == ("error", 9.5, "TypeError: x is undefined",
                                                                           RID1)
