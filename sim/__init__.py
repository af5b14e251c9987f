"""Simulators: the labeled demo world generator and the Odoo stand-in. Not product logic; imports core only."""
