"""Opening the store: the SQLite file by default, PostgreSQL when TRIAGE_DATABASE_URL says so.

Every open runs the alembic migrations to head, so a fresh machine and an old database both end
up on the current schema without a separate step. A database already at the head revision (read
from the migration files) is left alone without importing alembic (~0.5 CPU-s at every command's
start-up otherwise).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from odoo_triage.core.errors import StoreError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ENV_VAR = "TRIAGE_DATABASE_URL"


def default_database_url() -> str:
    data_dir = Path(user_data_dir("odoo-triage", appauthor=False))
    return f"sqlite:///{data_dir / 'triage.db'}"


def resolve_database_url(url: str | None = None) -> str:
    return url or os.environ.get(ENV_VAR) or default_database_url()


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable database URL>"


@dataclass
class Store:
    engine: Engine
    url: str

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as s, s.begin():
            yield s

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str, schema: str | None) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=(.*)$", re.M)


def head_revision() -> str | None:
    """The one head of the migration scripts, from their `revision` / `down_revision` lines (None when
    they cannot be read so: alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        src = script.read_text(encoding="utf-8")
        m = _REVISION.search(src)
        if m is None:
            return None
        revisions.add(m.group(1))
        d = _DOWN_REVISION.search(src)
        if d is not None:
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", d.group(1)))
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


def at_head(engine: Engine) -> bool:
    """The database's alembic revision is the scripts' head (no table yet, or any doubt: False)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            found = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    except DBAPIError:
        return False
    return found == [head]


def migrate(engine: Engine) -> None:
    if at_head(engine):
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(url: str | None = None, *, schema: str | None = None, run_migrations: bool = True) -> Store:
    """Open (and migrate) the store. `schema` isolates a PostgreSQL run, used by the tests."""
    url = resolve_database_url(url)
    try:
        engine = _make_engine(url, schema)
        if schema:
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        if run_migrations:
            migrate(engine)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"bad database URL {redact_url(url)!r}: {exc}") from exc
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot open database {redact_url(url)}: {first}") from exc
    return Store(engine=engine, url=url)
