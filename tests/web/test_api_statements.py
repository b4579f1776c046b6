"""How many SQL statements one `GET /api/v1/workspaces/{id}/posts?limit=50` costs (counted with an SQLAlchemy
event listener, not timed), and that the API token's look-up, kept between requests, still refuses a revoked
token on the very next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from socialdesk.auth.models import ApiToken
from socialdesk.auth.service import create_api_token, revoke_api_token, user_by_email
from socialdesk.content.models import Post, Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import T0, make_world
from tests.web_client import web_app


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
