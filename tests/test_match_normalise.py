"""Canonical forms: legal forms of many countries, VAT, phone, e-mail, project names."""

from __future__ import annotations

import pytest

from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.records import split_many2one


@pytest.mark.parametrize(
    ("name", "core", "legal"),
    [
        ("Acme Consulting GmbH", "acme consulting", ("gmbh",)),
        ("ACME Consulting", "acme consulting", ()),
        ("Müller GmbH & Co. KG", "muller", ("gmbh", "and", "co", "kg")),
        ("Atlas Data AG", "atlas data", ("ag",)),
        ("Globex Inc.", "globex", ("inc",)),
        ("Globex Incorporated", "globex", ("incorporated",)),
        ("Initech, LLC", "initech", ("llc",)),
        ("Initech L.L.C.", "initech", ("llc",)),
        ("Hooli Ltd", "hooli", ("ltd",)),
        ("Hooli Limited", "hooli", ("limited",)),
        ("Stark Industries PLC", "stark industries", ("plc",)),
        ("Wayne Pty Ltd", "wayne", ("pty", "ltd")),
        ("Dupont SARL", "dupont", ("sarl",)),
        ("Dupont S.A.S.", "dupont", ("sas",)),
        ("Société Générale S.A.", "societe generale", ("sa",)),
        ("Iberia S.L.", "iberia", ("sl",)),
        ("Rossi S.r.l.", "rossi", ("srl",)),
        ("Rossi SpA", "rossi", ("spa",)),
        ("Lumen Marine B.V.", "lumen marine", ("bv",)),
        ("Lumen Marine NV", "lumen marine", ("nv",)),
        ("Nordic Data AB", "nordic data", ("ab",)),
        ("Nordic Data Oy", "nordic data", ("oy",)),
        ("Fjord Energy AS", "fjord energy", ("as",)),
        ("Fjord Energy ApS", "fjord energy", ("aps",)),
        ("Polska Sp. z o.o.", "polska", ("sp", "z", "oo")),
        ("AB Volvo", "volvo", ("ab",)),
        ("Aurora Tecnologia Limitada", "aurora tecnologia", ("limitada",)),
        ("Jabaquara Clínica Veterinária EPP", "jabaquara clinica veterinaria", ("epp",)),
        ("Lapa Academia Eireli", "lapa academia", ("eireli",)),
        ("Ipê Papelaria ME", "ipe papelaria", ("me",)),
        ("ME Engenharia Ltda", "me engenharia", ("ltda",)),  # a name's first word, not a form
        ("Topografía Segarra S.L.P.", "topografia segarra", ("slp",)),
        ("Topografía Segarra Sociedad Limitada Profesional", "topografia segarra",
         ("sociedad", "limitada", "profesional")),
    ],
)
def test_legal_forms_are_removed_from_the_core(name: str, core: str, legal: tuple[str, ...]) -> None:
    parsed = nz.company_name(name)
    assert parsed.core == core
    assert parsed.legal == legal


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert nz.company_name("AG").core == "ag"


def test_fold_strips_accents_case_and_punctuation() -> None:
    assert nz.fold("Chloé  Renard-Dubois, Liège") == "chloe renard dubois liege"
    assert nz.fold("Straße Ærø") == "strasse aero"
    assert nz.fold(None) == ""


@pytest.mark.parametrize(
    ("raw", "country", "canonical"),
    [
        ("BE0477.472.701", "Belgium", "BE0477472701"),
        ("BE 0477472701", "", "BE0477472701"),
        ("0477472701", "Belgium", "BE0477472701"),
        ("be0477472701", "", "BE0477472701"),
        ("477472701", "BE", "BE0477472701"),  # old 9-digit Belgian number
        ("DE 123 456 789", "", "DE123456789"),
        ("NL123456789B01", "", "NL123456789B01"),
        ("EL123456789", "", "EL123456789"),
        ("123456789", "Greece", "EL123456789"),
        ("11.222.333/0001-81", "Brasil", "BR11222333000181"),  # a CNPJ, written or bare
        ("11222333000181", "Brazil", "BR11222333000181"),
        ("123.456.789-09", "Brasil", "BR12345678909"),  # a CPF
        ("12.ABC.345/01DE-35", "Brasil", "BR12ABC34501DE35"),  # the alphanumeric CNPJ (from July 2026)
        ("51 824 753 556", "Australia", "AU51824753556"),  # an ABN
        ("DE123456789", "France", "DE123456789"),  # another country's number keeps its prefix
    ],
)
def test_vat_forms(raw: str, country: str, canonical: str) -> None:
    v = nz.vat(raw, country)
    assert v is not None and v.value == canonical and v.valid


def test_vat_placeholders_and_malformed() -> None:
    assert nz.vat("N/A") is None
    assert nz.vat("/") is None
    assert nz.vat("", "Belgium") is None
    assert not nz.vat("BE12", "").valid


def test_check_digits_tell_a_typo_from_another_company() -> None:
    """CNPJ / CPF (mod 11) and ABN (mod 89) carry check digits: a number that fails them is a typo (or a
    placeholder), not a second company's number, so it never caps a pair as two VAT numbers would."""
    assert not nz.vat("11.222.333/0001-82", "Brasil").valid
    assert not nz.vat("111.111.111-11", "Brasil").valid
    assert not nz.vat("51 824 753 557", "Australia").valid
    assert nz.vat("11.222.333/0002-62", "Brasil").valid  # the same company's other establishment: its own number


def test_a_filial_is_a_branch() -> None:
    assert nz.branch("Aurora Tecnologia Ltda - Filial Campinas") == "filial campinas"


@pytest.mark.parametrize(
    ("raw", "country", "canonical"),
    [
        ("+32 2 123 45 67", "", "+3221234567"),
        ("0032 2 123 45 67", "", "+3221234567"),
        ("+32 (0)2 123 45 67", "", "+3221234567"),
        ("02/123.45.67", "Belgium", "+3221234567"),
        ("030 1234567", "Germany", "+49301234567"),
        ("(212) 555-0101", "United States", "+12125550101"),
        ("1-212-555-0101", "United States", "+12125550101"),
        ("+44 20 7946 0018 ext. 12", "", "+442079460018"),
        ("06 12 34 56 78", "France", "+33612345678"),
    ],
)
def test_phone_forms(raw: str, country: str, canonical: str) -> None:
    assert nz.phone(raw, country) == canonical


def test_national_phone_without_country_still_compares_on_its_tail() -> None:
    national = nz.phone("02/123.45.67", None)
    assert national == "021234567"
    assert nz.phone_tail(national) == nz.phone_tail(nz.phone("+32 2 123 45 67"))
    assert nz.phone("123") == ""


def test_email_case_plus_addressing_and_free_mail() -> None:
    e = nz.email("John.Doe+crm@ACME.com ")
    assert e is not None and e.address == "john.doe@acme.com" and e.domain == "acme.com" and not e.free
    assert nz.email("Jane <jane+x@Acme.com>").address == "jane@acme.com"
    for free in ("a@gmail.com", "a@outlook.com", "a@hotmail.com", "a@yahoo.com", "a@gmx.de", "a@icloud.com"):
        assert nz.email(free).free, free
    assert nz.email("j.doe+news@googlemail.com").address == "jdoe@gmail.com"
    assert nz.email("not an address") is None
    assert nz.email("") is None


def test_project_codes_years_and_client_words() -> None:
    a = nz.project_name("ACME-2024-017 Website revamp")
    b = nz.project_name("Acme Corp - Website Revamp (2024)")
    c = nz.project_name("ACME 2024/017 - Website revamp")
    d = nz.project_name("ACME-2024-018 ERP rollout")
    assert a.code == "acme 2024 17" and a.code_number == "17" and a.years == ("2024",)
    assert a.topic == b.topic == c.topic == "website revamp"
    assert b.code == "" and b.years == ("2024",) and "acme" in b.client_tokens
    assert c.code == a.code
    assert d.code != a.code and d.topic == "erp rollout"
    assert nz.project_name("LÓPEZ-2023-002 Tax advisory").code == "lopez 2023 2"
    e = nz.project_name("Northwind Retail Group 20008 - Finance Transformation (2025)")
    assert e.code == "" and e.years == ("2025",) and e.topic == "finance transformation"


def test_project_client_name_is_removed_from_the_topic() -> None:
    p = nz.project_name("Website revamp for Acme", client="Acme Consulting GmbH")
    assert p.topic == "website revamp"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([7, "Acme"], ("7", "Acme")),
        ((7, "Acme"), ("7", "Acme")),
        (7, ("7", "")),
        ("7", ("7", "")),
        ("Acme", ("", "Acme")),
        ('[7, "Acme"]', ("7", "Acme")),
        (False, ("", "")),
        (None, ("", "")),
        ({"id": 7, "display_name": "Acme"}, ("7", "Acme")),
    ],
)
def test_many2one_shapes(value: object, expected: tuple[str, str]) -> None:
    assert split_many2one(value) == expected


def test_project_phase_words_leave_the_topic() -> None:
    assert nz.project_name("Website revamp phase 2").phases == ("phase 2",)
    assert nz.project_name("Website revamp phase 2").topic == "website revamp"
    assert nz.project_name("ERP rollout (Follow-up)").phases == ("followup",)
    assert nz.project_name("Data platform part II").phases == ("part ii",)
    assert nz.project_name("Migration 2.0").phases == ("2.0",)
    assert nz.project_name("Website revamp").phases == ()
