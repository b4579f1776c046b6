"""merge strategy2 and ads2

Revision ID: c2b95048cd94
Revises: a32a007d7b9a, 5e7a1c2d9b40
Create Date: 2026-12-07 17:58:20.565053
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'c2b95048cd94'
down_revision: str | Sequence[str] | None = ('a32a007d7b9a', '5e7a1c2d9b40')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
