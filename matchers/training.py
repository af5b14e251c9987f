"""Training the shipped models on generated demo worlds, and evaluating them on others.

    python -m matchers.training train --seeds 101 102 103          # writes matchers/models/*.joblib
    python -m matchers.training evaluate --seeds 7 11 23            # figures on held-out seeds

The shipped models are trained on seeds 101, 102 and 103 (2,000 partners each); the evals use
other seeds (7, 11, 23, 4242), so no reported figure comes from a world the model has seen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

TRAIN_SEEDS = (101, 102, 103)
EVAL_SEEDS = (7, 11, 23)


def world_dir(seed: int, partners: int = 2_000, root: Path | None = None) -> Path:
    """A generated world's folder (built once, cached): records/ and labels/ are what matching needs."""
    base = root or Path(user_cache_dir("odoo-triage", appauthor=False)) / "match-worlds"
    folder = base / f"s{seed}-p{partners}"
    if (folder / "labels" / "partner_entities.csv").exists():
        return folder
    from evals.world import generate_world

    generate_world(folder, seed=seed, partners=partners, events=max(2_000, partners // 10))
    return folder


def train(seeds: tuple[int, ...] = TRAIN_SEEDS, partners: int = 2_000, out_dir: Path | None = None) -> list[Path]:
    from matchers.model import MODEL_FILES, MODELS_DIR
    from matchers.pipeline import train_model

    folders = [world_dir(s, partners) for s in seeds]
    paths = []
    for kind, fname, ents in (("res.partner", "res_partner.csv", "partner_entities.csv"),
                              ("project.project", "project_project.csv", "project_entities.csv")):
        paths.append(train_model([f / "records" / fname for f in folders], [f / "labels" / ents for f in folders],
                                 model=kind, out=(out_dir or MODELS_DIR) / MODEL_FILES[kind],
                                 info={"seeds": list(seeds), "partners_per_world": partners}))
    return paths


def evaluate(seeds: tuple[int, ...] = EVAL_SEEDS, partners: int = 2_000, threshold: float = 0.5,
             include_archived: bool = False) -> dict[str, Any]:
    from matchers.pipeline import evaluate_pairs, match_partners, match_projects

    out: dict[str, Any] = {}
    for seed in seeds:
        folder = world_dir(seed, partners)
        for name, fn, fname, ents in (("partners", match_partners, "res_partner.csv", "partner_entities.csv"),
                                      ("projects", match_projects, "project_project.csv", "project_entities.csv")):
            result = fn(folder / "records" / fname, threshold=threshold, include_archived=include_archived)
            figures = evaluate_pairs(result, folder / "labels" / ents)
            figures["seconds"] = result.stats["seconds"]
            out[f"seed{seed}/{name}"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m matchers.training")
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
