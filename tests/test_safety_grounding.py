"""The grounding rules an attacker cannot steer: free-text ids never ground, merges and archives need a
cluster, every action cites evidence, set_field writes only allow-listed fields with a write_date read
from Odoo when proposed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from odoo_triage.agent.grounding import guard_report
from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.agent.llm.report import ProposedAction, TriageReport
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import GroundingSettings, load_settings
from odoo_triage.detectors.readers.odoo_log import LINE, build_event
from tests.test_agent_fixtures import FLOWS, FakeDetection, world


def incident(flow: str, det=None):
    d, partners, projects = world()
    return next(a.incident for a in assemble_incidents(det or d, partners, projects, FLOWS) if a.incident.flow == flow)


def report(*actions: dict, cites=("an-410",)) -> TriageReport:
    return TriageReport(summary="s", probable_cause="unknown", business_impact="b", evidence_ids=list(cites),
                        actions=[ProposedAction(**{"evidence_ids": list(cites), **a}) for a in actions],
                        confidence=0.5)


def test_ids_in_error_text_are_shown_but_never_grounded():
    det, _, _ = world()
    crm = [e for e in det.evidence.values() if e.flow == "crm_partner_sync"]
    for e in crm:  # the error text names records; the typed field holds none
        det.evidence[e.event_id] = e.model_copy(update={
            "error": "merge_partners with partner_ids [1, 2] and destination_id 1 for res.partner(1,), partner 2",
            "record_ids": []})
    inc = incident("crm_partner_sync", FakeDetection(det.anomalies, det.evidence, det.templates))
    assert "res.partner:1" not in inc.affected_records and "res.partner:2" not in inc.affected_records
    assert any("res.partner(1,)" in e.text for e in inc.evidence)  # still shown to the reviewer
    out = guard_report(inc, report({"action": "merge_partners", "params": {"partner_ids": [1, 2], "destination_id": 1}}))
    assert out.accepted == [] and "ungrounded" in out.rejected[0].reason


def test_odoo_log_message_yields_no_record_ids():
    m = LINE.match("2026-10-22 01:00:12,613 4791 ERROR prod odoo.addons.payroll_export.models.payroll_batch: "
                   "export of payslip 1 of employee 417 failed for res.partner(1,) 100 0.117 0.328")
    assert build_event(m, [], 1, 0, "payroll_export").record_ids == ()


def test_merge_and_archive_need_a_cluster_holding_every_id():
    inc = incident("crm_partner_sync")  # partners 700-703 are grounded by typed fields, but in no cluster
    out = guard_report(inc, report({"action": "merge_partners", "params": {"partner_ids": [700, 701],
                                                                            "destination_id": 700}}))
    assert out.accepted == [] and "duplicate-cluster" in out.rejected[0].reason
    dup = incident("res.partner duplicates")
    ok = guard_report(dup, report({"action": "merge_partners", "params": {"partner_ids": [42, 41], "destination_id": 42}},
                                  cites=("pc-1",)))
    assert len(ok.accepted) == 1


def test_every_action_cites_evidence():
    inc = incident("crm_partner_sync")
    out = guard_report(inc, report({"action": "escalate", "params": {"flow": "crm_partner_sync", "owner": "o",
                                                                      "message": "m"}, "evidence_ids": []}))
    assert out.accepted == [] and "cites no evidence" in out.rejected[0].reason
    out = guard_report(inc, report({"action": "escalate", "params": {"flow": "crm_partner_sync", "owner": "o",
                                                                      "message": "m"}, "evidence_ids": ["made-up:1"]}))
    assert out.accepted == [] and out.ungrounded_evidence_ids == ["made-up:1"]


def test_set_field_write_date_comes_from_odoo_and_only_allowed_fields():
    inc = incident("crm_partner_sync")
    invented = datetime(2020, 1, 1, tzinfo=UTC)
    read_at = datetime(2026, 10, 21, 8, 59, 1, tzinfo=UTC)
    email = {"action": "set_field", "params": {"model": "res.partner", "record_id": 700, "field": "email",
                                               "value": "ap@acme.test", "expected_write_date": invented.isoformat()}}
    assert "read from Odoo" in guard_report(inc, report(email)).rejected[0].reason  # no read: no set_field
    out = guard_report(inc, report(email), read_write_date=lambda model, rid: read_at)
    [(typed, proposed)] = out.accepted
    assert typed.expected_write_date == read_at and proposed.params["expected_write_date"] == read_at.isoformat()
    for fld in ("active", "property_account_receivable_id", "groups_id", "vat"):
        bad = {"action": "set_field", "params": {**email["params"], "field": fld}}
        out = guard_report(inc, report(bad), read_write_date=lambda model, rid: read_at)
        assert out.accepted == [] and "may not write" in out.rejected[0].reason, fld
    narrow = GroundingSettings(set_field={"res.partner": ["phone"]})
    assert guard_report(inc, report(email), narrow, lambda m, r: read_at).accepted == []


def test_the_allow_list_can_never_include_dangerous_fields(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[grounding.set_field]\n"res.partner" = ["email", "active"]\n')
    with pytest.raises(InputError, match="never write res.partner.active"):
        load_settings(cfg, env={})
    cfg.write_text('[grounding.set_field]\n"res.partner" = ["phone"]\n')
    assert load_settings(cfg, env={}).grounding.settable("res.partner", "phone")


def test_write_date_reader_reads_odoo():
    from odoo_triage.agent.grounding import odoo_write_date_reader
    from odoo_triage.agent.odoo_gateway import OdooGateway
    from odoo_triage.core.settings import OdooSettings
    from odoo_triage.sim.odoo_sandbox import READ_LOGIN, start_sandbox

    with start_sandbox() as sb, OdooGateway(OdooSettings(url=sb.url, db="odoo", read_login=READ_LOGIN,
                                                         read_key=sb.data.user(READ_LOGIN).api_key)) as gw:
        read = odoo_write_date_reader(gw)
        assert isinstance(read("res.partner", 20), datetime)  # Odoo's write_date, parsed
        assert read("res.partner", 999999) is None
