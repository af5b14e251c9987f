"""The seeded, labeled demo world: logs, records and labels of a professional-services firm."""

from odoo_triage.sim.world.generate import DEFAULT_START, World, generate_world

__all__ = ["DEFAULT_START", "World", "generate_world"]
