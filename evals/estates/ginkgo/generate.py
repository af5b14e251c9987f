# mypy: disable-error-code="var-annotated"
# ruff: noqa: B905, E702, E731, E741, F841, UP017
# (a blind estate: its author's code is kept as written, checked by its tests, not retyped)
"""Generator for the blind estate "ginkgo" (see __init__.py for the description)."""
from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import uuid as uuidlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

SEED = 41018
TZ = ZoneInfo("Europe/Warsaw")
UTC = timezone.utc
START = datetime(2026, 10, 19, tzinfo=TZ)  # Monday, local midnight
DAYS = 26  # 19.10.2026 .. 13.11.2026
END = START + timedelta(days=DAYS)
HOLIDAYS = {date(2026, 11, 1): "Wszystkich Świętych", date(2026, 11, 11): "Narodowe Święto Niepodległości"}
# announced maintenance, local time
MAINT_START = datetime(2026, 11, 7, 22, 0, tzinfo=TZ)
MAINT_END = datetime(2026, 11, 8, 2, 0, tzinfo=TZ)


def U(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------- incident windows (UTC)
W = {
    "dupvat": (U(2026, 10, 22, 7, 0), U(2026, 10, 22, 14, 0)),
    "ksef_token": (U(2026, 10, 27, 6, 30), U(2026, 10, 27, 10, 15)),
    "ksef_429": (U(2026, 10, 30, 9, 0), U(2026, 10, 30, 13, 30)),
    "latency": (U(2026, 11, 3, 9, 0), U(2026, 11, 3, 14, 30)),
    "crm_silent": (U(2026, 11, 4, 8, 10), U(2026, 11, 4, 12, 40)),
    "tempo_redeliver": (U(2026, 11, 5, 10, 0), U(2026, 11, 5, 12, 0)),
    "ancm502": (U(2026, 11, 10, 11, 20), U(2026, 11, 10, 12, 50)),
    "crm_cfg": (U(2026, 11, 12, 8, 5), U(2026, 11, 13, 16, 0)),
}
SER_A, SER_B = U(2026, 10, 21, 10, 0), U(2026, 10, 21, 10, 30)
CRM_DEPLOY_INFO = U(2026, 10, 28, 6, 40)  # harmless new INFO after deploy
CRM_CFG_DEPLOY = U(2026, 11, 12, 8, 0)


def in_w(t, k):
    a, b = W[k]
    return a <= t < b


def in_maint(t):
    return MAINT_START <= t < MAINT_END


def local_factor(t):
    """Business-hours intensity (0..1) at UTC time t for a Warsaw office."""
    lt = t.astimezone(TZ)
    d = lt.date()
    h = lt.hour + lt.minute / 60
    if d in HOLIDAYS:
        return 0.03
    if lt.weekday() >= 5:
        return 0.04
    if 8 <= h < 17:
        f = 1.0
        if 12 <= h < 13:
            f = 0.75
    elif 7 <= h < 8 or 17 <= h < 19:
        f = 0.35
    else:
        f = 0.04
    return f


def month_end_factor(t):
    d = t.astimezone(TZ).date()
    if d in (date(2026, 10, 29), date(2026, 10, 30), date(2026, 11, 2), date(2026, 11, 3)):
        return 2.2
    return 1.0


def hours():
    t = START.astimezone(UTC)
    while t < END:
        yield t
        t += timedelta(hours=1)


def times_in_hour(rng, t0, n):
    secs = np.sort(rng.uniform(0, 3600, n))
    return [t0 + timedelta(seconds=float(s)) for s in secs]


# ----------------------------------------------------------------- NIP / names
def nip(rng):
    w = [6, 5, 7, 2, 3, 4, 5, 6, 7]
    while True:
        d = [int(x) for x in rng.integers(0, 10, 9)]
        if d[0] == 0:
            continue
        c = sum(a * b for a, b in zip(w, d)) % 11
        if c == 10:
            continue
        return "PL" + "".join(map(str, d)) + str(c)


STEMS = ["Nordia", "Wistula", "Kamsoft", "Polbud", "Amberline", "Techmex", "Sigma Logistyka", "Baltis", "Mazowsze Trans",
         "Krakbet", "Orzeł Energia", "Silesia Metal", "Wawel Foods", "Lubmar", "Zefir", "Granit", "Vector Serwis",
         "Pomorska Agencja", "Ekoterm", "Dom Mebli", "Budomex", "Alfa Medica", "Delta Pharma", "Intersoft", "Neptun",
         "Rubin", "Kormoran", "Sokół", "Jantar", "Bieszczady", "Tatra Invest", "Wielkopolska Grupa", "Medikon",
         "Optima Finanse", "Fenix", "Hydrobud", "Elektromont", "Transgal", "Agromax", "Polkart", "Kruszwica Oil",
         "Mikrobit", "Cyfronet Usługi", "Warmia Drewno", "Centrum Druku", "Lexpol", "Radiant", "Opolgaz", "Żuraw",
         "Atlas Dom", "Bryza", "Dąbrowa Chem", "Sanmed", "Koral", "Miedziak", "Stalprofil", "Tarpan", "Wolin Porty"]
SUFFIX = ["Sp. z o.o.", "S.A.", "Sp. z o.o. Sp.k.", "Sp. j.", "Sp. z o.o."]
SECT = ["", " Consulting", " Systemy", " Polska", " Serwis", " Group", " Technologie", " Dystrybucja"]
CITIES = [("Warszawa", "00-"), ("Kraków", "30-"), ("Wrocław", "50-"), ("Poznań", "60-"), ("Gdańsk", "80-"),
          ("Łódź", "90-"), ("Katowice", "40-"), ("Lublin", "20-"), ("Szczecin", "70-"), ("Rzeszów", "35-")]
STREETS = ["ul. Marszałkowska", "ul. Puławska", "al. Jerozolimskie", "ul. Grzybowska", "ul. Prosta", "ul. Długa",
           "ul. Piękna", "ul. Kwiatowa", "ul. Ogrodowa", "ul. Lipowa", "ul. Słoneczna", "ul. Polna", "ul. Floriańska"]
FIRST = ["Anna", "Piotr", "Krzysztof", "Katarzyna", "Tomasz", "Agnieszka", "Paweł", "Małgorzata", "Michał", "Joanna",
         "Łukasz", "Magdalena", "Marcin", "Ewa", "Grzegorz", "Monika", "Jakub", "Aleksandra", "Wojciech", "Żaneta",
         "Mateusz", "Dorota", "Bartłomiej", "Zofia", "Rafał", "Beata"]
LAST = ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
        "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski",
        "Grabowski", "Nowakowski", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Górski"]
FEM = {"Anna", "Katarzyna", "Agnieszka", "Małgorzata", "Joanna", "Magdalena", "Ewa", "Monika", "Aleksandra", "Żaneta",
       "Dorota", "Zofia", "Beata"}
ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def surname(first, last):
    if first in FEM and last.endswith("ski"):
        return last[:-1] + "a"
    if first in FEM and last.endswith("cki"):
        return last[:-1] + "a"
    return last


def slug(s):
    return "".join(ch for ch in s.lower().translate(ASCII) if ch.isalnum())


# ----------------------------------------------------------------- records
def make_partners(rng):
    rows = []  # dicts
    ent = {}  # id -> entity
    hard = []
    nid = [7]

    def new_id():
        nid[0] += int(rng.integers(1, 4))
        return nid[0]

    def wd(days_ago_max=400):
        t = U(2026, 11, 13, 15) - timedelta(minutes=int(rng.integers(60, days_ago_max * 1440)))
        return t.strftime("%Y-%m-%d %H:%M:%S")

    companies = []
    used = set()
    while len(companies) < 330:
        nm = f"{STEMS[int(rng.integers(len(STEMS)))]}{SECT[int(rng.integers(len(SECT)))]} {SUFFIX[int(rng.integers(len(SUFFIX)))]}"
        base = nm.rsplit(" ", 1)[0] if False else nm
        if base in used:
            continue
        used.add(base)
        city, zp = CITIES[int(rng.integers(len(CITIES)))]
        c = dict(id=new_id(), name=nm, is_company="True", parent_id="", vat=nip(rng),
                 email=f"biuro@{slug(nm.split(' Sp')[0].split(' S.A')[0])}.pl",
                 phone=f"+48 22 {rng.integers(100,999)} {rng.integers(10,99)} {rng.integers(10,99)}",
                 street=f"{STREETS[int(rng.integers(len(STREETS)))]} {rng.integers(1,180)}",
                 city=city, zip=f"{zp}{rng.integers(100,999)}", country_id="Polska", write_date=wd())
        companies.append(c)
        rows.append(c)
        ent[c["id"]] = f"C{c['id']}"
    contacts = []
    for c in companies:
        for _ in range(int(rng.integers(2, 5))):
            f = FIRST[int(rng.integers(len(FIRST)))]
            l = surname(f, LAST[int(rng.integers(len(LAST)))])
            dom = c["email"].split("@")[1]
            p = dict(id=new_id(), name=f"{f} {l}", is_company="False", parent_id=c["name"], vat="",
                     email=f"{slug(f)}.{slug(l)}@{dom}",
                     phone=f"+48 {rng.integers(500,899)} {rng.integers(100,999)} {rng.integers(100,999)}",
                     street=c["street"], city=c["city"], zip=c["zip"], country_id="Polska", write_date=wd())
            contacts.append(p)
            rows.append(p)
            ent[p["id"]] = f"P{p['id']}"
    # duplicates of companies
    dup_companies = [companies[i] for i in rng.choice(len(companies), 48, replace=False)]
    vat_pairs = []
    for k, c in enumerate(dup_companies):
        d = dict(c)
        d["id"] = new_id()
        d["write_date"] = wd(60)
        v = k % 6
        if v == 0:
            d["name"] = c["name"].replace("Sp. z o.o.", "spółka z ograniczoną odpowiedzialnością")
        elif v == 1:
            d["name"] = c["name"].upper()
            d["email"] = ""
        elif v == 2:
            nm = c["name"]
            i = int(rng.integers(2, max(3, len(nm.split(" ")[0]) - 1)))
            d["name"] = nm[:i] + nm[i + 1:]  # typo (dropped letter)
            d["phone"] = ""
        elif v == 3:
            d["name"] = c["name"].translate(ASCII).replace("Sp. z o.o.", "sp.z o.o.")
            d["vat"] = c["vat"][2:]  # NIP without PL prefix
        elif v == 4:
            d["vat"] = ""
            d["street"] = ""
            d["name"] = c["name"].replace(" S.A.", " SA").replace("Sp. j.", "spółka jawna")
        else:
            d["vat"] = c["vat"][:2] + c["vat"][2:5] + "-" + c["vat"][5:8] + "-" + c["vat"][8:10] + "-" + c["vat"][10:]
            d["zip"] = ""
        rows.append(d)
        ent[d["id"]] = ent[c["id"]]
        if v in (1, 2) and len(vat_pairs) < 3:
            vat_pairs.append((c["id"], d["id"], c["vat"], c["name"]))
    # duplicates of contacts (re-imports, no diacritics, missing email)
    for k, i in enumerate(rng.choice(len(contacts), 70, replace=False)):
        p = contacts[i]
        d = dict(p)
        d["id"] = new_id()
        d["write_date"] = wd(90)
        v = k % 4
        if v == 0:
            d["name"] = p["name"].translate(ASCII)
        elif v == 1:
            d["email"] = ""
            d["phone"] = p["phone"].replace(" ", "")
        elif v == 2:
            d["email"] = p["email"].upper()
            d["parent_id"] = ""
        else:
            f, l = p["name"].split(" ", 1)
            d["name"] = f"{l} {f}"
        rows.append(d)
        ent[d["id"]] = ent[p["id"]]
    # hard negatives: sister companies (same stem, different legal entity and NIP)
    for c in [companies[i] for i in rng.choice(len(companies), 14, replace=False)]:
        if ent[c["id"]] != f"C{c['id']}":
            continue
        s = dict(c)
        s["id"] = new_id()
        s["vat"] = nip(rng)
        s["write_date"] = wd()
        if c["name"].endswith(" Sp. z o.o."):
            s["name"] = c["name"][: -len("Sp. z o.o.")] + "S.A."
            s["email"] = "sekretariat@" + c["email"].split("@")[1].replace(".pl", "-sa.pl")
        else:
            s["name"] = c["name"].split(" ")[0] + " Holding Sp. z o.o."
            s["email"] = f"office@{slug(c['name'].split(' ')[0])}-holding.pl"
        s["city"], zp = CITIES[(CITIES.index(next(x for x in CITIES if x[0] == c["city"])) + 3) % len(CITIES)]
        s["zip"] = f"{zp}{rng.integers(100,999)}"
        s["phone"] = f"+48 22 {rng.integers(100,999)} {rng.integers(10,99)} {rng.integers(10,99)}"
        rows.append(s)
        ent[s["id"]] = f"C{s['id']}"
        hard.append(("res.partner", c["id"], s["id"], "sister company: same group name, different legal form and NIP"))
    # hard negatives: same person name at another firm
    n = 0
    for p in contacts:
        for q in contacts:
            if n >= 12:
                break
            if p["id"] < q["id"] and p["name"] == q["name"] and p["parent_id"] != q["parent_id"]:
                hard.append(("res.partner", p["id"], q["id"], "same person name, different employer and e-mail"))
                n += 1
        if n >= 12:
            break
    rows.sort(key=lambda r: r["id"])
    return rows, ent, hard, vat_pairs


def make_projects(rng, companies):
    rows, ent, hard = [], {}, []
    topics = ["Wdrożenie Odoo", "Audyt bezpieczeństwa IT", "Migracja do Azure", "Strategia cyfrowa", "Optymalizacja procesów",
              "Wsparcie KSeF", "Integracja CRM", "Hurtownia danych", "Outsourcing PMO", "Przegląd architektury",
              "Wdrożenie Power BI", "Doradztwo RODO"]
    pms = ["Marta Zielińska", "Adam Kurek", "Olga Sadowska", "Jan Bielecki", "Iwona Rak"]
    nid = 3
    base = []
    for k in range(100):
        nid += int(rng.integers(1, 3))
        c = companies[int(rng.integers(len(companies)))]
        code = f"WAW-{2025 + (k > 40)}-{k + 11:03d}"
        ds = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 640)))
        r = dict(id=nid, name=f"[{code}] {topics[int(rng.integers(len(topics)))]} – {c['name'].split(' Sp')[0].split(' S.A')[0]}",
                 partner_id=c["name"], user_id=pms[int(rng.integers(len(pms)))],
                 date_start=ds.isoformat(), date=(ds + timedelta(days=int(rng.integers(60, 300)))).isoformat(),
                 active="True", write_date=(U(2026, 11, 13, 12) - timedelta(hours=int(rng.integers(2, 5000)))).strftime("%Y-%m-%d %H:%M:%S"))
        rows.append(r)
        base.append(r)
        ent[nid] = f"J{nid}"
    for k, r in enumerate([base[i] for i in rng.choice(len(base), 10, replace=False)]):
        nid += 1
        d = dict(r, id=nid)
        if k % 3 == 0:
            d["name"] = r["name"].replace(" – ", " - ")
        elif k % 3 == 1:
            d["name"] = r["name"].split("] ", 1)[1]  # re-import without code
            d["date"] = ""
        else:
            d["name"] = r["name"] + " (kopia)"
        rows.append(d)
        ent[nid] = ent[r["id"]]
    for r in [base[i] for i in rng.choice(len(base), 10, replace=False)]:
        if ent[r["id"]] != f"J{r['id']}":
            continue
        nid += 1
        code = r["name"][1:].split("]")[0]
        d = dict(r, id=nid, name=r["name"].replace(code, code + "-F2") + " – faza 2",
                 date_start=r["date"], date=(date.fromisoformat(r["date"]) + timedelta(days=120)).isoformat())
        rows.append(d)
        ent[nid] = f"J{nid}"
        hard.append(("project.project", r["id"], nid, "phase 2 with its own project code"))
    return rows, ent, hard


# ----------------------------------------------------------------- IIS W3C (timesheet_ingest)
IIS_FIELDS = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"


def gen_iis(rng, logdir, lab):
    files = {}
    tempo_ips = ["13.236.8.101", "13.236.8.102", "18.184.99.120"]
    dup_ids = []
    dup_times = []
    errs_502 = []
    lat_events = []
    one_off = []

    def line(t, method, stem, q, status, sub, win32, tt, ua, cip):
        d = t.strftime("%Y-%m-%d")
        files.setdefault(d, []).append((t, f"{d} {t.strftime('%H:%M:%S')} 10.20.4.15 {method} {stem} {q} 443 - {cip} {ua} - {status} {sub} {win32} {tt}"))

    ua_tempo = "Tempo-Webhooks/1.0"
    for t0 in hours():
        # load balancer probe every minute
        for m in range(0, 60, 1):
            t = t0 + timedelta(minutes=m, seconds=int(rng.integers(0, 3)))
            if in_maint(t):
                continue
            line(t, "GET", "/healthz", "-", 200, 0, 0, int(rng.integers(0, 3)), "Azure-LB-Probe/1.0", "168.63.129.16")
        lam = 210 * local_factor(t0) * (1.25 if month_end_factor(t0) > 1 else 1.0)
        n = int(rng.poisson(lam))
        for t in times_in_hour(rng, t0, n):
            if in_maint(t):
                continue
            did = str(uuidlib.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))))
            tt = int(rng.lognormal(np.log(130), 0.35))
            status, sub, w32 = 200, 0, 0
            if in_w(t, "latency"):
                tt = int(rng.lognormal(np.log(2300), 0.3))
                lat_events.append(t)
            if in_w(t, "ancm502") and rng.random() < 0.82:
                status, sub, w32, tt = 502, 3, 12002, int(rng.uniform(119000, 121000))
                errs_502.append(t)
            elif rng.random() < 0.0004:
                status, sub, w32 = 500, 0, 0
                one_off.append(t)
            ip = tempo_ips[int(rng.integers(3))]
            q = f"deliveryId={did}&event=worklog_updated"
            line(t, "POST", "/api/tempo/worklog", q, status, sub, w32, tt, ua_tempo, ip)
            if in_w(t, "tempo_redeliver") and rng.random() < 0.7:
                dup_ids.append(did)
                for k in range(int(rng.integers(2, 5))):
                    t2 = t + timedelta(seconds=int(30 * (2 ** k) + rng.integers(0, 5)))
                    dup_times.append(t2)
                    line(t2, "POST", "/api/tempo/worklog", q, 200, 0, 0, int(rng.lognormal(np.log(130), 0.35)), ua_tempo, ip)
            if rng.random() < 0.02:
                line(t + timedelta(seconds=1), "GET", "/api/timesheet/status", f"worklogId={rng.integers(100000,999999)}", 200, 0, 0,
                     int(rng.integers(5, 40)), "python-requests/2.32.3", "10.20.4.30")
    out_sizes = 0
    for d, items in sorted(files.items()):
        items.sort(key=lambda x: x[0])
        dd = d.replace("-", "")[2:]
        buf = io.StringIO()
        buf.write("#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n")
        buf.write(f"#Date: {d} 00:00:00\r\n#Fields: {IIS_FIELDS}\r\n")
        restarted = False
        for t, s in items:
            if not restarted and t >= MAINT_END and items[0][0] < MAINT_START:
                # w3svc came back after the maintenance: IIS writes the directives again
                buf.write("#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n")
                buf.write(f"#Date: {t.strftime('%Y-%m-%d %H:%M:%S')}\r\n#Fields: {IIS_FIELDS}\r\n")
                restarted = True
            buf.write(s + "\r\n")
        p = logdir / f"u_ex{dd}.log"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(buf.getvalue(), encoding="ascii", newline="")
        out_sizes += p.stat().st_size
    lab["iis_502"] = errs_502
    lab["iis_lat"] = lat_events
    lab["iis_dup"] = dup_ids
    lab["iis_dup_t"] = dup_times
    lab["iis_oneoff"] = one_off


# ----------------------------------------------------------------- queue.job export (ksef_invoice_export)
QJ_HEAD = ["UUID", "Description", "Task", "Channel", "State", "Created Date", "Start Date", "Date Done",
           "Current try", "Max. retries", "Execution Time (avg)", "Exception", "Exception Message", "Exception Info"]

TB_401 = """Traceback (most recent call last):
  File "/opt/odoo/addons/queue_job/controllers/main.py", line 36, in _try_perform_job
    job.perform()
  File "/opt/odoo/addons/queue_job/job.py", line 519, in perform
    self.result = self.func(*tuple(self.args), **self.kwargs)
  File "/opt/odoo/custom/ginkgo_ksef/models/account_move.py", line 214, in _ksef_send
    resp.raise_for_status()
  File "/usr/lib/python3/dist-packages/requests/models.py", line 1024, in raise_for_status
    raise HTTPError(http_error_msg, response=self)
requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://ksef.mf.gov.pl/api/online/Invoice/Send
"""
TB_429 = """Traceback (most recent call last):
  File "/opt/odoo/addons/queue_job/controllers/main.py", line 36, in _try_perform_job
    job.perform()
  File "/opt/odoo/addons/queue_job/job.py", line 530, in perform
    raise FailedJobError("Max. retries (%d) reached: %s" % (self.max_retries, value or type_)) from err
odoo.addons.queue_job.exception.FailedJobError: Max. retries (5) reached: 429 Client Error: Too Many Requests for url: https://ksef.mf.gov.pl/api/online/Invoice/Send
"""


def gen_queue(rng, logdir, lab):
    rows = []
    failed_401, failed_429, retried = [], [], []
    seq = 26000
    for t0 in hours():
        lam = 38 * local_factor(t0) * month_end_factor(t0)
        for t in times_in_hour(rng, t0, int(rng.poisson(lam))):
            if in_maint(t):
                continue
            seq += 1
            u = str(uuidlib.UUID(bytes=bytes(rng.integers(0, 256, 16, dtype=np.uint8)), version=4))
            inv = f"FV/2026/{t.astimezone(TZ).month:02d}/{seq - 25000:05d}"
            move_id = 40000 + seq
            st = t + timedelta(seconds=float(rng.uniform(0.5, 8)))
            ex = float(rng.lognormal(np.log(1.1), 0.3))
            row = dict(uuid=u, name=f"Wysyłka faktury {inv} do KSeF",
                       task=f"account.move({move_id},)._ksef_send()", channel="root.ksef", state="Done",
                       created=t, started=st, done=st + timedelta(seconds=ex), retry=1, maxr=5, exec=ex,
                       exc="", msg="", info="")
            if in_w(t, "ksef_token"):
                row.update(state="Failed", done=None, exc="HTTPError",
                           msg="401 Client Error: Unauthorized for url: https://ksef.mf.gov.pl/api/online/Invoice/Send",
                           info=TB_401, exec=0.4)
                failed_401.append((t, u))
            elif in_w(t, "ksef_429") and rng.random() < 0.55:
                row.update(state="Failed", done=None, exc="FailedJobError", retry=5,
                           msg="Max. retries (5) reached: 429 Client Error: Too Many Requests for url: https://ksef.mf.gov.pl/api/online/Invoice/Send",
                           info=TB_429, exec=0.3, started=st + timedelta(minutes=int(rng.integers(8, 25))))
                failed_429.append((t, u))
            elif in_w(t, "ksef_429"):
                row.update(retry=int(rng.integers(2, 5)))
                retried.append((t, u))
            elif SER_A <= t < SER_B and rng.random() < 0.5:
                row.update(retry=2)  # serialization failure retried by queue_job, then done
                lab.setdefault("qser", []).append(t)
            rows.append(row)
    # export sorted by created date desc, as the list view default order is date_created desc
    rows.sort(key=lambda r: r["created"], reverse=True)
    f = lambda t: "" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    p = logdir / "queue_job_ksef_export_13-11-2026.csv"
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(QJ_HEAD)
        for r in rows:
            w.writerow([r["uuid"], r["name"], r["task"], r["channel"], r["state"], f(r["created"]), f(r["started"]),
                        f(r["done"]), r["retry"], r["maxr"], f"{r['exec']:.2f}", r["exc"], r["msg"], r["info"]])
    lab["q401"] = failed_401
    lab["q429"] = failed_429
    lab["qretried"] = retried


# ----------------------------------------------------------------- GELF (crm_sync worker via Graylog)
def gen_gelf(rng, logdir, lab, partners, vat_pairs):
    out = []
    comp = [p for p in partners if p["is_company"] == "True"]
    dv_msgs, cfg_msgs, silent_seen = [], [], []
    host = "crm-sync-7d9f8c6b5-x2kqp"

    def ev(t, level, msg, logger, full=None, **extra):
        e = {"version": "1.1", "host": host, "short_message": msg, "timestamp": round(t.timestamp(), 3),
             "level": level, "_logger": logger, "_app": "livespace-odoo-sync", "_env": "prod",
             "_container_name": "crm-sync", "_namespace": "integrations"}
        if full:
            e["full_message"] = full
        for k, v in extra.items():
            e["_" + k] = v
        out.append((t, e))

    for t0 in hours():
        # the worker polls Livespace every 5 minutes, also out of hours
        for m in range(0, 60, 5):
            t = t0 + timedelta(minutes=m, seconds=float(rng.uniform(0, 2)))
            if in_maint(t) or in_w(t, "crm_silent"):
                continue
            ev(t, 6, "Polling Livespace for changes", "sync.poller", since=iso(t - timedelta(minutes=5)))
        lam = 120 * local_factor(t0)
        for t in times_in_hour(rng, t0, int(rng.poisson(lam))):
            if in_maint(t) or in_w(t, "crm_silent"):
                continue
            p = comp[int(rng.integers(len(comp)))]
            lsid = int(rng.integers(10000, 99999))
            dur = int(rng.lognormal(np.log(210), 0.4))
            if t >= W["crm_cfg"][0] and t < W["crm_cfg"][1] and rng.random() < 0.9:
                m = ("Odoo XML-RPC fault on res.partner.write: ValueError: Invalid field 'x_studio_nip' on model 'res.partner'")
                ev(t, 3, m, "sync.odoo", full="Traceback (most recent call last):\n  File \"/app/sync/odoo.py\", line 88, in push_partner\n    self.models.execute_kw(self.db, self.uid, self.key, 'res.partner', 'write', [[pid], vals])\nxmlrpc.client.Fault: <Fault 1: \"Invalid field 'x_studio_nip' on model 'res.partner'\">",
                   partner_id=p["id"], livespace_id=lsid, duration_ms=dur, error_type="xmlrpc.client.Fault")
                cfg_msgs.append(t)
                continue
            if rng.random() < 0.0015:
                ev(t, 4, "Livespace API timeout, will retry next cycle", "sync.livespace", livespace_id=lsid,
                   error_type="requests.exceptions.ReadTimeout")
                continue
            ev(t, 6, f"Partner synced: {p['name']}", "sync.odoo", partner_id=p["id"], livespace_id=lsid,
               duration_ms=dur, operation="write")
        # duplicate-NIP rejections each poll cycle during the window
        for m in range(0, 60, 5):
            t = t0 + timedelta(minutes=m, seconds=float(rng.uniform(3, 9)))
            if not in_w(t, "dupvat"):
                continue
            for a, b, v, nm in vat_pairs:
                msg = (f"Odoo XML-RPC fault on res.partner.create: ValidationError: Kontrahent o numerze NIP {v} już "
                       f"istnieje ({nm}). Scal zduplikowane rekordy przed synchronizacją.")
                ev(t, 3, msg, "sync.odoo", full="xmlrpc.client.Fault: <Fault 2: 'odoo.exceptions.ValidationError: "
                   f"Kontrahent o numerze NIP {v} już istnieje'>", vat=v, partner_ids=[a, b],
                   partner_id=a, duplicate_partner_id=b, error_type="xmlrpc.client.Fault", operation="create")
                dv_msgs.append(t)
    ev(CRM_DEPLOY_INFO, 6, "livespace-odoo-sync 2.4.0 started; Livespace API client uses /api/public/json/v2",
       "sync.main", version="2.4.0")
    ev(CRM_CFG_DEPLOY, 6, "livespace-odoo-sync 2.5.0 started; field mapping loaded from mapping-2026-11.yaml",
       "sync.main", version="2.5.0")
    out.sort(key=lambda x: x[0])
    p = logdir / "graylog_crm-sync_export.jsonl"
    with p.open("w", encoding="utf-8") as fh:
        for _, e in out:
            fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    lab["dupvat"] = dv_msgs
    lab["cfg"] = cfg_msgs
    lab["crm_times"] = [t for t, _ in out]


# ----------------------------------------------------------------- Odoo 18 server log (bank_statement_import + misc)
def gen_odoo(rng, logdir, lab):
    lines = []
    pid = 2417

    def L(t, level, logger, msg):
        ts = t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S,") + f"{int(t.microsecond / 1000):03d}"
        lines.append((t, f"{ts} {pid} {level} ginkgo_prod {logger}: {msg}"))

    bursts = []
    day = START
    while day < END:
        d = day.date()
        # cron for bank statements: 06:30, 12:30, 16:30 local on business days
        if day.weekday() < 5 and d not in HOLIDAYS:
            for hh in (6, 12, 16):
                t = day.replace(hour=hh, minute=30) + timedelta(seconds=float(rng.uniform(0, 20)))
                n = int(rng.integers(15, 60) * (2.5 if d in (date(2026, 10, 30), date(2026, 11, 2)) else 1))
                L(t, "INFO", "odoo.addons.base.models.ir_cron", "Job 'Bank statements: import from mBank (MT940)' (41) starting")
                tt = t
                for i in range(n):
                    tt += timedelta(seconds=float(rng.uniform(0.2, 1.5)))
                    L(tt, "INFO", "odoo.addons.ginkgo_bank_mt940.models.import", f"Imported statement line {d.strftime('%Y%m%d')}/{i + 1:04d} into journal BNK1 (mBank PLN)")
                tt += timedelta(seconds=1)
                L(tt, "INFO", "odoo.addons.base.models.ir_cron", f"Job 'Bank statements: import from mBank (MT940)' (41) done in {(tt - t).total_seconds():.3f}s")
                L(tt + timedelta(milliseconds=4), "INFO", "odoo.addons.base.models.ir_cron", f"Job 'Bank statements: import from mBank (MT940)' (41) fully done (#loop 1; done {n}; remaining 0; duration {(tt - t).total_seconds():.2f}s)")
                bursts.append((t, tt, n))
        # serialization failures retried (harmless)
        if day.date() == SER_A.astimezone(TZ).date():
          for _k in range(5):
            t = SER_A + timedelta(seconds=float(rng.uniform(0, 1700)))
            L(t, "INFO", "odoo.service.model", f"SERIALIZATION_FAILURE, {int(rng.integers(2,5))} tries left, try again in {rng.uniform(0.1,1.0):.4f} sec...")
        # nightly cron noise
        t = day.replace(hour=3, minute=0) + timedelta(seconds=float(rng.uniform(1, 4)))
        if not in_maint(t):
            L(t, "INFO", "odoo.addons.base.models.ir_cron", "Job 'Base: Auto-vacuum internal data' (1) starting")
            L(t + timedelta(seconds=42.117), "INFO", "odoo.addons.base.models.ir_cron", "Job 'Base: Auto-vacuum internal data' (1) done in 42.117s")
        day += timedelta(days=1)
    ann = datetime(2026, 11, 5, 9, 15, 4, 318000, tzinfo=TZ)
    msg = ("Zaplanowane prace serwisowe (maintenance): aktualizacja PostgreSQL i Odoo 18.0 od 07.11.2026 22:00 do "
           "08.11.2026 02:00 czasu lokalnego (Europe/Warsaw). Integracje będą w tym czasie wstrzymane.")
    L(ann, "WARNING", "odoo.addons.ginkgo_ops.models.announcement", msg)
    L(MAINT_START + timedelta(seconds=2), "INFO", "odoo.service.server", "Initiating shutdown")
    L(MAINT_START + timedelta(seconds=3), "INFO", "odoo.service.server", "Hit CTRL-C again or send a second signal to force the shutdown.")
    L(MAINT_END - timedelta(minutes=20), "INFO", "odoo", "Odoo version 18.0-20261105")
    L(MAINT_END - timedelta(minutes=20, seconds=-1), "INFO", "odoo", "addons paths: ['/usr/lib/python3/dist-packages/odoo/addons', '/opt/odoo/custom']")
    L(MAINT_END - timedelta(minutes=20, seconds=-2), "INFO", "odoo", "database: odoo@db-prod:5432")
    L(MAINT_END - timedelta(minutes=19), "INFO", "odoo.modules.loading", "loading 142 modules...")
    L(MAINT_END - timedelta(minutes=18), "INFO", "odoo.modules.loading", "142 modules loaded in 31.02s, 0 queries (+0 extra)")
    lines.sort(key=lambda x: x[0])
    (logdir / "odoo-server.log").write_text("".join(s + "\n" for _, s in lines), encoding="utf-8")
    lab["bursts"] = bursts
    lab["ann"] = ann


# ----------------------------------------------------------------- build
def write_csv(path, head, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        for r in rows:
            w.writerow([r[h] for h in head])


def build(out: Path) -> Path:
    out = Path(out)
    rng = np.random.default_rng(SEED)
    if out.exists():
        shutil.rmtree(out)
    (out / "logs").mkdir(parents=True)
    (out / "records").mkdir()
    (out / "labels").mkdir()
    partners, pent, phard, vat_pairs = make_partners(rng)
    comps = [p for p in partners if p["is_company"] == "True"]
    projects, jent, jhard = make_projects(rng, comps)
    lab = {}
    gen_iis(rng, out / "logs", lab)
    gen_queue(rng, out / "logs", lab)
    gen_gelf(rng, out / "logs", lab, partners, vat_pairs)
    gen_odoo(rng, out / "logs", lab)

    write_csv(out / "records" / "res_partner.csv",
              ["id", "name", "is_company", "parent_id", "vat", "email", "phone", "street", "city", "zip", "country_id", "write_date"], partners)
    write_csv(out / "records" / "project_project.csv",
              ["id", "name", "partner_id", "user_id", "date_start", "date", "active", "write_date"], projects)
    with (out / "labels" / "partner_entities.csv").open("w", newline="") as fh:
        w = csv.writer(fh); w.writerow(["id", "entity"])
        for p in partners:
            w.writerow([p["id"], pent[p["id"]]])
    with (out / "labels" / "project_entities.csv").open("w", newline="") as fh:
        w = csv.writer(fh); w.writerow(["id", "entity"])
        for p in projects:
            w.writerow([p["id"], jent[p["id"]]])
    with (out / "labels" / "hard_negatives.csv").open("w", newline="") as fh:
        w = csv.writer(fh); w.writerow(["model", "left_id", "right_id", "why"])
        for h in phard + jhard:
            w.writerow(h)

    flows = [
        {"name": "timesheet_ingest", "source_system": "Tempo (Jira Cloud)", "target_system": "Odoo 18 (.NET receiver on IIS)",
         "owner": "zespol-integracji@ginkgo-consulting.pl", "criticality": "high", "country": "PL",
         "endpoints": ["/api/tempo/worklog"]},
        {"name": "ksef_invoice_export", "source_system": "Odoo 18", "target_system": "KSeF (Ministerstwo Finansów)",
         "owner": "finanse@ginkgo-consulting.pl", "criticality": "high", "country": "PL", "channels": ["root.ksef"]},
        {"name": "crm_sync", "source_system": "Livespace CRM", "target_system": "Odoo 18", "owner": "zespol-integracji@ginkgo-consulting.pl",
         "criticality": "medium", "country": "PL"},
        {"name": "bank_statement_import", "source_system": "mBank (MT940)", "target_system": "Odoo 18",
         "owner": "finanse@ginkgo-consulting.pl", "criticality": "medium", "country": "PL", "unit": "batch"},
    ]
    (out / "flows.json").write_text(json.dumps(flows, ensure_ascii=False, indent=2), encoding="utf-8")
    cal = {"country": "PL",
           "holidays": [d.isoformat() for d in HOLIDAYS], "month_end_days": 2}
    (out / "calendar.json").write_text(json.dumps(cal, indent=2), encoding="utf-8")

    def span(ts, pad=timedelta(0)):
        return iso(min(ts) - pad), iso(max(ts) + timedelta(minutes=1))

    incs = []
    s, e = span(lab["dupvat"])
    ids = sorted({f"res.partner:{x}" for a, b, _, _ in vat_pairs for x in (a, b)})
    incs.append(dict(incident_id="ginkgo-1", kind="error_spike", flow="crm_sync", start=s, end=e, cause="data_quality",
                     expected_action="merge_partners", affected_records=ids,
                     description="Livespace sync rejected by Odoo every cycle: duplicate NIP (ValidationError) on partners that exist twice; merge the duplicates"))
    s, e = span([t for t, _ in lab["q401"]])
    incs.append(dict(incident_id="ginkgo-2", kind="expired_credential", flow="ksef_invoice_export", start=s, end=e,
                     cause="credential_auth", expected_action="escalate",
                     affected_records=[f"queue.job:{u}" for _, u in lab["q401"]],
                     description="KSeF authorisation token expired: every _ksef_send job failed with 401 Unauthorized until finance renewed the token"))
    s, e = span([t for t, _ in lab["q429"]])
    incs.append(dict(incident_id="ginkgo-3", kind="retry_storm", flow="ksef_invoice_export", start=s, end=e,
                     cause="rate_limit", expected_action="requeue_jobs",
                     affected_records=[f"queue.job:{u}" for _, u in lab["q429"]],
                     description="month-end: KSeF answered 429 Too Many Requests; jobs retried to Max. retries (5) and failed; requeue them"))
    s, e = span(lab["iis_lat"])
    incs.append(dict(incident_id="ginkgo-4", kind="latency_shift", flow="timesheet_ingest", start=s, end=e,
                     cause="upstream_outage", expected_action="escalate", affected_records=[],
                     description="time-taken of POST /api/tempo/worklog rose from ~130 ms to ~2.3 s (Odoo database degraded), all still 200"))
    a, b = W["crm_silent"]
    incs.append(dict(incident_id="ginkgo-5", kind="silent_flow", flow="crm_sync", start=iso(a), end=iso(b),
                     cause="unknown", expected_action="escalate", affected_records=[],
                     description="crm-sync pod stopped logging (not even the 5-minute poll) for 4.5 h on a working day"))
    s, e = span(lab["iis_dup_t"])
    incs.append(dict(incident_id="ginkgo-6", kind="duplicate_delivery", flow="timesheet_ingest", start=s, end=e,
                     cause="upstream_outage", expected_action="post_note", affected_records=[],
                     description="Tempo redelivered worklog webhooks with the same deliveryId 2-4 times (exponential back-off) although the receiver answered 200"))
    s, e = span(lab["iis_502"])
    incs.append(dict(incident_id="ginkgo-7", kind="error_spike", flow="timesheet_ingest", start=s, end=e,
                     cause="upstream_outage", expected_action="escalate", affected_records=[],
                     description="IIS/ANCM 502.3 (win32 12002 timeout) on POST /api/tempo/worklog: the .NET backend could not reach Odoo"))
    s, e = span(lab["cfg"])
    incs.append(dict(incident_id="ginkgo-8", kind="new_error_signature", flow="crm_sync", start=s, end=e,
                     cause="configuration", expected_action="escalate", affected_records=[],
                     description="after deploy 2.5.0 the field mapping writes x_studio_nip, which does not exist on res.partner: Invalid field"))
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for i in incs:
            fh.write(json.dumps(i, ensure_ascii=False) + "\n")

    def dz(i, kind, flow, a, b, desc):
        return dict(id=f"ginkgo-n{i}", kind=kind, flow=flow, start=iso(a), end=iso(b), description=desc)

    b0 = lab["bursts"]
    me = [x for x in b0 if x[0].astimezone(TZ).date() == date(2026, 10, 30)][-1]
    nots = [
        dz(1, "public_holiday", "*", datetime(2026, 11, 1, tzinfo=TZ), datetime(2026, 11, 2, tzinfo=TZ), "Wszystkich Świętych (Sunday)"),
        dz(2, "public_holiday", "*", datetime(2026, 11, 11, tzinfo=TZ), datetime(2026, 11, 12, tzinfo=TZ), "Narodowe Święto Niepodległości (Wednesday)"),
        dz(3, "maintenance", "*", MAINT_START, MAINT_END, "announced on 05.11 in the Odoo log in Polish, local time 22:00-02:00"),
        dz(4, "batch_burst", "bank_statement_import", me[0], me[1], "month-end MT940 import run, 2.5x the usual lines"),
        dz(5, "deploy_info", "crm_sync", CRM_DEPLOY_INFO, CRM_DEPLOY_INFO + timedelta(minutes=10), "new INFO start-up line of sync 2.4.0"),
        dz(6, "one_off_error", "timesheet_ingest", lab["iis_oneoff"][0], lab["iis_oneoff"][0] + timedelta(minutes=1), "single HTTP 500"),
        dz(7, "retried_serialization", "ksef_invoice_export", SER_A, SER_B, "SERIALIZATION_FAILURE retried by Odoo / queue_job (Current try 2), jobs done"),
        dz(8, "month_end", "ksef_invoice_export", datetime(2026, 11, 2, tzinfo=TZ), datetime(2026, 11, 4, tzinfo=TZ), "invoicing of October on the first business days of November, 2.2x volume"),
        dz(9, "dst_change", "*", datetime(2026, 10, 25, 0, 0, tzinfo=TZ), datetime(2026, 10, 25, 6, 0, tzinfo=TZ), "CEST->CET, 03:00 -> 02:00 local"),
        dz(10, "weekend", "*", datetime(2026, 10, 31, tzinfo=TZ), datetime(2026, 11, 2, tzinfo=TZ), "weekend plus holiday, flows near idle"),
    ]
    with (out / "labels" / "not_incidents.jsonl").open("w", encoding="utf-8") as fh:
        for n in nots:
            fh.write(json.dumps(n, ensure_ascii=False) + "\n")
    (out / "manifest.json").write_text(json.dumps({"estate": "ginkgo", "firm": "Ginkgo Consulting sp. z o.o. (Warszawa)",
                                                   "heldout": True, "designed_blind": True, "days": DAYS, "seed": SEED}, indent=2))
    for m, a, b, _ in phard + jhard:
        e = pent if m == "res.partner" else jent
        assert e[a] != e[b], (m, a, b)
    for a, b, _, _ in vat_pairs:
        assert pent[a] == pent[b]
    _self_check(out, incs, lab, partners, projects)
    return out


def _self_check(out, incs, lab, partners, projects):
    pids = {p["id"] for p in partners}
    qtext = (out / "logs" / "queue_job_ksef_export_13-11-2026.csv").read_text(encoding="utf-8")
    gelf = [json.loads(l) for l in (out / "logs" / "graylog_crm-sync_export.jsonl").read_text(encoding="utf-8").splitlines()]
    for inc in incs:
        a = datetime.fromisoformat(inc["start"].replace("Z", "+00:00"))
        b = datetime.fromisoformat(inc["end"].replace("Z", "+00:00"))
        assert a < b, inc
        for r in inc["affected_records"]:
            m, i = r.split(":", 1)
            if m == "res.partner":
                assert int(i) in pids, r
            elif m == "queue.job":
                assert i in qtext, r
    def inside(ts, k):
        inc = next(x for x in incs if x["incident_id"] == k)
        a = datetime.fromisoformat(inc["start"].replace("Z", "+00:00")); b = datetime.fromisoformat(inc["end"].replace("Z", "+00:00"))
        assert ts and all(a <= t <= b for t in ts), k
    inside(lab["dupvat"], "ginkgo-1")
    inside([t for t, _ in lab["q401"]], "ginkgo-2")
    inside([t for t, _ in lab["q429"]], "ginkgo-3")
    inside(lab["iis_lat"], "ginkgo-4")
    inside(lab["iis_502"], "ginkgo-7")
    inside(lab["cfg"], "ginkgo-8")
    assert lab["iis_dup"] and len(lab.get("qser", [])) >= 3
    inside(lab["iis_dup_t"], "ginkgo-6")
    iis = "".join(p.read_text() for p in (out / "logs").glob("u_ex*.log"))
    for d in lab["iis_dup"][:50]:
        assert iis.count("deliveryId=" + d) >= 3, d
    a, b = W["crm_silent"]
    assert not any(a <= datetime.fromtimestamp(e["timestamp"], UTC) < b for e in gelf)
    for e in gelf:
        for pid in e.get("_partner_ids", []):
            assert pid in pids
    assert 1200 <= len(partners) <= 1800 and 100 <= len(projects) <= 140, (len(partners), len(projects))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    assert size < 40 * 2**20, size


if __name__ == "__main__":
    build(Path(sys.argv[1]))
