"""composer features (threads, polls, content warnings, visibility), publication steps, poll votes, quizzes

Revision ID: c0mp05e7a1b2
Revises: 890f1f1c023d
Create Date: 2026-12-07 11:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import socialdesk.core.db


revision: str = 'c0mp05e7a1b2'
down_revision: str | Sequence[str] | None = '890f1f1c023d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extras', sa.JSON(), nullable=True))
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extras', sa.JSON(), nullable=True))
    with op.batch_alter_table('publication_metric_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poll_votes', sa.JSON(), nullable=True))

    op.create_table('publication_steps',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('publication_id', sa.String(length=26), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('attempt_started_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('external_url', sa.String(length=1000), nullable=True),
    sa.Column('published_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_publication_steps_publication_id_publications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_publication_steps_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication_steps')),
    sa.UniqueConstraint('publication_id', 'kind', 'position', name=op.f('uq_publication_steps_publication_id_kind_position'))
    )
    with op.batch_alter_table('publication_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_steps_publication_id'), ['publication_id'], unique=False)

    op.create_table('quizzes',
    sa.Column('workspace_id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prize', sa.Text(), nullable=False),
    sa.Column('channel_ids', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('winners_count', sa.Integer(), nullable=False),
    sa.Column('reserves_count', sa.Integer(), nullable=False),
    sa.Column('pick', sa.String(length=16), nullable=False),
    sa.Column('seed_encrypted', sa.Text(), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('public_value', sa.Text(), nullable=True),
    sa.Column('leaderboard', sa.JSON(), nullable=True),
    sa.Column('record', sa.JSON(), nullable=True),
    sa.Column('finished_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=26), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('created_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_quizzes_created_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_quizzes_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quizzes'))
    )
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quizzes_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('quiz_questions',
    sa.Column('quiz_id', sa.String(length=26), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('opens_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', socialdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('post_id', sa.String(length=26), nullable=True),
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_quiz_questions_post_id_posts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quizzes.id'], name=op.f('fk_quiz_questions_quiz_id_quizzes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_questions')),
    sa.UniqueConstraint('quiz_id', 'position', name=op.f('uq_quiz_questions_quiz_id_position'))
    )
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_questions_quiz_id'), ['quiz_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_questions_quiz_id'))
    op.drop_table('quiz_questions')
    with op.batch_alter_table('quizzes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quizzes_workspace_id'))
    op.drop_table('quizzes')
    with op.batch_alter_table('publication_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_steps_publication_id'))
    op.drop_table('publication_steps')
    with op.batch_alter_table('publication_metric_snapshots', schema=None) as batch_op:
        batch_op.drop_column('poll_votes')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('extras')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('extras')
