"""Project rules a blind estate taught (issue #14, a US consultancy's export), each on a small hand-made set:
a project code column, Odoo's "(copy)" suffix, an end date moved after creation."""

from __future__ import annotations

from pathlib import Path

from odoo_triage.core.export_labels import copy_suffixes, field_for
from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.pipeline import match_projects
from odoo_triage.matchers.records import PROJECT_FIELDS, load_records

HEADER = "ID,Name,Project Code,Customer,Project Manager,Start Date,Expiration Date,Active\n"


def _pairs(path: Path) -> set[tuple[int, int]]:
    return {(min(c.left_id, c.right_id), max(c.left_id, c.right_id)) for c in match_projects(path).candidates}


def _write(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "project_project.csv"
    path.write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_project_code_headers_of_the_export_dialog_and_custom_fields_are_read(tmp_path: Path) -> None:
    assert field_for("project.project", "Project Code") == "code"
    assert field_for("project.project", "Projektnummer") == "code"
    assert field_for("project.project", "Code du projet") == "code"
    exported = load_records(
        _write(tmp_path, ["1,Audit,ABC-2025-0042,Acme,Ann,2025-01-01,,True"]),
        PROJECT_FIELDS,
        what="project.project",
    )
    assert list(exported["code"]) == ["ABC-2025-0042"]
    custom = tmp_path / "custom.csv"
    custom.write_text("id,name,x_studio_project_code,x_name\n1,Audit,ABC-2025-0042,Other\n", encoding="utf-8")
    frame = load_records(custom, PROJECT_FIELDS, what="project.project")
    assert list(frame["code"]) == ["ABC-2025-0042"] and list(frame["name"]) == ["Audit"]  # never x_name


def test_one_project_code_column_joins_names_worded_apart_and_other_codes_keep_phases_apart(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        [
            # one code: the names share no topic word (a renamed project) and the end date moved
            "1,Acme Freight - Network refresh,ABC-2025-0042,Acme Freight,Ann Lee,2025-03-01,2025-06-01,True",
            "2,LAN switch upgrade (Acme Freight),ABC-2025-0042,Acme Freight,Ann Lee,2025-03-01,2025-12-01,True",
            # another code, the same name: another engagement of one client stays apart
            "3,Acme Freight - Network refresh,ABC-2025-0077,Acme Freight,Ann Lee,2025-03-01,2025-06-01,True",
        ],
    )
    assert _pairs(path) == {(1, 2)}
    without_column = _write(
        tmp_path,
        [
            line.replace(",ABC-2025-0042,", ",,").replace(",ABC-2025-0077,", ",,")
            for line in path.read_text(encoding="utf-8").splitlines()[1:]
        ],
    )
    found = _pairs(without_column)
    assert (1, 2) not in found and (1, 3) in found  # the column is what joins 1 and 2 and parts 1 and 3


def test_odoo_copy_suffix_is_no_part_of_a_project_name(tmp_path: Path) -> None:
    assert "(copy)" in copy_suffixes("project.project") and "(kopie)" in copy_suffixes("project.project")
    for copy in ["Website revamp (copy)", "Website revamp (Copie)", "Website revamp (copy) (copy)"]:
        assert nz.project_name(copy).topic == "website revamp", copy
    assert nz.project_name("Copy desk training").topic == "copy desk training"  # a word, not the marker
    path = _write(
        tmp_path,
        [
            "1,Acme - Website revamp,,Acme,Ann Lee,2025-03-01,2025-06-01,True",
            "2,Acme - Website revamp (copy),,Acme,Ann Lee,2025-03-01,2025-09-01,True",
            "3,Acme - Website revamp phase 2 (copy),,Acme,Ann Lee,2025-03-01,2025-06-01,True",
        ],
    )
    assert _pairs(path) == {(1, 2)}  # the copy of another phase is still another phase


def test_a_moved_end_date_does_not_part_one_project_but_other_years_and_phases_stay_apart(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        [
            "1,Acme - Cloud migration,,Acme,Ann Lee,2025-03-01,2025-06-01,True",
            "2,ACME - CLOUD MIGRATION,,Acme,Ann Lee,2025-03-01,2026-03-01,True",  # created twice, end date moved
            "3,Acme - Cloud migration 2026,,Acme,Ann Lee,2026-03-01,2026-06-01,True",  # next year's
            "4,Acme - Cloud migration discovery,,Acme,Ann Lee,2025-03-01,2025-04-01,True",  # its discovery phase
            "5,Acme - Cloud migration,,Acme,Ann Lee,2025-09-01,2025-12-01,True",  # another start: no rule helps
        ],
    )
    found = _pairs(path)
    assert (1, 2) in found
    assert not {p for p in found if 3 in p or 4 in p}


def test_stage_words_are_phases_not_topic_words_even_misspelt(tmp_path: Path) -> None:
    assert nz.project_name("Cloud migration discovery").phases == ("discovery",)
    assert nz.project_name("Cloud migration disovery").phases == ("discovery",)  # a typo of the stage word
    assert nz.project_name("Crew scheduling pilot").topic == "crew scheduling"
    assert nz.project_name("Delivery planning").phases == ()  # another word, not a typo of one
    path = _write(
        tmp_path,
        [
            "1,Acme - Pricing strategy discovery,,Acme,Ann Lee,2025-03-01,2025-06-01,True",
            "2,Acme - Pricing strategy disovery,,Acme,Ann Lee,2025-03-01,2025-06-01,True",
            "3,Acme - Pricing strategy,,Acme,Ann Lee,2025-03-01,2025-06-01,True",
        ],
    )
    assert _pairs(path) == {(1, 2)}


def test_a_digit_dropped_from_a_code_is_one_project_a_neighbouring_number_is_another(tmp_path: Path) -> None:
    """"P-2571" typed again as "P-257" on the same topic and start date is the same project; "P-2572" on
    the same topic and day is the next one of the sequence, and a slip on another start day stays apart."""
    from odoo_triage.matchers.projects import digit_slip
    assert digit_slip("p 2571", "p 257") and digit_slip("p 2571", "p 2517") and digit_slip("p 257", "p 2557")
    assert not digit_slip("p 2571", "p 2572") and not digit_slip("p 2571", "q 2571")
    header = "ID,Name,Customer,Project Manager,Start Date,Expiration Date,Active\n"
    lines = ["1,P-2571 Monash Freeway – Drainage Design,Li Landscapes,Sophie Hughes,2026-05-14,2026-10-11,True",
             "2,P-257 Monash Freeway – Drainage Design,Li Landscapes,Jack Edwards,2026-05-14,2026-10-11,True",
             "3,P-2230 Geelong Hospital – Pavement Design,Eastern Health,Zoe Murphy,2025-11-14,2027-10-18,True",
             "4,P-2231 Geelong Hospital – Pavement Design,Eastern Health,Zoe Murphy,2025-11-14,2027-10-18,True",
             "5,P-2460 Ison Road – Flood Study,Eastern Health,Zoe Murphy,2025-02-03,2025-12-18,True",
             "6,P-246 Ison Road – Flood Study,Eastern Health,Zoe Murphy,2026-02-03,2026-12-18,True"]
    assert _pairs(_write(tmp_path, lines, header)) == {(1, 2)}
