"""Records read straight from Odoo, with the read-only user, in the shape an export would have:
the matchers and batch triage take them exactly like a CSV or JSON file.

Reads are paged by an id cursor (`id > last`, ordered by id, `page_size` per call), so any database
size stays within the RPC timeout, and a record created or deleted between two pages neither shifts
nor repeats the rest (offset paging would). A callback sees the progress after each page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from odoo_triage.agent.odoo_gateway import OdooError, OdooGateway
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import Settings, load_settings

PARTNER_FIELDS = ["id", "name", "email", "phone", "vat", "company_registry", "ref", "street", "city", "zip",
                  "country_id", "is_company", "parent_id", "commercial_partner_id", "active", "write_date"]
PROJECT_FIELDS = ["id", "name", "partner_id", "user_id", "company_id", "active", "date_start", "date"]
QUEUE_JOB_FIELDS = ["uuid", "name", "model_name", "method_name", "func_string", "state", "priority", "exc_name",
                    "exc_message", "exc_info", "retry", "max_retries", "channel", "date_created", "date_enqueued",
                    "date_started", "date_done", "exec_time"]


@dataclass(frozen=True)
class ReadProgress:
    """After each page: how many records of `model` are read, of `total` counted before the first page."""

    model: str
    done: int
    total: int
    pages: int


ProgressCallback = Callable[[ReadProgress], None]


def read_gateway(settings: Settings | None = None) -> OdooGateway:
    """The gateway for reads; a clear error when Odoo's read key is not configured."""
    settings = settings or load_settings()
    if settings.odoo.read_key is None:
        raise InputError("reading from Odoo needs TRIAGE_ODOO_URL, TRIAGE_ODOO_DB and TRIAGE_ODOO_READ_KEY "
                         "(see README: Approvals and Odoo)")
    return OdooGateway.from_settings(settings)


def read_all(gw: OdooGateway, model: str, domain: list[Any], fields: list[str], *,
             context: dict[str, Any] | None = None, page_size: int | None = None,
             progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    """Every record matching `domain`, page by page (id cursor); `page_size` defaults to the settings'."""
    size = page_size or gw.settings.page_size
    wanted = list(fields)
    fetch = wanted if "id" in wanted else ["id", *wanted]
    total = gw.search_count(model, domain, context=context)
    rows: list[dict[str, Any]] = []
    last, pages = 0, 0
    while True:
        page = gw.search_read(model, [*domain, ["id", ">", last]], fetch, limit=size, order="id asc",
                              context=context)
        pages += 1
        rows.extend(page)
        if progress is not None:
            progress(ReadProgress(model=model, done=len(rows), total=max(total, len(rows)), pages=pages))
        if len(page) < size:
            break
        top = max(int(r["id"]) for r in page)
        if top <= last:  # a server that ignores the cursor would loop forever
            raise OdooError(f"paged read of {model} did not advance past id {last}", name="paging")
        last = top
    if "id" not in wanted:
        for r in rows:
            r.pop("id", None)
    return rows


def _read(gw: OdooGateway, model: str, domain: list[Any], fields: list[str], context: dict[str, Any] | None,
          progress: ProgressCallback | None) -> list[dict[str, Any]]:
    try:
        return read_all(gw, model, domain, fields, context=context, progress=progress)
    except OdooError as exc:
        raise InputError(f"reading {model} from Odoo failed: {exc}") from exc


def read_partners(gw: OdooGateway, *, include_archived: bool = False,
                  progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    ctx = {"active_test": False} if include_archived else None
    return _read(gw, "res.partner", [], PARTNER_FIELDS, ctx, progress)


def read_projects(gw: OdooGateway, *, include_archived: bool = False,
                  progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    ctx = {"active_test": False} if include_archived else None
    return _read(gw, "project.project", [], PROJECT_FIELDS, ctx, progress)


def read_failed_jobs(gw: OdooGateway, *, since: datetime | None = None,
                     progress: ProgressCallback | None = None) -> list[dict[str, Any]]:
    """queue.job records in state failed (optionally created since a moment), as an export lists them."""
    domain: list[Any] = [["state", "=", "failed"]]
    if since is not None:
        domain.append(["date_created", ">=", since.strftime("%Y-%m-%d %H:%M:%S")])
    return _read(gw, "queue.job", domain, QUEUE_JOB_FIELDS, None, progress)
