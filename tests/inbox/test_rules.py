"""Moderation rules: conditions on triaged messages, recorded actions, undo, and no public reply unless asked."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError as PydanticError
from sqlalchemy import select

from socialdesk.auth.service import create_api_token, user_by_email
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.inbox import actions, rules, saved_replies
from socialdesk.inbox.models import Conversation, InboxItem, ModerationAction
from socialdesk.inbox.rules import RuleActions, RuleConditions, RuleIn
from socialdesk.inbox.saved_replies import SavedReplyIn
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.inbox.conftest import Inbox, message
from tests.web_client import web_app


def _item(**values: object) -> InboxItem:
    base: dict[str, object] = {"text": "", "sentiment": "neutral", "intent": "other", "offensive_score": 0.0,
                               "spam_score": 0.0, "language": "en", "author_handle": "ana", "channel_id": "ch",
                               "kind": "comment"}
    return InboxItem(**{**base, **values})


@pytest.mark.parametrize(("conditions", "item", "expected"), [
    (RuleConditions(keywords=["free money"]), _item(text="get F R E E  m0ney now"), True),
    (RuleConditions(keywords=["scam"]), _item(text="This is a S-C-A-M!!"), True),
    (RuleConditions(keywords=["scam"]), _item(text="scampi are great"), False),  # whole words only
    (RuleConditions(keywords=["prevara"]), _item(text="Ovo je PREVARA"), True),
    (RuleConditions(offensive_at_least=0.8), _item(offensive_score=0.79), False),
    (RuleConditions(offensive_at_least=0.8), _item(offensive_score=0.8), True),
    (RuleConditions(sentiments=["negative"], intents=["complaint"]), _item(sentiment="negative", intent="complaint"),
     True),
    (RuleConditions(sentiments=["negative"], intents=["complaint"]), _item(sentiment="negative", intent="question"),
     False),
    (RuleConditions(languages=["HR", "sr"]), _item(language="sr"), True),
    (RuleConditions(authors=["@Ana"]), _item(author_handle="ana"), True),
    (RuleConditions(channel_ids=["other"]), _item(), False),
])
def test_conditions(conditions: RuleConditions, item: InboxItem, expected: bool) -> None:
    assert rules.matches(conditions, item) is expected


def test_a_rule_needs_a_condition_an_action_and_a_saved_reply_to_send(inbox: Inbox) -> None:
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        with pytest.raises(ValidationFailed, match="at least one condition"):
            rules.create(ctx, RuleIn(name="All", conditions=RuleConditions(), actions=RuleActions(hide=True)))
        with pytest.raises(ValidationFailed, match="at least one action"):
            rules.create(ctx, RuleIn(name="None", conditions=RuleConditions(keywords=["x"]), actions=RuleActions()))
        with pytest.raises(ValidationFailed, match="choose the saved reply"):
            rules.create(ctx, RuleIn(name="Reply", conditions=RuleConditions(keywords=["x"]),
                                     actions=RuleActions(labels=["x"], send_reply=True)))
        with pytest.raises(NotFound):
            rules.create(ctx, RuleIn(name="Draft", conditions=RuleConditions(keywords=["x"]),
                                     actions=RuleActions(draft_reply="01NOTASAVEDREPLY000000000")))
    with pytest.raises(PydanticError, match="unknown intent 'shouting'"):
        RuleIn.model_validate({"name": "Bad", "conditions": {"intents": ["shouting"]}, "actions": {"hide": True}})


def test_rules_act_on_arrival_are_recorded_and_can_be_undone(inbox: Inbox) -> None:
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "owner")
        editor = inbox.world.ctx(session, "editor").actor.user_id
        sorry = saved_replies.create(ctx, SavedReplyIn(name="Sorry", intent="complaint", texts={
            "": "Sorry, {first_name}!", "hr": "Oprostite, {first_name}!"}))
        rules.create(ctx, RuleIn(name="Refunds", conditions=RuleConditions(keywords=["refund", "povrat"]),
                                 actions=RuleActions(labels=["refund"], assign_to=editor, draft_reply=sorry.id)))
        rules.create(ctx, RuleIn(name="Scam words", conditions=RuleConditions(keywords=["scam"]),
                                 actions=RuleActions(hide=True, mark_spam=True)))
    inbox.deliver(message("c1", "Još čekam povrat novca!", name="Ivana Kovač"),
                  message("c2", "total scam, avoid", author="u-2"),
                  message("c3", "Lovely place", author="u-3"))
    assert [c[0] for c in inbox.network.calls] == ["hide"]  # no public reply: the reply is only drafted
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
        refund = session.get(Conversation, items["c1"].conversation_id)
        assert refund is not None
        assert refund.assignee_id == ctx.actor.user_id and refund.draft_reply == "Oprostite, Ivana!"
        assert items["c2"].hidden and items["c2"].marked_spam
        recorded = list(session.scalars(select(ModerationAction).where(ModerationAction.rule_id.is_not(None))))
        assert sorted(a.action for a in recorded) == ["assign", "draft_reply", "hide", "label", "mark_spam"]
        assert [a.id for a in actions.recent_automatic(ctx)] and all(a.performed_by is None for a in recorded)
        for record in recorded:
            actions.undo(ctx, record.id)
        assert not items["c2"].hidden and items["c2"].marked_spam is None
        assert refund.assignee_id is None and refund.draft_reply is None
    assert [c[0] for c in inbox.network.calls] == ["hide", "unhide"]


def test_a_rule_sends_a_public_reply_only_when_it_says_so(inbox: Inbox) -> None:
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "owner")
        thanks = saved_replies.create(ctx, SavedReplyIn(name="Thanks", texts={"": "Thank you, {first_name}!"}))
        rules.create(ctx, RuleIn(name="Auto thanks", conditions=RuleConditions(keywords=["thanks"]),
                                 actions=RuleActions(draft_reply=thanks.id, send_reply=True)))
    inbox.deliver(message("c1", "thanks for the quick delivery", name="Tom Smith"))
    assert inbox.network.calls == [("reply", "c1", "Thank you, Tom!")]


@pytest.mark.parametrize("position", [-7_769_815_619, 2**63, -1])
def test_a_rule_position_out_of_range_is_refused_before_the_database(inbox: Inbox, position: int) -> None:
    """Found by tests/test_api_fuzz.py: PostgreSQL's 32-bit column answered 500 ("integer out of range"),
    SQLite past 64 bits too."""
    with inbox.db.unit_of_work() as session:
        owner = user_by_email(session, inbox.world.users["owner"])
        assert owner is not None
        secret, _ = create_api_token(session, owner, "rules", sorted(ALL_SCOPES))
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    rule = {"name": "Scam", "position": position, "conditions": {"keywords": ["scam"]}, "actions": {"hide": True}}
    answer = client.post(f"/api/v1/workspaces/{inbox.world.workspace_id}/inbox/rules", json=rule)
    assert answer.status_code == 422, answer.text
    assert [d["where"] for d in answer.json()["details"]] == ["body.position"]
    created = client.post(f"/api/v1/workspaces/{inbox.world.workspace_id}/inbox/rules", json={**rule, "position": 3})
    assert created.status_code == 201 and created.json()["position"] == 3
