"""JSON documents (#13): an export saved as one array, an array in a wrapper object (`{"value": [...]}`),
pretty-printed objects one after another; each object an event, every physical line counted once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import detect_format, make_reader


def _runs(n: int) -> list[dict]:
    return [{"startTime": f"2026-10-01T10:{i:02d}:00Z", "workflowName": "orders", "status": "Failed" if i % 5 == 0
             else "Succeeded", "durationMs": 100 + i, **({"error": {"code": "Timeout", "message": "gave up"}}
                                                         if i % 5 == 0 else {})} for i in range(n)]


@pytest.mark.parametrize("shape", ["array", "wrapped", "concatenated"])
def test_json_documents(tmp_path: Path, shape: str) -> None:
    runs = _runs(30)
    p = tmp_path / "runs.json"
    if shape == "array":
        text = json.dumps(runs, indent=2)
    elif shape == "wrapped":
        text = json.dumps({"@odata.context": "https://x/$metadata#runs", "value": runs}, indent=2)
    else:
        text = "\n".join(json.dumps(r, indent=2) for r in runs)
    p.write_text(text + "\n\n")
    assert detect_format(p) == "json_document"
    reader = make_reader(detect_format(p))
    chunks = list(reader.chunks(p))
    rows = [r for c in chunks for r in c.rows]
    lines = text.count("\n") + 2
    assert sum(c.lines for c in chunks) == lines and sum(c.set_aside for c in chunks) == 0
    assert len(rows) == 30 and [r.status for r in rows[:2]] == ["error", "ok"]
    assert rows[0].error == "Timeout: gave up" and rows[3].latency_ms == 103.0
    first = text.splitlines().index(next(ln for ln in text.splitlines() if '"startTime"' in ln)) + 1
    assert rows[0].line_no in (first - 1, first)  # the object's `{` line
    assert reader.row_at(p, rows[7].offset, rows[7].line_no) == rows[7]
    frame = read_frame([p])
    assert len(frame.events) == 30


def test_a_broken_document_sets_the_rest_aside(tmp_path: Path) -> None:
    text = json.dumps(_runs(10), indent=2)
    cut = text.index('"startTime": "2026-10-01T10:05')
    p = tmp_path / "runs.json"
    p.write_text(text[:cut] + "oops" + text[cut:])
    reader = make_reader(detect_format(p))
    chunks = list(reader.chunks(p))
    assert sum(len(c.rows) for c in chunks) == 5
    assert sum(c.lines for c in chunks) == p.read_text().count("\n") + 1
    (bad,) = [r for c in chunks for r in c.rejected]
    assert bad.reason.startswith("invalid JSON at line")


def test_json_lines_stay_json_lines(tmp_path: Path) -> None:
    p = tmp_path / "runs.json"
    p.write_text("".join(json.dumps(r) + "\n" for r in _runs(5)))
    assert detect_format(p) == "jsonl"


def test_a_read_from_a_later_line_takes_the_objects_from_it_on(tmp_path: Path) -> None:
    text = json.dumps(_runs(10), indent=2)
    p = tmp_path / "runs.json"
    p.write_text(text + "\n")
    reader = make_reader(detect_format(p))
    whole = [r for c in reader.chunks(p) for r in c.rows]
    total = text.count("\n") + 1
    assert [r for c in reader.chunks(p, start=(0, total + 1)) for r in c.rows] == []
    later = list(reader.chunks(p, start=(0, whole[6].line_no)))
    assert [r for c in later for r in c.rows] == whole[6:]
    assert sum(c.lines for c in later) == total - whole[6].line_no + 1
