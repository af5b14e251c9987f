"""Odoo export-dialog files as Odoo writes them: XLSX (its default) and CSV, technical or label headers in
English, French, German, Spanish and Dutch, selection labels as values, many2one display names,
records JSON; in the queue.job log reader, the batch reader and the res.partner/project.project readers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from odoo_triage.app.batch import load_batch, triage_batch
from odoo_triage.app.cli import app
from odoo_triage.core.errors import InputError
from odoo_triage.core.export_labels import field_for, label_key, languages, selection_value
from odoo_triage.detectors.readers import FileStats, detect_format, make_reader, read_events
from odoo_triage.matchers.records import (
    PARTNER_FIELDS,
    PROJECT_FIELDS,
    inspect_records,
    load_records,
    read_records,
)
from tests.odoo_export import write_csv, write_xlsx

runner = CliRunner()
T0 = dt.datetime(2026, 3, 2, 9, 0)

#: the same queue.job columns as each language's export dialog labels them (OCA/queue i18n)
QJ_HEADERS = {
    "en": ["UUID", "Description", "Model", "State", "Channel", "Created Date", "Start Date",
           "Execution Time (avg)", "Current try", "Exception", "Exception Message", "Record(s)"],
    "fr": ["UUID", "Description", "Modèle", "État", "Canal", "Date de création", "Date de début",
           "Temps d’exécution (moyenne)", "Tentative actuelle", "Exception", "Message d’exception",
           "Enregistrement(s)"],
    "de": ["UUID", "Beschreibung", "Modell", "Status", "Kanal", "Erstellt am", "Gestartet am",
           "Execution Time (avg)", "Aktueller Versuch", "Exception", "Exception Message", "Datensatz"],
    "es": ["UUID", "Descripción", "Modelo", "Estado", "Canal", "Fecha de creación", "Fecha de inicio",
           "Duración media de ejecución", "Intento actual", "Excepción", "Mensaje de la excepción", "Registro(s)"],
    # OCA/queue has no Dutch translation: a nl_NL database exports the English labels
    "nl": ["UUID", "Description", "Model", "State", "Channel", "Created Date", "Start Date",
           "Execution Time (avg)", "Current try", "Exception", "Exception Message", "Record(s)"],
    "technical": ["uuid", "name", "model_name", "state", "channel", "date_created", "date_started", "exec_time",
                  "retry", "exc_name", "exc_message", "records"],
}
DONE = {"en": "Done", "fr": "Terminé", "de": "Erledigt", "es": "Hecho", "nl": "Done", "technical": "done"}
FAILED = {"en": "Failed", "fr": "En erreur", "de": "Fehlgeschlagen", "es": "Fallido", "nl": "Failed",
          "technical": "failed"}


def _jobs(lang: str, n: int = 12) -> list[list]:
    rows = []
    for i in range(n):
        failed = i % 4 == 0
        rows.append([f"0b1c-{i:04d}", f"Export invoice {i}", "account.move", FAILED[lang] if failed else DONE[lang],
                     "root.invoice_export", T0 + dt.timedelta(minutes=5 * i), T0 + dt.timedelta(minutes=5 * i, seconds=3),
                     0.5 + i / 100, 2 if failed else 1, "requests.exceptions.HTTPError" if failed else "",
                     "503 Server Error: Service Unavailable for url" if failed else "",
                     # Odoo writes the recordset with str(): `account.move(12,)`; one row as the JSON dict
                     {"_type": "odoo_recordset", "model": "account.move", "ids": [100 + i]} if i == 1
                     else f"account.move({100 + i},)"])
    return rows


@pytest.mark.parametrize("lang", sorted(QJ_HEADERS))
def test_queue_job_xlsx_in_every_language(tmp_path, lang):
    path = write_xlsx(tmp_path / f"queue_job_{lang}.xlsx", QJ_HEADERS[lang], _jobs(lang))
    assert detect_format(path) == "queue_job"
    st, rejected = FileStats(path.name, "queue_job"), []
    events = list(read_events(path, stats=st, rejected=rejected))
    assert rejected == []
    assert len(events) == 12 and st.lines == 13 == st.parsed_lines + st.set_aside_lines + st.blank
    assert st.encoding == "xlsx"
    errors = [e for e in events if e.status.value == "error"]
    assert [e.line_no for e in errors] == [2, 6, 10]  # sheet rows: the header is row 1
    assert errors[0].http_status == 503 and errors[0].error.startswith("requests.exceptions.HTTPError: 503")
    assert {e.flow for e in events} == {"invoice_export"}
    assert events[0].timestamp == dt.datetime(2026, 3, 2, 9, 0, 3, tzinfo=dt.UTC)
    assert events[0].latency_ms == pytest.approx(500.0)
    assert events[1].record_ids == ["queue.job:0b1c-0001", "account.move:101"]  # the JSON dict, through str()
    assert events[2].record_ids == ["queue.job:0b1c-0002", "account.move:102"]


def test_xlsx_bad_cells_are_set_aside_with_row_and_reason(tmp_path):
    rows = _jobs("en", 6)
    rows[2][3] = "Exploded"  # a state no language has
    rows[3][6] = "#VALUE!"  # a spreadsheet error where the start date was
    rows[4][5] = rows[4][6] = dt.datetime(9999, 12, 31)  # out of range
    path = write_xlsx(tmp_path / "qj.xlsx", QJ_HEADERS["en"], rows)
    st, rejected = FileStats(path.name, "queue_job"), []
    events = list(read_events(path, stats=st, rejected=rejected))
    assert len(events) == 3
    assert [(r.source_file, r.line_no) for r in rejected] == [("qj.xlsx", 4), ("qj.xlsx", 5), ("qj.xlsx", 6)]
    assert "unknown job state 'Exploded'" in rejected[0].reason
    assert "timestamp" in rejected[1].reason and "out of range" in rejected[2].reason
    assert st.lines == 7 == st.parsed_lines + st.set_aside_lines + st.blank and st.set_aside_lines == 3
    assert dict(st.top_reasons()) == {"unknown job state '…'": 1, "bad timestamp '…'": 1, "timestamp out of range": 1}


def test_grouped_xlsx_export_group_rows_are_noise_not_rejects(tmp_path):
    rows = sorted(_jobs("fr"), key=lambda r: r[3])
    path = write_xlsx(tmp_path / "grouped.xlsx", QJ_HEADERS["fr"], rows, groups=[("En erreur", 3), ("Terminé", 9)])
    reader = make_reader("queue_job")
    chunks = list(reader.chunks(path))
    assert sum(len(c.rows) for c in chunks) == 12 and sum(len(c.rejected) for c in chunks) == 0
    assert sum(c.skipped for c in chunks) == 2 and sum(c.lines for c in chunks) == 15
    # a cited event is re-read from its sheet row
    first = chunks[0].rows[0]
    again = reader.row_at(path, first.offset, first.line_no)
    assert again == first


def test_an_xlsx_that_is_not_a_queue_job_export_is_a_clear_error(tmp_path):
    path = write_xlsx(tmp_path / "other.xlsx", ["a", "b"], [[1, 2]])
    with pytest.raises(InputError, match="queue.job export"):
        detect_format(path)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="xlsx"):
        detect_format(broken)


def test_detect_reads_a_folder_with_an_xlsx_export(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    write_xlsx(logs / "jobs.xlsx", QJ_HEADERS["de"], _jobs("de", 40))
    res = runner.invoke(app, ["detect", str(logs), "--no-store", "--format", "json"])
    assert res.exit_code == 0, res.output
    st = json.loads(res.stdout)["files"]["jobs.xlsx"]
    assert st["events"] == 40 and st["encoding"] == "xlsx" and st["lines"] == 41


def test_label_table_from_the_translations():
    assert set(languages("queue.job")) >= {"en", "fr", "de", "es"}
    assert set(languages("res.partner")) >= {"en", "fr", "de", "es", "nl"}
    assert field_for("res.partner", "Numéro de TVA") == "vat" == field_for("res.partner", "Tax ID")
    assert field_for("res.partner", "Btw-nummer") == "vat" == field_for("res.partner", "USt-IdNr.")
    assert field_for("queue.job", "Message d'exception") == "exc_message"  # ' or ’: one label
    assert field_for("queue.job", "Erstellt am") == "date_created"
    assert field_for("project.project", "Kunde") == "partner_id" == field_for("project.project", "Klant")
    assert selection_value("queue.job", "state", "Fehlgeschlagen") == "failed"
    assert selection_value("queue.job", "state", "En erreur") == "failed"
    assert selection_value("queue.job", "state", "Esperando dependencias") == "wait_dependencies"
    assert selection_value("queue.job", "state", "Kaput") is None
    assert label_key(" E-Mail ") == label_key("email") == "email"


def test_batch_reads_a_german_xlsx_queue_job_export(tmp_path):
    path = write_xlsx(tmp_path / "failed.xlsx", QJ_HEADERS["de"], _jobs("de", 8))
    report = triage_batch(path)
    assert report.format == "queue_job_xlsx" and report.failed_rows == 2 and report.skipped_rows == 6
    (group,) = report.groups
    assert group.count == 2 and "queue.job:0b1c-0000" in group.affected_records
    assert "account.move:100" in group.affected_records
    assert group.remediation.action == "requeue_jobs"


def test_batch_reads_latin1_and_fifo_is_refused(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes("line,error\n1,Adresse ungültig: Straße fehlt\n\n2,Ça ne va pas\n".encode("cp1252"))
    batch = load_batch(path)
    assert batch.encoding.startswith("utf-8, ") and "cp1252" in batch.encoding
    assert [r.error for r in batch.rows] == ["Adresse ungültig: Straße fehlt", "Ça ne va pas"]
    import os

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_batch(fifo)


# --------------------------------------------------------------------------- res.partner / project.project

PARTNER_HEADERS = {
    "en": ["ID", "Name", "Email", "Phone", "Tax ID", "City", "Country", "Is a Company", "Related Company"],
    "fr": ["ID", "Nom", "E-mail", "Téléphone", "Numéro de TVA", "Ville", "Pays", "Est une société", "Société liée"],
    "de": ["ID", "Name", "E-Mail", "Telefon", "USt-IdNr.", "Stadt", "Land", "Ist ein Unternehmen",
           "Zugehöriges Unternehmen"],
    "es": ["ID", "Nombre", "Correo electrónico", "Teléfono", "NIF", "Ciudad", "País", "Es una empresa",
           "Empresa relacionada"],
    "nl": ["ID", "Naam", "E-mail", "Telefoon", "Btw-nummer", "Plaats", "Land", "Is een bedrijf",
           "Gerelateerd bedrijf"],
    "import-compatible": ["id", "name", "email", "phone", "vat", "city", "country_id/id", "is_company",
                          "parent_id/.id"],
}
PARTNERS = [
    [1, "Acme Consulting GmbH", "info@acme-consulting.de", "+49 30 1234567", "DE123456789", "Berlin", "Germany",
     True, ""],
    [2, "ACME Consulting", "finance@acme-consulting.de", "030 1234567", "DE 123 456 789", "Berlin", "Germany",
     True, ""],
    [3, "Jane Smith", "jane@acme-consulting.de", "+49 30 1234567", "", "Berlin", "Germany", False,
     "Acme Consulting GmbH"],
    [4, "Blue Harbor Logistics", "ops@blueharbor.nl", "+31 10 555 0101", "NL001234567B01", "Rotterdam",
     "Netherlands", True, ""],
]


@pytest.mark.parametrize("lang", sorted(PARTNER_HEADERS))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_partner_exports_in_every_language(tmp_path, lang, fmt):
    rows = [list(r) for r in PARTNERS]
    if lang == "import-compatible":
        for r in rows:
            r[6] = "base.de" if r[6] == "Germany" else "base.nl"
            r[8] = 1 if r[8] else ""
    path = (write_xlsx if fmt == "xlsx" else write_csv)(tmp_path / f"p.{fmt}", PARTNER_HEADERS[lang], rows)
    frame = load_records(path, PARTNER_FIELDS, what="res.partner")
    assert list(frame["id"]) == [1, 2, 3, 4]
    assert frame["vat"][0] == "DE123456789" and frame["email"][3] == "ops@blueharbor.nl"
    assert list(frame["is_company"]) == [True, True, False, True]
    if lang == "import-compatible":
        assert frame["parent_id"][2] == "1"
    else:  # many2one as display names
        assert frame["parent_id_name"][2] == "Acme Consulting GmbH" and frame["country_id_name"][3] == "Netherlands"
    assert frame.attrs["set_aside"] == []


def test_project_xlsx_with_german_labels(tmp_path):
    path = write_xlsx(tmp_path / "projects.xlsx", ["ID", "Name", "Kunde", "Projektmanager", "Startdatum", "Aktiv"],
                      [[10, "Website relaunch", "Acme Consulting GmbH", "Mitchell Admin", dt.date(2026, 1, 5), True],
                       [11, "Website Relaunch (2)", "Acme Consulting GmbH", "Mitchell Admin", dt.date(2026, 1, 6),
                        False]])
    frame = load_records(path, PROJECT_FIELDS, what="project.project")
    assert list(frame["id"]) == [10, 11] and frame["partner_id_name"][0] == "Acme Consulting GmbH"
    assert frame["date_start"][0] == "2026-01-05" and list(frame["active"]) == [True, False]


def test_a_bad_xlsx_cell_sets_its_row_aside(tmp_path):
    rows = [list(r) for r in PARTNERS] + [["#REF!", "Broken row", "", "", "", "", "", False, ""]]
    path = write_xlsx(tmp_path / "p.xlsx", PARTNER_HEADERS["fr"], rows)
    read = inspect_records(path, "res.partner")
    assert len(read.rows) == 4
    (aside,) = read.set_aside
    assert (aside.file, aside.line) == ("p.xlsx", 6) and "'#REF!' is not an integer" in aside.reason


def test_truncated_last_csv_record_and_bad_ids_are_set_aside(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("id,name,email\n"
                    "1,Acme GmbH,a@acme.de\n"
                    "2,ACME GmbH,b@acme.de\n"
                    "x7,Bad id,\n"
                    ",No id,\n"
                    "2,Second two,\n"
                    "\n"
                    "3,Other,o@o.de\n"
                    '4,"Cut in the mid', encoding="utf-8")
    read = inspect_records(path, "res.partner")
    assert [r["id"] for r in read.rows] == ["1", "2", "3"]
    assert [(s.line, s.reason.split(" (")[0]) for s in read.set_aside] == [
        (4, "id 'x7' is not an integer"), (5, "empty id"), (6, "duplicate id 2"),
        (9, "truncated last record: a quoted field is still open at the end of the file")]
    assert read.lines_read == 9 and read.blank == 1
    frame = load_records(path, PARTNER_FIELDS, what="res.partner")
    assert list(frame["id"]) == [1, 2, 3] and len(frame.attrs["set_aside"]) == 4


def test_truncated_mid_row_without_quotes(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,name,email\n1,Acme,a@a.de\n2,Bet", encoding="utf-8")
    read = read_records(path)
    assert len(read.rows) == 1 and read.set_aside[0].line == 3
    assert "truncated last record: 2 of 3 fields" in read.set_aside[0].reason


def test_a_stray_quote_mid_file_costs_one_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('id,name\n1,"Acme\n2,Beta\n3,Gamma\n', encoding="utf-8")
    read = read_records(path)
    assert [r["id"] for r in read.rows] == ["2", "3"] and read.set_aside[0].line == 2


def test_match_prints_how_many_rows_were_set_aside_and_why(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text("id,name,email,vat\n1,Acme Consulting GmbH,a@acme.de,DE123456789\n"
                    "2,ACME Consulting,b@acme.de,DE123456789\n__export__.res_partner_9,Ext,,\n"
                    '3,"Trunc', encoding="utf-8")
    res = runner.invoke(app, ["match", "partners", str(path), "--no-store", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "2 row(s) set aside" in res.stderr and "partners.csv:4: id '__export__.res_partner_9'" in res.stderr
    assert "external ID" in res.stderr
    data = json.loads(res.stdout)
    assert data["stats"]["input"]["set_aside"] == 2 and data["stats"]["input"]["rows"] == 2
    assert data["stats"]["records"] == 2


def test_latin1_partner_csv_is_read_not_mangled(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("id;name;city\n1;Müller & Söhne;Köln\n2;Mueller und Soehne;Köln\n".encode("cp1252"))
    read = read_records(path)
    assert read.rows[0]["name"] == "Müller & Söhne" and "cp1252" in read.encoding


def test_cited_xlsx_rows_are_reread_from_one_open_workbook(tmp_path, monkeypatch):
    """Evidence re-reads every cited job; opening the workbook per row made a 4k-row export take minutes."""
    import openpyxl

    path = write_xlsx(tmp_path / "qj.xlsx", QJ_HEADERS["en"], _jobs("en", 40))
    reader = make_reader("queue_job", None, None, None)
    events = {e.line_no: e for e in read_events(path, stats=FileStats(path.name, "queue_job"), rejected=[])}
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1) or real(*a, **k))
    rows = [reader.row_at(path, 0, n) for n in sorted(events)]
    assert [r.line_no for r in rows if r is not None] == sorted(events)
    assert [r.ts for r in rows if r is not None] == [events[n].timestamp.timestamp() for n in sorted(events)]
    assert len(opened) <= 1
