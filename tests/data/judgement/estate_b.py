"""A second hand-made labeled estate, written after the judgement code was frozen: other country, other
wordings, other shapes, so its figures are not ones the code was tuned on.

Three weeks from Monday 2026-11-02 (baseline: the first week):
- sales_order_import (country FR): Armistice Day (Wednesday 11th) carries weekend traffic. Not an incident.
- stock_sync (24/7): silent 2026-11-17 20:00 to 11-18 01:00, announced the afternoon before in the Odoo log
  in other words ("Planned maintenance ... between ... and ..."). Not an incident.
- delivery_note_import (no unit declared): a batch of ~30 lines every two hours in office hours; on the
  19th two batches are skipped. Not an incident (the flow must be seen to be bursty).
- invoice_export: 503s from the finance API for two hours on the 10th, 60 jobs failed: requeue them all.
- hr_sync: OAuth token rejected (invalid_token) on the 12th.
- crm_contact_sync: unique-e-mail violations on a duplicate contact company on the 16th: merge.
- vendor_bill_import (Odoo log): lock-date errors on the 20th after the October close: escalate, never retry.

`python tests/data/judgement/estate_b.py OUT_DIR` writes the labeled folder.
"""

from __future__ import annotations

import csv
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.data.judgement.estate import PARTNER_COLUMNS, _event, _iso, _odoo_ts, _poisson_times

START = datetime(2026, 11, 2, tzinfo=UTC)
DAYS = 21
HOLIDAY = datetime(2026, 11, 11, tzinfo=UTC)
MAINTENANCE = (datetime(2026, 11, 17, 20, tzinfo=UTC), datetime(2026, 11, 18, 1, tzinfo=UTC))
OUTAGE = (datetime(2026, 11, 10, 14, tzinfo=UTC), datetime(2026, 11, 10, 16, tzinfo=UTC))
OAUTH = (datetime(2026, 11, 12, 9, tzinfo=UTC), datetime(2026, 11, 12, 11, 30, tzinfo=UTC))
DUP_EMAIL = (datetime(2026, 11, 16, 13, tzinfo=UTC), datetime(2026, 11, 16, 16, tzinfo=UTC))
LOCK = (datetime(2026, 11, 20, 9, tzinfo=UTC), datetime(2026, 11, 20, 12, tzinfo=UTC))
SKIPPED_BATCHES = {datetime(2026, 11, 19, 12, tzinfo=UTC), datetime(2026, 11, 19, 14, tzinfo=UTC)}
MASTER, DUPLICATE = 5100, 5101

FLOWS = [
    {"name": "sales_order_import", "source_system": "shop", "target_system": "odoo", "owner": "ventes@firm.example",
     "criticality": "high", "country": "FR"},
    {"name": "stock_sync", "source_system": "wms", "target_system": "odoo", "owner": "logistics@firm.example"},
    {"name": "delivery_note_import", "source_system": "carrier", "target_system": "odoo",
     "owner": "logistics@firm.example", "country": "FR"},
    {"name": "invoice_export", "source_system": "odoo", "target_system": "finance", "owner": "finance@firm.example",
     "criticality": "critical"},
    {"name": "hr_sync", "source_system": "hris", "target_system": "odoo", "owner": "people@firm.example"},
    {"name": "crm_contact_sync", "source_system": "crm", "target_system": "odoo", "owner": "crm@firm.example"},
    {"name": "vendor_bill_import", "source_system": "ocr", "target_system": "odoo", "owner": "ap@firm.example",
     "criticality": "high"},
]


def middleware(rng: random.Random) -> tuple[list[dict], list[str]]:
    events: list[dict] = []
    failed_jobs: list[str] = []
    n = 0
    for hour in range(DAYS * 24):
        t0 = START + timedelta(hours=hour)
        weekday = t0.weekday() < 5 and t0.date() != HOLIDAY.date()
        office = 8 <= t0.hour < 19 and t0.hour != 13
        for t in _poisson_times(rng, t0, (40 if office else 3) if weekday else (4 if office else 1)):
            n += 1
            events.append(_event(t, "sales_order_import", n, records=[f"sale.order:{n}"]))
        if not (MAINTENANCE[0] <= t0 < MAINTENANCE[1]):
            for t in _poisson_times(rng, t0, 15):
                n += 1
                events.append(_event(t, "stock_sync", n, records=[f"stock.quant:{n}"]))
        if weekday and t0.hour in (8, 10, 12, 14, 16) and t0 not in SKIPPED_BATCHES:
            t = t0 + timedelta(minutes=rng.randint(0, 10))
            for _ in range(rng.randint(25, 35)):
                n += 1
                t += timedelta(seconds=rng.randint(1, 4))
                events.append(_event(t, "delivery_note_import", n, records=[f"stock.picking:{n}"]))
        busy = 8 <= t0.hour < 19 and t0.weekday() < 5
        for t in _poisson_times(rng, t0, 30 if busy else 2):
            n += 1
            job = str(uuid.UUID(int=rng.getrandbits(128)))
            ev = _event(t, "invoice_export", n, records=[f"queue.job:{job}", f"account.move:{n}"])
            if OUTAGE[0] <= t < OUTAGE[1] and len(failed_jobs) < 60:
                ev.update(status="error", http_status=503, retry=3,
                          error="finance API: 503 Service Unavailable (upstream maintenance), job given up after 3 tries")
                failed_jobs.append(job)
            events.append(ev)
        for t in _poisson_times(rng, t0, 12 if busy else 1):
            n += 1
            ev = _event(t, "hr_sync", n, records=[f"hr.employee:{rng.randint(1, 300)}"])
            if OAUTH[0] <= t < OAUTH[1]:
                ev.update(status="error", http_status=401,
                          error="OAuth2 bearer token rejected by the HRIS: error=invalid_token (the access token expired)")
            events.append(ev)
        for t in _poisson_times(rng, t0, 20 if busy else 2):
            n += 1
            ev = _event(t, "crm_contact_sync", n, records=[f"res.partner:{rng.randint(6000, 6999)}"])
            if DUP_EMAIL[0] <= t < DUP_EMAIL[1] and n % 3 == 0:
                ev.update(status="error", http_status=409, record_ids=[f"res.partner:{DUPLICATE}"],
                          error='psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint '
                                '"res_partner_email_uniq" DETAIL: Key (email)=(contact@lumen-optics.example) '
                                f'already exists. (res.partner {MASTER})')
            elif rng.random() < 0.003:
                ev.update(status="error", http_status=504, error="504 Gateway Timeout")
            events.append(ev)
    events.sort(key=lambda e: e["ts"])
    return events, failed_jobs


def odoo_log(rng: random.Random) -> list[str]:
    announce = MAINTENANCE[0] - timedelta(hours=27)
    items: list[tuple[datetime, str]] = [(announce, (
        f"{_odoo_ts(announce)} 77 WARNING prod odoo.addons.mail.models.mail_mail: Planned maintenance of the WMS "
        f"link for stock_sync between {MAINTENANCE[0]:%Y-%m-%dT%H:%M:%SZ} and {MAINTENANCE[1]:%Y-%m-%dT%H:%M:%SZ} "
        f"- - -"))]
    n = 0
    for hour in range(DAYS * 24):
        t0 = START + timedelta(hours=hour)
        for t in _poisson_times(rng, t0, 15 if 8 <= t0.hour < 18 and t0.weekday() < 5 else 1):
            n += 1
            logger = "odoo.addons.vendor_bill_import.models.ocr_document"
            if LOCK[0] <= t < LOCK[1]:
                items.append((t, "\n".join([
                    f"{_odoo_ts(t)} 77 ERROR prod {logger}: cannot post bill BILL/2026/10/{n:04d} 9 0.01 0.05",
                    "Traceback (most recent call last):",
                    '  File "/odoo/addons/account/models/account_move.py", line 3021, in _check_fiscal_lock_dates',
                    "odoo.exceptions.UserError: You cannot add/modify entries prior to and inclusive of the lock "
                    "date 10/31/2026. Check the company settings or ask someone with the 'Adviser' role"])))
            else:
                items.append((t, f"{_odoo_ts(t)} 77 INFO prod {logger}: posted bill BILL/2026/11/{n:04d} 9 0.01 0.05"))
    items.sort(key=lambda x: x[0])
    return [f"{_odoo_ts(START)} 77 INFO ? odoo: Odoo version 19.0 - - -"] + [text for _, text in items]


def partners() -> list[dict]:
    rows = [{"id": 5000 + i, "name": f"Societe {chr(65 + i % 26)}{i} SARL", "email": f"contact@soc{i}.example",
             "phone": f"+33 1 {40000000 + i * 7717 % 9999999}", "vat": f"FR{10000000000 + i * 97531 % 89999999999}",
             "company_registry": "", "ref": "", "street": f"Rue {i}", "city": "Paris", "zip": "75001",
             "country_id": "France", "is_company": True, "parent_id": "", "active": True,
             "write_date": "2025-01-01 08:00:00"} for i in range(30)]
    for pid, name in ((MASTER, "Lumen Optics SAS"), (DUPLICATE, "Lumen Optique SAS")):
        rows.append({"id": pid, "name": name, "email": "contact@lumen-optics.example", "phone": "+33 4 72 00 00 01",
                     "vat": "FR55123456789", "company_registry": "123456789", "ref": "", "street": "Quai 3",
                     "city": "Lyon", "zip": "69002", "country_id": "France", "is_company": True, "parent_id": "",
                     "active": True, "write_date": "2026-02-01 08:00:00"})
    return sorted(rows, key=lambda r: r["id"])


def write_estate(out: Path, seed: int = 1402) -> Path:
    rng = random.Random(seed)
    for sub in ("logs", "labels", "records"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    events, failed_jobs = middleware(rng)
    with (out / "logs" / "integrations.jsonl").open("w", encoding="utf-8") as fh:
        for ev in events:
            fh.write(json.dumps(ev) + "\n")
    (out / "logs" / "odoo.log").write_text("\n".join(odoo_log(rng)) + "\n", encoding="utf-8")
    (out / "flows.json").write_text(json.dumps(FLOWS, indent=2), encoding="utf-8")
    (out / "world.json").write_text(json.dumps({"start": _iso(START), "end": _iso(START + timedelta(days=DAYS))}))
    labels = [
        {"incident_id": "finance-503", "kind": "error_spike", "flow": "invoice_export", "start": OUTAGE[0],
         "end": OUTAGE[1], "cause": "upstream_outage", "expected_action": "requeue_jobs",
         "affected_records": [f"queue.job:{j}" for j in failed_jobs]},
        {"incident_id": "hris-token", "kind": "expired_credential", "flow": "hr_sync", "start": OAUTH[0],
         "end": OAUTH[1], "cause": "credential_auth", "expected_action": "escalate"},
        {"incident_id": "dup-email", "kind": "error_spike", "flow": "crm_contact_sync", "start": DUP_EMAIL[0],
         "end": DUP_EMAIL[1], "cause": "data_quality", "expected_action": "merge_partners",
         "affected_records": [f"res.partner:{MASTER}", f"res.partner:{DUPLICATE}"]},
        {"incident_id": "lock-date", "kind": "error_spike", "flow": "vendor_bill_import", "start": LOCK[0],
         "end": LOCK[1], "cause": "configuration", "expected_action": "escalate"},
    ]
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for lab in labels:
            fh.write(json.dumps({**lab, "start": _iso(lab["start"]), "end": _iso(lab["end"])}) + "\n")
    rows = partners()
    with (out / "records" / "res_partner.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PARTNER_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with (out / "labels" / "partner_entities.csv").open("w", encoding="utf-8") as fh:
        fh.write("id,entity\n" + "".join(f"{r['id']},{'lumen' if r['id'] in (MASTER, DUPLICATE) else r['id']}\n"
                                         for r in rows))
    return out


if __name__ == "__main__":
    print(write_estate(Path(sys.argv[1])))
