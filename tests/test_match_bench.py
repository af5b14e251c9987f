"""The 100k-partner benchmark (slow: run with `pytest -m slow tests/test_match_bench.py -s`).

Speed is printed, not asserted (docs/CONTRIBUTING.md); quality and memory are asserted.
"""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_match_100k_partners() -> None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bench_match", Path(__file__).parents[1] / "benchmarks" / "bench_match.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = bench.run(partners=100_000, seed=7)
    print(f"\n{out['partners']:,} partners in {out['seconds']:.1f} s = {out['records_per_second']:,} records/s, "
          f"peak RSS {out['peak_rss_mb']:,.0f} MB, stages {out['stage_seconds']}")
    assert out["precision"] >= 0.97 and out["recall"] >= 0.95, out
    assert out["pairs_completeness"] >= 0.99 and out["reduction_ratio"] >= 0.999, out
    assert out["projects"]["precision"] >= 0.97 and out["projects"]["recall"] >= 0.95, out
    assert out["peak_rss_mb"] <= 2048, out
