"""What the stand-in holds: a small built-in world, or the demo world's exported records."""

from __future__ import annotations

import csv
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

from odoo_triage.sim.odoo_sandbox.orm import FIELDS, M2O, SandboxData, SandboxUser

ADMIN_LOGIN, READ_LOGIN, WRITE_LOGIN = "admin", "triage-read", "triage-write"


def default_users(keys: dict[str, str] | None = None) -> list[SandboxUser]:
    """admin (Settings: may merge different e-mails), a read user and a write user, each with an API
    key and a web password (`keys["<login>:password"]` fixes it). The read user holds the queue-job
    manager group, as OCA requires to read jobs at all: it could requeue them too."""
    keys = keys or {}

    def key(login: str) -> str:
        return keys.get(login) or secrets.token_hex(20)

    def password(login: str) -> str:
        return keys.get(f"{login}:password") or secrets.token_hex(12)

    return [
        SandboxUser(ADMIN_LOGIN, key(ADMIN_LOGIN), uid=2, access="admin", name="Administrator",
                    password=password(ADMIN_LOGIN)),
        SandboxUser(READ_LOGIN, key(READ_LOGIN), uid=6, access="read", name="Triage (read)",
                    password=password(READ_LOGIN)),
        SandboxUser(WRITE_LOGIN, key(WRITE_LOGIN), uid=7, access="write", name="Triage (write)",
                    password=password(WRITE_LOGIN)),
    ]


def demo_data(keys: dict[str, str] | None = None, db: str = "odoo", version: int = 19) -> SandboxData:
    """A small world with every case the rules care about (duplicates, a parent/child pair,
    different e-mails, e-mails differing only in case, four look-alikes, two partners with users,
    journal items, failed, started and dependent jobs)."""
    data = SandboxData(users=default_users(keys), db=db, version=version)
    p = data.add
    p("res.country", id=20, name="Belgium", code="BE")
    p("res.company", id=1, name="YourCompany", partner_id=1)
    p("res.partner", id=1, name="YourCompany", is_company=True, email="info@yourcompany.example")
    p("res.partner", id=7, name="Acme Corporation", is_company=True, email="info@acme.example",
      vat="BE0477472701", street="Rue de la Loi 16", country_id=20)
    p("res.partner", id=12, name="ACME Corp.", is_company=True, email="info@acme.example",
      city="Brussels", phone="+32 2 555 01 00", zip="1000")
    p("res.partner", id=13, name="Jane Doe", parent_id=12, email="jane@acme.example", type="contact")
    p("res.partner", id=20, name="Globex", is_company=True, email="contact@globex.example")
    p("res.partner", id=21, name="Globex Inc", is_company=True, email="sales@globex.example")
    for i in (30, 31, 32, 33):
        p("res.partner", id=i, name="Initech", is_company=True, email="hello@initech.example")
    p("res.partner", id=40, name="Umbrella", is_company=True, email="desk@umbrella.example")
    p("res.partner", id=41, name="Umbrella Desk", parent_id=40, email="desk@umbrella.example")
    p("res.partner", id=50, name="Hooli", is_company=True, email="Info@hooli.example")
    p("res.partner", id=51, name="Hooli SA", is_company=True, email="info@hooli.example ")
    p("res.partner", id=60, name="Vandelay Industries", is_company=True, email="art@vandelay.example")
    p("res.partner", id=61, name="Vandelay Ind.", is_company=True, email="art@vandelay.example")
    # a portal user on each Vandelay (one archived): Odoo refuses to merge partners of two users
    p("res.users", id=20, login="art@vandelay.example", name="Art Vandelay", partner_id=60, share=True)
    p("res.users", id=21, login="art.old@vandelay.example", name="Art (old)", partner_id=61, share=True,
      active=False)
    p("account.move.line", id=1, move_name="INV/2026/00042", name="Rollout", partner_id=12, parent_state="posted",
      debit=1200.0, date="2026-10-01")
    p("account.move.line", id=2, move_name="INV/2026/00042", name="Rollout", partner_id=12, parent_state="posted",
      credit=1200.0, date="2026-10-01")
    p("project.project", id=1, name="Acme rollout", partner_id=12)
    p("project.project", id=2, name="Globex support", partner_id=21)
    p("project.project", id=3, name="Initech archive", partner_id=30)
    p("project.project", id=4, name="Acme phase 2", partner_id=7)
    for i, state in enumerate(["failed", "failed", "failed", "started", "done", "wait_dependencies"], start=1):
        p("queue.job", id=i, uuid=str(uuid.UUID(int=i)), name=f"Export invoice INV/2026/{i:05d}",
          model_name="account.move", method_name="export_invoice", channel="root.invoice_export",
          state=state, retry=3 if state == "failed" else 0,
          exc_name="requests.exceptions.HTTPError" if state == "failed" else False,
          exc_message="503 Server Error: Service Unavailable" if state == "failed" else False,
          date_created="2026-11-02 09:00:00")
    p("queue.job", id=7, uuid=str(uuid.UUID(int=7)), name="Export invoice INV/2026/00007 (after 6)",
      model_name="account.move", method_name="export_invoice", channel="root.invoice_export", state="failed",
      retry=1, depends_on=[6], exc_name="requests.exceptions.HTTPError", exc_message="502 Bad Gateway",
      exc_info="Traceback (most recent call last):\n  ...\nrequests.exceptions.HTTPError: 502 Bad Gateway",
      date_created="2026-11-02 09:00:00")
    return data


def _coerce(model: str, fname: str, raw: str) -> Any:
    ftype = FIELDS[model][fname]
    raw = (raw or "").strip()
    if raw == "" or raw.lower() in ("false", "none", "null"):
        return 0 if ftype == "integer" else 0.0 if ftype == "float" else False
    if ftype == "float":
        try:
            return float(raw)
        except ValueError:
            return 0.0
    if ftype == "boolean":
        return raw.lower() in ("1", "true", "t", "yes", "y")
    if ftype in ("integer", M2O):
        m = re.search(r"\d+", raw)
        return int(m.group()) if m else False
    return raw


def _load_csv(data: SandboxData, model: str, path: Path) -> int:
    if not path.exists():
        return 0
    n = 0
    job_ids: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            values = {f: _coerce(model, f, v) for f, v in row.items() if f and f in FIELDS[model]
                      and f not in ("display_name", "complete_name")}
            if model == "queue.job":
                # an export lists a retried job once per attempt (same uuid): the last row is its state
                uuid_ = values.get("uuid") or f"row-{n}"
                values["id"] = values.get("id") or job_ids.get(uuid_) or len(job_ids) + 1
                job_ids[uuid_] = values["id"]
            elif not values.get("id"):
                continue
            data.add(model, **values)
            n += 1
    return n


def load_world(world_dir: Path | str, keys: dict[str, str] | None = None, db: str = "odoo",
               version: int = 19) -> SandboxData:
    """The demo world's records (records/res_partner.csv, records/project_project.csv,
    logs/queue_job.csv): Odoo field names as columns; unknown columns are ignored."""
    world = Path(world_dir)
    data = SandboxData(users=default_users(keys), db=db, version=version)
    _load_csv(data, "res.partner", world / "records" / "res_partner.csv")
    _load_csv(data, "project.project", world / "records" / "project_project.csv")
    _load_csv(data, "queue.job", world / "logs" / "queue_job.csv")
    return data
