"""Estate "meridian" (the held-out estate): a UK engineering consultancy, Odoo 18 with Boomi and MuleSoft.

Designed independently of the demo world and of the harbor estate (no shared code), from how these
products export:
- `boomi_process_reporting.csv`: Boomi AtomSphere "Process Reporting" exported through Excel on a UK
  Windows desktop: cp1252, CRLF, `;` as delimiter, dd/mm/yyyy times, `COMPLETE`/`ERROR`/`ABORTED`;
- `mule-json-logger.log`: MuleSoft JSON Logger output, one object per line: `timestamp` with an offset,
  `flowName`, `tracePoint` (START/END/EXCEPTION), `priority`, `elapsed` ms, `correlationId`, `content`;
- `queue_job.csv`: Odoo export dialog in import-compatible mode (technical headers and an `id` column of
  external ids), UTF-8 with BOM, `record_ids` as a JSON list.

Distractors labeled "not an incident": Good Friday and Easter Monday (UK bank holidays), an announced
maintenance window (Sat 20 Mar 22:00 - Sun 02:00), a bursty low-volume product feed every four hours,
a harmless new INFO message, one-off errors.

Run: `python evals/estates/meridian/generate.py OUT_DIR` (deterministic).
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2027, 3, 8, tzinfo=UTC)
N_DAYS = 24
BANK_HOLIDAYS = ("2027-03-26", "2027-03-29")
WINDOW = (datetime(2027, 3, 20, 22, tzinfo=UTC), datetime(2027, 3, 21, 2, tzinfo=UTC))
NEW_INFO_FROM = datetime(2027, 3, 22, 7, tzinfo=UTC)

SF = "SF Opportunity -> Odoo Sale Order"
ADP = "Odoo Timesheets -> ADP Payroll"
SHOP = "Odoo Products -> Shopify"
XERO = "xero-invoice-export"
HUB = "hubspot-contact-sync"
SEPA = "sepa-payments"


def at(day: int, hour: float) -> datetime:
    return T0 + timedelta(days=day, hours=hour)


LABELS = [
    ("mr-1", "expired_credential", XERO, at(8, 13), at(8, 17), "credential_auth", "escalate",
     "Xero OAuth refresh token revoked: every invoice post answered 401"),
    ("mr-2", "error_spike", SF, at(9, 9), at(9, 11), "configuration", "escalate",
     "Boomi map writes x_studio_region, removed from sale.order by a Studio change"),
    ("mr-3", "retry_storm", SEPA, at(10, 10), at(10, 13), "upstream_outage", "requeue_jobs",
     "bank gateway 503: payment export jobs retried and gave up"),
    ("mr-4", "duplicate_delivery", HUB, at(15, 14), at(15, 14.7), "data_quality", "merge_partners",
     "HubSpot re-sent contact.creation webhooks: the same eventId processed twice"),
    ("mr-5", "silent_flow", ADP, at(16, 8), at(16, 16), "configuration", "escalate",
     "Boomi schedule disabled by mistake: no timesheet exports for a working day"),
    ("mr-6", "latency_shift", XERO, at(17, 10), at(17, 14), "upstream_outage", "escalate",
     "Xero API degraded: invoice posts five times slower"),
    ("mr-7", "new_error_signature", SEPA, at(22, 9), at(22, 12), "data_quality", "escalate",
     "SEPA instant rejected for creditors whose BIC is not reachable"),
]
NOT_INCIDENTS = [
    ("mr-n1", "public_holiday", "*", at(18, 0), at(19, 0), "Good Friday: office flows near zero"),
    ("mr-n2", "public_holiday", "*", at(21, 0), at(22, 0), "Easter Monday: office flows near zero"),
    ("mr-n3", "maintenance", "*", WINDOW[0], WINDOW[1], "announced Odoo 18 upgrade: everything stops"),
    ("mr-n4", "bursty_low_volume", SHOP, at(7, 0), at(24, 0), "product feed runs every four hours, in bursts"),
    ("mr-n5", "new_info_message", XERO, NEW_INFO_FROM, at(24, 0), "new INFO line about the tenant header"),
    ("mr-n6", "one_off_errors", "*", at(7, 0), at(24, 0), "single errors in every flow"),
]


def working(day: int) -> bool:
    d = T0 + timedelta(days=day)
    return d.weekday() < 5 and d.date().isoformat() not in BANK_HOLIDAYS


def down(t: datetime) -> bool:
    return WINDOW[0] <= t < WINDOW[1]


def active(t: datetime, label: str) -> bool:
    lab = next(x for x in LABELS if x[0] == label)
    return lab[3] <= t < lab[4]


def times(rng: random.Random, day: int, rate_fn) -> list[datetime]:
    out = []
    for hour in range(24):
        expected = rate_fn(day, hour)
        n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        n = max(0, n + rng.choice((-1, 0, 0, 1)) if n > 2 else n)
        out += [at(day, hour + rng.random()) for _ in range(n)]
    return sorted(out)


# --------------------------------------------------------------------------- Boomi CSV (cp1252, ;)

CUSTOMERS = ["Müller & Söhne Ltd", "Øresund Consulting", "Café Noël Ltd", "Brontë Structures", "Jones & Co"]


def boomi(rng: random.Random) -> list[tuple[datetime, list[str]]]:
    rows = []

    def row(t, process, status, dur, din, dout, err):
        return (t, [t.strftime("%d/%m/%Y %H:%M:%S"), process, "Atom-UK-Prod-01", status, str(int(dur)), str(din),
                    str(dout), err, f"execution-{rng.getrandbits(64):016x}-{t:%Y.%m.%d}"])

    for day in range(N_DAYS):
        def sf_rate(d, hr):
            return 9.0 if working(d) and 8 <= hr < 19 else (0.5 if working(d) else 0.2)

        for t in times(rng, day, sf_rate):
            if down(t):
                continue
            cust = rng.choice(CUSTOMERS)
            if active(t, "mr-2") and rng.random() < 0.6:
                rows.append(row(t, SF, "ERROR", 800, 1, 0, f"Odoo returned: Invalid field 'x_studio_region' on "
                                                          f"model 'sale.order' (opportunity for {cust})"))
            elif rng.random() < 0.005:
                rows.append(row(t, SF, "ERROR", 60000, 1, 0, "Connection timed out: connect to odoo.meridian.example:443"))
            else:
                rows.append(row(t, SF, "COMPLETE", rng.uniform(1500, 4000), 1, 1, ""))

        def adp_rate(d, hr):
            return 6.0 if working(d) and 8 <= hr < 18 else 0.0

        for t in times(rng, day, adp_rate):
            if down(t) or active(t, "mr-5"):
                continue
            if rng.random() < 0.004:
                rows.append(row(t, ADP, "ABORTED", 120, 1, 0, "Process aborted by user £ rate table locked"))
            else:
                rows.append(row(t, ADP, "COMPLETE", rng.uniform(3000, 9000), rng.randint(20, 80), 1, ""))
        for start_hour in (2, 6, 10, 14, 18, 22):  # product feed, a burst every four hours
            t0 = at(day, start_hour + rng.uniform(0, 0.2))
            if down(t0):
                continue
            for k in range(rng.randint(3, 12)):
                t = t0 + timedelta(seconds=k * rng.uniform(3, 9))
                status, err = ("ERROR", "Shopify 429: Exceeded 2 calls per second") if rng.random() < 0.01 else \
                    ("COMPLETE", "")
                rows.append(row(t, SHOP, status, rng.uniform(400, 1200), 25, 25 if status == "COMPLETE" else 0, err))
    return rows


# --------------------------------------------------------------------------- Mule JSON logger

def mule(rng: random.Random, dup_contacts: list[str]) -> list[tuple[datetime, dict]]:
    out = []

    def entry(t, flow, trace, prio, msg, elapsed=None, content=None, corr=None):
        stamp = (t + timedelta(hours=0)).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+00:00"
        d = {"correlationId": corr or f"{rng.getrandbits(128):032x}", "message": msg, "tracePoint": trace,
             "priority": prio, "locationInfo": {"rootContainer": flow, "component": "json-logger:logger",
                                                "fileName": f"{flow}.xml", "lineInFile": str(rng.randint(20, 90))},
             "timestamp": stamp, "applicationName": "meridian-odoo-integrations", "applicationVersion": "2.7.0",
             "environment": "prod", "threadName": f"[MuleRuntime].uber.{rng.randint(1, 40)}: [app].{flow}",
             "flowName": flow}
        if elapsed is not None:
            d["elapsed"] = int(elapsed)
        if content is not None:
            d["content"] = content
        return (t, d)

    for day in range(N_DAYS):
        def xero_rate(d, hr):
            return 7.0 if working(d) and 7 <= hr < 19 else 0.4

        for t in times(rng, day, xero_rate):
            if down(t):
                continue
            corr = f"{rng.getrandbits(128):032x}"
            inv = rng.randint(10_000, 99_999)
            out.append(entry(t, XERO, "START", "INFO", f"posting invoice INV/{inv} to Xero", corr=corr))
            if t >= NEW_INFO_FROM:
                out.append(entry(t, XERO, "FLOW", "INFO", "Xero-Tenant-Id header set from tenant cache", corr=corr))
            el = rng.lognormvariate(6.3, 0.3) * (5 if active(t, "mr-6") else 1)
            t_end = t + timedelta(milliseconds=el)
            if active(t, "mr-1"):
                out.append(entry(t_end, XERO, "EXCEPTION", "ERROR", "HTTP POST on resource 'https://api.xero.com/"
                                 "api.xro/2.0/Invoices' failed: unauthorized (401)", el,
                                 {"httpStatus": 401, "odooModel": "account.move"}, corr))
            elif rng.random() < 0.005:
                out.append(entry(t_end, XERO, "EXCEPTION", "ERROR", "HTTP POST on resource 'https://api.xero.com/"
                                 "api.xro/2.0/Invoices' failed: Remotely closed", el, {"httpStatus": 502}, corr))
            else:
                out.append(entry(t_end, XERO, "END", "INFO", f"invoice INV/{inv} posted", el,
                                 {"httpStatus": 200, "odooModel": "account.move", "odooId": inv}, corr))

        def hub_rate(d, hr):
            return 3.0 if 7 <= hr < 22 else 0.6

        for t in times(rng, day, hub_rate):
            if down(t):
                continue
            event_id = str(rng.getrandbits(40))
            pid = rng.randint(5000, 9000)
            content = {"eventId": event_id, "subscriptionType": "contact.creation", "odooPartnerId": pid,
                       "httpStatus": 200}
            out.append(entry(t, HUB, "END", "INFO", "contact upserted as res.partner", rng.uniform(150, 600), content))
            if active(t, "mr-4") and len(dup_contacts) < 10:
                t2 = t + timedelta(seconds=rng.uniform(5, 40))
                dup = {**content, "odooPartnerId": pid + 100_000}
                dup_contacts.append(f"res.partner:{pid + 100_000}")
                out.append(entry(t2, HUB, "END", "INFO", "contact upserted as res.partner", rng.uniform(150, 600),
                                 dup))
            elif rng.random() < 0.004:
                out.append(entry(t, HUB, "EXCEPTION", "ERROR", "email already used by an archived contact",
                                 90, {"eventId": event_id, "httpStatus": 409}))
    return out


# --------------------------------------------------------------------------- queue.job (import-compatible)

JOB_COLUMNS = ["id", "uuid", "name", "model_name", "method_name", "state", "priority", "exc_name", "exc_message",
               "retry", "max_retries", "channel", "date_created", "date_enqueued", "date_started", "date_done",
               "exec_time", "record_ids", "company_id/id"]


def jobs(rng: random.Random, affected: list[str]) -> list[list[str]]:
    rows = []
    pay = 3000
    for day in range(N_DAYS):
        def rate(d, hr):
            return 4.0 if working(d) and 9 <= hr < 17 else 0.0

        for t in times(rng, day, rate):
            if down(t):
                continue
            pay += 1
            uid = "-".join(f"{rng.getrandbits(b * 4):0{b}x}" for b in (8, 4, 4, 4, 12))
            st = t + timedelta(seconds=rng.uniform(0.5, 30))
            done: datetime | None
            state, exc, msg, retry, done = "Done", "", "", 0, st + timedelta(seconds=rng.uniform(1, 4))
            if active(t, "mr-3"):
                if rng.random() < 0.5:
                    state, exc, retry, done = "Failed", "odoo.addons.queue_job.exception.FailedJobError", 5, None
                    msg = "Max. retries (5) reached: bank gateway 503 Service Unavailable"
                    affected.append(f"queue.job:{uid}")
                else:
                    state, exc, retry, done = "Pending", "odoo.addons.queue_job.exception.RetryableJobError", \
                        rng.randint(1, 4), None
                    msg = "bank gateway 503 Service Unavailable, retry in 600 s"
            elif active(t, "mr-7") and rng.random() < 0.35:
                state, exc, retry, done = "Failed", "odoo.exceptions.ValidationError", 1, None
                msg = f"SEPA Instant: creditor BIC not reachable (payment PAY/{pay})"
            elif rng.random() < 0.006:
                state, exc, retry, done = "Failed", "odoo.exceptions.UserError", 1, None
                msg = "Bank account of partner is missing"
            rows.append([f"__export__.queue_job_{pay}_{uid[:8]}", uid, f"Send payment PAY/{pay} to bank",
                         "account.payment", "_send_sepa", state, "10", exc, msg, str(retry), "5",
                         "root.sepa_payments", f"{t:%Y-%m-%d %H:%M:%S}", f"{t:%Y-%m-%d %H:%M:%S}",
                         f"{st:%Y-%m-%d %H:%M:%S}", f"{done:%Y-%m-%d %H:%M:%S}" if done else "",
                         f"{rng.uniform(0.4, 2):.2f}" if done else "0.0", json.dumps([pay]), "base.main_company"])
    return rows


FLOWS = [
    {"name": SF, "source_system": "salesforce", "target_system": "odoo", "owner": "sales-ops@meridian.example",
     "criticality": "high", "description": "Boomi process: won opportunities become sale orders"},
    {"name": ADP, "source_system": "odoo", "target_system": "adp", "owner": "payroll@meridian.example",
     "criticality": "high", "description": "Boomi process: approved timesheets to ADP"},
    {"name": SHOP, "source_system": "odoo", "target_system": "shopify", "owner": "web@meridian.example",
     "criticality": "low", "description": "Boomi process: product catalogue to Shopify every four hours"},
    {"name": XERO, "source_system": "odoo", "target_system": "xero", "owner": "finance@meridian.example",
     "criticality": "critical", "description": "Mule flow: posted invoices to Xero"},
    {"name": HUB, "source_system": "hubspot", "target_system": "odoo", "owner": "marketing-ops@meridian.example",
     "criticality": "medium", "description": "Mule flow: HubSpot contact webhooks upserted as res.partner"},
    {"name": SEPA, "source_system": "odoo", "target_system": "bank", "owner": "treasury@meridian.example",
     "criticality": "critical", "description": "queue.job channel root.sepa_payments: payments to the bank",
     "channels": ["root.sepa_payments"]},
]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(out: Path) -> dict:
    rng = random.Random(1707)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    (out / "labels").mkdir(exist_ok=True)
    dup: list[str] = []
    failed: list[str] = []
    b = sorted(boomi(rng), key=lambda r: r[0])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["Execution Time", "Process Name", "Atom Name", "Status", "Execution Duration (ms)",
                "Inbound Document Count", "Outbound Document Count", "Error Message", "Execution ID"])
    w.writerows(r for _t, r in b)
    (out / "logs" / "boomi_process_reporting.csv").write_bytes(buf.getvalue().encode("cp1252"))
    m = sorted(mule(rng, dup), key=lambda r: r[0])
    with (out / "logs" / "mule-json-logger.log").open("w", encoding="utf-8") as fh:
        for _t, d in m:
            fh.write(json.dumps(d) + "\n")
    j = jobs(rng, failed)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(JOB_COLUMNS)
    w.writerows(j)
    (out / "logs" / "queue_job.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    recs = {"mr-3": failed, "mr-4": dup}
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for iid, kind, flow, s, e, cause, action, desc in LABELS:
            fh.write(json.dumps({"incident_id": iid, "kind": kind, "flow": flow, "start": iso(s), "end": iso(e),
                                 "cause": cause, "expected_action": action, "affected_records": recs.get(iid, []),
                                 "description": desc}) + "\n")
    with (out / "labels" / "not_incidents.jsonl").open("w", encoding="utf-8") as fh:
        for nid, kind, flow, s, e, desc in NOT_INCIDENTS:
            fh.write(json.dumps({"id": nid, "kind": kind, "flow": flow, "start": iso(s), "end": iso(e),
                                 "description": desc}) + "\n")
    (out / "flows.json").write_text(json.dumps(FLOWS, indent=2) + "\n")
    manifest = {"estate": "meridian", "heldout": False, "start": iso(T0), "end": iso(T0 + timedelta(days=N_DAYS)),
                "days": N_DAYS, "holidays": list(BANK_HOLIDAYS),
                "maintenance": [{"start": iso(WINDOW[0]), "end": iso(WINDOW[1]), "flows": "*"}],
                "systems": ["Boomi process reporting via Excel (cp1252, ;)", "MuleSoft JSON Logger",
                            "Odoo export dialog, import-compatible"],
                "records": {"boomi_process_reporting.csv": len(b), "mule-json-logger.log": len(m),
                            "queue_job.csv": len(j)}}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    # the firm's business calendar as its settings would hold it: its bank holidays (maintenance is
    # announced in the logs and must be found there)
    (out / "calendar.json").write_text(json.dumps({"holidays": list(BANK_HOLIDAYS)}, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1] if len(sys.argv) > 1 else "meridian-estate")), indent=2))
