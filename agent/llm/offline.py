"""The offline provider: a deterministic report built only from the incident's evidence, the cause
classifier and the flow catalog. The default without an LLM, and what stands in when a model's answer
is unusable (the fallback is then labeled offline, with the reason)."""

from __future__ import annotations

import re
import time
from collections import Counter

from odoo_triage.agent.actions import ESCALATION_RECORDS, NOTE_MODELS, named_field_write, requeue_chunks
from odoo_triage.agent.causes import RETRY_SAFE_CAUSES, classify_text
from odoo_triage.agent.incidents import AssembledIncident, IncidentFacts
from odoo_triage.agent.llm.report import ProposedAction, ProviderResult, TriageReport
from odoo_triage.agent.redact import redact
from odoo_triage.core.domain import ActionName, Cause, Incident

OFFLINE_LABEL = "offline (deterministic, no LLM)"
NOTES_LIMIT = 50


# --------------------------------------------------------------------------- offline


_CAUSE_WORDS = {
    Cause.credential_auth: "the integration's credentials are rejected (expired or revoked API key/token)",
    Cause.schema_validation: "records are rejected by validation (the data does not match the expected schema)",
    Cause.rate_limit: "the upstream API rate-limits the calls and jobs fail after their retries",
    Cause.upstream_outage: "the upstream system is slow or unavailable",
    Cause.configuration: "the flow's configuration no longer matches the other side (endpoint, mapping, webhook)",
    Cause.data_quality: "the same business object exists more than once",
    Cause.unknown: "the evidence does not point to one cause",
}

_FIX_WORDS = {
    Cause.credential_auth: "renew the API key/token in the connector settings",
    Cause.configuration: "check the endpoint/webhook configuration against the upstream change",
    Cause.upstream_outage: "follow up with the upstream provider and replay once it recovers",
    Cause.rate_limit: "lower the call rate or raise the quota",
    Cause.schema_validation: "the sender's owner corrects the values the receiving fields reject",
    Cause.data_quality: "correct the master data at the source",
    Cause.unknown: "investigate",
}


def _signal_fix(facts: IncidentFacts, cause: Cause) -> str:
    """The fix the verdict's structured signal names, more precise than the cause's generic words."""
    signals = facts.verdict.signals if facts.verdict is not None else None
    if cause == Cause.upstream_outage and facts.events and not facts.failed_events:
        # a slowdown (or a held backlog) that failed nothing: nothing to correct or replay; the owner watches it
        return ("nothing failed and nothing needs replaying or correcting in Odoo: follow up with the provider "
                "(its status page) and act only if it persists or calls start failing")
    if signals is None:
        return _FIX_WORDS.get(cause, "investigate")
    if signals.bad_selection and cause == Cause.schema_validation:
        return (f"the sender sends a value {signals.bad_selection} does not accept: its owner maps the value to "
                f"one of the field's options (or the selection is extended); a retry sends the same value")
    if signals.no_match and cause == Cause.data_quality:
        return (f"the sender's {signals.no_match} values match no record: correct the master data at the source "
                f"(or create the missing record); a retry sends the same value")
    if signals.field_to_set and cause == Cause.configuration:
        return (f"set {signals.field_to_set} on the records the errors name (a configuration step was missed), "
                f"then requeue the failed jobs listed here")
    return _FIX_WORDS.get(cause, "investigate")


_REDELIVERY_FIX = ("the receiver answered after the sender's timeout, so the sender redelivered work already done: "
                   "acknowledge deliveries at once and process them asynchronously, deduplicate on the delivery id, "
                   "or raise the sender's timeout")


def _cited_events(incident: Incident, limit: int = 5) -> list[str]:
    return [e.evidence_id for e in incident.evidence if e.kind == "event"][:limit]


def _business_impact(incident: Incident, facts: IncidentFacts) -> str:
    crit = facts.flow_info.criticality if facts.flow_info else "unknown"
    parts = [f"flow {incident.flow} (business criticality {crit})"]
    if facts.failed_events:
        parts.append(f"{facts.failed_events} failed messages/jobs")
    if incident.affected_records:
        parts.append(f"{len(incident.affected_records)} records affected")
    if facts.money:
        parts.append(f"about {facts.money:,.0f} in amounts at stake")
    return "; ".join(parts) + f". Severity {incident.severity} (score {incident.severity_score:.2f})."


def _owner(incident: Incident, facts: IncidentFacts) -> str:
    return facts.flow_info.owner if facts.flow_info else "integration team"


def _shape(error: str) -> str:
    return re.sub(r"\d+", "0", error)


def records_of_cause(facts: IncidentFacts, cause: Cause, *, min_share: float = 0.2) -> list[tuple[str, str]]:
    """(record, error) for failed records whose own error is of the incident's cause and one of
    its main wordings: a stray failure of another kind in the same window is not swept along."""
    shapes: Counter[str] = Counter(_shape(error) for error, _ in facts.failed_records)
    fits: dict[str, bool] = {}
    for shape in shapes:
        verdict = classify_text(shape)
        fits[shape] = verdict.cause == cause and (verdict.source.startswith("rule") or verdict.confidence >= 0.7)
    top = max((n for shape, n in shapes.items() if fits[shape]), default=0)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for error, refs in facts.failed_records:
        shape = _shape(error)
        if not fits[shape] or shapes[shape] < max(1.0, min_share * top):
            continue
        for ref in refs:
            if ref not in seen:
                seen.add(ref)
                out.append((ref, error))
    return out


def _partial(covered: int, total: float | None, what: str) -> str:
    """Say so when the evidence cites only some of the affected records: the rest need a look."""
    if total and int(total) > covered:
        return f" The evidence cites {covered} of {int(total)} {what}; the others are not in this proposal."
    return ""


def field_writes(incident: Incident, facts: IncidentFacts, cites: list[str]) -> list[ProposedAction]:
    """Guarded set_field proposals for a configuration incident whose errors name the write that fixes
    them, on every affected record of the cause whose write_date is known (the guard needs it)."""
    out: list[ProposedAction] = []
    seen: set[str] = set()
    for ref, error in records_of_cause(facts, Cause.configuration, min_share=0.0):
        fix = named_field_write(error)
        if fix is None or ref != f"{fix['model']}:{fix['record_id']}" or ref in seen or ref not in facts.write_dates:
            continue
        seen.add(ref)
        out.append(ProposedAction(
            action=ActionName.set_field,
            params={**fix, "expected_write_date": facts.write_dates[ref].isoformat()},
            evidence_ids=[*cites[:2], ref],
            rationale=f"{incident.flow} fails on {ref} since a configuration change; its error names the fix: "
                      f"set {fix['field']} (guarded: refused if the record changed since "
                      f"{facts.write_dates[ref]:%Y-%m-%d %H:%M:%S})."))
        if len(out) >= NOTES_LIMIT:
            break
    return out


def offline_actions(incident: Incident, facts: IncidentFacts) -> list[ProposedAction]:
    """The remediation the evidence supports, most specific first; escalation otherwise."""
    cites = _cited_events(incident, 3)
    actions: list[ProposedAction] = []
    cause = incident.cause
    failed_jobs = set(facts.failed_job_uuids)
    # every failed job whose own error is of the cause (not only the main wordings): all of them are requeued
    uuids = [ref.split(":", 1)[1] for ref, _ in records_of_cause(facts, cause, min_share=0.0)
             if ref.startswith("queue.job:") and ref.split(":", 1)[1] in failed_jobs]
    retry_ok = facts.verdict.retry_safe if facts.verdict is not None else True
    # a retry-safe cause (rate limit, outage), or any cause whose verdict says the work may simply be run
    # again (two writers collided: a serialization failure a new cron caused is configuration, yet retry-safe)
    retryable = cause in RETRY_SAFE_CAUSES or (facts.verdict is not None and facts.verdict.retry_safe)
    if retryable and uuids and retry_ok:
        when = {Cause.rate_limit: "the rate limit clears", Cause.upstream_outage: "the upstream is back"}.get(
            cause, "the colliding job or schedule is moved")
        chunks = requeue_chunks(uuids)
        for n, chunk in enumerate(chunks, 1):
            part = f" Part {n} of {len(chunks)} ({len(chunk)} jobs)." if len(chunks) > 1 else ""
            actions.append(ProposedAction(
                action=ActionName.requeue_jobs, params={"job_uuids": chunk}, evidence_ids=cites,
                rationale=f"{len(uuids)} queue.job records failed after their retries ({cause}); requeue them once "
                          f"{when} (failed jobs only, never started ones)." + part
                          + _partial(len(uuids), facts.metrics.get("gave_up"), "failed jobs")))
    if cause == Cause.configuration:
        actions.extend(field_writes(incident, facts, cites))
    if facts.partner_clusters:
        for c in facts.partner_clusters:
            ids = [c.suggested_master_id] + [i for i in c.record_ids if i != c.suggested_master_id][:2]
            actions.append(ProposedAction(
                action=ActionName.merge_partners, params={"partner_ids": ids, "destination_id": c.suggested_master_id},
                evidence_ids=[c.cluster_id],
                rationale=f"{len(c.record_ids)} partners look like one (p={c.probability:.2f}); merge into the "
                          f"suggested master res.partner:{c.suggested_master_id}."))
    for master, dups, cluster_id in facts.redelivered_partners:
        actions.append(ProposedAction(
            action=ActionName.merge_partners, params={"partner_ids": [master, *dups], "destination_id": master},
            evidence_ids=[cluster_id, *cites[:2]],
            rationale=f"one message was delivered {1 + len(dups)} times and made res.partner "
                      f"{', '.join(str(i) for i in dups)} besides res.partner:{master}; merge them into the first "
                      f"(the contact the first delivery made)."))
    if facts.duplicate_project_ids:
        for pid in facts.duplicate_project_ids:
            actions.append(ProposedAction(
                action=ActionName.archive_project, params={"project_id": pid},
                evidence_ids=[*incident.cluster_ids[:1], *cites[:2]],
                rationale=f"project.project:{pid} was created by a repeated delivery of the same message; "
                          f"archive the duplicate (archiving is reversible)."
                          + _partial(len(facts.duplicate_project_ids), facts.metrics.get("duplicates"), "duplicates")))
    # failed jobs that ran on a duplicate being archived: nothing to requeue (the project goes), yet they stay
    # failed in queue.job until someone closes them; they are handed over with the archives
    archived = {f"project.project:{pid}" for pid in facts.duplicate_project_ids}
    orphans = list(dict.fromkeys(r for _error, refs in facts.failed_records if archived & set(refs) for r in refs
                                 if r.startswith("queue.job:") and r.split(":", 1)[1] in failed_jobs))
    redelivery = facts.verdict is not None and facts.verdict.source == "rule:redelivery-after-timeout"
    if orphans and not retryable and not redelivery:  # (a redelivery's escalation below hands its records over)
        actions.append(ProposedAction(
            action=ActionName.escalate,
            params={"flow": incident.flow, "owner": _owner(incident, facts),
                    "message": redact(f"{incident.title}. {len(orphans)} failed queue.job records ran on duplicate "
                                      f"projects proposed for archiving: do not requeue them; set them done or "
                                      f"cancel them once the archives are executed. Records: "
                                      f"{', '.join(orphans[:10])}" + ("..." if len(orphans) > 10 else "") + ".")[:3900],
                    "records": orphans[:ESCALATION_RECORDS]},
            evidence_ids=cites or incident.anomaly_ids[:3],
            rationale=f"{len(orphans)} failed jobs belong to the duplicates; close them rather than requeue them."))
    # a field the sender's payload no longer carries fails every record alike: the owner fixes the connector
    upstream_contract = facts.verdict is not None and facts.verdict.signals.payload_field is not None
    if cause == Cause.schema_validation and facts.error_records and not upstream_contract:
        for ref, _error in records_of_cause(facts, Cause.schema_validation)[:NOTES_LIMIT]:
            model, rid = ref.split(":", 1)
            if model not in NOTE_MODELS or not rid.isdigit():
                continue
            actions.append(ProposedAction(
                action=ActionName.post_note,
                params={"model": model, "record_id": int(rid),
                        # the error text is the sender's words: a note never quotes it into Odoo
                        "body": f"{incident.flow} rejected this record (incident {incident.incident_id}, "
                                f"{_CAUSE_WORDS[cause]}). Please correct the data; the export will pick it up "
                                f"on the next run."},
                evidence_ids=cites[:2], rationale=f"{ref} is rejected by {incident.flow}; tell its owner in the chatter."))
    slow_receiver = facts.verdict is not None and facts.verdict.source == "rule:redelivery-after-timeout"
    if not actions or slow_receiver:
        # the merges undo the effect; the owner still has to stop the cause, or the next slow hour repeats it
        fix = _REDELIVERY_FIX if slow_receiver else _signal_fix(facts, cause)
        records = escalation_records(facts, cause)
        if cause == Cause.configuration:
            # the failed jobs wait for the fix: they are handed over with it, to be requeued once it is made
            records = list(dict.fromkeys([*records, *(f"queue.job:{u}" for u in uuids)]))[:ESCALATION_RECORDS]
        named = (f" Records to act on ({len(records)}): {', '.join(records[:10])}"
                 + ("..." if len(records) > 10 else "") + "." if records else "")
        actions.append(ProposedAction(
            action=ActionName.escalate,
            params={"flow": incident.flow, "owner": _owner(incident, facts),
                    "message": redact(f"{incident.title}. Probable cause: {cause}. Suggested: {fix}. "
                                      f"Evidence: {', '.join(cites) or ', '.join(incident.anomaly_ids[:3])}."
                                      + named)[:3900],
                    "records": records},
            evidence_ids=cites or incident.anomaly_ids[:3],
            rationale=f"The fix is outside Odoo ({_CAUSE_WORDS[cause]}); hand it to the flow owner"
                      + (f", with the {len(records)} records it concerns." if records else ".")))
    return actions


def escalation_records(facts: IncidentFacts, cause: Cause, limit: int = ESCALATION_RECORDS) -> list[str]:
    """What an escalation hands the owner: the records a repeated delivery made (the duplicates to undo) with
    the originals they duplicate (kept, to check each pair), else the failed records of the incident's cause.
    Only ids from typed fields and duplicate clusters: built from the events' record_ids and the clusters'
    members, never from error text."""
    refs = list(facts.redelivered_records)
    refs += [f"project.project:{i}" for i in facts.duplicate_project_ids]
    for c in facts.project_clusters:  # the cluster holds the original beside the duplicate
        if set(c.record_ids) & set(facts.duplicate_project_ids):
            refs += [f"project.project:{i}" for i in c.record_ids]
    for master, dups, _cluster in facts.redelivered_partners:
        refs += [f"res.partner:{i}" for i in (master, *dups)]
    if not refs:
        refs = [ref for ref, _ in records_of_cause(facts, cause, min_share=0.0)]
    return list(dict.fromkeys(refs))[:limit]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def offline_report(assembled: AssembledIncident) -> TriageReport:
    inc, facts = assembled.incident, assembled.facts
    kinds = ", ".join(k.replace("_", " ") for k in inc.kinds) or "anomaly"
    if inc.anomaly_ids:
        counts = [_plural(len(inc.anomaly_ids), "anomaly", "anomalies"), _plural(facts.failed_events, "failed event"),
                  _plural(len(inc.affected_records), "record")]
        summary = (f"{kinds} on {inc.flow} from {inc.window_start:%Y-%m-%d %H:%M} to {inc.window_end:%Y-%m-%d %H:%M} "
                   f"UTC ({', '.join(counts)})."
                   + (f" Top error: {facts.errors[0][:200]}." if facts.errors else ""))
    else:
        clusters = [*facts.partner_clusters, *facts.project_clusters]
        shown = "; ".join(
            f"{len(c.record_ids)} {c.model} records look like one (p={c.probability:.2f}), suggested master "
            f"{c.model}:{c.suggested_master_id}" for c in clusters[:3])
        more = f"; and {len(clusters) - 3} more cluster(s), reviewed as one batch" if len(clusters) > 3 else ""
        summary = shown + more + "."
    summary += f" Probable cause: {_CAUSE_WORDS[inc.cause]}."
    cited = [*inc.anomaly_ids[:3], *inc.cluster_ids[:3], *_cited_events(inc, 5)]
    return TriageReport(
        summary=redact(summary),
        probable_cause=inc.cause,
        business_impact=_business_impact(inc, facts),
        evidence_ids=cited,
        actions=offline_actions(inc, facts),
        confidence=round(max(min(inc.cause_confidence, 1.0), 0.0), 3),
    )


class OfflineProvider:
    name = "offline"
    label = OFFLINE_LABEL
    model = ""
    concurrency = 1

    def triage(self, assembled: AssembledIncident, deadline: float | None = None) -> ProviderResult:
        t0 = time.perf_counter()
        report = offline_report(assembled)
        return ProviderResult(report=report, provider=self.name, requested_provider=self.name,
                              latency_s=time.perf_counter() - t0)


