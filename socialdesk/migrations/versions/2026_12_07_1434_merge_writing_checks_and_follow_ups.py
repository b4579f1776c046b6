"""merge writing checks and follow-ups

Revision ID: 15a9e4030630
Revises: fa5359f0d672, c86704658a01
Create Date: 2026-12-07 14:34:29.040953
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '15a9e4030630'
down_revision: str | Sequence[str] | None = ('fa5359f0d672', 'c86704658a01')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
