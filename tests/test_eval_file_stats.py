"""`triage eval` shows per file: lines read / parsed / set aside / blank and the top set-aside reasons,
per estate, in JSON and in the table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.evals.report import file_rows, markdown

runner = CliRunner()


def _folder(tmp_path):
    logs = tmp_path / "estate" / "logs"
    logs.mkdir(parents=True)
    (tmp_path / "estate" / "labels").mkdir()
    (tmp_path / "estate" / "labels" / "incidents.jsonl").write_text("")
    t0 = datetime(2026, 5, 1, tzinfo=UTC)
    lines = [json.dumps({"ts": (t0 + timedelta(minutes=10 * i)).isoformat(), "flow": "orders", "status": "ok",
                         "http_status": 200})
             for i in range(300)]
    lines[10] = '{"ts": "9999-12-31T00:00:00Z", "flow": "orders", "status": "ok"}'
    lines[20] = '{"ts": "2026-05-01T01:00:00Z", "flow": "orders", "status": "ok", "http_status": 70000}'
    lines[30] = '{"ts": "2026-05-01T01:00:00Z", "flow": "orders", "status": "ok", "http_status": 99999}'
    lines[40] = "not json at all"
    lines[50] = ""
    (logs / "orders.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "estate"


def test_eval_reports_lines_and_top_reasons_per_file(tmp_path):
    folder = _folder(tmp_path)
    res = runner.invoke(app, ["eval", "--labels", str(folder), "--format", "json",
                              "--database-url", f"sqlite:///{tmp_path / 'e.db'}"])
    assert res.exit_code == 0, res.output
    figs = json.loads(res.stdout)["estate"]
    f = figs["files"]["orders.jsonl"]
    assert (f["lines"], f["parsed_lines"], f["set_aside_lines"], f["blank"]) == (300, 295, 4, 1)
    reasons = f["set_aside_reasons"]
    assert reasons["HTTP status out of range"] == 2 and sum(reasons.values()) == 4
    assert "timestamp out of range" in reasons
    # the same figures in the table, with the reasons, most frequent first
    (row,) = file_rows(figs)
    assert row[3:7] == ("300", "295", "4", "1") and row[-1].startswith("HTTP status out of range ×2")
    md = markdown({"estate": figs})
    assert "top set-aside reasons" in md and "HTTP status out of range ×2" in md
    # and on the terminal, per estate
    assert "orders.jsonl: jsonl, utf-8; 300 lines = 295 parsed + 4 set aside + 1 blank" in res.stderr
    assert "set aside: HTTP status out of range ×2" in res.stderr
