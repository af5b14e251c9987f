from typer.testing import CliRunner

from app.cli import app

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
    r = runner.invoke(app, ["eval", "--list"])
    assert r.exit_code == 2
    assert r.exception is None or isinstance(r.exception, SystemExit)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: bad database URL")


def test_unreachable_postgres_is_a_clear_error():
    r = runner.invoke(app, ["eval", "--list", "--database-url", "postgresql://nobody@127.0.0.1:1/none"])
    assert r.exit_code == 2
    assert "cannot open database" in r.stderr and "Traceback" not in r.output
