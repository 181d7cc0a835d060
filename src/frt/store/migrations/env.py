"""Alembic environment: runs on the engine FRT hands it (SQLite or PostgreSQL)."""

from alembic import context

import frt.models  # noqa: F401  (registers every model on Base.metadata)
from frt.store.base import Base

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
