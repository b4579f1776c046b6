"""merge: composer threads, polls, steps and quizzes (c0mp05e7a1b2, made on top of 890f1f1c023d) with the
other branches' merge e4cb43d8e8f9.


Revision ID: 3fe58253f109
Revises: c0mp05e7a1b2, e4cb43d8e8f9
Create Date: 2026-12-07 11:46:23.786564
"""
from collections.abc import Sequence

revision: str = '3fe58253f109'
down_revision: str | Sequence[str] | None = ('c0mp05e7a1b2', 'e4cb43d8e8f9')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
