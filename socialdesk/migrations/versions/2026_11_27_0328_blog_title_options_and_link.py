"""Blog publications: a title and options (tags, categories, draft); social publications of the same
post wait for the blog one and carry its link (link_from_id).

Revision ID: 93a95524c529
Revises: 8100f8587083
Create Date: 2026-11-27 03:28:41.130903
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '93a95524c529'
down_revision: str | Sequence[str] | None = '8100f8587083'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('blog_options', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('link_from_id', sa.String(length=26), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_publications_link_from_id_publications'), 'publications', ['link_from_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_publications_link_from_id_publications'), type_='foreignkey')
        batch_op.drop_column('link_from_id')
        batch_op.drop_column('blog_options')
        batch_op.drop_column('title')
