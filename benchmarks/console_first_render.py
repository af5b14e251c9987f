"""Console first render on a store: the Streamlit script's first run (AppTest), i.e. the server-side
time before the page can be sent, median of `--repeats` fresh runs.

    python benchmarks/console_first_render.py sqlite:////tmp/triage-demo/triage.db --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "console" / "main.py")


def first_render(url: str) -> float:
    from streamlit.testing.v1 import AppTest

    os.environ["TRIAGE_DATABASE_URL"] = url
    at = AppTest.from_file(MAIN, default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    took = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"the console raised: {at.exception}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    times = [first_render(args.url) for _ in range(args.repeats)]
    print(f"console first render: median {statistics.median(times):.2f} s over {len(times)} runs "
          f"(min {min(times):.2f}, max {max(times):.2f})")


if __name__ == "__main__":
    main()
