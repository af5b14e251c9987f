"""Detection speed on a big demo world: events/s and peak RSS, end to end (read, template, score).

    python benchmarks/bench_detect.py [--world /tmp/w1m] [--events 1000000]

Builds the world with `python -m odoo_triage.sim.world --out DIR --events N` when DIR has no logs yet.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

LOG_SUFFIXES = (".jsonl", ".csv", ".log")


def ensure_world(world: Path, events: int) -> list[Path]:
    logs = world / "logs"
    if not logs.is_dir() or not any(logs.iterdir()):
        subprocess.run([sys.executable, "-m", "odoo_triage.sim.world", "--out", str(world), "--events", str(events)], check=True)
    return sorted(p for p in logs.iterdir() if p.suffix in LOG_SUFFIXES)


def bench(world: Path, events: int) -> dict[str, float]:
    from odoo_triage.detectors.pipeline import run_detection

    files = ensure_world(world, events)
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_detection(files)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"events": result.events, "seconds": seconds, "events_per_second": result.events / seconds,
            "cpu_seconds": cpu, "peak_rss_mb": peak_mb, "anomalies": len(result.anomalies), "rejected": len(result.rejected),
            "templates": len(result.templates)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=Path, default=Path("/tmp/w1m"))
    ap.add_argument("--events", type=int, default=1_000_000)
    args = ap.parse_args()
    f = bench(args.world, args.events)
    print(f"{f['events']:,} events in {f['seconds']:.1f} s wall ({f['cpu_seconds']:.1f} s CPU) = "
          f"{f['events_per_second']:,.0f} events/s; "
          f"peak RSS {f['peak_rss_mb']:,.0f} MB; {f['anomalies']} anomalies, {f['templates']} templates, "
          f"{f['rejected']} lines set aside")


if __name__ == "__main__":
    main()
