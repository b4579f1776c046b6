"""strategy: key dates (holidays, launches, campaigns) per workspace

Revision ID: 7d3e91a4c5b2
Revises: c2b95048cd94
Create Date: 2026-12-07 18:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '7d3e91a4c5b2'
down_revision: str | Sequence[str] | None = 'c2b95048cd94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('strategy_key_dates',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('pillar_id', sa.String(length=26), nullable=True),
    sa.Column('network', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pillar_id'], ['strategy_pillars.id'], name=op.f('fk_strategy_key_dates_pillar_id_strategy_pillars'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_strategy_key_dates_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_key_dates'))
    )
    with op.batch_alter_table('strategy_key_dates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategy_key_dates_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('strategy_key_dates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategy_key_dates_workspace_id'))
    op.drop_table('strategy_key_dates')
