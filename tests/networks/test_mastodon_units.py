"""Mastodon pieces that the test server (mastodon_mock) cannot show: the real API's rate-limit header
format, the PKCE token request as sent, limits from other servers' instance documents, and status HTML.
A small local HTTP server answers with the shapes documented at docs.joinmastodon.org."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    MediaKind,
    OutgoingMedia,
    OutgoingPoll,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.mastodon.adapter import MastodonAdapter
from socialdesk.networks.mastodon.instance import capabilities, limits_from_instance
from socialdesk.networks.mastodon.oauth import exchange_code, normalise_server
from socialdesk.networks.mastodon.statuses import plain_text
from tests.helpers import allow_private_targets

Reply = tuple[int, dict[str, str], Any]


class Scripted:
    """Answers each request with the next scripted reply for its path, and records what came in."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                scripted.seen.append((self.command, self.path, dict(self.headers), body))
                queue = scripted.replies.get(path) or [(404, {}, {"error": "Record not found"})]
                status, headers, payload = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def adapter(self) -> MastodonAdapter:
        return MastodonAdapter(ChannelAccount("c", "7@127.0.0.1", "brand@127.0.0.1", {"access_token": "tok"},
                                              {"instance": self.url, "account_id": "7"}))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Scripted]:
    allow_private_targets(monkeypatch)  # the scripted server is on loopback
    scripted = Scripted()
    thread = threading.Thread(target=scripted.server.serve_forever, daemon=True)
    thread.start()
    yield scripted
    scripted.server.shutdown()
    scripted.server.server_close()


def test_a_429_waits_until_the_reset_time_mastodon_states(server: Scripted) -> None:
    # Real Mastodon sends no Retry-After, only X-RateLimit-Reset as an ISO 8601 time.
    reset = (datetime.now(UTC) + timedelta(seconds=240)).isoformat().replace("+00:00", "Z")
    server.replies["/api/v1/accounts/verify_credentials"] = [
        (429, {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
         {"error": "Too many requests"})]
    with pytest.raises(RateLimited) as limited:
        server.adapter().account_metrics()
    assert limited.value.network_message == "Too many requests"
    assert limited.value.retry_after is not None and 230 <= limited.value.retry_after <= 241


def test_forbidden_is_an_auth_error_and_a_gone_status_is_deleted_already(server: Scripted) -> None:
    server.replies["/api/v1/accounts/verify_credentials"] = [
        (403, {}, {"error": "Your login is currently disabled"})]
    with pytest.raises(AuthError, match="currently disabled"):
        server.adapter().account_metrics()
    server.replies["/api/v1/statuses/99"] = [(404, {}, {"error": "Record not found"})]
    server.adapter().delete("99")  # no error: what was asked is true
    server.replies["/api/v1/statuses/98"] = [(502, {}, {"error": "Bad gateway"})]
    with pytest.raises(TransientNetworkError, match="Bad gateway"):
        server.adapter().delete("98")


def test_the_token_request_carries_the_pkce_verifier(server: Scripted) -> None:
    server.replies["/oauth/token"] = [(200, {}, {"access_token": "new-token", "token_type": "Bearer",
                                                 "scope": "read write follow", "created_at": 1})]
    token = exchange_code(server.url, "cid", "secret", "https://sd.example/oauth/callback", "the-code",
                          "v" * 64)
    assert token == "new-token"
    _, _, _, body = server.seen[-1]
    sent = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert sent == {"grant_type": "authorization_code", "code": "the-code", "client_id": "cid",
                    "client_secret": "secret", "redirect_uri": "https://sd.example/oauth/callback",
                    "code_verifier": "v" * 64, "scope": "read write follow"}
    server.replies["/oauth/token"] = [(400, {}, {"error": "invalid_grant", "error_description":
                                                 "The provided authorization grant is invalid, expired, revoked"})]
    with pytest.raises(PermanentNetworkError, match="grant is invalid"):
        exchange_code(server.url, "cid", "secret", "https://sd.example/cb", "old-code", "v" * 64)


def test_limits_from_another_servers_instance_document() -> None:
    # GoToSocial-like: more characters and attachments, numbers as strings, no polls section.
    limits = limits_from_instance({"configuration": {
        "statuses": {"max_characters": "5000", "max_media_attachments": 6, "characters_reserved_per_url": 25},
        "media_attachments": {"image_size_limit": 41943040, "video_size_limit": None,
                              "image_matrix_limit": 16777216, "supported_mime_types": ["image/jpeg", "image/png"]}}})
    assert limits == {"max_characters": 5000, "max_media_attachments": 6, "characters_reserved_per_url": 25,
                      "image_size_limit": 41943040, "image_matrix_limit": 16777216,
                      "supported_mime_types": ["image/jpeg", "image/png"]}
    caps = capabilities({"limits": limits, "instance_host": "gts.example"})
    assert caps.text.limit == 5000 and caps.text.url_length == 25 and caps.media.max_count == 6
    assert caps.media.max_image_bytes == 41943040 and caps.media.max_image_pixels == 16777216
    assert {k.value for k in caps.media.kinds} == {"image"}  # no video or GIF types on that server
    assert caps.polls  # not stated: Mastodon's default of 4 options
    assert capabilities({}).text.limit == 500  # nothing known yet: Mastodon's defaults
    assert limits_from_instance({}) == {}


def test_status_html_becomes_plain_text() -> None:
    html = ('<p>Hi <span class="h-card"><a href="https://x.example/@ana" class="u-url mention">@<span>ana'
            '</span></a></span> &amp; team &lt;3</p><p>line<br>two <a href="https://example.com/very/long/path">'
            '<span class="invisible">https://</span><span class="ellipsis">example.com/very/</span>'
            '<span class="invisible">long/path</span></a></p><script>alert(1)</script>')
    assert plain_text(html) == "Hi @ana & team <3\n\nline\ntwo example.com/very/alert(1)"
    assert plain_text(None) == ""


@pytest.mark.parametrize(("typed", "expected"), [
    ("mastodon.social", "https://mastodon.social"),
    ("https://Mastodon.Social/about", "https://mastodon.social"),
    ("@brand@mastodon.social", "https://mastodon.social"),
    ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
])
def test_server_addresses_are_normalised(typed: str, expected: str) -> None:
    assert normalise_server(typed) == expected


@pytest.mark.parametrize("typed", ["http://mastodon.social", "ftp://x.example", "https://user:pw@x.example", ""])
def test_unsafe_server_addresses_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        normalise_server(typed)


def test_publish_waits_for_the_server_to_process_an_upload(server: Scripted, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    server.replies["/api/v2/media"] = [(202, {}, {"id": "5", "type": "video", "url": None})]
    server.replies["/api/v1/media/5"] = [(206, {}, {"id": "5", "type": "video", "url": None}),
                                         (200, {}, {"id": "5", "type": "video", "url": "https://files/5.mp4"})]
    server.replies["/api/v1/statuses"] = [(200, {}, {"id": "77", "url": "https://x/@brand/77",
                                                     "created_at": "2026-11-27T03:00:00.000Z"})]
    media = OutgoingMedia(path=clip, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=80,
                          alt_text="Kratki video")
    published = server.adapter().publish(OutgoingPost("Video!", media=[media], idempotency_key="pub-v"))
    assert published.external_id == "77"
    method, _, headers, body = server.seen[-1]
    assert method == "POST" and headers["Idempotency-Key"] == "pub-v"
    assert parse_qs(body.decode())["media_ids[]"] == ["5"]
    assert [p for _, p, _, _ in server.seen] == ["/api/v2/media", "/api/v1/media/5", "/api/v1/media/5",
                                                 "/api/v1/statuses"]  # no version look-ups in between


def test_an_older_server_sends_every_notification_and_has_no_conversations(server: Scripted) -> None:
    ana = {"id": "3", "acct": "ana@other.example", "display_name": "Ana"}
    mention = {"id": "41", "in_reply_to_id": None, "in_reply_to_account_id": None, "visibility": "public",
               "content": "<p>@brand bok!</p>", "created_at": "2026-11-27T03:00:00.000Z", "account": ana,
               "spoiler_text": "", "language": "hr", "url": "https://other.example/@ana/41"}
    server.replies["/api/v1/notifications"] = [(200, {}, [
        {"id": "12", "type": "favourite", "created_at": "2026-11-27T03:01:00.000Z", "account": ana,
         "status": {**mention, "id": "40", "account": {"id": "7", "acct": "brand"}}},
        {"id": "11", "type": "mention", "created_at": "2026-11-27T03:00:00.000Z", "account": ana,
         "status": mention},
        {"id": "10", "type": "follow", "created_at": "2026-11-27T02:59:00.000Z", "account": ana}])]
    server.replies["/api/v1/conversations"] = [(404, {}, {"error": "Record not found"})]
    page = server.adapter().fetch_inbox(None)
    assert [(i.external_id, i.kind.value, i.text, i.author_handle) for i in page.items] == [
        ("41", "mention", "@brand bok!", "ana@other.example")]
    assert page.cursor == '{"n": "12"}'


def test_a_poll_a_content_warning_a_visibility_and_a_thread_reply_in_one_status(server: Scripted) -> None:
    server.replies["/api/v1/statuses"] = [(200, {}, {"id": "78", "url": "https://x/@brand/78",
                                                     "created_at": "2026-11-27T03:00:00.000Z"})]
    server.adapter().publish(OutgoingPost(
        "Part two", idempotency_key="pub-t:thread_part:2", reply_to_external_id="77", content_warning="Coffee",
        visibility="unlisted", poll=OutgoingPoll(("Espresso", "Filter"), expires_in_seconds=3600)))
    method, _, headers, body = server.seen[-1]
    assert method == "POST" and headers["Idempotency-Key"] == "pub-t:thread_part:2"
    raw = body.decode()
    sent = json.loads(raw) if raw.startswith("{") else {k: v if len(v) > 1 else v[0]
                                                        for k, v in parse_qs(raw).items()}
    flat = json.dumps(sent)
    assert "77" in json.dumps(sent.get("in_reply_to_id")) and sent.get("spoiler_text") == "Coffee"
    assert sent.get("visibility") == "unlisted" and "Espresso" in flat and "3600" in flat


def test_mastodon_offers_a_first_comment_as_a_reply_step_and_refuses_a_poll_with_media(server: Scripted,
                                                                                      tmp_path: Path) -> None:
    caps = capabilities({})
    assert caps.first_comment_step and "first_comment" in [o.name for o in caps.options]
    assert caps.content_warnings and "direct" in caps.visibilities
    picture = tmp_path / "a.png"
    picture.write_bytes(b"\x89PNG")
    media = OutgoingMedia(path=picture, kind=MediaKind.IMAGE, content_type="image/png", size_bytes=4)
    with pytest.raises(PermanentNetworkError, match="poll and media"):
        server.adapter().publish(OutgoingPost("x", media=[media], poll=OutgoingPoll(("a", "b"))))
    assert server.seen == []  # refused before anything was sent


def test_a_polls_votes_are_collected_with_the_numbers(server: Scripted) -> None:
    server.replies["/api/v1/statuses/78"] = [(200, {}, {
        "id": "78", "favourites_count": 2, "reblogs_count": 0, "replies_count": 1,
        "poll": {"id": "3", "options": [{"title": "Espresso", "votes_count": 5},
                                        {"title": "Filter", "votes_count": 2}]}})]
    server.replies["/api/v1/statuses/79"] = [(200, {}, {
        "id": "79", "favourites_count": 0, "reblogs_count": 0, "replies_count": 0,
        "poll": {"id": "4", "options": [{"title": "a", "votes_count": None}, {"title": "b", "votes_count": None}]}})]
    found = server.adapter().post_metrics(["78", "79"])
    assert found["78"].poll_votes == [5, 2] and found["78"].likes == 2
    assert found["79"].poll_votes is None  # hidden until the poll ends: not available, never zero
