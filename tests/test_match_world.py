"""Figures on a generated world the shipped models never saw, and storing results idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from odoo_triage.agent.store.match_results import save_matches
from odoo_triage.agent.store.tables import DuplicateCandidateRow, DuplicateClusterRow
from odoo_triage.core.labels import read_entities
from odoo_triage.matchers.pipeline import evaluate_pairs, match_partners, match_projects

SEED = 23  # not a training seed (101, 102, 103)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    from odoo_triage.sim.world import generate_world

    folder = tmp_path_factory.mktemp("world")
    generate_world(folder, seed=SEED, partners=1_500, events=2_000)
    return folder


@pytest.fixture(scope="module")
def partner_result(world: Path):
    return match_partners(world / "records" / "res_partner.csv")


@pytest.fixture(scope="module")
def project_result(world: Path):
    return match_projects(world / "records" / "project_project.csv")


def test_partner_precision_recall_on_an_unseen_world(world: Path, partner_result) -> None:
    fig = evaluate_pairs(partner_result, world / "labels" / "partner_entities.csv")
    assert fig["true_pairs"] > 50
    assert fig["precision"] >= 0.97 and fig["recall"] >= 0.95, fig
    assert fig["pairs_completeness"] >= 0.98 and fig["reduction_ratio"] >= 0.9, fig


def test_project_precision_recall_on_an_unseen_world(world: Path, project_result) -> None:
    fig = evaluate_pairs(project_result, world / "labels" / "project_entities.csv")
    assert fig["true_pairs"] > 20
    assert fig["precision"] >= 0.97 and fig["recall"] >= 0.95, fig
    assert fig["pairs_completeness"] >= 0.98, fig


def test_hard_negatives_of_the_world_stay_apart(world: Path, partner_result, project_result) -> None:
    hard = world / "labels" / "hard_negatives.csv"
    for result, ents in ((partner_result, "partner_entities.csv"), (project_result, "project_entities.csv")):
        fig = evaluate_pairs(result, world / "labels" / ents, hard)
        assert fig["hard_negatives"] > 0 and fig["hard_negatives_paired"] == 0, fig


def test_clusters_hold_one_entity_each(world: Path, partner_result) -> None:
    entities = read_entities(world / "labels" / "partner_entities.csv")
    mixed = [c for c in partner_result.clusters if len({entities[r] for r in c.record_ids}) > 1]
    assert len(mixed) <= max(1, len(partner_result.clusters) // 50)
    for c in partner_result.clusters:
        assert c.suggested_master_id in c.record_ids and c.pairs and c.reason


def test_save_matches_is_idempotent(store, partner_result, project_result) -> None:
    first = save_matches(store, partner_result)
    save_matches(store, project_result)
    again = save_matches(store, partner_result)
    assert first["candidates_inserted"] == len(partner_result.candidates) > 0
    assert again["candidates_inserted"] == 0 and again["candidates_updated"] == len(partner_result.candidates)
    with store.session() as s:
        n_pairs = s.scalar(select(func.count()).select_from(DuplicateCandidateRow))
        n_clusters = s.scalar(select(func.count()).select_from(DuplicateClusterRow))
        row = s.scalars(select(DuplicateCandidateRow).where(DuplicateCandidateRow.model == "res.partner")
                        .order_by(DuplicateCandidateRow.probability.desc())).first()
    assert n_pairs == len(partner_result.candidates) + len(project_result.candidates)
    assert n_clusters == len(partner_result.clusters) + len(project_result.clusters)
    assert row.cluster_id and row.reason and row.data["fields"]
