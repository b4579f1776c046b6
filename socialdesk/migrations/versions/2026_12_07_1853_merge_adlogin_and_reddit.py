"""merge adlogin and reddit

Revision ID: 46dcfc48d716
Revises: 7d3e9a41c2b8, 7d3e91a4c5b2
Create Date: 2026-12-07 18:53:02.559551
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '46dcfc48d716'
down_revision: str | Sequence[str] | None = ('7d3e9a41c2b8', '7d3e91a4c5b2')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
