"""The grounding guard: nothing a provider says reaches a proposal unless the incident backs it.

- every cited evidence id must be one of the incident's evidence items (else dropped, counted);
- every action must parse into the allow-list (`agent.actions.parse_action`), else rejected;
- every record an action touches (`record_refs()`) must appear in the incident's evidence,
  else the whole action is rejected: a half-grounded merge is still an invented merge;
- an escalation must name the incident's own flow.
Rejections are kept on the report and counted; they are never passed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from odoo_triage.agent.actions import Escalate, parse_action
from odoo_triage.agent.llm.report import ProposedAction, RejectedAction, TriageReport
from odoo_triage.core.domain import Incident


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


def _short_error(exc: ValidationError) -> str:
    errs = exc.errors()
    first = errs[0] if errs else {}
    loc = ".".join(str(p) for p in first.get("loc", ()))
    return f"bad parameters: {loc}: {first.get('msg', str(exc))}"[:300]


def guard_report(incident: Incident, report: TriageReport) -> GuardOutcome:
    known = evidence_ids(incident)
    records = grounded_records(incident)
    ungrounded = [e for e in report.evidence_ids if e not in known]
    out = GuardOutcome(report=report, ungrounded_evidence_ids=list(ungrounded))
    accepted_actions: list[ProposedAction] = []
    for proposed in report.actions:
        bad_cites = [e for e in proposed.evidence_ids if e not in known]
        out.ungrounded_evidence_ids.extend(bad_cites)
        try:
            typed = parse_action(proposed.action, dict(proposed.params))
        except ValidationError as exc:
            out.rejected.append(RejectedAction(action=proposed.action, params=dict(proposed.params),
                                               reason=_short_error(exc)))
            continue
        missing = [r for r in typed.record_refs() if r not in records]
        if missing:
            out.ungrounded_record_refs.extend(missing)
            out.rejected.append(RejectedAction(
                action=proposed.action, params=dict(proposed.params),
                reason=f"ungrounded records (not in the incident's evidence): {', '.join(missing[:10])}"))
            continue
        if isinstance(typed, Escalate) and typed.flow != incident.flow:
            out.rejected.append(RejectedAction(action=proposed.action, params=dict(proposed.params),
                                               reason=f"escalation names flow {typed.flow!r}, incident is {incident.flow!r}"))
            continue
        clean = proposed.model_copy(update={"evidence_ids": [e for e in proposed.evidence_ids if e in known]})
        accepted_actions.append(clean)
        out.accepted.append((typed, clean))
    out.report = report.model_copy(update={
        "evidence_ids": [e for e in report.evidence_ids if e in known],
        "actions": accepted_actions,
    })
    return out


def ungrounded_in(incident: Incident, typed_actions: list[Any], cited: list[str]) -> int:
    """Independent re-check of what is about to be passed on: should always be 0."""
    known = evidence_ids(incident)
    records = grounded_records(incident)
    return sum(1 for e in cited if e not in known) + sum(
        1 for a in typed_actions for r in a.record_refs() if r not in records)
