"""The allow-list of remediation actions, each a typed model of its exact parameters.

Anything the LLM proposes is parsed into one of these; what does not parse is rejected.
`record_refs()` lists the records an action touches, so the grounding guard can check each one
appears in the incident's evidence. `odoo_calls()` renders the exact Odoo calls an action makes, so
the approver sees before approving what the gateway (agent/odoo_gateway.py) will run afterwards.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from odoo_triage.core.domain import ActionName

#: Placeholder for ids only known at run time (the failed jobs found by the read, the wizard created).
RUNTIME_IDS = "<runtime>"


class OdooCall(BaseModel):
    """One call on Odoo's external API, protocol-neutral.

    `ids is None` marks a model-level method (create, search_read); otherwise the call is on those
    records. `kwargs` are the named arguments (JSON-2 puts them flat in the body; JSON-RPC passes
    them as execute_kw kwargs), `context` travels separately on both protocols.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    method: str
    ids: list[int] | None = None
    kwargs: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    write: bool = False
    ids_from: str | None = None  # how runtime ids are found, when `ids` cannot be known in advance
    purpose: str = ""

    def render(self) -> str:
        """One line a person reads before approving: `res.partner.write([7], vals={...})`."""
        parts: list[str] = []
        if self.ids is not None:
            parts.append(json.dumps(self.ids))
        elif self.ids_from:
            parts.append(f"{RUNTIME_IDS}: {self.ids_from}")
        parts += [f"{k}={json.dumps(v, default=str, sort_keys=True)}" for k, v in self.kwargs.items()]
        if self.context:
            parts.append(f"context={json.dumps(self.context, sort_keys=True)}")
        tag = "WRITE" if self.write else "read "
        return f"{tag} {self.model}.{self.method}({', '.join(parts)})"


WRITABLE_MODELS = ("res.partner", "project.project")
NOTE_MODELS = ("res.partner", "project.project", "queue.job", "hr.employee", "account.move")


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def record_refs(self) -> list[str]:
        return []

    def odoo_calls(self) -> list[OdooCall]:
        """The exact calls, reads (guards, verification) and writes, in the order they run."""
        return []

    def write_calls(self) -> list[OdooCall]:
        return [c for c in self.odoo_calls() if c.write]


#: Most job uuids one requeue proposal carries (one `uuid in [...]` read and one requeue call): more failed
#: jobs are several proposals, each approved (HMAC-bound) and executed once on its own.
REQUEUE_CHUNK = 500


#: Most records one escalation hands over: every failed job a configuration fix must be followed by (they are
#: requeued once it is made), not a sample; nothing of it is written to Odoo.
ESCALATION_RECORDS = 5000


def requeue_chunks(uuids: list[str]) -> list[list[str]]:
    """Every uuid, once, in proposals of at most REQUEUE_CHUNK: all failed jobs are requeued, not a sample."""
    unique = list(dict.fromkeys(uuids))
    return [unique[i:i + REQUEUE_CHUNK] for i in range(0, len(unique), REQUEUE_CHUNK)]


class RequeueJobs(_Action):
    """Requeue failed queue.job records (never `started` ones: they would run twice)."""

    action: Literal[ActionName.requeue_jobs] = ActionName.requeue_jobs
    job_uuids: list[str] = Field(min_length=1, max_length=REQUEUE_CHUNK)

    def record_refs(self) -> list[str]:
        return [f"queue.job:{u}" for u in self.job_uuids]

    def odoo_calls(self) -> list[OdooCall]:
        return [
            OdooCall(model="queue.job", method="search_read",
                     kwargs={"domain": [["uuid", "in", self.job_uuids]], "fields": ["uuid", "state", "retry"]},
                     purpose="read the jobs first: only `failed` ones are requeued, never `started`"),
            OdooCall(model="queue.job", method="requeue", write=True,
                     ids_from="ids of the jobs read above whose state is failed",
                     purpose="set them pending with retry 0"),
            OdooCall(model="queue.job", method="search_read",
                     kwargs={"domain": [["uuid", "in", self.job_uuids]], "fields": ["uuid", "state", "retry"]},
                     purpose="verify: the requeued jobs are pending"),
        ]


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

    @property
    def source_ids(self) -> list[int]:
        return [i for i in self.partner_ids if i != self.destination_id]

    def odoo_calls(self) -> list[OdooCall]:
        ids = list(self.partner_ids)
        verify = {"domain": [["id", "in", ids]], "fields": ["id", "name", "email", "active"]}
        return [
            OdooCall(model="res.partner", method="search_read", kwargs=verify,
                     context={"active_test": False}, purpose="read the partners before merging"),
            OdooCall(model="base.partner.merge.automatic.wizard", method="create", write=True,
                     kwargs={"vals_list": {"partner_ids": [[6, 0, ids]], "dst_partner_id": self.destination_id}},
                     context={"active_model": "res.partner", "active_ids": ids},
                     purpose="open Odoo's merge wizard on these partners"),
            OdooCall(model="base.partner.merge.automatic.wizard", method="action_merge", write=True,
                     ids_from="the wizard id returned by create",
                     purpose=f"merge {self.source_ids} into {self.destination_id}, deleting the sources"),
            OdooCall(model="res.partner", method="search_read", kwargs=verify,
                     context={"active_test": False},
                     purpose="verify: only the destination is left (action_merge returns a window action)"),
        ]


class ArchiveProject(_Action):
    action: Literal[ActionName.archive_project] = ActionName.archive_project
    project_id: int

    def record_refs(self) -> list[str]:
        return [f"project.project:{self.project_id}"]

    def odoo_calls(self) -> list[OdooCall]:
        return [
            OdooCall(model="project.project", method="write", ids=[self.project_id],
                     kwargs={"vals": {"active": False}}, write=True, purpose="archive the project"),
        ]


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

    def odoo_calls(self) -> list[OdooCall]:
        return [
            OdooCall(model=self.model, method="read", ids=[self.record_id],
                     kwargs={"fields": ["write_date", self.field]},
                     purpose=f"refuse if write_date is no longer {self.expected_write_date.isoformat()}"),
            OdooCall(model=self.model, method="write", ids=[self.record_id],
                     kwargs={"vals": {self.field: self.value}}, write=True, purpose=f"set {self.field}"),
        ]


class PostNote(_Action):
    """Post a note in the record's chatter (message_post): no data changes."""

    action: Literal[ActionName.post_note] = ActionName.post_note
    model: Literal["res.partner", "project.project", "queue.job", "hr.employee", "account.move"]
    record_id: int
    body: str = Field(min_length=1, max_length=4000)

    def record_refs(self) -> list[str]:
        return [f"{self.model}:{self.record_id}"]

    def odoo_calls(self) -> list[OdooCall]:
        return [
            OdooCall(model=self.model, method="message_post", ids=[self.record_id], write=True,
                     kwargs={"body": self.body, "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
                     purpose="post an internal note in the record's chatter"),
        ]


class Escalate(_Action):
    """Hand the incident to the flow's owner: nothing is written to Odoo."""

    action: Literal[ActionName.escalate] = ActionName.escalate
    flow: str
    owner: str
    message: str = Field(min_length=1, max_length=4000)
    # the records the owner has to act on ("sale.order:7"), each grounded like any other action's records
    records: list[Annotated[str, Field(pattern=r"^[a-z_]+(?:\.[a-z_]+)+:[A-Za-z0-9-]{1,64}$")]] = Field(
        default_factory=list, max_length=ESCALATION_RECORDS)

    def record_refs(self) -> list[str]:
        return list(self.records)

    def odoo_calls(self) -> list[OdooCall]:
        return []  # nothing goes to Odoo: the escalation is recorded in the audit log


# "set property_account_position_id of res.partner(311,) to 'EU B2B 2027' (account.fiscal.position 9)"
_NAMED_WRITE = re.compile(
    r"\bset (?:field )?['\"`]?(?P<field>[a-z_][a-z0-9_]{0,60})['\"`]? (?:of|on) (?P<model>res\.partner|project\.project)"
    r"\((?P<id>\d{1,9}),?\) to (?:'(?P<text>[^'\n]{1,100})'|(?P<number>\d{1,12}))"
    r"(?: \([a-z_]+(?:\.[a-z_]+)+[ ,(]+(?P<ref>\d{1,12})\)?\)?)?")
#: Fields a proposal never writes, whatever a log line says (identity, access, ownership).
UNWRITABLE_FIELDS = frozenset({"id", "user_ids", "user_id", "groups_id", "password", "company_id", "active",
                               "write_date", "create_date", "create_uid", "write_uid", "parent_id",
                               "commercial_partner_id"})


def named_field_write(text: str) -> dict[str, Any] | None:
    """The guarded field write an error names as its own fix ("set F of res.partner(7,) to 'V'"), or None.

    Log text is untrusted: only a field name, a record of a writable model and a short value (an id
    when the line gives one) are taken, and identity / access fields are never written. A human
    approves every write, and the write is guarded by the record's write_date.
    """
    m = _NAMED_WRITE.search(text)
    if m is None or m.group("field") in UNWRITABLE_FIELDS:
        return None
    ref, number = m.group("ref"), m.group("number")
    value: Any = int(ref) if ref else (int(number) if number else m.group("text"))
    return {"model": m.group("model"), "record_id": int(m.group("id")), "field": m.group("field"), "value": value}


RemediationAction = Annotated[
    RequeueJobs | MergePartners | ArchiveProject | SetField | PostNote | Escalate,
    Field(discriminator="action"),
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(RemediationAction)


def parse_action(action: str, params: dict[str, Any]) -> _Action:
    """Parse an (action, params) pair into its typed model; raises pydantic.ValidationError."""
    return _ADAPTER.validate_python({**params, "action": action})


def calls_for(action: str, params: dict[str, Any]) -> list[OdooCall]:
    """The exact Odoo calls of an (action, params) pair, for display before approval."""
    return parse_action(action, params).odoo_calls()
