"""The Telegram adapter against the Bot API contract server: connect, publish every kind, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPoll,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
)
from socialdesk.networks.telegram import text as texts
from socialdesk.networks.telegram.adapter import TelegramAdapter, connect
from tests.contract.telegram import BOT, CHANNEL_ID, GROUP_ID, TOKEN, TelegramContract, parsed_text

HOSTILE = "Sale *50%* _now_ [link](x) (a) ~b~ `c` > #d +e -f =g |h {i} .j !k \\ <b>bold?</b> & &amp; <i"


def _adapter(**settings: object) -> TelegramAdapter:
    connected = connect(bot_token=TOKEN, chat_id="@brand_channel", updates_by="polling")
    return TelegramAdapter(ChannelAccount(channel_id="ch1", external_id=connected["external_id"],
                                          handle=connected["handle"], credentials=connected["credentials"],
                                          settings={**connected["settings"], **settings}))


def _image(tmp_path: Path, name: str = "a.jpg", kind: MediaKind = MediaKind.IMAGE,
           content_type: str = "image/jpeg") -> OutgoingMedia:
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8" + name.encode() * 50)
    return OutgoingMedia(path=path, kind=kind, content_type=content_type, size_bytes=path.stat().st_size)


def test_connect_checks_the_token_the_channel_and_the_bots_rights(telegram: TelegramContract) -> None:
    found = connect(bot_token=TOKEN, chat_id="brand_channel", updates_by="polling")
    assert found["external_id"] == str(CHANNEL_ID) and found["handle"] == "@brand_channel"
    assert found["settings"]["discussion_chat_id"] == GROUP_ID and found["settings"]["bot_id"] == BOT["id"]
    assert found["credentials"]["bot_token"] == TOKEN
    assert [c.path.rsplit("/", 1)[1] for c in telegram.server.calls] == ["getMe", "getChat", "getChatMember"]
    with pytest.raises(ValidationFailed, match="Unauthorized"):
        connect(bot_token="999:nope", chat_id="@brand_channel")
    with pytest.raises(ValidationFailed, match="chat not found"):
        connect(bot_token=TOKEN, chat_id="@nobody_here")
    with pytest.raises(ValidationFailed, match="not a channel"):
        connect(bot_token=TOKEN, chat_id=str(GROUP_ID))
    telegram.bot_status = {"status": "administrator", "can_post_messages": False}
    with pytest.raises(ValidationFailed, match=r"administrator .* allowed to post"):
        connect(bot_token=TOKEN, chat_id="@brand_channel")
    telegram.bot_status = {"status": "member"}
    with pytest.raises(ValidationFailed, match="administrator"):
        connect(bot_token=TOKEN, chat_id="@brand_channel")


def test_a_webhook_needs_a_public_address(telegram: TelegramContract) -> None:
    with pytest.raises(ValidationFailed, match="SOCIALDESK_PUBLIC_URL"):
        connect(bot_token=TOKEN, chat_id="@brand_channel", updates_by="webhook")


def test_hostile_text_goes_out_exactly_as_typed(telegram: TelegramContract) -> None:
    adapter = _adapter()
    text = f"{HOSTILE} 👍 https://example.com/a_(b) #kava @brand_news."
    published = adapter.publish(OutgoingPost(text))
    sent = telegram.sent("sendMessage")[-1]
    assert "parse_mode" not in sent, "plain text: nothing is markup, nothing needs escaping"
    assert sent["text"] == text
    chat, message = published.external_id.split(":")
    assert chat == str(CHANNEL_ID) and telegram.channel.messages[int(message)]["text"] == text
    assert published.url == f"https://t.me/brand_channel/{message}"
    url = next(e for e in sent["entities"] if e["type"] == "url")
    start = text.index("https://")
    # UTF-16: the emoji before the link counts two units.
    assert url["offset"] == texts.utf16_length(text[:start]) == start + 1
    assert text[start:].encode("utf-16-le")[:url["length"] * 2].decode("utf-16-le") == "https://example.com/a_(b)"
    assert {e["type"] for e in sent["entities"]} == {"url", "hashtag", "mention"}


@pytest.mark.parametrize("mode, text", [("MarkdownV2", "50% off. Now!"), ("MarkdownV2", "*bold*"),
                                        ("HTML", "<b>bold"), ("HTML", "a <x> b"), ("HTML", "fish & chips")])
def test_the_contract_refuses_unescaped_markup_as_telegram_does(mode: str, text: str) -> None:
    with pytest.raises(Exception, match="can't parse entities"):
        parsed_text(text, mode, None)


def test_the_contract_takes_correctly_escaped_markup() -> None:
    assert parsed_text("50% off\\. Now\\!", "MarkdownV2", None) == "50% off. Now!"
    assert parsed_text("&lt;b&gt; fish &amp; chips <b>ok</b>", "HTML", None) == "<b> fish & chips ok"


def test_too_long_is_refused_before_sending(telegram: TelegramContract, tmp_path: Path) -> None:
    adapter = _adapter()
    with pytest.raises(PermanentNetworkError, match="4096"):
        adapter.publish(OutgoingPost("x" * 4097))
    with pytest.raises(PermanentNetworkError, match="1024"):
        adapter.publish(OutgoingPost("x" * 1025, media=[_image(tmp_path)]))
    gone = _image(tmp_path, "gone.jpg")
    gone.path.unlink()
    with pytest.raises(PermanentNetworkError, match=r"Cannot read gone\.jpg"):
        adapter.publish(OutgoingPost("Lost file", media=[gone]))
    assert not telegram.server.calls_to("POST", r"/bot[^/]+/send\w+")
    adapter.publish(OutgoingPost("🎉" * 4096))  # 4,096 characters (8,192 UTF-16 units) fit


def test_the_contract_refuses_too_long_text_the_adapter_did_not_check(telegram: TelegramContract) -> None:
    adapter = _adapter()
    with pytest.raises(PermanentNetworkError, match="Bad Request: message is too long"):
        adapter.api.call("sendMessage", {"chat_id": CHANNEL_ID, "text": "x" * 4097}, write=True)


def test_a_photo_with_a_caption_and_a_silent_pinned_post(telegram: TelegramContract, tmp_path: Path) -> None:
    adapter = _adapter()
    post = OutgoingPost("Caption #one", media=[_image(tmp_path)], options={"silent": True, "pin": True})
    published = adapter.publish(post)
    sent = telegram.sent("sendPhoto")[-1]
    assert sent["photo"]["filename"] == "a.jpg" and sent["caption"] == "Caption #one"
    assert sent["disable_notification"] == "true"  # a multipart field: JSON-serialised
    message = int(published.external_id.split(":")[1])
    assert telegram.channel.pinned == [message]


def test_an_album_is_one_sendmediagroup_with_attached_files(telegram: TelegramContract, tmp_path: Path) -> None:
    adapter = _adapter()
    media = [_image(tmp_path, f"p{n}.jpg") for n in range(3)]
    published = adapter.publish(OutgoingPost("Album https://x.org", media=media))
    calls = telegram.server.calls_to("POST", r"/bot[^/]+/sendMediaGroup")
    assert len(calls) == 1 and calls[0].headers["content-type"].startswith("multipart/form-data")
    sent = telegram.sent("sendMediaGroup")[0]
    assert [m["media"] for m in sent["media"]] == ["attach://file0", "attach://file1", "attach://file2"]
    assert {sent[f"file{n}"]["filename"] for n in range(3)} == {"p0.jpg", "p1.jpg", "p2.jpg"}
    assert sent["media"][0]["caption"] == "Album https://x.org" and "caption" not in sent["media"][1]
    _chat, ids = published.external_id.split(":")
    assert len(ids.split(",")) == 3
    adapter.delete(published.external_id)
    assert telegram.sent("deleteMessages")[-1]["message_ids"] == [int(i) for i in ids.split(",")]
    assert not any(int(i) in telegram.channel.messages for i in ids.split(","))


def test_albums_of_one_or_eleven_are_refused(telegram: TelegramContract, tmp_path: Path) -> None:
    adapter = _adapter()
    with pytest.raises(PermanentNetworkError, match="2 to 10"):
        adapter.publish(OutgoingPost("Too many", media=[_image(tmp_path, f"p{n}.jpg") for n in range(11)]))
    for count in (1, 11):
        media = [{"type": "photo", "media": f"attach://f{n}"} for n in range(count)]
        files = {f"f{n}": (f"f{n}.jpg", b"x", "image/jpeg") for n in range(count)}
        with pytest.raises(PermanentNetworkError, match="Bad Request: wrong number of media"):
            adapter.api.call("sendMediaGroup", {"chat_id": CHANNEL_ID, "media": media}, files=files, write=True)


def test_polls_and_quizzes_are_native(telegram: TelegramContract) -> None:
    adapter = _adapter()
    adapter.publish(OutgoingPost("Coffee or tea?", poll=OutgoingPoll(["Coffee", "Tea"], multiple=True)))
    sent = telegram.sent("sendPoll")[-1]
    assert sent["question"] == "Coffee or tea?" and sent["options"] == [{"text": "Coffee"}, {"text": "Tea"}]
    assert sent["allows_multiple_answers"] is True
    quiz = OutgoingPost("Capital of Croatia?", poll=OutgoingPoll(["Split", "Zagreb", "Rijeka"]),
                        options={"quiz_answer": 2})
    adapter.publish(quiz)
    sent = telegram.sent("sendPoll")[-1]
    assert sent["type"] == "quiz" and sent["correct_option_id"] == 1
    with pytest.raises(PermanentNetworkError, match="2 to 12"):
        adapter.publish(OutgoingPost("One?", poll=OutgoingPoll(["Only"])))


def test_edit_and_delete(telegram: TelegramContract, tmp_path: Path) -> None:
    adapter = _adapter()
    published = adapter.publish(OutgoingPost("First <b>"))
    adapter.edit(published.external_id, "Second & <i>")
    message = int(published.external_id.split(":")[1])
    assert telegram.channel.messages[message]["text"] == "Second & <i>"
    photo = adapter.publish(OutgoingPost("Photo", media=[_image(tmp_path)]))
    adapter.edit(photo.external_id, "New caption")
    assert telegram.channel.messages[int(photo.external_id.split(":")[1])]["caption"] == "New caption"
    adapter.delete(published.external_id)
    assert message not in telegram.channel.messages
    with pytest.raises(PermanentNetworkError, match="message to delete not found"):
        adapter.delete(published.external_id)


def test_errors_are_sorted_with_telegrams_words(telegram: TelegramContract) -> None:
    adapter = _adapter()
    telegram.server.fail("POST", r"/bot[^/]+/sendMessage", status=429, json={
        "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7}})
    with pytest.raises(RateLimited) as limited:
        adapter.publish(OutgoingPost("Hi"))
    assert limited.value.retry_after == 7 and "retry after 7" in limited.value.network_message
    telegram.tokens.clear()
    with pytest.raises(AuthError, match="Unauthorized"):
        adapter.publish(OutgoingPost("Hi"))
    telegram.tokens[TOKEN] = BOT
    telegram.server.fail("POST", r"/bot[^/]+/sendMessage", status=502, json=None)
    with pytest.raises(OutcomeUnknown):
        adapter.publish(OutgoingPost("Hi"))
    telegram.server.lose_answer("POST", r"/bot[^/]+/sendMessage")
    with pytest.raises(OutcomeUnknown) as lost:
        adapter.publish(OutgoingPost("Hi"))
    assert TOKEN not in lost.value.network_message


def test_followers_are_the_member_count_and_post_metrics_are_not_available(telegram: TelegramContract) -> None:
    adapter = _adapter()
    assert adapter.account_metrics().followers == 1234
    metrics = adapter.post_metrics([f"{CHANNEL_ID}:100"])[f"{CHANNEL_ID}:100"]
    assert metrics.views is None and metrics.likes is None and metrics.reposts is None
    assert not adapter.capabilities().post_metrics


def test_the_token_stays_out_of_the_logs(telegram: TelegramContract, caplog: pytest.LogCaptureFixture) -> None:
    adapter = _adapter()
    with caplog.at_level("DEBUG"):
        adapter.publish(OutgoingPost("Hi"))
    assert "sendMessage" in caplog.text and TOKEN not in caplog.text


def test_every_contract_endpoint_cites_its_bot_api_section() -> None:
    endpoints = TelegramContract().server.endpoints
    assert len(endpoints) >= 20
    assert all(doc.startswith("https://core.telegram.org/bots/api#") for _, _, doc in endpoints)
    assert {doc.rsplit("#", 1)[1] for _, _, doc in endpoints} >= {
        "getme", "getchat", "getchatmember", "sendmessage", "sendmediagroup", "sendpoll", "pinchatmessage",
        "editmessagetext", "deletemessage", "getupdates", "setwebhook", "banchatmember", "getchatmembercount"}
