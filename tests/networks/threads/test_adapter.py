"""The Threads adapter against the contract server: connect, publish, look up, inbox, metrics, tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    IncomingKind,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.registry import capabilities_for
from socialdesk.networks.threads import adapter as threads_adapter
from socialdesk.networks.threads.adapter import ThreadsAdapter, connect
from tests.contract.threads import ThreadsContract

CREATE = r"/v1\.0/\d+/threads"
PUBLISH = r"/v1\.0/\d+/threads_publish"


def _adapter(threads: ThreadsContract, **credentials: Any) -> ThreadsAdapter:
    account = connect(threads_user_id=threads.user_id, access_token=threads.token)
    return ThreadsAdapter(ChannelAccount(channel_id="c1", external_id=account["external_id"],
                                         handle=account["handle"],
                                         credentials={**account["credentials"], **credentials},
                                         settings=account["settings"]))


def _media(tmp_path: Path, name: str, kind: MediaKind = MediaKind.IMAGE, alt: str = "") -> OutgoingMedia:
    """A file in the media library (only those get public links); `tmp_path` is unused, kept for the calls."""
    path = get_settings().media_dir / "threads-test" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff" + b"0" * 100)
    return OutgoingMedia(path=path, kind=kind, content_type="image/jpeg" if kind == MediaKind.IMAGE else "video/mp4",
                         size_bytes=103, alt_text=alt)


# Connecting ----------------------------------------------------------------------------------------


def test_a_pasted_token_is_checked_with_threads(threads: ThreadsContract) -> None:
    account = connect(threads_user_id=threads.user_id, access_token=f" {threads.token} ")
    assert account["external_id"] == threads.user_id and account["handle"] == "brand"
    assert account["credentials"]["access_token"] == threads.token
    assert account["settings"]["threads_user_id"] == threads.user_id
    with pytest.raises(PermanentNetworkError, match="belongs to Threads user"):
        connect(threads_user_id="123", access_token=threads.token)
    with pytest.raises(AuthError, match="did not accept this token: Invalid OAuth access token"):
        connect(access_token="THAAnot-a-token")
    with pytest.raises(ValueError, match="access token is needed"):
        connect(threads_user_id=threads.user_id)


def test_capabilities_say_what_threads_takes() -> None:
    caps = capabilities_for("threads", {})
    assert caps.text.limit == 500 and caps.text.counting == "utf8_emoji"
    assert caps.media.max_count == 20 and caps.idempotency == "lookup"
    assert caps.hide_comments and not caps.delete_comments and not caps.direct_messages and not caps.polls


# Publishing ----------------------------------------------------------------------------------------


def test_a_text_post_is_one_container_and_one_publish(threads: ThreadsContract) -> None:
    published = _adapter(threads).publish(OutgoingPost(text="Hello Threads 👋", idempotency_key="p1"))
    creates, publishes = threads.server.calls_to("POST", CREATE), threads.server.calls_to("POST", PUBLISH)
    assert len(creates) == 1 and len(publishes) == 1
    assert creates[0].form()["media_type"] == "TEXT" and creates[0].form()["text"] == "Hello Threads 👋"
    assert creates[0].form()["access_token"] == threads.token
    container = creates[0]
    assert publishes[0].form()["creation_id"] == threads.containers[
        next(iter(threads.containers))].id and container.path.endswith(f"/{threads.user_id}/threads")
    assert published.external_id in threads.media and threads.media[published.external_id].text == "Hello Threads 👋"
    assert published.url == f"https://www.threads.com/@brand/post/{published.external_id}"
    # The quota was read before anything was made.
    assert threads.server.calls[1].path.endswith("/threads_publishing_limit")


def test_what_threads_refuses_is_refused_before_sending(threads: ThreadsContract, tmp_path: Path) -> None:
    adapter = _adapter(threads)
    with pytest.raises(PermanentNetworkError, match="at most 500 characters"):
        adapter.publish(OutgoingPost(text="a" * 490 + "😀😀😀"))  # 490 + 3 × 4 bytes
    with pytest.raises(PermanentNetworkError, match="needs text"):
        adapter.publish(OutgoingPost(text="  "))
    with pytest.raises(PermanentNetworkError, match="at most 20"):
        adapter.publish(OutgoingPost(text="x", media=[_media(tmp_path, f"{i}.jpg") for i in range(21)]))
    assert threads.server.calls_to("POST", CREATE) == []
    adapter.publish(OutgoingPost(text="a" * 492 + "😀😀"))  # exactly 500: accepted by both sides


def test_the_contract_server_refuses_what_the_docs_say_is_wrong(threads: ThreadsContract) -> None:
    """A wrong adapter would fail here: the server holds the documented rules too."""
    adapter = _adapter(threads)
    client = adapter.client
    with pytest.raises(PermanentNetworkError, match="media_type must be one of"):
        client.post(f"{threads.user_id}/threads", {"media_type": "POLL", "text": "x"})
    with pytest.raises(PermanentNetworkError, match="at most 500"):
        client.post(f"{threads.user_id}/threads", {"media_type": "TEXT", "text": "😀" * 126})
    with pytest.raises(PermanentNetworkError, match="image_url is required"):
        client.post(f"{threads.user_id}/threads", {"media_type": "IMAGE"})
    with pytest.raises(PermanentNetworkError, match="2 to 20 children; got 1"):
        client.post(f"{threads.user_id}/threads", {"media_type": "CAROUSEL", "children": "1"})
    with pytest.raises(PermanentNetworkError, match="2 to 20 children; got 21"):
        client.post(f"{threads.user_id}/threads", {"media_type": "CAROUSEL", "children": [str(i) for i in range(21)]})
    with pytest.raises(PermanentNetworkError, match="Media download has failed"):
        client.post(f"{threads.user_id}/threads", {"media_type": "IMAGE", "image_url": "https://x.test/a.jpg"})
    threads.can_fetch = lambda url: True
    image = client.post(f"{threads.user_id}/threads", {"media_type": "IMAGE", "image_url": "https://x.test/a.jpg"})
    with pytest.raises(PermanentNetworkError, match="not ready for publishing"):
        client.post(f"{threads.user_id}/threads_publish", {"creation_id": image["id"]})
    text = client.post(f"{threads.user_id}/threads", {"media_type": "TEXT", "text": "once"})
    client.post(f"{threads.user_id}/threads_publish", {"creation_id": text["id"]})
    with pytest.raises(PermanentNetworkError, match="already been published"):
        client.post(f"{threads.user_id}/threads_publish", {"creation_id": text["id"]})
    with pytest.raises(PermanentNetworkError, match="access token must be used"):
        client.get("me", token=False)


def test_an_image_post_offers_the_file_at_a_public_link_and_waits_for_the_container(
        threads: ThreadsContract, tmp_path: Path) -> None:
    media = _media(tmp_path, "cup.jpg", alt="A cup of coffee")
    published = _adapter(threads).publish(OutgoingPost(text="Morning", media=[media]))
    create = threads.server.calls_to("POST", CREATE)[0].form()
    assert create["media_type"] == "IMAGE" and create["image_url"].startswith("https://social.example.com/")
    assert create["alt_text"] == "A cup of coffee" and create["text"] == "Morning"
    status_checks = [c for c in threads.server.calls if c.query.get("fields") == "status,error_message"]
    assert len(status_checks) == 2  # IN_PROGRESS, then FINISHED
    assert threads.media[published.external_id].media_type == "IMAGE"


def test_a_carousel_is_made_of_item_containers(threads: ThreadsContract, tmp_path: Path) -> None:
    items = [_media(tmp_path, "a.jpg"), _media(tmp_path, "b.mp4", MediaKind.VIDEO)]
    published = _adapter(threads).publish(OutgoingPost(text="Two things", media=items))
    creates = [c.form() for c in threads.server.calls_to("POST", CREATE)]
    assert [c["media_type"] for c in creates] == ["IMAGE", "VIDEO", "CAROUSEL"]
    assert creates[0]["is_carousel_item"] == "true" and "video_url" in creates[1]
    assert creates[2]["children"].count(",") == 1 and creates[2]["text"] == "Two things"
    assert len(threads.server.calls_to("POST", PUBLISH)) == 1
    assert threads.media[published.external_id].media_type == "CAROUSEL"


def test_a_container_that_failed_is_a_permanent_error_with_threads_reason(threads: ThreadsContract, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = _adapter(threads)
    original = adapter.client.get

    def errored(path: str, params: dict | None = None, **kw: Any) -> Any:
        if params and params.get("fields") == "status,error_message":
            return {"id": path, "status": "ERROR", "error_message": "FAILED_DOWNLOADING_VIDEO"}
        return original(path, params, **kw)

    monkeypatch.setattr(adapter.client, "get", errored)
    with pytest.raises(PermanentNetworkError, match="FAILED_DOWNLOADING_VIDEO"):
        adapter.publish(OutgoingPost(text="v", media=[_media(tmp_path, "v.mp4", MediaKind.VIDEO)]))
    assert threads.server.calls_to("POST", PUBLISH) == []


def test_a_container_still_processing_fails_the_try_as_transient_without_publishing(
        threads: ThreadsContract, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = _adapter(threads)
    original = adapter.client.get

    def busy(path: str, params: dict | None = None, **kw: Any) -> Any:
        if params and params.get("fields") == "status,error_message":
            return {"id": path, "status": "IN_PROGRESS"}
        return original(path, params, **kw)

    monkeypatch.setattr(adapter.client, "get", busy)
    waited: list[float] = []
    monkeypatch.setattr(threads_adapter, "sleep", waited.append)
    with pytest.raises(TransientNetworkError, match="still processing"):
        adapter.publish(OutgoingPost(text="v", media=[_media(tmp_path, "v.mp4", MediaKind.VIDEO)]))
    assert sum(waited) < 120  # well inside the publisher's two-minute call limit
    assert threads.server.calls_to("POST", PUBLISH) == []


def test_a_reply_goes_to_the_post_it_answers(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    root = adapter.publish(OutgoingPost(text="1/2 The start"))
    second = adapter.publish(OutgoingPost(text="2/2 The end", reply_to_external_id=root.external_id))
    assert threads.server.calls_to("POST", CREATE)[1].form()["reply_to_id"] == root.external_id
    assert threads.media[second.external_id].reply_to == root.external_id
    quota_reads = [c.query["fields"] for c in threads.server.calls if c.path.endswith("threads_publishing_limit")]
    assert quota_reads == ["quota_usage,config", "reply_quota_usage,reply_config"]


def test_an_exhausted_quota_is_refused_clearly(threads: ThreadsContract) -> None:
    threads.quota_total = 1
    adapter = _adapter(threads)
    adapter.publish(OutgoingPost(text="first"))
    with pytest.raises(RateLimited, match="published 1 of the 1 posts Threads allows") as refused:
        adapter.publish(OutgoingPost(text="second"))
    assert refused.value.retry_after and len(threads.server.calls_to("POST", CREATE)) == 1


def test_a_lost_publish_answer_is_unknown_and_the_look_up_finds_the_post(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    since = clock.now() - timedelta(minutes=5)
    adapter.publish(OutgoingPost(text="Something else"))
    threads.server.lose_answer("POST", PUBLISH)
    post = OutgoingPost(text="Lost  in\ntransit", idempotency_key="p2")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post)
    found = adapter.find_published(post, since)
    assert found is not None and threads.media[found.external_id].text == "Lost  in\ntransit"
    assert adapter.find_published(OutgoingPost(text="never sent"), since) is None
    listing = [c for c in threads.server.calls if c.method == "GET" and c.path.endswith(f"{threads.user_id}/threads")]
    assert listing and int(listing[-1].query["since"]) <= int(since.timestamp())


# Errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "subcode", "error"), [
    (190, 463, AuthError), (4, None, RateLimited), (17, None, RateLimited), (32, None, RateLimited),
    (613, None, RateLimited), (100, None, PermanentNetworkError), (2, None, TransientNetworkError),
])
def test_graph_errors_are_sorted_with_threads_own_words(threads: ThreadsContract, code: int, subcode: int | None,
                                                        error: type[Exception]) -> None:
    body: dict[str, Any] = {"message": f"Threads says {code}", "type": "OAuthException", "code": code}
    if subcode:
        body["error_subcode"] = subcode
    threads.server.fail("POST", CREATE, status=400, json={"error": body})
    with pytest.raises(error, match=f"Threads says {code}") as raised:
        _adapter(threads).publish(OutgoingPost(text="x"))
    assert type(raised.value) is error


def test_a_server_error_is_transient(threads: ThreadsContract) -> None:
    threads.server.fail("POST", CREATE, status=503, json={"error": {"message": "busy", "code": 1}})
    with pytest.raises(TransientNetworkError, match="busy"):
        _adapter(threads).publish(OutgoingPost(text="x"))


# Inbox ---------------------------------------------------------------------------------------------


def test_replies_and_mentions_come_in_once_and_in_threads(threads: ThreadsContract, clock: ManualClock) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Our new blend"))
    clock.advance(timedelta(minutes=1))
    first = threads.add_reply(post.external_id, "ana", "Where can I buy it?")
    clock.advance(timedelta(minutes=1))
    nested = threads.add_reply(first.id, "marko", "Same question")
    mention = threads.add_mention("iva", "@brand your cafe is lovely")
    page = adapter.fetch_inbox(None)
    by_id = {i.external_id: i for i in page.items}
    assert set(by_id) == {first.id, nested.id, mention.id}
    assert by_id[first.id].kind == IncomingKind.COMMENT and by_id[first.id].post_external_id == post.external_id
    assert by_id[first.id].parent_external_id is None and by_id[first.id].author_handle == "ana"
    assert by_id[nested.id].parent_external_id == first.id
    assert by_id[mention.id].kind == IncomingKind.MENTION and by_id[mention.id].post_external_id is None
    # Our own reply is not an inbox item, and the cursor only moves on.
    answer = adapter.reply(first.id, "At our shop, thanks!")
    assert threads.media[answer].reply_to == first.id
    clock.advance(timedelta(hours=1))
    later = threads.add_reply(post.external_id, "ana", "Thanks")
    again = adapter.fetch_inbox(page.cursor)
    # Read again from a little before the cursor (late-indexed replies); the inbox drops what it has.
    assert {i.external_id for i in again.items} - set(by_id) == {later.id}
    assert again.cursor and again.cursor > (page.cursor or "")
    assert adapter.fetch_inbox(again.cursor).cursor == again.cursor


def test_a_reply_is_a_text_container_with_reply_to_id_then_published(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Question time"))
    comment = threads.add_reply(post.external_id, "ana", "Hi")
    reply_id = adapter.reply(comment.id, "Hello Ana")
    create = threads.server.calls_to("POST", CREATE)[-1].form()
    assert create == {"media_type": "TEXT", "text": "Hello Ana", "reply_to_id": comment.id,
                      "access_token": threads.token}
    assert threads.server.calls_to("POST", PUBLISH)[-1].form()["creation_id"]
    assert threads.media[reply_id].text == "Hello Ana"


def test_hide_and_unhide_a_top_level_reply(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Hide test"))
    comment = threads.add_reply(post.external_id, "spammer", "buy followers")
    adapter.hide(comment.id)
    assert threads.media[comment.id].hidden
    assert threads.server.calls_to("POST", rf"/v1\.0/{comment.id}/manage_reply")[0].form()["hide"] == "true"
    adapter.unhide(comment.id)
    assert not threads.media[comment.id].hidden
    nested = threads.add_reply(comment.id, "spammer", "again")
    with pytest.raises(PermanentNetworkError, match="Only top-level replies"):
        adapter.hide(nested.id)
    with pytest.raises(PermanentNetworkError, match="does not let an app"):
        adapter.delete_comment(comment.id)


# Metrics -------------------------------------------------------------------------------------------


def test_metrics_come_from_insights_and_missing_ones_stay_none(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Counted"))
    bare = adapter.publish(OutgoingPost(text="Not counted yet"))
    threads.media[post.external_id].insights = {"views": 120, "likes": 7, "replies": 2, "reposts": 1, "quotes": 0,
                                                "shares": 3}
    found = adapter.post_metrics([post.external_id, bare.external_id])
    counted = found[post.external_id]
    assert (counted.views, counted.likes, counted.comments, counted.reposts, counted.quotes) == (120, 7, 2, 1, 0)
    assert counted.impressions is None and counted.reach is None and counted.saves is None
    empty = found[bare.external_id]
    assert (empty.views, empty.likes, empty.comments, empty.reposts, empty.quotes) == (None,) * 5
    call = threads.server.calls_to("GET", rf"/v1\.0/{post.external_id}/insights")[0]
    assert call.query["metric"] == "views,likes,replies,reposts,quotes,shares"
    assert adapter.account_metrics().followers == 1234
    assert adapter.account_metrics().following is None


# Tokens --------------------------------------------------------------------------------------------


def test_a_pasted_token_is_renewed_a_day_later_which_learns_its_expiry(threads: ThreadsContract,
                                                                       clock: ManualClock) -> None:
    threads.tokens[threads.token].issued_at -= timedelta(days=3)  # pasted, issued elsewhere earlier
    adapter = _adapter(threads)
    assert adapter.credentials_expire_at() == clock.now() + timedelta(hours=24)
    fresh = adapter.refresh_credentials()
    assert fresh["access_token"] != threads.token and fresh["expiry_known"] is True
    call = threads.server.calls_to("GET", "/refresh_access_token")[0]
    assert call.query == {"grant_type": "th_refresh_token", "access_token": threads.token}
    renewed = ThreadsAdapter(ChannelAccount("c1", threads.user_id, "brand", credentials=fresh,
                                            settings={"threads_user_id": threads.user_id}))
    # 60 days from now; renewed a week before they end.
    assert renewed.credentials_expire_at() == clock.now() + timedelta(days=53)
    with pytest.raises(AuthError):  # the old token is gone
        adapter.account_metrics()


def test_a_token_younger_than_a_day_is_not_renewed_early_and_threads_would_refuse(threads: ThreadsContract,
                                                                                 clock: ManualClock) -> None:
    credentials = threads_adapter.token_credentials({"access_token": threads.token, "expires_in": 3600 * 24 * 3})
    adapter = ThreadsAdapter(ChannelAccount("c1", threads.user_id, "brand", credentials=credentials))
    # Three days left: renew now would be due, but not before the token is 24 hours old.
    assert adapter.credentials_expire_at() == clock.now() + timedelta(hours=24)
    with pytest.raises(PermanentNetworkError, match="at least 24 hours old"):
        adapter.refresh_credentials()


def test_the_inbox_pages_newest_first_and_stops_at_what_it_has_seen(threads: ThreadsContract,
                                                                     clock: ManualClock) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Popular"))
    for n in range(60):
        clock.advance(timedelta(seconds=30))
        threads.add_reply(post.external_id, f"fan{n}", f"reply {n}")
    first = adapter.fetch_inbox(None)
    assert len(first.items) == 60
    conversation = rf"/v1\.0/{post.external_id}/conversation"
    assert len(threads.server.calls_to("GET", conversation)) == 3  # 25 + 25 + 10
    clock.advance(timedelta(hours=1))
    newest = threads.add_reply(post.external_id, "late", "one more")
    again = adapter.fetch_inbox(first.cursor)
    # The last ten minutes before the cursor are read again (the inbox drops repeats); nothing older.
    assert {i.external_id for i in again.items} - {i.external_id for i in first.items} == {newest.id}
    assert len(again.items) == 1 + 20
    assert len(threads.server.calls_to("GET", conversation)) == 4  # one page was enough
    assert threads.server.calls_to("GET", conversation)[-1].query["reverse"] == "true"


def test_delete_removes_an_own_post(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Oops"))
    adapter.delete(post.external_id)
    assert post.external_id not in threads.media
    assert threads.server.calls_to("DELETE", rf"/v1\.0/{post.external_id}")[0].query["access_token"] == threads.token
    with pytest.raises(PermanentNetworkError, match="does not exist"):
        adapter.delete(post.external_id)


def test_a_reply_whose_answer_is_lost_is_found_not_sent_again(threads: ThreadsContract) -> None:
    adapter = _adapter(threads)
    post = adapter.publish(OutgoingPost(text="Ask us anything"))
    comment = threads.add_reply(post.external_id, "ana", "Opening hours?")
    threads.server.lose_answer("POST", PUBLISH)
    reply_id = adapter.reply(comment.id, "8 to 20, every day")
    assert threads.media[reply_id].reply_to == comment.id
    assert len(threads.posts(replies=True)) == 1
    looked = [c for c in threads.server.calls if c.path.endswith(f"/{threads.user_id}/replies")]
    assert looked and "replied_to" in looked[-1].query["fields"]
    # Nothing to find: the reply's fate is unknown and said so.
    other = threads.add_reply(post.external_id, "marko", "Parking?")
    threads.server.fail("POST", PUBLISH, status=200, json={})  # an answer without an id
    with pytest.raises(PermanentNetworkError, match="without its id"):
        adapter.reply(other.id, "Behind the shop")
