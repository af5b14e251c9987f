"""Error templates: thousands of failure messages become a handful of signatures (drain3).

Variable parts (ids, uuids, numbers, amounts, e-mails, timestamps, hex, IBANs, VAT numbers,
document references, quoted multi-word names) are masked by drain3's own masker first; drain3 then sees each distinct
masked message once (a dict cache in front of it), which is what makes a million events cheap.

A signature id is a hash of the final template text, so the same error gets the same id in
every run. drain3 may generalise a template as more messages arrive; cluster ids are stable
within a run, and `signature_of_cluster` gives the id of the template as it ends up.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from odoo_triage.core.redact import Needs, redact, substitute

# Order matters: the wider patterns (timestamps, uuids, e-mails) go before bare numbers.
MASKS: list[tuple[str, str]] = [
    (r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?", "TS"),
    (r"\b\d{4}-\d\d-\d\d\b|\b\d\d?/[A-Za-z]{3}/\d{4}(?::\d\d:\d\d:\d\d)?", "DATE"),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", "UUID"),
    (r"[\w.+-]+@+[\w-]+(?:\.[\w-]+)+", "EMAIL"),
    (r"https?://[^\s/]+", "HOST"),
    (r"\b[A-Z]{2}\d\d(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?\b", "IBAN"),
    (r"\b[A-Z]{2}(?=[A-Z0-9]*\d)[A-Z0-9]{8,12}\b", "VAT"),
    (r"\b[A-Z]{2,}(?:/\d+)+\b", "REF"),
    (r"\b[A-Za-z]+[_-](?=[0-9a-fA-F]*\d)[0-9a-fA-F]{6,}\b", "ID"),
    (r"\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b", "HEX"),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "IP"),
    (r"(?:(?:\b(?:EUR|USD|GBP|CHF)|[€$£])\s?\d[\d,]*(?:\.\d+)?|\b\d[\d,]*(?:\.\d+)?\s?(?:EUR|USD|GBP|CHF\b|€))",
     "AMOUNT"),
    (r"(?<![\w.])[-+]?\d+(?:[.,]\d+)*(?![\w])", "NUM"),
    # A double-quoted span of several words after a word (`partner "Acme Holdings, Inc."`): a record's
    # display name or a value that Odoo and its addons quote. Its word count must not choose the drain3
    # cluster (drain3 groups by token count), so it is one token. A JSON value (after `:`) or key (before
    # `:`) keeps its text: that is the message's meaning, not a name.
    (r'(?<=[\w)] )"(?=[^"\n]*\s)[^"\n:{}\[\]=]{1,200}"(?!\s*:)', "QUOTED"),
]
# Characters a mask cannot match without (one of each group, in the text), one entry per `MASKS` row,
# None = always tried. Masks are case-sensitive and insert only `<NAME>` (capitals and angle brackets,
# no digit, no `-:/@._` and no currency), so a literal absent from the message stays absent after the
# earlier masks: skipping the row changes nothing (a test compares with drain3's own masker).
_MASK_NEEDS: list[Needs] = [
    (("-",), (":",)),
    (("-", "/"),),
    (("-",),),
    (("@",),),
    (("http",),),
    None,
    None,
    (("/",),),
    (("_", "-"),),
    None,
    ((".",),),
    (("EUR", "USD", "GBP", "CHF", "\u20ac", "$", "\u00a3"),),
    None,
    (('"',),),
]
assert len(_MASK_NEEDS) == len(MASKS)
_MASK_RES = [(re.compile(p), f"<{m}>") for p, m in MASKS]


def mask(line: str) -> str:
    """drain3's masking (each of `MASKS` in turn, `<NAME>` for a match), skipping masks that cannot match."""
    return substitute(line, _MASK_RES, _MASK_NEEDS, line)


MAX_MESSAGE = 2_000  # characters of a message that reach the miner
_RAW_CACHE_LIMIT = 200_000

# The digit-shape cache: messages that differ only in which digits 1-9 they hold ("invoice 4711 failed",
# "invoice 5822 failed") get the same masked text whenever that text keeps none of those digits. Sound
# because every redaction and mask rule treats 1-9 alike (digit classes, `\w`, `\b`) except three,
# which these messages must not touch: `%3D`/`%3A` separators (a `%`), `Basic <base64>` (decoded) and
# card numbers (a Luhn sum over 13+ digits). `0` keeps its own shape (the `0x` hex mask).
_SHAPE = str.maketrans("23456789", "11111111")
_DIGIT_SENSITIVE = re.compile(r"(?i)%|basic|\d(?:[ \-]?\d){12}")
_KEPT_DIGIT = re.compile(r"[1-9]")


def signature_id(template: str) -> str:
    """Stable id of a template text: `sig-` + 12 hex digits."""
    return "sig-" + hashlib.sha1(template.encode()).hexdigest()[:12]


def first_line(message: str) -> str:
    """Error texts may carry a traceback; the template is mined from the first meaningful line."""
    s = message.strip()
    if "\n" in s:
        s = next((ln.strip() for ln in s.splitlines() if ln.strip()), "")
    return s[:MAX_MESSAGE]


def make_config() -> TemplateMinerConfig:
    cfg = TemplateMinerConfig()
    cfg.masking_instructions = [MaskingInstruction(p, m) for p, m in MASKS]
    cfg.mask_prefix, cfg.mask_suffix = "<", ">"
    cfg.drain_sim_th = 0.5
    cfg.drain_depth = 4
    cfg.drain_max_children = 100
    cfg.parametrize_numeric_tokens = True
    cfg.profiling_enabled = False
    cfg.snapshot_interval_minutes = 0
    return cfg


class TemplateMinerCache:
    """A drain3 miner with two caches in front: the exact message, then the masked message."""

    def __init__(self) -> None:
        self.miner = TemplateMiner(config=make_config())
        self._raw: dict[str, int] = {}
        self._masked: dict[str, int] = {}
        self._shape: dict[str, int] = {}  # digit shape -> cluster id (see _SHAPE)
        self.counts: dict[int, int] = {}

    def cluster_of(self, message: str) -> int:
        """The drain3 cluster id of one message (counted)."""
        cid = self._raw.get(message)
        if cid is None:
            shape = None if _DIGIT_SENSITIVE.search(message) else message.translate(_SHAPE)
            cid = self._shape.get(shape) if shape is not None else None
            if cid is None:
                line = redact(first_line(message))  # a template is shown and stored: never a secret
                masked = mask(line)
                cid = self._masked.get(masked)
                if cid is None:  # what TemplateMiner.add_log_message does, without masking the line again
                    cid = int(self.miner.drain.add_log_message(masked)[0].cluster_id)
                    self._masked[masked] = cid
                if shape is not None and not _KEPT_DIGIT.search(masked):
                    if len(self._shape) >= _RAW_CACHE_LIMIT:
                        self._shape.clear()
                    self._shape[shape] = cid
            if len(self._raw) >= _RAW_CACHE_LIMIT:
                self._raw.clear()
            self._raw[message] = cid
        self.counts[cid] = self.counts.get(cid, 0) + 1
        return cid

    def clusters(self, messages: list[str], counts: list[int]) -> list[int]:
        """Cluster ids of distinct messages (in order of first appearance), each counted `counts[i]` times:
        the miner sees every distinct message once, whatever the number of events carrying it."""
        out = []
        for message, n in zip(messages, counts, strict=True):
            cid = self.cluster_of(message)
            self.counts[cid] += n - 1
            out.append(cid)
        return out

    def template(self, cluster_id: int) -> str:
        cluster = self.miner.drain.id_to_cluster.get(cluster_id)
        return cluster.get_template() if cluster is not None else ""

    def signature_of_cluster(self, cluster_id: int) -> str:
        return signature_id(self.template(cluster_id))

    def signature(self, message: str) -> str:
        return self.signature_of_cluster(self.cluster_of(message))

    def templates(self) -> dict[str, tuple[str, int]]:
        """signature id -> (template text, number of messages), clusters with one template merged."""
        out: dict[str, tuple[str, int]] = {}
        for cid, n in self.counts.items():
            text = self.template(cid)
            sid = signature_id(text)
            prev = out.get(sid)
            out[sid] = (text, n + (prev[1] if prev else 0))
        return out


def mine_templates(messages: Iterable[str]) -> list[str]:
    """One template text per message, in order (used by the batch-triage command)."""
    cache = TemplateMinerCache()
    ids = [cache.cluster_of(m or "") for m in messages]
    return [cache.template(i) for i in ids]
