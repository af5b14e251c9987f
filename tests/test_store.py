from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select

from odoo_triage.agent.store import StoreError, open_store
from odoo_triage.agent.store.tables import AnomalyRow, Base, ExecutionRow
from odoo_triage.core.domain import AnomalyKind


def test_migrations_build_every_table(store):
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_round_trip_and_json(store):
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with store.session() as s:
        s.add(AnomalyRow(anomaly_id="a-1", kind=AnomalyKind.error_spike, flow="crm_partner_sync",
                         window_start=now, window_end=now, score=0.9, reason="r", data={"ids": [1, 2]}))
    with store.session() as s:
        row = s.scalars(select(AnomalyRow)).one()
        assert row.data == {"ids": [1, 2]}
        assert row.window_start.replace(tzinfo=UTC) == now


def test_execution_is_unique_per_proposal(store):
    from sqlalchemy.exc import IntegrityError

    with store.session() as s:
        s.add(ExecutionRow(proposal_id="p-1", payload_hash="h", executed_by="ann", status="running"))
    with pytest.raises(IntegrityError), store.session() as s:
        s.add(ExecutionRow(proposal_id="p-1", payload_hash="h", executed_by="bob", status="running"))


def test_reopening_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_store(url).dispose()
    open_store(url).dispose()


@pytest.mark.parametrize("url", ["nosuchdb://x", "postgresql://nobody@127.0.0.1:1/none"])
def test_bad_url_is_a_clear_error(url):
    with pytest.raises(StoreError) as exc:
        open_store(url)
    assert "database" in str(exc.value)
