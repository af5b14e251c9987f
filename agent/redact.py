"""Secret masking: applied to every text before it reaches a prompt, a log line or the store.

Integration errors love to echo the request that failed, headers and URLs included, so a
token in a log line would otherwise travel straight into an LLM prompt.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "***"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers, whatever the scheme: "Authorization: Bearer abc", "authorization=Basic xyz"
    (re.compile(r"(?i)\b(authorization|proxy-authorization)([\"']?\s*[:=]\s*[\"']?)(bearer|basic|token|digest|apikey)?\s*[^\s\"',;}]+"),
     r"\1\2\3 " + MASK),
    # Bare bearer tokens: "Bearer eyJ...", "bearer 0a1b2c..."
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + MASK),
    # JWTs anywhere (three base64url parts, the first starting with eyJ)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), MASK),
    # Passwords in URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+):[^\s@/]+@"), r"\1:" + MASK + "@"),
    # key=value / key: value / "key": "value" pairs with a secret-sounding key
    (re.compile(
        r"(?i)(\"?\b[\w\-]*(?:password|passwd|pwd|secret|api[_\-]?key|apikey|access[_\-]?token|refresh[_\-]?token|"
        r"auth[_\-]?token|client[_\-]?secret|private[_\-]?key|session[_\-]?id|token)\b[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;}]+)"),
     r"\1" + MASK),
    # Well-known key shapes: OpenAI, GitHub, Slack, AWS, Stripe-like
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"), MASK),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), MASK),
]


def redact(text: str | None) -> str:
    """The text with every secret we recognise replaced by `***`."""
    if not text:
        return text or ""
    out = text
    for pattern, repl in _PATTERNS:
        out = pattern.sub(repl, out)
    return out


def redact_obj(obj: Any) -> Any:
    """Redact every string inside a JSON-like structure (dicts, lists, tuples)."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {k: redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [redact_obj(v) for v in obj]
    return obj
