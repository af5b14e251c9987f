"""The JSON schema the model fills: action names are an enum and each action carries its own typed
parameters (a union discriminated by `action`), so a grammar-constrained server (llama.cpp, vLLM,
OpenAI strict mode) cannot emit an off-list action or a parameter that action does not have.

The answer is still read into the loose `TriageReport` (agent/llm/report.py): a server that does not
enforce the schema (json_object mode) may send anything, and the grounding guard must see and count
an off-list action rather than lose the whole report in a schema error.

No length or count bounds (maxLength, maxItems): llama.cpp expands each into grammar rules and
refuses the grammar; `max_tokens` bounds the answer and the allow-list bounds the parameters.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from odoo_triage.agent.actions import NOTE_MODELS, WRITABLE_MODELS
from odoo_triage.core.domain import Cause

SCHEMA_NAME = "TriageReport"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequeueJobsParams(_Strict):
    job_uuids: list[str] = Field(description="uuids of failed queue.job records in the evidence")


class MergePartnersParams(_Strict):
    partner_ids: list[int] = Field(description="2 or 3 res.partner ids")
    destination_id: int = Field(description="the master: one of partner_ids")


class ArchiveProjectParams(_Strict):
    project_id: int = Field(description="the duplicate project.project id")


class SetFieldParams(_Strict):
    model: Literal[WRITABLE_MODELS]  # type: ignore[valid-type]
    record_id: int
    field: str
    value: str
    expected_write_date: str = Field(description="the record's write_date as shown in the evidence")


class PostNoteParams(_Strict):
    model: Literal[NOTE_MODELS]  # type: ignore[valid-type]
    record_id: int
    body: str


class EscalateParams(_Strict):
    flow: str
    owner: str
    message: str
    records: list[str] = Field(default_factory=list, description="record refs from the evidence the owner must act "
                                                                "on (e.g. the duplicates a redelivery made); may be []")


class RequeueJobsAction(_Strict):
    action: Literal["requeue_jobs"]
    params: RequeueJobsParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


class MergePartnersAction(_Strict):
    action: Literal["merge_partners"]
    params: MergePartnersParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


class ArchiveProjectAction(_Strict):
    action: Literal["archive_project"]
    params: ArchiveProjectParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


class SetFieldAction(_Strict):
    action: Literal["set_field"]
    params: SetFieldParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


class PostNoteAction(_Strict):
    action: Literal["post_note"]
    params: PostNoteParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


class EscalateAction(_Strict):
    action: Literal["escalate"]
    params: EscalateParams
    rationale: str = Field(description="why, citing evidence ids")
    evidence_ids: list[str] = Field(description="evidence ids this action rests on")


ACTION_PARAMS: dict[str, type[BaseModel]] = {
    "requeue_jobs": RequeueJobsParams, "merge_partners": MergePartnersParams,
    "archive_project": ArchiveProjectParams, "set_field": SetFieldParams, "post_note": PostNoteParams,
    "escalate": EscalateParams,
}
AnswerAction = Annotated[RequeueJobsAction | MergePartnersAction | ArchiveProjectAction | SetFieldAction
                         | PostNoteAction | EscalateAction, Field(discriminator="action")]


class Answer(_Strict):
    """One incident's triage report, as the model writes it."""

    summary: str = Field(description="Two or three sentences: what broke, where, since when")
    probable_cause: Cause
    business_impact: str = Field(description="Who and what is affected, in business terms")
    evidence_ids: list[str] = Field(description="ids from the evidence list only")
    actions: list[AnswerAction] = Field(description="remediation from the allow-list")
    confidence: float = Field(ge=0.0, le=1.0)


def _portable(node: Any) -> Any:
    """Pydantic's schema in the subset every structured-output server takes: `anyOf` not `oneOf`,
    single-value `enum` not `const`, no `discriminator`/`title`/`default`, refs inlined."""
    if isinstance(node, list):
        return [_portable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("discriminator", "title", "default"):
            continue
        if key == "oneOf":
            key = "anyOf"
        if key == "const":
            key, value = "enum", [value]
        out[key] = _portable(value)
    if out.get("type") == "object":
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))  # strict mode: every property is required
    return out


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}


@cache
def _answer_schema() -> dict[str, Any]:
    raw = Answer.model_json_schema()
    schema = _portable(_inline(raw, raw.get("$defs", {})))
    schema["title"] = SCHEMA_NAME
    schema["description"] = "The triage report for one incident."
    return schema


def answer_schema() -> dict[str, Any]:
    """A fresh copy of the answer's JSON schema (callers may annotate it)."""
    import copy

    return copy.deepcopy(_answer_schema())


def to_report_dict(answer: dict[str, Any]) -> dict[str, Any]:
    """The model's answer in the shape of `TriageReport` (the same fields; kept loose for the guard)."""
    out = dict(answer)
    actions = out.get("actions")
    if isinstance(actions, list):
        out["actions"] = [
            {k: a.get(k) for k in ("action", "params", "rationale", "evidence_ids") if a.get(k) is not None}
            if isinstance(a, dict) else a for a in actions]
    return out
