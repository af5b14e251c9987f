"""res.partner: normalised columns, blocking keys, pair features and field comparisons."""

from __future__ import annotations

from dataclasses import dataclass

import jellyfish
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.blocking import single_key_pairs, token_key_pairs, unique_sorted
from odoo_triage.matchers.model import compared, same_or_missing
from odoo_triage.matchers.records import columns

FEATURES = [
    "name_token_set", "name_token_sort", "name_jaro_winkler", "name_full_ratio", "name_core_equal",
    "legal_conflict", "vat_same", "vat_diff", "vat_diff_valid", "email_same", "domain_same", "domain_diff",
    "phone_same", "phone_tail_same", "phone_diff", "city_sim", "zip_same", "street_sim", "country_same",
    "registry_same", "ref_same", "companies", "same_parent", "parent_diff", "missing", "name_tokens_min",
    "name_squashed_ratio", "email_diff",
]


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


def prepare(frame: pd.DataFrame) -> PartnerTable:
    n = len(frame)
    countries = [c or cn for c, cn in zip(frame["country_id"], frame["country_id_name"], strict=True)]
    names = [nz.company_name(x) for x in frame["name"]]
    vats = [nz.vat(v, c) for v, c in zip(frame["vat"], countries, strict=True)]
    emails = [nz.email(e) for e in frame["email"]]
    phones = [nz.phone(p, c) for p, c in zip(frame["phone"], countries, strict=True)]
    obj = lambda xs: np.array(xs, dtype=object)  # noqa: E731
    filled_cols = ["name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip", "country_id"]
    filled = np.zeros(n, dtype=np.int64)
    for col in filled_cols:
        filled += (frame[col].to_numpy(dtype=object) != "").astype(np.int64) if col != "country_id" else (
            np.array([bool(c) for c in countries], dtype=np.int64))
    return PartnerTable(
        frame=frame,
        raw=columns(frame),
        ids=frame["id"].to_numpy(dtype=np.int64),
        core=obj([x.core for x in names]),
        folded=obj([x.folded for x in names]),
        legal=obj([" ".join(x.legal) for x in names]),
        vat=obj([v.value if v else "" for v in vats]),
        vat_valid=np.array([bool(v and v.valid) for v in vats]),
        email=obj([e.address if e else "" for e in emails]),
        domain=obj([e.domain if e and not e.free else "" for e in emails]),
        phone=obj(phones),
        phone_tail=obj([nz.phone_tail(p) for p in phones]),
        city=obj([nz.fold(c) for c in frame["city"]]),
        zip=obj([nz.fold(z).replace(" ", "") for z in frame["zip"]]),
        street=obj([nz.fold(s) for s in frame["street"]]),
        country=obj([nz.country_iso(c) or nz.fold(c) for c in countries]),
        registry=obj([nz.fold(r).replace(" ", "") for r in frame["company_registry"]]),
        ref=obj([nz.fold(r).replace(" ", "") for r in frame["ref"]]),
        is_company=frame["is_company"].to_numpy(dtype=bool),
        parent=_int_or_minus(frame["parent_id"]),
        parent_name=obj([_parent_name(*row) for row in zip(
            frame["id"], frame["name"], frame["parent_id_name"], frame["commercial_partner_id"],
            frame["commercial_partner_id_name"], strict=True)]),
        commercial=_int_or_minus(frame["commercial_partner_id"]),
        active=frame["active"].to_numpy(dtype=bool),
        filled=filled,
    )


def candidate_pairs(t: PartnerTable) -> np.ndarray:
    """Union of the pairs of every blocking key, encoded low * n + high."""
    n = len(t)
    order = np.argsort(np.argsort(t.core.astype(str), kind="stable"))
    squashed = [c.replace(" ", "") for c in t.core]
    keys = [
        single_key_pairs(list(t.vat), n, order),
        single_key_pairs(list(t.email), n, order),
        single_key_pairs(list(t.domain), n, order),
        single_key_pairs(list(t.phone_tail), n, order),
        single_key_pairs([" ".join(sorted(c.split())) for c in t.core], n, order),
        single_key_pairs([jellyfish.metaphone(s)[:12] if s else "" for s in t.core], n, order),
        single_key_pairs([s[:6] if len(s) >= 4 else "" for s in squashed], n, order),
        single_key_pairs([s[-6:] if len(s) >= 6 else "" for s in squashed], n, order),
        token_key_pairs([[tok for tok in c.split() if len(tok) >= 3] for c in t.core], n, order),
    ]
    return unique_sorted(np.concatenate(keys))


def never_pair(t: PartnerTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A company and its own contacts (parent or commercial partner, by id or by name): never duplicates."""
    li, ri = t.ids[left], t.ids[right]
    by_id = (
        (t.parent[left] == ri) | (t.parent[right] == li)
        | (t.commercial[left] == ri) | (t.commercial[right] == li)
    )
    pl, pr = t.parent_name[left], t.parent_name[right]
    by_name = ((pl != "") & (pl == t.folded[right])) | ((pr != "") & (pr == t.folded[left]))
    return by_id | by_name


def features(t: PartnerTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The feature matrix of the pairs (left[k], right[k]), columns as FEATURES."""
    m = len(left)
    X = np.zeros((m, len(FEATURES)), dtype=np.float32)
    if m == 0:
        return X
    cl, cr = list(t.core[left]), list(t.core[right])
    col = {name: i for i, name in enumerate(FEATURES)}
    X[:, col["name_token_set"]] = process.cpdist(cl, cr, scorer=fuzz.token_set_ratio, workers=-1) / 100
    X[:, col["name_token_sort"]] = process.cpdist(cl, cr, scorer=fuzz.token_sort_ratio, workers=-1) / 100
    X[:, col["name_jaro_winkler"]] = process.cpdist(cl, cr, scorer=JaroWinkler.normalized_similarity, workers=-1)
    X[:, col["name_full_ratio"]] = process.cpdist(
        list(t.folded[left]), list(t.folded[right]), scorer=fuzz.ratio, workers=-1) / 100
    X[:, col["name_core_equal"]] = t.core[left] == t.core[right]
    ll, lr = t.legal[left], t.legal[right]
    X[:, col["legal_conflict"]] = (ll != "") & (lr != "") & (ll != lr)
    vl, vr = t.vat[left], t.vat[right]
    both_vat = (vl != "") & (vr != "")
    X[:, col["vat_same"]] = both_vat & (vl == vr)
    X[:, col["vat_diff"]] = both_vat & (vl != vr)
    X[:, col["vat_diff_valid"]] = both_vat & (vl != vr) & t.vat_valid[left] & t.vat_valid[right]
    X[:, col["email_same"]] = same_or_missing(t.email[left], t.email[right])
    el, er = t.email[left], t.email[right]
    X[:, col["email_diff"]] = (el != "") & (er != "") & (el != er)
    dl, dr = t.domain[left], t.domain[right]
    X[:, col["domain_same"]] = (dl != "") & (dl == dr)
    X[:, col["domain_diff"]] = (dl != "") & (dr != "") & (dl != dr)
    pl, pr = t.phone_tail[left], t.phone_tail[right]
    X[:, col["phone_same"]] = (t.phone[left] != "") & (t.phone[left] == t.phone[right])
    X[:, col["phone_tail_same"]] = (pl != "") & (pl == pr)
    X[:, col["phone_diff"]] = (pl != "") & (pr != "") & (pl != pr)
    cyl, cyr = t.city[left], t.city[right]
    city = process.cpdist(list(cyl), list(cyr), scorer=JaroWinkler.normalized_similarity, workers=-1)
    city[(cyl == "") | (cyr == "")] = np.nan
    X[:, col["city_sim"]] = city
    X[:, col["zip_same"]] = same_or_missing(t.zip[left], t.zip[right])
    sl, sr = t.street[left], t.street[right]
    street = process.cpdist(list(sl), list(sr), scorer=fuzz.token_set_ratio, workers=-1) / 100
    street[(sl == "") | (sr == "")] = np.nan
    X[:, col["street_sim"]] = street
    X[:, col["country_same"]] = same_or_missing(t.country[left], t.country[right])
    X[:, col["registry_same"]] = same_or_missing(t.registry[left], t.registry[right])
    X[:, col["ref_same"]] = same_or_missing(t.ref[left], t.ref[right])
    X[:, col["companies"]] = t.is_company[left].astype(np.float32) + t.is_company[right]
    pal, par = t.parent[left], t.parent[right]
    X[:, col["same_parent"]] = (pal >= 0) & (pal == par)
    X[:, col["parent_diff"]] = (pal >= 0) & (par >= 0) & (pal != par)
    X[:, col["missing"]] = 20 - t.filled[left] - t.filled[right]
    ntok = np.array([len(c.split()) for c in t.core], dtype=np.float32)
    X[:, col["name_tokens_min"]] = np.minimum(ntok[left], ntok[right])
    X[:, col["name_squashed_ratio"]] = process.cpdist(  # survives a typo that splits or merges words
        [c.replace(" ", "") for c in cl], [c.replace(" ", "") for c in cr], scorer=fuzz.ratio, workers=-1) / 100
    return X


# --------------------------------------------------------------------------- explanation

COMPARED = [("name", "name"), ("vat", "VAT"), ("email", "e-mail"), ("phone", "phone"), ("street", "street"),
            ("zip", "zip"), ("city", "city"), ("country_id", "country"), ("company_registry", "registry"),
            ("ref", "reference")]


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


def compare(t: PartnerTable, i: int, j: int) -> list[tuple[str, str, str, float, str, str]]:
    """(field, left, right, score, verdict, phrase) for each compared field of one pair."""
    out: list[tuple[str, str, str, float, str, str]] = []

    def add(field: str, score: float | None, agree_text: str, disagree_text: str) -> None:
        out.append(compared(field, _raw(t, i, field), _raw(t, j, field), score, agree_text, disagree_text))

    name_score = fuzz.token_set_ratio(t.core[i], t.core[j]) / 100
    pct = round(name_score * 100)
    if t.folded[i] == t.folded[j]:
        name_text = "same name"
    elif t.core[i] == t.core[j] and (t.legal[i] or t.legal[j]):
        name_text = f"names match after removing {_legal_words(t, i, j)} ({pct})"
    elif sorted(t.core[i].split()) == sorted(t.core[j].split()):
        name_text = f"same name words in another order ({pct})"
    else:
        name_text = f"similar names ({pct})"
    add("name", name_score, name_text, f"different names ({pct})")
    vat_same = t.vat[i] == t.vat[j]
    written = _raw(t, i, "vat") != _raw(t, j, "vat")
    add("vat", 1.0 if vat_same else 0.0,
        f"same VAT {t.vat[i]}" + (" (written differently)" if written else ""), "different VAT")
    email_score = 1.0 if t.email[i] and t.email[i] == t.email[j] else (
        0.9 if t.domain[i] and t.domain[i] == t.domain[j] else 0.0)
    email_text = f"same e-mail {t.email[i]}" if email_score == 1.0 else f"same e-mail domain {t.domain[i]}"
    add("email", email_score, email_text, "different e-mail")
    phone_score = 1.0 if t.phone_tail[i] and t.phone_tail[i] == t.phone_tail[j] else 0.0
    add("phone", phone_score, f"same phone {t.phone[i]}", "different phone")
    street_score = fuzz.token_set_ratio(t.street[i], t.street[j]) / 100
    add("street", street_score, "same street", "different street")
    add("zip", 1.0 if t.zip[i] == t.zip[j] else 0.0, "same zip", "different zip")
    city_score = JaroWinkler.normalized_similarity(t.city[i], t.city[j])
    add("city", city_score, f"same city {_raw(t, i, 'city')}", "different city")
    add("country_id", 1.0 if t.country[i] == t.country[j] else 0.0, "same country", "different country")
    add("company_registry", 1.0 if t.registry[i] == t.registry[j] else 0.0, "same registry number",
        "different registry number")
    add("ref", 1.0 if t.ref[i] == t.ref[j] else 0.0, "same reference", "different reference")
    return out


def merge_phrases(agree: list[str], disagree: list[str]) -> str:
    """"same VAT ...; same e-mail ...; different phone, street": agreements first, then what differs."""
    diffs = [d.removeprefix("different ") for d in disagree if d.startswith("different ")]
    others = [d for d in disagree if not d.startswith("different ")]
    parts = agree + others + (["different " + ", ".join(diffs)] if diffs else [])
    return "; ".join(parts)


def reason(rows: list[tuple[str, str, str, float, str, str]]) -> str:
    verdict = {r[0]: r[4] for r in rows}
    address = [f for f in ("street", "zip", "city") if verdict.get(f) == "agree"]
    agree, disagree = [], []
    for field, left, _right, _score, v, text in rows:
        if not text:
            continue
        if v == "agree" and field in {"street", "zip", "city", "country_id"} and len(address) >= 2:
            if field == "city" or (field == address[-1] and "city" not in address):
                agree.append(f"same address ({left})" if field == "city" else "same address")
            continue
        (agree if v == "agree" else disagree).append(text)
    return merge_phrases(agree, disagree)
