"""The blind estates of the third and fourth waves, `cedar` (Chicago consultancy), `dogwood` (Barcelona A&E
firm), `elm` (São Paulo accountants), `fir` (Melbourne consultancy) and `ginkgo` (Warsaw consultancy, fifth wave, held out):
deterministic,
their labels parse, no hand-written mapping, and every labeled record id occurs in the data they ship."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from odoo_triage.core.labels import read_entities, read_flows, read_incidents
from odoo_triage.evals.estates import ESTATES, HELDOUT, estate_folder

BLIND = ("cedar", "dogwood", "elm", "fir", "ginkgo")


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return {name: estate_folder(name) for name in BLIND}  # the eval's own cache (keyed by the generator's hash)


def test_registered_blind_and_ginkgo_is_the_heldout(folders: dict[str, Path]) -> None:
    assert set(BLIND) <= set(ESTATES) and HELDOUT == "ginkgo"
    for name, folder in folders.items():
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["designed_blind"] is True and manifest["heldout"] is (name == HELDOUT)
        assert not (folder / "mapping.json").exists()


def test_labels_parse_and_name_known_flows(folders: dict[str, Path]) -> None:
    for name, folder in folders.items():
        labels = read_incidents(folder / "labels" / "incidents.jsonl")
        flows = {f.name for f in read_flows(folder / "flows.json")}
        assert 7 <= len(labels) <= 10 and {inc.flow for inc in labels} <= flows, name
        assert all(inc.start.tzinfo is not None and inc.start < inc.end for inc in labels), name
        kinds = {json.loads(x)["kind"] for x in (folder / "labels" / "not_incidents.jsonl").read_text().splitlines()}
        assert {"public_holiday", "maintenance"} <= kinds and len(kinds) >= 5, name  # other kinds in their own words
        assert len(read_entities(folder / "labels" / "partner_entities.csv")) >= 1000, name
        assert len(read_entities(folder / "labels" / "project_entities.csv")) >= 100, name


def test_every_labeled_record_occurs_in_the_data(folders: dict[str, Path]) -> None:
    for name, folder in folders.items():
        text = "".join(p.read_text(encoding="utf-8-sig", errors="replace")
                       for sub in ("logs", "records") for p in (folder / sub).iterdir() if p.suffix != ".xlsx")
        xlsx = [p for p in (folder / "logs").iterdir() if p.suffix == ".xlsx"]
        if xlsx:
            from zipfile import ZipFile
            for p in xlsx:
                with ZipFile(p) as z:
                    text += "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        tokens = set(re.findall(r"[\w-]+", text))  # an id occurs when it is a whole token (not inside a longer one)
        for inc in read_incidents(folder / "labels" / "incidents.jsonl"):
            for ref in inc.affected_records:
                rid = ref.split(":", 1)[1]
                assert rid in tokens, (name, inc.incident_id, ref)
