# mypy: disable-error-code="index,assignment,arg-type,dict-item,attr-defined"
# (a blind estate: its author's code is kept as written, checked by its tests, not retyped)
"""Build the dogwood estate: a Barcelona architecture and engineering firm on Odoo 17 (see __init__.py).

Every log is written the way its system writes it (Azure Logic Apps resource logs, a Kafka Connect
worker's log4j file, an OCA queue.job export re-saved by Spanish Excel, the Odoo server log); the labels
are computed from the same generated events, so their windows and records are exact.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

SEED = 20260907
DAYS = 40
TZ = ZoneInfo("Europe/Madrid")
UTC = timezone.utc  # noqa: UP017
START = datetime(2026, 9, 7, tzinfo=TZ)  # Monday 00:00, Barcelona
END = START + timedelta(days=DAYS)  # Saturday 17/10 00:00, Barcelona
EXPORT_AT = datetime(2026, 10, 16, 18, 40, tzinfo=TZ)  # when the queue.job export was taken
DB = "cornus_prod"

HOLIDAYS = {
    date(2026, 9, 11): "Diada Nacional de Catalunya (festivo autonómico)",
    date(2026, 9, 24): "La Mercè (festivo local de Barcelona)",
    date(2026, 10, 12): "Fiesta Nacional de España (festivo nacional)",
}
BRIDGE = {date(2026, 9, 25): "Puente de la Mercè (oficina cerrada por calendario laboral)"}
MONTH_END = {date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1)}

# Azure
SUB = "7c1e4b2a-93d0-4f5e-8a61-2b9f0c3d4e5a"
RG = "rg-cnr-integracion-weu"
WF_ACC = "la-cnr-acc-proyectos"
WF_TR = "la-cnr-transmittals-sharepoint"
WF_GUID = {WF_ACC: "3f0a8c2e91b44d7fa1c25e6d9b0f4a17", WF_TR: "c81d55e07a2f4b93b6e4f1a09d3c7e52"}
CONNECTOR = "dwh-partes-horas-sink"

SII_URL = "https://www1.agenciatributaria.gob.es/wlpl/SSII-FACT/ws/fe/SiiFactFEV1SOAP"


# --------------------------------------------------------------------------- time helpers


def utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


def iso_z(dt: datetime) -> str:
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def az_ts(dt: datetime) -> str:
    d = utc(dt)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond * 10:07d}Z"


def odoo_ts(dt: datetime) -> str:
    d = utc(dt)
    return d.strftime("%Y-%m-%d %H:%M:%S,") + f"{d.microsecond // 1000:03d}"


def werkzeug_ts(dt: datetime) -> str:
    return utc(dt).strftime("%d/%b/%Y %H:%M:%S")


def local_cell(dt: datetime | None) -> str:
    return "" if dt is None else dt.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def dec_comma(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def is_off(d: date) -> bool:
    return d.weekday() >= 5 or d in HOLIDAYS or d in BRIDGE


def office_weight(t: datetime) -> float:
    """Share of a busy hour at local time t: Spanish office day, lunch dip, Friday 'jornada intensiva'."""
    lt = t.astimezone(TZ)
    if is_off(lt.date()):
        return 0.025
    h = lt.hour + lt.minute / 60
    friday = lt.weekday() == 4
    if h < 7.5:
        return 0.01
    if h < 8.5:
        return 0.3
    if h < 14:
        return 1.0
    if friday and h >= 15:
        return 0.06
    if h < 15.5:
        return 0.35 if not friday else 0.9
    if h < 19:
        return 0.85
    if h < 20.5:
        return 0.2
    return 0.02


@dataclass
class World:
    rnd: random.Random
    np_rng: np.random.Generator
    odoo: list[tuple[datetime, str]] = field(default_factory=list)
    connect: list[tuple[datetime, str]] = field(default_factory=list)
    logic: list[tuple[datetime, dict]] = field(default_factory=list)
    jobs: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    partners: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    partner_entity: dict[int, str] = field(default_factory=dict)
    project_entity: dict[int, str] = field(default_factory=dict)
    hard_negatives: list[tuple[str, int, int, str]] = field(default_factory=list)

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rnd.getrandbits(128), version=4))

    def hexid(self, n: int = 32) -> str:
        return "".join(self.rnd.choice("0123456789abcdef") for _ in range(n))

    def poisson_times(self, rate_per_hour: float, weight=office_weight, step_min: int = 10, boost=None):
        """Event times over the whole period: a Poisson process shaped by the office day."""
        out: list[datetime] = []
        t = utc(START)
        end = utc(END)
        step = timedelta(minutes=step_min)
        while t < end:
            lam = rate_per_hour * weight(t) * step_min / 60
            if boost is not None:
                lam *= boost(t)
            for _ in range(int(self.np_rng.poisson(lam))):
                out.append(t + timedelta(seconds=self.rnd.uniform(0, step_min * 60)))
            t += step
        out.sort()
        return out

    def odoo_line(self, t: datetime, pid: int, level: str, logger: str, msg: str, db: str = DB) -> None:
        self.odoo.append((t, f"{odoo_ts(t)} {pid} {level} {db} {logger}: {msg}"))


DOWNTIME = [
    (datetime(2026, 9, 22, 7, 24, 30, tzinfo=UTC), datetime(2026, 9, 22, 7, 25, 35, tzinfo=UTC)),
    (datetime(2026, 10, 3, 6, 59, 50, tzinfo=UTC), datetime(2026, 10, 3, 9, 41, 55, tzinfo=UTC)),
]


def after_downtime(t: datetime) -> datetime:
    """A job due while Odoo was stopped runs when the server is back."""
    for a, b in DOWNTIME:
        if a <= t <= b:
            return b + timedelta(seconds=(t - a).total_seconds() % 40 + 2)
    return t


def pids_at(t: datetime) -> tuple[int, list[int]]:
    """Runner pid and worker pids: the server restarted on 22/09 (module update) and 03/10 (maintenance)."""
    if t < datetime(2026, 9, 22, 7, 26, tzinfo=UTC):
        return 1187, [1191, 1192, 1193, 1194]
    if t < datetime(2026, 10, 3, 9, 41, tzinfo=UTC):
        return 30412, [30417, 30418, 30419, 30421]
    return 8802, [8806, 8807, 8808, 8810]


# --------------------------------------------------------------------------- partners

ROOTS = [
    "Garbí",
    "Montseny",
    "Llevant",
    "Tramuntana",
    "Pedralbes",
    "Collserola",
    "Maresme",
    "Penedès",
    "Empordà",
    "Sagrera",
    "Poblenou",
    "Besòs",
    "Llobregat",
    "Cadí",
    "Montjuïc",
    "Tibidabo",
    "Gràcia",
    "Ribera",
    "Segarra",
    "Urgell",
    "Priorat",
    "Albera",
    "Canigó",
    "Garrotxa",
    "Anoia",
    "Osona",
    "Bages",
    "Aneto",
    "Moncayo",
    "Gredos",
    "Turia",
    "Nervión",
    "Bidasoa",
    "Cierzo",
    "Mestral",
    "Xaloc",
    "Migjorn",
    "Ponent",
    "Alzina",
    "Olivera",
    "Roure",
    "Pinar",
    "Farigola",
    "Romaní",
    "Atalaya",
    "Miramar",
    "Solana",
    "Vilanova",
    "Castellet",
    "Montclar",
    "Ribes",
    "Corbera",
    "Rocafort",
    "Valldaura",
    "Can Ruti",
    "Sarrià",
    "Horta",
    "Sants",
    "Clot",
    "Vallcarca",
    "Guinardó",
    "Pallars",
    "Cerdanya",
    "Ebre",
    "Noguera",
    "Ripoll",
]
SURNAMES = [
    "Puig",
    "Ferrer",
    "Vidal",
    "Soler",
    "Font",
    "Roca",
    "Serra",
    "Vila",
    "Pujol",
    "Martí",
    "Torres",
    "Sala",
    "Casals",
    "Riera",
    "Bosch",
    "Camps",
    "Mas",
    "Coll",
    "Prat",
    "Rovira",
    "Costa",
    "García",
    "Sánchez",
    "López",
    "Martínez",
    "Fernández",
    "Romero",
    "Navarro",
    "Domínguez",
    "Gil",
    "Ortega",
    "Rubio",
    "Molina",
    "Delgado",
    "Castro",
    "Ortiz",
    "Marín",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Lozano",
    "Cano",
    "Prieto",
    "Méndez",
    "Calvo",
    "Gallego",
    "Herrera",
    "Peña",
    "Cabrera",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Reyes",
    "Nieto",
    "Aguilar",
    "Pascual",
    "Montero",
    "Giménez",
    "Ibáñez",
    "Durán",
    "Benítez",
    "Mora",
    "Crespo",
    "Pastor",
    "Sáez",
    "Velasco",
    "Parra",
    "Esteban",
    "Bravo",
    "Sabaté",
    "Comas",
    "Figueras",
    "Batlle",
    "Grau",
    "Valls",
    "Oliver",
    "Busquets",
    "Miró",
    "Tarrés",
]
FIRST = [
    "Jordi",
    "Marc",
    "Pau",
    "Oriol",
    "Xavier",
    "Josep",
    "Joan",
    "Albert",
    "Sergi",
    "David",
    "Javier",
    "Carlos",
    "Miguel",
    "Alejandro",
    "Pablo",
    "Daniel",
    "Antonio",
    "Francisco",
    "Manuel",
    "Raúl",
    "Montse",
    "Núria",
    "Laia",
    "Marta",
    "Anna",
    "Mireia",
    "Gemma",
    "Laura",
    "Cristina",
    "Elena",
    "María",
    "Carmen",
    "Lucía",
    "Paula",
    "Sara",
    "Ainhoa",
    "Rocío",
    "Isabel",
    "Pilar",
    "Teresa",
    "Meritxell",
    "Neus",
    "Roser",
    "Arnau",
    "Pol",
    "Quim",
    "Ignasi",
    "Àlex",
    "Ester",
    "Judit",
]
SECTORS = [
    ("Construcciones", "Const."),
    ("Promociones", "Promoc."),
    ("Inmobiliaria", "Inmob."),
    ("Ingeniería", "Ing."),
    ("Instalaciones", "Inst."),
    ("Estructuras", "Estruct."),
    ("Geotecnia", "Geotec."),
    ("Topografía", "Topogr."),
    ("Climatización", "Climat."),
    ("Hormigones", "Horm."),
    ("Excavaciones", "Excav."),
    ("Reformas", "Ref."),
    ("Servicios Técnicos", "Serv. Téc."),
    ("Aislamientos", "Aisl."),
    ("Gestión Patrimonial", "Gest. Patrim."),
    ("Consultoría", "Consult."),
    ("Carpintería Metálica", "Carp. Met."),
    ("Fachadas", "Fach."),
]
FORMS = [
    ("S.L.", "SL", "Sociedad Limitada", "B"),
    ("S.A.", "SA", "Sociedad Anónima", "A"),
    ("S.L.U.", "SLU", "Sociedad Limitada Unipersonal", "B"),
    ("S.L.P.", "SLP", "Sociedad Limitada Profesional", "B"),
    ("SCCL", "S.C.C.L.", "Societat Cooperativa Catalana Limitada", "F"),
]
TOWNS = [
    ("Sabadell", "08201", "Barcelona"),
    ("Terrassa", "08221", "Barcelona"),
    ("Badalona", "08911", "Barcelona"),
    ("Mataró", "08301", "Barcelona"),
    ("Granollers", "08401", "Barcelona"),
    ("Sant Cugat del Vallès", "08172", "Barcelona"),
    ("Rubí", "08191", "Barcelona"),
    ("Vic", "08500", "Barcelona"),
    ("Manresa", "08241", "Barcelona"),
    ("Girona", "17001", "Girona"),
    ("Lleida", "25001", "Lleida"),
    ("Tarragona", "43001", "Tarragona"),
    ("Reus", "43201", "Tarragona"),
    ("Castelldefels", "08860", "Barcelona"),
    ("Viladecans", "08840", "Barcelona"),
    ("El Prat de Llobregat", "08820", "Barcelona"),
    ("Cornellà de Llobregat", "08940", "Barcelona"),
    ("Sant Boi de Llobregat", "08830", "Barcelona"),
    ("Igualada", "08700", "Barcelona"),
    ("Vilanova i la Geltrú", "08800", "Barcelona"),
    ("Sitges", "08870", "Barcelona"),
    ("Olot", "17800", "Girona"),
    ("Figueres", "17600", "Girona"),
    ("Martorell", "08760", "Barcelona"),
    ("Cerdanyola del Vallès", "08290", "Barcelona"),
    ("Mollet del Vallès", "08100", "Barcelona"),
    ("Esplugues de Llobregat", "08950", "Barcelona"),
    ("Sant Feliu de Llobregat", "08980", "Barcelona"),
]
BCN = [
    ("Barcelona", "08013", "Barcelona"),
    ("Barcelona", "08029", "Barcelona"),
    ("Barcelona", "08005", "Barcelona"),
    ("Barcelona", "08036", "Barcelona"),
    ("Barcelona", "08018", "Barcelona"),
    ("Madrid", "28046", "Madrid"),
    ("Valencia", "46004", "Valencia"),
    ("Zaragoza", "50004", "Zaragoza"),
]
STREETS = [
    ("Carrer de Balmes", "C/ Balmes"),
    ("Carrer d'Aragó", "C/ Aragó"),
    ("Avinguda Diagonal", "Av. Diagonal"),
    ("Gran Via de les Corts Catalanes", "Gran Via"),
    ("Carrer de Pujades", "C/ Pujades"),
    ("Passeig de Gràcia", "Pg. de Gràcia"),
    ("Carrer de Provença", "C/ Provença"),
    ("Carrer Major", "C/ Major"),
    ("Rambla de Catalunya", "Rbla. Catalunya"),
    ("Carrer de la Indústria", "C/ Indústria"),
    ("Avinguda de Sarrià", "Av. Sarrià"),
    ("Carrer del Comte d'Urgell", "C/ Comte d'Urgell"),
    ("Calle de Alcalá", "C/ Alcalá"),
    ("Avenida de Francia", "Av. Francia"),
    ("Carrer de Sant Pere", "C/ Sant Pere"),
]
CIF_LETTERS = "JABCDEFGHI"
NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def cif(letter: str, digits: str) -> str:
    even = sum(int(digits[i]) for i in (1, 3, 5))
    odd = 0
    for i in (0, 2, 4, 6):
        d = int(digits[i]) * 2
        odd += d // 10 + d % 10
    ctrl = (10 - (even + odd) % 10) % 10
    tail = CIF_LETTERS[ctrl] if letter in "PQSNW" else str(ctrl)
    return f"ES{letter}{digits}{tail}"


def nif(num: int) -> str:
    return f"ES{num:08d}{NIF_LETTERS[num % 23]}"


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def slug(s: str) -> str:
    s = strip_accents(s).lower()
    return "".join(c for c in s if c.isalnum())[:18] or "empresa"


def typo(rnd: random.Random, s: str) -> str:
    idx = [i for i, c in enumerate(s) if c.isalpha()]
    if len(idx) < 6:
        return s + "s"
    i = rnd.choice(idx[2:-1])
    op = rnd.choice(["swap", "drop", "double"])
    if op == "swap" and i + 1 < len(s) and s[i + 1].isalpha():
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if op == "drop":
        return s[:i] + s[i + 1 :]
    return s[:i] + s[i] + s[i:]


def phone_fmt(rnd: random.Random, digits: str, style: int) -> str:
    if style == 0:
        return f"+34 {digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"
    if style == 1:
        return digits
    if style == 2:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return f"+34{digits}"


def write_date_old(rnd: random.Random) -> datetime:
    base = datetime(2023, 1, 10, 9, 0, tzinfo=UTC)
    return base + timedelta(seconds=rnd.uniform(0, (datetime(2026, 9, 4, tzinfo=UTC) - base).total_seconds()))


def build_partners(w: World) -> dict[str, int]:
    """3,000-odd partners: companies with contacts, public bodies, freelancers, then duplicates."""
    rnd = w.rnd
    next_id = [14]
    used_names: set[str] = set()
    used_vat: set[str] = set()
    special: dict[str, int] = {}

    def new_id() -> int:
        next_id[0] += 1 if rnd.random() < 0.93 else rnd.randint(2, 5)
        return next_id[0]

    def vat_for(letter: str) -> str:
        while True:
            digits = (
                f"08{rnd.randint(0, 99999):05d}"
                if letter in "PQS"
                else f"{rnd.randint(6000000, 6999999):07d}"
            )
            v = cif(letter, digits)
            if v not in used_vat:
                used_vat.add(v)
                return v

    def add(p: dict, entity: str) -> dict:
        w.partners.append(p)
        w.partner_entity[p["id"]] = entity
        return p

    def company_row(name: str, vat: str, town, email_dom: str, phone: str, street: str) -> dict:
        pid = new_id()
        return {
            "id": pid,
            "name": name,
            "is_company": True,
            "parent_id": None,
            "parent_name": "",
            "vat": vat,
            "email": f"{rnd.choice(['info', 'administracion', 'obras', 'oficina', 'comercial'])}@{email_dom}",
            "phone": phone,
            "mobile": "",
            "street": street,
            "city": town[0],
            "zip": town[1],
            "state": town[2],
            "country": "España",
            "write_date": write_date_old(rnd),
        }

    def contacts_for(comp: dict, n: int, entity_prefix: str) -> list[dict]:
        out = []
        dom = comp["email"].split("@")[1]
        names_here: set[str] = set()
        for _ in range(n):
            while True:
                fn, s1, s2 = rnd.choice(FIRST), rnd.choice(SURNAMES), rnd.choice(SURNAMES)
                nm = f"{fn} {s1} {s2}" if rnd.random() < 0.6 else f"{fn} {s1}"
                if nm not in names_here:
                    names_here.add(nm)
                    break
            cid = new_id()
            mob = f"6{rnd.randint(10000000, 99999999)}"
            c = {
                "id": cid,
                "name": nm,
                "is_company": False,
                "parent_id": comp["id"],
                "parent_name": comp["name"],
                "vat": comp["vat"],
                "email": f"{slug(fn)}.{slug(s1)}@{dom}",
                "phone": comp["phone"],
                "mobile": phone_fmt(rnd, mob, rnd.randint(0, 2)),
                "street": comp["street"],
                "city": comp["city"],
                "zip": comp["zip"],
                "state": comp["state"],
                "country": "España",
                "write_date": write_date_old(rnd),
            }
            out.append(add(c, f"{entity_prefix}-c{cid}"))
        return out

    companies: list[dict] = []
    sisters: list[tuple[dict, dict]] = []
    # private companies
    while len(companies) < 860:
        sector, _ab = rnd.choice(SECTORS)
        form = rnd.choice(FORMS[:4] if rnd.random() < 0.93 else FORMS)
        style = rnd.random()
        if style < 0.45:
            base = f"{sector} {rnd.choice(ROOTS)}"
        elif style < 0.75:
            base = f"{rnd.choice(SURNAMES)} {rnd.choice(SURNAMES)} {sector}"
        else:
            base = f"{rnd.choice(ROOTS)} {sector}"
        name = f"{base} {form[0]}" if rnd.random() < 0.7 else f"{base}, {form[0]}"
        if name in used_names:
            continue
        used_names.add(name)
        town = rnd.choice(TOWNS + BCN * 2)
        st = rnd.choice(STREETS)
        street = f"{st[0]}, {rnd.randint(1, 320)}"
        phone = phone_fmt(rnd, f"9{rnd.choice('3367')}{rnd.randint(1000000, 9999999)}", rnd.randint(0, 2))
        comp = add(
            company_row(
                name,
                vat_for(form[3]),
                town,
                f"{slug(base)}.{rnd.choice(['es', 'com', 'cat'])}",
                phone,
                street,
            ),
            "",
        )
        w.partner_entity[comp["id"]] = f"co-{comp['id']}"
        comp["_base"], comp["_form"], comp["_sector"], comp["_st"] = base, form, sector, st
        companies.append(comp)
        kids = contacts_for(comp, rnd.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5]), f"co-{comp['id']}")
        comp["_kids"] = kids
        # sister company with a similar name (hard negative)
        if len(sisters) < 40 and rnd.random() < 0.06:
            suffix = rnd.choice(
                [
                    "Levante",
                    "Norte",
                    "Obras",
                    "Patrimonial",
                    "Girona",
                    "Tarragona",
                    "Servicios",
                    "Inversiones",
                ]
            )
            sname = f"{base} {suffix} {form[0]}"
            if sname not in used_names:
                used_names.add(sname)
                sis = add(
                    company_row(
                        sname,
                        vat_for(form[3]),
                        rnd.choice(TOWNS),
                        f"{slug(base + suffix)}.es",
                        phone_fmt(rnd, f"93{rnd.randint(1000000, 9999999)}", 0),
                        street,
                    ),
                    "",
                )
                w.partner_entity[sis["id"]] = f"co-{sis['id']}"
                sis["_kids"] = contacts_for(sis, rnd.choice([0, 1, 2]), f"co-{sis['id']}")
                sisters.append((comp, sis))

    # public bodies (Ajuntaments): Catalan names, P-CIF, a few contacts
    publics: list[dict] = []
    for town in TOWNS:
        name = f"Ajuntament de {town[0]}"
        used_names.add(name)
        vat = vat_for("P")
        comp = add(
            company_row(
                name,
                vat,
                town,
                f"{slug(town[0])}.cat",
                phone_fmt(rnd, f"93{rnd.randint(1000000, 9999999)}", 0),
                f"Plaça de l'Ajuntament, {rnd.randint(1, 12)}",
            ),
            "",
        )
        comp["email"] = f"registre@{slug(town[0])}.cat"
        w.partner_entity[comp["id"]] = f"co-{comp['id']}"
        comp["_kids"] = contacts_for(comp, rnd.choice([1, 2, 3]), f"co-{comp['id']}")
        publics.append(comp)
        if town[0] == "Sant Cugat del Vallès":
            special["face_partner"] = comp["id"]
    for nm, letter in [
        ("Institut Català del Sòl", "Q"),
        ("Infraestructures de la Generalitat de Catalunya, S.A.U.", "A"),
        ("Diputació de Barcelona", "P"),
        ("Consorci d'Educació de Barcelona", "Q"),
        ("Àrea Metropolitana de Barcelona", "P"),
        ("Consorci Sanitari de Terrassa", "Q"),
    ]:
        comp = add(
            company_row(
                nm,
                vat_for(letter),
                rnd.choice(BCN[:5]),
                f"{slug(nm)}.cat",
                phone_fmt(rnd, f"93{rnd.randint(1000000, 9999999)}", 0),
                f"{rnd.choice(STREETS)[0]}, {rnd.randint(1, 200)}",
            ),
            "",
        )
        w.partner_entity[comp["id"]] = f"co-{comp['id']}"
        comp["_kids"] = contacts_for(comp, rnd.choice([2, 3, 4]), f"co-{comp['id']}")
        publics.append(comp)

    # freelancers (arquitectos técnicos, ingenieros autónomos): individuals with their own NIF
    freelancers: list[dict] = []
    for _ in range(420):
        fn, s1, s2 = rnd.choice(FIRST), rnd.choice(SURNAMES), rnd.choice(SURNAMES)
        nm = f"{fn} {s1} {s2}"
        if nm in used_names:
            continue
        used_names.add(nm)
        pid = new_id()
        town = rnd.choice(TOWNS + BCN)
        p = add(
            {
                "id": pid,
                "name": nm,
                "is_company": False,
                "parent_id": None,
                "parent_name": "",
                "vat": nif(rnd.randint(30000000, 79999999)),
                "email": f"{slug(fn)}{slug(s1)}@{rnd.choice(['gmail.com', 'coac.net', 'hotmail.com', 'caateebcn.cat'])}",
                "phone": "",
                "mobile": phone_fmt(rnd, f"6{rnd.randint(10000000, 99999999)}", rnd.randint(0, 3)),
                "street": f"{rnd.choice(STREETS)[0]}, {rnd.randint(1, 200)}",
                "city": town[0],
                "zip": town[1],
                "state": town[2],
                "country": "España",
                "write_date": write_date_old(rnd),
            },
            f"fl-{pid}",
        )
        freelancers.append(p)

    # ---- hard negatives
    for a, b in sisters:
        w.hard_negatives.append(
            ("res.partner", a["id"], b["id"], "sister companies with similar names and different NIF")
        )
    n_hn = 0
    for comp in companies:
        kids = comp.get("_kids", [])
        if len(kids) >= 2 and n_hn < 45:
            w.hard_negatives.append(
                (
                    "res.partner",
                    kids[0]["id"],
                    kids[1]["id"],
                    "two contacts of the same company: same NIF, phone and address, different people",
                )
            )
            n_hn += 1
    # same person name at two different companies
    n_same = 0
    pool = [c for c in companies if c.get("_kids")]
    for i in range(0, len(pool) - 1, 2):
        if n_same >= 30:
            break
        a, b = pool[i], pool[i + 1]
        ka = a["_kids"][0]
        cid = new_id()
        dom = b["email"].split("@")[1]
        first = ka["name"].split()[0]
        last = ka["name"].split()[1]
        dup = add(
            {
                **ka,
                "id": cid,
                "parent_id": b["id"],
                "parent_name": b["name"],
                "vat": b["vat"],
                "email": f"{slug(first)}.{slug(last)}@{dom}",
                "phone": b["phone"],
                "mobile": phone_fmt(rnd, f"6{rnd.randint(10000000, 99999999)}", 0),
                "street": b["street"],
                "city": b["city"],
                "zip": b["zip"],
                "state": b["state"],
                "write_date": write_date_old(rnd),
            },
            f"co-{b['id']}-c{cid}",
        )
        b["_kids"].append(dup)
        w.hard_negatives.append(
            ("res.partner", ka["id"], dup["id"], "same person name at two different companies")
        )
        n_same += 1
    # Ajuntaments with similar names
    sant = [p for p in publics if p["name"].startswith("Ajuntament de Sant")]
    for a, b in zip(sant, sant[1:], strict=False):
        w.hard_negatives.append(
            ("res.partner", a["id"], b["id"], "different municipalities with similar names")
        )

    # ---- duplicate clusters (created later, so higher ids)
    kinds = [
        "typo",
        "legal_form",
        "abbreviation",
        "accents",
        "case",
        "vat_format",
        "same_email",
        "same_phone",
        "address",
    ]
    dup_targets = rnd.sample(companies, 150)
    for n, comp in enumerate(dup_targets):
        kind = kinds[n % len(kinds)]
        base, form, sector, st = comp["_base"], comp["_form"], comp["_sector"], comp["_st"]
        name = comp["name"]
        vat = comp["vat"]
        email = comp["email"]
        phone = comp["phone"]
        street = comp["street"]
        if kind == "typo":
            name = typo(rnd, name)
            vat = "" if rnd.random() < 0.5 else vat
        elif kind == "legal_form":
            name = f"{base} {rnd.choice([form[1], form[2]])}"
            vat = "" if rnd.random() < 0.4 else vat
        elif kind == "abbreviation":
            ab = dict(SECTORS)[sector]
            name = name.replace(sector, ab)
        elif kind == "accents":
            name = strip_accents(name)
            if name == comp["name"]:
                name = name.replace(" S.L.", " SL").replace(" S.A.", " SA")
        elif kind == "case":
            name = name.upper()
        elif kind == "vat_format":
            name = f"{base} {form[1]}" if rnd.random() < 0.5 else typo(rnd, name)
            vat = rnd.choice([vat[2:], f"{vat[2]}-{vat[3:]}", f"{vat[2:3]}{vat[3:]}".lower()])
        elif kind == "same_email":
            name = (
                f"{base.split()[0]} {base.split()[-1]}"
                if len(base.split()) > 2
                else f"{base} ({comp['city']})"
            )
            vat = ""
        elif kind == "same_phone":
            name = typo(rnd, f"{base} {form[1]}")
            digits = "".join(ch for ch in phone if ch.isdigit())[-9:]
            phone = phone_fmt(rnd, digits, (rnd.randint(0, 3)))
            vat = ""
        elif kind == "address":
            name = f"{base}"
            street = f"{st[1]} {street.split(', ')[-1]}"
        dup = {
            **comp,
            "id": new_id(),
            "name": name,
            "vat": vat,
            "email": email,
            "phone": phone,
            "street": street,
            "write_date": datetime(
                2026,
                rnd.randint(1, 8),
                rnd.randint(1, 28),
                rnd.randint(7, 17),
                rnd.randint(0, 59),
                tzinfo=UTC,
            ),
        }
        for k in ("_kids",):
            dup.pop(k, None)
        # a duplicate is typed in again by someone else: fields are often missing or written differently
        if kind not in ("same_email", "address") and rnd.random() < 0.35:
            dup["email"] = ""
        if kind != "same_phone" and rnd.random() < 0.3:
            dup["phone"] = ""
        if kind != "address" and rnd.random() < 0.25:
            dup["street"] = f"{st[1]} {comp['street'].split(', ')[-1]}"
        if rnd.random() < 0.2:
            dup["city"], dup["zip"] = "", ""
        add(dup, w.partner_entity[comp["id"]])
        if rnd.random() < 0.15:  # a third record in the cluster
            d2 = {
                **dup,
                "id": new_id(),
                "name": strip_accents(comp["name"]).upper().replace(",", ""),
                "vat": "",
                "email": "",
                "write_date": dup["write_date"] + timedelta(days=rnd.randint(2, 60)),
            }
            add(d2, w.partner_entity[comp["id"]])
    # Catalan/Spanish variants of public bodies (same NIF)
    for comp in rnd.sample(publics[:-6], 8):
        dup = {
            **comp,
            "id": new_id(),
            "name": comp["name"].replace("Ajuntament de", "Ayuntamiento de"),
            "email": comp["email"].replace("registre", "contractacio"),
            "write_date": write_date_old(rnd),
        }
        dup.pop("_kids", None)
        add(dup, w.partner_entity[comp["id"]])
    # duplicate contacts inside one company
    n_cd = 0
    for comp in rnd.sample(companies, 200):
        kids = comp.get("_kids") or []
        if not kids or n_cd >= 32:
            continue
        k = kids[-1]
        parts = k["name"].split()
        var = rnd.choice(["short", "catalan_i", "typo", "case"])
        if var == "short" and len(parts) == 3:
            nm = f"{parts[0]} {parts[1]}"
        elif var == "catalan_i" and len(parts) == 3:
            nm = f"{parts[0]} {parts[1]} i {parts[2]}"
        elif var == "case":
            nm = k["name"].upper()
        else:
            nm = typo(rnd, k["name"])
        dup = {**k, "id": new_id(), "name": nm, "mobile": "", "write_date": write_date_old(rnd)}
        add(dup, w.partner_entity[k["id"]])
        n_cd += 1
    # freelancer duplicates: same NIF, surname order or accents
    for p in rnd.sample(freelancers, 14):
        parts = p["name"].split()
        nm = (
            strip_accents(p["name"])
            if strip_accents(p["name"]) != p["name"]
            else f"{parts[1]} {parts[2]}, {parts[0]}"
        )
        dup = {**p, "id": new_id(), "name": nm, "email": "", "write_date": write_date_old(rnd)}
        add(dup, w.partner_entity[p["id"]])

    special["next_id"] = next_id[0]
    w._companies = companies  # type: ignore[attr-defined]
    return special


def build_projects(w: World, clients: list[dict]) -> list[dict]:
    """~200 projects with codes CNR-YY-NNN, phases, a few duplicate clusters and look-alikes."""
    rnd = w.rnd
    kinds = [
        "Rehabilitación energética",
        "Proyecto básico y de ejecución",
        "Dirección facultativa",
        "Estudio geotécnico",
        "Cálculo de estructuras",
        "Instalaciones MEP",
        "Reforma integral",
        "Ampliación",
        "Auditoría energética",
        "Proyecto de actividad",
        "Urbanización",
        "Levantamiento BIM",
    ]
    sites = [
        "Escola Bressol Can Rull",
        "CEIP Pere Calders",
        "Mercat de Sant Antoni",
        "Biblioteca Can Fabra",
        "Pavelló Municipal Nord",
        "Edifici d'habitatges Pujades 112",
        "Nau industrial Pla de la Bruguera",
        "Residència Les Oliveres",
        "Centre Cívic La Sagrera",
        "Hotel Arts Poblenou",
        "Oficines Diagonal 640",
        "Institut Montserrat Roig",
        "CAP Sant Ildefons",
        "Piscina Municipal Can Jofresa",
        "Promoció 48 habitatges Can Batlló",
        "Seu Consorci Educació",
        "Bloc Comte d'Urgell 201",
        "Nau logística ZAL Prat",
        "Teatre Principal",
        "Casal de Gent Gran",
        "Museu de la Tècnica",
        "Parc de Bombers Vallès",
        "Escola Sadako",
        "Edifici Meridiana 350",
        "Fàbrica Fabra i Coats",
        "Masia Can Cortès",
        "Poliesportiu Municipal",
        "Aparcament Plaça Nova",
        "Clínica Dental Balmes",
        "Torre Glòries Plantes 12-14",
        "Habitatges dotacionals Sant Andreu",
        "Estació d'autobusos",
        "Escola d'Art Llotja",
        "Caserna Guàrdia Urbana",
        "Llar d'infants El Petit Príncep",
    ]
    phases = [
        "Anteproyecto",
        "Proyecto básico",
        "Proyecto de ejecución",
        "Fase 1",
        "Fase 2",
        "Dirección de obra",
    ]
    managers = [
        "Laia Comas",
        "Oriol Batlle",
        "Marta Sabaté",
        "Xavier Grau",
        "Núria Valls",
        "Javier Ortega",
        "Elena Miró",
        "Pau Busquets",
    ]
    btypes = [
        "Escola",
        "CEIP",
        "Institut",
        "Biblioteca",
        "Pavelló",
        "Centre Cívic",
        "Casal",
        "CAP",
        "Residència",
        "Edifici d'habitatges",
        "Nau industrial",
        "Oficines",
        "Mercat",
        "Llar d'infants",
        "Hotel",
        "Piscina",
    ]
    while len(sites) < 140:
        cand = f"{rnd.choice(btypes)} {rnd.choice(ROOTS + SURNAMES)}"
        if cand not in sites:
            sites.append(cand)
    # a building stands in one town
    site_town = {site: rnd.choice(TOWNS)[0] for site in sites}
    for site in sites:
        if (
            "Sant Antoni" in site
            or "Diagonal" in site
            or "Glòries" in site
            or "Poblenou" in site
            or "Sagrera" in site
        ):
            site_town[site] = "Barcelona"
    next_id = [3]
    used: set[str] = set()

    def new_id() -> int:
        next_id[0] += 1 if rnd.random() < 0.9 else rnd.randint(2, 4)
        return next_id[0]

    for year in (24, 25, 26):
        n_year = {24: 55, 25: 80, 26: 55}[year]
        for seq in range(1, n_year + 1):
            code = f"CNR-{year}-{seq:03d}"
            site = rnd.choice(sites)
            town = site_town[site]
            kind = rnd.choice(kinds)
            name = f"{code} {kind} - {site} ({town})"
            if rnd.random() < 0.25:
                name = f"{code} {kind} - {site} - {rnd.choice(phases)} ({town})"
            if name in used:
                continue
            used.add(name)
            pid = new_id()
            start = date(2000 + year, rnd.randint(1, 12 if year < 26 else 9), rnd.randint(1, 28))
            p = {
                "id": pid,
                "name": name,
                "partner": rnd.choice(clients)["name"],
                "manager": rnd.choice(managers),
                "date_start": start,
                "active": not (year == 24 and rnd.random() < 0.35),
                "write_date": write_date_old(rnd),
                "_code": code,
                "_kind": kind,
                "_site": site,
                "_town": town,
            }
            w.projects.append(p)
            w.project_entity[pid] = f"prj-{pid}"
    originals = list(w.projects)
    # hard negatives: the same site, another phase and code
    by_site: dict[str, list[dict]] = {}
    for p in originals:
        by_site.setdefault(p["_site"], []).append(p)
    n = 0
    for ps in by_site.values():
        for a, b in zip(ps, ps[1:], strict=False):
            if n < 40 and a["_town"] == b["_town"] or (n < 25 and a["_kind"] == b["_kind"]):
                w.hard_negatives.append(
                    (
                        "project.project",
                        a["id"],
                        b["id"],
                        f"same site, different project codes {a['_code']} / {b['_code']}",
                    )
                )
                n += 1
    # explicit phase pairs: phase 2 of the same works gets its own code
    last_seq = {24: 55, 25: 80, 26: 55}
    plain = [p for p in originals if " - Fase" not in p["name"] and p["name"].count(" - ") == 1]
    for p in rnd.sample(plain, 10):
        pid = new_id()
        year = int(p["_code"][4:6])
        last_seq[year] += 1
        code2 = f"CNR-{year}-{last_seq[year]:03d}"
        nm = f"{code2} {p['_kind']} - {p['_site']} - Fase 2 ({p['_town']})"
        q = {**p, "id": pid, "name": nm, "_code": code2, "write_date": write_date_old(rnd)}
        w.projects.append(q)
        w.project_entity[pid] = f"prj-{pid}"
        w.hard_negatives.append(
            ("project.project", p["id"], pid, "phase 2 of the same works: a separate project and code")
        )
    # duplicate clusters
    dvars = ["no_code", "case", "abbrev", "accents", "no_town", "acc_suffix"]
    for i, p in enumerate(rnd.sample(originals, 28)):
        var = dvars[i % len(dvars)]
        nm = p["name"]
        if var == "no_code":
            nm = nm.split(" ", 1)[1]
        elif var == "case":
            nm = nm.upper()
        elif var == "abbrev":
            nm = (
                nm.replace("Proyecto", "Proy.")
                .replace("Dirección", "Dir.")
                .replace("Rehabilitación", "Rehab.")
            )
            if nm == p["name"]:
                nm = nm.replace(" - ", " ")
        elif var == "accents":
            nm = strip_accents(nm)
            if nm == p["name"]:
                nm = nm.replace(" - ", " – ")
        elif var == "no_town":
            nm = nm.rsplit(" (", 1)[0]
        else:
            nm = f"{p['_site']} [{p['_code']}] (ACC)"
        pid = new_id()
        q = {
            **p,
            "id": pid,
            "name": nm,
            "manager": rnd.choice(managers) if rnd.random() < 0.3 else p["manager"],
            "write_date": datetime(
                2026, rnd.randint(1, 9), rnd.randint(1, 5), 9, rnd.randint(0, 59), tzinfo=UTC
            ),
        }
        w.projects.append(q)
        w.project_entity[pid] = w.project_entity[p["id"]]
    return originals


# --------------------------------------------------------------------------- queue.job flows (SII, FACe)

SII_TB_RETRY = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/addons-oca/queue_job/controllers/main.py", line 180, in runjob\n'
    "    self._try_perform_job(env, job)\n"
    '  File "/opt/odoo/addons-oca/queue_job/controllers/main.py", line 86, in _try_perform_job\n'
    "    job.perform()\n"
    '  File "/opt/odoo/addons-oca/queue_job/job.py", line 528, in perform\n'
    "    raise FailedJobError(msg) from err\n"
    "odoo.addons.queue_job.exception.FailedJobError: Max. retries ({n}) reached: "
    "AEAT SII no disponible: 503 Server Error: Service Unavailable for url: " + SII_URL + "\n"
)
SII_TB_TIMEOUT = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/addons-oca/queue_job/controllers/main.py", line 180, in runjob\n'
    "    self._try_perform_job(env, job)\n"
    '  File "/opt/odoo/addons-oca/l10n-spain/l10n_es_aeat_sii_oca/models/sii_mixin.py", line 812, in _send_document_to_sii\n'
    "    res = serv[request_type](header, body)\n"
    '  File "/usr/lib/python3/dist-packages/requests/adapters.py", line 532, in send\n'
    "    raise ReadTimeout(e, request=request)\n"
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='www1.agenciatributaria.gob.es', port=443): "
    "Read timed out. (read timeout=60)\n"
)
FACE_TB = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/addons-oca/queue_job/controllers/main.py", line 180, in runjob\n'
    "    self._try_perform_job(env, job)\n"
    '  File "/opt/odoo/addons-oca/edi/edi_oca/models/edi_exchange_record.py", line 431, in action_exchange_send\n'
    "    return self.backend_id.exchange_send(self)\n"
    '  File "/opt/odoo/addons-oca/l10n-spain/l10n_es_facturae_face/components/send.py", line 64, in send\n'
    "    raise UserError(msg)\n"
    "odoo.exceptions.UserError: {msg}\n"
)


def queue_job(
    w: World,
    created: datetime,
    flow: str,
    rec_id: int,
    started: datetime,
    done: datetime | None,
    exec_time: float,
    state: str,
    retry: int,
    max_retries: int,
    exc: tuple[str, str, str] | None,
) -> dict:
    if flow == "sii":
        desc, task, model, method, chan = (
            "Function confirm_one_invoice",
            f"account.move({rec_id},).confirm_one_invoice()",
            "account.move",
            "confirm_one_invoice",
            "root.invoice_validate_sii",
        )
    else:
        desc, task, model, method, chan = (
            "Enviar factura electrónica a FACe",
            f"edi.exchange.record({rec_id},).action_exchange_send()",
            "edi.exchange.record",
            "action_exchange_send",
            "root.edi_exchange",
        )
    j = {
        "uuid": w.uid(),
        "desc": desc,
        "task": task,
        "model": model,
        "method": method,
        "record": f"[{rec_id}]",
        "channel": chan,
        "state": state,
        "priority": 10,
        "created": created,
        "enqueued": created + timedelta(seconds=w.rnd.uniform(0.05, 0.6)),
        "started": started,
        "done": done,
        "exec_time": exec_time,
        "retry": retry,
        "max_retries": max_retries,
        "exc_name": exc[0] if exc else "",
        "exc_message": exc[1] if exc else "",
        "exc_info": exc[2] if exc else "",
    }
    w.jobs.append(j)
    return j


def log_job_run(w: World, j: dict, at: datetime, dur: float) -> None:
    runner, workers = pids_at(at)
    w.odoo_line(
        at,
        runner,
        "INFO",
        "odoo.addons.queue_job.jobrunner.runner",
        f"asking Odoo to run job {j['uuid']} on db {DB}",
        db="?",
    )
    end = at + timedelta(seconds=dur + 0.02)
    wp = w.rnd.choice(workers)
    w.odoo.append(
        (
            end,
            f"{odoo_ts(end)} {wp} INFO {DB} werkzeug: 127.0.0.1 - - [{werkzeug_ts(end)}] "
            f'"GET /queue_job/runjob?db={DB}&job_uuid={j["uuid"]} HTTP/1.1" 200 - '
            f"{w.rnd.randint(6, 40)} {w.rnd.uniform(0.003, 0.03):.3f} {dur:.3f}",
        )
    )


def sii_flow(w: World) -> None:
    rnd, nrng = w.rnd, w.np_rng

    def boost(t: datetime) -> float:
        return 3.0 if t.astimezone(TZ).date() in MONTH_END else 1.0

    times = w.poisson_times(6.5, boost=boost)
    storm_a, storm_b = datetime(2026, 9, 17, 8, 40, tzinfo=UTC), datetime(2026, 9, 17, 11, 48, tzinfo=UTC)
    slow_a, slow_b = datetime(2026, 10, 6, 7, 0, tzinfo=UTC), datetime(2026, 10, 7, 15, 30, tzinfo=UTC)
    deploy = datetime(2026, 10, 3, 9, 45, tzinfo=UTC)
    move_id = 48210
    storm_failed: list[str] = []
    storm_seen: list[datetime] = []
    slow_seen: list[datetime] = []
    info_seen: list[datetime] = []
    n_inv = 1180
    for t in times:
        move_id += rnd.randint(1, 4)
        n_inv += 1
        inv = f"FV/2026/{n_inv:05d}" if rnd.random() < 0.55 else f"FP/2026/{n_inv - 600:05d}"
        first = after_downtime(t + timedelta(seconds=rnd.uniform(1, 25)))
        exec_t = float(nrng.lognormal(np.log(1.7), 0.35))
        if slow_a <= first <= slow_b:
            exec_t = float(nrng.lognormal(np.log(11.0), 0.3))
            slow_seen.append(first)
        if storm_a <= first <= storm_b or (first < storm_a and first + timedelta(minutes=31) >= storm_a):
            # retry pattern of the custom wrapper: 60 s, 120 s, 300 s, 600 s; max 5 tries
            delays = [0, 60, 120, 300, 600]
            at = first
            ok_at = None
            attempts: list[datetime] = []
            for d in delays:
                at = at + timedelta(seconds=d + rnd.uniform(0, 4))
                attempts.append(at)
                if storm_a <= at <= storm_b:
                    storm_seen.append(at)
                    continue
                ok_at = at
                break
            tries = len(attempts)
            if ok_at is None:
                j = queue_job(
                    w,
                    t,
                    "sii",
                    move_id,
                    at,
                    None,
                    0.9,
                    "Falló",
                    5,
                    5,
                    (
                        "FailedJobError",
                        f"Max. retries (5) reached: AEAT SII no disponible: 503 Server Error: Service Unavailable for url: {SII_URL}",
                        SII_TB_RETRY.format(n=5),
                    ),
                )
                storm_failed.append(j["uuid"])
            else:
                j = queue_job(
                    w,
                    t,
                    "sii",
                    move_id,
                    ok_at,
                    ok_at + timedelta(seconds=exec_t),
                    exec_t,
                    "Hecho",
                    tries,
                    5,
                    None,
                )
            for k, a in enumerate(attempts):
                failed_try = a != ok_at
                log_job_run(w, j, a, 0.9 if failed_try else exec_t)
                if failed_try and k < 4:
                    w.odoo_line(
                        a + timedelta(seconds=0.8),
                        rnd.choice(pids_at(a)[1]),
                        "WARNING",
                        "odoo.addons.cornus_sii_retry.models.account_move",
                        f"SII: AEAT no disponible (503 Service Unavailable) al enviar {inv}; "
                        f"reintento {k + 1}/5 en {delays[k + 1]} s",
                    )
                elif failed_try:
                    w.odoo_line(
                        a + timedelta(seconds=1.1),
                        rnd.choice(pids_at(a)[1]),
                        "ERROR",
                        "odoo.addons.queue_job.controllers.main",
                        SII_TB_RETRY.format(n=5).rstrip("\n"),
                    )
            continue
        if rnd.random() < 0.0035:
            j = queue_job(
                w,
                t,
                "sii",
                move_id,
                first,
                None,
                60.2,
                "Falló",
                1,
                5,
                (
                    "ReadTimeout",
                    "HTTPSConnectionPool(host='www1.agenciatributaria.gob.es', port=443): Read timed out. (read timeout=60)",
                    SII_TB_TIMEOUT,
                ),
            )
            log_job_run(w, j, first, 60.2)
            w.odoo_line(
                first + timedelta(seconds=60.3),
                rnd.choice(pids_at(first)[1]),
                "ERROR",
                "odoo.addons.queue_job.controllers.main",
                SII_TB_TIMEOUT.rstrip("\n"),
            )
            continue
        j = queue_job(
            w, t, "sii", move_id, first, first + timedelta(seconds=exec_t), exec_t, "Hecho", 1, 5, None
        )
        log_job_run(w, j, first, exec_t)
        if first >= deploy:
            info_seen.append(first)
            w.odoo_line(
                first + timedelta(seconds=0.2),
                rnd.choice(pids_at(first)[1]),
                "INFO",
                "odoo.addons.l10n_es_aeat_sii_oca.models.sii_mixin",
                f"SII: certificado 'CORNUS ENGINYERIA I ARQUITECTURA SL' válido hasta el 14/03/2027; "
                f"enviando {inv} (versión SII 1.1)",
            )
    w.incidents.append(
        {
            "incident_id": "dogwood-2",
            "kind": "retry_storm",
            "flow": "sii_facturas",
            "start": iso_z(min(storm_seen)),
            "end": iso_z(max(storm_seen)),
            "cause": "upstream_outage",
            "expected_action": "requeue_jobs",
            "affected_records": [f"queue.job:{u}" for u in storm_failed],
            "description": "The AEAT SII web service answered 503 for about three hours; the SII jobs were retried by the "
            "retry wrapper (60/120/300/600 s) until max. retries and the ones caught early ended failed. "
            "Retry-safe: the AEAT never registered them, requeue once the service is back.",
        }
    )
    w.incidents.append(
        {
            "incident_id": "dogwood-6",
            "kind": "latency_shift",
            "flow": "sii_facturas",
            "start": iso_z(min(slow_seen)),
            "end": iso_z(max(slow_seen)),
            "cause": "upstream_outage",
            "expected_action": "post_note",
            "affected_records": [],
            "description": "For a day and a half the AEAT answered slowly: the SII jobs took about 11 s instead of 1.7 s "
            "(execution time and runjob duration), none failed. Nothing to fix on our side; note it.",
        }
    )
    w._sii_info = (min(info_seen), max(info_seen))  # type: ignore[attr-defined]


def face_flow(w: World, face_partner: int, face_partner_name: str) -> None:
    rnd, nrng = w.rnd, w.np_rng

    def boost(t: datetime) -> float:
        return 3.0 if t.astimezone(TZ).date() in MONTH_END else 1.0

    times = w.poisson_times(0.55, boost=boost)
    # month-end certifications for Sant Cugat: six invoices on 28-30/09
    extra = [
        datetime(2026, 9, 28, 8, 15, 40, tzinfo=UTC),
        datetime(2026, 9, 28, 8, 19, 2, tzinfo=UTC),
        datetime(2026, 9, 28, 11, 2, 51, tzinfo=UTC),
        datetime(2026, 9, 29, 9, 31, 7, tzinfo=UTC),
        datetime(2026, 9, 29, 14, 40, 18, tzinfo=UTC),
        datetime(2026, 9, 30, 10, 19, 33, tzinfo=UTC),
    ]
    allt = sorted([(t, False) for t in times] + [(t, True) for t in extra])
    rec = 7702
    inv_n = 380
    failed: list[str] = []
    seen: list[datetime] = []
    one_off_done = False
    for t, is_cugat in allt:
        rec += rnd.randint(1, 3)
        inv_n += 1
        first = after_downtime(t + timedelta(seconds=rnd.uniform(2, 30)))
        exec_t = float(nrng.lognormal(np.log(3.4), 0.3))
        if is_cugat:
            msg = (
                f"FACe rechazó la factura FV/2026/{inv_n:05d}: código 303 'La oficina contable no corresponde "
                f"al órgano gestor en DIR3'. Corrija el campo Oficina contable (oficina_contable) del cliente "
                f"{face_partner_name} [res.partner,{face_partner}]: valor actual L01081913, valor esperado L01082009."
            )
            j = queue_job(
                w,
                t,
                "face",
                rec,
                first,
                None,
                exec_t,
                "Falló",
                1,
                5,
                ("UserError", msg, FACE_TB.format(msg=msg)),
            )
            log_job_run(w, j, first, exec_t)
            w.odoo_line(
                first + timedelta(seconds=exec_t + 0.05),
                rnd.choice(pids_at(first)[1]),
                "ERROR",
                "odoo.addons.queue_job.controllers.main",
                FACE_TB.format(msg=msg).rstrip("\n"),
            )
            failed.append(j["uuid"])
            seen.append(first)
            continue
        if not one_off_done and t > datetime(2026, 10, 8, 9, 50, tzinfo=UTC):
            one_off_done = True
            msg = "Error de conexión con FACe: HTTPSConnectionPool(host='webservice.face.gob.es', port=443): Read timed out. (read timeout=30)"
            w.odoo_line(
                first + timedelta(seconds=30.1),
                rnd.choice(pids_at(first)[1]),
                "ERROR",
                "odoo.addons.queue_job.controllers.main",
                FACE_TB.format(msg=msg).rstrip("\n"),
            )
            again = first + timedelta(minutes=14, seconds=rnd.uniform(0, 50))
            j = queue_job(
                w, t, "face", rec, again, again + timedelta(seconds=exec_t), exec_t, "Hecho", 2, 5, None
            )
            log_job_run(w, j, first, 30.1)
            log_job_run(w, j, again, exec_t)
            w._face_one_off = first  # type: ignore[attr-defined]
            continue
        j = queue_job(
            w, t, "face", rec, first, first + timedelta(seconds=exec_t), exec_t, "Hecho", 1, 5, None
        )
        log_job_run(w, j, first, exec_t)
    w.incidents.append(
        {
            "incident_id": "dogwood-4",
            "kind": "new_error_signature",
            "flow": "face_facturae",
            "start": iso_z(min(seen)),
            "end": iso_z(max(seen)),
            "cause": "configuration",
            "expected_action": "set_field",
            "affected_records": [f"res.partner:{face_partner}"] + [f"queue.job:{u}" for u in failed],
            "description": "Every month-end Facturae for the Ajuntament de Sant Cugat was rejected by FACe (code 303): the "
            "partner's DIR3 'oficina contable' is wrong. Write oficina_contable = L01082009 on the partner, "
            "then requeue the failed jobs.",
        }
    )


# --------------------------------------------------------------------------- Logic Apps flows


def wf_id(workflow: str) -> str:
    return (
        f"/SUBSCRIPTIONS/{SUB.upper()}/RESOURCEGROUPS/{RG.upper()}/PROVIDERS/MICROSOFT.LOGIC/WORKFLOWS/"
        f"{workflow.upper()}"
    )


def run_name(w: World) -> str:
    return (
        "08584"
        + "".join(w.rnd.choice("0123456789") for _ in range(24))
        + "CU"
        + f"{w.rnd.randint(0, 99):02d}"
    )


def la_records(
    w: World,
    workflow: str,
    trigger: str,
    start: datetime,
    dur: float,
    status: str,
    action: str,
    action_code: str,
    action_error: dict | None,
    tracked: dict | None,
    client_tracking: str | None = None,
) -> None:
    run = run_name(w)
    end = start + timedelta(seconds=dur)
    ct = client_tracking or run
    resource = {
        "subscriptionId": SUB,
        "resourceGroupName": RG,
        "workflowId": WF_GUID[workflow],
        "workflowName": workflow,
        "runId": run,
        "location": "westeurope",
    }
    a_start = start + timedelta(seconds=min(dur * 0.4, 2.5))
    act = {
        "time": az_ts(end - timedelta(milliseconds=40)),
        "workflowId": wf_id(workflow),
        "resourceId": f"{wf_id(workflow)}/RUNS/{run}/ACTIONS/{action.upper()}",
        "category": "WorkflowRuntime",
        "level": "Information" if status == "Succeeded" else "Error",
        "operationName": "Microsoft.Logic/workflows/workflowActionCompleted",
        "properties": {
            "$schema": "2016-06-01",
            "startTime": az_ts(a_start),
            "endTime": az_ts(end - timedelta(milliseconds=60)),
            "status": "Succeeded" if status == "Succeeded" else "Failed",
            "code": action_code,
            "resource": {**resource, "actionName": action},
            "correlation": {"actionTrackingId": w.uid(), "clientTrackingId": ct},
        },
        "location": "westeurope",
    }
    if action_error:
        act["properties"]["error"] = action_error
    if tracked:
        act["properties"]["trackedProperties"] = tracked
    runrec = {
        "time": az_ts(end),
        "workflowId": wf_id(workflow),
        "resourceId": f"{wf_id(workflow)}/RUNS/{run}",
        "category": "WorkflowRuntime",
        "level": "Information" if status == "Succeeded" else "Error",
        "operationName": "Microsoft.Logic/workflows/workflowRunCompleted",
        "properties": {
            "$schema": "2016-06-01",
            "startTime": az_ts(start),
            "endTime": az_ts(end),
            "status": status,
            "resource": {**resource, "triggerName": trigger, "originRunId": run},
            "correlation": {"clientTrackingId": ct},
        },
        "location": "westeurope",
    }
    if status != "Succeeded":
        runrec["properties"]["error"] = {
            "code": "ActionFailed",
            "message": "An action failed. No dependent actions succeeded.",
        }
    # the export keeps action events that failed or carry tracked properties (the KQL filter of the firm)
    if status != "Succeeded" or tracked:
        w.logic.append((end - timedelta(milliseconds=40), act))
    w.logic.append((end, runrec))


def acc_flow(w: World, projects: list[dict], partners_by_name: dict[str, dict], special: dict) -> None:
    rnd, nrng = w.rnd, w.np_rng
    cred_a, cred_b = datetime(2026, 9, 8, 7, 2, tzinfo=UTC), datetime(2026, 9, 8, 13, 47, tzinfo=UTC)
    one_off = datetime(2026, 9, 14, 10, 37, 12, tzinfo=UTC)
    maint_a, maint_b = DOWNTIME[1]
    dup_a, dup_b = datetime(2026, 10, 1, 9, 5, tzinfo=UTC), datetime(2026, 10, 1, 11, 40, tzinfo=UTC)
    schema_a, schema_b = datetime(2026, 10, 16, 9, 30, tzinfo=UTC), datetime(2026, 10, 16, 14, 10, tzinfo=UTC)

    def boost(t: datetime) -> float:
        if t.astimezone(TZ).date() == date(2026, 10, 16):
            return 2.2
        if dup_a <= t <= dup_b:
            return 2.0
        return 1.0

    hooks = w.poisson_times(1.9, boost=boost, step_min=10)
    recur = []
    t = utc(START) + timedelta(minutes=0, seconds=3)
    while t < utc(END):
        recur.append(t + timedelta(seconds=rnd.uniform(0, 2)))
        t += timedelta(hours=2)
    events = [(x, "manual", "") for x in hooks if not dup_a <= x <= dup_b] + [
        (x, "Recurrence", "") for x in recur
    ]
    events.append((one_off, "manual", "oneoff"))
    # a project manager updating ACC on the Saturday morning of the maintenance window
    events += [(maint_a + timedelta(minutes=m), "manual", "") for m in (23.4, 47.9, 71.2, 118.6)]
    # the month-start morning: ordinary updates plus seven project.created events for new clients
    events += [(x, "manual", "") for x in hooks if dup_a <= x <= dup_b]
    events += [
        (dup_a + timedelta(minutes=4 + 21 * k + rnd.uniform(0, 9)), "manual", "newclient") for k in range(7)
    ]
    events.sort()
    cred_seen, schema_seen, maint_seen = [], [], []
    dup_partner_ids: list[int] = []
    dup_seen: list[datetime] = []
    new_clients = [
        "Promocions Vallparadís S.L.",
        "Habitatges Turó Blau S.L.",
        "Residencial Mas Rampinyo S.A.",
        "Inversions Can Magí S.L.",
        "Gestió Immobiliària Sant Pau S.L.",
        "Patrimonis Ronda Nord S.L.",
        "Edificacions Parc Central S.L.",
    ]
    nc_i = 0
    next_pid = [special["next_id"] + 40]
    acc_proj = {p["id"]: f"b.{w.uid()}" for p in projects}
    for t, trig, tag in events:
        proj = rnd.choice(projects)
        client = partners_by_name.get(proj["partner"])
        tracked = {
            "odoo_project_id": proj["id"],
            "odoo_partner_id": client["id"] if client else None,
            "acc_project_id": acc_proj[proj["id"]],
            "evento": "dm.project.updated" if trig == "manual" else "reconciliacion_horaria",
        }
        dur = float(nrng.lognormal(np.log(6.0 if trig == "manual" else 24.0), 0.3))
        ct = f"acc-evt-{w.uid()}" if trig == "manual" else None
        if cred_a <= t <= cred_b:
            cred_seen.append(t)
            la_records(
                w,
                WF_ACC,
                trig,
                t,
                1.4,
                "Failed",
                "Obtener_token_APS",
                "BadRequest",
                {
                    "code": "BadRequest",
                    "message": "Token refresh failed: POST https://developer.api.autodesk.com/authentication/v2/token "
                    'returned 400 {"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}',
                },
                None,
                ct,
            )
            continue
        if tag == "oneoff":
            la_records(
                w,
                WF_ACC,
                trig,
                t,
                121.0,
                "Failed",
                "Crear_o_actualizar_proyecto_Odoo",
                "GatewayTimeout",
                {
                    "code": "GatewayTimeout",
                    "message": "BadGateway. Http request failed: the server did not respond within the timeout limit. "
                    "Please see logic app limits at https://aka.ms/logic-apps-limits-and-config#http-limits.",
                },
                tracked,
                ct,
            )
            w._acc_one_off = t  # type: ignore[attr-defined]
            continue
        if maint_a <= t <= maint_b:
            maint_seen.append(t)
            la_records(
                w,
                WF_ACC,
                trig,
                t,
                96.0,
                "Failed",
                "Crear_o_actualizar_proyecto_Odoo",
                "BadGateway",
                {
                    "code": "BadGateway",
                    "message": "502 Bad Gateway: nginx (erp.cornus.cat). Retried 4 times by the retry policy.",
                },
                tracked,
                ct,
            )
            continue
        if schema_a <= t <= schema_b and (trig == "Recurrence" or rnd.random() < 0.65):
            schema_seen.append(t)
            la_records(
                w,
                WF_ACC,
                trig,
                t,
                2.1 if trig == "manual" else 9.5,
                "Failed",
                "Analizar_JSON_proyecto",
                "BadRequest",
                {
                    "code": "ValidationFailed",
                    "message": "The schema validation failed. Invalid type. Expected String but got Null. "
                    "Path 'data.attributes.jobNumber'.",
                },
                None,
                ct,
            )
            continue
        if tag == "newclient":
            # a new ACC project for a new client: the webhook is redelivered because the run exceeded ACC's timeout
            name = new_clients[nc_i]
            nc_i += 1
            ct = f"acc-evt-{w.uid()}"
            deliveries = 2 if rnd.random() < 0.6 else 3
            ids = []
            at = t
            for _k in range(deliveries):
                next_pid[0] += rnd.randint(1, 3)
                pid = next_pid[0]
                ids.append(pid)
                d = float(nrng.lognormal(np.log(38.0), 0.15))
                # the tracked properties carry the partner the run created
                la_records(
                    w,
                    WF_ACC,
                    "manual",
                    at,
                    d,
                    "Succeeded",
                    "Crear_o_actualizar_proyecto_Odoo",
                    "OK",
                    None,
                    {
                        **tracked,
                        "odoo_partner_id": pid,
                        "cliente_creado": name,
                        "evento": "dm.project.created",
                    },
                    ct,
                )
                dup_seen.append(at)
                end = at + timedelta(seconds=d - 1.5)
                w.odoo.append(
                    (
                        end,
                        f"{odoo_ts(end)} {rnd.choice(pids_at(end)[1])} INFO {DB} werkzeug: 10.20.4.{rnd.randint(10, 14)} - - "
                        f'[{werkzeug_ts(end)}] "POST /jsonrpc HTTP/1.1" 200 - {rnd.randint(30, 60)} '
                        f"{rnd.uniform(2.0, 6.0):.3f} {d - 3:.3f}",
                    )
                )
                at = at + timedelta(seconds=rnd.uniform(31, 75))
            entity = f"accnew-{ids[0]}"
            for k, pid in enumerate(ids):
                w.partners.append(
                    {
                        "id": pid,
                        "name": name,
                        "is_company": True,
                        "parent_id": None,
                        "parent_name": "",
                        "vat": "",
                        "email": "",
                        "phone": "",
                        "mobile": "",
                        "street": "",
                        "city": "",
                        "zip": "",
                        "state": "",
                        "country": "España",
                        "write_date": dup_seen[-deliveries + k] + timedelta(seconds=20),
                    }
                )
                w.partner_entity[pid] = entity
            dup_partner_ids.extend(ids)
            continue
        if dup_a <= t <= dup_b and trig == "manual":
            dur = float(nrng.lognormal(np.log(31.0), 0.2))
        la_records(
            w,
            WF_ACC,
            trig,
            t,
            dur,
            "Succeeded",
            "Crear_o_actualizar_proyecto_Odoo" if trig == "manual" else "Conciliar_proyectos_ACC",
            "OK",
            None,
            tracked if trig == "manual" else None,
            ct,
        )
        # the Logic App writes to Odoo over JSON-RPC
        runner, workers = pids_at(t)
        end = t + timedelta(seconds=dur * 0.8)
        w.odoo.append(
            (
                end,
                f"{odoo_ts(end)} {rnd.choice(workers)} INFO {DB} werkzeug: 10.20.4.{rnd.randint(10, 14)} - - "
                f'[{werkzeug_ts(end)}] "POST /jsonrpc HTTP/1.1" 200 - {rnd.randint(8, 30)} '
                f"{rnd.uniform(0.005, 0.04):.3f} {rnd.uniform(0.08, 0.6):.3f}",
            )
        )
    w.incidents.append(
        {
            "incident_id": "dogwood-1",
            "kind": "expired_credential",
            "flow": "acc_proyectos",
            "start": iso_z(min(cred_seen)),
            "end": iso_z(max(cred_seen)),
            "cause": "credential_auth",
            "expected_action": "escalate",
            "affected_records": [],
            "description": "The Autodesk Platform Services 3-legged refresh token of the ACC connection expired: every run of "
            "la-cnr-acc-proyectos failed at Obtener_token_APS with 400 invalid_grant until someone re-authorised "
            "the connection in the afternoon.",
        }
    )
    w.incidents.append(
        {
            "incident_id": "dogwood-5",
            "kind": "duplicate_delivery",
            "flow": "acc_proyectos",
            "start": iso_z(min(dup_seen)),
            "end": iso_z(max(dup_seen)),
            "cause": "data_quality",
            "expected_action": "merge_partners",
            "affected_records": [f"res.partner:{i}" for i in dup_partner_ids],
            "description": "Month-start load made the ACC webhook runs take over 30 s, ACC redelivered the project.created "
            "events (same clientTrackingId two or three times) and each delivery created the new client again "
            "in Odoo: the new clients exist two or three times and must be merged.",
        }
    )
    w.incidents.append(
        {
            "incident_id": "dogwood-8",
            "kind": "error_spike",
            "flow": "acc_proyectos",
            "start": iso_z(min(schema_seen)),
            "end": iso_z(max(schema_seen)),
            "cause": "schema_validation",
            "expected_action": "escalate",
            "affected_records": [],
            "description": "On the last day ACC started sending projects without jobNumber (null): Analizar_JSON_proyecto failed "
            "schema validation for most webhook runs and every hourly reconciliation until the schema was relaxed.",
        }
    )
    w._maint_seen = maint_seen  # type: ignore[attr-defined]


def transmittal_flow(w: World, projects: list[dict]) -> None:
    rnd, nrng = w.rnd, w.np_rng
    spike_a, spike_b = datetime(2026, 10, 13, 8, 20, tzinfo=UTC), datetime(2026, 10, 13, 10, 5, tzinfo=UTC)
    bursts: list[tuple[datetime, int]] = []
    d = START
    while d < END:
        if not is_off(d.date()):
            for _ in range(int(nrng.poisson(0.75))):
                h = rnd.choice([9.5, 10.5, 11.5, 12.5, 13.2, 16.0, 17.0, 18.0])
                t = d + timedelta(hours=h, minutes=rnd.uniform(0, 50))
                bursts.append((utc(t), max(4, int(nrng.lognormal(np.log(14), 0.55)))))
        d += timedelta(days=1)
    bursts = [b for b in bursts if not (spike_a - timedelta(hours=3) <= b[0] <= spike_b + timedelta(hours=1))]
    big = (datetime(2026, 10, 9, 8, 14, tzinfo=UTC), 140)
    bursts += [
        (datetime(2026, 10, 13, 8, 24, tzinfo=UTC), 46),
        (datetime(2026, 10, 13, 9, 38, tzinfo=UTC), 31),
        big,
    ]
    bursts.sort()
    tr_n = 431
    seen: list[datetime] = []
    affected: set[int] = set()
    for bt, n in bursts:
        proj = rnd.choice(projects)
        tr_n += 1
        tr = f"TR-26-{tr_n:04d}"
        at = bt
        code = proj["_code"]
        for k in range(n):
            at = at + timedelta(seconds=rnd.uniform(1.5, 7.0))
            fname = f"{code}-{rnd.choice(['A', 'E', 'I', 'S'])}-{rnd.choice(['PLA', 'DET', 'MEM', 'PRE'])}-{100 + k:03d}_rev{rnd.choice('ABC')}.pdf"
            tracked = {"odoo_project_id": proj["id"], "transmittal": tr, "archivo": fname}
            dur = float(nrng.lognormal(np.log(4.5), 0.35))
            ct = f"ir.attachment-{rnd.randint(300000, 399999)}"
            if spike_a <= at <= spike_b and rnd.random() < 0.68:
                seen.append(at)
                affected.add(proj["id"])
                err = rnd.choice(
                    [
                        (
                            "ServiceUnavailable",
                            {
                                "code": "ServiceUnavailable",
                                "message": "The service is unavailable. "
                                "clientRequestId: " + w.uid() + " serviceRequestId: " + w.uid(),
                            },
                        ),
                        (
                            "TooManyRequests",
                            {
                                "code": "TooManyRequests",
                                "message": "Rate limit is exceeded. Try again in 120 seconds. "
                                "(SharePoint Online, tenant cornuseng)",
                            },
                        ),
                    ]
                )
                la_records(
                    w,
                    WF_TR,
                    "manual",
                    at,
                    dur * 3,
                    "Failed",
                    "Crear_archivo_SharePoint",
                    err[0],
                    err[1],
                    tracked,
                    ct,
                )
                continue
            if rnd.random() < 0.004:
                la_records(
                    w,
                    WF_TR,
                    "manual",
                    at,
                    dur,
                    "Failed",
                    "Crear_archivo_SharePoint",
                    "Conflict",
                    {
                        "code": "Conflict",
                        "message": f"A file with the name '{fname}' already exists in the library "
                        "'Extranet clientes'.",
                    },
                    tracked,
                    ct,
                )
                continue
            la_records(
                w, WF_TR, "manual", at, dur, "Succeeded", "Crear_archivo_SharePoint", "OK", None, tracked, ct
            )
    w.incidents.append(
        {
            "incident_id": "dogwood-7",
            "kind": "error_spike",
            "flow": "transmittals_sharepoint",
            "start": iso_z(min(seen)),
            "end": iso_z(max(seen)),
            "cause": "upstream_outage",
            "expected_action": "escalate",
            "affected_records": [f"project.project:{i}" for i in sorted(affected)],
            "description": "During a Microsoft 365 service incident SharePoint Online answered 503 and 429 to most uploads of "
            "the two morning transmittals; the failed runs must be resubmitted from Azure once SharePoint is "
            "healthy, so the transmittals reach the clients.",
        }
    )
    w._big_burst = big  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Kafka Connect (timesheets -> DWH)

JDBC = "io.confluent.connect.jdbc.sink.JdbcSinkTask"
WST = "org.apache.kafka.connect.runtime.WorkerSinkTask"


def connect_line(w: World, t: datetime, level: str, ctx: str, msg: str, logger: str, line: int) -> None:
    d = utc(t)
    ts = d.strftime("%Y-%m-%d %H:%M:%S,") + f"{d.microsecond // 1000:03d}"
    w.connect.append((t, f"[{ts}] {level} {ctx}{msg} ({logger}:{line})"))


def timesheet_flow(w: World) -> None:
    rnd, nrng = w.rnd, w.np_rng
    ctx = f"[{CONNECTOR}|task-0] "
    dead_a, dead_b = datetime(2026, 9, 22, 7, 31, 4, tzinfo=UTC), datetime(2026, 9, 22, 13, 5, 20, tzinfo=UTC)
    deadlock_at = datetime(2026, 9, 30, 15, 12, 8, tzinfo=UTC)
    offset = 1_843_200
    backlog = 0
    t = utc(START)
    step = timedelta(minutes=10)
    dead_logged = False
    deadlock_done = False

    def boost(x: datetime) -> float:
        lt = x.astimezone(TZ)
        if lt.weekday() == 4 and 11 <= lt.hour < 15:
            return 2.3  # Friday: everyone closes the week's timesheet
        if lt.weekday() == 0 and 8 <= lt.hour < 11:
            return 1.5
        return 1.0

    # hourly herder noise
    h = utc(START) + timedelta(minutes=17)
    while h < utc(END):
        if rnd.random() < 0.25:
            connect_line(
                w,
                h + timedelta(seconds=rnd.uniform(0, 59)),
                "INFO",
                "",
                "[Worker clientId=connect-1, groupId=cnr-connect-cluster] Session key updated",
                "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                2112,
            )
        h += timedelta(hours=1)

    def cdc_weight(x: datetime) -> float:
        """Timesheets are typed in office hours; at weekends and on holidays only a few people catch up."""
        lt = x.astimezone(TZ)
        if is_off(lt.date()):
            return 0.01 if 10 <= lt.hour < 19 else 0.0
        return office_weight(x) if 7 <= lt.hour < 21 else 0.0

    while t < utc(END):
        lam = 13.0 * cdc_weight(t) * boost(t)
        n = int(nrng.poisson(lam))
        at = t + timedelta(seconds=rnd.uniform(0, 590))
        if dead_a <= at < dead_b:
            backlog += n
            if not dead_logged:
                dead_logged = True
                miss = (
                    'Table "dbo"."partes_horas" is missing fields ([SinkRecordField{schema=Schema{STRING}, '
                    "name='fase_proyecto', isPrimaryKey=false}]) and auto-evolution is disabled"
                )
                connect_line(
                    w,
                    dead_a,
                    "DEBUG",
                    ctx,
                    f"Received 3 records. First record kafka coordinates:"
                    f"(odoo.public.account_analytic_line-0-{offset}). Writing them to the database...",
                    JDBC,
                    91,
                )
                connect_line(
                    w,
                    dead_a + timedelta(milliseconds=212),
                    "ERROR",
                    ctx,
                    f"io.confluent.connect.jdbc.sink.TableAlterOrCreateException: {miss}",
                    JDBC,
                    100,
                )
                tb = (
                    f"WorkerSinkTask{{id={CONNECTOR}-0}} Task threw an uncaught and unrecoverable exception. Task is being "
                    f"killed and will not recover until manually restarted. Error: {miss}"
                )
                stack = (
                    f"\norg.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:618)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:336)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.iteration(WorkerSinkTask.java:237)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:206)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:204)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:259)\n"
                    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)\n"
                    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
                    f"Caused by: io.confluent.connect.jdbc.sink.TableAlterOrCreateException: {miss}\n"
                    "\tat io.confluent.connect.jdbc.sink.DbStructure.amendIfNecessary(DbStructure.java:182)\n"
                    "\tat io.confluent.connect.jdbc.sink.DbStructure.createOrAmendIfNecessary(DbStructure.java:83)\n"
                    "\tat io.confluent.connect.jdbc.sink.BufferedRecords.add(BufferedRecords.java:122)\n"
                    "\tat io.confluent.connect.jdbc.sink.JdbcDbWriter.write(JdbcDbWriter.java:74)\n"
                    "\tat io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:90)\n"
                    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:587)\n"
                    "\t... 10 more"
                )
                connect_line(w, dead_a + timedelta(milliseconds=230), "ERROR", ctx, tb, WST, 616)
                w.connect[-1] = (w.connect[-1][0], w.connect[-1][1] + stack)
                connect_line(w, dead_a + timedelta(milliseconds=236), "INFO", ctx, "Stopping task", JDBC, 161)
                connect_line(
                    w,
                    dead_a + timedelta(milliseconds=251),
                    "ERROR",
                    ctx,
                    f"WorkerSinkTask{{id={CONNECTOR}-0}} Task is being killed and will not recover until manually restarted",
                    "org.apache.kafka.connect.runtime.WorkerTask",
                    206,
                )
            t += step
            continue
        if backlog and at >= dead_b:
            connect_line(
                w,
                dead_b,
                "INFO",
                "",
                f"[Worker clientId=connect-1, groupId=cnr-connect-cluster] Restarting task {CONNECTOR}-0",
                "org.apache.kafka.connect.runtime.distributed.DistributedHerder",
                1402,
            )
            connect_line(w, dead_b + timedelta(seconds=1.3), "INFO", ctx, "Starting JDBC Sink task", JDBC, 52)
            connect_line(
                w,
                dead_b + timedelta(seconds=1.4),
                "INFO",
                ctx,
                "Initializing writer using SQL dialect: SqlServerDatabaseDialect",
                JDBC,
                69,
            )
            bt = dead_b + timedelta(seconds=6)
            while backlog > 0:
                k = min(500, backlog)
                connect_line(
                    w,
                    bt,
                    "DEBUG",
                    ctx,
                    f"Received {k} records. First record kafka coordinates:"
                    f"(odoo.public.account_analytic_line-0-{offset}). Writing them to the database...",
                    JDBC,
                    91,
                )
                offset += k
                backlog -= k
                bt += timedelta(seconds=rnd.uniform(1.5, 3.0))
            w._restart_end = bt  # type: ignore[attr-defined]
        if n == 0:
            t += step
            continue
        if not deadlock_done and at >= deadlock_at:
            deadlock_done = True
            connect_line(
                w,
                at,
                "DEBUG",
                ctx,
                f"Received {n + 300} records. First record kafka coordinates:"
                f"(odoo.public.account_analytic_line-0-{offset}). Writing them to the database...",
                JDBC,
                91,
            )
            connect_line(
                w,
                at + timedelta(seconds=4.2),
                "WARN",
                ctx,
                f"Write of {n + 300} records failed, remainingRetries=10",
                JDBC,
                108,
            )
            w.connect[-1] = (
                w.connect[-1][0],
                w.connect[-1][1]
                + (
                    "\njava.sql.BatchUpdateException: Transaction (Process ID 87) was deadlocked on lock resources with another "
                    "process and has been chosen as the deadlock victim. Rerun the transaction.\n"
                    "\tat com.microsoft.sqlserver.jdbc.SQLServerPreparedStatement.executeBatch(SQLServerPreparedStatement.java:2231)\n"
                    "\tat io.confluent.connect.jdbc.sink.BufferedRecords.executeUpdates(BufferedRecords.java:221)\n"
                    "\tat io.confluent.connect.jdbc.sink.BufferedRecords.flush(BufferedRecords.java:187)\n"
                    "\tat io.confluent.connect.jdbc.sink.JdbcDbWriter.write(JdbcDbWriter.java:80)\n"
                    "\tat io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:90)"
                ),
            )
            connect_line(
                w,
                at + timedelta(seconds=4.3),
                "INFO",
                ctx,
                "Initializing writer using SQL dialect: SqlServerDatabaseDialect",
                JDBC,
                69,
            )
            connect_line(
                w,
                at + timedelta(seconds=7.4),
                "DEBUG",
                ctx,
                f"Received {n + 300} records. First record kafka coordinates:"
                f"(odoo.public.account_analytic_line-0-{offset}). Writing them to the database...",
                JDBC,
                91,
            )
            w._deadlock = at  # type: ignore[attr-defined]
            offset += n + 300
            t += step
            continue
        connect_line(
            w,
            at,
            "DEBUG",
            ctx,
            f"Received {n} records. First record kafka coordinates:"
            f"(odoo.public.account_analytic_line-0-{offset}). Writing them to the database...",
            JDBC,
            91,
        )
        offset += n
        t += step
    w.incidents.append(
        {
            "incident_id": "dogwood-3",
            "kind": "silent_flow",
            "flow": "partes_horas_dwh",
            "start": iso_z(dead_a),
            "end": iso_z(dead_b),
            "cause": "schema_validation",
            "expected_action": "escalate",
            "affected_records": [],
            "description": "After the morning module update added fase_proyecto to the timesheet lines, the JDBC sink to the "
            "Power BI warehouse died on the missing column (auto.evolve=false) and nothing reached the warehouse "
            "for five and a half hours, until a DBA added the column and the task was restarted.",
        }
    )


# --------------------------------------------------------------------------- Odoo server log noise and events


def odoo_background(w: World) -> None:
    rnd = w.rnd
    # daily crons
    d = START
    while d < END:
        for hh, name, cid, dur in [
            (2, "Recolector de basura de trabajos", 14, 0.8),
            (3, "Vaciado automático de la cola de trabajos", 13, 3.1),
            (4, "Base: Auto-vacuum internal data", 1, 12.4),
            (6, "SII: Comprobar estado de facturas", 31, 42.0),
        ]:
            t = utc(d + timedelta(hours=hh, minutes=rnd.randint(0, 5), seconds=rnd.uniform(0, 59)))
            runner, workers = pids_at(t)
            pid = rnd.choice(workers)
            w.odoo_line(t, pid, "INFO", "odoo.addons.base.models.ir_cron", f"Job '{name}' ({cid}) starting")
            w.odoo_line(
                t + timedelta(seconds=dur),
                pid,
                "INFO",
                "odoo.addons.base.models.ir_cron",
                f"Job '{name}' ({cid}) done in {dur:.3f}s",
            )
        d += timedelta(days=1)
    # serialization failures on timesheet saves, retried by Odoo itself
    times = w.poisson_times(0.22, step_min=30)
    cluster = [
        datetime(2026, 10, 9, 11, 31, tzinfo=UTC) + timedelta(minutes=rnd.uniform(0, 88)) for _ in range(15)
    ]
    ser_all = sorted(times + cluster)
    for t in ser_all:
        runner, workers = pids_at(t)
        pid = rnd.choice(workers)
        line = rnd.randint(88000, 99000)
        w.odoo_line(
            t,
            pid,
            "ERROR",
            "odoo.sql_db",
            f'bad query: UPDATE "account_analytic_line" SET "unit_amount" = {rnd.choice([0.5, 1.0, 2.0, 3.5, 4.0])}, '
            f'"write_uid" = {rnd.randint(6, 80)}, "write_date" = (now() at time zone \'UTC\') WHERE id IN ({line})\n'
            "ERROR: could not serialize access due to concurrent update",
        )
        w.odoo_line(
            t + timedelta(milliseconds=3),
            pid,
            "INFO",
            "odoo.service.model",
            f"SERIALIZATION_FAILURE, 4 tries left, try again in {rnd.uniform(0.05, 1.9):.4f} sec...",
        )
        end = t + timedelta(seconds=rnd.uniform(0.4, 2.2))
        w.odoo.append(
            (
                end,
                f"{odoo_ts(end)} {pid} INFO {DB} werkzeug: 10.20.1.{rnd.randint(20, 200)} - - [{werkzeug_ts(end)}] "
                f'"POST /web/dataset/call_kw/account.analytic.line/write HTTP/1.1" 200 - 31 0.041 {rnd.uniform(0.5, 2.5):.3f}',
            )
        )
    w._ser_cluster = (min(cluster), max(cluster))  # type: ignore[attr-defined]

    # 22/09 module update (the fase_proyecto field)
    up = datetime(2026, 9, 22, 7, 24, 30, tzinfo=UTC)
    old = pids_at(up - timedelta(minutes=5))[0]
    w.odoo_line(up, old, "INFO", "odoo.service.server", "Initiating shutdown", db="?")
    w.odoo_line(
        up + timedelta(seconds=0.1),
        old,
        "INFO",
        "odoo.service.server",
        "Hit CTRL-C again or send a second signal to force the shutdown.",
        db="?",
    )
    st = up + timedelta(seconds=52)
    new = pids_at(st + timedelta(minutes=3))[0]
    for k, msg in enumerate(
        [
            "Odoo version 17.0-20260915",
            "Using configuration file at /etc/odoo/odoo.conf",
            "addons paths: ['/usr/lib/python3/dist-packages/odoo/addons', '/opt/odoo/addons-oca/queue', "
            "'/opt/odoo/addons-oca/l10n-spain', '/opt/odoo/addons-oca/edi', '/opt/odoo/addons-cornus']",
            "database: odoo@pg-cornus-prod.postgres.database.azure.com:5432",
        ]
    ):
        w.odoo_line(st + timedelta(milliseconds=10 * k), new, "INFO", "odoo", msg, db="?")
    w.odoo_line(st + timedelta(seconds=4), new, "INFO", "odoo.modules.loading", "loading 212 modules...")
    w.odoo_line(
        st + timedelta(seconds=9),
        new,
        "INFO",
        "odoo.modules.registry",
        "module cornus_project_fases: creating or updating database tables",
    )
    w.odoo_line(st + timedelta(seconds=11), new, "INFO", "odoo.modules.loading", "Modules loaded.")

    # maintenance window announced the day before, in Spanish and local time
    ann = datetime(2026, 10, 2, 15, 30, 2, tzinfo=UTC)
    w.odoo_line(
        ann,
        rnd.choice(pids_at(ann)[1]),
        "WARNING",
        "odoo.addons.cornus_base.models.res_config_settings",
        "AVISO: mantenimiento programado de Odoo el sábado 03/10/2026 de 09:00 a 12:00 (hora de Madrid): "
        "actualización de Odoo 17 y de los módulos l10n_es. Durante la ventana las integraciones (ACC, SII, FACe) "
        "pueden devolver errores 502/503 y se reintentarán después.",
    )
    stop = DOWNTIME[1][0]
    p_old = pids_at(stop)[0]
    w.odoo_line(stop, p_old, "INFO", "odoo.service.server", "Initiating shutdown", db="?")
    w.odoo_line(
        stop + timedelta(seconds=0.1),
        p_old,
        "INFO",
        "odoo.service.server",
        "Hit CTRL-C again or send a second signal to force the shutdown.",
        db="?",
    )
    st = DOWNTIME[1][1] - timedelta(seconds=43)
    p_new = pids_at(st)[0]
    w.odoo_line(st, p_new, "INFO", "odoo", "Odoo version 17.0-20261001", db="?")
    w.odoo_line(
        st + timedelta(milliseconds=20),
        p_new,
        "INFO",
        "odoo",
        "Using configuration file at /etc/odoo/odoo.conf",
        db="?",
    )
    w.odoo_line(st + timedelta(seconds=5), p_new, "INFO", "odoo.modules.loading", "loading 212 modules...")
    w.odoo_line(
        st + timedelta(seconds=38),
        p_new,
        "INFO",
        "odoo.modules.loading",
        "212 modules loaded in 31.52s, 0 queries (+0 extra)",
    )
    w.odoo_line(st + timedelta(seconds=40), p_new, "INFO", "odoo.modules.loading", "Modules loaded.")
    # web users during office hours (sparse)
    for t in w.poisson_times(2.0, step_min=10):
        if after_downtime(t) != t:
            continue
        _r, workers = pids_at(t)
        path = rnd.choice(
            [
                "/web/dataset/call_kw/project.task/web_search_read",
                "/web/action/load",
                "/web/dataset/call_kw/account.analytic.line/web_read_group",
                "/mail/data",
                "/web/dataset/call_kw/account.move/web_read",
                "/web/webclient/translations",
            ]
        )
        w.odoo.append(
            (
                t,
                f"{odoo_ts(t)} {rnd.choice(workers)} INFO {DB} werkzeug: 10.20.1.{rnd.randint(20, 200)} - - "
                f'[{werkzeug_ts(t)}] "POST {path} HTTP/1.1" 200 - {rnd.randint(3, 40)} '
                f"{rnd.uniform(0.005, 0.09):.3f} {rnd.uniform(0.02, 0.7):.3f}",
            )
        )


# --------------------------------------------------------------------------- writers


def write_queue_export(w: World, path: Path) -> None:
    """The queue.job list exported to XLSX with Spanish labels, opened in Excel (es-ES) and saved as CSV UTF-8."""
    header = [
        "UUID",
        "Descripción",
        "Tarea",
        "Modelo",
        "Nombre del método",
        "Registro",
        "Canal",
        "Estado",
        "Prioridad",
        "Fecha de creación",
        "Hora en que se puso en cola",
        "Fecha de inicio",
        "Fecha de realización",
        "Execution Time (avg)",
        "Intento actual",
        "Reintentos máx.",
        "Exception",
        "Exception Message",
        "Información de la excepción",
    ]
    buf = io.StringIO()
    wr = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    wr.writerow(header)
    for j in sorted(w.jobs, key=lambda x: x["created"], reverse=True):
        if j["created"].astimezone(TZ) > EXPORT_AT:
            continue
        wr.writerow(
            [
                j["uuid"],
                j["desc"],
                j["task"],
                j["model"],
                j["method"],
                j["record"],
                j["channel"],
                j["state"],
                j["priority"],
                local_cell(j["created"]),
                local_cell(j["enqueued"]),
                local_cell(j["started"]),
                local_cell(j["done"]),
                dec_comma(j["exec_time"]),
                j["retry"],
                j["max_retries"],
                j["exc_name"],
                j["exc_message"],
                j["exc_info"],
            ]
        )
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_partners(w: World, path: Path) -> None:
    header = [
        "ID",
        "Nombre",
        "Es una empresa",
        "Empresa relacionada",
        "NIF",
        "Correo electrónico",
        "Teléfono",
        "Móvil",
        "Calle",
        "Ciudad",
        "C.P.",
        "Provincia",
        "País",
        "Última actualización el",
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(header)
        for p in sorted(w.partners, key=lambda x: x["id"]):
            wr.writerow(
                [
                    p["id"],
                    p["name"],
                    "True" if p["is_company"] else "False",
                    p["parent_name"],
                    p["vat"],
                    p["email"],
                    p["phone"],
                    p["mobile"],
                    p["street"],
                    p["city"],
                    p["zip"],
                    p["state"],
                    p["country"],
                    local_cell(p["write_date"]),
                ]
            )


def write_projects(w: World, path: Path) -> None:
    header = [
        "ID",
        "Nombre",
        "Cliente",
        "Responsable del proyecto",
        "Fecha de inicio",
        "Activo",
        "Última actualización el",
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(header)
        for p in sorted(w.projects, key=lambda x: x["id"]):
            wr.writerow(
                [
                    p["id"],
                    p["name"],
                    p["partner"],
                    p["manager"],
                    p["date_start"].isoformat(),
                    "True" if p["active"] else "False",
                    local_cell(p["write_date"]),
                ]
            )


def day_window(d: date) -> tuple[str, str]:
    a = datetime(d.year, d.month, d.day, tzinfo=TZ)
    return iso_z(a), iso_z(a + timedelta(days=1))


def distractors(w: World) -> list[dict]:
    out = []
    for d, nm in HOLIDAYS.items():
        a, b = day_window(d)
        out.append(
            {
                "id": f"holiday-{d.isoformat()}",
                "kind": "public_holiday",
                "flow": "*",
                "start": a,
                "end": b,
                "description": f"{nm}: the office is closed, every flow is quiet.",
            }
        )
    for d, nm in BRIDGE.items():
        a, b = day_window(d)
        out.append(
            {
                "id": f"bridge-{d.isoformat()}",
                "kind": "bridge_day",
                "flow": "*",
                "start": a,
                "end": b,
                "description": f"{nm}: declared in calendar.json; quiet like a holiday.",
            }
        )
    ms = w._maint_seen  # type: ignore[attr-defined]
    out.append(
        {
            "id": "maintenance-2026-10-03",
            "kind": "maintenance",
            "flow": "*",
            "start": "2026-10-03T07:00:00Z",
            "end": "2026-10-03T10:00:00Z",
            "description": "Announced in the Odoo log on 02/10 (Spanish, local time 09:00-12:00): Odoo update; the ACC "
            f"Logic App got 502 from Odoo {len(ms)} times during the window.",
        }
    )
    out.append(
        {
            "id": "sii-new-info-after-deploy",
            "kind": "new_info_message",
            "flow": "sii_facturas",
            "start": iso_z(w._sii_info[0]),
            "end": iso_z(w._sii_info[1]),  # type: ignore[attr-defined]
            "description": "After the 03/10 update the SII module logs a new INFO line per job (certificate validity "
            "and SII version). Harmless.",
        }
    )
    big = w._big_burst  # type: ignore[attr-defined]
    out.append(
        {
            "id": "transmittal-big-burst",
            "kind": "bursty_flow",
            "flow": "transmittals_sharepoint",
            "start": iso_z(big[0]),
            "end": iso_z(big[0] + timedelta(minutes=15)),
            "description": "The largest transmittal of the period (140 drawings of a proyecto de ejecución) uploaded in "
            "one burst; the flow is bursty by nature (declared unit: batch).",
        }
    )
    t = w._acc_one_off  # type: ignore[attr-defined]
    out.append(
        {
            "id": "acc-one-off-504",
            "kind": "one_off_error",
            "flow": "acc_proyectos",
            "start": iso_z(t),
            "end": iso_z(t + timedelta(minutes=3)),
            "description": "A single run timed out against Odoo (504); the next runs were fine.",
        }
    )
    t = w._deadlock  # type: ignore[attr-defined]
    out.append(
        {
            "id": "dwh-one-off-deadlock",
            "kind": "one_off_error",
            "flow": "partes_horas_dwh",
            "start": iso_z(t),
            "end": iso_z(t + timedelta(minutes=1)),
            "description": "One SQL Server deadlock on the warehouse; the JDBC sink retried the batch and went on.",
        }
    )
    t = w._face_one_off  # type: ignore[attr-defined]
    out.append(
        {
            "id": "face-one-off-timeout",
            "kind": "one_off_error",
            "flow": "face_facturae",
            "start": iso_z(t),
            "end": iso_z(t + timedelta(minutes=16)),
            "description": "One FACe read timeout; the job was requeued by hand and succeeded 14 minutes later.",
        }
    )
    a, b = w._ser_cluster  # type: ignore[attr-defined]
    out.append(
        {
            "id": "odoo-serialization-retries",
            "kind": "retried_serialization_failure",
            "flow": "*",
            "start": iso_z(a),
            "end": iso_z(b),
            "description": "Friday timesheet closing: Odoo's own SERIALIZATION_FAILURE retries on account.analytic.line "
            "(bad query + 'tries left'), each request ending 200. Also a few on other days.",
        }
    )
    out.append(
        {
            "id": "month-end-peak",
            "kind": "month_end_peak",
            "flow": "sii_facturas",
            "start": "2026-09-27T22:00:00Z",
            "end": "2026-10-01T22:00:00Z",
            "description": "Month-end invoicing: about three times the usual SII (and FACe) volume, all accepted.",
        }
    )
    return out


def build(out: Path) -> Path:
    out = Path(out)
    for sub in ("logs", "records", "labels"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    w = World(rnd=random.Random(SEED), np_rng=np.random.default_rng(SEED))
    special = build_partners(w)
    companies = w._companies  # type: ignore[attr-defined]
    clients = [
        c
        for c in companies
        if c["_sector"] in ("Promociones", "Inmobiliaria", "Gestión Patrimonial", "Construcciones")
    ]
    clients += [
        p
        for p in w.partners
        if p["name"].startswith(
            (
                "Ajuntament de",
                "Institut Català",
                "Infraestructures",
                "Diputació",
                "Consorci",
                "Àrea Metropolitana",
            )
        )
    ]
    originals = build_projects(w, clients)
    by_name = {p["name"]: p for p in w.partners if p["is_company"]}
    face_partner = special["face_partner"]
    face_name = next(p["name"] for p in w.partners if p["id"] == face_partner)
    sii_flow(w)
    face_flow(w, face_partner, face_name)
    acc_flow(w, [p for p in originals if p["active"]], by_name, special)
    transmittal_flow(w, [p for p in originals if p["active"]])
    timesheet_flow(w)
    odoo_background(w)

    # logs
    w.odoo.sort(key=lambda x: x[0])
    (out / "logs" / "odoo-server.log").write_text(
        "".join(line + "\n" for _t, line in w.odoo), encoding="utf-8"
    )
    w.connect.sort(key=lambda x: x[0])
    (out / "logs" / "connect-worker.log").write_text(
        "".join(line + "\n" for _t, line in w.connect), encoding="utf-8"
    )
    w.logic.sort(key=lambda x: x[0])
    (out / "logs" / "logicapps-workflowruntime.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for _t, r in w.logic),
        encoding="utf-8",
    )
    write_queue_export(w, out / "logs" / "queue_job_export_16-10-2026.csv")

    # records
    write_partners(w, out / "records" / "res_partner.csv")
    write_projects(w, out / "records" / "project_project.csv")

    # labels
    incs = sorted(w.incidents, key=lambda x: x["start"])
    (out / "labels" / "incidents.jsonl").write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in incs), encoding="utf-8"
    )
    (out / "labels" / "not_incidents.jsonl").write_text(
        "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in distractors(w)), encoding="utf-8"
    )
    with (out / "labels" / "partner_entities.csv").open("w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["id", "entity"])
        for pid in sorted(w.partner_entity):
            wr.writerow([pid, w.partner_entity[pid]])
    with (out / "labels" / "project_entities.csv").open("w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["id", "entity"])
        for pid in sorted(w.project_entity):
            wr.writerow([pid, w.project_entity[pid]])
    with (out / "labels" / "hard_negatives.csv").open("w", encoding="utf-8", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["model", "left_id", "right_id", "why"])
        for row in w.hard_negatives:
            wr.writerow(row)

    flows = [
        {
            "name": "sii_facturas",
            "source_system": "Odoo 17",
            "target_system": "AEAT SII",
            "owner": "Administración (Montse Ribas)",
            "criticality": "high",
            "country": "ES",
            "channels": ["root.invoice_validate_sii"],
            "models": ["account.move"],
            "loggers": ["odoo.addons.l10n_es_aeat_sii_oca", "odoo.addons.cornus_sii_retry"],
            "aliases": ["confirm_one_invoice"],
        },
        {
            "name": "face_facturae",
            "source_system": "Odoo 17",
            "target_system": "FACe (Punto General de Entrada de Facturas)",
            "owner": "Administración (Montse Ribas)",
            "criticality": "high",
            "country": "ES",
            "channels": ["root.edi_exchange"],
            "models": ["edi.exchange.record"],
            "loggers": ["odoo.addons.l10n_es_facturae_face", "odoo.addons.edi_oca"],
        },
        {
            "name": "acc_proyectos",
            "source_system": "Autodesk Construction Cloud",
            "target_system": "Odoo 17",
            "owner": "Sistemas (Arnau Figueras)",
            "criticality": "medium",
            "country": "ES",
            "aliases": [WF_ACC],
            "endpoints": ["/jsonrpc"],
            "models": ["project.project"],
        },
        {
            "name": "transmittals_sharepoint",
            "source_system": "Odoo 17",
            "target_system": "SharePoint Online (extranet clientes)",
            "owner": "Sistemas (Arnau Figueras)",
            "criticality": "medium",
            "country": "ES",
            "unit": "batch",
            "aliases": [WF_TR],
        },
        {
            "name": "partes_horas_dwh",
            "source_system": "Odoo 17 (Debezium CDC)",
            "target_system": "Azure SQL DWH (Power BI)",
            "owner": "Datos (Judit Tarrés)",
            "criticality": "low",
            "country": "ES",
            "aliases": [CONNECTOR],
            "loggers": ["io.confluent.connect.jdbc"],
        },
    ]
    (out / "flows.json").write_text(json.dumps(flows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    cal = {
        "country": "ES",
        "holidays": sorted(d.isoformat() for d in list(HOLIDAYS) + list(BRIDGE)),
        "month_end_days": 3,
    }
    (out / "calendar.json").write_text(json.dumps(cal, indent=2) + "\n", encoding="utf-8")
    manifest = {
        "estate": "dogwood",
        "firm": "Cornus Enginyeria i Arquitectura S.L.P. (Barcelona), Odoo 17",
        "heldout": False,
        "designed_blind": True,
        "days": DAYS,
        "seed": SEED,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1]))
