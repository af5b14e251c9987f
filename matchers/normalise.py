"""Canonical forms of the fields that say whether two Odoo records are the same thing.

Everything here is a plain function of one value (plus the record's country where a national
form needs it), so the same text always folds to the same key, in blocking and in scoring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz

from odoo_triage.core.export_labels import copy_suffixes

# --------------------------------------------------------------------------- text folding

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DOTTED = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)|(?<=\b[a-z])\.")  # "s.a." -> "sa", "b.v." -> "bv"


# Per-value caches for the values records share (towns, domains, legal forms). Small on purpose:
# callers normalise each distinct value once (partners._each), and 200,000 cached names, e-mails,
# phones and VAT numbers per function held ~300 MB after a 300,000-partner run.
CACHE = 8192


@lru_cache(maxsize=CACHE)
def fold(text: str | None) -> str:
    """Lower-case ASCII with accents stripped, punctuation turned into single spaces."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae")
    s = s.replace("ł", "l").replace("Ł", "l").replace("đ", "d").replace("Đ", "d")
    s = s.lower().replace("&", " and ").replace("+", " and ")
    s = _DOTTED.sub("", s)
    return _NON_ALNUM.sub(" ", s).strip()


# --------------------------------------------------------------------------- legal forms

# Token sequences (after folding, dots dropped) that name a legal form, per country family.
LEGAL_FORMS: dict[str, list[str]] = {
    "english": ["inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "plc", "corp", "corporation",
                "co", "company", "pty ltd", "pty", "pvt ltd", "pvt", "pte ltd", "pte", "lc", "pllc"],
    "german": ["gmbh", "ag", "kg", "kgaa", "ohg", "ug", "gbr", "ev", "mbh", "gmbh and co kg", "se"],
    "french": ["sarl", "sas", "sasu", "sa", "eurl", "sci", "snc", "sca", "scop"],
    "spanish_portuguese": ["sl", "slu", "sll", "slp", "sa de cv", "ltda", "limitada", "lda", "cia", "sau",
                           "sociedad limitada", "sociedad limitada profesional", "sociedad anonima", "sccl",
                           "me", "epp", "eireli"],  # Brazil's ME / EPP (size) and EIRELI close a name as Ltda does
    "italian": ["srl", "srls", "spa", "sapa", "sas", "snc", "scarl"],
    "benelux": ["bv", "nv", "vof", "cv", "bvba", "sprl", "scrl", "srl", "comm v", "commv"],
    "nordic": ["oy", "oyj", "ab", "publ", "as", "asa", "aps", "is", "hf", "ehf", "ans", "da", "hb", "kb", "ky"],
    "central_eastern": ["sp z oo", "sp zoo", "spzoo", "sa", "sro", "as", "kft", "zrt", "nyrt", "bt", "doo",
                        "dd", "ad", "ood", "eood", "srl", "ooo", "zao", "oao", "pao", "ou", "uab", "sia"],
    "asia_other": ["kk", "gk", "bhd", "sdn bhd", "sdn", "tbk", "pt", "jsc", "ltd sti", "as"],
}
_LEGAL_SEQUENCES: list[tuple[str, ...]] = sorted(
    {tuple(form.split()) for forms in LEGAL_FORMS.values() for form in forms}, key=len, reverse=True
)
LEGAL_TOKENS: frozenset[str] = frozenset(t for seq in _LEGAL_SEQUENCES for t in seq) | {"and"}


@dataclass(frozen=True)
class CompanyName:
    folded: str  # the whole name, folded
    core: str  # without legal forms at either end
    legal: tuple[str, ...]  # the legal-form tokens removed, e.g. ("gmbh",)


_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _seq in _LEGAL_SEQUENCES:  # longest first, so "gmbh and co kg" wins over "kg"
    _BY_LAST.setdefault(_seq[-1], []).append(_seq)
    if len(_seq) <= 2 and _seq[0] not in {"co", "company", "and", "me"}:  # "ME Engenharia": a name, not a form
        _BY_FIRST.setdefault(_seq[0], []).append(_seq)


def _strip_legal(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Remove legal forms at the end (repeatedly) and at the start, keeping at least one token."""
    removed: list[str] = []
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for seq in _BY_LAST.get(tokens[-1], ()):
            n = len(seq)
            if len(tokens) > n and tuple(tokens[-n:]) == seq:
                removed[:0] = tokens[-n:]
                tokens = tokens[:-n]
                changed = True
                break
        else:
            for seq in _BY_FIRST.get(tokens[0], ()):
                n = len(seq)
                if len(tokens) > n and tuple(tokens[:n]) == seq:
                    removed.extend(tokens[:n])
                    tokens = tokens[n:]
                    changed = True
                    break
        while len(tokens) > 1 and tokens[-1] == "and":  # "Smith and" left after "& Co"
            tokens = tokens[:-1]
            changed = True
    return tokens, removed


@lru_cache(maxsize=CACHE)
def company_name(name: str | None) -> CompanyName:
    """Split a company name into its distinctive core and its legal form."""
    folded = fold(name)
    tokens = folded.split()
    core, removed = _strip_legal(tokens)
    return CompanyName(folded=folded, core=" ".join(core), legal=tuple(removed))


# --------------------------------------------------------------------------- countries

# name or ISO code (folded) -> (ISO 3166 alpha-2, calling code, national trunk prefix)
_COUNTRIES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("BE", "32", "0", ("belgium", "belgique", "belgie")),
    ("NL", "31", "0", ("netherlands", "the netherlands", "nederland", "holland")),
    ("LU", "352", "", ("luxembourg",)),
    ("DE", "49", "0", ("germany", "deutschland")),
    ("AT", "43", "0", ("austria", "osterreich")),
    ("CH", "41", "0", ("switzerland", "schweiz", "suisse")),
    ("FR", "33", "0", ("france",)),
    ("ES", "34", "", ("spain", "espana")),
    ("PT", "351", "", ("portugal",)),
    ("IT", "39", "", ("italy", "italia")),
    ("GB", "44", "0", ("united kingdom", "uk", "great britain", "england")),
    ("IE", "353", "0", ("ireland",)),
    ("US", "1", "1", ("united states", "usa", "united states of america")),
    ("CA", "1", "1", ("canada",)),
    ("SE", "46", "0", ("sweden", "sverige")),
    ("NO", "47", "", ("norway", "norge")),
    ("DK", "45", "", ("denmark", "danmark")),
    ("FI", "358", "0", ("finland", "suomi")),
    ("IS", "354", "", ("iceland",)),
    ("EE", "372", "", ("estonia",)),
    ("LV", "371", "", ("latvia",)),
    ("LT", "370", "8", ("lithuania",)),
    ("PL", "48", "", ("poland", "polska")),
    ("CZ", "420", "", ("czech republic", "czechia")),
    ("SK", "421", "0", ("slovakia",)),
    ("HU", "36", "06", ("hungary",)),
    ("RO", "40", "0", ("romania",)),
    ("BG", "359", "0", ("bulgaria",)),
    ("GR", "30", "", ("greece",)),
    ("SI", "386", "0", ("slovenia",)),
    ("HR", "385", "0", ("croatia",)),
    ("AU", "61", "0", ("australia",)),
    ("NZ", "64", "0", ("new zealand",)),
    ("JP", "81", "0", ("japan",)),
    ("IN", "91", "0", ("india",)),
    ("SG", "65", "", ("singapore",)),
    ("BR", "55", "0", ("brazil", "brasil")),
    ("MX", "52", "", ("mexico",)),
    ("ZA", "27", "0", ("south africa",)),
]
_COUNTRY_BY_KEY: dict[str, tuple[str, str, str]] = {}
for _iso, _cc, _trunk, _names in _COUNTRIES:
    for _key in (_iso.lower(), *_names):
        _COUNTRY_BY_KEY[_key] = (_iso, _cc, _trunk)
_COUNTRY_BY_KEY["el"] = _COUNTRY_BY_KEY["gr"]  # Greece's VAT prefix
_CALLING_CODES = sorted({cc for _, cc, _, _ in _COUNTRIES}, key=len, reverse=True)


@lru_cache(maxsize=4096)
def country_iso(country: str | None) -> str:
    """ISO alpha-2 code of a country name or code; empty when unknown."""
    hit = _COUNTRY_BY_KEY.get(fold(country))
    return hit[0] if hit else ""


# --------------------------------------------------------------------------- e-mail

FREE_MAIL_DOMAINS: frozenset[str] = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fr", "hotmail.co.uk", "live.com",
    "msn.com", "yahoo.com", "yahoo.fr", "yahoo.de", "yahoo.co.uk", "ymail.com", "gmx.de", "gmx.net", "gmx.com",
    "gmx.at", "gmx.ch", "web.de", "t-online.de", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
    "protonmail.com", "mail.com", "zoho.com", "yandex.com", "yandex.ru", "mail.ru", "orange.fr", "free.fr",
    "laposte.net", "skynet.be", "telenet.be", "libero.it", "seznam.cz", "wp.pl", "onet.pl", "hey.com",
    "fastmail.com", "tutanota.com", "qq.com", "163.com",
})


@dataclass(frozen=True)
class Email:
    address: str  # local part without +tag, lower case, "@", domain
    domain: str
    free: bool  # a free-mail domain says nothing about the company


@lru_cache(maxsize=CACHE)
def email(value: str | None) -> Email | None:
    """Canonical e-mail: case-folded, plus-addressing removed; None when not an address."""
    if not value:
        return None
    s = str(value).strip().lower()
    m = re.search(r"<([^>]+)>", s)  # "Jane Doe <jane@acme.com>"
    if m:
        s = m.group(1)
    s = s.strip(" .;,'\"")
    if s.startswith("mailto:"):
        s = s[7:]
    if s.count("@") != 1:
        return None
    local, domain = s.split("@")
    local = local.split("+", 1)[0]
    domain = domain.strip().rstrip(".")
    if domain == "googlemail.com":
        domain = "gmail.com"
    if domain == "gmail.com":
        local = local.replace(".", "")
    if not local or "." not in domain:
        return None
    return Email(address=f"{local}@{domain}", domain=domain, free=domain in FREE_MAIL_DOMAINS)


# --------------------------------------------------------------------------- phone

_PHONE_EXT = re.compile(r"(?:ext\.?|x|#)\s*\d+\s*$", re.IGNORECASE)


@lru_cache(maxsize=CACHE)
def phone(value: str | None, country: str | None = None) -> str:
    """E.164-like digits "+<country code><number>"; national numbers take the record's country.

    A national number of a record without a known country keeps its bare digits (still
    comparable on the last digits, which `phone_tail` gives).
    """
    if not value:
        return ""
    s = _PHONE_EXT.sub("", str(value).strip())
    s = re.sub(r"\(0\)", "", s)  # "+32 (0)2 123 45 67"
    international = s.startswith("+") or s.startswith("00")
    digits = re.sub(r"\D", "", s)
    if international:
        if digits.startswith("00"):
            digits = digits[2:]
        return "+" + digits if len(digits) >= 6 else ""
    if len(digits) < 6:
        return ""
    hit = _COUNTRY_BY_KEY.get(fold(country))
    if hit:
        _iso, cc, trunk = hit
        if trunk and digits.startswith(trunk):
            digits = digits[len(trunk):]
        elif cc == "1" and len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        return f"+{cc}{digits}"
    return digits


def phone_tail(canonical: str, n: int = 8) -> str:
    """The last digits: equal tails of two numbers survive a missing or wrong country code."""
    digits = canonical.lstrip("+")
    return digits[-n:] if len(digits) >= n else ""


# --------------------------------------------------------------------------- VAT

# A loose well-formedness check per country (what follows the prefix), enough to tell a real
# VAT number from a placeholder such as "/" or "N/A".
_VAT_BODY = {
    "BE": r"[01]\d{9}", "NL": r"\d{9}B\d{2}", "DE": r"\d{9}", "FR": r"[0-9A-Z]{2}\d{9}", "GB": r"\d{9}(\d{3})?",
    "LU": r"\d{8}", "AT": r"U\d{8}", "ES": r"[0-9A-Z]\d{7}[0-9A-Z]", "IT": r"\d{11}", "PT": r"\d{9}",
    "SE": r"\d{12}", "DK": r"\d{8}", "FI": r"\d{8}", "NO": r"\d{9}(MVA)?", "PL": r"\d{10}", "CZ": r"\d{8,10}",
    "IE": r"\d{7}[A-Z]{1,2}", "EL": r"\d{9}", "CH": r"E?\d{9}(MWST|TVA|IVA)?", "EE": r"\d{9}", "LT": r"\d{9,12}",
    "LV": r"\d{11}", "HU": r"\d{8}", "SK": r"\d{10}", "SI": r"\d{8}", "HR": r"\d{11}", "RO": r"\d{2,10}",
    "BG": r"\d{9,10}",
    # Brazil: a CNPJ (14 characters, alphanumeric from July 2026) or a person's CPF (11 digits); Australia: the ABN
    "BR": r"[0-9A-Z]{12}\d{2}|\d{11}", "AU": r"\d{11}",
}
_VAT_PREFIX = {"GR": "EL"}


def _mod11(body: str, weights: list[int]) -> int:
    total = sum((ord(ch) - 48) * w for ch, w in zip(body, weights, strict=True)) % 11
    return 0 if total < 2 else 11 - total


def _br_checksum(body: str) -> bool:
    """CNPJ / CPF check digits (Receita Federal: mod 11; a CNPJ character counts as its ASCII code - 48, so the
    alphanumeric CNPJ checks the same way). A CPF of one repeated digit passes the sum but is a placeholder."""
    if len(body) == 14:
        w = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
        return body[12:] == f"{_mod11(body[:12], w)}{_mod11(body[:13], [6, *w])}"
    if len(set(body)) == 1:
        return False
    d1 = (sum(int(c) * w for c, w in zip(body[:9], range(10, 1, -1), strict=True)) * 10 % 11) % 10
    d2 = (sum(int(c) * w for c, w in zip(body[:10], range(11, 1, -1), strict=True)) * 10 % 11) % 10
    return body[9:] == f"{d1}{d2}"


def _abn_checksum(body: str) -> bool:
    """Australian Business Number (ATO): one less on the first digit, weighted sum divisible by 89."""
    digits = [int(c) for c in body]
    digits[0] -= 1
    return sum(d * w for d, w in zip(digits, [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19], strict=True)) % 89 == 0


# Countries whose numbers carry check digits: a typo in them is not another company's number.
_VAT_CHECKSUM = {"BR": _br_checksum, "AU": _abn_checksum}


@dataclass(frozen=True)
class Vat:
    value: str  # country prefix + body, no separators, e.g. "BE0477472701"
    valid: bool  # well-formed for its country


@lru_cache(maxsize=CACHE)
def vat(value: str | None, country: str | None = None) -> Vat | None:
    """Canonical VAT: prefix, spaces, dots and dashes unified; a bare number takes the record's country."""
    if not value:
        return None
    s = re.sub(r"[^0-9A-Za-z]", "", str(value)).upper()
    if not s or not any(ch.isdigit() for ch in s):
        return None
    iso = country_iso(country)
    home = _VAT_PREFIX.get(iso, iso)
    own = _VAT_BODY.get(home)
    prefix = s[:2] if s[:2].isalpha() else ""
    theirs = _VAT_BODY.get(_VAT_PREFIX.get(prefix, prefix))
    if prefix and not (theirs and re.fullmatch(theirs, s[2:])) and own and re.fullmatch(own, s):
        prefix = ""  # the number as the record's country writes it (an alphanumeric CNPJ may start with letters)
    body = s[2:] if prefix else s
    if not prefix:
        prefix = home
    prefix = _VAT_PREFIX.get(prefix, prefix)
    if prefix == "BE" and len(body) == 9 and body.isdigit():
        body = "0" + body  # old 9-digit Belgian numbers
    pattern = _VAT_BODY.get(prefix)
    valid = bool(re.fullmatch(pattern, body)) if pattern else (len(body) >= 8 and prefix != "")
    if valid and prefix in _VAT_CHECKSUM:
        valid = _VAT_CHECKSUM[prefix](body)
    return Vat(value=f"{prefix}{body}", valid=valid)


# Words that name a branch office of a company ("X GmbH Niederlassung Linz", "X SA succursale de Lyon"):
# a branch is its own partner (own address, phone, often the company's VAT), not a duplicate.
BRANCH_WORDS = frozenset({"niederlassung", "zweigniederlassung", "filiale", "filial", "zweigstelle", "geschaftsstelle",
                          "branch", "branch office", "succursale", "agence", "etablissement secondaire", "sucursal",
                          "delegacion", "filiaal", "vestiging", "nevenvestiging", "filiale di", "sede secondaria"})
_BRANCH = re.compile(r"\b(?:" + "|".join(sorted((re.escape(w) for w in BRANCH_WORDS), key=len, reverse=True))
                     + r")\b.*$")


def branch(name: str | None) -> str:
    """The branch part of a partner name, folded ("niederlassung salzburg"); "" for the head office."""
    m = _BRANCH.search(fold(name))
    return m.group(0).strip() if m else ""


# --------------------------------------------------------------------------- projects

_CODE = re.compile(r"\b([A-Za-z]{2,10})[-_/ ]?((?:19|20)\d{2})[-_/ ](\d{1,5})\b")
_OTHER_CODE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_STOP = frozenset({"the", "a", "an", "of", "for", "and", "to", "in", "on", "de", "la", "le", "der", "die", "das",
                   "project", "projet", "projekt", "du", "des", "het", "van", "voor", "fur", "el", "los", "del",
                   "y", "et", "und", "en", "from", "von", "with"})


# Words that make a second engagement of the same topic: "Website revamp phase 2", "ERP follow-up".
_PHASE = re.compile(r"\b(?:(phase|stage|part|wave|lot|sprint|release|step|fase|etappe)\s*([0-9]+|[ivx]+)\b"
                    r"|(follow[\s-]?up|followup|continuation|extension|renewal|v\s?[0-9])\b"
                    r"|\b([0-9]+\.0)\b|\b(ii|iii|iv|vi)\b)", re.IGNORECASE)


def _phase_key(match: re.Match[str]) -> str:
    word, num, other, version, roman = match.groups()
    if word:
        return f"{word.lower()} {num.lower()}"
    if other:
        return re.sub(r"[\s-]", "", other.lower())
    return (version or roman or "").lower()


# Stage words: an engagement of its own before or after the project proper ("Cloud migration discovery",
# "Crew scheduling pilot", "ERP hypercare"), so a phase, not a topic word. Canonical form per word.
STAGE_WORDS = {
    "discovery": "discovery", "scoping": "discovery", "cadrage": "discovery", "vorstudie": "discovery",
    "verkenning": "discovery", "descubrimiento": "discovery", "decouverte": "discovery",
    "pilot": "pilot", "pilote": "pilot", "piloto": "pilot", "poc": "poc", "hypercare": "hypercare",
}
_STAGE_PHRASES = (("proof of concept", "poc"), ("preuve de concept", "poc"), ("prueba de concepto", "poc"))


@lru_cache(maxsize=CACHE)
def stage_word(word: str) -> str:
    """The stage a topic word names ("discovery"), "" for none; a typo of a long stage word counts
    ("disovery"): the first letter and most of the rest agree."""
    if word in STAGE_WORDS:
        return STAGE_WORDS[word]
    if len(word) >= 7:
        for stage, canon in STAGE_WORDS.items():
            if len(stage) >= 7 and stage[0] == word[0] and fuzz.ratio(word, stage) >= 85:
                return canon
    return ""


# The words PS firms name engagements with, in the languages of their clients, as one English word:
# "Refonte du site web" and "Website revamp" share a topic. Data, not a translator: only words
# that name the kind of work or the module, never a client's business.
_TOPIC_WORDS = {
    "implementatie": "implementation", "einfuhrung": "implementation", "einfuehrung": "implementation",
    "implantation": "implementation", "implementacion": "implementation", "implementazione": "implementation",
    "impl": "implementation", "invoering": "implementation",
    "migratie": "migration", "migracion": "migration", "migrazione": "migration", "upgrade": "migration",
    "boekhouding": "accounting", "buchhaltung": "accounting", "comptabilite": "accounting",
    "contabilidad": "accounting", "finanzbuchhaltung": "accounting",
    "refonte": "revamp", "redesign": "revamp", "relaunch": "revamp",
    "portail": "portal", "portaal": "portal", "portale": "portal",
    "inventario": "inventory", "voorraad": "inventory", "lagerbestand": "inventory", "stock": "inventory",
    "optimizacion": "optimisation", "optimierung": "optimisation", "optimalisatie": "optimisation",
    "optimization": "optimisation",
    "fertigung": "manufacturing", "productie": "manufacturing", "produktion": "manufacturing", "mrp": "manufacturing",
    "lieferanten": "supplier", "leveranciers": "supplier", "fournisseurs": "supplier", "proveedores": "supplier",
    "suppliers": "supplier", "vendors": "supplier", "vendor": "supplier",
    "planung": "planning", "planificacion": "planning", "planification": "planning",
    "buitendienst": "field service", "aussendienst": "field service", "fsm": "field service",
    "deploiement": "rollout", "despliegue": "rollout", "uitrol": "rollout", "roll": "rollout",
    "caisse": "pos", "kassa": "pos", "kasse": "pos",
    "servicecontracten": "service contract", "servicevertrage": "service contract", "wartungsvertrage": "service contract",
    "formation": "training", "schulung": "training", "opleiding": "training", "formacion": "training",
    "ecommerce": "ecommerce", "webshop": "ecommerce", "eshop": "ecommerce",
    "rapportage": "reporting", "berichtswesen": "reporting", "informes": "reporting",
}
# Multi-word forms, applied to the folded name before it is split (longest first).
_TOPIC_PHRASES = (("e commerce", "ecommerce"), ("site web", "website"), ("web site", "website"),
                  ("roll out", "rollout"), ("set up", "setup"), ("work flow", "workflow"), ("health check", "healthcheck"))


def topic_word(word: str) -> str:
    """One topic word in a canonical form: the glossary's English word, then a light stem
    ("calculations" -> "calculation", "royalties" -> "royalty"), so plural and spelling do not part a topic."""
    word = _TOPIC_WORDS.get(word, word)
    if re.fullmatch(r"v\d{2,}", word):  # a product version ("v16"): the number, as "16" is written elsewhere
        return word[1:]
    if " " in word:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class ProjectName:
    folded: str
    code: str  # "ACME-2024-017" -> "acme 2024 17", empty when the name has none
    code_number: str  # "17"
    years: tuple[str, ...]
    topic: str  # the words left once code, years, client name and legal forms are gone
    client_tokens: tuple[str, ...]  # client-looking prefix tokens (the code's letters, "acme corp")
    phases: tuple[str, ...] = ()  # "phase 2", "followup": a later engagement, not the same project


@cache
def _copy_suffix() -> re.Pattern[str]:
    markers = "|".join(re.escape(m) for m in copy_suffixes("project.project")) or r"(?!)"
    return re.compile(rf"(?:\s*(?:{markers}))+\s*$", re.IGNORECASE)


def without_copy_suffix(name: str) -> str:
    """The name without the marker Odoo's Duplicate appends ("Website (copy)", "Site web (copie)"): the
    copy's name is the original's, whoever forgot to rename it."""
    return _copy_suffix().sub("", name)


@lru_cache(maxsize=CACHE)
def project_code(value: str | None) -> tuple[str, str]:
    """A project code column's value as project_name reads a code in a name: (code, number),
    "CLC-2025-0103" -> ("clc 2025 103", "103"); a code of another shape is its folded text."""
    parsed = project_name(value)
    if parsed.code:
        return parsed.code, parsed.code_number
    folded = fold(value)
    if not folded:
        return "", ""
    digits = re.sub(r"\D", "", folded)
    return folded, (digits.lstrip("0") or "0") if digits else ""


@lru_cache(maxsize=CACHE)
def project_name(name: str | None, client: str | None = None) -> ProjectName:
    """Split a project name into its code, years, client words and topic words."""
    name = without_copy_suffix(str(name or ""))
    raw = unicodedata.normalize("NFKD", name)
    raw = "".join(ch for ch in raw if not unicodedata.combining(ch))
    code = number = ""
    client_tokens: list[str] = []
    m = _CODE.search(raw)
    if m:
        number = str(int(m.group(3)))
        code = f"{m.group(1).lower()} {m.group(2)} {number}"
        client_tokens.append(fold(m.group(1)))
        raw = raw[: m.start()] + " " + raw[m.end():]
    else:
        m2 = _OTHER_CODE.search(raw)
        if m2:
            code = fold(m2.group(0))
            number = re.sub(r"\D", "", m2.group(0)).lstrip("0") or "0"
            raw = raw[: m2.start()] + " " + raw[m2.end():]
    years = tuple(sorted(set(_YEAR.findall(raw)) | ({code.split()[1]} if m else set())))
    raw = _YEAR.sub(" ", raw)
    phases = tuple(sorted({_phase_key(p) for p in _PHASE.finditer(raw)}))
    raw = _PHASE.sub(" ", raw)
    # "Acme Corp - Website Revamp": the part before a dash is the client when a client is named
    # or it ends with a legal form.
    parts = re.split(r"\s[-–—:|]\s|\s*[:|]\s*", raw, maxsplit=1)
    client_folded = company_name(client).core if client else ""
    if len(parts) == 2 and fold(parts[0]) and fold(parts[1]):
        head = company_name(parts[0])
        head_tokens = set(head.core.split())
        initials = "".join(w[0] for w in client_folded.split())
        # with the client's name known, the head is the client only when it says so (its words, its
        # initials, a legal form): a short head is as often the topic ("Traceability - lots & expiry");
        # without it, a short head is taken for the client
        if head.legal or (not client_folded and len(head.folded.split()) <= 6) or (
                client_folded and (head_tokens & set(client_folded.split())
                                   or (len(initials) >= 2 and head.folded.replace(" ", "") == initials))):
            client_tokens.extend(head.folded.split())
            raw = parts[1]
    folded_raw = fold(raw)
    for phrase, canon in _TOPIC_PHRASES:
        folded_raw = re.sub(rf"\b{phrase}\b", canon, folded_raw)
    for phrase, canon in _STAGE_PHRASES:
        folded_raw = re.sub(rf"\b{phrase}\b", canon, folded_raw)
    words = [topic_word(t) for t in folded_raw.split() if t not in _STOP]
    drop = set(client_folded.split()) | set(client_tokens)
    topic = [t for t in words if t not in drop and t not in LEGAL_TOKENS]
    if not topic:
        topic = words
    stages = [stage_word(t) for t in topic]
    if any(stages):  # a stage word is a phase; the topic keeps it only when it is all the name says
        phases = tuple(sorted(set(phases) | {st for st in stages if st}))
        topic = [t for t, st in zip(topic, stages, strict=True) if not st] or topic
    return ProjectName(folded=fold(name), code=code, code_number=number, years=years,
                       topic=" ".join(topic), client_tokens=tuple(dict.fromkeys(client_tokens)), phases=phases)
