"""Applying the business calendar to the hourly tables the volume checks judge.

Three questions per flow and hour: is the day closed (a public holiday of the flow's country, or
a company holiday: judged like a weekend), is the hour inside a maintenance window (configured,
or announced in advance in an Odoo log: not judged, and kept out of the baseline), and does the
day fall in a month-end / payroll / lock-date period (kept out of the baseline; not judged for
flows allowed to be quiet then). Days and hours are the flow's local ones (`local_clock`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import numpy as np
import pandas as pd

from odoo_triage.core.calendar import (
    FlowCalendar,
    MaintenanceWindow,
    PeriodKind,
    days_between,
    last_business_days,
    public_holidays,
)
from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import CalendarSettings
from odoo_triage.detectors.readers import naive_time

HOUR = 3600.0

# ISO, or day-first with slashes or dots as European users write it (09/05/2026 20:00, 09.05.2026 20:00),
# or month-first with a 12-hour clock as US users write it (11/10/2026 07:00 PM)
_TS = (r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?"
       r"|\d\d?[/.]\d\d?[/.]\d{4},?\s+\d\d?[:h]\d\d(?::\d\d)?(?:\s*[AaPp]\.?[Mm]\.?(?![\w]))?)")
# a zone written after a time: Z, an offset, an abbreviation (CET, CEST, CET/CEST), an IANA name, or
# Brazil's legal time as Brazilians write it ("horário de Brasília", "hora de Brasília")
_ZONE = (r"(?:\s*\(?(Z|[+-]\d\d:?\d\d|[A-Z]{1,5}(?:/[A-Z]{3,5})?(?:[+-]\d\d?(?::?\d\d)?)?"
         r"|[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?|(?i:hor[aá]rio|hora)(?:\s+oficial)?\s+de\s+Bras[ií]lia)\)?(?![\w/]))?")
# the words of an announcement, in the languages of Odoo's users (en, de, fr, es, it, nl, pt)
_MAINTENANCE_WORDS = ("maintenance", "wartung", "wartungsfenster", "mantenimiento", "manutenzione", "onderhoud",
                      "manutenção", "manutencao")
_FROM_WORDS = ("from", "between", "starting", "von", "ab", "du", "depuis", "del", "desde", "dal", "van", "de",
               "entre", "zwischen", "tra", "fra", "tussen", "das", "dos", "a partir das")
_TO_WORDS = ("to", "and", "until", "bis", "-", "–", "au", "jusqu'au", "al", "hasta", "tot", "à", "a", "y", "et",
             "und", "e", "en", "às", "as", "até")
_PREFILTER = tuple(w[1:].encode() for w in _MAINTENANCE_WORDS)  # first letter dropped: any case of it
# "maintenance window from 2026-11-03 22:00 to 2026-11-04 02:00", "... between X and Y",
# "maintenance planifiée du 09/05/2026 20:00 au 09/05/2026 23:59"
_ANNOUNCEMENT = re.compile(
    r"(?i:" + "|".join(_MAINTENANCE_WORDS) + r")\b.{0,160}?\b(?i:" + "|".join(_FROM_WORDS) + r")\s+" + _TS + _ZONE
    + r"\s*(?i:" + "|".join(_TO_WORDS) + r")\s*" + _TS + _ZONE)
# "maintenance on 03/10/2026 from 09:00 to 12:00", "mantenimiento el sábado 03/10/2026 de 09:00 a 12:00"
_DATE = r"(\d{4}-\d\d-\d\d|\d\d?[/.]\d\d?[/.]\d{4})"
_TIME = r"(\d\d?[:h]\d\d(?::\d\d)?(?:\s*[AaPp]\.?[Mm]\.?(?!\w))?)"
_ANNOUNCEMENT_DAY = re.compile(
    r"(?i:" + "|".join(_MAINTENANCE_WORDS) + r")\b.{0,160}?(?<![\d/.-])" + _DATE + r"(?![\d/.-]).{0,40}?\b(?i:"
    + "|".join(_FROM_WORDS) + r")\s+" + _TIME + _ZONE + r"\s*(?i:" + "|".join(_TO_WORDS) + r")\s*" + _TIME + _ZONE)
_LOG_LINE_TS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)[,.]?\d* \d+ (INFO|WARNING) \S+ ([\w.\-]+): ")
MAX_ANNOUNCEMENT_HOURS = 72.0  # longer "windows" in a log line are not taken as maintenance
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d\d?):?(\d\d)?$")


_DAY_FIRST = re.compile(r"^(\d\d?)[/.](\d\d?)[/.](\d{4}),?\s+(\d\d?)[:h](\d\d)(?::(\d\d))?"
                        r"(?:\s*([AaPp])\.?[Mm]\.?)?$")


def _announced(line: str) -> tuple[str, str | None, str, str | None, bool] | None:
    """(start, its zone, end, its zone, end may be the next day) as an announcement writes them, or None."""
    m = _ANNOUNCEMENT.search(line)
    if m is not None:
        return m.group(1), m.group(2), m.group(3), m.group(4), False
    d = _ANNOUNCEMENT_DAY.search(line)
    if d is None:
        return None
    return f"{d.group(1)} {d.group(2)}", d.group(3), f"{d.group(1)} {d.group(4)}", d.group(5), True


def _parse_ts(text: str, zone: tzinfo | None = None) -> datetime | None:
    m = _DAY_FIRST.match(text.strip())
    try:
        if m:
            d, mo, y, hh, mm, ss = (int(g) if g else 0 for g in m.groups()[:6])
            half = (m.group(7) or "").lower()
            if (half and mo <= 12 and d <= 12) or mo > 12:  # a 12-hour clock is the US's month-first date
                d, mo = mo, d
            if half:
                if not 1 <= hh <= 12:
                    return None
                hh = hh % 12 + (12 if half == "p" else 0)
            dt = datetime(y, mo, d, hh, mm, ss)
        else:
            dt = datetime.fromisoformat(text.replace(",", ".").replace(" ", "T"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=zone or UTC)


def _zone_key(name: str) -> str:
    """A written zone compared without case, accents or extra spaces ("horário de Brasília")."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(bare.split()).upper()


def zone_named(name: str | None, abbreviations: dict[str, str] | None = None) -> tzinfo | None:
    """A tzinfo for a written zone: an IANA name (Europe/Vienna), an offset (+02:00, UTC+2) or an
    abbreviation of `CalendarSettings.zone_abbreviations` (CEST, CET/CEST); None when unknown."""
    if not name:
        return None
    abbr = abbreviations if abbreviations is not None else CalendarSettings().zone_abbreviations
    key = _zone_key(name)
    known = {_zone_key(k): v for k, v in abbr.items()}
    if key in known:
        return zone_named(known[key], {})
    if not (_OFFSET.match(name.strip()) or "/" in name):
        return None
    try:  # the readers' parser of zone texts: an offset or an IANA name
        return naive_time.zone_named(name)
    except InputError:
        return None


def _under(logger: str, prefixes: Iterable[str]) -> bool:
    return any(logger == p or logger.startswith(p + ".") for p in prefixes)


def announced_windows(paths: Iterable[Path], flows: Iterable[str],
                      zone_of: Callable[[list[str]], tzinfo | None] | None = None,
                      abbreviations: dict[str, str] | None = None,
                      trusted: Iterable[str] = ("odoo",), untrusted: Iterable[str] | None = None,
                      ) -> list[MaintenanceWindow]:
    """Maintenance windows announced in Odoo server logs before they start.

    A line counts when it is an INFO or WARNING line of the server log (not an error, not a traceback
    line: those quote payloads), says "maintenance ... from <time> to <time>" and was written before the
    window began (a line written during or after it is a report, not an announcement). Flow names
    the line mentions restrict the window to them; a line naming none applies to every flow.
    Times are in the zone the line writes (Europe/Vienna, CEST, +02:00, Z; one zone after the end time
    covers both); without one, in `zone_of(named flows)` (the flows' or the calendar's country), else UTC.
    The log line's own time stamp is UTC (Odoo writes UTC).
    Log text is untrusted: only the two times, the zone and known flow names are taken from it, and only
    from a logger under `trusted` (the Odoo server's own code, the loggers flows.json names) that is not
    under `untrusted` (loggers writing what outsiders send: werkzeug's request lines, incoming mail, job
    payloads; settings `announcement_untrusted_loggers`), so no arbitrary line can open a window.
    """
    lines: list[tuple[str, str]] = []
    for path in paths:
        whole, _end, tail = announcement_lines(Path(path))
        lines.extend((Path(path).name, ln) for ln in [*whole, *([tail] if tail is not None else [])])
    return windows_announced(lines, flows, zone_of, abbreviations, trusted, untrusted)


def announcement_lines(path: Path, start: int = 0) -> tuple[list[str], int, str | None]:
    """The lines of a log, from byte `start`, that may announce a maintenance window (the cheap tests of
    `announced_windows`: a prefilter word, the pattern, a server-log time stamp); the offset after the
    last whole line; the unfinished last line, if it is a candidate. An incremental run keeps the lines
    and the offset, so that it scans only what was appended (detectors/state.py)."""
    out: list[str] = []
    tail = None
    candidates, end = prefiltered_lines(path, start)
    for raw in candidates:
        line = raw.decode("utf-8", errors="replace")[:2000]
        if _announced(line) is None or _LOG_LINE_TS.match(line) is None:
            continue
        if raw.endswith(b"\n"):
            out.append(line)
        else:
            tail = line
    return out, end, tail


def prefiltered_lines(path: Path, start: int = 0, block_bytes: int = 8 << 20) -> tuple[list[bytes], int]:
    """The lines of a file from byte `start` (as `for raw in fh` gives them) holding a `_PREFILTER` word
    in any case, in order, and the offset after the last whole line. The words are searched block by
    block with `bytes.find`, not line by line: a server log has millions of lines and a handful of hits."""
    found: list[bytes] = []
    end = start
    with open(path, "rb") as fh:
        fh.seek(start)
        rest = b""
        while True:
            block = fh.read(block_bytes)
            data = rest + block
            cut = len(data) if not block else data.rfind(b"\n") + 1
            if cut == 0 and block:
                rest = data
                continue
            low = data[:cut].lower()
            starts: set[int] = set()
            for word in _PREFILTER:
                i = low.find(word)
                while i >= 0:
                    starts.add(low.rfind(b"\n", 0, i) + 1)
                    nl = low.find(b"\n", i)
                    i = -1 if nl < 0 else low.find(word, nl)
            for a in sorted(starts):
                b = data.find(b"\n", a, cut)
                found.append(data[a:cut if b < 0 else b + 1])
            end += data.rfind(b"\n", 0, cut) + 1
            if not block:
                return found, end
            rest = data[cut:]


def windows_announced(lines: Iterable[tuple[str, str]], flows: Iterable[str],
                      zone_of: Callable[[list[str]], tzinfo | None] | None = None,
                      abbreviations: dict[str, str] | None = None,
                      trusted: Iterable[str] = ("odoo",), untrusted: Iterable[str] | None = None,
                      ) -> list[MaintenanceWindow]:
    """The windows the candidate (file name, line) pairs of `announcement_lines` announce (rules: `announced_windows`)."""
    names = sorted(set(flows), key=len, reverse=True)
    trusted = tuple(trusted)
    untrusted = tuple(CalendarSettings().announcement_untrusted_loggers if untrusted is None else untrusted)
    out: list[MaintenanceWindow] = []
    for file_name, line in lines:
        m = _announced(line)
        written = _LOG_LINE_TS.match(line)
        if m is None or written is None:  # tracebacks and ERROR lines quote payloads: never an announcement
            continue
        logger = written.group(3)
        if not _under(logger, trusted) or _under(logger, untrusted):
            continue
        named = [n for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?![\w])", line)]
        t_start, g_start, t_end, g_end, overnight = m
        z_start, z_end = zone_named(g_start, abbreviations), zone_named(g_end, abbreviations)
        if any(g and "/" in g and z is None for g, z in ((g_start, z_start), (g_end, z_end))):
            continue  # a zone name we cannot read: better no window than one hours off
        local = (zone_of(named) if zone_of is not None else None) or UTC
        start = _parse_ts(t_start, z_start or z_end or local)
        end = _parse_ts(t_end, z_end or z_start or local)
        if start is not None and end is not None and overnight and end <= start:
            end += timedelta(days=1)  # "on 03/10 from 22:00 to 02:00" ends the next morning
        if start is None or end is None or end <= start:
            continue
        if (end - start).total_seconds() > MAX_ANNOUNCEMENT_HOURS * HOUR:
            continue
        at = _parse_ts(written.group(1))
        if at is None or at >= start:
            continue
        out.append(MaintenanceWindow(start=start.astimezone(UTC), end=end.astimezone(UTC), flows=named,
                                     reason=f"announced in {file_name}"))
    return out


@dataclass
class BusinessCalendar:
    """The settings' calendar with each flow's own values (flows.json) and announced windows."""

    settings: CalendarSettings = field(default_factory=CalendarSettings)
    flows: dict[str, FlowInfo] = field(default_factory=dict)
    announced: list[MaintenanceWindow] = field(default_factory=list)

    def flow_calendar(self, flow: str) -> FlowCalendar:
        info = self.flows.get(flow)
        own = info.calendar if info and info.calendar else FlowCalendar()
        configured = self.settings.flows.get(flow, FlowCalendar())
        country = own.country or configured.country or (info.country if info else None) or self.settings.country
        return FlowCalendar(
            country=country, subdivision=own.subdivision or configured.subdivision or self.settings.subdivision,
            business_weekdays=own.business_weekdays or configured.business_weekdays or self.settings.business_weekdays,
            holidays=[*self.settings.holidays, *configured.holidays, *own.holidays],
            maintenance=[*self.settings.maintenance, *configured.maintenance, *own.maintenance],
            quiet_periods=own.quiet_periods if own.quiet_periods is not None else (
                configured.quiet_periods if configured.quiet_periods is not None else self.settings.quiet_periods),
        )

    def unit_of(self, flow: str) -> str:
        info = self.flows.get(flow)
        return info.unit if info else "event"

    def closed_days(self, flow: str, years: list[int]) -> frozenset[date]:
        cal = self.flow_calendar(flow)
        return public_holidays(cal.country, years, cal.subdivision) | frozenset(cal.holidays)

    def periods(self, flow: str, days: list[date]) -> dict[date, set[PeriodKind]]:
        """Which closing periods each day is in (month-end, payroll, lock date)."""
        if not days:
            return {}
        cal = self.flow_calendar(flow)
        weekdays = frozenset(cal.business_weekdays or [0, 1, 2, 3, 4])
        closed = self.closed_days(flow, sorted({d.year for d in days}))
        s = self.settings
        out: dict[date, set[PeriodKind]] = {}
        for y, m in sorted({(d.year, d.month) for d in days}):
            for d in last_business_days(y, m, s.month_end_days, weekdays, closed):
                out.setdefault(d, set()).add(PeriodKind.month_end)
        for d in days:
            if d.day in s.payroll_days:
                out.setdefault(d, set()).add(PeriodKind.payroll)
            if s.lock_day is not None and d.day == s.lock_day:
                out.setdefault(d, set()).add(PeriodKind.lock_date)
        return out

    def maintenance(self, flow: str) -> list[MaintenanceWindow]:
        own = self.flow_calendar(flow).maintenance
        return [w for w in [*own, *self.announced] if w.applies_to(flow)]


def build_calendar(settings: CalendarSettings | None = None, flows: Iterable[FlowInfo] | None = None,
                   odoo_logs: Iterable[Path] = (), flow_names: Iterable[str] = (),
                   announcements: dict[Path, list[str]] | None = None) -> BusinessCalendar:
    """`announcements` {log: its `announcement_lines`}, where a saved state kept them, instead of scanning
    `odoo_logs` again."""
    settings = settings or CalendarSettings()
    info = {f.name: f for f in flows or []}
    cal = BusinessCalendar(settings=settings, flows=info)
    if settings.detect_announcements:
        def zone(named: list[str]) -> tzinfo | None:
            return local_zone(cal, named)

        names = [*info, *flow_names]
        own = [lg for f in info.values() for lg in f.loggers]
        trusted = [*settings.announcement_loggers, *own]
        untrusted = [u for u in settings.announcement_untrusted_loggers if u not in own]
        if announcements is None:
            cal.announced = announced_windows(odoo_logs, names, zone, settings.zone_abbreviations, trusted, untrusted)
        else:
            lines = [(p.name, ln) for p in odoo_logs for ln in announcements.get(p, [])]
            cal.announced = windows_announced(lines, names, zone, settings.zone_abbreviations, trusted, untrusted)
    return cal


def local_zone(cal: BusinessCalendar, flows: list[str]) -> tzinfo | None:
    """The zone an announcement without one is written in: `[calendar] timezone`, else the country of the
    flows it names (of the calendar when it names none, else of every catalog flow when they share one)."""
    s = cal.settings
    if s.timezone:
        return zone_named(s.timezone, {})
    countries = {cal.flow_calendar(f).country for f in flows} if flows else \
        ({s.country} if s.country else {cal.flow_calendar(f).country for f in cal.flows})
    countries.discard(None)
    if len(countries) != 1:
        return None
    zone = s.country_zones.get(str(next(iter(countries))).upper().split("-")[0])
    return zone_named(zone, {}) if zone else None


def local_clock(cal: BusinessCalendar, flow: str, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local day number since 1970-01-01, local hour of day) of epoch hours in the flow's zone (`local_zone`:
    `[calendar] timezone` or the country's), UTC without one. A business day, a weekend, a holiday and the
    hour of day the expectations compare are the firm's own: Saturday morning in Melbourne is Friday night
    in UTC, and business hours move by an hour in UTC across a daylight-saving change."""
    zone = local_zone(cal, [flow]) if len(hours) else None
    if zone is None:
        return hours // 24, hours % 24
    uniq, inverse = np.unique(hours, return_inverse=True)
    utc = pd.DatetimeIndex(pd.to_datetime(uniq * 3600, unit="s", utc=True))
    offset_h = np.round(np.asarray(
        (utc.tz_convert(zone).tz_localize(None) - utc.tz_localize(None)).total_seconds(), dtype=float) / 3600)
    local = uniq + offset_h.astype(np.int64)
    return (local // 24)[inverse], (local % 24)[inverse]


def hourly_calendar(cal: BusinessCalendar, hourly: pd.DataFrame, flow_names: list[str]) -> pd.DataFrame:
    """Per row of the hourly table: closed (holiday), maintenance, period (any), quiet (not judged), and the
    flow's local weekday (Monday = 0) and hour of day (`local_clock`), which days and hours are judged by."""
    n = len(hourly)
    closed = np.zeros(n, dtype=bool)
    maint = np.zeros(n, dtype=bool)
    period = np.zeros(n, dtype=bool)
    quiet_period = np.zeros(n, dtype=bool)
    if n == 0:
        return pd.DataFrame({"closed": closed, "maintenance": maint, "period": period, "quiet": maint})
    flows = hourly["flow"].to_numpy()
    hours = hourly["hour"].to_numpy()
    day_no, hod = hours // 24, hours % 24
    for code in np.unique(flows).tolist():
        rows = flows == code
        day_no[rows], hod[rows] = local_clock(cal, flow_names[int(code)], hours[rows])
    first, last = int(day_no.min()), int(day_no.max())
    all_days = days_between(date.fromordinal(date(1970, 1, 1).toordinal() + first),
                            date.fromordinal(date(1970, 1, 1).toordinal() + last))
    epoch = date(1970, 1, 1).toordinal()
    for code in np.unique(flows).tolist():
        rows = flows == code
        name = flow_names[int(code)]
        cal_f = cal.flow_calendar(name)
        shut = cal.closed_days(name, sorted({d.year for d in all_days}))
        if shut:
            closed_no = np.array([d.toordinal() - epoch for d in shut], dtype=np.int64)
            closed[rows] = np.isin(day_no[rows], closed_no)
        marks = cal.periods(name, all_days)
        if marks:
            quiet_kinds = set(cal_f.quiet_periods or [])
            any_no = np.array([d.toordinal() - epoch for d in marks], dtype=np.int64)
            period[rows] = np.isin(day_no[rows], any_no)
            quiet_no = np.array([d.toordinal() - epoch for d, kinds in marks.items() if kinds & quiet_kinds],
                                dtype=np.int64)
            if len(quiet_no):
                quiet_period[rows] = np.isin(day_no[rows], quiet_no)
        for w in cal.maintenance(name):
            h0, h1 = w.start.timestamp() / HOUR, w.end.timestamp() / HOUR
            # an hour is maintenance when any part of it is inside the window
            maint[rows] |= (hours[rows] + 1 > h0) & (hours[rows] < h1)
    return pd.DataFrame({"closed": closed, "maintenance": maint, "period": period,
                         "quiet": maint | quiet_period, "weekday": (day_no + 3) % 7, "hod": hod},
                        index=hourly.index)
