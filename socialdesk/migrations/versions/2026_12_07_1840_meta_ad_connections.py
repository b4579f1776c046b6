"""campaigns: Meta ad accounts connected through the Meta login

Revision ID: 7d3e9a41c2b8
Revises: c2b95048cd94
Create Date: 2026-12-07 18:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '7d3e9a41c2b8'
down_revision: str | Sequence[str] | None = 'c2b95048cd94'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('meta_ad_connections',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_message', sa.Text(), nullable=False),
    sa.Column('token_encrypted', sa.Text(), nullable=False),
    sa.Column('token_expires_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('offered', sa.JSON(), nullable=False),
    sa.Column('accounts', sa.JSON(), nullable=False),
    sa.Column('connected_by_label', sa.String(length=200), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_meta_ad_connections_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meta_ad_connections')),
    sa.UniqueConstraint('workspace_id', name=op.f('uq_meta_ad_connections_workspace_id'))
    )


def downgrade() -> None:
    op.drop_table('meta_ad_connections')
