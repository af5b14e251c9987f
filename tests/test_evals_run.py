"""The evaluation run end to end on a small generated world, through the CLI as a user runs it."""

import json

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.evals.runner import evaluate_folder
from odoo_triage.sim.world import generate_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evalworld")
    generate_world(folder, seed=11, events=20_000, partners=600)
    return folder


def test_evaluate_folder_reports_every_figure(world):
    figs = evaluate_folder(world)
    det = figs["detection"]
    assert det["overall"]["labeled"] == 7
    assert det["overall"]["recall"] >= 6 / 7
    assert det["overall"]["precision"] >= 0.8
    assert set(det["per_kind"]) >= {"error_spike", "latency_shift", "silent_flow", "retry_storm",
                                     "duplicate_delivery", "new_error_signature", "expired_credential"}
    for model in ("partners", "projects"):
        assert figs["duplicates"][model]["precision"] >= 0.97
        assert figs["duplicates"][model]["recall"] >= 0.95  # over the active records the matcher was asked about
    assert figs["triage"]["cause_accuracy"] >= 0.8
    # Requeue and archive proposals act on every labeled affected record, not a sample. The payroll
    # employees are named only in Odoo log free text, which never grounds an action (#12): that
    # incident is escalated instead of noted, so one labeled incident of three covers none.
    assert figs["triage"]["affected_records_covered"] >= 0.66
    assert figs["grounding"]["ungrounded_passed_on"] == 0
    assert figs["llm"]["provider"] == "offline"
    assert set(figs["stages"]) == {"detect", "match_partners", "match_projects", "triage"}
    assert all(m["seconds"] > 0 and m["peak_rss_mb"] > 0 for m in figs["stages"].values())
    assert figs["events"] > 15_000


def test_eval_cli_stores_runs_and_compares(world, tmp_path):
    db = f"sqlite:///{tmp_path / 'eval.db'}"
    report = tmp_path / "report.html"
    r = runner.invoke(app, ["eval", "--labels", str(world), "--database-url", db, "--report", str(report)])
    assert r.exit_code == 0, r.output
    assert "| detection recall |" in r.output
    assert "data:image/png;base64," in report.read_text()
    # The second run changes one threshold through the environment: the run records it, compare shows it.
    r = runner.invoke(app, ["eval", "--labels", str(world), "--database-url", db, "--format", "json"],
                      env={"TRIAGE_DETECTORS_REDELIVERY_GAP_HOURS": "2.01"})
    assert r.exit_code == 0, r.output
    figures = json.loads(r.output[r.output.index("{"):])
    assert figures[world.name]["detection"]["overall"]["labeled"] == 7

    r = runner.invoke(app, ["eval", "--list", "--database-url", db])
    run_ids = [w for line in r.output.splitlines() for w in line.replace("│", " ").split() if w.startswith("run-")]
    assert len(run_ids) == 2
    r = runner.invoke(app, ["eval", "--compare", run_ids[1], run_ids[0], "--database-url", db])
    # Same code, same world: quality figures are identical; only timings may move with machine load.
    flagged = [line for line in r.output.splitlines() if "REGRESSION" in line]
    assert all(line.startswith(("| stages.", "| events_per_second", "| llm.latency")) for line in flagged), flagged
    assert r.exit_code == (1 if flagged else 0)
    assert "| detection." not in r.output  # unchanged figures are not listed
    assert "Settings that differ" in r.output
    assert "| detectors.redelivery_gap_hours | 2.0 | 2.01 |" in r.output  # A is the older run


def test_eval_rejects_a_folder_without_labels(tmp_path):
    r = runner.invoke(app, ["eval", "--labels", str(tmp_path), "--database-url", f"sqlite:///{tmp_path / 'e.db'}"])
    assert r.exit_code == 2
    assert "not a labeled folder" in r.stderr


HOSTILE = {
    "summary": "Everything is fine.",
    "probable_cause": "unknown",
    "business_impact": "none",
    "evidence_ids": ["nowhere.log:1"],
    "actions": [
        {"action": "requeue_jobs", "params": {"job_uuids": ["deadbeef-0000-0000-0000-000000000000"]},
         "rationale": "invented", "evidence_ids": ["nowhere.log:1"]},
        {"action": "drop_database", "params": {}, "rationale": "off the allow-list", "evidence_ids": []},
    ],
    "confidence": 0.99,
}


def test_eval_with_a_hostile_llm_catches_every_ungrounded_id(world, monkeypatch, tmp_path):
    """`--provider openai` through the real openai client against a loopback server whose model
    invents ids and actions: the eval counts what the guard caught, and nothing gets through."""
    from fake_openai import FakeOpenAI, Reply

    from odoo_triage.agent.store import open_store

    for var in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "TRIAGE_OPENAI_MODEL"):
        monkeypatch.delenv(var, raising=False)
    with FakeOpenAI([Reply(HOSTILE, prompt_tokens=900, completion_tokens=100)]) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-real")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        # a loopback server costs nothing unless priced (#18): price this one so the cost is counted
        config = tmp_path / "config.toml"
        config.write_text(f'[llm.prices."{fake.base_url}"]\n"gpt-4o-mini" = {{ input = 0.15, output = 0.60 }}\n')
        monkeypatch.setenv("TRIAGE_CONFIG", str(config))
        figs = evaluate_folder(world, provider="openai", store=open_store(f"sqlite:///{tmp_path / 'llm.db'}"))
        requests = len(fake.requests)
    incidents = figs["llm"]["incidents"]
    assert requests == incidents > 7
    assert figs["grounding"]["ungrounded_caught"] >= 2 * incidents  # an invented citation and record each
    assert figs["grounding"]["ungrounded_passed_on"] == 0
    assert figs["llm"]["provider"] == "openai"
    assert figs["llm"]["tokens_per_incident"] == 1000
    assert figs["llm"]["cost_usd_per_incident"] > 0


def test_eval_never_writes_to_the_users_store(world, tmp_path, monkeypatch):
    from odoo_triage.agent.store import open_store
    from odoo_triage.agent.store.tables import IncidentRow, ProposalRow
    from odoo_triage.evals import runner as eval_runner

    users = f"sqlite:///{tmp_path / 'team.db'}"
    own = f"sqlite:///{tmp_path / 'own-eval.db'}"
    monkeypatch.setenv("TRIAGE_DATABASE_URL", users)
    monkeypatch.setattr(eval_runner, "default_eval_database_url", lambda: own)
    r = runner.invoke(app, ["eval", "--labels", str(world), "--repeats", "2", "--format", "json"])
    assert r.exit_code == 0, r.output
    figures = json.loads(r.output[r.output.index("{"):])
    assert figures[world.name]["stages"]["detect"]["repeats"] == 2
    assert "seconds_noise" in figures[world.name]["stages"]["detect"]
    team = open_store(users)
    with team.session() as s:
        assert s.query(IncidentRow).count() == 0 and s.query(ProposalRow).count() == 0
    team.dispose()
    mine = open_store(own)
    with mine.session() as s:
        assert s.query(ProposalRow).count() > 0  # the evaluation's proposals live in its own store
    mine.dispose()
    r = runner.invoke(app, ["eval", "--list", "--format", "json"])
    assert len(json.loads(r.output)) == 1
