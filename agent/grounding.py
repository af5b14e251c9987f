"""The grounding guard: nothing a provider says reaches a proposal unless the incident backs it.

Evidence is hostile text (log lines, error messages, record names) and a model can be talked into
anything by it, so what is checked is structure, never wording:

- every cited evidence id must be one of the incident's evidence items (else dropped, counted),
  and every action must cite at least one that is;
- every action must parse into the allow-list (`agent.actions.parse_action`), else rejected;
- every record an action touches (`record_refs()`) must be a record the evidence holds in a
  structured field (ids seen only in free text never are: agent.incidents), else the whole action
  is rejected: a half-grounded merge is still an invented merge;
- merge_partners and archive_project need a duplicate-cluster evidence item holding every id;
- set_field may only write the fields [grounding.set_field] allows for its model (never `active`,
  accounting or security fields), and its expected write_date comes from a read at proposal time,
  never from the model: without a read the action is rejected;
- an escalation must name the incident's own flow.
Rejections are kept on the report and counted; they are never passed on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from odoo_triage.agent.actions import ArchiveProject, Escalate, MergePartners, SetField, parse_action
from odoo_triage.agent.llm.report import ProposedAction, RejectedAction, TriageReport
from odoo_triage.agent.odoo_gateway import OdooError, _odoo_datetime
from odoo_triage.core.domain import Incident
from odoo_triage.core.settings import GroundingSettings

#: (model, record id) -> the record's write_date as Odoo has it now, or None when it cannot be read.
WriteDateReader = Callable[[str, int], datetime | None]


@dataclass
class GuardOutcome:
    report: TriageReport  # with ungrounded citations removed and only accepted actions left
    accepted: list[tuple[Any, ProposedAction]] = field(default_factory=list)  # (typed action, as proposed)
    rejected: list[RejectedAction] = field(default_factory=list)
    ungrounded_evidence_ids: list[str] = field(default_factory=list)
    ungrounded_record_refs: list[str] = field(default_factory=list)

    @property
    def caught(self) -> int:
        """Ungrounded ids stopped here: cited evidence ids plus record refs of rejected actions."""
        return len(self.ungrounded_evidence_ids) + len(self.ungrounded_record_refs)


def evidence_ids(incident: Incident) -> set[str]:
    return {e.evidence_id for e in incident.evidence}


def grounded_records(incident: Incident) -> set[str]:
    refs = {e.evidence_id for e in incident.evidence if e.kind == "record"}
    for e in incident.evidence:
        refs.update(e.record_ids)
    return refs


def cluster_holding(incident: Incident, refs: list[str]) -> str | None:
    """The id of a duplicate-cluster evidence item that holds every one of `refs`, if there is one."""
    wanted = set(refs)
    for e in incident.evidence:
        if e.kind == "cluster" and wanted <= set(e.record_ids):
            return e.evidence_id
    return None


def _short_error(exc: ValidationError) -> str:
    errs = exc.errors()
    first: Mapping[str, Any] = errs[0] if errs else {}
    loc = ".".join(str(p) for p in first.get("loc", ()))
    return f"bad parameters: {loc}: {first.get('msg', str(exc))}"[:300]


def _structural_refusal(incident: Incident, typed: Any, grounding: GroundingSettings) -> str | None:
    if isinstance(typed, MergePartners | ArchiveProject) and cluster_holding(incident, typed.record_refs()) is None:
        return (f"{typed.action} needs a duplicate-cluster evidence item holding "
                f"{', '.join(typed.record_refs())}; the incident has none")
    if isinstance(typed, SetField) and not grounding.settable(typed.model, typed.field):
        allowed = ", ".join(grounding.set_field.get(typed.model, [])) or "none"
        return f"set_field may not write {typed.model}.{typed.field} (allowed: {allowed})"
    if isinstance(typed, Escalate) and typed.flow != incident.flow:
        return f"escalation names flow {typed.flow!r}, incident is {incident.flow!r}"
    return None


def guard_report(incident: Incident, report: TriageReport, grounding: GroundingSettings | None = None,
                 read_write_date: WriteDateReader | None = None) -> GuardOutcome:
    grounding = grounding or GroundingSettings()
    known = evidence_ids(incident)
    records = grounded_records(incident)
    ungrounded = [e for e in report.evidence_ids if e not in known]
    out = GuardOutcome(report=report, ungrounded_evidence_ids=list(ungrounded))
    accepted_actions: list[ProposedAction] = []

    def refuse(proposed: ProposedAction, reason: str) -> None:
        out.rejected.append(RejectedAction(action=proposed.action, params=dict(proposed.params), reason=reason))

    for proposed in report.actions:
        bad_cites = [e for e in proposed.evidence_ids if e not in known]
        out.ungrounded_evidence_ids.extend(bad_cites)
        cites = [e for e in proposed.evidence_ids if e in known]
        try:
            typed = parse_action(proposed.action, dict(proposed.params))
        except ValidationError as exc:
            refuse(proposed, _short_error(exc))
            continue
        missing = [r for r in typed.record_refs() if r not in records]
        if missing:
            out.ungrounded_record_refs.extend(missing)
            refuse(proposed, f"ungrounded records (not in the incident's evidence): {', '.join(missing[:10])}")
            continue
        if not cites:
            refuse(proposed, "cites no evidence item of the incident")
            continue
        why = _structural_refusal(incident, typed, grounding)
        if why:
            refuse(proposed, why)
            continue
        params = dict(proposed.params)
        if isinstance(typed, SetField):  # the guard's write_date comes from Odoo, never from the model
            current = read_write_date(typed.model, typed.record_id) if read_write_date else None
            if current is None:
                refuse(proposed, "set_field needs the record's write_date read from Odoo at proposal time; "
                                 "no read was possible")
                continue
            typed = typed.model_copy(update={"expected_write_date": current})
            params["expected_write_date"] = current.isoformat()
        clean = proposed.model_copy(update={"evidence_ids": cites, "params": params})
        accepted_actions.append(clean)
        out.accepted.append((typed, clean))
    out.report = report.model_copy(update={
        "evidence_ids": [e for e in report.evidence_ids if e in known],
        "actions": accepted_actions,
    })
    return out


def odoo_write_date_reader(gateway: Any) -> WriteDateReader:
    """A WriteDateReader over an OdooGateway's read-only user."""

    def read(model: str, record_id: int) -> datetime | None:
        try:
            rows = gateway.read(model, [record_id], ["write_date"])
        except OdooError:
            return None
        return _odoo_datetime(rows[0].get("write_date")) if rows else None

    return read


def ungrounded_in(incident: Incident, typed_actions: list[Any], cited: list[str]) -> int:
    """Independent re-check of what is about to be passed on: should always be 0."""
    known = evidence_ids(incident)
    records = grounded_records(incident)
    return sum(1 for e in cited if e not in known) + sum(
        1 for a in typed_actions for r in a.record_refs() if r not in records)


def unsafe_in(incident: Incident, typed_actions: list[Any], grounding: GroundingSettings | None = None) -> list[str]:
    """Independent re-check of the structural rules on what is about to be passed on: should be []."""
    grounding = grounding or GroundingSettings()
    records = grounded_records(incident)
    out = []
    for a in typed_actions:
        refs = a.record_refs()
        if any(r not in records for r in refs):
            out.append(f"{a.action}: ungrounded record")
        elif (why := _structural_refusal(incident, a, grounding)) is not None:
            out.append(f"{a.action}: {why}")
    return out
