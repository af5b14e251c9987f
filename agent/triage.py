"""The triage pipeline: detection + duplicates -> incidents -> reports -> guarded proposals.

`run_triage` is what the CLI, the demo and the evals call. Every report passes the grounding
guard before any proposal is made; what the guard rejects is counted and kept on the report
(and written to the audit log when the approvals module is there), never proposed.

With a store, work is kept as it is done: the assembled incidents (detection and matching) are
stored before the first LLM call, and each incident's report and proposals as soon as it is
finished, so Ctrl-C or SIGTERM loses nothing already paid for (`RunInterrupted` carries the run).
Every report and proposal names the provider that actually wrote it: `offline` when a model's
answer was unusable, whatever provider was asked for.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from odoo_triage.agent.actions import REQUEUE_CHUNK, Escalate, RequeueJobs, parse_action, requeue_chunks
from odoo_triage.agent.approvals import ApprovalRefused, propose
from odoo_triage.agent.grounding import WriteDateReader, guard_report, ungrounded_in, unsafe_in
from odoo_triage.agent.incidents import (
    DUPLICATES_FLOW,
    AssembledIncident,
    assemble_incidents,
    upsert_incidents,
)
from odoo_triage.agent.lifecycle import after_run, flow_last_seen
from odoo_triage.agent.llm.cache import LlmCache
from odoo_triage.agent.llm.dispatch import dispatch
from odoo_triage.agent.llm.providers import OFFLINE_LABEL, ProviderResult, get_provider
from odoo_triage.agent.llm.report import ProposedAction, ReviewedReport
from odoo_triage.agent.redact import redact, redact_obj
from odoo_triage.agent.store import Store, audit_chain
from odoo_triage.core.domain import (
    ActionName,
    Cause,
    FlowInfo,
    Incident,
    IncidentStatus,
    RemediationProposal,
    Severity,
    stable_id,
)
from odoo_triage.core.results import DetectionOutput, MatchOutput
from odoo_triage.core.settings import CorrelationSettings, GroundingSettings

PROPOSER_PREFIX = "triage-agent"


@dataclass
class TriageRun:
    provider: str
    provider_label: str
    incidents: list[Incident] = field(default_factory=list)
    reports: dict[str, ReviewedReport] = field(default_factory=dict)  # incident id -> report
    proposals: list[RemediationProposal] = field(default_factory=list)
    grounding: dict[str, int] = field(default_factory=lambda: {"caught": 0, "passed_on": 0, "rejected_actions": 0,
                                                               "unsafe_passed_on": 0})
    usage: list[dict[str, Any]] = field(default_factory=list)  # one per incident
    new_incidents: int = 0
    store_refusals: list[str] = field(default_factory=list)  # proposals agent.approvals refused to record
    lifecycle: dict[str, int] = field(default_factory=dict)  # stored incidents this run resolved / closed
    notes: list[str] = field(default_factory=list)  # e.g. the circuit breaker opened
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def answered_by_model(self) -> int:
        """Reports the model wrote (cached answers included); 0 for the offline provider."""
        return sum(1 for r in self.reports.values() if r.provider != "offline" and not r.fallback_reason)

    @property
    def fallbacks(self) -> Counter[str]:
        """Why reports fell back to offline, by failure kind."""
        return Counter(r.fallback_kind or "error" for r in self.reports.values() if r.fallback_reason)

    def llm_line(self) -> str:
        """What the model did, honestly: empty for the offline provider."""
        if self.provider == "offline":
            return ""
        n, answered = len(self.reports), self.answered_by_model
        why = ", ".join(f"{k} {v}" for k, v in self.fallbacks.most_common())
        if answered == 0 and n:
            return f"WARNING: the model answered none of {n} incidents; every report is the offline fallback ({why})"
        return f"the model answered {answered} of {n} incidents" + (f"; {n - answered} fell back to offline ({why})"
                                                                     if answered < n else "")

    def summary(self) -> str:
        critical = sum(1 for i in self.incidents if i.severity == Severity.critical)
        clusters = sum(1 for i in self.incidents if not i.anomaly_ids)
        detail = f"{critical} critical" + (f"; {clusters} from duplicate records" if clusters else "")
        line = (f"{len(self.incidents)} incidents ({detail}), {len(self.proposals)} proposals waiting "
                f"for approval; provider {self.provider}")
        llm = self.llm_line()
        return line + (f": {llm}" if llm else "") + ("; INTERRUPTED" if self.interrupted else "")

    def proposals_for(self, incident_id: str) -> list[RemediationProposal]:
        return [p for p in self.proposals if p.incident_id == incident_id]


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C/SIGTERM during a run: what was finished is stored; `run` holds it."""

    def __init__(self, run: TriageRun) -> None:
        super().__init__("triage run interrupted")
        self.run = run


def _store_proposal(store: Store, proposal: RemediationProposal) -> str | None:
    """Record through agent.approvals (audited, revisable); returns why it was refused, if it was."""
    try:
        propose(store, proposal)
    except ApprovalRefused as exc:  # e.g. the same target already executed: keep going, say why
        return f"{proposal.proposal_id}: {exc}"
    return None


def _audit_rejections(store: Store, incident_id: str, reviewed: ReviewedReport, actor: str) -> None:
    """What the guard refused lands in the audit log (append-only), redacted."""
    if not reviewed.rejected and not reviewed.ungrounded_evidence_ids:
        return
    detail = {"provider": reviewed.provider, "rejected": [r.model_dump(mode="json") for r in reviewed.rejected],
              "ungrounded_evidence_ids": reviewed.ungrounded_evidence_ids[:50]}
    with store.session() as s:
        audit_chain.append(s, actor, "refused:ungrounded", None, incident_id, redact_obj(detail))


def _target(typed: Any) -> tuple[Any, ...]:
    """What a proposal acts on: a re-run with a changed payload for the same target revises it."""
    refs = typed.record_refs()
    if isinstance(typed, RequeueJobs):
        return ("jobs",)
    if isinstance(typed, Escalate):
        return ("flow", typed.flow)
    return tuple(sorted(refs))


def split_requeues(actions: list[ProposedAction]) -> list[ProposedAction]:
    """A requeue of more jobs than one proposal carries becomes several, each guarded and approved on its
    own (any provider may name every failed job; none is dropped for the cap)."""
    out: list[ProposedAction] = []
    for a in actions:
        uuids = a.params.get("job_uuids")
        if a.action != ActionName.requeue_jobs or not isinstance(uuids, list) or len(uuids) <= REQUEUE_CHUNK:
            out.append(a)
            continue
        out.extend(a.model_copy(update={"params": {**a.params, "job_uuids": chunk}})
                   for chunk in requeue_chunks([str(u) for u in uuids]))
    return out


def review(assembled: AssembledIncident, result: ProviderResult, proposer: str,
           grounding: GroundingSettings | None = None, read_write_date: WriteDateReader | None = None,
           ) -> tuple[ReviewedReport, list[RemediationProposal], int, int]:
    """Guard one provider result: (reviewed report, proposals, ids caught, ids passed on)."""
    inc = assembled.incident
    # whatever a provider wrote is masked before it is stored or shown (it never saw a secret; belt and braces)
    report = result.report.model_copy(update={
        "summary": redact(result.report.summary), "business_impact": redact(result.report.business_impact),
        "actions": split_requeues([a.model_copy(update={"rationale": redact(a.rationale),
                                                        "params": redact_obj(a.params)})
                                   for a in result.report.actions])})
    outcome = guard_report(inc, report, grounding, read_write_date)
    provenance = {f.name: getattr(result, f.name) for f in fields(result) if f.name != "report"}
    reviewed = ReviewedReport(incident_id=inc.incident_id, report=outcome.report, rejected=outcome.rejected,
                              ungrounded_evidence_ids=outcome.ungrounded_evidence_ids, **provenance)
    proposals: list[RemediationProposal] = []
    requeues = 0
    for typed, proposed in outcome.accepted:
        params = typed.model_dump(mode="json", exclude={"action"})
        action = typed.action
        target = _target(typed)
        if isinstance(typed, RequeueJobs):  # the first part keeps the id one requeue always had
            requeues += 1
            target = target if requeues == 1 else (*target, f"part-{requeues}")
        proposals.append(RemediationProposal(
            proposal_id=stable_id("prop", inc.incident_id, str(action), *target),
            incident_id=inc.incident_id, action=action, params=params, rationale=proposed.rationale,
            evidence_ids=proposed.evidence_ids or outcome.report.evidence_ids[:5], proposed_by=proposer,
        ))
    passed_on = ungrounded_in(inc, [t for t, _ in outcome.accepted],
                              outcome.report.evidence_ids + [e for p in proposals for e in p.evidence_ids])
    return reviewed, proposals, outcome.caught, passed_on


def _collect(run: TriageRun, item: AssembledIncident, result: ProviderResult,
             grounding: GroundingSettings | None = None, read_write_date: WriteDateReader | None = None,
             ) -> tuple[Incident, ReviewedReport, list[RemediationProposal]]:
    proposer = f"{PROPOSER_PREFIX}/{result.provider}"  # who actually wrote it, not who was asked
    reviewed, proposals, caught, passed_on = review(item, result, proposer, grounding, read_write_date)
    run.grounding["unsafe_passed_on"] += len(unsafe_in(
        item.incident, [parse_action(str(p.action), p.params) for p in proposals], grounding))
    inc = item.incident
    if proposals:
        inc = inc.model_copy(update={"status": IncidentStatus.proposed})
    update: dict[str, Any] = {"summary": reviewed.report.summary}
    if reviewed.provider != "offline" and not reviewed.fallback_reason and reviewed.report.probable_cause != Cause.unknown:
        # the model read the evidence and the classifier's hint; its cause is the one reported
        update.update(cause=reviewed.report.probable_cause, cause_confidence=reviewed.report.confidence)
    inc = inc.model_copy(update=update)
    run.reports[inc.incident_id] = reviewed
    run.grounding["caught"] += caught
    run.grounding["passed_on"] += passed_on
    run.grounding["rejected_actions"] += len(reviewed.rejected)
    run.usage.append({"incident_id": inc.incident_id, "provider": reviewed.provider, "model": reviewed.model,
                      "prompt_tokens": reviewed.prompt_tokens, "completion_tokens": reviewed.completion_tokens,
                      "cost_usd": reviewed.cost_usd, "latency_s": round(reviewed.latency_s, 4),
                      "cached": reviewed.cached, "fallback": bool(reviewed.fallback_reason),
                      "fallback_kind": reviewed.fallback_kind, "structured_mode": reviewed.structured_mode})
    return inc, reviewed, proposals


def _store_finished(store: Store, run: TriageRun, inc: Incident, reviewed: ReviewedReport,
                    proposals: list[RemediationProposal]) -> None:
    upsert_incidents(store, [inc], {inc.incident_id: reviewed.model_dump(mode="json")})
    for p in proposals:
        refused = _store_proposal(store, p)
        if refused:
            run.store_refusals.append(refused)
    _audit_rejections(store, inc.incident_id, reviewed, proposals[0].proposed_by if proposals
                      else f"{PROPOSER_PREFIX}/{reviewed.provider}")


def end_what_is_gone(store: Store, run: TriageRun, detection: Any | None, partner_result: Any | None,
                     project_result: Any | None) -> dict[str, int]:
    """Stored incidents this run no longer sees move on (agent/lifecycle.py): flows it read and
    found healthy, duplicate models it matched again without them."""
    rescanned = [DUPLICATES_FLOW[r.model] for r in (partner_result, project_result)
                 if r is not None and getattr(r, "model", None) in DUPLICATES_FLOW]
    return after_run(store, [i.incident_id for i in run.incidents],
                     last_seen=flow_last_seen(getattr(detection, "flow_stats", None)), rescanned_flows=rescanned)


def run_triage(
    detection: DetectionOutput | None,
    partner_result: MatchOutput | None = None,
    project_result: MatchOutput | None = None,
    flows: Iterable[FlowInfo | dict[str, Any]] | None = None,
    *,
    provider: str = "offline",
    store: Store | None = None,
    provider_options: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
    grounding: GroundingSettings | None = None,
    read_write_date: WriteDateReader | None = None,
    correlation: CorrelationSettings | None = None,
    write_dates: dict[str, datetime] | None = None,
) -> TriageRun:
    """Assemble incidents, write a report for each, guard it, store incidents and proposals.

    `write_dates` (record ref -> write_date) allows guarded set_field proposals on those records."""
    t0 = time.perf_counter()
    assembled = assemble_incidents(detection, partner_result, project_result, flows, correlation, write_dates)
    prov = get_provider(provider, cache=LlmCache(store), **(provider_options or {}))
    run = TriageRun(provider=prov.name, provider_label=getattr(prov, "label", OFFLINE_LABEL))
    if store is not None:  # detection and matching are kept even if no LLM call ever returns
        run.new_incidents = upsert_incidents(store, [a.incident for a in assembled])
    finished: dict[int, tuple[Incident, list[RemediationProposal]]] = {}

    def on_result(i: int, result: ProviderResult) -> None:
        if i in finished:
            return
        inc, reviewed, proposals = _collect(run, assembled[i], result, grounding, read_write_date)
        finished[i] = (inc, proposals)
        if store is not None:
            _store_finished(store, run, inc, reviewed, proposals)
        if progress is not None:
            progress(len(finished), len(assembled))

    try:
        outcome = dispatch(prov, assembled, on_result)
        run.notes.extend(outcome.notes)
    except KeyboardInterrupt as exc:
        run.interrupted = True
        _finish(run, finished, t0)
        raise RunInterrupted(run) from exc
    _finish(run, finished, t0)
    if store is not None:
        run.lifecycle = end_what_is_gone(store, run, detection, partner_result, project_result)
    return run


def _finish(run: TriageRun, finished: dict[int, tuple[Incident, list[RemediationProposal]]], t0: float) -> None:
    """Incidents and proposals in the assembled order, whatever order they finished in."""
    for i in sorted(finished):
        inc, proposals = finished[i]
        run.incidents.append(inc)
        run.proposals.extend(proposals)
    order = {inc.incident_id: n for n, inc in enumerate(run.incidents)}
    run.usage.sort(key=lambda u: order.get(u["incident_id"], len(order)))
    run.seconds = time.perf_counter() - t0
