"""Publishing on X against the contract server: the documented requests for each kind of post, what X
refuses (refused here before anything is billed, and by the server when sent anyway), and exactly once
when an answer is lost."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import (
    AuthError,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPoll,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
)
from socialdesk.networks.x.adapter import XAdapter
from tests.helpers import image_bytes
from tests.networks.x.conftest import XWorld, connect_channel


def _adapter(db: Database, x: XWorld) -> XAdapter:
    _, channel_id = connect_channel(db, x)
    adapter = channels.fresh_adapter(db, channel_id)
    assert isinstance(adapter, XAdapter)
    return adapter


def _image(tmp_path: Path, name: str = "a.jpg", alt: str = "") -> OutgoingMedia:
    path = tmp_path / name
    path.write_bytes(image_bytes(len(name)))
    return OutgoingMedia(path, MediaKind.IMAGE, "image/jpeg", path.stat().st_size, alt_text=alt)


def test_connecting_checks_the_token_with_users_me(database: Database, x: XWorld) -> None:
    world, channel_id = connect_channel(database, x, refresh=False)
    with database.read_sessions() as session:
        channel = channels.get(world.ctx(session), channel_id)
        assert (channel.external_id, channel.handle) == (x.brand.id, "brand")
        caps = channels.capabilities(channel)
    assert caps.cost_note.startswith("X bills the operator per request")
    assert caps.idempotency == "lookup" and caps.text.limit == 280
    assert x.server.calls_to("GET", "/2/users/me")
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="X did not accept this token"):
        channels.connect(world.ctx(session), "x", "Wrong", access_token="not-a-token")


def test_a_post_with_images_and_alt_text_goes_out_with_the_documented_requests(
        database: Database, x: XWorld, tmp_path: Path) -> None:
    adapter = _adapter(database, x)
    published = adapter.publish(OutgoingPost("Launch day ☕ https://example.com/launch",
                                             media=[_image(tmp_path, "a.jpg", "A cup"), _image(tmp_path, "bb.jpg")]))
    uploads = x.server.calls_to("POST", "/2/media/upload")
    assert len(uploads) == 2 and all(c.headers["content-type"].startswith("multipart/form-data") for c in uploads)
    assert b'name="media_category"\r\n\r\ntweet_image' in uploads[0].body
    metadata = x.server.calls_to("POST", "/2/media/metadata")
    assert len(metadata) == 1 and metadata[0].json()["metadata"] == {"alt_text": {"text": "A cup"}}
    (sent,) = x.server.calls_to("POST", "/2/tweets")
    body = sent.json()
    assert body["text"] == "Launch day ☕ https://example.com/launch"
    assert body["media"]["media_ids"] == [metadata[0].json()["id"], list(x.server.media)[1]]
    assert sent.headers["authorization"].startswith("Bearer at-")
    assert published.url == f"https://x.com/brand/status/{published.external_id}"
    assert x.server.tweets[published.external_id].media_ids == body["media"]["media_ids"]
    assert x.server.unexpected == []


@pytest.mark.parametrize(("kind", "content_type", "category"), [
    (MediaKind.VIDEO, "video/mp4", "tweet_video"), (MediaKind.GIF, "image/gif", "tweet_gif")])
def test_video_and_gif_go_up_in_chunks_and_wait_for_processing(
        database: Database, x: XWorld, tmp_path: Path, kind: MediaKind, content_type: str, category: str) -> None:
    from socialdesk.networks.x import media as x_media

    x.server.processing_polls = 2
    path = tmp_path / "clip.bin"
    path.write_bytes(b"\0" * (x_media.CHUNK_BYTES + 1000))  # two segments
    adapter = _adapter(database, x)
    published = adapter.publish(OutgoingPost("Watch", media=[OutgoingMedia(path, kind, content_type,
                                                                           path.stat().st_size)]))
    (init,) = x.server.calls_to("POST", "/2/media/upload/initialize")
    assert init.json() == {"media_type": content_type, "total_bytes": path.stat().st_size, "media_category": category}
    media_id = next(iter(x.server.media))
    assert len(x.server.calls_to("POST", f"/2/media/upload/{media_id}/append")) == 2
    assert len(x.server.calls_to("POST", f"/2/media/upload/{media_id}/finalize")) == 1
    statuses = x.server.calls_to("GET", "/2/media/upload")
    assert len(statuses) == 2 and statuses[0].query == {"command": "STATUS", "media_id": media_id}
    assert x.server.tweets[published.external_id].media_ids == [media_id]


def test_polls_threads_quotes_and_reply_settings(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    first = adapter.publish(OutgoingPost("Coffee or tea?", poll=OutgoingPoll(["Coffee", "Tea"], 24 * 3600)))
    second = adapter.publish(OutgoingPost("More below", reply_to_external_id=first.external_id))
    third = adapter.publish(OutgoingPost("Look at this", options={
        "quote": f"https://x.com/brand/status/{first.external_id}?s=20", "reply_settings": "following"}))
    fourth = adapter.publish(OutgoingPost("And a thread by option", options={"reply_to": second.external_id}))
    bodies = [c.json() for c in x.server.calls_to("POST", "/2/tweets")]
    assert bodies[0]["poll"] == {"options": ["Coffee", "Tea"], "duration_minutes": 1440}
    assert bodies[1]["reply"] == {"in_reply_to_tweet_id": first.external_id}
    assert bodies[2]["quote_tweet_id"] == first.external_id and bodies[2]["reply_settings"] == "following"
    assert bodies[3]["reply"] == {"in_reply_to_tweet_id": second.external_id}
    assert x.server.tweets[fourth.external_id].conversation_id == first.external_id
    assert third.external_id in x.server.tweets


@pytest.mark.parametrize(("post", "words"), [
    (OutgoingPost("x" * 281), "281 characters as X counts them"),
    (OutgoingPost("界" * 141), "282 characters"),
    (OutgoingPost("Poll", poll=OutgoingPoll(["only one"])), "2 to 4 options, not 1"),
    (OutgoingPost("Poll", poll=OutgoingPoll(["a", "b", "c", "d", "e"])), "not 5"),
    (OutgoingPost("Who?", options={"reply_settings": "everyone"}), "Who can reply"),
])
def test_what_x_refuses_is_refused_before_anything_is_sent(database: Database, x: XWorld, post: OutgoingPost,
                                                          words: str) -> None:
    adapter = _adapter(database, x)
    before = len(x.server.calls)
    with pytest.raises(PermanentNetworkError, match=words):
        adapter.publish(post)
    assert len(x.server.calls) == before


def test_five_images_are_refused_before_upload(database: Database, x: XWorld, tmp_path: Path) -> None:
    adapter = _adapter(database, x)
    with pytest.raises(PermanentNetworkError, match="at most 4 images"):
        adapter.publish(OutgoingPost("Many", media=[_image(tmp_path, f"{'i' * n}.jpg") for n in range(1, 6)]))
    assert not x.server.calls_to("POST", "/2/media/upload")


def test_the_contract_server_refuses_what_the_docs_say_is_wrong(x: XWorld) -> None:
    token = x.server.issue(x.brand)["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    def post(body: dict, headers: dict | None = None) -> httpx.Response:
        return httpx.post(f"{x.url}/2/tweets", json=body, headers=auth if headers is None else headers)

    no_token = post({"text": "hi"}, headers={})
    assert no_token.status_code == 401 and no_token.json() == {
        "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    assert post({"text": "x" * 281}).status_code == 403
    assert post({"text": "hi", "media": {"media_ids": ["123"]}}).json()["errors"][0]["message"] == \
        "Your media IDs are invalid."
    assert post({"text": "p", "poll": {"options": ["a"], "duration_minutes": 60}}).status_code == 400
    assert post({"text": "p", "poll": {"options": list("abcde"), "duration_minutes": 60}}).status_code == 400
    images = [httpx.post(f"{x.url}/2/media/upload", headers=auth, data={"media_category": "tweet_image"},
                         files={"media": ("a.jpg", b"jpeg", "image/jpeg")}).json()["data"]["id"] for _ in range(5)]
    assert post({"text": "five", "media": {"media_ids": images}}).status_code == 400
    expired = x.server.issue(x.brand, lifetime=__import__("datetime").timedelta(seconds=-1))["access_token"]
    assert post({"text": "late"}, headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert {doc.startswith(("https://docs.x.com/", "https://developer.x.com/en/docs/x-api/"))
            for _, _, doc in x.server.endpoints} == {True}
    assert x.server.tweets == {}


def test_errors_are_sorted_with_xs_own_words(database: Database, x: XWorld) -> None:
    adapter = _adapter(database, x)
    reset = str(int(__import__("time").time()) + 10**6)
    x.server.fail("POST", "/2/tweets", status=429, headers={"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"},
                  json={"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                        "status": 429})
    with pytest.raises(RateLimited) as limited:
        adapter.publish(OutgoingPost("One"))
    assert limited.value.retry_after and limited.value.retry_after > 0
    with pytest.raises(RateLimited, match="used up until its reset"):
        adapter.publish(OutgoingPost("One"))  # this client does not ask again before the reset
    assert len(x.server.calls_to("POST", "/2/tweets")) == 1
    adapter = XAdapter(adapter.account)  # the publisher builds a new adapter for each try
    x.server.fail("POST", "/2/tweets", status=503, json={"title": "Service Unavailable", "detail": "Over capacity",
                                                         "type": "about:blank", "status": 503})
    with pytest.raises(OutcomeUnknown, match="Over capacity"):
        adapter.publish(OutgoingPost("Two"))
    adapter.publish(OutgoingPost("Three"))
    with pytest.raises(PermanentNetworkError, match="duplicate content"):
        adapter.publish(OutgoingPost("Three"))
    x.server.tokens.clear()
    with pytest.raises(AuthError, match="Unauthorized"):
        adapter.publish(OutgoingPost("Four"))


def _publish_now(db: Database, world, channel_id: str, text: str) -> str:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[channel_id],
                                                          intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def test_a_lost_answer_is_looked_up_and_the_post_exists_exactly_once(database: Database, x: XWorld) -> None:
    world, channel_id = connect_channel(database, x)
    publication_id = _publish_now(database, world, channel_id, "Big news & more at https://example.com/n")
    x.server.lose_answer("POST", "/2/tweets")
    Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None
        assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
        mine = x.server.posts_by(x.brand)
        assert len(mine) == 1 and publication.external_id == mine[0].id
    assert len(x.server.calls_to("POST", "/2/tweets")) == 1  # never sent again
    lookups = x.server.calls_to("GET", f"/2/users/{x.brand.id}/tweets")
    assert lookups and "start_time" in lookups[0].query


def test_a_5xx_on_the_post_is_never_retried_blindly(database: Database, x: XWorld) -> None:
    world, channel_id = connect_channel(database, x)
    publication_id = _publish_now(database, world, channel_id, "Maybe posted")
    x.server.fail("POST", "/2/tweets", status=503, json={"title": "Service Unavailable", "type": "about:blank",
                                                         "status": 503, "detail": "Service Unavailable"})
    Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.get(Publication, publication_id)
        assert publication is not None and publication.status == PublicationStatus.UNCONFIRMED
    assert len(x.server.calls_to("POST", "/2/tweets")) == 1 and x.server.posts_by(x.brand) == []
