"""Reading res.partner / project.project records from CSV, JSON or straight from search_read.

Odoo hands many2one fields over in several shapes: `[7, "Acme"]` from JSON-RPC, `7` or `"7"`
from a CSV export of ids, `"Acme"` from a CSV export of display names. Each one becomes two
columns, `<field>` (the id as text, or empty) and `<field>_name` (the display name, or empty).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from odoo_triage.core.errors import InputError, check_regular
from odoo_triage.core.export_labels import field_for, header_language, label_key
from odoo_triage.core.xlsx import cell_text, is_xlsx, xlsx_rows

csv.field_size_limit(min(sys.maxsize, 16 * 1024 * 1024))

PARTNER_FIELDS = ["id", "name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip",
                  "country_id", "is_company", "parent_id", "commercial_partner_id", "active", "write_date"]
PROJECT_FIELDS = ["id", "name", "partner_id", "user_id", "company_id", "active", "date_start", "date",
                  "write_date", "code"]  # code: a project code / number column when the export has one
MANY2ONE = {"country_id", "parent_id", "commercial_partner_id", "partner_id", "user_id", "company_id"}
REQUIRED = ["id", "name"]

Source = Path | str | list[dict[str, Any]]

# Column headers of Odoo's "Export" dialog (field labels, English) -> technical field names.
HEADER_ALIASES = {
    "name": "name", "display name": "name", "email": "email", "phone": "phone", "tax id": "vat", "vat": "vat",
    "company registry": "company_registry", "company id": "company_registry", "reference": "ref",
    "internal reference": "ref", "street": "street", "city": "city", "zip": "zip", "country": "country_id",
    "is a company": "is_company", "related company": "parent_id", "parent": "parent_id",
    "commercial entity": "commercial_partner_id", "active": "active", "last updated on": "write_date",
    "customer": "partner_id", "project manager": "user_id", "company": "company_id", "start date": "date_start",
    "expiration date": "date", "end date": "date", "database id": "id", "id": "id",
}


def _technical_columns(frame: pd.DataFrame, what: str = "") -> pd.DataFrame:
    """Rename export-dialog labels ("Tax ID", "Numéro de TVA", "Country/Database ID") to field names,
    when unambiguous. Labels come from core/export_labels.json (every language Odoo translates), then the
    aliases above; a label meaning two fields in two languages (Kraj) is read in the language of the others."""
    renames: dict[str, str] = {}
    present = set(frame.columns)
    langs = header_language(what, [str(c) for c in frame.columns]) if what else ()
    for col in frame.columns:
        key = str(col).strip()
        if _TECHNICAL.fullmatch(key):  # not `key == key.lower()`: Arabic or Chinese labels have no case
            custom = _custom_field(what, key)
            if custom and custom not in present and custom not in renames.values():
                renames[col] = custom
            continue  # already a technical name
        whole = field_for(what, key, langs) if what else None  # a label with a slash: `CPF/CNPJ`, `VKN/TCKN`
        base, _, sub = (key, "", "") if whole else key.partition("/")
        base = base.strip()
        field = whole or (field_for(what, base, langs) if what else None) or HEADER_ALIASES.get(base.lower()) or (
            base if base in HEADER_ALIASES.values() else None)
        if field is None or field in present or field in renames.values():
            continue
        if sub and label_key(sub) not in _SUB_FIELDS and field_for(what, sub) not in ("id", "name"):
            continue
        renames[col] = field
    return frame.rename(columns=renames) if renames else frame


_SUB_FIELDS = {"id", "databaseid", "name", "displayname"}
_TECHNICAL = re.compile(r"[a-z0-9_.]+")
_CUSTOM_PREFIX = re.compile(r"^x_(?:studio_)?")


def _custom_field(what: str, column: str) -> str | None:
    """The field a custom column stands for: Odoo names custom fields `x_...` (Studio `x_studio_...`) after
    their label, so `x_projektnummer` or `x_studio_project_code` is the project code its label says.
    Never the record's id or name: a custom model's `x_name` is no partner's name."""
    if not what or not _CUSTOM_PREFIX.match(column):
        return None
    field = field_for(what, _CUSTOM_PREFIX.sub("", column))
    return field if field not in (None, "id", "name") else None


def _text(value: Any) -> str:
    if value is None or value is False:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def split_many2one(value: Any) -> tuple[str, str]:
    """(id as text, display name) from any of the shapes Odoo uses for a many2one."""
    if value is None or value is False or value == "":
        return "", ""
    if isinstance(value, list | tuple):
        if not value:
            return "", ""
        rid = _text(value[0])
        name = _text(value[1]) if len(value) > 1 else ""
        return rid, name
    if isinstance(value, dict):
        return _text(value.get("id")), _text(value.get("display_name") or value.get("name"))
    if isinstance(value, bool):
        return "", ""
    if isinstance(value, int):
        return str(value), ""
    text = _text(value)
    if text.isdigit():
        return text, ""
    if text.startswith("[") and text.endswith("]"):  # a JSON list written into a CSV cell
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return split_many2one(parsed)
    if "," in text and text.split(",", 1)[0].strip().isdigit():  # "7,Acme"
        rid, name = text.split(",", 1)
        return rid.strip(), name.strip()
    return "", text


def to_bool(value: Any, default: bool = True) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value == value else default
    return str(value).strip().lower() not in _FALSE


#: "False" as Odoo and spreadsheets write it, in the export label languages too
_FALSE = {"false", "0", "no", "n", "f", "none", "null", "faux", "non", "falsch", "nein", "falso", "onwaar", "nee",
          "unwahr"}


@dataclass(frozen=True)
class SetAside:
    """A record row that was not taken: where it is and why (the rest of the file is still matched)."""

    file: str
    line: int
    reason: str
    raw: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class RecordRows:
    """The rows of a records file, each with the line (CSV, JSON lines) or sheet row (XLSX) it starts on."""

    file: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    lines_read: int = 0
    blank: int = 0
    encoding: str = "utf-8"

    def reasons(self, n: int = 5) -> list[tuple[str, int]]:
        return Counter(_reason_kind(s.reason) for s in self.set_aside).most_common(n)


def _reason_kind(reason: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", reason.split(" (")[0]))


def _check_regular(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path} is a folder, expected a CSV, XLSX or JSON file of records")
    check_regular(path)


def _decode_lines(path: Path) -> tuple[list[str], str]:
    """Each line decoded on its own: UTF-8 (a BOM dropped), else cp1252, else latin-1; NULs dropped."""
    out: list[str] = []
    bom = False
    fallback = 0
    try:
        with path.open("rb") as fh:
            for n, raw in enumerate(fh):
                if n == 0:
                    if raw.startswith(b"\xef\xbb\xbf"):
                        bom, raw = True, raw[3:]
                    elif raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                        raise InputError(f"{path}: UTF-16 text is not supported; save the file as UTF-8")
                if b"\x00" in raw:
                    raw = raw.replace(b"\x00", b"")
                try:
                    out.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    fallback += 1
                    try:
                        out.append(raw.decode("cp1252"))
                    except UnicodeDecodeError:
                        out.append(raw.decode("latin-1"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    enc = "utf-8-sig" if bom else "utf-8"
    return out, (f"{enc}, {fallback} line(s) cp1252" if fallback else enc)


def _csv_rows(path: Path, lines: list[str], result: RecordRows) -> None:
    """Rows of a headed CSV (delimiter sniffed from the header). A row with another width than the header,
    or a record still inside a quoted field at the end of the file (a truncated export), is set aside;
    a multi-line record that is malformed costs its first line only and reading resumes on the next."""
    first = next((ln for ln in lines if ln.strip()), "")
    delim = max((",", ";", "\t", "|"), key=first.count) if first else ","
    header: list[str] | None = None
    i = 0
    while i < len(lines):
        start = i
        reader = csv.reader(iter(lines[i:]), delimiter=delim)
        restart = None
        while True:
            begin = start + reader.line_num
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                end = start + reader.line_num
                result.set_aside.append(SetAside(result.file, begin + 1, f"unreadable CSV ({exc})",
                                                 lines[begin][:300]))
                restart = begin + 1
                break
            end = start + reader.line_num
            text = "".join(lines[begin:end])
            span = end - begin
            if not fields or all(not f.strip() for f in fields):
                result.blank += span
                continue
            if header is None:
                header = [h.strip() for h in fields]
                continue
            open_quote = text.count('"') % 2 == 1
            if open_quote or len(fields) != len(header):
                truncated = end >= len(lines) and (open_quote or not text.endswith(("\n", "\r")))
                if truncated:
                    why = ("truncated last record: a quoted field is still open at the end of the file"
                           if open_quote else f"truncated last record: {len(fields)} of {len(header)} fields "
                                              "and no line end")
                else:
                    why = f"row with {len(fields)} of {len(header)} fields"
                result.set_aside.append(SetAside(result.file, begin + 1, why, text[:300].rstrip("\r\n")))
                if span > 1 and not truncated:
                    restart = begin + 1  # a stray quote joined good lines: give them back
                    break
                if span > 1 and truncated and open_quote:
                    restart = begin + 1
                    break
                continue
            result.rows.append(dict(zip(header, fields, strict=True)))
            result.lines.append(begin + 1)
        if restart is None:
            break
        i = restart
    if header is None and lines:
        result.blank = sum(1 for ln in lines if not ln.strip())


def read_records(path: Path) -> RecordRows:
    """The rows of a records export: CSV (any delimiter, UTF-8 or cp1252), XLSX (Odoo's default export)
    or JSON / JSON lines. Malformed rows are set aside with file:line and the reason, never fatal."""
    path = Path(path)
    _check_regular(path)
    result = RecordRows(path.name)
    if is_xlsx(path):
        result.encoding = "xlsx"
        header: list[str] | None = None
        for n, cells in xlsx_rows(path):
            row = [cell_text(c) for c in cells]
            while row and row[-1] == "":
                row.pop()
            result.lines_read = n
            if not row:
                result.blank += 1
                continue
            if header is None:
                header = [h.strip() for h in row]
                continue
            if len(row) > len(header):
                result.set_aside.append(SetAside(result.file, n, f"row with {len(row)} cells under a header of "
                                                                 f"{len(header)}", "\t".join(row)[:300]))
                continue
            result.rows.append(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)))
            result.lines.append(n)
        return result
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    if path.suffix.lower() in {".json", ".jsonl", ".ndjson"} or head[:1] in {"[", "{"}:
        lines, result.encoding = _decode_lines(path)
        result.lines_read = len(lines)
        for k, item in enumerate(_parse_json(path, "".join(lines))):
            if isinstance(item, dict):
                result.rows.append(item)
                result.lines.append(k + 1)
            else:
                result.set_aside.append(SetAside(result.file, k + 1, f"not an object ({type(item).__name__})",
                                                 str(item)[:300]))
        return result
    lines, result.encoding = _decode_lines(path)
    result.lines_read = len(lines)
    _csv_rows(path, lines, result)
    return result


def check_ids(rows: RecordRows) -> RecordRows:
    """Rows whose id is empty, not an integer or already seen are set aside (the first of a duplicate
    id is kept); the others are returned in a new RecordRows with every earlier set-aside row."""
    out = RecordRows(rows.file, set_aside=list(rows.set_aside), lines_read=rows.lines_read, blank=rows.blank,
                     encoding=rows.encoding)
    seen: dict[int, int] = {}
    for row, line in zip(rows.rows, rows.lines, strict=True):
        raw_id = next((row[k] for k in _ID_HEADERS if k in row), None)
        rid = _text(raw_id)
        if not rid:
            out.set_aside.append(SetAside(rows.file, line, "empty id", _raw(row)))
            continue
        if not rid.lstrip("-").isdigit():
            hint = " (export the database ID, not the external ID)" if "." in rid or "_" in rid else ""
            out.set_aside.append(SetAside(rows.file, line, f"id {rid[:40]!r} is not an integer{hint}", _raw(row)))
            continue
        n = int(rid)
        if n in seen:
            out.set_aside.append(SetAside(rows.file, line, f"duplicate id {n} (first on line {seen[n]})", _raw(row)))
            continue
        seen[n] = line
        out.rows.append(row)
        out.lines.append(line)
    out.set_aside.sort(key=lambda s: s.line)
    return out


def inspect_records(path: Path, what: str) -> RecordRows:
    """A records file read for matching: headers as field names, every row with a usable id kept, the
    others set aside with file:line and reason (what `triage match` reports before matching)."""
    read = read_records(Path(path))
    if not read.rows:
        return read
    frame = _technical_columns(pd.DataFrame.from_records(read.rows), what)
    if "id" not in frame.columns:
        raise InputError(f"{path}: missing required column id for {what}")
    return check_ids(RecordRows(read.file, rows=frame.to_dict("records"), lines=read.lines,
                                set_aside=read.set_aside, lines_read=read.lines_read, blank=read.blank,
                                encoding=read.encoding))


_ID_HEADERS = ("id", "ID", ".id", "Database ID", "Id")


def _raw(row: dict[str, Any]) -> str:
    return ",".join(_text(v) for v in row.values())[:300]


def _parse_json(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as exc:
            raise InputError(f"{path}: not valid JSON or JSON lines ({exc})") from exc
    if isinstance(data, dict):
        for key in ("records", "result", "data"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise InputError(f"{path}: expected a list of records (or {{\"records\": [...]}})")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputError(f"{path}: expected a list of records")
    return data


def load_records(source: Source | Iterable[dict[str, Any]], fields: list[str], *, what: str) -> pd.DataFrame:
    """One row per record, every field as text (many2one split into id and name), `active` as bool.

    Rows with an empty, non-integer or duplicate id (and malformed or truncated rows of a file) are set
    aside, not fatal: `frame.attrs["set_aside"]` lists them (`SetAside`, file:line and reason).
    Columns hold plain Python objects (numpy object arrays), which the per-value normalisers
    iterate much faster than pandas' Arrow-backed strings.
    """
    if isinstance(source, str | Path):
        read = read_records(Path(source))
        origin = str(source)
    else:
        data = list(source)
        read = RecordRows(f"{what} records", rows=data, lines=list(range(1, len(data) + 1)))
        origin = f"{what} records"
    frame_in = pd.DataFrame.from_records(read.rows) if read.rows else pd.DataFrame()
    frame_in = _technical_columns(frame_in, what)
    n = len(frame_in)
    if n:
        missing = [f for f in REQUIRED if f not in frame_in.columns]
        if missing:
            raise InputError(f"{origin}: missing required column {', '.join(missing)} for {what}")
        checked = check_ids(RecordRows(read.file, rows=frame_in.to_dict("records"), lines=read.lines,
                                       set_aside=read.set_aside, lines_read=read.lines_read))
        if not checked.rows:
            first = checked.set_aside[-1]
            raise InputError(f"{origin}: no usable record, all {n} set aside; line {first.line}: {first.reason}")
        if len(checked.rows) != n:
            frame_in = pd.DataFrame.from_records(checked.rows, columns=frame_in.columns) if checked.rows \
                else frame_in.iloc[0:0]
        set_aside = checked.set_aside
    else:
        set_aside = list(read.set_aside)
    n = len(frame_in)
    cols: dict[str, np.ndarray] = {}
    for f in fields:
        values = frame_in[f].to_numpy(dtype=object) if f in frame_in.columns else np.full(n, "", dtype=object)
        if f in MANY2ONE:
            split = [split_many2one(v) for v in values]
            cols[f] = np.array([x[0] for x in split], dtype=object)
            cols[f + "_name"] = np.array([x[1] for x in split], dtype=object)
            _fill_database_ids(cols[f], frame_in, f)
        elif f in {"active", "is_company"}:
            cols[f] = np.array([to_bool(v, default=(f == "active")) for v in values], dtype=bool)
        else:
            cols[f] = np.array([_text(v) for v in values], dtype=object)
    ids = cols["id"]
    cols["id"] = ids.astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in cols.items()})
    frame.attrs["set_aside"] = set_aside
    return frame


def _fill_database_ids(ids: np.ndarray, frame: pd.DataFrame, field: str) -> None:
    """Odoo's export writes a many2one as its display name in `parent_id` and its database id in
    `parent_id/.id`: take the id from there when the name column gave none (in place)."""
    for col in (f"{field}/.id", f"{field}/id", f"{field}.id"):
        if col not in frame.columns:
            continue
        for k, v in enumerate(frame[col].to_numpy(dtype=object)):
            text = _text(v)
            if not ids[k] and text.isdigit():
                ids[k] = text


def columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The frame as numpy arrays: cheap per-value access for explanations."""
    return {c: frame[c].to_numpy(dtype=object if frame[c].dtype == object else None) for c in frame.columns}
