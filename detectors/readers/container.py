"""Container logs of an Odoo server or a JVM (Kafka Connect on Strimzi, Spring Boot): the same multi-line
log, each physical line wrapped by the runtime that captured it.

- CRI (containerd, CRI-O: what kubelet leaves in /var/log/pods): `<RFC 3339 nano> <stdout|stderr> <F|P> <line>`.
- Docker's json-file driver: `{"log":"<line>\\n","stream":"stderr","time":"<RFC 3339 nano>"}`.

The wrapper is taken off every line, keeping its line number and byte offset, and the lines go to the
Odoo log or JVM log reader, which folds tracebacks and stack traces as it does in a bare file; a partial
line (CRI `P`, a Docker line without its newline) continues the record like any continuation line. The
time is the app's own (the Odoo log writes UTC); a JVM's naive local times are put on UTC by the offset
between them and the runtime's own (UTC) times of the same lines, in quarter hours, when 80% of the first
lines agree on it. A line that is not wrapped is read as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    BOM,
    CHUNK_SIZE,
    Chunk,
    EventRow,
    RowError,
    numbered_lines,
    parse_ts,
)
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.java_log import JavaLogReader, _is_trace, looks_like_java_log, match_line
from odoo_triage.detectors.readers.jsonload import _JSONError, _loads
from odoo_triage.detectors.readers.naive_time import is_naive
from odoo_triage.detectors.readers.odoo_log import OdooLogReader, looks_like_odoo_log

FORMAT = "container"
_CRI = re.compile(rb"^\d{4}-\d\d-\d\dT\S+ (?:stdout|stderr) [FP] ?")
SNIFF = 50  # lines looked at for the inner format


def _docker_text(raw: bytes) -> bytes | None:
    body = raw.strip()
    if not body.startswith(b"{") or b'"log"' not in body:
        return None
    try:
        obj = _loads(body)
    except (_JSONError, ValueError):
        return None
    text = obj.get("log") if isinstance(obj, dict) else None
    return text.rstrip("\r\n").encode("utf-8") + b"\n" if isinstance(text, str) else None


def _cri_text(raw: bytes) -> bytes | None:
    m = _CRI.match(raw)
    return raw[m.end():] if m is not None else None


WRAPPERS = {"cri": _cri_text, "docker": _docker_text}
STEP_S, AGREE_S, AGREE_SHARE, SHIFT_LINES = 900.0, 600.0, 0.8, 50


def _wrapper_time(kind: str, raw: bytes) -> float | None:
    """The runtime's own time of a wrapped line (RFC 3339 with Z: UTC)."""
    try:
        if kind == "cri":
            return parse_ts(raw.split(b" ", 1)[0].decode("ascii", "replace"))
        obj = _loads(raw.strip())
        return parse_ts(obj.get("time")) if isinstance(obj, dict) else None
    except (RowError, _JSONError, ValueError):
        return None


def naive_offset(path: Path, kind: str) -> float | None:
    """Seconds a wrapped JVM log's naive times are ahead of the runtime's UTC times of the same lines (0
    included), or None: zoned times, too few lines, or no offset 80% of them agree on."""
    diffs: list[float] = []
    for line_no, _off, raw in numbered_lines(path):
        if len(diffs) >= SHIFT_LINES or line_no > 20 * SHIFT_LINES:
            break
        text = WRAPPERS[kind](raw.lstrip(BOM) if line_no == 1 else raw)
        m = match_line(text.decode("utf-8", "replace").rstrip("\r\n")) if text is not None else None
        outer = _wrapper_time(kind, raw.lstrip(BOM)) if m is not None else None
        if m is None or outer is None:
            continue
        ts_text = m["ts"].replace(",", ".")
        if not is_naive(ts_text):
            return None
        try:
            diffs.append(parse_ts(ts_text) - outer)
        except RowError:
            continue
    if len(diffs) < 5:
        return None
    diffs.sort()
    shift = round(diffs[len(diffs) // 2] / STEP_S) * STEP_S
    if sum(1 for d in diffs if abs(d - shift) <= AGREE_S) < AGREE_SHARE * len(diffs):
        return None
    return shift + 0.0


def wrapper_of(first: bytes) -> str | None:
    """The runtime wrapping a file's lines, from its first line: "cri", "docker" or None."""
    line = first.lstrip(BOM)
    for name, unwrap in WRAPPERS.items():
        if unwrap(line) is not None:
            return name
    return None


def inner_format(path: Path, first: bytes) -> str | None:
    """"odoo_log" or "java_log" when a container file wraps such lines (the first line that is no trace
    decides), else None."""
    kind = wrapper_of(first)
    if kind is None:
        return None
    unwrap = WRAPPERS[kind]
    with path.open("rb") as fh:
        for i, raw in enumerate(fh):
            if i >= SNIFF:
                break
            text = unwrap(raw.lstrip(BOM) if i == 0 else raw)
            if text is None or not text.strip():
                continue
            if looks_like_odoo_log(text):
                return "odoo_log"
            if looks_like_java_log(text):
                return "java_log"
            if not _is_trace(text.decode("utf-8", "replace").strip()):
                return None
    return None


def unwrapped_lines(path: Path, kind: str, start_offset: int = 0, start_line: int = 1,
                    ) -> Iterator[tuple[int, int, bytes]]:
    """(line number, offset, the wrapped line) of each physical line; an unwrapped line as it is."""
    unwrap = WRAPPERS[kind]
    for line_no, offset, raw in numbered_lines(path, start_offset, start_line):
        text = unwrap(raw.lstrip(BOM) if line_no == 1 else raw)
        yield line_no, offset, text if text is not None else raw


class ContainerReader:
    """The Odoo log or JVM log reader over a container file's unwrapped lines."""

    format = FORMAT

    def __init__(self, catalog: FlowCatalog | None = None, settings: ReaderSettings | None = None) -> None:
        self.catalog, self.settings = catalog, settings
        self.kind: str | None = None
        self.inner: OdooLogReader | JavaLogReader | None = None

    def _open(self, path: Path) -> OdooLogReader | JavaLogReader:
        if self.inner is None:
            with path.open("rb") as fh:
                first = next((r for r in fh if r.strip()), b"")
            self.kind = wrapper_of(first) or "cri"
            fmt = inner_format(path, first)
            if fmt == "java_log":
                cfg = self.settings or ReaderSettings()
                shift = None if path.name in cfg.naive_time_zones or path.name in cfg.export_utc_offsets else \
                    naive_offset(path, self.kind)
                if shift:
                    cfg = cfg.model_copy(update={"export_utc_offsets": {**cfg.export_utc_offsets, path.name: shift}})
                self.inner = JavaLogReader(self.catalog, cfg)
            else:
                self.inner = OdooLogReader(catalog=self.catalog, settings=self.settings)
            kind = self.kind
            self.inner.numbered = lambda p, off, line: unwrapped_lines(p, kind, off, line)
        return self.inner

    @property
    def decoder(self) -> Any:
        return self.inner.decoder if self.inner is not None else None

    @property
    def line_shape(self) -> str:
        return f"{self.kind or '?'} + {self.inner.format if self.inner is not None else '?'}"

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        return self._open(path).chunks(path, chunk_size, start)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        return self._open(path).row_at(path, offset, line_no)
