"""Issue 4's promise in one test: a user connects a Bluesky account, a Mastodon account and a WordPress
blog from the channels page, publishes one post to all three, and sees replies and numbers come back —
against the real servers (the Bluesky PDS and AppView from npm, mastodon_mock, WordPress from Debian).
It runs in the PostgreSQL pass, where the Bluesky network runs."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from socialdesk.analytics import service as analytics
from socialdesk.analytics.models import PublicationMetricSnapshot
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.helpers import make_world
from tests.integration.bluesky.pds import INSTALL_TIMEOUT, Network
from tests.integration.mastodon_peer import Peer
from tests.integration.peers.wordpress import WordPressPeer
from tests.web_client import signed_in_client

pytestmark = [pytest.mark.slow, pytest.mark.timeout(INSTALL_TIMEOUT + 300),
              pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")]



def test_connect_three_networks_publish_one_post_and_see_replies_and_numbers(
        database: Database, real_now: ManualClock, bluesky: Network, mastodon_peer: Peer,
        wordpress_in_any_pass: WordPressPeer) -> None:
    wordpress = wordpress_in_any_pass
    world = make_world(database, "Everywhere", profiles=(), roles=())
    client, csrf = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    brand = bluesky.create_account("everywhere")
    me, token = mastodon_peer.new_account("everywhere")
    forms = {
        "Brand on Bluesky": {"network": "bluesky", "handle": brand.handle, "app_password": brand.app_password,
                             "service": bluesky.pds},
        "Brand on Mastodon": {"network": "mastodon", "instance": mastodon_peer.url, "access_token": token},
        "Brand blog": {"network": "wordpress", "site_url": wordpress.url, "username": wordpress.username,
                       "app_password": wordpress.app_password},
    }
    for name, form in forms.items():
        answer = client.post(f"{w}/channels/connect", data={**form, "name": name, "csrf_token": csrf})
        assert answer.status_code == 303, (name, answer.text[:1000])
    page = client.get(f"{w}/channels").text
    assert all(name in page for name in forms)
    with database.read_sessions() as session:
        ids = {c.network: c.id for c in session.scalars(select(Channel).where(
            Channel.workspace_id == world.workspace_id,
            Channel.network.in_(["bluesky", "mastodon", "wordpress"])))}

    # One post to all three: the blog first, then the social posts with the blog post's address.
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Jesen je stigla u naš kafić ☕ #kava", channel_ids=list(ids.values()), intent=Intent.PUBLISH_NOW,
            variants={ids["wordpress"]: VariantIn(text="<p>Jesen je stigla: nova ponuda kave.</p>",
                                                  title="Jesen u kafiću")})).post.id
    for _ in range(3):
        Runner(database).run_pending()
    with database.read_sessions() as session:
        pubs = {p.channel_id: p for p in session.scalars(select(Publication).where(Publication.post_id == post_id))}
    assert {p.status for p in pubs.values()} == {PublicationStatus.PUBLISHED}, \
        {p.channel_id: p.last_error for p in pubs.values()}
    blog_url = pubs[ids["wordpress"]].external_url
    assert blog_url and httpx.get(blog_url, timeout=30).status_code == 200
    bluesky_uri, toot_id = pubs[ids["bluesky"]].external_id, pubs[ids["mastodon"]].external_id
    assert bluesky_uri and toot_id
    record = bluesky.client().com.atproto.repo.get_record(
        {"repo": brand.did, "collection": "app.bsky.feed.post", "rkey": bluesky_uri.rsplit("/", 1)[1]})
    assert blog_url in record.value.text
    assert blog_url in mastodon_peer.api(token).get(f"/api/v1/statuses/{toot_id}")["content"]

    # The audience answers on each network.
    fan = bluesky.create_account("everyfan")
    them = bluesky.signed_in(fan)
    ref = {"uri": record.uri, "cid": record.cid}
    stamp = real_now.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    them.com.atproto.repo.create_record({"repo": fan.did, "collection": "app.bsky.feed.like",
                                         "record": {"$type": "app.bsky.feed.like", "subject": ref, "createdAt": stamp}})
    them.com.atproto.repo.create_record({"repo": fan.did, "collection": "app.bsky.feed.post", "record": {
        "$type": "app.bsky.feed.post", "text": "Koliko košta jesenski latte?", "createdAt": stamp,
        "reply": {"root": ref, "parent": ref}}})
    _, ana_token = mastodon_peer.new_account("ana")
    ana = mastodon_peer.api(ana_token)
    ana.post("/api/v1/statuses", status=f"@{me} Radite li nedjeljom?", in_reply_to_id=toot_id)
    ana.post(f"/api/v1/statuses/{toot_id}/favourite")
    blog_post = int(pubs[ids["wordpress"]].external_id or 0)
    with httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2/", auth=(wordpress.username, wordpress.app_password),
                      timeout=30) as wp:
        comment = wp.post("comments", json={"post": blog_post, "author_name": "Iva", "author_email": "iva@example.com",
                                            "content": "Super članak!"}).json()
        wp.post(f"comments/{comment['id']}", json={"status": "approve"})

    def arrived() -> bool:
        for channel_id in ids.values():
            inbox.fetch_channel(database, channel_id)
        with database.read_sessions() as session:
            return {i.channel_id for i in session.scalars(select(InboxItem))} >= set(ids.values())

    bluesky.wait_until(arrived, "a reply on every network")
    with database.read_sessions() as session:
        texts = {i.channel_id: i.text for i in session.scalars(select(InboxItem))}
    assert "latte" in texts[ids["bluesky"]] and "nedjeljom" in texts[ids["mastodon"]]
    assert "Super članak" in texts[ids["wordpress"]]
    inbox_page = client.get(f"{w}/inbox").text
    assert "Radite li nedjeljom?" in inbox_page

    # Numbers come back through the same collection as every channel.
    real_now.advance(timedelta(hours=2))
    bluesky.wait_until(lambda: _likes_seen(database, real_now, ids["bluesky"]), "Bluesky's like in the numbers")
    for network in ("mastodon", "wordpress"):
        analytics.collect_channel(database, ids[network])
    with database.read_sessions() as session:
        latest = {s.publication_id: s for s in session.scalars(
            select(PublicationMetricSnapshot).order_by(PublicationMetricSnapshot.collected_at))}
    assert (latest[pubs[ids["mastodon"]].id].likes, latest[pubs[ids["mastodon"]].id].comments) == (1, 1)
    assert latest[pubs[ids["wordpress"]].id].comments == 1


def _likes_seen(database: Database, now: ManualClock, channel_id: str) -> bool:
    """Collect the Bluesky channel's numbers until the AppView has counted the like and the reply (an hour
    later each time, so a snapshot is due)."""
    now.advance(timedelta(hours=1))
    analytics.collect_channel(database, channel_id)
    with database.read_sessions() as session:
        snapshot = session.scalars(select(PublicationMetricSnapshot).join(
            Publication, Publication.id == PublicationMetricSnapshot.publication_id).where(
            Publication.channel_id == channel_id).order_by(PublicationMetricSnapshot.collected_at.desc())).first()
    return snapshot is not None and snapshot.likes == 1 and snapshot.comments == 1
