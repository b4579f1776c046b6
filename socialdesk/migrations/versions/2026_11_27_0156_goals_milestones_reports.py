"""goals, milestones, report schedules and branding

Revision ID: 8d79f1b4c675
Revises: 2cbfdc4947a2
Create Date: 2026-11-27 01:56:45.678945
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '8d79f1b4c675'
down_revision: str | Sequence[str] | None = '2cbfdc4947a2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('goals',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('at_least', sa.Boolean(), nullable=False),
    sa.Column('target', sa.Double(), nullable=False),
    sa.Column('baseline', sa.Double(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome_value', sa.Double(), nullable=True),
    sa.Column('outcome_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.String(length=26), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_goals_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_goals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_goals_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('goal_milestones',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('goal_id', sa.String(length=26), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('target', sa.Double(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome_value', sa.Double(), nullable=True),
    sa.Column('outcome_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_milestones_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_goal_milestones_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_milestones'))
    )
    with op.batch_alter_table('goal_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_milestones_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_milestones_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('report_schedules',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('next_run_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_period', sa.String(length=40), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.String(length=26), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_report_schedules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_report_schedules_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_schedules'))
    )
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_schedules_next_run_at'), ['next_run_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_schedules_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('report_brandings',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('logo_media_id', sa.String(length=26), nullable=True),
    sa.Column('accent_colour', sa.String(length=7), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('footer', sa.String(length=500), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['logo_media_id'], ['media_assets.id'], name=op.f('fk_report_brandings_logo_media_id_media_assets'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_report_brandings_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_brandings')),
    sa.UniqueConstraint('workspace_id', name=op.f('uq_report_brandings_workspace_id'))
    )


def downgrade() -> None:
    with op.batch_alter_table('report_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_schedules_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_report_schedules_next_run_at'))

    op.drop_table('report_schedules')

    op.drop_table('report_brandings')
    with op.batch_alter_table('goal_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_milestones_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_goal_milestones_goal_id'))

    op.drop_table('goal_milestones')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_goals_channel_id'))

    op.drop_table('goals')
