import pytest

from odoo_triage.agent.incidents import assemble_incidents
from odoo_triage.agent.llm.providers import render_variables
from odoo_triage.prompts import available_versions, load_prompt
from tests.test_agent_fixtures import FLOWS, SECRET, world


def test_latest_version_and_header():
    assert available_versions("triage_report")[0] == "v1"
    p = load_prompt("triage_report")
    assert (p.name, p.version, p.ref) == ("triage_report", available_versions("triage_report")[-1], f"triage_report/{p.version}")
    assert "allow-list" in p.system and "{evidence}" in p.user and len(p.sha256) == 64


def test_unknown_prompt_or_version_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="no version 'v99'"):
        load_prompt("triage_report", "v99")
    with pytest.raises(FileNotFoundError, match="no prompt named"):
        load_prompt("nope")


def test_every_placeholder_is_filled_and_secrets_stay_out():
    det, partners, projects = world()
    hr = next(a for a in assemble_incidents(det, partners, projects, FLOWS) if a.incident.flow == "hr_employee_sync")
    variables = render_variables(hr)
    text = load_prompt("triage_report").user.format(**variables)
    assert "{" not in text.replace("{}", "")
    assert "hr-it@firm.test" in text and "middleware.jsonl:200" in text
    assert SECRET not in text
