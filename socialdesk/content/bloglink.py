"""A post that goes to a blog and to social channels at once: the social posts link to the blog post.

The rule: each social publication of such a post waits (`link_from_id`) for the post's blog
publication. The dispatcher does not take it until the blog publication is `published`; then its text
gets the blog post's address, in place of every `{blog_link}` in it, or on a line of its own at the end
when the text has no `{blog_link}`. If the blog publication fails, is cancelled, or waits for a person
(unconfirmed), the social publications stay scheduled but held, with the reason in `last_error`, so
they never go out without the link; they go as soon as the blog post is published (a retry, or a
person confirming it with its address).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, aliased

from socialdesk.content.models import Publication, PublicationStatus

LINK_PLACEHOLDER = "{blog_link}"
# While composing, the address is not known yet: the checks count this many characters for it (a
# blog's address and a slug of ordinary length).
_ESTIMATED_SLUG = "x" * 60
S = PublicationStatus


def with_link(text: str, url: str) -> str:
    if LINK_PLACEHOLDER in text:
        return text.replace(LINK_PLACEHOLDER, url)
    text = text.rstrip()
    return f"{text}\n\n{url}" if text else url


def estimated_url(blog_settings: dict[str, Any]) -> str:
    home = str(blog_settings.get("home_url") or blog_settings.get("site_url") or "https://blog.example.com")
    return f"{home.rstrip('/')}/{_ESTIMATED_SLUG}/"


def ready_to_send() -> ColumnElement[bool]:
    """SQL: the publication waits for no blog post, or its blog post is published."""
    blog = aliased(Publication)
    return or_(Publication.link_from_id.is_(None),
               exists(select(blog.id).where(blog.id == Publication.link_from_id, blog.status == S.PUBLISHED)))


def dependents(session: Session, blog_publication_id: str) -> list[Publication]:
    return list(session.scalars(select(Publication).where(Publication.link_from_id == blog_publication_id)))


def hold_dependents(session: Session, blog: Publication, blog_channel_name: str, why: str) -> int:
    """Say on each waiting social publication why it is not going out; returns how many wait."""
    held = 0
    for publication in dependents(session, blog.id):
        if publication.status in (S.SCHEDULED, S.PENDING_APPROVAL, S.DRAFT):
            publication.last_error = (
                f"Waiting for the blog post on {blog_channel_name}, whose link this post carries: {why} "
                "It goes out with the link once the blog post is published (retry it, or confirm it with its "
                "address); or cancel this channel.")
            held += 1
    return held


def release_note(session: Session, blog: Publication) -> None:
    """The blog post is (or may soon be) published again: clear the held reasons."""
    for publication in dependents(session, blog.id):
        if publication.status == S.SCHEDULED and publication.last_error \
                and publication.last_error.startswith("Waiting for the blog post"):
            publication.last_error = None
