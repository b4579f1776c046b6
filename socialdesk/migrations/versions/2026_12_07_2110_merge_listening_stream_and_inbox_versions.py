"""merge listening stream and inbox versions

Revision ID: d4a4930f356c
Revises: 9b4f2c7e1a63, 5b1f7c2e9a40
Create Date: 2026-12-07 21:10:08.553325+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'd4a4930f356c'
down_revision: str | Sequence[str] | None = ('9b4f2c7e1a63', '5b1f7c2e9a40')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
