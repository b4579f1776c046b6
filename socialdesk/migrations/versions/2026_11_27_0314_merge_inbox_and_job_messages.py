"""merge inbox and job messages

Revision ID: 8100f8587083
Revises: 72a106c3d370, 5a1c0e7d9b21
Create Date: 2026-11-27 03:14:16.664347
"""
from collections.abc import Sequence

revision: str = '8100f8587083'
down_revision: str | Sequence[str] | None = ('72a106c3d370', '5a1c0e7d9b21')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
