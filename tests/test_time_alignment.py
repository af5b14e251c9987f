"""Naive local times in run-history exports (#13): aligned on identifiers a UTC Odoo log names (a fixed
offset, or a zone when daylight saving changes within the data), the calendar's zone when nothing
aligns, UTC otherwise; and the run-history rules: an automation title or id as the flow, a run id
repeated with a higher attempt as the idempotency key, a sender's timeout as a delivery done."""

from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from odoo_triage.core.domain import FlowInfo
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.readers.csv_log import CsvReader
from odoo_triage.detectors.readers.flows import FlowCatalog
from odoo_triage.detectors.readers.naive_time import is_naive, naive_shift
from odoo_triage.detectors.time_alignment import aligned_settings, offset_from, zone_from

HEADER = "Run ID,Automation ID,Automation Title,Status,Start Time,Attempt,Error Message,Envelope ID,Odoo Record ID"
TITLE = "Signed contract -> Create project"


def _files(tmp: Path, start: datetime, n: int, zone: ZoneInfo | None = None, offset_h: float = 0.0,
           logged: int | None = None) -> tuple[Path, Path]:
    """A run history (naive local times, US style) and a UTC Odoo log naming `logged` of its envelopes."""
    rows, log = [HEADER], []
    for i in range(n):
        utc = start + timedelta(hours=7 * i)
        local = utc.astimezone(zone).replace(tzinfo=None) if zone else (utc + timedelta(hours=offset_h)).replace(
            tzinfo=None)
        env = str(uuidlib.UUID(int=1000 + i))
        rows.append(f"{100000000000 + i},555000111,{TITLE},Success,{local.strftime('%m/%d/%Y %I:%M:%S %p')},1,,"
                    f"{env},{300 + i}")
        if logged is None or i < logged:
            log.append(f"{(utc + timedelta(seconds=3)).strftime('%Y-%m-%d %H:%M:%S')},114 1180 INFO prod "
                       f"odoo.addons.contracts.models.project: project {300 + i} created from envelope {env}")
    history = tmp / "run_history.csv"
    history.write_text("\n".join(rows) + "\n", encoding="utf-8")
    server = tmp / "odoo-server.log"
    server.write_text("\n".join(log) + "\n", encoding="utf-8")
    return history, server


def test_naive_texts() -> None:
    assert is_naive("11/30/2026 05:45:10 PM") and is_naive("2026-05-06 20:00:00")
    assert not is_naive("2026-05-06T20:00:00Z") and not is_naive("2026-05-06 20:00:00+02:00")
    assert not is_naive("1767225600")


def test_a_fixed_offset_is_aligned_on_shared_identifiers(tmp_path: Path) -> None:
    history, server = _files(tmp_path, datetime(2026, 1, 5, tzinfo=UTC), 40, offset_h=-6)
    readers, notes = aligned_settings([history, server], None, ReaderSettings())
    assert readers.export_utc_offsets == {"run_history.csv": -21600.0}
    assert any("UTC-6h" in n for n in notes)
    frame = read_frame([history], settings=readers)
    assert float(frame.events["ts"].min()) == datetime(2026, 1, 5, tzinfo=UTC).timestamp()


def test_a_dst_change_within_the_data_is_read_with_the_countrys_zone(tmp_path: Path) -> None:
    chicago = ZoneInfo("America/Chicago")
    history, server = _files(tmp_path, datetime(2026, 10, 20, tzinfo=UTC), 100, zone=chicago)  # DST ends Nov 1
    readers, notes = aligned_settings([history, server], None, ReaderSettings())
    assert not readers.naive_time_zones  # no country, no zone: no fixed offset aligns 80% of them
    readers, notes = aligned_settings([history, server], None, ReaderSettings(), country="US")
    assert readers.naive_time_zones == {"run_history.csv": "America/Chicago"}
    frame = read_frame([history], settings=readers)
    assert float(frame.events["ts"].min()) == datetime(2026, 10, 20, tzinfo=UTC).timestamp()
    assert float(frame.events["ts"].max()) == (datetime(2026, 10, 20, tzinfo=UTC) + timedelta(hours=7 * 99)
                                               ).timestamp()


def test_too_few_identifiers_leave_utc_and_say_so_or_take_the_calendars_zone(tmp_path: Path) -> None:
    history, server = _files(tmp_path, datetime(2026, 1, 5, tzinfo=UTC), 40, offset_h=-6, logged=4)
    readers, notes = aligned_settings([history, server], None, ReaderSettings())
    assert not readers.export_utc_offsets and not readers.naive_time_zones
    assert any("read as UTC" in n for n in notes)
    readers, notes = aligned_settings([history, server], None, ReaderSettings(), timezone="America/Chicago")
    assert readers.naive_time_zones == {"run_history.csv": "America/Chicago"}
    shift = naive_shift(readers, "run_history.csv")
    assert shift is not None and shift(datetime(2026, 1, 5, 12, tzinfo=UTC).timestamp()) == \
        datetime(2026, 1, 5, 18, tzinfo=UTC).timestamp()


def test_an_aligned_offset_the_calendar_zone_gives_is_read_as_that_zone(tmp_path: Path) -> None:
    history, server = _files(tmp_path, datetime(2026, 1, 5, tzinfo=UTC), 40, offset_h=-6)
    readers, _ = aligned_settings([history, server], None, ReaderSettings(), timezone="America/Chicago")
    assert readers.naive_time_zones == {"run_history.csv": "America/Chicago"}
    readers, _ = aligned_settings([history, server], None, ReaderSettings(), timezone="Europe/Paris")
    assert readers.export_utc_offsets == {"run_history.csv": -21600.0}  # the evidence wins over the calendar


def test_offsets_need_agreeing_pairs() -> None:
    assert offset_from([3600.0 + i for i in range(10)], 5) == 3600.0
    assert offset_from([0.0] * 10, 5) == 0.0
    assert offset_from([3600.0] * 4, 5) is None
    assert offset_from([0.0] * 5 + [7200.0] * 5, 5) is None
    pairs = [(t + 3600.0, t) for t in (datetime(2026, 1, d, tzinfo=UTC).timestamp() for d in range(1, 9))]
    assert zone_from(pairs, ["Asia/Tokyo", "Europe/Berlin"], 5) == "Europe/Berlin"


def _history(tmp: Path, title: bool = True) -> Path:
    head = HEADER if title else HEADER.replace(",Automation Title", "")
    rows = [head]
    t0 = datetime(2026, 2, 2, 9, 0)
    for i in range(30):
        t = (t0 + timedelta(minutes=30 * i)).strftime("%m/%d/%Y %I:%M:%S %p")
        cells = [f"{900000000000 + i}", "555000111", TITLE, "Success", t, "1", "", f"env-{i:04d}", f"{400 + i}"]
        if i == 10:  # the first attempt timed out on the sender's side; the replay repeats the run id
            cells[3], cells[7 - (0 if title else 1) + 0], cells[8] = "Errored", f"env-{i:04d}", ""
            cells[6] = "The app did not respond in-time. It may or may not have completed successfully."
            rows.append(",".join(cells if title else cells[:2] + cells[3:]))
            cells = [f"{900000000000 + i}", "555000111", TITLE, "Success", t, "2", "", f"env-{i:04d}", "499"]
        rows.append(",".join(cells if title else cells[:2] + cells[3:]))
    path = tmp / "history.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _flow(*aliases: str) -> FlowInfo:
    return FlowInfo(name="contract_intake", source_system="e-signature", target_system="Odoo", owner="PMO",
                    aliases=list(aliases), models=["project.project"])


CATALOG = FlowCatalog([_flow(TITLE, "555000111")])


def test_a_run_title_is_the_flow_and_a_replayed_run_id_the_idempotency_key(tmp_path: Path) -> None:
    path = _history(tmp_path)
    reader = CsvReader(catalog=CATALOG)
    rows = [r for c in reader.chunks(path) for r in c.rows]
    assert reader.mapping.flow == "Automation Title" and reader.mapping.idempotency_key == "Run ID"
    replay = [r for r in rows if r.idempotency_key == "900000000010"]
    assert len(replay) == 2
    failed = next(r for r in replay if r.status != "ok")
    assert failed.http_status == 504  # the sender stopped waiting: the receiver may have done the work
    frame = read_frame([path], catalog=[_flow(TITLE)])
    assert frame.flows == ["contract_intake"]


def test_an_automation_id_the_catalog_names_is_the_flow(tmp_path: Path) -> None:
    path = _history(tmp_path, title=False)
    reader = CsvReader(catalog=CATALOG)
    rows = [r for c in reader.chunks(path) for r in c.rows]
    assert reader.mapping.flow == "Automation ID"
    assert {r.flow for r in rows} <= {"555000111", "contract_intake"}
    plain = CsvReader()  # no catalog: a bare number is no flow
    list(plain.chunks(path))
    assert plain.mapping.flow != "Automation ID"


def test_a_run_id_repeated_with_the_same_attempt_is_no_replay(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "\n" + "\n".join(
        f"{7000000000 + i // 2},1,{TITLE},Success,02/02/2026 0{i % 9}:00:00 AM,1,,e{i},{i}" for i in range(20)) + "\n",
        encoding="utf-8")
    reader = CsvReader(catalog=CATALOG)
    list(reader.chunks(path))
    assert reader.mapping.idempotency_key != "Run ID"


def test_a_project_a_replay_made_is_archived_with_grounded_evidence() -> None:
    """The sender timed out on the first attempt (504, no record named) and replayed the run: the
    project the replay made is a duplicate by construction, so its archive passes the guard."""
    from odoo_triage.agent.triage import run_triage
    from tests.test_agent_fixtures import FakeDetection, anomaly, ev

    events = [ev("h.csv", 1, "intake", 0, status="error", http_status=504, idempotency_key="run-1"),
              ev("h.csv", 2, "intake", 1, status="ok", idempotency_key="run-1", record_ids=["project.project:77"]),
              ev("h.csv", 3, "intake", 2, status="ok", idempotency_key="run-2", record_ids=["project.project:78"])]
    det = FakeDetection(anomalies=[anomaly("dup", "duplicate_delivery", "intake", 0, 5, events)],
                        evidence={e.event_id: e for e in events})
    run = run_triage(det, None, None, [_flow()])
    archived = [p.params["project_id"] for p in run.proposals if str(p.action) == "archive_project"]
    assert archived == [77] and run.grounding["rejected_actions"] == 0
