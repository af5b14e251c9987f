"""Real-world model servers, faked on loopback: mode negotiation, hostile answers, deadlines, the
circuit breaker, interrupts, token budget and honest accounting (issue #18)."""

from __future__ import annotations

import json
import os
import signal

import pytest
from typer.testing import CliRunner

from odoo_triage.agent.llm import budget
from odoo_triage.agent.llm.schema import answer_schema
from odoo_triage.agent.triage import RunInterrupted, run_triage
from odoo_triage.core.domain import ActionName, EvidenceItem
from tests.fake_openai import FakeOpenAI, Reply, request_mode
from tests.test_agent_fixtures import FLOWS, world
from tests.test_llm_openai import _loopback_env, good_answer, retry_storm_only, run  # noqa: F401


def _modes(fake: FakeOpenAI) -> list[str]:
    return [request_mode(r) for r in fake.requests]


def test_schema_has_an_enum_of_actions_and_typed_params_per_action():
    schema = answer_schema()
    variants = schema["properties"]["actions"]["items"]["anyOf"]
    names = [v["properties"]["action"]["enum"] for v in variants]
    assert sorted(n for [n] in names) == sorted(a.value for a in ActionName)
    requeue = next(v for v in variants if v["properties"]["action"]["enum"] == ["requeue_jobs"])
    assert requeue["properties"]["params"]["required"] == ["job_uuids"]
    assert requeue["properties"]["params"]["additionalProperties"] is False
    assert "oneOf" not in json.dumps(schema) and "$ref" not in json.dumps(schema)


def test_500_on_json_schema_negotiates_tools_and_remembers_it(sqlite_store):
    with FakeOpenAI([Reply(good_answer())], reject_modes={"json_schema"}) as fake:
        first = run(fake, store=sqlite_store)
        assert _modes(fake) == ["json_schema", "tools"]  # no retries of a refused mode
        [rep] = first.reports.values()
        assert rep.structured_mode == "tools" and not rep.fallback_reason and rep.provider == "openai"
        # a later run against the same server and model starts with what worked (cached incident skipped)
        det, partners, projects = world()
        run_triage(det, partners, projects, FLOWS, provider="openai", store=sqlite_store,
                   provider_options={"base_url": fake.base_url, "timeout_s": 2.0})
        assert set(_modes(fake)[2:]) == {"tools"}


def test_server_refusing_schema_and_tools_gets_json_object_with_the_schema_in_the_prompt():
    with FakeOpenAI([Reply(good_answer())], reject_modes={"json_schema", "tools"}) as fake:
        result = run(fake)
    assert _modes(fake) == ["json_schema", "tools", "json_object"]
    assert '"anyOf"' in fake.requests[-1]["messages"][-1]["content"]  # the schema travels in the prompt
    [rep] = result.reports.values()
    assert rep.structured_mode == "json_object" and not rep.fallback_reason


def test_every_mode_refused_is_said_so():
    with FakeOpenAI([Reply(good_answer())], reject_modes={"json_schema", "tools", "json_object"}) as fake:
        result = run(fake)
    [rep] = result.reports.values()
    assert rep.provider == "offline" and "refused every structured-output mode" in rep.fallback_reason


def test_max_tokens_is_always_sent():
    with FakeOpenAI([Reply(good_answer())]) as fake:
        run(fake, max_tokens=333)
    assert fake.requests[0]["max_tokens"] == 333


def test_html_answer_is_not_an_openai_compatible_endpoint():
    with FakeOpenAI([Reply(html="<html><body>Welcome to nginx!</body></html>")]) as fake:
        result = run(fake)
    [rep] = result.reports.values()
    assert rep.fallback_kind == "not_openai_compatible" and "not an OpenAI chat completion" in rep.fallback_reason
    assert len(fake.requests) == 1  # not retried


def test_truncated_tool_call_says_finish_reason_length():
    cut = json.dumps(good_answer())[:60]
    with FakeOpenAI([Reply(cut, finish_reason="length")]) as fake:
        result = run(fake, method="tools", max_tokens=64)
    [rep] = result.reports.values()
    assert rep.fallback_kind == "truncated" and "finish_reason=length" in rep.fallback_reason
    assert "max_tokens=64" in rep.fallback_reason


def test_tool_call_cut_at_max_tokens_without_saying_so_is_truncated():
    cut = json.dumps(good_answer())[:60]
    with FakeOpenAI([Reply(cut, completion_tokens=64)]) as fake:
        result = run(fake, method="tools", max_tokens=64)
    [rep] = result.reports.values()
    assert rep.fallback_kind == "truncated" and "finish_reason=tool_calls" in rep.fallback_reason


def test_broken_tool_arguments_are_invalid_tool_arguments():
    with FakeOpenAI([Reply('{"summary": "x", "actions": [}')]) as fake:
        result = run(fake, method="tools")
    [rep] = result.reports.values()
    assert rep.fallback_kind == "invalid_tool_arguments" and "invalid tool arguments" in rep.fallback_reason


def test_a_single_slot_server_gets_no_retry_after_a_timeout():
    with FakeOpenAI([Reply(good_answer(), delay_s=1.0)]) as fake:
        result = run(fake, timeout_s=0.2, max_retries=3)  # loopback: single-slot by default
    assert len(fake.requests) == 1
    [rep] = result.reports.values()
    assert rep.fallback_kind == "timeout"


def test_server_that_never_answers_trips_the_breaker_and_the_rest_go_offline():
    det, _, _ = world()
    with FakeOpenAI([Reply(good_answer(), delay_s=5)]) as fake:
        result = run(fake, det, with_clusters=True, timeout_s=0.2, max_retries=3, incident_budget_s=0.5,
                     breaker_failures=2, single_slot=False, concurrency=1)
    assert len(result.incidents) == 6
    kinds = [r.fallback_kind for r in result.reports.values()]
    assert kinds.count("circuit_open") == 4 and set(kinds[:2]) <= {"timeout", "deadline"}
    assert len(fake.requests) <= 2 * 3  # bounded by the incident budget, not (1 + retries) x timeout
    assert result.answered_by_model == 0
    assert "the model answered none of 6 incidents" in result.summary()
    assert any("circuit breaker opened" in n for n in result.notes)
    assert {r.provider for r in result.reports.values()} == {"offline"}
    assert {p.proposed_by for p in result.proposals} == {"triage-agent/offline"}


def test_run_budget_sends_the_rest_offline():
    det, _, _ = world()
    with FakeOpenAI([Reply(good_answer(), delay_s=0.3)]) as fake:
        result = run(fake, det, with_clusters=True, run_budget_s=0.2, timeout_s=1.0)
    kinds = {r.fallback_kind for r in result.reports.values()}
    assert "run_budget" in kinds or "deadline" in kinds
    assert result.answered_by_model < 6


def test_loopback_server_gets_one_call_at_a_time_unless_configured():
    from odoo_triage.agent.llm.openai_provider import OpenAIProvider

    assert OpenAIProvider(base_url="http://127.0.0.1:8080/v1").concurrency == 1
    assert OpenAIProvider(base_url="http://127.0.0.1:8080/v1", concurrency=3).concurrency == 3
    assert OpenAIProvider(base_url="https://llm.example.test/v1").concurrency == 4
    assert OpenAIProvider(base_url="https://llm.example.test/v1", single_slot=True).concurrency == 1


def test_loopback_server_needs_no_key(monkeypatch):
    from odoo_triage.agent.llm.openai_provider import OpenAIProvider
    from odoo_triage.core.errors import InputError

    monkeypatch.delenv("OPENAI_API_KEY")
    assert OpenAIProvider(base_url="http://localhost:11434/v1").local
    with pytest.raises(InputError, match="OPENAI_API_KEY"):
        OpenAIProvider(base_url="https://llm.example.test/v1")


def test_local_server_under_an_openai_model_name_costs_nothing():
    with FakeOpenAI([Reply(good_answer(), prompt_tokens=1000, completion_tokens=200)]) as fake:
        result = run(fake, model="gpt-4o-mini")
    [rep] = result.reports.values()
    assert rep.cost_usd == 0.0 and rep.prompt_tokens == 1000


def test_ctrl_c_stops_and_keeps_the_finished_work(sqlite_store):
    from odoo_triage.agent.store.tables import IncidentRow

    det, partners, projects = world()
    calls = []

    def interrupt_after_first(done: int, total: int) -> None:
        calls.append(done)
        if done == 1:
            raise KeyboardInterrupt

    with FakeOpenAI([Reply(good_answer(), delay_s=0.05)]) as fake:
        with pytest.raises(RunInterrupted) as stopped:
            run_triage(det, partners, projects, FLOWS, provider="openai", store=sqlite_store,
                       provider_options={"base_url": fake.base_url, "timeout_s": 2.0}, progress=interrupt_after_first)
    interrupted = stopped.value.run
    assert interrupted.interrupted and len(interrupted.incidents) == 6
    assert sum(r.fallback_kind == "interrupted" for r in interrupted.reports.values()) >= 4
    assert len(fake.requests) <= 3
    with sqlite_store.session() as s:
        rows = s.query(IncidentRow).all()
        assert len(rows) == 6 and all("report" in r.data for r in rows)


def test_sigterm_is_an_interrupt_too(sqlite_store):
    from odoo_triage.agent.store.tables import IncidentRow

    det, partners, projects = world()

    def terminate(done: int, total: int) -> None:
        if done == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    with FakeOpenAI([Reply(good_answer(), delay_s=0.05)]) as fake:
        with pytest.raises(RunInterrupted):
            run_triage(det, partners, projects, FLOWS, provider="openai", store=sqlite_store,
                       provider_options={"base_url": fake.base_url}, progress=terminate)
    assert signal.getsignal(signal.SIGTERM) is before
    with sqlite_store.session() as s:
        assert s.query(IncidentRow).count() == 6


def test_budget_ranks_distinct_errors_first_and_fits_the_largest_incident():
    evidence = [EvidenceItem(evidence_id="an-1", kind="anomaly", text="retry storm on invoice_export")]
    shapes = ["HTTP 429 Too Many Requests job {}", "IBAN {} does not match SEPA", "timeout after {} ms"]
    evidence += [EvidenceItem(evidence_id=f"q.csv:{i}", kind="event", text=shapes[i % 3 if i < 30 else 0].format(i))
                 for i in range(5000)]
    fitted = budget.fit(evidence, [f"queue.job:{i}" for i in range(3000)], 1500, lambda e: f"{e.evidence_id} | {e.text}")
    text = "\n".join(fitted.lines) + fitted.records_text
    assert budget.estimate_tokens(text) <= 1500
    assert fitted.lines[0].startswith("an-1")
    assert all(any(s.split()[0] in line for line in fitted.lines[1:4]) for s in shapes)
    assert "more evidence items" in fitted.lines[-1] and "more)" in fitted.records_text


def test_prompt_fits_a_small_context():
    det, _, _ = world()
    with FakeOpenAI([Reply(good_answer())], reject_modes={"json_schema", "tools"}) as fake:
        run(fake, det, with_clusters=True, context_tokens=4096, max_tokens=256)
    assert {request_mode(r) for r in fake.requests} == {"json_schema", "tools", "json_object"}
    for req in fake.requests:  # json_object carries the schema in the prompt, and still fits
        prompt = "".join(m["content"] for m in req["messages"])
        assert budget.estimate_tokens(prompt) + 256 <= 4096


def test_too_small_a_context_is_said_so_without_a_call():
    with FakeOpenAI([Reply(good_answer())]) as fake:
        result = run(fake, context_tokens=2048, max_tokens=1900)
    assert fake.requests == []
    [rep] = result.reports.values()
    assert rep.fallback_kind == "prompt_too_large"


def test_eval_figures_split_answered_from_fell_back():
    from odoo_triage.evals.runner import _llm_usage

    det, _, _ = world()
    with FakeOpenAI([Reply(good_answer()), Reply("not json")]) as fake:
        result = run(fake, det, with_clusters=True, breaker_failures=10)
    figures = _llm_usage(result, "openai")
    assert figures["answered_by_model"] == 1 and figures["fell_back"] == 5
    assert figures["fallback_reasons"] == {"malformed": 5} and figures["share_answered_by_model"] == pytest.approx(1 / 6, abs=1e-3)


def test_cli_warns_and_require_llm_fails_when_the_model_answered_nothing(tmp_path, monkeypatch):
    from odoo_triage.app.cli import app
    from tests.test_agent_triage import fake_detection  # noqa: F401

    det, _, _ = world()
    monkeypatch.setattr("odoo_triage.app.commands.triage._detect", lambda *_args, **_kw: det)
    log = tmp_path / "x.log"
    log.write_text("line\n")
    with FakeOpenAI([Reply(html="<html>proxy login</html>")]) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        args = ["triage", str(log), "--provider", "openai", "--database-url", f"sqlite:///{tmp_path / 't.db'}"]
        plain = CliRunner().invoke(app, args)
        strict = CliRunner().invoke(app, [*args, "--require-llm"])
    assert plain.exit_code == 0, plain.output
    assert "answered none of" in plain.output
    assert strict.exit_code == 3


def test_llm_settings_from_env_and_file(tmp_path):
    from odoo_triage.core.errors import InputError
    from odoo_triage.core.settings import load_settings

    cfg = tmp_path / "c.toml"
    cfg.write_text('[llm]\nbase_url = "http://127.0.0.1:8080/v1"\ncontext_tokens = 4096\n'
                   '[llm.prices."http://127.0.0.1:8080/v1"]\nsmol = { input = 1.0, output = 2.0 }\n')
    s = load_settings(cfg, env={"TRIAGE_LLM_MAX_TOKENS": "300", "TRIAGE_OPENAI_STRUCTURED": "function_calling",
                                "TRIAGE_OPENAI_MODEL": "smol-135m"}).llm
    assert (s.context_tokens, s.max_tokens, s.structured, s.model) == (4096, 300, "tools", "smol-135m")
    assert s.prices["http://127.0.0.1:8080/v1"]["smol"].output == 2.0 and "https://api.openai.com/v1" in s.prices
    cfg.write_text('[llm]\napi_key = "sk-x"\n')
    with pytest.raises(InputError, match="not in the file"):
        load_settings(cfg, env={})


def test_local_server_command_binds_loopback_only(tmp_path):
    from odoo_triage.agent.llm.local_server import MODEL_ALIAS, server_command

    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"")
    cmd = server_command(8123, model=gguf, n_ctx=4096)
    assert cmd[1:3] == ["-m", "llama_cpp.server"]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and cmd[cmd.index("--port") + 1] == "8123"
    assert cmd[cmd.index("--model_alias") + 1] == MODEL_ALIAS and cmd[cmd.index("--n_ctx") + 1] == "4096"
