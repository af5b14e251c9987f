from typer.testing import CliRunner

from odoo_triage.app.cli import app

runner = CliRunner()


def test_version_and_help():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.startswith("odoo-triage ")
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for command in ("demo", "eval"):
        assert command in r.output


def test_bad_database_url_is_one_line_and_exit_2(monkeypatch):
    monkeypatch.setenv("TRIAGE_DATABASE_URL", "bogus://nowhere")
    r = runner.invoke(app, ["proposals"])
    assert r.exit_code == 2
    assert r.exception is None or isinstance(r.exception, SystemExit)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: bad database URL")


def test_unreachable_postgres_is_a_clear_error():
    r = runner.invoke(app, ["eval", "--list", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 2
    assert "cannot open database" in r.stderr and "Traceback" not in r.output


def test_demo_runs_every_stage_end_to_end(tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--out", str(out), "--events", "12000"])
    assert r.exit_code == 0, r.output
    for stage in ("world", "detect", "match", "triage", "approvals", "digest", "evaluate"):
        assert any(line.strip().startswith(stage) for line in r.output.splitlines()), stage
    assert "7 labeled incidents" in r.output
    assert "executed in the Odoo sandbox" in r.output
    assert "detection recall 1.00" in r.output
    assert (out / "digest.html").stat().st_size > 10_000
    assert (out / "world" / "labels" / "incidents.jsonl").exists()
    # A second run updates the store instead of duplicating incidents.
    from sqlalchemy import func, select

    from odoo_triage.agent.store import open_store
    from odoo_triage.agent.store.tables import IncidentRow

    store = open_store(f"sqlite:///{out / 'triage.db'}")
    with store.session() as s:
        first = s.scalar(select(func.count()).select_from(IncidentRow))
    assert runner.invoke(app, ["demo", "--out", str(out), "--events", "12000"]).exit_code == 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(IncidentRow)) == first
