"""`--mapping` (or a mapping.json beside the inputs) reaches the readers of every command that reads logs,
and without one every command prints the inferred mapping and its confidence in the same words."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.app.inputs import describe_files, find_mapping_file, mapping_line, resolve_mapping
from odoo_triage.core.errors import InputError

runner = CliRunner()
N = 240
MAPPING = {"timestamp": "xq1", "flow": "xq2", "status": "xq3", "latency_ms": "xq4",
           "error": "xq5"}


def _odd_log(path: Path) -> Path:
    """Field names no synonym table knows (the tables learnt German: zeit, dauer, fehlertext): without a mapping
    no line can be read."""
    t0 = datetime(2026, 5, 20, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(json.dumps({"xq1": (t0 + timedelta(minutes=10 * i)).isoformat(), "xq2": "invoice_sync",
                                 "xq3": "error" if i % 40 == 0 else "ok", "xq4": 100 + i % 7,
                                 "xq5": "HTTP 500" if i % 40 == 0 else ""}) + "\n")
    return path


def _known_log(path: Path) -> Path:
    """Names the synonym table knows (`@timestamp`, `integration`, `outcome`): inferred."""
    t0 = datetime(2026, 5, 20, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(json.dumps({"@timestamp": (t0 + timedelta(minutes=10 * i)).isoformat(),
                                 "integration": "invoice_sync", "outcome": "success", "duration_ms": 120}) + "\n")
    return path


@pytest.fixture()
def logs(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    log = _odd_log(folder / "mw.jsonl")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps(MAPPING))
    return log, mapping


def _files(out: str) -> dict:
    return json.loads(out[out.index("{"):])["files"]


def test_detect_threads_the_mapping(logs, tmp_path):
    log, mapping = logs
    without = runner.invoke(app, ["detect", str(log), "--no-store", "--format", "json"])
    assert without.exit_code == 0, without.output
    assert _files(without.stdout)["mw.jsonl"]["events"] == 0
    given = runner.invoke(app, ["detect", str(log), "--no-store", "--format", "json", "--mapping", str(mapping)])
    assert given.exit_code == 0, given.output
    st = _files(given.stdout)["mw.jsonl"]
    assert st["events"] == N and st["set_aside_lines"] == 0


def test_a_mapping_json_beside_the_logs_is_used(logs, tmp_path):
    log, mapping = logs
    (log.parent / "mapping.json").write_text(mapping.read_text())
    res = runner.invoke(app, ["detect", str(log.parent), "--no-store"])
    assert res.exit_code == 0, res.output
    assert "mapping given" in res.output and f"{N:,} lines = {N:,} parsed + 0 set aside + 0 blank" in res.output
    assert find_mapping_file([log]) == log.parent / "mapping.json"
    m, path = resolve_mapping(None, [log])
    assert m is not None and m.timestamp == "xq1" and path == log.parent / "mapping.json"


def test_triage_threads_the_mapping_and_prints_the_input_lines(logs, tmp_path):
    log, mapping = logs
    db = f"sqlite:///{tmp_path / 't.db'}"
    res = runner.invoke(app, ["triage", str(log), "--mapping", str(mapping), "--provider", "offline",
                              "--database-url", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert f"mw.jsonl: jsonl, utf-8; {N:,} lines = {N:,} parsed + 0 set aside + 0 blank; {N:,} events" in res.stderr
    assert "mapping given" in res.stderr
    bad = runner.invoke(app, ["triage", str(log), "--provider", "offline", "--database-url", db])
    assert f"{N:,} lines = 0 parsed + {N:,} set aside" in bad.stderr
    assert "set aside: no timestamp" in bad.stderr or "set aside:" in bad.stderr


def test_digest_threads_the_mapping(logs, tmp_path):
    log, mapping = logs
    db = f"sqlite:///{tmp_path / 'd.db'}"
    res = runner.invoke(app, ["digest", "--logs", str(log), "--mapping", str(mapping), "--format", "md",
                              "--database-url", db, "--since", "30d"])
    assert res.exit_code == 0, res.output
    assert f"{N:,} lines = {N:,} parsed + 0 set aside" in res.stderr
    assert "invoice_sync" in res.stdout  # the flow figures come from the mapped events


def test_eval_threads_the_mapping_and_the_folder_mapping(logs, tmp_path):
    log, mapping = logs
    folder = log.parent.parent
    (folder / "labels").mkdir()
    (folder / "labels" / "incidents.jsonl").write_text("")
    db = f"sqlite:///{tmp_path / 'e.db'}"
    res = runner.invoke(app, ["eval", "--labels", str(folder), "--mapping", str(mapping), "--format", "json",
                              "--database-url", db])
    assert res.exit_code == 0, res.output
    figs = json.loads(res.stdout)
    (name,) = figs
    assert figs[name]["files"]["mw.jsonl"]["events"] == N
    assert f"{N:,} lines = {N:,} parsed" in res.stderr
    (folder / "labels" / "mapping.json").write_text(mapping.read_text())
    res = runner.invoke(app, ["eval", "--labels", str(folder), "--format", "json", "--database-url", db])
    assert res.exit_code == 0, res.output
    figs = json.loads(res.stdout)
    assert figs[name]["files"]["mw.jsonl"]["events"] == N
    assert figs[name]["mapping_file"].endswith("mapping.json")


def test_inferred_mapping_is_printed_the_same_way_by_every_command(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    log = _known_log(folder / "known.jsonl")
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "incidents.jsonl").write_text("")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    det = runner.invoke(app, ["detect", str(log), "--no-store"])
    tri = runner.invoke(app, ["triage", str(log), "--provider", "offline", "--database-url", db])
    dig = runner.invoke(app, ["digest", "--logs", str(log), "--format", "md", "--database-url", db])
    ev = runner.invoke(app, ["eval", "--labels", str(tmp_path), "--format", "json", "--database-url", db])
    for res in (det, tri, dig, ev):
        assert res.exit_code == 0, res.output
        line = next(ln for ln in res.output.splitlines() if "mapping inferred" in ln)
        assert line.strip().startswith("mapping inferred (confidence ")
        assert "timestamp<-@timestamp" in line and "flow<-integration" in line and "status<-outcome" in line


def test_batch_takes_a_mapping_and_infers_without_one(tmp_path):
    batch = tmp_path / "sync.csv"
    batch.write_text("Zeile,Xq5,Objekte,Ergebnis\n"
                     "1,ValidationError: VAT BE0477 is invalid,res.partner:7,failed\n"
                     "2,ValidationError: VAT BE0478 is invalid,res.partner:8,failed\n"
                     "3,,res.partner:9,ok\n", encoding="utf-8")
    bm = tmp_path / "bm.json"
    bm.write_text(json.dumps({"error": "Xq5", "record_ids": "Objekte", "status": "Ergebnis"}))
    res = runner.invoke(app, ["batch", str(batch), "--mapping", str(bm), "--format", "json"])
    assert res.exit_code in (0, 3), res.output
    rep = json.loads(res.stdout)
    assert rep["error_column"] == "Xq5" and rep["failed_rows"] == 2 and rep["skipped_rows"] == 1
    assert rep["mapping"] == {"error": "Xq5", "record_ids": "Objekte", "status": "Ergebnis"}
    assert sorted(rep["groups"][0]["affected_records"]) == ["res.partner:7", "res.partner:8"]
    assert f"mapping given ({bm})" in res.stderr
    # without a mapping the error column has no known name: a clear error that names --mapping
    res = runner.invoke(app, ["batch", str(batch), "--format", "json"])
    assert res.exit_code == 2 and "--mapping" in res.output
    # a mapping.json beside the file is used like --mapping
    (tmp_path / "mapping.json").write_text(bm.read_text())
    res = runner.invoke(app, ["batch", str(batch), "--format", "json"])
    assert json.loads(res.stdout)["error_column"] == "Xq5"


def test_batch_prints_the_inferred_columns_with_confidence(tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text("\n".join(json.dumps({"error_message": f"timeout calling bank {i}", "integration": "bank",
                                           "outcome": "failed", "record_ids": f"account.move:{i}"})
                               for i in range(5)) + "\n")
    res = runner.invoke(app, ["batch", str(batch), "--format", "json"])
    rep = json.loads(res.stdout)
    assert rep["error_column"] == "error_message" and rep["flow"] == "bank"
    assert rep["mapping"]["flow"] == "integration" and rep["mapping_confidence"] > 0.5
    line = next(ln for ln in res.stderr.splitlines() if "mapping inferred" in ln)
    assert "mapping inferred (confidence " in line and "error<-error_message" in line


def test_a_mapping_naming_a_missing_batch_column_is_a_clear_error(tmp_path):
    batch = tmp_path / "b.csv"
    batch.write_text("error\nboom\n")
    bm = tmp_path / "bm.json"
    bm.write_text(json.dumps({"error": "nope"}))
    res = runner.invoke(app, ["batch", str(batch), "--mapping", str(bm)])
    assert res.exit_code == 2 and "'nope' is not a column" in res.output


def test_describe_files_lines():
    stats = {"a.csv": {"format": "csv", "encoding": "utf-8", "lines": 10, "parsed_lines": 7, "set_aside_lines": 2,
                       "blank": 1, "events": 6, "mapping": {"timestamp": "time"}, "mapping_confidence": 0.42,
                       "set_aside_reasons": {"bad timestamp '…'": 2}}}
    (line,) = describe_files(stats)
    assert "10 lines = 7 parsed + 2 set aside + 1 blank; 6 events" in line
    assert "mapping inferred (confidence 0.42): timestamp<-time" in line and "low confidence" in line
    assert "set aside: bad timestamp '…' ×2" in line
    assert mapping_line({"error": "e"}, None, "m.json") == "mapping given (m.json): error<-e"


def test_a_bad_mapping_file_is_an_input_error(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text('{"timestamp": 3}')
    with pytest.raises(InputError, match="mapping file"):
        resolve_mapping(bad, [])
