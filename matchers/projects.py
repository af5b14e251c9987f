"""project.project: normalised columns, blocking within a client, pair features and comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from odoo_triage.core.settings import MatcherSettings
from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.blocking import single_key_pairs, unique_sorted
from odoo_triage.matchers.model import compared, same_or_missing
from odoo_triage.matchers.records import columns

FEATURES = [
    "topic_jaccard", "topic_token_sort", "topic_jaro_winkler", "name_full_ratio", "name_equal",
    "code_same", "code_diff", "number_same", "number_diff", "one_code", "year_same", "year_diff",
    "date_start_same", "date_start_days", "date_end_same", "user_same", "company_same", "client_same",
    "topic_tokens_min", "topic_equal", "phase_diff", "code_variant",
]



@dataclass
class ProjectTable:
    frame: pd.DataFrame
    raw: dict[str, np.ndarray]
    ids: np.ndarray
    folded: np.ndarray
    topic: np.ndarray
    code: np.ndarray
    number: np.ndarray
    years: list[frozenset[str]]
    phases: np.ndarray  # "phase 2|followup", "" when none
    client: np.ndarray  # partner id, else the partner's folded name, else ""
    user: np.ndarray
    company: np.ndarray
    date_start: np.ndarray  # days since epoch, NaN when empty
    date_start_text: np.ndarray
    date_end_text: np.ndarray
    active: np.ndarray
    filled: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _client_key(pid: str, pname: str) -> str:
    if pid:
        return "id:" + pid
    core = nz.company_name(pname).core
    return "name:" + core if core else ""


def prepare(frame: pd.DataFrame) -> ProjectTable:
    names = [nz.project_name(n, c or None) for n, c in zip(frame["name"], frame["partner_id_name"], strict=True)]
    # a project code column (when the export has one) is the project's identifier: it wins over a code in the name
    given = [nz.project_code(c) for c in (frame["code"] if "code" in frame.columns else [""] * len(frame))]
    codes = [g if g[0] else (p.code, p.code_number) for g, p in zip(given, names, strict=True)]
    obj = lambda xs: np.array(xs, dtype=object)  # noqa: E731
    dates = pd.to_datetime(frame["date_start"].replace("", None), errors="coerce")
    days = ((dates - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=np.float64, na_value=np.nan)
    filled = np.zeros(len(frame), dtype=np.int64)
    for col in ["name", "partner_id", "user_id", "company_id", "date_start", "date"]:
        filled += (frame[col].to_numpy(dtype=object) != "").astype(np.int64)
    return ProjectTable(
        frame=frame,
        raw=columns(frame),
        ids=frame["id"].to_numpy(dtype=np.int64),
        folded=obj([p.folded for p in names]),
        topic=obj([p.topic for p in names]),
        code=obj([c for c, _ in codes]),
        number=obj([num for _, num in codes]),
        years=[frozenset(p.years) for p in names],
        phases=obj(["|".join(p.phases) for p in names]),
        client=obj([_client_key(i, n) for i, n in zip(frame["partner_id"], frame["partner_id_name"], strict=True)]),
        user=obj([u or nz.fold(un) for u, un in zip(frame["user_id"], frame["user_id_name"], strict=True)]),
        company=obj([c or nz.fold(cn) for c, cn in zip(frame["company_id"], frame["company_id_name"], strict=True)]),
        date_start=days,
        date_start_text=obj([str(d)[:10] for d in frame["date_start"]]),
        date_end_text=obj([str(d)[:10] for d in frame["date"]]),
        active=frame["active"].to_numpy(dtype=bool),
        filled=filled,
    )


def blocking_keys(t: ProjectTable) -> dict[str, np.ndarray]:
    """Pairs within one client, on several keys so a client with hundreds of projects stays cheap.

    Keys: the client alone (small clients), and client + start date, + topic words, + code,
    + code number and year. Projects without a client block on topic words and code alone.
    """
    n = len(t)
    order = np.argsort(np.argsort(t.topic.astype(str), kind="stable"))
    topic_key = np.array([" ".join(sorted(x.split())) for x in t.topic], dtype=object)
    years = np.array([" ".join(sorted(y)) for y in t.years], dtype=object)

    def with_client(values: np.ndarray) -> list[str]:
        return [f"{c}|{v}" if v and c else "" for c, v in zip(t.client, values, strict=True)]

    numbers = np.array([f"{y}#{num}" if num else "" for y, num in zip(years, t.number, strict=True)], dtype=object)
    keyed = {
        "client": single_key_pairs(list(t.client), n, order, max_block=40, window=3),
        "client_start_date": single_key_pairs(with_client(t.date_start_text), n, order),
        "client_topic": single_key_pairs(with_client(topic_key), n, order),
        "client_code": single_key_pairs(with_client(t.code), n, order),
        "client_year_number": single_key_pairs(with_client(numbers), n, order),
    }
    no_client = t.client == ""
    others = np.concatenate([single_key_pairs(list(topic_key), n, order), single_key_pairs(list(t.code), n, order)])
    lo, hi = others // n, others % n
    keep = no_client[lo] | no_client[hi]
    return keyed | {"no_client_topic_or_code": unique_sorted(others[keep])}


def candidate_pairs(t: ProjectTable, keys: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Union of the pairs of every blocking key, encoded low * n + high."""
    keys = blocking_keys(t) if keys is None else keys
    return unique_sorted(np.concatenate(list(keys.values())))


def never_pair(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Projects of two different clients are never one project."""
    cl, cr = t.client[left], t.client[right]
    return (cl != "") & (cr != "") & (cl != cr)


def features(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    m = len(left)
    X = np.zeros((m, len(FEATURES)), dtype=np.float32)
    if m == 0:
        return X
    col = {name: i for i, name in enumerate(FEATURES)}
    tl, tr = list(t.topic[left]), list(t.topic[right])
    X[:, col["topic_jaccard"]] = _jaccard(t.topic[left], t.topic[right])
    X[:, col["topic_token_sort"]] = process.cpdist(tl, tr, scorer=fuzz.token_sort_ratio, workers=-1) / 100
    X[:, col["topic_jaro_winkler"]] = process.cpdist(tl, tr, scorer=JaroWinkler.normalized_similarity, workers=-1)
    X[:, col["name_full_ratio"]] = process.cpdist(
        list(t.folded[left]), list(t.folded[right]), scorer=fuzz.ratio, workers=-1) / 100
    X[:, col["name_equal"]] = t.folded[left] == t.folded[right]
    X[:, col["topic_equal"]] = t.topic[left] == t.topic[right]
    cdl, cdr = t.code[left], t.code[right]
    X[:, col["code_same"]] = (cdl != "") & (cdl == cdr)
    variant = _code_variant(t, left, right)
    X[:, col["code_variant"]] = variant
    X[:, col["code_diff"]] = (cdl != "") & (cdr != "") & (cdl != cdr) & ~variant
    X[:, col["phase_diff"]] = t.phases[left] != t.phases[right]
    nl, nr = t.number[left], t.number[right]
    X[:, col["number_same"]] = (nl != "") & (nl == nr)
    X[:, col["number_diff"]] = (nl != "") & (nr != "") & (nl != nr)
    X[:, col["one_code"]] = (cdl != "") ^ (cdr != "")
    yl = [t.years[i] for i in left]
    yr = [t.years[i] for i in right]
    X[:, col["year_same"]] = [bool(a & b) for a, b in zip(yl, yr, strict=True)]
    X[:, col["year_diff"]] = [bool(a and b and not (a & b)) for a, b in zip(yl, yr, strict=True)]
    X[:, col["date_start_same"]] = same_or_missing(t.date_start_text[left], t.date_start_text[right])
    X[:, col["date_start_days"]] = np.abs(t.date_start[left] - t.date_start[right])
    X[:, col["date_end_same"]] = _end_date_same(t, left, right)
    X[:, col["user_same"]] = same_or_missing(t.user[left], t.user[right])
    X[:, col["company_same"]] = same_or_missing(t.company[left], t.company[right])
    X[:, col["client_same"]] = same_or_missing(t.client[left], t.client[right])
    ntok = np.array([len(x.split()) for x in t.topic], dtype=np.float32)
    X[:, col["topic_tokens_min"]] = np.minimum(ntok[left], ntok[right])
    return X


def _end_date_same(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Equal end dates agree; with the start dates equal, different end dates count as missing: the
    expiration date is the one planners move (an extension, a default duration on a second creation),
    so it tells a copy from its original no more than an empty one does."""
    out = same_or_missing(t.date_end_text[left], t.date_end_text[right])
    starts = t.date_start_text[left]
    moved = (out == 0) & (starts != "") & (starts == t.date_start_text[right])
    out[moved] = np.nan
    return out


def _jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Shared topic words over all topic words: "website" vs "website revamp" is 0.5, not a subset's 100."""
    out = np.zeros(len(a), dtype=np.float32)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        sx, sy = set(x.split()), set(y.split())
        out[k] = len(sx & sy) / len(sx | sy) if sx | sy else 0.0
    return out


def _code_variant(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """One code written two ways: the same year and number under another prefix ("ACME-2024-017" /
    "ACM-2024-017"), or a keying slip in its digits ("P-2571" / "P-257") on two projects of one topic
    that start the same day."""
    cl, cr = t.code[left], t.code[right]
    tail = lambda c: c.split(" ", 1)[1] if c.count(" ") >= 2 else ""  # noqa: E731
    prefix = np.array([bool(a and b and a != b and tail(a) and tail(a) == tail(b)) for a, b in zip(cl, cr, strict=True)],
                      dtype=bool)
    starts = t.date_start_text[left]
    same_rest = (t.topic[left] == t.topic[right]) & (t.topic[left] != "") & (starts != "") & (
        starts == t.date_start_text[right])
    slip = np.zeros(len(left), dtype=bool)
    for k in np.flatnonzero(same_rest & (cl != cr) & (cl != "") & (cr != "")):
        slip[k] = digit_slip(cl[k], cr[k])
    return prefix | slip


def digit_slip(a: str, b: str) -> bool:
    """Whether two codes are one typed twice with a slip in a digit: one dropped or doubled, or two
    neighbours swapped ("2571" / "257", "2517"). A digit replaced by another is a neighbouring
    number of one sequence ("017" / "018"): another project, not a slip."""
    if abs(len(a) - len(b)) == 1:
        short, long_ = (a, b) if len(a) < len(b) else (b, a)
        k = next((i for i, (x, y) in enumerate(zip(short, long_, strict=False)) if x != y), len(short))
        return long_[k].isdigit() and short == long_[:k] + long_[k + 1:]
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
            and a[diff[0]].isdigit() and a[diff[1]].isdigit())


def _counterpart(word: str, others: set[str]) -> bool:
    """Whether another name's topic has this word, or an abbreviation, a longer form or a typo of it
    ("mgmt" / "management", "rev" / "revenue", "budget" / "budgeting", "maintanance")."""
    if word in others:
        return True
    stem = _stem(word)
    for o in others:
        if stem == _stem(o):
            return True
        short, long_ = (word, o) if len(word) <= len(o) else (o, word)
        if len(short) >= 2 and long_.startswith(short):
            return True
        if len(short) >= 3 and short in long_:
            return True
        if len(short) >= 2 and short[0] == long_[0] and _subsequence(short, long_) and len(short) <= 5:
            return True  # an abbreviation made of the word's letters: "mgmt", "mngr"
        if len(short) >= 5 and fuzz.ratio(short, long_) >= 80:
            return True
    return False


def _stem(word: str) -> str:
    """"closing" and "close", "budgeted" and "budget": one stem."""
    return re.sub(r"(ing|ed|e)$", "", word) if len(word) > 4 else word


def _subsequence(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


def _distinct_topics(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Each name has a topic word the other has no form of: "Tenant portal" / "Owner portal", "Carrier
    integration DPD" / "... DHL". A word on one side only is detail ("Payroll integration (Visma)")."""
    out = np.zeros(len(left), dtype=bool)
    for k, (a, b) in enumerate(zip(t.topic[left], t.topic[right], strict=True)):
        wa, wb = set(a.split()), set(b.split())
        if wa == wb or not wa or not wb:
            continue
        out[k] = (any(not _counterpart(w, wb) for w in wa - wb)
                  and any(not _counterpart(w, wa) for w in wb - wa))
    return out


def _other_year(t: ProjectTable, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The names are for different years: both name a year and they differ, or one names a year
    its counterpart, which names none, did not start in ("Support 2026" / "Support" from 2025)."""
    out = np.zeros(len(left), dtype=bool)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        yi, yj = t.years[i], t.years[j]
        if yi and yj:
            out[k] = not (yi & yj)
        elif yi or yj:
            named, other = (yi, j) if yi else (yj, i)
            started = t.date_start_text[other][:4]
            out[k] = bool(started) and started.isdigit() and started not in named
    return out


def rule_cap(t: ProjectTable, left: np.ndarray, right: np.ndarray, knobs: MatcherSettings) -> np.ndarray:
    """Highest probability the rules allow each pair: another phase ("phase 2", "follow-up": a later
    engagement, whatever else agrees), another project number, another year, or topics that each
    have a word the other lacks cap it."""
    cap = np.ones(len(left), dtype=np.float64)
    if not len(left):
        return cap
    cap[t.phases[left] != t.phases[right]] = knobs.phase_cap
    cl, cr = t.code[left], t.code[right]
    differs = (cl != "") & (cr != "") & (cl != cr) & ~_code_variant(t, left, right)
    cap[differs] = np.minimum(cap[differs], knobs.code_cap)
    other_year = _other_year(t, left, right)
    cap[other_year] = np.minimum(cap[other_year], knobs.year_cap)
    distinct = _distinct_topics(t, left, right) & ~((cl != "") & (cl == cr))
    cap[distinct] = np.minimum(cap[distinct], knobs.topic_cap)
    return cap


def rule_floor(t: ProjectTable, left: np.ndarray, right: np.ndarray, knobs: MatcherSettings) -> np.ndarray:
    """Lowest probability the rules give each pair: one project code with its year and number
    ("NFL-2025-012") under one client is one project, however its topic is worded or translated
    (the project's identifier outweighs the name's spelling)."""
    floor = np.zeros(len(left), dtype=np.float64)
    cl, cr = t.code[left], t.code[right]
    same = (cl != "") & (cl == cr) & np.array([c.count(" ") >= 2 for c in cl], dtype=bool)
    same &= (t.client[left] != "") & (t.client[left] == t.client[right])
    floor[same] = knobs.code_floor
    return floor


def compare(t: ProjectTable, i: int, j: int) -> list[tuple[str, str, str, float, str, str]]:
    """(field, left, right, score, verdict, phrase) for each compared field of one pair."""
    f = t.raw
    out: list[tuple[str, str, str, float, str, str]] = []

    def add(field: str, left: str, right: str, score: float, agree: str, disagree: str) -> None:
        out.append(compared(field, left, right, score, agree, disagree))

    topic = float(_jaccard(t.topic[i:i + 1], t.topic[j:j + 1])[0])
    pct = round(topic * 100)
    if t.folded[i] == t.folded[j]:
        text = "same name"
    elif t.code[i] and t.code[j] and t.code[i] == t.code[j]:
        text = f"same project code and topic '{t.topic[i]}' ({pct})"
    else:
        text = f"same topic '{t.topic[i]}' ({pct})"
    disagree = f"different topics '{t.topic[i]}' / '{t.topic[j]}' ({pct})"
    if t.code[i] and t.code[j] and t.code[i] != t.code[j]:
        disagree = f"different project codes and topics ({pct})"
    if t.phases[i] != t.phases[j]:
        disagree = f"another phase ({t.phases[i] or 'none'} / {t.phases[j] or 'none'}) of '{t.topic[i]}'"
        topic = min(topic, 0.5)
    add("name", str(f["name"][i]), str(f["name"][j]), topic, text, disagree)
    pl = str(f["partner_id_name"][i] or f["partner_id"][i])
    pr = str(f["partner_id_name"][j] or f["partner_id"][j])
    add("partner_id", pl, pr, 1.0 if t.client[i] == t.client[j] else 0.0, f"same client {pl}" if not pl.isdigit() else f"same client (partner {pl})", "different client")
    add("date_start", t.date_start_text[i], t.date_start_text[j],
        1.0 if t.date_start_text[i] == t.date_start_text[j] else 0.0, "same start date", "different start date")
    add("user_id", str(f["user_id_name"][i] or f["user_id"][i]),
        str(f["user_id_name"][j] or f["user_id"][j]), 1.0 if t.user[i] == t.user[j] else 0.0,
        "same project manager", "different project manager")
    add("company_id", str(f["company_id_name"][i] or f["company_id"][i]),
        str(f["company_id_name"][j] or f["company_id"][j]), 1.0 if t.company[i] == t.company[j] else 0.0,
        "same company", "different company")
    return out


def reason(rows: list[tuple[str, str, str, float, str, str]]) -> str:
    agree = [r[5] for r in rows if r[4] == "agree" and r[5]]
    disagree = [r[5] for r in rows if r[4] == "disagree" and r[5]]
    diffs = [d.removeprefix("different ") for d in disagree if d.startswith("different ")]
    others = [d for d in disagree if not d.startswith("different ")]
    return "; ".join(agree + others + (["different " + ", ".join(diffs)] if diffs else []))
