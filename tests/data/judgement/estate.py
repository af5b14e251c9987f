"""A small labeled estate written by hand, not by sim/: the shapes issue #14 says break judgement.

Three weeks from Monday 2026-12-07 (baseline: the first week). Flows and what happens to them:
- shop_order_sync (country DE): Christmas Day (Friday 25th) carries weekend traffic. Not an incident.
- bank_statement_import: silent 2026-12-22 09:00-13:00 in a maintenance window announced the evening
  before in odoo-server.log. Not an incident.
- expense_report_sync (unit "report"): about seven reports a business day, ~12 events each; on
  Wednesday 23rd a six-hour pause between two reports. Not an incident.
- crm_partner_sync: an OAuth expiry (invalid_grant, 401) on the 16th and duplicate-VAT rejections
  (ValidationError) on the 21st, five days apart, both touching res.partner 4243. Two incidents.
- account_tax_export (Odoo log): tax-code mapping errors after a configuration change on the 17th.
  One incident, configuration, fixed by a guarded field write on the partners' fiscal position.

`python tests/data/judgement/estate.py OUT_DIR` writes it as a labeled folder (docs/labels.md), so
`triage eval --labels OUT_DIR` scores it. Same bytes every time (seeded).
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 12, 7, tzinfo=UTC)
DAYS = 21
HOLIDAY = datetime(2026, 12, 25, tzinfo=UTC)
MAINTENANCE = (datetime(2026, 12, 22, 9, tzinfo=UTC), datetime(2026, 12, 22, 13, tzinfo=UTC))
OAUTH = (datetime(2026, 12, 16, 10, tzinfo=UTC), datetime(2026, 12, 16, 13, tzinfo=UTC))
DUP_VAT = (datetime(2026, 12, 21, 9, tzinfo=UTC), datetime(2026, 12, 21, 12, tzinfo=UTC))
TAX = (datetime(2026, 12, 17, 10, tzinfo=UTC), datetime(2026, 12, 17, 13, tzinfo=UTC))
EXPENSE_PAUSE_DAY = datetime(2026, 12, 23, tzinfo=UTC)
SHARED_PARTNER = 4243
MASTER_PARTNER = 4242
TAX_PARTNERS = [311, 312, 313]

FLOWS = [
    {"name": "shop_order_sync", "source_system": "shop", "target_system": "odoo", "owner": "sales-ops@firm.example",
     "criticality": "high", "country": "DE"},
    {"name": "bank_statement_import", "source_system": "bank", "target_system": "odoo",
     "owner": "treasury@firm.example", "criticality": "high"},
    {"name": "expense_report_sync", "source_system": "expenses", "target_system": "odoo",
     "owner": "finance-ops@firm.example", "criticality": "medium", "unit": "report", "country": "DE"},
    {"name": "crm_partner_sync", "source_system": "crm", "target_system": "odoo", "owner": "crm-team@firm.example",
     "criticality": "high"},
    {"name": "account_tax_export", "source_system": "odoo", "target_system": "tax", "owner": "tax@firm.example",
     "criticality": "critical"},
]


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _odoo_ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"


def _poisson_times(rng: random.Random, t0: datetime, rate_per_hour: float) -> list[datetime]:
    out, t = [], 0.0
    while rate_per_hour > 0:
        t += rng.expovariate(rate_per_hour / 3600)
        if t >= 3600:
            return out
        out.append(t0 + timedelta(seconds=t))
    return out


def _business(t: datetime) -> bool:
    return t.weekday() < 5 and t.date() != HOLIDAY.date()


def _event(t: datetime, flow: str, n: int, *, status: str = "ok", http: int = 200, error: str | None = None,
           records: list[str] | None = None) -> dict:
    return {"ts": _iso(t), "flow": flow, "source": flow.split("_")[0], "target": "odoo", "operation": "upsert",
            "status": status, "latency_ms": 150.0 + (n * 37) % 200, "http_status": http, "error": error, "retry": 0,
            "correlation_id": f"{flow[:4]}-{n:07d}", "idempotency_key": f"{flow[:4]}:{n:07d}",
            "record_ids": records or []}


def middleware_events(rng: random.Random) -> list[dict]:
    events: list[dict] = []
    n = 0
    for hour in range(DAYS * 24):
        t0 = START + timedelta(hours=hour)
        office = 8 <= t0.hour < 18
        # shop: weekday office hours busy; weekends and the holiday quiet (the holiday is business as usual)
        shop_rate = (30 if office else 2) if t0.weekday() < 5 and t0.date() != HOLIDAY.date() else (3 if office else 1)
        for t in _poisson_times(rng, t0, shop_rate):
            n += 1
            events.append(_event(t, "shop_order_sync", n, records=[f"sale.order:{n}"]))
        if not (MAINTENANCE[0] <= t0 < MAINTENANCE[1]):
            for t in _poisson_times(rng, t0, 20):
                n += 1
                events.append(_event(t, "bank_statement_import", n, records=[f"account.bank.statement.line:{n}"]))
        crm_rate = 25 if office and t0.weekday() < 5 else 3
        for t in _poisson_times(rng, t0, crm_rate):
            n += 1
            partner = SHARED_PARTNER if n % 9 == 0 else rng.randint(1000, 1999)
            ev = _event(t, "crm_partner_sync", n, records=[f"res.partner:{partner}"])
            if OAUTH[0] <= t < OAUTH[1]:
                ev.update(status="error", http_status=401,
                          error='{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}')
            elif DUP_VAT[0] <= t < DUP_VAT[1] and n % 2 == 0:
                ev.update(status="error", http_status=422, record_ids=[f"res.partner:{SHARED_PARTNER}"],
                          error=f"odoo.exceptions.ValidationError: The VAT number DE811234567 is already used by "
                                f"res.partner({MASTER_PARTNER},) (partner {MASTER_PARTNER}); duplicate VAT")
            elif rng.random() < 0.004:
                ev.update(status="error", http_status=503, error="503 Service Unavailable")
            events.append(ev)
    # expense reports: bursts of ~12 lines each at fixed times of a business day
    for day in range(DAYS):
        d0 = START + timedelta(days=day)
        if not _business(d0):
            continue
        slots = [8.5, 10.0, 11.5, 13.0, 14.5, 16.0, 17.5]
        if d0.date() == EXPENSE_PAUSE_DAY.date():
            slots = [8.5, 15.0, 16.0, 17.5]  # a quiet morning: nobody filed a report for six hours
        for slot in slots:
            t = d0 + timedelta(hours=slot, minutes=rng.randint(0, 20))
            for _line in range(rng.randint(10, 14)):
                n += 1
                t += timedelta(seconds=rng.randint(3, 9))
                events.append(_event(t, "expense_report_sync", n, records=[f"hr.expense:{n}"]))
    events.sort(key=lambda e: e["ts"])
    return events


def odoo_log(rng: random.Random) -> list[str]:
    lines = [f"{_odoo_ts(START)} 4242 INFO ? odoo: Odoo version 19.0 - - -"]
    announce = MAINTENANCE[0] - timedelta(hours=16)
    items: list[tuple[datetime, str]] = [(announce, (
        f"{_odoo_ts(announce)} 4242 INFO prod odoo.addons.base.models.ir_cron: Scheduled maintenance: "
        f"bank_statement_import will be unavailable from {MAINTENANCE[0]:%Y-%m-%d %H:%M:%S} to "
        f"{MAINTENANCE[1]:%Y-%m-%d %H:%M:%S} UTC - - -"))]
    n = 0
    for hour in range(DAYS * 24):
        t0 = START + timedelta(hours=hour)
        rate = 12 if 8 <= t0.hour < 18 and t0.weekday() < 5 else 1
        for t in _poisson_times(rng, t0, rate):
            n += 1
            logger = "odoo.addons.account_tax_export.models.tax_report"
            if TAX[0] <= t < TAX[1]:
                partner = TAX_PARTNERS[n % len(TAX_PARTNERS)]
                items.append((t, "\n".join([
                    f"{_odoo_ts(t)} 4242 ERROR prod {logger}: export of INV/2026/{n:05d} for "
                    f"res.partner({partner},) failed 12 0.010 0.100",
                    "Traceback (most recent call last):",
                    '  File "/odoo/addons/account_tax_export/models/tax_report.py", line 88, in _export',
                    "    raise UserError(msg)",
                    f"odoo.exceptions.UserError: No tax mapping for tax code 'DE19' on fiscal position 'EU B2B' "
                    f"since the configuration change; set property_account_position_id of res.partner({partner},) "
                    f"to 'EU B2B 2027' (account.fiscal.position 9)"])))
            else:
                items.append((t, f"{_odoo_ts(t)} 4242 INFO prod {logger}: exported INV/2026/{n:05d} for "
                                 f"res.partner({1000 + n % 500},) 12 0.010 0.100"))
    items.sort(key=lambda x: x[0])
    return lines + [text for _, text in items]


PARTNER_COLUMNS = ["id", "name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip",
                   "country_id", "is_company", "parent_id", "active", "write_date"]


def partners() -> list[dict]:
    rows = []
    cities = ["Berlin", "Hamburg", "Munich", "Cologne", "Leipzig"]
    for i in range(40):
        pid = 4200 + i
        if pid in (MASTER_PARTNER, SHARED_PARTNER):
            continue
        rows.append({"id": pid, "name": f"{['Nord', 'Sued', 'West', 'Ost'][i % 4]}{i} Handel GmbH",
                     "email": f"info@firm{i}.example", "phone": f"+49 30 {5550000 + i * 7919 % 100000}",
                     "vat": f"DE{100000000 + i * 7654321 % 899999999}", "company_registry": "", "ref": f"C{pid}",
                     "street": f"Hauptstrasse {i}", "city": cities[i % 5], "zip": f"{10115 + i}", "country_id": "Germany",
                     "is_company": True, "parent_id": "", "active": True, "write_date": "2025-03-01 10:00:00"})
    for pid, name in ((MASTER_PARTNER, "Xylo Media International AG"), (SHARED_PARTNER, "Xylo Media International")):
        rows.append({"id": pid, "name": name, "email": "office@xylomedia.example", "phone": "+49 30 1234567",
                     "vat": "DE811234567", "company_registry": "HRB 98765", "ref": "", "street": "Torstrasse 5",
                     "city": "Berlin", "zip": "10119", "country_id": "Germany", "is_company": True, "parent_id": "",
                     "active": True, "write_date": "2025-06-01 09:00:00"})
    for pid in TAX_PARTNERS:
        rows.append({"id": pid, "name": f"Tax Client {pid} SE", "email": f"ap@client{pid}.example", "phone": "",
                     "vat": f"DE{300000000 + pid}", "company_registry": "", "ref": "", "street": "Ring 1",
                     "city": "Frankfurt", "zip": "60311", "country_id": "Germany", "is_company": True, "parent_id": "",
                     "active": True, "write_date": "2026-12-17 09:30:00"})
    return sorted(rows, key=lambda r: r["id"])


LABELS = [
    {"incident_id": "oauth-expiry", "kind": "expired_credential", "flow": "crm_partner_sync",
     "start": OAUTH[0], "end": OAUTH[1], "cause": "credential_auth", "expected_action": "escalate",
     "description": "CRM's OAuth refresh token expired: every call answered 401 invalid_grant"},
    {"incident_id": "tax-mapping", "kind": "error_spike", "flow": "account_tax_export", "start": TAX[0],
     "end": TAX[1], "cause": "configuration", "expected_action": "set_field",
     "affected_records": [f"res.partner:{p}" for p in TAX_PARTNERS],
     "description": "after a fiscal-position change, tax code DE19 has no mapping for three clients"},
    {"incident_id": "duplicate-vat", "kind": "error_spike", "flow": "crm_partner_sync",
     "start": DUP_VAT[0], "end": DUP_VAT[1], "cause": "data_quality", "expected_action": "merge_partners",
     "affected_records": [f"res.partner:{MASTER_PARTNER}", f"res.partner:{SHARED_PARTNER}"],
     "description": "CRM updates of a duplicate partner rejected: its VAT belongs to the master record"},
]


def write_estate(out: Path, seed: int = 14) -> Path:
    """Write the labeled folder; returns it."""
    import csv

    rng = random.Random(seed)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(exist_ok=True)
    (out / "records").mkdir(exist_ok=True)
    with (out / "logs" / "middleware.jsonl").open("w", encoding="utf-8") as fh:
        for ev in middleware_events(rng):
            fh.write(json.dumps(ev) + "\n")
    (out / "logs" / "odoo-server.log").write_text("\n".join(odoo_log(rng)) + "\n", encoding="utf-8")
    (out / "flows.json").write_text(json.dumps(FLOWS, indent=2), encoding="utf-8")
    end = START + timedelta(days=DAYS)
    (out / "world.json").write_text(json.dumps({"start": _iso(START), "end": _iso(end), "seed": seed}), encoding="utf-8")
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for lab in LABELS:
            fh.write(json.dumps({**lab, "start": _iso(lab["start"]), "end": _iso(lab["end"])}) + "\n")
    rows = partners()
    with (out / "records" / "res_partner.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=PARTNER_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    with (out / "labels" / "partner_entities.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,entity\n")
        for r in rows:
            ent = "xylo" if r["id"] in (MASTER_PARTNER, SHARED_PARTNER) else f"p{r['id']}"
            fh.write(f"{r['id']},{ent}\n")
    return out


if __name__ == "__main__":
    print(write_estate(Path(sys.argv[1])))
