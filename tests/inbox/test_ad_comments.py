"""Ad comments (comments under a Meta dark post) are kept marked, listed in the inbox's "Ad comments" view,
counted there, and shown with an "ad comment" mark; everything else about them is a comment like any other."""

from __future__ import annotations

from datetime import timedelta

from socialdesk.channels.models import Channel
from socialdesk.core import clock
from socialdesk.core.db import Database
from socialdesk.inbox import conversations
from socialdesk.inbox.conversations import ConversationFilter
from socialdesk.inbox.service import store_incoming
from socialdesk.networks.base import IncomingItem, IncomingKind
from tests.helpers import make_world
from tests.web_client import signed_in_client


def _item(n: int, text: str, *, ad: bool) -> IncomingItem:
    return IncomingItem(external_id=f"c{n}", kind=IncomingKind.COMMENT, text=text,
                        created_at=clock.now() - timedelta(minutes=10 - n), author_external_id=f"a{n}",
                        author_handle=f"person{n}", post_external_id=f"post{n}", ad_comment=ad)


def test_ad_comments_are_marked_and_have_their_own_view(database: Database) -> None:
    w = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        channel = session.get(Channel, w.channels["instagram"])
        assert channel is not None
        assert store_incoming(session, channel, [_item(1, "Nice cup", ad=False),
                                                 _item(2, "Is the discount online too?", ad=True)]) == 2
    with database.read_sessions() as session:
        ctx = w.ctx(session)
        ads, total = conversations.list_conversations(ctx, ConversationFilter(view="ads"))
        assert total == 1 and ads[0].snippet == "Is the discount online too?"
        assert conversations.counts(ctx, clock.now())["ads"] == 1
        everything, _ = conversations.list_conversations(ctx, ConversationFilter())
        assert conversations.with_ad_comments(ctx, [c.id for c in everything]) == {ads[0].id}
    client, _ = signed_in_client(database, w.users["owner"])
    page = client.get(f"/w/{w.workspace_id}/inbox?view=ads")
    assert page.status_code == 200
    assert "Ad comments" in page.text and "ad comment" in page.text and "Nice cup" not in page.text
    api = client.get(f"/api/v1/workspaces/{w.workspace_id}/inbox")
    assert {i["text"]: i["ad_comment"] for i in api.json()["items"]} == {
        "Nice cup": False, "Is the discount online too?": True}
    only_ads = client.get(f"/api/v1/workspaces/{w.workspace_id}/inbox?ad_comment=true").json()
    assert [i["text"] for i in only_ads["items"]] == ["Is the discount online too?"]
