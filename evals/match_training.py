"""Training the shipped project model on generated demo worlds, and evaluating both matchers on others.

Partners need no training: their weights are learnt from the records being matched.

    python -m odoo_triage.evals.match_training train                    # seeds 101-106 -> matchers/models/*.joblib
    python -m odoo_triage.evals.match_training evaluate --seeds 7 11 23 4242   # figures on held-out seeds

The shipped project model is trained on demo worlds of seeds 101, 102, 103, 104, 105 and 106. Evaluation
uses other seeds (7, 11, 23, 31, 37 and the evals' held-out 4242), so no reported figure comes
from a world the model has seen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

TRAIN_SEEDS = (101, 102, 103, 104, 105, 106)
EVAL_SEEDS = (7, 11, 23)


def world_dir(seed: int, partners: int = 2_000, root: Path | None = None) -> Path:
    """A generated world's folder (built once, cached): records/ and labels/ are what matching needs."""
    base = root or Path(user_cache_dir("odoo-triage", appauthor=False)) / "match-worlds"
    folder = base / f"s{seed}-p{partners}"
    if (folder / "labels" / "partner_entities.csv").exists():
        return folder
    from odoo_triage.sim.world import generate_world

    generate_world(folder, seed=seed, partners=partners, events=max(2_000, partners // 10))
    return folder


PROJECT_OPTIONAL = ["user_id", "company_id", "date_start", "date"]


def blanked(rows: list[dict], fields: list[str], share: float, seed: int) -> list[dict]:
    """The records with each optional field emptied at random in `share` of them.

    Real exports often lack columns the demo world always fills (no manager, no end date);
    training on both teaches the model that a missing field is no evidence either way.
    """
    import random

    rng = random.Random(seed)
    return [{k: ("" if k in fields and rng.random() < share else v) for k, v in r.items()} for r in rows]


def _rows(path: Path) -> list[dict]:
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


def train(seeds: tuple[int, ...] = TRAIN_SEEDS, partners: int = 2_000, out_dir: Path | None = None) -> list[Path]:
    from odoo_triage.matchers.model import MODEL_FILES, MODELS_DIR
    from odoo_triage.matchers.pipeline import train_model
    from odoo_triage.matchers.records import Source

    folders = [world_dir(s, partners) for s in seeds]
    info = {"seeds": list(seeds), "partners_per_world": partners}
    project_sets: list[Source] = [blanked(_rows(f / "records" / "project_project.csv"), PROJECT_OPTIONAL, 0.25, s) if k % 2
                    else _rows(f / "records" / "project_project.csv")
                    for k, (f, s) in enumerate(zip(folders, seeds, strict=True))]
    note = "every other world with optional fields blanked in 25% of records"
    return [train_model(project_sets, [f / "labels" / "project_entities.csv" for f in folders],
                        model="project.project", out=(out_dir or MODELS_DIR) / MODEL_FILES["project.project"],
                        info=info | {"augmented": note})]


def evaluate(seeds: tuple[int, ...] = EVAL_SEEDS, partners: int = 2_000, threshold: float = 0.5,
             include_archived: bool = False) -> dict[str, Any]:
    from odoo_triage.matchers.pipeline import evaluate_pairs, match_partners, match_projects

    out: dict[str, Any] = {}
    for seed in seeds:
        folder = world_dir(seed, partners)
        for name, fn, fname, ents in (("partners", match_partners, "res_partner.csv", "partner_entities.csv"),
                                      ("projects", match_projects, "project_project.csv", "project_entities.csv")):
            result = fn(folder / "records" / fname, threshold=threshold, include_archived=include_archived)
            figures = evaluate_pairs(result, folder / "labels" / ents, folder / "labels" / "hard_negatives.csv")
            figures["seconds"] = result.stats["seconds"]
            out[f"seed{seed}/{name}"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m odoo_triage.evals.match_training")
    parser.add_argument("action", choices=["train", "evaluate"])
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--include-archived", action="store_true")
    args = parser.parse_args()
    if args.action == "train":
        for p in train(tuple(args.seeds or TRAIN_SEEDS), args.partners):
            print(p)
    else:
        print(json.dumps(evaluate(tuple(args.seeds or EVAL_SEEDS), args.partners, args.threshold,
                                  args.include_archived), indent=1))


if __name__ == "__main__":
    main()
