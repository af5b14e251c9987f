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
