"""Judgement on shapes the demo world never makes (#14): calendar, bursty flows, correlation, causes.

The scenarios are the hand-made estate in tests/data/judgement/estate.py (not sim/).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from odoo_triage.agent.causes import classify_text, read_signals, rule_cause
from odoo_triage.agent.incidents import IncidentFacts, assemble_incidents, group_anomalies
from odoo_triage.agent.llm.providers import offline_actions
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.calendar import MaintenanceWindow, public_holidays
from odoo_triage.core.domain import Anomaly, AnomalyKind, Cause, Incident
from odoo_triage.core.settings import CalendarSettings, CorrelationSettings, VolumeSettings, load_settings
from odoo_triage.detectors.calendar import announced_windows
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.evals.runner import load_flows, score_folder
from odoo_triage.matchers.pipeline import match_partners
from tests.data.judgement import estate as E


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return E.write_estate(tmp_path_factory.mktemp("estate"))


def _logs(folder: Path) -> list[Path]:
    return sorted((folder / "logs").iterdir())


@pytest.fixture(scope="module")
def detection(folder):
    return run_detection(_logs(folder), catalog=load_flows(folder))


def _on(anomalies: list[Anomaly], flow: str, day: datetime) -> list[Anomaly]:
    return [a for a in anomalies if a.flow == flow and a.window_start.date() <= day.date() <= a.window_end.date()]


# --------------------------------------------------------------------------- calendar


def test_public_holidays_by_country():
    assert datetime(2026, 12, 25).date() in public_holidays("DE", [2026])
    assert public_holidays(None, [2026]) == frozenset()
    assert public_holidays("XX-not-a-country", [2026]) == frozenset()


def test_holiday_dip_is_not_an_alarm_when_the_flow_knows_its_country(folder, detection):
    assert not _on(detection.anomalies, "shop_order_sync", E.HOLIDAY)
    flows = [f.model_copy(update={"country": None}) for f in load_flows(folder)]
    blind = run_detection(_logs(folder), catalog=flows)
    assert _on(blind.anomalies, "shop_order_sync", E.HOLIDAY), "without the calendar the holiday looks like an outage"


def test_announced_maintenance_is_read_from_the_odoo_log(folder):
    found = announced_windows([folder / "logs" / "odoo-server.log"], ["bank_statement_import", "shop_order_sync"])
    assert [(w.start, w.end, w.flows) for w in found] == [(*E.MAINTENANCE, ["bank_statement_import"])]


def test_announcements_after_the_fact_or_absurdly_long_are_ignored(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text(
        "2026-12-22 10:00:00,000 1 INFO prod odoo.addons.base.models.ir_cron: maintenance from "
        "2026-12-22 09:00:00 to 2026-12-22 13:00:00 - - -\n"
        "2026-12-01 10:00:00,000 1 INFO prod odoo.addons.base.models.ir_cron: maintenance from "
        "2026-12-02 09:00:00 to 2026-12-30 13:00:00 - - -\n")
    assert announced_windows([log], []) == []


def test_silence_inside_announced_maintenance_is_not_an_alarm(folder, detection):
    assert not _on(detection.anomalies, "bank_statement_import", E.MAINTENANCE[0])
    off = run_detection(_logs(folder), catalog=load_flows(folder), calendar=CalendarSettings(detect_announcements=False))
    assert any(a.kind == AnomalyKind.silent_flow for a in _on(off.anomalies, "bank_statement_import", E.MAINTENANCE[0]))


def test_configured_maintenance_window_also_counts(folder):
    cal = CalendarSettings(detect_announcements=False, maintenance=[MaintenanceWindow(
        start=E.MAINTENANCE[0], end=E.MAINTENANCE[1], flows=["bank_statement_import"])])
    det = run_detection(_logs(folder), catalog=load_flows(folder), calendar=cal)
    assert not _on(det.anomalies, "bank_statement_import", E.MAINTENANCE[0])


def test_bursty_flow_is_judged_in_reports_not_events(folder, detection):
    assert not _on(detection.anomalies, "expense_report_sync", E.EXPENSE_PAUSE_DAY)
    as_events = [f.model_copy(update={"unit": "event"}) for f in load_flows(folder)]
    counting = run_detection(_logs(folder), catalog=as_events, volume=VolumeSettings(bursty_units_per_event=1e-6))
    assert _on(counting.anomalies, "expense_report_sync", E.EXPENSE_PAUSE_DAY), "counted in events, the pause alarms"


def test_a_bursty_flow_that_really_stops_is_still_silent(folder, tmp_path):
    src = (folder / "logs" / "middleware.jsonl").read_text().splitlines()
    cut = [line for line in src if not ('"expense_report_sync"' in line and '"2026-12-2' in line)]
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "middleware.jsonl").write_text("\n".join(cut) + "\n")
    det = run_detection([tmp_path / "logs" / "middleware.jsonl"], catalog=load_flows(folder))
    silent = [a for a in det.anomalies if a.flow == "expense_report_sync" and a.kind == AnomalyKind.silent_flow]
    assert silent and "report" in silent[0].reason and silent[0].metrics["p_zero"] < 1e-4


# --------------------------------------------------------------------------- correlation


def test_two_incidents_five_days_apart_sharing_a_partner_stay_apart(folder, detection):
    crm = [a for a in detection.anomalies if a.flow == "crm_partner_sync"]
    assert len(crm) == 2
    groups = group_anomalies(crm, detection.evidence)
    assert len(groups) == 2
    incidents = {a.incident.window_start.date(): a.incident for a in assemble_incidents(detection, flows=load_flows(folder))
                 if a.incident.flow == "crm_partner_sync"}
    assert incidents[E.OAUTH[0].date()].cause == Cause.credential_auth
    assert incidents[E.DUP_VAT[0].date()].cause == Cause.data_quality


def _an(aid: str, start: str, end: str, signature: str | None = None) -> Anomaly:
    return Anomaly(anomaly_id=aid, kind=AnomalyKind.error_spike, flow="f", score=0.9, reason="r", signature=signature,
                   window_start=datetime.fromisoformat(start).replace(tzinfo=UTC),
                   window_end=datetime.fromisoformat(end).replace(tzinfo=UTC))


def test_fused_span_never_exceeds_the_configured_gap():
    chain = [_an(f"a{i}", f"2026-12-0{i + 1}T10:00", f"2026-12-0{i + 1}T15:00", signature="sig") for i in range(3)]
    # same signature, 19 hours apart each: joined under a 6 h signature window? no; under 24 h yes, but capped
    cfg = CorrelationSettings(same_signature_hours=24, max_fused_span_hours=30)
    groups = group_anomalies(chain, {}, cfg)
    assert max(g[-1].window_end - g[0].window_start for g in groups).total_seconds() <= 30 * 3600
    assert len(groups) == 2


# --------------------------------------------------------------------------- causes


@pytest.mark.parametrize(("text", "cause", "safe"), [
    ("odoo.exceptions.ValidationError: The VAT number DE811234567 is already used by res.partner(42,)",
     Cause.data_quality, False),
    ('HTTP 401 {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}',
     Cause.credential_auth, False),
    ("odoo.exceptions.UserError: No tax mapping for tax code 'DE19' on fiscal position 'EU B2B'",
     Cause.configuration, False),
    ("odoo.exceptions.UserError: You cannot add/modify entries prior to and inclusive of the lock date 2026-11-30",
     Cause.configuration, False),
    # authenticated, then refused: the user's groups / record rules (access configuration), never retried
    ("odoo.exceptions.AccessError: You are not allowed to modify Contact (res.partner) records.",
     Cause.configuration, False),
    ("odoo.exceptions.MissingError: Record does not exist or has been deleted.", Cause.data_quality, False),
    # two writers collided (a job against a cron): concurrency is configuration, and the work is retry-safe
    ("psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update",
     Cause.configuration, True),
    ("UserError: no project found for key WPK: field x_jira_project_key is empty", Cause.configuration, False),
    ("ValidationError: field vat is empty", Cause.data_quality, False),  # missing master data, not a bad shape
    ('psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "res_partner_ref_uniq"',
     Cause.data_quality, False),
    ("ValidationError: Employee 12 has no department mapping for cost center CC-4", Cause.schema_validation, False),
    ("504 Gateway Timeout (attempt 3/5)", Cause.upstream_outage, True),
    ("odoo.addons.queue_job.exception.FailedJobError: Max. retries (5) reached: 429 Too Many Requests",
     Cause.rate_limit, True),
])
def test_causes_from_structured_signals_with_retry_safety(text, cause, safe):
    verdict = classify_text(text)
    assert (verdict.cause, verdict.retry_safe) == (cause, safe)


def test_a_409_lock_error_is_transient_not_bad_data():
    verdict = rule_cause(["error_spike"], Counter({409: 30}), "LockError: could not obtain lock on hr.employee(200,)")
    assert verdict is not None and verdict.cause == Cause.configuration and verdict.retry_safe


def test_signals_name_the_duplicate_and_the_field():
    s = read_signals("UserError: No tax mapping for tax code 'DE19'; field property_account_position_id of res.partner(3,)")
    assert s.config_mapping and s.field == "property_account_position_id" and s.duplicate is None
    assert read_signals("ValidationError: the e-mail a@b.example is already used by partner 7").duplicate == "email"


# --------------------------------------------------------------------------- proposals


def test_requeue_respects_retry_safety():
    inc = Incident(incident_id="i", title="t", flow="invoice_export", cause=Cause.upstream_outage,
                   window_start=E.START, window_end=E.START)
    unsafe = classify_text("odoo.exceptions.ValidationError: 503 while validating")
    facts = IncidentFacts(failed_job_uuids=["u1"], failed_records=[("503 Service Unavailable", ["queue.job:u1"])],
                          verdict=unsafe)
    assert "requeue_jobs" not in {str(a.action) for a in offline_actions(inc, facts)}
    facts.verdict = classify_text("503 Service Unavailable")
    assert "requeue_jobs" in {str(a.action) for a in offline_actions(inc, facts)}


def test_duplicate_vat_rejection_links_to_its_cluster_and_proposes_the_merge(folder, detection):
    partners = match_partners(folder / "records" / "res_partner.csv")
    run = run_triage(detection, partners, None, load_flows(folder))
    dup = next(i for i in run.incidents if i.flow == "crm_partner_sync" and i.window_start.date() == E.DUP_VAT[0].date())
    merges = [p for p in run.proposals_for(dup.incident_id) if str(p.action) == "merge_partners"]
    assert merges and set(merges[0].params["partner_ids"]) == {E.MASTER_PARTNER, E.SHARED_PARTNER}
    figures = score_folder(folder, detection, partners, None, run)
    assert figures["detection"]["overall"]["precision"] == 1.0
    assert figures["detection"]["overall"]["recall"] == 1.0
    assert figures["triage"]["cause_accuracy"] == 1.0


def test_calendar_settings_from_toml(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[calendar]\ncountry = "DE"\npayroll_days = [25]\nquiet_periods = ["payroll"]\n'
                   '[[calendar.maintenance]]\nstart = 2026-12-22T09:00:00Z\nend = 2026-12-22T13:00:00Z\n'
                   '[correlation]\nmax_fused_span_hours = 12\n[volume]\nunit_silent_p = 1e-5\n')
    s = load_settings(cfg, env={})
    assert s.calendar.country == "DE" and s.calendar.maintenance[0].end.hour == 13
    assert s.correlation.max_fused_span_hours == 12 and s.volume.unit_silent_p == 1e-5


def test_a_fix_named_only_in_error_text_is_never_written(folder, detection):
    """The tax-mapping incident is configuration, but its fix (a fiscal position) is named only in free
    error text, on records named only in that text, and touches an accounting field: the grounding guard
    (issue #12) refuses all three, so the incident is escalated, never turned into a field write."""
    from odoo_triage.evals.runner import record_write_dates

    run = run_triage(detection, None, None, load_flows(folder), write_dates=record_write_dates(folder))
    tax = next(i for i in run.incidents if i.flow == "account_tax_export")
    assert tax.cause == Cause.configuration
    actions = {str(p.action) for p in run.proposals_for(tax.incident_id)}
    assert "set_field" not in actions and "escalate" in actions


@pytest.mark.parametrize("text", [
    "set active of res.partner(3,) to 0",  # identity / access fields are never written
    "set user_ids of res.partner(3,) to 7",
    "set name of hr.employee(3,) to 'x'",  # only writable models
    "please set the name to 'x'",  # no record named
])
def test_hostile_or_vague_fix_lines_propose_no_write(text):
    from odoo_triage.agent.actions import named_field_write

    assert named_field_write(text) is None


def test_closing_periods_month_end_payroll_lock_date():
    import pandas as pd

    from odoo_triage.core.calendar import PeriodKind
    from odoo_triage.core.domain import FlowInfo
    from odoo_triage.detectors.calendar import build_calendar, hourly_calendar

    settings = CalendarSettings(country="DE", payroll_days=[15], lock_day=5, quiet_periods=[PeriodKind.payroll])
    flows = [FlowInfo(name="payroll_export", source_system="odoo", target_system="payroll", owner="p")]
    cal = build_calendar(settings, flows)
    days = [datetime(2026, 12, d).date() for d in range(1, 32)]
    marks = cal.periods("payroll_export", days)
    # Christmas week: the 31st (Thu) and the 30th (Wed) are the last business days (25th, 26th are holidays)
    assert {d.day for d, k in marks.items() if PeriodKind.month_end in k} == {30, 31}
    assert {d.day for d, k in marks.items() if PeriodKind.payroll in k} == {15}
    assert {d.day for d, k in marks.items() if PeriodKind.lock_date in k} == {5}
    # the firm's days: the 15th in Germany starts at 23:00 UTC on the 14th
    hours = (pd.Timestamp("2026-12-15", tz="Europe/Berlin").value // 10**9 // 3600) + pd.Series(range(48))
    table = pd.DataFrame({"flow": 0, "hour": hours})
    out = hourly_calendar(cal, table, ["payroll_export"])
    assert out["quiet"].iloc[:24].all() and not out["quiet"].iloc[24:].any()  # payroll day only
    assert out["period"].iloc[:24].all() and not out["closed"].any()
    assert out["hod"].iloc[0] == 0 and out["weekday"].iloc[0] == 1  # local midnight, a Tuesday


def test_second_estate_written_after_the_code_scores_clean(tmp_path):
    """Estate B (other country, wordings and shapes; written after the code was frozen), end to end."""
    from odoo_triage.evals.runner import evaluate_folder
    from tests.data.judgement import estate_b

    figures = evaluate_folder(estate_b.write_estate(tmp_path / "b"))
    det, tri = figures["detection"], figures["triage"]
    assert (det["overall"]["precision"], det["overall"]["recall"], det["false_alarms"]) == (1.0, 1.0, 0)
    assert (tri["cause_accuracy"], tri["action_accuracy"], tri["affected_records_covered"]) == (1.0, 1.0, 1.0)


def test_a_flow_is_seen_to_be_bursty_without_being_declared(tmp_path):
    from odoo_triage.detectors.checks.base import Context
    from odoo_triage.detectors.checks.volume import is_bursty
    from odoo_triage.detectors.frame import read_frame
    from odoo_triage.detectors.windows import build_windows
    from tests.data.judgement import estate_b

    folder = estate_b.write_estate(tmp_path / "b")
    frame = read_frame([folder / "logs" / "integrations.jsonl"])
    ctx = Context(frame=frame, win=build_windows(frame.events, list(range(len(frame.flows))), None,
                                                 flow_names=frame.flows), flows=list(range(len(frame.flows))))
    bursty = {frame.flows[f] for f in ctx.flows if is_bursty(ctx, f)}
    assert bursty == {"delivery_note_import"}


def test_a_bursty_flow_with_far_fewer_batches_is_a_volume_drop_in_units(tmp_path):
    import json
    from datetime import timedelta

    from odoo_triage.core.domain import FlowInfo

    start, lines, n = datetime(2026, 11, 2, tzinfo=UTC), [], 0
    drop_day = datetime(2026, 11, 11, tzinfo=UTC).date()
    for day in range(14):
        d0 = start + timedelta(days=day)
        if d0.weekday() >= 5:
            continue
        slots = range(0, 600, 15) if d0.date() != drop_day else range(0, 600, 150)  # 40 batches a day, or 4
        for minute in slots:
            for k in range(8):
                n += 1
                t = d0 + timedelta(hours=8, minutes=minute, seconds=2 * k)
                lines.append(json.dumps({"ts": t.isoformat().replace("+00:00", "Z"), "flow": "payslip_push",
                                         "status": "ok", "correlation_id": f"c{n}"}))
    log = tmp_path / "p.jsonl"
    log.write_text("\n".join(lines) + "\n")
    flows = [FlowInfo(name="payslip_push", source_system="odoo", target_system="payroll", owner="p", unit="batch")]
    det = run_detection([log], catalog=flows)
    drops = [a for a in det.anomalies if a.kind == AnomalyKind.volume_drop or AnomalyKind.volume_drop in a.related_kinds]
    assert [a.window_start.date() for a in drops] == [drop_day]
    raw = [a for a in det.raw_anomalies if a.kind == AnomalyKind.volume_drop]
    assert raw and raw[0].metrics["observed_units"] == 4 and "batches" in raw[0].reason


def test_an_error_message_quoting_a_maintenance_window_suppresses_nothing(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text(
        "2026-12-21 10:00:00,000 1 ERROR prod odoo.addons.crm_sync.models.sync: partner 'maintenance from "
        "2026-12-22 09:00:00 to 2026-12-22 13:00:00' rejected - - -\n"
        "Traceback (most recent call last):\n"
        "ValueError: maintenance from 2026-12-22 09:00:00 to 2026-12-22 13:00:00\n")
    assert announced_windows([log], []) == []


def test_days_and_hours_are_the_firms_local_ones_across_a_dst_change():
    """Melbourne: Saturday 07:00 is Friday 20:00 UTC, and after the October change business hours start
    an hour earlier in UTC; the calendar gives the local weekday and hour of day, UTC without a zone."""
    import pandas as pd

    from odoo_triage.core.domain import FlowInfo
    from odoo_triage.detectors.calendar import build_calendar, hourly_calendar

    flows = [FlowInfo(name="timesheets", source_system="app", target_system="odoo", owner="o", country="AU"),
             FlowInfo(name="nowhere", source_system="app", target_system="odoo", owner="o")]
    cal = build_calendar(CalendarSettings(), flows)

    def hour(text: str) -> int:
        return int(pd.Timestamp(text, tz="UTC").value // 10**9 // 3600)

    utc = [hour("2026-10-02 20:00"), hour("2026-10-01 23:00"), hour("2026-10-05 22:00")]
    table = pd.DataFrame({"flow": [0] * 3 + [1] * 3, "hour": utc * 2})
    out = hourly_calendar(cal, table, ["timesheets", "nowhere"])
    # Sat 06:00 AEST; Fri 09:00 AEST; Tue 09:00 AEDT (the clocks went forward on Sunday 4 October)
    assert out["weekday"].tolist()[:3] == [5, 4, 1] and out["hod"].tolist()[:3] == [6, 9, 9]
    assert out["weekday"].tolist()[3:] == [4, 3, 0] and out["hod"].tolist()[3:] == [20, 23, 22]
