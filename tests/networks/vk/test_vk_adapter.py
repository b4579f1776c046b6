"""The VK adapter against the VK contract server (tests/contract/vk.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from socialdesk.core import clock
from socialdesk.networks import registry
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    IncomingKind,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPoll,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.vk.adapter import VkAdapter
from tests.contract.vk import VkContract
from tests.helpers import image_bytes
from tests.networks.vk.conftest import adapter_for

WALL_POST = r"/method/wall\.post"


def _photo(tmp_path: Path, name: str = "cafe.jpg") -> OutgoingMedia:
    path = tmp_path / name
    path.write_bytes(image_bytes(3, (80, 60)))
    return OutgoingMedia(path=path, kind=MediaKind.IMAGE, content_type="image/jpeg", size_bytes=path.stat().st_size,
                         alt_text="Our terrace")


def test_connect_checks_the_tokens_against_the_community(vk: VkContract) -> None:
    found = registry.connect("vk", group_id=f"club{vk.state.group_id}", access_token=vk.state.user_token,
                             community_token=vk.state.community_token, callback_secret="s3cret")
    assert found.external_id == str(vk.state.group_id) and found.handle == vk.state.screen_name
    assert found.credentials["confirmation_code"] == vk.state.confirmation_code
    assert found.settings["community_messages"] is True
    call = vk.server.calls_to("POST", r"/method/groups\.getById")[0].form()
    assert call["v"] == "5.199" and call["group_id"] == str(vk.state.group_id)

    with pytest.raises(AuthError, match="invalid access_token"):
        registry.connect("vk", group_id=str(vk.state.group_id), access_token="vk1.a.wrong")
    with pytest.raises(AuthError, match="user token of a community administrator"):
        registry.connect("vk", group_id=str(vk.state.group_id), access_token=vk.state.community_token)
    with pytest.raises(PermanentNetworkError, match="community token"):
        other = vk.state.user_token  # a user token where the community token belongs
        registry.connect("vk", group_id=str(vk.state.group_id), access_token=vk.state.user_token,
                         community_token=other)


def test_a_wall_post_with_a_photo_goes_up_saved_and_attached_once(vk: VkContract, tmp_path: Path) -> None:
    adapter = adapter_for(vk)
    vk.server.calls.clear()
    published = adapter.publish(OutgoingPost(text="Autumn menu is here", media=[_photo(tmp_path)],
                                             idempotency_key="01PUB"))
    owner = -vk.state.group_id
    assert published.external_id.startswith(f"{owner}_") and published.url == f"https://vk.com/wall{published.external_id}"
    server = vk.server
    assert len(server.calls_to("POST", r"/method/photos\.getWallUploadServer")) == 1
    upload = server.calls_to("POST", r"/upload/photo")
    assert len(upload) == 1 and upload[0].headers["content-type"].startswith("multipart/form-data")
    assert b'name="photo"' in upload[0].body
    assert len(server.calls_to("POST", r"/method/photos\.saveWallPhoto")) == 1
    posts = server.calls_to("POST", WALL_POST)
    assert len(posts) == 1
    form = posts[0].form()
    assert form["owner_id"] == str(owner) and form["from_group"] == "1" and form["v"] == "5.199"
    assert form["attachments"].startswith(f"photo{owner}_") and form["message"] == "Autumn menu is here"


def test_video_poll_and_link_are_attached(vk: VkContract, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    media = OutgoingMedia(path=video, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=84)
    post = OutgoingPost(text="Which cake?\nVote below", media=[media], poll=OutgoingPoll(options=["Apple", "Plum"]),
                        options={"link": "https://brand.example/menu", "close_comments": True})
    adapter_for(vk).publish(post)
    created = vk.server.calls_to("POST", r"/method/polls\.create")[0].form()
    assert created["question"] == "Which cake?" and json.loads(created["add_answers"]) == ["Apple", "Plum"]
    assert b'name="video_file"' in vk.server.calls_to("POST", r"/upload/video")[0].body
    attachments = vk.server.calls_to("POST", WALL_POST)[0].form()["attachments"].split(",")
    assert [a[:5] for a in attachments] == ["video", "poll-", "https"]
    assert vk.server.calls_to("POST", WALL_POST)[0].form()["close_comments"] == "1"


def test_a_long_post_within_the_limit_goes_and_what_vk_refuses_is_refused_before_sending(
        vk: VkContract, tmp_path: Path) -> None:
    adapter = adapter_for(vk)
    adapter.publish(OutgoingPost(text="long " * 3000))  # 15,000 characters
    with pytest.raises(PermanentNetworkError, match="at most 16384"):
        adapter.publish(OutgoingPost(text="x" * 16_385))
    eleven = [_photo(tmp_path, f"p{i}.jpg") for i in range(11)]
    with pytest.raises(PermanentNetworkError, match="at most 10 attachments"):
        adapter.publish(OutgoingPost(text="too many", media=eleven))
    assert len(vk.server.calls_to("POST", WALL_POST)) == 1


def test_the_contract_server_refuses_what_the_docs_refuse(vk: VkContract) -> None:
    import httpx

    base = vk.server.base_url
    token = vk.state.user_token
    owner = str(-vk.state.group_id)

    def error(data: dict[str, str]) -> int:
        return int(httpx.post(f"{base}/method/wall.post", data=data).json()["error"]["error_code"])

    assert error({"v": "5.199", "owner_id": owner, "from_group": "1", "message": "hi"}) == 5  # no token
    assert error({"access_token": token, "owner_id": owner, "from_group": "1", "message": "hi"}) == 8  # no v
    base_form = {"access_token": token, "v": "5.199", "owner_id": owner, "from_group": "1"}
    assert error(base_form | {"message": "x" * 16_385}) == 100
    assert error(base_form | {"attachments": ",".join(f"photo{owner}_{i}" for i in range(11))}) == 100
    assert error(base_form | {"attachments": f"photo{owner}_999"}) == 100  # never uploaded
    assert error(base_form | {"attachments": "https://a.example,https://b.example"}) == 100  # two links
    assert error(base_form | {"access_token": vk.state.community_token, "message": "hi"}) == 27
    assert vk.state.posts == {}
    assert all(doc.startswith("https://") for _m, _p, doc in vk.server.endpoints)


@pytest.mark.parametrize(("code", "message", "error_class"), [
    (5, "User authorization failed: invalid session.", AuthError),
    (6, "Too many requests per second", RateLimited),
    (9, "Flood control", RateLimited),
    (10, "Internal server error", TransientNetworkError),
    (14, "Captcha needed", PermanentNetworkError),
    (214, "Access to adding post denied", PermanentNetworkError),
    (15, "Access denied", PermanentNetworkError),
    (7, "Permission to perform this action is denied", PermanentNetworkError),
])
def test_vk_errors_are_sorted_with_vks_words(vk: VkContract, code: int, message: str,
                                             error_class: type[Exception]) -> None:
    vk.server.fail("POST", WALL_POST, status=200, json={"error": {
        "error_code": code, "error_msg": message, "request_params": [{"key": "method", "value": "wall.post"}],
        **({"captcha_sid": "239633676097", "captcha_img": "https://api.vk.com/captcha.php?sid=1"} if code == 14
           else {})}})
    with pytest.raises(error_class) as caught:
        adapter_for(vk).publish(OutgoingPost(text="Hello"))
    assert type(caught.value) is error_class
    assert message in caught.value.network_message  # type: ignore[attr-defined]
    if code == 14:
        assert "captcha" in caught.value.network_message and "does not retry" in caught.value.network_message  # type: ignore[attr-defined]
    if code == 6:
        assert caught.value.retry_after == 1.0  # type: ignore[attr-defined]


def test_a_lost_answer_is_outcome_unknown_and_the_lookup_finds_the_one_post(vk: VkContract) -> None:
    adapter = adapter_for(vk)
    since = clock.now() - timedelta(seconds=5)
    vk.server.lose_answer("POST", WALL_POST)
    post = OutgoingPost(text="Exactly once on VK", idempotency_key="01LOST")
    with pytest.raises(OutcomeUnknown):
        adapter.publish(post)
    assert len(vk.state.posts) == 1  # it did go out
    found = adapter.find_published(post, since)
    assert found is not None and found.external_id == f"-{vk.state.group_id}_{next(iter(vk.state.posts))}"
    assert adapter.find_published(OutgoingPost(text="Another text"), since) is None


def test_comments_and_messages_come_in_and_are_answered_deleted_and_banned(vk: VkContract) -> None:
    adapter = adapter_for(vk)
    published = adapter.publish(OutgoingPost(text="Menu"))
    number = int(published.external_id.split("_")[1])
    first = vk.state.add_comment(number, 501, "Is there a vegan option?")
    vk.state.add_comment(number, 502, "Yes, ask Ana", reply_to=first["id"])
    vk.state.add_message(501, "Do you deliver?")

    page = adapter.fetch_inbox(None)
    kinds = sorted((i.kind, i.text) for i in page.items)
    assert kinds == [(IncomingKind.COMMENT, "Is there a vegan option?"), (IncomingKind.COMMENT, "Yes, ask Ana"),
                     (IncomingKind.DIRECT_MESSAGE, "Do you deliver?")]
    comment = next(i for i in page.items if i.text.startswith("Is there"))
    assert comment.author_handle == "ana_p" and comment.author_name == "Ana Petrova"
    assert comment.post_external_id == published.external_id
    reply_item = next(i for i in page.items if i.text.startswith("Yes"))
    assert reply_item.parent_external_id == comment.external_id
    assert adapter.fetch_inbox(page.cursor).items == []  # nothing new

    answer = adapter.reply(comment.external_id, "Yes: the pumpkin soup")
    form = vk.server.calls_to("POST", r"/method/wall\.createComment")[0].form()
    assert form["from_group"] == str(vk.state.group_id) and form["reply_to_comment"] == str(first["id"])
    assert answer.startswith("wall:")
    message = next(i for i in page.items if i.kind == IncomingKind.DIRECT_MESSAGE)
    sent = adapter.reply(message.external_id, "Yes, within the city")
    again = adapter.reply(message.external_id, "Yes, within the city")  # a retry: VK dedupes by random_id
    assert sent == again and len([m for m in vk.state.messages if m["out"]]) == 1
    send = vk.server.calls_to("POST", r"/method/messages\.send")[0]
    assert send.form()["random_id"] and send.form()["access_token"] == vk.state.community_token
    assert adapter.fetch_inbox(page.cursor).items == []  # our own answers are not inbox items

    adapter.delete_comment(comment.external_id)
    assert first["id"] not in vk.state.comments
    adapter.block("502")
    assert 502 in vk.state.banned


def test_metrics_per_post_and_for_the_community(vk: VkContract) -> None:
    adapter = adapter_for(vk)
    published = adapter.publish(OutgoingPost(text="Counted"))
    number = int(published.external_id.split("_")[1])
    vk.state.posts[number].update(views={"count": 50}, likes={"count": 7}, reposts={"count": 2})
    metrics = adapter.post_metrics([published.external_id])[published.external_id]
    assert (metrics.views, metrics.likes, metrics.reposts, metrics.comments) == (50, 7, 2, 0)
    assert (metrics.reach, metrics.clicks) == (120, 7)
    assert metrics.saves is None and metrics.impressions is None

    del vk.state.posts[number]["views"]  # VK gives no views for some posts: unknown, not zero
    assert adapter.post_metrics([published.external_id])[published.external_id].views is None

    account = adapter.account_metrics()
    assert account.followers == vk.state.members_count and account.following is None and account.posts == 1
    stats = adapter.community_stats()
    assert stats[0]["reach"] == 300 and stats[0]["visitors"] == 30 and stats[0]["subscribed"] == 3
    assert stats[0]["sex_age"] == [{"value": "f;18-21", "count": 5}]


def test_a_community_token_cannot_post_and_says_why(vk: VkContract) -> None:
    account = ChannelAccount("c", str(vk.state.group_id), "brand", {"access_token": vk.state.community_token},
                             {"group_id": vk.state.group_id})
    with pytest.raises(AuthError, match="user token of a community administrator"):
        VkAdapter(account).publish(OutgoingPost(text="Hi"))


def test_a_server_error_after_wall_post_is_unknown_but_before_it_only_transient(vk: VkContract) -> None:
    adapter = adapter_for(vk)
    vk.server.fail("POST", WALL_POST, status=502, json=None)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(OutgoingPost(text="Maybe"))
    vk.server.fail("POST", r"/method/wall\.get", status=503, json=None)
    with pytest.raises(TransientNetworkError):
        adapter.find_published(OutgoingPost(text="Maybe"), clock.now())


def test_calls_with_one_user_token_keep_to_three_a_second() -> None:
    import time as real_time

    from socialdesk.networks.vk import api

    started = real_time.monotonic()
    for _ in range(4):
        api._wait_turn("a-token-of-its-own", 3)
    assert real_time.monotonic() - started >= 0.9


def test_the_inbox_reads_comments_only_of_posts_whose_count_changed(vk: VkContract) -> None:
    adapter = adapter_for(vk, community=False)
    first = int(adapter.publish(OutgoingPost(text="One")).external_id.split("_")[1])
    second = int(adapter.publish(OutgoingPost(text="Two")).external_id.split("_")[1])
    vk.state.add_comment(first, 501, "Hi")
    page = adapter.fetch_inbox(None)
    assert [i.text for i in page.items] == ["Hi"]
    before = len(vk.server.calls_to("POST", r"/method/wall\.getComments"))
    vk.state.add_comment(second, 502, "Hello")
    assert [i.text for i in adapter.fetch_inbox(page.cursor).items] == ["Hello"]
    assert len(vk.server.calls_to("POST", r"/method/wall\.getComments")) == before + 1  # only the second post


def test_a_first_comment_follows_the_post_and_its_failure_does_not_fail_the_post(vk: VkContract) -> None:
    adapter = adapter_for(vk)
    published = adapter.publish(OutgoingPost(text="With a comment", options={"first_comment": "Menu: vk.cc/abc"}))
    number = int(published.external_id.split("_")[1])
    assert [(c["post_id"], c["from_id"], c["text"]) for c in vk.state.comments.values()] == [
        (number, -vk.state.group_id, "Menu: vk.cc/abc")]
    vk.server.fail("POST", r"/method/wall\.createComment", status=200, json={"error": {
        "error_code": 222, "error_msg": "Hyperlinks are forbidden", "request_params": []}})
    assert adapter.publish(OutgoingPost(text="Again", options={"first_comment": "http://x.example"})).external_id
