"""Estate `birch`: Ardoise Numérique SAS, a French IT-services / web agency in Lyon on Odoo 18.

Designed blind (#13): written from the real formats (nginx `combined` access log, Make.com's scenario
log API items, OCA/queue's queue_job model with its fr.po labels, Odoo's server log format and the
French export dialog), never from the product's readers, detectors or matchers.

Shapes: nginx combined access log (local time +0200) and a JSON app log of the Pipedrive webhook
receiver (`ts` +02:00, `meta_id`, `retry`, `odoo_partner_id`); Make.com execution history as JSON lines
(`timestamp` Z, numeric `status` 1/2/3, `duration` ms, `scenarioId`, `scenarioName`); a queue.job CSV
from the French export dialog (labels "État" = "Terminé"/"En erreur", naive UTC datetimes,
"Enregistrement" = JSON ids); the Odoo server log (UTC, tracebacks, a French maintenance notice);
res.partner / project.project exports with French labels and an "ID" column.

Usage: python generate.py OUT
"""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid as uuidlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20260422
PARIS = timezone(timedelta(hours=2))  # CEST for the whole period
START = datetime(2026, 4, 22, tzinfo=UTC)
DAYS = 25
END = START + timedelta(days=DAYS)
HOLIDAYS = [date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14)]  # Fête du Travail, Victoire 1945, Ascension
BRIDGE = date(2026, 5, 15)  # pont de l'Ascension: the agency is closed
MAINT = (datetime(2026, 5, 9, 18, 0, tzinfo=UTC), datetime(2026, 5, 9, 21, 59, tzinfo=UTC))
DEPLOY = datetime(2026, 5, 4, 5, 30, tzinfo=UTC)
DB = "ardoise_prod"


def T(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


# incident windows (UTC)
INC = {
    "dup": (T("2026-05-05 08:10"), T("2026-05-05 10:40")),
    "cred": (T("2026-05-11 05:45"), T("2026-05-11 12:20")),
    "lat": (T("2026-05-06 07:00"), T("2026-05-06 14:00")),
    "silent": (T("2026-05-12 07:00"), T("2026-05-12 14:30")),
    "storm": (T("2026-05-07 12:00"), T("2026-05-07 15:30")),
    "spike": (T("2026-04-27 07:30"), T("2026-04-27 09:30")),
    "newsig": (T("2026-05-13 00:00"), T("2026-05-13 00:40")),
    "deadlock": (T("2026-05-13 08:00"), T("2026-05-13 10:00")),
}


def in_win(t: datetime, key: str) -> bool:
    a, b = INC[key]
    return a <= t < b


def closed(t: datetime) -> bool:
    d = t.astimezone(PARIS).date()
    return d.weekday() >= 5 or d in HOLIDAYS or d == BRIDGE


def in_maint(t: datetime) -> bool:
    return MAINT[0] <= t <= MAINT[1]


def business_rate(t: datetime, per_hour: float) -> float:
    """Office-hours intensity, Paris time; a trickle on closed days."""
    loc = t.astimezone(PARIS)
    if closed(t):
        return per_hour * 0.04
    if 9 <= loc.hour < 12 or 14 <= loc.hour < 18:
        return per_hour
    if loc.hour in (8, 12, 13, 18):
        return per_hour * 0.5
    return per_hour * 0.03


def poisson_times(rng: np.random.Generator, rate_fn, step_min: int = 10) -> list[datetime]:  # noqa: ANN001
    out: list[datetime] = []
    t = START
    while t < END:
        n = rng.poisson(rate_fn(t) * step_min / 60)
        for _ in range(n):
            out.append(t + timedelta(seconds=float(rng.uniform(0, step_min * 60))))
        t += timedelta(minutes=step_min)
    return sorted(out)


# ---------------------------------------------------------------- records
FIRST = ["Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Zoé", "Hugo", "Lucas", "Théo", "Nathan",
         "Mathéo", "Raphaël", "Gabriel", "Jules", "Émilie", "Hélène", "François", "Jérôme", "Cédric", "Noémie",
         "Anaïs", "Loïc", "Gaëlle", "Stéphane", "Benoît", "Aurélie", "Sébastien", "Clément", "Lucía", "Javier",
         "Alejandro", "María José", "Íñigo", "Begoña", "Nuria", "Xavier", "Pilar", "Marc-Antoine"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martínez", "Fernández",
        "López", "Sánchez", "Pérez", "Gómez", "Muñoz", "Ibáñez", "Gauthier", "Chevalier", "Faure", "Rousseau"]
STEM = ["Boulangerie", "Transports", "Cabinet", "Atelier", "Imprimerie", "Éditions", "Laboratoires", "Menuiserie",
        "Garage", "Fromagerie", "Brasserie", "Conseil", "Immobilière", "Pharmacie", "Optique", "Vignobles",
        "Distribution", "Logistique", "Textiles", "Céramiques", "Construcciones", "Consultoría", "Hôtellerie"]
TAIL = ["du Rhône", "Saint-Exupéry", "des Alpes", "Bellecour", "de la Croix-Rousse", "Part-Dieu", "Confluence",
        "Vial", "Perrache", "Fourvière", "Garonne", "Océane", "du Vercors", "Mistral", "Lumière", "Presqu'île",
        "Auvergne", "Beaujolais", "Ibérica", "Levante", "Cantábrico", "Savoie", "Dauphiné", "Morvan", "Jura"]
CITIES_FR = [("69002", "Lyon"), ("69003", "Lyon"), ("69100", "Villeurbanne"), ("42000", "Saint-Étienne"),
             ("38000", "Grenoble"), ("75011", "Paris"), ("13002", "Marseille"), ("33000", "Bordeaux"),
             ("44000", "Nantes"), ("74000", "Annecy"), ("21000", "Dijon"), ("63000", "Clermont-Ferrand")]
CITIES_ES = [("08013", "Barcelona"), ("28004", "Madrid"), ("46002", "Valencia"), ("48001", "Bilbao")]
FORMS_FR = ["SAS", "SARL", "SA", "EURL", "SASU"]
FORM_VARIANT = {"SAS": "S.A.S.", "SARL": "S.A.R.L.", "SA": "S.A.", "EURL": "E.U.R.L.", "SASU": "S.A.S.U.",
                "S.L.": "SL", "S.A.": "SA"}
STREETS = ["rue de la République", "avenue Jean Jaurès", "cours Lafayette", "quai Claude Bernard",
           "rue Garibaldi", "boulevard des Belges", "calle Mayor", "avinguda Diagonal", "rue Mercière"]
ASCII = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÂÎÔÛÇñÑíáóúÍÁÓÚ", "eeeeaaaiioouuucEEEAAIOUCnNiaouIAOU")

PARTNER_HEAD = ["ID", "Nom", "Est une société", "Société liée", "N° TVA", "Courriel", "Téléphone", "Rue",
                "Code postal", "Ville", "Pays", "Actif", "Dernière mise à jour le"]


def fr_vat(rng: np.random.Generator) -> str:
    siren = int(rng.integers(300_000_000, 999_999_999))
    key = (12 + 3 * (siren % 97)) % 97
    return f"FR{key:02d}{siren}"


def es_vat(rng: np.random.Generator) -> str:
    return f"ESB{int(rng.integers(10_000_000, 99_999_999))}"


def typo(rng: np.random.Generator, s: str) -> str:
    if len(s) < 5:
        return s
    i = int(rng.integers(1, len(s) - 2))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    return s[:i] + s[i] + s[i:]


def build_partners(rng: np.random.Generator) -> tuple[list[dict], dict[int, str], list[tuple]]:
    rows: list[dict] = []
    entity: dict[int, str] = {}
    negatives: list[tuple] = []
    nid = [1000]

    def add(row: dict, ent: str) -> dict:
        nid[0] += int(rng.integers(1, 4))
        row = {"ID": nid[0], **row}
        wd = START - timedelta(days=float(rng.uniform(5, 700)))
        row.setdefault("Actif", "True")
        row["Dernière mise à jour le"] = wd.strftime("%Y-%m-%d %H:%M:%S")
        rows.append(row)
        entity[nid[0]] = ent
        return row

    companies: list[dict] = []
    for ci in range(620):
        spanish = rng.random() < 0.12
        form = "S.L." if spanish else FORMS_FR[int(rng.integers(0, len(FORMS_FR)))]
        base = f"{STEM[int(rng.integers(0, len(STEM)))]} {TAIL[int(rng.integers(0, len(TAIL)))]}"
        if rng.random() < 0.3:
            base = f"{LAST[int(rng.integers(0, len(LAST)))]} {base}"
        name = f"{base} {form}"
        zipc, city = CITIES_ES[int(rng.integers(0, 4))] if spanish else CITIES_FR[int(rng.integers(0, 12))]
        dom = base.lower().translate(ASCII).replace(" ", "-").replace("'", "")
        dom = f"{dom}-{ci}.{'es' if spanish else 'fr'}"
        ent = f"co{ci}"
        row = add({"Nom": name, "Est une société": "True", "Société liée": "",
                   "N° TVA": es_vat(rng) if spanish else fr_vat(rng), "Courriel": f"contact@{dom}",
                   "Téléphone": f"+34 9{int(rng.integers(10, 99))} {int(rng.integers(100, 999))} {int(rng.integers(100, 999))}"
                   if spanish else f"+33 4 {int(rng.integers(10, 99))} {int(rng.integers(10, 99))} "
                   f"{int(rng.integers(10, 99))} {int(rng.integers(10, 99))}",
                   "Rue": f"{int(rng.integers(1, 180))} {STREETS[int(rng.integers(0, len(STREETS)))]}",
                   "Code postal": zipc, "Ville": city, "Pays": "Espagne" if spanish else "France"}, ent)
        companies.append({"row": row, "base": base, "form": form, "dom": dom, "ent": ent})
        # contacts: they inherit the company VAT in Odoo (commercial partner): hard negatives with the company
        for k in range(int(rng.integers(0, 4))):
            fn, ln = FIRST[int(rng.integers(0, len(FIRST)))], LAST[int(rng.integers(0, len(LAST)))]
            crow = add({"Nom": f"{fn} {ln}", "Est une société": "False", "Société liée": name,
                        "N° TVA": row["N° TVA"],
                        "Courriel": f"{fn.lower().translate(ASCII).replace(' ', '')}.{ln.lower().translate(ASCII)}@{dom}",
                        "Téléphone": "", "Rue": row["Rue"], "Code postal": zipc, "Ville": city,
                        "Pays": row["Pays"]}, f"{ent}-p{k}")
            if k == 0 and rng.random() < 0.3:
                negatives.append(("res.partner", row["ID"], crow["ID"], "contact inherits the company VAT"))
            if rng.random() < 0.06:  # the same contact keyed twice (typo or missing e-mail)
                add({**{k2: v for k2, v in crow.items() if k2 not in ("ID", "Dernière mise à jour le")},
                     "Nom": typo(rng, crow["Nom"]) if rng.random() < 0.6 else crow["Nom"].upper(),
                     "Courriel": "" if rng.random() < 0.5 else crow["Courriel"]}, f"{ent}-p{k}")
    # branches: same VAT (same SIREN), another city: not duplicates
    for c in companies[:40:2]:
        r = c["row"]
        zipc, city = CITIES_FR[int(rng.integers(0, 12))]
        b = add({**{k: v for k, v in r.items() if k not in ("ID", "Dernière mise à jour le")},
                 "Nom": f"{c['base']} {c['form']} - Agence {city}", "Ville": city, "Code postal": zipc,
                 "Courriel": f"{city.lower().translate(ASCII)}@{c['dom']}"}, f"{c['ent']}-agence")
        negatives.append(("res.partner", r["ID"], b["ID"], "branch: same VAT, another site"))
    # same name, different company (another city, another SIREN)
    for c in companies[41:61]:
        r = c["row"]
        zipc, city = CITIES_FR[(CITIES_FR.index((r["Code postal"], r["Ville"])) + 5) % 12] \
            if r["Pays"] == "France" else CITIES_FR[3]
        o = add({"Nom": r["Nom"], "Est une société": "True", "Société liée": "", "N° TVA": fr_vat(rng),
                 "Courriel": f"info@{c['dom'].split('.')[0]}-{city.lower().translate(ASCII)}.fr", "Téléphone": "",
                 "Rue": f"{int(rng.integers(1, 90))} {STREETS[0]}", "Code postal": zipc, "Ville": city,
                 "Pays": "France"}, f"{c['ent']}-homonyme")
        negatives.append(("res.partner", r["ID"], o["ID"], "same name, another company (other SIREN, city)"))
    # true company duplicates
    for c in companies[70:250]:
        r = c["row"]
        pick = int(rng.integers(0, 6))
        name = r["Nom"]
        vat = r["N° TVA"]
        mail = r["Courriel"]
        if pick == 0:
            name = name.replace(c["form"], FORM_VARIANT.get(c["form"], c["form"]))
        elif pick == 1:
            name = typo(rng, c["base"]) + " " + c["form"]
        elif pick == 2:
            name = c["base"].translate(ASCII).upper()
            vat = ""
        elif pick == 3:
            name = name.replace("Société", "Sté").replace("Laboratoires", "Labo").replace("Transports", "Transp.") \
                .replace("Éditions", "Ed.").replace("Distribution", "Distrib.")
            mail = ""
        elif pick == 4:
            vat = vat[:2] + " " + vat[2:4] + " " + vat[4:7] + " " + vat[7:10] + " " + vat[10:]
            name = c["base"] + ", " + c["form"]
        else:
            name = c["base"] + " " + c["form"]
            mail = mail.replace("contact@", "compta@")
        add({**{k: v for k, v in r.items() if k not in ("ID", "Dernière mise à jour le")}, "Nom": name,
             "N° TVA": vat, "Courriel": mail, "Actif": "False" if rng.random() < 0.2 else "True"}, c["ent"])
    # private persons, a few keyed twice
    for p in range(260):
        fn, ln = FIRST[int(rng.integers(0, len(FIRST)))], LAST[int(rng.integers(0, len(LAST)))]
        zipc, city = CITIES_FR[int(rng.integers(0, 12))]
        mail = f"{fn.lower().translate(ASCII).replace(' ', '')}{ln.lower().translate(ASCII)}{p}@gmail.com"
        r = add({"Nom": f"{fn} {ln}", "Est une société": "False", "Société liée": "", "N° TVA": "",
                 "Courriel": mail, "Téléphone": f"+33 6 {int(rng.integers(10, 99))} {int(rng.integers(10, 99))} "
                 f"{int(rng.integers(10, 99))} {int(rng.integers(10, 99))}", "Rue": "", "Code postal": zipc,
                 "Ville": city, "Pays": "France"}, f"pers{p}")
        if p % 9 == 0:
            add({**{k: v for k, v in r.items() if k not in ("ID", "Dernière mise à jour le")},
                 "Nom": f"{ln.upper()} {fn}"}, f"pers{p}")
    return rows, entity, negatives


PROJECT_HEAD = ["ID", "Nom", "Client", "Compte analytique", "Chef de projet", "Date de début", "Étiquettes", "Actif",
                "Dernière mise à jour le"]
KINDS = ["Refonte site web", "Boutique en ligne", "TMA", "Application mobile", "Migration Odoo 18", "SEO & contenus",
         "Campagne acquisition", "Intranet", "Audit RGPD", "Identité visuelle"]
PMS = ["Camille Roux", "Hugo Faure", "Nuria López", "Jérôme Petit", "Anaïs Girard"]


def build_projects(rng: np.random.Generator, companies: list[dict]) -> tuple[list[dict], dict[int, str], list]:
    rows: list[dict] = []
    entity: dict[int, str] = {}
    neg: list[tuple] = []
    pid = [200]

    def add(row: dict, ent: str) -> dict:
        pid[0] += 1
        row = {"ID": pid[0], **row, "Dernière mise à jour le":
               (START - timedelta(days=float(rng.uniform(1, 300)))).strftime("%Y-%m-%d %H:%M:%S")}
        rows.append(row)
        entity[pid[0]] = ent
        return row

    for i in range(110):
        client = companies[int(rng.integers(0, len(companies)))]
        kind = KINDS[int(rng.integers(0, len(KINDS)))]
        year = int(rng.choice([2025, 2026]))
        code = f"PRJ-{year}-{i + 1:03d}"
        base = f"{kind} - {client['base']}"
        r = add({"Nom": base, "Client": client["Nom"], "Compte analytique": f"[{code}] {base}",
                 "Chef de projet": PMS[i % 5], "Date de début": f"{year}-{int(rng.integers(1, 12)):02d}-01",
                 "Étiquettes": "Forfait" if i % 3 else "Régie", "Actif": "True"}, f"prj{i}")
        if i % 8 == 0:  # created twice from the quote and by hand
            add({**{k: v for k, v in r.items() if k not in ("ID", "Dernière mise à jour le")},
                 "Nom": base.replace(" - ", " ") if i % 16 else base.translate(ASCII),
                 "Compte analytique": ""}, f"prj{i}")
        elif i % 8 == 3:  # phase 2 / next year: a different project with a different code
            variant = f"{base} - Phase 2" if i % 16 == 3 else base.replace(kind, f"{kind} {year + 1}")
            code2 = f"PRJ-{year + 1}-{i + 101:03d}"
            o = add({**{k: v for k, v in r.items() if k not in ("ID", "Dernière mise à jour le")}, "Nom": variant,
                     "Compte analytique": f"[{code2}] {variant}"}, f"prj{i}-suite")
            neg.append(("project.project", r["ID"], o["ID"], "phase 2 / follow-up year, another project code"))
    return rows, entity, neg


# ---------------------------------------------------------------- logs
def write_csv(path: Path, head: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=head, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({h: r.get(h, "") for h in head})
    path.write_text(buf.getvalue(), encoding="utf-8")


def odoo_ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"


def build(out: Path) -> Path:
    rng = np.random.default_rng(SEED)
    out = Path(out)
    for d in ("logs", "records", "labels"):
        (out / d).mkdir(parents=True, exist_ok=True)
    partners, p_ent, p_neg = build_partners(rng)
    company_rows = [r for r in partners if r["Est une société"] == "True" and not r["Nom"].isupper()]
    comp_info = [{"Nom": r["Nom"], "base": r["Nom"].rsplit(" ", 1)[0]} for r in company_rows[:600]]
    projects, j_ent, j_neg = build_projects(rng, comp_info)
    odoo: list[tuple[datetime, str]] = []  # (time, line(s))

    def olog(t: datetime, level: str, logger: str, msg: str, pid: int = 4187) -> None:
        odoo.append((t, f"{odoo_ts(t)} {pid} {level} {DB} {logger}: {msg}"))

    incidents: list[dict] = []

    # ---- Pipedrive webhook receiver: nginx combined + JSON app log
    access: list[tuple[datetime, str]] = []
    app: list[tuple[datetime, str]] = []
    companies = [r for r in partners if r["Est une société"] == "True" and r["Actif"] == "True"]
    dup_partners: list[int] = []
    next_pid = max(r["ID"] for r in partners) + 10
    meta = 880_000
    for t in poisson_times(rng, lambda t: business_rate(t, 9.0)):
        if in_maint(t):
            continue
        meta += 1
        partner = companies[int(rng.integers(0, len(companies)))]
        action = "updated" if rng.random() < (0.5 if in_win(t, "dup") else 0.8) else "added"
        tries = 1
        status, took = 200, int(rng.gamma(4, 45))
        if in_win(t, "dup") and action == "added":
            tries = int(rng.integers(2, 4))  # receiver answered 504 but created the partner each time
        elif in_win(t, "dup"):
            tries = int(rng.integers(1, 3))
        for k in range(tries):
            tk = t + timedelta(seconds=k * 180 + float(rng.uniform(0, 20)))
            last = k == tries - 1
            code = status if last else 504
            pid_field = partner["ID"]
            if action == "added" and in_win(t, "dup") and tries > 1:
                # each delivery created a partner (a copy of the deal's organisation): same entity
                next_pid += int(rng.integers(1, 3))
                pid_field = next_pid
                partners.append({**partner, "ID": next_pid, "Actif": "True",
                                 "Dernière mise à jour le": tk.strftime("%Y-%m-%d %H:%M:%S")})
                p_ent[next_pid] = p_ent[partner["ID"]]
                dup_partners.append(next_pid)
            ms = took if code == 200 else int(rng.uniform(30_000, 30_500))
            loc = tk.astimezone(PARIS)
            access.append((tk, f'185.166.142.{int(rng.integers(10, 60))} - - [{loc.strftime("%d/%b/%Y:%H:%M:%S %z")}] '
                           f'"POST /webhooks/pipedrive/deal HTTP/1.1" {code} {2 if code == 200 else 160} "-" '
                           f'"Pipedrive Webhooks"'))
            rec = {"ts": loc.isoformat(timespec="milliseconds"), "severity": "INFO" if code == 200 else "WARNING",
                   "logger": "webhooks.pipedrive", "message": "deal synchronised" if code == 200 else
                   "odoo rpc slow, upstream timed out before response", "meta_id": meta, "meta_action": action,
                   "meta_object": "deal", "retry": k, "odoo_partner_id": pid_field, "status": code,
                   "elapsed_ms": ms}
            app.append((tk, json.dumps(rec, ensure_ascii=False)))
    # one-off 409 on Pipedrive
    t1 = T("2026-04-24 12:31:07")
    app.append((t1, json.dumps({"ts": t1.astimezone(PARIS).isoformat(timespec="milliseconds"), "severity": "ERROR",
                                "logger": "webhooks.pipedrive", "message": "odoo answered 409 Conflict: record "
                                "modified concurrently", "meta_id": 871234, "meta_action": "updated",
                                "meta_object": "deal", "retry": 0, "odoo_partner_id": companies[3]["ID"],
                                "status": 409, "elapsed_ms": 212})))
    incidents.append({"incident_id": "birch-dup-pipedrive", "kind": "duplicate_delivery", "flow": "pipedrive_affaires",
                      "start": INC["dup"][0], "end": INC["dup"][1] + timedelta(minutes=10),
                      "cause": "upstream_outage", "expected_action": "merge_partners",
                      "affected_records": [f"res.partner:{i}" for i in dup_partners],
                      "description": "receiver answered 504 after 30 s while Odoo still created the partner; "
                                     "Pipedrive redelivered the same meta_id and each delivery created a partner"})

    # ---- Make.com scenario history (Qonto -> Odoo, Toggl -> Odoo)
    make: list[tuple[datetime, str]] = []
    scen = {"qonto": (2_614_307, "Qonto → Odoo | relevés bancaires"),
            "toggl": (2_614_552, "Toggl Track → Odoo | feuilles de temps")}
    t = START
    while t < END:  # Qonto every 15 minutes, round the clock
        tq = t + timedelta(seconds=float(rng.uniform(0, 8)))
        st, err, dur, ops = 1, None, int(rng.gamma(6, 350)), int(rng.integers(2, 9))
        if in_win(tq, "cred"):
            st, err, dur, ops = 3, "[401] invalid_grant: The provided authorization grant or refresh token is " \
                                   "invalid, expired or revoked (connection « Qonto Ardoise »)", int(rng.gamma(3, 90)), 1
        elif in_maint(tq):
            st, err, ops = 3, "[503] Service Unavailable: odoo.ardoise-numerique.fr (module Odoo > Create record)", 2
        elif tq.date() == date(2026, 4, 30) and tq.hour == 9 and tq.minute < 15:
            st, err = 3, "[502] Bad Gateway: api.qonto.com"  # one-off
        elif rng.random() < 0.01:
            st = 2  # warning: incomplete execution stored
        item = {"id": uuidlib.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))).hex,
                "imtId": f"{tq.strftime('%Y%m%d%H%M%S')}-{int(rng.integers(100000, 999999))}",
                "scenarioId": scen["qonto"][0], "scenarioName": scen["qonto"][1], "organizationId": 384_215,
                "teamId": 91_877, "type": "auto", "instant": False, "status": st, "duration": dur,
                "operations": ops, "transfer": int(rng.integers(800, 40_000)),
                "timestamp": tq.strftime("%Y-%m-%dT%H:%M:%S.") + f"{tq.microsecond // 1000:03d}Z"}
        if err:
            item["error"] = err
        make.append((tq, json.dumps(item, ensure_ascii=False)))
        t += timedelta(minutes=15)
    for tt in poisson_times(rng, lambda t: business_rate(t, 14.0)):  # Toggl: instant trigger on time entries
        if in_win(tt, "silent") or in_maint(tt):
            continue
        dur = int(rng.gamma(5, 420))
        if in_win(tt, "lat"):
            dur = int(dur * rng.uniform(4.0, 6.0))
        item = {"id": uuidlib.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63))).hex,
                "imtId": f"{tt.strftime('%Y%m%d%H%M%S')}-{int(rng.integers(100000, 999999))}",
                "scenarioId": scen["toggl"][0], "scenarioName": scen["toggl"][1], "organizationId": 384_215,
                "teamId": 91_877, "type": "instant", "instant": True, "status": 1, "duration": dur,
                "operations": int(rng.integers(3, 7)), "transfer": int(rng.integers(500, 6000)),
                "timestamp": tt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{tt.microsecond // 1000:03d}Z"}
        make.append((tt, json.dumps(item, ensure_ascii=False)))
    incidents.append({"incident_id": "birch-qonto-token", "kind": "expired_credential", "flow": "qonto_releves",
                      "start": INC["cred"][0], "end": INC["cred"][1], "cause": "credential_auth",
                      "expected_action": "escalate", "affected_records": [],
                      "description": "Qonto OAuth refresh token revoked; every Make run stopped on 401 invalid_grant"})
    incidents.append({"incident_id": "birch-toggl-slow", "kind": "latency_shift", "flow": "toggl_temps",
                      "start": INC["lat"][0], "end": INC["lat"][1], "cause": "upstream_outage",
                      "expected_action": "post_note", "affected_records": [],
                      "description": "Toggl Track API degraded: Make executions took 4-6x longer"})
    incidents.append({"incident_id": "birch-toggl-off", "kind": "silent_flow", "flow": "toggl_temps",
                      "start": INC["silent"][0], "end": INC["silent"][1], "cause": "configuration",
                      "expected_action": "escalate", "affected_records": [],
                      "description": "Make deactivated the scenario (operations quota of the plan reached); "
                                     "no execution on a working Tuesday"})

    # ---- queue.job: Pennylane invoice export (account.move), Sirene enrichment (res.partner), timesheets
    jobs: list[dict] = []
    storm_failed: list[str] = []
    spike_failed: list[str] = []
    sirene_failed: list[str] = []
    sirene_partners: list[int] = []
    deadlock_failed: list[str] = []

    def job(tc: datetime, channel: str, model: str, rid: int, desc: str, task: str, state: str,
            exc: str = "", msg: str = "", tries: int = 1, run_s: float = 1.0) -> str:
        u = str(uuidlib.UUID(int=int(rng.integers(0, 2**62)) << 64 | int(rng.integers(0, 2**62)), version=4))
        ts = tc + timedelta(seconds=float(rng.uniform(0.5, 6)))
        td = ts + timedelta(seconds=run_s)
        jobs.append({"UUID": u, "Description": desc, "Tâche": task, "Canal": channel, "Modèle": model,
                     "Enregistrement": json.dumps([rid]), "État": state,
                     "Date de création": tc.strftime("%Y-%m-%d %H:%M:%S"),
                     "Date de début": ts.strftime("%Y-%m-%d %H:%M:%S"),
                     "Date de fin": td.strftime("%Y-%m-%d %H:%M:%S") if state == "Terminé" else "",
                     "Tentative actuelle": tries, "Tentatives maximales": 5, "Exception": exc,
                     "Message d’exception": msg, "_t": tc})
        return u

    move_id = 51_000
    for tc in poisson_times(rng, lambda t: business_rate(t, 7.0) * (3.0 if t.astimezone(PARIS).date()
                                                                      in (date(2026, 4, 29), date(2026, 4, 30))
                                                                      else 1.0)):
        if in_maint(tc):
            continue
        move_id += 1
        name = f"FAC/2026/{move_id - 50_000:05d}"
        args: dict[str, Any] = dict(channel="root.pennylane", model="account.move", rid=move_id,
                    desc=f"Export Pennylane de la facture {name}",
                    task=f"account.move({move_id},).pennylane_export()")
        if in_win(tc, "storm") and rng.random() < 0.85:
            u = job(tc, state="En erreur", exc="odoo.addons.queue_job.exception.RetryableJobError",
                    msg="Pennylane API 429 Too Many Requests (Retry-After: 60) après 5 tentatives", tries=5, **args)
            storm_failed.append(u)
            for k in range(4):
                olog(tc + timedelta(seconds=60 * (k + 1)), "WARNING",
                     "odoo.addons.ardoise_pennylane.models.account_move",
                     f"Pennylane a répondu 429 pour {name}, nouvelle tentative {k + 2}/5")
        elif in_win(tc, "spike") and rng.random() < 0.6:
            u = job(tc, state="En erreur", exc="odoo.exceptions.UserError",
                    msg="Pennylane 422 Unprocessable Entity: customer.vat_number « » is not a valid VAT number",
                    **args)
            spike_failed.append(u)
            odoo.append((tc + timedelta(seconds=3), "\n".join([
                f"{odoo_ts(tc + timedelta(seconds=3))} 4190 ERROR {DB} odoo.addons.queue_job.controllers.main: "
                f"Exception in job {u}",
                "Traceback (most recent call last):",
                '  File "/opt/odoo/addons/queue_job/controllers/main.py", line 38, in _try_perform_job',
                "    job.perform()",
                '  File "/opt/odoo/custom/ardoise_pennylane/models/account_move.py", line 212, in pennylane_export',
                "    raise UserError(_(\"Pennylane 422 Unprocessable Entity: %s\", detail))",
                "odoo.exceptions.UserError: Pennylane 422 Unprocessable Entity: customer.vat_number « » is not a "
                "valid VAT number"])))
        elif in_win(tc, "deadlock") and rng.random() < 0.5:
            u = job(tc, state="En erreur", exc="psycopg2.errors.SerializationFailure",
                    msg="could not serialize access due to concurrent update", tries=5, **args)
            deadlock_failed.append(u)
        else:
            job(tc, state="Terminé", run_s=float(rng.gamma(3, 0.6)), **args)
    # Sirene nightly batch (bursty, low volume): 00:00 UTC (02:00 Paris), none on Sunday
    day = START
    while day < END:
        if day.weekday() != 6:
            t0 = day + timedelta(minutes=float(rng.uniform(0, 3)))
            for k in range(int(rng.integers(6, 26))):
                tc = t0 + timedelta(seconds=k * float(rng.uniform(4, 12)))
                pr = companies[int(rng.integers(0, len(companies)))]
                args = dict(channel="root.sirene", model="res.partner", rid=pr["ID"],
                            desc=f"Enrichissement Sirene de {pr['Nom']}", task=f"res.partner({pr['ID']},)."
                            "sirene_refresh()")
                if in_win(tc, "newsig") and rng.random() < 0.7:
                    msg = (f"Le numéro SIRET {str(pr['N° TVA'])[4:]}00019 renvoyé par l'API Sirene 3.11 n'est "
                           "pas valide (champ « etablissementSiege » absent)")
                    u = job(tc, state="En erreur", exc="odoo.exceptions.ValidationError", msg=msg, **args)
                    sirene_failed.append(u)
                    sirene_partners.append(pr["ID"])
                    odoo.append((tc + timedelta(seconds=2), "\n".join([
                        f"{odoo_ts(tc + timedelta(seconds=2))} 4190 ERROR {DB} "
                        f"odoo.addons.queue_job.controllers.main: Exception in job {u}",
                        "Traceback (most recent call last):",
                        '  File "/opt/odoo/custom/ardoise_sirene/models/res_partner.py", line 88, in sirene_refresh',
                        "    self._check_siret(payload)",
                        '  File "/opt/odoo/custom/ardoise_sirene/models/res_partner.py", line 131, in _check_siret',
                        "    raise ValidationError(msg)",
                        f"odoo.exceptions.ValidationError: {msg}"])))
                else:
                    job(tc, state="Terminé", run_s=float(rng.uniform(0.3, 1.5)), **args)
        day += timedelta(days=1)
    incidents += [
        {"incident_id": "birch-pennylane-429", "kind": "retry_storm", "flow": "pennylane_factures",
         "start": INC["storm"][0], "end": INC["storm"][1] + timedelta(minutes=5), "cause": "rate_limit",
         "expected_action": "requeue_jobs", "affected_records": [f"queue.job:{u}" for u in storm_failed],
         "description": "Pennylane throttled the API key; jobs retried 5 times then failed"},
        {"incident_id": "birch-pennylane-422", "kind": "error_spike", "flow": "pennylane_factures",
         "start": INC["spike"][0], "end": INC["spike"][1], "cause": "data_quality", "expected_action": "escalate",
         "affected_records": [f"queue.job:{u}" for u in spike_failed],
         "description": "invoices of customers without VAT number rejected with 422 after a Pennylane validation "
                        "change"},
        {"incident_id": "birch-sirene-siret", "kind": "new_error_signature", "flow": "sirene_enrichissement",
         "start": INC["newsig"][0], "end": INC["newsig"][1], "cause": "schema_validation",
         "expected_action": "escalate",
         "affected_records": [f"queue.job:{u}" for u in sirene_failed]
         + [f"res.partner:{i}" for i in sorted(set(sirene_partners))],
         "description": "Sirene API 3.11 dropped etablissementSiege; the SIRET check raised ValidationError"},
        {"incident_id": "birch-pennylane-serialization", "kind": "error_spike", "flow": "pennylane_factures",
         "start": INC["deadlock"][0], "end": INC["deadlock"][1], "cause": "configuration",
         "expected_action": "requeue_jobs", "affected_records": [f"queue.job:{u}" for u in deadlock_failed],
         "description": "a new cron recomputing invoice totals every minute collided with the export jobs "
                        "(psycopg2 SerializationFailure until retries ran out)"},
    ]

    # ---- Odoo server log: runner, cron, deploy, maintenance notice, one-off retried serialization errors
    olog(START + timedelta(minutes=1), "INFO", "odoo.addons.queue_job.jobrunner.runner",
         f"queue job runner ready for db {DB}", pid=4101)
    for h in range(DAYS * 24):
        th = START + timedelta(hours=h, minutes=2)
        if not in_maint(th):
            olog(th, "INFO", "odoo.addons.base.models.ir_cron", "Job 'Mail: Email Queue Manager' (4) starting",
                 pid=4102)
            olog(th + timedelta(seconds=1), "INFO", "odoo.addons.base.models.ir_cron",
                 "Job 'Mail: Email Queue Manager' (4) fully done (#loop 1; done 0; remaining 0; duration 0.04s)",
                 pid=4102)
    olog(T("2026-05-06 08:12:44"), "INFO", "odoo.addons.ardoise_ops.models.notice",
         "Maintenance planifiée : mise à jour Odoo 18.0 (correctifs) du 09/05/2026 20:00 au 09/05/2026 23:59 "
         "(heure de Paris). Le serveur sera indisponible.", pid=4190)
    olog(MAINT[0] - timedelta(minutes=1), "INFO", "odoo.service.server", "Initiating shutdown", pid=4101)
    olog(MAINT[1] + timedelta(minutes=1), "INFO", "odoo", "Odoo version 18.0-20260508", pid=5120)
    olog(MAINT[1] + timedelta(minutes=1, seconds=2), "INFO", "odoo.service.server",
         "HTTP service (werkzeug) running on 0.0.0.0:8069", pid=5120)
    olog(DEPLOY, "INFO", "odoo.modules.loading", "loading 142 modules...", pid=4101)
    for di in range(14):
        td = DEPLOY + timedelta(days=di, hours=2, minutes=float(rng.uniform(0, 50)))
        olog(td, "INFO", "odoo.addons.ardoise_pennylane.models.account_move",
             "client API Pennylane v2 initialisé (https://app.pennylane.com/api/external/v2, limite 25 req/5 s)")
    for ts in ("2026-04-23 13:04:11", "2026-04-29 15:40:02", "2026-05-12 09:18:30"):
        tt = T(ts)
        odoo.append((tt, "\n".join([
            f"{odoo_ts(tt)} 4190 INFO {DB} odoo.addons.queue_job.controllers.main: "
            "Job retried: could not serialize access due to concurrent update (1/5)",
            ])))
    t2 = T("2026-05-04 14:22:05")
    u = job(t2, "root.pennylane", "account.move", 50_999, "Export Pennylane de la facture FAC/2026/00999",
            "account.move(50999,).pennylane_export()", "En erreur", exc="requests.exceptions.ReadTimeout",
            msg="HTTPSConnectionPool(host='app.pennylane.com', port=443): Read timed out. (read timeout=30)")
    olog(t2 + timedelta(seconds=31), "ERROR", "odoo.addons.queue_job.controllers.main", f"Exception in job {u}")
    for tt in poisson_times(rng, lambda t: business_rate(t, 30.0), step_min=15):
        if not in_maint(tt):
            odoo.append((tt, f"{odoo_ts(tt)} 4190 INFO {DB} werkzeug: 10.0.3.7 - - "
                         f"[{tt.strftime('%d/%b/%Y %H:%M:%S')}] \"POST /web/dataset/call_kw/project.task/"
                         f"web_search_read HTTP/1.1\" 200 - 9 0.012 0.041"))

    # ---- write everything
    logs = out / "logs"
    for name, lines in (("nginx-pipedrive.access.log", access), ("pipedrive-receiver.jsonl", app),
                        ("make_executions_export.jsonl", make), ("odoo-server.log", odoo)):
        lines.sort(key=lambda x: x[0])
        (logs / name).write_text("".join(line + "\n" for _, line in lines), encoding="utf-8")
    jobs.sort(key=lambda j: j["_t"])
    write_csv(logs / "Tâche en file d’attente (queue.job).csv",
              ["UUID", "Description", "Tâche", "Canal", "Modèle", "Enregistrement", "État", "Date de création",
               "Date de début", "Date de fin", "Tentative actuelle", "Tentatives maximales", "Exception",
               "Message d’exception"], jobs)
    write_csv(out / "records" / "res_partner.csv", PARTNER_HEAD, partners)
    write_csv(out / "records" / "project_project.csv", PROJECT_HEAD, projects)
    with (out / "labels" / "partner_entities.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,entity\n" + "".join(f"{k},{v}\n" for k, v in sorted(p_ent.items())))
    with (out / "labels" / "project_entities.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,entity\n" + "".join(f"{k},{v}\n" for k, v in sorted(j_ent.items())))
    with (out / "labels" / "hard_negatives.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["model", "left_id", "right_id", "why"])
        w.writerows(p_neg + j_neg)

    def iso(x: datetime) -> str:
        return x.strftime("%Y-%m-%dT%H:%M:%SZ")

    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for inc in incidents:
            fh.write(json.dumps({**inc, "start": iso(inc["start"]), "end": iso(inc["end"])}, ensure_ascii=False)
                     + "\n")
    day_utc = [(datetime.combine(d, datetime.min.time(), PARIS).astimezone(UTC),
                datetime.combine(d + timedelta(days=1), datetime.min.time(), PARIS).astimezone(UTC))
               for d in [*HOLIDAYS, BRIDGE]]
    nots = [
        {"id": "fr-1mai", "kind": "public_holiday", "flow": "*", "start": iso(day_utc[0][0]),
         "end": iso(day_utc[0][1]), "description": "Fête du Travail"},
        {"id": "fr-8mai", "kind": "public_holiday", "flow": "*", "start": iso(day_utc[1][0]),
         "end": iso(day_utc[1][1]), "description": "Victoire 1945"},
        {"id": "fr-ascension", "kind": "public_holiday", "flow": "*", "start": iso(day_utc[2][0]),
         "end": iso(day_utc[2][1]), "description": "Ascension"},
        {"id": "pont-ascension", "kind": "public_holiday", "flow": "*", "start": iso(day_utc[3][0]),
         "end": iso(day_utc[3][1]), "description": "pont de l'Ascension: agency closed (calendar.json)"},
        {"id": "maintenance-0905", "kind": "maintenance", "flow": "*", "start": iso(MAINT[0]),
         "end": iso(MAINT[1] + timedelta(minutes=30)),
         "description": "Odoo 18 patch upgrade announced in the Odoo log on 6 May (French, Paris time); Make "
                        "runs fail with 503 meanwhile"},
        {"id": "sirene-nightly", "kind": "bursty_low_volume", "flow": "sirene_enrichissement",
         "start": iso(START), "end": iso(END), "description": "nightly batch of 6-25 jobs, none on Sundays"},
        {"id": "pennylane-v2-info", "kind": "new_info_message", "flow": "pennylane_factures",
         "start": iso(DEPLOY), "end": iso(DEPLOY + timedelta(days=15)),
         "description": "new INFO line after the 4 May deploy"},
        {"id": "oneoff-409", "kind": "one_off_errors", "flow": "pipedrive_affaires", "start": "2026-04-24T12:00:00Z",
         "end": "2026-04-24T13:00:00Z", "description": "one 409 conflict"},
        {"id": "oneoff-502", "kind": "one_off_errors", "flow": "qonto_releves", "start": "2026-04-30T09:00:00Z",
         "end": "2026-04-30T09:30:00Z", "description": "one 502 from api.qonto.com"},
        {"id": "oneoff-timeout", "kind": "one_off_errors", "flow": "pennylane_factures",
         "start": "2026-05-04T14:00:00Z", "end": "2026-05-04T15:00:00Z", "description": "one read timeout"},
        {"id": "retried-serialization", "kind": "one_off_errors", "flow": "*", "start": "2026-04-23T13:00:00Z",
         "end": "2026-05-12T10:00:00Z", "description": "three serialization failures retried by queue_job"},
        {"id": "month-end-april", "kind": "month_end_peak", "flow": "pennylane_factures",
         "start": "2026-04-28T22:00:00Z", "end": "2026-04-30T22:00:00Z", "description": "3x invoices at month end"},
    ]
    (out / "labels" / "not_incidents.jsonl").write_text(
        "".join(json.dumps(n, ensure_ascii=False) + "\n" for n in nots), encoding="utf-8")
    flows = [
        {"name": "pipedrive_affaires", "source_system": "Pipedrive", "target_system": "Odoo", "owner": "équipe CRM",
         "criticality": "high", "country": "FR", "aliases": ["webhooks.pipedrive"],
         "endpoints": ["/webhooks/pipedrive/deal"]},
        {"name": "qonto_releves", "source_system": "Qonto", "target_system": "Odoo", "owner": "comptabilité",
         "criticality": "high", "aliases": [scen["qonto"][1], str(scen["qonto"][0])]},
        {"name": "toggl_temps", "source_system": "Toggl Track", "target_system": "Odoo", "owner": "PMO",
         "criticality": "medium", "country": "FR", "aliases": [scen["toggl"][1], str(scen["toggl"][0])],
         "models": ["account.analytic.line"]},
        {"name": "pennylane_factures", "source_system": "Odoo", "target_system": "Pennylane",
         "owner": "comptabilité", "criticality": "high", "country": "FR", "channels": ["root.pennylane"],
         "models": ["account.move"], "loggers": ["odoo.addons.ardoise_pennylane"]},
        {"name": "sirene_enrichissement", "source_system": "INSEE Sirene", "target_system": "Odoo",
         "owner": "équipe CRM", "criticality": "low", "unit": "batch", "channels": ["root.sirene"],
         "models": ["res.partner"], "loggers": ["odoo.addons.ardoise_sirene"]},
    ]
    (out / "flows.json").write_text(json.dumps(flows, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "calendar.json").write_text(json.dumps({
        "country": "FR", "timezone": "Europe/Paris", "holidays": [BRIDGE.isoformat()], "month_end_days": 2},
        indent=1), encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({
        "estate": "birch", "firm": "Ardoise Numérique SAS (Lyon), Odoo 18", "heldout": False,
        "designed_blind": True, "days": DAYS, "seed": SEED}, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1]))
