"""Secret masking: the one redaction every sink applies (store, stdout, prompts, files, digest, console).

Integration errors love to echo the request that failed, headers, URLs and RPC arguments
included, so a token in a log line would otherwise travel straight into the store, an LLM
prompt or a report. It lives in core so detectors, agent and app all use the same rules.
The shapes it must catch are kept as test data in tests/data/secrets/.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import Any

MASK = "***"

# key names that hold a secret, matched as whole `_`/`-` separated words of a key ("aws_secret_access_key",
# "db_password", "X-Api-Key"), never as a prefix of an ordinary word ("passenger", "tokenizer").
_SECRET_WORDS = (
    r"password|passwd|pwd|pass|passphrase|secret|api[_\-]?key|apikey|access[_\-]?key|access[_\-]?token|"
    r"refresh[_\-]?token|auth[_\-]?token|id[_\-]?token|client[_\-]?secret|private[_\-]?key|session[_\-]?id|"
    r"sessionid|token|accountkey|account[_\-]?key|x[_\-]amz[_\-]signature"
)
_KEY = rf"(?:[A-Za-z0-9]+[_\-])*(?:{_SECRET_WORDS})(?:[_\-][A-Za-z0-9]+)*"
# separators: "key=v", "key: v", '"key": "v"', "key%3Dv" (URL-encoded), "key='v'"
_SEP = r"[\"']?\s*(?:[:=]|%3[dDaA])\s*[\"']?"


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str:
    digits = re.sub(r"[ \-]", "", m.group(0))
    return MASK if 13 <= len(digits) <= 19 and _luhn(digits) else m.group(0)


def _basic(m: re.Match[str]) -> str:
    """`Basic <base64 of user:password>` outside an Authorization header: masked when it decodes so."""
    try:
        decoded = base64.b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return m.group(0)
    return f"{m.group(1)} {MASK}" if ":" in decoded else m.group(0)


Needs = tuple[tuple[str, ...], ...] | None  # every group: one of its literals must be present

_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    # PEM private keys, whole block (or up to the end of a truncated line)
    (re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----(?!\*\*\*)[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)"),
     "-----BEGIN \\1PRIVATE KEY-----" + MASK),
    # Authorization headers, whatever the scheme: "Authorization: Bearer abc", "authorization=Basic xyz"
    (re.compile(r"(?i)\b(authorization|proxy-authorization)([\"']?\s*[:=]\s*[\"']?)(bearer|basic|token|digest|apikey)?"
                r"\s*[^\s\"',;}]+"),
     r"\1\2\3 " + MASK),
    # Cookies: the whole header value ("Cookie: session_id=...; frontend_lang=en")
    (re.compile(r"(?i)\b(set-cookie|cookie)([\"']?\s*[:=]\s*[\"']?)[^\r\n\"'}]+"), r"\1\2" + MASK),
    # Bare bearer tokens: "Bearer eyJ...", "bearer 0a1b2c..."
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + MASK),
    (re.compile(r"\b(Basic|basic|BASIC)\s+([A-Za-z0-9+/]{6,}={0,2})"), _basic),
    # JWTs anywhere (three base64url parts, the first starting with eyJ)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"), MASK),
    # SAS / presigned URL signatures: "?sv=...&sig=..."
    (re.compile(r"(?i)([?&]sig=)[^&\s\"'<>]+"), r"\1" + MASK),
    # Slack incoming webhooks: the path is the secret
    (re.compile(r"(?i)(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_\-]+"), r"\1" + MASK),
    # Passwords in URLs: scheme://user:password@host (the password may hold '@': up to the last one)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+):[^\s/]*@(?=[\w\[])"), r"\1:" + MASK + "@"),
    # user:password@host without a scheme (rsync/scp style, connection strings)
    (re.compile(r"(?<![\w:/.])([A-Za-z0-9_.\-]+):(?!//)[^\s:/@\"']+@(?=[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"),
     r"\1:" + MASK + "@"),
    # JSON-RPC execute_kw args: [db, uid, password, "model.name", ...] (JSON or Python repr)
    (re.compile(r"([\[(]\s*[\"'][^\"']*[\"']\s*,\s*\d+\s*,\s*[\"'])[^\"']+([\"']\s*,\s*[\"'][a-z_]+(?:\.[a-z_]+)+[\"'])"),
     r"\1" + MASK + r"\2"),
    # common.login / authenticate args: [db, login, password]
    (re.compile(r"(?i)((?:login|authenticate)[^\[(]{0,30}[\[(]\s*[\"'][^\"']*[\"']\s*,\s*[\"'][^\"']*[\"']\s*,\s*[\"'])"
                r"[^\"']+([\"'])"), r"\1" + MASK + r"\2"),
    # key=value / key: value / "key": "value" pairs with a secret-sounding key
    (re.compile(rf"(?i)(?<![A-Za-z])({_KEY}{_SEP})(?!{re.escape(MASK)})([^\s\"'&,;}}\]]+)"), r"\1" + MASK),
    # Well-known key shapes: OpenAI, GitHub, Slack, AWS, Google, Stripe-like
    (re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}"), MASK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}"), MASK),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (re.compile(r"\bAIza[0-9A-Za-z\-_]{35}"), MASK),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), MASK),
    # Odoo API keys: 40 hex characters, bare
    (re.compile(r"(?<![\w\-])[0-9a-fA-F]{40}(?![\w\-])"), MASK),
    # Payment card numbers (13-19 digits, spaces or dashes allowed, Luhn-valid)
    # (never inside a word, a uuid or an id: "abb7-272861859534" is the tail of a queue.job uuid)
    (re.compile(r"(?<![\w\-.:/])\d(?:[ \-]?\d){12,18}(?![\w\-])"), _card),
]


# Literals a pattern cannot match without (lower case; every group must have one member in the text),
# one entry per `_PATTERNS` row, None = always tried. On ASCII text a (?i) match of an ASCII literal is
# exactly a substring of text.lower(), and a substitution only writes back pieces of its match, `***`,
# a space before `***` and the PEM header it matched, so skipping a row whose literal is absent from the
# original text masks exactly what running every row does (a test compares both on the corpus).
_NEEDS: list[Needs] = [
    (("private key",),),
    (("authorization",),),
    (("cookie",),),
    (("bearer",),),
    (("basic",),),
    (("eyj",),),
    (("sig=",),),
    (("hooks.slack.com/",),),
    (("://",), ("@",)),
    ((":",), ("@",)),
    (("[", "("), (",",), ("\"", "'")),
    (("login", "authenticate"), ("[", "(")),
    (("pass", "pwd", "secret", "key", "token", "session", "signature"), (":", "=", "%3d", "%3a")),
    (("sk-",),),
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),),
    (("github_pat_",),),
    (("xox",),),
    (("akia", "asia"),),
    (("aiza",),),
    (("_live_", "_test_"),),
    None,
    None,
]
assert len(_NEEDS) == len(_PATTERNS)


def redact_every_pattern(text: str) -> str:
    """Every pattern in turn, no literal pre-check (the reference `redact` is tested against)."""
    out = text
    for pattern, repl in _PATTERNS:
        out = pattern.sub(repl, out)
    return out


def redact(text: str | None) -> str:
    """The text with every secret we recognise replaced by `***`."""
    if not text:
        return text or ""
    if not text.isascii():
        return redact_every_pattern(text)
    return substitute(text, _PATTERNS, _NEEDS, text.lower())


def substitute(text: str, rules: Sequence[tuple[re.Pattern[str], Any]], needs: Sequence[Needs],
               haystack: str) -> str:
    """Each (pattern, replacement) in turn, skipping a pattern whose needed literals are absent from
    `haystack` (the text, maybe lowercased): a pattern that cannot match costs no regex pass."""
    out = text
    for (pattern, repl), need in zip(rules, needs, strict=True):
        if need is not None:  # plain loops, no generators: this runs ~35 times per distinct message mined
            for group in need:
                for n in group:
                    if n in haystack:
                        break
                else:
                    break  # no literal of this group in the text: the pattern cannot match
            else:
                out = pattern.sub(repl, out)
            continue
        out = pattern.sub(repl, out)
    return out


def redact_obj(obj: Any) -> Any:
    """Redact every string inside a JSON-like structure (dicts, lists, tuples); keys are kept."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {k: _redact_value(k, v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [redact_obj(v) for v in obj]
    return obj


_SECRET_KEY = re.compile(rf"(?i)^{_KEY}$")


def _redact_value(key: Any, value: Any) -> Any:
    """A value under a secret-named key ({"password": "x"}) is masked whole, whatever it looks like."""
    if isinstance(key, str) and isinstance(value, str) and value and _SECRET_KEY.match(key):
        return MASK
    return redact_obj(value)
