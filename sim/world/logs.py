"""The four log files, written one simulated day at a time so a million events stay cheap.

Every random draw comes from one numpy Generator in a fixed order, so a seed gives the same bytes.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from odoo_triage.sim.world.incidents import Window

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
N_EMPLOYEES = 420


@dataclass(frozen=True)
class FlowSpec:
    name: str
    source: str
    target: str
    owner: str
    criticality: str
    description: str
    share: float
    err_rate: float
    lat_median_ms: float
    lat_sigma: float
    month_end: bool = False


FLOWS = [
    FlowSpec("crm_partner_sync", "crm", "odoo", "crm-team@firm.example", "high",
             "CRM accounts and contacts upserted into Odoo res.partner", 0.21, 0.012, 180, 0.5),
    FlowSpec("esign_project_webhook", "esign", "odoo", "delivery-ops@firm.example", "high",
             "signed engagement letters (e-signature webhook) create Odoo projects", 0.08, 0.006, 350, 0.45),
    FlowSpec("hr_employee_sync", "hris", "odoo", "people-systems@firm.example", "medium",
             "HRIS employees written to Odoo hr.employee through the JSON-2 API", 0.11, 0.008, 120, 0.4),
    FlowSpec("psa_timesheet_import", "psa", "odoo", "pmo@firm.example", "high",
             "PSA timesheets imported as Odoo account.analytic.line", 0.28, 0.010, 250, 0.5, True),
    FlowSpec("invoice_export", "odoo", "finance", "finance-systems@firm.example", "critical",
             "posted invoices exported to the finance system by queue.job (channel root.invoice_export)",
             0.22, 0.012, 900, 0.5, True),
    FlowSpec("payroll_export", "odoo", "payroll", "payroll@firm.example", "high",
             "payslip batches exported to the payroll provider by an Odoo cron", 0.10, 0.010, 800, 0.45),
]
FLOW_BY_NAME = {f.name: f for f in FLOWS}

_BUSINESS = np.array([.04, .03, .03, .03, .04, .08, .2, .5, .9, 1, 1, 1, .8, .9, 1, 1, .9, .7, .4, .25, .15, .1,
                      .07, .05])


def _profile(flow: str, weekday: bool) -> np.ndarray:
    b = _BUSINESS
    hours = np.arange(24)
    if flow == "crm_partner_sync":
        return b if weekday else b * 0.1 + 0.01
    if flow == "esign_project_webhook":
        day = (hours >= 8) & (hours <= 19)
        return np.where(day, b, 0.01) if weekday else np.where(day, 0.03, 0.005)
    if flow == "hr_employee_sync":
        base = b * 0.6 if weekday else np.full(24, 0.02)
        return base + np.where(hours == 2, 3.0, 0.0)
    if flow == "psa_timesheet_import":
        w = b.copy()
        w[16], w[17], w[18] = 1.4, 1.3, 0.8
        return w if weekday else b * 0.08 + 0.005
    if flow == "invoice_export":
        return b if weekday else b * 0.05 + 0.005
    # payroll_export: nightly run at 01:00, hourly runs in business hours on weekdays
    w = np.where(hours == 1, 6.0, 0.0)
    if weekday:
        w = w + np.where((hours >= 8) & (hours <= 18), 0.5, 0.0)
    return w


def month_end_days(start: datetime, days: int) -> set[int]:
    """Day indexes that are one of the last two business days of a month, or a 1st."""
    out = set()
    dates = [(start + timedelta(days=d)).date() for d in range(days)]
    for i, dt in enumerate(dates):
        if dt.day == 1:
            out.add(i)
        nxt = dt.replace(day=28) + timedelta(days=4)
        last = nxt - timedelta(days=nxt.day)
        bdays: list[date] = []
        cur = last
        while len(bdays) < 2:
            if cur.weekday() < 5:
                bdays.append(cur)
            cur -= timedelta(days=1)
        if dt in bdays:
            out.add(i)
    return out


def hourly_counts(rng: np.random.Generator, start: datetime, days: int, events: int) -> dict[str, np.ndarray]:
    me = month_end_days(start, days)
    me_factor = {d: 3 + 2 * rng.random() for d in sorted(me)}
    out = {}
    for f in FLOWS:
        w = np.concatenate([
            _profile(f.name, (start + timedelta(days=d)).weekday() < 5) * (me_factor.get(d, 1.0) if f.month_end else 1)
            for d in range(days)
        ])
        lam = events * f.share * w / w.sum()
        out[f.name] = rng.poisson(lam).reshape(days, 24)
    return out


# --------------------------------------------------------------------------- time formatting

_DAY_STR: dict[int, str] = {}


def _day(ms: int) -> str:
    d = ms // DAY_MS
    s = _DAY_STR.get(d)
    if s is None:
        s = _DAY_STR[d] = datetime.fromtimestamp(d * 86400, UTC).strftime("%Y-%m-%d")
    return s


def _clock(ms: int) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds and milliseconds into the UTC day."""
    h, r = divmod(ms % DAY_MS, HOUR_MS)
    m, r = divmod(r, 60_000)
    s, f = divmod(r, 1000)
    return h, m, s, f


def iso_ms(ms: int) -> str:
    h, m, s, f = _clock(ms)
    return f"{_day(ms)}T{h:02d}:{m:02d}:{s:02d}.{f:03d}Z"


def odoo_dt(ms: int) -> str:
    h, m, s, _f = _clock(ms)
    return f"{_day(ms)} {h:02d}:{m:02d}:{s:02d}"


def log_ts(ms: int) -> str:
    h, m, s, f = _clock(ms)
    return f"{_day(ms)} {h:02d}:{m:02d}:{s:02d},{f:03d}"


def to_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _hex(rng: np.random.Generator, n: int) -> list[str]:
    return [f"{x:016x}" for x in rng.integers(0, 2**63 - 1, n, dtype=np.int64).tolist()]


# --------------------------------------------------------------------------- normal errors


def _pick(rng: np.random.Generator, items: list) -> Any:
    return items[int(rng.integers(len(items)))]


def normal_error(flow: str, rng: np.random.Generator) -> tuple[int, str]:
    """(http status, message) of an everyday failure, with the variable parts real ones have."""
    r = int(rng.integers(4))
    rid = int(rng.integers(10, 5000))
    req = f"{int(rng.integers(0, 2**40)):010x}"
    if flow == "crm_partner_sync":
        return [
            (422, f"ValidationError: The VAT number BE0{int(rng.integers(100000000, 999999999))} does not seem "
                  f"valid (partner {rid})"),
            (409, f"LockError: could not serialize access due to concurrent update on res.partner({rid},)"),
            (504, f"Gateway Timeout after 30000 ms calling POST /json/2/res.partner/write (request_id=req_{req})"),
            (422, f"ValidationError: Invalid email address '{_pick(rng, ['jan', 'info', 'sales'])}"
                  f"@@{_pick(rng, ['acme', 'nordic', 'atlas'])}.example' for partner {rid}"),
        ][r]
    if flow == "esign_project_webhook":
        env = f"env_{req}"
        return [
            (422, f"ValidationError: Customer {rid} not found for envelope {env}"),
            (500, f"Internal Server Error while creating project for envelope {env} (request_id=req_{req[::-1]})"),
            (400, f"Malformed payload: missing field 'customer.vat' in envelope {env}"),
            (404, f"MissingError: Record does not exist or has been deleted. (Record: project.project({rid},), "
                  f"User: 2)"),
        ][r]
    if flow == "hr_employee_sync":
        emp = int(rng.integers(1, N_EMPLOYEES))
        return [
            (422, f"ValidationError: Employee {emp} has no department mapping for cost center "
                  f"CC-{int(rng.integers(100, 999))}"),
            (409, f"LockError: could not obtain lock on hr.employee({emp},)"),
            (422, f"ValidationError: Work email {_pick(rng, FIRST_LOWER)}.{emp}@firm.example is already used by "
                  f"employee {int(rng.integers(1, N_EMPLOYEES))}"),
            (500, f"psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update "
                  f"(request_id=req_{req})"),
        ][r]
    if flow == "psa_timesheet_import":
        emp = int(rng.integers(1, N_EMPLOYEES))
        day = f"2026-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"
        return [
            (422, f"ValidationError: Timesheet of employee {emp} on {day} exceeds 24 hours "
                  f"({24 + rng.random() * 6:.2f} h)"),
            (422, f"ValidationError: Task {rid} is closed; cannot log {0.25 * int(rng.integers(1, 33)):.2f} h "
                  f"on {day}"),
            (404, f"MissingError: project.project({rid},) does not exist or has been deleted"),
            (503, f"Service Unavailable: Odoo worker timeout after {int(rng.integers(60, 120))} s "
                  f"(request_id=req_{req})"),
        ][r]
    return 500, f"Unexpected error {req}"


FIRST_LOWER = ["jan", "sofie", "pieter", "emma", "lukas", "marie", "thomas", "julia"]


# --------------------------------------------------------------------------- batches


@dataclass
class Batch:
    """One flow's events of one day, as parallel arrays (plus per-event overrides)."""

    ts: np.ndarray
    status: np.ndarray  # 0 ok, 1 error, 2 retry
    lat: np.ndarray
    http: np.ndarray
    retry: np.ndarray
    err: list[str | None]
    extra: dict[int, dict] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ts)

    def keep(self, mask: np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        self.ts, self.status, self.lat = self.ts[idx], self.status[idx], self.lat[idx]
        self.http, self.retry = self.http[idx], self.retry[idx]
        self.err = [self.err[i] for i in idx.tolist()]
        remap = {old: new for new, old in enumerate(idx.tolist())}
        self.extra = {remap[k]: v for k, v in self.extra.items() if k in remap}

    def add(self, ts: int, status: int, lat: float, http: int, err: str | None, extra: dict) -> None:
        n = len(self.ts)
        self.ts = np.append(self.ts, ts)
        self.status = np.append(self.status, status)
        self.lat = np.append(self.lat, lat)
        self.http = np.append(self.http, http)
        self.retry = np.append(self.retry, 0)
        self.err.append(err)
        self.extra[n] = extra

    def sort(self) -> None:
        order = np.argsort(self.ts, kind="stable")
        if (order == np.arange(len(order))).all():
            return
        self.keep_order(order)

    def keep_order(self, order: np.ndarray) -> None:
        inv = {old: new for new, old in enumerate(order.tolist())}
        self.ts, self.status, self.lat = self.ts[order], self.status[order], self.lat[order]
        self.http, self.retry = self.http[order], self.retry[order]
        self.err = [self.err[i] for i in order.tolist()]
        self.extra = {inv[k]: v for k, v in self.extra.items()}


def draw_batch(rng: np.random.Generator, f: FlowSpec, day_ms: int, counts: np.ndarray) -> Batch:
    n = int(counts.sum())
    hours = np.repeat(np.arange(24, dtype=np.int64), counts)
    lat = rng.lognormal(math.log(f.lat_median_ms), f.lat_sigma, n)
    if f.name == "payroll_export":
        # a cron: each hourly run starts a few seconds after the hour and sends payslips one by one
        ts = np.empty(n, dtype=np.int64)
        pos = 0
        for h, c in enumerate(counts.tolist()):
            if c:
                gaps = lat[pos:pos + c] + rng.integers(5, 60, c)
                ts[pos:pos + c] = day_ms + h * HOUR_MS + int(rng.integers(1000, 9000)) + np.cumsum(gaps).astype(np.int64)
                pos += c
        ts = np.minimum(ts, day_ms + DAY_MS - 1)
    else:
        ts = np.sort(day_ms + hours * HOUR_MS + rng.integers(0, HOUR_MS, n))
    u = rng.random(n)
    status = np.where(u < f.err_rate, 1, np.where(u < f.err_rate + 0.003, 2, 0)).astype(np.int8)
    retry = np.where(status == 2, rng.integers(1, 3, n), 0)
    http = np.full(n, 200, dtype=np.int64)
    err: list[str | None] = [None] * n
    for i in np.flatnonzero(status == 1).tolist():
        if f.name in ("invoice_export", "payroll_export"):
            err[i] = "error"  # the writer of those formats draws its own exception
            http[i] = 500
        else:
            http[i], err[i] = normal_error(f.name, rng)
    for i in np.flatnonzero(status == 2).tolist():
        code = int(_pick(rng, [503, 504, 429]))
        http[i] = code
        err[i] = {503: "503 Service Unavailable", 504: "504 Gateway Timeout", 429: "429 Too Many Requests"}[code] + \
            f" (attempt {int(retry[i])}/3, retrying in {int(rng.integers(5, 60))} s)"
    return Batch(ts.astype(np.int64), status, lat, http, retry, err)


# --------------------------------------------------------------------------- incidents on batches


def apply_incidents(rng: np.random.Generator, b: Batch, flow: str, day_ms: int, windows: list[Window]) -> None:
    for w in windows:
        if w.spec.flow != flow:
            continue
        ws, we = to_ms(w.start), to_ms(w.end)
        if we <= day_ms or ws >= day_ms + DAY_MS:
            continue
        inside = (b.ts >= ws) & (b.ts < we)
        kind = w.spec.kind
        if kind == "error_spike":
            hit = np.flatnonzero(inside & (rng.random(len(b)) < w.params["fail_rate"]))
            for i in hit.tolist():
                b.status[i], b.http[i] = 1, 410
                b.err[i] = (f"410 Gone: API version v2 is no longer supported; use /v3 "
                            f"(request_id=req_{int(rng.integers(0, 2**40)):010x})")
        elif kind == "latency_shift":
            b.lat[inside] *= w.params["factor"]
        elif kind == "silent_flow":
            b.keep(~inside)
        elif kind == "expired_credential":
            for i in np.flatnonzero(inside).tolist():
                b.status[i], b.http[i], b.retry[i] = 1, 401, 0
                b.err[i] = '{"name":"werkzeug.exceptions.Unauthorized","message":"Invalid apikey"}'
        elif kind == "duplicate_delivery":
            for t1, t2, key, orig, dup in w.params["deliveries"]:
                for t, pid in ((t1, orig), (t2, dup)):
                    if day_ms <= t < day_ms + DAY_MS:
                        b.add(t, 0, float(rng.lognormal(math.log(350), 0.45)), 200, None,
                              {"idem": key, "op": "create project.project", "rec": f"project.project:{pid}"})
        elif kind == "new_error_signature":
            for t, emp in w.params["failures"]:
                if day_ms <= t < day_ms + DAY_MS:
                    b.add(t, 1, float(rng.lognormal(math.log(800), 0.45)), 500, "iban", {"emp": emp})
        # retry_storm is written by the queue.job writer, which knows about attempts
    b.sort()


# --------------------------------------------------------------------------- writers


def _jstr(s: str | None) -> str:
    return "null" if s is None else json.dumps(s, ensure_ascii=False)


class MiddlewareWriter:
    """logs/middleware.jsonl: three flows merged in time order."""

    OPS = {"crm_partner_sync": ["upsert res.partner"],
           "esign_project_webhook": ["write project.project", "write project.project", "create project.project"],
           "hr_employee_sync": ["write hr.employee"] * 9 + ["create hr.employee"]}

    def __init__(self, path: Path, partner_ids: list[int], project_ids: list[int]) -> None:
        self.fh = path.open("w", encoding="utf-8")
        self.line = 0
        self.count = 0
        self.partner_ids = np.array(partner_ids)
        self.project_ids = np.array(project_ids)

    def write_day(self, rng: np.random.Generator, batches: dict[str, Batch], malformed: list[dict] | None) -> None:
        parts = []
        for name in ("crm_partner_sync", "esign_project_webhook", "hr_employee_sync"):
            parts.append(self._lines(rng, name, batches[name]))
        ts = np.concatenate([p[0] for p in parts]) if parts else np.array([], dtype=np.int64)
        lines = [ln for p in parts for ln in p[1]]
        order = np.argsort(ts, kind="stable").tolist()
        out = [lines[i] for i in order]
        if malformed is not None and out:
            cut = out[0][: max(20, len(out[0]) // 2)]
            out.insert(1, cut)
            malformed.append({"file": "middleware.jsonl", "line": self.line + 2, "reason": "truncated JSON line"})
            self.count -= 0
        self.fh.write("\n".join(out) + "\n" if out else "")
        self.line += len(out)

    def _lines(self, rng: np.random.Generator, name: str, b: Batch) -> tuple[np.ndarray, list[str]]:
        f = FLOW_BY_NAME[name]
        n = len(b)
        corr = _hex(rng, n)
        msg = _hex(rng, n)
        keys = _hex(rng, n)
        ops = self.OPS[name]
        op_idx = rng.integers(0, len(ops), n).tolist()
        if name == "crm_partner_sync":
            recs = [f'"res.partner:{x}"' for x in rng.choice(self.partner_ids, n).tolist()]
        elif name == "esign_project_webhook":
            recs = ([f'"project.project:{x}"' for x in rng.choice(self.project_ids, n).tolist()]
                    if len(self.project_ids) else [""] * n)
        else:
            recs = [f'"hr.employee:{x}"' for x in rng.integers(1, N_EMPLOYEES + 1, n).tolist()]
        head = f'"flow":"{name}","source":"{f.source}","target":"{f.target}"'
        status_s = ("ok", "error", "retry")
        out = []
        ts_l, st_l, lat_l, http_l, rt_l = b.ts.tolist(), b.status.tolist(), b.lat.tolist(), b.http.tolist(), \
            b.retry.tolist()
        for i in range(n):
            op = ops[op_idx[i]]
            ex = b.extra.get(i)
            rec = recs[i]
            if name == "crm_partner_sync":
                idem = f'"crm:{keys[i]}"'
            elif name == "esign_project_webhook":
                idem = f'"env_{keys[i]}:{"completed" if op.startswith("create") else "status"}"'
            else:
                idem = "null"
            if ex:
                op = ex.get("op", op)
                idem = f'"{ex["idem"]}"' if "idem" in ex else idem
                rec = f'"{ex["rec"]}"' if "rec" in ex else rec
            out.append(
                f'{{"ts":"{iso_ms(ts_l[i])}",{head},"operation":"{op}","status":"{status_s[st_l[i]]}",'
                f'"latency_ms":{lat_l[i]:.1f},"http_status":{http_l[i]},"error":{_jstr(b.err[i])},'
                f'"retry":{rt_l[i]},"correlation_id":"{corr[i]}","idempotency_key":{idem},'
                f'"record_ids":[{rec}],"message_id":"msg-{msg[i]}"}}'
            )
        self.count += n
        return b.ts, out

    def close(self) -> None:
        self.fh.close()


class PsaWriter:
    """logs/psa_timesheets.csv."""

    HEADER = ["timestamp", "flow", "source", "target", "operation", "status", "latency_ms", "http_status", "error",
              "retry", "correlation_id", "idempotency_key", "record_ids"]

    def __init__(self, path: Path) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="")
        self.w = csv.writer(self.fh, lineterminator="\n")
        self.w.writerow(self.HEADER)
        self.line = 1
        self.count = 0
        self.next_line_id = 880_000

    def write_day(self, rng: np.random.Generator, b: Batch, malformed: list[dict] | None) -> None:
        n = len(b)
        corr = _hex(rng, n)
        emps = rng.integers(1, N_EMPLOYEES + 1, n).tolist()
        status_s = ("ok", "error", "retry")
        rows = []
        ts_l, st_l, lat_l, http_l, rt_l = b.ts.tolist(), b.status.tolist(), b.lat.tolist(), b.http.tolist(), \
            b.retry.tolist()
        for i in range(n):
            lid = self.next_line_id + i
            rows.append([iso_ms(ts_l[i]), "psa_timesheet_import", "psa", "odoo", "create account.analytic.line",
                         status_s[st_l[i]], f"{lat_l[i]:.1f}", http_l[i], b.err[i] or "", rt_l[i], corr[i],
                         f"psa-te-{lid}", f"account.analytic.line:{lid};hr.employee:{emps[i]}"])
        self.next_line_id += n
        if malformed is not None and rows:
            broken = rows[0][:7]
            rows.insert(1, broken)
            malformed.append({"file": "psa_timesheets.csv", "line": self.line + 2,
                              "reason": "CSV row with 7 of 13 fields (truncated export)"})
        self.w.writerows(rows)
        self.line += len(rows)
        self.count += n

    def close(self) -> None:
        self.fh.close()


def _traceback(frames: list[tuple[str, int, str, str]], exc: str, msg: str) -> list[str]:
    out = ["Traceback (most recent call last):"]
    for path, lineno, func, code in frames:
        out.append(f'  File "{path}", line {lineno}, in {func}')
        out.append(f"    {code}")
    out.append(f"{exc}: {msg}")
    return out


QJ_HEADER = ["uuid", "name", "model_name", "method_name", "func_string", "state", "priority", "exc_name",
             "exc_message", "exc_info", "retry", "max_retries", "channel", "date_created", "date_enqueued",
             "date_started", "date_done", "exec_time", "records"]
RETRYABLE = "odoo.addons.queue_job.exception.RetryableJobError"
FAILED = "odoo.addons.queue_job.exception.FailedJobError"
_QJ_FRAMES = [
    ("/opt/odoo/addons/queue_job/controllers/main.py", 33, "_try_perform_job", "job.perform()"),
    ("/opt/odoo/addons/queue_job/job.py", 536, "perform", "self.result = self.func(*tuple(self.args), **self.kwargs)"),
    ("/opt/odoo/addons/finance_export/models/account_move.py", 88, "_export_to_finance",
     "response = self._finance_client().post_invoice(payload)"),
]


class QueueJobWriter:
    """logs/queue_job.csv: an export of queue.job; a retried job appears once per attempt (same uuid)."""

    def __init__(self, path: Path, end_ms: int) -> None:
        self.fh = path.open("w", encoding="utf-8", newline="")
        self.w = csv.writer(self.fh, lineterminator="\n")
        self.w.writerow(QJ_HEADER)
        self.count = 0
        self.end_ms = end_ms
        self.move_id = 40_000
        self.inv_seq = 1200
        self.failed_in_storm: list[str] = []

    def _uuid(self, rng: np.random.Generator) -> str:
        h = "".join(_hex(rng, 2))
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def _normal_exc(self, rng: np.random.Generator, move: int, inv: str) -> tuple[str, str]:
        r = int(rng.integers(3))
        if r == 0:
            return "odoo.exceptions.UserError", f"Invoice {inv} has no partner bank account"
        if r == 1:
            return ("requests.exceptions.ReadTimeout",
                    f"HTTPSConnectionPool(host='api.finance.example', port=443): Read timed out. "
                    f"(read timeout={_pick(rng, [30, 60])})")
        a = rng.random() * 20000
        return ("odoo.exceptions.ValidationError",
                f"Amount {a:.2f} EUR of account.move({move},) does not match ledger total {a + rng.random() * 90:.2f} EUR")

    def write_day(self, rng: np.random.Generator, b: Batch, storms: list[Window]) -> None:
        rows: list[tuple[int, list]] = []
        n = len(b)
        enq = rng.integers(200, 20_000, n).tolist()
        ts_l, st_l, lat_l, rt_l = b.ts.tolist(), b.status.tolist(), b.lat.tolist(), b.retry.tolist()
        for i in range(n):
            self.move_id += 1
            self.inv_seq += 1
            move, inv = self.move_id, f"INV/2026/{self.inv_seq:05d}"
            uuid = self._uuid(rng)
            t = ts_l[i]
            created = t - enq[i]
            base = [uuid, f"Export invoice {inv} to finance", "account.move", "_export_to_finance",
                    f"account.move({move},)._export_to_finance()"]
            tail = ["root.invoice_export"]
            storm = next((w for w in storms if to_ms(w.start) <= t < to_ms(w.end)), None)
            exec_s = lat_l[i] / 1000
            if storm is not None:
                we = to_ms(storm.end)
                for k in range(6):
                    at = t + k * 600_000 + (int(rng.integers(0, 30_000)) if k else 0)
                    if at >= we:
                        rows.append((at, base + ["done", 10, "", "", "", k, 5] + tail + [
                            odoo_dt(created), odoo_dt(created + 150), odoo_dt(at), odoo_dt(at + int(lat_l[i])),
                            f"{exec_s:.3f}", f"account.move({move},)"]))
                        break
                    msg = (f"429 Client Error: Too Many Requests for url: https://api.finance.example/v1/invoices "
                           f"(Retry-After: {int(rng.integers(30, 120))})")
                    retry = k + 1
                    if retry < 5:
                        info = "\n".join(_traceback(_QJ_FRAMES + [(
                            "/opt/odoo/addons/finance_export/models/account_move.py", 91, "_export_to_finance",
                            "raise RetryableJobError(str(exc), seconds=600)")], RETRYABLE, msg))
                        rows.append((at, base + ["pending", 10, RETRYABLE, msg, info, retry, 5] + tail + [
                            odoo_dt(created), odoo_dt(created + 150), odoo_dt(at), "", "0.000",
                            f"account.move({move},)"]))
                    else:
                        fmsg = f"Max. retries (5) reached: {msg}"
                        info = "\n".join(_traceback(_QJ_FRAMES[:2], FAILED, fmsg))
                        rows.append((at, base + ["failed", 10, FAILED, fmsg, info, retry, 5] + tail + [
                            odoo_dt(created), odoo_dt(created + 150), odoo_dt(at), "", f"{exec_s:.3f}",
                            f"account.move({move},)"]))
                        self.failed_in_storm.append(f"queue.job:{uuid}")
                        break
                continue
            if t > self.end_ms - 20 * 60_000:
                state = _pick(rng, ["pending", "enqueued", "started"])
                rows.append((t, base + [state, 10, "", "", "", 0, 5] + tail + [
                    odoo_dt(created), odoo_dt(created + 150) if state != "pending" else "",
                    odoo_dt(t) if state == "started" else "", "", "0.000", f"account.move({move},)"]))
                continue
            if st_l[i] == 1:
                exc, msg = self._normal_exc(rng, move, inv)
                info = "\n".join(_traceback(_QJ_FRAMES, exc, msg))
                rows.append((t, base + ["failed", 10, exc, msg, info, int(rng.integers(0, 2)), 5] + tail + [
                    odoo_dt(created), odoo_dt(created + 150), odoo_dt(t), "", f"{exec_s:.3f}",
                    f"account.move({move},)"]))
                continue
            rows.append((t, base + ["done", 10, "", "", "", rt_l[i], 5] + tail + [
                odoo_dt(created), odoo_dt(created + 150), odoo_dt(t), odoo_dt(t + int(lat_l[i])), f"{exec_s:.3f}",
                f"account.move({move},)"]))
        rows.sort(key=lambda r: r[0])
        self.w.writerows(r[1] for r in rows)
        self.count += len(rows)

    def close(self) -> None:
        self.fh.close()


_PAYROLL_FRAMES = [
    ("/opt/odoo/odoo/addons/base/models/ir_cron.py", 566, "_callback", "self.env['ir.actions.server'].browse(server_action_id).run()"),
    ("/opt/odoo/addons/payroll_export/models/payroll_batch.py", 212, "_cron_export_batches", "batch._export_batch()"),
    ("/opt/odoo/addons/payroll_export/models/payroll_batch.py", 148, "_export_batch",
     "payload = self._build_payload(slip)"),
]


class ServerLogWriter:
    """logs/odoo-server.log: payroll_export lines, tracebacks after ERROR lines, a little noise."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("w", encoding="utf-8")
        self.line = 0
        self.count = 0
        self.batch_seq = 40
        self.slip_seq = 12_000

    def _perf(self, rng: np.random.Generator, lat_ms: float) -> str:
        qt = lat_ms / 1000 * (0.05 + 0.25 * rng.random())
        return f"{int(rng.integers(5, 220))} {qt:.3f} {lat_ms / 1000 - qt:.3f}"

    def _noise(self, rng: np.random.Generator, day_ms: int, first: bool, restart: bool) -> list[tuple[int, list[str]]]:
        out = []
        if first or restart:
            t = day_ms + (3 * HOUR_MS + int(rng.integers(0, 600_000)) if restart else 2_000)
            pid = int(rng.integers(4700, 4800))
            out.append((t, [f"{log_ts(t)} {pid} INFO ? odoo: Odoo version 19.0-20261015 - - -"]))
            out.append((t + 40, [f"{log_ts(t + 40)} {pid} INFO ? odoo.service.server: HTTP service (werkzeug) "
                                 f"running on 0.0.0.0:8069 - - -"]))
            out.append((t + 2900, [f"{log_ts(t + 2900)} {pid} INFO prod odoo.modules.loading: Modules loaded. "
                                   f"412 0.201 1.918"]))
        for _ in range(int(rng.integers(1, 3))):
            t = day_ms + int(rng.integers(8 * HOUR_MS, 18 * HOUR_MS))
            ip = f"10.0.{int(rng.integers(1, 9))}.{int(rng.integers(2, 250))}"
            dt = datetime.fromtimestamp(t / 1000, UTC).strftime("%d/%b/%Y %H:%M:%S")
            path = _pick(rng, ["/web/dataset/call_kw/hr.payslip.run/web_read", "/web/action/load",
                               "/web/dataset/call_kw/hr.payslip/web_search_read"])
            out.append((t, [f'{log_ts(t)} {int(rng.integers(4700, 4800))} INFO prod werkzeug: {ip} - - [{dt}] '
                            f'"POST {path} HTTP/1.1" 200 - {int(rng.integers(3, 60))} '
                            f'{rng.random() * 0.05:.3f} {rng.random() * 0.3:.3f}']))
        return out

    def write_day(self, rng: np.random.Generator, b: Batch, day_ms: int, first: bool, restart: bool,
                  malformed: list[dict] | None) -> None:
        entries = self._noise(rng, day_ms, first, restart)
        n = len(b)
        pid = int(rng.integers(4700, 4800))
        ts_l, st_l, lat_l, rt_l = b.ts.tolist(), b.status.tolist(), b.lat.tolist(), b.retry.tolist()
        emps = rng.integers(1, N_EMPLOYEES + 1, n).tolist()
        kinds = rng.random(n).tolist()
        last_hour = -1
        prefix = "odoo.addons.payroll_export.models"
        for i in range(n):
            t = ts_l[i]
            hour = (t - day_ms) // HOUR_MS
            if hour != last_hour:
                self.batch_seq += 1
                last_hour = hour
            ym = _day(t)[:7].replace("-", "/")
            batch = f"PB/{ym}/{self.batch_seq:04d}"
            self.slip_seq += 1
            slip = f"SLIP/{ym}/{self.slip_seq:05d}"
            emp = emps[i]
            ex = b.extra.get(i)
            if ex and "emp" in ex:
                emp = ex["emp"]
            ts = log_ts(t)
            if st_l[i] == 0:
                if kinds[i] < 0.15:
                    line = (f"{ts} {pid} INFO prod {prefix}.payroll_batch: exported payslip batch {batch} "
                            f"({int(rng.integers(3, 40))} payslips) to payroll provider {self._perf(rng, lat_l[i])}")
                else:
                    line = (f"{ts} {pid} INFO prod {prefix}.payroll_provider: sent payslip {slip} of employee {emp} "
                            f"in batch {batch} to payroll provider (HTTP 201) {self._perf(rng, lat_l[i])}")
                entries.append((t, [line]))
            elif st_l[i] == 2:
                entries.append((t, [f"{ts} {pid} WARNING prod {prefix}.payroll_provider: payroll provider answered "
                                    f"HTTP 503 for payslip {slip} of employee {emp}, retry {rt_l[i]}/3 in "
                                    f"{int(rng.integers(10, 60))} s - - -"]))
            else:
                if b.err[i] == "iban":
                    exc = "odoo.exceptions.ValidationError"
                    msg = f"The IBAN of employee {emp} does not match the SEPA schema (field bank_account_id)"
                    frames = _PAYROLL_FRAMES + [
                        ("/opt/odoo/addons/payroll_export/models/sepa.py", 61, "_check_iban", "raise ValidationError(msg)")]
                else:
                    r = int(rng.integers(3))
                    if r == 0:
                        exc, msg = "odoo.exceptions.ValidationError", (
                            f"Employee {emp} has no running contract on {_day(t)}")
                    elif r == 1:
                        exc, msg = "odoo.exceptions.ValidationError", f"Payslip {slip} of employee {emp} is still in draft"
                    else:
                        exc, msg = "requests.exceptions.ConnectTimeout", (
                            f"HTTPSConnectionPool(host='api.payroll.example', port=443): Max retries exceeded with url: "
                            f"/v2/payslips (connect timeout={_pick(rng, [10, 20])})")
                    frames = _PAYROLL_FRAMES
                first_line = (f"{ts} {pid} ERROR prod {prefix}.payroll_batch: export of payslip {slip} of employee "
                              f"{emp} in batch {batch} failed: {msg} {self._perf(rng, lat_l[i])}")
                entries.append((t, [first_line] + _traceback(frames, exc, msg)))
        self.count += n
        entries.sort(key=lambda e: e[0])
        out: list[str] = []
        for k, (_t, lines) in enumerate(entries):
            out.extend(lines)
            if malformed is not None and k == 0:
                out.append(f"{lines[0][:27]}\ufffd\ufffd INF")
                malformed.append({"file": "odoo-server.log", "line": self.line + len(out),
                                  "reason": "garbled, truncated log line"})
        if out:
            self.fh.write("\n".join(out) + "\n")
        self.line += len(out)

    def close(self) -> None:
        self.fh.close()


def write_logs(rng: np.random.Generator, logs_dir: Path, start: datetime, days: int, events: int,
               windows: list[Window], partner_ids: list[int], project_ids: list[int]) -> dict[str, Any]:
    counts = hourly_counts(rng, start, days, events)
    start_ms = to_ms(start)
    end_ms = start_ms + days * DAY_MS
    mw = MiddlewareWriter(logs_dir / "middleware.jsonl", partner_ids, project_ids)
    psa = PsaWriter(logs_dir / "psa_timesheets.csv")
    qj = QueueJobWriter(logs_dir / "queue_job.csv", end_ms)
    srv = ServerLogWriter(logs_dir / "odoo-server.log")
    malformed: list[dict] = []
    storms = [w for w in windows if w.spec.kind == "retry_storm"]
    bad_days = {"mw": {2, min(9, days - 1)}, "psa": {4}, "srv": {5}}
    per_flow = dict.fromkeys((f.name for f in FLOWS), 0)
    for d in range(days):
        day_ms = start_ms + d * DAY_MS
        batches = {}
        for f in FLOWS:
            b = draw_batch(rng, f, day_ms, counts[f.name][d])
            apply_incidents(rng, b, f.name, day_ms, windows)
            batches[f.name] = b
        for name, b in batches.items():
            per_flow[name] += len(b)
        mw.write_day(rng, batches, malformed if d in bad_days["mw"] else None)
        psa.write_day(rng, batches["psa_timesheet_import"], malformed if d in bad_days["psa"] else None)
        qj.write_day(rng, batches["invoice_export"], storms)
        srv.write_day(rng, batches["payroll_export"], day_ms, d == 0, d == 6,
                      malformed if d in bad_days["srv"] else None)
    for writer in (mw, psa, qj, srv):
        writer.close()
    for storm in storms:
        storm.affected = list(qj.failed_in_storm)
    per_file = {"middleware.jsonl": mw.count, "psa_timesheets.csv": psa.count, "queue_job.csv": qj.count,
                "odoo-server.log": srv.count}
    per_flow["invoice_export"] = qj.count  # one row per attempt
    return {"per_file": per_file, "per_flow": per_flow, "total": sum(per_file.values()), "malformed_lines": malformed}
