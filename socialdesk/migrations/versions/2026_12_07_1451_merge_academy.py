"""merge academy

Revision ID: a789ae873994
Revises: 0c56a1bab5a5, 46f9458f7722
Create Date: 2026-12-07 14:51:56.636484
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'a789ae873994'
down_revision: str | Sequence[str] | None = ('0c56a1bab5a5', '46f9458f7722')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
