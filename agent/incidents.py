"""Incident assembly: anomalies and duplicate clusters become incidents a person can act on.

One outage fires several detectors (an error spike, a new signature, a volume drop) over
several windows; those are grouped into one incident when they share a flow and, together:
touch in time with no conflicting cause, share an error signature within a few hours, or share
correlation ids / idempotency keys within a few hours with no conflicting cause. A shared
record alone never fuses two incidents (one partner can fail for two unrelated reasons days
apart), and a fused incident never spans more than `max_fused_span_hours`. Incident ids are stable (flow + hour bucket + lead signature/kind, or the
cluster's records), so a re-run updates incidents instead of duplicating them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from odoo_triage.agent.causes import (
    GATEWAY_TIMEOUTS,
    CauseVerdict,
    carried_by_dominant,
    classify,
    dominant_error,
    read_signals,
    rule_cause,
    statuses_named,
)
from odoo_triage.agent.lifecycle import status_on_rerun
from odoo_triage.agent.redact import redact
from odoo_triage.agent.severity import score_severity
from odoo_triage.agent.store import Store
from odoo_triage.agent.store.tables import IncidentRow
from odoo_triage.core.domain import (
    Anomaly,
    DuplicateCluster,
    EventStatus,
    EvidenceItem,
    FlowInfo,
    Incident,
    IncidentStatus,
    LogEvent,
    RecordModel,
    stable_id,
)
from odoo_triage.core.results import DetectionOutput, MatchOutput
from odoo_triage.core.settings import CorrelationSettings

ADJACENT = timedelta(minutes=30)  # windows closer than this are one episode
SAME_SIGNATURE = timedelta(hours=6)  # the same error signature this close is the same cause
BUCKET = timedelta(hours=1)
NOTE_LIMIT = 50
DUPLICATES_FLOW = {RecordModel.partner: "res.partner duplicates", RecordModel.project: "project.project duplicates"}


@dataclass
class IncidentFacts:
    """What the evidence says, structured, for the offline provider and severity; not stored."""

    flow_info: FlowInfo | None = None
    events: int = 0
    failed_events: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failed_job_uuids: list[str] = field(default_factory=list)
    duplicate_project_ids: list[int] = field(default_factory=list)
    redelivered_records: list[str] = field(default_factory=list)  # made by a second delivery of one message
    # (master partner id, duplicate ids, evidence id): partners one message made twice
    redelivered_partners: list[tuple[int, list[int], str]] = field(default_factory=list)
    partner_clusters: list[DuplicateCluster] = field(default_factory=list)
    project_clusters: list[DuplicateCluster] = field(default_factory=list)
    error_records: list[str] = field(default_factory=list)  # records on failed events, noteable models
    failed_records: list[tuple[str, list[str]]] = field(default_factory=list)  # (redacted error, its records)
    errors: list[str] = field(default_factory=list)  # distinct redacted error texts, most frequent first
    money: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)  # the anomalies' metrics, largest value per key
    verdict: CauseVerdict | None = None
    write_dates: dict[str, datetime] = field(default_factory=dict)  # affected record -> write_date as last read


@dataclass
class AssembledIncident:
    incident: Incident
    facts: IncidentFacts


# --------------------------------------------------------------------------- rendering


def render_event(ev: LogEvent) -> str:
    """A short, redacted line: time, flow/operation, status, http status, error, records."""
    parts = [ev.timestamp.strftime("%Y-%m-%d %H:%M:%S"), ev.flow]
    if ev.operation:
        parts.append(ev.operation)
    parts.append(f"status={ev.status}")
    if ev.http_status is not None:
        parts.append(f"http={ev.http_status}")
    if ev.latency_ms is not None:
        parts.append(f"latency={ev.latency_ms:.0f}ms")
    if ev.retry_count:
        parts.append(f"retries={ev.retry_count}")
    if ev.idempotency_key:
        parts.append(f"idempotency_key={ev.idempotency_key}")
    if ev.error:
        parts.append(f"error={redact(ev.error)[:240]}")
    if ev.record_ids:
        shown = ev.record_ids[:5]
        parts.append("records=" + ",".join(shown) + ("..." if len(ev.record_ids) > 5 else ""))
    return " ".join(parts)


def _signature_text(sig: str, templates: dict[str, Any]) -> str:
    tpl = templates.get(sig)
    if isinstance(tpl, tuple | list) and tpl:
        return str(tpl[0])
    if isinstance(tpl, str):
        return tpl
    return sig


def _signature_id(sig: str, templates: dict[str, Any]) -> str:
    if sig in templates and len(sig) <= 64:
        return sig if sig.startswith("sig") else f"sig:{sig}"
    return stable_id("sig", sig)


# --------------------------------------------------------------------------- grouping


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _gap(a: Anomaly, b: Anomaly) -> timedelta:
    """Time between two windows; zero or negative when they overlap."""
    return max(a.window_start, b.window_start) - min(a.window_end, b.window_end)


def _event_keys(an: Anomaly, evidence: dict[str, LogEvent]) -> set[str]:
    """Correlation ids and idempotency keys of the anomaly's cited failed events (records are not keys:
    a record shared by two failures says nothing about their being one incident)."""
    keys: set[str] = set()
    for eid in an.cited_event_ids():
        ev = evidence.get(eid)
        if ev is None or ev.status == EventStatus.ok:
            continue
        if ev.correlation_id:
            keys.add("c:" + ev.correlation_id)
        if ev.idempotency_key:
            keys.add("k:" + ev.idempotency_key)
    return keys


def anomaly_cause(an: Anomaly, evidence: dict[str, LogEvent], templates: dict[str, Any] | None = None) -> str | None:
    """The cause one anomaly's own failed events settle by rule (no model), or None when they settle none
    (a silence, a latency shift: those join any neighbour)."""
    statuses: Counter[str | int] = Counter()
    texts: Counter[str] = Counter()
    for eid in an.cited_event_ids():
        ev = evidence.get(eid)
        if ev is None or ev.status == EventStatus.ok:
            continue
        if ev.http_status is not None:
            statuses[ev.http_status] += 1
        if ev.error:
            texts[ev.error[:300]] += 1
    if an.signature and templates:
        texts[_signature_text(an.signature, templates)[:300]] += 1
    if not texts and not statuses:
        return None
    verdict = rule_cause([str(an.kind)], Counter({int(k): v for k, v in statuses.items()}),
                         " | ".join(t for t, _ in texts.most_common(5)))
    return str(verdict.cause) if verdict is not None else None


def correlated(a: Anomaly, b: Anomaly, shared_keys: bool, causes: tuple[str | None, str | None],
               cfg: CorrelationSettings) -> bool:
    """Are two anomalies of one flow the same incident? Time, signature, keys and cause together."""
    gap = _gap(a, b)
    compatible = causes[0] is None or causes[1] is None or causes[0] == causes[1]
    if gap <= timedelta(minutes=cfg.adjacent_minutes) and compatible:
        return True
    if a.signature and a.signature == b.signature and gap <= timedelta(hours=cfg.same_signature_hours):
        return True
    return shared_keys and compatible and gap <= timedelta(hours=cfg.shared_key_hours)


def group_anomalies(anomalies: Sequence[Anomaly], evidence: dict[str, LogEvent],
                    correlation: CorrelationSettings | None = None,
                    templates: dict[str, Any] | None = None) -> list[list[Anomaly]]:
    """Groups of anomalies that are one incident, each sorted by time, groups sorted by time.

    Closest pairs are joined first, and a join that would make a group span more than the
    configured maximum is refused, so a chain of neighbours cannot stretch one incident over days.
    """
    cfg = correlation or CorrelationSettings()
    max_span = timedelta(hours=cfg.max_fused_span_hours)
    uf = _UnionFind(len(anomalies))
    span = {i: (an.window_start, an.window_end) for i, an in enumerate(anomalies)}
    by_flow: dict[str, list[int]] = defaultdict(list)
    for i, an in enumerate(anomalies):
        by_flow[an.flow].append(i)
    pairs: list[tuple[timedelta, int, int]] = []
    for idxs in by_flow.values():
        keys = {i: _event_keys(anomalies[i], evidence) for i in idxs}
        causes = {i: anomaly_cause(anomalies[i], evidence, templates) for i in idxs}
        for x, i in enumerate(idxs):
            for j in idxs[x + 1:]:
                a, b = anomalies[i], anomalies[j]
                if correlated(a, b, bool(keys[i] & keys[j]), (causes[i], causes[j]), cfg):
                    pairs.append((_gap(a, b), i, j))
    for _gap_ab, i, j in sorted(pairs):
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj:
            continue
        start, end = min(span[ri][0], span[rj][0]), max(span[ri][1], span[rj][1])
        if end - start > max_span:
            continue
        uf.union(ri, rj)
        span[uf.find(ri)] = (start, end)
    groups: dict[int, list[Anomaly]] = defaultdict(list)
    for i, an in enumerate(anomalies):
        groups[uf.find(i)].append(an)
    out = [sorted(g, key=lambda a: (a.window_start, a.anomaly_id)) for g in groups.values()]
    return sorted(out, key=lambda g: (g[0].window_start, g[0].flow))


# --------------------------------------------------------------------------- facts


def _failed_job_uuids(events: list[LogEvent]) -> list[str]:
    """queue.job uuids whose latest cited event failed (never ones that later succeeded)."""
    last: dict[str, LogEvent] = {}
    for ev in sorted(events, key=lambda e: e.timestamp):
        for ref in ev.record_ids:
            if ref.startswith("queue.job:"):
                last[ref.split(":", 1)[1]] = ev
    return sorted(u for u, ev in last.items() if ev.status == EventStatus.error)


def _duplicate_projects(events: list[LogEvent], clusters: list[DuplicateCluster]) -> list[int]:
    """Projects created by a second delivery of the same idempotency key (the first one stays).

    The deliveries' order is the stronger evidence; a duplicate cluster only adds its non-master
    records when no delivery already says which of its projects came first.
    """
    dups: set[int] = set()
    explained: set[int] = set()
    by_key: dict[str, list[LogEvent]] = defaultdict(list)
    for ev in events:
        if ev.idempotency_key:
            by_key[ev.idempotency_key].append(ev)
    for evs in by_key.values():
        if len(evs) < 2:
            continue
        evs.sort(key=lambda e: (e.timestamp, e.event_id))
        first = {r for r in evs[0].record_ids if r.startswith("project.project:")}
        explained.update(_ids(first))
        for ev in evs[1:]:
            later = [r for r in ev.record_ids if r.startswith("project.project:") and r not in first]
            dups.update(_ids(later))
            explained.update(_ids(later))
    for c in clusters:
        if explained & set(c.record_ids):
            continue
        dups.update(i for i in c.record_ids if i != c.suggested_master_id)
    return sorted(dups)


def processed(ev: LogEvent) -> bool:
    """Did this delivery do its work? A success did; so did a delivery the sender stopped waiting for (a
    gateway timeout) when the receiver's log names the record it made: the sender redelivered work done."""
    if ev.status == EventStatus.ok:
        return True
    return ev.http_status in GATEWAY_TIMEOUTS and bool(ev.record_ids)


def redelivered_records(events: list[LogEvent]) -> list[str]:
    """Records (any model) that a later delivery of an already delivered message made: its typed record
    ids that the first delivery of the same idempotency key did not name. Those are the duplicates."""
    by_key: dict[str, list[LogEvent]] = defaultdict(list)
    for ev in events:
        if ev.idempotency_key and processed(ev):
            by_key[ev.idempotency_key].append(ev)
    out: list[str] = []
    for evs in by_key.values():
        if len(evs) < 2:
            continue
        evs.sort(key=lambda e: (e.timestamp, e.event_id))
        first = set(evs[0].record_ids)
        out.extend(r for ev in evs[1:] for r in ev.record_ids if r not in first and r not in out)
    return out


def redelivered_partners(events: list[LogEvent]) -> list[tuple[int, list[int], EvidenceItem]]:
    """Partners that repeated deliveries of one message made: the first delivery's partner is the
    master, the ones later deliveries made are its duplicates. That is a duplicate cluster by
    construction (one message, one contact), shown as a cluster evidence item so a merge can cite it."""
    by_key: dict[str, list[LogEvent]] = defaultdict(list)
    for ev in events:
        if ev.idempotency_key and processed(ev):
            by_key[ev.idempotency_key].append(ev)
    out: list[tuple[int, list[int], EvidenceItem]] = []
    for key, evs in sorted(by_key.items()):
        if len(evs) < 2:
            continue
        evs.sort(key=lambda e: (e.timestamp, e.event_id))
        first = _ids(r for r in evs[0].record_ids if r.startswith("res.partner:"))
        later = [i for ev in evs[1:] for i in _ids(r for r in ev.record_ids if r.startswith("res.partner:"))]
        dups = list(dict.fromkeys(i for i in later if i not in first))[:2]
        if len(first) != 1 or not dups:
            continue  # no single master to merge into: leave it to a person
        refs = [f"res.partner:{i}" for i in (first[0], *dups)]
        item = EvidenceItem(
            evidence_id=stable_id("cluster", "redelivery", key, *refs), kind="cluster", record_ids=refs,
            text=f"{len(refs)} res.partner records made by {len(evs)} deliveries of one message "
                 f"(idempotency key {redact(key)[:60]}); master res.partner:{first[0]} (the first delivery's)")
        out.append((first[0], dups, item))
    return out


def _ids(refs: Iterable[str]) -> list[int]:
    out = []
    for ref in refs:
        tail = ref.split(":", 1)[1]
        if tail.isdigit():
            out.append(int(tail))
    return out


_TEXT_RECORD = re.compile(r"(?i)\b(employee|partner|project)\s+#?(\d{1,9})\b")
_TEXT_MODELS = {"employee": "hr.employee", "partner": "res.partner", "project": "project.project"}


def records_in_text(text: str | None) -> list[str]:
    """Record refs an error message names ("employee 296"), for readers that did not extract them."""
    if not text:
        return []
    return list(dict.fromkeys(f"{_TEXT_MODELS[m.group(1).lower()]}:{m.group(2)}" for m in _TEXT_RECORD.finditer(text)))


_PARTNER_REF = re.compile(r"\bres\.partner[(: ]+#?(\d{1,9})\b")


def clusters_named_by_errors(group: Sequence[Anomaly], evidence: dict[str, LogEvent],
                             clusters: Sequence[DuplicateCluster], used: set[str],
                             model: RecordModel = RecordModel.partner) -> list[DuplicateCluster]:
    """Partner clusters an incident's errors point at: a rejection naming a duplicate (duplicate VAT,
    unique ref / e-mail) or a partner lookup that found several (Odoo's "Expected singleton:
    res.partner(7, 9)") on a record of a known cluster belongs with that cluster, whose merge is the fix."""
    refs: set[str] = set()
    recordsets: set[frozenset[str]] = set()
    for an in group:
        for eid in an.cited_event_ids():
            ev = evidence.get(eid)
            if ev is None or ev.status == EventStatus.ok or not ev.error:
                continue
            signals = read_signals(ev.error)
            if not signals.duplicate and signals.ambiguous != str(model):
                continue
            refs.update(ev.record_ids)
            if model == RecordModel.partner:  # other models: only the typed ids of the failed record
                refs.update(records_in_text(ev.error))
                refs.update(f"res.partner:{i}" for i in _PARTNER_REF.findall(ev.error))
            elif signals.ambiguous == str(model):
                recordsets.update(singleton_recordsets(ev.error, str(model)))
    if not refs and not recordsets:
        return []
    out = []
    for c in clusters:
        if c.model != model or c.cluster_id in used:
            continue
        members = {f"{c.model}:{i}" for i in c.record_ids}
        # the recordset Odoo's ensure_one printed only selects a cluster the matcher found that holds every
        # record it names: the cluster grounds the archive, the text never adds a record to it
        if members & refs or any(rs <= members for rs in recordsets):
            out.append(c)
    return out


_SINGLETON_SET = re.compile(r"\bExpected singleton: ([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)\(((?:\d{1,9}, ?)+\d{1,9}),?\)")


def singleton_recordsets(text: str, model: str) -> list[frozenset[str]]:
    """The records of `model` Odoo's ensure_one found several of ("Expected singleton: project.project(27, 374)",
    odoo/models.py renders the recordset it raised on), as refs: used only to pick a matcher's cluster."""
    return [frozenset(f"{model}:{i.strip()}" for i in m.group(2).split(","))
            for m in _SINGLETON_SET.finditer(text) if m.group(1) == model]


def replayed_backlog(group: Sequence[Anomaly], flow_stats: Any, cfg: CorrelationSettings) -> bool:
    """Did the messages a silence missed arrive in a burst right after it? Then the sender held them (its
    queue stalled) and delivered the backlog; a lost subscription, webhook or schedule loses them instead.
    Read from the detectors' hourly volumes against their expected volumes (flow_stats)."""
    silences = [a for a in group if str(a.kind) in ("silent_flow", "volume_drop")]
    if not silences or flow_stats is None or getattr(flow_stats, "empty", True):
        return False
    missed = sum(float(a.metrics.get("expected_events", 0.0)) - float(a.metrics.get("observed_events", 0.0))
                 for a in silences)
    if missed <= 0:
        return False
    first_hour = max(a.window_end for a in silences).replace(minute=0, second=0, microsecond=0)
    hours = flow_stats[(flow_stats["flow"] == silences[0].flow) & (flow_stats["hour"] >= first_hour)
                       & (flow_stats["hour"] < first_hour + timedelta(hours=cfg.backlog_hours))]
    excess = float((hours["volume"] - hours["expected_volume"]).clip(lower=0).sum())
    return excess >= max(float(cfg.backlog_min_events), cfg.backlog_share * missed)


def _money(anomalies: Iterable[Anomaly]) -> float:
    total = 0.0
    for an in anomalies:
        for key, value in an.metrics.items():
            if any(w in key.lower() for w in ("amount", "money", "eur", "usd", "value_at_risk")):
                total = max(total, float(value))
    return total


# --------------------------------------------------------------------------- assembly


def _flow_map(flows: Iterable[FlowInfo | dict[str, Any]] | None) -> dict[str, FlowInfo]:
    out: dict[str, FlowInfo] = {}
    for f in flows or []:
        info = f if isinstance(f, FlowInfo) else FlowInfo.model_validate(f)
        out[info.name] = info
    return out


def _title(kinds: list[str], flow: str, top_error: str | None) -> str:
    words = " + ".join(k.replace("_", " ") for k in kinds[:3]) or "anomaly"
    tail = f": {top_error[:70]}" + ("..." if len(top_error) > 70 else "") if top_error else ""
    return f"{words} on {flow}{tail}"


def _cluster_evidence(c: DuplicateCluster) -> EvidenceItem:
    refs = [f"{c.model}:{i}" for i in c.record_ids]
    text = (f"{len(c.record_ids)} {c.model} records look like one (p={c.probability:.2f}); suggested master "
            f"{c.model}:{c.suggested_master_id}. {redact(c.reason)[:300]}")
    return EvidenceItem(evidence_id=c.cluster_id, kind="cluster", text=text, record_ids=refs)


def _build(
    flow: str,
    anomalies: list[Anomaly],
    clusters: list[DuplicateCluster],
    evidence: dict[str, LogEvent],
    templates: dict[str, Any],
    flow_info: FlowInfo | None,
    *,
    id_parts: tuple[Any, ...],
    window: tuple[datetime, datetime],
    backlog: bool = False,
) -> AssembledIncident:
    facts = IncidentFacts(flow_info=flow_info)
    items: list[EvidenceItem] = []
    kinds: list[str] = []
    for an in anomalies:
        for k in [an.kind, *an.related_kinds]:
            if str(k) not in kinds:
                kinds.append(str(k))
        items.append(EvidenceItem(evidence_id=an.anomaly_id, kind="anomaly",
                                  text=f"{an.kind} (score {an.score:.2f}): {redact(an.reason)[:300]}"))
    if clusters:
        kinds.append("duplicate_cluster")
    # signatures
    signatures: list[str] = []
    for an in anomalies:
        if an.signature:
            text = redact(_signature_text(an.signature, templates))
            if text not in signatures:
                signatures.append(text)
                items.append(EvidenceItem(evidence_id=_signature_id(an.signature, templates), kind="signature",
                                          text=text[:300]))
    # events
    seen: set[str] = set()
    events: list[LogEvent] = []
    for an in anomalies:
        for eid in an.cited_event_ids():
            ev = evidence.get(eid)
            if ev is None or eid in seen:
                continue
            seen.add(eid)
            events.append(ev)
    events.sort(key=lambda e: (e.status == EventStatus.ok, e.timestamp, e.event_id))
    records: list[str] = []
    error_counter: Counter[str] = Counter()
    for ev in events:
        # only ids a reader took from a typed field ground anything: an id that appears in the error text
        # is shown with the text, never grounded (anyone who can make an integration fail writes that text)
        rec = list(ev.record_ids)
        items.append(EvidenceItem(evidence_id=ev.event_id, kind="event", text=render_event(ev), record_ids=rec))
        records.extend(r for r in rec if r not in records)
        if ev.status != EventStatus.ok:
            facts.failed_events += 1 if ev.status == EventStatus.error else 0
            if ev.http_status is not None:
                facts.statuses[ev.http_status] += 1
            if ev.error:
                error_counter[redact(ev.error)[:300]] += 1
            if ev.status == EventStatus.error and rec:
                facts.failed_records.append((redact(ev.error or ""), rec))
            if ev.status == EventStatus.error:
                facts.error_records.extend(
                    r for r in rec if r.split(":", 1)[0] in {"res.partner", "project.project", "hr.employee",
                                                             "account.move"} and r not in facts.error_records)
    facts.events = len(events)
    facts.errors = [e for e, _ in error_counter.most_common(20)]
    for c in clusters:
        items.append(_cluster_evidence(c))
        records.extend(r for r in (f"{c.model}:{i}" for i in c.record_ids) if r not in records)
        (facts.partner_clusters if c.model == RecordModel.partner else facts.project_clusters).append(c)
    for ref in records:
        items.append(EvidenceItem(evidence_id=ref, kind="record", text=f"record {ref}", record_ids=[ref]))
    facts.failed_job_uuids = _failed_job_uuids(events)
    facts.duplicate_project_ids = _duplicate_projects(events, facts.project_clusters)
    clustered = {i for c in facts.project_clusters for i in c.record_ids}
    for pid in facts.duplicate_project_ids:  # made by a later delivery of one message: its own duplicate evidence
        if pid not in clustered:
            ref = f"project.project:{pid}"
            items.append(EvidenceItem(evidence_id=stable_id("cluster", "redelivery", ref), kind="cluster",
                                      record_ids=[ref], text=f"{ref} made by a repeated delivery of a message "
                                                             "already delivered (same idempotency key)"))
    facts.redelivered_records = redelivered_records(events)
    known_pairs = {frozenset(c.record_ids) for c in facts.partner_clusters}
    for master, dups, item in redelivered_partners(events):
        if any({master, *dups} <= ids for ids in known_pairs):
            continue  # the matcher's cluster already holds them: its merge is proposed
        items.append(item)
        facts.redelivered_partners.append((master, dups, item.evidence_id))
    facts.money = _money(anomalies)
    for an in anomalies:
        for key, value in an.metrics.items():
            facts.metrics[key] = max(float(value), facts.metrics.get(key, float("-inf")))

    text = " | ".join(signatures + facts.errors[:10]) or " | ".join(a.reason for a in anomalies)
    operations = [ev.operation or "" for ev in events]
    # no failed event had a status field (queue.job exports, Odoo tracebacks): the statuses their errors name
    statuses = facts.statuses or statuses_named(error_counter)
    verdict = classify(kinds, statuses, text, operations, error_counter, backlog)
    if not carried_by_dominant(verdict, error_counter):
        # a stray line's value error among other failures: the dominant wording decides, the stray is left out
        top = dominant_error(error_counter) or ""
        verdict = classify(kinds, statuses, " | ".join([*signatures, top]), operations)
    facts.verdict = verdict
    anomaly_score = max([a.score for a in anomalies] + [c.probability * 0.6 for c in clusters] + [0.0])
    severity, sev_score = score_severity(
        flow_info.criticality if flow_info else None,
        records=len(records), failed_events=facts.failed_events, money=facts.money, anomaly_score=anomaly_score,
    )
    top_error = facts.errors[0] if facts.errors else (signatures[0] if signatures else None)
    incident = Incident(
        incident_id=stable_id("inc", *id_parts),
        title=_title(kinds, flow, top_error),
        flow=flow,
        kinds=kinds,
        window_start=window[0],
        window_end=window[1],
        severity=severity,
        severity_score=sev_score,
        cause=verdict.cause,
        cause_confidence=round(verdict.confidence, 4),
        status=IncidentStatus.open,
        anomaly_ids=[a.anomaly_id for a in anomalies],
        cluster_ids=[c.cluster_id for c in clusters],
        evidence=items,
        affected_records=records,
        signatures=signatures,
    )
    return AssembledIncident(incident=incident, facts=facts)


def _bucket(t: datetime) -> str:
    epoch = int(t.timestamp())
    return datetime.fromtimestamp(epoch - epoch % int(BUCKET.total_seconds()), tz=t.tzinfo).isoformat()


def assemble_incidents(
    detection: DetectionOutput | None,
    partner_result: MatchOutput | None = None,
    project_result: MatchOutput | None = None,
    flows: Iterable[FlowInfo | dict[str, Any]] | None = None,
    correlation: CorrelationSettings | None = None,
    write_dates: dict[str, datetime] | None = None,
) -> list[AssembledIncident]:
    """Group a detection result and duplicate clusters into incidents, most severe first.

    `write_dates` ("res.partner:7" -> write_date, from a records export or an Odoo read) lets a
    proposal guard a field write on an affected record."""
    anomalies: list[Anomaly] = list(detection.anomalies) if detection else []
    evidence: dict[str, LogEvent] = dict(detection.evidence) if detection else {}
    templates: dict[str, Any] = dict(detection.templates) if detection else {}
    flow_info = _flow_map(flows)
    cfg = correlation or CorrelationSettings()
    flow_stats = getattr(detection, "flow_stats", None)  # hourly volumes, when the detectors give them
    project_clusters = list(project_result.clusters) if project_result else []
    partner_clusters = list(partner_result.clusters) if partner_result else []

    out: list[AssembledIncident] = []
    used_clusters: set[str] = set()
    for group in group_anomalies(anomalies, evidence, correlation, templates):
        flow = group[0].flow
        kinds = {str(k) for a in group for k in [a.kind, *a.related_kinds]}
        attached: list[DuplicateCluster] = []
        if "duplicate_delivery" in kinds:
            refs = {r for a in group for eid in a.cited_event_ids() if (ev := evidence.get(eid)) for r in ev.record_ids}
            attached = [c for c in project_clusters
                        if c.cluster_id not in used_clusters and {f"{c.model}:{i}" for i in c.record_ids} & refs]
            used_clusters.update(c.cluster_id for c in attached)
        named = clusters_named_by_errors(group, evidence, partner_clusters, used_clusters)
        # a failed job whose own (typed) project is a known duplicate, rejected as a duplicate (a folder or
        # key "already exists"): the project cluster's archive is the fix
        named += clusters_named_by_errors(group, evidence, project_clusters, used_clusters, RecordModel.project)
        used_clusters.update(c.cluster_id for c in named)
        attached += named
        lead = group[0]
        window = (min(a.window_start for a in group), max(a.window_end for a in group))
        out.append(_build(flow, group, attached, evidence, templates, flow_info.get(flow),
                          id_parts=(flow, _bucket(window[0]), lead.signature or str(lead.kind)), window=window,
                          backlog=replayed_backlog(group, flow_stats, cfg)))

    as_of = max((a.window_end for a in anomalies), default=None) or max(
        (e.timestamp for e in evidence.values()), default=None)
    if as_of is None:
        from odoo_triage.core.clock import utcnow

        as_of = utcnow()
    rest = [c for c in [*project_clusters, *partner_clusters] if c.cluster_id not in used_clusters]
    out.extend(rollup_duplicate_clusters(rest, evidence, templates, flow_info, as_of))
    if write_dates:
        for item in out:
            item.facts.write_dates = {r: write_dates[r] for r in item.incident.affected_records if r in write_dates}
    out.sort(key=lambda a: (-a.incident.severity_score, a.incident.window_start, a.incident.incident_id))
    return out


# --------------------------------------------------------------------------- duplicates roll-up


def data_quality_incident_id(model: RecordModel | str) -> str:
    """One data-quality incident per model: a re-run updates it, its return reopens it."""
    return stable_id("inc", str(model), "data_quality")


def rollup_duplicate_clusters(
    clusters: Sequence[DuplicateCluster],
    evidence: dict[str, LogEvent],
    templates: dict[str, Any],
    flow_info: dict[str, FlowInfo],
    as_of: datetime,
) -> list[AssembledIncident]:
    """The duplicate clusters of one model and one run as ONE data-quality incident, whose proposals
    (one merge or archive per cluster, each its own hashed payload) are reviewed as a batch."""
    by_model: dict[str, list[DuplicateCluster]] = defaultdict(list)
    for c in clusters:
        by_model[str(c.model)].append(c)
    out = []
    for model, group in sorted(by_model.items()):
        group = sorted(group, key=lambda c: (-c.probability, c.cluster_id))
        flow = DUPLICATES_FLOW.get(RecordModel(model), f"{model} duplicates")
        item = _build(flow, [], group, evidence, templates, flow_info.get(flow),
                      id_parts=(model, "data_quality"), window=(as_of, as_of))
        records = sum(len(c.record_ids) for c in group)
        title = f"{len(group)} duplicate cluster(s) in {model} ({records} records)"
        item.incident = item.incident.model_copy(update={"title": title, "incident_id": data_quality_incident_id(model)})
        out.append(item)
    return out


# --------------------------------------------------------------------------- store


def upsert_incidents(store: Store, incidents: Sequence[Incident], reports: dict[str, dict[str, Any]] | None = None) -> int:
    """Insert or update incidents by id; the triage report rides along in `data`. Returns how many were new."""
    reports = reports or {}
    new = 0
    with store.session() as s:
        for inc in incidents:
            data = inc.model_dump(mode="json")
            if inc.incident_id in reports:
                data["report"] = reports[inc.incident_id]
            row = s.get(IncidentRow, inc.incident_id)
            started = inc.started_at or inc.window_start
            if row is None:
                new += 1
                s.add(IncidentRow(incident_id=inc.incident_id, title=inc.title, flow=inc.flow,
                                  severity=str(inc.severity), severity_score=inc.severity_score, cause=str(inc.cause),
                                  status=str(inc.status), window_start=inc.window_start, window_end=inc.window_end,
                                  data=data, started_at=started))
            else:
                row.title, row.flow, row.severity = inc.title, inc.flow, str(inc.severity)
                row.severity_score, row.cause = inc.severity_score, str(inc.cause)
                # a person's status (acknowledged, snoozed, dismissed) survives a re-run; resolved reopens
                status_on_rerun(s, row, inc)
                old_start = row.started_at if row.started_at is None or row.started_at.tzinfo else \
                    row.started_at.replace(tzinfo=started.tzinfo)
                row.started_at = min(old_start, started) if old_start else started
                row.window_start, row.window_end, row.data = inc.window_start, inc.window_end, data
    return new
