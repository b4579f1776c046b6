"""How many SQL statements one `GET /api/v1/workspaces/{id}/posts?limit=50` costs (counted with an SQLAlchemy
event listener, not timed), and that the API token's look-up, kept between requests, still refuses a revoked
token on the very next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from socialdesk.auth.models import ApiToken
from socialdesk.auth.service import create_api_token, revoke_api_token, user_by_email
from socialdesk.channels.models import Channel
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import Conversation, InboxItem
from socialdesk.inbox.view_counts import forget
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import T0, make_world
from tests.web_client import signed_in_client, web_app


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def _world_with_posts(database: Database, posts: int = 60) -> tuple[str, str]:
    world = make_world(database, profiles=("x", "instagram"))
    with database.unit_of_work() as session:
        for n in range(posts):
            at = T0 + timedelta(hours=n)
            post = Post(workspace_id=world.workspace_id, text=f"post {n}", scheduled_at=at)
            session.add(post)
            session.flush()
            for channel in world.channels.values():
                session.add(Publication(workspace_id=world.workspace_id, post_id=post.id, channel_id=channel,
                                        scheduled_at=at, status=PublicationStatus.SCHEDULED))
        user = user_by_email(session, world.users["owner"])
        assert user is not None
        secret, _ = create_api_token(session, user, "list", sorted(ALL_SCOPES))
    return world.workspace_id, secret


def _inbox(database: Database, workspace_id: str, count: int) -> list[str]:
    """`count` comments, one conversation each, the newest first in the list; returns their ids newest first."""
    with database.unit_of_work() as session:
        channel_id = session.scalars(select(Channel.id).where(Channel.workspace_id == workspace_id)).first()
        ids = []
        for n in range(count):
            at = T0 - timedelta(minutes=n // 2)  # two at each minute: the order needs the id to be total
            conversation = Conversation(workspace_id=workspace_id, channel_id=channel_id, kind="comment",
                                        thread_key=f"c{n}", author_handle=f"fan{n}", snippet=f"comment {n}",
                                        first_inbound_at=at, last_inbound_at=at, waiting_since=at,
                                        priority=1 + n % 3)
            session.add(conversation)
            session.flush()
            item = InboxItem(workspace_id=workspace_id, channel_id=channel_id, conversation_id=conversation.id,
                             kind="comment", external_id=f"c{n}", author_external_id=f"a{n}",
                             author_handle=f"fan{n}", text=f"comment {n}", received_at=at)
            session.add(item)
            session.flush()
            ids.append(item.id)
    return ids


def test_a_page_of_50_posts_costs_few_statements(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    assert client.get(f"/api/v1/workspaces/{workspace_id}/posts?limit=50").status_code == 200  # warms up
    with counted() as statements:
        answer = client.get(f"/api/v1/workspaces/{workspace_id}/posts?limit=50")
    assert answer.status_code == 200 and len(answer.json()["items"]) == 50
    queries = [s for s in statements if s.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]
    # The token with the caller's membership, the page with its total, then the page's publications, their steps
    # (thread parts, first comments), media and approval decisions (8 before the steps existed: token, user,
    # membership, count, page, publications, media, approvals).
    assert len(queries) <= 6, queries
    assert answer.json()["total"] == 60


def test_a_revoked_token_is_refused_on_the_next_request(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=3)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{workspace_id}/posts?limit=50"
    assert client.get(path).status_code == 200
    assert client.get(path).json()["total"] == 3
    with database.unit_of_work() as session:
        token = session.query(ApiToken).one()
        user = user_by_email(session, "owner@branda.test")
        assert user is not None
        revoke_api_token(session, user, token.id)
    refused = client.get(path)
    assert refused.status_code == 401 and "revoked" in refused.json()["message"]
    assert client.get("/api/v1/me").status_code == 401


def test_pages_past_the_end_still_say_the_total(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=3)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    page = client.get(f"/api/v1/workspaces/{workspace_id}/posts?limit=2&offset=5").json()
    assert page["items"] == [] and page["total"] == 3
    assert client.get(f"/api/v1/workspaces/{workspace_id}/posts?limit=2").json()["total"] == 3
    assert client.get(f"/api/v1/workspaces/{'0' * 26}/posts").status_code == 404


def _queries(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                                                                   "RELEASE")]


def test_the_calendar_month_costs_few_statements(database: Database, clock: ManualClock) -> None:
    workspace_id, _ = _world_with_posts(database)
    client, _ = signed_in_client(database, "owner@branda.test")
    path = f"/w/{workspace_id}/calendar?view=month&date={T0.date().isoformat()}"
    assert client.get(path).status_code == 200  # warms up
    with counted() as statements:
        page = client.get(path)
    assert page.status_code == 200 and "post 0" in page.text
    # The session with its user, the workspace with the caller's role (the one permission look-up), exercise time,
    # the month's publications with their posts and channels, their media, the network marks, the due dates, the
    # key dates and the pillars' planned mix; the layout: the user's workspaces, the approval count (posts and ad
    # requests), alerts (heartbeats, overdue, notifications), unread.
    assert len(_queries(statements)) <= 16, _queries(statements)
    assert sum("memberships.user_id =" in q and "workspaces.id =" in q for q in statements) == 1  # any dialect


def test_a_month_cell_shows_six_posts_and_how_many_more(database: Database, clock: ManualClock) -> None:
    workspace_id, _ = _world_with_posts(database)  # one post an hour from 2 March 10:00 in Zagreb
    client, _ = signed_in_client(database, "owner@branda.test")
    month = client.get(f"/w/{workspace_id}/calendar?view=month&date={T0.date().isoformat()}").text
    cell = month.split('data-date="2026-03-03"')[1].split('class="cal-day')[0]
    assert cell.count('class="cal-entry') == 6 and "+18 more" in cell
    assert 'href="?view=week&amp;date=2026-03-03"' in cell
    week = client.get(f"/w/{workspace_id}/calendar?view=week&date=2026-03-03").text
    assert all(f">post {n}<" in week or f"post {n}</span>" in week for n in range(15, 39))


def test_a_page_of_50_inbox_messages_costs_few_statements(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=1)
    _inbox(database, workspace_id, 120)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{workspace_id}/inbox?limit=50"
    assert client.get(path).status_code == 200  # warms up
    with counted() as statements:
        first = client.get(path).json()
    # The token with the caller's membership, the count, the page.
    assert len(first["items"]) == 50 and first["total"] == 120 and len(_queries(statements)) <= 3
    with counted() as statements:
        second = client.get(path, params={"limit": 50, "cursor": first["next_cursor"]}).json()
    # A page after a cursor does not count again: the token with the membership, the page.
    assert len(second["items"]) == 50 and second["total"] == 120 and len(_queries(statements)) <= 2


def test_inbox_pages_by_cursor_match_pages_by_offset(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=1)
    newest_first = _inbox(database, workspace_id, 23)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{workspace_id}/inbox"
    by_cursor, cursor, pages = [], None, 0
    while True:
        page = client.get(path, params={"limit": 5, **({"cursor": cursor} if cursor else {})}).json()
        by_cursor += [i["id"] for i in page["items"]]
        pages += 1
        assert page["total"] == 23
        cursor = page["next_cursor"]
        if cursor is None:
            break
    by_offset = [i["id"] for n in range(0, 25, 5)
                 for i in client.get(path, params={"limit": 5, "offset": n}).json()["items"]]
    # Two messages share each minute: the id decides between them, in both kinds of paging.
    assert by_cursor == by_offset and sorted(by_cursor) == sorted(newest_first) and pages == 5
    assert client.get(path, params={"limit": 5, "offset": 20}).json()["next_cursor"] is None


def test_a_bad_cursor_says_what_to_send(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=1)
    _inbox(database, workspace_id, 3)
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{workspace_id}/inbox"
    cursor = client.get(path, params={"limit": 1}).json()["next_cursor"]
    for bad in ("nonsense", "<script>alert(1)</script>", "MjAyNi0wMy0wMlQwOTowMDowMHxh", "\u0000"):
        answer = client.get(path, params={"cursor": bad})
        assert answer.status_code in (400, 422) and "cursor" in answer.json()["message"], (bad, answer.text)
    both = client.get(path, params={"cursor": cursor, "offset": 1})
    assert both.status_code in (400, 422) and "either" in both.json()["message"]


def test_the_inbox_total_is_kept_until_a_message_arrives_or_goes(database: Database, clock: ManualClock) -> None:
    workspace_id, secret = _world_with_posts(database, posts=1)
    _inbox(database, workspace_id, 30)
    forget()
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    path = f"/api/v1/workspaces/{workspace_id}/inbox"
    assert client.get(path, params={"limit": 5}).json()["total"] == 30
    with counted() as statements:
        again = client.get(path, params={"limit": 5}).json()
    # Nothing changed: the kept total, not a count of every message (the token, the inbox version, the page).
    assert again["total"] == 30 and not any("count(" in q.lower() for q in _queries(statements))
    assert client.get(path, params={"limit": 5, "kind": "dm"}).json()["total"] == 0

    # Committed elsewhere (another process: only the database is shared), seen on the very next request.
    with database.unit_of_work() as session:
        first = session.scalars(select(InboxItem).where(InboxItem.workspace_id == workspace_id)).first()
        assert first is not None
        session.add(InboxItem(workspace_id=workspace_id, channel_id=first.channel_id,
                              conversation_id=first.conversation_id, kind="dm", external_id="new-dm",
                              author_external_id="a-new", author_handle="newfan", text="hello", received_at=T0))
    assert client.get(path, params={"limit": 5}).json()["total"] == 31
    assert client.get(path, params={"limit": 5, "kind": "dm"}).json()["total"] == 1
    with database.unit_of_work() as session:
        dm = session.scalars(select(InboxItem).where(InboxItem.external_id == "new-dm")).one()
        dm.kind = "comment"
    assert client.get(path, params={"limit": 5, "kind": "dm"}).json()["total"] == 0
    with database.unit_of_work() as session:
        session.delete(session.scalars(select(InboxItem).where(InboxItem.external_id == "new-dm")).one())
    assert client.get(path, params={"limit": 5}).json()["total"] == 30
