"""The blind estate `birch` (French agency, Odoo 18): deterministic, its labels parse, and every labeled
record is grounded in a structured field of the data (a queue.job UUID cell, an ID column, the receiver's
`odoo_partner_id`), never only in free text."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from odoo_triage.core.labels import read_entities, read_flows, read_incidents, true_pairs
from odoo_triage.evals.estates import ESTATES, HELDOUT
from odoo_triage.evals.estates.birch.generate import build

QUEUE_JOB = "Tâche en file d’attente (queue.job).csv"


@pytest.fixture(scope="module")
def birch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("birch") / "estate")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_birch_is_registered_but_not_the_heldout(birch: Path) -> None:
    assert "birch" in ESTATES and HELDOUT == "ginkgo"
    manifest = json.loads((birch / "manifest.json").read_text())
    assert manifest["heldout"] is False and manifest["designed_blind"] is True and 14 <= manifest["days"] <= 28
    assert not (birch / "mapping.json").exists()
    assert json.loads((birch / "calendar.json").read_text())["country"] == "FR"


def test_birch_builds_deterministically(birch: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    files = sorted(p.relative_to(birch) for p in birch.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (birch / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_birch_labels_parse_and_cover_the_kinds(birch: Path) -> None:
    labels = read_incidents(birch / "labels" / "incidents.jsonl")
    flows = {f.name for f in read_flows(birch / "flows.json")}
    assert 6 <= len(labels) <= 9 and 5 <= len(flows) <= 8
    assert {inc.flow for inc in labels} <= flows
    assert {"error_spike", "latency_shift", "silent_flow", "retry_storm", "duplicate_delivery",
            "new_error_signature", "expired_credential"} <= {inc.kind for inc in labels}
    for inc in labels:
        assert inc.start.tzinfo is not None and inc.start < inc.end
    kinds = {json.loads(x)["kind"] for x in (birch / "labels" / "not_incidents.jsonl").read_text().splitlines()}
    assert {"public_holiday", "maintenance", "bursty_low_volume", "new_info_message", "one_off_errors",
            "month_end_peak"} <= kinds
    partners = read_entities(birch / "labels" / "partner_entities.csv")
    projects = read_entities(birch / "labels" / "project_entities.csv")
    assert 1500 <= len(partners) <= 3000 and 80 <= len(projects) <= 150
    assert len(true_pairs(partners)) > 150 and len(true_pairs(projects)) >= 10
    assert set(partners) == {int(r["ID"]) for r in rows(birch / "records" / "res_partner.csv")}
    negatives = rows(birch / "labels" / "hard_negatives.csv")
    for row in negatives:  # a hard negative is never a labeled duplicate
        ents = partners if row["model"] == "res.partner" else projects
        assert ents[int(row["left_id"])] != ents[int(row["right_id"])], row
    assert {r["model"] for r in negatives} == {"res.partner", "project.project"}


def test_every_affected_record_is_in_a_structured_field(birch: Path) -> None:
    jobs = rows(birch / "logs" / QUEUE_JOB)
    failed = {r["UUID"] for r in jobs if r["État"] == "En erreur"}
    job_records = {rid for r in jobs if r["État"] == "En erreur" for rid in json.loads(r["Enregistrement"])}
    hook_ids = {json.loads(line)["odoo_partner_id"] for line in
                (birch / "logs" / "pipedrive-receiver.jsonl").read_text(encoding="utf-8").splitlines()}
    partner_ids = {int(r["ID"]) for r in rows(birch / "records" / "res_partner.csv")}
    seen = 0
    for inc in read_incidents(birch / "labels" / "incidents.jsonl"):
        for ref in inc.affected_records:
            model, _, rid = ref.partition(":")
            seen += 1
            if model == "queue.job":
                assert rid in failed, ref
            else:
                assert model == "res.partner" and int(rid) in partner_ids, ref
                assert int(rid) in hook_ids or int(rid) in job_records, ref
    assert seen >= 60
