"""The labeled-incident format: what a firm writes to label its own history.

A labels folder holds:
- `incidents.jsonl`: one `LabeledIncident` per line.
- `partner_entities.csv` and `project_entities.csv`: columns `id,entity`; two records are true
  duplicates exactly when they share an entity. Records absent from the file are singletons.
- `hard_negatives.csv` (optional): columns `model,left_id,right_id,why`; pairs that look alike
  but are not the same (kept for reporting, the entity files already imply they differ).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from itertools import combinations
from pathlib import Path

from pydantic import BaseModel, Field

from odoo_triage.core.domain import ActionName, Cause, FlowInfo
from odoo_triage.core.errors import InputError


class LabeledIncident(BaseModel):
    incident_id: str
    kind: str  # error_spike, latency_shift, silent_flow, retry_storm, duplicate_delivery,
    #            new_error_signature, expired_credential
    flow: str
    start: datetime
    end: datetime
    cause: Cause
    expected_action: ActionName
    affected_records: list[str] = Field(default_factory=list)
    description: str = ""


def write_incidents(path: Path, incidents: list[LabeledIncident]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for inc in incidents:
            fh.write(inc.model_dump_json() + "\n")


def read_incidents(path: Path) -> list[LabeledIncident]:
    with path.open(encoding="utf-8") as fh:
        return [LabeledIncident.model_validate(json.loads(line)) for line in fh if line.strip()]


def read_entities(path: Path) -> dict[int, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {int(row["id"]): row["entity"] for row in csv.DictReader(fh)}


def true_pairs(entities: dict[int, str]) -> set[tuple[int, int]]:
    """All (low, high) id pairs that share an entity."""
    groups: dict[str, list[int]] = {}
    for rid, ent in entities.items():
        groups.setdefault(ent, []).append(rid)
    pairs: set[tuple[int, int]] = set()
    for ids in groups.values():
        pairs.update(combinations(sorted(ids), 2))
    return pairs


def read_flows(path: Path) -> list[FlowInfo]:
    """A flows.json (the firm's flow catalog): owner, criticality, country, unit and attribution per flow."""
    try:
        return [FlowInfo.model_validate(f) for f in json.loads(path.read_text(encoding="utf-8"))]
    except FileNotFoundError as exc:
        raise InputError(f"flow catalog not found: {path}") from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the flow catalog {path}: {str(exc).splitlines()[0]}") from exc
