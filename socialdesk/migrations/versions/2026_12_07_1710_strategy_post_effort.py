"""strategy: posting effort per post (composer time)

Revision ID: 5e7a1c2d9b40
Revises: b43f472666c8
Create Date: 2026-12-07 17:10:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '5e7a1c2d9b40'
down_revision: str | Sequence[str] | None = 'b43f472666c8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('strategy_post_effort',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('post_id', sa.String(length=26), nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=True),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_strategy_post_effort_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_strategy_post_effort_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_strategy_post_effort_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_post_effort'))
    )
    with op.batch_alter_table('strategy_post_effort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategy_post_effort_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategy_post_effort_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('strategy_post_effort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategy_post_effort_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_strategy_post_effort_post_id'))
    op.drop_table('strategy_post_effort')
