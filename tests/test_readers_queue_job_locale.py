"""queue.job exports saved from Excel in a `;` locale (Spain, Italy, France, Germany): BOM, `;`, CRLF,
decimal commas, quoted multi-line tracebacks, translated labels and states (#13)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import detect_format, make_reader
from odoo_triage.detectors.readers.base import EventRow
from odoo_triage.detectors.readers.queue_job import DECIMAL_COMMA, opt_decimal

ES_HEADER = ("UUID;Descripción;Tarea;Modelo;Nombre del método;Registro;Canal;Estado;Prioridad;Fecha de creación;"
             "Hora en que se puso en cola;Fecha de inicio;Fecha de realización;Execution Time (avg);Intento actual;"
             "Reintentos máx.;Exception;Exception Message;Información de la excepción")
ES_ROWS = [
    "j-1;Exportar factura;account.move(7,).export();account.move;export;account.move(7,);root.invoice_export;Hecho;"
    "10;2026-11-30 10:00:01;2026-11-30 10:00:02;2026-11-30 10:00:03;2026-11-30 10:00:05;1,928017;1;5;;;",
    "j-2;Exportar factura;account.move(8,).export();account.move;export;account.move(8,);root.invoice_export;Fallido;"
    "10;2026-11-30 10:01:01;2026-11-30 10:01:02;2026-11-30 10:01:03;;0,5;5;5;requests.exceptions.HTTPError;"
    '503 Server Error: Service Unavailable;"Traceback (most recent call last):\r\n'
    '  File ""/odoo/queue_job/job.py"", line 1, in perform\r\n'
    '    raise HTTPError(""503; down"")\r\n'
    'requests.exceptions.HTTPError: 503 Server Error"',
    "j-3;Exportar factura;account.move(9,).export();account.move;export;account.move(9,);root.invoice_export;Falló;"
    "10;2026-11-30 10:02:01;;2026-11-30 10:02:03;;12;1;5;ValueError;bad;",
    "j-4;Exportar factura;account.move(10,).export();account.move;export;account.move(10,);root.invoice_export;"
    "Pendiente;10;2026-11-30 10:03:01;;;;;0;5;;;",
]


def _write(path: Path, header: str, rows: list[str], bom: bool = True, eol: str = "\r\n") -> Path:
    path.write_bytes((("\ufeff" if bom else "") + eol.join([header, *rows]) + eol).encode("utf-8"))
    return path


def _read(path: Path) -> tuple[list[EventRow], int, int]:
    reader = make_reader(detect_format(path), None)
    rows: list[EventRow] = []
    parsed = set_aside = 0
    for ch in reader.chunks(path):
        rows.extend(ch.rows)
        parsed += ch.parsed + ch.blank
        set_aside += ch.set_aside
        assert not ch.rejected, ch.rejected
    return rows, parsed, set_aside


def test_spanish_excel_export_is_read_whole(tmp_path):
    p = _write(tmp_path / "queue_job_es.csv", ES_HEADER, ES_ROWS)
    assert detect_format(p) == "queue_job"
    rows, parsed, set_aside = _read(p)
    lines = p.read_bytes().count(b"\n")
    assert (parsed, set_aside) == (lines, 0)  # header + 4 records, one of them 4 lines long
    by = {r.idempotency_key: r for r in rows}
    assert [by[k].status for k in ("j-1", "j-2", "j-3", "j-4")] == ["ok", "error", "error", "ok"]
    assert by["j-1"].latency_ms == pytest.approx(1928.017)
    assert by["j-2"].latency_ms == pytest.approx(500.0)
    assert by["j-3"].latency_ms == pytest.approx(12000.0)
    assert by["j-2"].http_status == 503
    assert by["j-2"].error == "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable"
    assert by["j-1"].record_ids == ("queue.job:j-1", "account.move:7")
    assert by["j-2"].line_no == 3 and by["j-3"].line_no == 7
    assert {r.flow for r in rows} == {"invoice_export"}


@pytest.mark.parametrize("delim", [";", "\t"])
def test_columnar_and_row_paths_agree_on_decimal_commas(tmp_path, delim):
    """Without a BOM the columnar path reads the file: it must take `1,928017` as the row reader does."""
    rows = [r.replace(";", delim) for r in ES_ROWS]
    p = _write(tmp_path / "queue_job_es.csv", ES_HEADER.replace(";", delim), rows, bom=False, eol="\n")
    col, row = read_frame([p], columnar=True), read_frame([p], columnar=False)
    pd.testing.assert_frame_equal(col.events, row.events)
    assert col.stats[p.name].set_aside_lines == 0
    assert col.events.shape[0] == 4
    assert sorted(col.events["latency"].dropna().tolist()) == pytest.approx([500.0, 1928.017, 12000.0])


def test_italian_labels_and_states(tmp_path):
    header = ("UUID;Descrizione;Modello;Nome metodo;Canale;Stato;Data creazione;Data inizio;"
              "Tempo esecuzione (medio);Tentativo attuale;Eccezione;Messaggio eccezione;Record")
    rows = ["i-1;Export;sale.order;_x;root.sync;Completata;2026-11-30 10:00:00;2026-11-30 10:00:01;2,5;0;;;",
            "i-2;Export;sale.order;_x;root.sync;Fallito;2026-11-30 10:01:00;;0,25;1;ValueError;boom;sale.order(4,)"]
    rows_read, parsed, set_aside = _read(_write(tmp_path / "lavori.csv", header, rows))
    assert (parsed, set_aside) == (3, 0)
    assert [(r.status, r.latency_ms) for r in rows_read] == [("ok", 2500.0), ("error", 250.0)]
    assert rows_read[1].record_ids == ("queue.job:i-2", "sale.order:4")


def test_decimal_comma_only_where_the_delimiter_is_not_a_comma(tmp_path):
    """In a comma-delimited file `"1,5"` is no decimal number (it may be a thousands separator): set aside."""
    header = "uuid,state,channel,date_created,exec_time"
    p = _write(tmp_path / "queue_job.csv", header, ['c-1,done,root.x,2026-11-30 10:00:00,"1,5"',
                                                    "c-2,done,root.x,2026-11-30 10:00:00,1.5"], bom=False)
    reader = make_reader(detect_format(p), None)
    chunks = list(reader.chunks(p))
    assert [r.idempotency_key for c in chunks for r in c.rows] == ["c-2"]
    assert [x.reason for c in chunks for x in c.rejected] == ["not a number: '1,5'"]


def test_opt_decimal_rule():
    assert opt_decimal("1,928017", True) == pytest.approx(1.928017)
    assert opt_decimal("-0,5", True) == -0.5
    assert opt_decimal("2.5", True) == 2.5
    assert opt_decimal("", True) is None
    assert not DECIMAL_COMMA.match("1,234,5") and not DECIMAL_COMMA.match("1.234,5")
    with pytest.raises(Exception, match="not a number"):
        opt_decimal("1,5", False)


def test_vectorized_builder_takes_decimal_commas_itself(tmp_path):
    """The fast path reads `1,928017` without handing the row back to the row reader."""
    import numpy as np
    import polars as pl

    from odoo_triage.detectors.readers.columnar_queue_job import build_job_columns

    p = _write(tmp_path / "queue_job_es.csv", ES_HEADER, ES_ROWS[:1], bom=False, eol="\n")
    reader = make_reader(detect_format(p), None)
    reader.naive_offset(p)
    assert reader.decimal_comma
    raw = pl.DataFrame({"uuid": ["v-1"], "state": ["Hecho"], "channel": ["root.x"], "model_name": ["m"],
                        "date_created": ["2026-11-30 10:00:00"], "exec_time": ["1,928017"]})
    cols, flagged = build_job_columns(raw, reader, np.array([2]), np.array([0]))
    assert not flagged.any()
    assert cols["latency"][0] == pytest.approx(1928.017)


def test_delimiter_sniffed_once_per_file_version(tmp_path, monkeypatch):
    """Every cited event re-read (`row_at`) asks `naive_offset`: the file is sniffed once, again only once
    it changed, and two files keep their own answers."""
    import os

    from odoo_triage.detectors.readers import queue_job

    calls: list[Path] = []
    real = queue_job.sniff_delimiter
    monkeypatch.setattr(queue_job, "sniff_delimiter", lambda p: calls.append(p) or real(p))
    es = _write(tmp_path / "queue_job_es.csv", ES_HEADER, ES_ROWS[:1], bom=False, eol="\n")
    en = _write(tmp_path / "queue_job.csv", "uuid,state,channel,date_created,exec_time",
                ["c-2,done,root.x,2026-11-30 10:00:00,1.5"], bom=False)
    reader = make_reader(detect_format(es), None)
    for _ in range(3):
        reader.naive_offset(es)
        assert reader.decimal_comma
        reader.naive_offset(en)
        assert not reader.decimal_comma
    assert calls == [es, en]
    es.write_text(ES_HEADER.replace(";", ",") + "\n", encoding="utf-8")
    st = es.stat()
    os.utime(es, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    reader.naive_offset(es)
    assert not reader.decimal_comma and calls == [es, en, es]


def test_field_shape_agrees_with_the_field_regex():
    """The byte-position shape check says what the well-formed-fields regex and the count of delimiters
    outside quotes say, on random records of quotes, delimiters and text (spanning lines too)."""
    import random
    import re

    import numpy as np

    from odoo_triage.detectors.readers.columnar_queue_job import field_shape, outside_delimiters

    rng = random.Random(7)
    for delim in (",", ";"):
        d = re.escape(delim)
        field = r'(?:[^"' + d + r']*|"(?:[^"]|"")*")'
        well = re.compile(f"^{field}(?:{d}{field})*$")
        recs: list[str] = []
        while len(recs) < 3000:
            text = "".join(rng.choice(['"', '"', delim, "a", "b", " ", "\n"]) for _ in range(rng.randint(1, 12)))
            # (the reader hands the others on before this check: an odd quote, a newline outside quotes)
            if text.count('"') % 2 == 0 and "\n" not in re.sub(r'"[^"]*"', "", text):
                recs.append(text)
        data = "\n".join(recs).encode()
        starts = np.cumsum([0] + [len(r) + 1 for r in recs[:-1]])
        ends = starts + np.array([len(r) for r in recs])
        for width in (1, 2, 3):
            arr = np.frombuffer(data, dtype=np.uint8)
            qpos = np.flatnonzero(arr == 34)
            got = field_shape(arr, qpos, outside_delimiters(arr, qpos, delim), starts, ends, delim, width)
            want = [bool(well.match(r)) and re.sub(r'"(?:[^"]|"")*"', "", r).count(delim) == width - 1
                    for r in recs]
            assert got.tolist() == want
