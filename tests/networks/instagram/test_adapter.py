"""The Instagram adapter against the Meta Graph contract server: connect, the container flow for every kind
of post, what is refused before sending, LOOKUP after a lost answer, the inbox, moderation and metrics."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
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
from tests.contract.meta_instagram import add_comment, add_tagged_media
from tests.networks.instagram.conftest import Instagram

V = r"/v\d+\.\d+"


def _image(tmp: Path, name: str, size: tuple[int, int] = (1080, 1080), fmt: str = "JPEG",
           mode: str = "RGB") -> OutgoingMedia:
    media_dir = get_settings().media_dir
    media_dir.mkdir(parents=True, exist_ok=True)
    path = media_dir / name
    out = io.BytesIO()
    Image.new(mode, size, (200, 90, 40) if mode == "RGB" else (200, 90, 40, 128)).save(out, fmt)
    path.write_bytes(out.getvalue())
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return OutgoingMedia(path=path, kind=MediaKind.IMAGE, content_type=content_type, size_bytes=path.stat().st_size,
                         width=size[0], height=size[1], alt_text=f"alt for {name}")


def _video(name: str) -> OutgoingMedia:
    media_dir = get_settings().media_dir
    media_dir.mkdir(parents=True, exist_ok=True)
    path = media_dir / name
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000)
    return OutgoingMedia(path=path, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=path.stat().st_size)


def _post(text: str, media: list[OutgoingMedia], **options: Any) -> OutgoingPost:
    return OutgoingPost(text=text, media=media, idempotency_key="pub-1", options=options)


def test_connect_checks_the_token_and_the_account(instagram: Instagram) -> None:
    account = registry.connect("instagram", ig_user_id=instagram.account["id"], access_token=instagram.token)
    assert account.handle == "brand" and account.external_id == instagram.account["id"]
    assert account.settings["publishing_limit"] == {"quota_usage": 0, "quota_total": 50, "quota_duration": 86400}
    assert account.settings["fit"] == "pad"
    assert "expires_at" not in account.credentials  # a Page token does not expire
    user_token = instagram.world.user_token(instagram.user["id"], lifetime=60 * 86400)
    by_user = registry.connect("instagram", ig_user_id=instagram.account["id"], access_token=user_token)
    expires = datetime.fromisoformat(by_user.credentials["expires_at"])
    assert timedelta(days=59) < expires - datetime.now(UTC) <= timedelta(days=60)  # from debug_token
    with pytest.raises(ValidationFailed, match="refused the token"):
        registry.connect("instagram", ig_user_id=instagram.account["id"], access_token="EAAnot-a-token")
    other = instagram.world.add_page("Other", admins=[])
    with pytest.raises(ValidationFailed, match="permission"):
        registry.connect("instagram", ig_user_id=instagram.account["id"],
                         access_token=instagram.world.page_token(other["id"]))
    with pytest.raises(ValidationFailed, match="account id"):
        registry.connect("instagram", ig_user_id="brand", access_token=instagram.token)


def test_a_single_image_goes_through_the_container_flow(instagram: Instagram, public_media: Any,
                                                        tmp_path: Path) -> None:
    adapter = instagram.adapter()
    published = adapter.publish(_post("Hello #coffee @friend", [_image(tmp_path, "a.jpg")],
                                      first_comment="#morning #beans", collaborators="@partner"))
    server = instagram.server
    (create,) = server.calls_to("POST", rf"{V}/{instagram.account['id']}/media")
    form = create.form()
    assert form["caption"] == "Hello #coffee @friend" and form["alt_text"] == "alt for a.jpg"
    assert json.loads(form["collaborators"]) == ["partner"] and "media_type" not in form
    assert server.calls_to("GET", rf"{V}/\d+")  # the container's status was read
    (publish,) = server.calls_to("POST", rf"{V}/{instagram.account['id']}/media_publish")
    media = instagram.world.objects[published.external_id]
    assert publish.form()["creation_id"] == media["_container"]
    assert media["media_type"] == "IMAGE" and published.url == media["permalink"]
    comments = [c for c in instagram.world.of_kind("ig_comment", media_id=media["id"])]
    assert [(c["username"], c["text"]) for c in comments] == [("brand", "#morning #beans")]


def test_a_carousel_of_images_and_a_video_is_one_publish(instagram: Instagram, public_media: Any,
                                                         tmp_path: Path) -> None:
    items = [_image(tmp_path, "c1.jpg"), _image(tmp_path, "c2.png", fmt="PNG", mode="RGBA"), _video("c3.mp4")]
    published = instagram.adapter().publish(_post("Three things", items))
    creates = [c.form() for c in instagram.server.calls_to("POST", rf"{V}/{instagram.account['id']}/media")]
    assert [c.get("is_carousel_item") for c in creates] == ["true", "true", "true", None]
    assert creates[2]["media_type"] == "VIDEO" and "video_url" in creates[2]
    assert creates[3]["media_type"] == "CAROUSEL" and len(creates[3]["children"].split(",")) == 3
    assert creates[3]["caption"] == "Three things" and "caption" not in creates[0]
    assert len(instagram.server.calls_to("POST", rf"{V}/\d+/media_publish")) == 1
    media = instagram.world.objects[published.external_id]
    assert media["media_type"] == "CAROUSEL_ALBUM" and len(media["children"]) == 3


def test_png_and_odd_ratios_are_converted_before_instagram_fetches_them(instagram: Instagram, public_media: Any,
                                                                        tmp_path: Path) -> None:
    tall = _image(tmp_path, "tall.webp", size=(400, 1000), fmt="WEBP")
    instagram.adapter().publish(_post("Tall", [tall]))
    container = instagram.world.of_kind("ig_container")[0]
    width, height = container["size"]
    assert abs(width / height - 0.8) < 0.01 and height == 1000  # padded to 4:5
    wide = _image(tmp_path, "wide.jpg", size=(3000, 1000))
    instagram.adapter(fit="crop").publish(_post("Wide", [wide]))
    width, height = instagram.world.of_kind("ig_container")[-1]["size"]
    assert abs(width / height - 1.91) < 0.01 and width <= 1440  # cropped, then scaled to 1440 wide


def test_reels_and_stories_are_options(instagram: Instagram, public_media: Any, tmp_path: Path) -> None:
    adapter = instagram.adapter()
    adapter.publish(_post("Reel time", [_video("r.mp4")], kind="reel"))
    adapter.publish(_post("", [_image(tmp_path, "s.jpg", size=(1080, 1920))], kind="story"))
    creates = [c.form() for c in instagram.server.calls_to("POST", rf"{V}/\d+/media")]
    assert creates[0]["media_type"] == "REELS" and creates[0]["share_to_feed"] == "true"
    assert creates[1]["media_type"] == "STORIES" and "alt_text" not in creates[1]
    kinds = sorted(m["media_product_type"] for m in instagram.world.of_kind("ig_media"))
    assert kinds == ["REELS", "STORY"]


@pytest.mark.parametrize(("text", "media", "options", "message"), [
    ("x" * 2201, 1, {}, "2,201 characters"),
    (" ".join(f"#t{i}" for i in range(31)), 1, {}, "31 hashtags"),
    (" ".join(f"@u{i}" for i in range(21)), 1, {}, "mentions 21"),
    ("No media", 0, {}, "at least one image"),
    ("Too many", 11, {}, "2 to 10"),
    ("Reel of an image", 1, {"kind": "reel"}, "one video"),
    ("Four friends", 1, {"collaborators": "a,b,c,d"}, "at most 3"),
])
def test_what_instagram_refuses_is_refused_before_sending(instagram: Instagram, tmp_path: Path, text: str,
                                                          media: int, options: dict[str, Any], message: str) -> None:
    items = [_image(tmp_path, f"m{i}.jpg", size=(100, 100)) for i in range(media)]
    with pytest.raises(PermanentNetworkError, match=message):
        instagram.adapter().publish(_post(text, items, **options))
    assert not instagram.server.calls_to("POST", rf"{V}/\d+/media")


def test_the_contract_server_refuses_what_the_docs_refuse(instagram: Instagram, public_media: Any,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong adapter fails here: a PNG sent as is, an address Instagram cannot fetch."""
    from socialdesk.networks.instagram import adapter as module

    monkeypatch.setattr(module, "prepared_path", lambda media, **_: media.path)
    with pytest.raises(PermanentNetworkError, match="JPEG"):
        instagram.adapter().publish(_post("png", [_image(tmp_path, "p.png", fmt="PNG")]))
    with pytest.raises(PermanentNetworkError, match="aspect ratio"):
        instagram.adapter().publish(_post("thin", [_image(tmp_path, "thin.jpg", size=(300, 1000))]))
    from socialdesk.media import public_links

    gone = f"{public_media['base_url']}/public-media/x/g.jpg"
    monkeypatch.setattr(public_links, "public_url", lambda path, **_: gone)
    with pytest.raises(PermanentNetworkError, match="could not be fetched"):
        instagram.adapter().publish(_post("gone", [_image(tmp_path, "g.jpg")]))
    assert not instagram.server.calls_to("POST", rf"{V}/\d+/media_publish")


def test_a_lost_publish_answer_is_found_by_looking_it_up(instagram: Instagram, public_media: Any,
                                                         tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    adapter = instagram.adapter()
    post = _post("Found again #later", [_image(tmp_path, "l.jpg")])
    since = datetime.now(UTC) - timedelta(minutes=5)
    assert adapter.find_published(post, since) is None
    instagram.server.lose_answer("POST", rf"{V}/\d+/media_publish")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post)
    found = adapter.find_published(post, since)
    assert found is not None and found.external_id == instagram.world.of_kind("ig_media")[0]["id"]
    assert len(instagram.world.of_kind("ig_media")) == 1


def test_the_publishing_limit_is_read_and_refused_when_used_up(instagram: Instagram, public_media: Any,
                                                               tmp_path: Path) -> None:
    adapter = instagram.adapter()
    assert adapter.publishing_limit() == {"quota_usage": 0, "quota_total": 50, "quota_duration": 86400}
    instagram.account["quota_used_elsewhere"] = 50
    with pytest.raises(RateLimited, match="50 of 50"):
        adapter.publish(_post("One too many", [_image(tmp_path, "q.jpg")]))
    assert not instagram.server.calls_to("POST", rf"{V}/\d+/media")


def test_a_container_that_fails_processing_is_a_permanent_error(instagram: Instagram, public_media: Any,
                                                                tmp_path: Path) -> None:
    instagram.graph.instagram["fail_processing"] = {  # type: ignore[attr-defined]
        str(int(instagram.world.new_id()) + 1)}
    with pytest.raises(PermanentNetworkError, match="could not process"):
        instagram.adapter().publish(_post("Broken video", [_video("b.mp4")]))
    assert not instagram.server.calls_to("POST", rf"{V}/\d+/media_publish")


def test_a_revoked_token_is_an_auth_error(instagram: Instagram, tmp_path: Path) -> None:
    instagram.world.revoke(instagram.token)
    with pytest.raises(AuthError):
        instagram.adapter().account_metrics()


def test_the_inbox_reads_comments_replies_and_tags_and_acts_on_them(instagram: Instagram, public_media: Any,
                                                                   tmp_path: Path) -> None:
    adapter = instagram.adapter()
    media_id = adapter.publish(_post("Ask me", [_image(tmp_path, "i.jpg")])).external_id
    first = add_comment(instagram.world, media_id, "How much is it?", username="buyer")
    add_comment(instagram.world, media_id, "Same question", username="other", parent_id=first["id"])
    add_tagged_media(instagram.world, instagram.account["id"], "Loving @brand today", username="fan")
    page = adapter.fetch_inbox(None)
    kinds = {(i.kind, i.author_handle, i.parent_external_id) for i in page.items}
    assert kinds == {(IncomingKind.COMMENT, "buyer", None), (IncomingKind.COMMENT, "other", first["id"]),
                     (IncomingKind.MENTION, "fan", None)}
    assert all(i.post_external_id == media_id for i in page.items if i.kind == IncomingKind.COMMENT)
    again = adapter.fetch_inbox(page.cursor)  # only what is as new as the newest seen (the inbox drops repeats)
    assert {i.external_id for i in again.items} <= {i.external_id for i in page.items}
    assert again.cursor == page.cursor
    reply_id = adapter.reply(first["id"], "It is 12 euros")
    assert instagram.world.objects[reply_id]["parent_id"] == first["id"]
    assert [i.author_handle for i in adapter.fetch_inbox(None).items if i.kind == IncomingKind.COMMENT] == [
        "buyer", "other"]  # our own reply is not an incoming item
    adapter.hide(first["id"])
    assert instagram.world.objects[first["id"]]["hidden"] is True
    adapter.unhide(first["id"])
    assert instagram.world.objects[first["id"]]["hidden"] is False
    mention = next(i for i in page.items if i.kind == IncomingKind.MENTION)
    assert adapter.reply(mention.external_id, "Thank you!")
    adapter.delete_comment(first["id"])
    adapter.delete_comment(first["id"])  # already gone: done
    assert first["id"] not in instagram.world.objects


def test_metrics_use_current_insights_and_none_for_what_is_missing(instagram: Instagram, public_media: Any,
                                                                   tmp_path: Path) -> None:
    adapter = instagram.adapter()
    media_id = adapter.publish(_post("Counted", [_image(tmp_path, "n.jpg")])).external_id
    instagram.world.objects[media_id]["insights"] = {"reach": 300, "views": 450, "likes": 20, "comments": 3,
                                                     "saved": 4}  # no shares yet
    metrics = adapter.post_metrics([media_id])[media_id]
    assert (metrics.reach, metrics.views, metrics.likes, metrics.comments, metrics.saves) == (300, 450, 20, 3, 4)
    assert metrics.reposts is None and metrics.impressions is None and metrics.clicks is None
    (call,) = instagram.server.calls_to("GET", rf"{V}/{media_id}/insights")
    assert not {"impressions", "plays", "video_views"} & set(call.query["metric"].split(","))
    account = adapter.account_metrics()
    assert (account.followers, account.following, account.posts) == (1200, 80, 1)
    instagram.account["insights"] = {"reach": 900, "views": 2000}
    instagram.account["demographics"] = {"age": {"25-34": 500, "35-44": 200}, "country": {"HR": 600}}
    extra = adapter.account_details()
    assert extra["day"]["reach"] == 900 and extra["day"]["accounts_engaged"] is None
    assert extra["audience"]["age"] == {"25-34": 500, "35-44": 200} and extra["audience"]["gender"] is None
    assert extra["publishing_limit"]["quota_usage"] == 1 and extra["profile_views"] is None


def test_a_post_found_by_lookup_gets_its_first_comment_once(instagram: Instagram, public_media: Any,
                                                            tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    adapter = instagram.adapter()
    post = _post("With a comment", [_image(tmp_path, "fc.jpg")], first_comment="#one #two")
    since = datetime.now(UTC) - timedelta(minutes=5)
    instagram.server.lose_answer("POST", rf"{V}/\d+/media_publish")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post)
    found = adapter.find_published(post, since)
    assert found is not None
    assert adapter.find_published(post, since) == found  # a second look-up adds nothing
    comments = instagram.world.of_kind("ig_comment", media_id=found.external_id)
    assert [c["text"] for c in comments] == ["#one #two"]


@pytest.mark.parametrize(("status", "error", "expected"), [
    (400, {"code": 4, "message": "(#4) Application request limit reached"}, RateLimited),
    (400, {"code": 32, "message": "(#32) Page request limit reached"}, RateLimited),
    (400, {"code": 190, "error_subcode": 463, "message": "Session has expired"}, AuthError),
    (400, {"code": 368, "message": "Temporarily blocked for policies violations"}, PermanentNetworkError),
    (400, {"code": 9, "error_subcode": 2207042, "message": "Application request limit reached",
           "error_user_msg": "You reached maximum number of posts"}, RateLimited),
    (400, {"code": -2, "error_subcode": 2207003, "message": "It takes too long to download the media."},
     TransientNetworkError),
    (500, {"code": 1, "message": "An unknown error occurred"}, TransientNetworkError),
])
def test_each_graph_error_is_sorted(instagram: Instagram, public_media: Any, tmp_path: Path, status: int,
                                    error: dict[str, Any], expected: type) -> None:
    instagram.server.fail("POST", rf"{V}/\d+/media", status=status,
                          json={"error": {"type": "OAuthException", "fbtrace_id": "x", **error}})
    with pytest.raises(expected) as raised:
        instagram.adapter().publish(_post("Sorted", [_image(tmp_path, "e.jpg")]))
    assert type(raised.value) is expected or expected is PermanentNetworkError
    assert not instagram.server.calls_to("POST", rf"{V}/\d+/media_publish")


def test_direct_messages_come_through_the_linked_page_within_the_window(instagram: Instagram) -> None:
    from tests.contract.meta_instagram import add_direct_message

    without_page = instagram.adapter()
    assert not without_page.capabilities().direct_messages
    adapter = instagram.adapter(page_id=instagram.page["id"])
    caps = adapter.capabilities()
    assert caps.direct_messages and caps.messaging_window_hours == 24
    now = instagram.world.now()
    fresh = add_direct_message(instagram.world, instagram.account["id"], "Do you deliver?", username="iva")
    add_direct_message(instagram.world, instagram.account["id"], "Hello from last week", username="old",
                       when=now - 3 * 86400)
    items = [i for i in adapter.fetch_inbox(None).items if i.kind == IncomingKind.DIRECT_MESSAGE]
    assert sorted((i.author_handle, i.text) for i in items) == [("iva", "Do you deliver?"),
                                                                ("old", "Hello from last week")]
    new = next(i for i in items if i.author_handle == "iva")
    assert new.external_id == f"dm:{fresh['from']['id']}:{fresh['id']}"
    sent_id = adapter.reply(new.external_id, "Yes, all over Croatia")
    assert instagram.world.objects[sent_id]["message"] == "Yes, all over Croatia"
    (send,) = instagram.server.calls_to("POST", rf"{V}/{instagram.page['id']}/messages")
    assert json.loads(send.form()["recipient"]) == {"id": fresh["from"]["id"]}
    assert send.form()["messaging_type"] == "RESPONSE"
    old = next(i for i in items if i.author_handle == "old")
    with pytest.raises(PermanentNetworkError, match="24 hours"):
        adapter.reply(old.external_id, "Sorry for the wait")
    assert len(instagram.server.calls_to("POST", rf"{V}/{instagram.page['id']}/messages")) == 1
    assert all(i.author_handle != "brand" for i in adapter.fetch_inbox(None).items)  # our answer is not incoming
    with pytest.raises(PermanentNetworkError, match="cannot be hidden"):
        adapter.hide(new.external_id)


def test_instagram_and_facebook_share_one_graph_server(instagram: Instagram) -> None:
    """Installed after the Facebook module, Instagram's Page handlers pass Messenger requests on."""
    from tests.contract.meta import meta_server
    from tests.contract.meta_facebook import install_facebook
    from tests.contract.meta_instagram import install_instagram

    graph = meta_server(instagram.world)
    install_facebook(graph)
    facebook_list = graph._edges[("GET", "page", "conversations")]
    install_instagram(graph)
    assert graph._edges[("GET", "page", "conversations")] is not facebook_list
    methods = {(m, p) for m, p, _ in graph.docs}
    assert ("POST", "/{version}/{ig_user-id}/media_publish") in methods
    assert ("POST", "/{version}/{page-id}/feed") in methods
    from socialdesk.networks.meta.graph import GraphClient
    from tests.contract.meta_facebook import add_message
    from tests.contract.meta_instagram import add_direct_message

    add_message(instagram.world, instagram.page["id"], {"id": "7200", "name": "Maja"}, "On Messenger")
    add_direct_message(instagram.world, instagram.account["id"], "On Instagram", username="iva")
    with graph.server.running() as base, GraphClient(instagram.token, base_url=base,
                                                     version=instagram.world.version) as client:
        page = instagram.page["id"]
        messenger = client.get(f"{page}/conversations", {"platform": "messenger"})["data"]
        direct = client.get(f"{page}/conversations", {"platform": "instagram"})["data"]
        assert len(messenger) == 1 and len(direct) == 1 and messenger[0]["id"] != direct[0]["id"]
