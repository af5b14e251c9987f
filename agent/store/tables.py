"""ORM tables. Flexible detail lives in JSON columns so stages can grow without schema churn;
anything queried, filtered or constrained is a real column."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from odoo_triage.core.clock import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class AnomalyRow(Base):
    __tablename__ = "anomalies"
    anomaly_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    flow: Mapped[str] = mapped_column(String(120), index=True)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the full Anomaly as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateCandidateRow(Base):
    __tablename__ = "duplicate_candidates"
    __table_args__ = (UniqueConstraint("model", "left_id", "right_id", name="uq_duplicate_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model: Mapped[str] = mapped_column(String(40), index=True)
    left_id: Mapped[int] = mapped_column(Integer)
    right_id: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)
    cluster_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DuplicateClusterRow(Base):
    __tablename__ = "duplicate_clusters"
    cluster_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), index=True)
    probability: Mapped[float] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IncidentRow(Base):
    __tablename__ = "incidents"
    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    flow: Mapped[str] = mapped_column(String(120), index=True)
    severity: Mapped[str] = mapped_column(String(20), index=True)
    severity_score: Mapped[float] = mapped_column(Float, default=0.5)
    cause: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the full Incident plus the triage report
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # lifecycle (agent/lifecycle.py, migration 0005)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    resolved_as_of: Mapped[datetime | None] = mapped_column(nullable=True)  # the data time that showed it healthy


class ProposalRow(Base):
    __tablename__ = "proposals"
    proposal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    proposed_by: Mapped[str] = mapped_column(String(120))
    rationale: Mapped[str] = mapped_column(Text, default="")
    evidence_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApprovalRow(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    payload_hash: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    signature: Mapped[str | None] = mapped_column(String(64), nullable=True)  # HMAC seal (agent.approval_tokens)


class ExecutionRow(Base):
    """One row per executed proposal: the unique key is what stops a second execution."""

    __tablename__ = "executions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[str] = mapped_column(String(64), unique=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    executed_by: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))  # running | executed | failed | dry_run
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    event: Mapped[str] = mapped_column(String(80))
    proposal_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    incident_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the hash chain (agent.store.audit_chain): position, the previous row's hash, this row's hash
    seq: Mapped[int | None] = mapped_column(Integer, unique=True, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditHeadRow(Base):
    """One row: the chain's length and last hash, so a cut-off tail is noticed; also the writers' lock."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class LlmCacheRow(Base):
    __tablename__ = "llm_cache"
    prompt_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(120))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvalRunRow(Base):
    __tablename__ = "eval_runs"
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    code_version: Mapped[str] = mapped_column(String(80))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class DigestRow(Base):
    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    since: Mapped[datetime]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class MatchLabelRow(Base):
    """A reviewer's decision on a pair of records: merge approved (a duplicate), merge rejected or
    marked "not a duplicate" (not one). The matcher calibrates on them and never proposes a "no" again."""

    __tablename__ = "match_labels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    database: Mapped[str] = mapped_column(String(120), default="", index=True)  # the Odoo database, "" for files
    model: Mapped[str] = mapped_column(String(40), index=True)
    left_id: Mapped[int] = mapped_column(Integer)
    right_id: Mapped[int] = mapped_column(Integer)
    is_duplicate: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))  # merge_approved | merge_rejected | not_duplicate
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    proposal_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
