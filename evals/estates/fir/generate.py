# mypy: disable-error-code="index,assignment,arg-type,dict-item,attr-defined,operator,misc,var-annotated,annotation-unchecked"
# ruff: noqa: B007, B905, UP017, UP031, F841
# (a blind estate: its author's code is kept as written, checked by its tests, not retyped)
"""Build the "fir" estate (Calder Bruce Partners, Melbourne). See __init__.py for the design.

python -m evals.estates.fir.generate OUT_DIR   (or: python generate.py OUT_DIR)
stdlib + numpy only, deterministic: two builds give byte-identical folders.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import sys
import uuid as uuidlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

NAME = "fir"
SEED = 20260921
DAYS = 40
UTC = timezone.utc
# 21/09/2026 00:00 AEST (UTC+10) .. 31/10/2026 00:00 AEDT (UTC+11)
START = datetime(2026, 9, 20, 14, 0, tzinfo=UTC)
END = datetime(2026, 10, 30, 13, 0, tzinfo=UTC)
# Victoria: AEST -> AEDT on Sunday 04/10/2026 at 02:00 local (= 03/10/2026 16:00 UTC)
DST_UTC = datetime(2026, 10, 3, 16, 0, tzinfo=UTC)

GCP_PROJECT = "calder-integrations-prod"
REGION = "australia-southeast2"
ODOO_DB = "calder_prod"
COMPANY = "Calder Bruce Partners Pty Ltd"


# --------------------------------------------------------------------------- time helpers
def offset(ts_utc: datetime) -> timedelta:
    return timedelta(hours=11) if ts_utc >= DST_UTC else timedelta(hours=10)


def to_local(ts_utc: datetime) -> datetime:
    """Naive Melbourne wall-clock time."""
    return (ts_utc + offset(ts_utc)).replace(tzinfo=None)


def from_local(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    naive = datetime(y, m, d, hh, mm, ss)
    # AEST guess, then correct (no local times fall in the 02:00-03:00 gap here)
    guess = (naive - timedelta(hours=10)).replace(tzinfo=UTC)
    if guess >= DST_UTC:
        guess = (naive - timedelta(hours=11)).replace(tzinfo=UTC)
    return guess


def zstamp(ts: datetime, digits: int = 6) -> str:
    frac = f"{ts.microsecond:06d}"
    if digits == 9:
        frac = frac + f"{(ts.microsecond * 7 + ts.second * 131) % 1000:03d}"
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def au_date(d: datetime) -> str:
    return d.strftime("%d/%m/%Y")


HOLIDAYS = {datetime(2026, 9, 25).date(): "Friday before the AFL Grand Final"}
# pay runs (fortnightly, Wednesday) and month-end last business days
PAY_RUN_DAYS = {datetime(2026, 9, 30).date(), datetime(2026, 10, 14).date(), datetime(2026, 10, 28).date()}
MONTH_END_DAYS = {datetime(2026, 9, 30).date(), datetime(2026, 10, 30).date()}


def local_days():
    d = to_local(START).date()
    for i in range(DAYS):
        yield d + timedelta(days=i)


# --------------------------------------------------------------------------- id helpers
class Ids:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def hex(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uuid(self) -> str:
        return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))

    def guid(self) -> str:
        return self.uuid()


# --------------------------------------------------------------------------- ABN
ABN_W = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]


def make_abn(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(10)]
        dd = digits[:]
        dd[0] -= 1
        if sum(a * b for a, b in zip(dd, ABN_W)) % 89 == 0:
            s = "".join(map(str, digits))
            return f"{s[:2]} {s[2:5]} {s[5:8]} {s[8:]}"


# =========================================================================== records
FIRST = ("James Olivia Jack Charlotte William Amelia Thomas Isla Noah Mia Lachlan Chloe Oliver Grace Liam Ruby "
         "Ethan Zoe Henry Sophie Lucas Matilda Harrison Evie Cooper Harper Mason Ava Samuel Lily Riley Emily "
         "Daniel Hannah Matthew Sarah Benjamin Jessica Nathan Laura Priya Wei Mei Arjun Ravi Anh Minh Giulia "
         "Marco Sofia Luca Dimitri Eleni Nikos Aisha Omar Fatima Hamish Angus Fiona Bridget Declan Siobhan").split()
LAST = ("Smith Jones Williams Brown Wilson Taylor Nguyen Johnson Martin White Anderson Walker Thompson Thomas "
        "Harris Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel "
        "Khan Lewis James Phillips Mitchell Murphy Campbell Chen Wang Zhang Li Tran Pham Rossi Russo Ferrari "
        "Papadopoulos Georgiou Costa Murray Kennedy Fraser Stewart McDonald O'Brien O'Connor Sullivan Quinn "
        "Doyle Gallagher Hughes Edwards Baker Cooper Morris Bell Ward Turner Watson Young Scott Allen").split()
NICK = {"William": "Bill", "Thomas": "Tom", "Matthew": "Matt", "Benjamin": "Ben", "Samuel": "Sam",
        "Daniel": "Dan", "Nathan": "Nate", "James": "Jim", "Jessica": "Jess", "Elizabeth": "Liz",
        "Harrison": "Harry", "Lachlan": "Lachie", "Oliver": "Ollie", "Charlotte": "Charlie"}
PLACE = ("Bluegum Kingsford Merri Darebin Yarra Barwon Wimmera Otway Grampians Dandenong Maribyrnong Plenty "
         "Moorabool Campaspe Loddon Goulburn Ovens Kiewa Latrobe Tambo Snowy Avon Coliban Werribee Kororoit "
         "Koonung Gardiners Elster Corio Mordialloc Westgate Southbank Docklands Carlton Fitzroy Brunswick "
         "Hawthorn Kew Box Hill Ringwood Frankston Sunbury Pakenham Melton Craigieburn Bendigo Ballarat Geelong "
         "Warrnambool Shepparton Wodonga Mildura Sale Bairnsdale Horsham Echuca Castlemaine Kyneton").split()
TRADE = ["Civil", "Geotechnics", "Surveying", "Traffic Engineering", "Environmental", "Drilling", "Electrical",
         "Hydraulics", "Structural", "Landscapes", "Plumbing", "Earthworks", "Concrete", "Steel Fabrication",
         "Scaffolding", "Asbestos Removal", "Cost Planning", "Architects", "Acoustics", "Heritage", "Ecology",
         "Laboratories", "Signalling", "Fire Engineering", "Demolition", "Piling", "Waterproofing", "Lighting"]
SUFFIX = ["Pty Ltd", "Pty Ltd", "Pty Ltd", "Pty Ltd", "Group Pty Ltd", "Services Pty Ltd", "Australia Pty Ltd",
          "Consulting Pty Ltd", "Partners", "& Associates Pty Ltd"]
PUBLIC = ["Department of Transport and Planning", "Major Road Projects Victoria", "Rail Projects Victoria",
          "Level Crossing Removal Project", "Melbourne Water Corporation", "South East Water Corporation",
          "Yarra Valley Water", "Barwon Water", "Coliban Region Water Corporation", "VicTrack",
          "Development Victoria", "Victorian Health Building Authority", "School Building Authority",
          "Parks Victoria", "Port of Melbourne", "City of Melbourne", "City of Greater Geelong",
          "City of Greater Bendigo", "City of Ballarat", "Yarra Ranges Council", "Hume City Council",
          "Wyndham City Council", "Casey City Council", "Monash City Council", "Moreland City Council",
          "Darebin City Council", "Knox City Council", "Whittlesea City Council", "Melton City Council",
          "Mitchell Shire Council", "Surf Coast Shire Council", "Macedon Ranges Shire Council",
          "Monash University", "University of Melbourne", "RMIT University", "Deakin University",
          "Austin Health", "Barwon Health", "Bendigo Health", "Western Health", "Eastern Health",
          "Melbourne Airport (APAC)", "Avalon Airport Australia Pty Ltd", "AusNet Services",
          "CitiPower Pty Ltd", "Jemena Electricity Networks (Vic) Ltd", "Metro Trains Melbourne",
          "V/Line Corporation", "Yarra Trams", "Transurban Limited"]
STREET = ("Collins Bourke Flinders Swanston Elizabeth Spencer Lonsdale Exhibition Queen William King Lygon Smith "
          "Chapel High Sydney Nicholson Victoria Racecourse Springvale Ferntree Gully Plenty Moorooduc Malop "
          "Mitchell Hargreaves Sturt Lydiard Mair").split()
SUBURB = [("Melbourne", "3000"), ("Southbank", "3006"), ("Docklands", "3008"), ("Carlton", "3053"),
          ("Richmond", "3121"), ("Hawthorn", "3122"), ("Box Hill", "3128"), ("Ringwood", "3134"),
          ("Dandenong", "3175"), ("Frankston", "3199"), ("Geelong", "3220"), ("Ballarat", "3350"),
          ("Bendigo", "3550"), ("Sunshine", "3020"), ("Footscray", "3011"), ("Preston", "3072"),
          ("Brunswick", "3056"), ("Clayton", "3168"), ("Moorabbin", "3189"), ("Tullamarine", "3043"),
          ("Pakenham", "3810"), ("Sunbury", "3429"), ("Shepparton", "3630"), ("Traralgon", "3844")]
FUNCTION = ["Project Manager", "Contracts Administrator", "Site Supervisor", "Director", "Accounts Payable",
            "Senior Engineer", "Procurement Lead", "Operations Manager", "Principal", "Estimator",
            "Design Manager", "HSE Advisor", "Commercial Manager", "Office Manager", "Program Director"]


def phone_au(rng: random.Random, style: int) -> str:
    n = f"9{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    return {0: f"+61 3 {n}", 1: f"(03) {n}", 2: f"03 {n}"}[style % 3]


def mobile_au(rng: random.Random) -> str:
    return f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def domain_of(name: str) -> str:
    w = [c for c in name.lower().replace("&", " ").replace("(", " ").replace(")", " ").replace("'", "").split()
         if c not in ("pty", "ltd", "limited", "group", "services", "consulting", "australia", "partners",
                      "associates", "of", "the", "and")]
    return ("".join(w[:2]) or "mail") + ".com.au"


def build_records(rng: random.Random, ids: Ids):
    """Return partners, projects, entity maps, hard negatives and the incident-linked records."""
    partners = []  # dicts with Odoo field names
    p_entity = {}
    hard_neg = []
    next_id = [7]

    def add(**kw):
        pid = next_id[0]
        next_id[0] += rng.choice([1, 1, 1, 2, 3])
        row = dict(id=pid, name="", is_company=False, parent_id="", type="Contact", function="", vat="",
                   email="", phone="", mobile="", street="", street2="", city="", state_id="Victoria (AU)",
                   zip="", country_id="Australia", ref="", active=True, create_date=None, write_date=None,
                   category_id="")
        row.update(kw)
        partners.append(row)
        return row

    def created(base: datetime, span_days: int) -> datetime:
        return base + timedelta(days=rng.uniform(0, span_days), seconds=rng.randint(0, 86399))

    epoch = datetime(2019, 7, 1, 9, 0)
    companies = []
    used_names = set()

    def company_name():
        while True:
            k = rng.random()
            if k < 0.55:
                n = f"{rng.choice(PLACE)} {rng.choice(TRADE)} {rng.choice(SUFFIX)}"
            elif k < 0.8:
                n = f"{rng.choice(LAST)} {rng.choice(TRADE)} {rng.choice(SUFFIX)}"
            else:
                n = f"{rng.choice(LAST)} & {rng.choice(LAST)} {rng.choice(['Pty Ltd', 'Partners', 'Consulting Pty Ltd'])}"
            if n not in used_names:
                used_names.add(n)
                return n

    n_companies = 690
    for i in range(n_companies):
        if i < len(PUBLIC):
            name, cat = PUBLIC[i], "Client / Government"
        else:
            name, cat = company_name(), rng.choice(["Subcontractor", "Subcontractor", "Supplier", "Client",
                                                     "Subcontractor / Prequalified", "Joint venture partner"])
        sub, pc = rng.choice(SUBURB)
        c = add(name=name, is_company=True, vat=make_abn(rng) if rng.random() < 0.93 else "",
                email=f"{rng.choice(['accounts', 'info', 'admin', 'projects', 'ap'])}@{domain_of(name)}",
                phone=phone_au(rng, rng.randint(0, 2)),
                street=f"{rng.randint(1, 640)} {rng.choice(STREET)} {rng.choice(['Street', 'Road', 'Avenue', 'Parade', 'Highway'])}",
                street2=rng.choice(["", "", "", f"Level {rng.randint(1, 40)}", f"Suite {rng.randint(1, 30)}"]),
                city=sub, zip=pc, ref=f"C{10000 + i}", category_id=cat,
                create_date=created(epoch, 2400))
        c["_entity"] = f"P{c['id']}"
        companies.append(c)
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6])):
            fn, ln = rng.choice(FIRST), rng.choice(LAST)
            ct = add(name=f"{fn} {ln}", parent_id=name, function=rng.choice(FUNCTION),
                     email=f"{fn.lower()}.{ln.lower().replace(chr(39), '')}@{domain_of(name)}",
                     phone=c["phone"] if rng.random() < 0.4 else "", mobile=mobile_au(rng) if rng.random() < 0.7 else "",
                     street=c["street"], city=c["city"], zip=c["zip"],
                     create_date=c["create_date"] + timedelta(days=rng.uniform(0, 500)))
            ct["_entity"] = f"P{ct['id']}"
            ct["_first"], ct["_last"], ct["_company"] = fn, ln, c
    for r in partners:
        p_entity[r["id"]] = r["_entity"]

    def dup_of(src, name, created_at, **changes):
        row = {k: v for k, v in src.items() if not k.startswith("_")}
        row.update(dict(name=name, create_date=created_at, ref=""))
        row.update(changes)
        pid = next_id[0]
        next_id[0] += 1
        row["id"] = pid
        partners.append(row)
        row["_entity"] = src["_entity"]
        p_entity[pid] = src["_entity"]
        return row

    def typo(s: str) -> str:
        i = rng.randint(1, max(1, len(s) - 3))
        ch = s[i]
        op = rng.randint(0, 2)
        if op == 0:
            return s[:i] + s[i + 1:]
        if op == 1:
            return s[:i] + s[i + 1] + ch + s[i + 2:]
        return s[:i] + ch + s[i:]

    subs = [c for c in companies[len(PUBLIC):] if c["vat"] and "Subcontractor" in c["category_id"]]
    rng.shuffle(subs)
    # --- incident I3: six subcontractors duplicated by the 18/08/2026 "prequal list" re-import (no ABN)
    i3_pairs = []
    reimport = datetime(2026, 8, 18, 14, 12)
    for c in subs[:6]:
        nm = c["name"].replace(" Pty Ltd", " P/L") if rng.random() < 0.5 else c["name"].upper()
        d = dup_of(c, nm, reimport + timedelta(seconds=rng.randint(0, 300)), vat="", phone="", street2="",
                   email=c["email"].replace("accounts@", "tenders@"), category_id="Subcontractor / Prequalified")
        i3_pairs.append((d, c))
    # --- general company duplicates
    pool = [c for c in companies if c not in subs[:8]]
    rng.shuffle(pool)
    kinds = ["typo", "abbrev", "noabn", "upper", "trading", "pl"]
    for j, c in enumerate(pool[:70]):
        k = kinds[j % len(kinds)]
        when = created(datetime(2023, 1, 1), 1250)  # before partner_vat_unique (01/07/2026)
        if k == "typo":
            dup_of(c, typo(c["name"]), when)
        elif k == "abbrev":
            nm = c["name"].replace("Pty Ltd", "Pty. Limited").replace("Department of", "Dept of") \
                .replace("Corporation", "Corp").replace("Council", "Cncl").replace("& Associates", "and Associates")
            if nm == c["name"]:
                nm = c["name"] + " (Vic)"
            dup_of(c, nm, when, phone="")
        elif k == "noabn":
            dup_of(c, c["name"], when, vat="", email="", street2="")
        elif k == "upper":
            dup_of(c, c["name"].upper(), when, phone=phone_au(rng, rng.randint(0, 2)))
        elif k == "trading":
            core = c["name"].split(" Pty")[0].split(" Partners")[0]
            dup_of(c, f"{core} (ABN {c['vat']})" if c["vat"] else core, when, email="")
        else:
            dup_of(c, c["name"].replace("Pty Ltd", "P/L"), when, street=c["street"].replace("Street", "St").replace("Road", "Rd"))
    # --- contact duplicates (same person entered twice)
    contacts = [p for p in partners if p.get("_first")]
    rng.shuffle(contacts)
    for j, p in enumerate(contacts[:60]):
        fn, ln = p["_first"], p["_last"]
        when = p["create_date"] + timedelta(days=rng.uniform(30, 900))
        if j % 3 == 0 and fn in NICK:
            dup_of(p, f"{NICK[fn]} {ln}", when, mobile="")
        elif j % 3 == 1:
            dup_of(p, f"{fn} {ln}".upper() if j % 2 else f"{ln}, {fn}", when, phone="", function="")
        else:
            dup_of(p, f"{fn[0]}. {ln}", when, email=p["email"], mobile=p["mobile"])
    # --- hard negatives: sister companies, same person at different firms, branches
    sisters = [c for c in companies[len(PUBLIC):] if c not in subs[:8]]
    rng.shuffle(sisters)
    for c in sisters[:18]:
        core = c["name"].split(" Pty Ltd")[0].split(" Group")[0].split(" Services")[0].split(" Australia")[0] \
            .split(" Consulting")[0].split(" Partners")[0].split(" & Associates")[0]
        nm = f"{core} {rng.choice(['Holdings', 'Property', 'Equipment Hire', 'Labour Hire', 'Training'])} Pty Ltd"
        s = add(name=nm, is_company=True, vat=make_abn(rng), street=c["street"], city=c["city"], zip=c["zip"],
                phone=c["phone"] if rng.random() < 0.5 else phone_au(rng, 0),
                email=f"admin@{domain_of(c['name'])}", category_id=c["category_id"], ref="",
                create_date=created(datetime(2021, 1, 1), 1800))
        s["_entity"] = f"P{s['id']}"
        p_entity[s["id"]] = s["_entity"]
        hard_neg.append(("res.partner", c["id"], s["id"], "sister company: same address and domain, different ABN"))
    for ct in contacts[60:80]:
        other = rng.choice(companies)
        if other is ct["_company"]:
            continue
        s = add(name=ct["name"], parent_id=other["name"], function=rng.choice(FUNCTION),
                email=f"{ct['_first'].lower()}.{ct['_last'].lower().replace(chr(39), '')}@{domain_of(other['name'])}",
                mobile=mobile_au(rng), city=other["city"], zip=other["zip"], street=other["street"],
                create_date=created(datetime(2022, 1, 1), 1400))
        s["_entity"] = f"P{s['id']}"
        p_entity[s["id"]] = s["_entity"]
        hard_neg.append(("res.partner", ct["id"], s["id"], "same person name at a different firm"))
    for c in companies[len(PUBLIC):][:6]:
        nm = c["name"].replace("Pty Ltd", "(NSW) Pty Ltd") if "Pty Ltd" in c["name"] else c["name"] + " (NSW)"
        s = add(name=nm, is_company=True, vat=make_abn(rng), state_id="New South Wales (AU)", city="Sydney",
                zip="2000", street=f"{rng.randint(1, 300)} George Street", email=f"nsw@{domain_of(c['name'])}",
                category_id=c["category_id"], create_date=created(datetime(2022, 1, 1), 1200))
        s["_entity"] = f"P{s['id']}"
        p_entity[s["id"]] = s["_entity"]
        hard_neg.append(("res.partner", c["id"], s["id"], "interstate entity of the same group, own ABN"))
    # public-sector look-alikes already in PUBLIC: list a few as hard negatives
    byname = {c["name"]: c for c in companies}
    for a, b in [("Monash City Council", "Monash University"), ("Barwon Water", "Barwon Health"),
                 ("City of Greater Bendigo", "Bendigo Health"), ("Rail Projects Victoria", "Major Road Projects Victoria"),
                 ("South East Water Corporation", "Yarra Valley Water")]:
        hard_neg.append(("res.partner", byname[a]["id"], byname[b]["id"], "different public bodies with similar names"))

    # ------------------------------------------------------------------ projects
    projects = []
    j_entity = {}
    clients = [c for c in companies if "Client" in c["category_id"] or "Government" in c["category_id"]]
    pms = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(28)]
    topics = ["Geotechnical Investigation", "Traffic Impact Assessment", "Structural Design", "Flood Study",
              "Detailed Design", "Business Case", "Cost Plan", "Environmental Effects Statement",
              "Owner's Engineer", "Condition Assessment", "Drainage Design", "Pavement Design",
              "Asset Management Plan", "Noise Assessment", "Heritage Impact Statement", "Feasibility Study",
              "Construction Supervision", "Independent Reviewer", "Bridge Inspection", "Stormwater Strategy"]
    places = ["Sunbury Station", "Pakenham Bypass", "Western Rail Precinct", "Geelong Hospital", "Barwon Heads Road",
              "Melton Line", "Craigieburn Road", "Bendigo Law Courts", "Ballarat Station", "Frankston Line",
              "Monash Freeway", "Kororoit Creek", "Werribee Main Road", "Hume Freeway", "Yan Yean Road",
              "Docklands Primary School", "Box Hill Hospital", "Footscray Hospital", "Shepparton Bypass",
              "Warrnambool Breakwater", "Plenty Road", "Thompsons Road", "Ison Road", "Kiewa Valley Highway"]
    pid = 11
    codes = set()
    for i in range(255):
        code = rng.randint(2100, 2799)
        while code in codes:
            code = rng.randint(2100, 2799)
        codes.add(code)
        place, topic = rng.choice(places), rng.choice(topics)
        cl = rng.choice(clients)
        start = datetime(2024, 1, 8) + timedelta(days=rng.randint(0, 990))
        row = dict(id=pid, name=f"P-{code} {place} – {topic}", partner_id=cl["name"], user_id=rng.choice(pms),
                   date_start=start.date(), date=(start + timedelta(days=rng.randint(60, 720))).date(),
                   active=True, stage_id=rng.choice(["In Progress", "In Progress", "In Progress", "Tender", "Closed"]),
                   company_id=COMPANY, tag_ids=rng.choice(["", "Transport", "Water", "Health", "Education", "Transport,Rail"]),
                   create_date=start - timedelta(days=rng.randint(1, 40), seconds=-rng.randint(30000, 60000)),
                   _code=code, _place=place, _topic=topic)
        pid += rng.choice([1, 1, 2])
        projects.append(row)
        j_entity[row["id"]] = f"J{row['id']}"

    def pdup(src, name, created_at, **ch):
        nonlocal pid
        row = dict(src)
        row.update(dict(id=pid, name=name, create_date=created_at))
        row.update(ch)
        pid += 1
        projects.append(row)
        j_entity[row["id"]] = j_entity[src["id"]]
        return row

    live = [p for p in projects if p["stage_id"] != "Closed"]
    rng.shuffle(live)
    # --- incident I4: the 15/10/2026 re-import of the Western Rail program sheet (7 duplicates)
    wrp = [p for p in live if p["_place"] == "Western Rail Precinct"]
    extra = [p for p in live if p not in wrp]
    i4_src = (wrp + extra)[:7]
    i4_pairs = []
    t0 = datetime(2026, 10, 15, 8, 40, 12)
    for k, p in enumerate(i4_src):
        d = pdup(p, p["name"], t0 + timedelta(seconds=7 * k), user_id=p["user_id"], tag_ids="")
        i4_pairs.append((d, p))
    # --- general project duplicates
    for j, p in enumerate(live[7:37]):
        when = datetime(2025, 2, 1) + timedelta(days=rng.randint(0, 500))
        if j % 3 == 0:
            pdup(p, p["name"].replace(" – ", " - "), when, partner_id="")
        elif j % 3 == 1:
            pdup(p, f"P{p['_code']} {p['_place']} {p['_topic']}", when)
        else:
            pdup(p, typo(p["name"]), when, user_id=rng.choice(pms))
    # --- hard negatives: stage 2 with its own code, same topic for another client
    for p in live[40:58]:
        code = max(codes) + 1 + len(codes) % 7
        while code in codes:
            code += 1
        codes.add(code)
        s = dict(p)
        s.update(id=pid, name=f"P-{code} {p['_place']} Stage 2 – {p['_topic']}",
                 create_date=p["create_date"] + timedelta(days=rng.randint(120, 400)), _code=code)
        pid += 1
        projects.append(s)
        j_entity[s["id"]] = f"J{s['id']}"
        hard_neg.append(("project.project", p["id"], s["id"], "stage 2 of the same program, its own project code"))
    for p in live[60:68]:
        code = max(codes) + 3
        codes.add(code)
        cl = rng.choice([c for c in clients if c["name"] != p["partner_id"]])
        s = dict(p)
        s.update(id=pid, name=f"P-{code} {p['_place']} – {p['_topic']}", partner_id=cl["name"],
                 create_date=p["create_date"] + timedelta(days=rng.randint(30, 300)), _code=code)
        pid += 1
        projects.append(s)
        j_entity[s["id"]] = f"J{s['id']}"
        hard_neg.append(("project.project", p["id"], s["id"], "same site and scope for a different client, own code"))
    for r in partners:
        r["write_date"] = r["create_date"] + timedelta(days=rng.uniform(0, 200))
        if r["write_date"] > datetime(2026, 9, 20):
            r["write_date"] = datetime(2026, 9, 20) - timedelta(seconds=rng.randint(0, 10 ** 6))
        if r["write_date"] < r["create_date"]:
            r["write_date"] = r["create_date"]
    for r in projects:
        r["write_date"] = max(r["create_date"], min(r["create_date"] + timedelta(days=rng.uniform(0, 300)),
                                                   datetime(2026, 9, 18)))
    for d, _ in i4_pairs:
        d["write_date"] = d["create_date"]
    return dict(partners=partners, p_entity=p_entity, projects=projects, j_entity=j_entity, hard_neg=hard_neg,
                i3_pairs=i3_pairs, i4_pairs=i4_pairs, companies=companies, subs=subs, next_id=next_id)


# =========================================================================== volume helpers
def hour_weight(local: datetime, profile: str) -> float:
    d = local.date()
    wd = local.weekday()
    h = local.hour + local.minute / 60.0
    if profile == "office":
        base = np.interp(h, [0, 6, 7, 8, 9, 10, 12, 12.5, 13.5, 15, 16.5, 17.5, 19, 21, 24],
                         [0.01, 0.02, 0.2, 0.7, 1.0, 1.0, 0.9, 0.55, 0.9, 1.0, 1.1, 0.6, 0.2, 0.06, 0.01])
        if wd >= 5:
            base *= 0.04
        if d in HOLIDAYS:
            base *= 0.05
        if wd == 4 and 14.5 <= h < 17.5 and d not in HOLIDAYS:
            base *= 1.7  # timesheets due Friday 17:00
        if wd == 0 and 8 <= h < 10.5:
            base *= 1.35  # Monday catch-up
        if d in MONTH_END_DAYS:
            base *= 1.5
        return float(base)
    raise ValueError(profile)


def poisson_times(rng_np: np.random.Generator, t0: datetime, t1: datetime, per_hour_fn, step_min=10):
    out = []
    t = t0
    while t < t1:
        lam = per_hour_fn(t) * step_min / 60.0
        n = rng_np.poisson(lam) if lam > 0 else 0
        for _ in range(n):
            out.append(t + timedelta(seconds=float(rng_np.uniform(0, step_min * 60))))
        t += timedelta(minutes=step_min)
    out.sort()
    return out


# =========================================================================== writers
def dumps(o) -> str:
    return json.dumps(o, ensure_ascii=False, separators=(",", ":"))


class Evidence:
    def __init__(self):
        self.by = {}

    def add(self, key, ts):
        self.by.setdefault(key, []).append(ts)


def build(out: Path) -> Path:
    out = Path(out)
    rng = random.Random(SEED)
    rnp = np.random.default_rng(SEED)
    ids = Ids(random.Random(SEED + 1))
    for sub in ("logs", "records", "labels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for old in (out / sub).iterdir():  # a rebuild into the same folder leaves no stale file
            if old.is_file():
                old.unlink()
    ev = Evidence()
    recs = build_records(random.Random(SEED + 2), ids)

    odoo_lines = []  # (ts, text) of the Odoo server log

    def olog(ts, level, logger, msg, pid=4113, db=ODOO_DB, perf=True):
        if ts.microsecond == 0:
            ts = ts + timedelta(microseconds=1000 * ((ts.minute * 61 + ts.second * 7 + len(msg)) % 997) + 211)
        stamp = ts.strftime("%Y-%m-%d %H:%M:%S,") + f"{ts.microsecond // 1000:03d}"
        odoo_lines.append((ts, f"{stamp} {pid} {level} {db} {logger}: {msg}" + (" " if perf else "")))

    # ================================================================ timesheet-api + subbie-onboard (Cloud Run)
    req_entries = []  # (ts, dict)
    out_entries = []
    ts_rev = {"old": "timesheet-api-00049-rax", "mid": "timesheet-api-00051-vuz", "bad": "timesheet-api-00057-kez"}
    rev_mid_at = from_local(2026, 10, 7, 12, 30)
    i5_s, i5_e = from_local(2026, 10, 20, 13, 5), from_local(2026, 10, 20, 14, 38)
    i7_s, i7_e = from_local(2026, 10, 26, 9, 10), from_local(2026, 10, 26, 12, 40)
    maint_s, maint_e = from_local(2026, 10, 13, 19, 30), from_local(2026, 10, 13, 21, 0)
    instances = {}

    def instance_for(service, ts):
        key = (service, ts.strftime("%Y%m%d"), ts.hour // 6)
        if key not in instances:
            instances[key] = "00" + ids.hex(62)
        return instances[key]

    def resource(service, rev):
        return {"type": "cloud_run_revision",
                "labels": {"project_id": GCP_PROJECT, "service_name": service, "location": REGION,
                           "revision_name": rev, "configuration_name": service}}

    def req_entry(ts, service, rev, method, url, status, latency, ua, ip, size, rsize, trace, text=None):
        sev = "INFO" if status < 400 else ("WARNING" if status < 500 else "ERROR")
        e = {"insertId": ids.hex(12) + ids.hex(12)[:4],
             "httpRequest": {"requestMethod": method, "requestUrl": url, "requestSize": str(size), "status": status,
                             "responseSize": str(rsize), "userAgent": ua, "remoteIp": ip,
                             "serverIp": "34.129.36.%d" % (20 + hash(service) % 5 if False else 21),
                             "latency": f"{latency:.9f}s", "protocol": "HTTP/1.1"},
             "resource": resource(service, rev), "timestamp": zstamp(ts), "severity": sev,
             "labels": {"instanceId": instance_for(service, ts)},
             "logName": f"projects/{GCP_PROJECT}/logs/run.googleapis.com%2Frequests",
             "trace": f"projects/{GCP_PROJECT}/traces/{trace}", "receiveTimestamp": zstamp(ts + timedelta(seconds=latency + 0.04 + (ts.microsecond % 997) / 5000.0), 9),
             "spanId": ids.hex(16)}
        if ts.microsecond % 10 == 0:
            e["traceSampled"] = True
        if text:
            e["textPayload"] = text
        req_entries.append((ts, e))
        return e

    def out_entry(ts, service, rev, severity, payload, trace=None, source=None):
        e = {"insertId": ids.hex(16), "jsonPayload": payload, "resource": resource(service, rev),
             "timestamp": zstamp(ts), "severity": severity, "labels": {"instanceId": instance_for(service, ts)},
             "logName": f"projects/{GCP_PROJECT}/logs/run.googleapis.com%2Fstdout",
             "receiveTimestamp": zstamp(ts + timedelta(milliseconds=30 + ts.microsecond % 400), 9)}
        if trace:
            e["trace"] = f"projects/{GCP_PROJECT}/traces/{trace}"
        if source:
            e["sourceLocation"] = source
        out_entries.append((ts, e))
        return e

    employees = [f"E{1000 + i:04d}" for i in range(418)]
    uas = ["CalderTime/4.12.0 (iOS 18.6; iPhone15,2)", "CalderTime/4.12.0 (iOS 26.0; iPhone16,1)",
           "CalderTime/4.11.3 (Android 15; SM-S921B)", "CalderTime/4.12.0 (Android 16; Pixel 8)",
           "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0",
           "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15"]
    ts_url = "https://time-api.calder.com.au"
    active_projects = [p for p in recs["projects"] if p["stage_id"] == "In Progress"]

    def ts_rate(t):
        return 140.0 * hour_weight(to_local(t), "office")

    ts_times = poisson_times(rnp, START, END, ts_rate)
    last_seen = {}
    cold_start_days = set()
    i5_evidence = []
    i7_slow = []
    one_off_500 = from_local(2026, 10, 16, 11, 7, 41)
    one_off_done = False
    analytic_id = 1802113
    for t in ts_times:
        rev = ts_rev["old"] if t < rev_mid_at else ts_rev["mid"]
        if i5_s <= t < i5_e:
            rev = ts_rev["bad"]
        elif t >= i5_e and t >= from_local(2026, 10, 20, 13, 0):
            rev = ts_rev["mid"]
        emp = rng.choice(employees)
        proj = rng.choice(active_projects)
        ua = rng.choice(uas)
        ip = f"{rng.choice(['1.145', '49.195', '101.115', '120.17', '203.219', '110.175'])}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        trace = ids.hex(32)
        lat = float(rnp.lognormal(np.log(0.38), 0.33))
        method = "POST" if rng.random() < 0.86 else "PATCH"
        url = f"{ts_url}/v1/entries" if method == "POST" else f"{ts_url}/v1/entries/{analytic_id - rng.randint(1, 3000)}"
        status = 201 if method == "POST" else 200
        # cold start after idle > 15 min (min-instances = 0)
        prev = last_seen.get("ts")
        last_seen["ts"] = t
        if prev is None or (t - prev) > timedelta(minutes=15):
            lat += float(rng.uniform(3.2, 5.8))
            loc = to_local(t)
            if loc.hour >= 6 and loc.weekday() < 5:
                cold_start_days.add(loc.date())
            out_entry(t, "timesheet-api", rev, "INFO",
                      {"message": "Booting worker with pid: 2", "logger": "gunicorn.error"})
        payload_extra = None
        if maint_s <= t < maint_e:
            status, lat = 503, float(rng.uniform(0.05, 0.3))
            out_entry(t + timedelta(seconds=lat), "timesheet-api", rev, "ERROR",
                      {"message": "Odoo unreachable: 502 Bad Gateway from https://erp.calder.com.au/jsonrpc; entry kept on device for retry",
                       "employee": emp, "project_code": f"P-{proj['_code']}", "odoo_status": 502,
                       "logger": "timesheet_api.odoo"}, trace)
        elif rev == ts_rev["bad"]:
            status, lat = 500, float(rnp.lognormal(np.log(0.21), 0.3))
            i5_evidence.append(t)
            out_entry(t + timedelta(seconds=lat), "timesheet-api", rev, "ERROR",
                      {"message": "Odoo rejected create on account.analytic.line",
                       "error": {"type": "odoo.jsonrpc.RPCError", "name": "builtins.ValueError",
                                 "odoo_message": "Invalid field 'x_entra_object_id' on model 'hr.employee'"},
                       "stack_trace": "Traceback (most recent call last):\n  File \"/app/timesheet_api/odoo.py\", line 88, in call\n    raise RPCError(body[\"error\"])\ntimesheet_api.odoo.RPCError: Odoo Server Error: builtins.ValueError: Invalid field 'x_entra_object_id' on model 'hr.employee'",
                       "employee": emp, "project_code": f"P-{proj['_code']}", "revision_env": {"ODOO_EMPLOYEE_KEY": "x_entra_object_id"},
                       "logger": "timesheet_api.handlers"}, trace,
                      {"file": "/app/timesheet_api/handlers.py", "line": "142", "function": "create_entry"})
            olog(t + timedelta(seconds=lat * 0.6), "ERROR", "odoo.http",
                 "Exception during request handling.\nTraceback (most recent call last):\n"
                 "  File \"/opt/odoo/odoo/http.py\", line 2189, in __call__\n    response = request._serve_db()\n"
                 "  File \"/opt/odoo/odoo/models.py\", line 1290, in _search\n    raise ValueError(\"Invalid field %r on model %r\" % (fname, self._name))\n"
                 "ValueError: Invalid field 'x_entra_object_id' on model 'hr.employee'", pid=4117)
        elif t == ts_times[0] or (not one_off_done and t >= one_off_500):
            if t >= one_off_500:
                one_off_done = True
                status = 500
                ev.add("N_oneoff_ts", t)
                out_entry(t + timedelta(seconds=lat), "timesheet-api", rev, "ERROR",
                          {"message": "Odoo call failed: psycopg2.errors.LockNotAvailable: could not obtain lock on row in relation \"account_analytic_line\"",
                           "employee": emp, "logger": "timesheet_api.odoo"}, trace)
        if i7_s <= t < i7_e and status < 500:
            lat = float(rnp.lognormal(np.log(3.4), 0.35))
            i7_slow.append(t)
        if status in (200, 201):
            analytic_id += 1
        req_entry(t, "timesheet-api", rev, method, url, status, lat, ua, ip, rng.randint(380, 1500),
                  rng.randint(180, 420) if status < 400 else rng.randint(60, 200), trace)
    # new INFO message after the 07/10 deploy of revision 00051 (harmless)
    t = rev_mid_at + timedelta(minutes=1, seconds=12)
    new_info_times = []
    while t < END:
        loc = to_local(t)
        if loc.weekday() < 5 and 7 <= loc.hour < 19:
            out_entry(t, "timesheet-api", ts_rev["mid"] if not (i5_s <= t < i5_e) else ts_rev["bad"], "INFO",
                      {"message": "employee directory cache refreshed (418 employees, ttl=900s)",
                       "logger": "timesheet_api.directory"})
            new_info_times.append(t)
        t += timedelta(minutes=15)
    # deploy notes in stdout
    for at, rv in [(rev_mid_at, ts_rev["mid"]), (i5_s - timedelta(seconds=40), ts_rev["bad"]),
                   (i5_e - timedelta(seconds=25), ts_rev["mid"])]:
        out_entry(at, "timesheet-api", rv, "INFO", {"message": f"Starting timesheet-api revision {rv} (gunicorn 23.0.0, 2 workers)",
                                                    "logger": "gunicorn.error"})

    # --- subbie-onboard: DocuSign Connect webhooks (bursty, low volume)
    sb_rev = "subbie-onboard-00012-pod"
    sb_url = "https://subbie-onboard-4hq2c7w6za-km.a.run.app/docusign/connect"
    bursts = [(from_local(2026, 9, 29, 10, 5), 34, "Geelong Hospital"),
              (from_local(2026, 10, 12, 10, 0), 48, "Western Rail Precinct"),
              (from_local(2026, 10, 19, 14, 20), 29, "Melton Line"),
              (from_local(2026, 10, 21, 14, 10), 14, "Sunbury Station")]
    sb_events = []  # (ts, kind)
    for day in local_days():
        if day.weekday() >= 5 or day in HOLIDAYS:
            continue
        for _ in range(rnp.poisson(2.2)):
            t = from_local(day.year, day.month, day.day, rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
            sb_events.append((t, "single", None))
    for bt, n, prog in bursts:
        for k in range(n):
            sb_events.append((bt + timedelta(seconds=int(k * rng.uniform(40, 110))), "burst", prog))
    sb_events.sort(key=lambda x: x[0])
    subs_pool = [c for c in recs["subs"][8:]]
    i3_pairs = recs["i3_pairs"]
    i3_slots = set()
    b12 = [i for i, e in enumerate(sb_events) if e[2] == "Western Rail Precinct"]
    for k, idx in enumerate(sorted(rng.sample(b12[3:], 6))):
        i3_slots.add(idx)
    i3_map = {idx: pair for idx, pair in zip(sorted(i3_slots), i3_pairs)}
    i3_times, i8_times = [], []
    i8_dups = []
    i8_slots = [i for i, e in enumerate(sb_events) if e[2] == "Sunbury Station"]
    i8_hit = set(rng.sample(i8_slots, 9))
    i8_dup_make = set(sorted(i8_hit)[:3])
    next_pid = recs["next_id"]
    for idx, (t, kind, prog) in enumerate(sb_events):
        t = t + timedelta(microseconds=rng.randint(0, 999999))
        env_id = ids.guid()
        gen_at = t - timedelta(seconds=rng.randint(2, 9), microseconds=rng.randint(0, 999999))
        trace = ids.hex(32)
        if idx in i3_map:
            dup, orig = i3_map[idx]
            c = dup
        else:
            c = rng.choice(subs_pool)
        lat = float(rnp.lognormal(np.log(2.1), 0.3))
        status = 200
        base_payload = {"event": "envelope-completed", "envelope_id": env_id, "configuration_id": "10482217",
                        "generated_at": gen_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{gen_at.microsecond:06d}0Z",
                        "template": "Subcontract Agreement v7 (Vic)", "program": prog or "",
                        "logger": "subbie_onboard.connect"}
        if idx in i3_map:
            status = 422
            lat = float(rng.uniform(0.8, 1.4))
            i3_times.append(t)
            out_entry(t + timedelta(seconds=lat), "subbie-onboard", sb_rev, "ERROR",
                      dict(base_payload, message="Odoo refused to write the ABN on the matched partner",
                           odoo_partner_id=dup["id"], conflicting_partner_id=orig["id"], abn=orig["vat"].replace(" ", ""),
                           partner_name=dup["name"], lookup="no partner with vat = ABN as typed; matched by name",
                           error={"name": "odoo.exceptions.ValidationError",
                                  "odoo_message": f"The VAT {orig['vat'].replace(' ', '')} already exists in another partner."}),
                      trace, {"file": "/srv/subbie_onboard/partners.py", "line": "77", "function": "upsert_partner"})
            req_entry(t, "subbie-onboard", sb_rev, "POST", sb_url, status, lat, "DocuSign Connect/2.0",
                      "162.248.186.%d" % rng.randint(2, 60), rng.randint(9000, 24000), 120, trace)
            olog(t + timedelta(seconds=lat * 0.7), "WARNING", "odoo.http",
                 f"The VAT {orig['vat'].replace(' ', '')} already exists in another partner.", pid=4118)
            continue
        if idx in i8_hit:
            # Cloud Run timeout (30 s) hit while Odoo was still working; DocuSign Connect redelivered the event
            newco = None
            if idx in i8_dup_make:
                # a subcontractor new to Odoo (ABN still pending with the ABR): the handler creates the partner
                sub_, pc_ = rng.choice(SUBURB)
                nm_ = f"{rng.choice(LAST)} {rng.choice(TRADE)} Pty Ltd"
                newco = dict(name=nm_, is_company=True, parent_id="", type="Contact", function="", vat="",
                             email=f"office@{domain_of(nm_)}", phone=phone_au(rng, 1), mobile="",
                             street=f"{rng.randint(1, 300)} {rng.choice(STREET)} Road", street2="", city=sub_,
                             zip=pc_, state_id="Victoria (AU)", country_id="Australia", ref="",
                             category_id="Subcontractor", active=True)
                ent_ = f"N{idx}"
            attempts = rng.choice([3, 3, 4])
            gaps = [0, rng.randint(55, 80), rng.randint(280, 330), rng.randint(600, 700)][:attempts]
            for a, g in enumerate(gaps):
                ta = t + timedelta(seconds=g)
                trc = ids.hex(32)
                out_entry(ta + timedelta(milliseconds=rng.randint(20, 90)), "subbie-onboard", sb_rev, "INFO",
                          dict(base_payload, message="Connect event received"), trc)
                last = a == attempts - 1
                st = 200 if last else 504
                la = float(rng.uniform(1.6, 2.6)) if last else 30.0 + float(rng.uniform(0.0, 0.02))
                i8_times.append(ta)
                if last and newco:
                    np_id = next_pid[0]
                    next_pid[0] += 1
                    created_at = to_local(ta + timedelta(seconds=la * 0.8))
                    row = dict(newco, id=np_id, create_date=created_at, write_date=created_at)
                    recs["partners"].append(row)
                    recs["p_entity"][np_id] = ent_
                    i8_dups.append(row)
                    pay = dict(base_payload, message="envelope processed: partner created", odoo_partner_id=np_id,
                               partner_name=newco["name"], abn="",
                               idempotency="no onboarding marker for envelope_id; creating partner")
                elif last:
                    pay = dict(base_payload, message="envelope already processed; acknowledged", odoo_partner_id=c["id"],
                               partner_name=c["name"], abn=c["vat"])
                else:
                    pay = None
                if not last:
                    req_entry(ta, "subbie-onboard", sb_rev, "POST", sb_url, st, la, "DocuSign Connect/2.0",
                              "162.248.186.%d" % rng.randint(2, 60), rng.randint(9000, 24000), 0, trc,
                              text="The request has been terminated because it has reached the maximum request timeout. "
                                   "To change this limit, see https://cloud.google.com/run/docs/configuring/request-timeout")
                    if a == 0 and newco:
                        # the Odoo create of the timed-out delivery still went through; the marker was never written
                        np_id = next_pid[0]
                        next_pid[0] += 1
                        created_at = to_local(ta + timedelta(seconds=34 + rng.uniform(0, 6)))
                        row = dict(newco, id=np_id, create_date=created_at, write_date=created_at,
                                   email=newco["email"].replace("office@", "accounts@"))
                        recs["partners"].append(row)
                        recs["p_entity"][np_id] = ent_
                        i8_dups.append(row)
                        out_entry(ta + timedelta(seconds=36), "subbie-onboard", sb_rev, "WARNING",
                                  dict(base_payload, message="partner created after client disconnect; onboarding marker not written",
                                       odoo_partner_id=np_id, partner_name=newco["name"]), trc)
                else:
                    req_entry(ta, "subbie-onboard", sb_rev, "POST", sb_url, st, la, "DocuSign Connect/2.0",
                              "162.248.186.%d" % rng.randint(2, 60), rng.randint(9000, 24000), 48, trc)
                    out_entry(ta + timedelta(seconds=la), "subbie-onboard", sb_rev, "INFO", pay, trc)
            continue
        req_entry(t, "subbie-onboard", sb_rev, "POST", sb_url, status, lat, "DocuSign Connect/2.0",
                  "162.248.186.%d" % rng.randint(2, 60), rng.randint(9000, 24000), 48, trace)
        out_entry(t + timedelta(milliseconds=rng.randint(20, 90)), "subbie-onboard", sb_rev, "INFO",
                  dict(base_payload, message="Connect event received"), trace)
        out_entry(t + timedelta(seconds=lat), "subbie-onboard", sb_rev, "INFO",
                  dict(base_payload, message="envelope processed: partner updated", odoo_partner_id=c["id"],
                       partner_name=c["name"], abn=c["vat"]), trace)

    # ================================================================ xero-payroll-sync (journald)
    jlines = []
    boot = [ids.hex(32)]
    machine = ids.hex(32)
    seq = [0x4a1f20]
    seqnum_id = ids.hex(32)
    host = "int-worker-01"
    boot_at = [datetime(2026, 8, 30, 3, 12, tzinfo=UTC)]
    inv = [ids.hex(32)]

    def jentry(ts, msg, prio, ident, pid, extra=None, systemd=False):
        seq[0] += rng.randint(1, 40)
        rt = int(ts.timestamp() * 1_000_000) + ts.microsecond % 1000
        mono = int((ts - boot_at[0]).total_seconds() * 1_000_000)
        xh = hashlib.sha1(f"{rt}{seq[0]}".encode()).hexdigest()[:16]
        e = {"__CURSOR": f"s={seqnum_id};i={seq[0]:x};b={boot[0]};m={mono:x};t={rt:x};x={xh}",
             "__REALTIME_TIMESTAMP": str(rt), "__MONOTONIC_TIMESTAMP": str(mono), "_BOOT_ID": boot[0],
             "_MACHINE_ID": machine, "_HOSTNAME": host, "PRIORITY": str(prio)}
        if systemd:
            e.update({"SYSLOG_FACILITY": "3", "SYSLOG_IDENTIFIER": "systemd", "_PID": "1", "_UID": "0", "_GID": "0",
                      "_COMM": "systemd", "_EXE": "/usr/lib/systemd/systemd", "_CMDLINE": "/sbin/init",
                      "_TRANSPORT": "journal", "_SYSTEMD_CGROUP": "/init.scope", "_SYSTEMD_UNIT": "init.scope",
                      "_SYSTEMD_SLICE": "-.slice", "CODE_FILE": "src/core/job.c", "CODE_FUNC": "job_emit_done_message",
                      "UNIT": ident, "MESSAGE": msg,
                      "_SOURCE_REALTIME_TIMESTAMP": str(rt - 3)})
        else:
            e.update({"SYSLOG_IDENTIFIER": "xero-payroll-sync", "_PID": str(pid), "_UID": "997", "_GID": "997",
                      "_COMM": "python3", "_EXE": "/usr/bin/python3.12",
                      "_CMDLINE": "/opt/xero-payroll-sync/venv/bin/python3 -m xero_payroll_sync run",
                      "_TRANSPORT": "journal", "_SYSTEMD_CGROUP": "/system.slice/xero-payroll-sync.service",
                      "_SYSTEMD_UNIT": "xero-payroll-sync.service", "_SYSTEMD_SLICE": "system.slice",
                      "_SYSTEMD_INVOCATION_ID": inv[0], "MESSAGE": msg, "LOGGER": (extra or {}).pop("_logger", "xero_payroll_sync.sync"),
                      "THREAD_NAME": "MainThread", "PROCESS_NAME": "MainProcess",
                      "CODE_FILE": "/opt/xero-payroll-sync/venv/lib/python3.12/site-packages/xero_payroll_sync/sync.py",
                      "CODE_LINE": str((extra or {}).pop("_line", 214)), "CODE_FUNC": (extra or {}).pop("_func", "push_timesheet"),
                      "_SOURCE_REALTIME_TIMESTAMP": str(rt - 11)})
            if extra:
                e.update({k: str(v) for k, v in extra.items()})
        jlines.append((ts, e))

    tenant = "8f3a7c2e-51d4-4e0b-9a6f-2c7d1e94b0a3"
    i1_s, i1_e = from_local(2026, 10, 8, 9, 0), from_local(2026, 10, 8, 11, 45)
    i9_s, i9_e = from_local(2026, 10, 5, 6, 0), from_local(2026, 10, 6, 12, 30)
    i6_stop, i6_back = from_local(2026, 10, 22, 1, 10), from_local(2026, 10, 23, 10, 25)
    oneoff_503 = from_local(2026, 10, 27, 10, 30)
    i1_times, i9_times, pay_times = [], [], []
    n_silent_expected = 0
    dst_week_emps = rng.sample(employees, 23)
    backlog = 0
    pid_c = [21000]
    xemp = {e: ids.guid() for e in employees}
    for day in local_days():
        if day.weekday() >= 5 or day in HOLIDAYS:
            continue
        for h in range(6, 21):
            for m in (0, 15, 30, 45):
                if h == 20 and m > 0:
                    continue
                t = from_local(day.year, day.month, day.day, h, m, 0) + timedelta(seconds=rng.uniform(0.0, 2.5))
                if t < START or t >= END:
                    continue
                if i6_stop <= t < i6_back:
                    n_silent_expected += 1
                    continue
                pid_c[0] += rng.randint(40, 400)
                pid = pid_c[0]
                inv[0] = ids.hex(32)
                jentry(t, "Starting xero-payroll-sync.service - Xero Payroll AU timesheet sync...", 6,
                       "xero-payroll-sync.service", 1, systemd=True)
                t1 = t + timedelta(seconds=rng.uniform(1.1, 2.2))
                loc = to_local(t)
                if maint_s <= t < maint_e:
                    jentry(t1, "Odoo XML-RPC call failed: ProtocolError for erp.calder.com.au/xmlrpc/2/object: 502 Bad Gateway", 3,
                           "", pid, {"ODOO_URL": "https://erp.calder.com.au", "HTTP_STATUS": 502, "RUN_ID": inv[0][:12],
                                     "_func": "fetch_approved", "_line": 96})
                    jentry(t1 + timedelta(milliseconds=40), "xero-payroll-sync.service: Main process exited, code=exited, status=1/FAILURE", 5, "xero-payroll-sync.service", 1, systemd=True)
                    jentry(t1 + timedelta(milliseconds=41), "xero-payroll-sync.service: Failed with result 'exit-code'.", 4, "xero-payroll-sync.service", 1, systemd=True)
                    ev.add("N_maint_pay", t1)
                    continue
                if i1_s <= t < i1_e:
                    jentry(t1, 'Xero token refresh failed: POST https://identity.xero.com/connect/token -> 400 {"error":"invalid_grant"}', 3,
                           "", pid, {"XERO_TENANT_ID": tenant, "HTTP_STATUS": 400, "OAUTH_ERROR": "invalid_grant",
                                     "RUN_ID": inv[0][:12], "_func": "refresh_token", "_line": 58, "_logger": "xero_payroll_sync.auth"})
                    jentry(t1 + timedelta(milliseconds=12), "Aborting run: no valid Xero access token (re-authorise the Xero Payroll connection)", 2,
                           "", pid, {"XERO_TENANT_ID": tenant, "RUN_ID": inv[0][:12], "_func": "main", "_line": 31, "_logger": "xero_payroll_sync.__main__"})
                    jentry(t1 + timedelta(milliseconds=60), "xero-payroll-sync.service: Main process exited, code=exited, status=1/FAILURE", 5, "xero-payroll-sync.service", 1, systemd=True)
                    jentry(t1 + timedelta(milliseconds=61), "xero-payroll-sync.service: Failed with result 'exit-code'.", 4, "xero-payroll-sync.service", 1, systemd=True)
                    i1_times.append(t1)
                    backlog += rnp.poisson(5)
                    continue
                n = rnp.poisson(3.6 * (1.8 if loc.weekday() in (0, 4) else 1.0) * (0.4 if h < 8 or h > 18 else 1.0))
                if backlog and t >= i1_e:
                    n += backlog
                    backlog = 0
                if t >= i6_back and t < i6_back + timedelta(minutes=20):
                    n += 40
                ok = 0
                tc = t1
                week = (loc - timedelta(days=loc.weekday() + 7)).replace(hour=0, minute=0, second=0)
                if i9_s <= t < i9_e:
                    for e_ in dst_week_emps[: rng.randint(15, 23)]:
                        tc += timedelta(seconds=rng.uniform(0.3, 0.9))
                        jentry(tc, f"POST /payroll.xro/1.0/Timesheets -> 400 ValidationException: Number of units for timesheet line must match the number of days in the timesheet period (6 given, 7 expected) (employee {e_}, period 28/09/2026-04/10/2026)",
                               3, "", pid, {"XERO_TENANT_ID": tenant, "HTTP_STATUS": 400, "ODOO_EMPLOYEE": e_,
                                            "XERO_EMPLOYEE_ID": xemp[e_], "XERO_ERROR": "ValidationException",
                                            "TIMESHEET_PERIOD": "28/09/2026-04/10/2026", "RUN_ID": inv[0][:12]})
                        i9_times.append(tc)
                for k in range(n):
                    e_ = rng.choice(employees)
                    tc += timedelta(seconds=rng.uniform(0.4, 1.3))
                    dur = int(rnp.lognormal(np.log(420), 0.3))
                    st = 200
                    if abs((t - oneoff_503).total_seconds()) < 60 and k == 0:
                        jentry(tc, "POST /payroll.xro/1.0/Timesheets -> 503 Service Unavailable; retrying in 5s", 4, "",
                               pid, {"XERO_TENANT_ID": tenant, "HTTP_STATUS": 503, "ODOO_EMPLOYEE": e_, "RUN_ID": inv[0][:12]})
                        ev.add("N_oneoff_pay", tc)
                        tc += timedelta(seconds=5.2)
                    jentry(tc, f"POST /payroll.xro/1.0/Timesheets -> {st} in {dur} ms (employee {e_}, week from {au_date(week)})",
                           6, "", pid, {"XERO_TENANT_ID": tenant, "HTTP_STATUS": st, "DURATION_MS": dur,
                                        "ODOO_EMPLOYEE": e_, "XERO_EMPLOYEE_ID": xemp[e_],
                                        "XERO_TIMESHEET_ID": ids.guid(), "RUN_ID": inv[0][:12]})
                    ok += 1
                if day in PAY_RUN_DAYS and h == 10 and m == 0:
                    for k in range(14):
                        tc += timedelta(seconds=rng.uniform(0.4, 1.1))
                        jentry(tc, f"GET /payroll.xro/1.0/PayRuns -> 200 in {int(rnp.lognormal(np.log(600), 0.3))} ms (pay run {au_date(loc)}, page {k + 1})",
                               6, "", pid, {"XERO_TENANT_ID": tenant, "HTTP_STATUS": 200, "RUN_ID": inv[0][:12],
                                            "_func": "reconcile_payrun", "_line": 301})
                        pay_times.append(tc)
                if t < i9_e and t >= i9_s:
                    fails = len([x for x in i9_times if x >= t1])
                else:
                    fails = 0
                jentry(tc + timedelta(seconds=0.2), f"sync run finished: {ok} timesheets posted, {fails} rejected", 6 if not fails else 4, "",
                       pid, {"XERO_TENANT_ID": tenant, "POSTED": ok, "REJECTED": fails, "RUN_ID": inv[0][:12],
                             "_func": "run", "_line": 402})
                if fails:
                    jentry(tc + timedelta(seconds=0.25), "xero-payroll-sync.service: Main process exited, code=exited, status=2/INVALIDARGUMENT", 5, "xero-payroll-sync.service", 1, systemd=True)
                    jentry(tc + timedelta(seconds=0.26), "xero-payroll-sync.service: Failed with result 'exit-code'.", 4, "xero-payroll-sync.service", 1, systemd=True)
                else:
                    jentry(tc + timedelta(seconds=0.3), "Finished xero-payroll-sync.service - Xero Payroll AU timesheet sync.", 6,
                           "xero-payroll-sync.service", 1, systemd=True)
                if t >= i9_e - timedelta(minutes=20) and t < i9_e and m == 15:
                    pass
        if day == datetime(2026, 10, 6).date():
            t = i9_e - timedelta(minutes=3)
            jentry(t, "xero-payroll-sync 2.8.1 installed: timesheet periods computed in Australia/Melbourne (fix for DST weeks)", 5,
                   "", 20999, {"_logger": "xero_payroll_sync.__main__", "_func": "main", "_line": 22})
        if day == datetime(2026, 10, 21).date():
            # kernel patching on the worker VM: reboot, timer not re-enabled
            t = i6_stop
            jentry(t, "Stopped xero-payroll-sync.timer - Run Xero Payroll AU sync every 15 minutes.", 6,
                   "xero-payroll-sync.timer", 1, systemd=True)
            boot[0] = ids.hex(32)
            boot_at[0] = t + timedelta(seconds=50)
        if day == datetime(2026, 10, 23).date():
            jentry(i6_back - timedelta(seconds=3), "Started xero-payroll-sync.timer - Run Xero Payroll AU sync every 15 minutes.", 6,
                   "xero-payroll-sync.timer", 1, systemd=True)
    jlines.sort(key=lambda x: x[0])

    # ================================================================ queue.job (Odoo 17, OCA queue_job)
    jobs = []
    invoice_no = [4100]

    def job(created, channel, model, rec_id, method, name, state, exec_s, retry=0, max_retries=5,
            exc=None, started=None, done=None):
        u = ids.uuid()
        j = dict(uuid=u, name=name, func_string=f"{model}({rec_id},).{method}()", model_name=model, channel=channel,
                 state=state, date_created=created, date_started=started or (created + timedelta(seconds=rng.uniform(0.5, 4))),
                 retry=retry, max_retries=max_retries, exec_time=exec_s, exc=exc, company=COMPANY, method=method,
                 priority=10)
        j["date_done"] = done if done is not None else (j["date_started"] + timedelta(seconds=exec_s) if state == "done" else None)
        jobs.append(j)
        return j

    def inv_rate(t):
        loc = to_local(t)
        w = hour_weight(loc, "office")
        if loc.date() in MONTH_END_DAYS:
            w *= 2.2
        return 24.0 * w

    inv_times = poisson_times(rnp, START, END, inv_rate)
    # month-end invoice runs (finance, batch of draft invoices validated at once)
    sep_run = [from_local(2026, 9, 30, 15, 0) + timedelta(seconds=k * rng.uniform(2, 14)) for k in range(240)]
    oct_run = [from_local(2026, 10, 30, 16, 0) + timedelta(seconds=k * 6.0 + rng.uniform(0, 5)) for k in range(700)]
    i2_fail, i2_times = [], []
    serial_times = []
    ser_pool = [k for k, t in enumerate(sorted(inv_times + sep_run))
                if from_local(2026, 10, 27, 10, 0) <= t < from_local(2026, 10, 27, 12, 0)]
    ser_slots = set(rng.sample(ser_pool, 5))
    for k, t in enumerate(sorted(inv_times + sep_run)):
        if maint_s - timedelta(minutes=1) <= t < maint_e:
            t = maint_e + timedelta(seconds=rng.uniform(60, 900))  # Odoo was down: nothing could be created
        invoice_no[0] += 1
        mid = 48000 + invoice_no[0] * 3
        st = t + timedelta(seconds=rng.uniform(0.4, 3.5))
        ex = round(float(rnp.lognormal(np.log(0.9), 0.35)), 2)
        if maint_s - timedelta(minutes=2) <= st < maint_e:
            st = maint_e + timedelta(minutes=3, seconds=rng.uniform(0, 120))
        retry = 0
        if k in ser_slots:
            retry = 1
            serial_times.append(st)
            olog(st + timedelta(seconds=0.3), "INFO", "odoo.service.model",
                 f"SERIALIZATION_FAILURE, {rng.randint(3, 4)} tries left, try again in {rng.uniform(0.2, 1.9):.4f} sec...", pid=4121)
        job(to_local(t), "root.xero", "account.move", mid, "_xero_push_invoice",
            f"Push invoice INV/2026/{invoice_no[0]:05d} to Xero", "done", ex, retry=retry, started=to_local(st))
        olog(st - timedelta(seconds=0.2), "INFO", "odoo.addons.queue_job.jobrunner.runner",
             f"asking Odoo to run job {jobs[-1]['uuid']} on db {ODOO_DB}", pid=4102)
    # the October month-end run hits Xero's 60 calls/minute limit
    for k, t in enumerate(oct_run):
        invoice_no[0] += 1
        mid = 48000 + invoice_no[0] * 3
        st = t + timedelta(seconds=rng.uniform(0.4, 3.5))
        overload = k >= 60
        if overload:
            tries = min(5, 1 + int(rnp.poisson(0.8 + 2.0 * min(1.0, (k - 60) / 300.0))))
        else:
            tries = 0
        tcur = st
        for r in range(tries if tries < 5 else 5):
            olog(tcur, "INFO", "odoo.addons.queue_job.jobrunner.runner",
                 f"asking Odoo to run job {{U}} on db {ODOO_DB}", pid=4102)
            olog(tcur + timedelta(seconds=0.6), "WARNING", "odoo.addons.calder_xero.models.account_move",
                 f"Xero API rate limit hit for INV/2026/{invoice_no[0]:05d} (HTTP 429, X-Rate-Limit-Problem: minute, Retry-After: 60); job postponed", pid=4119)
            i2_times.append(tcur + timedelta(seconds=0.6))
            tcur += timedelta(seconds=60 + rng.uniform(1, 25) + 10 * r)
        if tries >= 5:
            exc = ("odoo.addons.queue_job.exception.FailedJobError",
                   "Max. retries (5) reached: Xero API rate limit (HTTP 429, X-Rate-Limit-Problem: minute)")
            j = job(to_local(t), "root.xero", "account.move", mid, "_xero_push_invoice",
                    f"Push invoice INV/2026/{invoice_no[0]:05d} to Xero", "failed", 0.0, retry=5,
                    started=to_local(tcur - timedelta(seconds=70)), exc=exc)
            i2_fail.append(j)
            tb = ("Traceback (most recent call last):\n"
                  "  File \"/opt/odoo/addons-oca/queue_job/job.py\", line 506, in perform\n    self.result = self.func(*tuple(self.args), **self.kwargs)\n"
                  "  File \"/opt/odoo/addons-calder/calder_xero/models/account_move.py\", line 214, in _xero_push_invoice\n"
                  "    raise RetryableJobError(\"Xero API rate limit (HTTP 429, X-Rate-Limit-Problem: minute)\", seconds=60)\n"
                  "odoo.addons.queue_job.exception.RetryableJobError: Xero API rate limit (HTTP 429, X-Rate-Limit-Problem: minute)\n\n"
                  "The above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n"
                  "  File \"/opt/odoo/addons-oca/queue_job/controllers/main.py\", line 120, in runjob\n    self._try_perform_job(env, job)\n"
                  "  File \"/opt/odoo/addons-oca/queue_job/job.py\", line 520, in perform\n    raise new_exc from err\n"
                  "odoo.addons.queue_job.exception.FailedJobError: Max. retries (5) reached: Xero API rate limit (HTTP 429, X-Rate-Limit-Problem: minute)\n")
            j["exc_info"] = tb
            olog(tcur - timedelta(seconds=69), "ERROR", "odoo.addons.queue_job.controllers.main", tb.rstrip("\n"), pid=4119)
        else:
            ex = round(float(rnp.lognormal(np.log(0.9), 0.35)), 2)
            j = job(to_local(t), "root.xero", "account.move", mid, "_xero_push_invoice",
                    f"Push invoice INV/2026/{invoice_no[0]:05d} to Xero", "done", ex, retry=tries,
                    started=to_local(tcur))
            olog(tcur - timedelta(seconds=0.2), "INFO", "odoo.addons.queue_job.jobrunner.runner",
                 f"asking Odoo to run job {j['uuid']} on db {ODOO_DB}", pid=4102)
        # fill the job uuid into its retry lines
        for i_ in range(len(odoo_lines) - 1, -1, -1):
            if "{U}" in odoo_lines[i_][1]:
                odoo_lines[i_] = (odoo_lines[i_][0], odoo_lines[i_][1].replace("{U}", j["uuid"]))
            elif odoo_lines[i_][0] < st - timedelta(seconds=1):
                break

    # --- SharePoint folder provisioning (Microsoft Graph), one job per new project
    sp_times = poisson_times(rnp, START, END, lambda t: 2.6 * hour_weight(to_local(t), "office"), step_min=30)
    proj_ids = [p for p in recs["projects"] if p["stage_id"] != "Closed"]
    graph429 = from_local(2026, 10, 22, 11, 0)
    g429_done = False
    for t in sp_times:
        if maint_s - timedelta(minutes=1) <= t < maint_e:
            t = maint_e + timedelta(seconds=rng.uniform(60, 900))
        p = rng.choice(proj_ids)
        st = t + timedelta(seconds=rng.uniform(0.5, 5))
        if maint_s - timedelta(minutes=2) <= st < maint_e:
            st = maint_e + timedelta(minutes=4)
        retry = 0
        if not g429_done and t >= graph429:
            g429_done = True
            retry = 1
            olog(st + timedelta(seconds=1.1), "WARNING", "odoo.addons.calder_sharepoint.models.project_project",
                 "Microsoft Graph throttled the request (HTTP 429 TooManyRequests, Retry-After: 12); job postponed", pid=4120)
            ev.add("N_graph429", st + timedelta(seconds=1.1))
            st += timedelta(seconds=14)
        job(to_local(t), "root.graph", "project.project", p["id"], "_provision_sharepoint_folder",
            f"Create SharePoint folder for {p['name'].split(' ')[0]}", "done",
            round(float(rnp.lognormal(np.log(2.4), 0.3)), 2), retry=retry, max_retries=3, started=to_local(st))
        olog(st - timedelta(seconds=0.2), "INFO", "odoo.addons.queue_job.jobrunner.runner",
             f"asking Odoo to run job {jobs[-1]['uuid']} on db {ODOO_DB}", pid=4102)
    i4_jobs, i4_times = [], []
    for d, orig in recs["i4_pairs"]:
        t = from_local(2026, 10, 15, 8, 40) + (d["create_date"] - datetime(2026, 10, 15, 8, 40))
        st = t + timedelta(seconds=rng.uniform(1, 4))
        folder = orig["name"].replace("–", "-")
        tb = ("Traceback (most recent call last):\n"
              "  File \"/opt/odoo/addons-oca/queue_job/controllers/main.py\", line 120, in runjob\n    self._try_perform_job(env, job)\n"
              "  File \"/opt/odoo/addons-oca/queue_job/job.py\", line 506, in perform\n    self.result = self.func(*tuple(self.args), **self.kwargs)\n"
              "  File \"/opt/odoo/addons-calder/calder_sharepoint/models/project_project.py\", line 88, in _provision_sharepoint_folder\n"
              "    raise UserError(_(\"Microsoft Graph refused to create folder %s: %s\") % (name, err))\n"
              f"odoo.exceptions.UserError: Microsoft Graph refused to create folder '{folder}': 409 nameAlreadyExists - An item with the same name already exists under the parent\n")
        j = job(to_local(t), "root.graph", "project.project", d["id"], "_provision_sharepoint_folder",
                f"Create SharePoint folder for {d['name'].split(' ')[0]}", "failed", 0.0, retry=0, max_retries=3,
                started=to_local(st), exc=("odoo.exceptions.UserError",
                                           f"Microsoft Graph refused to create folder '{folder}': 409 nameAlreadyExists - An item with the same name already exists under the parent"))
        j["exc_info"] = tb
        i4_jobs.append(j)
        i4_times.append(st + timedelta(seconds=1.4))
        olog(st - timedelta(seconds=0.2), "INFO", "odoo.addons.queue_job.jobrunner.runner",
             f"asking Odoo to run job {j['uuid']} on db {ODOO_DB}", pid=4102)
        olog(st + timedelta(seconds=1.4), "ERROR", "odoo.addons.queue_job.controllers.main", tb.rstrip("\n"), pid=4120)
    jobs.sort(key=lambda j: (j["date_created"], j["uuid"]), reverse=True)

    # ================================================================ Odoo server log: crons, maintenance, WIP cron
    pid_cron = 4125
    for day in local_days():
        for hh in range(24):
            t = from_local(day.year, day.month, day.day, hh, 0, 0) + timedelta(seconds=rng.uniform(1, 40))
            if t < START or t >= END or (maint_s <= t < maint_e):
                continue
            for name_, cid, dur in [("Mail: Email Queue Manager", 3, 0.4), ("Notification: Notify scheduled messages", 18, 0.1)]:
                olog(t, "INFO", "odoo.addons.base.models.ir_cron", f"Starting job `{name_}`.", pid=pid_cron)
                olog(t + timedelta(seconds=dur * rng.uniform(0.5, 3)), "INFO", "odoo.addons.base.models.ir_cron",
                     f"Job done: `{name_}` ({dur * rng.uniform(0.5, 3):.3f}s).", pid=pid_cron)
                t += timedelta(seconds=rng.uniform(0.5, 2))
        t = from_local(day.year, day.month, day.day, 2, 30, 5)
        if day != datetime(2026, 10, 26).date() and START <= t < END:
            olog(t, "INFO", "odoo.addons.base.models.ir_cron", "Starting job `Calder: WIP revaluation`.", pid=pid_cron)
            olog(t + timedelta(seconds=rng.uniform(2400, 3600)), "INFO", "odoo.addons.base.models.ir_cron",
                 f"Job done: `Calder: WIP revaluation` ({rng.uniform(2400, 3600):.3f}s).", pid=pid_cron)
    # I7: WIP revaluation cron moved to 09:05 on 26/10 (nextcall edited on 23/10), runs during business hours
    olog(from_local(2026, 10, 23, 16, 48, 11), "INFO", "odoo.models.unlink", "User #31 deleted ir.model.data records with IDs: [88213]", pid=4117)
    olog(i7_s - timedelta(minutes=5), "INFO", "odoo.addons.base.models.ir_cron", "Starting job `Calder: WIP revaluation`.", pid=pid_cron)
    olog(i7_e - timedelta(minutes=4), "INFO", "odoo.addons.base.models.ir_cron",
         f"Job done: `Calder: WIP revaluation` ({(i7_e - i7_s).total_seconds() + 60:.3f}s).", pid=pid_cron)
    # maintenance announcement (English, Melbourne time, Australian dates), three days ahead
    ann = from_local(2026, 10, 9, 10, 2, 17)
    olog(ann, "WARNING", "odoo.addons.calder_base.models.res_config",
         "Scheduled maintenance: Odoo (erp.calder.com.au) will be unavailable from 13/10/2026 19:30 to 13/10/2026 21:00 AEDT "
         "for the Odoo 17.0 monthly update and PostgreSQL 16 minor upgrade. Integrations will retry afterwards.", pid=4117)
    olog(from_local(2026, 10, 13, 17, 0, 3), "WARNING", "odoo.addons.calder_base.models.res_config",
         "Reminder: maintenance tonight from 19:30 to 21:00 AEDT (13/10/2026); Odoo will be unavailable.", pid=4117)
    olog(maint_s + timedelta(seconds=4), "INFO", "odoo.service.server", "Initiating shutdown", pid=4100, db="?")
    olog(maint_s + timedelta(seconds=5), "INFO", "odoo.service.server", "Hit CTRL-C again or send a second signal to force the shutdown.", pid=4100, db="?")
    olog(maint_s + timedelta(seconds=6), "INFO", "odoo.addons.queue_job.jobrunner.runner", "graceful stop requested", pid=4102, db="?")
    olog(maint_s + timedelta(seconds=7), "INFO", "odoo.addons.queue_job.jobrunner.runner", "stopped", pid=4102, db="?")
    rs = maint_e - timedelta(minutes=3)
    olog(rs, "INFO", "odoo", "Odoo version 17.0+e-20261012", pid=5200, db="?")
    olog(rs + timedelta(seconds=0.01), "INFO", "odoo", "Using configuration file at /etc/odoo/odoo.conf", pid=5200, db="?")
    olog(rs + timedelta(seconds=0.02), "INFO", "odoo", "addons paths: ['/opt/odoo/odoo/addons', '/opt/odoo/enterprise', '/opt/odoo/addons-oca', '/opt/odoo/addons-calder']", pid=5200, db="?")
    olog(rs + timedelta(seconds=0.03), "INFO", "odoo", "database: odoo@10.152.0.4:5432", pid=5200, db="?")
    olog(rs + timedelta(seconds=1.2), "INFO", "odoo.service.server", "HTTP service (werkzeug) running on erp-prod-01:8069", pid=5200, db="?")
    olog(rs + timedelta(seconds=2.2), "INFO", "odoo.addons.queue_job.jobrunner.runner", "starting", pid=5202, db="?")
    olog(rs + timedelta(seconds=2.4), "INFO", "odoo.addons.queue_job.jobrunner.runner", "initializing database connections", pid=5202, db="?")
    olog(rs + timedelta(seconds=2.6), "INFO", "odoo.addons.queue_job.jobrunner.runner", f"queue job runner ready for db {ODOO_DB}", pid=5202, db="?")
    olog(rs + timedelta(seconds=2.7), "INFO", "odoo.addons.queue_job.jobrunner.runner", "database connections ready", pid=5202, db="?")
    odoo_lines.sort(key=lambda x: x[0])

    # ================================================================ write logs
    def write_jsonl(path, entries):
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for _, e in sorted(entries, key=lambda x: x[0]):
                f.write(dumps(e) + "\n")

    write_jsonl(out / "logs" / "cloudrun_requests.jsonl", req_entries)
    write_jsonl(out / "logs" / "cloudrun_stdout.jsonl", out_entries)
    write_jsonl(out / "logs" / "journal_xero-payroll-sync.jsonl", jlines)
    with open(out / "logs" / "odoo-server.log", "w", encoding="utf-8", newline="\n") as f:
        for _, line in odoo_lines:
            f.write(line + "\n")

    # queue.job export: Odoo 17 export dialog, label headers in Italian (it_IT user), QUOTE_ALL CSV
    header = ["UUID", "Descrizione", "Lavoro", "Modello", "Canale", "Stato", "Priorità", "Data creazione",
              "Data inizio", "Data completamento", "Tentativo attuale", "Massimo tentativi",
              "Tempo esecuzione (medio)", "Eccezione", "Messaggio eccezione", "Informazioni eccezione", "Azienda"]
    state_it = {"done": "Completata", "failed": "Fallito", "pending": "In attesa", "enqueued": "In coda",
                "started": "Iniziato", "cancelled": "Annullata"}

    def dt(v):
        return v.strftime("%Y-%m-%d %H:%M:%S") if v else ""

    def esc(s):
        return "'" + s if isinstance(s, str) and s[:1] in ("=", "-", "+") else s

    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(header)
    for j in jobs:
        exc = j.get("exc")
        w.writerow([j["uuid"], j["name"], j["func_string"], j["model_name"], j["channel"], state_it[j["state"]],
                    j["priority"], dt(j["date_created"]), dt(j["date_started"]), dt(j["date_done"]), j["retry"],
                    j["max_retries"], f"{j['exec_time']:.2f}", exc[0] if exc else "", esc(exc[1]) if exc else "",
                    j.get("exc_info", ""), j["company"]])
    (out / "logs" / "queue_job_esportazione_2026-10-31.csv").write_bytes(buf.getvalue().encode("utf-8"))

    # ================================================================ records
    pcols = ["id", "name", "is_company", "parent_id", "type", "function", "vat", "email", "phone", "mobile",
             "street", "street2", "city", "state_id", "zip", "country_id", "ref", "category_id", "active",
             "create_date", "write_date"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(pcols)
    for r in sorted(recs["partners"], key=lambda r: r["id"]):
        row = []
        for c in pcols:
            v = r.get(c, "")
            if c in ("create_date", "write_date"):
                v = dt(v)
            elif c in ("is_company", "active"):
                v = "True" if v else "False"
            row.append(v)
        w.writerow(row)
    (out / "records" / "res_partner.csv").write_bytes(buf.getvalue().encode("utf-8"))
    jcols = ["id", "name", "partner_id", "user_id", "date_start", "date", "stage_id", "tag_ids", "company_id",
             "active", "create_date", "write_date"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    w.writerow(jcols)
    for r in sorted(recs["projects"], key=lambda r: r["id"]):
        row = []
        for c in jcols:
            v = r.get(c, "")
            if c in ("create_date", "write_date"):
                v = dt(v)
            elif c in ("date_start", "date"):
                v = v.strftime("%Y-%m-%d")
            elif c == "active":
                v = "True" if v else "False"
            row.append(v)
        w.writerow(row)
    (out / "records" / "project_project.csv").write_bytes(buf.getvalue().encode("utf-8"))

    # ================================================================ flows, calendar, manifest
    flows = [
        {"name": "timesheet_capture", "source_system": "CalderTime mobile/web (Cloud Run timesheet-api)",
         "target_system": "Odoo 17 account.analytic.line", "owner": "Digital Delivery (Priya Raman)",
         "criticality": "high", "country": "AU", "aliases": ["timesheet-api"]},
        {"name": "subbie_onboarding", "source_system": "DocuSign Connect (Cloud Run subbie-onboard)",
         "target_system": "Odoo 17 res.partner", "owner": "Procurement (Hamish Fraser)", "criticality": "medium",
         "country": "AU", "aliases": ["subbie-onboard"]},
        {"name": "xero_payroll", "source_system": "Odoo 17 timesheets (xero-payroll-sync on int-worker-01)",
         "target_system": "Xero Payroll AU", "owner": "Payroll (Bridget Kelly)", "criticality": "high",
         "country": "AU", "aliases": ["xero-payroll-sync"]},
        {"name": "xero_invoice_push", "source_system": "Odoo 17 account.move (queue_job)",
         "target_system": "Xero Accounting", "owner": "Finance (Marco Rossi)", "criticality": "high",
         "country": "AU", "channels": ["root.xero"], "loggers": ["odoo.addons.calder_xero"]},
        {"name": "sharepoint_folders", "source_system": "Odoo 17 project.project (queue_job)",
         "target_system": "SharePoint Online (Microsoft Graph)", "owner": "IT (Declan Quinn)",
         "criticality": "low", "country": "AU", "channels": ["root.graph"],
         "loggers": ["odoo.addons.calder_sharepoint"]},
    ]
    (out / "flows.json").write_text(json.dumps(flows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    calendar = {"country": "AU", "holidays": ["2026-09-25"]}
    (out / "calendar.json").write_text(json.dumps(calendar, indent=2) + "\n", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps(
        {"estate": NAME, "firm": "Calder Bruce Partners Pty Ltd (Melbourne, engineering and management consultancy)",
         "heldout": False, "designed_blind": True, "days": DAYS, "seed": SEED}, indent=2) + "\n", encoding="utf-8")

    # ================================================================ labels
    def win(times, pad_before=0, pad_after=60):
        return (min(times) - timedelta(seconds=pad_before), max(times) + timedelta(seconds=pad_after))

    incidents = []

    def inc(iid, kind, flow, s, e, cause, action, affected, desc, evidence):
        incidents.append(dict(incident_id=iid, kind=kind, flow=flow, start=iso(s), end=iso(e), cause=cause,
                              expected_action=action, affected_records=affected, description=desc,
                              _s=s, _e=e, _ev=evidence))

    i3_aff = []
    for d, o in i3_pairs:
        i3_aff += [f"res.partner:{d['id']}", f"res.partner:{o['id']}"]
    i8_aff = [f"res.partner:{x['id']}" for x in i8_dups]
    i4_aff = [f"project.project:{d['id']}" for d, _ in recs["i4_pairs"]] + [f"queue.job:{j['uuid']}" for j in i4_jobs]
    s, e = win(i9_times)
    inc("fir-1", "new_error_signature", "xero_payroll", s, e, "schema_validation", "escalate", [],
        "After the AEST->AEDT change (04/10/2026) the worker built the 28/09-04/10 timesheet period in UTC and sent 6 "
        "daily units instead of 7; Xero Payroll AU answered 400 ValidationException for the same 15-23 employees on "
        "every 15-minute run until release 2.8.1 (06/10 12:30 AEDT). Needs a code fix and a resend: escalate.", i9_times)
    s, e = win(i1_times)
    inc("fir-2", "expired_credential", "xero_payroll", s, e, "credential_auth", "escalate", [],
        "Xero OAuth2 refresh token rejected (400 invalid_grant) from 08/10 09:00 AEDT; every run aborted until the "
        "payroll officer re-authorised the Xero Payroll connection at 11:45. Only a Xero admin can re-consent.", i1_times)
    s, e = win(i3_times, 0, 120)
    inc("fir-3", "error_spike", "subbie_onboarding", s, e, "data_quality", "merge_partners", i3_aff,
        "Western Rail Precinct subcontractor burst (12/10): six envelopes failed with Odoo ValidationError 'The VAT ... "
        "already exists in another partner.' The integration matched the no-ABN duplicates created by the 18/08 "
        "prequalification re-import; merge each duplicate into the partner that holds the ABN.", i3_times)
    s, e = win(i4_times, 5, 120)
    inc("fir-4", "new_error_signature", "sharepoint_folders", s, e, "data_quality", "archive_project", i4_aff,
        "The 15/10 08:40 re-import of the program sheet created seven duplicate projects; their SharePoint folder "
        "jobs failed (UserError, Graph 409 nameAlreadyExists). Archive the duplicate projects (the failed jobs need "
        "no requeue).", i4_times)
    s, e = win(i5_evidence)
    inc("fir-5", "error_spike", "timesheet_capture", s, e, "configuration", "escalate", [],
        "Revision timesheet-api-00057-kez (20/10 13:05 AEDT) mapped employees through field x_entra_object_id, which "
        "is not installed in production: every entry answered 500 (Odoo ValueError Invalid field) until the rollback "
        "to 00051 at 14:38. Deployment/configuration fix by the app team.", i5_evidence)
    s, e = win(i8_times, 0, 120)
    inc("fir-6", "duplicate_delivery", "subbie_onboarding", s, e, "configuration", "merge_partners", i8_aff,
        "21/10 Sunbury Station burst: the 30 s Cloud Run request timeout was shorter than partner creation; "
        "DocuSign Connect redelivered the same envelope-completed events (same envelope_id and generated_at, "
        "3-4 deliveries each, the first ones 504 after 30 s). For three subcontractors new to Odoo the timed-out first delivery still created "
        "the partner but never wrote the onboarding marker, so the last delivery created it again: three pairs of "
        "partners created minutes apart. Merge each pair (and raise the request timeout).", i8_times)
    s, e = i6_stop + timedelta(hours=4, minutes=50), i6_back
    inc("fir-7", "silent_flow", "xero_payroll", s, e, "configuration", "escalate", [],
        "After kernel patching and a reboot of int-worker-01 (22/10 01:10 AEDT) xero-payroll-sync.timer was not "
        "enabled: no sync runs on 22/10 from 06:00 until it was started at 10:25 on 23/10.", [s, e])
    s, e = win(i7_slow)
    inc("fir-8", "latency_shift", "timesheet_capture", s, e, "configuration", "escalate", [],
        "The WIP revaluation cron was rescheduled (nextcall edited 23/10) and ran 09:05-12:36 AEDT on Monday 26/10 "
        "instead of 02:30: Odoo answered timesheet writes in ~3.4 s instead of ~0.4 s. Move the cron back.", i7_slow)
    s, e = win(i2_times)
    inc("fir-9", "retry_storm", "xero_invoice_push", s, e, "rate_limit", "requeue_jobs",
        [f"queue.job:{j['uuid']}" for j in i2_fail],
        "October month-end invoice run (700 invoices from 30/10 16:00 AEDT) exceeded Xero's 60 calls/minute limit: "
        "429 X-Rate-Limit-Problem: minute, jobs postponed and retried, %d reached Max. retries (5) and failed. "
        "Requeue the failed jobs (the limit resets each minute)." % len(i2_fail), i2_times)

    nots = []

    def nn(nid, kind, flow, s, e, d):
        nots.append(dict(id=nid, kind=kind, flow=flow, start=iso(s), end=iso(e), description=d))

    nn("fir-n1", "public_holiday", "*", from_local(2026, 9, 25), from_local(2026, 9, 26),
       "Friday before the AFL Grand Final (Victorian public holiday): office flows near zero, payroll sync timer idle.")
    nn("fir-n2", "dst_change", "*", from_local(2026, 10, 4, 0, 0), from_local(2026, 10, 5, 0, 0),
       "AEST->AEDT on Sunday 04/10/2026 02:00 (the 23-hour day): from Monday 05/10 business hours sit one hour "
       "earlier in UTC; the payroll timer (06:00-20:00 local) follows local time.")
    nn("fir-n3", "maintenance", "*", maint_s, maint_e,
       "Odoo monthly update, announced 09/10 in the Odoo log (19:30-21:00 AEDT 13/10): timesheet-api 503s and "
       "payroll sync 502s while Odoo was down, queue jobs started after the restart.")
    b29, b19 = bursts[0][0], bursts[2][0]
    nn("fir-n4", "burst", "subbie_onboarding", b29, b29 + timedelta(hours=1),
       "Geelong Hospital kickoff: 34 subcontract agreements completed within the hour, all processed.")
    nn("fir-n5", "burst", "subbie_onboarding", b19, b19 + timedelta(hours=1),
       "Melton Line kickoff: 29 envelopes in under an hour, all processed.")
    nn("fir-n6", "new_info_message", "timesheet_capture", rev_mid_at, rev_mid_at + timedelta(hours=3),
       "Revision 00051 (07/10 12:30) logs a new INFO 'employee directory cache refreshed' every 15 minutes.")
    t1 = ev.by["N_oneoff_ts"][0]
    nn("fir-n7", "one_off_error", "timesheet_capture", t1 - timedelta(minutes=1), t1 + timedelta(minutes=2),
       "A single 500 (LockNotAvailable on account_analytic_line); the app retried it.")
    t1 = ev.by["N_oneoff_pay"][0]
    nn("fir-n8", "one_off_error", "xero_payroll", t1 - timedelta(minutes=1), t1 + timedelta(minutes=2),
       "One Xero 503, retried 5 s later with success.")
    nn("fir-n9", "retried_serialization_failure", "xero_invoice_push", min(serial_times) - timedelta(minutes=1),
       max(serial_times) + timedelta(minutes=1),
       "Five SERIALIZATION_FAILURE retries logged by odoo.service.model on 27/10 10:00-12:00 (concurrent invoice edits); each job completed on its retry (Tentativo attuale 1, Completata).")
    nn("fir-n10", "month_end", "*", from_local(2026, 9, 30, 8, 0), from_local(2026, 10, 1, 9, 0),
       "September month-end: timesheet deadline and 240-invoice run, volumes x1.5-3, no failures.")
    nn("fir-n11", "payroll_day", "xero_payroll", from_local(2026, 10, 14, 9, 55), from_local(2026, 10, 14, 11, 0),
       "Fortnightly pay run 14/10: extra PayRuns reconciliation calls at 10:00.")
    nn("fir-n12", "timesheet_deadline", "timesheet_capture", from_local(2026, 10, 16, 14, 30), from_local(2026, 10, 16, 17, 30),
       "Friday 17:00 timesheet deadline peak (x1.7), every Friday.")
    cs = sorted(cold_start_days)[0]
    nn("fir-n13", "cold_start", "timesheet_capture", from_local(cs.year, cs.month, cs.day, 6, 0),
       from_local(cs.year, cs.month, cs.day, 9, 0),
       "Cloud Run min-instances=0: the first request after 15 idle minutes takes 3-6 s (gunicorn boot); every morning.")
    t1 = ev.by["N_graph429"][0]
    nn("fir-n14", "one_off_error", "sharepoint_folders", t1 - timedelta(minutes=1), t1 + timedelta(minutes=2),
       "One Graph 429 throttle; the job was postponed 12 s and completed.")

    with open(out / "labels" / "incidents.jsonl", "w", encoding="utf-8") as f:
        for i in incidents:
            f.write(dumps({k: v for k, v in i.items() if not k.startswith("_")}) + "\n")
    with open(out / "labels" / "not_incidents.jsonl", "w", encoding="utf-8") as f:
        for n_ in nots:
            f.write(dumps(n_) + "\n")
    with open(out / "labels" / "partner_entities.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "entity"])
        for pid_, ent in sorted(recs["p_entity"].items()):
            w.writerow([pid_, ent])
    with open(out / "labels" / "project_entities.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "entity"])
        for pid_, ent in sorted(recs["j_entity"].items()):
            w.writerow([pid_, ent])
    with open(out / "labels" / "hard_negatives.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "left_id", "right_id", "why"])
        for r in recs["hard_neg"]:
            w.writerow(list(r))

    self_check(out, incidents, nots)
    return out


# =========================================================================== self-check
def self_check(out: Path, incidents, nots):
    partner_ids = set()
    with open(out / "records" / "res_partner.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            partner_ids.add(int(r["id"]))
    project_ids = set()
    with open(out / "records" / "project_project.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            project_ids.add(int(r["id"]))
    job_rows = {}
    with open(out / "logs" / "queue_job_esportazione_2026-10-31.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            job_rows[r["UUID"]] = r
    assert len(partner_ids) >= 2000 and len(partner_ids) <= 4000, len(partner_ids)
    assert 150 <= len(project_ids) <= 400, len(project_ids)
    assert 8 <= len(incidents) <= 10 and 10 <= len(nots) <= 14
    for i in incidents:
        assert i["_ev"], i["incident_id"]
        for t in i["_ev"]:
            assert i["_s"] <= t <= i["_e"], (i["incident_id"], t)
        assert START <= i["_s"] < i["_e"] <= END, i["incident_id"]
        for a in i["affected_records"]:
            model, _, rid = a.partition(":")
            if model == "res.partner":
                assert int(rid) in partner_ids, a
            elif model == "project.project":
                assert int(rid) in project_ids, a
            elif model == "queue.job":
                assert rid in job_rows and job_rows[rid]["Stato"] == "Fallito", a
            else:
                raise AssertionError(a)
    # read back the written logs: each incident is visible in its window in the files themselves
    def z(v):
        v = v.rstrip("Z")
        head, _, frac = v.partition(".")
        return datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) + timedelta(microseconds=int((frac + "000000")[:6]))

    reqs, outs = [], []
    with open(out / "logs" / "cloudrun_requests.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            reqs.append((z(e["timestamp"]), e["resource"]["labels"]["service_name"], e["httpRequest"]["status"],
                         float(e["httpRequest"]["latency"].rstrip("s"))))
    with open(out / "logs" / "cloudrun_stdout.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            outs.append((z(e["timestamp"]), e["resource"]["labels"]["service_name"], e["severity"], e["jsonPayload"]))
    journal = []
    with open(out / "logs" / "journal_xero-payroll-sync.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            journal.append((datetime.fromtimestamp(int(e["__REALTIME_TIMESTAMP"]) / 1e6, tz=UTC), e))
    olines = []
    with open(out / "logs" / "odoo-server.log", encoding="utf-8") as f:
        for line in f:
            if line[:2] == "20" and line[4] == "-":
                olines.append((datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC), line))

    def local_naive_to_utc(v):
        d = datetime.strptime(v, "%Y-%m-%d %H:%M:%S")
        return from_local(d.year, d.month, d.day, d.hour, d.minute, d.second)

    by_id = {i["incident_id"]: i for i in incidents}

    def inside(iid, t):
        return by_id[iid]["_s"] <= t <= by_id[iid]["_e"]

    n = sum(1 for t, e in journal if inside("fir-1", t) and "ValidationException" in e["MESSAGE"])
    assert n >= 50, n
    n = sum(1 for t, e in journal if inside("fir-2", t) and e.get("OAUTH_ERROR") == "invalid_grant")
    assert n >= 8, n
    n = sum(1 for t, _, sev, p in outs if inside("fir-3", t) and "already exists in another partner" in
            str(p.get("error", {}).get("odoo_message", "")))
    assert n == 6, n
    n = sum(1 for r in job_rows.values() if r["Stato"] == "Fallito" and "nameAlreadyExists" in r["Messaggio eccezione"]
            and inside("fir-4", local_naive_to_utc(r["Data inizio"])))
    assert n == 7, n
    n = sum(1 for t, svc, st, _ in reqs if svc == "timesheet-api" and st == 500 and inside("fir-5", t))
    assert n >= 100, n
    envs = {}
    for t, svc, _, p in outs:
        if svc == "subbie-onboard" and p.get("message") == "Connect event received" and inside("fir-6", t):
            envs.setdefault(p["envelope_id"], set()).add(p["generated_at"])
    redelivered = [k for k in envs if sum(1 for t, svc, _, p in outs if svc == "subbie-onboard" and
                                          p.get("envelope_id") == k and p.get("message") == "Connect event received") >= 3]
    assert len(redelivered) >= 9 and all(len(envs[k]) == 1 for k in redelivered), len(redelivered)
    slow = sum(1 for t, svc, st, lat in reqs if svc == "timesheet-api" and inside("fir-8", t) and lat > 2.0)
    assert slow >= 200, slow
    n = sum(1 for t, line in olines if inside("fir-9", t) and "HTTP 429" in line)
    assert n >= 300, n
    # the silent window really is silent in the journal, and the flow ran before and after
    sil = [i for i in incidents if i["kind"] == "silent_flow"][0]
    n_in, n_before, n_after = 0, 0, 0
    with open(out / "logs" / "journal_xero-payroll-sync.jsonl", encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            t = datetime.fromtimestamp(int(e["__REALTIME_TIMESTAMP"]) / 1e6, tz=UTC)
            if e.get("SYSLOG_IDENTIFIER") != "xero-payroll-sync":
                continue
            if sil["_s"] <= t < sil["_e"]:
                n_in += 1
            elif t < sil["_s"]:
                n_before += 1
            else:
                n_after += 1
    assert n_in == 0 and n_before > 1000 and n_after > 100, (n_in, n_before, n_after)
    # the merge incidents name duplicates that share an entity
    ents = {}
    with open(out / "labels" / "partner_entities.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            ents[int(r["id"])] = r["entity"]
    for i in incidents:
        if i["expected_action"] == "merge_partners":
            ids_ = [int(a.split(":")[1]) for a in i["affected_records"]]
            groups = {}
            for x in ids_:
                groups.setdefault(ents[x], []).append(x)
            assert all(len(g) >= 2 for g in groups.values()), groups
    # the maintenance announcement precedes the window
    with open(out / "logs" / "odoo-server.log", encoding="utf-8") as f:
        text = f.read()
    assert "Scheduled maintenance" in text and "from 13/10/2026 19:30 to 13/10/2026 21:00 AEDT" in text
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 80 * 1024 * 1024, size


if __name__ == "__main__":
    build(Path(sys.argv[1]))
