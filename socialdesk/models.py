"""Every module that declares tables, imported in one place for Alembic and the tests."""

from socialdesk.networks.sandbox import models as _sandbox  # noqa: F401
