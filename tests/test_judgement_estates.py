"""The general rules behind the blind-estate figures of #14 (alder, birch): a redelivery after the
receiver's timeouts, concurrency failures, access configuration, an empty link field, a payload field the
sender dropped; and the eval's per-incident rows that make each miss readable."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from odoo_triage.agent.causes import classify_text, read_signals, receiver_was_slow, rule_cause
from odoo_triage.agent.incidents import IncidentFacts, processed, redelivered_partners
from odoo_triage.agent.llm.offline import offline_actions
from odoo_triage.agent.triage import run_triage
from odoo_triage.core.domain import ActionName, AnomalyKind, Cause, Incident
from odoo_triage.core.labels import LabeledIncident
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.evals.metrics import TriageOutcome, score_triage
from odoo_triage.evals.report import html_report, markdown
from tests.test_agent_fixtures import T0, FakeDetection, anomaly, ev

# --------------------------------------------------------------------------- causes


def test_a_redelivery_after_the_receivers_timeouts_is_the_slowness_and_is_never_retried():
    slow = rule_cause(["duplicate_delivery", "error_spike"], Counter({504: 9}), "upstream timed out")
    assert slow is not None and slow.cause == Cause.upstream_outage and not slow.retry_safe
    lagging = rule_cause(["duplicate_delivery", "latency_shift"], Counter(), "")
    assert lagging is not None and lagging.cause == Cause.upstream_outage and not lagging.retry_safe
    own = rule_cause(["duplicate_delivery"], Counter(), "")  # the sender repeated itself: its data
    assert own is not None and own.cause == Cause.data_quality and not own.retry_safe
    assert not receiver_was_slow({"duplicate_delivery"}, Counter({422: 5, 504: 1}), read_signals(""))


def test_concurrency_is_configuration_and_retry_safe_access_errors_are_configuration_not_credentials():
    for text in (
        "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update",
        "psycopg2.errors.TransactionRollbackError: deadlock detected",
    ):
        v = classify_text(text)
        assert (v.cause, v.retry_safe) == (Cause.configuration, True), text
    v = rule_cause(
        ["error_spike"], Counter({403: 8}), "odoo.exceptions.AccessError: not allowed to modify hr.employee"
    )
    assert v is not None and (v.cause, v.retry_safe) == (Cause.configuration, False)
    assert classify_text('HTTP 401 {"error": "invalid_grant"}').cause == Cause.credential_auth


def test_an_empty_link_field_is_configuration_an_empty_data_field_is_not():
    for text in (
        "UserError: no project for key WPK: field x_jira_project_key is empty",
        "UserError: Kein Projekt gefunden – am Projekt ist das Feld x_remote_key leer.",
        "UserError: le champ « x_code_analytique » est vide",
    ):
        assert read_signals(text).empty_link_field, text
        assert classify_text(text).cause == Cause.configuration, text
    assert read_signals("ValidationError: field vat is empty").empty_link_field is None


def test_a_payload_field_the_sender_dropped_is_named():
    assert (
        read_signals("ValidationError: SIRET invalide (champ « etablissementSiege » absent)").payload_field
        == "etablissementSiege"
    )
    assert read_signals("ValidationError: missing field 'billingAddress'").payload_field == "billingAddress"
    assert read_signals("ValidationError: field siege_id missing from the API response").payload_field
    assert read_signals("ValidationError: champ siege absent de la réponse").payload_field
    assert read_signals("ValidationError: missing field in the invoice").payload_field is None
    # an Odoo field (snake_case) that is wrong is the record's data
    assert (
        read_signals("ValidationError: field bank_account_id does not match the SEPA schema").payload_field
        is None
    )


def test_an_empty_party_identifier_is_missing_master_data_a_malformed_one_is_schema():
    for text in (
        "odoo.exceptions.UserError: API 422 Unprocessable Entity: customer.vat_number « » is not a valid VAT number",
        "invoice rejected: customer without VAT number",
        'HTTP 422 {"email": ""}',
        "ValidationError: field vat is empty",
    ):
        v = classify_text(text)
        assert (v.cause, v.retry_safe) == (Cause.data_quality, False), text
    assert (
        classify_text("ValidationError: no email configured for the outgoing mail server").cause
        != Cause.data_quality
    )
    sepa = "odoo.exceptions.ValidationError: The IBAN of employee 296 does not match the SEPA schema"
    assert classify_text(sepa).cause == Cause.schema_validation


@pytest.mark.parametrize(
    ("text", "cause", "safe"),
    [
        ("odoo.exceptions.UserError: The journal 'BNK1' has no default account", Cause.configuration, False),
        (
            "odoo.exceptions.UserError: Es wurde kein Steuersatz für die Steuergruppe 'USt 20%' in der "
            "Steuerposition 'Inland' gefunden.",
            Cause.configuration,
            False,
        ),
        ("odoo.exceptions.UserError: Aucune taxe trouvée pour le taux 5,5 %", Cause.configuration, False),
        (
            "odoo.addons.queue_job.exception.RetryableJobError: Could not acquire lock, retry later",
            Cause.configuration,
            True,
        ),
        ("409 Conflict: invoice number already exists", Cause.data_quality, False),
        (
            'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "account_move_name_uniq"',
            Cause.data_quality,
            False,
        ),
        # a schema's own rule stays schema validation (the shipped examples label it so)
        ("422 Unprocessable Entity: vat is required", Cause.schema_validation, False),
        (
            "odoo.addons.queue_job.exception.RetryableJobError: API 429 Too Many Requests (Retry-After: 60)",
            Cause.rate_limit,
            True,
        ),
    ],
)
def test_translated_configuration_errors_lock_waits_and_conflicts(text, cause, safe):
    v = classify_text(text)
    assert (v.cause, v.retry_safe) == (cause, safe)


def test_mixed_outage_and_throttling_wordings_are_decided_by_how_many_failures_carry_each():
    from odoo_triage.agent.causes import classify

    outage = Counter({"The service is unavailable. clientRequestId: 1": 28,
                      "Rate limit is exceeded. Try again in 120 seconds.": 24,
                      "An action failed. No dependent actions succeeded.": 52})
    v = classify(["error_spike"], Counter(), " | ".join(outage), (), outage)
    assert (v.cause, v.source, v.retry_safe) == (Cause.upstream_outage, "rule:transient-vote", True)
    throttled = Counter({"The service is unavailable.": 3, "Rate limit is exceeded. Try again in 120 seconds.": 24})
    assert classify(["error_spike"], Counter(), " | ".join(throttled), (), throttled).cause == Cause.rate_limit
    assert classify_text("The service is temporarily unavailable.").cause == Cause.upstream_outage


def test_a_silence_whose_messages_then_arrive_in_a_burst_was_held_by_the_sender_not_unsubscribed():
    import pandas as pd

    from odoo_triage.agent.incidents import replayed_backlog
    from odoo_triage.core.settings import CorrelationSettings

    silence = anomaly("an-quiet", "silent_flow", "account_sync", 0, 7 * 60, [])
    silence = silence.model_copy(update={"metrics": {"expected_events": 26.0, "observed_events": 0.0}})
    end_hour = pd.Timestamp(silence.window_end).floor("h")

    def stats(after: list[tuple[int, float]]) -> pd.DataFrame:
        return pd.DataFrame([{"flow": "account_sync", "hour": end_hour + pd.Timedelta(hours=i), "volume": v,
                              "expected_volume": e} for i, (v, e) in enumerate(after)])

    cfg = CorrelationSettings()
    assert replayed_backlog([silence], stats([(33, 0.0), (2, 1.0)]), cfg)  # the 33 held messages came at once
    assert not replayed_backlog([silence], stats([(6, 4.0), (5, 4.0)]), cfg)  # the flow just resumed
    assert not replayed_backlog([silence], None, cfg)
    held = rule_cause(["silent_flow"], Counter(), "", backlog=True)
    assert held is not None and (held.cause, held.source) == (Cause.upstream_outage, "rule:silence-then-backlog")
    lost = rule_cause(["silent_flow"], Counter(), "")
    assert lost is not None and lost.cause == Cause.configuration


@pytest.mark.parametrize(("text", "field"), [
    ("UserError: FACe rechazó la factura FV/1: código 303. Corrija el campo Oficina contable (oficina_contable) "
     "del cliente X [res.partner,3453]: valor actual L1, valor esperado L2.", "oficina_contable"),
    ("UserError: veuillez renseigner le champ Code analytique (x_code) du projet", "x_code"),
    ("UserError: Bitte pflegen Sie das Feld Kostenstelle (x_kst) am Projekt", "x_kst"),
])
def test_a_translated_user_error_naming_the_field_to_correct_is_a_missed_configuration_step(text, field):
    assert read_signals(text).field_to_set == field
    v = classify_text(text)
    assert (v.cause, v.source, v.retry_safe) == (Cause.configuration, "signal:field-to-set", False)
    # the same words outside a UserError (a sender's validation message) settle nothing
    assert read_signals(text.replace("UserError: ", "")).field_to_set is None


# --------------------------------------------------------------------------- proposals


def _facts(error: str, refs: list[list[str]]) -> IncidentFacts:
    uuids = [r.split(":", 1)[1] for rs in refs for r in rs if r.startswith("queue.job:")]
    return IncidentFacts(
        failed_job_uuids=uuids,
        failed_records=[(error, rs) for rs in refs],
        error_records=[r for rs in refs for r in rs if r.startswith("res.partner:")],
        verdict=classify_text(error),
    )


def _incident(cause: Cause) -> Incident:
    return Incident(incident_id="i", title="t", flow="export", cause=cause, window_start=T0, window_end=T0)


def test_every_failed_job_of_a_retry_safe_concurrency_incident_is_requeued():
    error = "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"
    refs = [[f"queue.job:u{i}", f"account.move:{i}"] for i in range(12)]
    actions = offline_actions(_incident(Cause.configuration), _facts(error, refs))
    (requeue,) = [a for a in actions if a.action == ActionName.requeue_jobs]
    assert requeue.params["job_uuids"] == [f"u{i}" for i in range(12)]


def test_every_failed_job_is_requeued_in_proposals_of_at_most_500_each_approved_and_run_once(sqlite_store):
    from odoo_triage.agent.approvals import AlreadyExecuted, approve, execute, get_proposal
    from tests.test_approvals import SETTINGS, FakeGateway

    uuids = [f"{i:08d}-aaaa-bbbb-cccc-000000000000" for i in range(1203)]
    jobs = [ev("queue_job.csv", 10 + i, "invoice_export", i / 100, http_status=429, retry_count=5,
               error="429 Too Many Requests: retry after 60 seconds", record_ids=[f"queue.job:{u}"])
            for i, u in enumerate(uuids)]
    det = FakeDetection(anomalies=[anomaly("an-storm", "retry_storm", "invoice_export", 0, 15, jobs)],
                        evidence={e.event_id: e for e in jobs})
    run = run_triage(det, store=sqlite_store)
    requeues = [p for p in run.proposals if str(p.action) == "requeue_jobs"]
    assert [len(p.params["job_uuids"]) for p in requeues] == [500, 500, 203]
    assert sorted(u for p in requeues for u in p.params["job_uuids"]) == uuids  # every job, once
    assert len({p.proposal_id for p in requeues}) == 3 and "Part 2 of 3" in requeues[1].rationale
    again = run_triage(det, store=sqlite_store)  # a re-run finds the same parts, not new ones
    assert [p.proposal_id for p in again.proposals if str(p.action) == "requeue_jobs"] == \
        [p.proposal_id for p in requeues]
    gw = FakeGateway()
    for p in requeues:  # each part is its own approval (HMAC-bound to its payload) and runs once
        approve(sqlite_store, p.proposal_id, "dana", settings=SETTINGS)
        assert execute(sqlite_store, p.proposal_id, "omar", gw, settings=SETTINGS).status == "executed"
        assert get_proposal(sqlite_store, p.proposal_id).status == "executed"
    with pytest.raises(AlreadyExecuted):
        execute(sqlite_store, requeues[1].proposal_id, "omar", gw, settings=SETTINGS)
    assert gw.calls == 3


def test_a_redelivery_after_a_timeout_hands_the_owner_each_duplicate_with_the_original_it_duplicates():
    from odoo_triage.core.domain import DuplicateCluster, RecordModel
    from tests.test_agent_fixtures import FakeMatch

    d = [ev("zap.csv", 1, "esign", 0, http_status=504, idempotency_key="run-1",
            error="The app did not respond in-time. It may or may not have completed successfully."),
         ev("zap.csv", 2, "esign", 12, status="ok", idempotency_key="run-1", record_ids=["project.project:51"])]
    det = FakeDetection(anomalies=[anomaly("an-dup", "duplicate_delivery", "esign", 0, 13, d)],
                        evidence={e.event_id: e for e in d})
    # the original (50) is named by no delivery, only by the duplicate cluster of the projects export
    projects = FakeMatch(clusters=[DuplicateCluster(cluster_id="jc-1", model=RecordModel.project, record_ids=[50, 51],
                                                    suggested_master_id=50, probability=0.95, reason="same code")])
    run = run_triage(det, None, projects)
    by_action = {str(p.action): p for p in run.proposals}
    assert by_action["archive_project"].params["project_id"] == 51
    assert by_action["escalate"].params["records"] == ["project.project:51", "project.project:50"]


def test_a_slowdown_that_failed_nothing_is_escalated_as_nothing_to_replay_not_noted_on_records():
    slow = [ev("bridge.log", i, "opportunity_sync", i * 5, status="ok", latency_ms=8000,
               record_ids=[f"sale.order:{i}"]) for i in range(6)]
    det = FakeDetection(anomalies=[anomaly("an-slow", "latency_shift", "opportunity_sync", 0, 30, slow)],
                        evidence={e.event_id: e for e in slow})
    run = run_triage(det)
    (only,) = run.proposals
    assert str(only.action) == "escalate" and "nothing needs replaying" in only.params["message"]
    assert run.incidents[0].cause == Cause.upstream_outage


def test_a_configuration_escalation_hands_over_every_failed_job_not_the_first_500():
    error = "odoo.exceptions.UserError: Bill.com customer ID missing: set x_billcom_id on the partner first."
    refs = [[f"queue.job:u{i}"] for i in range(700)]
    actions = offline_actions(_incident(Cause.configuration), _facts(error, refs))
    (escalation,) = [a for a in actions if a.action == ActionName.escalate]
    assert escalation.params["records"] == [f"queue.job:u{i}" for i in range(700)]
    from odoo_triage.agent.actions import parse_action

    assert len(parse_action("escalate", escalation.params).record_refs()) == 700


def test_a_provider_naming_more_jobs_than_one_proposal_carries_is_split_not_rejected():
    from odoo_triage.agent.llm.report import ProposedAction
    from odoo_triage.agent.triage import split_requeues

    big = ProposedAction(action="requeue_jobs", params={"job_uuids": [f"u{i}" for i in range(501)]},
                         evidence_ids=["e"])
    parts = split_requeues([big, ProposedAction(action="escalate", params={})])
    assert [len(p.params.get("job_uuids", [])) for p in parts] == [500, 1, 0]


def test_a_dropped_payload_field_is_escalated_with_every_record_not_noted_per_record():
    error = "odoo.exceptions.ValidationError: SIRET 1 renvoyé par l'API n'est pas valide (champ « siegeSocial » absent)"
    refs = [[f"queue.job:u{i}", f"res.partner:{i + 1}"] for i in range(4)]
    actions = offline_actions(_incident(Cause.schema_validation), _facts(error, refs))
    assert [str(a.action) for a in actions] == ["escalate"]
    assert set(actions[0].params["records"]) == {r for rs in refs for r in rs}
    plain = "odoo.exceptions.ValidationError: The IBAN does not match the SEPA schema (field bank_account_id)"
    noted = offline_actions(_incident(Cause.schema_validation), _facts(plain, refs))
    assert {str(a.action) for a in noted} == {"post_note"}


# --------------------------------------------------------------------------- redeliveries


def _timed_out_then_redelivered() -> FakeDetection:
    """Two messages: the first delivery timed out (504) after Odoo made the partner; the redelivery made another."""
    events = [
        ev(
            "w.jsonl",
            1,
            "crm",
            0,
            http_status=504,
            idempotency_key="m1",
            record_ids=["res.partner:501"],
            error="upstream timed out before response",
            latency_ms=30_000,
        ),
        ev(
            "w.jsonl",
            2,
            "crm",
            3,
            status="ok",
            idempotency_key="m1",
            retry_count=1,
            record_ids=["res.partner:502"],
            http_status=200,
        ),
        ev(
            "w.jsonl",
            3,
            "crm",
            10,
            http_status=504,
            idempotency_key="m2",
            record_ids=["res.partner:503"],
            error="upstream timed out before response",
            latency_ms=30_000,
        ),
        ev(
            "w.jsonl",
            4,
            "crm",
            13,
            status="ok",
            idempotency_key="m2",
            retry_count=1,
            record_ids=["res.partner:504"],
            http_status=200,
        ),
        # a 422 did no work: its retry's partner is no duplicate of anything
        ev(
            "w.jsonl",
            5,
            "crm",
            20,
            http_status=422,
            idempotency_key="m3",
            record_ids=["res.partner:505"],
            error="ValidationError: bad zip",
        ),
        ev("w.jsonl", 6, "crm", 23, status="ok", idempotency_key="m3", record_ids=["res.partner:506"]),
    ]
    return FakeDetection(
        anomalies=[
            anomaly("dup", "duplicate_delivery", "crm", 0, 25, events),
            anomaly("sp", "error_spike", "crm", 0, 25, events[::2]),
        ],
        evidence={e.event_id: e for e in events},
    )


def test_a_timed_out_delivery_that_named_its_record_was_processed_and_its_redelivery_is_merged():
    det = _timed_out_then_redelivered()
    events = list(det.evidence.values())
    assert [processed(e) for e in events] == [True, True, True, True, False, True]
    assert [(m, d) for m, d, _ in redelivered_partners(events)] == [(501, [502]), (503, [504])]
    run = run_triage(det, None, None, None)
    (inc,) = run.incidents
    assert inc.cause == Cause.upstream_outage
    merges = sorted(p.params["partner_ids"] for p in run.proposals if str(p.action) == "merge_partners")
    assert merges == [[501, 502], [503, 504]]
    # the slowness is the owner's to fix
    (escalation,) = [p for p in run.proposals if str(p.action) == "escalate"]
    assert "timeout" in escalation.params["message"]
    assert not [p for p in run.proposals if str(p.action) == "requeue_jobs"]
    assert run.grounding["rejected_actions"] == 0


def test_the_redelivery_check_counts_a_delivery_the_sender_stopped_waiting_for(tmp_path: Path):
    start = datetime(2027, 3, 1, tzinfo=UTC)
    lines, n = [], 0
    for day in range(14):
        for k in range(40):
            t = start + timedelta(days=day, hours=8, minutes=k * 12)
            n += 1
            lines.append(
                {
                    "ts": t.isoformat(),
                    "flow": "crm",
                    "status": "ok",
                    "http_status": 200,
                    "latency_ms": 200,
                    "idempotency_key": f"m{n}",
                    "record_ids": [f"res.partner:{n}"],
                }
            )
    for k in range(8):  # day 10: the first delivery times out, the second (same key) succeeds
        t = start + timedelta(days=10, hours=9, minutes=k * 10)
        n += 1
        lines.append(
            {
                "ts": t.isoformat(),
                "flow": "crm",
                "status": "error",
                "http_status": 504,
                "latency_ms": 30_000,
                "error": "upstream timed out",
                "idempotency_key": f"t{k}",
                "record_ids": [f"res.partner:{n}"],
            }
        )
        lines.append(
            {
                "ts": (t + timedelta(minutes=3)).isoformat(),
                "flow": "crm",
                "status": "ok",
                "http_status": 200,
                "latency_ms": 200,
                "retry_count": 1,
                "idempotency_key": f"t{k}",
                "record_ids": [f"res.partner:{n + 1000}"],
            }
        )
    path = tmp_path / "hooks.jsonl"
    path.write_text(
        "".join(json.dumps(x) + "\n" for x in sorted(lines, key=lambda x: x["ts"])), encoding="utf-8"
    )
    result = run_detection([path])
    kinds = {k for a in result.anomalies for k in (a.kind, *a.related_kinds)}
    assert AnomalyKind.duplicate_delivery in kinds


# --------------------------------------------------------------------------- eval rows


def test_the_eval_shows_each_labeled_incident_against_what_was_predicted():
    labels = [
        LabeledIncident(
            incident_id="L1",
            kind="error_spike",
            flow="crm",
            start=T0,
            end=T0 + timedelta(hours=2),
            cause=Cause.configuration,
            expected_action=ActionName.requeue_jobs,
            affected_records=["queue.job:a", "queue.job:b"],
        ),
        LabeledIncident(
            incident_id="L2",
            kind="silent_flow",
            flow="hr",
            start=T0,
            end=T0 + timedelta(hours=2),
            cause=Cause.configuration,
            expected_action=ActionName.escalate,
        ),
    ]
    outcomes = [
        TriageOutcome(
            "crm", T0, T0 + timedelta(hours=1), "upstream_outage", ["requeue_jobs"], {"queue.job:a"}
        )
    ]
    s = score_triage(outcomes, labels)
    l1, l2 = s["incidents"]
    assert (l1["predicted_cause"], l1["cause_ok"], l1["action_ok"]) == ("upstream_outage", False, True)
    assert (l1["records_covered"], l1["records_labeled"], l1["records_missed"]) == (1, 2, ["queue.job:b"])
    assert not l2["found"] and l2["predicted_cause"] is None
    text = markdown({"x": {"triage": s}})
    assert (
        "Triage per labeled incident" in text
        and "| L1 | crm | yes | configuration | upstream_outage ✗" in text
    )
    page = html_report({"x": {"triage": s}})
    assert (
        "Triage per labeled incident: x" in page and "<td>queue.job" not in page and "<td>1 / 2</td>" in page
    )
