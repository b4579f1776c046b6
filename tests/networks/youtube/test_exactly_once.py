"""Exactly once through the real publisher: a lost answer to the last chunk is settled by a look-up (the
recorded upload session, else the uploads playlist), never by a second upload."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.config import get_settings
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from tests.helpers import make_world
from tests.networks.youtube.conftest import YouTube, mp4

VIDEO = r"/upload/youtube/v3/videos"
BACKEND_ERROR = {"error": {"code": 503, "message": "Backend Error",
                           "errors": [{"message": "Backend Error", "domain": "global", "reason": "backendError"}]}}


def _publish_now(database: Database, text: str) -> str:
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        channel = channels.connect(ctx, "youtube", "Brand on YouTube", access_token="ya29.valid",
                                   refresh_token="1//refresh")
        clip = media.upload(ctx, "clip.mp4", mp4(30, padding=100 * 1024))  # one chunk: the first PUT is the last
        post = content.compose(ctx, PostIn(text=text, channel_ids=[channel.id], media_ids=[clip.id],
                                           intent=Intent.PUBLISH_NOW)).post
    with database.read_sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def _publication(database: Database, publication_id: str) -> Publication:
    with database.read_sessions() as session:
        found = session.get(Publication, publication_id)
        assert found is not None
        return found


def test_a_lost_answer_to_the_last_chunk_is_found_through_the_session(database: Database,
                                                                      youtube: YouTube) -> None:
    publication_id = _publish_now(database, "Lost answer, found video")
    youtube.server.lose_answer("PUT", VIDEO)  # the video is made; its 201 never arrives
    youtube.server.fail("PUT", VIDEO, status=503, json=BACKEND_ERROR)  # asking right away fails too
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
    assert list(youtube.state.videos) == [publication.external_id]
    assert len(youtube.server.calls_to("POST", VIDEO)) == 1, "one upload session, never a second"


def test_without_the_session_record_the_uploads_playlist_finds_it(database: Database, youtube: YouTube) -> None:
    """The session record is gone (another machine's disk) and the session cannot be asked: LOOKUP by title
    in the channel's uploads playlist."""
    publication_id = _publish_now(database, "Found in the uploads playlist\nwith a description")
    youtube.server.lose_answer("PUT", VIDEO)
    youtube.server.fail("PUT", VIDEO, status=503, json=BACKEND_ERROR)
    youtube.server.fail("PUT", VIDEO, status=503, json=BACKEND_ERROR)
    Runner(database).run_pending()
    shutil.rmtree(get_settings().media_dir / "youtube-uploads", ignore_errors=True)
    publication = _publication(database, publication_id)
    assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
    assert list(youtube.state.videos) == [publication.external_id]
    assert len(youtube.server.calls_to("POST", VIDEO)) == 1
    lookup = youtube.server.calls_to("GET", "/youtube/v3/playlistItems")
    assert lookup and lookup[0].query["playlistId"] == "UU" + youtube.state.channel_id[2:]


def test_when_nothing_is_found_a_person_is_asked(database: Database, youtube: YouTube) -> None:
    """The session cannot be asked and the video is not in the playlist: unconfirmed, never re-sent."""
    publication_id = _publish_now(database, "Nobody knows")
    youtube.server.fail("PUT", VIDEO, status=503, json=BACKEND_ERROR)
    for _ in range(6):
        youtube.server.fail("PUT", VIDEO, status=503, json=BACKEND_ERROR)
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == PublicationStatus.UNCONFIRMED, publication.last_error
    assert not youtube.state.videos
    assert len(youtube.server.calls_to("POST", VIDEO)) == 1


def test_a_spent_upload_quota_holds_the_post_visibly_until_the_reset(database: Database, youtube: YouTube,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.setenv("SOCIALDESK_YOUTUBE_DAILY_UPLOADS", "1")
    reset_settings_cache()
    from socialdesk.networks.youtube.api import LEDGER, UPLOAD_BUCKET

    LEDGER.charge("client-123.apps.googleusercontent.com", UPLOAD_BUCKET, 1, 1)  # today's one upload is spent
    publication_id = _publish_now(database, "Over quota")
    Runner(database).run_pending()
    publication = _publication(database, publication_id)
    assert publication.status == PublicationStatus.SCHEDULED and publication.next_attempt_at is not None
    assert "videos.insert would be exceeded" in (publication.last_error or "")
    assert "midnight Pacific" in (publication.last_error or "")
    assert not youtube.server.calls_to("POST", VIDEO)
