"""Opening the store: the database engine, sessions, migrations and the blob cipher together.

SQLite (a file under ./var) is the embedded default; PostgreSQL is selected with
FRT_DATABASE_URL=postgresql+psycopg://… . Both run the same Alembic migrations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from frt.settings import Settings, load_settings
from frt.store.crypto import BlobCipher, EncryptionKeyError, load_key
from frt.store.files import private_dir, private_file
from frt.store.meta import KEY_CHECK, KEY_CHECK_PLAINTEXT, StoreMeta

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreNotReady(Exception):
    """The database is not migrated to this version of FRT."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # the web app and recognition workers write at once
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


READ_ONLY = "frt_read_only"  # execution option of the connections `Store.read()` uses


def _sqlite_begin_immediate(conn) -> None:
    # A unit of work takes the write lock at BEGIN: two writers then queue (busy_timeout) instead
    # of one failing on a stale snapshot, and the audit chain's "read last, append next" is
    # serial. A read (`Store.read()`) takes a plain deferred BEGIN: in WAL mode it reads its
    # snapshot beside the writer and never waits for, or holds up, the write lock.
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _refuse_writes(session: Session, _flush, _instances) -> None:
    if session.info.get(READ_ONLY):
        raise ReadOnlySession("a read transaction (Store.read) may not change data")


class ReadOnlySession(RuntimeError):
    """Something tried to write through `Store.read()`."""


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    cipher: BlobCipher
    settings: Settings
    # What the composition root wires in for the actions run on this store (frt.core.services).
    services: Any = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed if the block succeeds, rolled back if it raises."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: no write lock on SQLite, and a flush raises
        `ReadOnlySession`. For consoles, heartbeats' checks and pages that only look."""
        reader = self.engine.execution_options(**{READ_ONLY: True})
        with self.sessions(bind=reader, info={READ_ONLY: True}) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings | None = None, *, migrate: bool | None = None) -> Store:
    """Open the configured database, migrating it when asked (default: only the embedded one)."""
    settings = settings or load_settings()
    private_dir(settings.data_dir)  # keys, certificates, checkpoints and the embedded database
    if settings.is_embedded:
        _private_sqlite_file(settings.database_url)
    engine = make_engine(settings.database_url)
    if migrate if migrate is not None else settings.is_embedded:
        upgrade(engine)
    elif not is_current(engine):
        raise StoreNotReady(
            "the database is not at this version of FRT's schema: run `frt db upgrade`"
        )
    sessions = sessionmaker(engine, expire_on_commit=False)
    event.listen(sessions, "before_flush", _refuse_writes)
    cipher = _open_cipher(sessions, settings)
    return Store(engine, sessions, cipher, settings)


def _private_sqlite_file(url: str) -> None:
    """Create the database file 0600 before SQLite does (it gives -wal and -shm the same mode)."""
    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        private_file(Path(path))


def _open_cipher(sessions: sessionmaker[Session], settings: Settings) -> BlobCipher:
    """Load the key and prove it is the key this database's data was sealed with."""
    with sessions() as session, session.begin():
        check = session.scalar(select(StoreMeta).where(StoreMeta.key == KEY_CHECK))
        key = load_key(settings.secret_key, settings.key_file, may_create=check is None)
        cipher = BlobCipher(key)
        if check is None:
            session.add(StoreMeta(key=KEY_CHECK, value=cipher.seal(KEY_CHECK_PLAINTEXT)))
            logger.info("encryption key %s bound to this database", cipher.key_id.hex())
        else:
            try:
                cipher.open(check.value)
            except EncryptionKeyError as exc:
                raise EncryptionKeyError(
                    "the encryption key does not match this database's data; nothing was "
                    f"changed. {exc}"
                ) from exc
    return cipher
