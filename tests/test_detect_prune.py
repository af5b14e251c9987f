"""`--read-since` (pipeline.run_detection(read_since=)): time-ordered logs are entered by binary search
(readers.base.seek_time), other files read whole, and the anomalies are those of reading every byte and
dropping the earlier events. `--since/--until` (pipeline._Pruning): the baseline and a lookback around
the range are read, and the anomalies are those of a full read filtered by the range."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from odoo_triage.core.errors import InputError
from odoo_triage.core.labels import read_flows
from odoo_triage.core.settings import DetectorSettings
from odoo_triage.detectors.pipeline import DetectionResult, _Pruning, run_detection
from odoo_triage.detectors.readers import base
from odoo_triage.detectors.readers.base import line_number_at, seek_stop, seek_time
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


# ------------------------------------------------------------------ --since/--until prune what is read


def test_a_time_ordered_file_is_left_where_every_later_line_is_at_or_after_the_time(tmp_path):
    log = tmp_path / "a.log"
    times = [T0 + 10 * i for i in range(20_000)]
    _numbered(log, times)
    until, margin = T0 + 150_000, 600
    stop = seek_stop(log, until, _time_at(log), margin)
    assert stop is not None
    lines = log.read_bytes().splitlines(keepends=True)
    line = next(i for i in range(len(lines) + 1) if sum(map(len, lines[:i])) == stop)  # a line's start
    assert all(t >= until for t in times[line:])  # nothing before `until` is after the stop
    assert (
        line - next(i for i, t in enumerate(times) if t >= until + margin) < 2000
    )  # and little more is read
    assert seek_stop(log, T0 + 10 * 20_000, _time_at(log), margin) is None  # nothing that late: to the end


def test_a_file_out_of_order_is_never_left_early(tmp_path):
    log = tmp_path / "a.log"
    _numbered(log, [T0 + 10 * i for i in range(10_000)] * 2)
    assert seek_stop(log, T0 + 50_000, _time_at(log), margin=600) is None


def _judged(world: Path, **kw):  # type: ignore[no-untyped-def]
    return run_detection(sorted((world / "logs").iterdir()), catalog=read_flows(world / "flows.json"), **kw)


def _comparable(anomalies) -> list[str]:  # type: ignore[no-untyped-def]
    """Anomalies as JSON, without the one figure that counts what was read: a duplicate delivery's
    `ok_events` (the flow's keyed successes in the data read, context for the reader, no judgement)."""
    out = []
    for a in anomalies:
        d = a.model_dump(mode="json")
        d["metrics"] = {k: v for k, v in d["metrics"].items() if not k.endswith("ok_events")}
        out.append(json.dumps(d, sort_keys=True))
    return sorted(out)


def _ok_events(anomalies) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {a.anomaly_id: v for a in anomalies for k, v in a.metrics.items() if k.endswith("ok_events")}


@pytest.fixture(scope="module")
def full(world) -> DetectionResult:
    return _judged(world)


def _span(full: DetectionResult) -> tuple[float, float]:
    h = full.flow_stats["hour"]
    return h.min().timestamp(), h.max().timestamp() + 3600


def test_since_the_last_day_reads_less_and_reports_what_a_full_read_reports(world, full):
    start, end = _span(full)
    since = datetime.fromtimestamp(end - 86400, tz=UTC)
    cut = _judged(world, since=since)
    today = _judged(world, since=since, prune=False)  # read everything, then filter
    assert any("not read" in n for n in cut.notes) and not any("not read" in n for n in today.notes)
    assert cut.lines < today.lines == full.lines
    assert _comparable(cut.anomalies) == _comparable(today.anomalies)
    assert _comparable(today.anomalies) == _comparable(a for a in full.anomalies if a.window_end >= since)
    assert cut.baseline_end == full.baseline_end  # the baseline is the data's first days, read whole


@pytest.mark.parametrize("which", range(4))
def test_since_until_around_each_anomaly_report_what_a_full_read_reports(world, full, which):
    if which >= len(full.anomalies):
        pytest.skip("fewer anomalies in this world")
    a = sorted(full.anomalies, key=lambda x: x.window_start)[which]
    since, until = a.window_start + timedelta(minutes=30), a.window_end + timedelta(hours=1)
    cut = _judged(world, since=since, until=until)
    want = [x for x in full.anomalies if x.window_end >= since and x.window_start <= until]
    assert _comparable(cut.anomalies) == _comparable(want)
    full_ok = _ok_events(full.anomalies)
    assert all(v <= full_ok[k] for k, v in _ok_events(cut.anomalies).items())  # a count of what was read


def test_since_near_the_start_changes_nothing(world, full):
    start, _ = _span(full)
    since = datetime.fromtimestamp(start + 6 * 3600, tz=UTC)  # inside the baseline: all of it is needed
    cut = _judged(world, since=since)
    assert not any("not read" in n for n in cut.notes) and cut.lines == full.lines
    assert _comparable(cut.anomalies) == _comparable(a for a in full.anomalies if a.window_end >= since)


def test_pruned_reading_equals_a_whole_read_dropping_the_same_hours(world, full, monkeypatch):
    """Binary search is only a saving: with it disabled (every file read whole, as an unsorted one is)
    the same events are kept, the same hours judged, the same anomalies found."""
    start, end = _span(full)
    since = datetime.fromtimestamp(end - 2 * 86400, tz=UTC)
    cut = _judged(world, since=since)
    monkeypatch.setattr(base, "seek_stop", lambda *a, **k: None)
    monkeypatch.setattr(base, "seek_time", lambda *a, **k: (0, 1))
    ref = _judged(world, since=since)
    assert not any("bytes" in n for n in ref.notes) and ref.lines == full.lines > cut.lines
    assert _dump(cut) == _dump(ref) and cut.evidence == ref.evidence

    def by_flow(r: DetectionResult):  # type: ignore[no-untyped-def]
        return r.flow_stats.sort_values(["flow", "hour"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(by_flow(cut), by_flow(ref), check_exact=False, rtol=1e-9)
    hours = by_flow(cut)["hour"]
    assert hours.max() == by_flow(full)["hour"].max() and len(hours) < len(
        full.flow_stats
    )  # a gap not judged


def test_until_on_data_under_twice_the_baseline_reads_to_the_end(world, full):
    """The baseline's length follows the data's span when it covers under twice the setting: the end
    must be read for the baseline to be the full read's."""
    start, end = _span(full)
    assert end - start < 2 * 7 * 86400
    until = datetime.fromtimestamp(start + 8 * 86400, tz=UTC)
    cut = _judged(world, until=until)
    assert cut.lines == full.lines and cut.baseline_end == full.baseline_end


def test_until_with_a_given_baseline_stops_reading(world, full):
    start, end = _span(full)
    until = datetime.fromtimestamp(start + 8 * 86400, tz=UTC)
    cut = _judged(world, until=until, baseline_days=5)
    whole = _judged(world, baseline_days=5)
    assert cut.lines < whole.lines
    want = [
        a for a in whole.anomalies if a.window_start <= until and a.window_end < until - timedelta(hours=1)
    ]
    got = [a for a in cut.anomalies if a.window_end < until - timedelta(hours=1)]
    assert _comparable(got) == _comparable(want)


class _Frame:
    def __init__(self, ts: list[float]) -> None:
        self.events = pd.DataFrame({"ts": ts})


def test_a_baseline_starting_later_than_the_first_lines_say_means_a_whole_read():
    p = _Pruning(
        since=T0 + 30 * 86400, until=None, baseline_days=None, cfg=DetectorSettings(), margin=600, notes=[]
    )
    p.gap = (T0 + 7 * 86400, T0 + 29 * 86400)
    assert p.holds(_Frame([T0, T0 + 40 * 86400]))  # the data starts where the first line said
    assert not p.holds(_Frame([T0 + 86400, T0 + 40 * 86400]))  # an early line set aside: the baseline moves
    assert "baseline" in p.why


def test_cli_since_prunes_and_read_all_reads_everything(world, full):
    from typer.testing import CliRunner

    from odoo_triage.app.cli import app

    _, end = _span(full)
    since = datetime.fromtimestamp(end - 86400, tz=UTC).strftime("%Y-%m-%dT%H:%M")
    logs = [str(p) for p in sorted((world / "logs").iterdir())]
    runner = CliRunner()
    cut = runner.invoke(app, ["detect", *logs, "--no-store", "--format", "json", "--since", since])
    whole = runner.invoke(
        app, ["detect", *logs, "--no-store", "--format", "json", "--since", since, "--read-all"]
    )
    assert cut.exit_code == 0 and whole.exit_code == 0, cut.output + whole.output
    a, b = json.loads(cut.stdout), json.loads(whole.stdout)
    assert a["lines_read"] < b["lines_read"] == full.lines
    assert [x["anomaly_id"] for x in a["anomalies"]] == [x["anomaly_id"] for x in b["anomalies"]]


@pytest.mark.slow
@pytest.mark.parametrize("split", ["dev", "harbor", "meridian", "birch", "dogwood"])
def test_since_until_on_the_estates_report_what_a_full_read_reports(split):
    """On the demo world and the estates: the last day, a day well inside, and around each anomaly."""
    from odoo_triage.core.settings import CalendarSettings, Settings
    from odoo_triage.detectors.frame import expand_paths
    from odoo_triage.evals.runner import folder_for_split, folder_mapping, load_flows

    _, folder = folder_for_split(split)
    settings = Settings()
    if (folder / "calendar.json").exists():
        settings = settings.model_copy(
            update={
                "calendar": CalendarSettings.model_validate_json(
                    (folder / "calendar.json").read_text(encoding="utf-8")
                )
            }
        )
    logs = expand_paths([folder / "logs"])
    kw = {
        "mapping": folder_mapping(folder),
        "catalog": load_flows(folder),
        "settings": settings.detectors,
        "readers": settings.readers,
        "calendar": settings.calendar,
        "volume": settings.volume,
    }
    whole = run_detection(logs, **kw)
    start, end = _span(whole)
    cases = [
        (datetime.fromtimestamp(end - 86400, tz=UTC), None),
        (
            datetime.fromtimestamp(start + 10 * 86400, tz=UTC),
            datetime.fromtimestamp(start + 11 * 86400, tz=UTC),
        ),
    ]
    cases += [
        (a.window_start + timedelta(hours=1), a.window_end + timedelta(hours=2)) for a in whole.anomalies
    ]
    pruned = 0
    for since, until in cases:
        cut = run_detection(logs, since=since, until=until, **kw)
        pruned += any("not read" in n for n in cut.notes)
        want = [
            a for a in whole.anomalies if a.window_end >= since and (until is None or a.window_start <= until)
        ]
        assert _comparable(cut.anomalies) == _comparable(want), (since, until)
    assert pruned  # some cases read less
