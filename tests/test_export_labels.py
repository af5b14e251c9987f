"""Export-dialog labels in every language the real translations have (core/export_labels.json, generated from
the .po files by scripts/export_labels_from_po.py): the clashes between languages, an export written in each
language reads to the same rows as the English one, Windows-1252, and a records file nobody can read does not
abort an evaluation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from odoo_triage.app.cli import app
from odoo_triage.core import export_labels as el
from odoo_triage.detectors.readers import FileStats, detect_format, read_events
from odoo_triage.evals.runner import evaluate_folder
from odoo_triage.matchers.records import PARTNER_FIELDS, PROJECT_FIELDS, load_records
from odoo_triage.sim.world import generate_world
from tests.odoo_export import write_csv

runner = CliRunner()
TABLE = json.loads(Path(el.__file__).with_name("export_labels.json").read_text(encoding="utf-8"))
T0 = dt.datetime(2026, 3, 2, 9, 0)


def _label(model: str, lang: str, field: str) -> str:
    """The header Odoo writes for `field` in `lang`: the language's label, else the English one (untranslated)."""
    for table in (TABLE[model]["fields"].get(lang, {}), TABLE[model]["fields"]["en"]):
        got = next((label for label, f in table.items() if f == field), None)
        if got is not None:
            return got
    raise AssertionError(f"no label for {model}.{field}")


def _state(lang: str, value: str) -> str:
    states = TABLE["queue.job"]["selection"]["state"]
    return next((lab for lab, v in states.get(lang, {}).items() if v == value),
                next(lab for lab, v in states["en"].items() if v == value))


def test_the_table_covers_the_languages_odoo_and_oca_translate():
    assert set(el.languages("queue.job")) >= {"en", "fr", "de", "es", "it", "ca", "pt", "pt_BR", "nl", "ro", "zh_CN"}
    assert set(el.languages("res.partner")) >= {"en", "fr", "de", "es", "nl", "it", "pt", "pt_BR", "pl", "ca", "sv",
                                                 "da", "fi", "nb", "cs", "ru", "ja", "zh_CN", "es_419", "fr_CA"}
    assert set(el.languages("project.project")) >= {"en", "fr", "de", "es", "nl", "it", "pt_BR", "pl", "ca"}
    assert "; OCA/queue 18.0 (" in TABLE["_about"] and "odoo 18.0 base" in TABLE["_about"]
    # verbatim from the .po files
    assert el.field_for("res.partner", "CPF/CNPJ") == "vat"  # pt_BR base.po: Tax ID
    assert el.field_for("res.partner", "Número de identificação") == "vat"  # pt_BR l10n_latam_base
    assert el.field_for("res.partner", "Tipo de identificação") == "l10n_latam_identification_type_id"
    assert el.field_for("res.partner", "Partita IVA") == "vat" and el.field_for("res.partner", "NIP") == "vat"
    assert el.field_for("project.project", "Gerente do projeto") == "user_id"
    assert el.selection_value("queue.job", "state", "Falhas") == "failed"  # pt_BR queue_job
    assert el.selection_value("queue.job", "state", "Mislukt") == "failed"  # nl
    assert el.selection_value("queue.job", "state", "失败") == "failed"  # zh_CN: letters of every script count
    assert "(cópia)" in el.copy_suffixes("project.project") and "(kopia)" in el.copy_suffixes("project.project")


def test_a_non_latin_label_is_not_its_latin_part():
    assert el.label_key("ID компании") != el.label_key("ID") and el.label_key("ID компании")
    assert el.field_for("res.partner", "ID компании") == "company_registry"
    assert el.field_for("res.partner", "ID") == "id"
    assert el.field_for("res.partner", "???") is None and el.label_key("（副本）") == "副本"


def test_clashes_english_wins_and_the_rest_needs_the_export_language():
    """Labels meaning two fields in two languages. English labels and technical names win outright; the
    others are listed here (a new one must be looked at) and mean nothing without the export's language."""
    assert el.clashes("queue.job") == {}
    assert el.clashes("project.project") == {}
    assert el.clashes("res.partner") == {"drzava": ["country_id", "state_id"], "stat": ["country_id", "state_id"],
                                         "kraj": ["city", "country_id"]}
    for model in ("queue.job", "res.partner", "project.project"):
        for label, field in TABLE[model]["fields"]["en"].items():
            assert el.field_for(model, label) == field, (model, label)
            assert el.field_for(model, label, ("pl",)) == field  # English wins in any language
        for lang, labels in TABLE[model]["fields"].items():
            for label, field in labels.items():
                assert el.field_for(model, label, (lang,)) == field, (model, lang, label)
    assert el.field_for("res.partner", "Kraj") is None
    assert el.field_for("res.partner", "Kraj", ("pl",)) == "country_id"
    assert el.field_for("res.partner", "Kraj", ("sl",)) == "city" and el.field_for("res.partner", "Kraj", ("pl", "sl")) is None
    pl = [_label("res.partner", "pl", f) for f in ("id", "name", "city", "country_id")]
    assert el.header_language("res.partner", pl) == ("pl",)
    assert el.header_language("res.partner", ["ID", "Name"]) == ()  # English: no other language leads
    hr = el.header_language("res.partner", [_label("res.partner", "hr", f) for f in ("name", "country_id")])
    assert "hr" in hr and el.field_for("res.partner", _label("res.partner", "hr", "country_id"), hr) == "country_id"


PARTNER_COLUMNS = ["id", "name", "is_company", "parent_id", "vat", "email", "phone", "street", "zip", "city",
                   "country_id", "active", "write_date"]
PARTNER_ROWS = [
    [7, "Acme Logistics GmbH", True, "", "DE123456789", "info@acme.example", "+49 30 1234", "Hauptstr. 1",
     "10115", "Berlin", "Germany", True, dt.datetime(2026, 2, 1, 8, 30)],
    [8, "ACME Logistics", True, "", "DE123456789", "sales@acme.example", "+49 30 1235", "Hauptstraße 1",
     "10115", "Berlin", "Germany", True, dt.datetime(2026, 2, 2, 8, 30)],
    [9, "Jana Nováková", False, "Acme Logistics GmbH", "", "jana@acme.example", "", "", "", "Praha",
     "Czech Republic", False, dt.datetime(2026, 2, 3, 8, 30)],
]


@pytest.mark.parametrize("lang", sorted(set(el.languages("res.partner")) - {"en"}))
def test_a_partner_export_in_every_language_reads_like_the_english_one(tmp_path, lang):
    english = load_records(write_csv(tmp_path / "en.csv", [_label("res.partner", "en", f) for f in PARTNER_COLUMNS],
                                     PARTNER_ROWS), PARTNER_FIELDS, what="res.partner")
    headers = [_label("res.partner", lang, f) for f in PARTNER_COLUMNS]
    frame = load_records(write_csv(tmp_path / f"{lang}.csv", headers, PARTNER_ROWS), PARTNER_FIELDS,
                         what="res.partner")
    assert frame.to_dict("records") == english.to_dict("records"), headers
    assert english["vat"].tolist()[0] == "DE123456789" and english["country_id_name"].tolist()[2] == "Czech Republic"


PROJECT_COLUMNS = ["id", "name", "partner_id", "user_id", "date_start", "write_date"]
PROJECT_ROWS = [[201, "SEO - Acme", "Acme Logistics GmbH", "Camille Roux", dt.date(2026, 1, 5),
                 dt.datetime(2026, 2, 1, 8, 30)],
                [202, "SEO - Acme (copy)", "Acme Logistics GmbH", "Camille Roux", dt.date(2026, 1, 5),
                 dt.datetime(2026, 2, 2, 8, 30)]]


@pytest.mark.parametrize("lang", sorted(set(el.languages("project.project")) - {"en"}))
def test_a_project_export_in_every_language_reads_like_the_english_one(tmp_path, lang):
    english = load_records(write_csv(tmp_path / "en.csv", [_label("project.project", "en", f) for f in PROJECT_COLUMNS],
                                     PROJECT_ROWS), PROJECT_FIELDS, what="project.project")
    headers = [_label("project.project", lang, f) for f in PROJECT_COLUMNS]
    frame = load_records(write_csv(tmp_path / f"{lang}.csv", headers, PROJECT_ROWS), PROJECT_FIELDS,
                         what="project.project")
    assert frame.to_dict("records") == english.to_dict("records"), headers
    assert english["partner_id_name"].tolist() == ["Acme Logistics GmbH"] * 2


QJ_COLUMNS = ["uuid", "name", "model_name", "state", "channel", "date_created", "date_started", "exc_name",
              "exc_message", "records"]


def _jobs(lang: str) -> list[list[object]]:
    rows: list[list[object]] = []
    for i in range(8):
        failed = i % 4 == 0
        rows.append([f"0b1c-{i:04d}", f"Export invoice {i}", "account.move", _state(lang, "failed" if failed else "done"),
                     "root.invoice_export", T0 + dt.timedelta(minutes=5 * i), T0 + dt.timedelta(minutes=5 * i, seconds=3),
                     "requests.exceptions.HTTPError" if failed else "", "503 Server Error" if failed else "",
                     f"account.move({100 + i},)"])
    return rows


def _events(path: Path) -> list[tuple[object, ...]]:
    st, rejected = FileStats(path.name, "queue_job"), []
    events = list(read_events(path, stats=st, rejected=rejected))
    assert rejected == []
    return [(e.line_no, e.timestamp, e.status.value, e.flow, e.error, tuple(e.record_ids)) for e in events]


@pytest.mark.parametrize("lang", sorted(set(el.languages("queue.job")) - {"en"}))
def test_a_queue_job_export_in_every_language_reads_like_the_english_one(tmp_path, lang):
    """Headers and state values as that language's queue_job .po has them (English where it has none)."""
    english = write_csv(tmp_path / "en.csv", [_label("queue.job", "en", f) for f in QJ_COLUMNS], _jobs("en"))
    path = write_csv(tmp_path / f"{lang}.csv", [_label("queue.job", lang, f) for f in QJ_COLUMNS], _jobs(lang))
    assert detect_format(path) == "queue_job"
    got, want = _events(path), _events(english)
    assert got == want and len(want) == 8
    assert [s for _l, _t, s, *_ in want].count("error") == 2 and want[0][-1] == ("queue.job:0b1c-0000",
                                                                                 "account.move:100")


def test_an_excel_cp1252_export_with_labels_is_read(tmp_path):
    """Excel saves a CSV in Windows-1252 (`;` in most of Europe): accented labels and values survive."""
    headers = [_label("res.partner", "pt_BR", f) for f in PARTNER_COLUMNS]
    utf8 = write_csv(tmp_path / "utf8.csv", headers, PARTNER_ROWS)
    text = utf8.read_text(encoding="utf-8").replace(",", ";")
    cp1252 = tmp_path / "excel.csv"
    cp1252.write_bytes(text.encode("cp1252"))
    assert "É uma empresa" in headers and "Última atualização em" in headers
    a = load_records(cp1252, PARTNER_FIELDS, what="res.partner")
    b = load_records(utf8, PARTNER_FIELDS, what="res.partner")
    assert a.to_dict("records") == b.to_dict("records") and a["street"].tolist()[1] == "Hauptstraße 1"
    jobs = write_csv(tmp_path / "jobs_utf8.csv", [_label("queue.job", "fr", f) for f in QJ_COLUMNS], _jobs("fr"))
    jobs_cp = tmp_path / "jobs.csv"
    jobs_cp.write_bytes(jobs.read_text(encoding="utf-8").encode("cp1252"))  # ’ is 0x92 there
    assert _events(jobs_cp) == _events(jobs)


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labelsworld")
    generate_world(folder, seed=5, events=3_000, partners=120)
    # a records file written by another tool: no header the matcher knows
    partners = folder / "records" / "res_partner.csv"
    lines = partners.read_text(encoding="utf-8").splitlines(keepends=True)
    width = len(lines[0].split(","))
    partners.write_text(",".join(f"Spalte {i}" for i in range(width)) + "\n" + "".join(lines[1:]), encoding="utf-8")
    return folder


def test_an_unreadable_records_file_does_not_abort_the_evaluation(small_world, tmp_path):
    figs = evaluate_folder(small_world)
    assert figs["duplicates"]["partners"] == {
        "error": f"{small_world / 'records' / 'res_partner.csv'}: missing required column id, name for res.partner"}
    assert figs["duplicates"]["projects"]["recall"] > 0  # the other file is matched and scored
    assert figs["detection"]["overall"]["labeled"] == 7 and "triage" in figs
    assert "match_partners" not in figs["stages"] and "match_projects" in figs["stages"]
    res = runner.invoke(app, ["eval", "--labels", str(small_world), "--database-url",
                              f"sqlite:///{tmp_path / 'eval.db'}"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())  # the console wraps long rows
    assert "partners matching | not run: " in out and "missing required column id, name for res.partner" in out
    # asked for that file alone, the user gets the error and a non-zero exit
    alone = runner.invoke(app, ["match", "partners", str(small_world / "records" / "res_partner.csv")])
    assert alone.exit_code == 2 and "missing required column" in alone.output


def test_the_2026_pt_br_queue_job_labels_are_read():
    """OCA/queue 16.0 pt_BR.po was retranslated in 2026 (Done: "Concluída", no longer "Pronto"; Exception:
    "Exceção"): an Odoo 16+ export in Portuguese writes those; with the older table only its jobs were set
    aside as an unknown state and its failed jobs had no error text."""
    from odoo_triage.detectors.readers.queue_job import job_state

    new = {"Concluída": "done", "Falhou": "failed", "Enfileirada": "enqueued", "Pendente": "pending",
           "Iniciada": "started", "Cancelada": "cancelled", "Aguardando Dependências": "wait_dependencies"}
    assert {label: job_state(label) for label in new} == new
    assert job_state("Pronto") == "done" and job_state("Falhas") == "failed"  # the older translation still reads
    from odoo_triage.detectors.readers.queue_job import technical_header

    header = ["UUID", "Chamada", "Estado", "Hora de Enfileiramento", "Máx. de tentativas", "Exceção",
              "Mensagem da Exceção", "Informações da Exceção", "Tempo de Execução (média)"]
    assert technical_header(header) == ["uuid", "func_string", "state", "date_enqueued", "max_retries", "exc_name",
                                        "exc_message", "exc_info", "exec_time"]
