"""merge: the YouTube quota ledger (3a9f1c7d2e64) and agency review links and time log (6649e79e5926), both made on
top of 890f1f1c023d by parallel branches.
Revision ID: 72478e7b3d63
Revises: 6649e79e5926, 3a9f1c7d2e64
Create Date: 2026-12-07 11:40:46.024960
"""
from collections.abc import Sequence

revision: str = '72478e7b3d63'
down_revision: str | Sequence[str] | None = ('6649e79e5926', '3a9f1c7d2e64')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
