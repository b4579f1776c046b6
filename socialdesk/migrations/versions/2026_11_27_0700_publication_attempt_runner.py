"""Publications remember which runner is making the current try (attempt_runner_id), so another
runner never sends the same post while that try may still be in flight.

Revision ID: 5c1e0f7a2b90
Revises: a431a6bb529d
Create Date: 2026-11-27 07:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c1e0f7a2b90'
down_revision: str | Sequence[str] | None = 'a431a6bb529d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt_runner_id', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('attempt_runner_id')
