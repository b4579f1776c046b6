"""Acting on messages through the network's capabilities, on conversations, in bulk, and undoing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox import actions, conversations, service
from socialdesk.inbox.models import BlockedAuthor, Conversation, ConversationStatus, InboxItem
from socialdesk.networks.base import IncomingKind
from socialdesk.networks.sandbox import store
from socialdesk.networks.sandbox.models import SandboxAccount
from socialdesk.networks.sandbox.server import sandbox_database
from tests.helpers import World
from tests.inbox.conftest import Inbox, message, sandbox_with_comments


def _comments(db: Database, world: World) -> list[InboxItem]:
    with db.read_sessions() as session:
        return list(session.scalars(select(InboxItem).where(InboxItem.workspace_id == world.workspace_id,
                                                            InboxItem.kind == IncomingKind.COMMENT)
                                    .order_by(InboxItem.received_at)))


def _account_id(handle: str) -> str:
    with sandbox_database().read_sessions() as session:
        return session.scalars(select(SandboxAccount.id).where(SandboxAccount.handle == handle)).one()


@pytest.mark.slow
def test_like_hide_undo_delete_and_block_on_the_sandbox(database: Database, clock: ManualClock) -> None:
    world = sandbox_with_comments(database, clock, "facebook")
    first, second, third = _comments(database, world)[:3]
    account = _account_id("shopfacebook_facebook")
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        actions.like(ctx, first.id)
        actions.hide(ctx, second.id)
        actions.delete_item(ctx, third.id)
        actions.block_author(ctx, first.id)
    assert first.external_id in store.marks(account, "like")
    assert third.external_id in store.marks(account, "delete")
    assert first.author_external_id in store.marks(account, "block")
    hidden = store.snapshot("shopfacebook_facebook", hidden=True)
    assert hidden is not None and second.external_id in hidden.hidden
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        recorded = {a.action: a for a in actions.history(ctx, second.conversation_id or "")}
        actions.undo(ctx, recorded["hide"].id)  # shown again, on the network too
        deleted = {a.action: a for a in actions.history(ctx, third.conversation_id or "")}["delete"]
        with pytest.raises(Conflict, match="cannot be undone"):
            actions.undo(ctx, deleted.id)
        blocked = {a.action: a for a in actions.history(ctx, first.conversation_id or "")}["block"]
        actions.undo(ctx, blocked.id)
        assert not list(session.scalars(select(BlockedAuthor)))
    hidden = store.snapshot("shopfacebook_facebook", hidden=True)
    assert hidden is not None and second.external_id not in hidden.hidden
    assert first.author_external_id not in store.marks(account, "block")
    with database.read_sessions() as session:
        assert session.get(InboxItem, second.id).hidden is False  # type: ignore[union-attr]
        assert session.get(InboxItem, third.id).deleted_at is not None  # type: ignore[union-attr]


@pytest.mark.slow
def test_what_a_network_cannot_do_is_refused_with_its_reason(database: Database, clock: ManualClock) -> None:
    world = sandbox_with_comments(database, clock, "mastodon", hours=24)
    comment = _comments(database, world)[0]
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        with pytest.raises(Conflict, match="does not let apps hide comments"):
            actions.hide(ctx, comment.id)
        with pytest.raises(Conflict, match="does not let apps delete comments"):
            actions.delete_item(ctx, comment.id)
        actions.like(ctx, comment.id)  # Mastodon has favourites
    with database.unit_of_work() as session, pytest.raises(Exception, match="inbox:write"):
        actions.like(world.ctx(session, "viewer"), comment.id)


def test_status_assignment_tags_notes_and_drafts(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Where is my parcel?"))
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        conversation = session.scalars(select(Conversation)).one()
        editor = ctx.actor.user_id
        actions.assign(ctx, conversation.id, editor)
        with pytest.raises(ValidationFailed, match="member of this workspace"):
            actions.assign(ctx, conversation.id, "01ABCDEFGHJKMNPQRSTVWXYZ00")
        actions.add_tag(ctx, conversation.id, "  #Delivery ")
        actions.add_tag(ctx, conversation.id, "delivery")  # once only
        actions.add_note(ctx, conversation.id, "Customer called too; courier lost it.")
        with pytest.raises(ValidationFailed, match="Write the note first"):
            actions.add_note(ctx, conversation.id, "   ")
        actions.save_draft(ctx, conversation.id, "Sorry! We are on it.")
        actions.set_status(ctx, conversation.id, ConversationStatus.CLOSED)
        assert conversations.tags_of(ctx, [conversation.id])[conversation.id] == ["delivery"]
        mine, _ = conversations.list_conversations(ctx, conversations.ConversationFilter(view="mine"))
        assert [c.id for c in mine] == [conversation.id]
        tagged, _ = conversations.list_conversations(ctx, conversations.ConversationFilter(tag="delivery"))
        assert len(tagged) == 1
        view = service.conversation_view(ctx, conversation.id)
        assert [n.text for n in view.notes] == ["Customer called too; courier lost it."]
        assert view.conversation.draft_reply == "Sorry! We are on it."
        assert view.conversation.priority == 0  # closed: out of the way
        assert {a.action for a in view.history} == {"assign", "label", "draft_reply", "status"}
        for record in view.history:  # everything recorded here can be undone
            actions.undo(ctx, record.id)
        assert conversation.assignee_id is None and conversation.status == ConversationStatus.OPEN
        assert conversation.draft_reply is None and conversations.tags_of(ctx, [conversation.id])[conversation.id] == []
    inbox.deliver(message("c2", "Hello again", parent="c1", minutes_ago=1))
    with inbox.db.read_sessions() as session:
        assert session.scalars(select(Conversation)).one().status == ConversationStatus.OPEN


def test_bulk_actions_succeed_or_fail_one_by_one(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "First"), message("c2", "Second", author="u-2"),
                  message("d1", "A message", kind=IncomingKind.DIRECT_MESSAGE, author="u-3"))
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        # All three arrive at one clock time: order by kind too, so the direct message is last on every
        # database (PostgreSQL returned ties in another order and the like below went to a comment).
        ids = [c.id for c in session.scalars(select(Conversation).order_by(Conversation.first_inbound_at,
                                                                           Conversation.kind))]
        result = actions.bulk(ctx, ids, "hide")
        assert len(result.done) == 2 and list(result.failed.values()) == [
            "Nothing here can be hidden: networks hide comments only."]
        closed = actions.bulk(ctx, ids, "close")
        assert closed.done == ids
        with pytest.raises(ValidationFailed, match="Unknown bulk action"):
            actions.bulk(ctx, ids, "explode")
    assert sorted(c[0] for c in inbox.network.calls) == ["hide", "hide"]
    inbox.network.refuse.add("like")
    with inbox.db.unit_of_work() as session:
        result = actions.bulk(inbox.world.ctx(session, "editor"), ids[2:], "like")
        assert "The network says no to like." in next(iter(result.failed.values()))


def test_reply_refused_by_the_network_keeps_nothing(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Hello?"))
    inbox.network.refuse.add("reply")
    with inbox.db.unit_of_work() as session:
        item = session.scalars(select(InboxItem)).one()
        with pytest.raises(Conflict, match="refused to take the reply: The network says no to reply"):
            actions.reply(inbox.world.ctx(session, "editor"), item.id, "Hi!")
        assert item.replied_at is None
