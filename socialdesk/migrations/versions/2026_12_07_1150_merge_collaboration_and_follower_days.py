"""merge: collaboration, notifications and webhooks (1a05746ce465), follower day summaries and analytics
versions (5f0d4c3b2a19), and the earlier merge 72478e7b3d63, all made on top of 890f1f1c023d by parallel
branches.


Revision ID: e4cb43d8e8f9
Revises: 1a05746ce465, 5f0d4c3b2a19, 72478e7b3d63
Create Date: 2026-12-07 11:42:43.111639
"""
from collections.abc import Sequence

revision: str = 'e4cb43d8e8f9'
down_revision: str | Sequence[str] | None = ('1a05746ce465', '5f0d4c3b2a19', '72478e7b3d63')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
