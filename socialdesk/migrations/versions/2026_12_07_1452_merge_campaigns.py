"""merge campaigns

Revision ID: d15c613d5579
Revises: c272369d7dc5, a789ae873994
Create Date: 2026-12-07 14:52:23.670047
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'd15c613d5579'
down_revision: str | Sequence[str] | None = ('c272369d7dc5', 'a789ae873994')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
