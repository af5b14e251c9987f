"""Each detector finds its own injected case in a synthetic two-week log, and all stay quiet on a
clean one with nights, weekends and a month-end peak."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from odoo_triage.core.domain import AnomalyKind
from odoo_triage.core.errors import InputError
from odoo_triage.detectors.pipeline import run_detection

START = datetime(2026, 10, 19, tzinfo=UTC)  # a Monday; days 11-12 (Oct 29/30) are a month-end peak
BUSINESS = np.array([.04, .03, .03, .03, .04, .08, .2, .5, .9, 1, 1, 1, .8, .9, 1, 1, .9, .7, .4, .25, .15, .1,
                     .07, .05])
PEAK = 40  # events per business hour


def at(day: int, hour: float) -> float:
    return (START + timedelta(days=day, hours=hour)).timestamp()


def clean_events(seed: int = 0) -> list[dict]:
    """A fresh copy of the clean log (built once)."""
    return [dict(e) for e in _clean(seed)]


@lru_cache(maxsize=2)
def _clean(seed: int) -> tuple[dict, ...]:
    rng = np.random.default_rng(seed)
    out: list[dict] = []
    for flow, share in (("alpha", 1.0), ("beta", 0.5)):
        for day in range(14):
            weekday = (START + timedelta(days=day)).weekday() < 5
            month_end = day in (10, 11)
            for hour in range(24):
                lam = PEAK * share * (BUSINESS[hour] if weekday else BUSINESS[hour] * 0.1 + 0.01)
                lam *= 4 if month_end else 1
                for t in np.sort(rng.uniform(at(day, hour), at(day, hour + 1), rng.poisson(lam))):
                    n = len(out)
                    failed = rng.random() < 0.01
                    out.append({
                        "ts": datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z"), "flow": flow,
                        "source": "src", "target": "odoo", "operation": "upsert", "status": "error" if failed else "ok",
                        "latency_ms": float(rng.lognormal(np.log(200), 0.4)), "http_status": 422 if failed else 200,
                        "error": f"ValidationError: Bad value {n} for partner {n % 97}" if failed else None,
                        "retry": 0, "correlation_id": f"c{n}", "idempotency_key": f"{flow}:{n}",
                        "record_ids": [f"res.partner:{n % 500}"]})
    return tuple(out)


def write(path: Path, events: list[dict]) -> Path:
    events = sorted(events, key=lambda e: e["ts"])
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def ts(e: dict) -> float:
    return datetime.fromisoformat(e["ts"]).timestamp()


def inside(e: dict, flow: str, day: int, h0: float, h1: float) -> bool:
    return e["flow"] == flow and at(day, h0) <= ts(e) < at(day, h1)


def error_spike(evs: list[dict]) -> list[dict]:
    for i, e in enumerate(evs):
        if inside(e, "alpha", 8, 10, 13) and i % 2 == 0:
            e.update(status="error", http_status=410,
                     error=f"410 Gone: API version v2 is no longer supported; use /v3 (request_id=req_{i:08x})")
    return evs


def latency_shift(evs: list[dict]) -> list[dict]:
    for e in evs:
        if inside(e, "beta", 9, 10, 15):
            e["latency_ms"] *= 5
    return evs


def silent_flow(evs: list[dict]) -> list[dict]:
    return [e for e in evs if not inside(e, "alpha", 8, 9, 17)]


def retry_storm(evs: list[dict]) -> list[dict]:
    for i, e in enumerate(evs):
        if inside(e, "alpha", 9, 14, 17) and i % 3:
            e.update(status="retry", retry=1 + i % 3, http_status=429,
                     error=f"429 Too Many Requests (attempt {1 + i % 3}/3, retrying in {i % 50} s)")
    return evs


def duplicate_delivery(evs: list[dict]) -> list[dict]:
    picked = [e for e in evs if inside(e, "beta", 11, 15, 16)][:6]
    for e in picked:
        twin = dict(e, ts=datetime.fromtimestamp(ts(e) + 30, UTC).isoformat().replace("+00:00", "Z"),
                    correlation_id=e["correlation_id"] + "-2")
        evs.append(twin)
    return evs


def new_signature(evs: list[dict]) -> list[dict]:
    hits = [e for e in evs if inside(e, "beta", 7, 11, 12)][:8]
    for n, e in enumerate(hits):
        e.update(status="error", http_status=500,
                 error=f"odoo.exceptions.ValidationError: The IBAN of employee {n} does not match the SEPA schema")
    return evs


CASES: list[tuple[Callable[[list[dict]], list[dict]], AnomalyKind, str, int, float, float]] = [
    (error_spike, AnomalyKind.error_spike, "alpha", 8, 10, 13),
    (latency_shift, AnomalyKind.latency_shift, "beta", 9, 10, 15),
    (silent_flow, AnomalyKind.silent_flow, "alpha", 8, 9, 17),
    (retry_storm, AnomalyKind.retry_storm, "alpha", 9, 14, 17),
    (duplicate_delivery, AnomalyKind.duplicate_delivery, "beta", 11, 15, 16),
    (new_signature, AnomalyKind.new_error_signature, "beta", 7, 11, 12),
]


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("clean") / "clean.jsonl", clean_events())


def test_clean_log_with_month_end_peak_nights_and_weekends_is_quiet(clean_file):
    result = run_detection([clean_file])
    assert result.events > 10_000
    assert result.raw_anomalies == []
    assert result.anomalies == []
    peak = result.flow_stats[(result.flow_stats["flow"] == "alpha") & (result.flow_stats["hour"].dt.day == 30)]
    assert peak["volume"].sum() > 3 * peak["expected_volume"].sum()  # the peak is there, and not an alarm


@pytest.mark.parametrize("inject,kind,flow,day,h0,h1", CASES, ids=[c[1].value for c in CASES])
def test_each_detector_finds_its_case(tmp_path, inject, kind, flow, day, h0, h1):
    result = run_detection([write(tmp_path / "log.jsonl", inject(clean_events()))])
    found = [a for a in result.raw_anomalies if a.kind == kind]
    assert found, f"no {kind} among {[(a.kind, a.flow) for a in result.raw_anomalies]}"
    a = found[0]
    assert a.flow == flow
    tol = timedelta(hours=1)
    assert a.window_start <= START + timedelta(days=day, hours=h1) + tol
    assert a.window_end >= START + timedelta(days=day, hours=h0) - tol
    assert 0 < len(a.evidence_event_ids) <= 20 and all(e.startswith("log.jsonl:") for e in a.evidence_event_ids)
    # after combining, exactly one row covers the injected incident, and nothing else alarms
    assert len(result.anomalies) == 1
    top = result.anomalies[0]
    assert kind in (top.kind, *top.related_kinds) and top.flow == flow
    assert set(top.evidence_event_ids) <= set(result.evidence)
    assert a.reason and flow in a.reason


def test_multivariate_joins_a_strong_incident(tmp_path):
    evs = error_spike(clean_events())
    for e in evs:
        if inside(e, "alpha", 8, 10, 13):
            e["latency_ms"] *= 4  # failing and slow: far outside every baseline hour on two features
    result = run_detection([write(tmp_path / "log.jsonl", evs)])
    multi = [a for a in result.raw_anomalies if a.kind == AnomalyKind.multivariate]
    assert multi and multi[0].flow == "alpha"
    assert AnomalyKind.multivariate in result.anomalies[0].related_kinds


def test_since_until_and_flow_filters(tmp_path):
    path = write(tmp_path / "log.jsonl", latency_shift(error_spike(clean_events())))
    both = run_detection([path])
    assert {a.flow for a in both.anomalies} == {"alpha", "beta"}
    only_beta = run_detection([path], flows=["beta"])
    assert {a.flow for a in only_beta.anomalies} == {"beta"} and only_beta.flows == ["beta"]
    later = run_detection([path], since=START + timedelta(days=9))
    assert [a.flow for a in later.anomalies] == ["beta"]
    earlier = run_detection([path], until=START + timedelta(days=9))
    assert [a.flow for a in earlier.anomalies] == ["alpha"]


def test_short_baseline_without_a_weekend_does_not_alarm_on_it(clean_file):
    result = run_detection([clean_file], baseline_days=3)  # Monday to Wednesday only
    assert result.baseline_end.date() == (START + timedelta(days=3)).date()
    assert result.anomalies == []


def test_unknown_flow_is_an_input_error(clean_file):
    with pytest.raises(InputError, match="no events for flow"):
        run_detection([clean_file], flows=["gamma"])
    with pytest.raises(InputError):
        run_detection([clean_file], baseline_days=0)
