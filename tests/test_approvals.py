"""The approval flow: editor -> approver -> client reviewer; only approved posts are scheduled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from socialdesk.audit.models import AuditEntry
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn, PublicationPatch
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, Forbidden, ValidationFailed
from tests.helpers import World, make_world


def _statuses(db: Database, post_id: str) -> set[str]:
    with db.read_sessions() as session:
        return set(session.scalars(select(Publication.status).where(Publication.post_id == post_id)))


def _draft(db: Database, world: World, clock: ManualClock, role: str = "editor") -> str:
    with db.unit_of_work() as session:
        return content.compose(world.ctx(session, role), PostIn(
            text="Launch day! #coffee", channel_ids=[world.channels["x"]],
            scheduled_at=clock.now() + timedelta(days=2), intent=Intent.DRAFT)).post.id


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=("x",), approval_steps=["approver", "client_reviewer"])


def test_two_step_approval_schedules_only_at_the_end(database: Database, world: World, clock: ManualClock) -> None:
    post_id = _draft(database, world, clock)
    with database.unit_of_work() as session:
        content.submit(world.ctx(session, "editor"), post_id)
    with database.unit_of_work() as session, pytest.raises(Forbidden, match="waiting for an approver"):
        content.approve(world.ctx(session, "client_reviewer"), post_id)  # not its turn yet
    with database.read_sessions() as session:
        # The client sees only what it is asked to approve: nothing until the approver is done.
        assert content.pending_approval(world.ctx(session, "client_reviewer")) == []
        assert [p.id for p in content.pending_approval(world.ctx(session, "viewer"))] == [post_id]
    with database.unit_of_work() as session:
        notes = content.approve(world.ctx(session, "approver"), post_id, "Good copy")
    with database.read_sessions() as session:
        assert [p.id for p in content.pending_approval(world.ctx(session, "client_reviewer"))] == [post_id]
    assert "client's review" in notes[0]
    assert _statuses(database, post_id) == {"pending_approval"}
    with database.unit_of_work() as session:
        content.approve(world.ctx(session, "client_reviewer"), post_id, "Approved by the client")
    assert _statuses(database, post_id) == {"scheduled"}
    with database.read_sessions() as session:
        out = content.to_out(world.ctx(session), [content.get_post(world.ctx(session), post_id)])[0]
        assert [(a.decision, a.step) for a in out.approvals] == [
            ("submitted", None), ("approved", "approver"), ("approved", "client_reviewer")]
        actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == post_id)
                                       .order_by(AuditEntry.at)))
        assert actions.count("post.approve") == 2 and "post.submit" in actions


def test_rejection_needs_a_comment_and_sends_the_post_back(database: Database, world: World,
                                                           clock: ManualClock) -> None:
    post_id = _draft(database, world, clock)
    with database.unit_of_work() as session:
        content.submit(world.ctx(session, "editor"), post_id)
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="needs a comment"):
        content.reject(world.ctx(session, "approver"), post_id, "  ")
    with database.unit_of_work() as session:
        content.reject(world.ctx(session, "approver"), post_id, "Mention the opening hours")
    assert _statuses(database, post_id) == {"draft"}
    with database.unit_of_work() as session, pytest.raises(Conflict, match="not waiting"):
        content.approve(world.ctx(session, "approver"), post_id)


def test_editors_cannot_skip_approval_but_admins_can(database: Database, world: World, clock: ManualClock) -> None:
    post_id = _draft(database, world, clock)
    with database.unit_of_work() as session, pytest.raises(Forbidden, match="need approval"):
        content.schedule(world.ctx(session, "editor"), post_id)
    with database.unit_of_work() as session:
        content.schedule(world.ctx(session, "owner"), post_id)
    assert _statuses(database, post_id) == {"scheduled"}


def test_an_editors_change_to_an_approved_post_needs_approval_again(database: Database, world: World,
                                                                     clock: ManualClock) -> None:
    post_id = _draft(database, world, clock, role="owner")
    with database.unit_of_work() as session:
        content.schedule(world.ctx(session, "owner"), post_id)
        publication_id = content.publications(world.ctx(session), content.get_post(world.ctx(session), post_id))[0].id
    with database.unit_of_work() as session:
        notes = content.update_publication(world.ctx(session, "editor"), publication_id,
                                           PublicationPatch(variant_text="Launch day, X edition"))
    assert "approval again" in notes[0]
    assert _statuses(database, post_id) == {"draft"}


def test_viewers_and_reviewers_cannot_write(database: Database, world: World, clock: ManualClock) -> None:
    for role in ("viewer", "client_reviewer", "approver"):
        with database.unit_of_work() as session, pytest.raises(Forbidden):
            content.compose(world.ctx(session, role), PostIn(text="hi", channel_ids=[world.channels["x"]]))


def test_a_workspace_without_approval_schedules_on_submit(database: Database, clock: ManualClock) -> None:
    world = make_world(database, "Brand B", profiles=("x",))
    post_id = _draft(database, world, clock)
    with database.unit_of_work() as session:
        notes = content.submit(world.ctx(session, "editor"), post_id)
    assert notes[0].startswith("Scheduled for")
    assert _statuses(database, post_id) == {"scheduled"}
