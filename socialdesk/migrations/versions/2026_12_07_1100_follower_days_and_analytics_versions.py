"""follower days and analytics versions: one row per channel and UTC day summing its follower snapshots,
and a per-workspace version bumped by every metric snapshot written, for cached dashboards
(analytics/followers.py, analytics/cache.py). The day rows are computed from the existing snapshots.

Revision ID: 5f0d4c3b2a19
Revises: 890f1f1c023d
Create Date: 2026-12-07 11:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = '5f0d4c3b2a19'
down_revision: str | Sequence[str] | None = '890f1f1c023d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('analytics_versions',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('newest_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_analytics_versions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_analytics_versions'))
    )
    op.create_table('channel_follower_days',
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('first_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('first_followers', sa.Integer(), nullable=False),
    sa.Column('last_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_followers', sa.Integer(), nullable=False),
    sa.Column('drops', sa.Integer(), nullable=False),
    sa.Column('snapshots', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_channel_follower_days_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_channel_follower_days_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'day', name=op.f('pk_channel_follower_days'))
    )
    with op.batch_alter_table('channel_follower_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_follower_days_workspace_id'), ['workspace_id'], unique=False)

    # The day rows of the snapshots already stored (the same SQL as analytics/followers.py's rebuild_days,
    # copied so this migration does not change when that module does).
    bind = op.get_bind()
    day = ("substr(collected_at, 1, 10)" if bind.dialect.name == "sqlite"
           else "CAST(collected_at AT TIME ZONE 'UTC' AS date)")
    bind.execute(sa.text(f"""
        INSERT INTO channel_follower_days (channel_id, day, workspace_id, first_at, first_followers, last_at,
                                           last_followers, drops, snapshots)
        SELECT channel_id, day, min(workspace_id), min(collected_at), max(CASE WHEN first_rank = 1 THEN followers END),
               max(collected_at), max(CASE WHEN last_rank = 1 THEN followers END), sum(fall), count(*)
        FROM (SELECT channel_id, workspace_id, collected_at, followers, {day} AS day,
                     CASE WHEN lag(followers) OVER w > followers THEN lag(followers) OVER w - followers ELSE 0 END
                         AS fall,
                     row_number() OVER w AS first_rank,
                     row_number() OVER (PARTITION BY channel_id, {day} ORDER BY collected_at DESC) AS last_rank
              FROM channel_metric_snapshots WHERE followers IS NOT NULL
              WINDOW w AS (PARTITION BY channel_id, {day} ORDER BY collected_at)) AS snapshots
        GROUP BY channel_id, day"""))


def downgrade() -> None:
    with op.batch_alter_table('channel_follower_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_follower_days_workspace_id'))

    op.drop_table('channel_follower_days')
    op.drop_table('analytics_versions')
