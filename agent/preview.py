"""What a proposal would change, shown before anyone approves or executes it.

- `read_targets`: the records an action touches, as Odoo holds them now (read-only user).
- `predict_after`: the same records as they will hold after the action, and `diff` of the two.
- `job_table`: a requeue as a table of jobs (uuid, name, state, error, attempts), from Odoo when it
  can be read, else from the incident's evidence, instead of a wall of uuids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from odoo_triage.agent.actions import ArchiveProject, MergePartners, PostNote, RequeueJobs, SetField, _Action

READ_FIELDS = {
    "res.partner": ["id", "name", "email", "phone", "vat", "active", "parent_id"],
    "project.project": ["id", "name", "partner_id", "active"],
    "queue.job": ["uuid", "name", "state", "exc_message", "retry"],
}
JOB_COLUMNS = ["uuid", "name", "state", "error", "attempts"]


def _refs(action: _Action) -> dict[str, list[str]]:
    by_model: dict[str, list[str]] = defaultdict(list)
    for ref in action.record_refs():
        model, _, rid = ref.rpartition(":")
        by_model[model].append(rid)
    return dict(by_model)


def _m2o(value: Any) -> Any:
    return value[1] if isinstance(value, list) and len(value) == 2 else value


def read_targets(gateway: Any, action: _Action) -> dict[str, dict[str, dict[str, Any]]]:
    """model -> record key -> fields, read now with the gateway's read-only user. Missing records are
    simply absent (a merge source already gone, a job purged)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for model, keys in _refs(action).items():
        fields = READ_FIELDS.get(model, ["id", "display_name"])
        if model == "queue.job":
            rows = gateway.search_read(model, [["uuid", "in", keys]], fields)
            out[model] = {str(r["uuid"]): {k: _m2o(v) for k, v in r.items()} for r in rows}
        else:
            ids = [int(k) for k in keys if k.isdigit()]
            rows = gateway.search_read(model, [["id", "in", ids]], fields, context={"active_test": False})
            out[model] = {str(r["id"]): {k: _m2o(v) for k, v in r.items()} for r in rows}
    return out


def predict_after(action: _Action, before: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any] | None]]:
    """The same records after the action; None where the record will no longer exist."""
    after: dict[str, dict[str, dict[str, Any] | None]] = {m: {k: dict(v) for k, v in recs.items()}
                                                          for m, recs in before.items()}
    if isinstance(action, MergePartners):
        for sid in action.source_ids:
            if str(sid) in after.get("res.partner", {}):
                after["res.partner"][str(sid)] = None
    elif isinstance(action, ArchiveProject):
        rec = after.get("project.project", {}).get(str(action.project_id))
        if rec is not None:
            rec["active"] = False
    elif isinstance(action, SetField):
        rec = after.get(action.model, {}).get(str(action.record_id))
        if rec is not None:
            rec[action.field] = action.value
    elif isinstance(action, RequeueJobs):
        for rec in after.get("queue.job", {}).values():
            if rec is not None and rec.get("state") == "failed":
                rec["state"] = "pending"
    elif isinstance(action, PostNote):
        rec = after.get(action.model, {}).get(str(action.record_id))
        if rec is not None:
            rec["chatter"] = "+1 note"
    return after


def diff(before: dict[str, dict[str, dict[str, Any]]], after: dict[str, dict[str, dict[str, Any] | None]]
         ) -> list[dict[str, str]]:
    """Rows record / field / now / after, only where they differ."""
    rows: list[dict[str, str]] = []
    for model, recs in after.items():
        for key, new in recs.items():
            old = before.get(model, {}).get(key, {})
            ref = f"{model}:{key}"
            if new is None:
                rows.append({"record": ref, "field": "(record)", "now": str(old.get("name", "exists")),
                             "after": "deleted (merged into the destination)"})
                continue
            for field in sorted(set(old) | set(new)):
                if old.get(field) != new.get(field):
                    rows.append({"record": ref, "field": field, "now": str(old.get(field, "")),
                                 "after": str(new.get(field, ""))})
    return rows


def missing_targets(action: _Action, before: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    """Record refs of the action that Odoo does not hold now."""
    return [f"{m}:{k}" for m, keys in _refs(action).items() for k in keys if k not in before.get(m, {})]


# --------------------------------------------------------------------------- requeue as a table

_STATUS = re.compile(r"\bstatus=(\w+)")
_RETRIES = re.compile(r"\bretries=(\d+)")
_ERROR = re.compile(r"\berror=(.*?)(?: records=|$)")


def job_table(job_uuids: list[str], evidence: list[dict[str, Any]] | None = None,
              odoo_jobs: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One row per job: from Odoo when read, else the latest evidence event that names the job."""
    latest: dict[str, dict[str, Any]] = {}
    for item in evidence or []:
        if item.get("kind") != "event":
            continue
        text = str(item.get("text", ""))
        parts = text.split(" ")
        for ref in item.get("record_ids", []):
            if ref.startswith("queue.job:"):
                status, retries, error = _STATUS.search(text), _RETRIES.search(text), _ERROR.search(text)
                latest[ref.split(":", 1)[1]] = {
                    "name": parts[3] if len(parts) > 3 and "=" not in parts[3] else "",
                    "state": status.group(1) if status else "", "error": error.group(1)[:120] if error else "",
                    "attempts": int(retries.group(1)) + 1 if retries else 1}
    rows = []
    for uuid in job_uuids:
        if odoo_jobs and uuid in odoo_jobs:
            j = odoo_jobs[uuid]
            rows.append({"uuid": uuid, "name": j.get("name") or "", "state": j.get("state") or "",
                         "error": str(j.get("exc_message") or "")[:120], "attempts": j.get("retry")})
        else:
            rows.append({"uuid": uuid, **latest.get(uuid, {"name": "", "state": "?", "error": "", "attempts": None})})
    return rows


def compact_params(params: dict[str, Any], limit: int = 5) -> dict[str, Any]:
    """Parameters for display: long id lists cut to a few with the count (the table has them all)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, list) and len(v) > limit:
            out[k] = [*v[:limit], f"... {len(v) - limit} more ({len(v)} in all)"]
        else:
            out[k] = v
    return out


def _shorten(value: Any, limit: int) -> Any:
    if isinstance(value, list):
        if len(value) > limit and all(not isinstance(v, list | dict) for v in value):
            return [*value[:3], f"... {len(value) - 3} more"]
        return [_shorten(v, limit) for v in value]
    if isinstance(value, dict):
        return {k: _shorten(v, limit) for k, v in value.items()}
    return value


def compact_call(call: Any, limit: int = 5) -> str:
    """A call rendered for reading: long id lists show three and the count (the exact call is kept
    in the payload, the JSON output and the audit log)."""
    return call.model_copy(update={"kwargs": _shorten(call.kwargs, limit),
                                   "ids": _shorten(call.ids, limit) if call.ids else call.ids}).render()
