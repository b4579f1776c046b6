"""Saved replies: variables, a version per language, and the suggestion for a message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.inbox import saved_replies, service
from socialdesk.inbox.models import InboxItem, SavedReply
from socialdesk.inbox.saved_replies import SavedReplyIn
from tests.inbox.conftest import Inbox, message


def test_versions_follow_the_language_then_its_group_then_the_fallback() -> None:
    saved = SavedReply(name="x", texts={"": "Hi", "hr": "Bok", "de": "Hallo"})
    assert saved_replies.text_for(saved, "hr") == ("hr", "Bok")
    assert saved_replies.text_for(saved, "sr") == ("hr", "Bok")  # Serbian reader, Croatian text: understood
    assert saved_replies.text_for(saved, "es") == ("", "Hi")
    assert saved_replies.fill("Hi {first_name}, see {post_link} {unknown}", {"first_name": "Ana"}) == \
        "Hi Ana, see {post_link} {unknown}"


def test_variables_are_checked_and_filled_and_the_suggestion_fits_intent_and_language(inbox: Inbox) -> None:
    with inbox.db.unit_of_work() as session:
        ctx = inbox.world.ctx(session, "editor")
        with pytest.raises(ValidationFailed, match=r"Unknown variable \{firstname\}"):
            saved_replies.create(ctx, SavedReplyIn(name="Typo", texts={"": "Hi {firstname}"}))
        with pytest.raises(ValidationFailed, match="Unknown intent"):
            saved_replies.create(ctx, SavedReplyIn(name="Odd", intent="shouting", texts={"": "Hi"}))
        saved_replies.create(ctx, SavedReplyIn(name="Prices", intent="purchase_intent", texts={
            "": "Hi {first_name}, prices are on our site.", "hr": "Bok {first_name}, cijene su na {channel}."}))
        saved_replies.create(ctx, SavedReplyIn(name="Prices (English only)", intent="purchase_intent",
                                               texts={"en": "Prices: see {post_link}"}))
        with pytest.raises(Conflict, match="exists already"):
            saved_replies.create(ctx, SavedReplyIn(name="Prices", texts={"": "again"}))
    inbox.deliver(message("c1", "Koliko košta dostava do Zadra?", name="Marija Novak"))
    with inbox.db.read_sessions() as session:
        ctx = inbox.world.ctx(session, "editor")
        item = session.scalars(select(InboxItem)).one()
        assert item.intent == "purchase_intent" and item.language == "hr"
        found = service.suggestion(ctx, item)
        assert found is not None and found.saved_reply.name == "Prices" and found.language == "hr"
        assert found.text == "Bok Marija, cijene su na Brand A facebook."
