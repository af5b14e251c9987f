"""Secret masking lives in core/redact.py (detectors need it too); this name stays for agent imports."""

from odoo_triage.core.redact import MASK, redact, redact_obj

__all__ = ["MASK", "redact", "redact_obj"]
