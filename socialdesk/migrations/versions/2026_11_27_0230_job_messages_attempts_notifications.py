"""job messages, interrupted attempts, notifications

Revision ID: 5a1c0e7d9b21
Revises: 2cbfdc4947a2
Create Date: 2026-11-27 02:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db

revision: str = '5a1c0e7d9b21'
down_revision: str | Sequence[str] | None = '2cbfdc4947a2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempt_started_at', socialdesk.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_table(
        'notifications',
        sa.Column('workspace_id', sa.String(length=26), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=300), nullable=True),
        sa.Column('dedupe_key', sa.String(length=200), nullable=False),
        sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('id', sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                                name=op.f('fk_notifications_workspace_id_workspaces'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('workspace_id', 'dedupe_key', name=op.f('uq_notifications_workspace_id_dedupe_key')),
    )
    op.create_index('ix_notifications_open', 'notifications', ['workspace_id', 'resolved_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notifications_open', table_name='notifications')
    op.drop_table('notifications')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('attempt_started_at')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
