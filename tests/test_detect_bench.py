"""The 1M-event benchmark (slow: run with `-m slow`). Prints figures; asserts only that it ran whole."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.slow
def test_bench_detect_one_million_events():
    from bench_detect import bench

    f = bench(Path("/tmp/w1m"), 1_000_000)
    print(f"\n{f['events']:,} events, {f['events_per_second']:,.0f} events/s, peak RSS {f['peak_rss_mb']:,.0f} MB")
    assert f["events"] >= 990_000
    assert f["rejected"] == 4 and f["anomalies"] >= 7
