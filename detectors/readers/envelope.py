"""JSON envelopes around the real event: a shipper's object whose one text field holds the app's line.

- Docker's json-file driver writes `{"log":"<line>\\n","stream":"stdout","time":"2026-...Z"}` per line
  (moby daemon/logger/jsonfilelog); Fluent Bit / Logstash / Filebeat and many SDKs write
  `{"@timestamp":..., "message":"{...json...}"}`.
- The inner text is the event: a JSON object, a logfmt line, or (in a field naming a log line, settings
  `envelope_line_fields`, when the envelope itself carries no level or status) a plain app line whose
  level word leads it (`ERROR orders: ...`, `2026-10-01 10:00:00 [WARN] ...`).
- The inner fields are the record's own names; the envelope's are kept as `envelope.<name>`, so the
  mapping inference prefers the app's own time, level and flow and takes the envelope's time when the
  app line has none.

Decided per file on the sampled objects: a field is the envelope when `envelope_min_share` of them hold
an inner event in it; an object whose field holds none (a traceback line on its own) is no event. Values are data: nothing in the inner text is trusted beyond its fields.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.inference import ENVELOPE_PREFIX, flatten, norm
from odoo_triage.detectors.readers.jsonload import _JSONError, _loads
from odoo_triage.detectors.readers.logfmt import parse_logfmt

_LEVELS = r"TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG"
_TS = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?"
# a plain app line: an optional time, up to three tokens (pid, thread, [brackets]), then the level word
_PLAIN = re.compile(rf"^(?:(?P<ts>{_TS})\s+)?(?:[^\s]+\s+){{0,3}}?\[?(?P<level>{_LEVELS}|{_LEVELS.lower()})\]?"
                    r"(?:\s*[:|-]\s*|\s+)(?P<msg>\S.*)$", re.DOTALL)
_LOWER_LEAD = re.compile(rf"^\[?(?:{_LEVELS.lower()})\b")


def inner_event(text: str, plain: bool) -> dict[str, Any] | None:
    """The event inside one envelope text (JSON object, logfmt, or with `plain` a leveled app line), or None."""
    body = text.strip()
    if not body:
        return None
    if body[0] == "{":
        try:
            obj = _loads(body)
        except (_JSONError, ValueError):
            return None
        return flatten(obj) if isinstance(obj, dict) and obj else None
    got = parse_logfmt(body, units=False)
    if got is not None:
        return got[0]
    if not plain:
        return None
    m = _PLAIN.match(body)
    if m is None or (m["level"].islower() and not _LOWER_LEAD.match(body)):  # lower case only leading the line
        return None
    # the line's own time (naive local, mostly) is left out: the envelope's or the prefix's is the shipper's, UTC
    return {"level": m["level"].upper(), "message": m["msg"].strip()}


def _leveled(obj: Mapping[str, Any], cfg: ReaderSettings) -> bool:
    """The envelope itself says how bad the line is (GCP `severity`, a status): its text needs no level."""

    names = {norm(n) for k in ("level", "status") for n in cfg.field_synonyms.get(k, [])}
    return any(norm(k) in names for k in obj)


def envelope_field(objects: Sequence[Mapping[str, Any]], cfg: ReaderSettings) -> str | None:
    """The field of the sampled (raw) objects holding the inner event, or None."""
    if not objects:
        return None
    lines = {f.lower() for f in cfg.envelope_line_fields}
    hits: Counter[str] = Counter()
    for obj in objects:
        for k, v in obj.items():
            if isinstance(v, str) and v and inner_event(v, k.lower() in lines and not _leveled(obj, cfg)) is not None:
                hits[k] += 1
    if not hits:
        return None
    key, n = hits.most_common(1)[0]
    return key if n >= cfg.envelope_min_share * len(objects) else None


def unwrapper(key: str, cfg: ReaderSettings) -> Callable[[Any], Any]:
    """obj -> the inner event's fields plus the envelope's as `envelope.<name>`; None for an object whose
    field holds no inner event (a traceback line the app wrote on its own line, a banner): no event."""

    plain = key.lower() in {f.lower() for f in cfg.envelope_line_fields}

    def unwrap(obj: Any) -> Any:
        if not isinstance(obj, dict):
            return obj
        text = obj.get(key)
        inner = inner_event(text, plain and not _leveled(obj, cfg)) if isinstance(text, str) else None
        if inner is None:
            return None
        out: dict[str, Any] = {ENVELOPE_PREFIX + k: v for k, v in flatten({k: v for k, v in obj.items() if k != key}).items()}
        out.update(inner)
        return out

    return unwrap
