"""`python -m odoo_triage.sim.world --out DIR --events N`: build a world, e.g. a million events for benchmarks."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from odoo_triage.sim.world import DEFAULT_START, generate_world


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m odoo_triage.sim.world", description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="folder to write the world to")
    ap.add_argument("--events", type=int, default=60_000, help="approximate number of log events")
    ap.add_argument("--partners", type=int, default=2_000)
    ap.add_argument("--projects", type=int, default=None)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--start", default=DEFAULT_START.date().isoformat(), help="first day (UTC), e.g. 2026-10-19")
    a = ap.parse_args(argv)
    start = datetime.fromisoformat(a.start)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    t0 = time.perf_counter()
    world = generate_world(a.out, seed=a.seed, events=a.events, partners=a.partners, projects=a.projects,
                           days=a.days, start=start)
    print(f"{world.summary()} -> {world.root} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
