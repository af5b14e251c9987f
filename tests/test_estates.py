"""The labeled estates: built deterministically, read without a hand-written mapping, scored per estate."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.evals.estates import ESTATES, HELDOUT, estate_folder
from odoo_triage.evals.runner import evaluate_folder, folder_for_split


@pytest.fixture(scope="module")
def estates():
    return {name: estate_folder(name) for name in ESTATES}  # the eval's cache; the determinism test builds again


def test_estates_are_deterministic_and_complete(estates, tmp_path):
    for name, folder in estates.items():
        again = estate_folder(name, tmp_path)
        for rel in ("labels/incidents.jsonl", "labels/not_incidents.jsonl", "flows.json", "manifest.json"):
            assert (folder / rel).read_bytes() == (again / rel).read_bytes(), (name, rel)
        kinds = {json.loads(x)["kind"] for x in (folder / "labels" / "not_incidents.jsonl").read_text().splitlines()}
        assert {"public_holiday", "maintenance"} <= kinds, name
        if name in ("harbor", "meridian", "alder", "birch"):  # the later blind estates name their other kinds freely
            assert {"bursty_low_volume", "new_info_message", "one_off_errors"} <= kinds, name
        assert not (folder / "mapping.json").exists()  # no hand-written mapping: the readers infer it
    assert json.loads((estates[HELDOUT] / "manifest.json").read_text())["heldout"] is True


def test_every_line_of_every_estate_is_read(estates):
    for name, folder in estates.items():
        if json.loads((folder / "manifest.json").read_text()).get("designed_blind"):
            continue  # designed blind (alder, birch, cedar, dogwood): their figures are reported, not required
        figs = evaluate_folder(folder)
        for fname, f in figs["files"].items():
            assert f["set_aside_lines"] == 0 and f["lines"] == f["parsed_lines"] + f["blank"], (name, fname)
            if "mapping_confidence" in f:
                assert f["mapping_confidence"] >= 0.8, (name, fname, f["mapping"])
        if name == "harbor":  # the dev estate is a regression bar; the others are only reported
            assert figs["detection"]["overall"]["recall"] >= 0.95
        assert len(figs["not_incidents"]) >= 5


def test_eval_reports_each_estate_separately(tmp_path, monkeypatch, estates):
    import odoo_triage.evals.runner as runner_mod

    monkeypatch.setattr(runner_mod, "estate_folder", lambda name: estates[name])
    db = f"sqlite:///{tmp_path / 'eval.db'}"
    r = CliRunner().invoke(app, ["eval", "--split", "harbor", "--database-url", db, "--format", "json"])
    assert r.exit_code == 0, r.output
    figs = json.loads(r.output[r.output.index("{"):])
    assert list(figs) == ["harbor"]
    assert figs["harbor"]["files"]["queue_job_export.csv"]["events"] > 0
    assert folder_for_split("heldout", build=False)[0] == f"{HELDOUT} (held-out)"
    r = CliRunner().invoke(app, ["eval", "--split", "nope", "--database-url", db])
    assert r.exit_code != 0
