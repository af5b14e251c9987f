"""Matching and batch triage read straight from Odoo (the stand-in, over HTTP, read-only user)
find what the same records give from export files."""

import csv
import json

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, load_world, start_sandbox
from odoo_triage.sim.world import generate_world

runner = CliRunner()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odooworld")
    generate_world(folder, seed=23, events=8_000, partners=300)
    return folder


@pytest.fixture
def odoo(world, monkeypatch):
    data = load_world(world)
    with start_sandbox(data=data) as sb:
        monkeypatch.setenv("TRIAGE_ODOO_URL", sb.url)
        monkeypatch.setenv("TRIAGE_ODOO_DB", data.db)
        monkeypatch.setenv("TRIAGE_ODOO_READ_KEY", sb.data.user(READ_LOGIN).api_key)
        monkeypatch.delenv("TRIAGE_ODOO_WRITE_KEY", raising=False)
        yield sb


def _pairs(output: str) -> set[tuple[int, int]]:
    data = json.loads(output)
    return {(min(p["left_id"], p["right_id"]), max(p["left_id"], p["right_id"]))
            for c in data["clusters"] for p in c["pairs"]}


@pytest.mark.parametrize("kind,export", [("partners", "res_partner.csv"), ("projects", "project_project.csv")])
def test_match_from_odoo_finds_the_pairs_the_export_gives(world, odoo, kind, export):
    from_file = runner.invoke(app, ["match", kind, str(world / "records" / export), "--format", "json", "--no-store"])
    from_odoo = runner.invoke(app, ["match", kind, "--from-odoo", "--format", "json", "--no-store"])
    assert from_file.exit_code == 0 and from_odoo.exit_code == 0, from_odoo.output
    file_pairs, odoo_pairs = _pairs(from_file.stdout), _pairs(from_odoo.stdout)
    assert len(file_pairs) >= 5
    # Odoo gives country and many2one fields as ids rather than the export's names: nearly the same pairs.
    assert len(file_pairs & odoo_pairs) >= 0.9 * len(file_pairs)
    assert len(odoo_pairs - file_pairs) <= 0.1 * len(file_pairs)
    model = "res.partner" if kind == "partners" else "project.project"
    assert (READ_LOGIN, model, "search_read") in odoo.calls
    assert not [c for c in odoo.calls if c[0] == WRITE_LOGIN]  # reading never uses the write user


def test_batch_from_odoo_groups_the_failed_jobs(world, odoo):
    r = runner.invoke(app, ["batch", "--from-odoo", "--format", "json"])
    assert r.exit_code == 3, r.output  # the world's retry storm left failed jobs: actionable
    report = json.loads(r.stdout)
    last_state: dict[str, str] = {}
    with (world / "logs" / "queue_job.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            last_state[row["uuid"]] = row["state"]  # the export lists a retried job once per attempt
    failed = sum(1 for state in last_state.values() if state == "failed")
    assert report["format"] == "queue_job_csv" and report["failed_rows"] == failed > 20
    requeue = [g for g in report["groups"] if g["cause"] == "rate_limit"]
    assert requeue and requeue[0]["remediation"]["proposals"][0]["action"] == "requeue_jobs"


def test_reading_from_odoo_without_a_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TRIAGE_ODOO_READ_KEY", raising=False)
    r = runner.invoke(app, ["match", "partners", "--from-odoo"])
    assert r.exit_code == 2 and "TRIAGE_ODOO_READ_KEY" in r.stderr
    r = runner.invoke(app, ["batch"])
    assert r.exit_code == 2 and "--from-odoo" in r.stderr
