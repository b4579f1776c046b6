"""The Bluesky adapter without a server: how each kind of failure is sorted (a timeout after the post
was sent is not a safe retry), what is refused before anything is sent, and the session's expiry.
The same operations against a real PDS are in tests/integration/bluesky/."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from socialdesk.networks import registry
from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.bluesky import session
from socialdesk.networks.bluesky.adapter import BlueskyAdapter
from socialdesk.networks.bluesky.reading import parse_time
from socialdesk.networks.bluesky.records import timestamp

DID = "did:plc:brand"
Handler = Callable[[httpx.Request], httpx.Response]


def _jwt(**claims: object) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256K'})}.{part(claims)}.sig"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Handler]]:
    """Answers each XRPC call with the handler put in the list (the last one stays)."""
    handlers: list[Handler] = []

    def answer(request: httpx.Request) -> httpx.Response:
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return handler(request)

    monkeypatch.setattr(session, "transport", httpx.MockTransport(answer))
    yield handlers


def _adapter(access: str | None = None) -> BlueskyAdapter:
    access = access or _jwt(exp=2_000_000_000, scope="com.atproto.appPass")
    return BlueskyAdapter(ChannelAccount("c1", DID, "brand.test", {"access_jwt": access, "refresh_jwt": "r"},
                                         {"service": "https://pds.example", "pds": "https://pds.example"}))


def _error(status: int, name: str, message: str, headers: dict[str, str] | None = None) -> Handler:
    return lambda request: httpx.Response(status, json={"error": name, "message": message}, headers=headers)


def _raise(exc: type[httpx.HTTPError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("boom", request=request)

    return handler


CREATED = {"uri": f"at://{DID}/app.bsky.feed.post/3kabc", "cid": "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5u"}


def test_a_post_goes_out_as_one_createrecord_with_facets_language_and_card(server: list[Handler]) -> None:
    sent: list[dict[str, object]] = []

    def record(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xrpc/com.atproto.repo.createRecord"
        assert request.headers["authorization"].startswith("Bearer ")
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=CREATED)

    server.append(record)
    published = _adapter().publish(OutgoingPost("Kava ☕ #jutro na https://primjer.hr", idempotency_key="pub-1",
                                                language="hr"))
    assert published.external_id == CREATED["uri"]
    assert published.url == "https://bsky.app/profile/brand.test/post/3kabc"
    body = sent[0]
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    post = body["record"]
    assert isinstance(post, dict) and post["langs"] == ["hr"] and post["text"] == "Kava ☕ #jutro na https://primjer.hr"
    # "Kava ☕ " is 9 bytes (the cup is 3): the tag starts at byte 9, not at character 7.
    assert [(f["index"]["byteStart"], f["index"]["byteEnd"]) for f in post["facets"]] == [(9, 15), (19, 37)]
    assert post["embed"]["$type"] == "app.bsky.embed.external"
    assert post["embed"]["external"]["uri"] == "https://primjer.hr"
    assert post["socialdeskKey"] and "pub-1" not in json.dumps(post)  # a hash, not the publication's id


@pytest.mark.parametrize(("handler", "expected", "words"), [
    (_error(400, "InvalidRecord", "Invalid app.bsky.feed.post record"), PermanentNetworkError,
     "InvalidRecord: Invalid app.bsky.feed.post record"),
    (_error(400, "ExpiredToken", "Token has expired"), AuthError, "ExpiredToken: Token has expired"),
    (_error(401, "AuthenticationRequired", "Invalid identifier or password"), AuthError, "Invalid identifier"),
    (_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"ratelimit-reset": "4102444800"}), RateLimited,
     "RateLimitExceeded"),
    (_error(503, "InternalServerError", "Internal Server Error"), TransientNetworkError, "Internal Server Error"),
    (_error(502, "UpstreamFailure", "Upstream service unreachable"), TransientNetworkError, "UpstreamFailure"),
    (_raise(httpx.ConnectError), TransientNetworkError, "ConnectError"),
    (_raise(httpx.ReadTimeout), OutcomeUnknown, "No answer"),
    (_raise(httpx.RemoteProtocolError), OutcomeUnknown, "No answer"),
])
def test_publish_errors_are_sorted_with_the_servers_words(server: list[Handler], handler: Handler,
                                                           expected: type[Exception], words: str) -> None:
    server.append(handler)
    with pytest.raises(expected) as caught:
        _adapter().publish(OutgoingPost("Hello"))
    assert type(caught.value) is expected
    assert words in caught.value.network_message  # type: ignore[attr-defined]


def test_rate_limit_says_when_to_come_back(server: list[Handler]) -> None:
    server.append(_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"retry-after": "120"}))
    with pytest.raises(RateLimited) as caught:
        _adapter().publish(OutgoingPost("Hello"))
    assert caught.value.retry_after == 120 and caught.value.status_code == 429


def test_a_read_that_times_out_is_only_transient(server: list[Handler]) -> None:
    server.append(_raise(httpx.ReadTimeout))
    with pytest.raises(TransientNetworkError) as caught:
        _adapter().account_metrics()
    assert type(caught.value) is TransientNetworkError


def test_what_bluesky_would_refuse_is_refused_before_sending(server: list[Handler], tmp_path: Path) -> None:
    server.append(lambda request: pytest.fail(f"nothing may be sent: {request.url}"))
    adapter = _adapter()
    with pytest.raises(PermanentNetworkError, match="301 characters long; Bluesky allows 300"):
        adapter.publish(OutgoingPost("🇭🇷" * 301))  # flags: 2 code points, 8 bytes, 1 grapheme each
    image = tmp_path / "big.jpg"
    image.write_bytes(b"\xff" * 1_000_001)
    big = OutgoingMedia(image, MediaKind.IMAGE, "image/jpeg", 1_000_001, alt_text="A big one")
    with pytest.raises(PermanentNetworkError, match="1,000,001 bytes; Bluesky takes images up to 1,000,000"):
        adapter.publish(OutgoingPost("Big", media=[big]))
    small = OutgoingMedia(image, MediaKind.IMAGE, "image/jpeg", 10)
    with pytest.raises(PermanentNetworkError, match="up to 4 images"):
        adapter.publish(OutgoingPost("Many", media=[small] * 5))
    video = OutgoingMedia(image, MediaKind.VIDEO, "video/mp4", 10)
    with pytest.raises(PermanentNetworkError, match="videos"):
        adapter.publish(OutgoingPost("Clip", media=[video]))
    with pytest.raises(PermanentNetworkError, match="another account"):
        adapter.delete("at://did:plc:someone/app.bsky.feed.post/3kabc")
    with pytest.raises(PermanentNetworkError, match="delete other people's replies"):
        adapter.delete_comment("at://did:plc:someone/app.bsky.feed.post/3kabc")


def test_the_session_expires_when_its_access_token_says() -> None:
    adapter = _adapter(_jwt(exp=1_900_000_000))
    assert adapter.credentials_expire_at() == datetime.fromtimestamp(1_900_000_000, UTC)
    assert _adapter("not a jwt").credentials_expire_at() is None


def test_a_refused_refresh_asks_for_reconnection(server: list[Handler]) -> None:
    server.append(_error(400, "ExpiredToken", "Token has been revoked"))
    with pytest.raises(AuthError, match="Token has been revoked"):
        _adapter().refresh_credentials()


def test_registered_with_a_connect_form() -> None:
    fields = {f.name: f for f in registry.connect_fields("bluesky")}
    assert list(fields) == ["handle", "app_password", "service"]
    assert fields["app_password"].kind == "password" and not fields["service"].required
    caps = registry.capabilities_for("bluesky", {})
    assert caps.text.limit == 300 and caps.media.max_count == 4 and caps.threads and caps.hide_comments
    assert caps.idempotency == "lookup" and not caps.direct_messages


def test_times_round_trip_in_bluesky_format() -> None:
    at = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert timestamp(at) == "2026-05-01T12:30:15.123Z"
    assert parse_time("2026-05-01T12:30:15.123Z") == datetime(2026, 5, 1, 12, 30, 15, 123000, tzinfo=UTC)
    assert parse_time("2026-05-01T12:30:15.123456789+02:00") == datetime(2026, 5, 1, 10, 30, 15, 123456, tzinfo=UTC)
    assert parse_time("yesterday") is None


def _note(n: int, reason: str = "reply", author: str = "did:plc:fan") -> dict[str, object]:
    at = f"2026-05-01T12:00:{n:02d}.000Z"
    post = f"at://{DID}/app.bsky.feed.post/root"
    record: dict[str, object] = {"$type": "app.bsky.feed.post", "text": f"odgovor {n}", "createdAt": at,
                                 "langs": ["hr"]}
    if reason == "reply":
        ref = {"uri": post, "cid": CREATED["cid"]}
        record["reply"] = {"root": ref, "parent": ref}
    return {"uri": f"at://{author}/app.bsky.feed.post/n{n}", "cid": CREATED["cid"], "reason": reason,
            "reasonSubject": post, "isRead": False, "indexedAt": at, "record": record,
            "author": {"did": author, "handle": "fan.bsky.social", "displayName": "Fan"}}


def test_the_inbox_reads_back_to_where_it_stopped_across_pages(server: list[Handler]) -> None:
    pages = {None: ([_note(9), _note(8, "like"), _note(7, "mention")], "c1"),
             "c1": ([_note(6), _note(5, "reply", DID)], "c2"),  # our own reply is not an inbox item
             "c2": ([_note(4, "quote"), _note(3)], None)}
    asked: list[str | None] = []

    def notifications(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        asked.append(cursor)
        items, after = pages[cursor]
        return httpx.Response(200, json={"notifications": items, "cursor": after})

    server.append(notifications)
    adapter = _adapter()
    first = adapter.fetch_inbox(None)
    assert [i.text for i in first.items] == ["odgovor 9", "odgovor 7", "odgovor 6", "odgovor 4", "odgovor 3"]
    assert [i.kind.value for i in first.items] == ["comment", "mention", "comment", "mention", "comment"]
    reply = first.items[0]
    assert reply.post_external_id == f"at://{DID}/app.bsky.feed.post/root" and reply.parent_external_id is None
    assert reply.language == "hr" and reply.author_name == "Fan" and reply.author_external_id == "did:plc:fan"
    assert reply.url == "https://bsky.app/profile/fan.bsky.social/post/n9"
    # Two newer notifications arrive: the next fetch stops at the newest one it had seen.
    pages[None] = ([_note(11), _note(10), _note(9), _note(8, "like")], "c1")
    asked.clear()
    second = adapter.fetch_inbox(first.cursor)
    assert asked == [None]
    assert [i.text for i in second.items] == ["odgovor 11", "odgovor 10", "odgovor 9"]  # 9 again: the inbox drops it


def test_record_keys_tell_when_the_server_made_the_record() -> None:
    from socialdesk.networks.bluesky.uris import tid_time

    # 2023-04-01T00:00:00Z = 1680307200000000 µs, clock id 0.
    micros = 1_680_307_200_000_000
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    value, key = micros << 10, ""
    for _ in range(13):
        key = alphabet[value % 32] + key
        value //= 32
    assert tid_time(key) == datetime(2023, 4, 1, tzinfo=UTC)
    assert tid_time("self") is None and tid_time("3kabc") is None


def test_a_thread_part_replies_to_the_part_before_under_the_threads_root(server: list[Handler]) -> None:
    """Part 3 answers part 2 (parent) in the thread that part 1 began (root, read from part 2's record)."""
    root = {"uri": f"at://{DID}/app.bsky.feed.post/3kroot", "cid": "bafyroot"}
    part2 = {"uri": f"at://{DID}/app.bsky.feed.post/3kpart2", "cid": "bafypart2"}
    sent: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/xrpc/com.atproto.repo.getRecord":
            assert request.url.params["rkey"] == "3kpart2"
            return httpx.Response(200, json={**part2, "value": {
                "$type": "app.bsky.feed.post", "text": "two", "createdAt": "2026-12-07T10:00:00.000Z",
                "reply": {"root": root, "parent": root}}})
        assert request.url.path == "/xrpc/com.atproto.repo.createRecord"
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=CREATED)

    server.append(answer)
    _adapter().publish(OutgoingPost("three", reply_to_external_id=part2["uri"], idempotency_key="p:thread_part:3"))
    record = sent[0]["record"]
    assert isinstance(record, dict)
    reply = record["reply"]
    assert isinstance(reply, dict)
    assert {k: {f: reply[k][f] for f in ("uri", "cid")} for k in ("root", "parent")} == {"root": root,
                                                                                        "parent": part2}


def test_bluesky_takes_a_first_comment_as_a_reply_step_and_refuses_polls_and_warnings(server: list[Handler]) -> None:
    from socialdesk.networks.base import OutgoingPoll

    caps = _adapter().capabilities()
    assert caps.threads and caps.first_comment_step and "first_comment" in [o.name for o in caps.options]
    assert not caps.polls and not caps.content_warnings and not caps.visibilities
    server.append(lambda request: pytest.fail("nothing may be sent"))  # type: ignore[arg-type,return-value]
    with pytest.raises(PermanentNetworkError, match="no polls"):
        _adapter().publish(OutgoingPost("Which?", poll=OutgoingPoll(("a", "b"))))
    with pytest.raises(PermanentNetworkError, match="content warnings"):
        _adapter().publish(OutgoingPost("Spoiler", content_warning="film"))
