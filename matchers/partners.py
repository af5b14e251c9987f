"""res.partner: normalised columns, blocking keys, Odoo rules, and the evidence shown for a pair."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jellyfish
import numpy as np
import pandas as pd

from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.blocking import single_key_pairs, token_key_pairs, unique_sorted
from odoo_triage.matchers.comparisons import PARTNER_COMPARISONS
from odoo_triage.matchers.fellegi_sunter import PairColumns
from odoo_triage.matchers.records import columns
from odoo_triage.matchers.scoring import Evidence

_NUMBER = re.compile(r"\d+")

@dataclass
class PartnerTable:
    """One array per normalised field, indexed like the input frame."""

    frame: pd.DataFrame
    raw: dict[str, np.ndarray]  # the loaded columns, for explanations
    ids: np.ndarray
    core: np.ndarray
    folded: np.ndarray
    legal: np.ndarray
    vat: np.ndarray
    vat_valid: np.ndarray
    email: np.ndarray
    domain: np.ndarray  # non-free domains only
    phone: np.ndarray
    phone_tail: np.ndarray
    city: np.ndarray
    zip: np.ndarray
    street: np.ndarray
    country: np.ndarray
    registry: np.ndarray
    ref: np.ndarray
    is_company: np.ndarray
    parent: np.ndarray  # parent id or -1
    parent_name: np.ndarray  # folded parent name when the export gives names (either parent or commercial)
    commercial: np.ndarray  # commercial partner id or -1
    active: np.ndarray
    branch: np.ndarray  # "niederlassung linz" for a branch office, "" for a head office (normalise.BRANCH_WORDS)
    filled: np.ndarray  # number of non-empty fields, for the master choice

    def __len__(self) -> int:
        return len(self.ids)


def _int_or_minus(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values.replace("", None), errors="coerce").fillna(-1).astype(np.int64).to_numpy()


def _parent_name(rid: int, name: str, parent: str, commercial_id: str, commercial: str) -> str:
    """The folded name of the record's parent company; a company's commercial partner is itself."""
    if parent:
        return nz.fold(parent)
    if commercial and commercial_id != str(rid) and nz.fold(commercial) != nz.fold(name):
        return nz.fold(commercial)
    return ""


def _each(fn: Any, *columns: Any) -> list[Any]:
    """fn over the distinct values (or value tuples) of the columns, mapped back to every record.

    Records share towns, zips, countries, legal forms, company domains and parents: each distinct
    input is normalised once, and equal outputs are one Python object, not one per record.
    """
    if len(columns[0]) == 0:
        return []
    if len(columns) == 1:
        codes, uniques = pd.factorize(np.asarray(columns[0], dtype=object), use_na_sentinel=False)
        outs = [fn(u) for u in uniques]
    else:
        keys = pd.MultiIndex.from_arrays([np.asarray(c, dtype=object) for c in columns])
        codes, uniques = pd.factorize(keys, use_na_sentinel=False)
        outs = [fn(*u) for u in uniques]
    return [outs[c] for c in codes]


def _obj(values: Any) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def prepare(frame: pd.DataFrame) -> PartnerTable:
    """Normalised columns. Built one column at a time from the distinct values, with no list of
    per-record helper objects alive at once: at 300,000 partners those cost ~200 MB of peak RSS."""
    n = len(frame)
    countries = _obj(_each(lambda c, cn: c or cn, frame["country_id"], frame["country_id_name"]))
    iso = _obj(_each(lambda c: nz.country_iso(c) or nz.fold(c), countries))
    core = np.empty(n, dtype=object)
    folded = np.empty(n, dtype=object)
    legal = np.empty(n, dtype=object)
    legal_text: dict[tuple[str, ...], str] = {}
    for k, x in enumerate(frame["name"].to_numpy(dtype=object)):
        parts = nz.company_name(x)
        core[k] = parts.core
        folded[k] = parts.core if parts.folded == parts.core else parts.folded
        legal[k] = legal_text.setdefault(tuple(parts.legal), " ".join(parts.legal))
    vats = _each(lambda v, c: (lambda x: (x.value, x.valid) if x else ("", False))(nz.vat(v, c)),
                 frame["vat"], countries)
    emails = _each(lambda e: (lambda x: (x.address, x.domain if not x.free else "") if x else ("", ""))(nz.email(e)),
                   frame["email"])
    domains: dict[str, str] = {}
    phones = _obj(_each(nz.phone, frame["phone"], countries))
    filled_cols = ["name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip"]
    filled = np.zeros(n, dtype=np.int64)
    for col in filled_cols:
        filled += (frame[col].to_numpy(dtype=object) != "").astype(np.int64)
    filled += np.fromiter((bool(c) for c in countries), dtype=np.int64, count=n)
    squash = lambda r: nz.fold(r).replace(" ", "")  # noqa: E731
    return PartnerTable(
        frame=frame,
        raw=columns(frame),
        ids=frame["id"].to_numpy(dtype=np.int64),
        core=core,
        folded=folded,
        legal=legal,
        vat=_obj([v[0] for v in vats]),
        vat_valid=np.fromiter((v[1] for v in vats), dtype=bool, count=n),
        email=_obj([e[0] for e in emails]),
        domain=_obj([domains.setdefault(e[1], e[1]) for e in emails]),
        phone=phones,
        phone_tail=_obj(_each(nz.phone_tail, phones)),
        city=_obj(_each(nz.fold, frame["city"])),
        zip=_obj(_each(squash, frame["zip"])),
        street=_obj(_each(nz.fold, frame["street"])),
        country=iso,
        registry=_obj(_each(squash, frame["company_registry"])),
        ref=_obj(_each(squash, frame["ref"])),
        is_company=frame["is_company"].to_numpy(dtype=bool),
        parent=_int_or_minus(frame["parent_id"]),
        parent_name=_obj([_parent_name(*row) for row in zip(
            frame["id"], frame["name"], frame["parent_id_name"], frame["commercial_partner_id"],
            frame["commercial_partner_id_name"], strict=True)]),
        commercial=_int_or_minus(frame["commercial_partner_id"]),
        active=frame["active"].to_numpy(dtype=bool),
        branch=_obj(_each(nz.branch, frame["name"])),
        filled=filled,
    )


def _street_number_key(zips: np.ndarray, streets: np.ndarray) -> list[str]:
    out = []
    for z, s in zip(zips, streets, strict=True):
        nums = _NUMBER.findall(s)
        out.append(f"{z}|{nums[0]}" if z and nums else "")
    return out


def blocking_keys(t: PartnerTable) -> dict[str, np.ndarray]:
    """Pairs of every blocking key (encoded low * n + high), by key name: the blocking report's rows.

    Independent keys, so a typo in the name is caught by the address, e-mail or phone, and the
    other way round: name words, name phonetics, e-mail, VAT, phone tail, zip + house number, street.
    """
    n = len(t)
    # rank of the name (ties in record order, as block_pairs sorts stably); no fixed-width string copy
    order = pd.factorize(t.core, sort=True)[0].astype(np.int64)
    squashed = [c.replace(" ", "") for c in t.core]
    tokens = [[tok for tok in c.split() if len(tok) >= 3] for c in t.core]
    return {
        "vat": single_key_pairs(list(t.vat), n, order),
        "email": single_key_pairs(list(t.email), n, order),
        "email_domain": single_key_pairs(list(t.domain), n, order),
        "phone_tail": single_key_pairs(list(t.phone_tail), n, order),
        "name_words_sorted": single_key_pairs([" ".join(sorted(c.split())) for c in t.core], n, order),
        "name_metaphone": single_key_pairs([jellyfish.metaphone(s)[:12] if s else "" for s in t.core], n, order),
        "name_prefix": single_key_pairs([s[:6] if len(s) >= 4 else "" for s in squashed], n, order),
        "name_suffix": single_key_pairs([s[-6:] if len(s) >= 6 else "" for s in squashed], n, order),
        "name_rare_word": token_key_pairs(tokens, n, order),
        "name_word_phonetic": token_key_pairs([[_metaphone(tok) for tok in toks] for toks in tokens], n, order),
        "zip_house_number": single_key_pairs(_street_number_key(t.zip, t.street), n, order),
        "street": single_key_pairs(list(t.street), n, order),
        "zip_street_name": single_key_pairs([f"{z}|{_NUMBER.sub('', s).replace(' ', '')[:8]}" if z and s else ""
                                             for z, s in zip(t.zip, t.street, strict=True)], n, order),
        "town_last_word_phonetic": single_key_pairs([f"{c}|{_metaphone(toks[-1])}" if c and toks else "" for c, toks
                                                     in zip(t.city, tokens, strict=True)], n, order),
    }


def _metaphone(token: str) -> str:
    return "mp:" + jellyfish.metaphone(token)


def candidate_pairs(t: PartnerTable, keys: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Union of the pairs of every blocking key, encoded low * n + high."""
    keys = blocking_keys(t) if keys is None else keys
    return unique_sorted(np.concatenate(list(keys.values())))


def never_pair(t: PartnerTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Never duplicates: a company and its own contacts (parent or commercial partner, by id or by
    name), a company's contact person with any company (different kinds in Odoo: a contact is never
    merged into a company record, its own company's or a duplicate of it), and a head office with its
    branch. A person without a company is one with a company only when they share a VAT, e-mail, phone
    or registry number (a sole trader entered once as a person), never on a name or an address alone."""
    li, ri = t.ids[left], t.ids[right]
    by_id = (
        (t.parent[left] == ri) | (t.parent[right] == li)
        | (t.commercial[left] == ri) | (t.commercial[right] == li)
    )
    pl, pr = t.parent_name[left], t.parent_name[right]
    by_name = ((pl != "") & (pl == t.folded[right])) | ((pr != "") & (pr == t.folded[left]))
    other_branch = t.branch[left] != t.branch[right]  # a head office and its branch, or two branches
    contact = ~t.is_company & ((t.parent >= 0) | (t.parent_name != ""))
    contact_and_company = (contact[left] & t.is_company[right]) | (contact[right] & t.is_company[left])
    shared_id = np.zeros(len(left), dtype=bool)
    for col in (t.vat, t.email, t.phone_tail, t.registry):
        shared_id |= (col[left] != "") & (col[left] == col[right])
    # a person and a company are one partner only on a shared identifier, never on a name or an address
    kinds_apart = (t.is_company[left] != t.is_company[right]) & ~shared_id
    return by_id | by_name | contact_and_company | kinds_apart | other_branch


# --------------------------------------------------------------------------- explanation

def _raw(t: PartnerTable, i: int, field: str) -> str:
    value = t.raw[field][i]
    if field in {"country_id"} and not value:
        value = t.raw["country_id_name"][i]
    return str(value or "")


def _legal_words(t: PartnerTable, i: int, j: int) -> str:
    """The legal-form words as written, for "names match after removing 'GmbH'"."""
    words = []
    for k in (i, j):
        raw = str(t.raw["name"][k]).split()
        legal = set(t.legal[k].split())
        words += [w for w in raw if nz.fold(w).replace(" ", "") in legal or nz.fold(w) in legal]
    return ", ".join(f"'{w}'" for w in dict.fromkeys(words)) or "legal forms"




def pair_columns(t: PartnerTable) -> PairColumns:
    """The normalised columns the comparisons read (comparisons.PARTNER_COMPARISONS)."""
    parent_key = np.array([(f"id:{p}" if p >= 0 else (f"name:{pn}" if pn else "")) if not c else ""
                           for p, pn, c in zip(t.parent, t.parent_name, t.is_company, strict=True)], dtype=object)
    street = np.array([s if any(ch.isalpha() for ch in s) else "" for s in t.street], dtype=object)  # "11": no street
    return PairColumns({"core": t.core, "vat": t.vat, "registry": t.registry, "email": t.email,
                        "domain": t.domain, "phone_tail": t.phone_tail, "street": street, "zip": t.zip,
                        "city": t.city, "country": t.country, "ref": t.ref, "parent_key": parent_key})


def inherited(t: PartnerTable, cols: PairColumns) -> dict[str, np.ndarray]:
    """Per column: the contact person's value is its parent company's (VAT, address, phone, domain).

    Such a value says who the employer is, not who the person is, so it never argues for (or
    against) a person match. Without the parent in the records, a person's VAT still counts as inherited.
    """
    position = {int(rid): k for k, rid in enumerate(t.ids)}
    parent_at = np.array([position.get(int(p), -1) if p >= 0 else -1 for p in t.parent], dtype=np.int64)
    person = ~t.is_company
    has_parent = person & (parent_at >= 0)
    out: dict[str, np.ndarray] = {}
    for comp in PARTNER_COMPARISONS:
        if not comp.person_inherits:
            continue
        vals = cols.values[comp.column]
        inh = np.zeros(len(t), dtype=bool)
        idx = np.flatnonzero(has_parent)
        inh[idx] = (vals[idx] != "") & (vals[idx] == vals[parent_at[idx]])
        if comp.column == "vat":  # a person has no VAT of their own in Odoo: it comes from the company
            inh |= person & ((t.parent >= 0) | (t.parent_name != ""))
        out[comp.column] = inh
    return out


def pair_kind(t: PartnerTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Segment of each pair: 0 two persons, 1 two companies, 2 one of each."""
    cl, cr = t.is_company[left], t.is_company[right]
    return np.where(cl & cr, 1, np.where(~cl & ~cr, 0, 2)).astype(np.int8)


# --------------------------------------------------------------------------- explanation


def _evidence_text(t: PartnerTable, i: int, j: int, ev: Evidence) -> str:
    """The level's phrase, with the value where a reviewer wants to see it."""
    if ev.field == "name" and ev.label in {"exact", "reordered"} and t.folded[i] != t.folded[j] and (
            t.legal[i] or t.legal[j]) and t.core[i] == t.core[j]:
        return f"names match after removing {_legal_words(t, i, j)}"
    if ev.field == "name" and ev.label != "exact":
        return ev.phrase
    if ev.field == "vat" and ev.label == "exact":
        written = _raw(t, i, "vat") != _raw(t, j, "vat")
        return f"same VAT {t.vat[i]}" + (" (written differently)" if written else "")
    if ev.field in {"email", "private_email"} and ev.label == "exact":
        return f"same e-mail {t.email[i]}"
    if ev.field == "email_domain" and ev.label == "exact":
        return f"same e-mail domain {t.domain[i]}"
    if ev.field == "phone" and ev.label == "exact":
        return f"same phone {_raw(t, i, 'phone')}"
    if ev.field == "city" and ev.label == "exact":
        return f"same town {_raw(t, i, 'city')}"
    return ev.phrase


FIELD_OF = {"email_domain": "email", "private_email": "email", "parent_id": "parent_id"}


def compare(t: PartnerTable, i: int, j: int, evidence: list[Evidence]) -> list[tuple[str, str, str, float, str, str]]:
    """(field, left, right, score, verdict, phrase) per comparison: agree when its weight argues for a match."""
    out = []
    for ev in evidence:
        field = FIELD_OF.get(ev.field, ev.field)
        if field == "parent_id":
            left, right = str(t.raw["parent_id_name"][i] or t.raw["parent_id"][i]), str(
                t.raw["parent_id_name"][j] or t.raw["parent_id"][j])
        else:
            left, right = _raw(t, i, field), _raw(t, j, field)
        if ev.level < 0:
            out.append((ev.field, left, right, 0.0, "missing", ""))
            continue
        score = float(1.0 / (1.0 + 2.0 ** -ev.weight))
        # weight 0: an agreement that adds nothing (the town of an agreeing zip): not counted, like a missing value
        verdict = "agree" if ev.weight > 0 else ("disagree" if ev.weight < 0 else "missing")
        out.append((ev.field, left, right, score, verdict, f"{_evidence_text(t, i, j, ev)} ({ev.weight:+.1f})"))
    return out


def reason(rows: list[tuple[str, str, str, float, str, str]]) -> str:
    """"for: same VAT ... (+9.8); same zip (+3.2) | against: different street (-2.9)", strongest first."""
    pro = sorted((r for r in rows if r[4] == "agree"), key=lambda r: -r[3])
    con = sorted((r for r in rows if r[4] == "disagree"), key=lambda r: r[3])
    parts = ["for: " + "; ".join(r[5] for r in pro)] if pro else []
    if con:
        parts.append("against: " + "; ".join(r[5] for r in con))
    return " | ".join(parts) or "no field to compare"
