"""log4j / logback pattern logs (Kafka Connect, Spring Boot, logback defaults): records, stack traces, flows."""

from __future__ import annotations

from pathlib import Path

from odoo_triage.core.domain import FlowInfo
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import detect_format
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.java_log import JavaLogReader, connector_of, root_cause

KAFKA = [
    "[2026-09-07 05:07:18,079] DEBUG [sales-sink|task-0] Received 1 records. First record kafka coordinates:"
    "(orders-0-42). (io.confluent.connect.jdbc.sink.JdbcSinkTask:91)",
    "[2026-09-07 05:07:19,001] INFO [Worker clientId=connect-1, groupId=connect-cluster] Rebalance started"
    " (org.apache.kafka.connect.runtime.distributed.WorkerCoordinator:225)",
    "[2026-09-07 05:07:20,500] WARN [sales-sink|task-0] Write of 3 records failed, remainingRetries=9"
    " (io.confluent.connect.jdbc.sink.JdbcSinkTask:101)",
    "",
    "[2026-09-07 05:07:21,000] ERROR [sales-sink|task-0] WorkerSinkTask{id=sales-sink-0} Task threw an uncaught"
    " and unrecoverable exception. Task is being killed (org.apache.kafka.connect.runtime.WorkerTask:212)",
    "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.",
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:618)",
    "Caused by: java.sql.SQLException: duplicate key value violates unique constraint",
    "\t... 12 more",
    "[2026-09-07 05:07:22,000] INFO [other-source|task-1] Polled 5 records (io.debezium.connector.Poller:50)",
]
CATALOG = [FlowInfo(name="sales_orders", source_system="Kafka", target_system="DWH", owner="data team",
                    aliases=["sales-sink"])]


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_kafka_connect_log_is_sniffed_before_logfmt(tmp_path):
    assert detect_format(_write(tmp_path, "connect.log", KAFKA)) == "java_log"
    spring = "2026-09-07 05:07:18.079  INFO 1234 --- [main] o.s.b.StartupInfoLogger : Started App in 2 s"
    assert detect_format(_write(tmp_path, "app.log", [spring])) == "java_log"


def test_kafka_connect_records_stack_trace_folded_and_flows_by_alias(tmp_path):
    path = _write(tmp_path, "connect.log", KAFKA)
    frame = read_frame([path], catalog=CATALOG)
    st = frame.stats[path.name]
    assert st.lines == 10 == st.parsed_lines + st.set_aside_lines + st.blank
    assert (st.events, st.skipped, st.blank, st.set_aside_lines) == (3, 2, 1, 0)
    assert frame.flows == ["sales_orders"]
    events = [frame.log_event(i) for i in range(3)]
    assert [e.status for e in events] == ["ok", "retry", "error"]
    assert events[2].error == "java.sql.SQLException: duplicate key value violates unique constraint"
    assert events[2].operation == "WorkerTask"
    assert dict(st.skip_reasons) == {"runtime housekeeping (no connector context, runtime logger)": 1}
    assert list(st.unattributed) == ["connector other-source (no flow in flows.json claims it: skipped)"]


def test_without_catalog_a_connector_is_its_own_flow_reported(tmp_path):
    path = _write(tmp_path, "connect.log", KAFKA)
    frame = read_frame([path])
    assert sorted(frame.flows) == ["other-source", "sales-sink"]
    assert any("became its own flow" in k for k in frame.stats[path.name].unattributed)


def test_spring_boot_and_logback_flows_by_logger_prefix(tmp_path):
    lines = [
        "2026-09-07 05:07:18.079  INFO 1234 --- [main] o.s.b.StartupInfoLogger : Started App in 2 s",
        "2026-09-07T05:08:00.000+02:00 ERROR 1234 --- [app] [exec-1] com.acme.sync.InvoicePush : push failed",
        "com.acme.sync.PushException: HTTP 502 from upstream",
        "\tat com.acme.sync.InvoicePush.run(InvoicePush.java:40)",
        "2026-09-07 05:09:00,000 [pool-2] WARN  com.acme.sync.InvoicePush - retrying in 5 s",
        "2026-09-07 05:09:30,000 INFO  [pool-2] com.acme.other.Thing - hello",
        "2026-09-07 05:09:40,000 WARN  [pool-2] com.acme.sync.InvoicePush - slow upstream",
    ]
    path = _write(tmp_path, "app.log", lines)
    cat = [FlowInfo(name="invoices", source_system="Odoo", target_system="ERP", owner="x",
                    loggers=["com.acme.sync"])]
    frame = read_frame([path], catalog=cat)
    st = frame.stats[path.name]
    assert (st.events, st.skipped, st.lines, st.parsed_lines) == (3, 2, 7, 7)
    first, second = frame.log_event(0), frame.log_event(1)
    assert (first.status, first.error) == ("error", "com.acme.sync.PushException: HTTP 502 from upstream")
    assert first.timestamp.hour == 3  # +02:00 is honoured
    assert second.status == "retry"
    assert frame.log_event(2).status == "ok"  # a WARN that names no retry
    assert list(st.unattributed) == ["com.acme.other.Thing (no flow in flows.json claims it: skipped)"]


def test_trace_before_any_record_is_set_aside_and_bad_layout_rejected(tmp_path):
    lines = ["\tat a.b.C.d(C.java:1)", KAFKA[0], "[2026-09-07 05:07:18,079] NOTALEVEL something odd"]
    path = _write(tmp_path, "connect.log", lines)
    frame = read_frame([path], catalog=CATALOG)
    st = frame.stats[path.name]
    assert (st.events, st.set_aside_lines, st.rejected) == (1, 2, 2)


def test_row_at_rereads_an_event_with_its_trace(tmp_path):
    path = _write(tmp_path, "connect.log", KAFKA)
    reader = JavaLogReader(FlowCatalog(CATALOG))
    rows = [r for c in reader.chunks(path) for r in c.rows]
    again = reader.row_at(path, rows[2].offset, rows[2].line_no)
    assert again == rows[2]


def test_helpers():
    assert connector_of("sink|task-0") == "sink"
    assert connector_of("main") is None
    assert root_cause(["x.y.FooException: a", "Caused by: p.BarError: b", "Caused by: q.Root: c"]) == "q.Root: c"
    assert root_cause(["x.y.FooException: a", "\tat z"]) == "x.y.FooException: a"


def test_naive_times_shift_only_by_a_zone_given_for_the_file(tmp_path):
    from odoo_triage.core.settings import ReaderSettings

    path = _write(tmp_path, "connect.log", KAFKA[:1])
    plain = JavaLogReader(FlowCatalog(CATALOG), ReaderSettings(naive_timezone="Europe/Madrid"))
    given = JavaLogReader(FlowCatalog(CATALOG), ReaderSettings(naive_time_zones={"connect.log": "+02:00"}))
    ts_plain = next(iter(plain.chunks(path))).rows[0].ts
    ts_given = next(iter(given.chunks(path))).rows[0].ts
    assert ts_plain - ts_given == 7200
