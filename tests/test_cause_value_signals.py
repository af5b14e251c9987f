"""The three value rules of #14: a selection value the field refuses (schema validation, decided by the
incident's dominant error, not a stray line), a value that matches no record (master data, never retried,
escalated with every structured record), and a UserError naming a field to set (configuration; set_field
only from structured fields, else escalated with the failed jobs to requeue after the fix)."""

from __future__ import annotations

from collections import Counter

from odoo_triage.agent.causes import carried_by_dominant, classify_text, dominant_error, read_signals
from odoo_triage.agent.incidents import IncidentFacts
from odoo_triage.agent.llm.offline import offline_actions
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.domain import ActionName, Cause, Incident
from tests.test_agent_fixtures import T0, FakeDetection, anomaly, ev

SELECTION = "Fault 1: ValueError: Wrong value for sale.order.x_kind: 'new_kind'"
OUTAGE = "ProtocolError: <ProtocolError for odoo.example.test/xmlrpc/2/object: 503 Service Unavailable>"


def test_a_refused_selection_value_is_schema_validation_and_never_retried():
    v = classify_text(SELECTION)
    assert (v.cause, v.source, v.retry_safe) == (Cause.schema_validation, "signal:selection-value", False)
    assert read_signals(SELECTION).bad_selection == "sale.order.x_kind"
    assert read_signals("ValueError: could not convert string to float").bad_selection is None


def _incident_of(errors: list[tuple[str, int]]) -> Incident:
    events = [
        ev("b.jsonl", i, "orders", i, http_status=status, error=error, record_ids=[f"sale.order:{i + 1}"])
        for i, (error, status) in enumerate(errors)
    ]
    det = FakeDetection(
        anomalies=[anomaly("sp", "error_spike", "orders", 0, len(events), events)],
        evidence={e.event_id: e for e in events},
    )
    (inc,) = run_triage(det, None, None, None).incidents
    return inc


def test_the_dominant_error_signature_decides_not_one_line():
    # the bridge answers 500 for the refused value, amid background 503s: the value error dominates
    assert _incident_of([(SELECTION, 500)] * 6 + [(OUTAGE, 503)] * 2).cause == Cause.schema_validation
    # one stray value error among an outage's 503s does not make the outage a validation incident
    assert _incident_of([(OUTAGE, 503)] * 6 + [(SELECTION, 500)]).cause == Cause.upstream_outage
    errors = Counter({SELECTION: 1, OUTAGE: 6})
    assert dominant_error(errors) == OUTAGE
    assert not carried_by_dominant(classify_text(f"{SELECTION} | {OUTAGE}"), errors)
    assert dominant_error(Counter({SELECTION: 1, OUTAGE: 1})) is None


def _facts(error: str, refs: list[list[str]]) -> IncidentFacts:
    return IncidentFacts(
        failed_job_uuids=[r.split(":", 1)[1] for rs in refs for r in rs if r.startswith("queue.job:")],
        failed_records=[(error, rs) for rs in refs],
        verdict=classify_text(error),
    )


def _inc(cause: Cause) -> Incident:
    return Incident(incident_id="i", title="t", flow="accounts", cause=cause, window_start=T0, window_end=T0)


def test_a_value_that_matches_no_record_is_master_data_escalated_with_every_record():
    for text in (
        "no res.country.state matches state_code='Ill.' for country US",
        "ValueError: No matching record found for name 'Belgium ' in field 'Country'",
    ):
        v = classify_text(text)
        assert (v.cause, v.retry_safe) == (Cause.data_quality, False), text
    error = "no res.country.state matches state_code='Ill.' for country US"
    refs = [[f"res.partner:{i}"] for i in range(1, 8)]
    actions = offline_actions(_inc(Cause.data_quality), _facts(error, refs))
    assert [str(a.action) for a in actions] == ["escalate"]
    assert actions[0].params["records"] == [f"res.partner:{i}" for i in range(1, 8)]
    assert "master data" in actions[0].params["message"]
    assert not [a for a in actions if a.action == ActionName.requeue_jobs]


def test_a_user_error_naming_a_field_to_set_is_configuration_and_its_failed_jobs_are_handed_over():
    error = (
        'odoo.exceptions.UserError: customer id missing on partner "Acme" (res.partner,7): '
        "set x_remote_customer_id on the partner before pushing the invoice."
    )
    v = classify_text(error)
    assert (v.cause, v.retry_safe, v.signals.field_to_set) == (
        Cause.configuration,
        False,
        "x_remote_customer_id",
    )
    assert (
        classify_text("odoo.exceptions.UserError: Please set the field Tax ID.").cause == Cause.configuration
    )
    refs = [[f"queue.job:u{i}", f"account.move:{i}"] for i in range(3)]
    actions = offline_actions(_inc(Cause.configuration), _facts(error, refs))
    # the partner is only named in the error text: never written from free text, escalated with the jobs
    assert [str(a.action) for a in actions] == ["escalate"]
    records = actions[0].params["records"]
    assert {f"queue.job:u{i}" for i in range(3)} <= set(records) and "res.partner:7" not in records
    assert "requeue" in actions[0].params["message"]
