"""Naive local times in JSON lines and JVM pattern logs (#13): aligned on identifiers the UTC Odoo log
names, as CSV run histories are, and left UTC when nothing aligns; JVM logs are entered by binary search
(`--read-since`) like every other log written as it happens."""

from __future__ import annotations

import json
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import base
from odoo_triage.detectors.readers.java_log import JavaLogReader
from odoo_triage.detectors.time_alignment import aligned_settings

START = datetime(2026, 1, 5, tzinfo=UTC)


def _odoo_log(tmp: Path, ids: list[str]) -> Path:
    server = tmp / "odoo-server.log"
    server.write_text("".join(
        f"{(START + timedelta(hours=7 * i, seconds=2)).strftime('%Y-%m-%d %H:%M:%S')},114 1180 INFO prod "
        f"odoo.addons.sale_sync.models.order: order created from message {x}\n" for i, x in enumerate(ids)))
    return server


def _ids(n: int) -> list[str]:
    return [str(uuidlib.UUID(int=5000 + i)) for i in range(n)]


def test_json_lines_with_naive_times_are_aligned_on_their_key_field(tmp_path: Path) -> None:
    ids = _ids(40)
    log = tmp_path / "middleware.jsonl"
    log.write_text("".join(json.dumps({
        "time": (START + timedelta(hours=7 * i + 2)).strftime("%Y-%m-%d %H:%M:%S"),  # UTC+2, no offset written
        "flow": "orders", "status": "ok", "message_id": x}) + "\n" for i, x in enumerate(ids)))
    server = _odoo_log(tmp_path, ids)
    readers, notes = aligned_settings([log, server], None, ReaderSettings())
    assert readers.export_utc_offsets == {"middleware.jsonl": 7200.0}
    assert any("middleware.jsonl" in n and "UTC+2h" in n for n in notes)
    for columnar in (True, False):
        frame = read_frame([log], settings=readers, columnar=columnar)
        assert float(frame.events["ts"].min()) == START.timestamp()


def test_nothing_aligned_leaves_json_and_jvm_times_utc(tmp_path: Path) -> None:
    log = tmp_path / "middleware.jsonl"
    log.write_text("".join(json.dumps({"time": f"2026-01-05 10:{i:02d}:00", "flow": "orders", "status": "ok",
                                       "message_id": x}) + "\n" for i, x in enumerate(_ids(30))))
    readers, notes = aligned_settings([log], None, ReaderSettings(), timezone="Europe/Paris")
    assert not readers.export_utc_offsets and not readers.naive_time_zones
    assert any("middleware.jsonl: naive times read as UTC" in n for n in notes)


def _jvm(tmp: Path, ids: list[str], offset_h: float, trace: bool = True) -> Path:
    lines = []
    for i, x in enumerate(ids):
        local = (START + timedelta(hours=7 * i + offset_h)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        lines.append(f"[{local}] INFO [odoo-sink|task-0] Delivered order message {x} to Odoo "
                     f"(com.acme.connect.OdooSinkTask:88)")
        if trace and i % 3 == 0:
            lines += [f"[{local}] ERROR [odoo-sink|task-0] Failed to deliver {x} (com.acme.connect.OdooSinkTask:90)",
                      "java.net.SocketTimeoutException: Read timed out", "\tat java.net.Socket.read(Socket.java:1)",
                      "\tat com.acme.connect.OdooSinkTask.put(OdooSinkTask.java:90)"]
    path = tmp / "connect.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_jvm_log_with_naive_times_is_aligned_on_the_identifiers_its_lines_name(tmp_path: Path) -> None:
    ids = _ids(40)
    log, server = _jvm(tmp_path, ids, offset_h=-5), _odoo_log(tmp_path, ids)
    readers, notes = aligned_settings([log, server], None, ReaderSettings())
    assert readers.export_utc_offsets == {"connect.log": -18000.0}
    frame = read_frame([log], settings=readers)
    assert float(frame.events["ts"].min()) == START.timestamp()
    assert frame.stats["connect.log"].set_aside_lines == 0


def test_a_jvm_log_is_entered_by_binary_search_at_a_record_start(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "SEEK_MIN_BYTES", 1)
    log = _jvm(tmp_path, _ids(3000), offset_h=0)
    reader = JavaLogReader()
    since = (START + timedelta(hours=7 * 2000)).timestamp()
    start = base.seek_entry(reader, log, since, margin=600)
    assert start is not None and start[0] > 0
    with log.open("rb") as fh:
        fh.seek(start[0])
        assert fh.readline().startswith(b"[2")  # a record's first line, not its stack trace
    whole = [r for c in JavaLogReader().chunks(log) for r in c.rows]
    part = [r for c in JavaLogReader().chunks(log, start=start) for r in c.rows]
    assert [r for r in whole if r.ts >= since - 600] == [r for r in part if r.ts >= since - 600]
    assert len(part) < len(whole) / 2 and part == whole[len(whole) - len(part):]


def test_an_odoo_log_in_container_lines_is_the_utc_reference_too(tmp_path: Path) -> None:
    ids = _ids(40)
    log = tmp_path / "middleware.jsonl"
    log.write_text("".join(json.dumps({
        "time": (START + timedelta(hours=7 * i + 2)).strftime("%Y-%m-%d %H:%M:%S"), "flow": "orders",
        "status": "ok", "message_id": x}) + "\n" for i, x in enumerate(ids)))
    bare = _odoo_log(tmp_path, ids).read_text().splitlines()
    server = tmp_path / "odoo-0.log"
    server.write_text("".join(f"2026-01-05T00:00:00.000000000Z stderr F {t}\n" for t in bare))
    (tmp_path / "odoo-server.log").unlink()
    readers, _notes = aligned_settings([log, server], None, ReaderSettings())
    assert readers.export_utc_offsets == {"middleware.jsonl": 7200.0}
