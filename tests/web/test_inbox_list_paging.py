"""The inbox's conversation list (the page's list pane): paged by cursor in every order, the views' counts kept
between requests but never older than the last change, and few statements a request (counted with an
SQLAlchemy event listener, not timed)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.channels.models import Channel
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import Conversation, ConversationStatus, InboxItem
from socialdesk.inbox.view_counts import forget
from tests.helpers import T0, make_world
from tests.web.test_api_statements import _queries, counted
from tests.web_client import signed_in_client

OWNER = "owner@branda.test"


def _conversations(database: Database, workspace_id: str, count: int) -> None:
    """`count` conversations with every kind of tie the orders meet: two at each minute, priorities 0–3,
    some answered (no waiting time) at every priority 0, every 11th under an ad, every 13th spam."""
    with database.unit_of_work() as session:
        channel_id = session.scalars(select(Channel.id).where(Channel.workspace_id == workspace_id)).first()
        for n in range(count):
            at = T0 - timedelta(minutes=n // 2)
            answered = n % 4 == 0
            conversation = Conversation(
                workspace_id=workspace_id, channel_id=channel_id, kind="comment", thread_key=f"c{n}",
                author_handle=f"fan{n}", snippet=f"comment {n}", first_inbound_at=at, last_inbound_at=at,
                waiting_since=None if answered else T0 - timedelta(minutes=(n * 7) % 40),
                priority=0 if answered else 1 + n % 3, spam=n % 13 == 5, language="hr" if n % 2 else "en",
                status=ConversationStatus.CLOSED if n % 9 == 0 else ConversationStatus.OPEN)
            session.add(conversation)
            session.flush()
            session.add(InboxItem(workspace_id=workspace_id, channel_id=channel_id, conversation_id=conversation.id,
                                  kind="comment", external_id=f"c{n}", author_external_id=f"a{n}",
                                  author_handle=f"fan{n}", text=f"comment {n}", received_at=at,
                                  ad_comment=n % 11 == 0))


def _ids(html: str) -> list[str]:
    return re.findall(r'id="conv-([0-9A-Z]+)"', html)


def _link(html: str, label: str) -> str | None:
    found = re.search(r'href="[^"]*/inbox\?([^"]*)">' + re.escape(label), html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client: TestClient, w: str, query: str) -> tuple[list[list[str]], list[str]]:
    """Every page by the Next links, then back by the Previous links: (pages forwards, what the way back read)."""
    pages, html = [], client.get(f"{w}/inbox/list?{query}").text
    pages.append(_ids(html))
    while (following := _link(html, "Next")) is not None:
        assert "after=" in following and "page=" not in following  # a cursor, not an offset
        html = client.get(f"{w}/inbox/list?{following}").text
        assert "Page" in html
        pages.append(_ids(html))
        assert len(pages) < 20
    back: list[str] = []
    while (previous := _link(html, "← Previous")) is not None:
        html = client.get(f"{w}/inbox/list?{previous}").text
        back = _ids(html) + back
    return pages, back


def test_pages_by_cursor_are_the_pages_by_offset_in_every_order(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    _conversations(database, world.workspace_id, 230)
    client, _ = signed_in_client(database, OWNER)
    w = f"/w/{world.workspace_id}"
    for sort in ("priority", "newest", "oldest"):
        for view in ("all", "unanswered", "closed", "spam"):
            query = f"view={view}&sort={sort}"
            pages, back = _walk(client, w, query)
            by_offset = [_ids(client.get(f"{w}/inbox/list?{query}&page={n}").text) for n in range(1, len(pages) + 1)]
            assert pages == by_offset, (sort, view)
            # The way back reads the same pages before the last one.
            assert back == [i for page in pages[:-1] for i in page], (sort, view)
            everything = [i for page in pages for i in page]
            assert len(everything) == len(set(everything))
    first = client.get(f"{w}/inbox/list").text
    ham = sum(1 for n in range(230) if n % 13 != 5)
    assert f"{ham} conversations" in first and f"Page 1 of {-(-ham // 50)}" in first


def _count(html: str, view: str) -> int:
    found = re.search(r'view=' + view + r'"[^>]*>\s*[^<]*<span class="count">([0-9,]+)</span>', html)
    assert found is not None, view
    return int(found.group(1).replace(",", ""))


def test_the_views_counts_are_kept_until_something_changes(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    _conversations(database, world.workspace_id, 60)
    forget()
    client, _ = signed_in_client(database, OWNER)
    path = f"/w/{world.workspace_id}/inbox/list"
    before = client.get(path).text
    with counted() as statements:
        again = client.get(path).text
    # Nothing changed: the counts are the kept ones. The session with its user, the workspace with the role,
    # the exercise clock, the response target, the version with the conversations still inside the target, the
    # page, the channels, the page's tags and ad comments. Before: 11, three of them counting every
    # conversation (the list's total, the views with a look-up in the messages for each, the languages).
    queries = _queries(statements)
    assert len(queries) <= 9, queries
    assert sum("count(" in q.lower() for q in queries) == 1 and not any("DISTINCT" in q and "language" in q
                                                                       for q in queries)
    assert [_count(again, v) for v in ("all", "closed", "ads", "overdue")] == \
        [_count(before, v) for v in ("all", "closed", "ads", "overdue")]
    closed, ads = _count(before, "closed"), _count(before, "ads")
    assert closed == sum(1 for n in range(60) if n % 9 == 0 and n % 13 != 5)
    assert ads == sum(1 for n in range(60) if n % 11 == 0 and n % 13 != 5)

    # A change committed elsewhere (another process: only the database is shared) shows on the next request.
    with database.unit_of_work() as session:
        open_one = session.scalars(select(Conversation).where(
            Conversation.workspace_id == world.workspace_id, Conversation.status == ConversationStatus.OPEN,
            Conversation.spam.is_(False)).order_by(Conversation.id)).first()
        assert open_one is not None
        open_one.status = ConversationStatus.CLOSED
        item = session.scalars(select(InboxItem).where(InboxItem.conversation_id == open_one.id)).one()
        item.ad_comment = not item.ad_comment
        ad_now = item.ad_comment
    after = client.get(path).text
    assert _count(after, "closed") == closed + 1
    assert _count(after, "ads") == ads + (1 if ad_now else -1)

    # Overdue moves with the clock alone, without any write.
    overdue = _count(after, "overdue")
    clock.advance(timedelta(days=2))
    later = client.get(path).text
    waiting = sum(1 for n in range(60) if n % 4 and n % 13 != 5 and n % 9) - 1  # less the one closed above
    assert overdue < waiting and _count(later, "overdue") == waiting == _count(later, "unanswered")


def test_a_rolled_back_change_is_not_kept(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    _conversations(database, world.workspace_id, 20)
    forget()
    from socialdesk.inbox import conversations

    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        everything = conversations.counts(ctx, T0)["all"]
    session = database.sessions()
    try:
        ctx = world.ctx(session)
        session.add(Conversation(workspace_id=world.workspace_id, channel_id=world.channels["x"], kind="comment",
                                 thread_key="new", author_handle="x", first_inbound_at=T0, last_inbound_at=T0))
        session.flush()
        assert conversations.counts(ctx, T0)["all"] == everything + 1  # its own write, seen, not kept
        session.rollback()
    finally:
        session.close()
    with database.unit_of_work() as session:
        assert conversations.counts(world.ctx(session), T0)["all"] == everything


def test_a_bad_position_says_what_to_do(database: Database, clock: ManualClock) -> None:
    world = make_world(database)
    _conversations(database, world.workspace_id, 60)
    client, _ = signed_in_client(database, OWNER)
    path = f"/w/{world.workspace_id}/inbox/list"
    following = _link(client.get(path).text, "Next")
    assert following is not None
    cursor = following.split("after=")[1]
    for bad in ({"after": "nonsense"}, {"before": "<script>"}, {"after": cursor, "before": cursor},
                {"after": cursor, "sort": "newest"}, {"after": "x" * 400}, {"after": "cHJpb3JpdHl8LTF8MXw"}):
        answer = client.get(path, params=bad)
        assert answer.status_code in (400, 422), (bad, answer.status_code)
        assert "first page" in answer.text and "<script>" not in answer.text


def test_the_conversations_api_totals_are_the_views_counts(database: Database, clock: ManualClock) -> None:
    from socialdesk.auth.service import create_api_token, user_by_email
    from socialdesk.workspaces.permissions import ALL_SCOPES
    from tests.web_client import web_app

    world = make_world(database)
    _conversations(database, world.workspace_id, 90)
    with database.unit_of_work() as session:
        user = user_by_email(session, OWNER)
        assert user is not None
        secret, _ = create_api_token(session, user, "list", sorted(ALL_SCOPES))
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{world.workspace_id}/inbox/conversations"
    for view in ("all", "closed", "spam", "ads", "unanswered"):
        page = client.get(path, params={"view": view, "limit": 500}).json()
        assert page["total"] == len(page["items"]) == page["counts"][view], view
    for channel_id in world.channels.values():  # a narrowing filter counts its own total
        with database.read_sessions() as session:
            on_channel = len(session.scalars(select(Conversation.id).where(
                Conversation.channel_id == channel_id, Conversation.spam.is_(False))).all())
        narrowed = client.get(path, params={"channel_id": channel_id, "limit": 500}).json()
        assert narrowed["total"] == len(narrowed["items"]) == on_channel
    with counted() as statements:
        client.get(path, params={"limit": 5})
    assert sum("count(" in q.lower() for q in _queries(statements)) == 1  # the version with the overdue ones only
