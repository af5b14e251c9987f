"""The business calendar: when a flow is expected to be quiet, and why.

A dip on a public holiday, silence inside an announced maintenance window, or a flow that only
runs on payroll days are business, not outages. This module holds the data model only (no
pandas): which days are closed for a country, which windows are maintenance, which days are
month-end, payroll or lock-date periods. `detectors/calendar.py` applies it to hourly tables.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PeriodKind(StrEnum):
    month_end = "month_end"
    payroll = "payroll"
    lock_date = "lock_date"


class MaintenanceWindow(BaseModel):
    """A span when the named flows (all flows when none are named) are expected to be down."""

    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    flows: list[str] = Field(default_factory=list)
    reason: str = ""

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return v if v.tzinfo else v.replace(tzinfo=UTC)

    def applies_to(self, flow: str) -> bool:
        return not self.flows or flow in self.flows


class FlowCalendar(BaseModel):
    """Per-flow calendar overrides, as `flows.json` may give them under `calendar`."""

    model_config = ConfigDict(extra="forbid")

    country: str | None = None  # ISO 3166 code for public holidays; None = the settings' country
    subdivision: str | None = None
    business_weekdays: list[int] | None = None  # Monday = 0; None = Monday to Friday
    holidays: list[date] = Field(default_factory=list)  # extra closed days (company holidays)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    quiet_periods: list[PeriodKind] | None = None  # periods in which this flow may legitimately be quiet


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str | None, years: tuple[int, ...]) -> frozenset[date]:
    import holidays  # third-party, only needed when a country is configured

    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
    except NotImplementedError:
        return frozenset()
    return frozenset(found.keys())


def public_holidays(country: str | None, years: list[int], subdivision: str | None = None) -> frozenset[date]:
    """Public holidays of a country (ISO code) in those years; empty for no or an unknown country."""
    if not country:
        return frozenset()
    return _public_holidays(country.upper(), subdivision, tuple(sorted(set(years))))


def last_business_days(year: int, month: int, n: int, weekdays: frozenset[int], closed: frozenset[date]) -> list[date]:
    """The last n business days of a month (what month-end closing runs on)."""
    out: list[date] = []
    day = date(year, month, _stdlib_calendar.monthrange(year, month)[1])
    while len(out) < n and day.month == month:
        if day.weekday() in weekdays and day not in closed:
            out.append(day)
        day -= timedelta(days=1)
    return out


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
