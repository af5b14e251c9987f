"""res.partner and project.project records with labeled duplicates and hard look-alikes.

Duplicates are the kinds real firms accumulate (legal-suffix variants, typos, reordered words,
VAT written differently, another mailbox at the same domain, phone formatted differently,
missing fields, an archived copy); hard negatives are look-alikes that are different entities.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

PARTNER_FIELDS = ["id", "name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip",
                  "country_id", "is_company", "parent_id", "active", "write_date"]
PROJECT_FIELDS = ["id", "name", "partner_id", "user_id", "company_id", "active", "date_start", "date"]

PARTNER_DUP_KINDS = ["legal_suffix", "typo", "reordered", "vat_format", "email_domain", "phone_format",
                     "missing_fields", "archived"]
PROJECT_DUP_KINDS = ["title_form", "code_format", "typo", "case", "missing_code", "archived"]

# country code -> (name, legal suffixes, dial code, tld, [(city, zip, area)], streets)
COUNTRIES: dict[str, tuple[str, list[str], str, str, list[tuple[str, str, str]], list[str]]] = {
    "BE": ("Belgium", ["NV", "BV", "SRL"], "32", "be",
           [("Brussels", "1000", "2"), ("Antwerp", "2000", "3"), ("Ghent", "9000", "9"), ("Leuven", "3000", "16"),
            ("Liège", "4000", "4")], ["Rue de la Loi", "Meir", "Veldstraat", "Avenue Louise", "Bondgenotenlaan"]),
    "NL": ("Netherlands", ["B.V.", "N.V."], "31", "nl",
           [("Amsterdam", "1012 AB", "20"), ("Rotterdam", "3011 AD", "10"), ("Utrecht", "3511 LX", "30"),
            ("Eindhoven", "5611 AZ", "40")], ["Keizersgracht", "Coolsingel", "Oudegracht", "Stationsplein"]),
    "DE": ("Germany", ["GmbH", "AG", "GmbH & Co. KG"], "49", "de",
           [("Berlin", "10115", "30"), ("Munich", "80331", "89"), ("Hamburg", "20095", "40"),
            ("Cologne", "50667", "221")], ["Friedrichstraße", "Maximilianstraße", "Jungfernstieg", "Hohe Straße"]),
    "FR": ("France", ["SAS", "SARL", "SA"], "33", "fr",
           [("Paris", "75008", "1"), ("Lyon", "69002", "4"), ("Lille", "59000", "3"), ("Nantes", "44000", "2")],
           ["Rue de Rivoli", "Rue de la République", "Boulevard Haussmann", "Quai de la Fosse"]),
    "GB": ("United Kingdom", ["Ltd", "PLC", "LLP"], "44", "co.uk",
           [("London", "EC1A 1BB", "20"), ("Manchester", "M1 1AE", "161"), ("Leeds", "LS1 4AP", "113"),
            ("Bristol", "BS1 4DJ", "117")], ["High Street", "King Street", "Park Lane", "Deansgate"]),
    "US": ("United States", ["Inc.", "LLC", "Corp."], "1", "com",
           [("New York", "10001", "212"), ("Boston", "02108", "617"), ("Chicago", "60601", "312"),
            ("Austin", "78701", "512")], ["Main Street", "Broadway", "Market Street", "Congress Avenue"]),
    "ES": ("Spain", ["S.L.", "S.A."], "34", "es",
           [("Madrid", "28001", "91"), ("Barcelona", "08001", "93"), ("Valencia", "46001", "96")],
           ["Calle Mayor", "Gran Via", "Passeig de Gràcia", "Calle de Colón"]),
    "IT": ("Italy", ["S.r.l.", "S.p.A."], "39", "it",
           [("Milan", "20121", "02"), ("Rome", "00184", "06"), ("Turin", "10121", "011")],
           ["Via Roma", "Corso Buenos Aires", "Via del Corso", "Via Garibaldi"]),
    "SE": ("Sweden", ["AB"], "46", "se",
           [("Stockholm", "111 20", "8"), ("Gothenburg", "411 03", "31"), ("Malmö", "211 20", "40")],
           ["Drottninggatan", "Kungsgatan", "Storgatan", "Vasagatan"]),
    "FI": ("Finland", ["Oy", "Oyj"], "358", "fi",
           [("Helsinki", "00100", "9"), ("Espoo", "02100", "9"), ("Tampere", "33100", "3")],
           ["Mannerheimintie", "Aleksanterinkatu", "Hämeenkatu", "Esplanadi"]),
    "AU": ("Australia", ["Pty Ltd"], "61", "com.au",
           [("Sydney", "2000", "2"), ("Melbourne", "3000", "3"), ("Brisbane", "4000", "7")],
           ["George Street", "Collins Street", "Queen Street", "Pitt Street"]),
}
COUNTRY_WEIGHTS = {"BE": 0.2, "NL": 0.15, "DE": 0.14, "FR": 0.12, "GB": 0.1, "US": 0.08, "ES": 0.05,
                   "IT": 0.05, "SE": 0.04, "FI": 0.04, "AU": 0.03}
SUFFIX_VARIANTS = {"GmbH": "G.m.b.H.", "B.V.": "BV", "N.V.": "NV", "NV": "N.V.", "BV": "B.V.", "Ltd": "Limited",
                   "Inc.": "Incorporated", "LLC": "L.L.C.", "S.L.": "SL", "S.A.": "SA", "S.r.l.": "Srl",
                   "S.p.A.": "SpA", "AB": "Aktiebolag", "Oy": "OY", "Pty Ltd": "Pty. Limited", "SAS": "S.A.S.",
                   "SARL": "S.A.R.L.", "AG": "A.G.", "Corp.": "Corporation", "PLC": "plc", "SRL": "S.R.L."}

PREFIXES = ["Acme", "Nordic", "Atlas", "Vertex", "Helix", "Quantum", "Silver", "Blue", "Granite", "Orion",
            "Summit", "Cedar", "Falcon", "Harbor", "Lumen", "Meridian", "Nova", "Pioneer", "Polar", "Redwood",
            "Sapphire", "Sterling", "Tidal", "Vantage", "Zenith", "Alder", "Beacon", "Cobalt", "Delta", "Ember",
            "Fjord", "Keystone", "Linden", "Maple", "Northwind", "Oakridge", "Pinnacle", "Riverside", "Solstice",
            "Trident", "Urban", "Verdant", "Westfield", "Apex", "Brightwater", "Crescent", "Evergreen", "Ironclad"]
CORES = ["Consulting", "Data", "Logistics", "Systems", "Solutions", "Analytics", "Engineering", "Foods", "Energy",
         "Software", "Capital", "Health", "Retail", "Media", "Robotics", "Pharma", "Textiles", "Marine",
         "Construction", "Telecom", "Advisory", "Labs", "Networks", "Mobility", "Insurance"]
EXTRAS = ["", "", "", "Group", "Partners", "International", "Services", "Holding", "Europe"]
FIRST = ["Jan", "Sofie", "Pieter", "Emma", "Lukas", "Marie", "Thomas", "Julia", "Lars", "Anna", "Mikko", "Elena",
         "Marco", "Laura", "James", "Olivia", "Hugo", "Chloé", "Sven", "Ingrid", "Pablo", "Lucía", "Noah", "Mia",
         "Daan", "Fleur", "Jonas", "Lea", "Oliver", "Amélie", "Giulia", "Matteo", "Aino", "Erik", "Sarah", "David"]
LAST = ["Peeters", "Janssens", "Maes", "De Vries", "Jansen", "Müller", "Schmidt", "Martin", "Bernard", "Smith",
        "Jones", "García", "López", "Rossi", "Bianchi", "Andersson", "Johansson", "Virtanen", "Korhonen", "Wilson",
        "Dubois", "Weber", "Van Damme", "Bakker", "Visser", "Fischer", "Moreau", "Taylor", "Brown", "Nieminen"]
LOCAL_PARTS = ["info", "contact", "finance", "accounts", "admin", "office", "billing", "ap"]
ENGAGEMENTS = ["Website revamp", "ERP rollout", "Data warehouse migration", "Cloud cost review", "GDPR audit",
               "Odoo implementation", "Payroll outsourcing", "Tax advisory", "M&A due diligence",
               "Security assessment", "CRM integration", "Process mining pilot", "Managed services",
               "Finance transformation", "Supply chain analytics", "IT strategy", "Mobile app MVP",
               "Change management", "Interim CFO", "Transfer pricing study", "BI dashboards",
               "Cyber incident response", "Procurement review", "HR system selection"]
MANAGERS = ["Sofie Maes", "Pieter Claes", "Emma Jacobs", "Lukas Wouters", "Marie Dubois", "Thomas Smet",
            "Julia Hermans", "Lars Vos", "Anna Goossens", "Hugo Lambert", "Chloé Renard", "Noah Mertens"]
FIRM_COMPANIES = ["Brightline Advisory NV", "Brightline Advisory B.V."]


@dataclass
class Records:
    partners: list[dict] = field(default_factory=list)
    partner_entity: dict[int, str] = field(default_factory=dict)
    partner_dups: list[tuple[int, str, int, str]] = field(default_factory=list)  # id, entity, original, kind
    projects: list[dict] = field(default_factory=list)
    project_entity: dict[int, str] = field(default_factory=dict)
    project_dups: list[tuple[int, str, int, str]] = field(default_factory=list)
    hard_negatives: list[tuple[str, int, int, str]] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)  # active original companies
    trade_names: dict[int, str] = field(default_factory=dict)  # company id -> name without legal suffix

    @property
    def partner_ids(self) -> list[int]:
        return [p["id"] for p in self.partners]

    @property
    def project_ids(self) -> list[int]:
        return [p["id"] for p in self.projects]

    def duplicate_groups(self, model: str) -> tuple[int, int]:
        """(records in groups of 2+, number of such groups)."""
        ent = self.partner_entity if model == "res.partner" else self.project_entity
        sizes: dict[str, int] = {}
        for e in ent.values():
            sizes[e] = sizes.get(e, 0) + 1
        groups = [s for s in sizes.values() if s > 1]
        return sum(groups), len(groups)


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


def _vat(cc: str, rng: np.random.Generator) -> tuple[str, str]:
    """(vat, company_registry) in the canonical form Odoo's base_vat stores."""
    if cc == "BE":
        d = "0" + str(rng.integers(2, 10)) + _digits(rng, 8)
        return f"BE{d}", d
    if cc == "NL":
        return f"NL{_digits(rng, 9)}B01", _digits(rng, 8)
    if cc == "DE":
        return f"DE{_digits(rng, 9)}", f"HRB {rng.integers(10000, 250000)}"
    if cc == "FR":
        siren = _digits(rng, 9)
        return f"FR{_digits(rng, 2)}{siren}", siren
    if cc == "GB":
        return f"GB{_digits(rng, 9)}", _digits(rng, 8)
    if cc == "ES":
        return f"ESB{_digits(rng, 8)}", ""
    if cc == "IT":
        return f"IT{_digits(rng, 11)}", ""
    if cc == "SE":
        d = _digits(rng, 10)
        return f"SE{d}01", f"{d[:6]}-{d[6:]}"
    if cc == "FI":
        d = _digits(rng, 8)
        return f"FI{d}", f"{d[:7]}-{d[7]}"
    if cc == "US":
        return "", f"{_digits(rng, 2)}-{_digits(rng, 7)}"
    d = _digits(rng, 11)
    return "", f"{d[:2]} {d[2:5]} {d[5:8]} {d[8:]}"  # AU: ABN


def vat_variant(vat: str, rng: np.random.Generator) -> str:
    """The same VAT number as people type it: spaces, dots, no country prefix."""
    cc, num = vat[:2], vat[2:]
    forms = [f"{cc} {num}", num, f"{cc.lower()}{num}"]
    if cc == "BE":
        forms.append(f"BE{num[:4]}.{num[4:7]}.{num[7:]}")
    elif len(num) >= 9:
        forms.append(f"{cc} {num[:3]} {num[3:6]} {num[6:]}")
    return forms[int(rng.integers(len(forms)))]


def _phone(cc: str, area: str, rng: np.random.Generator) -> tuple[str, str]:
    """(international, national) forms of one number."""
    dial = COUNTRIES[cc][2]
    sub = _digits(rng, 7 if cc != "US" else 7)
    if cc == "US":
        return f"+1 {area} {sub[:3]} {sub[3:]}", f"({area}) {sub[:3]}-{sub[3:]}"
    a = area.lstrip("0")
    intl = f"+{dial} {a} {sub[:3]} {sub[3:5]} {sub[5:]}"
    national = f"0{a}/{sub[:3]}.{sub[3:5]}.{sub[5:]}"
    return intl, national


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name if ch.isalnum())


def _typo(text: str, rng: np.random.Generator, edits: int) -> str:
    s = list(text)
    for _ in range(edits):
        letters = [i for i, ch in enumerate(s) if ch.isalpha()]
        if len(letters) < 3:
            break
        i = letters[int(rng.integers(1, len(letters)))]
        op = int(rng.integers(4))
        if op == 0 and i + 1 < len(s) and s[i + 1].isalpha():
            s[i], s[i + 1] = s[i + 1], s[i]
        elif op == 1:
            del s[i]
        elif op == 2:
            s[i] = "aeiounrst"[int(rng.integers(9))]
        else:
            s.insert(i, s[i])
    return "".join(s)


def _person(rng: np.random.Generator) -> tuple[str, str]:
    first = FIRST[int(rng.integers(len(FIRST)))]
    last = LAST[int(rng.integers(len(LAST)))]
    return first, last


def _base_company(name_core: str, cc: str, rng: np.random.Generator, domain: str | None = None) -> dict:
    cname, suffixes, _dial, tld, cities, streets = COUNTRIES[cc]
    suffix = suffixes[int(rng.integers(len(suffixes)))]
    city, zipc, area = cities[int(rng.integers(len(cities)))]
    vat, registry = _vat(cc, rng)
    intl, national = _phone(cc, area, rng)
    domain = domain or f"{_slug(name_core)}.{tld}"
    return {
        "name": f"{name_core} {suffix}", "core": name_core, "suffix": suffix,
        "email": f"{LOCAL_PARTS[int(rng.integers(len(LOCAL_PARTS)))]}@{domain}", "domain": domain,
        "phone": intl, "phone_national": national, "vat": vat, "company_registry": registry,
        "ref": "", "street": f"{streets[int(rng.integers(len(streets)))]} {int(rng.integers(1, 240))}",
        "city": city, "zip": zipc, "country_id": cname, "cc": cc, "area": area,
        "is_company": True, "parent": None, "active": True,
    }


def _dup_partner(base: dict, kind: str, rng: np.random.Generator) -> dict:
    d = dict(base)
    d["ref"] = ""
    if kind == "legal_suffix":
        if rng.random() < 0.5 or d["suffix"] not in SUFFIX_VARIANTS:
            words = d["core"].split()
            words[0] = words[0].upper() if rng.random() < 0.5 else words[0]
            d["name"] = " ".join(words)
        else:
            d["name"] = f"{d['core']} {SUFFIX_VARIANTS[d['suffix']]}"
        if rng.random() < 0.4:
            d["vat"] = ""
    elif kind == "typo":
        d["name"] = _typo(d["core"], rng, int(rng.integers(1, 3))) + " " + d["suffix"]
        if rng.random() < 0.3:
            d["phone"] = ""
    elif kind == "reordered":
        if " & " in d["core"]:
            a, b = d["core"].split(" & ", 1)
            d["name"] = f"{b} & {a} {d['suffix']}"
        else:
            words = d["core"].split()
            words = words[1:] + words[:1] if len(words) > 1 else words
            d["name"] = " ".join(words) + " " + d["suffix"]
    elif kind == "vat_format":
        if d["vat"]:
            d["vat"] = vat_variant(d["vat"], rng)
        if rng.random() < 0.3:
            d["name"] = d["name"].upper()
    elif kind == "email_domain":
        first, last = _person(rng)
        local = [f"{_slug(first)}.{_slug(last)}", "invoices", "finance", "sales"][int(rng.integers(4))]
        d["email"] = f"{local}@{d['domain']}"
        d["vat"] = "" if rng.random() < 0.5 else d["vat"]
        d["phone"] = ""
    elif kind == "phone_format":
        d["phone"] = d["phone_national"]
    elif kind == "missing_fields":
        for f in ("vat", "street", "zip", "phone", "company_registry"):
            if rng.random() < 0.7:
                d[f] = ""
        if not any(d[f] for f in ("vat", "phone")):
            d["email"] = d["email"] if rng.random() < 0.7 else ""
    elif kind == "archived":
        d["active"] = False
        if rng.random() < 0.4:
            d["name"] = f"{d['name']} (old)"
    return d


def build_records(rng: np.random.Generator, partners: int, projects: int | None, start: datetime) -> Records:
    """All partners and projects, ids assigned in creation order."""
    ccs = list(COUNTRY_WEIGHTS)
    cw = np.array([COUNTRY_WEIGHTS[c] for c in ccs])
    cw = cw / cw.sum()
    used: set[str] = set()
    # blocks: list of (time, record dict, role) where role carries entity / dup info
    rows: list[dict] = []
    key = 0

    def new_key() -> int:
        nonlocal key
        key += 1
        return key

    kind_cycle: list[str] = []
    hard: list[tuple[int, int, str]] = []  # temp keys
    remaining = partners

    def core_name() -> str:
        for _ in range(50):
            if rng.random() < 0.12:
                a, b = LAST[int(rng.integers(len(LAST)))], LAST[int(rng.integers(len(LAST)))]
                name = f"{a} & {b}" if a != b else f"{a} {CORES[int(rng.integers(len(CORES)))]}"
            else:
                name = f"{PREFIXES[int(rng.integers(len(PREFIXES)))]} {CORES[int(rng.integers(len(CORES)))]}"
                extra = EXTRAS[int(rng.integers(len(EXTRAS)))]
                name = f"{name} {extra}" if extra else name
            if name not in used:
                used.add(name)
                return name
        name = f"{name} {len(used)}"
        used.add(name)
        return name

    def add(rec: dict, t: float) -> dict:
        rec["key"] = new_key()
        rec["t"] = t
        rows.append(rec)
        return rec

    def add_contacts(company: dict, t: float, n: int) -> None:
        taken: set[tuple[str, str]] = set()  # one company never has two different people of one name
        for j in range(n):
            first, last = _person(rng)
            while (first, last) in taken:
                first, last = _person(rng)
            taken.add((first, last))
            intl, _ = _phone(company["cc"], company["area"], rng)
            c = {
                "name": f"{first} {last}", "email": f"{_slug(first)}.{_slug(last)}@{company['domain']}",
                "phone": intl if rng.random() < 0.6 else "", "vat": company["vat"],
                "company_registry": "", "ref": "", "street": company["street"], "city": company["city"],
                "zip": company["zip"], "country_id": company["country_id"], "is_company": False,
                "parent": company["key"], "active": True, "entity_of": None,
            }
            add(c, t + 1e-6 * (j + 1))
            if j == 0 and rng.random() < 0.15:
                hard.append((company["key"], c["key"], "company and its own contact person share VAT and domain"))

    while remaining > 0:
        t = float(rng.random())
        cc = ccs[int(rng.choice(len(ccs), p=cw))]
        core = core_name()
        draw = rng.random()
        hard_kind = "twin" if draw < 0.035 else "branch" if draw < 0.06 else ""
        group_domain = f"{_slug(core)}group.com"
        if hard_kind == "branch":
            comp = add(_base_company(f"{core} {COUNTRIES[cc][0]}", cc, rng, domain=group_domain), t)
        else:
            comp = add(_base_company(core, cc, rng), t)
        comp["entity_of"] = None
        remaining -= 1
        n_contacts = min(int(rng.choice([0, 0, 1, 1, 2, 2, 3])), remaining)
        n_dup = 0
        if rng.random() < 0.13 and remaining - n_contacts >= 1:
            n_dup = min(int(rng.choice([1, 1, 1, 2])), remaining - n_contacts)
        for _ in range(n_dup):
            if not kind_cycle:
                kind_cycle = list(PARTNER_DUP_KINDS)
                rng.shuffle(kind_cycle)
            kind = kind_cycle.pop()
            d = add(_dup_partner(comp, kind, rng), t + float(rng.random()) * (1 - t))
            d["entity_of"] = comp["key"]
            d["dup_kind"] = kind
            remaining -= 1
        add_contacts(comp, t, n_contacts)
        remaining -= n_contacts
        if remaining >= 1 and hard_kind == "twin":
            other = [c for c in ccs if c != cc and COUNTRIES[c][1] != COUNTRIES[cc][1]]
            cc2 = other[int(rng.integers(len(other)))]
            twin = add(_base_company(core, cc2, rng), float(rng.random()))
            twin["entity_of"] = None
            remaining -= 1
            hard.append((comp["key"], twin["key"], "same trade name, different country, VAT, city and domain"))
        elif remaining >= 1 and hard_kind == "branch":
            cc2 = [c for c in ccs if c != cc][int(rng.integers(len(ccs) - 1))]
            branch = add(_base_company(f"{core} {COUNTRIES[cc2][0]}", cc2, rng, domain=group_domain),
                         float(rng.random()))
            branch["entity_of"] = None
            remaining -= 1
            hard.append((comp["key"], branch["key"], "branches of one group: shared domain, different VAT and country"))

    rows.sort(key=lambda r: (r["t"], r["key"]))
    key_to_id: dict[int, int] = {}
    first_id = 10
    for i, r in enumerate(rows):
        key_to_id[r["key"]] = first_id + i
    rec = Records()
    t0 = start - timedelta(days=730)
    for r in rows:
        rid = key_to_id[r["key"]]
        when = t0 + timedelta(seconds=int(r["t"] * 700 * 86400))
        rec.partners.append({
            "id": rid, "name": r["name"], "email": r["email"], "phone": r["phone"], "vat": r["vat"],
            "company_registry": r.get("company_registry", ""),
            "ref": f"C{10000 + rid}" if r["is_company"] and r.get("entity_of") is None else "",
            "street": r["street"], "city": r["city"], "zip": r["zip"], "country_id": r["country_id"],
            "is_company": r["is_company"], "parent_id": key_to_id[r["parent"]] if r.get("parent") else "",
            "active": r["active"], "write_date": when.strftime("%Y-%m-%d %H:%M:%S"),
        })
        orig = r.get("entity_of")
        if orig is not None:
            ent = f"partner-{key_to_id[orig]}"
            rec.partner_dups.append((rid, ent, key_to_id[orig], r["dup_kind"]))
        else:
            ent = f"partner-{rid}"
            if r["is_company"] and r["active"]:
                rec.customer_ids.append(rid)
                rec.trade_names[rid] = r["core"]
        rec.partner_entity[rid] = ent
    for a, b, why in hard:
        rec.hard_negatives.append(("res.partner", key_to_id[a], key_to_id[b], why))
    _build_projects(rng, rec, rows, key_to_id, projects if projects is not None else round(partners * 0.3), start)
    return rec


def _project_code(company_name: str) -> str:
    word = "".join(ch for ch in company_name.split()[0] if ch.isalpha()).upper()
    return (word or "PRJ")[:5]


def _build_projects(rng: np.random.Generator, rec: Records, rows: list[dict], key_to_id: dict[int, int],
                    target: int, start: datetime) -> None:
    names = {p["id"]: p["name"] for p in rec.partners}
    customers = rec.customer_ids
    if not customers or target <= 0:
        return
    weights = rng.pareto(1.5, len(customers)) + 1
    weights = weights / weights.sum()
    seq: dict[tuple[str, int], int] = {}
    raw: list[dict] = []
    kind_cycle: list[str] = []
    hard: list[tuple[int, int, str]] = []
    by_client: dict[int, list[dict]] = {}
    while len(raw) < target:
        client = customers[int(rng.choice(len(customers), p=weights))]
        code = _project_code(names[client])
        year = int(rng.choice([2023, 2024, 2025, 2026], p=[0.1, 0.25, 0.35, 0.3]))
        seq[(code, year)] = seq.get((code, year), 0) + 1
        eng = ENGAGEMENTS[int(rng.integers(len(ENGAGEMENTS)))]
        d0 = datetime(year, 1, 1) + timedelta(days=int(rng.integers(0, 330)))
        if d0 > start.replace(tzinfo=None):
            d0 = start.replace(tzinfo=None) - timedelta(days=int(rng.integers(1, 60)))
        p: dict[str, Any] = {"key": len(raw), "name": f"{code}-{year}-{seq[(code, year)]:03d} {eng}", "partner_id": client,
             "user_id": MANAGERS[int(rng.integers(len(MANAGERS)))],
             "company_id": FIRM_COMPANIES[int(rng.integers(2))], "active": True,
             "date_start": d0.strftime("%Y-%m-%d"),
             "date": (d0 + timedelta(days=int(rng.integers(30, 400)))).strftime("%Y-%m-%d"),
             "t": d0.timestamp() + float(rng.random()), "entity_of": None, "eng": eng, "code": code, "year": year,
             "seq": seq[(code, year)]}
        raw.append(p)
        prev = by_client.setdefault(client, [])
        if prev and rng.random() < 0.15:
            hard.append((prev[-1]["key"], p["key"], "same client, different engagement"))
        prev.append(p)
        if len(raw) < target and rng.random() < 0.10:
            if not kind_cycle:
                kind_cycle = list(PROJECT_DUP_KINDS)
                rng.shuffle(kind_cycle)
            kind = kind_cycle.pop()
            client_name = names[client]
            if kind == "title_form":
                title = " ".join(w if w.isupper() else w.capitalize() for w in eng.split())
                name = f"{rec.trade_names.get(client, client_name)} - {title} ({year})"
            elif kind == "code_format":
                name = f"{code} {year}/{p['seq']:03d} - {eng}"
            elif kind == "typo":
                name = f"{code}-{year}-{p['seq']:03d} {_typo(eng, rng, 1)}"
            elif kind == "case":
                name = p["name"].upper() if rng.random() < 0.5 else p["name"].lower()
            elif kind == "missing_code":
                name = eng
            else:
                name = p["name"]
            d = dict(p, key=len(raw), name=name, entity_of=p["key"], dup_kind=kind,
                     t=p["t"] + float(rng.integers(60, 86400 * 30)),
                     active=kind != "archived")
            if rng.random() < 0.4:
                d["user_id"] = MANAGERS[int(rng.integers(len(MANAGERS)))]
            raw.append(d)
    raw.sort(key=lambda r: (r["t"], r["key"]))
    kid = {r["key"]: i + 1 for i, r in enumerate(raw)}
    for r in raw:
        pid = kid[r["key"]]
        rec.projects.append({k: r[k] for k in ("name", "partner_id", "user_id", "company_id", "active",
                                               "date_start", "date")} | {"id": pid})
        if r["entity_of"] is not None:
            ent = f"project-{kid[r['entity_of']]}"
            rec.project_dups.append((pid, ent, kid[r["entity_of"]], r["dup_kind"]))
        else:
            ent = f"project-{pid}"
        rec.project_entity[pid] = ent
    for a, b, why in hard:
        rec.hard_negatives.append(("project.project", kid[a], kid[b], why))


def add_webhook_duplicates(rec: Records, rng: np.random.Generator, when: list[datetime]) -> list[tuple[int, int]]:
    """Projects created by a webhook delivered twice: (original id, duplicate id) per envelope."""
    customers = rec.customer_ids
    names = {p["id"]: p["name"] for p in rec.partners}
    pairs = []
    next_id = max((p["id"] for p in rec.projects), default=0) + 1
    for t in when:
        client = customers[int(rng.integers(len(customers)))]
        code = _project_code(names[client])
        eng = ENGAGEMENTS[int(rng.integers(len(ENGAGEMENTS)))]
        name = f"{code}-{t.year}-{int(rng.integers(40, 99)):03d} {eng}"
        base = {"name": name, "partner_id": client, "user_id": MANAGERS[int(rng.integers(len(MANAGERS)))],
                "company_id": FIRM_COMPANIES[int(rng.integers(2))], "active": True,
                "date_start": t.strftime("%Y-%m-%d"), "date": (t + timedelta(days=180)).strftime("%Y-%m-%d")}
        orig, dup = next_id, next_id + 1
        next_id += 2
        rec.projects.append(base | {"id": orig})
        rec.projects.append(base | {"id": dup})
        rec.project_entity[orig] = f"project-{orig}"
        rec.project_entity[dup] = f"project-{orig}"
        rec.project_dups.append((dup, f"project-{orig}", orig, "webhook_redelivery"))
        pairs.append((orig, dup))
    return pairs


def write_records(rec: Records, records_dir: Path, labels_dir: Path) -> None:
    def fmt(v: object) -> object:
        return "True" if v is True else "False" if v is False else v

    with (records_dir / "res_partner.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(PARTNER_FIELDS)
        for p in rec.partners:
            w.writerow([fmt(p[f]) for f in PARTNER_FIELDS])
    with (records_dir / "project_project.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(PROJECT_FIELDS)
        for p in rec.projects:
            w.writerow([fmt(p[f]) for f in PROJECT_FIELDS])
    for name, ent in (("partner_entities.csv", rec.partner_entity), ("project_entities.csv", rec.project_entity)):
        with (labels_dir / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "entity"])
            for rid in sorted(ent):
                w.writerow([rid, ent[rid]])
    for name, dups in (("partner_duplicates.csv", rec.partner_dups), ("project_duplicates.csv", rec.project_dups)):
        with (labels_dir / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "entity", "original_id", "kind"])
            w.writerows(sorted(dups))
    with (labels_dir / "hard_negatives.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "left_id", "right_id", "why"])
        for m, a, b, why in rec.hard_negatives:
            w.writerow([m, min(a, b), max(a, b), why])
