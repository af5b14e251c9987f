"""Every secret shape of tests/data/secrets/corpus.jsonl, planted in every input format (JSONL, CSV,
Odoo server log, queue.job export), is found in no sink: the store's tables, `triage detect` and
`triage triage` JSON on stdout, the prompts a loopback OpenAI-compatible server receives, the
--rejected-file, the digest, the audit log and the console's data functions."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from typer.testing import CliRunner

from odoo_triage.agent.store import open_store
from odoo_triage.app.cli import app
from odoo_triage.app.console import data as console_data
from tests.fake_openai import FakeOpenAI, Reply
from tests.injected_world import injected_world

CORPUS = [json.loads(line) for line in (Path(__file__).parent / "data" / "secrets" / "corpus.jsonl")
          .read_text().splitlines() if line.strip()]
FORMATS = ("planted-sec.jsonl", "planted-sec.csv", "planted-sec-odoo-server.log", "planted-sec_queue_job.csv")


SINKS: list[str] = []


def leaks(where: str, blob: str) -> list[str]:
    SINKS.append(where)
    return [f"{c['shape']} in {where}" for c in CORPUS if c["secret"] in blob]


@pytest.fixture(autouse=True)
def _loopback_env(monkeypatch):
    for var in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "TRIAGE_OPENAI_MODEL", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_planted_secrets_reach_no_sink(tmp_path, monkeypatch, fixed_clock):
    fixed_clock.at = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # the morning after the world ends
    world = injected_world(tmp_path / "world", [c["text"] for c in CORPUS], "sec")
    logs = world / "logs"
    raw = "".join((logs / f).read_text() for f in FORMATS)
    planted = [c["shape"] for c in CORPUS if c["secret"] in raw]
    assert len(planted) == len(CORPUS)  # every shape is in the input, in every format
    for f in FORMATS:
        assert all(c["secret"] in (logs / f).read_text() for c in CORPUS), f
    url = f"sqlite:///{tmp_path / 'sinks.db'}"
    runner = CliRunner()
    found: list[str] = []

    rejected = tmp_path / "rejected.jsonl"
    r = runner.invoke(app, ["detect", str(logs), "--format", "json", "--database-url", url,
                            "--rejected-file", str(rejected)])
    assert r.exit_code == 0, r.output
    detect_out = json.loads(r.stdout[r.stdout.index("{"):])
    assert any("planted-sec" in a["reason"] or any("planted-sec" in e for e in a["evidence_event_ids"])
               for a in detect_out["anomalies"])
    assert "planted-sec" in rejected.read_text()  # the planted broken lines were set aside
    found += leaks("detect stdout", r.stdout) + leaks("--rejected-file", rejected.read_text())

    # a model answer is hostile text too: this one echoes secret-shaped strings into every field
    echo = " | ".join(c["text"] for c in CORPUS)
    answer = {"summary": echo, "probable_cause": "unknown", "business_impact": echo, "evidence_ids": [],
              "actions": [{"action": "escalate", "params": {"flow": "crm_partner_sync", "owner": "x",
                                                            "message": echo[:3900]}, "rationale": echo}],
              "confidence": 0.1}
    with FakeOpenAI([Reply(answer)]) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-real")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        r = runner.invoke(app, ["triage", str(logs), "--flows", str(world / "flows.json"), "--provider", "openai",
                                "--format", "json", "--database-url", url])
        assert r.exit_code == 0, r.output
    prompts = json.dumps(fake.requests)
    assert "planted-sec" in prompts and len(fake.requests) >= 4  # the planted lines were in the prompts
    found += leaks("triage stdout", r.stdout) + leaks("prompts", prompts)

    digest = tmp_path / "digest.html"
    r = runner.invoke(app, ["digest", "--since", "2026-10-25", "--format", "html", "--out", str(digest),
                            "--database-url", url])  # (--logs only adds hourly figures: numbers, no text)
    assert r.exit_code == 0, r.output
    assert "planted-sec" in digest.read_text() or "payroll_export" in digest.read_text()
    found += leaks("digest", digest.read_text())
    r = runner.invoke(app, ["audit", "--format", "json", "--database-url", url])
    found += leaks("audit stdout", r.stdout)
    for name in ("planted-sec_queue_job.csv", "planted-sec.csv", "planted-sec.jsonl"):
        r = runner.invoke(app, ["batch", str(logs / name), "--format", "json"])
        assert r.exit_code in (0, 3), r.output
        assert "signature" in r.stdout or "groups" in r.stdout
        found += leaks(f"batch stdout ({name})", r.stdout)

    store = open_store(url)
    tables = sa_inspect(store.engine).get_table_names()
    with store.engine.connect() as conn:
        dump = {t: [dict(row._mapping) for row in conn.execute(text(f'SELECT * FROM "{t}"'))] for t in tables}
    assert dump["anomalies"] and dump["incidents"] and dump["audit_log"]
    for table, rows in dump.items():
        found += leaks(f"store table {table}", json.dumps(rows, default=str))
    queue = console_data.incident_queue(store)
    views = [console_data.incident_detail(store, i) for i in queue["incident_id"]]
    console_blob = queue.to_json(date_format="iso") + console_data.audit_rows(store).to_json(date_format="iso") + json.dumps(
        [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else repr(v) for v in views], default=str)
    assert "planted-sec" in console_blob
    found += leaks("console data", console_blob)
    store.dispose()
    sinks = len(SINKS)
    sys.stdout.write(f"\nFIGURE planted secrets: {len(CORPUS)} shapes x {len(FORMATS)} formats, "
                     f"{sinks} sinks grepped ({', '.join(SINKS)}), found: {len(found)} of {len(CORPUS) * sinks}\n")
    assert found == []
