"""api quota usage: a daily ledger of API quota units per network, operator project and bucket
(networks/quota.py; YouTube counts per Google Cloud project per Pacific day).

Revision ID: 3a9f1c7d2e64
Revises: 890f1f1c023d
Create Date: 2026-12-07 11:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3a9f1c7d2e64'
down_revision: str | Sequence[str] | None = '890f1f1c023d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_quota_usage',
    sa.Column('network', sa.String(length=32), nullable=False),
    sa.Column('project', sa.String(length=200), nullable=False),
    sa.Column('bucket', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_quota_usage')),
    sa.UniqueConstraint('network', 'project', 'bucket', 'day', name=op.f('uq_api_quota_usage_network_project_bucket_day'))
    )


def downgrade() -> None:
    op.drop_table('api_quota_usage')
