"""Estate "harbor": a Dutch accounting firm (Havenkade Accountants) on Odoo 17, 16 days of logs.

Designed from how its systems write, not from the demo world (no code shared with sim/world):
- `filebeat-integrations.ndjson`: a Node integration service shipped by Filebeat in ECS shape
  (`@timestamp`, `log.level`, `integration`, `event.outcome` success/failure, `event.duration` in
  nanoseconds, `http.response.status_code`, `trace.id`, `labels.idempotency_key`, nested objects);
- `queue_job_export.csv`: Odoo's export dialog on queue.job, NOT import-compatible: field labels as
  headers, selection labels as values (`Done`, `Failed`), many2one display names, `Record(s)` JSON;
- `odoo.log`: the Odoo server log with the firm's Peppol addon, queue_job runner/controller lines,
  mail lines, werkzeug access lines.

Distractors labeled "not an incident": two Dutch public holidays (King's Day 27 Apr, Liberation
Day 5 May), an announced maintenance window (Sun 3 May 01:00-05:00), a bursty low-volume carrier
flow, a harmless new INFO message after a deploy, one-off errors every day.

Run: `python evals/estates/harbor/generate.py OUT_DIR` (deterministic).
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 4, 20, tzinfo=UTC)
DAYS = 16
HOLIDAYS = {"2026-04-27", "2026-05-05"}
MAINT = (datetime(2026, 5, 3, 1, tzinfo=UTC), datetime(2026, 5, 3, 5, tzinfo=UTC))
DEPLOY = datetime(2026, 4, 29, 6, 0, tzinfo=UTC)  # new INFO message from here on
DB = "havenkade"


def h(day: int, hour: float) -> datetime:
    return START + timedelta(days=day, hours=hour)


INCIDENTS: list[dict[str, Any]] = [
    dict(incident_id="hv-1", kind="error_spike", flow="webshop-orders", start=h(8, 10), end=h(8, 12.5),
         cause="configuration", expected_action="escalate",
         description="gift-card product lost its tax mapping: ~45% of order imports refused by Odoo"),
    dict(incident_id="hv-2", kind="expired_credential", flow="bank-statements", start=h(9, 7), end=h(9, 13),
         cause="credential_auth", expected_action="escalate",
         description="PSD2 consent expired: every statement poll answered 401 until renewed"),
    dict(incident_id="hv-3", kind="retry_storm", flow="vendor_bills", start=h(10, 9), end=h(10, 12),
         cause="rate_limit", expected_action="requeue_jobs",
         description="OCR provider throttled (429): vendor-bill jobs retried, many gave up"),
    dict(incident_id="hv-4", kind="new_error_signature", flow="einvoice_peppol", start=h(10, 14), end=h(10, 17),
         cause="schema_validation", expected_action="escalate",
         description="access point started rejecting invoices on rule BR-NL-10 (new validation)"),
    dict(incident_id="hv-5", kind="latency_shift", flow="webshop-orders", start=h(11, 13), end=h(11, 16),
         cause="upstream_outage", expected_action="escalate",
         description="Odoo worker saturation: order imports 6x slower"),
    dict(incident_id="hv-6", kind="error_spike", flow="carrier-tracking", start=h(11, 6), end=h(11, 18),
         cause="upstream_outage", expected_action="escalate",
         description="carrier API answered 502 for every tracking batch of the day"),
    dict(incident_id="hv-7", kind="silent_flow", flow="bank-statements", start=h(14, 9), end=h(14, 14),
         cause="upstream_outage", expected_action="escalate",
         description="bank feed connector hung: no statement polls for five working hours"),
    dict(incident_id="hv-8", kind="duplicate_delivery", flow="webshop-orders", start=h(14, 15.2), end=h(14, 15.8),
         cause="data_quality", expected_action="escalate",
         description="webshop re-sent 15 order webhooks with the same idempotency key"),
]

DISTRACTORS: list[dict[str, Any]] = [
    dict(id="hv-d1", kind="public_holiday", flow="*", start=h(7, 0), end=h(8, 0),
         description="King's Day (Koningsdag): office flows near zero, webshop normal"),
    dict(id="hv-d2", kind="public_holiday", flow="*", start=h(15, 0), end=h(16, 0),
         description="Liberation Day (Bevrijdingsdag): office flows near zero"),
    dict(id="hv-d3", kind="maintenance", flow="*", start=MAINT[0], end=MAINT[1],
         description="announced Odoo upgrade window: every flow silent, webshop queues 503s"),
    dict(id="hv-d4", kind="bursty_low_volume", flow="carrier-tracking", start=h(7, 0), end=h(16, 0),
         description="tracking updates arrive in a few batches a day; quiet hours are normal"),
    dict(id="hv-d5", kind="new_info_message", flow="einvoice_peppol", start=DEPLOY, end=h(16, 0),
         description="after the deploy every send logs 'using access point API v3' at INFO"),
    dict(id="hv-d6", kind="one_off_errors", flow="*", start=h(7, 0), end=h(16, 0),
         description="single timeouts and resets scattered over every flow"),
]


def office(day: int) -> bool:
    d = START + timedelta(days=day)
    return d.weekday() < 5 and d.date().isoformat() not in HOLIDAYS


def in_maint(t: datetime) -> bool:
    return MAINT[0] <= t < MAINT[1]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def arrivals(rng: random.Random, day: int, per_hour) -> list[datetime]:
    """Poisson arrivals over one day with an hourly rate function."""
    out: list[datetime] = []
    for hour in range(24):
        lam = per_hour(day, hour)
        n = 0
        if lam > 0:
            # Knuth for small lambda, normal approximation above
            n = max(0, round(rng.gauss(lam, math.sqrt(lam)))) if lam > 30 else _poisson(rng, lam)
        out.extend(h(day, hour + rng.random()) for _ in range(n))
    return sorted(out)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def within(t: datetime, inc: dict) -> bool:
    return inc["start"] <= t < inc["end"]


INC = {i["incident_id"]: i for i in INCIDENTS}


# ------------------------------------------------------------------ Filebeat / ECS JSON lines

def shop_rate(day: int, hour: int) -> float:
    base: float = 14 if 8 <= hour <= 22 else 3
    if (START + timedelta(days=day)).weekday() >= 5:
        base *= 1.3
    return base


def bank_rate(day: int, hour: int) -> float:
    return 4.0 if office(day) and 6 <= hour <= 20 else (0.3 if office(day) else 0.05)


def ecs(t: datetime, integration: str, action: str, outcome: str, dur_ms: float, status: int | None,
        message: str, rng: random.Random, idem: str | None = None, res: list[str] | None = None,
        error: str | None = None, level: str = "info") -> dict:
    doc: dict = {"@timestamp": iso(t), "log": {"level": level, "logger": f"integrations.{integration}"},
                 "integration": integration, "service": {"name": "havenkade-connect", "version": "3.4.1"},
                 "host": {"name": "int-worker-02"},
                 "event": {"action": action, "outcome": outcome, "duration": int(dur_ms * 1_000_000)},
                 "trace": {"id": f"{rng.getrandbits(64):016x}"}, "message": message}
    if status is not None:
        doc["http"] = {"response": {"status_code": status}}
    if idem:
        doc["labels"] = {"idempotency_key": idem}
    if res:
        doc["odoo"] = {"records": res}
    if error:
        doc["error"] = {"message": error, "type": error.split(":")[0]}
    return doc


def json_lines(rng: random.Random, labels_records: dict[str, list[str]]) -> list[tuple[datetime, dict]]:
    out: list[tuple[datetime, dict]] = []
    order_no = 50_000
    for day in range(DAYS):
        for t in arrivals(rng, day, shop_rate):
            order_no += 1
            if in_maint(t):
                if rng.random() < 0.2:
                    out.append((t, ecs(t, "webshop-orders", "sale.order.create", "failure", 30, 503,
                                       f"order {order_no} queued: Odoo under maintenance", rng,
                                       error="HTTPError: 503 Service Unavailable", level="warn")))
                continue
            dur = rng.lognormvariate(math.log(320), 0.35)
            if within(t, INC["hv-5"]):
                dur *= 6
            idem = f"wc-{order_no}"
            so = f"sale.order:{order_no - 38_000}"
            if within(t, INC["hv-1"]) and rng.random() < 0.45:
                out.append((t, ecs(t, "webshop-orders", "sale.order.create", "failure", dur * 0.4, 422,
                                   f"order {order_no} refused", rng, idem,
                                   error="ValidationError: No tax found for product GIFT-CARD in fiscal "
                                         "position Domestic", level="error")))
                continue
            if rng.random() < 0.004:  # one-off
                out.append((t, ecs(t, "webshop-orders", "sale.order.create", "failure", 30_000, 504,
                                   f"order {order_no}: gateway timeout", rng, idem,
                                   error="TimeoutError: upstream timed out after 30000 ms", level="error")))
                continue
            out.append((t, ecs(t, "webshop-orders", "sale.order.create", "success", dur, 201,
                               f"order {order_no} imported", rng, idem, [so])))
            if within(t, INC["hv-8"]) and len(labels_records.setdefault("hv-8", [])) < 15:
                t2 = t + timedelta(seconds=rng.uniform(2, 20))
                dup = f"sale.order:{order_no - 38_000 + 900_000}"
                labels_records["hv-8"].append(dup)
                out.append((t2, ecs(t2, "webshop-orders", "sale.order.create", "success", dur, 201,
                                    f"order {order_no} imported", rng, idem, [dup])))
        if day == 13:
            t = h(day, 11.37)
            out.append((t, ecs(t, "webshop-orders", "sale.order.create", "failure", 12, 500,
                               "order import crashed", rng, error="ConnectionResetError: [Errno 104] Connection "
                                                                   "reset by peer", level="error")))
        for t in arrivals(rng, day, bank_rate):
            if in_maint(t) or within(t, INC["hv-7"]):
                continue
            acct = rng.choice(["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264"])
            if within(t, INC["hv-2"]):
                out.append((t, ecs(t, "bank-statements", "statements.poll", "failure", 90, 401,
                                   f"poll {acct} refused", rng,
                                   error="AuthError: consent expired for account, re-authorise in the bank portal",
                                   level="error")))
                continue
            if rng.random() < 0.01:
                out.append((t, ecs(t, "bank-statements", "statements.poll", "failure", 10_000, 504,
                                   f"poll {acct} timed out", rng, error="TimeoutError: bank API timeout",
                                   level="error")))
                continue
            n = rng.randint(0, 12)
            out.append((t, ecs(t, "bank-statements", "statements.poll", "success", rng.uniform(200, 900), 200,
                               f"{n} transactions imported for {acct}", rng,
                               f"stmt-{acct[-6:]}-{t:%Y%m%d%H%M%S}")))
        # carrier tracking: a few bursts per day, none on weekends/holidays
        if office(day):
            for _ in range(rng.randint(2, 5)):
                t0 = h(day, rng.uniform(6, 19))
                for k in range(rng.randint(4, 18)):
                    t = t0 + timedelta(seconds=k * rng.uniform(1, 4))
                    if within(t, INC["hv-6"]):
                        out.append((t, ecs(t, "carrier-tracking", "picking.track", "failure", 1500, 502,
                                           "tracking batch failed", rng,
                                           error="HTTPError: 502 Bad Gateway from api.postnl.example",
                                           level="error")))
                    else:
                        out.append((t, ecs(t, "carrier-tracking", "picking.track", "success",
                                           rng.uniform(80, 400), 200, "tracking updated", rng,
                                           res=[f"stock.picking:{rng.randint(3000, 9000)}"])))
    return out


# ------------------------------------------------------------------ queue.job export dialog

EXPORT_HEADER = ["UUID", "Description", "Model", "Method Name", "Task", "State", "Priority", "Exception",
                 "Exception Message", "Current try", "Max. retries", "Channel", "Created Date", "Start Date",
                 "Date Done", "Execution Time (avg)", "Record(s)", "Company", "User ID"]


def odt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def job_rows(rng: random.Random, labels_records: dict[str, list[str]]) -> list[list[str]]:
    rows = []
    bill = 7000

    def rate(day: int, hour: int) -> float:
        return 7.0 if office(day) and 8 <= hour <= 18 else (0.2 if office(day) else 0.0)

    for day in range(DAYS):
        for t in arrivals(rng, day, rate):
            if in_maint(t):
                continue
            bill += 1
            uid = f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}"
            rec = json.dumps({"_type": "odoo_recordset", "model": "account.move", "ids": [bill], "uid": 2,
                              "su": False, "context": {"lang": "nl_NL"}})
            started = t + timedelta(seconds=rng.uniform(1, 20))
            done: datetime | None
            state, exc, msg, tries, done, exec_t = "Done", "", "", "0", started + timedelta(seconds=2), \
                f"{rng.uniform(0.6, 2.5):.3f}"
            if within(t, INC["hv-3"]):
                r = rng.random()
                if r < 0.45:
                    state, tries, done = "Failed", "5", None
                    exc = "odoo.addons.queue_job.exception.FailedJobError"
                    msg = "Max. retries (5) reached: OCR service answered 429 Too Many Requests"
                    labels_records.setdefault("hv-3", []).append(f"queue.job:{uid}")
                elif r < 0.85:
                    state, tries, done = "Pending", str(rng.randint(1, 4)), None
                    exc = "odoo.addons.queue_job.exception.RetryableJobError"
                    msg = "OCR service answered 429 Too Many Requests, retry later"
            elif rng.random() < 0.006:
                state, tries, done = "Failed", "1", None
                exc = "odoo.exceptions.UserError"
                msg = f"Vendor bill BILL/2026/{bill} has no vendor VAT number"
            rows.append([uid, f"Digitise vendor bill BILL/2026/{bill}", "account.move", "_ocr_digitise",
                         f"account.move({bill},)._ocr_digitise()", state, "10", exc, msg, tries, "5",
                         "root.vendor_bills", odt(t), odt(started), odt(done) if done else "", exec_t if done else "",
                         rec, "Havenkade Accountants B.V.", "OdooBot"])
    return rows


# ------------------------------------------------------------------ Odoo server log

def odoo_log(rng: random.Random) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    pid = 2211

    def line(t: datetime, level: str, logger: str, msg: str, perf: str = "- - -") -> str:
        return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} {pid} {level} {DB} {logger}: {msg} {perf}"

    move = 12_000
    for day in range(DAYS):
        out.append((h(day, 0.01), f"{h(day, 0.01):%Y-%m-%d %H:%M:%S},000 {pid} INFO ? odoo.service.server: "
                                  "Initiating server reload - - -"))
        for hour in range(24):
            # queue_job runner: heartbeat and dispatch lines, all day
            for _ in range(3):
                t = h(day, hour + rng.random())
                if not in_maint(t):
                    out.append((t, line(t, "INFO", "odoo.addons.queue_job.jobrunner.runner",
                                        f"asking Odoo to run job {rng.getrandbits(32):08x} on db {DB}")))
            if rng.random() < 0.05:
                t = h(day, hour + rng.random())
                out.append((t, line(t, "WARNING", "odoo.addons.queue_job.jobrunner.runner",
                                    "connection to database lost, reconnecting")))
            lam = 6.0 if office(day) and 8 <= hour <= 18 else (0.3 if office(day) else 0.0)
            for _ in range(_poisson(rng, lam)):
                t = h(day, hour + rng.random())
                if in_maint(t):
                    continue
                move += 1
                perf = f"{rng.randint(8, 40)} {rng.uniform(0.01, 0.08):.3f} {rng.uniform(0.2, 1.2):.3f}"
                logger = "odoo.addons.peppol_connector.models.account_move"
                if t >= DEPLOY:
                    out.append((t, line(t, "INFO", "odoo.addons.peppol_connector.models.peppol_api",
                                        "using access point API v3 (https://ap.example.nl/v3)")))
                if within(t, INC["hv-4"]) and rng.random() < 0.6:
                    out.append((t, line(t, "ERROR", logger, f"Peppol send failed for account.move({move},)", perf)
                                + "\nTraceback (most recent call last):\n"
                                  '  File "/opt/odoo/custom/peppol_connector/models/account_move.py", line 214, '
                                  "in _peppol_send\n    self._check_ap_response(resp)\n"
                                  "odoo.exceptions.UserError: Access point rejected the document: [BR-NL-10] "
                                  "supplier KvK number missing"))
                    continue
                if rng.random() < 0.01:
                    out.append((t, line(t, "ERROR", logger, f"Peppol send failed for account.move({move},)", perf)
                                + "\nTraceback (most recent call last):\n"
                                  '  File "/usr/lib/python3/dist-packages/requests/adapters.py", line 501, in send\n'
                                  "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='ap.example.nl', "
                                  "port=443): Read timed out. (read timeout=30)"))
                    continue
                out.append((t, line(t, "INFO", logger, f"invoice account.move({move},) sent to Peppol, "
                                                       f"message id {rng.getrandbits(40):010x}", perf)))
            if rng.random() < 0.5:
                t = h(day, hour + rng.random())
                out.append((t, line(t, "INFO", "werkzeug", f'10.0.0.{rng.randint(2, 40)} - - [{t:%d/%b/%Y %H:%M:%S}] '
                                                           '"POST /web/dataset/call_kw HTTP/1.1" 200 - 12 0.010 0.090')))
            if rng.random() < 0.3:
                t = h(day, hour + rng.random())
                out.append((t, line(t, "INFO", "odoo.addons.mail.models.mail_mail",
                                    f"Mail with ID {rng.randint(1000, 9999)} and Message-Id "
                                    f"'<{rng.getrandbits(40):x}@havenkade.nl>' successfully sent")))
        if day in (9, 12):
            t = h(day, 10.5)
            out.append((t, line(t, "ERROR", "odoo.addons.mail.models.mail_mail",
                                "failed sending mail (id: 4412) due to SMTP error")
                        + "\nTraceback (most recent call last):\n"
                          "smtplib.SMTPServerDisconnected: Connection unexpectedly closed"))
            t2 = h(day, 10.51)
            out.append((t2, line(t2, "ERROR", "odoo.addons.queue_job.controllers.main",
                                 "Traceback in job 3f1c2a77 (will be retried)")
                        + "\nTraceback (most recent call last):\n"
                          "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent "
                          "update"))
    return out


FLOWS = [
    {"name": "webshop-orders", "source_system": "woocommerce", "target_system": "odoo",
     "owner": "ecommerce@havenkade.example", "criticality": "high",
     "description": "webshop orders imported as sale.order through the havenkade-connect service"},
    {"name": "bank-statements", "source_system": "bank", "target_system": "odoo",
     "owner": "finance-ops@havenkade.example", "criticality": "critical",
     "description": "PSD2 bank statement polls imported into account.bank.statement"},
    {"name": "carrier-tracking", "source_system": "postnl", "target_system": "odoo",
     "owner": "logistics@havenkade.example", "criticality": "low",
     "description": "tracking updates on stock.picking, in a few batches a day"},
    {"name": "vendor_bills", "source_system": "odoo", "target_system": "ocr",
     "owner": "finance-ops@havenkade.example", "criticality": "high",
     "description": "vendor bills digitised by the OCR provider through queue.job",
     "channels": ["root.vendor_bills"], "models": ["account.move"]},
    {"name": "einvoice_peppol", "source_system": "odoo", "target_system": "peppol",
     "owner": "finance-systems@havenkade.example", "criticality": "critical",
     "description": "customer invoices sent over Peppol by the peppol_connector addon",
     "loggers": ["odoo.addons.peppol_connector"]},
]


def build(out: Path) -> dict:
    rng = random.Random(20260420)
    out.mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(exist_ok=True)
    (out / "labels").mkdir(exist_ok=True)
    recs: dict[str, list[str]] = {}
    counts = {}
    js = sorted(json_lines(rng, recs), key=lambda x: x[0])
    with (out / "logs" / "filebeat-integrations.ndjson").open("w", encoding="utf-8", newline="\n") as fh:
        for _t, doc in js:
            fh.write(json.dumps(doc, separators=(",", ":")) + "\n")
    counts["filebeat-integrations.ndjson"] = len(js)
    jobs = job_rows(rng, recs)
    with (out / "logs" / "queue_job_export.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(EXPORT_HEADER)
        w.writerows(jobs)
    counts["queue_job_export.csv"] = len(jobs)
    lines = sorted(odoo_log(rng), key=lambda x: x[0])
    with (out / "logs" / "odoo.log").open("w", encoding="utf-8", newline="\n") as fh:
        for _t, text in lines:
            fh.write(text + "\n")
    counts["odoo.log"] = len(lines)
    with (out / "labels" / "incidents.jsonl").open("w", encoding="utf-8") as fh:
        for inc in INCIDENTS:
            d = {**inc, "start": iso(inc["start"]), "end": iso(inc["end"]),
                 "affected_records": recs.get(inc["incident_id"], [])}
            fh.write(json.dumps(d) + "\n")
    with (out / "labels" / "not_incidents.jsonl").open("w", encoding="utf-8") as fh:
        for d in DISTRACTORS:
            fh.write(json.dumps({**d, "start": iso(d["start"]), "end": iso(d["end"])}) + "\n")
    (out / "flows.json").write_text(json.dumps(FLOWS, indent=2) + "\n")
    manifest = {"estate": "harbor", "start": iso(START), "end": iso(START + timedelta(days=DAYS)), "days": DAYS,
                "systems": ["filebeat/ECS JSON", "Odoo export dialog (labels)", "Odoo 17 server log"],
                "holidays": sorted(HOLIDAYS),
                "maintenance": [{"start": iso(MAINT[0]), "end": iso(MAINT[1]), "flows": "*"}],
                "records": counts}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    # the firm's business calendar as its settings would hold it: its public holidays (maintenance is
    # announced in the logs and must be found there)
    (out / "calendar.json").write_text(json.dumps({"holidays": sorted(HOLIDAYS)}, indent=2) + "\n")
    return manifest


if __name__ == "__main__":
    print(json.dumps(build(Path(sys.argv[1] if len(sys.argv) > 1 else "harbor-estate")), indent=2))
