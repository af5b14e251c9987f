"""The hostile-input checklist of issue #13, run as a user runs the CLI: every input through
`triage detect`, `triage batch`, `triage match partners` and `triage eval`, storing on SQLite or
PostgreSQL (`--database-url` / TRIAGE_DATABASE_URL).

    python benchmarks/hostile_checklist.py                       # SQLite in a temporary folder
    python benchmarks/hostile_checklist.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

A case passes when the command ends with its documented exit code (0, 3 for batch with actionable
groups, 2 for refused input such as a FIFO), prints no traceback, finishes inside the timeout, and
its line counts add up (lines read = parsed + set aside + blank).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

TIMEOUT = 300
GOOD = 200
T0 = datetime(2026, 4, 20, tzinfo=UTC)

JSON_HOSTILE = {
    "ts 1e300": b'{"ts": 1e300, "flow": "x", "status": "ok"}',
    "ts -1e15": b'{"ts": -1e15, "flow": "x", "status": "ok"}',
    "year 0001 +14:00": b'{"ts": "0001-01-01T00:00:00+14:00", "flow": "x", "status": "ok"}',
    "9999-12-31": b'{"ts": "9999-12-31T23:59:59Z", "flow": "x", "status": "ok"}',
    "http 70000": b'{"ts": "2026-04-21T10:00:00Z", "flow": "x", "status": "error", "http_status": 70000}',
    "retry 70000": b'{"ts": "2026-04-21T10:00:00Z", "flow": "x", "status": "retry", "retry": 70000}',
    "NUL": b'{"ts": "2026-04-21T10:00:00Z", "flow": "x\\u0000y", "status": "error", "error": "a\\u0000b"}',
    "blank lines": b"\n\n",
}
CSV_HOSTILE = {
    "ts 1e300": "1e300,x,ok,,0", "ts -1e15": "-1e15,x,ok,,0", "year 0001 +14:00": "0001-01-01T00:00:00+14:00,x,ok,,0",
    "9999-12-31": "9999-12-31 23:59:59,x,ok,,0", "http 70000": "2026-04-21 10:00:00,x,error,70000,0",
    "retry 70000": "2026-04-21 10:00:00,x,retry,,70000", "NUL": "2026-04-21 10:00:00,x\x00y,error,,0",
    "blank lines": "\n",
}


def _good_jsonl(n: int = GOOD) -> list[bytes]:
    return [json.dumps({"ts": (T0 + timedelta(minutes=15 * i)).isoformat(), "flow": "orders", "status":
                        "error" if i % 50 == 0 else "ok", "error": "HTTP 502 Bad Gateway" if i % 50 == 0 else None,
                        "latency_ms": 120 + i % 9}).encode() for i in range(n)]


def _good_csv(n: int = GOOD) -> list[str]:
    return [f"{(T0 + timedelta(minutes=15 * i)):%Y-%m-%d %H:%M:%S},orders,{'error' if i % 50 == 0 else 'ok'},"
            f"{502 if i % 50 == 0 else 200},0" for i in range(n)]


def cases(tmp: Path) -> list[tuple[str, str, Path]]:
    """(case, kind, path): kind is log, batch or records."""
    out: list[tuple[str, str, Path]] = []
    for name, line in JSON_HOSTILE.items():
        lines = _good_jsonl()
        lines.insert(GOOD // 2, line)
        p = tmp / f"jsonl-{len(out)}" / "logs" / "mw.jsonl"
        p.parent.mkdir(parents=True)
        p.write_bytes(b"\n".join(lines) + b"\n")
        out.append((f"JSONL {name}", "log", p))
    for name, row in CSV_HOSTILE.items():
        rows = _good_csv()
        rows.insert(GOOD // 2, row)
        p = tmp / f"csv-{len(out)}" / "logs" / "mw.csv"
        p.parent.mkdir(parents=True)
        p.write_text("timestamp,flow,status,http_status,retry\n" + "\n".join(rows) + "\n", encoding="utf-8")
        out.append((f"CSV {name}", "log", p))
    p = tmp / "bom-jsonl" / "logs" / "mw.jsonl"
    p.parent.mkdir(parents=True)
    p.write_bytes(b"\xef\xbb\xbf" + b"\n".join(_good_jsonl()) + b"\n")
    out.append(("BOM on JSONL", "log", p))
    p = tmp / "bom-csv" / "logs" / "mw.csv"
    p.parent.mkdir(parents=True)
    p.write_bytes(b"\xef\xbb\xbf" + ("timestamp,flow,status,http_status,retry\n" + "\n".join(_good_csv()) + "\n")
                  .encode())
    out.append(("BOM on CSV", "log", p))
    p = tmp / "latin1-csv" / "logs" / "mw.csv"
    p.parent.mkdir(parents=True)
    rows = [r.replace("orders", "commandes_réglées") for r in _good_csv()]
    p.write_bytes(("timestamp,flow,status,http_status,retry\n" + "\n".join(rows) + "\n").encode("cp1252"))
    out.append(("latin-1/cp1252 CSV", "log", p))
    p = tmp / "fifo" / "logs" / "mw.jsonl"
    p.parent.mkdir(parents=True)
    os.mkfifo(p)
    out.append(("FIFO", "log", p))
    # batches: the same hostile values in failed rows
    for name, line in JSON_HOSTILE.items():
        p = tmp / f"batch-{len(out)}.jsonl"
        p.write_bytes(b'{"error": "ValidationError: VAT invalid", "record": "res.partner:7"}\n' + line + b"\n"
                      + b'{"error": "ValidationError: VAT invalid", "record": "res.partner:8"}\n')
        out.append((f"batch JSONL {name}", "batch", p))
    p = tmp / "batch-bom.csv"
    p.write_bytes(b"\xef\xbb\xbfline,error\n1,timeout\n\n2,timeout\x00\n")
    out.append(("batch BOM + NUL + blank CSV", "batch", p))
    p = tmp / "batch-latin1.csv"
    p.write_bytes("line,error\n1,Straße ungültig\n2,Straße ungültig\n".encode("cp1252"))
    out.append(("batch latin-1 CSV", "batch", p))
    p = tmp / "batch-fifo.csv"
    os.mkfifo(p)
    out.append(("batch FIFO", "batch", p))
    # records
    base = "id,name,email,vat\n1,Acme GmbH,a@acme.de,DE1\n2,ACME GmbH,b@acme.de,DE1\n"
    for name, extra in {"NUL": "3,Nul\x00Co,n@n.de,\n", "blank lines": "\n\n3,Third,t@t.de,\n",
                        "bad id": "abc,Bad,x@y.z,\n", "duplicate id": "2,Dup,,\n", "truncated": '3,"Trunc'}.items():
        p = tmp / f"records-{len(out)}.csv"
        p.write_text(base + extra, encoding="utf-8")
        out.append((f"records {name}", "records", p))
    p = tmp / "records-bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + base.encode())
    out.append(("records BOM", "records", p))
    p = tmp / "records-latin1.csv"
    p.write_bytes((base + "3,Müller Söhne,m@m.de,\n").encode("cp1252"))
    out.append(("records latin-1", "records", p))
    p = tmp / "records-fifo.csv"
    os.mkfifo(p)
    out.append(("records FIFO", "records", p))
    return out


def _run(args: list[str], env: dict[str, str]) -> tuple[int | None, str, str]:
    try:
        r = subprocess.run([sys.executable, "-m", "odoo_triage.app.cli", *args], capture_output=True, text=True,
                           timeout=TIMEOUT, env=env, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timeout"


def _counts_add_up(stdout: str) -> bool:
    try:
        data = json.loads(stdout[stdout.index("{"):])
    except ValueError:
        return False
    files = data.get("files") or next(iter(data.values()), {}).get("files", {})
    return bool(files) and all(f["lines"] == f["parsed_lines"] + f["set_aside_lines"] + f["blank"]
                               for f in files.values())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        db = args.database_url or f"sqlite:///{tmp / 'hostile.db'}"
        env = {**os.environ, "TRIAGE_DATABASE_URL": db}
        for case, kind, path in cases(tmp):
            runs: list[tuple[str, list[str], set[int]]] = []
            fifo = "FIFO" in case
            if kind == "log":
                folder = path.parent.parent
                (folder / "labels").mkdir(exist_ok=True)
                (folder / "labels" / "incidents.jsonl").write_text("")
                runs.append(("detect", ["detect", str(path), "--format", "json", "--database-url", db],
                             {2} if fifo else {0}))
                runs.append(("eval", ["eval", "--labels", str(folder), "--format", "json", "--database-url", db],
                             {2} if fifo else {0}))
            elif kind == "batch":
                runs.append(("batch", ["batch", str(path), "--format", "json", "--store", "--database-url", db],
                             {2} if fifo else {0, 3}))
            else:
                runs.append(("match", ["match", "partners", str(path), "--format", "json", "--database-url", db],
                             {2} if fifo else {0}))
            for cmd, argv, ok_codes in runs:
                code, out, err = _run(argv, env)
                crashed = "Traceback" in err or "Traceback" in out
                counted = True if cmd not in ("detect", "eval") or fifo else _counts_add_up(out)
                ok = code in ok_codes and not crashed and counted
                results.append({"case": case, "command": cmd, "exit": code, "ok": ok, "counts_add_up": counted,
                                "error": "" if ok else (err.strip().splitlines() or [""])[-1][:200]})
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in results:
            print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['command']:7} exit {r['exit']!s:4} {r['case']}"
                  + (f"  <- {r['error']}" if r["error"] else ""))
        print(f"{sum(r['ok'] for r in results)}/{len(results)} passed")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
