"""Partner scoring learnt from the records, reviewer labels, and the project rules (phase, codes, topics)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from odoo_triage.agent.approvals import approve, propose, reject
from odoo_triage.agent.store.match_labels import labels_for, record_label, record_merge_decision
from odoo_triage.core.domain import RemediationProposal
from odoo_triage.core.settings import ApprovalSettings, Settings
from odoo_triage.matchers import partners as partner_mod
from odoo_triage.matchers import pipeline
from odoo_triage.matchers.blocking import decode
from odoo_triage.matchers.comparisons import PARTNER_COMPARISONS
from odoo_triage.matchers.pipeline import match_partners, match_projects
from odoo_triage.matchers.records import PARTNER_FIELDS, load_records
from odoo_triage.matchers.scoring import calibrate
from tests.approval_helpers import KEY

GIVEN = ["harley", "olivia", "jack", "mia", "noah", "ava", "liam", "zoe", "ethan", "chloe", "lucas", "ruby", "oscar",
         "isla", "leo", "grace", "max", "ella", "henry", "sophie"]
SURNAMES = ["mccarthy", "white", "nguyen", "smith", "brown", "wilson", "taylor", "martin", "clarke", "walker",
            "hall", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson", "hill", "campbell",
            "mitchell", "roberts", "carter", "phillips", "evans", "turner", "torres", "parker", "collins"]
STREETS = ["baker street", "river road", "hill crescent", "park avenue", "station road", "church lane", "mill street",
           "victoria road", "king street", "queen street", "high street", "bridge road"]
TOWNS = [("bittern", "4814"), ("killarney", "4373"), ("canterbury", "2193"), ("richlands", "4077"),
         ("toorak", "3142"), ("mayfield", "2304"), ("latrobe", "7307"), ("seddon", "3011")]


def person(pid: int, name: str, street: str, town: tuple[str, str]) -> dict:
    return {"id": pid, "name": name, "street": street, "city": town[0], "zip": town[1], "is_company": False}


@pytest.fixture(scope="module")
def people() -> list[dict]:
    """400 people, febrl-like: 40 of them entered a second time with typos; one name shared by two people."""
    rng = random.Random(3)
    rows = []
    for pid in range(1, 401):
        rows.append(person(pid, f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
                           f"{rng.randrange(1, 300)} {rng.choice(STREETS)}", rng.choice(TOWNS)))
    for k, src in enumerate(rows[:40]):
        name = src["name"]
        cut = rng.randrange(1, len(name) - 1)
        typo = name[:cut] + name[cut + 1:] if k % 2 else name
        rows.append(person(1000 + k, typo, src["street"], (src["city"], src["zip"])))
    rows.append(person(2000, "harley mccarthy", "12 baker street", ("bittern", "4814")))
    rows.append(person(2001, "harley mccarthy", "250 river road", ("latrobe", "7307")))
    rows.append(person(2002, "mia campbel", "77 mill street", ("toorak", "3142")))  # typos in both names,
    rows.append(person(2003, "mai campbell", "77 mill street", ("toorak", "3142")))  # same street: one person
    return rows


@pytest.fixture(scope="module")
def people_result(people):
    return match_partners(people)


def found(result) -> set[tuple[int, int]]:
    return {(c.left_id, c.right_id) for c in result.candidates}


def test_people_entered_twice_are_found_from_the_data(people_result) -> None:
    pairs = found(people_result)
    truth = {(k + 1, 1000 + k) for k in range(40)}
    assert len(pairs & truth) >= 38
    assert (2002, 2003) in pairs  # a typo in both names, caught by the zip + house number block


def scored_pair(rows: list[dict], a: int, b: int) -> tuple[float, str, dict[str, str]]:
    """Probability, reason and field verdicts of one pair, fitted on all the rows."""
    table = partner_mod.prepare(load_records(rows, PARTNER_FIELDS, what="res.partner"))
    keys = partner_mod.blocking_keys(table)
    encoded = partner_mod.candidate_pairs(table, keys)
    left, right = decode(encoded, len(table))
    scorer = pipeline._FellegiSunterScorer(table)
    scorer.fit(left, right, pipeline._label_arrays(table, None), pipeline._found_by(encoded, keys))
    pos = {int(rid): k for k, rid in enumerate(table.ids)}
    i, j = sorted((pos[a], pos[b]))
    prob = float(scorer.score(np.array([i]), np.array([j]))[0])
    rows_ = scorer.rows_batch([(i, j)])[0]
    return prob, partner_mod.reason(rows_), {r[0]: r[4] for r in rows_}


def test_same_name_in_two_towns_is_two_people_and_the_reason_says_why(people, people_result) -> None:
    assert (2000, 2001) not in found(people_result)
    prob, reason, verdicts = scored_pair(people, 2000, 2001)
    assert prob < 0.5
    against = reason.split("against: ")[1]
    for word in ("different street", "different zip", "different town"):
        assert word in against, reason
    assert verdicts["name"] == "agree" and verdicts["street"] == verdicts["zip"] == verdicts["city"] == "disagree"


def test_blocking_report_names_every_key(people_result) -> None:
    report = people_result.stats["blocking"]
    assert {"name_metaphone", "zip_house_number", "email", "vat", "phone_tail"} <= set(report)
    assert report["zip_house_number"] > 0


def test_probabilities_have_no_plateau_at_the_threshold(people_result) -> None:
    probs = [c.probability for c in people_result.candidates]
    assert not [p for p in probs if p == 0.5]
    assert len(set(probs)) > 5


def test_comparisons_are_data_with_phrases() -> None:
    for comp in PARTNER_COMPARISONS:
        assert comp.levels[-1].test == "else" and all(lv.phrase for lv in comp.levels)


# --------------------------------------------------------------------------- Odoo rules


def company(pid: int, name: str, **kw: object) -> dict:
    return {"id": pid, "name": name, "vat": "BE0477472701", "street": "Rue de la Loi 16", "city": "Brussels",
            "zip": "1000", "country_id": "Belgium", "is_company": True, "email": "info@widgets.be"} | kw


def test_inherited_company_fields_never_argue_for_a_person_match() -> None:
    rows = [company(1, "Belgian Widgets NV"),
            company(2, "Anna Peeters", is_company=False, parent_id=1, email="anna@widgets.be"),
            company(3, "Anne Peters", is_company=False, parent_id=1, email="anne.p@widgets.be"),
            company(4, "Jan Maes", is_company=False, parent_id=1, email="jan@widgets.be"),
            company(5, "Jan Maes", is_company=False, parent_id=1, email="jan@widgets.be")]
    assert found(match_partners(rows)) == {(4, 5)}  # the same person twice: name and own e-mail
    prob, _reason, verdicts = scored_pair(rows, 2, 3)  # similar names, everything else the company's
    assert verdicts["vat"] == verdicts["street"] == verdicts["zip"] == verdicts["city"] == "missing"


def test_reviewer_labels_calibrate_and_a_no_is_never_proposed_again(people) -> None:
    base = match_partners(people)
    target = next(c for c in base.candidates if c.probability > 0.5)
    no = [(target.left_id, target.right_id, False)]
    again = match_partners(people, labels=no)
    assert (target.left_id, target.right_id) not in found(again)
    assert again.stats["not_duplicate_marks"] == 1
    labels = [(k + 1, 1000 + k, True) for k in range(10)] + [(2000, 2001, False)] + no
    labeled = match_partners(people, labels=labels)
    distinct = {(a, b) for a, b, _ in labels}
    assert labeled.stats["labels_used"] == len(distinct) and base.stats["labels_used"] == 0
    assert (target.left_id, target.right_id) not in found(labeled)


def test_calibration_stays_put_on_few_labels_and_follows_many() -> None:
    w = np.array([5.0, 6.0, -5.0, -6.0])
    a, b = calibrate(w, np.array([1, 1, 0, 0]))
    assert a == pytest.approx(1.0, abs=0.3) and abs(b) < 2
    many_w = np.r_[np.full(500, 2.0), np.full(500, 2.0)]
    many_y = np.r_[np.ones(100), np.zeros(900)]  # a weight of +2 is right only one time in ten
    a, b = calibrate(many_w, many_y)
    p = 1 / (1 + 2 ** -(a * 2.0 + b))
    assert p < 0.3


# --------------------------------------------------------------------------- labels in the store


def test_labels_round_trip_latest_decision_wins(store) -> None:
    record_label(store, "res.partner", 12, 7, False, "not_duplicate", "rex")
    record_label(store, "res.partner", 3, 4, True, "merge_approved", "dana", database="prod")
    record_label(store, "res.partner", 7, 12, True, "merge_approved", "dana")
    assert labels_for(store, "res.partner") == [(7, 12, True)]
    assert labels_for(store, "res.partner", "prod") == [(3, 4, True)]
    assert record_merge_decision(store, [1, 2, 3], False, "rex") == 3
    assert (1, 3, False) in labels_for(store, "res.partner")
    with pytest.raises(ValueError):
        record_label(store, "res.partner", 1, 2, True, "guess")


def test_approved_and_rejected_merges_become_labels(store) -> None:
    settings = Settings(users={"dana": "approver", "rex": "reviewer", "agent": "approver"},
                        approvals=ApprovalSettings(key=KEY))
    for pid, ids in (("p-1", [7, 12]), ("p-2", [8, 9])):
        propose(store, RemediationProposal(proposal_id=pid, incident_id="inc-1", action="merge_partners",
                                           params={"partner_ids": ids, "destination_id": ids[0]},
                                           proposed_by="agent"))
    approve(store, "p-1", "dana", "same VAT", settings)
    reject(store, "p-2", "rex", "two branches", settings)
    assert labels_for(store, "res.partner") == [(7, 12, True), (8, 9, False)]


# --------------------------------------------------------------------------- projects


def project(pid: int, name: str, **kw: object) -> dict:
    return {"id": pid, "name": name, "partner_id": [10, "Acme Corp"], "user_id": [5, "Sofie Maes"],
            "company_id": [1, "Brightline"], "active": True, "date_start": "2024-03-01", "date": ""} | kw


def test_phase_and_follow_up_projects_stay_apart_and_subset_topics_are_not_identical() -> None:
    rows = [project(1, "Website revamp"), project(2, "Website revamp phase 2"),
            project(3, "ERP rollout"), project(4, "ERP rollout follow-up"),
            project(5, "Data platform"), project(6, "Data platform migration"),
            project(7, "ACME-2024-017 Tax advisory"), project(8, "ACM-2024-017 Tax advisory"),
            project(9, "ACME-2024-018 Tax advisory")]
    result = match_projects(rows)
    pairs = found(result)
    assert not pairs & {(1, 2), (3, 4)}
    assert (7, 8) in pairs  # one number under two code prefixes
    assert not pairs & {(7, 9), (8, 9)}  # another project number
    everything = match_projects(rows, threshold=0.0)
    cand = {(c.left_id, c.right_id): c for c in everything.candidates}
    assert (1, 2) not in cand or "another phase" in cand[(1, 2)].reason
    if (5, 6) in cand:  # a subset of the topic words is similar, not identical
        assert next(f for f in cand[(5, 6)].fields if f.field == "name").score < 0.8


def test_match_command_says_how_many_labels_it_used(tmp_path, people) -> None:
    import json as _json

    from typer.testing import CliRunner

    from odoo_triage.agent.store import open_store
    from odoo_triage.app.cli import app

    records = tmp_path / "people.json"
    records.write_text(_json.dumps(people))
    url = f"sqlite:///{tmp_path / 'triage.db'}"
    store = open_store(url)
    try:
        for k in range(5):
            record_label(store, "res.partner", k + 1, 1000 + k, True, "merge_approved", "dana")
        record_label(store, "res.partner", 2000, 2001, False, "not_duplicate", "rex")
    finally:
        store.dispose()
    result = CliRunner().invoke(app, ["match", "partners", str(records), "--database-url", url],
                                env={"TRIAGE_CONFIG": ""})
    assert result.exit_code == 0, result.output
    assert "used 6 reviewer labels of this database (6 stored; 1 pairs marked not a duplicate" in result.output


def test_console_not_a_duplicate_marks_every_pair_of_the_cluster(store, people_result) -> None:
    from odoo_triage.agent.store.stage_results import save_matches
    from odoo_triage.app.console.data import mark_not_duplicate

    save_matches(store, people_result)
    cluster = people_result.clusters[0]
    n = len(cluster.record_ids)
    assert mark_not_duplicate(store, cluster.cluster_id, "rex") == n * (n - 1) // 2
    assert mark_not_duplicate(store, "dup-missing", "rex") == 0
    marked = {(a, b) for a, b, y in labels_for(store, "res.partner") if not y}
    assert (cluster.record_ids[0], cluster.record_ids[1]) in marked


def test_identical_identifiers_outweigh_an_abbreviated_company_name() -> None:
    """"X Media Intl" / "X Media International AG" with one VAT, e-mail and phone: one company."""
    rows = [company(1, "Xylo Media Intl", vat="DE123456788", email="info@xylomedia.de", phone="+49 30 1234567",
                    country_id="Germany", street="Hauptstr. 5", zip="10115", city="Berlin"),
            company(2, "Xylo Media International AG", vat="DE 123 456 788", email="info@xylomedia.de",
                    phone="030 1234567", country_id="Germany", street="Hauptstrasse 5", zip="10115", city="Berlin"),
            company(3, "Brightwave Comms", vat="GB123456789", email="", phone="+44 20 7946 0958", street="", zip="",
                    city="", country_id="United Kingdom"),
            company(4, "Brigthwave Communications Ltd", vat="GB 123456789", email="", phone="+44 20 7946 0958",
                    street="1 King St", zip="EC2V 8AU", city="London", country_id="United Kingdom"),
            company(5, "Quartz Holding BV", vat="NL123456782B01", email="info@quartz.nl", phone="+31 20 5550101",
                    country_id="Netherlands", street="Kade 1", zip="1011 AA", city="Amsterdam")]
    assert found(match_partners(rows)) == {(1, 2), (3, 4)}
