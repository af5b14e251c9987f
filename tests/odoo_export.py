"""Write export files the way Odoo's export dialog does (web/controllers/export.py), for the reader tests.

XLSX through xlsxwriter like `ExportXlsxWriter`: a bold header row, datetimes as date cells with
`yyyy-mm-dd hh:mm:ss`, dates `yyyy-mm-dd`, floats `#,##0.00`, lists/dicts through str(), `\\r` -> space,
an optional grouped export (`GroupExportXlsxWriter`: an indented `label (count)` row per group).
CSV like `CSVExport`: the csv module with quoting of every non-numeric cell.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               groups: Sequence[tuple[str, int]] | None = None) -> Path:
    """`groups`: (label, how many of the following rows belong to it), written as group rows."""
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    header_style = wb.add_format({"bold": True})
    date_style = wb.add_format({"text_wrap": True, "num_format": "yyyy-mm-dd"})
    datetime_style = wb.add_format({"text_wrap": True, "num_format": "yyyy-mm-dd hh:mm:ss"})
    base_style = wb.add_format({"text_wrap": True})
    float_style = wb.add_format({"text_wrap": True, "num_format": "#,##0.00"})
    group_style = wb.add_format({"text_wrap": True, "bold": True, "bg_color": "#e9ecef"})
    ws = wb.add_worksheet()
    for i, h in enumerate(headers):
        ws.write(0, i, h, header_style)
    ws.set_column(0, max(0, len(headers) - 1), 30)
    r = 1
    pending = list(groups or [])
    left = 0
    for row in rows:
        if left == 0 and pending:
            label, left = pending.pop(0)
            ws.write(r, 0, f"{label} ({left})", group_style)
            for c in range(1, len(headers)):
                ws.write(r, c, "", group_style)
            r += 1
        for c, value in enumerate(row):
            style = base_style
            if isinstance(value, list | tuple | dict):
                value = str(value)
            if isinstance(value, str):
                value = value.replace("\r", " ")
            elif isinstance(value, dt.datetime):
                style = datetime_style
            elif isinstance(value, dt.date):
                style = date_style
            elif isinstance(value, float):
                style = float_style
            if value is None or value is False and not isinstance(value, bool):
                value = ""
            ws.write(r, c, value, style)
        r += 1
        left = max(0, left - 1)
    wb.close()
    return path


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(headers)
        for row in rows:
            w.writerow([v.isoformat(sep=" ") if isinstance(v, dt.datetime) else ("" if v is False else v)
                        for v in row])
    return path
