"""`triage match ...` through typer's CliRunner on the real app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from tests.test_match_pipeline import PARTNERS, PROJECTS

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    partners = tmp_path / "res_partner.json"
    partners.write_text(json.dumps(PARTNERS))
    projects = tmp_path / "project_project.json"
    projects.write_text(json.dumps(PROJECTS))
    return {"partners": partners, "projects": projects, "db": tmp_path / "triage.db"}


def test_partners_table_and_store(files) -> None:
    url = f"sqlite:///{files['db']}"
    result = runner.invoke(app, ["match", "partners", str(files["partners"]), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Acme Consulting GmbH" in result.stdout and "ACME Consulting" in result.stdout
    assert "Belgian Widgets" in result.stdout
    assert "stored 2 clusters, 2 new and 0 updated pairs" in result.stdout
    again = runner.invoke(app, ["match", "partners", str(files["partners"]), "--database-url", url])
    assert "stored 2 clusters, 0 new and 2 updated pairs" in again.stdout


def test_projects_json(files) -> None:
    result = runner.invoke(app, ["match", "projects", str(files["projects"]), "--format", "json", "--no-store"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model"] == "project.project" and data["stats"]["records"] == len(PROJECTS)
    groups = [c["record_ids"] for c in data["clusters"]]
    assert [1, 2] in groups and [4, 5] in groups
    assert all(c["reason"] and c["pairs"] for c in data["clusters"])


def test_threshold_and_archived_options(files) -> None:
    strict = runner.invoke(app, ["match", "partners", str(files["partners"]), "--format", "json", "--no-store",
                                 "--include-archived", "--threshold", "0.99"])
    assert strict.exit_code == 0, strict.output
    data = json.loads(strict.stdout)
    assert data["stats"]["records"] == len(PARTNERS) and data["stats"]["threshold"] == 0.99


@pytest.mark.parametrize("args", [
    ["match", "partners", "/nonexistent/res_partner.csv", "--no-store"],
    ["match", "projects", "/nonexistent/project.csv", "--no-store"],
])
def test_missing_file_is_one_line_and_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


def test_missing_column_and_bad_threshold_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_text("id,email\n1,a@b.com\n")
    result = runner.invoke(app, ["match", "partners", str(bad), "--no-store"])
    assert result.exit_code == 2 and "missing required column name" in result.output
    good = tmp_path / "ok.csv"
    good.write_text("id,name\n1,Acme\n")
    result = runner.invoke(app, ["match", "partners", str(good), "--threshold", "1.5", "--no-store"])
    assert result.exit_code == 2 and "--threshold" in result.output


def test_train_then_match_with_the_trained_model(tmp_path: Path) -> None:
    from evals.world import generate_world

    world = tmp_path / "w"
    generate_world(world, seed=5, partners=600, events=500)
    model = tmp_path / "my-partner.joblib"
    result = runner.invoke(app, ["match", "train", "--records", str(world / "records" / "res_partner.csv"),
                                 "--labels", str(world / "labels" / "partner_entities.csv"), "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert model.exists()
    result = runner.invoke(app, ["match", "partners", str(world / "records" / "res_partner.csv"), "--model",
                                 str(model), "--format", "json", "--no-store"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"]
