"""A protocol-faithful Odoo stand-in on loopback: JSON-RPC and JSON-2, Odoo's envelopes and rules.

    with start_sandbox(data=demo_data()) as sb:
        sb.url, sb.data.user("triage-write").api_key, sb.calls
"""

from odoo_triage.sim.odoo_sandbox.orm import SandboxData, SandboxUser
from odoo_triage.sim.odoo_sandbox.server import OdooSandbox, start_sandbox
from odoo_triage.sim.odoo_sandbox.world import ADMIN_LOGIN, READ_LOGIN, WRITE_LOGIN, demo_data, load_world

__all__ = ["ADMIN_LOGIN", "READ_LOGIN", "WRITE_LOGIN", "OdooSandbox", "SandboxData", "SandboxUser",
           "demo_data", "load_world", "start_sandbox"]
