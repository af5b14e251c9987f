"""The daily digest: sections and numbers from a seeded store, the diff, charts, SMTP delivery."""

from __future__ import annotations

import base64
import re
import socketserver
import sys
import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from sqlalchemy import select

from odoo_triage.agent.store.tables import DigestRow, DuplicateClusterRow, IncidentRow, ProposalRow
from odoo_triage.app.digest import SmtpConfig, build_digest, parse_since, render_html, save_digest
from odoo_triage.core.errors import InputError

NOW = datetime(2026, 11, 3, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def digest_clock(fixed_clock):
    """The seeded rows are dated against NOW, so the CLI must count back from NOW too."""
    fixed_clock.at = NOW
    return fixed_clock
SINCE = NOW - timedelta(hours=24)


def add_incident(s, iid, severity, status, created, flow="invoice_export", cause="rate_limit", score=0.5):
    s.add(IncidentRow(incident_id=iid, title=f"{flow} {iid}", flow=flow, severity=severity, severity_score=score,
                      cause=cause, status=status, window_start=created, window_end=created,
                      data={"summary": f"summary of {iid}"}, created_at=created, updated_at=created))


def seed(store):
    with store.session() as s:
        add_incident(s, "inc-new-crit", "critical", "open", NOW - timedelta(hours=2), score=0.95)
        add_incident(s, "inc-new-high", "high", "proposed", NOW - timedelta(hours=5), flow="crm_partner_sync",
                     cause="credential_auth")
        add_incident(s, "inc-new-low", "low", "resolved", NOW - timedelta(hours=10))  # new, already resolved
        add_incident(s, "inc-old-med", "medium", "open", NOW - timedelta(days=3))  # ongoing
        add_incident(s, "inc-old-closed", "high", "resolved", NOW - timedelta(days=4))  # not news
        for pid, inc, status, age_h in [("p-1", "inc-new-high", "proposed", 4), ("p-2", "inc-old-med", "proposed", 50),
                                        ("p-3", "inc-new-crit", "approved", 1), ("p-4", "inc-old-closed", "executed", 90)]:
            s.add(ProposalRow(proposal_id=pid, incident_id=inc, action="requeue_jobs", payload={}, payload_hash="h",
                              status=status, proposed_by="triage-agent", created_at=NOW - timedelta(hours=age_h),
                              updated_at=NOW - timedelta(hours=age_h)))
        s.add(DuplicateClusterRow(cluster_id="c-new", model="res.partner", probability=0.97,
                                  data={"record_ids": [12, 57], "reason": "same VAT"}, created_at=NOW - timedelta(hours=3)))
        s.add(DuplicateClusterRow(cluster_id="c-old", model="project.project", probability=0.8,
                                  data={"record_ids": [3, 4]}, created_at=NOW - timedelta(days=9)))


def hourly_stats() -> pd.DataFrame:
    """Two flows over 10 days; invoice_export's error rate jumps in the last 24 h."""
    rng = np.random.default_rng(3)
    hours = pd.date_range(NOW - timedelta(days=10), NOW - timedelta(hours=1), freq="h", tz="UTC")
    rows = []
    for flow in ("invoice_export", "crm_partner_sync"):
        for h in hours:
            recent = h >= NOW - timedelta(hours=24)
            err = 0.30 if (flow == "invoice_export" and recent) else 0.01 + rng.uniform(0, 0.01)
            rows.append({"flow": flow, "hour": h, "volume": 100 + rng.integers(0, 10), "error_rate": err,
                         "p95_ms": 300 + rng.uniform(0, 30)})
    return pd.DataFrame(rows)


def test_parse_since():
    assert parse_since("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_since("7d", NOW) == NOW - timedelta(days=7)
    assert parse_since("2026-11-01", NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T06:30:00+01:00", NOW) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    for bad in ("yesterday", "24x", "2027-01-01"):
        with pytest.raises(InputError):
            parse_since(bad, NOW)


def test_digest_numbers_from_the_store(store):
    seed(store)
    d = build_digest(store, SINCE, now=NOW, charts=False)
    # only open work is listed; the new incident that is already resolved ended in the window
    assert [i["incident_id"] for i in d.new_incidents] == ["inc-new-crit", "inc-new-high"]
    assert [i["incident_id"] for i in d.ongoing_incidents] == ["inc-old-med"]
    assert [i["incident_id"] for i in d.ended] == ["inc-new-low"]
    assert next(i for i in d.incidents if i["incident_id"] == "inc-old-med")["age_h"] == 72.0  # since it started
    f = d.figures
    assert f["new_by_severity"] == {"critical": 1, "high": 1, "medium": 0, "low": 0}
    assert f["open_by_severity"] == {"critical": 1, "high": 1, "medium": 1, "low": 0}
    assert f["incidents_open"] == 3
    assert [(p["proposal_id"], p["age_h"]) for p in d.proposals_waiting] == [("p-2", 50.0), ("p-1", 4.0)]
    assert f["oldest_waiting_h"] == 50.0 and f["proposals_approved_not_executed"] == 1
    assert (f["duplicate_clusters_new"], f["duplicate_clusters_total"]) == (1, 2)
    assert d.changes == ["First digest: nothing to compare with yet."]


def test_html_sections_numbers_and_embedded_charts(sqlite_store):
    seed(sqlite_store)
    d = build_digest(sqlite_store, SINCE, now=NOW, flow_stats=hourly_stats())
    page = render_html(d)
    for section in ("open-incidents", "flows", "duplicates", "proposals", "changes"):
        assert f"id='{section}'" in page
    assert page.index("id='open-incidents'") < page.index("id='flows'")  # leads with the open work
    assert "Open incidents (3)" in page and "1 incident(s) left the open work: 1 resolved." in page
    assert "Proposals waiting for approval (2 in 2 batch(es))" in page
    assert "Duplicates found (1 new, 2 in total)" in page
    assert "res.partner: 1 cluster(s), 2 records, 1 new" in page  # one line per model
    assert "3 open incident(s) (1 critical, 1 high, 1 medium), 2 new" in page
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(imgs) == 2
    assert all(base64.b64decode(i).startswith(b"\x89PNG") and len(i) > 2000 for i in imgs)
    inv = next(f for f in d.flows if f.flow == "invoice_export")
    crm = next(f for f in d.flows if f.flow == "crm_partner_sync")
    assert inv.error_rate == pytest.approx(0.30)
    assert "error_rate" in inv.out_of_band and crm.out_of_band == []
    assert inv.bands["error_rate"][1] < 0.03
    assert "30.0%" in page


def test_markdown_links_charts_written_next_to_it(sqlite_store, tmp_path):
    from odoo_triage.app.commands.digest import DigestFormat, write_digest

    seed(sqlite_store)
    d = build_digest(sqlite_store, SINCE, now=NOW, flow_stats=hourly_stats())
    out = tmp_path / "reports" / "digest.md"
    text = write_digest(d, DigestFormat.md, out)
    assert out.read_text() == text
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["digest_charts/crm_partner_sync.png", "digest_charts/invoice_export.png"]
    assert all((out.parent / link).read_bytes().startswith(b"\x89PNG") for link in links)
    assert "### critical (1)" in text and "| invoice_export | " in text


def test_second_digest_says_what_changed(store):
    seed(store)
    save_digest(store, build_digest(store, SINCE, now=NOW, charts=False))
    later = NOW + timedelta(hours=24)
    with store.session() as s:
        add_incident(s, "inc-next", "critical", "open", later - timedelta(hours=1))
        s.get(IncidentRow, "inc-old-med").status = "resolved"
        s.get(ProposalRow, "p-1").status = "approved"
    d2 = build_digest(store, later - timedelta(hours=24), now=later, charts=False)
    assert "open incidents: 3 -> 3 (+0)" not in d2.changes
    assert "proposals waiting: 2 -> 1 (-1)" in d2.changes
    assert "open critical: 1 -> 2 (+1)" in d2.changes
    assert "open medium: 1 -> 0 (-1)" in d2.changes
    assert "1 incident(s) opened since: inc-next" in d2.changes
    assert "1 incident(s) closed since: inc-old-med" in d2.changes
    save_digest(store, d2)
    with store.session() as s:
        assert len(s.scalars(select(DigestRow)).all()) == 2


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from odoo_triage.app.cli import main

    monkeypatch.setattr(sys, "argv", ["triage", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_cli_writes_and_stores(monkeypatch, capsys, sqlite_store, tmp_path):
    seed(sqlite_store)
    out = tmp_path / "d.html"
    code, _, err = run_cli(monkeypatch, capsys, "digest", "--since", "30d", "--format", "html",
                           "--out", str(out), "--database-url", sqlite_store.url)
    assert code == 0
    assert "d.html: 3 open incidents (2 ended), 2 proposals waiting" in err  # 30 days back: all seeded are new
    assert "<h1>Integration digest" in out.read_text()
    with sqlite_store.session() as s:
        (row,) = s.scalars(select(DigestRow)).all()
        assert row.data["incidents_open"] == 3


def test_cli_bad_since_exits_2(monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(monkeypatch, capsys, "digest", "--since", "soon",
                           "--database-url", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and "--since" in err


def test_help_documents_cron_and_smtp(monkeypatch, capsys):
    code, out, _ = run_cli(monkeypatch, capsys, "digest", "--help")
    flat = " ".join(out.split())
    assert "0 7 * * 1-5 triage digest --since 24h --format html --out /var/reports/digest.html" in flat
    assert "TRIAGE_SMTP_HOST" in flat


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        box = self.server.box  # type: ignore[attr-defined]
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-test\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                box["auth"] = base64.b64decode(cmd.split()[2]).split(b"\0")
                self.wfile.write(b"235 ok\r\n")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                box.setdefault("envelope", []).append(cmd)
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                box["data"] = b"".join(data).decode()
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 no\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.box = {}  # type: ignore[attr-defined]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


def test_send_by_smtp_never_shows_the_password(monkeypatch, capsys, sqlite_store, tmp_path, smtp_server):
    seed(sqlite_store)
    port = smtp_server.server_address[1]
    for k, v in {"TRIAGE_SMTP_HOST": "127.0.0.1", "TRIAGE_SMTP_PORT": str(port), "TRIAGE_SMTP_USER": "digest-bot",
                 "TRIAGE_SMTP_PASSWORD": "s3cret-pw", "TRIAGE_SMTP_FROM": "triage@example.com",
                 "TRIAGE_SMTP_TO": "lead@example.com, ops@example.com"}.items():
        monkeypatch.setenv(k, v)
    code, out, err = run_cli(monkeypatch, capsys, "digest", "--since", "30d", "--out", str(tmp_path / "d.html"),
                             "--database-url", sqlite_store.url, "--send")
    assert code == 0
    box = smtp_server.box
    assert box["auth"][1:] == [b"digest-bot", b"s3cret-pw"]
    assert any("lead@example.com" in c for c in box["envelope"]) and any("ops@example.com" in c for c in box["envelope"])
    assert "Subject: [odoo-triage]" in box["data"] and "text/html" in box["data"]
    assert "sent to lead@example.com, ops@example.com" in err
    assert "s3cret-pw" not in out + err
    assert "s3cret-pw" not in repr(SmtpConfig.from_env())


def test_send_failure_is_one_line_without_password(monkeypatch, capsys, sqlite_store, tmp_path):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    monkeypatch.setenv("TRIAGE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRIAGE_SMTP_PORT", str(dead_port))
    monkeypatch.setenv("TRIAGE_SMTP_TO", "lead@example.com")
    monkeypatch.setenv("TRIAGE_SMTP_PASSWORD", "s3cret-pw")
    code, out, err = run_cli(monkeypatch, capsys, "digest", "--out", str(tmp_path / "d.html"),
                             "--database-url", sqlite_store.url, "--send")
    assert code == 2 and "could not send the digest via 127.0.0.1" in err
    assert "s3cret-pw" not in out + err


def test_send_needs_configuration(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("TRIAGE_SMTP_HOST", raising=False)
    code, _, err = run_cli(monkeypatch, capsys, "digest", "--send", "--database-url", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 2 and "TRIAGE_SMTP_HOST" in err


def test_demo_stage_writes_digest_html(sqlite_store, tmp_path):
    from odoo_triage.app.commands.digest import demo_stage

    with sqlite_store.session() as s:
        add_incident(s, "inc-demo", "high", "open", NOW - timedelta(hours=1))
        s.add(ProposalRow(proposal_id="p-demo", incident_id="inc-demo", action="escalate", payload={}, payload_hash="h",
                          status="proposed", proposed_by="triage-agent"))
    ctx = SimpleNamespace(world_dir=tmp_path / "world", store=sqlite_store, console=Console(quiet=True), results={})
    line = demo_stage(ctx)
    assert line == f"digest written to {tmp_path / 'digest.html'}: 1 open incidents (0 ended), 1 proposals waiting"
    assert "inc-demo" in (tmp_path / "digest.html").read_text()


def test_input_paths_are_checked(tmp_path):
    from odoo_triage.app.digest import flow_stats_from_logs

    with pytest.raises(InputError):
        flow_stats_from_logs([tmp_path / "nope"])



def write_logs(tmp_path):
    """Ten days of a JSON-lines flow, 20 events an hour; the last day fails 40% and gets slower."""
    import json

    logs = tmp_path / "logs"
    logs.mkdir()
    start = datetime(2026, 10, 20, tzinfo=UTC)
    lines = []
    for h in range(240):
        for k in range(20):
            last_day = h >= 216
            failed = last_day and k < 8
            lines.append(json.dumps({
                "ts": (start + timedelta(hours=h, minutes=k * 3)).isoformat().replace("+00:00", "Z"),
                "flow": "crm_partner_sync", "source": "crm", "target": "odoo", "operation": "upsert res.partner",
                "status": "error" if failed else "ok", "latency_ms": (900.0 if last_day else 200.0) + k,
                "http_status": 500 if failed else 200, "error": "502 Bad Gateway" if failed else None, "retry": 0,
                "correlation_id": f"c{h}-{k}", "idempotency_key": None, "record_ids": ["res.partner:1"]}))
    lines.insert(5, "{not json")
    (logs / "middleware.jsonl").write_text("\n".join(lines) + "\n")
    (logs / "README.md").write_text("# not a log\n")
    return logs


def test_flow_figures_from_logs_with_the_detectors_readers(tmp_path):
    from odoo_triage.app.digest import flow_figures, flow_stats_from_logs

    stats = flow_stats_from_logs([write_logs(tmp_path)])
    assert stats.attrs["rejected"] == 1
    assert len(stats) == 240 and set(stats["volume"]) == {20}
    (fig,) = flow_figures(stats, timedelta(hours=24))
    assert fig.volume == 480 and fig.error_rate == pytest.approx(0.4)
    assert fig.p95_ms == pytest.approx(900 + 18.05, abs=0.5)
    assert fig.bands["error_rate"] == (0.0, 0.0) and fig.bands["volume"] == (480.0, 480.0)
    assert fig.out_of_band == ["error_rate", "p95_ms"]
    assert fig.png.startswith(b"\x89PNG")


def test_cli_markdown_with_logs(monkeypatch, capsys, sqlite_store, tmp_path):
    seed(sqlite_store)
    logs = write_logs(tmp_path)
    out = tmp_path / "out" / "digest.md"
    code, _, err = run_cli(monkeypatch, capsys, "digest", "--since", "24h", "--format", "md", "--out", str(out),
                           "--logs", str(logs), "--database-url", sqlite_store.url)
    assert code == 0, err
    text = out.read_text()
    assert "| crm_partner_sync | 480 (480-480) | 40.0% (0.0%-0.0%) |" in text
    assert "error_rate, p95_ms |" in text
    assert "1 malformed log line(s) were kept aside" in text
    assert "Flow window 2026-10-29 00:00 - 2026-10-30 00:00 UTC" in text  # the last 24 h of the logs
    assert (tmp_path / "out" / "digest_charts" / "crm_partner_sync.png").stat().st_size > 2000


def test_one_window_for_every_flow_and_silent_or_low_flows_flagged():
    from odoo_triage.app.digest import flow_figures, window_end

    stats = hourly_stats()
    hours = pd.date_range(NOW - timedelta(days=10), NOW - timedelta(hours=1), freq="h", tz="UTC")
    extra = [{"flow": "stopped", "hour": h, "volume": 50, "error_rate": 0.0, "p95_ms": 100.0}
             for h in hours if h < NOW - timedelta(hours=30)]
    extra += [{"flow": "thin", "hour": h, "volume": 100 if h < NOW - timedelta(hours=24) else 40,
               "error_rate": 0.0, "p95_ms": 100.0} for h in hours]
    stats = pd.concat([stats, pd.DataFrame(extra)], ignore_index=True)
    end = window_end(stats, NOW)
    assert end == NOW
    figs = {f.flow: f for f in flow_figures(stats, timedelta(hours=24), charts=False, end=end)}
    assert {(f.window_start, f.window_end) for f in figs.values()} == {(NOW - timedelta(hours=24), NOW)}
    assert figs["stopped"].volume == 0 and figs["stopped"].flags == ["silent"]
    assert figs["thin"].flags == ["volume below band"]
    assert figs["invoice_export"].flags == ["error rate above band"]
    assert figs["crm_partner_sync"].flags == []
