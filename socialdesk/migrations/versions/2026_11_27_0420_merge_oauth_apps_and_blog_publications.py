"""merge OAuth apps and blog publications

Revision ID: a431a6bb529d
Revises: fdd5b37a149a, 93a95524c529
Create Date: 2026-11-27 04:20:21.647670
"""
from collections.abc import Sequence

revision: str = 'a431a6bb529d'
down_revision: str | Sequence[str] | None = ('fdd5b37a149a', '93a95524c529')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
