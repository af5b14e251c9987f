"""Incremental runs (detectors/state.py): a run over the first part of the logs and a run over what was
appended since give the anomalies of one run over everything; rotated or truncated files are read again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from odoo_triage.core.labels import read_flows
from odoo_triage.detectors import state
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.pipeline import DetectionResult, run_detection
from odoo_triage.sim.world import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "world"
    generate_world(out, seed=11, events=20_000, partners=200)
    return out


def _dump(r: DetectionResult) -> list[dict]:
    return sorted((a.model_dump(mode="json") for a in r.anomalies), key=lambda a: a["anomaly_id"])


def cut_points(logs: list[Path], cut_ts: float) -> dict[Path, int]:
    """Per file the byte offset of its first event at or after cut_ts (a record boundary)."""
    out = {}
    for p in logs:
        ev = read_frame([p]).events
        later = ev[ev["ts"] >= cut_ts]
        out[p] = int(later["offset"].min()) if len(later) else p.stat().st_size
    return out


def split_copy(logs: list[Path], dest: Path, cuts: dict[Path, int]) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for p in logs:
        q = dest / p.name
        q.write_bytes(p.read_bytes()[:cuts[p]])
        out.append(q)
    return out


def append_rest(logs: list[Path], copies: list[Path], cuts: dict[Path, int], upto: dict[Path, int] | None = None) -> None:
    for p, q in zip(logs, copies, strict=True):
        data = p.read_bytes()
        with q.open("ab") as fh:
            fh.write(data[cuts[p]:(upto or {}).get(p, len(data))])


@pytest.fixture(scope="module")
def full(world) -> DetectionResult:
    return run_detection(sorted((world / "logs").iterdir()), catalog=read_flows(world / "flows.json"))


def test_first_part_then_incremental_equals_full_run(world, full, tmp_path):
    logs = sorted((world / "logs").iterdir())
    catalog = read_flows(world / "flows.json")
    start = float(read_frame(logs).events["ts"].min())
    cuts = cut_points(logs, start + 12.5 * 86400)
    copies = split_copy(logs, tmp_path / "logs", cuts)
    st = tmp_path / "state"
    first = run_detection(copies, catalog=catalog, state_dir=st)
    saved = json.loads((st / "state.json").read_text())
    assert {Path(k).name: v["offset"] for k, v in saved["sources"].items()} == {p.name: cuts[p] for p in logs}
    append_rest(logs, copies, cuts)
    second = run_detection(copies, catalog=catalog, state_dir=st)
    assert full.anomalies and _dump(second) == _dump(full)
    assert [a.anomaly_id for a in second.anomalies] == [a.anomaly_id for a in full.anomalies]
    assert second.evidence == full.evidence
    assert second.templates == full.templates
    # only the new lines were read, and the counts add up to a full read's
    assert sum(s.events for s in second.stats.values()) == full.events
    assert len(second.rejected) == len(full.rejected) > 0
    assert second.events - first.events == full.events - first.events > 0
    assert (st / "events-00001.arrow").is_file()  # the second run appended a part, it did not rewrite
    # a third run with nothing new reads nothing and finds the same
    third = run_detection(copies, catalog=catalog, state_dir=st)
    assert _dump(third) == _dump(full)


def test_rotated_and_truncated_files_are_read_from_the_start(world, tmp_path):
    logs = sorted((world / "logs").iterdir())
    copies = [shutil.copy(p, tmp_path / p.name) for p in logs]
    copies = [Path(c) for c in copies]
    st = tmp_path / "state"
    catalog = read_flows(world / "flows.json")
    whole = run_detection(copies, catalog=catalog, state_dir=st)
    jsonl = next(c for c in copies if c.suffix == ".jsonl")
    data = jsonl.read_bytes()
    jsonl.write_bytes(data[: len(data) // 2])  # truncated in place (same inode, smaller)
    csv = next(c for c in copies if c.name == "psa_timesheets.csv")
    rotated = tmp_path / "rotated.csv"
    shutil.copy(csv, rotated)
    rotated.replace(csv)  # a new file under the old name
    again = run_detection(copies, catalog=catalog, state_dir=st)
    assert any("truncated" in n and jsonl.name in n for n in again.notes)
    assert any("rotated" in n and csv.name in n for n in again.notes)
    assert again.stats[jsonl.name].events < whole.stats[jsonl.name].events
    assert again.stats[csv.name].events == whole.stats[csv.name].events
    fresh = run_detection(copies, catalog=catalog)
    assert _dump(again) == _dump(fresh)


def test_offset_after_counts_physical_lines(tmp_path):
    p = tmp_path / "x.log"
    p.write_bytes(b"a\nbb\n\nccc\n")
    assert [state.offset_after(p, 0, n) for n in range(5)] == [0, 2, 5, 6, 10]
    assert state.offset_after(p, 2, 2) == 6


def test_incremental_only_with_the_local_engine(world, tmp_path):
    from odoo_triage.core.errors import InputError

    with pytest.raises(InputError, match="local engine"):
        run_detection([world / "logs"], state_dir=tmp_path / "s", engine="spark")


def test_incremental_refuses_parquet_events(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from odoo_triage.core.errors import InputError

    ev = tmp_path / "e.parquet"
    pq.write_table(pa.table({"ts": [1.7e9], "flow": ["a"], "status": ["ok"]}), ev)
    with pytest.raises(InputError, match="Parquet events are read whole"):
        run_detection([ev], state_dir=tmp_path / "s")


def test_incremental_run_adds_only_the_new_hours_to_the_saved_counts_and_sketch(world, tmp_path, monkeypatch):
    """The state keeps the windows' inputs (counts, latency sketch rows): an incremental run groups only the
    events from the first hour the new ones touch, and what it saves is what every event gives."""
    import pandas as pd

    from odoo_triage.detectors.aggregates import hour_counts
    from odoo_triage.detectors.sketches import sketch_rows
    from odoo_triage.detectors.windows import HOUR

    logs = sorted((world / "logs").iterdir())
    catalog = read_flows(world / "flows.json")
    start = float(read_frame(logs).events["ts"].min())
    cuts = cut_points(logs, start + 13.5 * 86400)
    copies = split_copy(logs, tmp_path / "logs", cuts)
    st = tmp_path / "state"
    run_detection(copies, catalog=catalog, state_dir=st)
    append_rest(logs, copies, cuts)
    grouped: list[int] = []
    hours = state._hours
    monkeypatch.setattr(state, "_hours", lambda ev, acc: grouped.append(len(ev)) or hours(ev, acc))
    run_detection(copies, catalog=catalog, state_dir=st)
    saved = state.load(st)
    assert saved is not None and saved.hourly is not None and saved.sketch is not None
    assert grouped and max(grouped) < len(saved.events) / 4  # the last day or so, not every event
    ev = saved.events
    cols = {c: ev[c].to_numpy() for c in ev.columns}
    pd.testing.assert_frame_equal(saved.hourly, hour_counts(cols), check_index_type=False)
    want = sketch_rows(cols["flow"], (cols["ts"] // HOUR).astype("int64"), cols["latency"], saved.accuracy or 0.005)
    pd.testing.assert_frame_equal(saved.sketch.reset_index(drop=True), want.reset_index(drop=True))
