"""Shared fixtures. `store` runs a test once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from odoo_triage.agent.store import Store, open_store
from odoo_triage.core import clock

# Every test runs on this clock, never the wall clock; a test that needs another instant sets its own.
TEST_NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

#: The HMAC key tests seal approvals with (production reads TRIAGE_APPROVAL_KEY or a key file).
TEST_APPROVAL_KEY = "test-approval-key-" + "0123456789abcdef" * 3

PG_URL = os.environ.get("TRIAGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


PG_OK = _pg_available()


def make_store(backend: str, tmp_path) -> tuple[Store, callable]:  # type: ignore[valid-type]
    """A fresh, migrated store and its clean-up. PostgreSQL gets a schema of its own per test."""
    if backend == "sqlite":
        store = open_store(f"sqlite:///{tmp_path / 'triage.db'}")
        return store, store.dispose
    if not PG_OK:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}")
        pytest.skip("PostgreSQL not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    store = open_store(PG_URL, schema=schema)

    def cleanup() -> None:
        store.dispose()
        eng = create_engine(PG_URL)
        with eng.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        eng.dispose()

    return store, cleanup


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Iterator[Store]:
    s, cleanup = make_store(request.param, tmp_path)
    yield s
    cleanup()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    s, cleanup = make_store("sqlite", tmp_path)
    yield s
    cleanup()


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[clock.FixedClock]:
    """An injected clock for every test: results never depend on the day the suite runs."""
    fake = clock.FixedClock(TEST_NOW)
    previous = clock.set_clock(fake)
    yield fake
    clock.set_clock(previous)
