"""Odoo export-dialog labels in several languages, as data (export_labels.json beside this file).

A non import-compatible export writes field labels (`Numéro de TVA`, `Erstellt am`) as headers and
selection labels (`Fehlgeschlagen`, `En erreur`) as values, in the language of the user who exported.
Readers turn them back into technical names with `field_for` and `selection_value`; labels are compared
without case, accents, punctuation or spacing, so `E-Mail`, `Email` and `e mail` are one label (letters of
every script count: `ID компании` is not `ID`).

A label may mean two fields in two languages (Polish `Kraj` is the country, Slovenian `Kraj` the city). The
English label, then the technical name, wins; otherwise such a label means nothing on its own, and
`header_language` (the language most of a file's headers are in) says which one it is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("export_labels.json")
_NON_WORD = re.compile(r"[\W_]+")


def label_key(text: str) -> str:
    """A label without case, accents, punctuation or spacing: how headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _NON_WORD.sub("", "".join(c for c in decomposed if not unicodedata.combining(c)))


@cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_FILE.read_text(encoding="utf-8"))
    return data


def _resolved(per_lang: dict[str, dict[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(label key -> value over every language, clashes: key -> the values it has in other languages).
    English labels first, then the technical values themselves, then a label whose languages agree."""
    out: dict[str, str] = {}
    for label, value in per_lang.get("en", {}).items():
        out.setdefault(label_key(label), value)
    for value in sorted({v for labels in per_lang.values() for v in labels.values()}):
        out.setdefault(label_key(value), value)
    meanings: dict[str, set[str]] = {}
    for lang, labels in per_lang.items():
        if lang != "en":
            for label, value in labels.items():
                meanings.setdefault(label_key(label), set()).add(value)
    clashes = {k: sorted(v) for k, v in meanings.items() if len(v) > 1}
    for key, values in meanings.items():
        if key and key not in clashes:
            out.setdefault(key, next(iter(values)))
    out.pop("", None)
    return out, clashes


@cache
def _fields(model: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """label key -> technical field name, over every language (technical names map to themselves)."""
    return _resolved(_table().get(model, {}).get("fields", {}))


@cache
def _lang_fields(model: str, lang: str) -> dict[str, str]:
    labels: dict[str, str] = _table().get(model, {}).get("fields", {}).get(lang, {})
    return {k: v for k, v in ((label_key(label), f) for label, f in labels.items()) if k}


@cache
def _selection(model: str, field: str) -> dict[str, str]:
    return _resolved(_table().get(model, {}).get("selection", {}).get(field, {}))[0]


@cache
def _clashes(model: str) -> dict[str, list[str]]:
    resolved, clash = _fields(model)
    return {k: v for k, v in clash.items() if k not in resolved}


def clashes(model: str) -> dict[str, list[str]]:
    """Label keys that mean different fields in different languages, and are no English label or field name:
    they mean nothing without the export's language."""
    return dict(_clashes(model))


def header_language(model: str, headers: list[str]) -> tuple[str, ...]:
    """The languages (not English) most of `headers` are labels of: the one that leads, or those tied for the
    lead (Croatian and Bosnian share most labels); empty when no language has any.
    English labels say nothing (every language shows them where it has no translation)."""
    keys = {label_key(h.partition("/")[0]) for h in headers} - {""} - _lang_fields(model, "en").keys()
    scores = {lang: len(keys & _lang_fields(model, lang).keys()) for lang in languages(model) if lang != "en"}
    best = max(scores.values(), default=0)
    return tuple(lang for lang, n in scores.items() if n == best) if best else ()


def field_for(model: str, header: str, langs: tuple[str, ...] = ()) -> str | None:
    """The technical field an export header names (`Numéro de TVA` -> `vat`), or None if unknown.
    `langs` (see `header_language`) decides a label that means two fields in two languages, when they agree."""
    key = label_key(header)
    if key in _clashes(model):
        meant = {_lang_fields(model, lang).get(key) for lang in langs}
        return meant.pop() if len(meant) == 1 else None
    return _fields(model)[0].get(key)


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
