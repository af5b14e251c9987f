"""Cause-classifier figures: held-out accuracy of the model, and accuracy on a labeled world's incidents.

    python -m odoo_triage.evals.causes retrain | evaluate [--world DIR]
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from odoo_triage.agent.causes import evaluate_holdout, model_cause, retrain
from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.core.labels import read_incidents
from odoo_triage.detectors.pipeline import run_detection
from odoo_triage.evals.metrics import overlaps


def evaluate_on_world(world_dir: Path) -> dict[str, Any]:
    """Cause accuracy on a labeled world's incidents: the full classifier (rules + model) and the
    model alone on the same incident texts."""
    labels = read_incidents(world_dir / "labels" / "incidents.jsonl")
    logs = sorted(p for p in (world_dir / "logs").iterdir() if p.suffix in {".jsonl", ".csv", ".log", ".json"})
    assembled = assemble_incidents(run_detection(logs))
    full = model_only = found = 0
    for lab in labels:
        hits = [a for a in assembled if a.incident.flow == lab.flow and overlaps(
            a.incident.window_start, a.incident.window_end, lab.start, lab.end, timedelta(hours=1))]
        if not hits:
            continue
        found += 1
        full += any(a.incident.cause == lab.cause for a in hits)
        texts = [" | ".join(a.incident.signatures + a.facts.errors[:10]) or a.incident.title for a in hits]
        model_only += any(model_cause(t).cause == lab.cause for t in texts)
    return {"labeled": len(labels), "found": found, "accuracy": full / found if found else 0.0,
            "model_only_accuracy": model_only / found if found else 0.0}


def main(argv: list[str] | None = None) -> None:
    """`python -m odoo_triage.evals.causes retrain` | `evaluate [--world DIR]`: the figures, printed."""
    parser = argparse.ArgumentParser(prog="python -m odoo_triage.evals.causes")
    parser.add_argument("command", choices=["retrain", "evaluate"])
    parser.add_argument("--world", type=Path, help="a labeled world folder, for accuracy on its incidents")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = retrain() if args.command == "retrain" else evaluate_holdout()
    if args.world:
        figures["world"] = evaluate_on_world(args.world)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
