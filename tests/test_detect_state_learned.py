"""What an incremental run keeps besides events (detectors/state.py): the inferred mapping, the decoder's
state, each file's format and the Odoo logs' announcement lines are reused only while they are what a
full run would find again; the isolation forest's per-row scores and the duplicate-delivery shortcut
give what the full computation gives."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors import state
from odoo_triage.detectors.calendar import announced_windows, announcement_lines, windows_announced
from odoo_triage.detectors.checks import isoforest
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import jsonl

SMALL = ReaderSettings(inference_sample=5, inference_scan_lines=10)  # the sample: the first 100 lines at most


def _line(i: int, **extra: object) -> str:
    obj = {
        "time": f"2026-05-04T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
        "integration": "shop_sync",
        "outcome": "failed" if i % 7 == 0 else "done",
        "took_ms": 100 + i % 13,
        **extra,
    }
    return json.dumps(obj) + "\n"


def _write(path: Path, lines: range, prefix: bytes = b"") -> None:
    with path.open("ab") as fh:
        fh.write(prefix + "".join(_line(i) for i in lines).encode())


def _count_inference(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = jsonl.infer_mapping

    def counting(*a: object, **k: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(jsonl, "infer_mapping", counting)
    return calls


def test_a_complete_sample_is_not_taken_again(tmp_path, monkeypatch):
    log = tmp_path / "shop.jsonl"
    _write(log, range(150))  # more lines than the sample reads
    calls = _count_inference(monkeypatch)
    first = state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    assert len(calls) == 1
    _write(log, range(150, 170))
    again = state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    assert len(calls) == 1  # reused: the file's first lines are unchanged
    full = read_frame([log], settings=SMALL)
    assert (
        again.frame.stats[log.name].mapping
        == full.stats[log.name].mapping
        == first.frame.stats[log.name].mapping
    )
    assert again.frame.stats[log.name].mapping_confidence == full.stats[log.name].mapping_confidence
    assert len(again.frame.events) == len(full.events) == 170
    # other reader settings: the mapping may come out otherwise, so it is inferred again
    _write(log, range(170, 175))
    state.read_incremental(
        tmp_path / "st", [log], read_frame, settings=SMALL.model_copy(update={"min_value_match": 0.7})
    )
    assert len(calls) == 3  # once by the run, once by the full read above


def test_a_sample_that_reached_the_end_of_the_file_is_taken_again(tmp_path, monkeypatch):
    log = tmp_path / "shop.jsonl"
    _write(log, range(20))  # the whole file is the sample: more lines may change the mapping
    calls = _count_inference(monkeypatch)
    state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    _write(log, range(20, 30))
    state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    assert len(calls) == 2


def test_a_rewritten_file_learns_again(tmp_path, monkeypatch):
    log = tmp_path / "shop.jsonl"
    _write(log, range(150))
    calls = _count_inference(monkeypatch)
    state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    log.write_text("".join(_line(i, status_code=200) for i in range(200)), encoding="utf-8")
    got = state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    assert len(calls) == 2 and got.notes


def test_the_encoding_reported_is_that_of_a_full_read(tmp_path):
    log = tmp_path / "shop.jsonl"
    _write(log, range(150), prefix=b"\xef\xbb\xbf")
    with log.open("ab") as fh:  # one Windows-1252 line in the first part
        fh.write(_line(150).encode()[:-3] + b', "note": "caf\xe9"}\n')
    state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    _write(log, range(151, 160))
    again = state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    full = read_frame([log], settings=SMALL)
    assert full.stats[log.name].encoding.startswith("utf-8-sig, 1 line")
    assert again.frame.stats[log.name].encoding == full.stats[log.name].encoding


def test_the_format_is_kept(tmp_path, monkeypatch):
    log = tmp_path / "shop.jsonl"
    _write(log, range(150))
    state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    _write(log, range(150, 160))
    import odoo_triage.detectors.frame as frame

    def no_detection(path: Path) -> str:
        raise AssertionError(f"format of {path} detected again")

    monkeypatch.setattr(frame, "detect_format", no_detection)
    again = state.read_incremental(tmp_path / "st", [log], read_frame, settings=SMALL)
    assert again.frame.stats[log.name].format == "jsonl"


ANNOUNCE = "2026-05-04 08:00:00,000 1 INFO prod odoo.addons.shop_sync.models: maintenance from 2026-05-06 20:00 to 2026-05-06 23:30\n"


def _odoo(i: int) -> str:
    return f"2026-05-04 {i // 60 % 24:02d}:{i % 60:02d}:00,000 1 INFO prod odoo.addons.shop_sync.models: sent order {i}\n"


def test_announcement_lines_are_scanned_from_where_the_last_run_stopped(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text("".join(_odoo(i) for i in range(10)) + ANNOUNCE + _odoo(11), encoding="utf-8")
    whole, end, tail = announcement_lines(log)
    assert whole == [ANNOUNCE] and end == log.stat().st_size and tail is None
    with log.open("a", encoding="utf-8") as fh:
        fh.write(
            ANNOUNCE.replace("08:00:00", "09:00:00").replace("20:00", "21:00").rstrip("\n")
        )  # unfinished
    more, end2, tail2 = announcement_lines(log, end)
    assert more == [] and end2 == end and tail2 is not None and tail2.startswith("2026-05-04 09:00:00")
    lines = [(log.name, ln) for ln in [*whole, *more, tail2]]
    assert windows_announced(lines, ["shop_sync"]) == announced_windows([log], ["shop_sync"])
    assert len(announced_windows([log], ["shop_sync"])) == 2


def test_an_incremental_run_hands_over_every_announcement_line(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text("".join(_odoo(i) for i in range(10)) + ANNOUNCE, encoding="utf-8")
    state.read_incremental(tmp_path / "st", [log], read_frame)
    second = ANNOUNCE.replace("08:00:00", "09:00:00").replace("20:00", "21:00")
    with log.open("a", encoding="utf-8") as fh:
        fh.write(_odoo(20) + second)
    got = state.read_incremental(tmp_path / "st", [log], read_frame)
    assert got.announcements is not None
    assert list(got.announcements.values()) == [[ANNOUNCE, second]] == [announcement_lines(log)[0]]


def test_cached_forest_scores_equal_scoring_every_row(tmp_path):
    rng = np.random.default_rng(3)
    n_trees, nodes = 5, 7  # complete depth-2 trees over 2 features
    left = np.concatenate(
        [
            np.array([1, 3, 5, -1, -1, -1, -1]) + 7 * t * (np.array([1, 3, 5, -1, -1, -1, -1]) >= 0)
            for t in range(n_trees)
        ]
    )
    right = np.concatenate(
        [
            np.array([2, 4, 6, -1, -1, -1, -1]) + 7 * t * (np.array([2, 4, 6, -1, -1, -1, -1]) >= 0)
            for t in range(n_trees)
        ]
    )
    arrays = {
        "left": left,
        "right": right,
        "feature": rng.integers(0, 2, n_trees * nodes),
        "threshold": rng.normal(size=n_trees * nodes),
        "path_len": rng.integers(0, 3, n_trees * nodes) * 1.0,
        "avg_len": rng.random(n_trees * nodes),
        "roots": np.arange(n_trees) * nodes,
        "denominator": np.array([4.2]),
    }
    path = tmp_path / "isoforest-abc.npz"
    X = rng.normal(size=(50, 2))
    first = isoforest.cached_scores(path, arrays, X)
    assert np.array_equal(first, isoforest.score_samples(arrays, X))
    X2 = np.vstack([X[10:], rng.normal(size=(5, 2))])  # most rows seen, some new
    again = isoforest.cached_scores(path, arrays, X2)
    assert np.array_equal(again, isoforest.score_samples(arrays, X2))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iso-scores-abc.npz"]  # no forest file matched
