"""Records read straight from Odoo, with the read-only user, in the shape an export would have:
the matchers and batch triage take them exactly like a CSV or JSON file."""

from __future__ import annotations

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


def read_gateway(settings: Settings | None = None) -> OdooGateway:
    """The gateway for reads; a clear error when Odoo's read key is not configured."""
    settings = settings or load_settings()
    if settings.odoo.read_key is None:
        raise InputError("reading from Odoo needs TRIAGE_ODOO_URL, TRIAGE_ODOO_DB and TRIAGE_ODOO_READ_KEY "
                         "(see README: Approvals and Odoo)")
    return OdooGateway.from_settings(settings)


def _search_read(gw: OdooGateway, model: str, domain: list[Any], fields: list[str],
                 context: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    try:
        return gw.search_read(model, domain, fields, context=context)
    except OdooError as exc:
        raise InputError(f"reading {model} from Odoo failed: {exc}") from exc


def read_partners(gw: OdooGateway, *, include_archived: bool = False) -> list[dict[str, Any]]:
    ctx = {"active_test": False} if include_archived else None
    return _search_read(gw, "res.partner", [], PARTNER_FIELDS, ctx)


def read_projects(gw: OdooGateway, *, include_archived: bool = False) -> list[dict[str, Any]]:
    ctx = {"active_test": False} if include_archived else None
    return _search_read(gw, "project.project", [], PROJECT_FIELDS, ctx)


def read_failed_jobs(gw: OdooGateway, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """queue.job records in state failed (optionally created since a moment), as an export lists them."""
    domain: list[Any] = [["state", "=", "failed"]]
    if since is not None:
        domain.append(["date_created", ">=", since.strftime("%Y-%m-%d %H:%M:%S")])
    return _search_read(gw, "queue.job", domain, QUEUE_JOB_FIELDS)
