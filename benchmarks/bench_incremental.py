"""Incremental detection: a full run over a 14-day world vs an incremental run over one new hour,
CPU seconds of both from one run of this script; and (`--spark`) Spark vs local on the demo world.

    python benchmarks/bench_incremental.py [--events 300000] [--world /tmp/bench-incr] [--baseline-days 7]
    python benchmarks/bench_incremental.py --spark [--master local[2]]

The incremental run has a state (`--state`) saved by a run over everything but the last hour; the
last hour is then appended to the logs and read incrementally. Every run takes a fixed 7-day baseline
(`--baseline-days`, as a deployment with a state keeps it; 0 = the default rule, which on a world of
exactly 14 days gives the run before the last hour a half-data baseline, so its forest is refit). Both runs are measured in this
process (CPU time, imports excluded: they are the same for both) and their anomalies compared.
With `--spark`, the demo world is detected locally (logs) and on Spark (the Parquet events written
by the local run); it prints whether the anomalies are equal and the times (driver CPU, the CPU of
the Spark JVM and its Python workers read from /proc, and wall time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def ensure_world(world: Path, events: int) -> list[Path]:
    logs = world / "logs"
    if not logs.is_dir() or not any(logs.iterdir()):
        subprocess.run([sys.executable, "-m", "odoo_triage.sim.world", "--out", str(world), "--events", str(events)],
                       check=True)
    return sorted(p for p in logs.iterdir() if p.suffix in (".jsonl", ".csv", ".log"))


def _dump(result) -> list[dict]:  # type: ignore[no-untyped-def]
    return sorted((a.model_dump(mode="json") for a in result.anomalies), key=lambda a: a["anomaly_id"])


def incremental(world: Path, events: int, baseline_days: float | None = 7.0) -> None:
    from odoo_triage.core.labels import read_flows
    from odoo_triage.detectors.frame import read_frame
    from odoo_triage.detectors.pipeline import run_detection

    logs = ensure_world(world, events)
    catalog = read_flows(world / "flows.json")
    cuts: dict[Path, int] = {}
    end = 0.0
    frames = {p: read_frame([p]).events for p in logs}
    end = max(float(ev["ts"].max()) for ev in frames.values())
    for p, ev in frames.items():  # the last hour of every file is the "new hour"
        later = ev[ev["ts"] >= end - 3600]
        cuts[p] = int(later["offset"].min()) if len(later) else p.stat().st_size
    work = world / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    copies = []
    for p in logs:
        q = work / "logs" / p.name
        q.write_bytes(p.read_bytes()[:cuts[p]])
        copies.append(q)

    c0 = time.process_time()
    full = run_detection(logs, catalog=catalog, baseline_days=baseline_days)
    full_cpu = time.process_time() - c0
    # yesterday's run: saves the state
    run_detection(copies, catalog=catalog, state_dir=work / "state", baseline_days=baseline_days)
    for p, q in zip(logs, copies, strict=True):
        with q.open("ab") as fh:
            fh.write(p.read_bytes()[cuts[p]:])
    c0 = time.process_time()
    inc = run_detection(copies, catalog=catalog, state_dir=work / "state", baseline_days=baseline_days)
    inc_cpu = time.process_time() - c0
    new_lines = sum(len(p.read_bytes()[cuts[p]:].splitlines()) for p in logs)
    print(f"full run: {full.events:,} events over {len(logs)} files in {full_cpu:.2f} CPU-s; "
          f"{len(full.anomalies)} anomalies")
    print(f"incremental run over the last hour ({new_lines:,} new lines): {inc_cpu:.2f} CPU-s "
          f"= {inc_cpu / full_cpu:.1%} of the full run (target <= 5%)")
    print(f"same anomalies as the full run: {_dump(inc) == _dump(full)}")


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system, children waited for included) of a process and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(d.name)] = int(fields[1])
        times[int(d.name)] = sum(int(x) for x in fields[11:15]) / tick
    todo, total = [root], 0.0
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(c for c, p in parents.items() if p == pid)
    return total


def spark_vs_local(world: Path, master: str) -> None:
    from odoo_triage.core.labels import read_flows
    from odoo_triage.detectors.engines.spark import SparkEngine, spark_available
    from odoo_triage.detectors.pipeline import run_detection

    why = spark_available()
    if why:
        sys.exit(f"--spark: {why}")
    logs = ensure_world(world, 60_000)
    catalog = read_flows(world / "flows.json")
    events = world / "events.parquet"
    t0, c0 = time.perf_counter(), time.process_time()
    local = run_detection(logs, catalog=catalog, write_events=events)
    local_cpu, local_wall = time.process_time() - c0, time.perf_counter() - t0
    engine = SparkEngine(master=master)
    jvm = engine.spark.sparkContext._gateway.proc.pid  # session started outside the timing: JVM start-up
    j0 = _tree_cpu(jvm)
    t0, c0 = time.perf_counter(), time.process_time()
    spark = run_detection([events], catalog=catalog, engine=engine)
    spark_cpu, spark_wall = time.process_time() - c0, time.perf_counter() - t0
    jvm_cpu = _tree_cpu(jvm) - j0
    engine.close()
    print(f"demo world: {local.events:,} events, {len(local.anomalies)} anomalies locally, "
          f"{len(spark.anomalies)} on Spark ({master})")
    print(f"same anomalies: {_dump(spark) == _dump(local)}; same evidence: {spark.evidence == local.evidence}")
    print(f"local (logs): {local_cpu:.2f} CPU-s, {local_wall:.1f} s wall")
    print(f"spark (Parquet events): driver {spark_cpu:.2f} CPU-s + Spark JVM and workers {jvm_cpu:.2f} CPU-s, "
          f"{spark_wall:.1f} s wall (session start-up excluded)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=Path, default=None)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--spark", action="store_true", help="Spark vs local on the demo world instead")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--baseline-days", type=float, default=7.0, help="fixed baseline of every run (0: the default rule)")
    args = ap.parse_args()
    if args.spark:
        spark_vs_local(args.world or Path("/tmp/bench-spark-demo"), args.master)
    else:
        incremental(args.world or Path(f"/tmp/bench-incr-{args.events}"), args.events, args.baseline_days or None)


if __name__ == "__main__":
    main()
