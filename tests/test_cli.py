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


def test_command_table_matches_what_the_modules_register():
    """`triage --help` lists COMMANDS without importing them: the table must be exactly the real commands."""
    from odoo_triage.app.cli import COMMANDS, load_commands

    for name, (module, _help) in COMMANDS.items():
        assert load_commands(module).get_command(None, name) is not None, name  # type: ignore[arg-type]
    registered = {n for m in {m for m, _ in COMMANDS.values()} for n in load_commands(m).commands}
    assert registered == set(COMMANDS)


def test_help_and_version_import_no_heavy_library():
    """Start-up stays light: help and version must not pull in a stage or a heavy library."""
    import subprocess
    import sys

    probe = ("import sys; from odoo_triage.app.cli import main; sys.argv=['triage', {arg!r}]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = [m for m in ('pandas', 'numpy', 'sqlalchemy', 'alembic', 'sklearn', 'scipy', 'langchain',"
             " 'odoo_triage.detectors', 'odoo_triage.agent') if m in sys.modules]\n"
             "print('HEAVY', heavy)")
    for arg in ("--help", "--version"):
        out = subprocess.run([sys.executable, "-c", probe.format(arg=arg)], capture_output=True, text=True,
                             check=True).stdout
        assert "HEAVY []" in out, out[-300:]


def test_readme_lists_every_setting_variable():
    """The README's TRIAGE_* table is generated from the settings object and must be current."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "readme_settings.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, "README.md is out of date: run python scripts/readme_settings.py"
