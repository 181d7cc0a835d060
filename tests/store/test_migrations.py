"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import frt.models  # noqa: F401
from frt.store.base import Base
from frt.store.db import alembic_config


def test_migrations_have_one_head(store):
    assert len(ScriptDirectory.from_config(alembic_config(store.engine)).get_heads()) == 1


def test_migrated_schema_matches_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
