"""An Odoo server or a JVM in a container (#13): its log as kubelet (CRI) or Docker's json-file driver
leaves it, each line wrapped, tracebacks and stack traces folded as in a bare file, no mapping needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import base, detect_format, make_reader

ODOO = [
    "2026-10-01 {hh:02d}:{mm:02d}:00,120 1 INFO prod odoo.addons.sale_sync.models.order: order {m} synced",
    "2026-10-01 {hh:02d}:{mm:02d}:30,500 1 ERROR prod odoo.addons.sale_sync.models.order: sync failed",
    "Traceback (most recent call last):",
    '  File "/mnt/extra-addons/sale_sync/models/order.py", line 88, in _push',
    "odoo.exceptions.ValidationError: Customer {m} has no VAT",
]


def _odoo_lines(n: int) -> list[str]:
    out = []
    for m in range(n):
        at = {"m": m, "hh": 10 + m // 60, "mm": m % 60}
        out += [ODOO[0].format(**at)] + ([t.format(**at) for t in ODOO[1:]] if m % 4 == 0 else [])
    return out


def _cri(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"2026-10-01T10:{i // 60:02d}:{i % 60:02d}.{i:09d}Z stderr F {t}\n"
                            for i, t in enumerate(lines)))
    return path


def _docker(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(json.dumps({"log": t + "\n", "stream": "stderr",
                                        "time": f"2026-10-01T10:00:{i % 60:02d}.5Z"}) + "\n"
                            for i, t in enumerate(lines)))
    return path


def _read(path: Path):
    reader = make_reader(detect_format(path))
    chunks = list(reader.chunks(path))
    return reader, [r for c in chunks for r in c.rows], chunks


@pytest.mark.parametrize("wrap", [_cri, _docker])
def test_odoo_server_log_in_a_container(tmp_path, wrap):
    lines = _odoo_lines(20)
    p = wrap(tmp_path / "odoo-7d9f_prod_odoo-abc.log", lines)
    assert detect_format(p) == "container"
    reader, rows, chunks = _read(p)
    assert reader.line_shape.endswith("odoo_log")
    assert sum(c.lines for c in chunks) == len(lines) and sum(c.set_aside for c in chunks) == 0
    failed = [r for r in rows if r.status == "error"]
    assert len(rows) == 25 and len(failed) == 5
    assert failed[0].error == "odoo.exceptions.ValidationError: Customer 0 has no VAT"
    assert failed[0].line_no == 2 and rows[0].ts == 1790848800.12  # the Odoo log's own time (UTC)
    again = reader.row_at(p, failed[1].offset, failed[1].line_no)
    assert again == failed[1]


def test_kafka_connect_on_kubernetes(tmp_path):
    lines = []
    for m in range(10):
        lines.append(f"[2026-10-01 10:{m:02d}:00,000] INFO [odoo-sink|task-0] Delivered batch {m} "
                     "(com.acme.OdooSinkTask:51)")
        if m % 3 == 0:
            lines += [f"[2026-10-01 10:{m:02d}:05,000] ERROR [odoo-sink|task-0] Task threw an uncaught exception "
                      "(org.apache.kafka.connect.runtime.WorkerSinkTask:612)",
                      "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask",
                      "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:612)",
                      "Caused by: java.net.SocketTimeoutException: Read timed out"]
    p = _cri(tmp_path / "connect-0.log", lines)
    reader, rows, chunks = _read(p)
    assert reader.line_shape == "cri + java_log"
    assert sum(c.lines for c in chunks) == len(lines) and sum(c.set_aside for c in chunks) == 0
    failed = [r for r in rows if r.status == "error"]
    assert len(failed) == 4 and failed[0].error == "java.net.SocketTimeoutException: Read timed out"
    assert {r.flow for r in rows} == {"odoo-sink"}


def test_a_container_log_is_read_through_the_frame_and_entered_by_binary_search(tmp_path, monkeypatch):
    p = _cri(tmp_path / "odoo.log", _odoo_lines(600))
    frame = read_frame([p])
    assert len(frame.events) == 750 and frame.stats["odoo.log"].set_aside_lines == 0
    monkeypatch.setattr(base, "SEEK_MIN_BYTES", 1)
    reader = make_reader("container")
    since = frame.events["ts"].sort_values().iloc[500]
    start = base.seek_entry(reader, p, float(since), margin=60)
    assert start is not None and start[0] > 0
    part = [r for c in make_reader("container").chunks(p, start=start) for r in c.rows]
    whole = [r for c in make_reader("container").chunks(p) for r in c.rows]
    assert part == whole[len(whole) - len(part):] and all(r.ts < since - 60 for r in whole[: len(whole) - len(part)])


def test_app_json_in_a_container_stays_jsonl_or_prefixed(tmp_path):
    app = [json.dumps({"ts": f"2026-10-01T10:{i:02d}:00Z", "flow": "orders", "status": "ok"}) for i in range(10)]
    assert detect_format(_docker(tmp_path / "a.log", app)) == "jsonl"
    assert detect_format(_cri(tmp_path / "b.log", app)) == "prefixed"


def test_a_jvms_naive_local_times_are_put_on_the_runtimes_utc(tmp_path):
    """The JVM writes its zone's wall time (here UTC+2), kubelet the line's UTC time: the offset between them."""
    from odoo_triage.core.domain import FlowInfo
    from odoo_triage.detectors.readers.flows import FlowCatalog

    lines = [f"2026-10-01T08:{m:02d}:00.{m:03d}000000Z stdout F 2026-10-01 10:{m:02d}:00.{m:03d} [pool-1] INFO "
             f"com.acme.sync.OrderSync - order {m} synced" for m in range(30)]
    p = tmp_path / "sync-0.log"
    p.write_text("\n".join(lines) + "\n")
    flows = FlowCatalog([FlowInfo(name="order_sync", source_system="shop", target_system="Odoo", owner="ops",
                                  loggers=["com.acme.sync"])])
    reader = make_reader(detect_format(p), catalog=flows)
    rows = [r for c in reader.chunks(p) for r in c.rows]
    assert reader.line_shape == "cri + java_log"
    assert reader.inner.settings.export_utc_offsets == {"sync-0.log": 7200.0}
    assert len(rows) == 30 and rows[0].ts == 1790841600.0 and {r.flow for r in rows} == {"order_sync"}


def test_without_flows_json_a_jvm_apps_lines_are_the_files_flow(tmp_path):
    lines = [f"2026-10-01 10:{m:02d}:00.000 [pool-1] {'ERROR' if m % 5 == 0 else 'INFO'} "
             f"com.acme.sync.OrderSync - order {m}" for m in range(20)]
    bare = tmp_path / "order-sync.log"
    bare.write_text("\n".join(lines) + "\n")
    wrapped = _cri(tmp_path / "order-sync-0.log", lines)
    for p, flow in ((bare, "order-sync"), (wrapped, "order-sync-0")):
        reader = make_reader(detect_format(p))
        chunks = list(reader.chunks(p))
        rows = [r for c in chunks for r in c.rows]
        assert len(rows) == 20 and {r.flow for r in rows} == {flow} and rows[0].status == "error"
        assert any("became its own flow" in k for c in chunks for k in c.unattributed)
