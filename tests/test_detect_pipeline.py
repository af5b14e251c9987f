"""End to end on a small generated world (recall/precision against its labels), the `triage detect`
command, the demo stage, and idempotent storage of anomalies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.agent.store.stage_results import save_anomalies
from odoo_triage.agent.store.tables import AnomalyRow
from odoo_triage.app.cli import app
from odoo_triage.core.domain import Anomaly, AnomalyKind
from odoo_triage.core.labels import read_incidents
from odoo_triage.detectors.pipeline import DetectionResult, run_detection
from odoo_triage.evals.metrics import score_detection
from odoo_triage.sim.world import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "world"
    generate_world(out, seed=11, events=20_000, partners=200)
    return out


@pytest.fixture(scope="module")
def detection(world) -> DetectionResult:
    return run_detection(sorted((world / "logs").iterdir()))


def test_world_recall_precision_and_bookkeeping(world, detection):
    labels = read_incidents(world / "labels" / "incidents.jsonl")
    score = score_detection(detection.anomalies, labels, flows=6, days=7)
    assert score.overall["recall"] >= 0.95, score.matches
    assert score.overall["precision"] >= 0.9
    assert score.max_false_alarms_one_flow_day <= 1
    malformed = json.loads((world / "world.json").read_text())["malformed_lines"]
    assert sorted((r.source_file, r.line_no) for r in detection.rejected) == sorted(
        (m["file"], m["line"]) for m in malformed)
    assert sum(s.events for s in detection.stats.values()) == json.loads(
        (world / "world.json").read_text())["events"]["total"]
    cited = {e for a in detection.anomalies for e in a.evidence_event_ids}
    assert cited and cited <= set(detection.evidence)
    assert all(detection.evidence[e].event_id == e for e in cited)
    assert set(detection.flow_stats.columns) >= {"flow", "hour", "volume", "error_rate", "p95_ms"}
    assert len(detection.templates) < 60  # thousands of failures, a handful of signatures


def test_save_anomalies_is_idempotent(store, detection):
    assert save_anomalies(store, detection.anomalies) == len(detection.anomalies)
    changed = [a.model_copy(update={"score": 0.5}) for a in detection.anomalies]
    assert save_anomalies(store, changed) == 0
    with store.session() as s:
        rows = s.query(AnomalyRow).all()
        assert len(rows) == len(detection.anomalies)
        assert {r.score for r in rows} == {0.5}
        assert Anomaly.model_validate(rows[0].data).anomaly_id == rows[0].anomaly_id


def test_rerun_gives_the_same_ids(world, detection):
    again = run_detection(sorted((world / "logs").iterdir()))
    assert [a.anomaly_id for a in again.anomalies] == [a.anomaly_id for a in detection.anomalies]


def test_cli_table_json_and_missing_file(world, tmp_path):
    runner = CliRunner()
    logs = [str(p) for p in sorted((world / "logs").iterdir())]
    db = f"sqlite:///{tmp_path / 't.db'}"
    rej = tmp_path / "rejected.jsonl"
    r = runner.invoke(app, ["detect", *logs, "--database-url", db, "--rejected-file", str(rej)])
    assert r.exit_code == 0, r.output
    assert "lines set aside" in r.output and "crm_partner_sync" in r.output
    assert len(rej.read_text().splitlines()) == 4
    r = runner.invoke(app, ["detect", *logs, "--no-store", "--format", "json", "--flow", "invoice_export"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["lines_set_aside"] == 4 and data["events_parsed"] > 19_000
    assert {a["flow"] for a in data["anomalies"]} == {"invoice_export"}
    assert data["anomalies"][0]["kind"] in {k.value for k in AnomalyKind}
    r = runner.invoke(app, ["detect", str(world / "logs"), "--no-store", "--format", "json"])  # a folder
    assert r.exit_code == 0 and json.loads(r.output)["lines_set_aside"] == 4
    r = runner.invoke(app, ["detect", str(tmp_path / "nope.jsonl"), "--no-store"])
    assert r.exit_code == 2 and "no such log file" in r.output
    r = runner.invoke(app, ["detect", logs[0], "--no-store", "--since", "last tuesday"])
    assert r.exit_code == 2


def test_demo_stage(world, sqlite_store):
    from rich.console import Console

    from odoo_triage.app.commands.detect import demo_stage
    from odoo_triage.app.demo import DemoContext

    ctx = DemoContext(world_dir=world, store=sqlite_store, console=Console())
    line = demo_stage(ctx)
    result = ctx.results["detection"]
    assert f"{result.events:,} events read, 4 set aside" in line and "anomalies" in line
    with sqlite_store.session() as s:
        assert s.query(AnomalyRow).count() == len(result.anomalies)
    assert result.baseline_end.date() == datetime(2026, 10, 26, tzinfo=UTC).date()  # first 7 days


def test_cli_custom_mapping(tmp_path):
    log = tmp_path / "shop.jsonl"
    log.write_text('{"time":"2026-10-19T10:00:00Z","integration":"shop","state":"ok"}\n'
                   '{"time":"2026-10-19T11:00:00Z","integration":"shop","state":"failed","msg":"boom"}\n')
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"timestamp": "time", "flow": "integration", "status": "state", "error": "msg"}')
    r = CliRunner().invoke(app, ["detect", str(log), "--mapping", str(mapping), "--no-store", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["events_parsed"] == 2 and data["lines_set_aside"] == 0 and data["flows"] == ["shop"]
    mapping.write_text('{"timestamp": "time", "colour": "blue"}')
    r = CliRunner().invoke(app, ["detect", str(log), "--mapping", str(mapping), "--no-store"])
    assert r.exit_code == 2 and "colour" in r.output
