"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from socialdesk.core.db import Base, Database
from socialdesk.core.schema import import_all_models


def test_migrations_match_the_models(database: Database) -> None:
    import_all_models()
    with database.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert differences == [], f"models and migrations differ; run ./scripts/new-migration: {differences}"
