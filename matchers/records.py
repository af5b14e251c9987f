"""Reading res.partner / project.project records from CSV, JSON or straight from search_read.

Odoo hands many2one fields over in several shapes: `[7, "Acme"]` from JSON-RPC, `7` or `"7"`
from a CSV export of ids, `"Acme"` from a CSV export of display names. Each one becomes two
columns, `<field>` (the id as text, or empty) and `<field>_name` (the display name, or empty).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from odoo_triage.core.errors import InputError

PARTNER_FIELDS = ["id", "name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip",
                  "country_id", "is_company", "parent_id", "commercial_partner_id", "active", "write_date"]
PROJECT_FIELDS = ["id", "name", "partner_id", "user_id", "company_id", "active", "date_start", "date",
                  "write_date"]
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


def _technical_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename export-dialog labels ("Tax ID", "Country/Database ID") to field names, when unambiguous."""
    renames: dict[str, str] = {}
    present = set(frame.columns)
    for col in frame.columns:
        key = str(col).strip()
        if key in present and key == key.lower() and "/" not in key and " " not in key:
            continue  # already a technical name
        base, _, sub = key.partition("/")
        field = HEADER_ALIASES.get(base.strip().lower()) or (base.strip() if base.strip() in HEADER_ALIASES.values()
                                                             else None)
        if field is None or field in present or field in renames.values():
            continue
        if sub and sub.strip().lower() not in {"id", ".id", "database id", "name", "display name"}:
            continue
        renames[col] = field
    return frame.rename(columns=renames) if renames else frame


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
    return str(value).strip().lower() not in {"false", "0", "no", "n", "f", "none", "null"}


def _read_file(path: Path) -> pd.DataFrame | list[dict[str, Any]]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path} is a folder, expected a CSV or JSON file of records")
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    if path.suffix.lower() in {".json", ".jsonl", ".ndjson"} or head[:1] in {"[", "{"}:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
        return _parse_json(path, text)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        return []
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc


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

    Columns hold plain Python objects (numpy object arrays), which the per-value normalisers
    iterate much faster than pandas' Arrow-backed strings.
    """
    if isinstance(source, str | Path):
        data = _read_file(Path(source))
        origin = str(source)
    else:
        data = list(source)
        origin = f"{what} records"
    if isinstance(data, list):
        data = pd.DataFrame.from_records(data) if data else pd.DataFrame()
    data = _technical_columns(data)
    n = len(data)
    if n:
        missing = [f for f in REQUIRED if f not in data.columns]
        if missing:
            raise InputError(f"{origin}: missing required column {', '.join(missing)} for {what}")
    cols: dict[str, np.ndarray] = {}
    for f in fields:
        values = data[f].to_numpy(dtype=object) if f in data.columns else np.full(n, "", dtype=object)
        if f in MANY2ONE:
            split = [split_many2one(v) for v in values]
            cols[f] = np.array([x[0] for x in split], dtype=object)
            cols[f + "_name"] = np.array([x[1] for x in split], dtype=object)
        elif f in {"active", "is_company"}:
            cols[f] = np.array([to_bool(v, default=(f == "active")) for v in values], dtype=bool)
        else:
            cols[f] = np.array([_text(v) for v in values], dtype=object)
    ids = cols["id"]
    bad = [k for k, rid in enumerate(ids) if not rid.lstrip("-").isdigit()]
    if bad:
        hint = " (export the database ID, not the external ID)" if "." in str(ids[bad[0]]) else ""
        raise InputError(f"{origin}: record {bad[0] + 1} has no integer id ({ids[bad[0]]!r}){hint}")
    cols["id"] = ids.astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in cols.items()})
    if frame["id"].duplicated().any():
        dup = frame.loc[frame["id"].duplicated(), "id"].iloc[0]
        raise InputError(f"{origin}: record id {dup} appears twice")
    return frame


def columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The frame as numpy arrays: cheap per-value access for explanations."""
    return {c: frame[c].to_numpy(dtype=object if frame[c].dtype == object else None) for c in frame.columns}
