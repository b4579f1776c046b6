"""calendar: a version per workspace, bumped by triggers, for the kept month grid

Revision ID: c4e7a1d90b52
Revises: d4a4930f356c
Create Date: 2026-12-08 03:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c4e7a1d90b52'
down_revision: str | Sequence[str] | None = 'd4a4930f356c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Publications bump one of this many rows per workspace (by the last character of their id), so concurrent
# publishing workers rarely wait on each other's row lock; the reader sums them.
SHARDS = 8

# table -> (how the workspace and shard are found: "row", "publication", "post", "workspace", "user";
#           the columns whose change the calendar shows on UPDATE, None: every update; the operations)
WATCHED = {
    "posts": ("row", ("text", "scheduled_at", "due_at", "assignee_id", "workspace_id"), ("INSERT", "UPDATE", "DELETE")),
    "publications": ("publication", ("status", "scheduled_at", "published_at", "channel_id", "post_id"),
                     ("INSERT", "UPDATE", "DELETE")),
    "post_media": ("post", None, ("INSERT", "UPDATE", "DELETE")),
    "media_assets": ("row", None, ("UPDATE", "DELETE")),
    "channels": ("row", ("name", "network", "status", "settings"), ("INSERT", "UPDATE", "DELETE")),
    "strategy_key_dates": ("row", None, ("INSERT", "UPDATE", "DELETE")),
    "strategy_pillars": ("row", None, ("INSERT", "UPDATE", "DELETE")),
    "strategy_post_pillars": ("row", None, ("INSERT", "UPDATE", "DELETE")),
    "strategy_plans": ("row", None, ("INSERT", "UPDATE", "DELETE")),
    "workspaces": ("workspace", ("timezone",), ("UPDATE",)),
    "users": ("user", ("name",), ("UPDATE",)),
}


def _name(table: str, operation: str) -> str:
    return f"calendar_bump_{table}_{operation.lower()}"


def _changed(columns: tuple[str, ...], postgres: bool) -> str:
    if postgres:  # ::text: json columns have no equality operator
        return " OR ".join(f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in columns)
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _sqlite_source(how: str, row: str) -> str:
    """SELECT (workspace_id, shard) of the workspaces the row touches (none when its post is gone)."""
    return {
        "row": f"SELECT {row}.workspace_id, 0",
        "publication": f"SELECT {row}.workspace_id, unicode(substr({row}.id, -1)) % {SHARDS}",
        "post": f"SELECT workspace_id, 0 FROM posts WHERE id = {row}.post_id",
        "workspace": f"SELECT {row}.id, 0",
        "user": f"SELECT workspace_id, 0 FROM memberships WHERE user_id = {row}.id",
    }[how]


UPSERT_TAIL = "ON CONFLICT (workspace_id, shard) DO UPDATE SET version = calendar_versions.version + 1"


def _sqlite_upgrade() -> None:
    for table, (how, columns, operations) in WATCHED.items():
        for operation in operations:
            row = "OLD" if operation == "DELETE" else "NEW"
            when = f" WHEN {_changed(columns, False)}" if operation == "UPDATE" and columns else ""
            # "WHERE true": SQLite's upsert after a SELECT needs a WHERE to parse.
            source = _sqlite_source(how, row)
            source += " AND true" if " WHERE " in source else " WHERE true"
            op.execute(f"CREATE TRIGGER {_name(table, operation)} AFTER {operation} ON {table}{when} BEGIN "
                       f"INSERT INTO calendar_versions (workspace_id, shard, version) SELECT *, 1 FROM ({source}) "
                       f"WHERE true {UPSERT_TAIL}; END")


def _postgres_upgrade() -> None:
    sources = {
        "row": "SELECT r.workspace_id, 0",
        "publication": f"SELECT r.workspace_id, ascii(right(r.id, 1)) % {SHARDS}",
        "post": "SELECT workspace_id, 0 FROM posts WHERE id = r.post_id",
        "workspace": "SELECT r.id, 0",
        "user": "SELECT workspace_id, 0 FROM memberships WHERE user_id = r.id",
    }
    for how, source in sources.items():
        op.execute(f"""CREATE FUNCTION calendar_bump_{how}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO calendar_versions (workspace_id, shard, version) SELECT s.*, 1 FROM ({source}) AS s
    {UPSERT_TAIL};
  RETURN NULL;
END $$""")
    for table, (how, columns, operations) in WATCHED.items():
        for operation in operations:
            when = f" WHEN ({_changed(columns, True)})" if operation == "UPDATE" and columns else ""
            op.execute(f"CREATE TRIGGER {_name(table, operation)} AFTER {operation} ON {table} FOR EACH ROW{when} "
                       f"EXECUTE FUNCTION calendar_bump_{how}()")


def upgrade() -> None:
    op.create_table('calendar_versions',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('workspace_id', 'shard', name=op.f('pk_calendar_versions'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgres_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, (_how, _columns, operations) in WATCHED.items():
        for operation in operations:
            op.execute(f"DROP TRIGGER {_name(table, operation)}" + (f" ON {table}" if postgres else ""))
    if postgres:
        for how in ("row", "publication", "post", "workspace", "user"):
            op.execute(f"DROP FUNCTION calendar_bump_{how}()")
    op.drop_table('calendar_versions')
