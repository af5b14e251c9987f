"""Naive local times: which timestamp texts carry no zone, and how a file's are put back on UTC.

A naive time is read as UTC (readers.base.parse_ts); a file known to be written in a zone (reader
settings `naive_time_zones`, `export_utc_offsets`, `naive_timezone`, by file name) gets its naive
times shifted here. A zone name follows daylight saving; a fixed offset does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import ReaderSettings

# a zone at the end (Go's time.String() adds its abbreviation and a monotonic reading after the offset)
_AWARE = re.compile(r"(?:Z|[+-]\d\d:?\d\d(?:\s+[A-Z]{2,5})?(?:\s+m=[+-][\d.]+)?|\b(?:UTC|GMT))\s*$", re.IGNORECASE)
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d\d?):?(\d\d)?$", re.IGNORECASE)
Shift = Callable[[float], float]


def is_naive(value: object) -> bool:
    """A timestamp text without a zone (`11/30/2026 05:45:10 PM`, `2026-05-06 20:00`); numbers are epochs."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if not text or text.lstrip("-").replace(".", "", 1).isdigit():
        return False
    return _AWARE.search(text) is None


def zone_named(spec: str) -> tzinfo:
    """An IANA zone (`America/Chicago`) or a fixed offset (`+02:00`, `-6`, `UTC-05:30`)."""
    text = spec.strip()
    m = _OFFSET.match(text)
    if m:
        mins = int(m.group(2)) * 60 + int(m.group(3) or 0)
        return timezone((-1 if m.group(1) == "-" else 1) * timedelta(minutes=mins))
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {spec!r} (an IANA name like Europe/Paris, or +HH:MM)") from None


def utc_offset_at(zone: tzinfo, ts: float) -> float:
    """Seconds `zone` is ahead of UTC at the instant `ts`."""
    off = datetime.fromtimestamp(ts, tz=UTC).astimezone(zone).utcoffset()
    return off.total_seconds() if off is not None else 0.0


def zone_shift(zone: tzinfo) -> Shift:
    """Naive-read-as-UTC epoch seconds -> the instant that wall time is in `zone` (DST included)."""
    def shift(ts: float) -> float:
        try:
            return datetime.fromtimestamp(ts, tz=UTC).replace(tzinfo=zone).timestamp()
        except (OverflowError, ValueError, OSError):
            return ts
    return shift


def naive_shift(settings: ReaderSettings, file_name: str) -> Shift | None:
    """How this file's naive times become UTC, or None (read as UTC). A zone by file name wins, then an
    offset by file name (0 included: aligned on UTC), then the zone for every naive file."""
    if file_name in settings.naive_time_zones:
        return zone_shift(zone_named(settings.naive_time_zones[file_name]))
    if file_name in settings.export_utc_offsets:
        off = float(settings.export_utc_offsets[file_name])
        return (lambda ts: ts - off) if off else None
    if settings.naive_timezone:
        return zone_shift(zone_named(settings.naive_timezone))
    return None
