"""Providers turn one assembled incident into a TriageReport.

- `offline`: deterministic, built only from the incident's evidence, the cause classifier and
  the flow catalog. The default without OPENAI_API_KEY; it says so in every output.
- `openai`: langchain-openai with structured output (json_schema) against OpenAI or any
  OpenAI-compatible server (OPENAI_BASE_URL: Ollama, vLLM, llama.cpp). Bounded timeout and
  retries (the openai client backs off on 429/5xx), token/cost accounting, a prompt-hash cache.
  An unusable answer (error, timeout, malformed JSON) falls back to the offline report and the
  reason is recorded: a failed call never loses the incident.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from odoo_triage.agent.actions import NOTE_MODELS, named_field_write
from odoo_triage.agent.causes import classify_text
from odoo_triage.agent.incidents import AssembledIncident, IncidentFacts
from odoo_triage.agent.llm.cache import LlmCache, prompt_hash
from odoo_triage.agent.llm.report import ProposedAction, TriageReport
from odoo_triage.agent.llm.usage import cost_usd, tokens_from_message
from odoo_triage.agent.redact import redact
from odoo_triage.core.domain import ActionName, Cause, Incident
from odoo_triage.core.settings import GroundingSettings
from odoo_triage.prompts import PromptFile, load_prompt

OFFLINE_LABEL = "offline (deterministic, no LLM)"
DEFAULT_MODEL = "gpt-4o-mini"
PROMPT_NAME = "triage_report"
EVENTS_IN_PROMPT = 40
RECORDS_IN_PROMPT = 200
NOTES_LIMIT = 50
# json_schema: response_format (OpenAI, vLLM, Ollama, llama.cpp); function_calling: for servers without it
STRUCTURED_METHODS = ("json_schema", "function_calling")


@dataclass
class ProviderResult:
    report: TriageReport
    provider: str
    model: str = ""
    prompt_name: str = ""
    prompt_version: str = ""
    prompt_hash: str = ""
    cached: bool = False
    fallback_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0


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
    Cause.unknown: "investigate",
}


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
             if ref.startswith("queue.job:") and ref.split(":", 1)[1] in failed_jobs][:500]
    retry_ok = facts.verdict.retry_safe if facts.verdict is not None else True
    if cause in (Cause.rate_limit, Cause.upstream_outage) and uuids and retry_ok:
        actions.append(ProposedAction(
            action=ActionName.requeue_jobs, params={"job_uuids": uuids}, evidence_ids=cites,
            rationale=f"{len(uuids)} queue.job records failed after their retries ({cause}); requeue them once "
                      f"{'the rate limit clears' if cause == Cause.rate_limit else 'the upstream is back'} "
                      f"(failed jobs only, never started ones)." + _partial(len(uuids), facts.metrics.get("gave_up"),
                                                                            "failed jobs")))
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
    if facts.duplicate_project_ids:
        for pid in facts.duplicate_project_ids:
            actions.append(ProposedAction(
                action=ActionName.archive_project, params={"project_id": pid},
                evidence_ids=[*incident.cluster_ids[:1], *cites[:2]],
                rationale=f"project.project:{pid} was created by a repeated delivery of the same message; "
                          f"archive the duplicate (archiving is reversible)."
                          + _partial(len(facts.duplicate_project_ids), facts.metrics.get("duplicates"), "duplicates")))
    if cause == Cause.schema_validation and facts.error_records:
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
    if not actions:
        fix = _FIX_WORDS.get(cause, "investigate")
        actions.append(ProposedAction(
            action=ActionName.escalate,
            params={"flow": incident.flow, "owner": _owner(incident, facts),
                    "message": redact(f"{incident.title}. Probable cause: {cause}. Suggested: {fix}. "
                                      f"Evidence: {', '.join(cites) or ', '.join(incident.anomaly_ids[:3])}.")[:3900]},
            evidence_ids=cites or incident.anomaly_ids[:3],
            rationale=f"The fix is outside Odoo ({_CAUSE_WORDS[cause]}); hand it to the flow owner."))
    return actions


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

    def triage(self, assembled: AssembledIncident) -> ProviderResult:
        t0 = time.perf_counter()
        report = offline_report(assembled)
        return ProviderResult(report=report, provider=self.name, latency_s=time.perf_counter() - t0)


# --------------------------------------------------------------------------- openai


def render_variables(assembled: AssembledIncident) -> dict[str, str]:
    """The prompt's variables: everything redacted, evidence sampled (failed events first)."""
    inc, facts = assembled.incident, assembled.facts
    lines: list[str] = []
    events = 0
    for e in inc.evidence:
        if e.kind == "record":
            continue
        if e.kind == "event":
            events += 1
            if events > EVENTS_IN_PROMPT:
                continue
        refs = ",".join(e.record_ids[:5]) + ("..." if len(e.record_ids) > 5 else "")
        lines.append(f"{e.evidence_id} | {e.kind} | {refs or '-'} | {_defang(redact(e.text))}")
    if events > EVENTS_IN_PROMPT:
        lines.append(f"(+{events - EVENTS_IN_PROMPT} more events of the same kind not shown)")
    records = inc.affected_records[:RECORDS_IN_PROMPT]
    more = len(inc.affected_records) - len(records)
    evidence = "\n".join(lines)
    title = _defang(redact(inc.title))
    return {
        "incident_id": inc.incident_id,
        "fence": hashlib.sha256((title + evidence).encode()).hexdigest()[:12],
        "settable_fields": "; ".join(f"{m}: {', '.join(f)}" for m, f in GroundingSettings().set_field.items()),
        "title": title,
        "flow": inc.flow,
        "owner": facts.flow_info.owner if facts.flow_info else "unknown",
        "criticality": str(facts.flow_info.criticality) if facts.flow_info else "unknown",
        "window_start": inc.window_start.isoformat(),
        "window_end": inc.window_end.isoformat(),
        "kinds": ", ".join(inc.kinds),
        "severity": str(inc.severity),
        "severity_score": f"{inc.severity_score:.2f}",
        "cause_hint": str(inc.cause),
        "cause_confidence": f"{inc.cause_confidence:.2f}",
        "affected_records": (", ".join(records) + (f" (+{more} more)" if more > 0 else "")) or "none",
        "evidence": evidence,
    }


def _defang(text: str) -> str:
    """Untrusted text cannot close the prompt's data fence or open a new one."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


def report_json_schema() -> dict[str, Any]:
    schema = TriageReport.model_json_schema()
    schema["title"] = "TriageReport"
    schema.setdefault("description", "The triage report for one incident.")
    return schema


class OpenAIProvider:
    name = "openai"

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float | None = None,
        max_retries: int | None = None,
        cache: LlmCache | None = None,
        prompt_version: str | None = None,
        method: str | None = None,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.model = model or os.environ.get("TRIAGE_OPENAI_MODEL") or DEFAULT_MODEL
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            from odoo_triage.core.errors import InputError

            raise InputError("provider openai needs OPENAI_API_KEY (and OPENAI_BASE_URL for a compatible server)")
        self.timeout_s = timeout_s if timeout_s is not None else float(os.environ.get("TRIAGE_OPENAI_TIMEOUT", "60"))
        self.max_retries = max_retries if max_retries is not None else int(os.environ.get("TRIAGE_OPENAI_MAX_RETRIES", "3"))
        self.method = method or os.environ.get("TRIAGE_OPENAI_STRUCTURED", "json_schema")
        if self.method not in STRUCTURED_METHODS:
            from odoo_triage.core.errors import InputError

            raise InputError(f"TRIAGE_OPENAI_STRUCTURED must be one of {', '.join(STRUCTURED_METHODS)}")
        self.concurrency = max(1, int(os.environ.get("TRIAGE_OPENAI_CONCURRENCY", "4")))
        self.cache = cache or LlmCache()
        self.prompt: PromptFile = load_prompt(PROMPT_NAME, prompt_version)
        self.label = f"openai ({self.model}{' at ' + self.base_url if self.base_url else ''})"
        self._llm = ChatOpenAI(model=self.model, api_key=key, base_url=self.base_url, timeout=self.timeout_s,
                               max_retries=self.max_retries, temperature=0)
        self._schema = report_json_schema()

    def _messages(self, variables: dict[str, str]) -> list[tuple[str, str]]:
        from langchain_core.prompts import ChatPromptTemplate

        template = ChatPromptTemplate.from_messages([("system", self.prompt.system), ("human", self.prompt.user)])
        return [(m.type, str(m.content)) for m in template.format_messages(**variables)]

    def triage(self, assembled: AssembledIncident) -> ProviderResult:
        variables = render_variables(assembled)
        messages = self._messages(variables)
        key = prompt_hash(self.name, self.model, self.method, self.prompt.ref, self.prompt.sha256, messages,
                          self._schema)
        base = {"provider": self.name, "model": self.model, "prompt_name": self.prompt.name,
                "prompt_version": self.prompt.version, "prompt_hash": key}
        hit = self.cache.get(key)
        if hit is not None:
            try:
                return ProviderResult(report=TriageReport.model_validate(hit["response"]), cached=True, **base)
            except Exception:  # an old cache entry that no longer fits the schema: ask again
                pass
        structured = self._llm.with_structured_output(self._schema, method=self.method, include_raw=True)
        t0 = time.perf_counter()
        try:
            out = structured.invoke(messages)
        except Exception as exc:  # timeouts, exhausted retries, HTTP errors: all end as a recorded fallback
            return self._fallback(assembled, base, f"{type(exc).__name__}: {redact(str(exc))[:200]}",
                                  time.perf_counter() - t0)
        latency = time.perf_counter() - t0
        raw = out.get("raw")
        p_tok, c_tok = tokens_from_message(raw)
        usage = {"prompt_tokens": p_tok, "completion_tokens": c_tok, "cost_usd": cost_usd(self.model, p_tok, c_tok),
                 "latency_s": latency}
        if out.get("parsing_error") is not None or out.get("parsed") is None:
            err = out.get("parsing_error")
            reason = f"malformed answer: {type(err).__name__ if err else 'empty'}: {redact(str(err or ''))[:160]}"
            return self._fallback(assembled, base, reason, latency, usage)
        try:
            parsed = out["parsed"]
            report = TriageReport.model_validate(parsed if isinstance(parsed, dict) else json.loads(str(parsed)))
        except Exception as exc:
            return self._fallback(assembled, base, f"malformed answer: does not fit TriageReport: {redact(str(exc))[:160]}",
                                  latency, usage)
        self.cache.put(key, provider=self.name, model=self.model, response=report.model_dump(mode="json"),
                       prompt_tokens=p_tok, completion_tokens=c_tok, cost_usd=usage["cost_usd"])
        return ProviderResult(report=report, **base, **usage)

    def _fallback(self, assembled: AssembledIncident, base: dict[str, Any], reason: str, latency: float,
                  usage: dict[str, Any] | None = None) -> ProviderResult:
        usage = dict(usage or {})
        usage["latency_s"] = latency
        return ProviderResult(report=offline_report(assembled), fallback_reason=reason, **base, **usage)


# --------------------------------------------------------------------------- choice


def default_provider_name() -> str:
    return "openai" if os.environ.get("OPENAI_API_KEY") else "offline"


def get_provider(name: str | None = None, *, cache: LlmCache | None = None, **kwargs: Any) -> OfflineProvider | OpenAIProvider:
    name = name or default_provider_name()
    if name == "offline":
        return OfflineProvider()
    if name == "openai":
        return OpenAIProvider(cache=cache, **kwargs)
    from odoo_triage.core.errors import InputError

    raise InputError(f"unknown provider {name!r}: use offline or openai")
