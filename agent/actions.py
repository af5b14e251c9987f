"""The allow-list of remediation actions, each a typed model of its exact parameters.

Anything the LLM proposes is parsed into one of these; what does not parse is rejected.
`record_refs()` lists the records an action touches, so the grounding guard can check each one
appears in the incident's evidence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from agent.domain import ActionName

WRITABLE_MODELS = ("res.partner", "project.project")
NOTE_MODELS = ("res.partner", "project.project", "queue.job", "hr.employee", "account.move")


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def record_refs(self) -> list[str]:
        return []


class RequeueJobs(_Action):
    """Requeue failed queue.job records (never `started` ones: they would run twice)."""

    action: Literal[ActionName.requeue_jobs] = ActionName.requeue_jobs
    job_uuids: list[str] = Field(min_length=1, max_length=500)

    def record_refs(self) -> list[str]:
        return [f"queue.job:{u}" for u in self.job_uuids]


class MergePartners(_Action):
    """Merge 2 or 3 res.partner records into `destination_id` with Odoo's merge wizard."""

    action: Literal[ActionName.merge_partners] = ActionName.merge_partners
    partner_ids: list[int] = Field(min_length=2, max_length=3)
    destination_id: int

    @model_validator(mode="after")
    def _destination_is_one_of_them(self) -> MergePartners:
        if self.destination_id not in self.partner_ids:
            raise ValueError("destination_id must be one of partner_ids")
        if len(set(self.partner_ids)) != len(self.partner_ids):
            raise ValueError("partner_ids must be distinct")
        return self

    def record_refs(self) -> list[str]:
        return [f"res.partner:{i}" for i in self.partner_ids]


class ArchiveProject(_Action):
    action: Literal[ActionName.archive_project] = ActionName.archive_project
    project_id: int

    def record_refs(self) -> list[str]:
        return [f"project.project:{self.project_id}"]


class SetField(_Action):
    """Write one field, guarded by the record's write_date as read when proposed."""

    action: Literal[ActionName.set_field] = ActionName.set_field
    model: Literal["res.partner", "project.project"]
    record_id: int
    field: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    value: Any
    expected_write_date: datetime

    def record_refs(self) -> list[str]:
        return [f"{self.model}:{self.record_id}"]


class PostNote(_Action):
    """Post a note in the record's chatter (message_post): no data changes."""

    action: Literal[ActionName.post_note] = ActionName.post_note
    model: Literal["res.partner", "project.project", "queue.job", "hr.employee", "account.move"]
    record_id: int
    body: str = Field(min_length=1, max_length=4000)

    def record_refs(self) -> list[str]:
        return [f"{self.model}:{self.record_id}"]


class Escalate(_Action):
    """Hand the incident to the flow's owner: nothing is written to Odoo."""

    action: Literal[ActionName.escalate] = ActionName.escalate
    flow: str
    owner: str
    message: str = Field(min_length=1, max_length=4000)


RemediationAction = Annotated[
    RequeueJobs | MergePartners | ArchiveProject | SetField | PostNote | Escalate,
    Field(discriminator="action"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(RemediationAction)


def parse_action(action: str, params: dict[str, Any]) -> _Action:
    """Parse an (action, params) pair into its typed model; raises pydantic.ValidationError."""
    return _ADAPTER.validate_python({**params, "action": action})
