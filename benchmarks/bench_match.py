"""Duplicate matching at scale: 100,000 partners (and their projects) on this machine.

    python benchmarks/bench_match.py                      # 100k partners, world seed 7, cached
    python benchmarks/bench_match.py --partners 20000 --json

The world is generated once in a child process (so its memory does not count) and cached. Partners
and projects are matched in a child process each, so each peak RSS printed (ru_maxrss, a high-water
mark) is that matcher's own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def world(partners: int, seed: int, root: Path | None = None) -> Path:
    folder = (root or Path(user_cache_dir("odoo-triage", appauthor=False)) / "bench-worlds") / f"s{seed}-p{partners}"
    if not (folder / "labels" / "partner_entities.csv").exists():
        subprocess.run([sys.executable, "-m", "odoo_triage.sim.world", "--out", str(folder), "--partners", str(partners),
                        "--seed", str(seed), "--events", "5000"], check=True)
    return folder


def run(partners: int = 100_000, seed: int = 7, root: Path | None = None, projects: bool = True,
        match_partners_too: bool = True) -> dict[str, Any]:
    """Both matchers in this process (the tests' call), or one (`match_partners_too=False`: projects only)."""
    from odoo_triage.matchers.pipeline import evaluate_pairs, match_partners, match_projects

    folder = world(partners, seed, root)
    if not match_partners_too:
        return _projects(folder, match_projects, evaluate_pairs)
    rss_before = peak_rss_mb()
    t0, cpu0 = time.perf_counter(), time.process_time()
    result = match_partners(folder / "records" / "res_partner.csv")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rss_match = peak_rss_mb()  # before scoring the result: the evaluation's pair sets are not the matcher's
    figures = evaluate_pairs(result, folder / "labels" / "partner_entities.csv")
    out: dict[str, Any] = {
        "partners": result.stats["records_read"],
        "seconds": round(seconds, 2),
        "records_per_second": round(result.stats["records_read"] / seconds),
        "cpu_seconds": round(cpu, 2),  # all threads; wall time depends on what else the machine runs
        "cpu_s_per_1000": round(cpu / max(result.stats["records_read"], 1) * 1000, 3),
        "peak_rss_mb": round(rss_match, 1),  # the matcher's (this child process ran nothing else before)
        "peak_rss_mb_with_evaluation": round(peak_rss_mb(), 1),
        "peak_rss_mb_before_match": round(rss_before, 1),
        "stage_seconds": result.stats["stage_seconds"],
        "blocked_pairs": result.stats["blocked_pairs"],
        "clusters": len(result.clusters),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()},
    }
    if projects:  # in the same process (the slow test): the high-water mark covers both
        out.update(_projects(folder, match_projects, evaluate_pairs))
        out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def _projects(folder: Path, match_projects: Any, evaluate_pairs: Any) -> dict[str, Any]:
    t1, cpu1 = time.perf_counter(), time.process_time()
    pres = match_projects(folder / "records" / "project_project.csv")
    cpu = time.process_time() - cpu1
    seconds = time.perf_counter() - t1
    rss = peak_rss_mb()
    pfig = evaluate_pairs(pres, folder / "labels" / "project_entities.csv")
    return {"projects": {"records": pres.stats["records_read"], "seconds": round(seconds, 2),
                         "cpu_seconds": round(cpu, 2), "peak_rss_mb": round(rss, 1),
                         "precision": round(pfig["precision"], 4), "recall": round(pfig["recall"], 4),
                         "f1": round(pfig["f1"], 4), "pairs_completeness": round(pfig["pairs_completeness"], 4),
                         "reduction_ratio": round(pfig["reduction_ratio"], 6)}}


def main() -> None:
    ap = argparse.ArgumentParser(prog="python benchmarks/bench_match.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--partners", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", choices=["partners", "projects"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.only:
        print(json.dumps(run(a.partners, a.seed, projects=a.only == "projects", match_partners_too=a.only == "partners")))
        return
    world(a.partners, a.seed)
    out = {}
    for only in ("partners", "projects"):
        proc = subprocess.run([sys.executable, __file__, "--partners", str(a.partners), "--seed", str(a.seed),
                               "--only", only], check=True, capture_output=True, text=True)
        out.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    if a.json:
        print(json.dumps(out, indent=1))
        return
    print(f"{out['partners']:,} partners matched in {out['seconds']:.1f} s = {out['records_per_second']:,} records/s, "
          f"({out['cpu_seconds']:.1f} CPU-s, {out['cpu_s_per_1000']:.3f} per 1,000), peak RSS {out['peak_rss_mb']:,.0f} MB")
    print(f"  stages {out['stage_seconds']}")
    print(f"  blocking: {out['blocked_pairs']:,} pairs, reduction ratio {out['reduction_ratio']:.6f}, "
          f"pairs completeness {out['pairs_completeness']:.4f}")
    print(f"  partners: precision {out['precision']:.4f} recall {out['recall']:.4f} f1 {out['f1']:.4f} "
          f"({out['true_pairs']:,} true pairs among active records; recall incl. archived {out['recall_all']:.4f})")
    if "projects" in out:
        p = out["projects"]
        print(f"  projects: {p['records']:,} in {p['seconds']:.1f} s ({p['cpu_seconds']:.1f} CPU-s), peak RSS "
              f"{p['peak_rss_mb']:,.0f} MB, precision {p['precision']:.4f} recall {p['recall']:.4f} f1 {p['f1']:.4f}, "
              f"pairs completeness {p['pairs_completeness']:.4f}")


if __name__ == "__main__":
    main()
