"""generate_world: a seeded, labeled professional-services integration estate on disk."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from odoo_triage.core.labels import LabeledIncident, write_incidents
from odoo_triage.sim.world.incidents import Window, schedule
from odoo_triage.sim.world.logs import FLOWS, N_EMPLOYEES, to_ms, write_logs
from odoo_triage.sim.world.records import add_webhook_duplicates, build_records, write_records

DEFAULT_START = datetime(2026, 10, 19, tzinfo=UTC)


@dataclass
class World:
    root: Path
    flows_json: Path
    world_json: Path
    middleware_log: Path
    psa_log: Path
    queue_job_log: Path
    server_log: Path
    partners_csv: Path
    projects_csv: Path
    labels_dir: Path
    incidents_path: Path
    seed: int
    start: datetime
    end: datetime
    days: int
    events: int
    events_per_file: dict[str, int] = field(default_factory=dict)
    incidents: int = 0
    partners: int = 0
    duplicate_partners: int = 0
    partner_groups: int = 0
    projects: int = 0
    duplicate_projects: int = 0
    project_groups: int = 0
    malformed_lines: list[dict] = field(default_factory=list)

    @property
    def log_files(self) -> list[Path]:
        return [self.middleware_log, self.psa_log, self.queue_job_log, self.server_log]

    def summary(self) -> str:
        return (f"{self.days} days, {len(FLOWS)} flows, {self.events:,} events, {self.incidents} labeled incidents, "
                f"{self.partners:,} partners ({self.duplicate_partners:,} in {self.partner_groups:,} duplicate "
                f"groups), {self.projects:,} projects ({self.duplicate_projects:,} in {self.project_groups:,} "
                f"duplicate groups), {len(self.malformed_lines)} malformed log lines")


def _incident_params(rng: np.random.Generator, w: Window) -> None:
    kind = w.spec.kind
    if kind == "error_spike":
        w.params["fail_rate"] = 0.4 + 0.3 * rng.random()
        w.description = (f"CRM retired API v2: {w.params['fail_rate']:.0%} of partner syncs failed with HTTP 410 "
                         "'API version v2 is no longer supported; use /v3'")
    elif kind == "latency_shift":
        w.params["factor"] = 5 + 5 * rng.random()
        w.description = (f"PSA API degraded: timesheet import latency x{w.params['factor']:.1f}, "
                         "error rate unchanged")
    elif kind == "silent_flow":
        w.description = "e-signature webhook subscription disabled: no envelope events reached Odoo"
    elif kind == "retry_storm":
        w.description = ("finance API answered 429 Too Many Requests: invoice export jobs retried up to "
                         "max_retries and failed")
    elif kind == "expired_credential":
        w.description = "HRIS integration API key expired: every JSON-2 call answered 401 Invalid apikey until rotated"
    elif kind == "new_error_signature":
        emps = sorted(rng.choice(np.arange(1, N_EMPLOYEES + 1), int(rng.integers(6, 16)), replace=False).tolist())
        s, e = to_ms(w.start), to_ms(w.end)
        failures = []
        for emp in emps:
            for _ in range(int(rng.integers(1, 4))):
                failures.append((int(rng.integers(s, e)), emp))
        failures.sort()
        w.params["failures"] = failures
        w.affected = [f"hr.employee:{x}" for x in emps]
        w.description = (f"payroll export rejected {len(emps)} employees: IBAN does not match the SEPA schema "
                         "(field bank_account_id)")


def _duplicate_deliveries(rng: np.random.Generator, w: Window, rec) -> None:
    n = int(rng.integers(5, 16))
    s = to_ms(w.start)
    firsts = sorted(int(x) for x in rng.integers(s, s + 50 * 60_000, n))
    seconds = [t + int(rng.integers(2_000, 10_000)) for t in firsts]
    pairs = add_webhook_duplicates(rec, rng, [datetime.fromtimestamp(t / 1000, UTC) for t in firsts])
    keys = [f"env_{int(k):016x}:completed" for k in rng.integers(0, 2**63 - 1, n, dtype=np.int64)]
    w.params["deliveries"] = [(a, b, k, o, d) for a, b, k, (o, d) in zip(firsts, seconds, keys, pairs, strict=True)]
    w.start = datetime.fromtimestamp(firsts[0] // 1000, UTC)
    w.end = datetime.fromtimestamp(math.ceil((max(seconds) + 1) / 1000), UTC)
    w.affected = [f"project.project:{d}" for _o, d in pairs]
    w.description = (f"{n} signed envelopes delivered twice by the e-signature webhook (same idempotency key, "
                     "seconds apart): each created a second project")


def generate_world(out_dir: Path, *, seed: int = 7, events: int = 60_000, partners: int = 2_000,
                   projects: int | None = None, days: int = 14, start: datetime = DEFAULT_START) -> World:
    """Write the whole world under out_dir and return where everything is."""
    if partners < 10 or events < 100:
        raise ValueError(f"partners={partners}, events={events}: need at least 10 partners and 100 events")
    out_dir = Path(out_dir)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    start = start.astimezone(UTC)
    rng = np.random.default_rng(seed)
    logs_dir, records_dir, labels_dir = out_dir / "logs", out_dir / "records", out_dir / "labels"
    for d in (logs_dir, records_dir, labels_dir):
        d.mkdir(parents=True, exist_ok=True)

    windows = schedule(rng, start, days)
    rec = build_records(rng, partners, projects, start)
    for w in windows:
        if w.spec.kind == "duplicate_delivery":
            _duplicate_deliveries(rng, w, rec)
        else:
            _incident_params(rng, w)
    stats = write_logs(rng, logs_dir, start, days, events, windows, rec.partner_ids,
                       [p["id"] for p in rec.projects if p["active"] and p["date_start"] < start.date().isoformat()])
    write_records(rec, records_dir, labels_dir)

    incidents = [
        LabeledIncident(incident_id=f"inc-{i + 1}", kind=w.spec.kind, flow=w.spec.flow, start=w.start, end=w.end,
                        cause=w.spec.cause, expected_action=w.spec.action, affected_records=w.affected,
                        description=w.description)
        for i, w in enumerate(sorted(windows, key=lambda w: w.start))
    ]
    write_incidents(labels_dir / "incidents.jsonl", incidents)
    flows = [{"name": f.name, "source_system": f.source, "target_system": f.target, "owner": f.owner,
              "criticality": f.criticality, "description": f.description} for f in FLOWS]
    (out_dir / "flows.json").write_text(json.dumps(flows, indent=2) + "\n", encoding="utf-8")
    end = start + timedelta(days=days)
    dup_p, grp_p = rec.duplicate_groups("res.partner")
    dup_j, grp_j = rec.duplicate_groups("project.project")
    meta = {
        "seed": seed, "events": {**stats["per_file"], "total": stats["total"]}, "events_requested": events,
        "events_per_flow": stats["per_flow"],
        "start": start.isoformat().replace("+00:00", "Z"), "end": end.isoformat().replace("+00:00", "Z"),
        "days": days, "baseline_days": 7, "partners": len(rec.partners), "projects": len(rec.projects),
        "incidents": len(incidents), "malformed_lines": stats["malformed_lines"],
    }
    (out_dir / "world.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return World(
        root=out_dir, flows_json=out_dir / "flows.json", world_json=out_dir / "world.json",
        middleware_log=logs_dir / "middleware.jsonl", psa_log=logs_dir / "psa_timesheets.csv",
        queue_job_log=logs_dir / "queue_job.csv", server_log=logs_dir / "odoo-server.log",
        partners_csv=records_dir / "res_partner.csv", projects_csv=records_dir / "project_project.csv",
        labels_dir=labels_dir, incidents_path=labels_dir / "incidents.jsonl", seed=seed, start=start, end=end,
        days=days, events=stats["total"], events_per_file=stats["per_file"], incidents=len(incidents),
        partners=len(rec.partners), duplicate_partners=dup_p, partner_groups=grp_p, projects=len(rec.projects),
        duplicate_projects=dup_j, project_groups=grp_j, malformed_lines=stats["malformed_lines"],
    )
