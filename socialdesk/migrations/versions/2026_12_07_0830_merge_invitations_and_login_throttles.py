"""merge invitations and login throttles

Revision ID: 7e1c2a9d4b30
Revises: d9064a2e910c, 4b7b9de2ff47
Create Date: 2026-12-07 08:30:00
"""
from collections.abc import Sequence

revision: str = '7e1c2a9d4b30'
down_revision: str | Sequence[str] | None = ('d9064a2e910c', '4b7b9de2ff47')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
