"""Bring a database to the newest schema with Alembic (the only way tables are made)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from socialdesk.core.db import Base, Database, make_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def import_all_models() -> None:
    """Import every module that declares tables, so Base.metadata knows them all."""
    import socialdesk.models  # noqa: F401


# Tables in the same database that socialdesk's migrations do not own: the sandbox network keeps
# its own there on PostgreSQL (networks/sandbox/server.py).
FOREIGN_TABLE_PREFIXES = ("sandbox_",)


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic filter: never propose to drop another owner's tables (or their indexes)."""
    table = getattr(obj, "table", obj) if type_ != "table" else obj
    table_name = name if type_ == "table" else getattr(table, "name", "")
    return not (reflected and compare_to is None and (table_name or "").startswith(FOREIGN_TABLE_PREFIXES))


def table_names() -> list[str]:
    import_all_models()
    return [t.name for t in Base.metadata.sorted_tables]


def create_schema(url: str, *, reset: bool = False) -> None:
    """Run all migrations on `url`; with `reset`, drop everything first (tests only)."""
    import_all_models()
    if reset:
        engine = make_engine(url)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            else:
                Base.metadata.drop_all(conn)
        engine.dispose()
    command.upgrade(alembic_config(url), "heads")
    if url.startswith("sqlite"):
        database = Database(url)
        database.refresh_statistics()
        database.dispose()
