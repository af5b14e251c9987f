"""When the seven labeled incidents happen: weekdays of days 8..14, never overlapping.

Windows keep a two-hour gap between each other, so the one-hour widening the metrics apply
never lets an anomaly match two labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from odoo_triage.core.domain import ActionName, Cause


@dataclass(frozen=True)
class IncidentSpec:
    kind: str
    flow: str
    cause: Cause
    action: ActionName
    hours: tuple[float, float]  # duration range
    earliest: int  # hour of day (UTC) the window may start
    latest_end: int  # hour of day the window must end by


SPECS = [
    IncidentSpec("silent_flow", "esign_project_webhook", Cause.configuration, ActionName.escalate, (8, 12), 7, 20),
    IncidentSpec("latency_shift", "psa_timesheet_import", Cause.upstream_outage, ActionName.escalate, (4, 8), 7, 20),
    IncidentSpec("error_spike", "crm_partner_sync", Cause.configuration, ActionName.escalate, (3, 6), 7, 20),
    IncidentSpec("expired_credential", "hr_employee_sync", Cause.credential_auth, ActionName.escalate, (3, 6), 7, 20),
    IncidentSpec("new_error_signature", "payroll_export", Cause.schema_validation, ActionName.post_note, (2, 5), 8, 19),
    IncidentSpec("retry_storm", "invoice_export", Cause.rate_limit, ActionName.requeue_jobs, (2, 4), 8, 19),
    IncidentSpec("duplicate_delivery", "esign_project_webhook", Cause.data_quality, ActionName.archive_project,
                 (1, 1), 9, 18),
]
GAP = timedelta(hours=2)


@dataclass
class Window:
    spec: IncidentSpec
    start: datetime
    end: datetime
    params: dict = field(default_factory=dict)
    affected: list[str] = field(default_factory=list)
    description: str = ""

    def contains_ms(self, ts_ms: np.ndarray) -> np.ndarray:
        return (ts_ms >= int(self.start.timestamp() * 1000)) & (ts_ms < int(self.end.timestamp() * 1000))


def schedule(rng: np.random.Generator, start: datetime, days: int) -> list[Window]:
    if days < 14:
        raise ValueError(f"days={days}: the world needs at least 14 days (7 clean baseline days, then 7 with incidents)")
    incident_days = list(range(7, min(days, 14)))
    weekdays = [d for d in incident_days if (start + timedelta(days=d)).weekday() < 5]
    weekend = [d for d in incident_days if d not in weekdays]
    placed: list[Window] = []
    for spec in SPECS:
        lo, hi = spec.hours
        dur = timedelta(hours=float(lo + (hi - lo) * rng.random()))
        dur = timedelta(minutes=round(dur.total_seconds() / 60 / 5) * 5)
        for pool in (weekdays, weekend):
            cands = []
            for d in pool:
                day0 = start + timedelta(days=d)
                s = day0 + timedelta(hours=spec.earliest)
                while s + dur <= day0 + timedelta(hours=spec.latest_end):
                    if all(s + dur + GAP <= w.start or s >= w.end + GAP for w in placed):
                        cands.append(s)
                    s += timedelta(minutes=5)
            if cands:
                s = cands[int(rng.integers(len(cands)))]
                placed.append(Window(spec, s, s + dur))
                break
        else:
            raise ValueError(f"no room to place the {spec.kind} incident in days 8..{min(days, 14)}")
    return placed
