"""Odoo export-dialog labels in several languages, as data (export_labels.json beside this file).

A non import-compatible export writes field labels (`Numéro de TVA`, `Erstellt am`) as headers and
selection labels (`Fehlgeschlagen`, `En erreur`) as values, in the language of the user who exported.
Readers turn them back into technical names with `field_for` and `selection_value`; labels are compared
without case, accents, punctuation or spacing, so `E-Mail`, `Email` and `e mail` are one label.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("export_labels.json")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def label_key(text: str) -> str:
    """A label without case, accents, punctuation or spacing: how headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _NON_ALNUM.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


@cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _fields(model: str) -> dict[str, str]:
    """label key -> technical field name, over every language (technical names map to themselves)."""
    out: dict[str, str] = {}
    per_lang: dict[str, dict[str, str]] = _table().get(model, {}).get("fields", {})
    for lang in sorted(per_lang, key=lambda k: (k != "en", k)):  # English first: it wins a clash
        for label, field in per_lang[lang].items():
            out.setdefault(label_key(label), field)
    for field in {f for labels in per_lang.values() for f in labels.values()}:
        out.setdefault(label_key(field), field)
    return out


@cache
def _selection(model: str, field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    per_lang: dict[str, dict[str, str]] = _table().get(model, {}).get("selection", {}).get(field, {})
    for lang in sorted(per_lang, key=lambda k: (k != "en", k)):
        for label, value in per_lang[lang].items():
            out.setdefault(label_key(label), value)
    for value in {v for labels in per_lang.values() for v in labels.values()}:
        out.setdefault(label_key(value), value)
    return out


def field_for(model: str, header: str) -> str | None:
    """The technical field an export header names (`Numéro de TVA` -> `vat`), or None if unknown."""
    return _fields(model).get(label_key(header))


def selection_value(model: str, field: str, label: str) -> str | None:
    """The technical value of a selection label (`Fehlgeschlagen` -> `failed`), or None if unknown."""
    return _selection(model, field).get(label_key(label))


@cache
def copy_suffixes(model: str) -> tuple[str, ...]:
    """What Odoo's Duplicate appends to a record's name ("%s (copy)"), in every language, folded to lower case."""
    per_lang: dict[str, str] = _table().get(model, {}).get("copy_suffix", {})
    return tuple(sorted({s.casefold() for s in per_lang.values()}, key=len, reverse=True))


def languages(model: str) -> list[str]:
    return sorted(_table().get(model, {}).get("fields", {}))
