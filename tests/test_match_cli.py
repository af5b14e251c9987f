"""`triage match ...` through typer's CliRunner on the real app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app

PARTNERS = [
    {"id": 1, "name": "Acme Consulting GmbH", "email": "info@acme-consulting.de", "phone": "+49 30 1234567",
     "vat": "DE123456789", "street": "Friedrichstraße 12", "city": "Berlin", "zip": "10115",
     "country_id": [57, "Germany"], "is_company": True, "parent_id": False, "active": True},
    {"id": 2, "name": "ACME Consulting", "email": "finance@acme-consulting.de", "phone": "030 1234567",
     "vat": "DE 123 456 789", "city": "Berlin", "country_id": "Germany", "is_company": True, "active": True},
    {"id": 3, "name": "Jane Smith", "email": "jane.smith@acme-consulting.de", "phone": "+49 30 1234567",
     "vat": "DE123456789", "city": "Berlin", "country_id": "Germany", "is_company": False,
     "parent_id": [1, "Acme Consulting GmbH"], "active": True},
    {"id": 6, "name": "Belgian Widgets NV", "email": "sales@widgets.be", "phone": "+32 2 123 45 67",
     "vat": "BE0477.472.701", "street": "Rue de la Loi 16", "city": "Brussels", "country_id": "Belgium",
     "is_company": True, "active": True},
    {"id": 7, "name": "Belgian Widgets", "email": "accounts@widgets.be", "phone": "02/123.45.67",
     "vat": "0477472701", "street": "Rue de la Loi 16", "city": "Brussels", "country_id": "Belgium",
     "is_company": True, "active": True},
    {"id": 8, "name": "Belgian Widgets NV", "email": "sales@widgets.be", "phone": "+32 2 123 45 67",
     "vat": "BE0477472701", "city": "Brussels", "country_id": "Belgium", "is_company": True, "active": False},
]
PROJECTS = [
    {"id": 1, "name": "ACME-2024-017 Website revamp", "partner_id": [10, "Acme Corp"], "date_start": "2024-03-01"},
    {"id": 2, "name": "Acme Corp - Website Revamp (2024)", "partner_id": [10, "Acme Corp"],
     "date_start": "2024-03-01"},
    {"id": 3, "name": "ACME-2024-018 ERP rollout", "partner_id": [10, "Acme Corp"], "date_start": "2024-05-02"},
    {"id": 4, "name": "GLOBX-2025-003 GDPR audit", "partner_id": 11, "date_start": "2025-02-03"},
    {"id": 5, "name": "GLOBX-2025-003 GDPR audit", "partner_id": 11, "date_start": "2025-02-03"},
]

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
    from odoo_triage.sim.world import generate_world

    world = tmp_path / "w"
    generate_world(world, seed=5, partners=600, events=500)
    model = tmp_path / "my-project.joblib"
    result = runner.invoke(app, ["match", "train", "--records", str(world / "records" / "project_project.csv"),
                                 "--labels", str(world / "labels" / "project_entities.csv"), "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert model.exists()
    result = runner.invoke(app, ["match", "projects", str(world / "records" / "project_project.csv"), "--model",
                                 str(model), "--format", "json", "--no-store"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"]
    result = runner.invoke(app, ["match", "train", "--kind", "partners", "--records",
                                 str(world / "records" / "res_partner.csv"), "--labels",
                                 str(world / "labels" / "partner_entities.csv"), "--out", str(model)])
    assert result.exit_code == 2 and "learnt from the records" in result.output


def test_demo_stage_matches_stores_and_hands_on(tmp_path: Path, sqlite_store) -> None:
    from rich.console import Console
    from sqlalchemy import func, select

    from odoo_triage.agent.store.tables import DuplicateClusterRow
    from odoo_triage.app.commands.match import demo_stage
    from odoo_triage.app.demo import DemoContext
    from odoo_triage.sim.world import generate_world

    generate_world(tmp_path / "world", seed=11, partners=800, events=500)
    ctx = DemoContext(world_dir=tmp_path / "world", store=sqlite_store, console=Console())
    line = demo_stage(ctx)
    partners, projects = ctx.results["partners"], ctx.results["projects"]
    assert partners.clusters and projects.clusters
    assert line == (f"{partners.stats['records_read']:,} partners -> {len(partners.clusters):,} duplicate clusters; "
                    f"{projects.stats['records_read']:,} projects -> {len(projects.clusters):,} clusters")
    with sqlite_store.session() as s:
        assert s.scalar(select(func.count()).select_from(DuplicateClusterRow)) == (
            len(partners.clusters) + len(projects.clusters))
