"""Estate `alder`: an Austrian engineering consultancy on Odoo 17, designed blind.

Brunnmayr Ingenieure GmbH (Graz, ~180 staff) runs Odoo 17 with:
- a small HubSpot webhook receiver ("hubspot-bridge", Python) that writes one JSON object per
  handled webhook: local time with offset, HubSpot's own payload names (`eventId`,
  `subscriptionType`, `attemptNumber`, `occurredAt` in epoch ms), the route it was called on;
- n8n (self-hosted) with its event-bus log file `n8nEventLog.log`: JSON lines despite the name,
  `$$EventMessageWorkflow` started / success / failed messages with a nested `payload` and
  `$$EventMessageConfirm` lines, no duration field (started and finished pair by executionId);
- a Personio HR sync (structlog JSON, `event` / `level` / `timestamp` in Z);
- a BMD NTCS booking export as OCA queue_job jobs, exported from Odoo's export dialog as XLSX
  (Odoo's default) with German field labels, selection labels, naive datetimes in the user's
  time zone (Europe/Vienna) and `Datensatz` holding the record's display name;
- the Odoo server log (UTC, no offset, real line format, tracebacks, queue_job runner and
  werkzeug lines);
- record exports of res.partner and project.project.

Written without reading the product's readers, detectors, agent or matchers. Stdlib + numpy,
deterministic for a seed. `python generate.py OUT` writes the labeled folder.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape

import numpy as np

T = TypeVar("T")

SEED = 20260427
CEST = timezone(timedelta(hours=2))  # Europe/Vienna, summer time for the whole period
START = datetime(2026, 4, 27, tzinfo=CEST)  # a Monday
DAYS = 28
END = START + timedelta(days=DAYS)
HOLIDAYS = {date(2026, 5, 1): "Staatsfeiertag", date(2026, 5, 14): "Christi Himmelfahrt"}
COMPANY_HOLIDAYS = {date(2026, 5, 15): "Fenstertag (Betriebsurlaub)"}
MONTH_END = {date(2026, 4, 29), date(2026, 4, 30)}
DB = "brunnmayr_prod"

# windows (local time); labels are written in UTC
MAINT = (datetime(2026, 5, 6, 20, 0, tzinfo=CEST), datetime(2026, 5, 6, 23, 30, tzinfo=CEST))
W_CRED = (datetime(2026, 5, 5, 6, 15, tzinfo=CEST), datetime(2026, 5, 5, 13, 45, tzinfo=CEST))
W_429 = (datetime(2026, 5, 7, 8, 30, tzinfo=CEST), datetime(2026, 5, 7, 12, 10, tzinfo=CEST))
W_LAT = (datetime(2026, 5, 11, 11, 0, tzinfo=CEST), datetime(2026, 5, 12, 16, 30, tzinfo=CEST))
W_VAT = (datetime(2026, 5, 12, 9, 10, tzinfo=CEST), datetime(2026, 5, 12, 12, 40, tzinfo=CEST))
W_SILENT = (datetime(2026, 5, 18, 10, 20, tzinfo=CEST), datetime(2026, 5, 19, 8, 5, tzinfo=CEST))
W_DUP = (datetime(2026, 5, 19, 14, 5, tzinfo=CEST), datetime(2026, 5, 19, 15, 20, tzinfo=CEST))
W_SIG = (datetime(2026, 5, 20, 8, 30, tzinfo=CEST), datetime(2026, 5, 20, 17, 0, tzinfo=CEST))
W_ACL = (datetime(2026, 5, 21, 9, 0, tzinfo=CEST), datetime(2026, 5, 21, 14, 0, tzinfo=CEST))

TEMPO_WF = ("gq7YwT2kLmN3pQ8r", "Tempo → Odoo Zeiterfassung")
INVOICE_WF = ("Vb3kR9sXo1DfE5aZ", "Odoo Rechnungsstatus → HubSpot Deals")


def closed(d: date) -> bool:
    return d.weekday() >= 5 or d in HOLIDAYS or d in COMPANY_HOLIDAYS


def in_window(t: datetime, w: tuple[datetime, datetime]) -> bool:
    return w[0] <= t < w[1]


def utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_local(t: datetime) -> str:
    return t.astimezone(CEST).isoformat(timespec="milliseconds")


def hours() -> list[datetime]:
    return [START + timedelta(hours=h) for h in range(DAYS * 24)]


def poisson_times(rng: np.random.Generator, hour: datetime, rate: float) -> list[datetime]:
    n = int(rng.poisson(rate))
    secs = np.sort(rng.uniform(0, 3600, n))
    return [hour + timedelta(seconds=float(s)) for s in secs]


def det_uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


# --------------------------------------------------------------------------- records: partners

SURNAMES = ["Gruber", "Huber", "Wagner", "Pichler", "Steiner", "Moser", "Mayer", "Hofer", "Leitner", "Berger",
            "Fuchs", "Eder", "Fischer", "Schmid", "Winkler", "Weber", "Schwarz", "Maier", "Schneider", "Reiter",
            "Mayr", "Schmidt", "Wimmer", "Egger", "Brunner", "Lang", "Baumgartner", "Auer", "Binder", "Lechner",
            "Wolf", "Wallner", "Aigner", "Ebner", "Koller", "Lehner", "Haas", "Schuster", "Holzer", "Müller",
            "Köhler", "Jäger", "Schöberl", "Bäuerle", "Größinger", "Strömberg", "Lindqvist", "Järvinen",
            "Virtanen", "Nyström", "Ødegaard", "Sørensen", "Kröpfl", "Prügger", "Hölzl", "Pölzl", "Url",
            "Kogler", "Zöhrer", "Fürst", "Thaler", "Rauch", "Hackl", "Haider", "Krenn", "Resch", "Strasser"]
GIVEN = ["Anna", "Maria", "Lena", "Katharina", "Sophie", "Julia", "Elisabeth", "Theresa", "Johanna", "Magdalena",
         "Lukas", "Tobias", "Florian", "Maximilian", "Stefan", "Andreas", "Christoph", "Michael", "Markus",
         "Jürgen", "Günther", "Wolfgang", "Matthias", "Sebastian", "Björn", "Åsa", "Sören", "Jörg", "Ursula",
         "Gerhard", "Barbara", "Helmut", "Sabine", "Reinhard", "Verena", "Bernhard", "Karin", "Mikko", "Sanna"]
TITLES = ["Dipl.-Ing.", "Ing.", "Mag.", "DI", "Dr.", "DI Dr."]
TRADES = ["Haustechnik", "Bau", "Elektrotechnik", "Anlagenbau", "Holzbau", "Stahlbau", "Vermessung",
          "Wasserkraft", "Tiefbau", "Energietechnik", "Seilbahntechnik", "Umwelttechnik", "Gebäudetechnik",
          "Brückenbau", "Geotechnik", "Kältetechnik", "Installationen", "Infrastruktur"]
REGIONS = ["Steirische", "Kärntner", "Tiroler", "Salzburger", "Oberösterreichische", "Alpen", "Donau", "Mur",
           "Enns", "Nordlicht", "Pannonia", "Inntal", "Wörthersee"]
NORDIC = [("Energi", "AB", "SE"), ("Rakennus", "Oy", "FI"), ("Bygg", "AB", "SE"), ("Teknik", "A/S", "DK"),
          ("Voima", "Oy", "FI"), ("Kraft", "AS", "NO")]
CITIES_AT = [("8010", "Graz"), ("8020", "Graz"), ("1010", "Wien"), ("1030", "Wien"), ("4020", "Linz"),
             ("5020", "Salzburg"), ("6020", "Innsbruck"), ("9020", "Klagenfurt am Wörthersee"), ("8700", "Leoben"),
             ("8850", "Murau"), ("9500", "Villach"), ("8230", "Hartberg"), ("3100", "St. Pölten"),
             ("8605", "Kapfenberg"), ("6850", "Dornbirn"), ("8940", "Liezen")]
CITIES_DE = [("80331", "München"), ("70173", "Stuttgart"), ("94032", "Passau"), ("83022", "Rosenheim")]
CITIES_NORD = {"SE": [("11122", "Stockholm"), ("41103", "Göteborg")], "FI": [("00100", "Helsinki"),
               ("33100", "Tampere")], "DK": [("8000", "Aarhus")], "NO": [("0150", "Oslo")]}
STREETS = ["Hauptstraße", "Bahnhofstraße", "Grazer Straße", "Wiener Straße", "Industriestraße", "Am Mühlgang",
           "Schillerstraße", "Lendkai", "Annenstraße", "Kärntner Straße", "Europaplatz", "Gewerbepark",
           "Sporgasse", "Triester Straße", "Waagner-Biro-Straße", "Conrad-von-Hötzendorf-Straße"]
COUNTRY = {"AT": "Österreich", "DE": "Deutschland", "SE": "Schweden", "FI": "Finnland", "DK": "Dänemark",
           "NO": "Norwegen"}
LEGAL_VARIANTS = {"GmbH": ["Ges.m.b.H.", "G.m.b.H.", "Gesellschaft m.b.H.", "GesmbH"],
                  "AG": ["Aktiengesellschaft"], "KG": ["Kommanditgesellschaft"], "GmbH & Co KG": ["GmbH & Co. KG"],
                  "e.U.": [""], "AB": ["Aktiebolag"], "Oy": ["Osakeyhtiö", "OY"], "A/S": ["AS"], "AS": ["A/S"]}
ABBREV = {"Haustechnik": "HT", "Elektrotechnik": "Elektro", "Anlagenbau": "Anl.bau", "Energietechnik": "Energie",
          "Seilbahntechnik": "Seilbahn", "Umwelttechnik": "Umwelt", "Gebäudetechnik": "GT",
          "Steirische": "Steir.", "Oberösterreichische": "OÖ", "Infrastruktur": "Infra", "Installationen": "Inst."}
MAILHOSTS = ["gmx.at", "aon.at", "gmail.com", "a1.net", "outlook.com", "chello.at"]
PARTNER_COLS = ["id", "name", "is_company", "company_type", "parent_id", "parent_id/.id", "type", "ref", "vat",
                "email", "phone", "mobile", "street", "zip", "city", "country_id", "company_registry", "website",
                "active", "create_date", "write_date"]


@dataclass
class Partner:
    id: int
    name: str
    is_company: bool
    parent: int | None = None
    type: str = "contact"
    ref: str = ""
    vat: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    street: str = ""
    zip: str = ""
    city: str = ""
    country: str = "AT"
    registry: str = ""
    website: str = ""
    active: bool = True
    create: datetime = START
    write: datetime = START
    entity: str = ""


def ascii_fold(s: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"),
                 ("å", "a"), ("ø", "o"), ("Å", "A"), ("Ø", "O"), ("é", "e")):
        s = s.replace(a, b)
    return s


def slug(s: str) -> str:
    return "".join(c for c in ascii_fold(s).lower() if c.isalnum())


def vat_for(rng: np.random.Generator, country: str) -> str:
    def d(n: int) -> str:
        return "".join(str(x) for x in rng.integers(0, 10, size=n).tolist())

    return {"AT": "ATU" + d(8), "DE": "DE" + d(9), "SE": "SE" + d(10) + "01", "FI": "FI" + d(8),
            "DK": "DK" + d(8), "NO": "NO" + d(9) + "MVA"}[country]


def phone_for(rng: np.random.Generator, country: str) -> str:
    pre = {"AT": "+43 316", "DE": "+49 89", "SE": "+46 8", "FI": "+358 9", "DK": "+45 86", "NO": "+47 22"}[country]
    return f"{pre} {int(rng.integers(100000, 999999))}"


def typo(rng: np.random.Generator, s: str) -> str:
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if len(letters) < 4:
        return s
    i = letters[int(rng.integers(1, len(letters) - 1))]
    op = int(rng.integers(0, 3))
    if op == 0:
        return s[:i] + s[i + 1:]
    if op == 1:
        return s[:i] + s[i] + s[i:]
    j = i + 1 if i + 1 < len(s) and s[i + 1].isalpha() else i - 1
    a, b = sorted((i, j))
    return s[:a] + s[b] + s[a] + s[b + 1:]


class Partners:
    """Companies with their contacts, private persons, and the duplicates a firm really has."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.rows: list[Partner] = []
        self.next_id = 7
        self.hard_negatives: list[tuple[int, int, str]] = []
        self.used_names: set[str] = set()
        self.domains: set[str] = set()
        self.missing_vat: list[tuple[Partner, Partner]] = []  # (duplicate without VAT, record holding it)

    def new_id(self) -> int:
        self.next_id += int(self.rng.integers(1, 4))
        return self.next_id

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.integers(0, len(seq)))]

    def company_name(self) -> tuple[str, str, str]:
        """(core name, legal form, country)"""
        rng = self.rng
        for _ in range(50):
            r = rng.random()
            if r < 0.08:
                trade, form, country = self.pick(NORDIC)
                core = f"{self.pick(SURNAMES)} {trade}"
            elif r < 0.16:
                core, form, country = f"Ingenieurbüro {self.pick(TITLES)} {self.pick(SURNAMES)}", "e.U.", "AT"
            elif r < 0.28:
                core, form, country = f"{self.pick(REGIONS)} {self.pick(TRADES)}", str(self.pick(["GmbH", "AG"])), "AT"
            elif r < 0.36:
                core, form, country = f"{self.pick(SURNAMES)} & {self.pick(SURNAMES)}", "KG", "AT"
            elif r < 0.44:
                core, form, country = f"{self.pick(SURNAMES)} {self.pick(TRADES)}", "GmbH", "DE"
            else:
                core = f"{self.pick(SURNAMES)} {self.pick(TRADES)}"
                form, country = str(self.pick(["GmbH", "GmbH", "GmbH", "GmbH & Co KG", "AG"])), "AT"
            if core not in self.used_names:
                self.used_names.add(core)
                return core, form, country
        return core, form, country

    def address(self, country: str) -> tuple[str, str, str]:
        if country == "AT":
            z, c = self.pick(CITIES_AT)
        elif country == "DE":
            z, c = self.pick(CITIES_DE)
        else:
            z, c = self.pick(CITIES_NORD[country])
        return f"{self.pick(STREETS)} {int(self.rng.integers(1, 140))}", z, c

    def created(self) -> datetime:
        return datetime(2019, 1, 1, tzinfo=CEST) + timedelta(days=float(self.rng.uniform(0, 2650)))

    def add(self, p: Partner) -> Partner:
        if p.write <= p.create:
            p.write = p.create + timedelta(days=float(self.rng.uniform(0, 120)))
        self.rows.append(p)
        return p

    def company(self, entity: str) -> tuple[Partner, str, str]:
        core, form, country = self.company_name()
        name = f"{core} {form}".strip()
        street, z, c = self.address(country)
        dom = slug(core.replace("Ingenieurbüro", "ib"))
        tld = {'AT': 'at', 'DE': 'de', 'SE': 'se', 'FI': 'fi', 'DK': 'dk', 'NO': 'no'}[country]
        domain, n = f"{dom}.{tld}", 1
        while domain in self.domains:  # two firms never share an e-mail domain
            n += 1
            domain = f"{dom}{n}.{tld}"
        self.domains.add(domain)
        created = self.created()
        p = self.add(Partner(
            id=self.new_id(), name=name, is_company=True, vat=vat_for(self.rng, country) if self.rng.random() < 0.9
            else "", email=f"office@{domain}", phone=phone_for(self.rng, country), street=street, zip=z, city=c,
            country=country, registry=f"FN {int(self.rng.integers(100000, 599999))}{'abcdefghik'[int(self.rng.integers(0, 10))]}"
            if country == "AT" and self.rng.random() < 0.6 else "", website=f"https://www.{domain}",
            ref=f"K{int(self.rng.integers(10000, 99999))}" if self.rng.random() < 0.5 else "",
            create=created, write=created + timedelta(days=float(self.rng.uniform(0, 400))), entity=entity))
        return p, core, form

    def contact(self, parent: Partner, entity: str, given: str | None = None, surname: str | None = None) -> Partner:
        given = given or str(self.pick(GIVEN))
        surname = surname or str(self.pick(SURNAMES))
        title = f"{self.pick(TITLES)} " if self.rng.random() < 0.3 else ""
        domain = parent.email.split("@")[-1] if parent.email else "gmail.com"
        return self.add(Partner(
            id=self.new_id(), name=f"{title}{given} {surname}", is_company=False, parent=parent.id,
            vat=parent.vat,  # Odoo syncs the commercial partner's VAT to its contacts
            email=f"{slug(given)[0]}.{slug(surname)}@{domain}", phone=parent.phone,
            mobile=f"+43 664 {int(self.rng.integers(1000000, 9999999))}" if self.rng.random() < 0.7 else "",
            street=parent.street, zip=parent.zip, city=parent.city, country=parent.country,
            create=parent.create + timedelta(days=float(self.rng.uniform(0, 300))), entity=entity))

    def person(self, entity: str) -> Partner:
        given, surname = str(self.pick(GIVEN)), str(self.pick(SURNAMES))
        street, z, c = self.address("AT")
        return self.add(Partner(
            id=self.new_id(), name=f"{given} {surname}", is_company=False,
            email=f"{slug(given)}.{slug(surname)}{int(self.rng.integers(1, 99))}@{self.pick(['gmx.at', 'aon.at', 'gmail.com', 'a1.net'])}",
            mobile=f"+43 676 {int(self.rng.integers(1000000, 9999999))}", street=street, zip=z, city=c,
            create=self.created(), entity=entity))

    def company_variant(self, base: Partner, core: str, form: str, kind: str) -> Partner:
        rng = self.rng
        name = base.name
        p = Partner(id=self.new_id(), name=name, is_company=True, vat=base.vat, email=base.email, phone=base.phone,
                    street=base.street, zip=base.zip, city=base.city, country=base.country, website=base.website,
                    registry=base.registry, create=base.create + timedelta(days=float(rng.uniform(30, 900))),
                    entity=base.entity)
        if kind == "typo":
            p.name = f"{typo(rng, core)} {form}".strip()
        elif kind == "legal":
            alt = LEGAL_VARIANTS.get(form, [form])
            p.name = f"{core} {self.pick(alt)}".strip()
        elif kind == "abbrev":
            words = [ABBREV.get(w, w) for w in core.split(" ")]
            p.name = f"{' '.join(words)} {form}".strip()
            if p.name == name:
                p.name = f"{core.upper()} {form}"
        elif kind == "missing":
            p.vat, p.phone, p.website, p.registry = "", "", "", ""
            p.email = f"info@{base.email.split('@')[-1]}" if base.email else ""
        elif kind == "vat_format":  # same VAT, typed with spaces, different spelling
            v = base.vat or vat_for(rng, base.country)
            base.vat = v
            p.vat = " ".join([v[:3], v[3:6], v[6:]]).lower() if rng.random() < 0.5 else f"{v[:2]} {v[2:]}"
            p.name = ascii_fold(name)
            if p.name == name:
                p.name = name.replace(" ", "  ", 1)
        elif kind == "moved":  # new address, same VAT and e-mail
            p.street, p.zip, p.city = self.address(base.country)
            p.phone = phone_for(rng, base.country)
        p.write = p.create + timedelta(days=float(rng.uniform(0, 100)))
        if kind == "missing" and base.vat:
            self.missing_vat.append((p, base))
        return self.add(p)

    def build(self) -> None:
        rng = self.rng
        kinds = ["typo", "legal", "abbrev", "missing", "vat_format", "moved"]
        companies: list[Partner] = []
        for i in range(820):
            comp, core, form = self.company(f"c{i}")
            companies.append(comp)
            for j in range(int(rng.choice([0, 1, 1, 2, 2, 3, 4]))):
                self.contact(comp, f"c{i}p{j}")
            if rng.random() < 0.14:  # a true duplicate of the company (one or two extra records)
                for _ in range(1 if rng.random() < 0.8 else 2):
                    self.company_variant(comp, core, form, kinds[int(rng.integers(0, len(kinds)))])
            if rng.random() < 0.03:  # a branch: same name + city suffix, same VAT, other address: not a dup
                street, z, c = self.address(comp.country)
                br = self.add(Partner(id=self.new_id(), name=f"{comp.name} Niederlassung {c}", is_company=True,
                                      vat=comp.vat, email=f"{slug(c)}@{comp.email.split('@')[-1]}",
                                      phone=phone_for(rng, comp.country), street=street, zip=z, city=c,
                                      country=comp.country, create=comp.create + timedelta(days=200),
                                      entity=f"c{i}br"))
                self.hard_negatives.append((comp.id, br.id, "branch: same VAT, own address"))
        # contact duplicates: the same person entered twice under one company
        contacts = [p for p in self.rows if not p.is_company and p.parent]
        for p in [contacts[int(i)] for i in rng.choice(len(contacts), 55, replace=False)]:
            parts = p.name.split(" ")
            variant = " ".join(parts[1:]) if parts[0] in TITLES or parts[0] == "DI" else f"{self.pick(TITLES)} {p.name}"
            if rng.random() < 0.4:
                variant = typo(rng, p.name)
            self.add(Partner(id=self.new_id(), name=variant, is_company=False, parent=p.parent, vat=p.vat,
                             email=p.email.upper() if rng.random() < 0.5 else p.email, phone=p.phone,
                             mobile=p.mobile if rng.random() < 0.6 else "", street=p.street, zip=p.zip,
                             city=p.city, country=p.country, create=p.create + timedelta(days=40), entity=p.entity))
        # hard negatives: two contacts of one company (same inherited VAT, phone, address)
        by_parent: dict[int, list[Partner]] = {}
        for p in contacts:
            by_parent.setdefault(p.parent or 0, []).append(p)
        pairs = [v for v in by_parent.values() if len(v) >= 2 and v[0].entity != v[1].entity]
        for v in pairs[:40]:
            self.hard_negatives.append((v[0].id, v[1].id, "two contacts of one company (inherited VAT)"))
        # hard negatives: the same person name at two different companies
        for k in range(25):
            a, b = companies[int(rng.integers(0, len(companies)))], companies[int(rng.integers(0, len(companies)))]
            if a.id == b.id:
                continue
            g, s = str(self.pick(GIVEN)), str(self.pick(SURNAMES))
            pa = self.contact(a, f"hn{k}a", g, s)
            pb = self.contact(b, f"hn{k}b", g, s)
            self.hard_negatives.append((pa.id, pb.id, "same name, different company"))
        # hard negatives: same company name in another town, another VAT
        for k in range(12):
            base = companies[int(rng.integers(0, len(companies)))]
            street, z, c = self.address(base.country)
            if c == base.city:
                continue
            other = self.add(Partner(id=self.new_id(), name=base.name, is_company=True,
                                     vat=vat_for(rng, base.country), email=f"office@{slug(base.name)[:10]}-{slug(c)[:6]}.at",
                                     phone=phone_for(rng, base.country), street=street, zip=z, city=c,
                                     country=base.country, create=self.created(), entity=f"hnc{k}"))
            self.hard_negatives.append((base.id, other.id, "same company name, other town and VAT"))
        # private persons, a few entered twice
        persons = [self.person(f"p{i}") for i in range(420)]
        for p in [persons[int(i)] for i in rng.choice(len(persons), 22, replace=False)]:
            self.add(Partner(id=self.new_id(), name=typo(rng, p.name) if rng.random() < 0.6 else p.name.upper(),
                             is_company=False, email=p.email if rng.random() < 0.7 else "", mobile=p.mobile,
                             street=p.street, zip=p.zip, city=p.city, create=p.create + timedelta(days=90),
                             entity=p.entity))
        # archived records: some old companies; some archived duplicates
        for p in self.rows:
            if p.is_company and rng.random() < 0.04:
                p.active = False

    def pool_for_hubspot(self) -> list[Partner]:
        return [p for p in self.rows if p.active and p.create < START]

    def write_csv(self, path: Path) -> None:
        by_id = {p.id: p for p in self.rows}
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(PARTNER_COLS)
            for p in sorted(self.rows, key=lambda r: r.id):
                parent = by_id.get(p.parent) if p.parent else None
                w.writerow([p.id, p.name, p.is_company, "company" if p.is_company else "person",
                            parent.name if parent else "", parent.id if parent else "", p.type, p.ref, p.vat, p.email,
                            p.phone, p.mobile, p.street, p.zip, p.city, COUNTRY[p.country], p.registry, p.website,
                            p.active, p.create.strftime("%Y-%m-%d %H:%M:%S"), p.write.strftime("%Y-%m-%d %H:%M:%S")])


# --------------------------------------------------------------------------- records: projects

TOPICS = ["Hochwasserschutz {c}", "Windpark {m}", "Kraftwerk {m} Revitalisierung", "Brücke {c} Sanierung",
          "Kläranlage {c} Erweiterung", "Fernwärme {c} Netzausbau", "Umfahrung {c}", "Seilbahn {m} Neubau",
          "Schulzentrum {c} TGA", "Tunnel {m} Sicherheitsausrüstung", "Photovoltaik {c} Freifläche",
          "Landeskrankenhaus {c} Haustechnik", "Wasserversorgung {c}", "Gewerbepark {c} Erschließung",
          "Bahnhof {c} Umbau", "Lärmschutz A{n} Abschnitt {c}"]
MOUNTAINS = ["Pretul", "Koralpe", "Stubalpe", "Gleinalm", "Murau", "Hochschwab", "Dachstein", "Schöckl",
             "Rax", "Zirbitz", "Gerlitzen", "Planai", "Hauser Kaibling", "Lachtal"]
PROJECT_COLS = ["id", "name", "x_projektnummer", "partner_id", "partner_id/.id", "user_id", "x_jira_project_key",
                "date_start", "date", "stage_id", "active", "create_date", "write_date"]
MANAGERS = ["DI Andrea Kogler", "Ing. Markus Pölzl", "DI Dr. Sabine Url", "Mag. Bernhard Hackl",
            "DI Verena Zöhrer", "Ing. Helmut Krenn"]


@dataclass
class Project:
    id: int
    name: str
    code: str
    partner: Partner | None
    manager: str
    jira: str
    start: date
    end: date | None
    stage: str
    active: bool
    create: datetime
    write: datetime
    entity: str = ""


class Projects:
    def __init__(self, rng: np.random.Generator, partners: Partners) -> None:
        self.rng = rng
        self.partners = partners
        self.rows: list[Project] = []
        self.hard_negatives: list[tuple[int, int, str]] = []
        self.next_id = 40
        self.jira_missing: Project | None = None

    def new_id(self) -> int:
        self.next_id += int(self.rng.integers(1, 3))
        return self.next_id

    def build(self) -> None:
        rng = self.rng
        companies = [p for p in self.partners.rows if p.is_company and p.active]
        used: set[str] = set()
        keys: set[str] = set()
        for i in range(235):
            tpl = TOPICS[int(rng.integers(0, len(TOPICS)))]
            topic = tpl.format(c=CITIES_AT[int(rng.integers(0, len(CITIES_AT)))][1].split(" ")[0],
                               m=MOUNTAINS[int(rng.integers(0, len(MOUNTAINS)))], n=int(rng.integers(2, 12)))
            if topic in used:
                continue
            used.add(topic)
            year = int(rng.choice([22, 23, 24, 25, 26]))
            code = f"{year}-{int(rng.integers(100, 999))}"
            stem = "".join(w[0] for w in ascii_fold(topic).split() if w[0].isalpha()).upper()[:3]
            key = stem
            while key in keys:
                key = stem + str(int(rng.integers(1, 100)))
            keys.add(key)
            start = date(2000 + year, int(rng.integers(1, 13)), 1)
            client = companies[int(rng.integers(0, len(companies)))]
            created = datetime(2000 + year, start.month, 1, 9, tzinfo=CEST) + timedelta(days=float(rng.uniform(0, 20)))
            pr = self.add(Project(self.new_id(), f"[{code}] {topic}", code, client, str(rng.choice(MANAGERS)), key,
                                  start, start + timedelta(days=int(rng.integers(120, 900))),
                                  str(rng.choice(["In Bearbeitung", "Angebot", "Abgeschlossen"])), year >= 24,
                                  created, created + timedelta(days=float(rng.uniform(0, 200))), f"j{i}"))
            r = rng.random()
            if r < 0.10:  # created twice: without the code, or with a typo / abbreviation
                variant = topic if rng.random() < 0.5 else typo(rng, topic)
                if rng.random() < 0.3:
                    variant = variant.replace("Hochwasserschutz", "HWS").replace("Kraftwerk", "KW")
                self.add(Project(self.new_id(), variant, "", client, pr.manager, "", start, pr.end, pr.stage,
                                 pr.active, created + timedelta(days=3), created + timedelta(days=5), pr.entity))
            elif r < 0.15:  # the same project under its code only, in another notation
                self.add(Project(self.new_id(), f"{code.replace('-', '/')} {topic}", code, client, pr.manager, key,
                                 start, pr.end, pr.stage, pr.active, created + timedelta(days=1),
                                 created + timedelta(days=2), pr.entity))
            elif r < 0.24:  # hard negative: phase 2 / follow-up / next year, new code
                suffix = str(rng.choice(["Phase 2", "– Folgeauftrag", "2. Bauabschnitt", f"{2001 + year}"]))
                ncode = f"{min(year + 1, 26)}-{int(rng.integers(100, 999))}"
                nkey = key + "B"
                hn = self.add(Project(self.new_id(), f"[{ncode}] {topic} {suffix}", ncode, client, pr.manager, nkey,
                                      start + timedelta(days=300), None, "In Bearbeitung", True,
                                      created + timedelta(days=300), created + timedelta(days=320), f"j{i}n"))
                self.hard_negatives.append((pr.id, hn.id, f"follow-up project ({suffix})"))
            elif r < 0.28:  # hard negative: same topic, different project code (other client)
                other = companies[int(rng.integers(0, len(companies)))]
                ncode = f"{year}-{int(rng.integers(100, 999))}"
                hn = self.add(Project(self.new_id(), f"[{ncode}] {topic}", ncode, other, str(rng.choice(MANAGERS)),
                                      key + "X", start, pr.end, pr.stage, pr.active, created + timedelta(days=60),
                                      created + timedelta(days=61), f"j{i}o"))
                self.hard_negatives.append((pr.id, hn.id, "same topic, different project code and client"))
        # the project whose Jira key is missing (new error signature on the Tempo flow)
        client = companies[3]
        self.jira_missing = self.add(Project(
            self.new_id(), "[26-318] Windpark Pretul – Phase 2", "26-318", client, "DI Andrea Kogler", "",
            date(2026, 5, 1), None, "In Bearbeitung", True, datetime(2026, 5, 19, 16, 2, tzinfo=CEST),
            datetime(2026, 5, 19, 16, 2, tzinfo=CEST), "pretul2"))

    def add(self, p: Project) -> Project:
        self.rows.append(p)
        return p

    def write_csv(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(PROJECT_COLS)
            for p in sorted(self.rows, key=lambda r: r.id):
                w.writerow([p.id, p.name, p.code, p.partner.name if p.partner else "", p.partner.id if p.partner else "",
                            p.manager, p.jira, p.start.isoformat(), p.end.isoformat() if p.end else "", p.stage,
                            p.active, p.create.strftime("%Y-%m-%d %H:%M:%S"), p.write.strftime("%Y-%m-%d %H:%M:%S")])


# --------------------------------------------------------------------------- Odoo server log


@dataclass
class OdooLog:
    lines: list[tuple[datetime, str]] = field(default_factory=list)

    def add(self, t: datetime, level: str, logger: str, msg: str, pid: int = 1187) -> None:
        stamp = t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
        self.lines.append((t, f"{stamp} {pid} {level} {DB} {logger}: {msg}"))

    def write(self, path: Path) -> None:
        self.lines.sort(key=lambda x: x[0])
        path.write_text("".join(s + "\n" for _, s in self.lines), encoding="utf-8")


def werkzeug(log: OdooLog, t: datetime, method: str, path: str, status: int, secs: float, pid: int) -> None:
    stamp = t.astimezone(UTC).strftime("%d/%b/%Y %H:%M:%S")
    log.add(t, "INFO", "werkzeug", f'127.0.0.1 - - [{stamp}] "{method} {path} HTTP/1.1" {status} - '
            f'{int(secs * 40) + 3} {secs * 0.1:.3f} {secs:.3f}', pid)


# --------------------------------------------------------------------------- queue.job (BMD export)

JOB_HEADERS = ["UUID", "Beschreibung", "Aufgabe", "Modell", "Kanal", "Status", "Priorität", "Aktueller Versuch",
               "max. Anzahl von Wiederholungen", "Erstellt am", "Gestartet am", "Erledigt am", "Exception",
               "Exception Message", "Datensatz"]
STATE_DE = {"done": "Erledigt", "failed": "Fehlgeschlagen", "pending": "Ausstehend", "enqueued": "Eingereiht"}


@dataclass
class Job:
    uuid: str
    move_id: int
    move_name: str
    created: datetime
    started: datetime | None
    done: datetime | None
    state: str
    retry: int
    exc_name: str = ""
    exc_message: str = ""


def bmd_jobs(rng: np.random.Generator, log: OdooLog) -> tuple[list[Job], list[str]]:
    jobs: list[Job] = []
    failed_429: list[str] = []
    seq = 412
    move_id = 8800
    for hour in hours():
        d, h = hour.date(), hour.hour
        if closed(d) or not 7 <= h < 19:
            continue
        rate = 19.0 * (3.0 if d in MONTH_END else 1.0) * (0.6 if h in (7, 18) else 1.0)
        for t in poisson_times(rng, hour, rate):
            if in_window(t, MAINT):
                continue
            seq += 1
            move_id += int(rng.integers(1, 4))
            kind = "INV" if rng.random() < 0.7 else "BILL"
            name = f"{kind}/2026/{seq:05d}"
            uid = det_uuid(rng)
            job = Job(uid, move_id, name, t, None, None, "done", 0)
            run = t + timedelta(seconds=float(rng.uniform(1, 20)))
            limited = in_window(run, W_429)
            tries = 0
            while True:
                tries += 1
                pid = int(rng.choice([1187, 1188, 1189, 1190]))
                log.add(run, "INFO", "odoo.addons.queue_job.jobrunner.runner",
                        f"asking Odoo to run job {uid} on db {DB}", 1180)
                secs = float(rng.lognormal(np.log(0.45), 0.35))
                job.started = job.started or run
                if limited and rng.random() < 0.9:
                    log.add(run + timedelta(seconds=0.3), "WARNING", "odoo.addons.bmd_export.models.bmd_api",
                            f"BMD NTCS API antwortet 429 Too Many Requests für {name} (Retry-After: 60)", pid)
                    if tries >= 5:
                        msg = "Max. retries (5) reached: BMD NTCS API: 429 Too Many Requests (Retry-After: 60)"
                        tb = ("Traceback (most recent call last):\n"
                              "  File \"/opt/odoo/addons-oca/queue_job/job.py\", line 498, in perform\n"
                              "    self.result = self.func(*tuple(self.args), **self.kwargs)\n"
                              "  File \"/opt/odoo/addons-brunnmayr/bmd_export/models/account_move.py\", line 61, "
                              "in _bmd_export_job\n    api.post_beleg(self._bmd_payload())\n"
                              "  File \"/opt/odoo/addons-brunnmayr/bmd_export/models/bmd_api.py\", line 88, in post_beleg\n"
                              "    raise RetryableJobError(_(\"BMD NTCS API: 429 Too Many Requests (Retry-After: %s)\") % ra, seconds=ra)\n"
                              "odoo.addons.queue_job.exception.RetryableJobError: BMD NTCS API: 429 Too Many Requests "
                              "(Retry-After: 60)\n\nDuring handling of the above exception, another exception occurred:\n\n"
                              "Traceback (most recent call last):\n"
                              "  File \"/opt/odoo/addons-oca/queue_job/controllers/main.py\", line 112, in runjob\n"
                              "    self._try_perform_job(env, job)\n"
                              "  File \"/opt/odoo/addons-oca/queue_job/job.py\", line 511, in perform\n"
                              "    raise new_exc from err\n"
                              f"odoo.addons.queue_job.exception.FailedJobError: {msg}")
                        log.add(run + timedelta(seconds=0.4), "ERROR", "odoo.addons.queue_job.controllers.main", tb, pid)
                        werkzeug(log, run + timedelta(seconds=0.5), "GET",
                                 f"/queue_job/runjob?db={DB}&job_uuid={uid}", 500, secs, pid)
                        job.state, job.retry = "failed", 5
                        job.exc_name = "odoo.addons.queue_job.exception.FailedJobError"
                        job.exc_message = msg
                        failed_429.append(uid)
                        break
                    werkzeug(log, run + timedelta(seconds=0.4), "GET", f"/queue_job/runjob?db={DB}&job_uuid={uid}",
                             200, secs, pid)
                    run += timedelta(seconds=float(rng.uniform(600, 660)))  # queue_job's 10-minute retry interval
                    limited = in_window(run, W_429)
                    continue
                log.add(run + timedelta(seconds=secs), "INFO", "odoo.addons.bmd_export.models.account_move",
                        f"BMD-Export {name} übertragen (Beleg {move_id}, {secs:.2f} s)", pid)
                werkzeug(log, run + timedelta(seconds=secs + 0.01), "GET", f"/queue_job/runjob?db={DB}&job_uuid={uid}",
                         200, secs, pid)
                job.done, job.retry = run + timedelta(seconds=secs), tries - 1
                break
            jobs.append(job)
    # one-off: a 502 from the BMD gateway fails a single job at once (not a retryable error)
    one = next(j for j in jobs if j.created.date() == date(2026, 5, 12) and j.created.hour >= 14)
    one.state, one.done, one.retry = "failed", None, 0
    one.exc_name = "requests.exceptions.HTTPError"
    one.exc_message = "502 Server Error: Bad Gateway for url: https://bmd.brunnmayr.at/ntcs/api/v2/belege"
    t = one.started or one.created
    log.add(t + timedelta(seconds=1), "ERROR", "odoo.addons.queue_job.controllers.main",
            "Traceback (most recent call last):\n"
            "  File \"/opt/odoo/addons-oca/queue_job/controllers/main.py\", line 112, in runjob\n"
            "    self._try_perform_job(env, job)\n"
            "  File \"/opt/odoo/addons-brunnmayr/bmd_export/models/bmd_api.py\", line 84, in post_beleg\n"
            "    resp.raise_for_status()\n"
            f"requests.exceptions.HTTPError: {one.exc_message}", 1189)
    return jobs, failed_429


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    """A minimal workbook as xlsxwriter lays it out for Odoo: shared strings, bold header, date cells."""
    strings: dict[str, int] = {}

    def sidx(s: str) -> int:
        return strings.setdefault(s, len(strings))

    def col(i: int) -> str:
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s

    epoch = datetime(1899, 12, 30)
    out = io.StringIO()
    table: list[list[object]] = [list(headers), *rows]
    for r, row in enumerate(table, start=1):
        out.write(f'<row r="{r}">')
        for c, v in enumerate(row):
            ref = f"{col(c)}{r}"
            if v is None or v == "":
                continue
            if r == 1:
                out.write(f'<c r="{ref}" s="1" t="s"><v>{sidx(str(v))}</v></c>')
            elif isinstance(v, datetime):
                serial = (v.replace(tzinfo=None) - epoch).total_seconds() / 86400
                out.write(f'<c r="{ref}" s="2"><v>{serial:.10f}</v></c>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                out.write(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                out.write(f'<c r="{ref}" s="3" t="s"><v>{sidx(str(v))}</v></c>')
        out.write("</row>")
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {ns} xmlns:r="{rel}">'
             f'<sheetData>{out.getvalue()}</sheetData></worksheet>')
    sst = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override '
        'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://'
        f'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {ns} '
        f'xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}'
        '/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
        f'{rel}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="{rel}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {ns}><numFmts '
        'count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="2"><font>'
        '<sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs '
        'count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" '
        'fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" '
        'xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyAlignment="1"><alignment wrapText="1"/></xf></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {ns} '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 5, 24, 18, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


def write_jobs_xlsx(path: Path, jobs: list[Job]) -> None:
    def local(t: datetime | None) -> datetime | str:
        return t.astimezone(CEST).replace(tzinfo=None, microsecond=0) if t else ""

    rows: list[list[object]] = []
    for j in sorted(jobs, key=lambda j: j.created, reverse=True):  # queue.job's _order: date_created desc
        rows.append([j.uuid, f"BMD-Export {j.move_name}", f"account.move({j.move_id},)._bmd_export_job()",
                     "account.move", "root.bmd", STATE_DE[j.state], 10, j.retry, 5, local(j.created),
                     local(j.started), local(j.done), j.exc_name, j.exc_message, j.move_name])
    path.write_bytes(xlsx_bytes(JOB_HEADERS, rows))


# --------------------------------------------------------------------------- HubSpot bridge


def hubspot_bridge(rng: np.random.Generator, partners: Partners, log: OdooLog
                   ) -> tuple[list[dict], dict[str, list[int]]]:
    pool = partners.pool_for_hubspot()
    events: list[dict] = []
    out: dict[str, list[int]] = {"vat": [], "dup": []}
    event_id = 3_871_200_000
    sub_ids = {"contact.creation": 1481203, "contact.propertyChange": 1481204, "company.creation": 1481210,
               "company.propertyChange": 1481211, "deal.creation": 1481220, "deal.propertyChange": 1481221}
    # HubSpot sets the VAT on a duplicate that lacks it; Odoo refuses: the other record holds it
    vat_pairs = [(a, b) for a, b in partners.missing_vat if a.active and b.active][:14]
    redeliver_after_maint: list[dict] = []

    def emit(t: datetime, route: str, sub: str, obj: int, odoo_model: str, odoo_id: int | None, status: int,
             ms: float, attempt: int = 1, level: str = "INFO", error: str | None = None,
             error_type: str | None = None, prop: str | None = None, eid: int | None = None) -> dict:
        nonlocal event_id
        if eid is None:
            event_id += int(rng.integers(3, 400))
            eid = event_id
        rec = {"time": iso_local(t), "level": level, "logger": "hubspot_bridge.webhooks",
               "msg": "webhook handled" if error is None else "webhook failed", "route": route, "portalId": 26457711,
               "eventId": eid, "subscriptionId": sub_ids[sub], "subscriptionType": sub, "objectId": obj,
               "attemptNumber": attempt,
               "occurredAt": int((t - timedelta(seconds=float(rng.uniform(0.4, 3)))).timestamp() * 1000),
               "status": status, "duration_ms": round(ms), "odoo_model": odoo_model, "odoo_id": odoo_id}
        if prop:
            rec["propertyName"] = prop
        if error is not None:
            rec["error_type"] = error_type
            rec["error"] = error
        events.append(rec)
        return rec

    next_partner = max(p.id for p in partners.rows) + 20
    so_id = 5400
    for hour in hours():
        d, h = hour.date(), hour.hour
        biz = not closed(d)
        c_rate = (14.0 if 8 <= h < 18 else 4.0 if 6 <= h < 22 else 1.0) if biz else (3.0 if 8 <= h < 20 else 0.5)
        d_rate = (5.0 if 9 <= h < 17 else 0.5) if biz else 0.3
        for t in poisson_times(rng, hour, c_rate):
            if in_window(t, MAINT):
                redeliver_after_maint.append({"t": t})
                continue
            r = rng.random()
            sub = ("contact.creation" if r < 0.3 else "contact.propertyChange" if r < 0.75 else "company.creation"
                   if r < 0.85 else "company.propertyChange")
            obj = int(rng.integers(10_000_000, 99_000_000))
            ms = float(rng.lognormal(np.log(380), 0.4))
            if sub.endswith("creation"):
                if in_window(t, W_DUP) and sub == "contact.creation":
                    # Odoo is slow (9-14 s); HubSpot times out after 5 s and delivers the same event again
                    base_t = t
                    eid = None
                    ids = []
                    for attempt in range(1, int(rng.integers(2, 4)) + 1):
                        next_partner += 1
                        rec = emit(base_t, "/hooks/hubspot/contacts", sub, obj, "res.partner", next_partner, 200,
                                   float(rng.uniform(9000, 14000)), attempt=attempt, eid=eid)
                        eid = rec["eventId"]
                        ids.append(next_partner)
                        base_t += timedelta(seconds=float(rng.uniform(60, 200)))
                    out["dup"].extend(ids)
                    proto = pool[int(rng.integers(0, len(pool)))]
                    given, surname = str(rng.choice(GIVEN)), str(rng.choice(SURNAMES))
                    parent = proto if proto.is_company else None
                    for k, pid in enumerate(ids):
                        partners.add(Partner(id=pid, name=f"{given} {surname}", is_company=False,
                                             parent=parent.id if parent else None, vat=parent.vat if parent else "",
                                             email=f"{slug(given)}.{slug(surname)}@{parent.email.split('@')[-1] if parent else 'gmx.at'}",
                                             street=parent.street if parent else "", zip=parent.zip if parent else "",
                                             city=parent.city if parent else "", create=t + timedelta(minutes=2 * k),
                                             write=t + timedelta(minutes=2 * k), entity=f"hsdup{ids[0]}"))
                    continue
                next_partner += 1
                given, surname = str(rng.choice(GIVEN)), str(rng.choice(SURNAMES))
                if sub.startswith("contact"):
                    name = f"{given} {surname}"
                    email = f"{slug(given)}.{slug(surname)}{int(rng.integers(1, 999))}@{rng.choice(MAILHOSTS)}"
                else:
                    name = f"{surname} {rng.choice(TRADES)} {rng.choice(['GmbH', 'e.U.', 'OG'])}"
                    while name in partners.used_names:
                        name = f"{rng.choice(SURNAMES)} {rng.choice(REGIONS)} {rng.choice(TRADES)} GmbH"
                    core, drawn = name.rsplit(" ", 1)[0], name
                    if core in partners.used_names:  # a new firm, not one Odoo already has under another form
                        core = f"{core} {['Süd', 'Nord', 'Ost', 'West'][next_partner % 4]} {next_partner % 97}"
                        name = f"{core} GmbH"
                    partners.used_names.update({drawn, name, core})
                    email = f"office@{slug(core)}.at"
                    while email.split("@")[1] in partners.domains:
                        email = email.replace(".at", "-at.at")
                    partners.domains.add(email.split("@")[1])
                partners.add(Partner(id=next_partner, name=name, is_company=sub.startswith("company"),
                                     email=email, create=t, write=t, entity=f"hs{next_partner}"))
                if in_window(t, W_DUP):
                    ms = float(rng.uniform(6000, 9000))
                emit(t, "/hooks/hubspot/contacts", sub, obj, "res.partner", next_partner, 200, ms)
                continue
            target = pool[int(rng.integers(0, len(pool)))]
            if in_window(t, W_VAT) and rng.random() < 0.55:
                a, b = vat_pairs[int(rng.integers(0, len(vat_pairs)))]
                out["vat"].append(a.id)
                emit(t, "/hooks/hubspot/contacts", "company.propertyChange", obj, "res.partner", a.id, 422,
                     ms * 1.3, level="ERROR", prop="vat", error_type="odoo.exceptions.ValidationError",
                     error=f"Die USt-IdNr. {b.vat} ist bereits dem Kontakt „{b.name}“ (ID {b.id}) zugeordnet. "
                     "Bitte führen Sie die Kontakte zusammen, statt die Nummer doppelt zu vergeben.")
                continue
            if in_window(t, W_DUP):
                ms = float(rng.uniform(6000, 12000))
            prop = str(rng.choice(["email", "phone", "lifecyclestage", "address", "hs_lead_status", "vat"]))
            emit(t, "/hooks/hubspot/contacts", sub, obj, "res.partner", target.id, 200, ms, prop=prop)
        for t in poisson_times(rng, hour, d_rate):
            if in_window(t, MAINT):
                continue
            sub = "deal.creation" if rng.random() < 0.35 else "deal.propertyChange"
            so_id += int(rng.integers(1, 3))
            base = 850.0 if not in_window(t, W_LAT) else 5200.0
            emit(t, "/hooks/hubspot/deals", sub, int(rng.integers(9_000_000_000, 9_999_999_999)), "sale.order", so_id,
                 200, float(rng.lognormal(np.log(base), 0.3)), prop=None if sub == "deal.creation" else "dealstage")
    # HubSpot delivers what it could not deliver during maintenance once the bridge is back
    back = MAINT[1] + timedelta(minutes=4)
    for k in range(len(redeliver_after_maint)):
        target = pool[int(rng.integers(0, len(pool)))]
        emit(back + timedelta(seconds=7 * k + float(rng.uniform(0, 5))), "/hooks/hubspot/contacts",
             "contact.propertyChange", int(rng.integers(10_000_000, 99_000_000)), "res.partner", target.id, 200,
             float(rng.lognormal(np.log(420), 0.4)), attempt=int(rng.integers(2, 5)), prop="email")
    # one-off errors
    def one_off(day: date, hour_: int, route: str, sub: str, model: str, status: int, etype: str, err: str) -> None:
        t = datetime(day.year, day.month, day.day, hour_, 17, 41, tzinfo=CEST)
        emit(t, route, sub, int(rng.integers(10_000_000, 99_000_000)), model, None, status, 640.0, level="ERROR",
             error_type=etype, error=err)

    one_off(date(2026, 5, 8), 10, "/hooks/hubspot/contacts", "contact.creation", "res.partner", 409,
            "hubspot.ApiException", "HubSpot API 409 Conflict: Contact already exists. Existing ID: 51402911")
    one_off(date(2026, 5, 13), 15, "/hooks/hubspot/contacts", "contact.propertyChange", "res.partner", 502,
            "xmlrpc.client.ProtocolError", "<ProtocolError for odoo.brunnmayr.at/xmlrpc/2/object: 502 Bad Gateway>")
    one_off(date(2026, 5, 21), 11, "/hooks/hubspot/deals", "deal.propertyChange", "sale.order", 422,
            "hubspot.ApiException", "HubSpot API 422 Unprocessable Entity: Property values were not valid: "
            "[{\"isValid\":false,\"message\":\"dealstage 'auftrag_erteilt' is not a valid option\"}]")
    events.sort(key=lambda e: e["time"])
    return events, out


# --------------------------------------------------------------------------- n8n event log


def n8n_log(rng: np.random.Generator) -> list[dict]:
    lines: list[tuple[datetime, dict]] = []
    exec_id = 48_210

    def msg(t: datetime, event: str, payload: dict) -> None:
        mid = det_uuid(rng)
        lines.append((t, {"__type": "$$EventMessageWorkflow", "id": mid, "ts": iso_local(t), "eventName": event,
                          "message": event, "payload": payload}))
        lines.append((t + timedelta(milliseconds=3), {"__type": "$$EventMessageConfirm", "confirm": mid,
                                                      "ts": iso_local(t + timedelta(milliseconds=3)),
                                                      "source": {"id": "0", "name": "eventBus"}}))

    def run(t: datetime, wf: tuple[str, str], secs: float, error: dict | None) -> None:
        nonlocal exec_id
        exec_id += 1
        base = {"executionId": str(exec_id), "userId": "b7c0c6e4-0f1d-4c4b-9d7e-3d2f2f6a9a10", "workflowId": wf[0],
                "isManual": False, "workflowName": wf[1]}
        msg(t, "n8n.workflow.started", dict(base))
        end = t + timedelta(seconds=secs)
        if error is None:
            msg(end, "n8n.workflow.success", {**base, "success": True})
        else:
            msg(end, "n8n.workflow.failed", {**base, "success": False, **error})

    t = START + timedelta(minutes=0, seconds=2)
    while t < END:
        if not in_window(t, MAINT):
            d, h = t.date(), t.hour
            busy = not closed(d) and 7 <= h < 19
            worklogs = int(rng.poisson((9 if busy else 0.4) * (2.2 if d in MONTH_END else 1.0)))
            secs = 1.5 + worklogs * float(rng.uniform(0.6, 1.4))
            err = None
            if in_window(t, W_CRED):
                secs = float(rng.uniform(0.8, 1.6))
                err = {"lastNodeExecuted": "Tempo: Worklogs holen", "errorNodeType": "n8n-nodes-base.httpRequest",
                       "errorMessage": "401 - {\"error\":\"invalid_grant\",\"error_description\":\"The refresh token "
                       "is invalid, expired or revoked\"}"}
            elif in_window(t, W_SIG) and worklogs and rng.random() < 0.7:
                err = {"lastNodeExecuted": "Odoo: Zeitbuchung anlegen", "errorNodeType": "n8n-nodes-base.odoo",
                       "errorMessage": "UserError: Kein Odoo-Projekt für Jira-Projekt „WPK“ gefunden – am Projekt "
                       "„[26-318] Windpark Pretul – Phase 2“ ist das Feld x_jira_project_key leer."}
            elif t.date() == date(2026, 5, 13) and t.hour == 10 and t.minute < 15:
                err = {"lastNodeExecuted": "Tempo: Worklogs holen", "errorNodeType": "n8n-nodes-base.httpRequest",
                       "errorMessage": "timeout of 30000ms exceeded"}
                secs = 30.2
            run(t, TEMPO_WF, secs, err)
        t += timedelta(minutes=15)
    t = START + timedelta(minutes=5, seconds=1)
    while t < END:
        if not in_window(t, MAINT) and not in_window(t, W_SILENT):
            run(t, INVOICE_WF, float(rng.uniform(2, 8)), None)
        t += timedelta(minutes=30)
    lines.sort(key=lambda x: x[0])
    return [x for _, x in lines]


# --------------------------------------------------------------------------- Personio sync


def personio_log(rng: np.random.Generator) -> list[dict]:
    out: list[tuple[datetime, dict]] = []
    employees = list(range(12, 12 + 183))

    def rec(t: datetime, logger: str, event: str, level: str = "info", **kw: object) -> None:
        out.append((t, {"event": event, "level": level, "logger": logger,
                        "timestamp": t.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"), **kw}))

    leave_id = 930
    for hour in hours():
        d, h = hour.date(), hour.hour
        if closed(d) or not 7 <= h <= 19:
            continue
        run_id = det_uuid(rng)[:8]
        t = hour + timedelta(seconds=float(rng.uniform(1, 9)))
        rec(t, "personio_sync", "sync.run.started", run_id=run_id)
        n, fails = int(rng.poisson(4)), 0
        for _ in range(n):
            t += timedelta(seconds=float(rng.uniform(0.3, 2.5)))
            emp = employees[int(rng.integers(0, len(employees)))]
            if in_window(t, W_ACL):
                fails += 1
                rec(t, "personio_sync.employees", "employee.upsert_failed", "error", run_id=run_id,
                    personio_id=40000 + emp, hr_employee_id=emp, error="odoo.exceptions.AccessError",
                    error_message="Sie dürfen „Mitarbeiter“ (hr.employee) nicht ändern. Dieser Vorgang ist nur "
                    "folgenden Gruppen erlaubt: Mitarbeiter/Beauftragter: Alle Mitarbeiter verwalten. Wenden Sie "
                    "sich an Ihren Administrator, um Zugriff anzufordern.")
            else:
                rec(t, "personio_sync.employees", "employee.upserted", run_id=run_id, personio_id=40000 + emp,
                    hr_employee_id=emp, took_ms=int(rng.lognormal(np.log(230), 0.3)))
        if rng.random() < 0.22:  # absences: a few a day, in bursts
            for _ in range(int(rng.integers(1, 4))):
                t += timedelta(seconds=float(rng.uniform(0.3, 2)))
                leave_id += 1
                rec(t, "personio_sync.absences", "absence.upserted", run_id=run_id,
                    personio_absence_id=720000 + leave_id, hr_leave_id=leave_id,
                    took_ms=int(rng.lognormal(np.log(310), 0.3)))
        t += timedelta(seconds=0.4)
        rec(t, "personio_sync", "sync.run.finished", "warning" if fails else "info", run_id=run_id,
            employees_changed=n, failed=fails, took_ms=int((t - hour).total_seconds() * 1000))
    out.sort(key=lambda x: x[0])
    return [x for _, x in out]


# --------------------------------------------------------------------------- Odoo server log, the rest


def odoo_background(rng: np.random.Generator, log: OdooLog) -> None:
    for hour in hours():
        if in_window(hour, MAINT) or in_window(hour + timedelta(minutes=59), MAINT):
            continue
        t = hour + timedelta(minutes=3, seconds=float(rng.uniform(0, 50)))
        log.add(t, "INFO", "odoo.addons.base.models.ir_cron", "Job 'Mail: Email Queue Manager' (3) starting", 1191)
        n = int(rng.poisson(2 if not closed(hour.date()) else 0.3))
        if n:
            log.add(t + timedelta(seconds=1), "INFO", "odoo.addons.mail.models.mail_mail",
                    f"Sent batch {n} emails via mail server ID #1", 1191)
        log.add(t + timedelta(seconds=2), "INFO", "odoo.addons.base.models.ir_cron",
                "Job 'Mail: Email Queue Manager' (3) done", 1191)
        if hour >= MAINT[1] and hour.hour in (8, 12, 16):  # new INFO line after the deploy, harmless
            log.add(hour + timedelta(minutes=11), "INFO", "odoo.addons.bmd_export.models.bmd_api",
                    "BMD NTCS: Stapelübertragung aktiv (batch_size=50, api=v2); Einzelübertragung deaktiviert", 1188)
    # maintenance announced two days before, in local time as the admin wrote it
    log.add(datetime(2026, 5, 4, 9, 0, 2, 114000, tzinfo=CEST), "INFO", "odoo.addons.brunnmayr_betrieb.models.wartung",
            "Planned maintenance: Odoo 17.0 update (bmd_export 17.0.2.0.0), all integrations paused from "
            "2026-05-06 20:00 to 2026-05-06 23:30 Europe/Vienna", 1187)
    log.add(MAINT[0] + timedelta(seconds=5), "INFO", "odoo.service.server", "Initiating shutdown", 1180)
    log.add(MAINT[0] + timedelta(seconds=5), "INFO", "odoo.service.server",
            "Hit CTRL-C again or send a second signal to force the shutdown.", 1180)
    up = MAINT[1] - timedelta(minutes=6)
    for k, (lg, m) in enumerate([
        ("odoo", "Odoo version 17.0-20260505"), ("odoo", "Using configuration file at /etc/odoo/odoo.conf"),
        ("odoo", "addons paths: ['/opt/odoo/odoo/addons', '/opt/odoo/addons-oca', '/opt/odoo/addons-brunnmayr']"),
        ("odoo", "database: odoo@db-prod:5432"), ("odoo.modules.loading", "loading 1 modules..."),
        ("odoo.modules.loading", "1 modules loaded in 0.01s, 0 queries (+0 extra)"),
        ("odoo.modules.loading", "updating modules list"),
        ("odoo.modules.loading", "loading 164 modules..."),
        ("odoo.modules.loading", "164 modules loaded in 41.87s, 3122 queries (+3122 extra)"),
        ("odoo.modules.loading", "Modules loaded."),
        ("odoo.service.server", "HTTP service (werkzeug) running on 0.0.0.0:8069"),
        ("odoo.addons.queue_job.jobrunner.runner", "starting"),
        ("odoo.addons.queue_job.jobrunner.runner", "initializing database connections"),
        ("odoo.addons.queue_job.jobrunner.runner", f"queue job runner ready for db {DB}"),
    ]):
        log.add(up + timedelta(seconds=3 * k), "INFO", lg, m, 28811 if k < 11 else 28811)
    # serialization failures Odoo retries by itself (one-off, harmless)
    for day, hh in ((date(2026, 4, 30), 10), (date(2026, 5, 11), 14), (date(2026, 5, 22), 9)):
        t = datetime(day.year, day.month, day.day, hh, 22, 7, 511000, tzinfo=CEST)
        log.add(t, "INFO", "odoo.service.model", "SERIALIZATION_FAILURE, 4 tries left, try again in 0.3476 sec...",
                1189)


# --------------------------------------------------------------------------- labels


def incidents(failed_429: list[str], vat_ids: list[int], dup_ids: list[int], jira_project: int) -> list[dict]:
    def inc(iid: str, kind: str, flow: str, w: tuple[datetime, datetime], cause: str, action: str,
            records: list[str], desc: str) -> dict:
        return {"incident_id": iid, "kind": kind, "flow": flow, "start": utc(w[0]), "end": utc(w[1]),
                "cause": cause, "expected_action": action, "affected_records": records, "description": desc}

    return [
        inc("alder-01", "expired_credential", "tempo_zeiterfassung", W_CRED, "credential_auth", "escalate", [],
            "Tempo OAuth refresh token revoked: every n8n run fails with 401 invalid_grant until re-authorised"),
        inc("alder-02", "retry_storm", "bmd_buchungsexport", (W_429[0], W_429[1] + timedelta(minutes=55)),
            "rate_limit", "requeue_jobs", [f"queue.job:{u}" for u in failed_429],
            "BMD NTCS API answered 429 for the morning; jobs retried every 10 minutes until max. retries (5)"),
        inc("alder-03", "error_spike", "hubspot_kontakte", W_VAT, "data_quality", "merge_partners",
            [f"res.partner:{i}" for i in sorted(set(vat_ids))],
            "HubSpot company VAT updates rejected by Odoo (ValidationError: VAT already on another partner); "
            "the partners are duplicates to merge"),
        inc("alder-04", "duplicate_delivery", "hubspot_kontakte", (W_DUP[0], W_DUP[1] + timedelta(minutes=8)),
            "upstream_outage", "merge_partners", [f"res.partner:{i}" for i in dup_ids],
            "Odoo answered the bridge in 9-14 s; HubSpot timed out after 5 s and re-delivered contact.creation "
            "events (same eventId, attemptNumber 2-3); each delivery created a partner"),
        inc("alder-05", "latency_shift", "hubspot_deals", W_LAT, "upstream_outage", "escalate", [],
            "deal webhooks took ~5 s instead of ~0.85 s after a module update (no errors)"),
        inc("alder-06", "error_spike", "personio_mitarbeiter", W_ACL, "configuration", "escalate", [],
            "the sync user lost the Employees/Officer group in a role clean-up: every hr.employee write raised "
            "odoo.exceptions.AccessError"),
        inc("alder-07", "silent_flow", "rechnungsstatus_hubspot", W_SILENT, "configuration", "escalate", [],
            "n8n workflow deactivated by a workflow import; no runs until the next morning"),
        inc("alder-08", "new_error_signature", "tempo_zeiterfassung", W_SIG, "configuration", "set_field",
            [f"project.project:{jira_project}"],
            "new project [26-318] created without x_jira_project_key: Tempo worklogs for Jira project WPK fail "
            "with a UserError until the key is set"),
    ]


def not_incidents() -> list[dict]:
    def d(i: str, kind: str, flow: str, a: datetime, b: datetime, desc: str) -> dict:
        return {"id": i, "kind": kind, "flow": flow, "start": utc(a), "end": utc(b), "description": desc}

    day = lambda y, m, dd: datetime(y, m, dd, tzinfo=CEST)  # noqa: E731
    return [
        d("ni-01", "public_holiday", "*", day(2026, 5, 1), day(2026, 5, 2), "Staatsfeiertag (AT)"),
        d("ni-02", "public_holiday", "*", day(2026, 5, 14), day(2026, 5, 15), "Christi Himmelfahrt (AT)"),
        d("ni-03", "company_holiday", "*", day(2026, 5, 15), day(2026, 5, 16), "Fenstertag: office closed"),
        d("ni-04", "maintenance", "*", MAINT[0], MAINT[1] + timedelta(minutes=30),
          "Odoo 17 update, announced in the Odoo log on 4 May (local times, Europe/Vienna)"),
        d("ni-05", "redelivery_after_maintenance", "hubspot_kontakte", MAINT[1], MAINT[1] + timedelta(minutes=40),
          "HubSpot delivers the webhooks missed during maintenance (attemptNumber 2-4), each once"),
        d("ni-06", "bursty_low_volume", "personio_abwesenheiten", START, END,
          "a few absences a day, synced in bursts by the hourly run"),
        d("ni-07", "new_info_message", "bmd_buchungsexport", MAINT[1], END,
          "new INFO line after the deploy: 'Stapelübertragung aktiv'"),
        d("ni-08", "one_off_errors", "hubspot_kontakte", day(2026, 5, 8), day(2026, 5, 9), "one 409 from HubSpot"),
        d("ni-09", "one_off_errors", "hubspot_kontakte", day(2026, 5, 13), day(2026, 5, 14), "one 502 from nginx"),
        d("ni-10", "one_off_errors", "hubspot_deals", day(2026, 5, 21), day(2026, 5, 22), "one 422 from HubSpot"),
        d("ni-11", "one_off_errors", "tempo_zeiterfassung", day(2026, 5, 13), day(2026, 5, 14), "one timeout"),
        d("ni-12", "one_off_errors", "bmd_buchungsexport", day(2026, 5, 12), day(2026, 5, 13),
          "one job failed on a 502 from the BMD gateway"),
        *[d(f"ni-13{c}", "one_off_errors", "*", datetime(y, m, dd, hh, 0, tzinfo=CEST),
            datetime(y, m, dd, hh + 1, 0, tzinfo=CEST), "SERIALIZATION_FAILURE retried by Odoo itself (INFO)")
          for c, (y, m, dd, hh) in zip("abc", [(2026, 4, 30, 10), (2026, 5, 11, 14), (2026, 5, 22, 9)], strict=True)],
        d("ni-14", "month_end_peak", "bmd_buchungsexport", day(2026, 4, 29), day(2026, 5, 1),
          "month-end closing: three times the bookings"),
        d("ni-15", "month_end_peak", "tempo_zeiterfassung", day(2026, 4, 29), day(2026, 5, 1),
          "staff log their hours before month end"),
    ]


FLOWS = [
    {"name": "hubspot_kontakte", "source_system": "HubSpot", "target_system": "Odoo", "owner": "crm-team@brunnmayr.at",
     "criticality": "high", "description": "HubSpot Kontakte/Firmen → res.partner (hubspot-bridge)", "country": "AT",
     "endpoints": ["/hooks/hubspot/contacts"], "models": ["res.partner"]},
    {"name": "hubspot_deals", "source_system": "HubSpot", "target_system": "Odoo", "owner": "crm-team@brunnmayr.at",
     "criticality": "high", "description": "HubSpot Deals → sale.order / Projekt", "country": "AT",
     "endpoints": ["/hooks/hubspot/deals"], "models": ["sale.order"]},
    {"name": "tempo_zeiterfassung", "source_system": "Jira Tempo", "target_system": "Odoo",
     "owner": "pmo@brunnmayr.at", "criticality": "medium", "description": "Tempo worklogs → account.analytic.line (n8n)",
     "country": "AT", "aliases": [TEMPO_WF[1], TEMPO_WF[0]], "models": ["account.analytic.line"]},
    {"name": "rechnungsstatus_hubspot", "source_system": "Odoo", "target_system": "HubSpot",
     "owner": "crm-team@brunnmayr.at", "criticality": "medium", "description": "invoice status → HubSpot deals (n8n)",
     "aliases": [INVOICE_WF[1], INVOICE_WF[0]]},
    {"name": "personio_mitarbeiter", "source_system": "Personio", "target_system": "Odoo", "owner": "hr-it@brunnmayr.at",
     "criticality": "medium", "description": "Personio employees → hr.employee", "country": "AT", "unit": "batch",
     "loggers": ["personio_sync.employees"], "models": ["hr.employee"]},
    {"name": "personio_abwesenheiten", "source_system": "Personio", "target_system": "Odoo",
     "owner": "hr-it@brunnmayr.at", "criticality": "low", "description": "Personio absences → hr.leave",
     "country": "AT", "unit": "batch", "loggers": ["personio_sync.absences"], "models": ["hr.leave"]},
    {"name": "bmd_buchungsexport", "source_system": "Odoo", "target_system": "BMD NTCS", "owner": "fibu@brunnmayr.at",
     "criticality": "critical", "description": "posted invoices and bills → BMD (queue_job, channel root.bmd)",
     "country": "AT", "channels": ["root.bmd"], "loggers": ["odoo.addons.bmd_export"], "models": ["account.move"]},
]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def build(out: Path, seed: int = SEED) -> Path:
    for sub in ("logs", "records", "labels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    partners = Partners(np.random.default_rng(seed + 1))
    partners.build()
    projects = Projects(np.random.default_rng(seed + 2), partners)
    projects.build()
    log = OdooLog()
    jobs, failed_429 = bmd_jobs(np.random.default_rng(seed + 3), log)
    odoo_background(np.random.default_rng(seed + 4), log)
    bridge, hs = hubspot_bridge(np.random.default_rng(seed + 5), partners, log)
    write_jsonl(out / "logs" / "hubspot-bridge.jsonl", bridge)
    write_jsonl(out / "logs" / "n8nEventLog.log", n8n_log(np.random.default_rng(seed + 6)))
    write_jsonl(out / "logs" / "personio-sync.jsonl", personio_log(np.random.default_rng(seed + 7)))
    log.write(out / "logs" / "odoo-server.log")
    write_jobs_xlsx(out / "logs" / "Job einreihen (queue.job).xlsx", jobs)
    partners.write_csv(out / "records" / "res_partner.csv")
    projects.write_csv(out / "records" / "project_project.csv")
    assert projects.jira_missing is not None
    write_jsonl(out / "labels" / "incidents.jsonl", incidents(failed_429, hs["vat"], hs["dup"], projects.jira_missing.id))
    write_jsonl(out / "labels" / "not_incidents.jsonl", not_incidents())
    ents: list[tuple[str, list[tuple[int, str]]]] = [
        ("partner_entities.csv", [(r.id, r.entity) for r in partners.rows]),
        ("project_entities.csv", [(r.id, r.entity) for r in projects.rows])]
    for name, rows in ents:
        with (out / "labels" / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "entity"])
            for rid, ent in sorted(rows):
                w.writerow([rid, ent])
    with (out / "labels" / "hard_negatives.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["model", "left_id", "right_id", "why"])
        for model, negs in (("res.partner", partners.hard_negatives), ("project.project", projects.hard_negatives)):
            for a, b, why in negs:
                w.writerow([model, a, b, why])
    (out / "flows.json").write_text(json.dumps(FLOWS, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    calendar = {"country": "AT", "holidays": [d.isoformat() for d in sorted(COMPANY_HOLIDAYS)], "month_end_days": 2}
    (out / "calendar.json").write_text(json.dumps(calendar, indent=2) + "\n", encoding="utf-8")
    manifest = {"estate": "alder", "heldout": False, "designed_blind": True, "seed": seed, "days": DAYS,
                "start": utc(START), "end": utc(END), "firm": "Brunnmayr Ingenieure GmbH (Graz, AT), Odoo 17",
                "timezone": "Europe/Vienna (+02:00)"}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "alder-estate"))
