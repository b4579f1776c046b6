"""merge triage corrections

Revision ID: 46f9458f7722
Revises: 9604fb5af23d, 15a9e4030630
Create Date: 2026-12-07 14:48:06.727211
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '46f9458f7722'
down_revision: str | Sequence[str] | None = ('9604fb5af23d', '15a9e4030630')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
