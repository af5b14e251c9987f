"""Pruned reading: CPU seconds of `detect --read-since <last day>` and `detect --since <last day>` vs a full run
over a 14-day world, and whether their anomalies equal those of reading everything (the references).

    python benchmarks/bench_prune.py [--events 300000] [--world /tmp/bench-incr-300000] [--days 1]

Three runs in this process (CPU time, imports excluded: the same for all), each printed with the bytes
its readers were asked to read: the full run (`--since` chooses what is reported, so it reads all of
it, as before), `--read-since` with time-ordered logs entered by binary search, and the reference
(the same option with entering disabled: every byte read, earlier events dropped as they are read).
Then `--since <last day>` three ways: pruned (the default: the baseline, the data's first days, and from
`since - detectors.prune_lookback_hours` on are read), as before this option pruned (`--read-all`: read
everything, then filter the anomalies), and compared with the full run's anomalies filtered so. A
duplicate delivery's `ok_events` (the flow's keyed successes in the data read) is left out of that
comparison: it counts what was read. `--days 1` on 14 days: the baseline (7 days) and the last two
days (the lookback) are read, about 60% of the bytes; longer data saves more.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_incremental import _dump, ensure_world  # type: ignore[import-not-found]


def _bytes_read(notes: list[str], sizes: dict[str, int]) -> int:
    """Bytes the readers were asked to read: a pruned file's noted segments ("bytes a-b + c-d read"),
    every other file whole."""
    read = dict(sizes)
    for n in notes:
        if ": time-ordered, bytes " in n:
            name, rest = n.split(": time-ordered, bytes ", 1)
            spans = rest.split(" read: ")[0]
            read[name] = (
                0
                if spans == "none"
                else sum(
                    int(b.replace(",", "")) - int(a.replace(",", ""))
                    for a, b in (s.split("-") for s in spans.split(" + "))
                )
            )
    return sum(read.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", type=Path, default=None)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--days", type=float, default=1.0, help="read the last this many days")
    args = ap.parse_args()
    from odoo_triage.core.labels import read_flows
    from odoo_triage.detectors import pipeline
    from odoo_triage.detectors.readers import base

    world = args.world or Path(f"/tmp/bench-incr-{args.events}")
    logs = ensure_world(world, args.events)
    catalog = read_flows(world / "flows.json")
    total = sum(p.stat().st_size for p in logs)
    import sklearn.ensemble  # noqa: F401 - imports excluded: the full run fits a forest, a short read may not

    full_read: list[int] = []
    c0 = time.process_time()
    full = pipeline.run_detection(logs, catalog=catalog, progress=full_read.append)
    full_cpu = time.process_time() - c0
    last = max(a.window_end for a in full.anomalies) if full.anomalies else None
    end = full.flow_stats["hour"].max().timestamp() + 3600 if len(full.flow_stats) else time.time()
    since = datetime.fromtimestamp(end - args.days * 86400, tz=UTC)

    def pruned() -> tuple[float, pipeline.DetectionResult, int]:
        c0 = time.process_time()
        res = pipeline.run_detection(logs, catalog=catalog, read_since=since)
        cpu = time.process_time() - c0
        skipped = sum(
            int(n.split("entered at byte ")[1].split(" ")[0].replace(",", ""))
            for n in res.notes
            if "entered at byte " in n
        )
        return cpu, res, total - skipped

    cut_cpu, cut, cut_bytes = pruned()
    seek = base.seek_entry
    base.seek_entry = lambda *a, **k: None  # type: ignore[assignment]
    try:
        ref_cpu, ref, ref_bytes = pruned()
    finally:
        base.seek_entry = seek
    print(
        f"world: {full.events:,} events, {total / 1e6:,.1f} MB in {len(logs)} files; last anomaly ends {last}"
    )
    print(f"full run (also what --since reads): {full_cpu:.2f} CPU-s, {sum(full_read) / 1e6:,.1f} MB read")
    print(
        f"--read-since {since:%Y-%m-%d %H:%M} (last {args.days:g} day(s)): {cut_cpu:.2f} CPU-s "
        f"= {cut_cpu / full_cpu:.0%} of the full run, {cut_bytes / 1e6:,.1f} MB read "
        f"({cut_bytes / total:.0%} of the bytes); {len(cut.anomalies)} anomalies"
    )
    for note in cut.notes:
        print(f"  {note}")
    print(
        f"reference (every byte read, earlier events dropped): {ref_cpu:.2f} CPU-s, {ref_bytes / 1e6:,.1f} MB"
    )
    print(
        f"same anomalies as the reference: {_dump(cut) == _dump(ref)}; same evidence: {cut.evidence == ref.evidence}; "
        f"same templates: {cut.templates == ref.templates}"
    )

    def since_run(prune: bool) -> tuple[float, pipeline.DetectionResult]:
        c0 = time.process_time()
        res = pipeline.run_detection(logs, catalog=catalog, since=since, prune=prune)
        return time.process_time() - c0, res

    s_cpu, s_res = since_run(True)
    a_cpu, a_res = since_run(False)
    s_bytes = _bytes_read(s_res.notes, {p.name: p.stat().st_size for p in logs})
    print(
        f"--since {since:%Y-%m-%d %H:%M} (pruned, the default): {s_cpu:.2f} CPU-s = {s_cpu / full_cpu:.0%} of the "
        f"full run, {s_bytes / 1e6:,.1f} MB read ({s_bytes / total:.0%} of the bytes); {len(s_res.anomalies)} anomalies"
    )
    for note in s_res.notes:
        print(f"  {note}")
    print(
        f"--since --read-all (as before): {a_cpu:.2f} CPU-s = {a_cpu / full_cpu:.0%} of the full run, "
        f"{total / 1e6:,.1f} MB read; pruned/before = {s_cpu / a_cpu:.0%}"
    )
    want = [a for a in full.anomalies if a.window_end >= since]
    print(
        f"--since pruned = before (all but ok_events): {_plain(s_res.anomalies) == _plain(a_res.anomalies)}; "
        f"= the full run filtered: {_plain(s_res.anomalies) == _plain(want)}; "
        f"identical to before, ok_events too: {_dump(s_res) == _dump(a_res)}"
    )


def _plain(anomalies: list) -> list[str]:  # type: ignore[type-arg]
    """Anomalies as JSON without a duplicate delivery's `ok_events` (a count of the events read)."""
    import json

    out = []
    for a in anomalies:
        d = a.model_dump(mode="json")
        d["metrics"] = {k: v for k, v in d["metrics"].items() if not k.endswith("ok_events")}
        out.append(json.dumps(d, sort_keys=True))
    return sorted(out)


if __name__ == "__main__":
    main()
