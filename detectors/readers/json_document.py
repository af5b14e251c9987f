"""JSON documents rather than JSON lines: an API or tool export saved as one array (`[{...}, {...}]`), an
array inside one wrapper object (`{"data": [...]}`, OData's `{"value": [...]}`), or pretty-printed objects
one after the other (`jq .` output). Each object is an event, read with the JSON-lines mapping inference.

Every physical line is counted once: the lines from an object's first line to the next object's go with
it (parsed, or set aside with its first line's number when its row fails), whitespace lines are blank,
the brackets around the objects are parsed lines. Text that stops parsing sets the rest aside as one
record (`invalid JSON at line N`). The offset of an event is its character index in the decoded text,
which `row_at` decodes from again; a read from a later line (an incremental run) takes the objects that
start from it on. Files up to `MAX_BYTES` (read whole).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from odoo_triage.core.errors import InputError
from odoo_triage.detectors.readers.base import BOM, CHUNK_SIZE, Chunk, EventRow, RowError, reject
from odoo_triage.detectors.readers.inference import flatten
from odoo_triage.detectors.readers.jsonl import JsonLinesReader
from odoo_triage.detectors.readers.shapes import SkipLine

FORMAT = "json_document"
MAX_BYTES = 1 << 30
_WS = re.compile(r"[\s,]*")
_DECODER = json.JSONDecoder()


def looks_like_json_document(first: bytes) -> bool:
    """A first line opening an array or a pretty-printed object (`[`, `{`, `[{"a": 1},`, `{"data": [`)."""
    s = first.lstrip(BOM).strip()
    return s in (b"[", b"{") or s.startswith((b"[{", b"[ {")) or (s.startswith(b"{") and s.endswith(b"["))


class _Text:
    """A document's text and where its lines start."""

    def __init__(self, path: Path) -> None:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path.name}: a JSON document over {MAX_BYTES >> 20} MB; save it as JSON lines")
        data = path.read_bytes()
        self.bom = data.startswith(BOM)
        if self.bom:
            data = data[3:]
        try:
            self.text = data.decode("utf-8")
            self.fallback = False
        except UnicodeDecodeError:
            self.text, self.fallback = data.decode("cp1252", errors="replace"), True
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        self.lines = len(self.newlines) + (1 if self.text and not self.text.endswith("\n") else 0)

    def line_of(self, idx: int) -> int:
        return bisect_left(self.newlines, idx) + 1

    def blank(self, line: int) -> bool:
        start = self.newlines[line - 2] + 1 if line > 1 else 0
        end = self.newlines[line - 1] if line - 1 < len(self.newlines) else len(self.text)
        return not self.text[start:end].strip()


def _wrapped_list(obj: Any) -> str | None:
    """The key of the one list of objects a wrapper object holds (`data`, `value`, `records`), or None."""
    if not isinstance(obj, dict):
        return None
    keys = [k for k, v in obj.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v[:50])]
    return keys[0] if len(keys) == 1 else None


def items(doc: _Text) -> Iterator[tuple[int, int, Any]]:
    """(start index, end index, object or the JSONDecodeError that stopped the text) of each element."""
    text = doc.text
    i = _WS.match(text, 0).end()  # type: ignore[union-attr]
    if i >= len(text):
        return
    if text[i] == "{":
        try:
            whole, end = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield i, len(text), exc
            return
        key = _wrapped_list(whole) if not text[end:].strip() else None
        m = re.compile(r'"' + re.escape(key) + r'"\s*:\s*\[').search(text, i) if key is not None else None
        if m is None:  # pretty-printed objects one after the other
            yield i, end, whole
            i = end
        else:
            i = m.end()
    else:
        i += 1  # past `[`
    while True:
        i = _WS.match(text, i).end()  # type: ignore[union-attr]
        if i >= len(text) or text[i] in "]}":
            return
        try:
            obj, end = _DECODER.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield i, len(text), exc
            return
        yield i, end, obj
        i = end


class JsonDocumentReader(JsonLinesReader):
    format = FORMAT

    def _doc(self, path: Path) -> _Text:
        cached = getattr(self, "_cached", None)
        if cached is None or cached[0] != path:
            doc = _Text(path)
            self.decoder.bom, self.decoder.fallback = doc.bom, int(doc.fallback)
            self._cached = (path, doc)
            return doc
        return cached[1]  # type: ignore[no-any-return]

    def _objects(self, path: Path, n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _s, _e, obj in items(self._doc(path)):
            if len(out) >= n:
                break
            if isinstance(obj, dict):
                out.append(obj)
        return out

    def _raw_sample(self, path: Path) -> list[dict[str, Any]]:
        return self._objects(path, self.settings.inference_sample)

    def _sample(self, path: Path) -> list[dict[str, Any]]:
        cfg = self.settings
        sample: list[dict[str, Any]] = []
        seen: set[str] = set()
        extra = 0
        for i, obj in enumerate(self._objects(path, cfg.inference_sample + cfg.inference_scan_lines)):
            got = self._unwrap(obj) if self._unwrap is not None else obj
            if got is None:
                continue
            flat = flatten(got)
            if i < cfg.inference_sample:
                sample.append(flat)
                seen.update(flat)
            elif not seen.issuperset(flat) and extra < cfg.inference_sample:
                sample.append(flat)
                seen.update(flat)
                extra += 1
        self.sample_complete = True
        return sample

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        if self.explicit is None and self.inferred is None:
            self._infer(path)
        self.shifts(path)
        doc = self._doc(path)
        chunk = Chunk()
        elems = list(items(doc))
        first_lines = [doc.line_of(s) for s, _e, _o in elems]
        covered = start[1] - 1  # lines counted so far (an incremental run goes on from its line: the objects after)
        for k, (s, e, obj) in enumerate(elems):
            if first_lines[k] <= covered:
                continue
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            line = first_lines[k]
            last = first_lines[k + 1] - 1 if k + 1 < len(elems) else doc.line_of(e)
            for ln in range(covered + 1, line):  # the brackets (and blanks) before it
                if doc.blank(ln):
                    chunk.blank += 1
                else:
                    chunk.parsed += 1
            blanks = sum(1 for ln in range(line + 1, last + 1) if doc.blank(ln))
            n = last - line + 1 - blanks
            chunk.blank += blanks
            covered = last
            self._take(path, doc, obj, s, e, line, n, chunk)
        for ln in range(covered + 1, doc.lines + 1):  # the closing bracket
            if doc.blank(ln):
                chunk.blank += 1
            else:
                chunk.parsed += 1
        yield chunk

    def _take(self, path: Path, doc: _Text, obj: Any, s: int, e: int, line: int, n: int, chunk: Chunk) -> None:
        if isinstance(obj, json.JSONDecodeError):
            chunk.set_aside += n
            chunk.rejected.append(reject(path, line, f"invalid JSON at line {doc.line_of(obj.pos)}: {obj.msg}",
                                         doc.text[s:s + 500]))
            return
        try:
            chunk.rows.append(self.check(self._build(obj, line, s)))
            chunk.parsed += n
        except SkipLine as skip:
            chunk.parsed += n
            chunk.skipped += 1
            chunk.skip_reasons[skip.reason] += 1
        except (RowError, TypeError, ValueError, OverflowError) as exc:
            chunk.set_aside += n
            chunk.rejected.append(reject(path, line, str(exc)[:200] or type(exc).__name__, doc.text[s:min(e, s + 500)]))

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        if self.explicit is None and self.inferred is None:
            self._infer(path)
        self.shifts(path)
        try:
            obj, _end = _DECODER.raw_decode(self._doc(path).text, offset)
            return self.check(self._build(obj, line_no, offset))
        except (json.JSONDecodeError, RowError, TypeError, ValueError, OverflowError, IndexError):
            return None
