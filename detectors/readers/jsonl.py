"""JSON lines: one object per line, fields picked by a `FieldMapping`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, RowError, numbered_lines, reject
from odoo_triage.detectors.readers.mapping import MIDDLEWARE_MAPPING, FieldMapping, row_builder

try:
    import orjson

    _loads = orjson.loads
    _JSONError: type[Exception] = orjson.JSONDecodeError
except ImportError:  # pragma: no cover - orjson comes with langchain
    import json

    _loads = json.loads
    _JSONError = json.JSONDecodeError


class JsonLinesReader:
    format = "jsonl"

    def __init__(self, mapping: FieldMapping | None = None) -> None:
        self.mapping = mapping or MIDDLEWARE_MAPPING
        self._build = row_builder(self.mapping)

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
        chunk = Chunk()
        build, loads = self._build, _loads
        for line_no, offset, raw in numbered_lines(path):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            chunk.lines += 1
            if not raw.strip():
                continue
            try:
                chunk.rows.append(build(loads(raw), line_no, offset))
            except _JSONError as exc:
                chunk.rejected.append(reject(path, line_no, f"invalid JSON: {str(exc).splitlines()[0][:80]}", raw))
            except (RowError, UnicodeDecodeError) as exc:
                chunk.rejected.append(reject(path, line_no, str(exc), raw))
        yield chunk

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        for ln, off, raw in numbered_lines(path, offset, line_no):
            try:
                return self._build(_loads(raw), ln, off)
            except (_JSONError, RowError):
                return None
        return None
