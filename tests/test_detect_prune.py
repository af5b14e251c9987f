"""`--read-since` (pipeline.run_detection(read_since=)): time-ordered logs are entered by binary search
(readers.base.seek_time), other files read whole, and the anomalies are those of reading every byte and
dropping the earlier events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from odoo_triage.core.errors import InputError
from odoo_triage.core.labels import read_flows
from odoo_triage.detectors.pipeline import DetectionResult, run_detection
from odoo_triage.detectors.readers import base
from odoo_triage.detectors.readers.base import line_number_at, seek_time
from odoo_triage.sim.world import generate_world

T0 = 1_777_000_000.0


def _numbered(path: Path, times: list[float]) -> None:
    path.write_bytes(b"".join(f"{t:.0f} {'x' * 40}\n".encode() for t in times))


def _time_at(path: Path):  # type: ignore[no-untyped-def]
    def at(offset: int) -> tuple[float, int] | None:
        with path.open("rb") as fh:
            fh.seek(offset)
            raw = fh.readline()
        return (float(raw.split()[0]), offset) if raw.strip() else None

    return at


@pytest.fixture(autouse=True)
def small_files(monkeypatch):
    monkeypatch.setattr(base, "SEEK_MIN_BYTES", 1)


def test_a_time_ordered_file_is_entered_before_the_time_asked_less_the_margin(tmp_path):
    log = tmp_path / "a.log"
    times = [T0 + 10 * i for i in range(20_000)]
    _numbered(log, times)
    since, margin = T0 + 150_000, 600
    off, line = seek_time(log, since, _time_at(log), margin)
    lines = log.read_bytes().splitlines(keepends=True)
    assert 0 < off and line == line_number_at(log, off) and sum(map(len, lines[: line - 1])) == off
    first_needed = next(i for i, t in enumerate(times) if t >= since - margin)
    assert line - 1 <= first_needed  # nothing at or after since - margin is skipped
    assert first_needed - (line - 1) < 2000  # and most of what is before it is (65 KB search floor)


def test_lines_a_little_out_of_order_are_still_read(tmp_path):
    log = tmp_path / "a.log"
    times = [T0 + 10 * i + (120 if i % 50 == 0 else 0) for i in range(20_000)]  # workers 2 minutes apart
    _numbered(log, times)
    since = T0 + 150_000
    off, line = seek_time(log, since, _time_at(log), margin=600)
    assert all(t < since for t in times[: line - 1])


def test_a_file_out_of_order_is_read_whole(tmp_path):
    log = tmp_path / "a.log"
    times = [T0 + 10 * i for i in range(10_000)] + [
        T0 + 10 * i for i in range(10_000)
    ]  # two files concatenated
    _numbered(log, times)
    assert seek_time(log, T0 + 90_000, _time_at(log), margin=600) == (0, 1)


def test_nothing_is_skipped_when_the_file_starts_after_the_time(tmp_path):
    log = tmp_path / "a.log"
    _numbered(log, [T0 + 10 * i for i in range(20_000)])
    assert seek_time(log, T0 + 100, _time_at(log), margin=600) == (0, 1)
    assert seek_time(log, T0 + 150_000, lambda off: None, margin=600) == (0, 1)  # no time found: read whole


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "world"
    generate_world(out, seed=5, events=20_000, partners=200)
    return out


def _dump(r: DetectionResult) -> list[str]:
    return sorted(a.model_dump_json() for a in r.anomalies)


def test_read_since_equals_reading_everything_and_dropping_earlier_events(world, monkeypatch):
    logs = sorted((world / "logs").iterdir())
    catalog = read_flows(world / "flows.json")
    full = run_detection(logs, catalog=catalog)
    end = full.flow_stats["hour"].max().timestamp()
    since = datetime.fromtimestamp(end - 6 * 86400, tz=UTC)  # a week of data: a baseline and detection
    cut = run_detection(logs, catalog=catalog, read_since=since)
    assert any("entered at byte" in n for n in cut.notes)  # time-ordered files were entered, not read whole
    monkeypatch.setattr(base, "seek_entry", lambda *a, **k: None)
    ref = run_detection(logs, catalog=catalog, read_since=since)
    assert not any("entered at byte" in n for n in ref.notes)
    assert _dump(cut) == _dump(ref)
    assert cut.evidence == ref.evidence and cut.templates == ref.templates
    assert [a.anomaly_id for a in cut.anomalies] == [a.anomaly_id for a in ref.anomalies]  # the same ranking

    def by_flow(r: DetectionResult):  # type: ignore[no-untyped-def]
        return r.flow_stats.sort_values(["flow", "hour"]).reset_index(
            drop=True
        )  # flows are coded as first met

    # to the last bits: the CSV entered mid-file is read by the row reader, whose times can be one ulp from the
    # columnar reader's (a coverage of the first hour then differs in its 10th digit)
    pd.testing.assert_frame_equal(by_flow(cut), by_flow(ref), check_exact=False, rtol=1e-9)
    assert cut.lines < ref.lines == full.lines  # fewer lines were read


def test_read_since_is_not_for_incremental_runs(world, tmp_path):
    logs = sorted((world / "logs").iterdir())
    with pytest.raises(InputError, match="--read-since"):
        run_detection(logs, read_since=datetime(2026, 5, 1, tzinfo=UTC), state_dir=tmp_path / "st")
