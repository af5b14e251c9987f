"""JSON lines: one object per line, fields picked by a `FieldMapping` (given, or inferred per file).

Without a mapping the first `inference_sample` objects are flattened (`event.outcome`) and the
mapping inferred from names and values (`inference.py`); the mapping and its confidence end up
in the file's stats. An envelope whose one text field holds the event (Docker's json-file `log`, a
`message` holding JSON) is unwrapped first (`envelope.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import (
    CHUNK_SIZE,
    Chunk,
    EventRow,
    LineDecoder,
    RowChecker,
    RowError,
    numbered_lines,
    reject,
)
from odoo_triage.detectors.readers.envelope import envelope_field, unwrapper
from odoo_triage.detectors.readers.flows import FlowCatalog, file_flow
from odoo_triage.detectors.readers.inference import Inferred, flatten, infer_mapping
from odoo_triage.detectors.readers.journald import KEYS as JOURNAL_KEYS
from odoo_triage.detectors.readers.journald import is_journal_export, journal_reader
from odoo_triage.detectors.readers.jsonload import _JSONError, _loads
from odoo_triage.detectors.readers.mapping import MIDDLEWARE_MAPPING, FieldMapping, _getter, row_builder
from odoo_triage.detectors.readers.naive_time import Shift, is_naive, naive_shift
from odoo_triage.detectors.readers.shapes import SkipLine, shaped_builder


class JsonLinesReader:
    format = "jsonl"

    def __init__(self, mapping: FieldMapping | None = None, settings: ReaderSettings | None = None,
                 catalog: FlowCatalog | None = None) -> None:
        self.explicit = mapping
        self.settings = settings or ReaderSettings()
        self.endpoint_flow = catalog.by_endpoint if catalog is not None and catalog.endpoints else None
        self.catalog = catalog
        self.mapping = mapping or MIDDLEWARE_MAPPING
        self._build = row_builder(self.mapping, self.endpoint_flow)
        self.inferred: Inferred | None = None
        self.sample_complete = False  # the sample stopped before the end of the file (a saved state may keep it)
        self.decoder = LineDecoder()
        self.check = RowChecker(self.settings, http_in_text=True)
        self._unwrap: Callable[[Any], Any] | None = None
        self._shift: Shift | None = None
        self._shifted_file: Path | None = None
        self._unshifted = self._build

    def _infer(self, path: Path) -> None:
        raw = self._raw_sample(path)
        flow, why = file_flow(path.stem, self.catalog)
        if is_journal_export(raw):
            self._unwrap = journal_reader(self.catalog)
            self.adopt(journal_inferred(infer_mapping(self._sample(path), self.settings, fallback_flow=flow,
                                                      fallback_from=why)))
            return
        env = envelope_field(raw, self.settings)
        self._unwrap = unwrapper(env, self.settings) if env else None
        inferred = infer_mapping(self._sample(path), self.settings, fallback_flow=flow, fallback_from=why)
        if env and inferred.shape is not None:
            inferred = replace(inferred, shape=replace(inferred.shape, envelope=env),
                               notes=[*inferred.notes, f"the event is the text of field {env!r} (JSON, logfmt or a "
                                      "leveled line); the envelope's fields as envelope.<name>"])
        self.adopt(inferred)

    def adopt(self, inferred: Inferred) -> None:
        """Read with this inferred mapping (just inferred, or saved by an earlier run over the same file)."""
        self.inferred = inferred
        if self.inferred.mapping is not None:
            self.mapping = self.inferred.mapping
            self._build = row_builder(self.mapping, self.endpoint_flow)
            if self.inferred.shape is not None:
                self._build = shaped_builder(self._build, self.inferred.shape, self.catalog)
            self._unshifted = self._build
            self._wrap()

    def shifts(self, path: Path) -> bool:
        """This file's naive times are shifted to UTC: a zone or offset given or aligned for it by name
        (detectors/time_alignment.py); the estate-wide fallback zone is not a JSON service's, often UTC."""
        if self._shifted_file != path:
            self._shifted_file = path
            cfg = self.settings
            named = path.name in cfg.naive_time_zones or path.name in cfg.export_utc_offsets
            shift = naive_shift(cfg, path.name) if named else None
            if shift is not self._shift:
                self._shift = shift
                self._wrap()
        return self._shift is not None

    def _wrap(self) -> None:
        """The row builder with this file's naive-time shift and envelope around it."""
        build = self._unshifted
        if self._shift is not None:
            shift, ts_of, plain = self._shift, _getter(self.mapping.timestamp), build

            def build(d: Any, line_no: int, offset: int) -> EventRow:
                row = plain(d, line_no, offset)
                return row._replace(ts=shift(row.ts)) if is_naive(ts_of(d)) else row

        shape = self.inferred.shape if self.inferred is not None else None
        env = shape.envelope if shape is not None else None
        if shape is not None and shape.journal:
            read, entry = journal_reader(self.catalog), build
            self._unwrap = read

            def journal(d: Any, line_no: int, offset: int) -> EventRow:
                return entry(read(d), line_no, offset)

            self._build = journal
        elif env:
            unwrap = self._unwrap = unwrapper(env, self.settings)
            inner = build

            def unwrapped(d: Any, line_no: int, offset: int) -> EventRow:
                got = unwrap(d)
                if got is None:
                    raise SkipLine(f"{env!r} holds no event (a continuation or plain line of the app): skipped")
                return inner(got, line_no, offset)

            self._build = unwrapped
        else:
            self._build = build

    def _raw_sample(self, path: Path) -> list[dict[str, Any]]:
        """The first `inference_sample` objects as they are (an envelope is decided on them)."""
        out: list[dict[str, Any]] = []
        dec = LineDecoder()
        for line_no, _off, raw in numbered_lines(path):
            if len(out) >= self.settings.inference_sample or line_no > 20 * self.settings.inference_sample:
                break
            try:
                obj = _loads(dec.utf8(raw, line_no))
            except (_JSONError, ValueError):
                continue
            if isinstance(obj, dict):
                out.append(obj)
        return out

    def _sample(self, path: Path) -> list[dict[str, Any]]:
        """The first `inference_sample` objects, plus (scanning up to `inference_scan_lines` further lines)
        each object that brings a field not seen yet: error fields often appear only on failed lines."""
        cfg = self.settings
        sample: list[dict[str, Any]] = []
        extra: list[dict[str, Any]] = []
        seen: set[str] = set()
        dec = LineDecoder()
        limit = max(20 * cfg.inference_sample, cfg.inference_sample + cfg.inference_scan_lines)
        for line_no, _off, raw in numbered_lines(path):
            full = len(sample) >= cfg.inference_sample
            if line_no > limit or (full and len(extra) >= cfg.inference_sample):
                self.sample_complete = True
                break
            if full and not cfg.inference_scan_lines:
                self.sample_complete = True
                break
            try:
                obj = _loads(dec.utf8(raw, line_no))
            except (_JSONError, ValueError):
                continue
            if not isinstance(obj, dict):
                continue
            if self._unwrap is not None:
                obj = self._unwrap(obj)
                if obj is None:
                    continue
            if full and raw.find(b"{", 1) < 0 and seen.issuperset(obj):
                continue  # flat already (no nested object) and no new key: what flatten would find, cheaply
            flat = flatten(obj)
            if not full:
                sample.append(flat)
                seen.update(flat)
            elif not seen.issuperset(flat):
                extra.append(flat)
                seen.update(flat)
        return sample + extra

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        """Chunks from `start` = (byte offset, line number) of a line (the beginning by default)."""
        if self.explicit is None and self.inferred is None:
            self._infer(path)
        self.shifts(path)
        chunk = Chunk()
        for line_no, offset, raw in numbered_lines(path, *start):
            if len(chunk.rows) + len(chunk.rejected) >= chunk_size:
                yield chunk
                chunk = Chunk()
            self.take_line(path, raw, line_no, offset, chunk)
        yield chunk

    def take_line(self, path: Path, raw: bytes, line_no: int, offset: int, chunk: Chunk) -> None:
        """One physical line into `chunk`: a row, a rejected line or a blank (the columnar reader hands
        every line it cannot take here, so reasons are the same on both paths)."""
        if not raw.strip() or (line_no == 1 and not raw.lstrip(b"\xef\xbb\xbf").strip()):
            chunk.blank += 1
            return
        try:
            chunk.rows.append(self.check(self._build(_loads(self.decoder.utf8(raw, line_no)), line_no, offset)))
            chunk.parsed += 1
        except SkipLine as skip:  # well-formed, not an event: counted, never set aside
            chunk.parsed += 1
            chunk.skipped += 1
            chunk.skip_reasons[skip.reason] += 1
            if skip.logger:
                chunk.unattributed[f"{skip.logger} (no flow in flows.json claims it: skipped)"] += 1
        except _JSONError as exc:
            chunk.set_aside += 1
            chunk.rejected.append(reject(path, line_no, f"invalid JSON: {str(exc).splitlines()[0][:80]}", raw))
        except (RowError, UnicodeDecodeError, TypeError, ValueError, OverflowError) as exc:
            chunk.set_aside += 1
            chunk.rejected.append(reject(path, line_no, str(exc)[:200] or type(exc).__name__, raw))

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        self.shifts(path)
        for ln, off, raw in numbered_lines(path, offset, line_no):
            try:
                return self.check(self._build(_loads(self.decoder.utf8(raw, ln)), ln, off))
            except (_JSONError, RowError, TypeError, ValueError, OverflowError):
                return None
        return None


def journal_inferred(inferred: Inferred) -> Inferred:
    """A journal export's mapping: the entry's time, severity, text and unit are systemd's fields
    (readers/journald.py), whatever the app's own fields are called; the rest as inferred."""
    if inferred.mapping is None or inferred.shape is None:
        return inferred
    forced = dict(JOURNAL_KEYS)
    if inferred.mapping.status is not None:  # the app's own status field wins over the severity
        forced.pop("level")
    update: dict[str, Any] = {**forced, "default_flow": None}
    fields = {k: v for k, v in inferred.fields.items() if v[0] not in forced.values()}
    fields.update({k: (v, 1.0) for k, v in forced.items()})
    notes = [n for n in inferred.notes if not n.startswith(("no flow field", "flow from the logger"))]
    notes.append("a journalctl -o json export: time, PRIORITY (syslog severity), MESSAGE and the unit as systemd "
                 "documents them (flow from UNIT / _SYSTEMD_UNIT / SYSLOG_IDENTIFIER via flows.json)")
    shape = replace(inferred.shape, journal=True, flow_key=forced["flow"], flow_from_logger=False)
    status = max((fields[k][1] for k in ("status", "http_status", "level") if k in fields), default=0.3)
    return Inferred(inferred.mapping.model_copy(update=update), round(min(1.0, status), 3), fields, notes, shape,
                    inferred.flow_from)
