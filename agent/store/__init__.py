"""The store: SQLAlchemy tables, migrations and how to open them."""

from odoo_triage.agent.store.database import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "open_store"]
