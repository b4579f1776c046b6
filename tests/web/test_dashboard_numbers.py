"""The dashboard's numbers agree with the pages they link to: a tile counts posts (as the post list,
the API and the Approvals badge do), with the publications per channel beside them; "Recent comments"
leaves out what the inbox treats as spam or hidden."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from socialdesk.content import service as content
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.networks.base import IncomingKind
from tests.helpers import World, make_world
from tests.web_client import signed_in_client

TILES = ("scheduled", "pending_approval", "draft", "published", "failed")
TILE = re.compile(r'data-status="(\w+)">.*?<span class="tile-n">([\d,]+)</span>.*?<span class="tile-sub">([\d,]+) '
                  r"publication", re.S)


def posts_on_three_channels(database: Database, clock: ManualClock) -> World:
    """Posts on several channels each: 2 waiting for approval, 1 draft, 3 published (one of them also failed)."""
    world = make_world(database, profiles=("x", "bluesky", "mastodon"), approval_steps=["approver"])
    every = list(world.channels.values())
    with database.unit_of_work() as session:
        editor = world.ctx(session, "editor")
        for n in range(2):
            content.compose(editor, PostIn(text=f"For approval {n}", channel_ids=every, intent=Intent.SUBMIT,
                                           scheduled_at=(clock.now() + timedelta(days=2 + n)).replace(tzinfo=None)))
        content.compose(editor, PostIn(text="A draft", channel_ids=every[:2], intent=Intent.DRAFT))
        # Published in the past, as the publisher leaves them: one publication per channel.
        for n in range(3):
            when = clock.now() - timedelta(days=n + 1)
            post = Post(workspace_id=world.workspace_id, text=f"Went out {n}", scheduled_at=when)
            session.add(post)
            session.flush()
            for index, channel_id in enumerate(every):
                failed = n == 0 and index == 2
                session.add(Publication(
                    workspace_id=world.workspace_id, post_id=post.id, channel_id=channel_id, scheduled_at=when,
                    status=PublicationStatus.FAILED if failed else PublicationStatus.PUBLISHED,
                    published_at=None if failed else when))
    return world


def _tiles(client: TestClient, w: str) -> dict[str, tuple[int, int]]:
    page = client.get(w)
    assert page.status_code == 200
    found = {status: (int(posts.replace(",", "")), int(pubs.replace(",", "")))
             for status, posts, pubs in TILE.findall(page.text)}
    assert set(found) == set(TILES), found
    return found


def test_each_tile_counts_the_posts_its_page_lists(database: Database, clock: ManualClock) -> None:
    world = posts_on_three_channels(database, clock)
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    tiles = _tiles(client, w)
    for status in TILES:
        listed = client.get(f"{w}/posts", params={"status": status})
        rows = listed.text.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") if "<tbody>" in listed.text else 0
        api = client.get(f"/api/v1/workspaces/{world.workspace_id}/posts", params={"status": status}).json()
        assert tiles[status][0] == rows == api["total"], (status, tiles[status], rows, api["total"])
    # Posts and publications are told apart: 3 published posts went out as 8 publications.
    assert tiles["published"] == (3, 8) and tiles["pending_approval"] == (2, 6) and tiles["failed"] == (1, 1)
    badge = client.get(f"{w}/approvals/count").text
    assert re.sub(r"<[^>]+>", "", badge) == str(tiles["pending_approval"][0])


def test_status_counts_tell_posts_from_publications(database: Database, clock: ManualClock) -> None:
    world = posts_on_three_channels(database, clock)
    with database.read_sessions() as session:
        ctx = world.ctx(session)
        counts = content.counts_by_status(ctx)
        for status, count in counts.items():
            _, total = content.list_posts(ctx, content.PostFilter(status=status))
            assert count.posts == total, status
        assert counts["published"] == content.StatusCount(posts=3, publications=8)
        assert counts["pending_approval"].posts == len(content.pending_approval(ctx)) == 2


def comment(world: World, channel_id: str, external_id: str, text: str, minutes_ago: int,
             **flags: object) -> InboxItem:
    return InboxItem(workspace_id=world.workspace_id, channel_id=channel_id, kind=IncomingKind.COMMENT,
                     external_id=external_id, author_external_id=f"a-{external_id}", author_handle=f"h{external_id}",
                     author_name=f"Author {external_id}", text=text,
                     received_at=clock_module.now() - timedelta(minutes=minutes_ago), **flags)


def test_recent_comments_leave_out_spam_and_hidden(database: Database, clock: ManualClock) -> None:
    world = make_world(database, profiles=("x",))
    channel_id = world.channels["x"]
    with database.unit_of_work() as session:
        session.add_all([
            comment(world, channel_id, "1", "Lovely latte, thank you", 50),
            comment(world, channel_id, "2", "Crypto signals, 300 % profit guaranteed", 10, spam=True),
            comment(world, channel_id, "3", "Cheap followers here", 20, spam=False, marked_spam=True),
            comment(world, channel_id, "4", "You are all idiots", 30, hidden=True),
            comment(world, channel_id, "5", "Flagged by the model, but a person said it is fine", 40, spam=True,
                     marked_spam=False),
            comment(world, channel_id, "6", "Deleted on the network", 5, deleted_at=clock_module.now()),
        ])
    with database.read_sessions() as session:
        items, total = inbox.list_items(world.ctx(session), inbox.InboxFilter(visible=True))
    assert [i.external_id for i in items] == ["5", "1"] and total == 2
    client, _ = signed_in_client(database, world.users["owner"])
    page = client.get(f"/w/{world.workspace_id}").text
    recent = page.split("Recent comments")[1]
    assert "Lovely latte" in recent and "a person said it is fine" in recent
    for unwanted in ("Crypto signals", "Cheap followers", "idiots", "Deleted on the network"):
        assert unwanted not in recent, unwanted
