"""Triage of one failed import or sync batch: group the failures by error signature and cause,
and say what to do about each group.

Input is a CSV, JSON (array, object holding one array, or JSON lines) of rows with their error,
or an OCA queue.job export of failed jobs. Rows that cannot be read are kept with their line
number (`MalformedRow`), never dropped. Signatures come from the detectors' template miner and
causes from the agent's classifier; both sit behind a thin adapter (`_signatures`, `_classify`)
so this module keeps working, with drain3 and a rule table, when they are not importable.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from odoo_triage.agent.actions import NOTE_MODELS, parse_action
from odoo_triage.agent.causes import classify_text
from odoo_triage.core.domain import ActionName, Cause
from odoo_triage.core.errors import InputError
from odoo_triage.core.redact import redact, redact_obj
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    LineDecoder,
    check_regular,
    known_status,
    numbered_lines,
    parse_status,
)
from odoo_triage.detectors.readers.inference import infer_mapping
from odoo_triage.detectors.readers.mapping import FieldMapping
from odoo_triage.detectors.readers.queue_job import job_state, technical_header
from odoo_triage.detectors.readers.xlsx import is_xlsx, xlsx_records
from odoo_triage.detectors.templates import mine_templates

EXIT_NOTHING_ACTIONABLE = 0
EXIT_BAD_INPUT = 2
EXIT_ACTIONABLE = 3

ERROR_COLUMNS = (
    "error", "error_message", "errormessage", "exc_message", "exception_message", "message", "exception",
    "err", "error_msg", "failure", "failure_reason", "reason", "status_message", "detail",
)
# Odoo's non-import-compatible export writes field labels; map them back to field names.
QUEUE_JOB_LABELS = {
    "uuid": "uuid", "description": "name", "task": "name", "model": "model_name", "method": "method_name",
    "state": "state", "exception": "exc_name", "exception message": "exc_message",
    "exception info": "exc_info", "record(s)": "records", "records": "records", "channel": "channel",
    "current try": "retry", "max. retries": "max_retries", "created date": "date_created",
    "date created": "date_created", "executed in (seconds)": "exec_time", "result": "result",
}
QUEUE_JOB_FAILED_STATES = {"failed"}
MAX_EXAMPLES = 3
#: one read row: (line number, the row or None, raw text, why it was set aside or None)
RawRecord = tuple[int, dict[str, Any] | None, str, str | None]

REQUEUE_CHUNK = 500  # agent.actions.RequeueJobs takes at most 500 uuids


# --------------------------------------------------------------------------- models


class MalformedRow(BaseModel):
    line_no: int
    reason: str
    raw: str


class BatchRow(BaseModel):
    """One failed row: where it is, its error text and the records it concerns."""

    line_no: int
    error: str
    data: dict[str, Any]
    records: list[str] = Field(default_factory=list)
    job_uuid: str | None = None
    state: str | None = None


class Remediation(BaseModel):
    action: str  # an ActionName, or "resubmit_rows" / "fix_rows" / "none" outside Odoo
    summary: str
    actionable: bool
    proposals: list[dict[str, Any]] = Field(default_factory=list)  # validated allow-list payloads
    skipped: list[str] = Field(default_factory=list)  # e.g. started jobs kept out of a requeue


class FailureGroup(BaseModel):
    signature: str
    cause: Cause
    cause_confidence: float
    count: int
    lines: list[int]
    example_rows: list[dict[str, Any]]
    affected_records: list[str]
    remediation: Remediation


class BatchReport(BaseModel):
    file: str
    flow: str
    format: str  # "queue_job_csv" | "csv" | "json" | "jsonl"
    error_column: str
    rows_total: int
    failed_rows: int
    skipped_rows: int  # read fine but nothing to triage (a done job, a row without error)
    malformed: list[MalformedRow]
    groups: list[FailureGroup]
    encoding: str = "utf-8"
    mapping: dict[str, str] = Field(default_factory=dict)
    mapping_confidence: float | None = None
    mapping_given: bool = False

    @property
    def actionable_groups(self) -> list[FailureGroup]:
        return [g for g in self.groups if g.remediation.actionable]

    @property
    def exit_code(self) -> int:
        return EXIT_ACTIONABLE if self.actionable_groups else EXIT_NOTHING_ACTIONABLE


@dataclass
class LoadedBatch:
    format: str
    error_column: str
    rows: list[BatchRow]
    skipped_rows: int
    malformed: list[MalformedRow]
    flow: str | None = None
    rows_total: int = 0
    notes: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # event field -> column, given or inferred
    mapping_confidence: float | None = None  # None when given by --mapping
    mapping_given: bool = False
    encoding: str = "utf-8"


# --------------------------------------------------------------------------- reading


def _norm(col: str) -> str:
    return col.strip().lower().replace("-", "_")


def find_error_column(columns: Iterable[str]) -> str | None:
    """The column holding the error text: the first known name, then any name mentioning error."""
    by_norm = {_norm(c): c for c in columns if c}
    for name in ERROR_COLUMNS:
        if name in by_norm:
            return by_norm[name]
    for norm, col in by_norm.items():
        if "error" in norm or norm.startswith("exc"):
            return col
    return None


def is_queue_job_export(columns: Iterable[str]) -> bool:
    cols = [str(c) for c in columns if c]
    names = {QUEUE_JOB_LABELS.get(c.strip().lower(), c.strip().lower()) for c in cols} | set(technical_header(cols))
    return "uuid" in names and "state" in names and ("exc_message" in names or "exc_name" in names)


_RECORDSET = re.compile(r"\b([a-z_]+(?:\.[a-z_]+)+)\(\s*(\d+(?:\s*,\s*\d+)*)\s*,?\s*\)")
_REF = re.compile(r"\b([a-z_]+(?:\.[a-z_]+)+):(\d+)\b")


def parse_records(value: Any) -> list[str]:
    """`account.move(12, 13)`, OCA's serialized recordset JSON, or "model:id" refs -> refs."""
    if value in (None, ""):
        return []
    text = value if isinstance(value, str) else json.dumps(value)
    try:
        obj = json.loads(text)
        if isinstance(obj, dict) and obj.get("model") and isinstance(obj.get("ids"), list):
            return [f"{obj['model']}:{int(i)}" for i in obj["ids"]]
    except (ValueError, TypeError):
        pass
    refs = [f"{m}:{i.strip()}" for m, ids in _RECORDSET.findall(text) for i in ids.split(",")]
    return refs or [f"{m}:{i}" for m, i in _REF.findall(text)]


def _generic_records(row: dict[str, Any]) -> list[str]:
    low = {_norm(k): v for k, v in row.items() if k}
    model = str(low.get("model") or low.get("res_model") or "").strip()
    for key in ("res_id", "record_id", "id"):
        rid = str(low.get(key) or "").strip()
        if model and rid.isdigit():
            return [f"{model}:{rid}"]
    refs = parse_records(low.get("records") or low.get("record") or "")
    if refs:
        return refs
    if str(low.get("partner_id") or "").strip().isdigit():
        return [f"res.partner:{str(low['partner_id']).strip()}"]
    if str(low.get("project_id") or "").strip().isdigit():
        return [f"project.project:{str(low['project_id']).strip()}"]
    return []


def _error_text(row: dict[str, Any], error_column: str, queue_job: bool) -> str:
    if queue_job:
        msg = str(row.get("exc_message") or "").strip()
        name = str(row.get("exc_name") or "").strip()
        if not msg:
            info = str(row.get("exc_info") or "").strip().splitlines()
            msg = info[-1].strip() if info else ""
        if name and msg and not msg.startswith(name):
            return f"{name}: {msg}"
        return msg or name
    value = row.get(error_column)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value or "").strip()


def _flow_from_channel(channel: str) -> str | None:
    parts = [p for p in channel.strip().split(".") if p and p != "root"]
    return parts[-1] if parts else None


@dataclass
class ColumnPlan:
    """Which column holds what in a non-queue.job batch: from --mapping (or a mapping.json next to the
    file), else inferred from the header and sampled rows with the readers' synonym table."""

    error: str
    records: str | None = None
    flow: str | None = None
    status: str | None = None
    separator: str = ";"
    given: bool = False
    confidence: float | None = None

    def sources(self) -> dict[str, str]:
        pairs = {"error": self.error, "record_ids": self.records, "flow": self.flow, "status": self.status}
        return {k: v for k, v in pairs.items() if v}


def column_plan(records: list[RawRecord], columns: list[str], mapping: FieldMapping | None) -> ColumnPlan | None:
    """The plan for a batch's rows; None when no error column can be named."""
    if mapping is not None:
        present = set(columns)
        if mapping.error is None or mapping.error not in present:
            raise InputError(f"--mapping: the error field {mapping.error!r} is not a column of the batch "
                             f"(columns: {', '.join(columns[:12])})")
        return ColumnPlan(error=mapping.error, separator=mapping.record_ids_separator, given=True,
                          **{k: getattr(mapping, f) if getattr(mapping, f) in present else None
                             for k, f in (("records", "record_ids"), ("flow", "flow"), ("status", "status"))})
    sample = [d for _ln, d, _raw, p in records[:200] if d is not None and p is None]
    inferred = infer_mapping(sample or [dict.fromkeys(columns, "")], ReaderSettings())
    fields = inferred.fields
    by_name = find_error_column(columns)
    error = by_name or (fields["error"][0] if "error" in fields else None)
    if error is None:
        return None
    score = fields["error"][1] if "error" in fields and fields["error"][0] == error else (
        0.8 if _norm(error) in ERROR_COLUMNS else 0.5)

    def pick(name: str) -> str | None:
        return fields[name][0] if name in fields and fields[name][0] != error else None

    return ColumnPlan(error=error, records=pick("record_ids"), flow=pick("flow"), status=pick("status"),
                      confidence=round(score, 3))


def _no_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    return value


def _row_records(data: dict[str, Any], plan: ColumnPlan | None) -> list[str]:
    if plan is not None and plan.records:
        value = data.get(plan.records)
        if isinstance(value, list):
            return [str(v) for v in value if str(v).strip()]
        if value not in (None, ""):
            refs = parse_records(value)
            return refs or [r.strip() for r in str(value).split(plan.separator) if ":" in r]
    return _generic_records(data)


def _row_ok(data: dict[str, Any], plan: ColumnPlan | None) -> bool:
    """A row whose status column says it went through: nothing to triage."""
    if plan is None or not plan.status:
        return False
    value = data.get(plan.status)
    return value not in (None, "") and known_status(value) and parse_status(value, None, None) == "ok"


def _build_rows(
    records: Iterable[tuple[int, dict[str, Any] | None, str, str | None]],
    columns: list[str],
    fmt: str,
    tick: Callable[[], None] | None,
    plan: ColumnPlan | None = None,
) -> LoadedBatch:
    queue_job = fmt.startswith("queue_job")
    error_column = "exc_message" if queue_job else (plan.error if plan else "")
    if not error_column:
        raise InputError(
            f"no error column found among {', '.join(columns[:12]) or 'no columns'}; "
            f"expected one of {', '.join(ERROR_COLUMNS[:6])}, ... (or name it with --mapping: "
            '{"error": "<column>"})'
        )
    rows: list[BatchRow] = []
    malformed: list[MalformedRow] = []
    skipped = 0
    total = 0
    flows: dict[str, int] = {}
    for line_no, data, raw, problem in records:
        total += 1
        if tick:
            tick()
        if problem or data is None:
            malformed.append(MalformedRow(line_no=line_no, reason=redact(problem or "unreadable row"),
                                          raw=redact(raw[:500])))
            continue
        data = _no_nul(redact_obj(data))  # every text masked once, here, before any output or store; NULs
        # (a JSON "\u0000") dropped: PostgreSQL refuses them in text
        raw_state = str(data.get("state") or "").strip()
        state = (job_state(raw_state) or raw_state.lower() or None) if queue_job else (raw_state.lower() or None)
        if queue_job and state not in QUEUE_JOB_FAILED_STATES and state != "started":
            skipped += 1  # done/pending/cancelled jobs: nothing to triage
            continue
        if _row_ok(data, plan):
            skipped += 1
            continue
        error = _error_text(data, error_column, queue_job)
        if not error:
            if queue_job and state == "failed":
                malformed.append(MalformedRow(line_no=line_no, reason="failed job without exception text", raw=redact(raw[:500])))
            else:
                skipped += 1
            continue
        if queue_job:
            uuid = str(data.get("uuid") or "").strip()
            if not uuid:
                malformed.append(MalformedRow(line_no=line_no, reason="queue.job row without uuid", raw=redact(raw[:500])))
                continue
            recs = [f"queue.job:{uuid}", *parse_records(data.get("records")), *parse_records(data.get("record_ids"))]
            if data.get("channel"):
                flow = _flow_from_channel(str(data["channel"]))
                if flow:
                    flows[flow] = flows.get(flow, 0) + 1
            rows.append(BatchRow(line_no=line_no, error=error, data=data, records=list(dict.fromkeys(recs)),
                                 job_uuid=uuid, state=state))
        else:
            if plan is not None and plan.flow and str(data.get(plan.flow) or "").strip():
                name = str(data[plan.flow]).strip()[:100]
                flows[name] = flows.get(name, 0) + 1
            rows.append(BatchRow(line_no=line_no, error=error, data=data, records=_row_records(data, plan), state=state))
    flow = max(flows, key=lambda k: flows[k]) if flows else None
    return LoadedBatch(format=fmt, error_column=error_column, rows=rows, skipped_rows=skipped,
                       malformed=malformed, flow=flow, rows_total=total,
                       mapping=plan.sources() if plan else {}, mapping_confidence=plan.confidence if plan else None,
                       mapping_given=bool(plan and plan.given))


def _csv_records(text: str) -> tuple[list[str], list[RawRecord]]:
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise InputError("the CSV file is empty") from exc
    except csv.Error as exc:
        raise InputError(f"unreadable CSV header: {exc}") from exc
    header = [h.strip().lstrip("\ufeff") for h in header]
    out: list[tuple[int, dict[str, Any] | None, str, str | None]] = []
    prev_end = reader.line_num
    while True:
        start = prev_end + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raw = "".join(lines[start - 1 : reader.line_num])
            out.append((start, None, raw, f"unreadable CSV: {exc}"))
            prev_end = reader.line_num
            continue
        end = reader.line_num
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        prev_end = end
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line
        if len(fields) != len(header):
            out.append((start, None, raw, f"expected {len(header)} fields, found {len(fields)}"))
            continue
        out.append((start, dict(zip(header, fields, strict=True)), raw, None))
    return header, out


def _json_array_items(text: str) -> list[tuple[int, Any, str]]:
    """Elements of the top-level array (or of the one array an object holds) with start lines."""
    dec = json.JSONDecoder()
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"unreadable JSON at line {exc.lineno}: {exc.msg}") from exc
    if isinstance(whole, dict):
        arrays = [k for k, v in whole.items() if isinstance(v, list)]
        if len(arrays) != 1:
            raise InputError("a JSON object batch must hold exactly one array of rows")
        key = arrays[0]
        pos = text.index("[", text.index(json.dumps(key)) + len(json.dumps(key)))
    elif isinstance(whole, list):
        pos = text.index("[")
    else:
        raise InputError("a JSON batch must be an array of rows")
    items: list[tuple[int, Any, str]] = []
    pos += 1
    ws = re.compile(r"[\s,]*")
    while True:
        pos = ws.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text) or text[pos] == "]":
            break
        obj, end = dec.raw_decode(text, pos)
        items.append((text.count("\n", 0, pos) + 1, obj, text[pos:end]))
        pos = end
    return items


def read_text(path: Path) -> tuple[str, str]:
    """The file as text and the encoding seen: UTF-8 (a BOM dropped), a line that is not UTF-8 read as
    cp1252/latin-1 (the detectors' LineDecoder), NULs dropped. FIFOs and devices are refused first."""
    check_regular(path)
    dec = LineDecoder()
    parts = [dec.text(raw, n) for n, _off, raw in numbered_lines(path)]
    return "".join(parts), dec.name


def _xlsx_records(path: Path) -> tuple[list[str], list[RawRecord]]:
    rows = xlsx_records(path)
    header: list[str] | None = None
    out: list[RawRecord] = []
    for n, row in rows:
        if not row:
            continue
        if header is None:
            header = [h.strip() for h in row]
            continue
        raw = "\t".join(row)
        if len(row) > len(header):
            out.append((n, None, raw, f"row with {len(row)} cells under a header of {len(header)}"))
            continue
        out.append((n, dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)), raw, None))
    if header is None:
        raise InputError(f"{path} is empty")
    return header, out


def load_batch(path: Path, tick: Callable[[], None] | None = None,
               mapping: FieldMapping | None = None) -> LoadedBatch:
    """Read a failed batch; raises InputError when the file itself is unusable."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder, expected a CSV or JSON batch file")
    if is_xlsx(path):
        header, records = _xlsx_records(path)
        batch = _tabular(header, records, tick, mapping, "xlsx")
        batch.encoding = "xlsx"
        return batch
    text, encoding = read_text(path)
    if not text.strip():
        raise InputError(f"{path} is empty")
    batch = _load_text(path, text, tick, mapping)
    batch.encoding = encoding
    return batch


def _load_text(path: Path, text: str, tick: Callable[[], None] | None, mapping: FieldMapping | None) -> LoadedBatch:
    suffix = path.suffix.lower()
    head = text.lstrip()[:1]
    if suffix in (".jsonl", ".ndjson") or (head == "{" and suffix != ".json" and "\n{" in text.strip()):
        return _load_jsonl(text, tick, mapping)
    if suffix == ".json" or head in "[{":
        items = _json_array_items(text)
        records: list[RawRecord] = []
        columns: dict[str, None] = {}
        for line_no, obj, raw in items:
            if isinstance(obj, dict):
                columns.update(dict.fromkeys(obj))
                records.append((line_no, obj, raw, None))
            else:
                records.append((line_no, None, raw, f"expected an object, found {type(obj).__name__}"))
        return _finish(records, list(columns), "json", tick, mapping)
    if suffix in (".csv", ".txt", "") or "," in text.splitlines()[0]:
        header, records = _csv_records(text)
        return _tabular(header, records, tick, mapping, "csv")
    raise InputError(f"unknown batch format for {path.name}: expected .csv, .json or .jsonl")


def _tabular(header: list[str], records: list[RawRecord], tick: Callable[[], None] | None,
             mapping: FieldMapping | None, fmt: str) -> LoadedBatch:
    """CSV or XLSX rows: a queue.job export (technical or label headers, any language of the export
    label table) gets technical names; other rows go as they are."""
    if is_queue_job_export(header):
        mapped = _queue_job_header(header)
        records = [
            (ln, None if d is None else dict(zip(mapped, d.values(), strict=True)), raw, p)
            for ln, d, raw, p in records
        ]
        return _finish(records, mapped, "queue_job_csv" if fmt == "csv" else f"queue_job_{fmt}", tick, None)
    return _finish(records, header, fmt, tick, mapping)


def _queue_job_header(header: list[str]) -> list[str]:
    tech = technical_header(header)
    return [QUEUE_JOB_LABELS.get(h.strip().lower(), t) for h, t in zip(header, tech, strict=True)]


def _load_jsonl(text: str, tick: Callable[[], None] | None, mapping: FieldMapping | None = None) -> LoadedBatch:
    records: list[RawRecord] = []
    columns: dict[str, None] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            records.append((i, None, line, f"unreadable JSON: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            records.append((i, None, line, f"expected an object, found {type(obj).__name__}"))
            continue
        columns.update(dict.fromkeys(obj))
        records.append((i, obj, line, None))
    return _finish(records, list(columns), "jsonl", tick, mapping)


def _finish(records: list[RawRecord], columns: list[str], fmt: str, tick: Callable[[], None] | None,
            mapping: FieldMapping | None = None) -> LoadedBatch:
    if not fmt.startswith("queue_job") and is_queue_job_export(columns):
        fmt = "queue_job_csv"
    plan = None if fmt.startswith("queue_job") else column_plan(records, columns, mapping)
    batch = _build_rows(records, columns, fmt, tick, plan)
    if not batch.rows and batch.malformed and not batch.skipped_rows:
        first = batch.malformed[0]
        raise InputError(f"no readable row: all {len(batch.malformed)} rows are malformed "
                         f"(line {first.line_no}: {first.reason})")
    return batch


def count_rows(path: Path) -> int:
    """Rough row count for the progress bar (lines, not records)."""
    try:
        with path.open("rb") as fh:
            return sum(1 for _ in fh)
    except OSError:
        return 0


# --------------------------------------------------------------------------- signatures and causes


def _signatures(messages: list[str]) -> list[str]:
    """One template per message, from the detectors' miner (the same signatures detection shows)."""
    return mine_templates(messages)


def _classify(text: str) -> tuple[Cause, float]:
    """The agent's cause classifier on one free-text error."""
    verdict = classify_text(text)
    return verdict.cause, verdict.confidence


# --------------------------------------------------------------------------- remediation


def _checked(action: ActionName, params: dict[str, Any]) -> dict[str, Any]:
    """Validate against the allow-list so only payloads the gateway would accept are shown, with the
    exact Odoo calls the gateway would make for it."""
    parsed = parse_action(str(action), params)
    calls = [c.render() for c in parsed.odoo_calls()] if hasattr(parsed, "odoo_calls") else []
    return {"action": str(action), "params": parsed.model_dump(mode="json", exclude={"action"}), "odoo_calls": calls}


def remediate(
    cause: Cause, rows: list[BatchRow], signature: str, flow: str, owner: str
) -> Remediation:
    """What to do about one group; only allow-list actions become proposals."""
    jobs = [r for r in rows if r.job_uuid]
    lines = ", ".join(str(r.line_no) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
    if cause in (Cause.rate_limit, Cause.upstream_outage):
        if jobs:
            started = [r.job_uuid for r in jobs if r.state == "started"]
            uuids = sorted({r.job_uuid for r in jobs if r.state != "started" and r.job_uuid})
            proposals = [
                _checked(ActionName.requeue_jobs, {"job_uuids": uuids[i : i + REQUEUE_CHUNK]})
                for i in range(0, len(uuids), REQUEUE_CHUNK)
            ]
            wait = "once the rate limit resets" if cause is Cause.rate_limit else "once the upstream service is back"
            summary = f"requeue {len(uuids)} failed job(s) {wait}"
            if started:
                summary += f"; {len(started)} started job(s) left alone (a requeue would run them twice)"
            return Remediation(action=str(ActionName.requeue_jobs), summary=summary, actionable=bool(uuids),
                               proposals=proposals, skipped=[f"queue.job:{u}" for u in started])
        return Remediation(action="resubmit_rows", actionable=True,
                           summary=f"re-submit the {len(rows)} row(s) (lines {lines}) after the transient error clears")
    if cause in (Cause.credential_auth, Cause.configuration, Cause.unknown):
        what = {Cause.credential_auth: "renew the credential", Cause.configuration: "fix the configuration",
                Cause.unknown: "investigate"}[cause]
        message = (f"{len(rows)} row(s) of a failed {flow} batch failed with '{signature}': {what}, "
                   f"then re-run them (lines {lines}).")
        return Remediation(action=str(ActionName.escalate), actionable=True,
                           summary=f"escalate to {owner}: {what}",
                           proposals=[_checked(ActionName.escalate, {"flow": flow, "owner": owner, "message": message})])
    # schema_validation / data_quality: the data must be fixed, a retry would fail the same way
    notes = []
    for ref in sorted({ref for r in rows for ref in r.records if not ref.startswith("queue.job:")}):
        model, _, rid = ref.rpartition(":")
        if model in NOTE_MODELS and rid.isdigit():
            try:
                notes.append(_checked(ActionName.post_note, {
                    "model": model, "record_id": int(rid),
                    "body": f"Failed in a {flow} batch: {signature}. Fix this record, then re-run it.",
                }))
            except ValidationError:
                continue
    summary = f"fix the data of {len(rows)} row(s) (lines {lines}) and re-run them; a retry alone fails the same way"
    if notes:
        summary += f"; post a note on {len(notes)} record(s)"
    return Remediation(action=str(ActionName.post_note) if notes else "fix_rows", summary=summary,
                       actionable=True, proposals=notes)


# --------------------------------------------------------------------------- the whole batch


def load_rows(rows: list[dict[str, Any]], tick: Callable[[], None] | None = None) -> LoadedBatch:
    """Rows read straight from Odoo (search_read): numbered in the order Odoo returned them,
    many2one pairs `[id, name]` kept as the id."""
    def flat(v: Any) -> Any:
        return v[0] if isinstance(v, list) and len(v) == 2 and isinstance(v[0], int) else ("" if v is False else v)

    records: list[RawRecord] = [(i, {k: flat(v) for k, v in row.items()}, json.dumps(row, default=str), None)
               for i, row in enumerate(rows, start=1)]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    if not records:
        return LoadedBatch(format="odoo", error_column="exc_message", rows=[], skipped_rows=0, malformed=[])
    return _finish(records, columns, "odoo", tick)


def triage_batch(
    path: Path | None = None,
    *,
    batch: LoadedBatch | None = None,
    name: str = "batch",
    flow: str | None = None,
    owner: str | None = None,
    owners: dict[str, str] | None = None,
    tick: Callable[[], None] | None = None,
    mapping: FieldMapping | None = None,
) -> BatchReport:
    """A file (`path`) or rows already loaded (`batch`, e.g. from Odoo, called `name`).
    `owners` maps flow -> owner (from flows.json) for escalations when `owner` is not given."""
    if batch is None:
        if path is None:
            raise InputError("give a batch file or rows")
        batch = load_batch(path, tick, mapping)
        name = str(path)
    flow = flow or batch.flow or (path.stem if path else name)
    owner = owner or (owners or {}).get(flow) or "the flow owner"
    sigs = _signatures([r.error for r in batch.rows])
    buckets: dict[tuple[str, Cause], list[BatchRow]] = {}
    confidences: dict[tuple[str, Cause], float] = {}
    cause_cache: dict[str, tuple[Cause, float]] = {}
    for row, sig in zip(batch.rows, sigs, strict=True):
        if sig not in cause_cache:
            cause_cache[sig] = _classify(row.error)
        cause, conf = cause_cache[sig]
        buckets.setdefault((sig, cause), []).append(row)
        confidences[(sig, cause)] = conf
    groups = []
    for (sig, cause), rows in sorted(buckets.items(), key=lambda kv: (-len(kv[1]), kv[0][0])):
        records = sorted({ref for r in rows for ref in r.records})
        groups.append(FailureGroup(
            signature=sig, cause=cause, cause_confidence=confidences[(sig, cause)], count=len(rows),
            lines=[r.line_no for r in rows],
            example_rows=[{"line_no": r.line_no, "error": r.error, **_brief(r.data)} for r in rows[:MAX_EXAMPLES]],
            affected_records=records,
            remediation=remediate(cause, rows, sig, flow, owner),
        ))
    return BatchReport(
        file=name, flow=flow, format=batch.format, error_column=batch.error_column, rows_total=batch.rows_total,
        failed_rows=len(batch.rows), skipped_rows=batch.skipped_rows, malformed=batch.malformed, groups=groups,
        encoding=batch.encoding, mapping=batch.mapping, mapping_confidence=batch.mapping_confidence,
        mapping_given=batch.mapping_given,
    )


def _brief(data: dict[str, Any]) -> dict[str, Any]:
    """A row without its bulky fields (tracebacks), for examples."""
    return {k: v for k, v in data.items() if k not in ("exc_info", "result", "args", "kwargs")}
