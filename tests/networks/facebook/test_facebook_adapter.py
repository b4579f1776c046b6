"""The Facebook Page adapter against the Meta contract server: connect, publish every kind, look-up,
inbox, moderation, Messenger's window, metrics and the error classes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from socialdesk.core.clock import ManualClock
from socialdesk.networks import registry
from socialdesk.networks.base import (
    AuthError,
    IncomingKind,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.facebook.adapter import connect
from tests.contract.meta import rate_limit_error
from tests.contract.meta_facebook import add_comment, add_message, posts_of
from tests.networks.facebook.conftest import Facebook

V = r"/v\d+\.\d+"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def image(tmp_path: Path, name: str = "a.png") -> OutgoingMedia:
    path = tmp_path / name
    path.write_bytes(PNG)
    return OutgoingMedia(path=path, kind=MediaKind.IMAGE, content_type="image/png", size_bytes=len(PNG),
                         alt_text="a cup")


def test_every_endpoint_cites_its_documentation(fb: Facebook) -> None:
    assert fb.server.endpoints and all(doc.startswith("https://developers.facebook.com/") for _, _, doc in
                                       fb.server.endpoints)
    assert all(doc.startswith("https://developers.facebook.com/") for _, _, doc in fb.graph.docs)


def test_connect_by_page_token_and_by_user_token(fb: Facebook) -> None:
    account = registry.connect("facebook", page_id=fb.page["id"], access_token=fb.token)
    assert account.external_id == fb.page["id"] and account.handle == "brand"
    assert account.credentials == {"access_token": fb.token}
    user_token = fb.world.user_token(fb.user["id"])
    traded = connect(page_id=fb.page["id"], access_token=user_token)
    assert fb.world.tokens[traded.credentials["access_token"]].kind == "page"
    with pytest.raises(AuthError):
        connect(page_id=fb.page["id"], access_token="EAAnot-a-token")
    other = fb.world.add_page("Not hers")
    with pytest.raises(PermanentNetworkError):
        connect(page_id=other["id"], access_token=user_token)
    with pytest.raises(ValueError):
        connect(page_id="brand", access_token=fb.token)
    assert fb.server.unexpected == []


def test_text_with_link_goes_to_feed_once(fb: Facebook) -> None:
    adapter = fb.adapter()
    published = adapter.publish(OutgoingPost(text="New menu https://example.com/menu. Come by!"))
    calls = fb.server.calls_to("POST", rf"{V}/\d+/feed")
    assert len(calls) == 1
    form = calls[0].form()
    assert form["message"].startswith("New menu") and form["link"] == "https://example.com/menu"
    assert form["access_token"] == fb.token and form["appsecret_proof"]
    assert published.external_id == posts_of(fb.world, fb.page["id"])[0]["id"]


def test_one_photo_and_several_photos(fb: Facebook, tmp_path: Path) -> None:
    adapter = fb.adapter()
    one = adapter.publish(OutgoingPost(text="One cup", media=[image(tmp_path)]))
    assert fb.world.get(one.external_id, "post")["message"] == "One cup"
    several = adapter.publish(OutgoingPost(text="Three cups", media=[image(tmp_path, f"{i}.png") for i in range(3)]))
    post = fb.world.get(several.external_id, "post")
    assert len(post["attachments"]) == 3
    uploads = fb.server.calls_to("POST", rf"{V}/\d+/photos")
    assert len(uploads) == 4
    assert len(fb.server.calls_to("POST", rf"{V}/\d+/feed")) == 1
    assert all(not p["published"] for p in fb.world.of_kind("photo") if p["id"] in
               {a["media_fbid"] for a in post["attachments"]})


def test_video_through_resumable_upload(fb: Facebook, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 100)
    video = OutgoingMedia(path=path, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=112)
    adapter = fb.adapter(user_access_token=fb.world.user_token(fb.user["id"], lifetime=None))
    published = adapter.publish(OutgoingPost(text="Watch this", media=[video]))
    stored = fb.world.get(published.external_id, "video")
    assert stored["description"] == "Watch this"
    stored["insights"] = {"total_video_views": 77}
    from tests.contract.meta_facebook import add_comment as comment_on

    comment_on(fb.world, stored["post_id"], {"id": "5006", "name": "Viewer"}, "Nice video")
    metrics = adapter.post_metrics([published.external_id])[published.external_id]
    assert (metrics.views, metrics.comments, metrics.reach) == (77, 1, None)
    upload = fb.server.calls_to("POST", rf"{V}/upload:\d+")[0]
    assert upload.headers["authorization"].startswith("OAuth ") and upload.headers["file_offset"] == "0"
    # A pasted Page token cannot open an upload session (the upload guide wants a user token).
    with pytest.raises(PermanentNetworkError):
        fb.adapter().publish(OutgoingPost(text="Again", media=[video]))


def test_first_comment_follows_the_post(fb: Facebook) -> None:
    post = OutgoingPost(text="Hello", options={"first_comment": "#coffee #zagreb"})
    published = fb.adapter().publish(post)
    comments = fb.world.of_kind("comment", post_id=published.external_id)
    assert [c["message"] for c in comments] == ["#coffee #zagreb"]
    assert comments[0]["from"]["id"] == fb.page["id"]


def test_a_lost_answer_is_found_by_text_and_time(fb: Facebook, clock: ManualClock) -> None:
    adapter = fb.adapter()
    since = clock.now()
    fb.server.lose_answer("POST", rf"{V}/\d+/feed")
    post = OutgoingPost(text="Only once, please")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post)
    found = adapter.find_published(post, since)
    assert found is not None and found.external_id == posts_of(fb.world, fb.page["id"])[0]["id"]
    assert adapter.find_published(OutgoingPost(text="Something else"), since) is None
    assert adapter.find_published(post, since + timedelta(hours=1)) is None


def test_errors_are_sorted(fb: Facebook) -> None:
    adapter = fb.adapter()
    fb.server.fail("POST", rf"{V}/\d+/feed", **rate_limit_error(32, minutes=2))
    with pytest.raises(RateLimited) as limited:
        adapter.publish(OutgoingPost(text="x"))
    assert limited.value.retry_after == 120
    fb.server.fail("POST", rf"{V}/\d+/feed", status=400, json={"error": {
        "message": "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        "type": "OAuthException", "code": 368, "error_subcode": 1390008, "fbtrace_id": "x"}})
    with pytest.raises(PermanentNetworkError) as blocked:
        adapter.publish(OutgoingPost(text="x"))
    assert "abusive" in blocked.value.network_message
    with pytest.raises(PermanentNetworkError):
        adapter.publish(OutgoingPost(text="x" * 63_207))
    fb.server.fail("POST", rf"{V}/\d+/feed", status=500, json={"error": {
        "message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException",
        "code": 2, "is_transient": True, "fbtrace_id": "y"}})
    with pytest.raises(TransientNetworkError) as transient:
        adapter.publish(OutgoingPost(text="x"))
    assert not isinstance(transient.value, RateLimited)
    fb.world.revoke(fb.token)
    with pytest.raises(AuthError):
        adapter.publish(OutgoingPost(text="x"))
    assert len(posts_of(fb.world, fb.page["id"])) == 0


def test_inbox_comments_replies_and_messages(fb: Facebook, clock: ManualClock) -> None:
    adapter = fb.adapter()
    post_id = adapter.publish(OutgoingPost(text="Ask us anything")).external_id
    clock.advance(timedelta(minutes=1))
    ivo = {"id": "5001", "name": "Ivo"}
    first = add_comment(fb.world, post_id, ivo, "Do you deliver?")
    clock.advance(timedelta(minutes=1))
    add_message(fb.world, fb.page["id"], {"id": "7001", "name": "Maja"}, "Is the shop open?")
    page = adapter.fetch_inbox(None)
    kinds = {i.text: i.kind for i in page.items}
    assert kinds == {"Do you deliver?": IncomingKind.COMMENT, "Is the shop open?": IncomingKind.DIRECT_MESSAGE}
    comment = next(i for i in page.items if i.kind == IncomingKind.COMMENT)
    assert comment.post_external_id == post_id and comment.author_name == "Ivo"
    # Replying, then polling again: only what is new, and not the Page's own reply.
    reply_id = adapter.reply(first["id"], "Yes, within the city")
    assert fb.world.get(reply_id, "comment")["parent_id"] == first["id"]
    clock.advance(timedelta(minutes=1))
    add_comment(fb.world, first["id"], ivo, "Great, thanks")
    again = adapter.fetch_inbox(page.cursor)
    assert [i.text for i in again.items] == ["Great, thanks"]
    assert again.items[0].parent_external_id == first["id"]
    assert adapter.fetch_inbox(again.cursor).items == []


def test_moderation(fb: Facebook) -> None:
    adapter = fb.adapter()
    post_id = adapter.publish(OutgoingPost(text="Post")).external_id
    comment = add_comment(fb.world, post_id, {"id": "5002", "name": "Spam Bot"}, "buy followers")
    adapter.hide(comment["id"])
    assert comment["is_hidden"] is True
    adapter.unhide(comment["id"])
    assert comment["is_hidden"] is False
    adapter.like(comment["id"])
    assert comment["likes"] == [fb.page["id"]]
    adapter.unlike(comment["id"])
    assert comment["likes"] == []
    adapter.delete_comment(comment["id"])
    assert fb.world.get(comment["id"]) is None
    adapter.block("5002")
    assert fb.page["blocked"] == ["5002"]
    adapter.unblock("5002")
    assert fb.page["blocked"] == []
    with pytest.raises(PermanentNetworkError):
        adapter.hide("m_abc")
    adapter.delete(post_id)
    assert fb.world.get(post_id) is None


def test_messenger_reply_within_the_window_only(fb: Facebook, clock: ManualClock) -> None:
    adapter = fb.adapter()
    message = add_message(fb.world, fb.page["id"], {"id": "7002", "name": "Maja"}, "Hello?")
    sent = adapter.reply(message["id"], "Hi Maja!")
    assert sent.startswith("m_")
    call = fb.server.calls_to("POST", rf"{V}/\d+/messages")[-1].form()
    assert json.loads(call["recipient"]) == {"id": "7002"} and call["messaging_type"] == "RESPONSE"
    clock.advance(timedelta(hours=25))
    with pytest.raises(PermanentNetworkError) as outside:
        adapter.reply(message["id"], "Still there?")
    assert "24 hours" in outside.value.network_message
    assert len(fb.server.calls_to("POST", rf"{V}/\d+/messages")) == 1  # refused before sending


def test_metrics(fb: Facebook) -> None:
    adapter = fb.adapter()
    post_id = adapter.publish(OutgoingPost(text="Counted")).external_id
    post = fb.world.get(post_id)
    post["reactions"] = {"like": 5, "love": 2}
    post["shares"] = 3
    post["insights"] = {"post_media_view": 900, "post_total_media_view_unique": 700, "post_clicks": 40}
    add_comment(fb.world, post_id, {"id": "5003", "name": "Ana"}, "nice")
    metrics = adapter.post_metrics([post_id])[post_id]
    assert (metrics.views, metrics.reach, metrics.clicks, metrics.likes, metrics.comments, metrics.reposts) == \
        (900, 700, 40, 7, 1, 3)
    assert metrics.impressions is None and metrics.saves is None and metrics.quotes is None
    assert adapter.reactions_by_type(post_id) == {"like": 5, "love": 2}
    metric_call = fb.server.calls_to("GET", rf"{V}/\d+_\d+/insights")[0]
    assert "impressions" not in metric_call.query["metric"]  # deprecated in 2025
    assert adapter.account_metrics().followers == 1234
    # Insights refused (a Page below the insights threshold, no read_insights): counts stay, the rest None.
    fb.server.fail("GET", rf"{V}/\d+_\d+/insights", status=400, json={"error": {
        "message": "(#10) Not enough viewers", "type": "OAuthException", "code": 10}})
    partial = adapter.post_metrics([post_id])[post_id]
    assert partial.views is None and partial.likes == 7


def test_connect_subscribes_the_page_to_webhooks_when_they_are_set_up(fb: Facebook,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    account = connect(page_id=fb.page["id"], access_token=fb.token)
    assert account.settings["webhooks"].startswith("off: polling")
    monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", "https://desk.example")
    reset_settings_cache()
    account = connect(page_id=fb.page["id"], access_token=fb.token)
    assert account.settings["webhooks"] == "subscribed: feed,messages"
    assert fb.page["subscribed_fields"] == ["feed", "messages"]


def test_a_comment_in_the_same_second_as_the_last_poll_is_not_lost(fb: Facebook) -> None:
    adapter = fb.adapter()
    post_id = adapter.publish(OutgoingPost(text="Same second")).external_id
    add_comment(fb.world, post_id, {"id": "5004", "name": "A"}, "first")
    first = adapter.fetch_inbox(None)
    add_comment(fb.world, post_id, {"id": "5005", "name": "B"}, "second, same second")  # the clock stands still
    second = adapter.fetch_inbox(first.cursor)
    assert [i.text for i in second.items] == ["second, same second"]
    assert adapter.fetch_inbox(second.cursor).items == []


def test_an_expired_upload_sign_in_fails_the_video_not_the_channel(fb: Facebook, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\0" * 50)
    video = OutgoingMedia(path=path, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=50)
    user_token = fb.world.user_token(fb.user["id"])
    fb.world.expire(user_token)
    with pytest.raises(PermanentNetworkError) as refused:
        fb.adapter(user_access_token=user_token).publish(OutgoingPost(text="Clip", media=[video]))
    assert not isinstance(refused.value, AuthError) and "video uploads" in refused.value.network_message


def test_a_token_from_another_app_is_used_without_our_proof(fb: Facebook) -> None:
    explorer = fb.world.issue("page", fb.page["id"], app_id="145634995501895").value  # the Graph API Explorer's
    account = connect(page_id=fb.page["id"], access_token=explorer)
    assert account.settings["appsecret_proof"] is False
    adapter = fb.adapter()
    adapter.account = type(adapter.account)("ch1", fb.page["id"], "brand", {"access_token": explorer},
                                            {"page_id": fb.page["id"], "appsecret_proof": False})
    adapter.publish(OutgoingPost(text="From an Explorer token"))
    assert "appsecret_proof" not in fb.server.calls_to("POST", rf"{V}/\d+/feed")[-1].form()


def test_comments_under_an_ads_dark_post_arrive_marked_as_ad_comments(fb: Facebook, clock: ManualClock) -> None:
    from tests.contract.meta_facebook import add_dark_post

    adapter = fb.adapter()
    organic = adapter.publish(OutgoingPost(text="Our winter espresso")).external_id
    dark = add_dark_post(fb.world, fb.page["id"], "Winter espresso: 20 % off this week")
    clock.advance(timedelta(minutes=1))
    add_comment(fb.world, organic, {"id": "5001", "name": "Ivo"}, "Looks good")
    add_comment(fb.world, dark["id"], {"id": "5002", "name": "Lea"}, "Is the discount online too?")
    page = adapter.fetch_inbox(None)
    marked = {i.text: (i.kind, i.ad_comment, i.post_external_id) for i in page.items}
    assert marked == {"Looks good": (IncomingKind.COMMENT, False, organic),
                      "Is the discount online too?": (IncomingKind.COMMENT, True, dark["id"])}
    assert dark["id"] not in {p["id"] for p in posts_of(fb.world, fb.page["id"])}  # never in the feed
    assert fb.server.calls_to("GET", rf"{V}/{fb.page['id']}/ads_posts")


def test_without_pages_manage_ads_organic_comments_still_arrive(fb: Facebook, clock: ManualClock) -> None:
    from tests.contract.meta_facebook import add_dark_post

    fb.world.tokens[fb.token].scopes = ("pages_read_engagement", "pages_manage_posts")
    adapter = fb.adapter()
    organic = adapter.publish(OutgoingPost(text="Hello")).external_id
    add_comment(fb.world, add_dark_post(fb.world, fb.page["id"], "An ad")["id"], {"id": "1", "name": "A"}, "ad?")
    add_comment(fb.world, organic, {"id": "2", "name": "B"}, "organic")
    assert [i.text for i in adapter.fetch_inbox(None).items] == ["organic"]


def test_page_audience_by_country_and_city(fb: Facebook) -> None:
    """page_follows_country / page_follows_city (the alternatives to page_fans_*, deprecated 2025-11-15)."""
    fb.page["audience"] = {"page_follows_country": {"HR": 900, "SI": 200},
                           "page_follows_city": {"Zagreb, Croatia": 700}}
    details = fb.adapter().account_details()
    assert details is not None
    assert details["audience"] == {"country": {"HR": 900, "SI": 200}, "city": {"Zagreb, Croatia": 700}}
    call = fb.server.calls_to("GET", rf"{V}/\d+/insights")[0]
    assert call.query["metric"] == "page_follows_country,page_follows_city" and call.query["period"] == "day"
    # A Page below 100 followers has no insights: not available, not a failure.
    fb.page["followers_count"] = 40
    assert fb.adapter().account_details() is None


def test_the_contract_server_refuses_deprecated_page_metrics(fb: Facebook) -> None:
    import httpx

    url = f"{fb.base_url}/{fb.world.version}/{fb.page['id']}/insights"
    for metric in ("page_fans_country", "page_fans_gender_age", "page_follows_gender_age"):
        refused = httpx.get(url, params={"metric": metric, "period": "day", "access_token": fb.token})
        assert refused.status_code == 400 and "valid insights metric" in refused.json()["error"]["message"]
    period = httpx.get(url, params={"metric": "page_follows_country", "period": "lifetime", "access_token": fb.token})
    assert period.status_code == 400 and "period" in period.json()["error"]["message"]
    user_token = fb.world.user_token(fb.user["id"])
    not_page = httpx.get(url, params={"metric": "page_follows_country", "access_token": user_token})
    assert not_page.status_code in (400, 403) and "read_insights" in not_page.json()["error"]["message"]
