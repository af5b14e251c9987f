"""Naive local times put back on UTC by aligning a file on a log that knows its zone.

Exports write datetimes in someone's local zone without saying which: Odoo's export dialog the
exporting user's (fields.Datetime.convert_to_export), iPaaS run histories (Zapier, Make) the
account's. The Odoo server log is UTC. Identifiers both name (a queue.job uuid; an envelope, order
or run id in a run history) give the shift: the median of the naive time minus the log's time of
the same identifier, in whole quarter hours, taken when at least `export_align_min_jobs` pairs
agree with it within 10 minutes for 80% of them. Nothing aligned: the [calendar] timezone when one
is given, else UTC as before, and a note says which. A zone name is preferred to a fixed offset
when it gives the aligned offset (it follows daylight saving).

JSON lines with naive times align the same way on their key fields (uuids, long ids); a JVM pattern
log (log4j / logback `%d` writes the JVM's zone, no offset) on the identifiers its lines name, as the
Odoo log's side is read. Nothing aligned, these stay UTC: a service in a container writes UTC far more
often than the business calendar's zone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.frame import expand_paths
from odoo_triage.detectors.readers.base import RowError, parse_ts
from odoo_triage.detectors.readers.naive_time import is_naive, utc_offset_at, zone_named, zone_shift

# An Odoo server log line of queue_job naming a job (runner "asking Odoo to run job <uuid>", controller
# "Exception in job <uuid>"): Odoo writes its log in UTC.
_JOB_LINE = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[,.]?\d* \d+ [A-Z]+ \S+ odoo\.addons\.queue_job[\w.]*: "
                       rb".*?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b")
_ODOO_LINE = re.compile(rb"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[,.]?\d* \d+ [A-Z]+ ")
# identifiers worth aligning on: uuids, and long numbers or tokens (a record id of 3 digits names many things)
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID_TOKEN = re.compile(rb"(?<![\w-])(" + _UUID.encode() + rb"|\d{9,20}|(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,64})(?![\w-])")
_ID_VALUE = re.compile(r"^(?:" + _UUID + r"|\d{9,20}|(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,64})$")
OFFSET_STEP_S = 900.0  # time zones are whole quarter hours away from UTC
AGREE_WITHIN_S, AGREE_SHARE, MAX_OFFSET_S = 600.0, 0.8, 14 * 3600.0
ALIGN_JOBS, ALIGN_CHUNK = 300, 500  # pairs enough to read a zone from, rows read at a time until then
KEY_SAMPLE = 200  # rows looked at to tell a file's key-like columns
ALIGN_MAX_ROWS = 20_000  # rows read without one shared identifier: the file shares none
NAIVE_FORMATS = ("queue_job", "csv", "jsonl", "java_log")  # readers that apply a file's zone (an Odoo log is UTC)
UTC_FALLBACK_FORMATS = ("jsonl", "java_log")  # nothing aligned: UTC, not the calendar's zone


def offset_from(diffs: list[float], min_pairs: int) -> float | None:
    """The shift (seconds ahead of UTC, 0 included) the naive-minus-UTC differences agree on, or None."""
    if len(diffs) < min_pairs:
        return None
    ds = sorted(diffs)
    shift = round(ds[len(ds) // 2] / OFFSET_STEP_S) * OFFSET_STEP_S
    agree = sum(1 for d in ds if abs(d - shift) <= AGREE_WITHIN_S) / len(ds)
    if agree < AGREE_SHARE or abs(shift) > MAX_OFFSET_S:
        return None
    return shift + 0.0  # no -0.0


def _raw_lines(log: Path) -> Iterator[bytes]:
    """The lines of an Odoo server log, unwrapped when a container runtime wrote it (CRI, Docker json-file)."""
    from odoo_triage.detectors.readers.container import unwrapped_lines, wrapper_of

    with open(log, "rb") as fh:
        first = next((r for r in fh if r.strip()), b"")
    kind = wrapper_of(first)
    if kind is not None:
        for _n, _off, raw in unwrapped_lines(log, kind):
            yield raw
        return
    with open(log, "rb") as fh:
        yield from fh


def _odoo_lines(logs: Iterable[Path]) -> Iterator[tuple[bytes, bytes]]:
    for log in logs:
        for raw in _raw_lines(log):
            m = _ODOO_LINE.match(raw)
            if m is not None:
                yield m.group(1), raw


def job_times(odoo_logs: Iterable[Path]) -> dict[str, float]:
    """uuid -> UTC time of the first queue_job line of the Odoo server log naming the job."""
    out: dict[str, float] = {}
    for log in odoo_logs:
        for raw in _raw_lines(log):
            if b"queue_job" not in raw:
                continue
            m = _JOB_LINE.match(raw)
            if m is not None:
                out.setdefault(m.group(2).decode(), parse_ts(m.group(1).decode()))
    return out


def id_times(odoo_logs: Iterable[Path]) -> dict[str, float]:
    """Identifier (uuid, long id) -> UTC time of the first Odoo server log line naming it."""
    out: dict[str, float] = {}
    for stamp, raw in _odoo_lines(odoo_logs):
        found = _ID_TOKEN.findall(raw[len(stamp):])
        if found:
            ts = parse_ts(stamp.decode())
            for tok in found:
                out.setdefault(tok.decode().lower(), ts)
    return out


def export_utc_offsets(exports: list[Path], odoo_logs: list[Path], settings: ReaderSettings | None = None,
                       *, with_utc: bool = False, samples: dict[str, list[float]] | None = None) -> dict[str, float]:
    """How far ahead of UTC each queue.job export's naive times are, by file name (0 left out unless
    `with_utc`), aligned on the jobs the Odoo server log names by uuid. `samples` gets each file's
    times read (naive, as UTC), for a zone to be judged on."""
    from odoo_triage.detectors.readers.queue_job import QueueJobReader

    cfg = settings or ReaderSettings()
    logged = job_times(odoo_logs)
    out: dict[str, float] = {}
    if not logged:
        return out
    plain = cfg.model_copy(update={"export_utc_offsets": {}, "naive_time_zones": {}, "naive_timezone": None})
    for path in exports:
        reader = QueueJobReader(settings=plain)
        diffs: list[float] = []
        seen: list[float] = []
        try:
            for chunk in reader.chunks(path, chunk_size=ALIGN_CHUNK):
                seen.extend(r.ts for r in chunk.rows[:50])
                diffs.extend(r.ts - logged[r.idempotency_key] for r in chunk.rows
                             if r.idempotency_key in logged)
                if len(diffs) >= ALIGN_JOBS:
                    break
        except (OSError, ValueError):
            continue
        if samples is not None:
            samples[path.name] = seen
        shift = offset_from(diffs, cfg.export_align_min_jobs)
        if shift is not None and (shift or with_utc):
            out[path.name] = shift
    return out


def key_columns(rows: list[dict[str, str]]) -> list[str]:
    """Columns whose values are mostly identifiers (uuids, long ids), mostly distinct."""
    out = []
    for col in rows[0] if rows else {}:
        vals = [str(r.get(col) or "").strip() for r in rows]
        vals = [v for v in vals if v]
        if len(vals) < max(3, len(rows) // 4):
            continue
        ids = sum(1 for v in vals if _ID_VALUE.match(v))
        if ids >= 0.8 * len(vals) and len(set(vals)) >= 0.5 * len(vals):
            out.append(col)
    return out


def csv_naive_pairs(path: Path, reference: Callable[[], dict[str, float]], settings: ReaderSettings,
                    ) -> tuple[bool, list[tuple[float, float]], list[float]]:
    """(times naive?, (naive time read as UTC, the UTC log's time) of shared identifiers, naive times
    sampled) of a CSV log; `reference()` (identifier -> UTC time) is called only when the times are naive."""
    from odoo_triage.detectors.readers.csv_log import CsvReader
    from odoo_triage.detectors.readers.csv_records import csv_records

    reader = CsvReader(settings=settings)
    reader._infer(path)
    m = reader.mapping if reader.inferred is not None and reader.inferred.mapping is not None else None
    if m is None:
        return False, [], []

    def rows() -> Iterator[dict[str, str]]:
        header: list[str] | None = None
        for rec in csv_records(path):
            if not rec.fields or rec.fields == [""]:
                continue
            if header is None:
                if sum(1 for h in rec.fields if h.strip()) < 2 or rec.fields[0].strip().lower().startswith("sep="):
                    continue  # as CsvReader: Excel's `sep=;` hint, a title line above the header
                header = [h.strip() for h in rec.fields]
                continue
            if len(rec.fields) == len(header):
                yield dict(zip(header, rec.fields, strict=True))

    return _row_pairs(rows(), m.timestamp, m.dayfirst, reference)


def _row_pairs(rows: Iterable[dict[str, str]], ts_col: str, dayfirst: bool | None,
               reference: Callable[[], dict[str, float]]) -> tuple[bool, list[tuple[float, float]], list[float]]:
    """`csv_naive_pairs` over any records as text (JSON lines flattened)."""
    sample: list[dict[str, str]] = []
    keys: list[str] | None = None
    table: dict[str, float] = {}
    diffs: list[tuple[float, float]] = []
    seen: list[float] = []
    naive = aware = 0
    for row in rows:
        raw = row.get(ts_col, "")
        if is_naive(raw):
            naive += 1
        elif raw.strip():
            aware += 1
        if keys is None:
            sample.append(row)
            if len(sample) < KEY_SAMPLE:
                continue
            keys = key_columns(sample)
            if naive <= aware or not keys:
                return naive > aware, [], []
            table = reference()
            if not table:
                return naive > aware, [], []
            todo, sample = sample, []
        else:
            todo = [row]
        for r in todo:
            _pair(r, ts_col, dayfirst, keys, table, diffs, seen)
        if len(diffs) >= ALIGN_JOBS or (naive + aware >= ALIGN_MAX_ROWS and not diffs):
            break
    if keys is None:
        keys = key_columns(sample)
        table = reference() if naive > aware and keys else {}
        for r in sample:
            _pair(r, ts_col, dayfirst, keys, table, diffs, seen)
    return naive > aware, diffs, seen


def json_naive_pairs(path: Path, reference: Callable[[], dict[str, float]], settings: ReaderSettings,
                     ) -> tuple[bool, list[tuple[float, float]], list[float]]:
    """`csv_naive_pairs` of a JSON-lines log: its objects (unwrapped, flattened) as text records."""
    from odoo_triage.detectors.readers.base import LineDecoder, numbered_lines
    from odoo_triage.detectors.readers.envelope import envelope_field, unwrapper
    from odoo_triage.detectors.readers.inference import flatten, infer_mapping
    from odoo_triage.detectors.readers.jsonl import JsonLinesReader, _JSONError, _loads

    raw_sample = JsonLinesReader(settings=settings)._raw_sample(path)  # the first objects: cheap, no scan
    env = envelope_field(raw_sample, settings)
    unwrap = unwrapper(env, settings) if env else None
    objs = [unwrap(o) for o in raw_sample] if unwrap is not None else raw_sample
    m = infer_mapping([flatten(o) for o in objs if o is not None], settings, fallback_flow=path.stem).mapping
    if m is None:
        return False, [], []

    def rows() -> Iterator[dict[str, str]]:
        dec = LineDecoder()
        for line_no, _off, raw in numbered_lines(path):
            try:
                obj = _loads(dec.utf8(raw, line_no))
            except (_JSONError, ValueError):
                continue
            if isinstance(obj, dict) and (obj := unwrap(obj) if unwrap is not None else obj) is not None:
                flat = flatten(obj)
                yield {k: v if isinstance(v, str) else "" if v is None else str(v) for k, v in flat.items()}

    return _row_pairs(rows(), m.timestamp, m.dayfirst, reference)


def java_naive_pairs(path: Path, reference: Callable[[], dict[str, float]], settings: ReaderSettings,
                     ) -> tuple[bool, list[tuple[float, float]], list[float]]:
    """(times naive?, (naive time read as UTC, the UTC log's time) of identifiers a record's first line names,
    naive times sampled) of a JVM pattern log."""
    from odoo_triage.detectors.readers.java_log import match_line

    naive = aware = 0
    diffs: list[tuple[float, float]] = []
    seen: list[float] = []
    table: dict[str, float] | None = None
    with path.open("rb") as fh:
        for raw in fh:
            if (naive + aware >= ALIGN_MAX_ROWS and not diffs) or (naive + aware >= KEY_SAMPLE and naive <= aware):
                break
            m = match_line(raw.decode("utf-8", "replace").rstrip("\r\n"))
            if m is None:
                continue
            ts_text = m["ts"].replace(",", ".")
            if not is_naive(ts_text):
                aware += 1
                continue
            naive += 1
            try:
                ts = parse_ts(ts_text)
            except RowError:
                continue
            if len(seen) < 50:
                seen.append(ts)
            found = _ID_TOKEN.findall(m["msg"].encode())
            if not found:
                continue
            if table is None:
                table = reference()
            for tok in found:
                utc = table.get(tok.decode().lower())
                if utc is not None:
                    diffs.append((ts, utc))
                    break
            if len(diffs) >= ALIGN_JOBS:
                break
    return naive > aware, diffs, seen


def _pair(row: dict[str, str], ts_col: str, dayfirst: bool | None, keys: list[str], reference: dict[str, float],
          diffs: list[tuple[float, float]], seen: list[float]) -> None:
    raw = row.get(ts_col, "")
    if not is_naive(raw):
        return
    try:
        ts = parse_ts(raw, dayfirst)
    except RowError:
        return
    if len(seen) < 50:
        seen.append(ts)
    for col in keys:
        v = str(row.get(col) or "").strip().lower()
        if v in reference:
            diffs.append((ts, reference[v]))
            return


def zone_from(pairs: list[tuple[float, float]], zones: Iterable[str], min_pairs: int) -> str | None:
    """The zone (with its daylight saving) under which most naive times fall on the UTC log's, if
    `AGREE_SHARE` of the pairs agree within 10 minutes: for data a DST change cuts in two offsets."""
    if len(pairs) < min_pairs:
        return None
    best: tuple[float, str] | None = None
    for name in zones:
        try:
            shift = zone_shift(zone_named(name))
        except InputError:
            continue
        share = sum(1 for naive, utc in pairs if abs(shift(naive) - utc) <= AGREE_WITHIN_S) / len(pairs)
        if share >= AGREE_SHARE and (best is None or share > best[0]):
            best = (share, name)
    return best[1] if best else None


def _zone_fits(zone_name: str | None, shift: float, times: list[float]) -> bool:
    """The zone gives this offset at the file's (sampled) times: it can stand for it, with its DST."""
    if not zone_name or not times:
        return False
    try:
        zone = zone_named(zone_name)
    except InputError:
        return False
    mid = sorted(times)[len(times) // 2] - shift
    return utc_offset_at(zone, mid) == shift


def _wraps_odoo(path: Path) -> bool:
    from odoo_triage.detectors.readers.container import inner_format

    with open(path, "rb") as fh:
        first = next((r for r in fh if r.strip()), b"")
    return inner_format(path, first) == "odoo_log"


def aligned_settings(paths: list[Path], formats: dict[str, str] | str | None, readers: ReaderSettings,
                     timezone: str | None = None, country: str | None = None) -> tuple[ReaderSettings, list[str]]:
    """Reader settings knowing the zone of each naive-time file (queue.job exports, CSV logs) and notes
    saying how each was decided. Given offsets and zones (by file name) win; `timezone` ([calendar]
    timezone) is preferred when it gives the aligned offset, and applies to naive files nothing aligned;
    the zones of `country` are tried when no fixed offset aligns a file (a DST change within the data)."""
    from odoo_triage.detectors.readers import detect_format

    kinds: dict[Path, str] = {}
    for p in expand_paths([Path(x) for x in paths]):
        try:
            kinds[p] = (formats if isinstance(formats, str) else (formats or {}).get(p.name)) or detect_format(p)
        except (InputError, OSError, ValueError):
            continue
    given = {*readers.export_utc_offsets, *readers.naive_time_zones}
    todo = [p for p, k in kinds.items() if k in NAIVE_FORMATS and p.name not in given]
    if not todo:
        return readers, []
    logs = [p for p, k in kinds.items() if k == "odoo_log" or (k == "container" and _wraps_odoo(p))]
    offsets: dict[str, float] = {}
    zones: dict[str, str] = {}
    notes: list[str] = []
    exports = [p for p in todo if kinds[p] == "queue_job"]
    samples: dict[str, list[float]] = {}
    found = export_utc_offsets(exports, logs, readers, with_utc=True, samples=samples) if exports and logs else {}
    why = "the exporting user's zone, aligned on the jobs the Odoo server log names"
    for p in exports:
        shift = found.get(p.name)
        if shift is not None:
            if shift:  # an export aligned on UTC is read as before, without a note
                offsets[p.name] = shift
                notes.append(f"{p.name}: naive times read as UTC{shift / 3600:+.2g}h ({why})")
            else:
                offsets[p.name] = 0.0
        elif timezone and samples.get(p.name):  # the reader shifts by an offset: the zone's at the file's times
            off = utc_offset_at(zone_named(timezone), sorted(samples[p.name])[len(samples[p.name]) // 2])
            offsets[p.name] = off
            notes.append(f"{p.name}: naive times read in {timezone} (UTC{off / 3600:+.2g}h; nothing to align on)")
    csvs = [p for p in todo if kinds[p] in ("csv", "jsonl", "java_log")]
    pairing = {"csv": csv_naive_pairs, "jsonl": json_naive_pairs, "java_log": java_naive_pairs}
    reference = functools.cache(lambda: id_times(logs) if logs else {})
    candidates = [z for z in [timezone, *readers.country_zone_candidates.get((country or "").upper(), [])] if z]
    for p in csvs:
        try:
            naive, pairs, seen = pairing[kinds[p]](p, reference, readers)
        except (OSError, ValueError, InputError):
            continue
        if not naive:
            continue
        on = f"aligned on {len(pairs)} identifiers the UTC Odoo server log names"
        shift = offset_from([a - b for a, b in pairs], readers.export_align_min_jobs)
        zone = zone_from(pairs, candidates, readers.export_align_min_jobs) if shift is None else None
        if shift is not None and _zone_fits(timezone, shift, seen):
            zones[p.name] = str(timezone)
            notes.append(f"{p.name}: naive times read in {timezone} (UTC{shift / 3600:+.2g}h, {on})")
        elif shift is not None:
            offsets[p.name] = shift
            notes.append(f"{p.name}: naive times read as UTC{shift / 3600:+.2g}h ({on})")
        elif zone is not None:
            zones[p.name] = zone
            notes.append(f"{p.name}: naive times read in {zone}, with its daylight saving ({on})")
        elif timezone and kinds[p] not in UTC_FALLBACK_FORMATS:
            zones[p.name] = timezone
            notes.append(f"{p.name}: naive times read in {timezone} (the calendar's zone; nothing to align on)")
        else:
            why = (f"{len(pairs)} identifier(s) shared with the UTC Odoo server log do not align them" if reference
                   else "no UTC Odoo server log to align them on")
            notes.append(f"{p.name}: naive times read as UTC (no zone given; {why})")
    if not offsets and not zones:
        return readers, notes
    return readers.model_copy(update={"export_utc_offsets": {**offsets, **readers.export_utc_offsets},
                                      "naive_time_zones": {**zones, **readers.naive_time_zones}}), notes
