"""The blind estate `alder`: deterministic, its labels parse, and every labeled record is grounded in
a structured field of the data (an id column, a queue.job UUID cell), never only in free text."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest

from odoo_triage.core.labels import read_entities, read_flows, read_incidents, true_pairs
from odoo_triage.evals.estates import ESTATES, HELDOUT
from odoo_triage.evals.estates.alder.generate import build

XLSX = "Job einreihen (queue.job).xlsx"


@pytest.fixture(scope="module")
def alder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("alder") / "estate")


def xlsx_rows(path: Path) -> list[dict[str, str]]:
    """Rows of the first sheet as header -> text (shared strings resolved, numbers as written)."""
    with zipfile.ZipFile(path) as z:
        strings = [re.sub(r"<[^>]+>", "", s) for s in
                   re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode())]
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    table = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet):
        cells = {}
        for ref, attrs, value in re.findall(r'<c r="([A-Z]+)\d+"([^>]*)><v>(.*?)</v></c>', row):
            cells[ref] = strings[int(value)] if 't="s"' in attrs else value
        table.append(cells)
    header = table[0]
    return [{header[c]: v for c, v in r.items()} for r in table[1:]]


def test_alder_is_registered_and_designed_blind(alder: Path) -> None:
    assert "alder" in ESTATES and HELDOUT == "ginkgo"  # alder was held out until the cedar wave, cedar until ginkgo
    manifest = json.loads((alder / "manifest.json").read_text())
    assert manifest["heldout"] is False and manifest["designed_blind"] is True and 14 <= manifest["days"] <= 28
    assert not (alder / "mapping.json").exists()


def test_alder_builds_deterministically(alder: Path, tmp_path: Path) -> None:
    again = build(tmp_path / "again")
    files = sorted(p.relative_to(alder) for p in alder.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for rel in files:
        assert (alder / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_alder_labels_parse_and_cover_the_kinds(alder: Path) -> None:
    labels = read_incidents(alder / "labels" / "incidents.jsonl")
    flows = {f.name for f in read_flows(alder / "flows.json")}
    assert 6 <= len(labels) <= 9 and 5 <= len(flows) <= 8
    assert {inc.flow for inc in labels} <= flows
    assert {"error_spike", "latency_shift", "silent_flow", "retry_storm", "duplicate_delivery",
            "new_error_signature", "expired_credential"} <= {inc.kind for inc in labels}
    for inc in labels:
        assert inc.start.tzinfo is not None and inc.start < inc.end
    kinds = {json.loads(x)["kind"] for x in (alder / "labels" / "not_incidents.jsonl").read_text().splitlines()}
    assert {"public_holiday", "maintenance", "bursty_low_volume", "new_info_message", "one_off_errors",
            "month_end_peak"} <= kinds
    partners = read_entities(alder / "labels" / "partner_entities.csv")
    projects = read_entities(alder / "labels" / "project_entities.csv")
    assert 2000 <= len(partners) <= 6000 and 100 <= len(projects) <= 400
    assert len(true_pairs(partners)) > 150 and len(true_pairs(projects)) >= 10
    with (alder / "labels" / "hard_negatives.csv").open(encoding="utf-8") as fh:
        negatives = list(csv.DictReader(fh))
    for row in negatives:  # a hard negative is never a labeled duplicate
        ents = partners if row["model"] == "res.partner" else projects
        assert ents[int(row["left_id"])] != ents[int(row["right_id"])], row
    assert {r["model"] for r in negatives} == {"res.partner", "project.project"}


def test_every_affected_record_is_in_a_structured_field(alder: Path) -> None:
    uuids = {r["UUID"] for r in xlsx_rows(alder / "logs" / XLSX)}
    failed = {r["UUID"] for r in xlsx_rows(alder / "logs" / XLSX) if r["Status"] == "Fehlgeschlagen"}
    odoo_ids = {json.loads(line).get("odoo_id") for line in
                (alder / "logs" / "hubspot-bridge.jsonl").read_text(encoding="utf-8").splitlines()}
    ids: dict[str, set[str]] = {}
    for model, fname in (("res.partner", "res_partner.csv"), ("project.project", "project_project.csv")):
        with (alder / "records" / fname).open(encoding="utf-8", newline="") as fh:
            ids[model] = {row["id"] for row in csv.DictReader(fh)}
    seen = 0
    for inc in read_incidents(alder / "labels" / "incidents.jsonl"):
        for ref in inc.affected_records:
            model, _, rid = ref.partition(":")
            seen += 1
            if model == "queue.job":
                assert rid in uuids and rid in failed, ref
            elif model == "res.partner":
                assert rid in ids[model] and int(rid) in odoo_ids, ref
            else:
                assert model == "project.project" and rid in ids[model], ref
    assert seen >= 40
