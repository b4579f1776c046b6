"""Done when (issue 13, YouTube): through the CLI, with SOCIALDESK_YOUTUBE_API_URL at the contract server,
an upload publishes exactly once (one resumable session, its chunks, the snippet and status from the
--option values), comments arrive in the inbox triaged, a reply goes out, and metrics are stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.cli import app
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox.models import InboxItem
from tests.helpers import World, make_world
from tests.networks.youtube.conftest import YouTube, mp4

runner = CliRunner()
VIDEO = r"/upload/youtube/v3/videos"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_a_youtube_upload_comments_a_reply_and_metrics_through_the_cli(database: Database, youtube: YouTube,
                                                                        clock: ManualClock, tmp_path: Path) -> None:
    world: World = make_world(database, "Roastery", profiles=(), roles=())
    added = _run("channel", "add", "youtube", "--workspace", world.workspace_id, "--name", "Roastery on YouTube",
                 "--field", "access_token=ya29.valid", "--field", "refresh_token=1//refresh")
    assert "youtube @brand" in added
    clip = tmp_path / "roast.mp4"
    clip.write_bytes(mp4(45))
    text = "How we roast our beans\nA three-minute walk through the roastery."
    _run("post", "create", "-w", world.workspace_id, "--channel", "Roastery on YouTube", "--text", text,
         "--image", str(clip), "--now", "--option", "Roastery on YouTube:title=How we roast our beans (2026)",
         "--option", "privacy=unlisted", "--option", "made_for_kids=false", "--option", "tags=coffee,roastery",
         "--option", "category=26")
    _run("run-jobs")

    with database.read_sessions() as session:
        publication = session.scalars(select(Publication)).one()
    assert publication.status == PublicationStatus.PUBLISHED, publication.last_error
    assert list(youtube.state.videos) == [publication.external_id]
    opened = youtube.server.calls_to("POST", VIDEO)
    assert len(opened) == 1, "one resumable session"
    assert opened[0].query["uploadType"] == "resumable" and opened[0].query["part"] == "snippet,status"
    assert opened[0].json() == {
        "snippet": {"title": "How we roast our beans (2026)", "description": text, "categoryId": "26",
                    "tags": ["coffee", "roastery"]},
        "status": {"privacyStatus": "unlisted", "selfDeclaredMadeForKids": False}}
    chunks = youtube.server.calls_to("PUT", VIDEO)
    size = clip.stat().st_size
    assert [c.headers["content-range"] for c in chunks] == [
        f"bytes 0-262143/{size}", f"bytes 262144-524287/{size}", f"bytes 524288-{size - 1}/{size}"]
    assert youtube.state.videos[publication.external_id]["_bytes"] == clip.read_bytes()

    # Comments on the video arrive in the inbox, triaged; a reply goes out.
    question = youtube.state.add_comment(publication.external_id, "Which beans do you use for espresso?")
    youtube.state.add_comment(publication.external_id, "Lovely video, thank you!", author="UCfan2", name="Fan")
    youtube.state.videos[publication.external_id]["statistics"].update(viewCount="250", likeCount="17",
                                                                       commentCount="2")
    clock.advance(timedelta(hours=2))  # the next inbox and metrics rounds are due; the hour-long token is not
    _run("run-jobs")
    assert youtube.server.calls_to("POST", "/token")[0].form()["grant_type"] == "refresh_token"
    with database.read_sessions() as session:
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
    assert set(items) >= {question}
    assert all(i.triaged_at is not None for i in items.values()), "triaged on arrival"
    assert items[question].post_external_id == publication.external_id
    assert items[question].publication_id == publication.id
    with database.unit_of_work() as session:
        actions.reply(world.ctx(session), items[question].id, "Our Ethiopia Guji, roasted medium.")
    sent = youtube.server.calls_to("POST", "/youtube/v3/comments")
    assert len(sent) == 1 and sent[0].json()["snippet"] == {"parentId": question,
                                                           "textOriginal": "Our Ethiopia Guji, roasted medium."}

    # Metrics are stored: what YouTube gives, and None for what it does not.
    with database.read_sessions() as session:
        post_snapshot = session.scalars(select(PublicationMetricSnapshot).order_by(
            PublicationMetricSnapshot.collected_at.desc())).first()
        channel_snapshot = session.scalars(select(ChannelMetricSnapshot)).first()
    assert channel_snapshot is not None and channel_snapshot.followers == 1200
    assert post_snapshot is not None
    assert (post_snapshot.views, post_snapshot.likes, post_snapshot.comments) == (250, 17, 2)
    assert post_snapshot.impressions is None and post_snapshot.saves is None
    assert youtube.server.unexpected == []
