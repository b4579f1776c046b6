"""Helpers the assignment and reminder tests share: a person's id, what people were told, a draft."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.auth.service import user_by_email
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.db import Database
from socialdesk.notifications.models import PersonalNotification
from tests.helpers import World


def uid(database: Database, email: str) -> str:
    with database.read_sessions() as session:
        user = user_by_email(session, email)
        assert user is not None
        return user.id


def told(database: Database, event: str) -> list[PersonalNotification]:
    with database.read_sessions() as session:
        return list(session.scalars(select(PersonalNotification).where(PersonalNotification.event == event)))


def draft(database: Database, world: World, text: str = "Winter menu teaser") -> str:
    with database.unit_of_work() as session:
        return content.compose(world.ctx(session), PostIn(text=text, channel_ids=[world.channels["mastodon"]],
                                                          intent=Intent.DRAFT)).post.id
