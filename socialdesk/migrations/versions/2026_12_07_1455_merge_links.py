"""merge links

Revision ID: aa4f0aba0f6b
Revises: 508cfb004f29, a17860d7863f
Create Date: 2026-12-07 14:55:13.800956
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'aa4f0aba0f6b'
down_revision: str | Sequence[str] | None = ('508cfb004f29', 'a17860d7863f')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
