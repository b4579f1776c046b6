"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from socialdesk.core.db import Base, Database
from socialdesk.core.schema import import_all_models, include_object


def test_migrations_match_the_models(database: Database) -> None:
    import_all_models()
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ; run ./scripts/new-migration: {differences}"
