"""Opening a store already at the head revision does not import alembic (start-up cost of every command);
one behind, or a fresh file, is migrated as before."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import text

from odoo_triage.agent.store.database import head_revision, open_store


def test_the_head_is_the_last_migration():
    assert head_revision() == "0006_match_labels"


def test_a_store_at_head_opens_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    open_store(url).dispose()  # fresh: migrated by alembic
    code = (
        "import sys; from odoo_triage.agent.store.database import open_store; "
        f"open_store({url!r}).dispose(); assert 'alembic' not in sys.modules, 'alembic imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_store_behind_is_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    store = open_store(url)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS match_labels"))  # as before 0006
        conn.execute(text("UPDATE alembic_version SET version_num = '0005_incident_lifecycle'"))
    store.dispose()
    store = open_store(url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006_match_labels"
        assert conn.execute(text("SELECT name FROM sqlite_master WHERE name = 'match_labels'")).first()
    store.dispose()
