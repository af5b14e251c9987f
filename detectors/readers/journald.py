"""`journalctl -o json` exports: one journal entry per line, with systemd's own field names.

Read as systemd documents them (systemd.journal-fields(7), journalctl(1) `--output=json`):
- every value is a string; a value that is not valid UTF-8 is an array of byte numbers, a field logged
  twice is an array of its values; `__REALTIME_TIMESTAMP` is microseconds since the epoch (when journald
  received the entry), `_SOURCE_REALTIME_TIMESTAMP` the client's own earlier time, preferred;
- `PRIORITY` is the syslog severity, 0 ("emerg") to 7 ("debug"); `MESSAGE` the text;
- the unit: `UNIT=` / `USER_UNIT=` name the unit a message is about (systemd's own "Starting x.service",
  "x.service: Failed with result 'exit-code'." come from PID 1, whose `_SYSTEMD_UNIT` is init.scope),
  `_SYSTEMD_UNIT` / `_SYSTEMD_USER_UNIT` the unit of the process that wrote it (trusted, set by journald),
  `SYSLOG_IDENTIFIER` the program's tag. The flow is the first of them flows.json knows (its name or an
  alias, with or without the unit's type suffix), else the unit's name without its suffix;
- fields with a leading underscore (trusted), the protocol's own (`CODE_FILE`, `SYSLOG_FACILITY`, python-
  systemd's `LOGGER`, `THREAD_NAME`, ...) are dropped; the app's own fields (`HTTP_STATUS=`, `RUN_ID=`) are
  kept and inferred like any JSON log's fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from odoo_triage.detectors.readers.flows import FlowCatalog

MARK = "__REALTIME_TIMESTAMP"
TIME_FIELDS = ("_SOURCE_REALTIME_TIMESTAMP", "__REALTIME_TIMESTAMP")
UNIT_FIELDS = ("UNIT", "USER_UNIT", "OBJECT_SYSTEMD_UNIT", "_SYSTEMD_UNIT", "_SYSTEMD_USER_UNIT")
#: syslog severities as the words the readers know (RFC 5424 6.2.1)
SEVERITY = {"0": "emerg", "1": "alert", "2": "crit", "3": "err", "4": "warning", "5": "notice", "6": "info",
            "7": "debug"}
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".scope", ".slice", ".target", ".path", ".mount", ".swap",
                 ".automount", ".device")
#: the protocol's own user fields (systemd.journal-fields(7), sd_journal_send, python-systemd JournalHandler)
OWN_FIELDS = frozenset({"MESSAGE", "MESSAGE_ID", "PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERRNO",
                        "INVOCATION_ID", "USER_INVOCATION_ID", "SYSLOG_FACILITY", "SYSLOG_IDENTIFIER", "SYSLOG_PID",
                        "SYSLOG_TIMESTAMP", "SYSLOG_RAW", "DOCUMENTATION", "TID", "UNIT", "USER_UNIT", "LOGGER",
                        "THREAD_NAME", "PROCESS_NAME", "UNIT_RESULT", "EXIT_CODE", "EXIT_STATUS", "JOB_ID",
                        "JOB_TYPE", "JOB_RESULT", "COREDUMP_UNIT", "OBJECT_PID"})
#: the keys an entry is read into (the app's own fields are kept beside them, never over them)
KEYS = {"timestamp": "timestamp", "level": "level", "message": "message", "flow": "flow"}

_TAKEN = frozenset(KEYS.values())


def is_journal_export(objects: Sequence[Mapping[str, Any]], share: float = 0.8) -> bool:
    """Most sampled objects are journal entries: journald's receive time and a MESSAGE."""
    hits = sum(1 for o in objects if MARK in o and "MESSAGE" in o)
    return bool(objects) and hits >= share * len(objects)


def text(value: Any) -> str | None:
    """A journal value as text: a string, bytes as numbers (not UTF-8), or the first of repeated values."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        if all(isinstance(b, int) and 0 <= b < 256 for b in value):
            return bytes(value).decode("utf-8", "replace")
        return text(value[0])
    return None if value is None else str(value)


def unit_names(unit: str) -> list[str]:
    """`xero-sync.service` -> [xero-sync.service, xero-sync]; `worker@2.service` adds `worker`."""
    out = [unit]
    stem = next((unit[: -len(s)] for s in UNIT_SUFFIXES if unit.endswith(s)), unit)
    if stem != unit:
        out.append(stem)
    if "@" in stem:
        out.append(stem.split("@", 1)[0])
    return out


def flow_of(entry: Mapping[str, Any], catalog: FlowCatalog | None) -> str | None:
    """The flow of one entry (see the module docstring)."""
    candidates: list[str] = []
    for key in (*UNIT_FIELDS[:3], "SYSLOG_IDENTIFIER", *UNIT_FIELDS[3:]):
        v = text(entry.get(key))
        if v and v.strip():
            candidates.extend(unit_names(v.strip()) if key != "SYSLOG_IDENTIFIER" else [v.strip()])
    if catalog:
        for c in candidates:
            if c.lower() in catalog.names:
                return catalog.names[c.lower()]
    for key in (*UNIT_FIELDS, "SYSLOG_IDENTIFIER"):
        v = text(entry.get(key))
        if v and v.strip() and not v.strip().endswith((".scope", ".slice")):  # init.scope, session-3.scope
            return unit_names(v.strip())[-1]
    return None


def journal_reader(catalog: FlowCatalog | None) -> Callable[[Any], Any]:
    """obj -> the entry as the readers take it (KEYS plus the app's own fields); a non-object as it is."""
    cache: dict[tuple[Any, ...], str | None] = {}

    def read(obj: Any) -> Any:
        if not isinstance(obj, dict):
            return obj
        out: dict[str, Any] = {k: text(v) for k, v in obj.items()
                               if not k.startswith("_") and k not in OWN_FIELDS and k.lower() not in _TAKEN}
        ts = next((t for f in TIME_FIELDS if (t := text(obj.get(f)))), None)
        out[KEYS["timestamp"]] = ts
        prio = text(obj.get("PRIORITY"))
        out[KEYS["level"]] = SEVERITY.get(prio.strip(), None) if prio else None
        out[KEYS["message"]] = text(obj.get("MESSAGE"))
        key = tuple(obj.get(k) if not isinstance(obj.get(k), list) else str(obj.get(k))
                    for k in (*UNIT_FIELDS, "SYSLOG_IDENTIFIER"))
        if key not in cache:
            cache[key] = flow_of(obj, catalog)
        out[KEYS["flow"]] = cache[key]
        return out

    return read
