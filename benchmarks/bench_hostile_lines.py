"""One hostile line (or byte-level damage) at a time, in every log file of every estate: does detection finish?

    python benchmarks/bench_hostile_lines.py                 # harbor, meridian and the demo world (dev)
    python benchmarks/bench_hostile_lines.py --estate harbor --json

For each file and each mutation, a copy of the estate's logs gets that one change and the whole
detection runs on it. Reported: runs, runs that crashed (any exception), and for each run the lines
set aside beyond the unmutated baseline (a hostile line should cost itself, never its neighbours).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

JSON_LINES = [
    b'{"ts": 1e300, "flow": "x", "status": "ok"}',
    b'{"ts": -1e15, "flow": "x", "status": "ok"}',
    b'{"ts": "0001-01-01T00:00:00+14:00", "flow": "x", "status": "ok"}',
    b'{"ts": "9999-12-31T23:59:59Z", "flow": "x", "status": "ok"}',
    b'{"@timestamp": "9999-12-31T23:59:59Z", "integration": "x", "event": {"outcome": "success"}}',
    b'{"timestamp": "2026-04-28T10:00:00Z", "flowName": "x", "priority": "ERROR", "elapsed": 1e308}',
    b'{"ts": "2026-04-28T10:00:00Z", "flow": "x", "status": "error", "http_status": 70000, "retry": 70000}',
    b'{"ts": "2026-04-28T10:00:00Z", "flow": "x\\u0000y", "status": "error", "error": "a\\u0000b"}',
    b'{"ts": "2026-04-28T10:00:00Z", "flow": "' + b"f" * 100_000 + b'", "status": "ok"}',
    b"[1, 2, 3]", b"null", b'"just a string"', b"{" * 5000,
]
CSV_CELLS = ["9999-12-31 23:59:59", "0001-01-01 00:00:00", "1e300", "70000", "-5", "\x00", "Done", '"unterminated']
ODOO_LINES = [
    b"9999-12-31 23:59:59,999 1 ERROR db odoo.addons.x.models.y: boom",
    b"0001-01-01 00:00:00,000 1 ERROR db odoo.addons.x.models.y: boom",
    b"2026-04-28 10:00:00,000 1 ERROR db odoo.addons.x.models.y: HTTP 70000 retry 70000",
    b"2026-04-28 10:00:00,000 1 ERROR db odoo.addons.\x00.models.y: nul\x00",
    b"2026-04-28 10:00:00,000 1 INFO db odoo.addons.x.models.y: " + b"z" * 200_000,
    b"Traceback (most recent call last):",
]
BYTES = [b"\xef\xbb\xbf", b"\n\n\n", b"caf\xe9 cr\xe8me;\xa3 5", b"\x00\x00\x00", b"\xff\xfe"]


def mutations(path: Path) -> list[tuple[str, str, bytes]]:
    """(name, where, payload): where is "insert" (middle), "after-header", "prefix" or "truncate"."""
    out: list[tuple[str, str, bytes]] = [(f"bytes-{i}", "insert", b) for i, b in enumerate(BYTES[1:], 1)]
    out.append(("bom", "prefix", BYTES[0]))
    out.append(("truncated-last", "truncate", b""))
    head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"{"):
        out += [(f"json-{i}", "insert", line) for i, line in enumerate(JSON_LINES)]
    elif head[:4].isdigit() and b" INFO " in head or b" ERROR " in head or b" WARNING " in head:
        out += [(f"odoo-{i}", "insert", line) for i, line in enumerate(ODOO_LINES)]
    else:
        first = head.split(b"\n", 1)[0].decode("utf-8", "replace")
        delim = ";" if first.count(";") > first.count(",") else ","
        n = first.count(delim) + 1
        for i, cell in enumerate(CSV_CELLS):  # after the header: a CSV record may span lines mid-file
            out.append((f"csv-{i}", "after-header", delim.join([cell] * n).encode()))
    return out


def apply(data: bytes, where: str, payload: bytes) -> bytes:
    if where == "prefix":
        return payload + data
    if where == "truncate":
        return data.rstrip(b"\n")[: max(0, len(data.rstrip(b"\n")) - 17)]
    if where == "after-header":
        cut = data.find(b"\n") + 1 or len(data)
        return data[:cut] + payload + b"\n" + data[cut:]
    mid = data.find(b"\n", len(data) // 2)
    mid = len(data) if mid < 0 else mid + 1
    return data[:mid] + payload + b"\n" + data[mid:]


def run_one(folder: Path, logs: Path) -> tuple[int, int]:
    from odoo_triage.detectors.pipeline import run_detection
    from odoo_triage.evals.runner import folder_mapping, load_flows

    r = run_detection([logs], catalog=load_flows(folder), mapping=folder_mapping(folder))
    return len(r.rejected), r.events


def bench(folder: Path) -> dict[str, Any]:
    base_rejected, _ = run_one(folder, folder / "logs")
    runs, crashes, extra = 0, [], {}
    for path in sorted((folder / "logs").iterdir()):
        data = path.read_bytes()
        for name, where, payload in mutations(path):
            with tempfile.TemporaryDirectory() as tmp:
                logs = Path(tmp) / "logs"
                shutil.copytree(folder / "logs", logs)
                (logs / path.name).write_bytes(apply(data, where, payload))
                runs += 1
                try:
                    rejected, _events = run_one(folder, logs)
                    extra[f"{path.name}:{name}"] = rejected - base_rejected
                except Exception as exc:  # the figure this benchmark exists for
                    crashes.append(f"{path.name}:{name}: {type(exc).__name__}: {str(exc)[:120]}")
    return {"folder": str(folder), "runs": runs, "crashed": len(crashes), "crashes": crashes,
            "max_extra_lines_set_aside": max(extra.values(), default=0),
            "extra_set_aside": {k: v for k, v in extra.items() if v > 2}}


def main() -> None:
    from odoo_triage.evals.estates import ESTATES, estate_folder
    from odoo_triage.evals.runner import DEV, world_for_split

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--estate", action="append", help="harbor, meridian or dev (repeatable; default all)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    names = args.estate or [*ESTATES, "dev"]
    out = {}
    for name in names:
        folder = world_for_split(DEV) if name == "dev" else estate_folder(name)
        out[name] = bench(folder)
        if not args.json:
            r = out[name]
            print(f"{name}: {r['runs']} runs, {r['crashed']} crashed, at most {r['max_extra_lines_set_aside']} "
                  f"extra line(s) set aside by one mutation")
            for c in r["crashes"]:
                print("  crash:", c)
            for k, v in r["extra_set_aside"].items():
                print(f"  {k}: {v} extra lines set aside")
    if args.json:
        print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
