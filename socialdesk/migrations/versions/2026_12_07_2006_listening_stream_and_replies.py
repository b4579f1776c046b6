"""listening: replies to mentions from here, the Bluesky stream's cursor, a mention's network id

Revision ID: 5b1f7c2e9a40
Revises: 46dcfc48d716
Create Date: 2026-12-07 20:06:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '5b1f7c2e9a40'
down_revision: str | Sequence[str] | None = '46dcfc48d716'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('listening_mentions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.Text(), nullable=False, server_default=''))
    op.create_table('listening_mention_replies',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('mention_id', sa.String(length=26), nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('replied_by', sa.String(length=26), nullable=True),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_listening_mention_replies_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mention_id'], ['listening_mentions.id'], name=op.f('fk_listening_mention_replies_mention_id_listening_mentions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_listening_mention_replies_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listening_mention_replies')),
    sa.UniqueConstraint('workspace_id', 'idempotency_key', name=op.f('uq_listening_mention_replies_workspace_id_idempotency_key'))
    )
    with op.batch_alter_table('listening_mention_replies', schema=None) as batch_op:
        batch_op.create_index('ix_listening_mention_replies_mention', ['mention_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_listening_mention_replies_workspace_id'), ['workspace_id'], unique=False)
    op.create_table('listening_stream_cursors',
    sa.Column('service', sa.String(length=500), nullable=False),
    sa.Column('cursor', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('service', name=op.f('pk_listening_stream_cursors'))
    )


def downgrade() -> None:
    op.drop_table('listening_stream_cursors')
    with op.batch_alter_table('listening_mention_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listening_mention_replies_workspace_id'))
        batch_op.drop_index('ix_listening_mention_replies_mention')
    op.drop_table('listening_mention_replies')
    with op.batch_alter_table('listening_mentions', schema=None) as batch_op:
        batch_op.drop_column('external_id')
