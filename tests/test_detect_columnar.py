"""The columnar readers give the same event table, stats and set-aside lines as the row readers: on the
demo world and on hostile files (odd value types, non-ISO times, out-of-range values, NULs, BOMs,
cp1252 bytes, truncated lines, blank lines, a CSV record spanning lines); and reading from a saved
offset reads only what was appended."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_triage.core.domain import FlowInfo
from odoo_triage.detectors.frame import EventFrame, read_frame
from odoo_triage.detectors.readers import make_reader
from odoo_triage.detectors.readers.columnar import _csv_plan, jsonl_columns
from odoo_triage.detectors.readers.jsonl import JsonLinesReader
from odoo_triage.detectors.readers.mapping import CSV_MAPPING, MIDDLEWARE_MAPPING
from odoo_triage.sim.world import generate_world


def assert_same(a: EventFrame, b: EventFrame) -> None:
    pd.testing.assert_frame_equal(a.events, b.events)
    assert a.flows == b.flows
    assert {k: v.as_dict() for k, v in a.stats.items()} == {k: v.as_dict() for k, v in b.stats.items()}
    assert [r.model_dump() for r in a.rejected] == [r.model_dump() for r in b.rejected]
    assert a.miner.templates() == b.miner.templates()


def both(paths: list[Path], **kw) -> tuple[EventFrame, EventFrame]:  # type: ignore[no-untyped-def]
    return read_frame(paths, columnar=True, **kw), read_frame(paths, columnar=False, **kw)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "world"
    generate_world(out, seed=5, events=20_000, partners=100)
    return out


def test_demo_world_same_table_on_both_paths(world):
    col, row = both(sorted((world / "logs").iterdir()))
    assert col.events.shape[0] > 15_000
    assert sum(s.set_aside_lines for s in col.stats.values()) >= 1  # the world's malformed lines
    assert_same(col, row)


GOOD = {"ts": "2026-04-20T08:00:00.123Z", "flow": "crm_sync", "status": "ok", "latency_ms": 120.5,
        "http_status": 200, "error": None, "retry": 0, "correlation_id": "c1", "idempotency_key": "k1"}


def _line(**kw: object) -> bytes:
    return json.dumps({**GOOD, **kw}).encode()


HOSTILE_JSON = [
    _line(), _line(ts="2026-04-20T08:00:01+02:00"), _line(ts="2026-04-20 08:00:02.123456"),
    _line(ts="2026-04-20T08:00:03.5Z"), _line(ts=1776672000), _line(ts="20/04/2026 08:00:04"),
    _line(ts="0001-01-01T00:00:00+14:00"), _line(ts="9999-12-31T23:59:59Z"), _line(ts="2026-02-30T00:00:00Z"),
    _line(ts="2026-04-20T08:00:05-14:30"), _line(http_status="503", status=None, error="HTTP 503"),
    _line(http_status=70000), _line(http_status=200.0), _line(http_status=True), _line(retry=-1), _line(retry=2.0),
    _line(retry="3"), _line(latency_ms=-5), _line(latency_ms="12.50"), _line(latency_ms=1e300), _line(latency_ms=1e3),
    _line(status="Done"), _line(status=" ERROR "), _line(status=""), _line(status=200), _line(status=True),
    _line(flow=0), _line(flow=""), _line(flow=None), _line(flow="0"), _line(flow=12.5), _line(flow="\u0000 "),
    _line(flow="x" * 300), _line(flow={"a": 1}), _line(error={"message": "boom", "type": "E"}, status="error"),
    _line(error=["a", "b"], status="error"), _line(error=1e3, status="error"), _line(error=12, status="error"),
    _line(error="bad \u0000 value", status="error"), _line(error="E" * 5000, status="error"),
    _line(correlation_id=1e3), _line(correlation_id=123), _line(idempotency_key=True), _line(idempotency_key=""),
    _line(idempotency_key="12345678901234567890123"), b'{"ts": "2026-04-20T08:00:00Z", "flow": "crm_sync", "st',
    b"", b"   ", b"\r", b"not json", b"[1, 2]", b'{"a": NaN}', b'{"ts": "2026-04-20T09:00:00Z", "flow": "b"}{}',
    b'{"ts": "2026-04-20T09:00:00Z", "flow": "caf\xe9"}', b'{"ts": "2026-04-20T09:00:00Z", "flow": "n\x00ul"}',
    _line(extra={"deep": [1, {"x": None}]}), _line() + b"   ", _line(), b"\t",
]


@pytest.mark.parametrize("bom", [False, True])
def test_hostile_json_lines_same_on_both_paths(tmp_path, bom):
    p = tmp_path / "mw.jsonl"
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"\n".join(HOSTILE_JSON * 3) + b"\n" + _line())
    col, row = both([p])
    assert col.stats["mw.jsonl"].lines == 3 * len(HOSTILE_JSON) + 1
    assert col.stats["mw.jsonl"].set_aside_lines > 20
    assert_same(col, row)


def test_json_blocks_split_anywhere_give_the_same_columns(tmp_path):
    p = tmp_path / "mw.jsonl"
    p.write_bytes(b"\n".join(HOSTILE_JSON * 4))
    whole = list(jsonl_columns(JsonLinesReader(MIDDLEWARE_MAPPING), p))
    small = list(jsonl_columns(JsonLinesReader(MIDDLEWARE_MAPPING), p, block_bytes=333))
    assert len(small) > 10
    def cat(chunks):  # type: ignore[no-untyped-def]
        return pd.concat([c.cols.to_pandas() for c in chunks], ignore_index=True)

    pd.testing.assert_frame_equal(cat(whole), cat(small))
    assert sum(c.chunk.lines for c in small) == sum(c.chunk.lines for c in whole) == 4 * len(HOSTILE_JSON)


def test_start_offsets_read_only_what_was_appended(tmp_path):
    p = tmp_path / "mw.jsonl"
    first = b"\n".join(_line(ts=f"2026-04-20T08:{m:02d}:00Z") for m in range(30)) + b"\n"
    p.write_bytes(first + b"\n".join(_line(ts=f"2026-04-20T09:{m:02d}:00Z") for m in range(10)) + b"\n")
    for columnar in (True, False):
        fr = read_frame([p], start_offsets={p: (len(first), 31)}, columnar=columnar)
        assert len(fr.events) == 10
        assert fr.events["line"].tolist() == list(range(31, 41))
        assert fr.events["offset"].iloc[0] == len(first)
        assert fr.stats["mw.jsonl"].lines == 10


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(HOSTILE_JSON), min_size=1, max_size=40))
def test_any_mix_of_hostile_lines_same_on_both_paths(tmp_path, lines):
    p = tmp_path / "fz.jsonl"
    p.write_bytes(b"\n".join([_line(), *lines]))
    col, row = both([p], mapping=None)
    assert_same(col, row)


def test_progress_without_a_terminal_prints_plain_lines_by_bytes_and_stage():
    import io

    from rich.console import Console

    from odoo_triage.app.commands.detect import ByteProgress

    buf = io.StringIO()
    with ByteProgress(4_000_000, every=0.0, console=Console(file=buf, force_terminal=False, width=200)) as pr:
        pr.advance(1_000_000)
        pr.stage("judging flows")
    out = buf.getvalue().splitlines()
    assert out[0].startswith("reading logs: 25% of 4.0 MB read")
    assert "ETA" in out[0]
    assert out[1].startswith("judging flows: 25%")
    quiet = io.StringIO()
    with ByteProgress(4_000_000, every=3600.0, console=Console(file=quiet, force_terminal=False)) as pr:
        pr.advance(1_000_000)
        pr.stage("judging flows")
    assert quiet.getvalue() == ""  # a short run without a terminal prints nothing


CSV_HEADER = b"timestamp,flow,source,target,operation,status,latency_ms,http_status,error,retry,correlation_id,idempotency_key"
CSV_GOOD = b"2026-04-20T08:00:00.123Z,crm_sync,crm,odoo,upsert,ok,120.5,200,,0,c1,k1"
HOSTILE_CSV = [
    CSV_GOOD, b"2026-04-20T08:00:01+02:00,crm_sync,crm,odoo,upsert,ok,1,200,,0,c2,k2",
    b"20/04/2026 08:00:02,crm_sync,crm,odoo,upsert,ok,1,200,,0,c3,k3", b"1776672000,crm_sync,,,,ok,,,,,,",
    b"9999-12-31T23:59:59Z,crm_sync,,,,ok,,,,,,", b"2026-02-30T00:00:00Z,crm_sync,,,,ok,,,,,,",
    b"2026-04-20T08:00:03Z,crm_sync,,,,Done,,,,,,", b"2026-04-20T08:00:03Z,crm_sync,,,,,,503,HTTP 503,,,",
    b"2026-04-20T08:00:03Z,crm_sync,,,,ok,-5,70000,,-1,,", b"2026-04-20T08:00:03Z,crm_sync,,,,ok,1e3,200.0,,2.0,1e3,",
    b"2026-04-20T08:00:03Z,,,,,ok,,,,,,", b"2026-04-20T08:00:03Z,0,,,,ok,,,,,,",
    b'2026-04-20T08:00:04Z,crm_sync,,,,error,,500,"boom, with a comma",1,c4,k4',
    b'2026-04-20T08:00:04Z,crm_sync,,,,error,,500,"say ""hi""",1,c5,k5', b"2026-04-20T08:00:05Z,crm_sync,short,row",
    b"2026-04-20T08:00:05Z,crm_sync,,,,ok,,,,,,,extra", b"", b"   ", b"\r", b";;;", b"caf\xe9,crm_sync,,,,ok,,,,,,",
    b"2026-04-20T08:00:06Z,crm_sync,,,,ok,,,,,,", b" 2026-04-20T08:00:07Z,crm_sync,,,,ok,,,,,,",
    b"2026-04-20T08:00:08Z,crm_sync ,,,, OK ,,,,,,", b"2026-04-20T08:00:09Z,crm_sync,,,,ok,,,,,x" * 2,
]


@pytest.mark.parametrize("variant", ["plain", "crlf", "cp1252", "multiline", "nul"])
def test_hostile_csv_logs_same_on_both_paths(tmp_path, variant):
    lines = [CSV_HEADER, *HOSTILE_CSV * 3, CSV_GOOD]
    if variant == "multiline":
        lines.insert(5, b'2026-04-20T08:00:04Z,crm_sync,,,,error,,500,"two\nlines",1,c6,k6')
    if variant == "nul":
        lines.insert(5, b"2026-04-20T08:00:04Z,crm\x00_sync,,,,ok,,,,,,")
    body = (b"\r\n" if variant == "crlf" else b"\n").join(lines) + b"\n"
    if variant != "cp1252":
        body = body.replace(b"caf\xe9", b"caf\xc3\xa9")
    p = tmp_path / "log.csv"
    p.write_bytes(body)
    for mapping in (None, CSV_MAPPING):  # inferred (day first, from 20/04/2026: the row reader) and given
        col, row = both([p], mapping=mapping)
        assert col.stats["log.csv"].set_aside_lines > 10
        assert_same(col, row)
    reader = make_reader("csv", CSV_MAPPING)
    assert (_csv_plan(reader, p) is not None) == (variant in ("plain", "crlf"))  # the fast path was taken


ODOO = [
    b"2026-04-20 08:00:00,123 4242 INFO prod odoo.addons.crm_sync.models.sync: synced 12 partners 3 0.041 0.770",
    b"2026-04-20 08:00:01,124 4242 INFO prod odoo.addons.crm_sync.models.sync: call HTTP 201 done",
    b"2026-04-20 08:00:01,125 4242 INFO prod odoo.addons.crm_sync.models.sync: call HTTP 999 done",
    b"2026-04-20 08:00:02,000 4242 WARNING prod odoo.addons.crm_sync.models.sync: slow answer - - -",
    b"2026-04-20 08:00:03,000 4242 WARNING prod odoo.addons.crm_sync.models.sync: job will be retried (retry 2/5)",
    b"2026-04-20 08:00:04,000 4242 ERROR prod odoo.addons.crm_sync.models.sync: export failed 3 0.1 0.2",
    b"Traceback (most recent call last):", b'  File "/opt/odoo/x.py", line 3, in f', b"",
    b"odoo.exceptions.ValidationError: partner 7 has no VAT",
    b"2026-04-20 08:00:05,000 4242 INFO prod odoo.addons.queue_job.jobrunner.runner: queue job runner ready",
    b"2026-04-20 08:00:05,500 4242 INFO prod odoo.addons.other_addon.models.x: hello",
    b"2026-04-20 08:00:06,000 4242 INFO prod werkzeug: 127.0.0.1 - - [20/Apr/2026 08:00:06] "
    b'"POST /api/crm HTTP/1.1" 500 - 3 0.01 0.02',
    b"2026-04-20 08:00:07 4242 INFO prod odoo.addons.crm_sync.models.sync: no millis",
    b"2026-04-20 08:00:08.5 4242 INFO prod odoo.addons.crm_sync.models.sync: one digit",
    b"2026-04-20 08:00:09,000 4242 TRACE prod odoo.addons.crm_sync.models.sync: unknown level",
    b"2026-13-45 99:99:99,000 4242 INFO prod odoo.addons.crm_sync.models.sync: bad time",
    b"9999-12-31 23:59:59,999 4242 INFO prod odoo.addons.crm_sync.models.sync: far future",
    b"2026-04-20 08:00:10,000 4242 INFO prod odoo.addons.crm_sync.models.sync: caf\xe9 latin",
    b"2026-04-20 08:00:11,000 4242 INFO prod odoo.addons.crm_sync.models.sync: huge 1 2 " + b"9" * 80,
    b"   ", b"2026-04-20 08:00:12,000 4242 CRITICAL prod odoo.addons.crm_sync.models.sync: down",
]


@pytest.mark.parametrize("variant", ["utf8", "bom_head", "orphan_head", "cp1252", "nul", "crlf"])
def test_hostile_odoo_logs_same_on_both_paths(tmp_path, variant):
    lines = ODOO * 3
    if variant == "orphan_head":
        lines = [b"  File continuation before any event", b"", *lines]
    body = (b"\r\n" if variant == "crlf" else b"\n").join(lines) + b"\n"
    if variant == "bom_head":
        body = b"\xef\xbb\xbf" + body
    if variant != "cp1252":
        body = body.replace(b"caf\xe9", b"caf\xc3\xa9")
    if variant == "nul":
        body = body.replace(b"no millis", b"no\x00millis")
    p = tmp_path / "odoo-server.log"
    p.write_bytes(body)
    col, row = both([p])
    st = col.stats["odoo-server.log"]
    assert st.lines == st.parsed_lines + st.set_aside_lines + st.blank
    assert st.events >= 15 and st.skipped >= 3 and st.set_aside_lines >= 3
    assert_same(col, row)
    assert any("other_addon" in k for k in st.unattributed)  # became a flow by its name: reported
    cat = [FlowInfo(name="crm_sync", source_system="crm", target_system="odoo", owner="x@firm.example",
                    loggers=["odoo.addons.crm_sync"])]
    col, row = both([p], catalog=cat)
    assert any("other_addon" in k for k in col.stats["odoo-server.log"].unattributed)  # skipped, reported
    assert_same(col, row)


def test_odoo_blocks_split_anywhere_give_the_same_columns(tmp_path):
    from odoo_triage.detectors.readers.columnar import odoo_columns
    from odoo_triage.detectors.readers.odoo_log import OdooLogReader

    p = tmp_path / "odoo-server.log"
    p.write_bytes(b"\n".join(ODOO * 5).replace(b"caf\xe9", b"caf\xc3\xa9"))
    whole = list(odoo_columns(OdooLogReader(), p))
    small = list(odoo_columns(OdooLogReader(), p, block_bytes=300))
    assert len(small) > 10

    def cat(chunks):  # type: ignore[no-untyped-def]
        return pd.concat([c.cols.to_pandas() for c in chunks], ignore_index=True)

    pd.testing.assert_frame_equal(cat(whole), cat(small))
    assert sum(c.chunk.lines for c in small) == sum(c.chunk.lines for c in whole) == 5 * len(ODOO)


QJ_HEADER = b"uuid,name,model_name,method_name,state,exc_name,exc_message,exc_info,retry,channel,date_created,date_started,exec_time,records"
QJ = [
    b'a1,Export,account.move,_x,done,,,,0,root.invoice_export,2026-04-20 08:00:00,2026-04-20 08:00:05,1.5,"account.move(1,)"',
    b'a2,Export,account.move,_x,failed,requests.HTTPError,503 Server Error: down,"Traceback (most recent call last):\n'
    b'  File ""x.py"", line 1\nrequests.HTTPError: 503",2,root.invoice_export,2026-04-20 08:01:00,,2.0,',
    b"a3,Export,account.move,_x,Done,,,,0,root.invoice_export,2026-04-20 08:02:00,,,",
    b"a4,Export,account.move,_x,weird,,,,0,root.invoice_export,2026-04-20 08:03:00,,,",
    b",Export,account.move,_x,done,,,,0,root.invoice_export,2026-04-20 08:04:00,,,",
    b"a5,Export,account.move,_x,pending,RetryableJobError,later,,1,root.payroll,2026-04-20 08:05:00,,,",
    b"a6,Export,account.move,_x,done,,,,-3,root.invoice_export,2026-04-20 08:06:00,,,",
    b"a7,Export,account.move,_x,done,,,,0,root.invoice_export,20/04/2026 08:07:00,,,",
    b"a8,short,row", b"", b"a9,Caf\xc3\xa9,account.move,_x,done,,,,0,root.invoice_export,2026-04-20 08:08:00,,,",
    b'a10,Export,account.move,_x,failed,E,"msg, with ""quotes""",,0,root.invoice_export,2026-04-20 08:09:00,,x,',
    b'a11,Exp"ort,account.move,_x,done,,,,0,root.invoice_export,2026-04-20 08:10:00,,,',
    b"a12,Export,res.partner,_x,done,,,,0,,2026-04-20 08:11:00,,0.25,",
]


@pytest.mark.parametrize("variant", ["plain", "labels", "truncated", "stray_quote", "bad_multiline"])
def test_queue_job_exports_same_on_both_paths(tmp_path, variant):
    header = QJ_HEADER
    if variant == "labels":
        header = (b"UUID,Description,Model,Method Name,State,Exception,Exception Message,Exception Info,Current Try,"
                  b"Channel,Created Date,Start Date,Execution Time,Record(s)")
    lines = [header, *QJ * 4]
    if variant == "stray_quote":
        lines.insert(20, b'b1,Export,account.move,_x,done,,"oops,,0,root.invoice_export,2026-04-20 09:00:00,,,')
    if variant == "bad_multiline":
        lines.insert(20, b'b2,"two\nlines",account.move,_x,nope,,,,0,root.x,2026-04-20 09:00:00,,,')
    if variant == "truncated":
        lines.append(b'b3,Export,account.move,_x,failed,E,"never closed')
    p = tmp_path / "queue_job.csv"
    p.write_bytes(b"\n".join(lines) + (b"" if variant == "truncated" else b"\n"))
    col, row = both([p])
    assert col.stats["queue_job.csv"].format == "queue_job"
    assert col.stats["queue_job.csv"].set_aside_lines >= 12
    assert_same(col, row)


@pytest.mark.parametrize("kind", ["csv", "queue_job", "odoo_log"])
def test_start_offsets_for_every_format(tmp_path, kind):
    if kind == "csv":
        head, old, new, name = CSV_HEADER, [CSV_GOOD] * 5, [CSV_GOOD] * 3, "log.csv"
    elif kind == "queue_job":
        head, old, new, name = QJ_HEADER, QJ[:1] * 5, QJ[:2] * 2, "queue_job.csv"
    else:
        head, old, new, name = ODOO[0], ODOO[:1] * 4, ODOO[:10], "odoo-server.log"
    first = b"\n".join([head, *old]) + b"\n"
    p = tmp_path / name
    p.write_bytes(first + b"\n".join(new) + b"\n")
    start = {p: (len(first), len(old) + 2)}
    col, row = both([p], start_offsets=start)
    assert_same(col, row)
    assert col.stats[name].lines == sum(1 + b.count(b"\n") for b in new)
    assert col.events["line"].min() == len(old) + 2


QJ_MULTI = [  # records spanning lines: the vectorized path takes the clean ones, `_take_record` the others
    b'm1,Export,account.move,_x,failed,E,"first\nsecond line",,1,root.invoice_export,2026-04-20 08:20:00,,0.5,',
    b'm2,Export,account.move,_x,failed,E,"with CR\r\nline",,1,root.invoice_export,2026-04-20 08:21:00,,,',
    b'm3,Export,account.move,_x,failed,E,"Caf\xc3\xa9\nline",,1,root.invoice_export,2026-04-20 08:22:00,,,',
    b'm4,Export,account.move,_x,Fehlgeschlagen,E,"state\nin German",,1,root.invoice_export,2026-04-20 08:23:00,,,',
    b'm5,Export,account.move,_x,failed,E,"too\nmany",,1,root.invoice_export,2026-04-20 08:24:00,,,,extra',
    b'm6,Export,account.move,_x,failed,E,"time\nodd",,1,root.invoice_export,20/04/2026 08:25:00,,,',
    b'm7,Export,account.move,_x,failed,E,"  padded \n msg  ",",""q""\nx",2,root.invoice_export,2026-04-20 08:26:00,,1,',
    b'm8,Export,account.move,_x,failed,HTTPError,"503 Server Error\nmore",,0,root.x,2026-04-20 08:27:00,,,',
]


@pytest.mark.parametrize("order", ["as_is", "reversed"])
def test_queue_job_multi_line_records_same_on_both_paths(tmp_path, order):
    multi = QJ_MULTI if order == "as_is" else QJ_MULTI[::-1]
    p = tmp_path / "queue_job.csv"
    p.write_bytes(b"\n".join([QJ_HEADER, *QJ[:3], *multi * 3, *QJ[:3]]) + b"\n")
    col, row = both([p])
    assert col.events.shape[0] >= 6 * 3
    assert_same(col, row)


def test_csv_plan_reads_utf8_across_raw_blocks(tmp_path, monkeypatch):
    """The plan's pass reads raw blocks, not lines: a character straddling two reads is UTF-8, a lone lead
    byte followed by ASCII blocks is not, and a quote opened on one line and closed on the next refuses."""
    import odoo_triage.detectors.readers.columnar as columnar

    monkeypatch.setattr(columnar, "BLOCK_BYTES", 7)
    reader = make_reader("csv", CSV_MAPPING)
    head = CSV_HEADER + b"\n"
    p = tmp_path / "log.csv"
    row = b"2026-04-20T08:00:04Z,caf\xc3\xa9_sync,,,,ok,,,,,,\n"
    for k in range(len(row) - 20):  # the two bytes of the e-acute land across every read boundary
        p.write_bytes(head + b"x" * k + row)
        assert _csv_plan(reader, p) is not None
    p.write_bytes(head + b"2026-04-20T08:00:04Z,caf\xc3" + b"a" * 30 + b"\xa9,,,,ok,,,,,,\n")
    assert _csv_plan(reader, p) is None
    p.write_bytes(head + b"2026-04-20T08:00:04Z,caf\xc3")
    assert _csv_plan(reader, p) is None
    p.write_bytes(head + b'2026-04-20T08:00:04Z,"crm\n_sync",,,,ok,,,,,,\n')
    assert _csv_plan(reader, p) is None
    p.write_bytes(head + b'2026-04-20T08:00:04Z,"crm_sync",,,,ok,,,,,,\n')
    assert _csv_plan(reader, p) is not None
