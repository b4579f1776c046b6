"""inbox: a version per workspace for the views' kept counts; indexes for the overdue count and the urgent order

Revision ID: 9b4f2c7e1a63
Revises: 46dcfc48d716
Create Date: 2026-12-07 20:06:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9b4f2c7e1a63'
down_revision: str | Sequence[str] | None = '46dcfc48d716'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox_versions',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_inbox_versions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_inbox_versions'))
    )
    with op.batch_alter_table('inbox_conversations', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_conversations_waiting', ['workspace_id', 'waiting_since'], unique=False)
        batch_op.create_index('ix_inbox_conversations_urgent', ['workspace_id', sa.text('priority DESC'),
                                                                sa.text('(waiting_since IS NULL)'), 'waiting_since',
                                                                sa.text('last_inbound_at DESC'), sa.text('id DESC')],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inbox_conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_conversations_urgent')
        batch_op.drop_index('ix_inbox_conversations_waiting')
    op.drop_table('inbox_versions')
