"""Detection speed and memory on big demo worlds, in one run: the project's CPU-s end to end (a fresh
process: imports included) and events per CPU-s, the parse floor on the same files (orjson per JSON
line, the csv module per CSV row, the Odoo log-line regex per line), a Polars per-minute error-rate
baseline, the ratios, and peak RSS at each size (one subprocess per size).

    python benchmarks/bench_detect.py [--sizes 1000000 3000000] [--dir /tmp] [--row]

Worlds are built once into DIR/bench_wN (`python -m odoo_triage.sim.world --out DIR --events N`).
`--row` runs the row readers instead of the columnar ones (for comparison).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

LOG_SUFFIXES = (".jsonl", ".csv", ".log")


def ensure_world(world: Path, events: int) -> list[Path]:
    logs = world / "logs"
    if not logs.is_dir() or not any(logs.iterdir()):
        subprocess.run([sys.executable, "-m", "odoo_triage.sim.world", "--out", str(world), "--events", str(events)],
                       check=True, stdout=subprocess.DEVNULL)
    return sorted(p for p in logs.iterdir() if p.suffix in LOG_SUFFIXES)


def child(world: Path, columnar: bool) -> None:
    """In a fresh process: detection end to end, CPU time from process start (imports included)."""
    from odoo_triage.detectors.pipeline import run_detection

    files = sorted(p for p in (world / "logs").iterdir() if p.suffix in LOG_SUFFIXES)
    result = run_detection(files, columnar=columnar)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"events": result.events, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
                      "anomalies": len(result.anomalies), "rejected": len(result.rejected),
                      "templates": len(result.templates)}))


def parse_floor(files: list[Path]) -> float:
    """CPU-s to parse every line the plainest way: orjson, the csv module, the Odoo log-line regex."""
    import orjson

    line_re = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d+)?) (\d+) (\w+) (\S+) ([\w.\-]+): (.*)$")
    c0 = time.process_time()
    for p in files:
        if p.suffix == ".jsonl":
            with p.open("rb") as fh:
                for raw in fh:
                    try:
                        orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        pass
        elif p.suffix == ".csv":
            with p.open(newline="", encoding="utf-8") as fh:
                for _row in csv.reader(fh):
                    pass
        else:
            with p.open("rb") as fh:
                for raw in fh:
                    line_re.match(raw)
    return time.process_time() - c0


def polars_baseline(files: list[Path]) -> float:
    """CPU-s for a Polars notebook: per-flow, per-minute error rates over the JSON-lines and CSV logs."""
    import polars as pl

    c0 = time.process_time()
    frames = []
    for p in files:
        if p.suffix == ".jsonl":
            lines = [ln for ln in p.read_bytes().split(b"\n") if ln.endswith(b"}")]  # drop truncated lines
            df = pl.read_ndjson(io.BytesIO(b"\n".join(lines)),
                                schema={"ts": pl.String, "flow": pl.String, "status": pl.String})
        elif p.suffix == ".csv":
            head = p.open(encoding="utf-8").readline()
            ts, flow, status = (("timestamp", "flow", "status") if "timestamp" in head
                                else ("date_created", "channel", "state"))
            df = pl.read_csv(p, columns=[ts, flow, status], infer_schema=False, truncate_ragged_lines=True,
                             ignore_errors=True).rename({ts: "ts", flow: "flow", status: "status"})
        else:
            continue
        frames.append(df.select("ts", "flow", "status"))
    allf = pl.concat(frames).with_columns(
        minute=pl.col("ts").str.slice(0, 16), err=pl.col("status").is_in(["error", "failed"]))
    allf.group_by("flow", "minute").agg(pl.len(), pl.col("err").mean())
    return time.process_time() - c0


def run_size(base: Path, n: int, columnar: bool) -> dict[str, float]:
    world = base / f"bench_w{n}"
    files = ensure_world(world, n)
    out = subprocess.run([sys.executable, __file__, "--child", str(world)] + ([] if columnar else ["--row"]),
                         check=True, capture_output=True, text=True).stdout
    f = json.loads(out.strip().splitlines()[-1])
    f["floor"] = parse_floor(files)
    f["polars"] = polars_baseline(files)
    return f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000])
    ap.add_argument("--dir", type=Path, default=Path("/tmp"))
    ap.add_argument("--row", action="store_true", help="row readers instead of the columnar ones")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, not args.row)
        return
    rss = {}
    for n in args.sizes:
        f = run_size(args.dir, n, not args.row)
        rss[n] = f["rss_mb"]
        print(f"{f['events']:,} events: project {f['cpu']:.2f} CPU-s end to end = {f['events'] / f['cpu']:,.0f} "
              f"events/CPU-s; parse floor {f['floor']:.2f} CPU-s (project/floor {f['cpu'] / f['floor']:.2f}x); "
              f"polars per-minute error rates {f['polars']:.2f} CPU-s (project/polars {f['cpu'] / f['polars']:.2f}x); "
              f"peak RSS {f['rss_mb']:,.0f} MB; {f['anomalies']} anomalies, {f['templates']} templates, "
              f"{f['rejected']} lines set aside", flush=True)
    if len(rss) > 1:
        lo, hi = min(rss), max(rss)
        print(f"peak RSS at {hi:,} events / at {lo:,}: {rss[hi] / rss[lo]:.2f}x")


if __name__ == "__main__":
    main()


def bench(world: Path, events: int) -> dict[str, float]:
    """One size, for tests/test_detect_bench.py (slow)."""
    f = run_size(world.parent, events, True) if world.name == f"bench_w{events}" else _run_world(world, events)
    return {**f, "events_per_second": f["events"] / f["cpu"], "peak_rss_mb": f["rss_mb"]}


def _run_world(world: Path, events: int) -> dict[str, float]:
    ensure_world(world, events)
    out = subprocess.run([sys.executable, __file__, "--child", str(world)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
