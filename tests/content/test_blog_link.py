"""A post for a blog and social channels at once: the blog goes first, the social posts carry its link,
and they never go out without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.networks import registry
from socialdesk.networks.base import PermanentNetworkError
from socialdesk.networks.sandbox.models import SandboxPost
from socialdesk.networks.sandbox.server import sandbox_database
from tests.content import fake_blog
from tests.helpers import World, make_world

S = PublicationStatus


@pytest.fixture
def world(database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setitem(registry.NETWORKS, "fakeblog", fake_blog.SPEC)
    fake_blog.BLOG.posts.clear()
    fake_blog.BLOG.fail_with = None
    world = make_world(database, profiles=("mastodon", "x"))
    with database.unit_of_work() as session:
        world.channels["blog"] = channels.connect(world.ctx(session), "fakeblog", "The Blog").id
    yield world


def _compose(database: Database, world: World, variants: dict[str, VariantIn], text: str = "New menu is out!",
             intent: Intent = Intent.PUBLISH_NOW) -> str:
    with database.unit_of_work() as session:
        data = PostIn(text=text, channel_ids=list(world.channels.values()), variants=variants, intent=intent)
        return content.compose(world.ctx(session), data).post.id


def _publications(database: Database, post_id: str) -> dict[str, Publication]:
    with database.read_sessions() as session:
        pubs = session.scalars(select(Publication).where(Publication.post_id == post_id))
        return {p.channel_id: p for p in pubs}


def _sandbox_texts() -> list[str]:
    with sandbox_database().read_sessions() as session:
        return list(session.scalars(select(SandboxPost.text).order_by(SandboxPost.seq)))


def test_a_blog_post_needs_a_title_and_the_composer_says_so(database: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _compose(database, world, {})
    assert "needs a title" in refused.value.message and "The Blog" in refused.value.message
    with database.unit_of_work() as session:
        checks = content.check(world.ctx(session), PostIn(
            text="x", channel_ids=[world.channels["blog"]],
            variants={world.channels["blog"]: VariantIn(title="t" * 81)}))
    assert [p.code for p in checks[0].problems] == ["title_too_long"]


def test_social_posts_go_after_the_blog_post_with_its_link(database: Database, world: World) -> None:
    blog, mastodon, x = world.channels["blog"], world.channels["mastodon"], world.channels["x"]
    post_id = _compose(database, world, {
        blog: VariantIn(text="<p>The whole story.</p>", title="Our new menu", tags=["Food", " food ", "News"],
                        categories=["Menus"]),
        mastodon: VariantIn(text="Read about our new menu: {blog_link} #food"),
    })
    pubs = _publications(database, post_id)
    assert pubs[mastodon].link_from_id == pubs[blog].id and pubs[x].link_from_id == pubs[blog].id
    assert pubs[blog].link_from_id is None

    Runner(database).run_pending()

    pubs = _publications(database, post_id)
    assert {p.status for p in pubs.values()} == {S.PUBLISHED}
    sent = fake_blog.BLOG.posts["post-1"]
    assert (sent.title, list(sent.tags), list(sent.categories)) == ("Our new menu", ["Food", "News"], ["Menus"])
    url = pubs[blog].external_url
    assert url == "https://blog.example.com/post-1/"
    # The placeholder is replaced; a text without one gets the link on a line of its own.
    assert sorted(_sandbox_texts()) == sorted([f"Read about our new menu: {url} #food", f"New menu is out!\n\n{url}"])


def test_a_failed_blog_post_holds_the_social_posts_with_the_reason(database: Database, world: World) -> None:
    blog, mastodon = world.channels["blog"], world.channels["mastodon"]
    fake_blog.BLOG.fail_with = PermanentNetworkError("Sorry, you are not allowed to use that category.")
    post_id = _compose(database, world, {blog: VariantIn(title="Our new menu")})
    runner = Runner(database)
    runner.run_pending()

    pubs = _publications(database, post_id)
    assert pubs[blog].status == S.FAILED
    assert pubs[mastodon].status == S.SCHEDULED
    assert "Waiting for the blog post on The Blog" in (pubs[mastodon].last_error or "")
    assert "not allowed to use that category" in (pubs[mastodon].last_error or "")
    assert _sandbox_texts() == [], "a social post went out without its blog link"
    with database.unit_of_work() as session:
        out = content.to_out(world.ctx(session), [content.get_post(world.ctx(session), post_id)])[0]
    assert any("Waiting for the blog post" in (p.last_error or "") for p in out.publications)

    # Fixed on the blog's side and retried: the blog post goes out, and the social posts follow with its link.
    fake_blog.BLOG.fail_with = None
    with database.unit_of_work() as session:
        content.retry_publication(world.ctx(session), pubs[blog].id)
    runner.run_pending()
    pubs = _publications(database, post_id)
    assert {p.status for p in pubs.values()} == {S.PUBLISHED}
    assert all(pubs[blog].external_url in text for text in _sandbox_texts()) and len(_sandbox_texts()) == 2


def test_a_blog_draft_cannot_feed_links_to_social_posts(database: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as refused:
        _compose(database, world, {world.channels["blog"]: VariantIn(title="Draft", draft=True)})
    assert "stay a draft" in refused.value.message


def test_a_placeholder_without_a_blog_is_pointed_out(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        checks = content.check(world.ctx(session), PostIn(text="Read it: {blog_link}",
                                                          channel_ids=[world.channels["x"]]))
    assert [p.code for p in checks[0].problems] == ["blog_link_without_blog"]


def test_each_occurrence_of_a_recurring_post_links_to_its_own_blog_post(database: Database, world: World,
                                                                      clock: ManualClock) -> None:
    from datetime import timedelta

    blog, x = world.channels["blog"], world.channels["x"]
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Weekly menu", channel_ids=[blog, x], variants={blog: VariantIn(title="This week's menu")},
            scheduled_at=(clock.now() + timedelta(hours=1)).replace(tzinfo=None), timezone="UTC",
            recurrence="FREQ=WEEKLY;COUNT=3", intent=Intent.SCHEDULE)).post.id
    with database.read_sessions() as session:
        pubs = list(session.scalars(select(Publication).where(Publication.post_id != post_id)))
    assert len(pubs) == 4  # two more occurrences, each on both channels
    by_id = {p.id: p for p in pubs}
    for social in (p for p in pubs if p.channel_id == x):
        parent = by_id[social.link_from_id or ""]
        assert parent.post_id == social.post_id and parent.channel_id == blog
        assert parent.title == "This week's menu"
