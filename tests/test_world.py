"""The demo world: deterministic, parseable, labeled, with the promised incidents and duplicates."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from odoo_triage.core.labels import read_entities, read_incidents
from odoo_triage.sim.world import World, generate_world

SMALL = {"events": 8000, "partners": 400}
LOG_HEAD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+ [\w.]+: ")
KINDS = {"error_spike", "latency_shift", "silent_flow", "retry_storm", "duplicate_delivery",
         "new_error_signature", "expired_credential"}


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return generate_world(tmp_path_factory.mktemp("w") / "world", seed=7, **SMALL)


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _qj_time(row: dict) -> datetime:
    return _ts((row["date_started"] or row["date_created"]).replace(" ", "T") + "+00:00")


@pytest.fixture(scope="module")
def events(world: World) -> dict[str, list[dict]]:
    """Every event of every flow as {ts, status, latency, error, idem}; malformed lines skipped."""
    bad = {(m["file"], m["line"]) for m in world.malformed_lines}
    out: dict[str, list[dict]] = defaultdict(list)
    with world.middleware_log.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if ("middleware.jsonl", n) in bad:
                with pytest.raises(json.JSONDecodeError):
                    json.loads(line)
                continue
            e = json.loads(line)
            out[e["flow"]].append({"ts": _ts(e["ts"]), "status": e["status"], "latency": e["latency_ms"],
                                   "idem": e["idempotency_key"], "error": e["error"], "http": e["http_status"],
                                   "records": e["record_ids"]})
    with world.psa_log.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:
            if ("psa_timesheets.csv", reader.line_num) in bad:
                assert len(row) != len(header)
                continue
            assert len(row) == len(header)
            e = dict(zip(header, row, strict=True))
            out[e["flow"]].append({"ts": _ts(e["timestamp"]), "status": e["status"],
                                   "latency": float(e["latency_ms"]), "idem": e["idempotency_key"],
                                   "error": e["error"] or None})
    with world.queue_job_log.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out["invoice_export"].append({"ts": _qj_time(row), "status": "error" if row["state"] == "failed" else
                                          "retry" if row["exc_name"] else "ok", "row": row})
    seen_bad = 0
    prev_error = False
    with world.server_log.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if ("odoo-server.log", n) in bad:
                assert not LOG_HEAD.match(line)
                seen_bad += 1
                continue
            m = LOG_HEAD.match(line)
            if not m:
                assert prev_error and (line.startswith(("Traceback", "  ")) or re.match(r"^[\w.]+: ", line)), line
                continue
            prev_error = m.group(1) == "ERROR"
            if ".payroll_export." in line:
                out["payroll_export"].append({"ts": datetime.fromisoformat(line[:23].replace(",", ".") + "+00:00"),
                                              "status": {"ERROR": "error", "WARNING": "retry"}.get(m.group(1), "ok"),
                                              "line": line})
    return out


def test_same_seed_same_bytes_other_seed_differs(world: World, tmp_path: Path) -> None:
    again = generate_world(tmp_path / "again", seed=7, **SMALL)
    other = generate_world(tmp_path / "other", seed=8, **SMALL)
    assert _digest(again.root) == _digest(world.root)
    assert _digest(other.root) != _digest(world.root)


def test_layout_and_meta(world: World) -> None:
    for p in [world.flows_json, world.world_json, *world.log_files, world.partners_csv, world.projects_csv,
              world.incidents_path, world.labels_dir / "partner_entities.csv",
              world.labels_dir / "project_entities.csv", world.labels_dir / "hard_negatives.csv"]:
        assert p.exists() and p.stat().st_size > 0, p
    meta = json.loads(world.world_json.read_text())
    assert meta["seed"] == 7 and meta["incidents"] == 7
    assert meta["events"]["total"] == world.events == sum(world.events_per_file.values())
    assert 3 <= len(meta["malformed_lines"]) <= 5
    flows = json.loads(world.flows_json.read_text())
    crit = {f["name"]: f["criticality"] for f in flows}
    assert crit == {"crm_partner_sync": "high", "esign_project_webhook": "high", "hr_employee_sync": "medium",
                    "psa_timesheet_import": "high", "invoice_export": "critical", "payroll_export": "high"}
    assert "7 labeled incidents" in world.summary()


def test_every_event_parses_and_total_is_near_requested(world: World, events: dict[str, list[dict]]) -> None:
    assert set(events) == {"crm_partner_sync", "esign_project_webhook", "hr_employee_sync",
                           "psa_timesheet_import", "invoice_export", "payroll_export"}
    per_flow = json.loads(world.world_json.read_text())["events_per_flow"]
    assert per_flow == {flow: len(evs) for flow, evs in events.items()}
    total = sum(len(v) for v in events.values())
    assert total == world.events
    assert abs(total - SMALL["events"]) <= 0.1 * SMALL["events"]
    ts = [json.loads(x)["ts"] for x in world.middleware_log.read_text().splitlines() if x.endswith("}")]
    assert ts == sorted(ts)


def test_incidents_labeled_in_second_week_and_baseline_clean(world: World, events: dict[str, list[dict]]) -> None:
    incs = read_incidents(world.incidents_path)
    assert {i.kind for i in incs} == KINDS and len(incs) == 7
    week2 = world.start + timedelta(days=7)
    spans = sorted((i.start, i.end) for i in incs)
    for i in incs:
        assert week2 <= i.start < i.end <= world.end
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
        assert e1 < s2
    errors = 0
    for flow, evs in events.items():
        base = [e for e in evs if e["ts"] < week2]
        flow_errors = sum(e["status"] == "error" for e in base)
        assert flow_errors / len(base) < 0.03, flow
        errors += flow_errors
    assert errors > 0  # normal background failures exist


def test_each_incident_is_visible(world: World, events: dict[str, list[dict]]) -> None:
    incs = {i.kind: i for i in read_incidents(world.incidents_path)}

    def inside(kind: str) -> list[dict]:
        i = incs[kind]
        return [e for e in events[i.flow] if i.start <= e["ts"] <= i.end]

    assert inside("silent_flow") == []
    spike = inside("error_spike")
    assert sum("use /v3" in (e["error"] or "") for e in spike) >= 0.3 * len(spike)
    cred = inside("expired_credential")
    assert cred and all(e["http"] == 401 and "Invalid apikey" in e["error"] for e in cred)
    dup = inside("duplicate_delivery")
    keys = Counter(e["idem"] for e in dup)
    repeated = [k for k, c in keys.items() if c == 2]
    assert 5 <= len(repeated) <= 15
    assert len(incs["duplicate_delivery"].affected_records) == len(repeated)
    normal_keys = Counter(e["idem"] for f in ("crm_partner_sync", "esign_project_webhook", "psa_timesheet_import")
                          for e in events[f] if e["idem"])
    assert sum(c > 1 for c in normal_keys.values()) == len(repeated)
    sig = [e for e in inside("new_error_signature") if "SEPA schema" in e["line"]]
    assert sig and not any("SEPA schema" in e["line"] for e in events["payroll_export"] if e["ts"] < incs[
        "new_error_signature"].start)
    storm = incs["retry_storm"]
    failed = {f"queue.job:{e['row']['uuid']}" for e in events["invoice_export"]
              if e["row"]["state"] == "failed" and "429" in e["row"]["exc_message"]}
    assert failed and failed == set(storm.affected_records)
    assert max(int(e["row"]["retry"]) for e in inside("retry_storm")) == 5
    lat = incs["latency_shift"]
    win = sorted(e["latency"] for e in inside("latency_shift"))
    before = sorted(e["latency"] for e in events[lat.flow] if lat.start - timedelta(days=7) <= e["ts"] <= lat.end -
                    timedelta(days=7))
    assert win[int(0.95 * len(win))] > 4 * before[int(0.95 * len(before))]


def test_month_end_peak(world: World, events: dict[str, list[dict]]) -> None:
    per_day = Counter(e["ts"].date().isoformat() for e in events["invoice_export"] if e["row"]["state"] == "done")
    assert per_day["2026-10-30"] >= 2 * per_day["2026-10-21"]


def test_partner_labels(world: World) -> None:
    ents = read_entities(world.labels_dir / "partner_entities.csv")
    with world.partners_csv.open(encoding="utf-8", newline="") as fh:
        partners = list(csv.DictReader(fh))
    assert len(partners) == SMALL["partners"]
    assert set(ents) == {int(p["id"]) for p in partners}
    by_id = {int(p["id"]): p for p in partners}
    for p in partners:
        if p["parent_id"]:
            assert ents[int(p["id"])] != ents[int(p["parent_id"])]
            assert by_id[int(p["parent_id"])]["is_company"] == "True"
    with (world.labels_dir / "partner_duplicates.csv").open(encoding="utf-8", newline="") as fh:
        dups = list(csv.DictReader(fh))
    assert {d["kind"] for d in dups} >= {"legal_suffix", "typo", "reordered", "vat_format", "email_domain",
                                        "phone_format", "missing_fields", "archived"}
    for d in dups:
        assert ents[int(d["id"])] == ents[int(d["original_id"])]
    with (world.labels_dir / "hard_negatives.csv").open(encoding="utf-8", newline="") as fh:
        hard = list(csv.DictReader(fh))
    for h in hard:
        ent = ents if h["model"] == "res.partner" else read_entities(world.labels_dir / "project_entities.csv")
        assert ent[int(h["left_id"])] != ent[int(h["right_id"])]
    assert any(h["model"] == "res.partner" for h in hard) and any(h["model"] == "project.project" for h in hard)


def test_project_labels(world: World) -> None:
    ents = read_entities(world.labels_dir / "project_entities.csv")
    with world.projects_csv.open(encoding="utf-8", newline="") as fh:
        projects = list(csv.DictReader(fh))
    assert set(ents) == {int(p["id"]) for p in projects}
    partner_ids = set(read_entities(world.labels_dir / "partner_entities.csv"))
    assert all(int(p["partner_id"]) in partner_ids for p in projects)
    by_id = {int(p["id"]): p for p in projects}
    inc = next(i for i in read_incidents(world.incidents_path) if i.kind == "duplicate_delivery")
    for ref in inc.affected_records:
        dup = int(ref.split(":")[1])
        twins = [pid for pid, e in ents.items() if e == ents[dup] and pid != dup]
        assert len(twins) == 1
        assert by_id[twins[0]]["name"] == by_id[dup]["name"]
        assert by_id[twins[0]]["partner_id"] == by_id[dup]["partner_id"]


def test_log_record_ids_are_real(world: World, events: dict[str, list[dict]]) -> None:
    partners = set(read_entities(world.labels_dir / "partner_entities.csv"))
    projects = set(read_entities(world.labels_dir / "project_entities.csv"))
    for flow, model, ids in (("crm_partner_sync", "res.partner", partners),
                             ("esign_project_webhook", "project.project", projects)):
        refs = [r for e in events[flow] for r in e["records"]]
        assert refs and all(r.startswith(model + ":") and int(r.split(":")[1]) in ids for r in refs)


def test_cli_writes_a_world(tmp_path: Path) -> None:
    from odoo_triage.sim.world.__main__ import main

    main(["--out", str(tmp_path / "cli"), "--events", "3000", "--partners", "150", "--seed", "3"])
    meta = json.loads((tmp_path / "cli" / "world.json").read_text())
    assert meta["seed"] == 3 and meta["partners"] == 150 and abs(meta["events"]["total"] - 3000) <= 300
