"""merge visuals

Revision ID: a17860d7863f
Revises: 4141dcf3e6b7, bb7a9cd20bf3
Create Date: 2026-12-07 14:54:33.263817
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'a17860d7863f'
down_revision: str | Sequence[str] | None = ('4141dcf3e6b7', 'bb7a9cd20bf3')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
