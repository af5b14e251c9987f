"""The openai provider over loopback: the real openai client and langchain-openai against
tests/fake_openai.py. No request leaves 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from odoo_triage.agent.triage import run_triage
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_agent_fixtures import FLOWS, SECRET, UUIDS, FakeDetection, world


@pytest.fixture(autouse=True)
def _loopback_env(monkeypatch):
    """A dummy key and no proxy or org settings from the developer's shell."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "TRIAGE_OPENAI_MODEL",
                "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-real")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def retry_storm_only() -> FakeDetection:
    det, _, _ = world()
    keep = [a for a in det.anomalies if a.flow == "invoice_export"]
    return FakeDetection(anomalies=keep, evidence=det.evidence, templates=det.templates)


def good_answer(uuids=None, cite="queue_job.csv:10") -> dict:
    return {
        "summary": "invoice_export jobs fail after repeated 429s from DATEV.",
        "probable_cause": "rate_limit",
        "business_impact": "Invoices are not exported to accounting.",
        "evidence_ids": ["an-retry", cite],
        "actions": [{"action": "requeue_jobs", "params": {"job_uuids": uuids or UUIDS[:5]},
                     "rationale": "failed after retries", "evidence_ids": [cite]}],
        "confidence": 0.82,
    }


def run(fake: FakeOpenAI, detection=None, store=None, with_clusters=False, **opts):
    options = {"base_url": fake.base_url, "timeout_s": 2.0, "max_retries": 2, **opts}
    _, partners, projects = world() if with_clusters else (None, None, None)
    return run_triage(detection or retry_storm_only(), partners, projects, FLOWS, provider="openai", store=store,
                      provider_options=options)


def test_good_answer_becomes_a_grounded_proposal_with_usage_and_cost():
    with FakeOpenAI([Reply(good_answer(), prompt_tokens=1000, completion_tokens=200)]) as fake:
        priced = {fake.base_url: {"gpt-4o": {"input": 2.5, "output": 10.0}, "gpt-4o-mini": {"input": 0.15, "output": 0.60}}}
        result = run(fake, model="gpt-4o-mini", prices=priced)
    assert len(fake.requests) == 1
    req = fake.requests[0]
    # langchain-openai asks for structured output through a json_schema response_format
    assert req["response_format"]["type"] == "json_schema"
    schema = req["response_format"]["json_schema"]["schema"]
    assert {"summary", "probable_cause", "evidence_ids", "actions", "confidence"} <= set(schema["properties"])
    assert fake.headers[0]["authorization"] == "Bearer test-key-not-real"
    [prop] = result.proposals
    assert str(prop.action) == "requeue_jobs" and prop.params["job_uuids"] == UUIDS[:5]
    assert prop.proposed_by == "triage-agent/openai"
    rep = result.reports[prop.incident_id]
    assert rep.prompt_version == "v2" and rep.prompt_name == "triage_report" and not rep.fallback_reason
    assert (rep.prompt_tokens, rep.completion_tokens) == (1000, 200)
    assert rep.cost_usd == pytest.approx((1000 * 0.15 + 200 * 0.60) / 1e6)
    assert result.grounding == {"caught": 0, "passed_on": 0, "rejected_actions": 0, "unsafe_passed_on": 0}


def test_prompt_carries_evidence_but_no_secret():
    det, _, _ = world()
    keep = [a for a in det.anomalies if a.flow == "hr_employee_sync"]
    answer = {"summary": "apikey expired", "probable_cause": "credential_auth", "business_impact": "HR sync down",
              "evidence_ids": ["middleware.jsonl:200"], "confidence": 0.9,
              "actions": [{"action": "escalate", "params": {"flow": "hr_employee_sync", "owner": "hr-it@firm.test",
                                                            "message": "renew the key"}, "evidence_ids": ["middleware.jsonl:200"]}]}
    with FakeOpenAI([Reply(answer)]) as fake:
        result = run(fake, FakeDetection(anomalies=keep, evidence=det.evidence, templates=det.templates))
    sent = json.dumps(fake.requests[0])
    assert "middleware.jsonl:200" in sent and "Invalid apikey" in sent
    assert SECRET not in sent and "Bearer ***" in sent
    assert [str(p.action) for p in result.proposals] == ["escalate"]


def test_malformed_json_falls_back_to_offline_and_records_why():
    with FakeOpenAI([Reply('{"summary": "half an answer", "probable_cause": ')]) as fake:
        result = run(fake)
    assert len(fake.requests) == 1
    [rep] = result.reports.values()
    assert rep.fallback_kind == "malformed" and "does not fit the TriageReport schema" in rep.fallback_reason
    assert rep.provider == "offline" and rep.requested_provider == "openai"
    # the offline report stands in: the incident still gets its grounded proposal
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]
    assert result.usage[0]["fallback"] is True


def test_invented_record_id_is_caught_and_not_passed_on():
    invented = [*UUIDS[:2], "deadbeef-0000-0000-0000-000000000000"]
    answer = good_answer(uuids=invented, cite="queue_job.csv:9999")
    with FakeOpenAI([Reply(answer)]) as fake:
        result = run(fake)
    assert result.proposals == []
    [rep] = result.reports.values()
    assert [r.action for r in rep.rejected] == ["requeue_jobs"]
    assert "queue.job:deadbeef-0000-0000-0000-000000000000" in rep.rejected[0].reason
    assert "queue_job.csv:9999" in rep.ungrounded_evidence_ids
    assert "queue_job.csv:9999" not in rep.report.evidence_ids
    assert result.grounding["caught"] == 3  # two invented citations + one invented record
    assert result.grounding["passed_on"] == 0


def test_off_list_action_is_rejected():
    answer = good_answer()
    answer["actions"].append({"action": "unlink_partner", "params": {"partner_id": 41}})
    answer["actions"].append({"action": "merge_partners", "params": {"partner_ids": [41, 42, 43, 44],
                                                                     "destination_id": 41}})
    with FakeOpenAI([Reply(answer)]) as fake:
        result = run(fake)
    [rep] = result.reports.values()
    assert sorted(r.action for r in rep.rejected) == ["merge_partners", "unlink_partner"]
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]
    assert result.grounding["rejected_actions"] == 2


def test_429_then_success_is_retried():
    with FakeOpenAI([Reply(status=429, headers={"retry-after-ms": "10"}), Reply(good_answer())]) as fake:
        result = run(fake)
    assert len(fake.requests) == 2
    [rep] = result.reports.values()
    assert not rep.fallback_reason
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]


def test_timeout_is_bounded_and_ends_as_a_recorded_fallback():
    with FakeOpenAI([Reply(good_answer(), delay_s=1.5)]) as fake:
        result = run(fake, timeout_s=0.3, max_retries=1, single_slot=False)
    assert len(fake.requests) == 2  # one try plus one bounded retry, then give up
    [rep] = result.reports.values()
    assert rep.fallback_kind == "timeout" and "no answer from http://127.0.0.1" in rep.fallback_reason
    assert rep.latency_s < 5
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]  # offline report stands in


def test_cache_makes_the_second_run_send_zero_requests(sqlite_store):
    with FakeOpenAI([Reply(good_answer())]) as fake:
        first = run(fake, store=sqlite_store)
        assert len(fake.requests) == 1
        second = run(fake, store=sqlite_store)
        assert len(fake.requests) == 1
    [rep2] = second.reports.values()
    assert rep2.cached and rep2.cost_usd == 0.0
    assert [p.proposal_id for p in first.proposals] == [p.proposal_id for p in second.proposals]


def test_answer_that_is_not_json_at_all_falls_back():
    with FakeOpenAI([Reply("Sure! The cause is probably a rate limit.")]) as fake:
        result = run(fake)
    [rep] = result.reports.values()
    assert rep.fallback_kind == "malformed" and "not the JSON asked for" in rep.fallback_reason
    assert "\n" not in rep.fallback_reason
    assert result.grounding["passed_on"] == 0


def test_rejections_reach_the_audit_log_and_never_the_proposals(sqlite_store):
    from odoo_triage.agent.store.tables import AuditRow, ProposalRow

    answer = good_answer(uuids=["deadbeef-0000-0000-0000-000000000000"])
    with FakeOpenAI([Reply(answer)]) as fake:
        run(fake, store=sqlite_store)
    with sqlite_store.session() as s:
        assert s.query(ProposalRow).count() == 0
        [audit] = [a for a in s.query(AuditRow).all() if a.event == "refused:ungrounded"]
        assert audit.detail["rejected"][0]["action"] == "requeue_jobs"
        assert audit.actor == "triage-agent/openai"


def test_function_calling_mode_for_servers_without_json_schema():
    with FakeOpenAI([Reply(good_answer())]) as fake:
        result = run(fake, method="function_calling")
    req = fake.requests[0]
    assert "response_format" not in req and req["tools"][0]["function"]["name"] == "TriageReport"
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]
    assert not next(iter(result.reports.values())).fallback_reason


def test_concurrent_calls_keep_incident_order_and_guard_each(monkeypatch):
    monkeypatch.setenv("TRIAGE_OPENAI_CONCURRENCY", "3")
    det, partners, projects = world()
    offline = run_triage(det, partners, projects, FLOWS)
    with FakeOpenAI([Reply(good_answer(), delay_s=0.05)]) as fake:
        result = run(fake, det, with_clusters=True)
    assert len(fake.requests) == len(offline.incidents) == 6
    assert [i.incident_id for i in result.incidents] == [i.incident_id for i in offline.incidents]
    # the same requeue answer is grounded only in the invoice_export incident; elsewhere it is caught
    assert [str(p.action) for p in result.proposals] == ["requeue_jobs"]
    assert result.grounding["rejected_actions"] == 5 and result.grounding["passed_on"] == 0


def test_the_models_cause_is_reported_on_the_incident():
    answer = good_answer()
    answer["probable_cause"] = "upstream_outage"
    with FakeOpenAI([Reply(answer)]) as fake:
        result = run(fake)
    [inc] = result.incidents
    assert inc.cause == "upstream_outage" and inc.cause_confidence == 0.82


def test_a_secret_the_model_writes_is_masked_before_storage(sqlite_store):
    from odoo_triage.agent.store.tables import IncidentRow, ProposalRow

    answer = good_answer()
    answer["summary"] = "jobs fail; the key password=hunter2hunter2 was used"
    answer["actions"].append({"action": "escalate", "params": {"flow": "invoice_export", "owner": "x",
                                                               "message": "use Bearer abcdefghijklmnop"}})
    with FakeOpenAI([Reply(answer)]) as fake:
        run(fake, store=sqlite_store)
    with sqlite_store.session() as s:
        stored = json.dumps([r.data for r in s.query(IncidentRow).all()] + [r.payload for r in s.query(ProposalRow).all()])
    assert "hunter2hunter2" not in stored and "abcdefghijklmnop" not in stored
    assert "password=***" in stored and "Bearer ***" in stored
