"""JSON / CSV line shapes beyond a flat mapping (#13): nested flows, structlog loggers as flows with
flows.json `loggers`, exception-class fields, record-id fields as structured refs, control lines
skipped with a reason; announced maintenance in its own zone and German duplicates as data quality (#14).
Every input is a small hand-written line, not an estate's file."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from odoo_triage.agent.causes import classify, read_signals
from odoo_triage.core.domain import Cause, FlowInfo
from odoo_triage.core.settings import CalendarSettings, ReaderSettings
from odoo_triage.detectors.calendar import announced_windows, build_calendar, zone_named
from odoo_triage.detectors.readers import FileStats, FlowCatalog, make_reader
from odoo_triage.detectors.readers.inference import infer_mapping
from odoo_triage.detectors.readers.shapes import GENERIC, record_model


def _flow(**kw: object) -> FlowInfo:
    return FlowInfo.model_validate({"source_system": "A", "target_system": "Odoo", "owner": "ops@firm.example", **kw})


def _write(tmp_path: Path, name: str, objs: list[dict]) -> Path:  # type: ignore[type-arg]
    p = tmp_path / name
    p.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return p


def _read(path: Path, catalog: FlowCatalog | None = None, fmt: str = "jsonl"):  # type: ignore[no-untyped-def]
    reader = make_reader(fmt, catalog=catalog)
    stats, rows = FileStats(path.name, fmt), []
    for chunk in reader.chunks(path):
        stats.add(chunk)
        rows += chunk.rows
    assert stats.parsed_lines + stats.set_aside_lines + stats.blank == stats.lines
    return reader, stats, rows


def _ts(i: int) -> str:
    return f"2026-05-04T{8 + i // 60:02d}:{i % 60:02d}:00Z"


def test_nested_workflow_name_success_flag_and_error_message(tmp_path: Path) -> None:
    objs = [{"ts": _ts(i), "eventName": "wf.success", "payload": {"workflowName": "Orders -> Odoo", "success": True,
                                                                 "executionId": str(i)}} for i in range(30)]
    objs.append({"ts": _ts(40), "eventName": "wf.failed", "payload": {
        "workflowName": "Orders -> Odoo", "success": False, "executionId": "99", "errorMessage": "401 invalid_grant"}})
    reader, stats, rows = _read(_write(tmp_path, "events.log", objs))
    m = reader.inferred.mapping
    assert (m.flow, m.status, m.error) == ("payload.workflowName", "payload.success", "payload.errorMessage")
    assert {r.flow for r in rows} == {"Orders -> Odoo"}
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 1 and failed[0].error == "401 invalid_grant"
    assert stats.events == 31


def test_error_fields_seen_only_past_the_sample_are_found(tmp_path: Path) -> None:
    ok = [{"time": _ts(i % 600), "flow": "crm", "status": "ok"} for i in range(1500)]
    bad = [{"time": _ts(1), "flow": "crm", "status": "failed", "error_message": "boom"}]
    _reader, _stats, rows = _read(_write(tmp_path, "crm.jsonl", ok + bad))
    assert [r.error for r in rows if r.status == "error"] == ["boom"]


def test_structlog_logger_is_the_flow_and_flows_json_loggers_claim_it(tmp_path: Path) -> None:
    objs = [{"event": "sync.run.started", "level": "info", "logger": "hr_sync", "timestamp": _ts(0)}]
    objs += [{"event": "employee.upserted", "level": "info", "logger": "hr_sync.employees", "timestamp": _ts(i),
              "hr_employee_id": 100 + i, "personio_id": 4000 + i} for i in range(1, 20)]
    objs.append({"event": "employee.upsert_failed", "level": "error", "logger": "hr_sync.employees",
                 "timestamp": _ts(30), "employee_id": 7, "error": "odoo.exceptions.AccessError",
                 "error_message": "You are not allowed to modify Employee (hr.employee) records."})
    path = _write(tmp_path, "hr.jsonl", objs)
    cat = FlowCatalog([_flow(name="employees", loggers=["hr_sync.employees"], models=["hr.employee"])])
    reader, stats, rows = _read(path, cat)
    assert reader.inferred.mapping.flow == "logger"
    assert {r.flow for r in rows} == {"employees"}
    assert stats.skipped == 1 and stats.unattributed == Counter(
        {"hr_sync (no flow in flows.json claims it: skipped)": 1})
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 1
    assert failed[0].error.startswith("odoo.exceptions.AccessError: You are not allowed")
    assert failed[0].record_ids == ("hr.employee:7",)
    assert rows[0].record_ids == ("hr.employee:101",)  # personio_id is the other system's id: never taken
    # without flows.json the logger itself is the flow, nothing skipped
    _r, stats2, rows2 = _read(path)
    assert stats2.skipped == 0 and {r.flow for r in rows2} == {"hr_sync", "hr_sync.employees"}


def test_level_error_and_boolean_success_false_mean_failed() -> None:
    rows = [{"timestamp": _ts(i), "logger": "billing", "level": lv} for i, lv in
            enumerate(["info", "ERROR", "critical", "warning"])]
    inf = infer_mapping(rows)
    assert inf.mapping is not None and inf.mapping.flow == "logger" and inf.mapping.level == "level"
    assert "flow<-logger" in inf.describe() and inf.confidence > 0


def test_control_lines_are_skipped_with_a_reason_not_set_aside(tmp_path: Path) -> None:
    objs = []
    for i in range(20):
        objs.append({"__type": "$$EventMessageWorkflow", "id": f"m{i}", "ts": _ts(i),
                     "payload": {"workflowName": "Invoices", "success": True}})
        objs.append({"__type": "$$EventMessageConfirm", "confirm": f"m{i}", "ts": _ts(i),
                     "source": {"id": "0", "name": "eventBus"}})
    objs.append({"type": "heartbeat", "ts": _ts(50)})
    _reader, stats, rows = _read(_write(tmp_path, "bus.log", objs))
    assert stats.events == 20 and stats.skipped == 21 and stats.rejected == 0
    assert stats.skip_reasons == Counter({"control line (acknowledgement / heartbeat), not an event": 21})
    assert "skipped_reasons" in stats.as_dict()
    assert {r.flow for r in rows} == {"Invoices"}


def test_a_line_without_flow_that_is_no_control_line_is_still_set_aside(tmp_path: Path) -> None:
    objs = [{"type": "order", "ts": _ts(i), "payload": {"workflowName": "Invoices"}} for i in range(10)]
    objs.append({"type": "order.created", "ts": _ts(20)})  # no flow, but not bookkeeping
    _reader, stats, _rows = _read(_write(tmp_path, "x.log", objs))
    assert stats.events == 10 and stats.rejected == 1 and stats.skipped == 0


def test_record_id_field_names_and_the_model_they_say() -> None:
    cfg = ReaderSettings()
    assert record_model("partner_id", cfg) == "res.partner"
    assert record_model("content.odooPartnerId", cfg) == "res.partner"
    assert record_model("hr_employee_id", cfg) == "hr.employee"
    assert record_model("invoice_id", cfg) == "account.move"
    assert record_model("project_id", cfg) == "project.project"
    assert record_model("res_partner_id", cfg) == "res.partner"
    assert record_model("odoo_id", cfg) == GENERIC and record_model("res_id", cfg) == GENERIC
    for external in ("personio_id", "objectId", "portalId", "eventId", "personio_absence_id", "user_id", "run_id"):
        assert record_model(external, cfg) is None, external


def test_generic_record_ids_take_the_model_of_the_line_or_of_the_flow(tmp_path: Path) -> None:
    objs = [{"time": _ts(i), "route": "/hooks/contacts", "status": 200, "odoo_model": "res.partner", "odoo_id": 10 + i}
            for i in range(10)]
    objs += [{"time": _ts(20), "route": "/hooks/contacts", "status": 422, "odoo_id": None,
              "error_type": "odoo.exceptions.ValidationError", "error": "VAT already exists"}]
    path = _write(tmp_path, "bridge.jsonl", objs)
    cat = FlowCatalog([_flow(name="contacts", endpoints=["/hooks/contacts"], models=["res.partner"])])
    _reader, _stats, rows = _read(path, cat)
    assert {r.flow for r in rows} == {"contacts"}
    assert rows[0].record_ids == ("res.partner:10",)
    assert rows[-1].record_ids == () and rows[-1].error == "odoo.exceptions.ValidationError: VAT already exists"
    # no model field on the line: the flow's only model in flows.json
    objs2 = [{"time": _ts(i), "route": "/hooks/contacts", "status": 200, "record_id": 5 + i} for i in range(10)]
    _r, _s, rows2 = _read(_write(tmp_path, "b2.jsonl", objs2), cat)
    assert rows2[0].record_ids == ("res.partner:5",)


def test_error_code_field_is_the_error_class(tmp_path: Path) -> None:
    objs = [{"timestamp": _ts(i), "integration": "shop", "outcome": "success"} for i in range(10)]
    objs.append({"timestamp": _ts(11), "integration": "shop", "outcome": "failure", "errorCode": "RATE_LIMITED",
                 "reason": "slow down"})
    _reader, _stats, rows = _read(_write(tmp_path, "shop.jsonl", objs))
    assert rows[-1].error == "RATE_LIMITED: slow down"


def test_csv_logs_use_flows_json_loggers_and_record_ids(tmp_path: Path) -> None:
    p = tmp_path / "export.csv"
    p.write_text("timestamp,logger,level,partner_id,message\n" + "".join(
        f"2026-05-04 08:{i:02d}:00,crm.partners,INFO,{i + 1},saved\n" for i in range(10)), encoding="utf-8")
    cat = FlowCatalog([_flow(name="crm", loggers=["crm"])])
    _reader, _stats, rows = _read(p, cat, fmt="csv")
    assert {r.flow for r in rows} == {"crm"} and rows[0].record_ids == ("res.partner:1",)


# --------------------------------------------------------------------------- calendar


def _odoo_log(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "odoo.log"
    p.write_text(f"2026-05-04 07:00:02,114 1187 INFO prod odoo.addons.x.models.y: {text}\n", encoding="utf-8")
    return p


def test_announced_maintenance_in_local_time_with_a_zone_name(tmp_path: Path) -> None:
    log = _odoo_log(tmp_path, "Planned maintenance: all integrations paused from 2026-05-06 20:00 to "
                              "2026-05-06 23:30 Europe/Vienna")
    (w,) = announced_windows([log], [])
    assert (w.start, w.end) == (datetime(2026, 5, 6, 18, 0, tzinfo=UTC), datetime(2026, 5, 6, 21, 30, tzinfo=UTC))


def test_announced_maintenance_with_abbreviations_and_offsets(tmp_path: Path) -> None:
    cases = {"from 2026-05-06 20:00 to 2026-05-06 23:30 CET/CEST": 18,  # local time in May is +02:00
             "from 2026-05-06 20:00 CET to 2026-05-06 23:30 CET": 19,
             "from 2026-05-06 20:00+02:00 to 2026-05-06 23:30+02:00": 18,
             "between 2026-05-06 20:00 and 2026-05-06 23:30 UTC": 20}
    for text, hour in cases.items():
        (w,) = announced_windows([_odoo_log(tmp_path, f"maintenance {text}")], [])
        assert w.start == datetime(2026, 5, 6, hour, 0, tzinfo=UTC), text
    assert zone_named("Mars/Olympus") is None
    assert announced_windows([_odoo_log(tmp_path, "maintenance from 2026-05-06 20:00 to 2026-05-06 23:30 "
                                                  "Mars/Olympus")], []) == []


def test_announced_maintenance_in_us_dates_with_a_12_hour_clock(tmp_path: Path) -> None:
    cases = {"will be unavailable from 11/10/2026 07:00 PM CST to 11/10/2026 09:00 PM CST": (11, 1),
             "from 11/10/2026 07:00 p.m. EST to 11/10/2026 09:00 p.m. EST": (11, 0),
             "from 11/10/2026 12:30 AM to 11/10/2026 02:00 AM UTC": (10, 0),  # 12:30 AM is half past midnight
             "from 13/10/2026 19:00 to 13/10/2026 21:00 UTC": (13, 19),  # a 24-hour clock stays day-first
             "from 10/13/2026 19:00 to 10/13/2026 21:00 UTC": (13, 19)}  # a second part over 12: month-first
    for text, (day, hour) in cases.items():
        (w,) = announced_windows([_odoo_log(tmp_path, f"Scheduled maintenance: {text}")], [])
        assert (w.start.day, w.start.hour) == (day, hour), text
    assert announced_windows([_odoo_log(tmp_path, "maintenance from 11/10/2026 13:00 PM to 11/10/2026 14:00 PM")],
                             []) == []  # no 13 o'clock on a 12-hour clock


def test_announced_maintenance_as_a_day_and_two_times(tmp_path: Path) -> None:
    cases = {"mantenimiento programado el sábado 03/10/2026 de 09:00 a 12:00 UTC": ((3, 9), (3, 12)),
             "maintenance on 2026-10-03 from 22:00 to 02:00 UTC": ((3, 22), (4, 2)),  # ends the next morning
             "Wartung am 03.10.2026 zwischen 09:00 und 12:00 CEST": ((3, 7), (3, 10))}
    for text, (start, end) in cases.items():
        (w,) = announced_windows([_odoo_log(tmp_path, text)], [])
        assert ((w.start.day, w.start.hour), (w.end.day, w.end.hour)) == (start, end), text
    assert announced_windows([_odoo_log(tmp_path, "maintenance done, 03/10/2026 report: 1 of 12 to 14 ok")], []) == []


def test_announcement_without_zone_uses_the_country_zone_else_utc(tmp_path: Path) -> None:
    log = _odoo_log(tmp_path, "maintenance from 2026-05-06 20:00 to 2026-05-06 23:30")
    at = build_calendar(CalendarSettings(country="AT"), [_flow(name="a")], [log])
    assert at.announced[0].start == datetime(2026, 5, 6, 18, 0, tzinfo=UTC)
    by_flow = build_calendar(CalendarSettings(), [_flow(name="a", country="GB")], [log])
    assert by_flow.announced[0].start == datetime(2026, 5, 6, 19, 0, tzinfo=UTC)
    nowhere = build_calendar(CalendarSettings(), [_flow(name="a")], [log])
    assert nowhere.announced[0].start == datetime(2026, 5, 6, 20, 0, tzinfo=UTC)
    told = build_calendar(CalendarSettings(country="AT", timezone="UTC"), [_flow(name="a")], [log])
    assert told.announced[0].start == datetime(2026, 5, 6, 20, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- causes


def test_a_422_naming_a_duplicate_is_data_quality_in_english_and_german() -> None:
    texts = [
        "odoo.exceptions.ValidationError: Die USt-IdNr. ATU12345678 ist bereits dem Kontakt „Muster GmbH“ "
        "(ID 1305) zugeordnet.",
        "Kunde mit dieser UID existiert bereits",
        "Die E-Mail-Adresse ist bereits vorhanden",
        "HTTP 422: a partner with VAT BE0123456789 already exists",
        'duplicate key value violates unique constraint "res_partner_email_uniq"',
    ]
    for t in texts:
        assert read_signals(t).duplicate in ("vat", "email"), t
        v = classify(["error_spike"], Counter({422: 12}), t)
        assert v.cause == Cause.data_quality and not v.retry_safe, t
    plain = classify(["error_spike"], Counter({422: 12}), "422 Unprocessable Entity: field 'vat' is not valid")
    assert plain.cause == Cause.schema_validation


def test_announcements_in_french_german_and_day_first_dates(tmp_path: Path) -> None:
    cases = {
        "Maintenance planifiée : synchronisations suspendues du 06/05/2026 20:00 au 06/05/2026 23:59 (heure de Paris)":
            (datetime(2026, 5, 6, 18, 0, tzinfo=UTC), datetime(2026, 5, 6, 21, 59, tzinfo=UTC)),
        "Wartungsfenster von 06.05.2026 20:00 bis 06.05.2026 23:30 Europe/Vienna":
            (datetime(2026, 5, 6, 18, 0, tzinfo=UTC), datetime(2026, 5, 6, 21, 30, tzinfo=UTC)),
        "mantenimiento programado desde 2026-05-06 20:00 hasta 2026-05-06 22:00 +02:00":
            (datetime(2026, 5, 6, 18, 0, tzinfo=UTC), datetime(2026, 5, 6, 20, 0, tzinfo=UTC)),
    }
    for text, window in cases.items():
        log = _odoo_log(tmp_path, text)
        cal = build_calendar(CalendarSettings(country="FR"), [_flow(name="a")], [log])
        assert [(w.start, w.end) for w in cal.announced] == [window], text
    # a date that is no date is no window
    assert announced_windows([_odoo_log(tmp_path, "maintenance du 31/02/2026 20:00 au 31/02/2026 23:00")], []) == []


def test_server_down_errors_inside_announced_maintenance_are_no_incident(tmp_path: Path) -> None:
    from odoo_triage.detectors.pipeline import run_detection

    t0 = datetime(2026, 5, 4, tzinfo=UTC).timestamp()
    lines = [json.dumps({"ts": t0 + i * 600, "flow": "bank", "status": "ok", "latency_ms": 80})
             for i in range(10 * 144)]
    outage = t0 + 8 * 86400 + 20 * 3600  # day 9, 20:00 UTC
    lines += [json.dumps({"ts": outage + i * 120, "flow": "bank", "status": "error", "http_status": 503,
                          "error": "503 Service Unavailable: odoo is down for maintenance"}) for i in range(20)]
    log = tmp_path / "bank.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kinds = {a.kind.value for a in run_detection([log]).anomalies}
    assert kinds & {"error_spike", "new_error_signature"}  # unannounced, the 503s are an incident
    odoo = tmp_path / "odoo.log"
    odoo.write_text("2026-05-10 07:00:02,114 1187 INFO prod odoo.addons.ops.models.notice: maintenance "
                    "from 2026-05-12 19:30 to 2026-05-12 21:30 UTC\n", encoding="utf-8")
    assert run_detection([log, odoo]).anomalies == []
    # an announcement is only a log line: it never hides failures that are not the server being down
    rejected = [line.replace('"http_status": 503', '"http_status": 422').replace("503 Service Unavailable: odoo is "
                                                                                 "down for maintenance",
                                                                                 "ValidationError: VAT is invalid")
                for line in lines]
    log.write_text("\n".join(rejected) + "\n", encoding="utf-8")
    assert {a.kind.value for a in run_detection([log, odoo]).anomalies} & {"error_spike", "new_error_signature"}


def test_announcements_in_brazilian_portuguese_and_australian_zones(tmp_path: Path) -> None:
    """pt_BR wording ("manutenção ... das 22:00 às 23:59 (horário de Brasília)") and the abbreviations
    Australians write (AEDT), each read in its own zone, not UTC."""
    cases = {
        "AVISO: manutenção programada do Odoo no sábado, 14/11/2026, das 22:00 às 23:59 (horário de Brasília) "
        "para atualização de módulos.":
            (datetime(2026, 11, 15, 1, 0, tzinfo=UTC), datetime(2026, 11, 15, 2, 59, tzinfo=UTC)),
        "Scheduled maintenance: Odoo will be unavailable from 13/10/2026 19:30 to 13/10/2026 21:00 AEDT "
        "for the monthly update.":
            (datetime(2026, 10, 13, 8, 30, tzinfo=UTC), datetime(2026, 10, 13, 10, 0, tzinfo=UTC)),
    }
    for text, window in cases.items():
        (w,) = announced_windows([_odoo_log(tmp_path, text)], [])
        assert (w.start, w.end) == window, text
    # without a zone written, the country's: Brazil is Brasília time
    log = _odoo_log(tmp_path, "manutenção programada em 14/11/2026 das 22:00 às 23:00")
    (w,) = build_calendar(CalendarSettings(country="BR"), [_flow(name="a")], [log]).announced
    assert w.start == datetime(2026, 11, 15, 1, 0, tzinfo=UTC)
    assert zone_named("Horario de Brasilia") is not None and zone_named("AEST") is not None
