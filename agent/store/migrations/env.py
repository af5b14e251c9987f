"""Alembic environment: runs on the connection open_store hands over, or on TRIAGE_DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine

from odoo_triage.agent.store.database import resolve_database_url
from odoo_triage.agent.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(resolve_database_url())
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
