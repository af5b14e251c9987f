"""A small generated world with hostile text planted in every log format (JSONL, CSV, Odoo server
log, queue.job export): error bursts that carry an instruction to the model, or secrets.

Each planted file is a burst of failures on an existing flow inside the detection window, so the
detectors flag it and its lines become incident evidence, titles, signatures and prompts.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from odoo_triage.sim.world import generate_world

BURST_AT = datetime(2026, 10, 31, 10, 0, tzinfo=UTC)
BURST = 16
QUEUE_HEADER = ["uuid", "name", "model_name", "method_name", "func_string", "state", "priority", "exc_name",
                "exc_message", "exc_info", "retry", "max_retries", "channel", "date_created", "date_enqueued",
                "date_started", "date_done", "exec_time", "records"]
CSV_HEADER = ["timestamp", "flow", "source", "target", "operation", "status", "latency_ms", "http_status", "error",
              "retry", "correlation_id", "idempotency_key", "record_ids"]


def _ts(i: int) -> datetime:
    return BURST_AT + timedelta(minutes=2 * i, seconds=7)


def plant(logs: Path, texts: list[str], tag: str) -> list[Path]:
    """Write one burst file per format; line i carries texts[i % len(texts)] (every text at least once)."""
    burst = max(BURST, len(texts))
    out = []
    jl = logs / f"planted-{tag}.jsonl"
    jl.write_text("".join(json.dumps({
        "ts": _ts(i).isoformat().replace("+00:00", "Z"), "flow": "crm_partner_sync", "source": "crm", "target": "odoo",
        "operation": "upsert res.partner", "status": "error", "latency_ms": 90.0, "http_status": 502,
        "error": f"upstream rejected the call: {texts[i % len(texts)]}", "retry": 0,
        "correlation_id": f"c-{tag}-{i}", "idempotency_key": None, "record_ids": [],
        "message_id": f"m-{tag}-{i}"}) + "\n" for i in range(burst)) + texts[0][:60] + " {not json\n")
    out.append(jl)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for i in range(burst):
        w.writerow([_ts(i).isoformat().replace("+00:00", "Z"), "psa_timesheet_import", "psa", "odoo",
                    "create account.analytic.line", "error", "120.0", "422",
                    f"timesheet refused: {texts[i % len(texts)]}", "0", f"c-{tag}-csv-{i}", "", ""])
    buf.write(f"{_ts(0).isoformat()},psa_timesheet_import,{texts[0]}\n")  # a truncated row: set aside
    (logs / f"planted-{tag}.csv").write_text(buf.getvalue())
    out.append(logs / f"planted-{tag}.csv")
    lines = []
    for i in range(burst):
        t = _ts(i).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        msg = texts[i % len(texts)]
        lines += [f"{t} 4791 ERROR prod odoo.addons.payroll_export.models.payroll_batch: export failed: {msg} 10 0.1 0.2",
                  "Traceback (most recent call last):",
                  '  File "/opt/odoo/addons/payroll_export/models/payroll_batch.py", line 148, in _export_batch',
                  "    raise ValidationError(msg)",
                  f"odoo.exceptions.ValidationError: {msg}"]
    lines.append(f"{_ts(0).strftime('%Y-%m-%d %H:%M')}\ufffd\ufffd {texts[0][:80]}")  # garbled: set aside
    (logs / f"planted-{tag}-odoo-server.log").write_text("\n".join(lines) + "\n")
    out.append(logs / f"planted-{tag}-odoo-server.log")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(QUEUE_HEADER)
    for i in range(burst):
        t = _ts(i).strftime("%Y-%m-%d %H:%M:%S")
        w.writerow([str(uuid.UUID(int=0xABC000 + i + 1000 * len(tag))), "Export invoice to finance", "account.move",
                    "_export_to_finance", f"account.move({41000 + i},)._export_to_finance()", "failed", "10",
                    "odoo.exceptions.UserError", texts[i % len(texts)], f"Traceback ...\nUserError: {texts[i % len(texts)]}",
                    "5", "5", "root.invoice_export", t, t, t, "", "0.5", f"account.move({41000 + i},)"])
    (logs / f"planted-{tag}_queue_job.csv").write_text(buf.getvalue())
    out.append(logs / f"planted-{tag}_queue_job.csv")
    return out


def injected_world(folder: Path, texts: list[str], tag: str, seed: int = 5) -> Path:
    """The world folder, with `texts` planted in every log format."""
    generate_world(folder, seed=seed, events=4000, partners=200)
    plant(folder / "logs", texts, tag)
    return folder
