"""Bad input gets a clear, per-channel message and saves nothing half-done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from socialdesk.content import service as content
from socialdesk.content.models import Post, PostMedia, Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import service as media
from tests.helpers import World, image_bytes, make_world
from tests.web_client import signed_in_client

LONG = "Kava " * 70  # 350 characters: too long for X (280), fine for Instagram (2,200)


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read_sessions() as session:
        return (session.scalar(select(func.count()).select_from(Post)) or 0,
                session.scalar(select(func.count()).select_from(Publication)) or 0,
                session.scalar(select(func.count()).select_from(PostMedia)) or 0)


@pytest.fixture
def world(database: Database, clock: ManualClock) -> World:
    world = make_world(database, profiles=("x", "instagram"))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        world.media = [media.upload(ctx, f"p{i}.jpg", image_bytes(i)).id for i in range(5)]
    return world


def _compose(db: Database, world: World, **fields: object) -> None:
    data: dict[str, object] = {"text": "Hello #coffee", "channel_ids": list(world.channels.values()),
            "scheduled_at": None, "intent": Intent.SCHEDULE, **fields}
    with db.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(**data))  # type: ignore[arg-type]


def test_too_long_text_names_the_channel(database: Database, world: World, clock: ManualClock) -> None:
    before = _counts(database)
    with pytest.raises(ValidationFailed) as raised:
        _compose(database, world, text=LONG, media_ids=world.media[:1],
                 scheduled_at=clock.now() + timedelta(days=1))
    error = raised.value
    failing = error.details["channels"]
    assert [c["channel_name"] for c in failing] == ["Brand A x"], "only the X-like channel fails"
    assert failing[0]["problems"][0]["code"] == "text_too_long"
    assert "280" in error.message and "Brand A x" in error.message
    assert _counts(database) == before


def test_media_problems_are_reported_per_channel(database: Database, world: World, clock: ManualClock) -> None:
    when = clock.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as raised:  # Instagram needs an image
        _compose(database, world, scheduled_at=when)
    assert {p["code"] for c in raised.value.details["channels"] for p in c["problems"]} == {"media_required"}
    with pytest.raises(ValidationFailed) as raised:  # X takes at most 4 images
        _compose(database, world, media_ids=world.media, scheduled_at=when)
    assert raised.value.details["channels"][0]["channel_name"] == "Brand A x"
    assert raised.value.details["channels"][0]["problems"][0]["code"] == "too_many_media"
    assert _counts(database) == (0, 0, 0)


def test_a_file_that_is_not_media_is_refused(database: Database, world: World) -> None:
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="not a supported image"):
        media.upload(world.ctx(session), "brief.pdf", b"%PDF-1.7 not an image")
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="empty"):
        media.upload(world.ctx(session), "empty.png", b"")


def test_unknown_time_zone_and_past_dates(database: Database, world: World, clock: ManualClock) -> None:
    with pytest.raises(ValidationFailed, match="Unknown time zone 'Mars/Olympus'"):
        _compose(database, world, media_ids=world.media[:1], timezone="Mars/Olympus",
                 scheduled_at=clock.now() + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="did you mean Europe/Zagreb"):
        _compose(database, world, media_ids=world.media[:1], timezone="zagreb",
                 scheduled_at=clock.now() + timedelta(days=1))
    with pytest.raises(ValidationFailed, match="is in the past"):
        _compose(database, world, media_ids=world.media[:1],
                 scheduled_at=(clock.now() - timedelta(hours=3)).replace(tzinfo=None))
    with pytest.raises(ValidationFailed, match="Pick a date and time"):
        _compose(database, world, media_ids=world.media[:1])
    assert _counts(database) == (0, 0, 0)


def test_a_failed_edit_leaves_the_saved_post_as_it_was(database: Database, world: World, clock: ManualClock) -> None:
    when = clock.now() + timedelta(days=1)
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Original", channel_ids=list(world.channels.values()), media_ids=world.media[:1],
            scheduled_at=when, intent=Intent.SCHEDULE)).post.id
    with pytest.raises(ValidationFailed), database.unit_of_work() as session:
        content.compose(world.ctx(session), PostIn(
            text=LONG, channel_ids=[world.channels["x"]], media_ids=[], scheduled_at=when,
            intent=Intent.SCHEDULE), post_id)
    with database.read_sessions() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.text == "Original"
        pubs = list(session.scalars(select(Publication).where(Publication.post_id == post_id)))
        assert sorted(p.channel_id for p in pubs) == sorted(world.channels.values())
        assert {p.status for p in pubs} == {"scheduled"}
        assert session.scalar(select(func.count()).select_from(PostMedia)) == 1


def test_a_draft_may_be_too_long_but_cannot_be_scheduled(database: Database, world: World, clock: ManualClock) -> None:
    with database.unit_of_work() as session:
        result = content.compose(world.ctx(session), PostIn(
            text=LONG, channel_ids=[world.channels["x"]], intent=Intent.DRAFT,
            scheduled_at=clock.now() + timedelta(days=1)))
        assert not result.checks[0].ok  # the draft is saved with its problems shown
        post_id = result.post.id
    with pytest.raises(ValidationFailed, match="280"), database.unit_of_work() as session:
        content.schedule(world.ctx(session), post_id)


def test_hostile_text_is_stored_as_data(database: Database, world: World, clock: ManualClock) -> None:
    hostile = "<script>alert('x')</script> '; DROP TABLE posts; -- {{ 7*7 }}"
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(text=hostile, channel_ids=[world.channels["x"]])).post.id
    with database.read_sessions() as session:
        post = session.get(Post, post_id)
        assert post is not None and post.text == hostile


def test_the_api_answers_422_with_per_channel_details(database: Database, world: World, clock: ManualClock) -> None:
    client, _ = signed_in_client(database, world.users["owner"])
    response = client.post(f"/api/v1/workspaces/{world.workspace_id}/posts", json={
        "text": LONG, "channel_ids": list(world.channels.values()), "media_ids": world.media[:1],
        "scheduled_at": (clock.now() + timedelta(days=1)).isoformat(), "intent": "schedule"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert body["details"]["channels"][0]["problems"][0]["code"] == "text_too_long"
    malformed = client.post(f"/api/v1/workspaces/{world.workspace_id}/posts", json={"text": 5, "bogus": 1})
    assert malformed.status_code == 422 and "bogus" in malformed.json()["message"]
    assert _counts(database) == (0, 0, 0)
