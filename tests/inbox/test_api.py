"""The inbox under /api/v1: conversations, actions, saved replies, rules, metrics and stateless triage."""

from __future__ import annotations

from sqlalchemy import select

from socialdesk.inbox.models import InboxItem
from tests.inbox.conftest import Inbox, message
from tests.web_client import signed_in_client


def test_the_inbox_through_the_api(inbox: Inbox) -> None:
    inbox.deliver(message("c1", "Why has nobody answered me?? My order is a week late!", name="Ana Horvat"),
                  message("c2", "Lovely photo", author="u-2"))
    client, _ = signed_in_client(inbox.db, inbox.world.users["editor"])
    base = f"/api/v1/workspaces/{inbox.world.workspace_id}/inbox"

    page = client.get(f"{base}/conversations").json()
    assert page["total"] == 2 and page["counts"]["unanswered"] == 2
    first = page["items"][0]
    assert first["snippet"].startswith("Why has nobody") and first["negative"] and first["question"]
    assert client.get(f"{base}/conversations", params={"view": "nonsense"}).status_code == 422

    saved = client.post(f"{base}/saved-replies", json={"name": "Late order", "intent": "complaint", "texts": {
        "": "Sorry {first_name}, we are checking.", "hr": "Oprostite {first_name}, provjeravamo."}})
    assert saved.status_code == 201
    detail = client.get(f"{base}/conversations/{first['id']}").json()
    item = detail["items"][0]
    assert item["language"] == "en" and item["sentiment"] == "negative" and item["triaged_at"]
    assert detail["suggestion"]["text"] == "Sorry Ana, we are checking."

    assert client.post(f"{base}/conversations/{first['id']}/tags", json={"tag": "late"}).json()[
        "conversation"]["tags"] == ["late"]
    assert client.post(f"{base}/conversations/{first['id']}/notes", json={"text": "VIP"}).status_code == 201
    replied = client.post(f"{base}/conversations/{first['id']}/reply", json={"text": detail["suggestion"]["text"]})
    assert replied.status_code == 200 and replied.json()["conversation"]["status"] == "waiting"
    assert inbox.network.calls == [("reply", "c1", "Sorry Ana, we are checking.")]
    history = replied.json()["history"]
    undo = client.post(f"{base}/actions/{next(h['id'] for h in history if h['action'] == 'label')}/undo")
    assert undo.status_code == 200 and undo.json()["undone_at"]
    refused = client.post(f"{base}/actions/{next(h['id'] for h in history if h['action'] == 'reply')}/undo")
    assert refused.status_code == 409 and "cannot be undone" in refused.json()["message"]

    second = page["items"][1]["id"]
    bulk = client.post(f"{base}/conversations/bulk", json={"conversation_ids": [second], "action": "close"})
    assert bulk.json() == {"done": [second], "failed": {}}
    rule = client.post(f"{base}/rules", json={"name": "Insults", "conditions": {"offensive_at_least": 0.9},
                                              "actions": {"hide": True}})
    assert rule.status_code == 201 and client.get(f"{base}/rules").json()[0]["name"] == "Insults"
    assert client.post(f"{base}/rules", json={"name": "x", "conditions": {}, "actions": {"hide": True}}
                       ).status_code == 422

    figures = client.get(f"{base}/metrics").json()
    assert figures["workspace"]["conversations"] == 2 and figures["workspace"]["answered"] == 1
    assert client.put(f"{base}/settings", json={"response_target_minutes": 30}).status_code == 403  # editor

    triaged = client.post(f"{base}/triage", json={"channel_id": inbox.channel_id, "texts": [
        {"id": 7, "text": "Gdje mogu kupiti poklon bon?"}, {"id": "b", "text": "Shut up, you moron"}]}).json()
    assert [t["id"] for t in triaged] == [7, "b"]
    assert triaged[0]["language"] == "hr" and triaged[0]["intent"] == "purchase_intent"
    assert triaged[1]["offensive"] is True

    with inbox.db.read_sessions() as session:
        c2 = session.scalars(select(InboxItem).where(InboxItem.external_id == "c2")).one()
    assert client.post(f"{base}/{c2.id}/like").json()["liked"] is True
    assert client.post(f"{base}/{c2.id}/spam").json()["marked_spam"] is True
    viewer, _ = signed_in_client(inbox.db, inbox.world.users["viewer"])
    assert viewer.post(f"{base}/{c2.id}/hide").status_code == 403
    assert viewer.get(f"{base}/conversations").status_code == 200
