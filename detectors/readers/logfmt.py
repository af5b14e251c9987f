"""logfmt: `key=value key2="quoted value" flag` lines (Heroku, Go services, Grafana Loki, Prometheus tools).

Values are text; a value carrying a duration unit (`service=310ms`, `connect=1ms`, `elapsed=1.2s`) is read
as milliseconds (a float), so the mapping inference sees a latency number, never the string "310ms".
A bare key (`key` without `=`) is true. Quoted values take backslash escapes (`\\"`, `\\\\`, `\\n`, `\\t`).
"""

from __future__ import annotations

import re
from typing import Any

# one pair: key, then = and a quoted or bare value (or no value at all)
_PAIR = re.compile(r'([^\s="]+)(?:=("(?:[^"\\]|\\.)*"|[^\s"]*))?(?=\s|$)')
_DURATION = re.compile(r"^(-?\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$")
_UNIT_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
MIN_PAIRS = 2  # fewer key=value pairs: a sentence that happens to hold an `=`, not logfmt
MIN_COVER = 0.8  # share of a line's non-blank characters the pairs must cover


def _unquote(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def duration_ms(value: str) -> float | None:
    """`310ms` -> 310.0, `1.2s` -> 1200.0; None when the value is no duration."""
    m = _DURATION.match(value)
    return float(m.group(1)) * _UNIT_MS[m.group(2)] if m else None


def parse_logfmt(text: str, units: bool = True) -> tuple[dict[str, Any], list[str]] | None:
    """(fields, keys of the durations converted) of one logfmt text, or None when the text is not logfmt
    (fewer than MIN_PAIRS `key=value` pairs, or pairs covering under MIN_COVER of it). `units=False`: a
    duration stays text (`310ms`), for readers whose latency parsing reads the unit itself."""
    out: dict[str, Any] = {}
    covered = pairs = 0
    durations: list[str] = []
    for m in _PAIR.finditer(text):
        key, raw = m.group(1), m.group(2)
        covered += m.end() - m.start()
        if raw is None:
            out.setdefault(key, True)
            continue
        pairs += 1
        if raw.startswith('"'):
            out[key] = _unquote(raw[1:-1])
            continue
        d = duration_ms(raw) if units and raw and raw[-1] in "sumh" else None
        if d is not None:
            out[key] = d
            durations.append(key)
        else:
            out[key] = raw
    solid = sum(1 for c in text if not c.isspace())
    if pairs < MIN_PAIRS or covered < MIN_COVER * solid:
        return None
    return out, durations


def looks_like_logfmt(text: str) -> bool:
    got = parse_logfmt(text.strip())
    return got is not None and len(got[0]) >= 3
