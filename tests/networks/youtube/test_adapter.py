"""The YouTube adapter against the contract server: connect, upload (resumable, resumed), what YouTube
refuses, quota, inbox and moderation, metrics, token refresh and the OAuth round trip."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.networks import registry
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
from socialdesk.networks.quota import QuotaExhausted
from socialdesk.networks.youtube import upload
from socialdesk.networks.youtube.adapter import YouTubeAdapter
from socialdesk.networks.youtube.oauth import YouTubeOAuth, connect
from tests.networks.youtube.conftest import YouTube, mp4

VIDEO = r"/upload/youtube/v3/videos"


def _adapter(youtube: YouTube, **credentials: Any) -> YouTubeAdapter:
    account = connect(access_token="ya29.valid", refresh_token="1//refresh")
    return YouTubeAdapter(ChannelAccount("ch1", account.external_id, account.handle,
                                         {**account.credentials, **credentials}, account.settings))


def _video(tmp_path: Path, *, seconds: int = 30, padding: int = 700 * 1024, width: int = 1920,
           height: int = 1080) -> OutgoingMedia:
    path = tmp_path / f"clip-{seconds}-{padding}.mp4"
    path.write_bytes(mp4(seconds, padding))
    return OutgoingMedia(path=path, kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=path.stat().st_size,
                         width=width, height=height, duration_seconds=seconds)


def test_a_pasted_token_is_checked_with_channels_list(database: Database, youtube: YouTube) -> None:
    account = connect(access_token="ya29.valid", refresh_token="1//refresh")
    assert account.external_id == youtube.state.channel_id and account.handle == "@brand"
    assert account.settings["uploads_playlist"] == "UU" + youtube.state.channel_id[2:]
    call = youtube.server.calls_to("GET", "/youtube/v3/channels")[0]
    assert call.query["mine"] == "true" and call.headers["authorization"] == "Bearer ya29.valid"
    with pytest.raises(AuthError, match="Invalid Credentials"):
        connect(access_token="ya29.wrong")


def test_a_video_goes_up_in_chunks_through_one_session(database: Database, youtube: YouTube,
                                                       tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    media = _video(tmp_path)
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(b"\xff\xd8\xff\xe0fake-jpeg")
    post = OutgoingPost(text="Our new roast, step by step.\nMore below.", idempotency_key="pub-1", media=[
        media, OutgoingMedia(thumb, MediaKind.IMAGE, "image/jpeg", thumb.stat().st_size)],
        options={"title": "How we roast", "privacy": "unlisted", "made_for_kids": False, "tags": "coffee, roast",
                 "category": "26"})
    published = adapter.publish(post)
    opened = youtube.server.calls_to("POST", VIDEO)
    assert len(opened) == 1
    assert opened[0].query == {"uploadType": "resumable", "part": "snippet,status"}
    assert opened[0].headers["x-upload-content-length"] == str(media.size_bytes)
    body = opened[0].json()
    assert body["snippet"] == {"title": "How we roast", "description": post.text, "categoryId": "26",
                               "tags": ["coffee", "roast"]}
    assert body["status"] == {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}
    chunks = youtube.server.calls_to("PUT", VIDEO)
    assert len(chunks) == 3 and chunks[0].headers["content-range"] == f"bytes 0-262143/{media.size_bytes}"
    video = youtube.state.videos[published.external_id]
    assert video["_bytes"] == media.path.read_bytes()
    assert published.url == f"https://www.youtube.com/watch?v={published.external_id}"
    assert youtube.state.thumbnails[published.external_id].startswith(b"\xff\xd8")


def test_publish_at_asks_youtube_to_hold_a_private_video(database: Database, youtube: YouTube,
                                                         tmp_path: Path) -> None:
    at = clock.now() + timedelta(days=2)
    _adapter(youtube).publish(OutgoingPost(text="Later", idempotency_key="pub-2", media=[_video(tmp_path)],
                                           options={"publish_at": at.isoformat(), "privacy": "public"}))
    status = youtube.server.calls_to("POST", VIDEO)[0].json()["status"]
    assert status["privacyStatus"] == "private" and status["publishAt"].startswith(f"{at:%Y-%m-%dT%H:%M:%S}")


def test_a_vertical_short_video_is_published_as_a_short(database: Database, youtube: YouTube,
                                                        tmp_path: Path) -> None:
    media = _video(tmp_path, seconds=50, width=1080, height=1920)
    published = _adapter(youtube).publish(OutgoingPost(text="Short one", idempotency_key="s", media=[media]))
    assert published.url == f"https://www.youtube.com/shorts/{published.external_id}"


def test_a_dropped_connection_resumes_where_youtube_stopped(database: Database, youtube: YouTube,
                                                            tmp_path: Path) -> None:
    media = _video(tmp_path)
    youtube.server.lose_answer("PUT", VIDEO)  # the first chunk arrives, its 308 does not
    published = _adapter(youtube).publish(OutgoingPost(text="Resumed", idempotency_key="pub-3", media=[media]))
    puts = youtube.server.calls_to("PUT", VIDEO)
    ranges = [c.headers["content-range"] for c in puts]
    total = media.size_bytes
    assert ranges[:3] == [f"bytes 0-262143/{total}", f"bytes */{total}", f"bytes 262144-524287/{total}"]
    assert len(youtube.server.calls_to("POST", VIDEO)) == 1 and len(youtube.state.videos) == 1
    assert youtube.state.videos[published.external_id]["_bytes"] == media.path.read_bytes()


def test_a_try_after_a_crash_resumes_the_recorded_session(database: Database, youtube: YouTube,
                                                          tmp_path: Path) -> None:
    """The process died mid-upload: the next try finds the session on disk and sends only the rest."""
    media = _video(tmp_path)
    post = OutgoingPost(text="Crash", idempotency_key="pub-4", media=[media])
    adapter = _adapter(youtube)
    real_send_from = upload.Uploader.send_from

    def die_after_the_first_chunk(self: upload.Uploader, key: str, uri: str, media: OutgoingMedia,
                                  offset: int) -> dict[str, Any]:
        self.chunk_size = media.size_bytes  # (the rest of the file would go as one chunk)
        youtube.server.fail("PUT", VIDEO, status=503, json={"error": {"code": 503, "message": "Backend Error"}})
        raise KeyboardInterrupt  # the worker is killed as the first bytes leave

    with mock.patch.object(upload.Uploader, "send_from", die_after_the_first_chunk), \
            pytest.raises(KeyboardInterrupt):
        adapter.publish(post)
    assert not youtube.state.videos and upload.UploadSessions().get("UCsocialdesk0000000000001:pub-4")
    youtube.server._faults.clear()
    assert real_send_from
    published = _adapter(youtube).publish(post)
    assert len(youtube.server.calls_to("POST", VIDEO)) == 1, "one session, resumed, never a second"
    assert youtube.state.videos[published.external_id]["_bytes"] == media.path.read_bytes()


@pytest.mark.parametrize(("options", "text", "reason"), [
    ({"title": "x" * 101}, "ok", "at most 100 characters"),
    ({}, "é" * 2501, "at most 5000 bytes"),
    ({"privacy": "friends"}, "ok", "Unknown privacy"),
])
def test_what_youtube_refuses_is_refused_before_uploading(database: Database, youtube: YouTube, tmp_path: Path,
                                                          options: dict[str, Any], text: str, reason: str) -> None:
    with pytest.raises(PermanentNetworkError, match=reason):
        _adapter(youtube).publish(OutgoingPost(text=text, media=[_video(tmp_path)], options=options))
    assert not youtube.server.calls_to("POST", VIDEO)


def test_the_contract_server_refuses_what_the_docs_refuse(youtube: YouTube) -> None:
    """So a wrong adapter fails here: the documented error shapes for a missing token, title, privacy, part."""
    url = f"{youtube.base_url}{VIDEO}?uploadType=resumable&part=snippet,status"
    good = {"Authorization": "Bearer ya29.valid", "X-Upload-Content-Length": "10", "X-Upload-Content-Type": "video/mp4"}
    no_token = httpx.post(url, json={"snippet": {"title": "t"}})
    assert no_token.status_code == 401 and no_token.json()["error"]["errors"][0]["reason"] == "required"
    long_title = httpx.post(url, json={"snippet": {"title": "x" * 101}}, headers=good)
    assert long_title.json()["error"]["errors"][0]["reason"] == "invalidTitle"
    long_text = httpx.post(url, json={"snippet": {"title": "t", "description": "é" * 2501}}, headers=good)
    assert long_text.json()["error"]["errors"][0]["reason"] == "invalidDescription"
    privacy = httpx.post(url, json={"snippet": {"title": "t"}, "status": {"privacyStatus": "friends"}}, headers=good)
    assert privacy.json()["error"]["errors"][0]["reason"] == "invalidVideoMetadata"
    no_part = httpx.get(f"{youtube.base_url}/youtube/v3/channels?mine=true", headers=good)
    assert no_part.status_code == 400 and no_part.json()["error"]["message"] == "Required parameter: part"
    assert all(doc.startswith("https://developers.google.com/") for _, _, doc in youtube.server.endpoints)


def test_quota_is_counted_and_refused_before_it_runs_out(database: Database, youtube: YouTube,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    adapter = _adapter(youtube)
    monkeypatch.setenv("SOCIALDESK_YOUTUBE_DAILY_QUOTA", "3")
    reset_settings_cache()
    adapter.account_metrics()  # 1 unit (connect spent 1 before the limit was lowered)
    with pytest.raises(QuotaExhausted, match=r"daily quota would be exceeded.*midnight Pacific") as err:
        adapter.reply("Ugz1", "thanks")  # comments.insert costs 50
    assert err.value.retry_after and err.value.retry_after <= 24 * 3600
    usage = {u["bucket"]: u for u in adapter.quota()}
    assert usage["units"]["used"] == 2 and usage["units"]["limit"] == 3
    assert usage["videos.insert"] == {**usage["videos.insert"], "used": 0, "limit": 100}
    assert not youtube.server.calls_to("POST", "/youtube/v3/comments")


def test_youtube_s_own_quota_answer_says_when_it_resets(database: Database, youtube: YouTube) -> None:
    youtube.state.units_left = 0
    with pytest.raises(QuotaExhausted, match=r"quota is used up.*midnight Pacific"):
        _adapter(youtube).account_metrics()


def test_comments_arrive_with_replies_and_held_ones(database: Database, youtube: YouTube, tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    video = adapter.publish(OutgoingPost(text="Comments welcome", idempotency_key="c", media=[_video(tmp_path)]))
    state = youtube.state
    top = state.add_comment(video.external_id, "Great video!", published_at="2026-12-07T09:00:00Z")
    replies = [state.add_comment(video.external_id, f"Reply {n}", parent=top, author=f"UCfan{n}",
                                 published_at=f"2026-12-07T09:0{n}:00Z") for n in range(1, 8)]
    held = state.add_comment(video.external_id, "Buy followers here", held=True, author="UCspam",
                             published_at="2026-12-07T09:30:00Z")
    page = adapter.fetch_inbox(None)
    ids = [i.external_id for i in page.items]
    assert set(ids) == {top, held, *replies}, "all seven replies: the thread carried five, comments.list the rest"
    reply = next(i for i in page.items if i.external_id == replies[0])
    assert reply.kind == IncomingKind.COMMENT and reply.parent_external_id == top
    assert reply.post_external_id == video.external_id and reply.author_external_id == "UCfan1"
    assert youtube.server.calls_to("GET", "/youtube/v3/comments")[0].query["parentId"] == top
    again = adapter.fetch_inbox(page.cursor)
    assert {i.external_id for i in again.items} <= {held}, "only the newest second is read again"
    answer = adapter.reply(replies[0], "Thank you!")
    sent = youtube.server.calls_to("POST", "/youtube/v3/comments")[0]
    assert sent.json() == {"snippet": {"parentId": top, "textOriginal": "Thank you!"}} and answer in state.comments
    adapter.hide(top)
    assert state.comments[top]["_status"] == "heldForReview"
    adapter.unhide(top)
    assert state.comments[top]["_status"] == "published"
    adapter.delete_comment(replies[1])
    assert state.comments[replies[1]]["_status"] == "rejected"
    adapter.block("UCspam")
    assert "UCspam" in state.banned and state.comments[held]["_status"] == "rejected"
    with pytest.raises(PermanentNetworkError, match="cannot like"):
        adapter.like(top)


def test_metrics_from_statistics_and_analytics(database: Database, youtube: YouTube, tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    video = adapter.publish(OutgoingPost(text="Metrics", idempotency_key="m", media=[_video(tmp_path)]))
    youtube.state.videos[video.external_id]["statistics"].update(viewCount="400", likeCount="31", commentCount="5")
    metrics = adapter.post_metrics([video.external_id])[video.external_id]
    assert (metrics.views, metrics.likes, metrics.comments, metrics.reposts) == (400, 31, 5, 20)
    assert metrics.impressions is None and metrics.saves is None, "what YouTube does not give is None"
    report = adapter.video_reports([video.external_id])[video.external_id]
    assert report["estimatedMinutesWatched"] == 800 and report["subscribersGained"] == 40
    assert adapter.channel_report()["averageViewDuration"] == 95
    account = adapter.account_metrics()
    assert (account.followers, account.posts, account.following) == (1200, 1, None)
    youtube.state.hidden_subscribers = True
    assert adapter.account_metrics().followers is None


def test_an_expired_token_is_refreshed_with_the_refresh_token(database: Database, youtube: YouTube) -> None:
    adapter = _adapter(youtube)
    assert adapter.credentials_expire_at() is not None
    fresh = adapter.refresh_credentials()
    assert fresh["access_token"] in youtube.state.tokens and fresh["expires_at"]
    form = youtube.server.calls_to("POST", "/token")[0].form()
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == "1//refresh"
    youtube.state.refresh_tokens.clear()
    with pytest.raises(AuthError, match=r"invalid_grant|Bad Request"):
        adapter.refresh_credentials()


def test_the_oauth_round_trip_with_pkce(database: Database, youtube: YouTube) -> None:
    import base64
    import hashlib
    from urllib.parse import parse_qs, urlsplit

    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    hooks = registry.oauth_hooks("youtube")
    assert hooks is YouTubeOAuth
    server = hooks.normalise_server("")
    client_id, secret = hooks.register_app(server, "https://desk.example/oauth/callback")
    url = hooks.authorize_url(server, client_id, "https://desk.example/oauth/callback", "st4te", challenge)
    query = parse_qs(urlsplit(url).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert "yt-analytics.readonly" in query["scope"][0]
    redirect = httpx.get(url, follow_redirects=False)
    back = parse_qs(urlsplit(redirect.headers["location"]).query)
    assert back["state"] == ["st4te"]
    account = hooks.finish(server, client_id, secret, "https://desk.example/oauth/callback", back["code"][0],
                           verifier, {})
    assert account.external_id == youtube.state.channel_id
    assert account.credentials["refresh_token"].startswith("1//") and account.credentials["expires_at"]
    with pytest.raises(AuthError):  # a code is single use
        hooks.finish(server, client_id, secret, "https://desk.example/oauth/callback", back["code"][0], verifier, {})


@pytest.mark.parametrize(("status", "body", "error", "text"), [
    (401, {"error": {"code": 401, "message": "Invalid Credentials", "errors": [{"reason": "authError"}]}},
     AuthError, "Invalid Credentials"),
    (403, {"error": {"code": 403, "message": "Insufficient Permission", "errors": [
        {"reason": "insufficientPermissions"}]}}, AuthError, "Insufficient Permission"),
    (403, {"error": {"code": 403, "message": "Rate limit", "errors": [{"reason": "rateLimitExceeded"}]}},
     RateLimited, "Rate limit"),
    (429, {"error": {"code": 429, "message": "Too many"}}, RateLimited, "Too many"),
    (503, {"error": {"code": 503, "message": "Backend Error", "errors": [{"reason": "backendError"}]}},
     TransientNetworkError, "Backend Error"),
    (404, {"error": {"code": 404, "message": "Video not found", "errors": [{"reason": "videoNotFound"}]}},
     PermanentNetworkError, "Video not found"),
])
def test_errors_are_sorted_with_google_s_words(database: Database, youtube: YouTube, status: int,
                                              body: dict[str, Any], error: type[Exception], text: str) -> None:
    adapter = _adapter(youtube)
    youtube.server.fail("GET", "/youtube/v3/videos", status=status, json=body)
    with pytest.raises(error, match=text) as raised:
        adapter.post_metrics(["vid1"])
    assert getattr(raised.value, "status_code", None) == status


def test_a_lost_answer_to_a_reply_is_an_unknown_outcome(database: Database, youtube: YouTube,
                                                       tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    video = adapter.publish(OutgoingPost(text="x", idempotency_key="r", media=[_video(tmp_path, padding=1024)]))
    top = youtube.state.add_comment(video.external_id, "Hi")
    youtube.server.lose_answer("POST", "/youtube/v3/comments")
    with pytest.raises(OutcomeUnknown):
        adapter.reply(top, "Hello")


def test_the_inbox_pages_through_busy_videos_and_stops_at_what_it_has(database: Database, youtube: YouTube,
                                                                     tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    video = adapter.publish(OutgoingPost(text="Busy", idempotency_key="b", media=[_video(tmp_path, padding=1024)]))
    for n in range(150):
        youtube.state.add_comment(video.external_id, f"Comment {n}", author=f"UCfan{n}",
                                  published_at=f"2026-12-07T08:{n // 60:02d}:{n % 60:02d}Z")
    first = adapter.fetch_inbox(None)
    assert len(first.items) == 150
    pages = youtube.server.calls_to("GET", "/youtube/v3/commentThreads")
    assert [c.query.get("pageToken") for c in pages if c.query["moderationStatus"] == "published"] == [None, "100"]
    youtube.state.add_comment(video.external_id, "A new one", published_at="2026-12-07T09:00:00Z")
    before = len(youtube.server.calls_to("GET", "/youtube/v3/commentThreads"))
    newer = adapter.fetch_inbox(first.cursor)
    assert [i.text for i in newer.items] == ["Comment 149", "A new one"], "the boundary second, then the new"
    assert len(youtube.server.calls_to("GET", "/youtube/v3/commentThreads")) - before == 2, "one page each"


def test_a_video_is_deleted_once_and_a_second_delete_is_done_already(database: Database, youtube: YouTube,
                                                                     tmp_path: Path) -> None:
    adapter = _adapter(youtube)
    video = adapter.publish(OutgoingPost(text="Gone", idempotency_key="d", media=[_video(tmp_path, padding=1024)]))
    adapter.delete(video.external_id)
    assert video.external_id not in youtube.state.videos
    adapter.delete(video.external_id)  # 404 videoNotFound: what was asked is done
    assert youtube.server.calls_to("DELETE", "/youtube/v3/videos")[0].query == {"id": video.external_id}


def test_comments_are_polled_no_more_often_than_the_setting_and_reads_keep_a_reserve(
        database: Database, youtube: YouTube, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.setenv("SOCIALDESK_YOUTUBE_INBOX_MINUTES", "10")
    reset_settings_cache()
    adapter = _adapter(youtube)
    first = adapter.fetch_inbox(None)
    calls = len(youtube.server.calls)
    assert adapter.fetch_inbox(first.cursor).items == [] and len(youtube.server.calls) == calls, "no call yet"
    clock.advance(timedelta(minutes=11))
    adapter.fetch_inbox(first.cursor)
    assert len(youtube.server.calls) > calls
    # Background reads stop at 90% of the day's units; a reply may still use the rest.
    monkeypatch.setenv("SOCIALDESK_YOUTUBE_DAILY_QUOTA", "60")
    reset_settings_cache()
    used = {u["bucket"]: u["used"] for u in adapter.quota()}["units"]
    assert used == 5  # channels.list at connect, then two rounds of two commentThreads.list
    for _ in range(54 - used):
        adapter.account_metrics()
    with pytest.raises(QuotaExhausted, match="reading stops at 90%"):
        adapter.account_metrics()
