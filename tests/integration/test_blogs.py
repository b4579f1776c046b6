"""The WordPress and Ghost adapters against real servers on loopback (tests/integration/peers/).

What a user relies on: connecting with the blog's own credentials (also from the channels page),
a post arriving with its title, HTML, featured image, tags and categories, kept as a draft or scheduled
on the blog when asked, found again instead of posted twice after an interrupted try, deleted, refusals
shown in the server's own words, and the social posts of the same post carrying the blog post's real
address. They run in the SQLite pass of ./scripts/test only (the servers do not care which database
socialdesk uses).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import select, update

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core import clock as core_clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import encrypt_json
from socialdesk.core.db import Database
from socialdesk.jobs.queue import enqueue
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from socialdesk.networks import registry
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    MediaKind,
    NetworkAdapter,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    TransientNetworkError,
)
from socialdesk.networks.sandbox.models import SandboxPost
from socialdesk.networks.sandbox.server import sandbox_database
from tests.helpers import World, image_bytes, make_world
from tests.integration.peers.ghost import GhostPeer
from tests.integration.peers.wordpress import WordPressPeer
from tests.web.conftest import build_site

# The first test to use Ghost installs it when the cache is empty (about 4 minutes on two cores).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
S = PublicationStatus
TITLE = "Kava & <kolači>: jesen u Zagrebu ☕"  # text, not HTML: it must come back exactly so


# Reading the blogs back with their own APIs, independently of the adapters --------------------------


@dataclass
class Stored:
    title: str
    status: str
    html: str
    tags: list[str]
    categories: list[str]
    image_url: str | None
    image_alt: str | None
    date_gmt: datetime | None


class WordPressReader:
    def __init__(self, peer: WordPressPeer) -> None:
        self.peer = peer
        self.http = httpx.Client(base_url=f"{peer.url}/wp-json/wp/v2/", auth=(peer.username, peer.app_password),
                                 timeout=30)

    def post(self, external_id: str) -> Stored:
        item = self.http.get(f"posts/{external_id}", params={"context": "edit"}).json()
        names = {}
        for taxonomy in ("tags", "categories"):
            ids = item[taxonomy]
            # PHP keeps only the last of repeated parameters: the ids go comma-separated.
            found = self.http.get(taxonomy, params={"include": ",".join(map(str, ids))}).json() if ids else []
            names[taxonomy] = [html.unescape(t["name"]) for t in found]
        image_url = image_alt = None
        if item["featured_media"]:
            attachment = self.http.get(f"media/{item['featured_media']}", params={"context": "edit"}).json()
            image_url, image_alt = attachment["source_url"], attachment["alt_text"]
        return Stored(title=html.unescape(item["title"]["raw"]), status=item["status"], html=item["content"]["raw"],
                      tags=sorted(names["tags"]), categories=sorted(names["categories"]), image_url=image_url,
                      image_alt=image_alt, date_gmt=datetime.fromisoformat(item["date_gmt"]).replace(tzinfo=UTC))

    def count_with(self, word: str) -> int:
        found = self.http.get("posts", params={"search": word, "status": "publish,future,draft,pending,private",
                                               "context": "edit"}).json()
        return len(found)

    def gone(self, external_id: str) -> bool:
        answer = self.http.get(f"posts/{external_id}", params={"context": "edit"})
        return answer.status_code == 404 or answer.json().get("status") == "trash"


class GhostReader:
    def __init__(self, peer: GhostPeer) -> None:
        self.peer = peer

    def _http(self) -> httpx.Client:
        key_id, secret = self.peer.admin_api_key.split(":")
        now = int(datetime.now(UTC).timestamp())
        token = jwt.encode({"iat": now, "exp": now + 300, "aud": "/admin/"}, bytes.fromhex(secret),
                           algorithm="HS256", headers={"kid": key_id})
        return httpx.Client(base_url=f"{self.peer.url}/ghost/api/admin/", timeout=30,
                            headers={"Authorization": f"Ghost {token}", "Accept-Version": "v5.0"})

    def post(self, external_id: str) -> Stored:
        with self._http() as http:
            item = http.get(f"posts/{external_id}/", params={"formats": "html", "include": "tags"}).json()["posts"][0]
        tags = [t["name"] for t in item["tags"]]
        published = item.get("published_at")
        return Stored(title=item["title"], status=item["status"], html=item["html"] or "", tags=sorted(tags),
                      categories=[], image_url=item["feature_image"], image_alt=item.get("feature_image_alt"),
                      date_gmt=datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None)

    def count_with(self, word: str) -> int:
        with self._http() as http:
            found = http.get("posts/", params={"filter": f"codeinjection_foot:~'{word}'", "fields": "id"}).json()
        return len(found["posts"])

    def gone(self, external_id: str) -> bool:
        with self._http() as http:
            return http.get(f"posts/{external_id}/").status_code == 404


@dataclass
class Blog:
    network: str
    fields: dict[str, str]
    reader: WordPressReader | GhostReader
    published: str  # the status of a published post on this blog
    scheduled: str

    def adapter(self, **credential_changes: str) -> NetworkAdapter:
        account = registry.connect(self.network, **self.fields)
        credentials = {**account.credentials, **credential_changes}
        return registry.adapter_for(self.network, ChannelAccount("test", account.external_id, account.handle,
                                                                 credentials, account.settings))


@pytest.fixture(params=["wordpress", "ghost"])
def blog(request: pytest.FixtureRequest) -> Blog:
    if request.param == "wordpress":
        wp: WordPressPeer = request.getfixturevalue("wordpress")
        return Blog("wordpress", {"site_url": wp.url, "username": wp.username, "app_password": wp.app_password},
                    WordPressReader(wp), "publish", "future")
    gh: GhostPeer = request.getfixturevalue("ghost")
    return Blog("ghost", {"admin_url": gh.url, "admin_api_key": gh.admin_api_key}, GhostReader(gh),
                "published", "scheduled")


def _image(tmp_path: Path) -> OutgoingMedia:
    path = tmp_path / "autumn.jpg"
    path.write_bytes(image_bytes(3, (96, 64)))
    return OutgoingMedia(path=path, kind=MediaKind.IMAGE, content_type="image/jpeg", size_bytes=path.stat().st_size,
                         alt_text="Šalica kave na stolu")


def _key() -> str:
    from ulid import ULID

    return str(ULID())


# The adapters -----------------------------------------------------------------------------------


def test_publish_with_title_html_image_tags_and_categories(blog: Blog, tmp_path: Path) -> None:
    adapter = blog.adapter()
    post = OutgoingPost(text="<p>Nova <strong>jesenska</strong> ponuda.</p>\n<p>Dođite!</p>",
                        media=[_image(tmp_path)], idempotency_key=_key(), title=TITLE,
                        tags=["jesen", "Kava & čaj"], categories=["Ponuda"])
    published = adapter.publish(post)
    assert published.url and published.url.startswith(blog.reader.peer.url)

    stored = blog.reader.post(published.external_id)
    assert stored.title == TITLE
    assert stored.status == blog.published
    assert "<strong>jesenska</strong>" in stored.html
    if blog.network == "wordpress":
        assert (stored.tags, stored.categories) == (["Kava & čaj", "jesen"], ["Ponuda"])
    else:  # Ghost has no categories: they become the first tags (the first is the primary tag)
        assert stored.tags == sorted(["Ponuda", "jesen", "Kava & čaj"])
    assert stored.image_url and stored.image_alt == "Šalica kave na stolu"
    image = httpx.get(stored.image_url, timeout=30)
    assert image.status_code == 200 and image.headers["content-type"].startswith("image/")
    # The public page is the address socialdesk links to.
    assert httpx.get(published.url, timeout=30).status_code == 200

    # Tags that exist already are reused, not duplicated.
    again = adapter.publish(OutgoingPost(text="Second", idempotency_key=_key(), title="Second", tags=["JESEN"]))
    assert blog.reader.post(again.external_id).tags == ["jesen"]


def test_plain_text_becomes_paragraphs_and_stays_text(blog: Blog) -> None:
    published = blog.adapter().publish(OutgoingPost(text="Prvi odlomak <3\n\nDrugi odlomak", title="Plain",
                                                    idempotency_key=_key()))
    html = blog.reader.post(published.external_id).html
    assert "<p>Prvi odlomak &lt;3</p>" in html and "<p>Drugi odlomak</p>" in html


def test_draft_and_scheduled_on_the_blog(blog: Blog) -> None:
    adapter = blog.adapter()
    draft = adapter.publish(OutgoingPost(text="<p>Not yet</p>", title="A draft", idempotency_key=_key(),
                                         as_draft=True))
    assert blog.reader.post(draft.external_id).status == "draft"

    when = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    later = adapter.publish(OutgoingPost(text="<p>Later</p>", title="Scheduled", idempotency_key=_key(),
                                         publish_at=when))
    stored = blog.reader.post(later.external_id)
    assert stored.status == blog.scheduled
    assert stored.date_gmt is not None and abs((stored.date_gmt - when).total_seconds()) < 2


def test_find_published_finds_the_post_of_an_earlier_try_and_nothing_else(blog: Blog) -> None:
    adapter = blog.adapter()
    since = datetime.now(UTC) - timedelta(minutes=5)
    post = OutgoingPost(text="<p>Once only</p>", title="Once only", idempotency_key=_key())
    assert adapter.find_published(post, since) is None
    published = adapter.publish(post)
    found = adapter.find_published(post, since)
    assert found is not None and found.external_id == published.external_id and found.url == published.url
    other = OutgoingPost(text="<p>Once only</p>", title="Once only", idempotency_key=_key())
    assert adapter.find_published(other, since) is None, "a post with the same title is not this one"


def test_delete(blog: Blog) -> None:
    adapter = blog.adapter()
    published = adapter.publish(OutgoingPost(text="<p>Bye</p>", title="Short-lived", idempotency_key=_key()))
    adapter.delete(published.external_id)
    assert blog.reader.gone(published.external_id)


def test_refusals_come_back_sorted_in_the_servers_words(blog: Blog) -> None:
    post = OutgoingPost(text="<p>x</p>", title="Refused", idempotency_key=_key())
    if blog.network == "wordpress":
        bad = blog.adapter(app_password="abcd abcd abcd abcd abcd abcd")
        words = "not allowed to create posts"
    else:
        key_id, secret = blog.fields["admin_api_key"].split(":")
        bad = blog.adapter(admin_api_key=f"{key_id}:{'0' * len(secret)}")
        words = "Invalid token"
    with pytest.raises(AuthError) as refused:
        bad.publish(post)
    assert words in refused.value.network_message and refused.value.status_code == 401

    with pytest.raises(PermanentNetworkError) as missing:
        blog.adapter().delete("123456" if blog.network == "wordpress" else "0123456789abcdef01234567")
    assert missing.value.status_code == 404 and not isinstance(missing.value, AuthError)
    assert ("Invalid post ID" if blog.network == "wordpress" else "Post not found") in missing.value.network_message

    if blog.network == "ghost":  # Ghost validates the title's length itself
        with pytest.raises(PermanentNetworkError) as invalid:
            blog.adapter().publish(OutgoingPost(text="x", title="t" * 300))
        assert invalid.value.status_code == 422 and "maximum length" in invalid.value.network_message

    # Nothing listening: nothing was sent, so trying again later is safe.
    fields = dict(blog.fields)
    url_field = "site_url" if blog.network == "wordpress" else "admin_url"
    account = registry.connect(blog.network, **fields)
    closed = {**account.credentials, url_field: "http://127.0.0.1:9"}
    adapter = registry.adapter_for(blog.network, ChannelAccount("t", account.external_id, account.handle, closed,
                                                                account.settings))
    with pytest.raises(TransientNetworkError):
        adapter.publish(post)


def test_connect_refuses_a_wrong_password_with_the_servers_words(blog: Blog) -> None:
    if blog.network == "wordpress":
        fields = {**blog.fields, "app_password": "abcd abcd abcd abcd abcd abcd"}
        words = "You are not currently logged in"
    else:
        key_id, secret = blog.fields["admin_api_key"].split(":")
        fields = {**blog.fields, "admin_api_key": f"{key_id}:{'1' * len(secret)}"}
        words = "Invalid token"
    with pytest.raises(AuthError) as refused:
        registry.connect(blog.network, **fields)
    assert words in refused.value.network_message


# Through the product ------------------------------------------------------------------------------


def test_channels_page_connects_the_blog(blog: Blog, database: Database, clock: ManualClock) -> None:
    site = build_site(database)  # its sample post is dated by the manual clock
    response = site.post(f"{site.w}/channels/connect", {"network": blog.network, "name": "Our blog", **blog.fields})
    assert response.status_code == 303, response.text[:1000]
    page = site.client.get(f"{site.w}/channels").text
    assert "Our blog" in page and ("WordPress" if blog.network == "wordpress" else "Ghost") in page

    wrong = {**blog.fields}
    secret_field = "app_password" if blog.network == "wordpress" else "admin_api_key"
    wrong[secret_field] = wrong[secret_field][:-4] + ("zzzz" if blog.network == "wordpress" else "0000")
    refused = site.post(f"{site.w}/channels/connect", {"network": blog.network, "name": "Again", **wrong})
    assert refused.status_code == 422
    assert f"{blog.network} refused the connection" in refused.text
    assert wrong[secret_field] not in refused.text


def _world_with_blog(database: Database, blog: Blog) -> World:
    world = make_world(database, "Blog Brand", profiles=("mastodon", "bluesky"), roles=())
    with database.unit_of_work() as session:
        world.channels["blog"] = channels.connect(world.ctx(session), blog.network, "The blog", **blog.fields).id
        asset = media.upload(world.ctx(session), "autumn.jpg", image_bytes(7, (120, 80)), "Jesen u Zagrebu")
        world.media.append(asset.id)
    return world


def _publications(database: Database, post_id: str) -> dict[str, Publication]:
    with database.read_sessions() as session:
        return {p.channel_id: p for p in session.scalars(select(Publication).where(Publication.post_id == post_id))}


def _sandbox_texts() -> list[str]:
    with sandbox_database().read_sessions() as session:
        return list(session.scalars(select(SandboxPost.text).order_by(SandboxPost.seq)))


def test_blog_first_then_social_posts_with_the_real_blog_link(blog: Blog, database: Database) -> None:
    world = _world_with_blog(database, blog)
    blog_id, mastodon, bluesky = world.channels["blog"], world.channels["mastodon"], world.channels["bluesky"]
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Jesen je stigla u naš kafić. #kava", channel_ids=[blog_id, mastodon, bluesky],
            media_ids=world.media, intent=Intent.PUBLISH_NOW, variants={
                blog_id: VariantIn(text="<p>Jesen je stigla: <em>nova</em> ponuda kave.</p>", title=TITLE,
                                   tags=["jesen"], categories=["Novosti"]),
                mastodon: VariantIn(text="Novo na blogu: {blog_link} #kava"),
            })).post.id

    Runner(database).run_pending()

    pubs = _publications(database, post_id)
    assert {p.status for p in pubs.values()} == {S.PUBLISHED}, {p.channel_id: p.last_error for p in pubs.values()}
    url = pubs[blog_id].external_url
    assert url and url.startswith(blog.reader.peer.url)
    stored = blog.reader.post(pubs[blog_id].external_id or "")
    assert stored.title == TITLE and stored.status == blog.published and stored.image_url
    assert httpx.get(url, timeout=30).status_code == 200
    assert sorted(_sandbox_texts()) == sorted([f"Novo na blogu: {url} #kava",
                                               f"Jesen je stigla u naš kafić. #kava\n\n{url}"])


def test_a_blog_refusal_holds_the_social_posts(blog: Blog, database: Database) -> None:
    world = _world_with_blog(database, blog)
    blog_id, mastodon = world.channels["blog"], world.channels["mastodon"]
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Uskoro", channel_ids=[blog_id, mastodon], intent=Intent.PUBLISH_NOW,
            variants={blog_id: VariantIn(title="Refused by the blog")})).post.id
    # The blog revokes the password (or the key) before the post goes out.
    secret_field = "app_password" if blog.network == "wordpress" else "admin_api_key"
    broken = {**blog.fields, secret_field: blog.fields[secret_field][:-4] + ("zzzz" if blog.network == "wordpress"
                                                                             else "0000")}
    account = registry.connect(blog.network, **blog.fields)
    credentials = {**account.credentials, secret_field: broken[secret_field]}
    with database.unit_of_work() as session:
        session.execute(update(Channel).where(Channel.id == blog_id).values(
            credentials_encrypted=encrypt_json(credentials)))

    Runner(database).run_pending()

    pubs = _publications(database, post_id)
    assert pubs[mastodon].status == S.SCHEDULED
    assert "Waiting for the blog post on The blog" in (pubs[mastodon].last_error or "")
    assert "needs reconnecting" in (pubs[mastodon].last_error or "")
    assert _sandbox_texts() == [], "a social post went out without its blog link"


def test_an_interrupted_try_is_found_on_the_blog_not_posted_twice(blog: Blog, database: Database) -> None:
    world = _world_with_blog(database, blog)
    blog_id = world.channels["blog"]
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="<p>Exactly once</p>", channel_ids=[blog_id], intent=Intent.PUBLISH_NOW,
            variants={blog_id: VariantIn(title="Exactly once")})).post.id
    publication = _publications(database, post_id)[blog_id]
    # A first try reached the blog, then its worker died before recording anything.
    first = blog.adapter().publish(OutgoingPost(text="<p>Exactly once</p>", title="Exactly once",
                                                idempotency_key=publication.id))
    with database.unit_of_work() as session:
        session.execute(update(Publication).where(Publication.id == publication.id).values(
            status=S.PUBLISHING, attempts=1, attempt_started_at=core_clock.now(), claimed_at=core_clock.now()))
        enqueue(session, "publication.publish", {"publication_id": publication.id})

    Runner(database).run_pending()

    after = _publications(database, post_id)[blog_id]
    assert after.status == S.PUBLISHED and after.external_id == first.external_id
    assert blog.reader.count_with(publication.id) == 1



# Comments (WordPress: Ghost's comments are not in its Admin API) -------------------------------------


def test_wordpress_comments_come_into_the_inbox_and_are_answered_held_and_trashed(
        wordpress: WordPressPeer, database: Database) -> None:
    from socialdesk.inbox import actions
    from socialdesk.inbox import service as inbox
    from socialdesk.inbox.models import InboxItem

    blog = Blog("wordpress", {"site_url": wordpress.url, "username": wordpress.username,
                              "app_password": wordpress.app_password}, WordPressReader(wordpress), "publish", "future")
    world = _world_with_blog(database, blog)
    blog_id = world.channels["blog"]
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="<p>Tell us what you think.</p>", channel_ids=[blog_id], intent=Intent.PUBLISH_NOW,
            variants={blog_id: VariantIn(title="Comments welcome")})).post.id
    Runner(database).run_pending()
    external_id = _publications(database, post_id)[blog_id].external_id
    http = blog.reader.http
    comment = http.post("comments", json={"post": int(external_id or 0), "author_name": "Ana Čitateljica",
                                          "author_email": "ana@example.com",
                                          "content": "Odlično! <script>alert(1)</script> Kada otvarate?"}).json()

    assert inbox.fetch_channel(database, blog_id) >= 1
    with database.read_sessions() as session:
        item = session.scalars(select(InboxItem).where(InboxItem.channel_id == blog_id,
                                                       InboxItem.external_id == str(comment["id"]))).one()
    assert item.author_handle == "Ana Čitateljica" and "Kada otvarate?" in item.text
    assert "ana@example.com" not in item.author_external_id  # a digest, not the address

    http.post(f"comments/{comment['id']}", json={"status": "approve"})  # the site's moderator lets it through
    with database.unit_of_work() as session:
        actions.reply(world.ctx(session), item.id, "Hvala! Otvaramo u 8 <3")
    # Numbers: approved comments on the post (theirs and our reply); views are not WordPress's to give.
    numbers = blog.adapter().post_metrics([external_id or ""])[external_id or ""]
    assert numbers.comments == 2 and numbers.views is None and numbers.likes is None
    replies = http.get("comments", params={"parent": comment["id"], "context": "edit", "status": "all"}).json()
    assert [r["content"]["raw"] for r in replies] == ["Hvala! Otvaramo u 8 &lt;3"]
    inbox.fetch_channel(database, blog_id)
    with database.read_sessions() as session:
        ours = session.scalars(select(InboxItem).where(InboxItem.external_id == str(replies[0]["id"]))).all()
    assert ours == [], "the channel's own reply is not an inbox item"

    with database.unit_of_work() as session:
        actions.hide(world.ctx(session), item.id)
    assert http.get(f"comments/{comment['id']}", params={"context": "edit"}).json()["status"] == "hold"
    with database.unit_of_work() as session:
        actions.delete_item(world.ctx(session), item.id)
    assert http.get(f"comments/{comment['id']}", params={"context": "edit"}).json()["status"] == "trash"
