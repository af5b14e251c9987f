"""nginx / Apache combined access logs: a webhook receiver's deliveries, attributed by flows.json endpoints."""

from __future__ import annotations

from pathlib import Path

from odoo_triage.core.domain import FlowInfo
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers import FileStats, detect_format, read_events

LINES = [
    '185.166.142.51 - - [22/Apr/2026:02:49:45 +0200] "POST /webhooks/crm/deal HTTP/1.1" 200 2 "-" "CRM Webhooks"',
    '185.166.142.24 - - [22/Apr/2026:03:24:02 +0200] "POST /webhooks/crm/deal?x=1 HTTP/1.1" 504 167 "-" "CRM Webhooks" 30.001',
    '10.0.0.9 - - [22/Apr/2026:03:25:00 +0200] "GET / HTTP/1.1" 200 612 "-" "curl/8"',
    '',
    'garbage that is no access log line',
    '185.166.142.40 - - [31/Foo/2026:04:42:37 +0200] "POST /webhooks/crm/deal HTTP/1.1" 200 2 "-" "CRM Webhooks"',
]
CATALOG = [FlowInfo(name="crm_deals", source_system="CRM", target_system="Odoo", owner="crm team",
                    endpoints=["/webhooks/crm/"])]


def _log(tmp_path: Path) -> Path:
    p = tmp_path / "nginx-crm.access.log"
    p.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return p


def test_access_log_is_detected_and_read_by_endpoint(tmp_path):
    path = _log(tmp_path)
    assert detect_format(path) == "access_log"
    frame = read_frame([path], catalog=CATALOG)
    st = frame.stats[path.name]
    assert st.lines == 6 == st.parsed_lines + st.set_aside_lines + st.blank
    assert (st.parsed_lines, st.set_aside_lines, st.blank, st.events) == (3, 2, 1, 2)
    assert dict(st.skip_reasons) == {"path no flows.json endpoint claims": 1}
    assert frame.flows == ["crm_deals"]
    assert [(r.line_no, r.reason.split(" (")[0]) for r in frame.rejected] == [
        (5, "line not in the combined access-log format"), (6, "bad access-log time '31/Foo/2026:04:42:37 +0200'")]
    second = frame.log_event(1)
    assert second is not None and second.http_status == 504 and second.status.value == "error"
    assert second.latency_ms == 30001.0 and second.timestamp.hour == 1  # 03:24 +02:00 is 01:24 UTC


def test_access_log_without_endpoints_skips_every_line_and_says_why(tmp_path):
    path = _log(tmp_path)
    st = FileStats(path.name, "access_log")
    assert list(read_events(path, stats=st, rejected=[])) == []
    assert st.skip_reasons["path no flows.json endpoint claims"] == 4  # line 6 never reaches its bad time
