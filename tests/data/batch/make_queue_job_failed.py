"""How tests/data/batch/queue_job_failed.csv was made (the CSV is committed; run from the repo root to
regenerate it): 4 signatures, a started job, done jobs, a failed job without text, a cut row.
The expected groups are in queue_job_failed.labels.json."""

import csv
import io
import uuid
from pathlib import Path

COLUMNS = ["uuid", "name", "model_name", "method_name", "state", "exc_name", "exc_message", "exc_info",
           "date_created", "channel", "retry", "max_retries", "records"]
OUT = Path(__file__).parent / "queue_job_failed.csv"


def job_uuid(tag: str, i: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"batch/{tag}/{i}"))


def traceback(name: str, msg: str) -> str:
    return ('Traceback (most recent call last):\n  File "/opt/odoo/addons/invoice_export/models/account_move.py", '
            f"line 88, in _export\n    resp.raise_for_status()\n{name}: {msg}")


def row(tag: str, i: int, state: str, exc_name: str, msg: str, move: int) -> dict[str, str]:
    return {"uuid": job_uuid(tag, i), "name": f"Export invoice {move}", "model_name": "account.move",
            "method_name": "_export_to_platform", "state": state, "exc_name": exc_name, "exc_message": msg,
            "exc_info": traceback(exc_name, msg) if msg else "", "date_created": f"2026-11-02 09:{10 + i:02d}:00",
            "channel": "root.invoice_export", "retry": "5", "max_retries": "5", "records": f"account.move({move},)"}


def build() -> str:
    out = []
    for i in range(7):  # rate limit; the 4th is started (requeued by hand, running now)
        out.append(row("rate", i, "started" if i == 3 else "failed", "requests.exceptions.HTTPError",
                       f"429 Client Error: Too Many Requests for url: https://api.invoicing.example/v2/invoices/{5100 + i}",
                       1100 + i))
        if i == 2:
            out.append(row("done", 0, "done", "", "", 1200))
    for i in range(4):  # expired api key
        out.append(row("auth", i, "failed", "odoo.exceptions.AccessDenied",
                       "Invalid apikey: the key of user export-bot expired on 2026-11-01", 1300 + i))
    for i in range(3):  # validation
        out.append(row("vat", i, "failed", "odoo.exceptions.ValidationError",
                       f"Invoice INV/2026/{40 + i:04d}: the VAT number BE04774727{10 + i} of the customer is not valid",
                       1400 + i))
        if i == 1:
            out.append(row("nomsg", 0, "failed", "", "", 1450))
    for i in range(3):  # outage
        out.append(row("down", i, "failed", "requests.exceptions.ConnectionError",
                       "HTTPSConnectionPool(host='api.invoicing.example', port=443): Max retries exceeded with url: "
                       "/v2/invoices (Caused by NewConnectionError('Failed to establish a new connection: "
                       "[Errno 111] Connection refused'))", 1500 + i))
    out.append(row("done", 1, "done", "", "", 1201))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(out)
    lines = buf.getvalue().split("\n")
    # one truncated row (an export cut mid-line), just before the outage group
    at = next(n for n, line in enumerate(lines) if job_uuid("down", 0) in line)
    lines.insert(at, f"{job_uuid('cut', 0)},Export invoice 1600,account.move,_export_to_platform,failed,"
                     "requests.exceptions.HTTPError")
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(build())
