"""Training the shipped models on generated demo worlds, and evaluating them on others.

    python -m odoo_triage.evals.matcher_training train                    # seeds 101-106 -> matchers/models/*.joblib
    python -m odoo_triage.evals.matcher_training evaluate --seeds 7 11 23 4242   # figures on held-out seeds

The shipped models are trained on demo worlds of seeds 101, 102, 103, 104, 105 and 106 (2,000
partners each; the partner set is augmented with contact persons entered twice). Evaluation
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


def with_contact_duplicates(folder: Path, seed: int, share: float = 0.15) -> tuple[list[dict], dict[int, str]]:
    """The world's partners plus contact persons entered twice under the same company.

    The demo world only duplicates companies; without these the model would learn that two
    people are never the same, and miss "Jane Smith" created twice at one customer.
    """
    import random

    import pandas as pd

    from odoo_triage.core.labels import read_entities

    rows = pd.read_csv(folder / "records" / "res_partner.csv", dtype=str, keep_default_na=False).to_dict("records")
    entities = read_entities(folder / "labels" / "partner_entities.csv")
    rng = random.Random(seed)
    next_id = max(int(r["id"]) for r in rows) + 1
    extra = []
    for r in rows:
        if r["is_company"] == "True" or not r["parent_id"] or rng.random() > share:
            continue
        d = dict(r, id=str(next_id), ref="")
        first, _, last = r["name"].partition(" ")
        variant = rng.randrange(4)
        if variant == 0:
            d["name"] = r["name"].upper()
        elif variant == 1 and last:
            d["name"] = f"{last} {first}"
        elif variant == 2 and len(r["name"]) > 4:
            k = rng.randrange(1, len(r["name"]) - 1)
            d["name"] = r["name"][:k] + r["name"][k + 1:]
        if r["email"] and rng.random() < 0.5:
            local, _, domain = r["email"].partition("@")
            d["email"] = rng.choice([r["email"].title(), f"{local}+crm@{domain}", ""])
        if rng.random() < 0.5:
            d["phone"] = ""
        extra.append(d)
        entities[next_id] = entities.get(int(r["id"]), f"partner-{r['id']}")
        next_id += 1
    return rows + extra, entities


PARTNER_OPTIONAL = ["email", "phone", "vat", "company_registry", "ref", "street", "city", "zip", "country_id"]
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

    folders = [world_dir(s, partners) for s in seeds]
    info = {"seeds": list(seeds), "partners_per_world": partners}
    augmented = [with_contact_duplicates(f, s) for f, s in zip(folders, seeds, strict=True)]
    # every other world also with optional fields blanked at random (25% each)
    partner_sets = [blanked(rows, PARTNER_OPTIONAL, 0.25, s) if k % 2 else rows
                    for k, ((rows, _), s) in enumerate(zip(augmented, seeds, strict=True))]
    project_sets = [blanked(_rows(f / "records" / "project_project.csv"), PROJECT_OPTIONAL, 0.25, s) if k % 2
                    else _rows(f / "records" / "project_project.csv")
                    for k, (f, s) in enumerate(zip(folders, seeds, strict=True))]
    note = "every other world with optional fields blanked in 25% of records"
    paths = [train_model(partner_sets, [ents for _, ents in augmented], model="res.partner",
                         out=(out_dir or MODELS_DIR) / MODEL_FILES["res.partner"],
                         info=info | {"augmented": f"contact persons entered twice (15% of contacts); {note}"})]
    paths.append(train_model(project_sets, [f / "labels" / "project_entities.csv" for f in folders],
                             model="project.project", out=(out_dir or MODELS_DIR) / MODEL_FILES["project.project"],
                             info=info | {"augmented": note}))
    return paths


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
    parser = argparse.ArgumentParser(prog="python -m odoo_triage.evals.matcher_training")
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
