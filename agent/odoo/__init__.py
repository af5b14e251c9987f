"""Odoo's external APIs: typed errors (errors.py) and the three protocols with version detection
(protocols.py). The actions that write live in agent/odoo_gateway.py, behind one entry point."""
