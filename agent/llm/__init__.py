"""The LLM step: report schema, providers (offline and OpenAI-compatible), cache, usage."""

from odoo_triage.agent.llm.report import ProposedAction, RejectedAction, ReviewedReport, TriageReport

__all__ = ["ProposedAction", "RejectedAction", "ReviewedReport", "TriageReport"]
