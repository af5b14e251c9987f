"""What real JSON / CSV log lines carry beyond the field mapping, inferred per file like the mapping.

- record-id fields (`odoo_id`, `partner_id`, `odooPartnerId`, `hr_employee_id`, or a list of ids as
  `partner_ids: [7, 9]`) become structured record refs (`res.partner:12`): the model from the field's name when it names one
  (`ReaderSettings.record_id_models`), else from a model field of the same line (`odoo_model`), else
  from the flow's only model in flows.json. A field naming no Odoo model (`personio_id`, `objectId`)
  is an external id and is never taken. Only integer ids in typed fields are taken, never ids in text.
- an error-class field (`error_type`, `errorCode`, or an `error` field holding `odoo.exceptions.X`
  next to an `error_message`) is put in front of the error text, where causes read classes first.
- flows.json `loggers` apply to JSON / CSV logs as they do to the Odoo log: a `logger` field is
  attributed by prefix; when the flow comes from a logger field and flows.json claims some of the
  file's loggers, lines of unclaimed loggers are skipped and reported as unattributed.
- control lines (an event bus's confirm / ack / heartbeat: no flow, no status, a kind field naming a
  control word) are skipped and counted with a reason, not set aside and not counted as events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import EventRow, RowError
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.mapping import _getter

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: `odoo.exceptions.AccessError`, `hubspot.ApiException`, `ValidationError`: a class, not a sentence.
_CLASS_LIKE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$|^[A-Z]\w*(?:Error|Exception|Fault|Failure|Denied)$")
_ID_WORDS = ("id", "ids")
_PREFIX_WORDS = ("odoo",)


class SkipLine(RowError):
    """A well-formed line that is not an integration event (bus bookkeeping, an unclaimed logger)."""

    def __init__(self, reason: str, logger: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.logger = logger


def words(name: str) -> list[str]:
    """`odooPartnerId` -> [odoo, partner, id]; `hr_employee_id` -> [hr, employee, id]."""
    return [w.lower() for w in _WORD.findall(name)]


def _norm(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


GENERIC = "*"  # a record-id field naming no model: the model comes from the line or the flow


def record_model(column: str, cfg: ReaderSettings) -> str | None:
    """The Odoo model a record-id field's name says (GENERIC when it is Odoo's but names none), or None."""
    last = column.rsplit(".", 1)[-1]
    if _norm(last) in {_norm(g) for g in cfg.generic_record_id_fields}:
        return GENERIC
    ws = words(last)
    if len(ws) < 2 or ws[-1] not in _ID_WORDS:
        return None
    ws = ws[:-1]
    while ws and ws[0] in _PREFIX_WORDS:
        ws = ws[1:]
    models = cfg.record_id_models
    # the whole name must be the model: `personio_absence_id` is Personio's id, not an hr.leave id
    if ".".join(ws) in set(models.values()):
        return ".".join(ws)
    return models.get("_".join(ws))


def _int_id(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if v > 0 else None
    if isinstance(v, float) and v.is_integer() and v > 0:
        return int(v)
    if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) <= 12:
        n = int(v.strip())
        return n if n > 0 else None
    return None


MAX_LIST_IDS = 20  # ids taken from one list field of one line (`partner_ids: [7, 9]`)


def _int_ids(v: Any) -> list[int]:
    """A list of integer ids (an x2many field as Odoo's own `*_ids` names it), else []."""
    if not isinstance(v, list) or not v:
        return []
    ids = [_int_id(x) for x in v[:MAX_LIST_IDS]]
    return [i for i in ids if i is not None] if all(i is not None for i in ids) else []


@dataclass(frozen=True)
class Shape:
    """What a file's lines carry beyond the FieldMapping (see the module docstring)."""

    flow_key: str | None = None
    flow_from_logger: bool = False
    endpoint_key: str | None = None  # with a logger flow: flows.json `endpoints` win over the logger
    flow_values: frozenset[str] = frozenset()  # flow values seen in the sample
    error_class: str | None = None
    record_fields: tuple[tuple[str, str], ...] = ()  # (source field, model or GENERIC)
    model_field: str | None = None
    control_fields: tuple[str, ...] = ()  # kind fields, when the sample holds control lines
    status_keys: tuple[str, ...] = ()  # mapped status / HTTP / level fields (a control line has none)
    control_words: frozenset[str] = frozenset()
    notes: tuple[str, ...] = field(default=())
    envelope: str | None = None  # the field holding the inner event (readers/envelope.py)
    journal: bool = False  # a `journalctl -o json` export, read per systemd's fields (readers/journald.py)

    def active(self) -> bool:
        """Does this shape change what a line yields (a columnar fast path must then use the row reader)?"""
        return bool(self.flow_from_logger or self.error_class or self.record_fields or self.control_fields
                    or self.envelope or self.journal)

    def sources(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.envelope:
            out["inner_event"] = self.envelope
        if self.journal:
            out["journal"] = "journalctl -o json: time, PRIORITY, MESSAGE, flow from UNIT / SYSLOG_IDENTIFIER"
        if self.error_class:
            out["error_class"] = self.error_class
        if self.record_fields:
            out["record_refs"] = ", ".join(
                f"{src} ({model if model != GENERIC else 'model from ' + (self.model_field or 'the flow')})"
                for src, model in self.record_fields)
        if self.control_fields:
            out["control_lines_skipped"] = ", ".join(self.control_fields)
        return out


def columns_of(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {}
    for r in rows:
        for k, v in r.items():
            vals = cols.setdefault(k, [])
            if v is not None and v != "" and v != []:
                vals.append(v)
    return cols


def is_control(record: Mapping[str, Any], kind_getters: list[Callable[[Mapping[str, Any]], Any]],
               control_words: frozenset[str]) -> bool:
    for get in kind_getters:
        v = get(record)
        if isinstance(v, str) and control_words.intersection(words(v)):
            return True
    return False


def infer_shape(rows: list[Mapping[str, Any]], sources: Mapping[str, str], cfg: ReaderSettings,
                taken: Iterable[str] = ()) -> Shape:
    """The Shape of sampled (flattened) rows, given the mapping's event field -> source field."""
    cols = columns_of(rows)
    used = set(sources.values()) | set(taken)
    notes: list[str] = []
    # error class: a named class / code field, unless the mapped error field already is one
    error_class = None
    cls_names = [_norm(n) for n in cfg.error_class_fields]
    for col in cols:
        if col in used or not cols[col]:
            continue
        n, last = _norm(col), _norm(col.rsplit(".", 1)[-1])
        if n in cls_names or last in cls_names:
            error_class = col
            break
    # record refs
    record_fields: list[tuple[str, str]] = []
    for col, vals in cols.items():
        if col in used or not vals:
            continue
        model = record_model(col, cfg)
        if model is None:
            continue
        ints = sum(1 for v in vals if _int_id(v) is not None or _int_ids(v))
        if ints / len(vals) >= cfg.min_value_match:
            record_fields.append((col, model))
    model_names = {_norm(m) for m in cfg.record_model_fields}
    model_field = next((c for c, vals in cols.items() if vals and _norm(c.rsplit(".", 1)[-1]) in model_names
                        and all(isinstance(v, str) and "." in v for v in vals)), None)
    # control lines: rows with no flow and no status whose kind field names a control word
    flow_key = sources.get("flow")
    status_keys = tuple(sources[k] for k in ("status", "http_status", "level") if k in sources)
    ctl_words = frozenset(w.lower() for w in cfg.control_words)
    kind_names = {_norm(n) for n in cfg.control_kind_fields}
    kind_cols = [c for c in cols if "." not in c and _norm(c) in kind_names]
    control_fields: tuple[str, ...] = ()
    if kind_cols and flow_key:
        getters = [_getter(c) for c in kind_cols]
        fget = _getter(flow_key)
        hits = [r for r in rows if not fget(r) and not any(r.get(k) not in (None, "") for k in status_keys)
                and is_control(r, getters, ctl_words)]
        if hits:
            control_fields = tuple(kind_cols)
            notes.append(f"{len(hits)} of {len(rows)} sampled lines are control lines ({', '.join(kind_cols)}): "
                         "skipped")
    flow_values = frozenset(v for v in cols.get(flow_key or "", []) if isinstance(v, str)) if flow_key else frozenset()
    if record_fields:
        notes.append("record refs from " + ", ".join(f"{c} ({m if m != GENERIC else 'model of the line/flow'})"
                                                    for c, m in record_fields))
    if error_class:
        notes.append(f"error class from {error_class}")
    return Shape(flow_key=flow_key, endpoint_key=sources.get("endpoint"), flow_values=flow_values, error_class=error_class,
                 record_fields=tuple(record_fields), model_field=model_field, control_fields=control_fields,
                 status_keys=status_keys, control_words=ctl_words, notes=tuple(notes))


def looks_like_class(values: list[Any], share: float) -> bool:
    strs = [v for v in values if isinstance(v, str)]
    return bool(strs) and sum(1 for v in strs if _CLASS_LIKE.match(v.strip())) >= share * len(values)


def shaped_builder(build: Callable[[Mapping[str, Any], int, int], EventRow], shape: Shape,
                   catalog: FlowCatalog | None, *, skip_lines: bool = True,
                   ) -> Callable[[Mapping[str, Any], int, int], EventRow]:
    """`build` with the shape applied: control lines skipped, flows attributed, error class, record refs."""
    cat = catalog if catalog is not None and catalog else None
    endpoint_get = _getter(shape.endpoint_key) if shape.flow_from_logger and shape.endpoint_key and cat \
        and cat.endpoints else None
    claims_some = bool(cat and cat.loggers and any(_by_logger(cat, v) for v in shape.flow_values))
    skip_unclaimed = skip_lines and shape.flow_from_logger and claims_some
    flow_models = {f.name: f.models[0] for f in (cat.flows if cat else []) if len(f.models) == 1}
    cache: dict[str, str | None] = {}

    def resolve(value: str) -> str | None:
        if value in cache:
            return cache[value]
        name = value
        if cat is not None:
            name = _by_logger(cat, value) or cat.names.get(value.lower()) or ("" if skip_unclaimed else value)
        cache[value] = name or None
        return name or None

    control = skip_lines and bool(shape.control_fields)
    kind_getters = [_getter(c) for c in shape.control_fields]
    flow_get = _getter(shape.flow_key) if shape.flow_key else None
    status_keys = shape.status_keys
    cls_get = _getter(shape.error_class) if shape.error_class else None
    rec_getters = [(_getter(c), m) for c, m in shape.record_fields]
    model_get = _getter(shape.model_field) if shape.model_field else None
    ctl_words = shape.control_words
    rename = cat is not None and (bool(cat.loggers) or skip_unclaimed)
    if not (control or rename or cls_get or rec_getters or endpoint_get):
        return build  # nothing beyond the mapping: the plain builder, at its speed

    def shaped(d: Mapping[str, Any], line_no: int, offset: int) -> EventRow:
        if control and isinstance(d, Mapping) and flow_get is not None and not flow_get(d) \
                and not any(d.get(k) not in (None, "") for k in status_keys) and is_control(d, kind_getters, ctl_words):
            raise SkipLine("control line (acknowledgement / heartbeat), not an event")
        row = build(d, line_no, offset)
        changes: dict[str, Any] = {}
        if endpoint_get is not None and isinstance(path := endpoint_get(d), str) and cat is not None \
                and (by_path := cat.by_endpoint(path)) is not None:
            changes["flow"] = by_path
        elif rename:
            flow = resolve(row.flow)
            if flow is None:
                raise SkipLine("logger not claimed by flows.json", logger=row.flow)
            if flow != row.flow:
                changes["flow"] = flow
        if cls_get is not None:
            cls = cls_get(d)
            if isinstance(cls, str | int) and not isinstance(cls, bool) and str(cls).strip():
                c = str(cls).strip()[:200]
                err = row.error
                if not err:
                    changes["error"] = c
                elif c not in err:
                    changes["error"] = f"{c}: {err}"
                if row.status == "ok" and not status_keys:
                    changes["status"] = "error"
        if rec_getters:
            refs: list[str] = []
            for get, model in rec_getters:
                v = get(d)
                n = _int_id(v)
                ns = [n] if n is not None else _int_ids(v)
                if not ns:
                    continue
                if model == GENERIC:
                    m = model_get(d) if model_get is not None else None
                    mname = m if isinstance(m, str) and "." in m and len(m) <= 64 else \
                        flow_models.get(changes.get("flow", row.flow))
                    if not mname:
                        continue
                    refs.extend(f"{mname}:{i}" for i in ns)
                else:
                    refs.extend(f"{model}:{i}" for i in ns)
            new = tuple(r for r in dict.fromkeys(refs) if r not in row.record_ids)
            if new:
                changes["record_ids"] = row.record_ids + new
        return row._replace(**changes) if changes else row

    return shaped


def _by_logger(cat: FlowCatalog, value: str) -> str | None:
    for prefix, name in cat.loggers:
        if value == prefix or value.startswith(prefix + "."):
            return name
    return None
