"""Done when (issue 12, Facebook): through the CLI with SOCIALDESK_META_GRAPH_URL at the contract server, a
Page text+photo post (with a first comment) publishes exactly once (one create call, the right parameters),
its comments arrive in
the inbox triaged, a reply goes out, and metrics are stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics import service as analytics
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels.models import Channel
from socialdesk.cli import app
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from tests.contract.meta_facebook import add_comment, posts_of
from tests.helpers import make_world
from tests.networks.facebook.conftest import Facebook

runner = CliRunner()
V = r"/v\d+\.\d+"

def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_page_text_and_photo_post_comments_reply_metrics(database: Database, clock: ManualClock, fb: Facebook,
                                                        tmp_path: Path) -> None:
    world = make_world(database, "Kava Bar", profiles=(), roles=("editor",))
    _cli("channel", "add", "facebook", "--workspace", "Kava Bar", "--name", "Kava Bar on Facebook",
         "--field", f"page_id={fb.page['id']}", "--field", f"access_token={fb.token}")
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
    assert channel.network == "facebook" and channel.external_id == fb.page["id"]

    photo = tmp_path / "cup.png"
    Image.new("RGB", (64, 48), (120, 80, 40)).save(photo)
    output = _cli("post", "create", "--workspace", "Kava Bar", "--channel", "Kava Bar on Facebook",
                  "--text", "Fresh roast today https://kava.example/roast", "--image", str(photo), "--now",
                  "--option", "first_comment=#kava #zagreb")
    assert "Publishing now." in output
    _cli("run-jobs")

    creates = fb.server.calls_to("POST", rf"{V}/{fb.page['id']}/(photos|feed|videos)")
    assert len(creates) == 1 and creates[0].path.endswith("/photos")
    assert b'name="message"' in creates[0].body and b"Fresh roast today" in creates[0].body
    assert b'name="source"; filename="' in creates[0].body and b'name="access_token"' in creates[0].body
    [post] = posts_of(fb.world, fb.page["id"])
    [first] = fb.world.of_kind("comment", post_id=post["id"])
    assert first["message"] == "#kava #zagreb" and first["from"]["id"] == fb.page["id"]
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.channel_id == channel.id)).one()
    assert publication.status == PublicationStatus.PUBLISHED and publication.external_id == post["id"]
    _cli("run-jobs")  # nothing sent twice
    assert len(fb.server.calls_to("POST", rf"{V}/{fb.page['id']}/(photos|feed)")) == 1

    add_comment(fb.world, post["id"], {"id": "5100", "name": "Iva"}, "Koliko košta kava? How much is a coffee?")
    assert inbox.fetch_channel(database, channel.id) == 1
    _cli("run-jobs")  # triage runs as a job
    with database.read_sessions() as session:
        item = session.scalars(select(InboxItem).where(InboxItem.channel_id == channel.id)).one()
        assert item.triaged_at is not None
        item_id = item.id
    with database.unit_of_work() as session:
        actions.reply(world.ctx(session), item_id, "2 € — dođite!")
    replies = [c for c in fb.world.of_kind("comment", post_id=post["id"])
               if c["from"]["id"] == fb.page["id"] and c["parent_id"]]
    assert [r["message"] for r in replies] == ["2 € — dođite!"]

    post["insights"] = {"post_media_view": 321, "post_total_media_view_unique": 300, "post_clicks": 12}
    post["reactions"] = {"like": 9}
    clock.advance(timedelta(hours=2))  # the next hourly snapshot is due
    assert analytics.collect_channel(database, channel.id) == 2
    with database.read_sessions() as session:
        snapshot = session.scalars(select(PublicationMetricSnapshot)
                                   .where(PublicationMetricSnapshot.publication_id == publication.id)
                                   .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
        account = session.scalars(select(ChannelMetricSnapshot).where(ChannelMetricSnapshot.channel_id == channel.id)
                                  .order_by(ChannelMetricSnapshot.collected_at.desc())).first()
    assert snapshot is not None and account is not None
    assert (snapshot.views, snapshot.reach, snapshot.likes, snapshot.comments) == (321, 300, 9, 3)
    assert snapshot.impressions is None and snapshot.saves is None
    assert account.followers == 1234
    assert fb.server.unexpected == []
