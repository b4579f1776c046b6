"""The inbox page: three panes, actions redrawn by htmx, live list, hostile text escaped, viewers read only."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.inbox.models import Conversation, InboxItem
from tests.inbox.conftest import Inbox, message
from tests.web_client import signed_in_client

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_the_inbox_page_and_its_actions(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Zašto mi nitko ne odgovara?? Čekam povrat novca već tjedan dana!",
                          name="Ivana Kovač"),
                  message("c2", f"{HOSTILE} \u202eesrever\u202c", author="u-2", name=HOSTILE, handle="mallory"))
    client, _ = signed_in_client(inbox.db, inbox.world.users["editor"])
    w = f"/w/{inbox.world.workspace_id}"
    page = client.get(f"{w}/inbox")
    assert page.status_code == 200
    text = page.text
    assert 'class="inbox-list"' in text and 'id="pane-conversation"' in text and 'id="pane-context"' in text
    assert "Zašto mi nitko ne odgovara" in text and 'hx-trigger="every 15s' in text
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'data-key="h"' in text and 'data-key="a"' in text  # keyboard shortcuts press these buttons
    assert client.get(f"{w}/comments").status_code == 200  # the old address still opens the inbox
    with inbox.db.read_sessions() as session:
        first = session.scalars(select(Conversation).order_by(Conversation.priority.desc())).first()
        hostile = session.scalars(select(InboxItem).where(InboxItem.external_id == "c2")).one()
    assert first is not None and 'class="conv prio-5 selected"' in text.replace(" overdue", "")

    htmx = {"hx-request": "true"}
    replied = client.post(f"{w}/inbox/c/{first.id}/reply", data={"text": "Ispričavamo se, provjeravamo!"},
                          headers=htmx)
    assert replied.status_code == 200 and "Reply sent." in replied.text
    assert replied.headers["hx-trigger"] == "inbox-changed"
    assert client.post(f"{w}/inbox/c/{first.id}/assign", data={"user_id": "me"}, headers=htmx).status_code == 200
    hidden = client.post(f"{w}/inbox/i/{hostile.id}/hide", headers=htmx)
    assert "Hidden on the network." in hidden.text and "&lt;script&gt;" in hidden.text
    assert "<script>alert(1)" not in hidden.text
    inbox.network.refuse.add("reply")
    refused = client.post(f"{w}/inbox/c/{first.id}/reply", data={"text": "Still there?"}, headers=htmx)
    assert "The network says no to reply." in refused.text and "Still there?</textarea>" in refused.text
    plain = client.post(f"{w}/inbox/c/{first.id}/status", data={"status": "closed"})
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"/inbox?c={first.id}")

    listed = client.get(f"{w}/inbox/list", params={"view": "closed"})
    assert listed.status_code == 200 and first.id in listed.text and 'id="inbox-list-inner"' in listed.text
    assert [c[0] for c in inbox.network.calls] == ["reply", "hide"]
    with inbox.db.read_sessions() as session:
        conversation = session.get(Conversation, first.id)
        assert conversation is not None and conversation.status == "closed" and conversation.assignee_id


def test_viewers_read_but_cannot_act_and_setup_page_works(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Can I book a table for six?"))
    w = f"/w/{inbox.world.workspace_id}"
    viewer, _ = signed_in_client(inbox.db, inbox.world.users["viewer"])
    page = viewer.get(f"{w}/inbox").text
    assert "Can I book a table for six?" in page and 'id="reply-form"' not in page and 'data-key="h"' not in page
    owner, _ = signed_in_client(inbox.db, inbox.world.users["owner"])
    added = owner.post(f"{w}/inbox/setup/saved-replies", data={
        "name": "Booking", "intent": "purchase_intent", "text": "Hi {first_name}, book at {post_link}",
        "version_language": "hr", "version_text": "Bok {first_name}!"})
    assert added.status_code == 303
    refused = owner.post(f"{w}/inbox/setup/saved-replies", data={"name": "Bad", "text": "Hi {nme}"})
    assert refused.status_code == 303
    assert "Unknown variable {nme}" in owner.get(f"{w}/inbox/setup").text  # the refusal, shown once
    rule = owner.post(f"{w}/inbox/setup/rules", data={"name": "Insults", "offensive_at_least": "85", "hide": "1"})
    assert rule.status_code == 303
    setup = owner.get(f"{w}/inbox/setup")
    assert setup.status_code == 200 and "Booking" in setup.text and "Insults" in setup.text
    assert owner.post(f"{w}/inbox/setup/target", data={"minutes": "45"}).status_code == 303
    assert "45-minute target" in owner.get(f"{w}/inbox/setup").text
