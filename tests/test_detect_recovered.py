"""`signatures.recovered`: a failed attempt is recovered when a success with its correlation id or its
idempotency key comes later (not earlier, not another key); keys are read back from the lines, hashed in
one call, and the answer is per hit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from odoo_triage.detectors.checks.base import Context
from odoo_triage.detectors.checks.signatures import recovered
from odoo_triage.detectors.frame import OK, read_frame
from odoo_triage.detectors.windows import build_windows

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
ERR = "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update"


def _line(minutes: int, status: str, corr: str | None = None, idem: str | None = None) -> str:
    ev: dict[str, object] = {"ts": (T0 + timedelta(minutes=minutes)).isoformat(), "flow": "invoices",
                             "status": status}
    if corr:
        ev["correlation_id"] = corr
    if idem:
        ev["idempotency_key"] = idem
    if status != "ok":
        ev["error"] = ERR
    return json.dumps(ev)


def test_recovered_by_a_later_success_of_the_same_key_only(tmp_path: Path) -> None:
    lines = [_line(m, "ok", corr=f"c-{m}", idem=f"i-{m}") for m in range(0, 600, 10)]  # unrelated successes
    lines += [
        _line(5, "ok", corr="early"),            # a success before its failure: not a recovery
        _line(100, "error", corr="early"),
        _line(101, "retry", corr="later"),       # recovered by correlation id
        _line(102, "ok", corr="later"),
        _line(103, "error", idem="key-1"),       # recovered by idempotency key
        _line(104, "ok", idem="key-1"),
        _line(105, "error", corr="never"),       # no success with this key at all
        _line(106, "error"),                     # no key
        _line(107, "retry", corr="x", idem="key-2"),  # corr never succeeds, its idempotency key does
        _line(108, "ok", idem="key-2"),
    ]
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    frame = read_frame([path])
    ctx = Context(frame=frame, win=build_windows(frame.events, [0], None, flow_names=frame.flows), flows=[0])
    idx, _ = ctx.flow_events(0)
    hits = idx[ctx.col("status")[idx] != OK]
    got = recovered(ctx, idx, hits)
    minute = ((ctx.col("ts")[hits] - T0.timestamp()) // 60).astype(int).tolist()
    assert dict(zip(minute, got.tolist(), strict=True)) == {
        100: False, 101: True, 103: True, 105: False, 106: False, 107: True}
    assert recovered(ctx, idx, hits[:0]).shape == (0,)
    assert not np.any(recovered(ctx, hits, hits))  # no success among the events given: nothing recovered
