"""Integration logs exported as CSV (one row per message), fields picked by a `FieldMapping`
(given, or inferred per file from the header and the first rows).

Run-history exports of iPaaS tools (Zapier's Zap history, Make's scenario runs) get three rules on
top of the inference: a numeric automation id (`Zap ID`) is the flow when flows.json aliases name its
values; a run id repeated with a higher attempt number is a replay of the same delivery, so it is the
idempotency key, and an attempt that failed because the sender stopped waiting (settings
`sender_timeout_texts`) may have been done by the receiver, as after a gateway timeout (HTTP 504);
naive local times are shifted by the file's zone (detectors/time_alignment.py decides it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.readers.base import CHUNK_SIZE, Chunk, EventRow, LineDecoder, RowChecker
from odoo_triage.detectors.readers.csv_records import (
    csv_chunks,
    csv_records,
    csv_row_at,
    header_of,
    sniff_delimiter,
)
from odoo_triage.detectors.readers.flows import FlowCatalog, file_flow
from odoo_triage.detectors.readers.inference import Inferred, infer_mapping, norm
from odoo_triage.detectors.readers.mapping import CSV_MAPPING, FieldMapping, row_builder
from odoo_triage.detectors.readers.naive_time import Shift, is_naive, naive_shift
from odoo_triage.detectors.readers.shapes import shaped_builder


class CsvReader:
    format = "csv"

    def __init__(self, mapping: FieldMapping | None = None, settings: ReaderSettings | None = None,
                 catalog: FlowCatalog | None = None) -> None:
        self.explicit = mapping
        self.settings = settings or ReaderSettings()
        self.endpoint_flow = catalog.by_endpoint if catalog is not None and catalog.endpoints else None
        self.catalog = catalog
        self.mapping = mapping or CSV_MAPPING
        self._build = row_builder(self.mapping, self.endpoint_flow)
        self.inferred: Inferred | None = None
        self.sample_complete = False  # the sample stopped before the end of the file (a saved state may keep it)
        self.decoder = LineDecoder()
        self.check = RowChecker(self.settings, http_in_text=True)
        self._shift: Shift | None = None
        self._timeouts: list[re.Pattern[str]] = []
        self.decimal_comma = True  # `12,5` is 12.5: false for a comma-delimited file (`locale`)
        self._locale_of: Path | None = None

    def locale(self, path: Path) -> None:
        """A file delimited by `;` (or tabs) is written by a decimal-comma locale (European Excel: `1.234,5`);
        a comma-delimited one's lone comma groups thousands."""
        if self._locale_of == path:
            return
        self._locale_of = path
        comma = sniff_delimiter(path) != ","
        if comma != self.decimal_comma:
            self.decimal_comma = comma
            self._rebuild()

    def _infer(self, path: Path) -> None:
        self.decimal_comma = sniff_delimiter(path) != ","
        header: list[str] | None = None
        sample: list[dict[str, str]] = []
        for rec in csv_records(path):
            if rec.fields is None or not rec.fields or rec.fields == [""]:
                continue
            if header is None:
                if sum(1 for h in rec.fields if h.strip()) < 2 or rec.fields[0].strip().lower().startswith("sep="):
                    continue  # Excel's `sep=;` hint, a title line above the header
                header = [h.strip() for h in rec.fields]
                continue
            if len(rec.fields) == len(header):
                sample.append(dict(zip(header, rec.fields, strict=True)))
            if len(sample) >= self.settings.inference_sample:
                self.sample_complete = True
                break
        if header is None:
            return
        if not sample:
            sample = [dict.fromkeys(header, "")]
        flow, why = file_flow(path.stem, self.catalog)
        self.adopt(run_history(infer_mapping(sample, self.settings, fallback_flow=flow, fallback_from=why), sample,
                               self.settings, self.catalog))

    def adopt(self, inferred: Inferred) -> None:
        """Read with this inferred mapping (just inferred, or saved by an earlier run over the same file)."""
        self.inferred = inferred
        if self.inferred.mapping is not None:
            self.mapping = self.inferred.mapping
        self._rebuild()
        m = self.mapping
        runs = {norm(f) for f in self.settings.run_id_fields}
        replays = bool(m.idempotency_key and m.retry_count and norm(m.idempotency_key) in runs)
        self._timeouts = [re.compile(p) for p in self.settings.sender_timeout_texts] if replays else []

    def _rebuild(self) -> None:
        self._build = row_builder(self.mapping, self.endpoint_flow, self.decimal_comma)
        if self.inferred is not None and self.inferred.mapping is not None and self.inferred.shape is not None:
            # a CSV row is never skipped: csv_chunks sets RowErrors aside
            self._build = shaped_builder(self._build, self.inferred.shape, self.catalog, skip_lines=False)

    def shifts(self, path: Path) -> bool:
        """This file's naive times are shifted to UTC (a zone or offset is known for it)."""
        self._shift = naive_shift(self.settings, path.name)
        return self._shift is not None

    def _row(self, d: dict[str, str], line_no: int, offset: int) -> EventRow:
        row = self._build(d, line_no, offset)
        if self._shift is not None and is_naive(d.get(self.mapping.timestamp)):
            row = row._replace(ts=self._shift(row.ts))
        if self._timeouts and row.status != "ok" and row.http_status is None and row.error \
                and any(rx.search(row.error) for rx in self._timeouts):
            row = row._replace(http_status=GATEWAY_TIMEOUT)
        return row

    def chunks(self, path: Path, chunk_size: int = CHUNK_SIZE, start: tuple[int, int] = (0, 1)) -> Iterator[Chunk]:
        """Chunks from `start` = (byte offset, line number) of a record (the beginning by default)."""
        if self.explicit is None and self.inferred is None:
            self._infer(path)
        self.locale(path)
        self.shifts(path)
        return csv_chunks(path, self._row, (self.mapping.timestamp,), "header", chunk_size,
                          checker=self.check, decoder=self.decoder, start=start,
                          header=header_of(path) if start != (0, 1) else None)

    def row_at(self, path: Path, offset: int, line_no: int) -> EventRow | None:
        self.locale(path)
        self.shifts(path)
        return csv_row_at(path, self._row, offset, line_no, checker=self.check)


GATEWAY_TIMEOUT = 504  # the sender gave up waiting; the receiver may still have done the work


def _names(rows: list[dict[str, str]], col: str, catalog: FlowCatalog) -> float:
    """Share of a column's sampled values that flows.json names (a flow name or an alias)."""
    vals = [str(r.get(col) or "").strip() for r in rows]
    vals = [v for v in vals if v]
    return sum(1 for v in vals if v.lower() in catalog.names) / len(vals) if vals else 0.0


def run_history(inferred: Inferred, rows: list[dict[str, str]], cfg: ReaderSettings,
                catalog: FlowCatalog | None) -> Inferred:
    """The run-history rules on an inferred mapping: an automation id column as the flow (when flows.json
    aliases name its values and the flow field's do not), a run id repeated with a higher attempt as the
    idempotency key. Unchanged when neither applies."""
    m = inferred.mapping
    if m is None or not rows:
        return inferred
    updates: dict[str, Any] = {}
    fields = dict(inferred.fields)
    notes = list(inferred.notes)
    taken = set(m.sources().values())
    if catalog is not None and catalog.names and (m.flow is None or _names(rows, m.flow, catalog) < 0.5):
        ids = {norm(f) for f in cfg.flow_id_fields}
        for col in rows[0]:
            if norm(col) in ids and col not in taken and _names(rows, col, catalog) >= cfg.min_value_match:
                updates.update(flow=col, default_flow=None)
                fields["flow"] = (col, 0.9)
                notes = [n for n in notes if not n.startswith("no flow field")]
                notes.append(f"flow from the automation id {col!r} (flows.json aliases name its values)")
                break
    if m.retry_count and not m.idempotency_key:
        runs = {norm(f) for f in cfg.run_id_fields}
        for col in rows[0]:
            if norm(col) in runs and (col not in taken or col == m.correlation_id) \
                    and _replayed(rows, col, m.retry_count):
                updates["idempotency_key"] = col
                if m.correlation_id == col:
                    updates["correlation_id"] = None
                    fields.pop("correlation_id", None)
                fields["idempotency_key"] = (col, 0.9)
                notes.append(f"{col!r} repeats with a higher {m.retry_count!r}: a replay of the same delivery "
                             f"(idempotency key)")
                break
    if not updates:
        return inferred
    mapping = m.model_copy(update=updates)
    flow_score = fields["flow"][1] if "flow" in fields else (0.5 if mapping.default_flow else 0.0)
    status_score = max((fields[k][1] for k in ("status", "http_status", "level") if k in fields), default=0.0) \
        or (0.5 if "error" in fields else 0.3)
    confidence = round(min(fields["timestamp"][1], flow_score, status_score), 3) if "timestamp" in fields \
        else inferred.confidence
    return Inferred(mapping, confidence, fields, notes, inferred.shape, inferred.flow_from)


def _replayed(rows: Sequence[Mapping[str, Any]], col: str, attempt_col: str) -> bool:
    """Some run id repeats with another attempt number, and none repeats with the same one."""
    attempts: dict[str, set[str]] = {}
    repeated = False
    for r in rows:
        run = str(r.get(col) or "").strip()
        if not run:
            continue
        att = str(r.get(attempt_col) or "").strip()
        seen = attempts.setdefault(run, set())
        if att in seen:
            return False
        repeated |= bool(seen)
        seen.add(att)
    return repeated
