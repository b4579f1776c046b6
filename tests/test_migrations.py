"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from socialdesk.core.db import Base, Database
from socialdesk.core.schema import alembic_config, import_all_models, include_object


def test_migrations_match_the_models(database: Database) -> None:
    import_all_models()
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"models and migrations differ; run ./scripts/new-migration: {differences}"


def test_the_read_scope_becomes_the_five_read_scopes_and_back(tmp_path: Path) -> None:
    """Revision d9064a2e910c split `read`: existing tokens keep exactly what they could read."""
    url = f"sqlite:///{tmp_path / 'scopes.db'}"
    config = alembic_config(url)
    command.upgrade(config, "5c1e0f7a2b90")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email, name, password_hash, is_active, created_at, updated_at) "
                          "VALUES ('u1', 'a@example.com', 'A', 'x', 1, '2026-01-01', '2026-01-01')"))
        for token_id, scopes in (("t1", '["posts:write", "read"]'), ("t2", '["posts:write"]')):
            conn.execute(text("INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, scopes, created_at, "
                              "updated_at) VALUES (:id, 'u1', :id, 'sdk_', :id, :scopes, '2026-01-01', '2026-01-01')"),
                         {"id": token_id, "scopes": scopes})

    def scopes() -> dict[str, list[str]]:
        with engine.connect() as conn:
            return {row[0]: json.loads(row[1]) for row in conn.execute(text("SELECT id, scopes FROM api_tokens"))}

    command.upgrade(config, "d9064a2e910c")
    assert scopes() == {"t1": ["analytics:read", "inbox:read", "members:read", "posts:read", "posts:write",
                               "reports:read"], "t2": ["posts:write"]}
    command.downgrade(config, "5c1e0f7a2b90")
    assert scopes() == {"t1": ["posts:write", "read"], "t2": ["posts:write"]}
    engine.dispose()
