"""merge listening

Revision ID: bb7a9cd20bf3
Revises: 6f3d1e611d21, d15c613d5579
Create Date: 2026-12-07 14:53:40.376983
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'bb7a9cd20bf3'
down_revision: str | Sequence[str] | None = ('6f3d1e611d21', 'd15c613d5579')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
