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


def test_a_surname_written_as_its_initial_is_the_same_contact() -> None:
    """"Maria M." with Maria Machado's own e-mail under her company is her; with another e-mail it is not."""
    from odoo_triage.matchers.fellegi_sunter import abbreviates
    assert abbreviates("maria m", "maria machado") and abbreviates("j smith", "james smith")
    assert abbreviates("j smith", "james peter smith")  # a middle name left out
    assert not abbreviates("maria m", "maria") and not abbreviates("m s", "maria silva")  # no whole word
    assert not abbreviates("maria m", "marta machado") and not abbreviates("maria machado", "maria m")
    office = dict(vat="", phone="+55 11 5240-5607", street="Avenida Barros, 2464", zip="01983-124",
                  city="São Paulo", country_id="Brasil")
    rows = [company(10, "Tatuapé Clínica Veterinária Ltda", email="financeiro@tatuape.com.br", **office)]
    names = ["Maria Machado", "Ana Souza", "Paulo Lima", "Carla Rocha", "Bruno Dias", "Lucas Alves"]
    for k, name in enumerate(names):
        first, last = name.lower().split()
        rows.append(company(11 + k, name, is_company=False, parent_id=10, email=f"{first}.{last}@tatuape.com.br",
                            **office))
    rows.append(company(30, "Maria M.", is_company=False, parent_id=10, email="Maria.machado@tatuape.com.br",
                        phone="", street="", zip="", city="São Paulo", country_id="Brasil"))
    rows.append(company(31, "Ana S.", is_company=False, parent_id=10, email="ana.santos@tatuape.com.br",
                        phone="", street="", zip="", city="São Paulo", country_id="Brasil"))
    assert found(match_partners(rows)) == {(11, 30)}
    _prob, reason, _verdicts = scored_pair(rows, 11, 30)
    assert "abbreviates a word to its initial" in reason


def test_one_shared_e_mail_is_not_also_a_shared_domain() -> None:
    """The domain of an e-mail both companies have says nothing the e-mail did not: counted once."""
    rows = [company(1, "Grampians Concrete Pty Ltd", vat="", email="projects@grampiansconcrete.com.au",
                    phone="03 9427 7768", street="447 Sydney Avenue", zip="3550", city="Bendigo", country_id="Australia"),
            company(2, "Grampians Concrete & Associates Pty Ltd", vat="12 213 456 446",
                    email="projects@grampiansconcrete.com.au", phone="+61 3 9390 3424", street="555 Smith Street",
                    zip="3053", city="Carlton", country_id="Australia"),
            company(3, "Grampians Concrete", vat="", email="accounts@grampiansconcrete.com.au",
                    phone="03 9427 7768", street="447 Sydney Avenue", zip="3550", city="Bendigo", country_id="Australia")]
    _prob, reason, verdicts = scored_pair(rows, 1, 2)
    assert verdicts["email"] == "agree" and verdicts["email_domain"] == "missing"
    assert "same e-mail domain" not in reason
    _prob, _reason, verdicts = scored_pair(rows, 1, 3)  # two addresses of one domain: the domain counts
    assert verdicts["email_domain"] == "agree"


def test_a_record_between_two_vat_numbers_never_joins_them_in_one_cluster() -> None:
    """B is A entered again without its ABN, C a sister company at B's address with its own ABN: A and B
    are one partner; C is never merged with them, however much B and C share."""
    office = dict(phone="(03) 9929 6933", street="635 Flinders Parade", zip="3220", city="Geelong",
                  country_id="Australia")
    rows = [company(1, "Merri Architects Services Pty Ltd", vat="76 054 823 196", email="accounts@merri.com.au",
                    ref="C10081", **office),
            company(2, "Merri Architects Services Pty Ltd", vat="", email="", **office),
            company(3, "Merri Architects Property Pty Ltd", vat="41 823 217 870", email="admin@merri.com.au", **office)]
    result = match_partners(rows)
    assert found(result) == {(1, 2)}
    assert [c.record_ids for c in result.clusters] == [[1, 2]]


def test_a_reviewers_no_keeps_two_records_out_of_one_cluster_whatever_a_third_says() -> None:
    """Four records alike, a reviewer said 1 is not 3: no merge proposal may hold both, however close the
    other two are to each (an average over the cluster would let 3 in)."""
    rows = [company(1, "Lumen Marine NV", vat="", email="info@lumen.be"),
            company(2, "Lumen Marine", vat="", email="info@lumen.be"),
            company(3, "Lumen Marine N.V.", vat="", email="info@lumen.be"),
            company(4, "LUMEN MARINE NV", vat="", email="info@lumen.be")]
    assert [c.record_ids for c in match_partners(rows).clusters] == [[1, 2, 3, 4]]
    for cl in match_partners(rows, labels=[(1, 3, False)]).clusters:
        assert not {1, 3} <= set(cl.record_ids)
