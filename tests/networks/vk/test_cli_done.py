"""Issue 13, VK's "done when": through the command line, with SOCIALDESK_VK_API_URL at the VK contract
server, a community wall post with a photo is published exactly once with the documented requests, its
comments come into the inbox triaged, a reply goes out, and metrics are stored."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.auth.service import user_by_email
from socialdesk.channels.models import Channel
from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.queue import enqueue
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor
from tests.contract.vk import VkContract
from tests.helpers import image_bytes

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def _run_jobs(times: int = 2) -> None:
    for _ in range(times):
        _ok("run-jobs")


def test_a_vk_wall_post_with_a_photo_comments_a_reply_and_metrics(vk: VkContract, database: Database,
                                                                  clock: ManualClock, tmp_path: Path) -> None:
    state = vk.state
    _ok("user", "create", "--email", "ana@example.com", "--name", "Ana", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Cafe", "--owner", "ana@example.com", "--timezone", "Europe/Moscow")
    _ok("channel", "add", "vk", "--workspace", "Cafe", "--name", "Cafe on VK", "--field", f"group_id={state.group_id}",
        "--field", f"access_token={state.user_token}", "--field", f"community_token={state.community_token}")
    vk.server.calls.clear()  # connecting made its own checks; from here on, only the post's requests
    picture = tmp_path / "terrace.jpg"
    picture.write_bytes(image_bytes(5, (120, 90)))
    post_id = _ok("post", "create", "-w", "Cafe", "--channel", "Cafe on VK", "--text", "Терраса открыта! Ждём вас.",
                  "--image", str(picture), "--now").strip()
    _run_jobs()

    shown = json.loads(_ok("post", "show", post_id, "--json"))
    publication = shown["publications"][0]
    assert publication["status"] == "published", publication
    owner = -state.group_id
    assert publication["external_id"].startswith(f"{owner}_")
    assert publication["external_url"] == f"https://vk.com/wall{publication['external_id']}"
    # Exactly the documented requests, once each: upload server, upload, save, one wall.post with the photo.
    server = vk.server
    assert len(server.calls_to("POST", r"/method/photos\.getWallUploadServer")) == 1
    assert len(server.calls_to("POST", r"/upload/photo")) == 1
    assert len(server.calls_to("POST", r"/method/photos\.saveWallPhoto")) == 1
    posts = server.calls_to("POST", r"/method/wall\.post")
    assert len(posts) == 1 and len(state.posts) == 1
    form = posts[0].form()
    assert form["from_group"] == "1" and form["owner_id"] == str(owner)
    assert form["attachments"].startswith(f"photo{owner}_") and "," not in form["attachments"]

    # Comments arrive (by polling, the fallback to the Callback API) and are triaged.
    number = next(iter(state.posts))
    state.add_comment(number, 501, "Во сколько вы открываетесь в субботу?")
    state.add_comment(number, 502, "Отличное место, спасибо!")
    with database.unit_of_work() as session:
        channel = session.scalars(select(Channel).where(Channel.network == "vk")).one()
        enqueue(session, "inbox.fetch_channel", {"channel_id": channel.id})
    _run_jobs(3)
    with database.read_sessions() as session:
        items = list(session.scalars(select(InboxItem).where(InboxItem.channel_id == channel.id)))
    assert sorted(i.text for i in items) == ["Во сколько вы открываетесь в субботу?", "Отличное место, спасибо!"]
    assert all(i.triaged_at is not None for i in items), "triage ran"
    assert all(i.publication_id for i in items)

    # A reply goes out as the community, under the comment.
    question = next(i for i in items if i.text.startswith("Во сколько"))
    with database.unit_of_work() as session:
        user = user_by_email(session, "ana@example.com")
        assert user is not None
        ctx = workspaces.context_for(session, Actor(user.id, user.email), channel.workspace_id)
        actions.reply(ctx, question.id, "С 9 утра!")
    created = server.calls_to("POST", r"/method/wall\.createComment")
    assert len(created) == 1 and created[0].form()["from_group"] == str(state.group_id)
    assert any(c["text"] == "С 9 утра!" and c["from_id"] == owner for c in state.comments.values())

    # Metrics are stored: per post, the community's followers, and its statistics for strategy pages.
    state.posts[number].update(views={"count": 321}, likes={"count": 12}, reposts={"count": 3})
    clock.advance(timedelta(hours=2))
    with database.unit_of_work() as session:
        enqueue(session, "metrics.collect_channel", {"channel_id": channel.id})
    _run_jobs()
    with database.read_sessions() as session:
        account = session.scalars(select(ChannelMetricSnapshot)
                                  .order_by(ChannelMetricSnapshot.collected_at.desc())).first()
        snapshot = session.scalars(select(PublicationMetricSnapshot)
                                   .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
        assert account is not None and snapshot is not None
        stored = session.get(Channel, channel.id)
        assert stored is not None
        details = stored.settings["account_details"]
    assert account.followers == state.members_count
    assert (snapshot.views, snapshot.likes, snapshot.reposts, snapshot.comments) == (321, 12, 3, 3)
    assert snapshot.saves is None and snapshot.impressions is None
    assert details["source"] == "stats.get" and details["days"][0]["reach"] == 300
    assert server.unexpected == []
