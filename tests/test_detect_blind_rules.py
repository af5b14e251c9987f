"""General rules a blind estate exposed (#13 #14), each on a small hand-made input: incidents on the first
days are found (the baseline is judged leave-one-day-out), low-volume spikes are pooled over their run,
an HTTP status only written in the error text counts as one, numeric status vocabularies are data, and a
file that ends is no silent flow."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from odoo_triage.core.calendar import MaintenanceWindow
from odoo_triage.core.domain import AnomalyKind, FlowInfo
from odoo_triage.core.settings import CalendarSettings, DetectorSettings, ReaderSettings, VolumeSettings
from odoo_triage.detectors.calendar import announced_windows, build_calendar
from odoo_triage.detectors.checks.rates import flagged_runs
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.detectors.readers.inference import infer_mapping
from odoo_triage.detectors.readers.mapping import FieldMapping
from odoo_triage.detectors.time_alignment import export_utc_offsets

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def steady(flow: str, days: int = 14, per_hour: int = 5, hours: range = range(8, 18), step_min: int = 0,
           ) -> list[dict]:
    """A flow with `per_hour` successful events every business hour of every weekday, no failure."""
    out = []
    for d in range(days):
        day = START + timedelta(days=d)
        if day.weekday() >= 5:
            continue
        for h in hours:
            for k in range(per_hour):
                t = day + timedelta(hours=h, minutes=k * (60 // per_hour) + step_min)
                out.append({"ts": iso(t), "flow": flow, "status": "ok", "latency_ms": 120.0})
    return out


def write(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in sorted(events, key=lambda e: e.get("ts", ""))), encoding="utf-8")
    return path


def fail(events: list[dict], flow: str, t0: datetime, t1: datetime, n: int, error: str) -> list[dict]:
    hit = [e for e in events if e["flow"] == flow and iso(t0) <= e["ts"] < iso(t1)][:n]
    assert len(hit) == n
    for e in hit:
        e.update(status="error", error=error)
    return events


def kinds(det, flow: str) -> list[AnomalyKind]:  # type: ignore[no-untyped-def]
    return [a.kind for a in det.anomalies if a.flow == flow]


# ------------------------------------------------------------------ an incident in the baseline days


def _early_spike(tmp_path: Path) -> Path:
    ev = steady("invoices")
    day2 = START + timedelta(days=2)  # Wednesday of the first (baseline) week
    fail(ev, "invoices", day2 + timedelta(hours=9), day2 + timedelta(hours=11), 6,
         "Unprocessable Entity: customer VAT number is not valid")
    return write(tmp_path / "app.jsonl", ev)


def test_a_low_volume_spike_on_the_first_days_is_found(tmp_path: Path) -> None:
    det = run_detection([_early_spike(tmp_path)])
    spikes = [a for a in det.anomalies if a.flow == "invoices" and a.kind == AnomalyKind.error_spike]
    assert len(spikes) == 1, det.anomalies
    assert spikes[0].window_start.date() == (START + timedelta(days=2)).date()
    assert spikes[0].metrics["errors"] == 6
    assert len(det.anomalies) == 1  # nothing else in a flow that never fails otherwise


def test_without_judging_the_baseline_the_early_spike_is_part_of_normal(tmp_path: Path) -> None:
    det = run_detection([_early_spike(tmp_path)], settings=DetectorSettings(judge_baseline=False))
    assert AnomalyKind.error_spike not in kinds(det, "invoices")


def test_one_stray_failure_a_day_in_the_baseline_is_no_spike(tmp_path: Path) -> None:
    ev = steady("invoices")
    for d in (0, 1, 2, 3, 4):
        t = START + timedelta(days=d, hours=10)
        fail(ev, "invoices", t, t + timedelta(hours=1), 1, "read timeout")
    det = run_detection([write(tmp_path / "app.jsonl", ev)])
    assert det.anomalies == []


# ------------------------------------------------------------------ HTTP status in the error text


@pytest.mark.parametrize("columnar", [True, False])
@pytest.mark.parametrize(("text", "code"), [
    ("[503] Service Unavailable: odoo.example.com (module Odoo > Create record)", 503),
    ("502 Bad Gateway", 502), ("upstream answered HTTP 504 after 30 s", 504), ("HTTP/1.1 503", 503),
    ("[401] invalid_grant: refresh token revoked", 401), ("order 123 failed after 500 ms", 0),
    ("503 Server Error: Service Unavailable for url: https://api.example.com/v1", 503),
    ("unexpected answer <Response [502]>", 502),
])
def test_a_failed_event_takes_the_http_status_its_error_text_names(tmp_path: Path, columnar: bool, text: str,
                                                                    code: int) -> None:
    ev = [{"ts": "2026-03-02T10:00:00Z", "flow": "bank", "error": text},
          {"ts": "2026-03-02T10:05:00Z", "flow": "bank", "note": "ok, 503 records"}]
    frame = read_frame([write(tmp_path / "make.jsonl", ev)], columnar=columnar)
    assert frame.events["http"].tolist() == [code, 0]
    assert frame.events["status"].tolist()[1] != frame.events["status"].tolist()[0]


def test_server_down_failures_named_only_in_the_text_are_hidden_by_a_maintenance_window(tmp_path: Path) -> None:
    ev = steady("bank", hours=range(0, 24), per_hour=4)
    eve = START + timedelta(days=8, hours=18)  # a Tuesday evening of the second week
    fail(ev, "bank", eve, eve + timedelta(hours=4), 16, "[503] Service Unavailable: odoo.example.com")
    for e in ev:
        e.pop("status", None)
    path = write(tmp_path / "make.jsonl", ev)
    window = MaintenanceWindow(start=eve - timedelta(minutes=5), end=eve + timedelta(hours=4, minutes=5),
                               reason="upgrade")
    calm = run_detection([path], calendar=CalendarSettings(maintenance=[window]))
    assert kinds(calm, "bank") == []
    loud = run_detection([path])  # the same failures without an announced window are an incident
    assert AnomalyKind.error_spike in kinds(loud, "bank") or AnomalyKind.new_error_signature in kinds(loud, "bank")


@pytest.mark.parametrize("same_run", [True, False])
def test_a_runs_own_failure_beside_a_refused_step_is_server_down_too(tmp_path: Path, same_run: bool) -> None:
    ev = steady("bank", hours=range(0, 24), per_hour=4)
    eve = START + timedelta(days=8, hours=18)
    fail(ev, "bank", eve, eve + timedelta(hours=4), 16, "502 Bad Gateway: nginx")
    for i, e in enumerate(ev):
        e["run_id"] = f"run-{i}"
    wrappers = [{"ts": e["ts"], "flow": "bank", "status": "error", "error": "An action failed. No dependent actions "
                 "succeeded.", "run_id": e["run_id"] if same_run else f"other-{i}"}
                for i, e in enumerate(x for x in ev if x.get("error"))]
    window = MaintenanceWindow(start=eve - timedelta(minutes=5), end=eve + timedelta(hours=4, minutes=5))
    det = run_detection([write(tmp_path / "runs.jsonl", ev + wrappers)], calendar=CalendarSettings(maintenance=[window]),
                        mapping=FieldMapping(timestamp="ts", flow="flow", status="status", error="error",
                                             correlation_id="run_id"))
    assert (kinds(det, "bank") == []) is same_run  # a run of its own that failed otherwise is not hidden


@pytest.mark.parametrize(("text", "hidden"), [
    ("connect ECONNREFUSED 10.0.0.5:8069", True), ("Connection timed out while calling odoo.example.com", True),
    ("ValidationError: the VAT number is not valid", False)])
def test_server_down_in_words_only_is_hidden_by_a_maintenance_window(tmp_path: Path, text: str, hidden: bool) -> None:
    ev = steady("bank", hours=range(0, 24), per_hour=4)
    eve = START + timedelta(days=8, hours=18)
    fail(ev, "bank", eve, eve + timedelta(hours=4), 16, text)
    window = MaintenanceWindow(start=eve - timedelta(minutes=5), end=eve + timedelta(hours=4, minutes=5))
    det = run_detection([write(tmp_path / "n8n.jsonl", ev)], calendar=CalendarSettings(maintenance=[window]))
    assert (kinds(det, "bank") == []) is hidden


# ------------------------------------------------------------------ numeric status vocabularies


def test_make_numeric_status_codes_are_read_through_the_settings_vocabulary(tmp_path: Path) -> None:
    rows = [{"timestamp": "2026-03-02T10:00:00Z", "scenarioName": "bank", "status": s, "duration": 900}
            for s in (1, 1, 2, 1, 3, 1)]
    inferred = infer_mapping(rows)
    assert inferred.mapping is not None and inferred.mapping.status == "status"
    assert inferred.mapping.status_values == {"1": "success", "2": "warning", "3": "error"}
    assert inferred.fields["status"][1] > 0.9
    for columnar in (True, False):
        frame = read_frame([write(tmp_path / "exec.jsonl", [dict(r, timestamp=f"2026-03-02T10:0{i}:00Z")
                                                            for i, r in enumerate(rows)])], columnar=columnar)
        assert frame.events["status"].tolist() == [0, 0, 2, 0, 1, 0]  # OK, RETRY (a warning), ERROR


def test_numbers_outside_every_vocabulary_are_not_a_status() -> None:
    rows = [{"timestamp": "2026-03-02T10:00:00Z", "flow": "bank", "status": s} for s in (1, 7, 9, 1)]
    inferred = infer_mapping(rows, ReaderSettings())
    assert inferred.mapping is not None and inferred.mapping.status is None


# ------------------------------------------------------------------ a file that ends


def test_a_flow_whose_export_ends_early_is_not_silent_after_it(tmp_path: Path) -> None:
    cut = START + timedelta(days=8, hours=23, minutes=50)  # the export was made on a Tuesday night
    bank = [e for e in steady("bank", hours=range(0, 24), per_hour=4) if e["ts"] < iso(cut)]
    payroll = [e for e in steady("payroll", hours=range(0, 24), per_hour=4) if e["ts"] < iso(cut)]
    crm = [e for e in steady("crm", hours=range(0, 24), per_hour=4) if e["ts"] < iso(cut + timedelta(hours=9))]
    export = write(tmp_path / "exec.jsonl", bank + payroll)  # one export of two flows ends: the export ended
    det = run_detection([export, write(tmp_path / "crm.jsonl", crm)])
    assert kinds(det, "bank") == [] and kinds(det, "payroll") == []
    judged_to_the_end = run_detection([export, tmp_path / "crm.jsonl"],
                                      volume=VolumeSettings(silence_until_source_end=False))
    assert AnomalyKind.silent_flow in kinds(judged_to_the_end, "bank")
    # a file of the bank flow alone that stops while the rest of the data goes on: the flow stopped
    alone = run_detection([write(tmp_path / "bank.jsonl", bank), tmp_path / "crm.jsonl"])
    assert AnomalyKind.silent_flow in kinds(alone, "bank")
    # in one file the crm events go on after the bank's last one: that silence is judged (and found)
    both = run_detection([write(tmp_path / "all.jsonl", bank + crm)])
    silent = [a for a in both.anomalies if a.flow == "bank" and a.kind == AnomalyKind.silent_flow]
    assert len(silent) == 1
    assert silent[0].window_end.timestamp() <= datetime.fromisoformat(max(e["ts"] for e in crm)).timestamp()


def test_the_same_silence_is_found_when_the_file_goes_on(tmp_path: Path) -> None:
    bank = [e for e in steady("bank", hours=range(0, 24), per_hour=4)
            if not iso(START + timedelta(days=10, hours=8)) <= e["ts"] < iso(START + timedelta(days=10, hours=16))]
    det = run_detection([write(tmp_path / "exec.jsonl", bank)])
    assert AnomalyKind.silent_flow in kinds(det, "bank")


# ------------------------------------------------------------------ who may announce a maintenance window


def _announce(tmp_path: Path, logger: str) -> Path:
    p = tmp_path / "odoo-server.log"
    p.write_text(f"2026-05-04 07:00:02,114 1187 INFO prod {logger}: Planned maintenance from 2026-05-06 20:00 "
                 f"to 2026-05-06 23:30 UTC\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("logger", ["odoo.addons.acme_ops.models.notice", "odoo.service.server",
                                    "odoo.addons.base.models.ir_cron"])
def test_the_odoo_servers_own_loggers_may_announce_maintenance(tmp_path: Path, logger: str) -> None:
    (w,) = announced_windows([_announce(tmp_path, logger)], [])
    assert (w.start, w.end) == (datetime(2026, 5, 6, 20, tzinfo=UTC), datetime(2026, 5, 6, 23, 30, tzinfo=UTC))


@pytest.mark.parametrize("logger", ["werkzeug", "odoo.http", "odoo.addons.mail.models.mail_thread",
                                    "odoo.addons.website.models.ir_http", "requests.packages.urllib3", "odoobot"])
def test_loggers_that_write_what_outsiders_send_announce_nothing(tmp_path: Path, logger: str) -> None:
    assert announced_windows([_announce(tmp_path, logger)], []) == []


def test_a_logger_flows_json_names_may_announce_for_its_flow(tmp_path: Path) -> None:
    log = _announce(tmp_path, "connector.bank")
    assert build_calendar(CalendarSettings(), [], [log]).announced == []
    cal = build_calendar(CalendarSettings(), [FlowInfo(name="bank", source_system="Bank", target_system="Odoo", owner="finance", loggers=["connector.bank"])], [log])
    assert len(cal.announced) == 1


# ------------------------------------------------------------------ a retried concurrency failure that went through


def _serialization(tmp_path: Path, *, succeeded: bool) -> Path:
    ev = steady("invoices")
    for i, e in enumerate(ev):
        e["correlation_id"] = f"job-{i}"
    t = START + timedelta(days=9, hours=10)  # second week: judged for new signatures
    for k in range(4):
        at = t + timedelta(minutes=20 * k)
        ev.append({"ts": iso(at), "flow": "invoices", "status": "retry" if succeeded else "error",
                   "correlation_id": f"ser-{k}",
                   "error": "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"})
        if succeeded:
            ev.append({"ts": iso(at + timedelta(seconds=3)), "flow": "invoices", "status": "ok",
                       "correlation_id": f"ser-{k}"})
    return write(tmp_path / "jobs.jsonl", ev)


def test_a_serialization_failure_retried_to_success_is_no_new_signature(tmp_path: Path) -> None:
    det = run_detection([_serialization(tmp_path, succeeded=True)])
    assert AnomalyKind.new_error_signature not in kinds(det, "invoices")


def test_serialization_failures_that_end_in_failure_are_still_a_new_signature(tmp_path: Path) -> None:
    det = run_detection([_serialization(tmp_path, succeeded=False)])
    assert {AnomalyKind.new_error_signature, AnomalyKind.error_spike} & set(kinds(det, "invoices"))
    raw = [a for a in det.raw_anomalies if a.kind == AnomalyKind.new_error_signature]
    assert len(raw) == 1 and raw[0].metrics["occurrences"] == 4


# ------------------------------------------------------------------ naive export times are the user's zone


def _job_files(tmp_path: Path, shift_h: int) -> tuple[Path, Path]:
    """A queue.job CSV export whose naive times are `shift_h` hours ahead of UTC, and the UTC server log."""
    rows = ['"uuid","state","channel","date_created","date_started"']
    log = []
    for k in range(12):
        uuid = f"{k:08x}-1111-4222-8333-{k:012x}"
        utc = START + timedelta(days=1, hours=8, minutes=7 * k)
        local = (utc + timedelta(hours=shift_h)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append(f'"{uuid}","done","root.bank","{local}","{local}"')
        log.append(f"{(utc - timedelta(seconds=1)).strftime('%Y-%m-%d %H:%M:%S')},114 1180 INFO prod "
                   f"odoo.addons.queue_job.jobrunner.runner: asking Odoo to run job {uuid} on db prod")
    export = tmp_path / "queue.job.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    server = tmp_path / "odoo-server.log"
    server.write_text("\n".join(log) + "\n", encoding="utf-8")
    return export, server


@pytest.mark.parametrize("columnar", [True, False])
def test_naive_export_times_are_aligned_on_the_utc_server_log(tmp_path: Path, columnar: bool) -> None:
    export, server = _job_files(tmp_path, 2)
    offsets = export_utc_offsets([export], [server])
    assert offsets == {"queue.job.csv": 7200.0}
    frame = read_frame([export], settings=ReaderSettings(export_utc_offsets=offsets), columnar=columnar)
    first = datetime.fromtimestamp(float(frame.events["ts"].min()), UTC)
    assert first == START + timedelta(days=1, hours=8)
    unaligned = read_frame([export], columnar=columnar)
    assert float(unaligned.events["ts"].min()) - float(frame.events["ts"].min()) == 7200.0


def test_an_export_in_utc_needs_no_shift_and_detection_aligns_on_its_own(tmp_path: Path) -> None:
    export, server = _job_files(tmp_path, 0)
    assert export_utc_offsets([export], [server]) == {}
    export, server = _job_files(tmp_path, -5)
    det = run_detection([export, server])
    assert det.events and det.flow_stats["hour"].min() == START + timedelta(days=1, hours=8)
    assert any("UTC-5h" in n for n in det.notes)


@pytest.mark.parametrize("columnar", [True, False])
def test_ipaas_run_states_are_status_words_not_set_aside_lines(tmp_path: Path, columnar: bool) -> None:
    states = ["success", "crashed", "running", "canceled", "incomplete", "waiting"]
    ev = [{"ts": f"2026-03-02T10:0{i}:00Z", "flow": "n8n", "status": s} for i, s in enumerate(states)]
    frame = read_frame([write(tmp_path / "runs.jsonl", ev)], columnar=columnar)
    assert frame.events["status"].tolist() == [0, 1, 0, 0, 2, 0]
    assert not frame.rejected


def test_a_flow_seen_on_one_baseline_day_only_is_not_judged_against_nothing(tmp_path: Path) -> None:
    other = steady("crm")
    day = START + timedelta(days=3)
    newbie = [{"ts": iso(day + timedelta(hours=8, minutes=3 * k)), "flow": "newbie", "status": "ok"}
              for k in range(200)]
    for e in newbie[::10]:
        e.update(status="error", error="row rejected: missing reference")
    det = run_detection([write(tmp_path / "app.jsonl", other + newbie)])
    assert kinds(det, "newbie") == []


def test_thin_hours_are_pooled_over_their_run_and_lone_failures_are_not() -> None:
    p0 = np.full(6, 0.005)
    pooled = flagged_runs(np.array([0, 3, 3, 0, 0, 0]), np.array([9, 5, 5, 9, 9, 9]), p0, 3.0, 0.05, 5, 1e-6)
    assert pooled == [(1, 2)]  # neither hour has five failures; together they are a spike
    lone = flagged_runs(np.array([1, 0, 0, 1, 0, 1]), np.array([5, 5, 5, 5, 5, 5]), p0, 3.0, 0.05, 5, 1e-6)
    assert lone == []
    strong = flagged_runs(np.array([12, 1, 0]), np.array([20, 4, 9]), p0[:3], 3.0, 0.05, 5, 1e-6)
    assert strong == [(0, 1)]


# ------------------------------------------------------------------ a new signature on a low-volume flow's own clock


@pytest.mark.parametrize(("per_hour", "found"), [(1, True), (12, False)])
def test_a_new_signature_is_close_in_the_flows_own_events(tmp_path: Path, per_hour: int, found: bool) -> None:
    ev = steady("einvoice", days=21, per_hour=per_hour)
    for day in (15, 16, 17):  # one rejection a day: hours apart, but few of the flow's own sends apart
        fail(ev, "einvoice", START + timedelta(days=day, hours=10), START + timedelta(days=day, hours=11), 1,
             "UserError: portal rejected invoice FV/2026/0042: code 303 office does not match")
    det = run_detection([write(tmp_path / "einvoice.jsonl", ev)])
    assert (AnomalyKind.new_error_signature in kinds(det, "einvoice")) is found


# ------------------------------------------------------------------ the error a flow died on


def test_a_silence_cites_the_errors_just_before_its_last_event(tmp_path: Path) -> None:
    gap0, gap1 = START + timedelta(days=10, hours=8), START + timedelta(days=10, hours=16)
    sink = [e for e in steady("sink", hours=range(0, 24), per_hour=4) if not iso(gap0) <= e["ts"] < iso(gap1)]
    last = max(e["ts"] for e in sink if e["ts"] < iso(gap0))
    t = datetime.fromisoformat(last.replace("Z", "+00:00"))
    sink = [e for e in sink if e["ts"] != last] + [
        {"ts": iso(t - timedelta(seconds=2)), "flow": "sink", "status": "error",
         "error": 'Table "lines" is missing fields (phase) and auto-evolution is disabled'},
        {"ts": iso(t - timedelta(seconds=1)), "flow": "sink", "status": "ok", "latency_ms": 1.0},
        {"ts": last, "flow": "sink", "status": "error", "error": "Task is being killed and will not recover"}]
    det = run_detection([write(tmp_path / "sink.jsonl", sink)])
    silent = [a for a in det.anomalies if a.flow == "sink" and a.kind == AnomalyKind.silent_flow]
    assert len(silent) == 1
    cited = [det.evidence[i].error for i in silent[0].evidence_event_ids if i in det.evidence]
    assert any("is missing fields" in (c or "") for c in cited), cited
    # a flow whose last word before the gap was no error cites no earlier error
    ok_last = [e for e in sink if e["ts"] != last]
    det = run_detection([write(tmp_path / "sink2.jsonl", ok_last)])
    silent = [a for a in det.anomalies if a.flow == "sink" and a.kind == AnomalyKind.silent_flow]
    assert len(silent) == 1 and len(silent[0].evidence_event_ids) == 2
