"""`triage batch --store`: a failed batch's groups become incidents and their proposals enter the
approval queue, through the same functions as the pipeline (upsert_incidents, approvals.propose).

One incident per failure group (signature + cause): a group is one problem. Ids are stable, so
storing the same batch twice updates instead of duplicating.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from odoo_triage.agent.approvals import ApprovalRefused, propose
from odoo_triage.agent.incidents import upsert_incidents
from odoo_triage.agent.store import Store
from odoo_triage.app.batch import BatchReport, FailureGroup
from odoo_triage.core.clock import utcnow
from odoo_triage.core.domain import (
    EvidenceItem,
    Incident,
    IncidentStatus,
    RemediationProposal,
    Severity,
    stable_id,
)

PROPOSER = "triage-batch"


@dataclass
class StoredBatch:
    incidents: list[str] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _incident(report: BatchReport, group: FailureGroup) -> Incident:
    now = utcnow()
    iid = stable_id("inc", "batch", report.flow, group.signature, str(group.cause))
    evidence = [EvidenceItem(evidence_id=stable_id("sig", group.signature), kind="signature", text=group.signature[:300])]
    evidence += [EvidenceItem(evidence_id=ref, kind="record", text=f"record {ref}", record_ids=[ref])
                 for ref in group.affected_records]
    severity = Severity.high if group.count >= 50 else Severity.medium if group.count >= 5 else Severity.low
    return Incident(
        incident_id=iid, title=f"{group.count} failed row(s) in a {report.flow} batch: {group.signature[:80]}",
        flow=report.flow, kinds=["failed_batch"], window_start=now, window_end=now, severity=severity,
        severity_score={Severity.high: 0.7, Severity.medium: 0.5, Severity.low: 0.3}[severity],
        cause=group.cause, cause_confidence=group.cause_confidence,
        status=IncidentStatus.proposed if group.remediation.proposals else IncidentStatus.open,
        evidence=evidence, affected_records=list(group.affected_records), signatures=[group.signature],
        summary=f"{report.file}: {group.remediation.summary}")


def store_batch(store: Store, report: BatchReport) -> StoredBatch:
    """Store each group as an incident and each proposal of its remediation for approval."""
    out = StoredBatch()
    incidents = [(_incident(report, g), g) for g in report.groups]
    upsert_incidents(store, [inc for inc, _ in incidents])
    for inc, group in incidents:
        out.incidents.append(inc.incident_id)
        for payload in group.remediation.proposals:
            params = payload["params"]
            target = sorted(str(v) for v in params.values() if not isinstance(v, list | dict))
            lists = [str(x) for v in params.values() if isinstance(v, list) for x in v[:3]]
            proposal = RemediationProposal(
                proposal_id=stable_id("prop", inc.incident_id, payload["action"], *target, *lists),
                incident_id=inc.incident_id, action=payload["action"], params=params, proposed_by=PROPOSER,
                rationale=group.remediation.summary, evidence_ids=[inc.evidence[0].evidence_id])
            try:
                propose(store, proposal)
                out.proposals.append(proposal.proposal_id)
            except ApprovalRefused as exc:
                out.refused.append(f"{proposal.proposal_id}: {exc.reason}")
    return out
