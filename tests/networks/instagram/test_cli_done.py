"""Done when (issue 12, Instagram): through the CLI, with SOCIALDESK_META_GRAPH_URL at the Meta contract server,
an Instagram carousel publishes exactly once (one media_publish, the right parameters and children), a lost
answer on media_publish is settled by LOOKUP without a second post, comments arrive in the inbox triaged, a
reply goes out, and metrics are stored."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics import service as analytics
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels.models import Channel
from socialdesk.cli import _context
from socialdesk.cli import app as cli_app
from socialdesk.content.models import Publication
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from tests.contract.meta_instagram import add_comment
from tests.networks.instagram.conftest import Instagram

runner = CliRunner()
V = r"/v\d+\.\d+"


def _ok(*args: str) -> str:
    result = runner.invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _picture(tmp_path: Path, name: str, size: tuple[int, int], fmt: str, colour: int) -> Path:
    out = io.BytesIO()
    Image.new("RGB", size, (colour, 120, 200)).save(out, fmt)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return path


def _connected(instagram: Instagram) -> str:
    _ok("user", "create", "--email", "ana@example.com", "--name", "Ana", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Acme", "--owner", "ana@example.com", "--timezone", "Europe/Zagreb")
    _ok("channel", "add", "instagram", "--workspace", "Acme", "--name", "Acme IG",
        "--field", f"ig_user_id={instagram.account['id']}", "--field", f"access_token={instagram.token}")
    return "Acme IG"


def test_a_carousel_goes_out_once_and_its_comments_replies_and_metrics_follow(
        database: Database, real_now: ManualClock, instagram: Instagram, public_media: Any, tmp_path: Path) -> None:
    channel = _connected(instagram)
    square = _picture(tmp_path, "square.jpg", (1080, 1080), "JPEG", 10)
    wide = _picture(tmp_path, "wide.png", (2400, 1000), "PNG", 90)  # PNG and 2.4:1: converted first
    post_id = _ok("post", "create", "-w", "Acme", "--channel", channel, "--text",
                  "New season #coffee with @roastery", "--image", str(square), "--image", str(wide),
                  "--option", f"{channel}:first_comment=#beans #roast", "--now").strip()
    _ok("run-jobs")
    shown = json.loads(_ok("post", "show", post_id, "--json"))
    (publication,) = shown["publications"]
    assert publication["status"] == "published", publication

    server = instagram.server
    ig = instagram.account["id"]
    (publish,) = server.calls_to("POST", rf"{V}/{ig}/media_publish")  # exactly once
    creates = [c.form() for c in server.calls_to("POST", rf"{V}/{ig}/media")]
    carousel = creates[-1]
    assert carousel["media_type"] == "CAROUSEL" and carousel["caption"] == "New season #coffee with @roastery"
    assert len(carousel["children"].split(",")) == 2
    assert all(c["is_carousel_item"] == "true" and c["image_url"] for c in creates[:2])
    (media,) = instagram.world.of_kind("ig_media")
    assert publish.form()["creation_id"] == media["_container"]
    assert media["media_type"] == "CAROUSEL_ALBUM" and publication["external_id"] == media["id"]
    assert publication["external_url"] == media["permalink"]
    (first,) = instagram.world.of_kind("ig_comment", media_id=media["id"])  # the --option's first comment
    assert (first["username"], first["text"]) == ("brand", "#beans #roast")

    question = add_comment(instagram.world, media["id"], "How much is the big bag? Do you ship to Split?",
                           username="buyer")
    add_comment(instagram.world, media["id"], "Love it!", username="fan")
    with database.read_sessions() as session:
        channel_id = session.scalars(select(Channel.id).where(Channel.network == "instagram")).one()
    assert inbox.fetch_channel(database, channel_id) == 2
    assert inbox.fetch_channel(database, channel_id) == 0  # nothing twice
    _ok("run-jobs")  # triage
    with database.read_sessions() as session:
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
        pub = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
    assert set(items) == {question["id"], *(c["id"] for c in instagram.world.of_kind("ig_comment")
                                           if c["username"] == "fan")}
    assert all(i.triaged_at is not None and i.publication_id == pub.id for i in items.values())
    assert items[question["id"]].question

    with _context("Acme") as ctx:
        answered = actions.reply(ctx, items[question["id"]].id, "12 euros, and yes we do!")
    reply = instagram.world.objects[answered.reply_external_id]
    assert reply["parent_id"] == question["id"] and reply["username"] == "brand"
    assert len(server.calls_to("POST", rf"{V}/{question['id']}/replies")) == 1

    media["insights"] = {"reach": 640, "views": 910, "likes": 51, "comments": 2, "saved": 7, "shares": 3,
                         "total_interactions": 63}
    instagram.account["insights"] = {"reach": 1500, "views": 4000, "accounts_engaged": 120}
    instagram.account["demographics"] = {"age": {"25-34": 700}, "gender": {"F": 650, "M": 500}}
    real_now.advance(timedelta(hours=1))
    assert analytics.collect_channel(database, channel_id) >= 2
    with database.read_sessions() as session:
        account = session.scalars(select(ChannelMetricSnapshot)
                                  .order_by(ChannelMetricSnapshot.collected_at.desc())).first()
        post = session.scalars(select(PublicationMetricSnapshot)
                               .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
        settings = session.get(Channel, channel_id).settings  # type: ignore[union-attr]
    assert account is not None and post is not None
    assert (account.followers, account.following, account.posts) == (1200, 80, 1)
    assert (post.reach, post.views, post.likes, post.comments, post.saves, post.reposts) == (640, 910, 51, 2, 7, 3)
    assert post.impressions is None and post.clicks is None  # not offered: not available, never 0
    assert settings["account_details"]["audience"]["gender"] == {"F": 650, "M": 500}
    assert settings["account_details"]["publishing_limit"]["quota_usage"] == 1
    assert not server.unexpected


def test_a_lost_media_publish_answer_is_looked_up_and_published_once(
        database: Database, real_now: ManualClock, instagram: Instagram, public_media: Any, tmp_path: Path) -> None:
    instagram.account["quota_used_elsewhere"] = 48  # posts other tools published today
    channel = _connected(instagram)
    picture = _picture(tmp_path, "one.jpg", (1080, 1350), "JPEG", 30)
    instagram.server.lose_answer("POST", rf"{V}/\d+/media_publish")
    created = runner.invoke(cli_app, ["post", "create", "-w", "Acme", "--channel", channel, "--text",
                                      "Only once #promise", "--image", str(picture), "--now"])
    assert created.exit_code == 0, created.output
    assert "Acme IG: 48 of 50 posts allowed through the API in 24 hours are used." in created.output
    post_id = created.stdout.strip().splitlines()[-1]
    _ok("run-jobs")
    _ok("run-jobs")
    shown = json.loads(_ok("post", "show", post_id, "--json"))
    (publication,) = shown["publications"]
    (media,) = instagram.world.of_kind("ig_media")  # one post on Instagram
    assert publication["status"] == "published" and publication["external_id"] == media["id"]
    assert len(instagram.server.calls_to("POST", rf"{V}/\d+/media_publish")) == 1
    assert instagram.server.calls_to("GET", rf"{V}/{instagram.account['id']}/media")  # the look-up


def test_a_story_is_chosen_with_an_option(database: Database, real_now: ManualClock, instagram: Instagram,
                                          public_media: Any, tmp_path: Path) -> None:
    channel = _connected(instagram)
    tall = _picture(tmp_path, "tall.jpg", (1080, 1920), "JPEG", 50)  # 9:16 is fine for a Story
    post_id = _ok("post", "create", "-w", "Acme", "--channel", channel, "--text", "Behind the scenes",
                  "--image", str(tall), "--option", f"{channel}:kind=story", "--now").strip()
    _ok("run-jobs")
    (publication,) = json.loads(_ok("post", "show", post_id, "--json"))["publications"]
    assert publication["status"] == "published", publication
    (create,) = instagram.server.calls_to("POST", rf"{V}/\d+/media")
    assert create.form()["media_type"] == "STORIES" and "caption" not in create.form()
    (media,) = instagram.world.of_kind("ig_media")
    assert media["media_product_type"] == "STORY" and publication["external_id"] == media["id"]
