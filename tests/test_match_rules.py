"""Odoo rules of the partner matcher on small hand-written records (issues #15, #14): what a blind
estate taught (an Austrian firm's export), each rule on its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers import partners as partner_mod
from odoo_triage.matchers.pipeline import match_partners
from odoo_triage.matchers.records import PARTNER_FIELDS, load_records
from tests.test_match_scoring import company, found, scored_pair


def test_parent_database_id_column_of_an_odoo_export_is_read(tmp_path: Path) -> None:
    """Odoo's export writes parent_id as the company's name and its id in parent_id/.id."""
    path = tmp_path / "res_partner.csv"
    path.write_text("id,name,is_company,parent_id,parent_id/.id\n10,Acme GmbH,True,,\n"
                    "13,Lukas Berger,False,Acme GmbH,10\n", encoding="utf-8")
    frame = load_records(path, PARTNER_FIELDS, what="res.partner")
    assert list(frame["parent_id"]) == ["", "10"]
    assert list(frame["parent_id_name"]) == ["", "Acme GmbH"]


def _colleagues(parent_active: bool) -> list[dict]:
    office = dict(vat="ATU12345675", phone="+43 316 112694", street="Europaplatz 6", zip="9500", city="Villach",
                  country_id="Austria")
    rows = [company(10, "Reiter Haustechnik GmbH", email="office@reiter.at", active=parent_active, **office)]
    names = ["Lukas Pruegger", "Anna Huber", "Markus Poelzl", "Julia Leitner", "Florian Winkler", "Sophie Lehner"]
    for k, name in enumerate(names):
        first, last = name.lower().split()
        rows.append(company(11 + k, name, is_company=False, parent_id=10, email=f"{first[0]}.{last}@reiter.at",
                            **office))
    rows.append(company(30, "DI Anna Huber", is_company=False, parent_id=10, email="A.HUBER@REITER.AT", **office))
    return rows


def test_contacts_of_one_company_are_not_joined_on_the_company_phone_and_address() -> None:
    """Even when the company itself is archived (out of scope): the shared values are its, not theirs."""
    for active in (True, False):
        rows = _colleagues(active)
        assert found(match_partners(rows)) == {(12, 30)}  # the same contact twice: name and own e-mail
        _prob, _reason, verdicts = scored_pair(rows, 11, 13)
        assert verdicts["phone"] == verdicts["street"] == verdicts["zip"] == "missing"


def test_a_person_is_never_merged_into_a_company_record() -> None:
    rows = [company(1, "Gruber Infrastruktur AG", email="info@gruber.at"),
            company(2, "Gruber Infrastruktur AG", email="office@gruber.at"),
            company(3, "Asa Gruber", is_company=False, parent_id=1, email="a.gruber@gruber.at"),
            company(4, "Gruber Infrastruktur", is_company=False, vat="", email="hans.gruber@gmx.at")]
    assert found(match_partners(rows)) == {(1, 2)}  # a name and an address alone never join the kinds
    table = partner_mod.prepare(load_records(rows, PARTNER_FIELDS, what="res.partner"))
    left, right = np.array([0, 0, 2]), np.array([2, 3, 3])  # company-contact, company-person, contact-person
    assert list(partner_mod.never_pair(table, left, right)) == [True, True, False]
    rows[3]["email"] = "info@gruber.at"  # a sole trader entered once as a person: a shared identifier
    table = partner_mod.prepare(load_records(rows, PARTNER_FIELDS, what="res.partner"))
    assert list(partner_mod.never_pair(table, left, right)) == [True, False, False]


def test_namesakes_with_their_own_e_mails_are_two_people() -> None:
    rows = [company(1, "Sabine Mayer", is_company=False, vat="", email="sabine.mayer75@gmail.com",
                    street="Lendkai 94", zip="9500", city="Villach", country_id="Austria"),
            company(2, "Sabine Mayer", is_company=False, vat="", email="sabine.mayer629@aon.at", street="",
                    zip="", city="", country_id="Austria"),
            company(3, "Bernhard Lehner", is_company=False, vat="", email="bernhard.lehner71@aon.at",
                    street="Annenstrasse 4", zip="8940", city="Liezen", country_id="Austria"),
            company(4, "BERNHARD LEHNER", is_company=False, vat="", email="bernhard.lehner71@aon.at",
                    street="Annenstrasse 4", zip="8940", city="Liezen", country_id="Austria")]
    assert found(match_partners(rows)) == {(3, 4)}
    prob, reason, _verdicts = scored_pair(rows, 1, 2)
    assert prob < 0.5 and "different e-mail" in reason


def _townsfolk(town_of_zip: bool) -> list[dict]:
    """120 people over 6 zips; each zip has one town, or (synthetic data, like Febrl) towns at random."""
    zips = ["5020", "8010", "9500", "4020", "6020", "8700"]
    towns = ["Salzburg", "Graz", "Villach", "Linz", "Innsbruck", "Leoben"]
    given = ["Anna", "Lukas", "Sabine", "Markus", "Julia", "Florian", "Verena", "Stefan", "Karin", "Helmut"]
    last = ["Huber", "Gruber", "Wagner", "Pichler", "Moser", "Steiner", "Hofer", "Leitner", "Berger", "Fuchs",
            "Eder", "Lang"]
    rows = []
    for k in range(120):
        z = k % 6
        town = towns[z] if town_of_zip else towns[(k * 7 // 6) % 6]
        rows.append(company(100 + k, f"{given[k % 10]} {last[k // 10]}", is_company=False, vat="", email="",
                            street=f"Gasse {k}", zip=zips[z], city=town, country_id="Austria"))
    rows += [company(1, "Juergen Maier", is_company=False, vat="", email="", street="Grazer Strasse 19", zip="5020",
                     city="Salzburg", country_id="Austria"),
             company(2, "Joerg Maier", is_company=False, vat="", email="", street="Lendkai 86", zip="5020",
                     city="Salzburg", country_id="Austria")]
    return rows


def test_zip_and_town_are_one_piece_of_evidence_and_another_street_lowers_a_person() -> None:
    prob, reason, verdicts = scored_pair(_townsfolk(town_of_zip=True), 1, 2)
    assert verdicts["zip"] == "agree" and verdicts["city"] == "missing"  # the zip's town adds nothing
    assert "same town" not in reason and "different street" in reason and prob < 0.5
    # where zips span towns, the town still tells something beyond the zip
    _prob, reason, verdicts = scored_pair(_townsfolk(town_of_zip=False), 1, 2)
    assert verdicts["zip"] == verdicts["city"] == "agree" and "same town" in reason


def test_a_head_office_and_its_branch_are_two_partners() -> None:
    assert nz.branch("Mayr Geotechnik GmbH Niederlassung Salzburg") == "niederlassung salzburg"
    assert nz.branch("ACME SA succursale de Lyon") == "succursale de lyon"
    assert nz.branch("Mayr Geotechnik GmbH") == ""
    rows = [company(1, "Mayr Geotechnik GmbH", vat="ATU31344111", email="office@mayrgeo.at", street="Bahnhofstrasse 5",
                    zip="9020", city="Klagenfurt", country_id="Austria"),
            company(2, "Mayr Geotechnik GesmbH", vat="ATU31344111", email="office@mayrgeo.at",
                    street="Bahnhofstrasse 5", zip="9020", city="Klagenfurt", country_id="Austria"),
            company(3, "Mayr Geotechnik GmbH Niederlassung Salzburg", vat="ATU31344111", email="salzburg@mayrgeo.at",
                    street="Bahnhofstrasse 18", zip="5020", city="Salzburg", country_id="Austria")]
    assert found(match_partners(rows)) == {(1, 2)}
