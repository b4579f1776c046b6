"""Every route declares its permission and one guard enforces it: reads need their own scope, a client
reviewer sees only approvals and reports, and /me/tokens respects a token's scope and workspace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.auth import service as auth
from socialdesk.auth.models import ApiToken
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.reports import schedules as report_schedules
from socialdesk.web import pages
from socialdesk.web.app import create_app
from socialdesk.web.deps import check_route_permissions
from socialdesk.workspaces.permissions import Access, Permission, UserScope, expand_scopes, requires
from tests.helpers import World, make_world
from tests.web_client import signed_in_client, web_app


def _token(db: Database, email: str, scopes: list[str], workspace_id: str | None = None) -> str:
    with db.unit_of_work() as session:
        user = auth.user_by_email(session, email)
        assert user is not None
        return auth.create_api_token(session, user, "+".join(scopes), scopes, workspace_id)[0]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# The start-up check ---------------------------------------------------------------------------------


def test_the_app_refuses_to_start_with_a_route_that_declares_no_permission(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = APIRouter()

    @extra.get("/w/{workspace_id}/forgotten")
    def forgotten(workspace_id: str) -> dict[str, str]:
        return {}

    monkeypatch.setattr(pages.router, "routes", [*pages.router.routes, *extra.routes])
    with pytest.raises(RuntimeError, match=r"/w/\{workspace_id\}/forgotten declares no permission"):
        create_app()


def test_the_start_up_check_wants_a_workspace_permission_inside_a_workspace() -> None:
    @requires(Access.SIGNED_IN)
    def anyone() -> None: ...

    @requires(Permission.POSTS_READ)
    def reader() -> None: ...

    with pytest.raises(RuntimeError, match="inside a workspace"):
        check_route_permissions([("/w/{workspace_id}/x", anyone)])
    with pytest.raises(RuntimeError, match="needs a workspace"):
        check_route_permissions([("/api/v1/x", reader)])
    check_route_permissions([("/w/{workspace_id}/x", reader), ("/api/v1/x", anyone)])


def test_every_route_of_the_app_declares_what_it_needs() -> None:
    from fastapi.routing import iter_route_contexts

    from socialdesk.workspaces.permissions import declared

    ours = [r for r in iter_route_contexts(create_app().router.routes)
            if r.endpoint is not None and not r.endpoint.__module__.startswith("fastapi.")]
    assert len(ours) > 150
    assert [r.path for r in ours if declared(r.endpoint) is None] == []


def test_read_alias_expands_to_every_read_scope() -> None:
    assert expand_scopes(["read", "posts:write"]) == sorted(
        ["posts:read", "inbox:read", "analytics:read", "reports:read", "members:read", "posts:write"])


# Reads need their scope -----------------------------------------------------------------------------


@pytest.fixture
def world(database: Database, clock: ManualClock) -> World:
    world = make_world(database, profiles=("x",))
    with database.unit_of_work() as session:
        report_schedules.create(world.ctx(session), "monthly", "pdf", ["boss@example.com"])
    return world


def test_a_posts_write_token_reads_nothing_else(database: Database, world: World) -> None:
    client = TestClient(web_app())
    writer = _bearer(_token(database, world.users["owner"], ["posts:write"]))
    base = f"/api/v1/workspaces/{world.workspace_id}"
    for path in ("/inbox/conversations", "/inbox", "/members", "/report-schedules", "/inbox/rules",
                 "/inbox/saved-replies", "/report?period=2026-02", "/posts", "/analytics/dashboard", "/audit"):
        response = client.get(base + path, headers=writer)
        assert response.status_code == 403, (path, response.status_code)
        assert "lacks the scope" in response.json()["message"]
    assert client.post(base + "/posts", json={"text": "hi", "intent": "draft"}, headers=writer).status_code == 201


def test_each_read_scope_opens_its_own_reads_only(database: Database, world: World) -> None:
    client = TestClient(web_app())
    base = f"/api/v1/workspaces/{world.workspace_id}"
    inbox_reader = _bearer(_token(database, world.users["owner"], ["inbox:read"]))
    assert client.get(base + "/inbox/conversations", headers=inbox_reader).status_code == 200
    assert client.get(base + "/posts", headers=inbox_reader).status_code == 403
    assert client.get(base + "/members", headers=inbox_reader).status_code == 403
    members_reader = _bearer(_token(database, world.users["owner"], ["members:read"]))
    assert client.get(base + "/members", headers=members_reader).status_code == 200
    assert client.get(base + "/inbox/conversations", headers=members_reader).status_code == 403
    # Report recipients are for the admins who manage the schedules, not for every reader.
    reader = _bearer(_token(database, world.users["owner"], ["read"]))
    assert client.get(base + "/report-schedules", headers=reader).status_code == 403


def test_a_client_reviewer_sees_approvals_and_reports_only(database: Database, world: World) -> None:
    client, _ = signed_in_client(database, world.users["client_reviewer"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    for path in ("/inbox/conversations", "/inbox", "/members", "/posts", "/channels", "/media",
                 "/analytics/dashboard", "/calendar?start=2026-03-01&end=2026-03-31"):
        assert client.get(base + path).status_code == 403, path
    assert client.get(base + "/approvals").status_code == 200
    assert client.get(base + "/report-branding").status_code == 200
    w = f"/w/{world.workspace_id}"
    for page in ("", "/inbox", "/calendar", "/posts", "/settings", "/analytics"):
        assert client.get(w + page).status_code == 403, page
    approvals = client.get(w + "/approvals")
    assert approvals.status_code == 200
    # The nav offers only what the role may open.
    assert f'href="{w}/inbox"' not in approvals.text and f'href="{w}/settings"' not in approvals.text
    assert f'href="{w}/reports"' in approvals.text
    reports = client.get(w + "/reports")
    assert reports.status_code == 200 and "boss@example.com" not in reports.text
    # Home leads a client reviewer to what it is asked to approve, not to a page it may not see.
    home = client.get("/")
    assert home.status_code == 303 and home.headers["location"] == w + "/approvals"


def test_a_viewer_reads_everything_but_changes_nothing(database: Database, world: World) -> None:
    client, _ = signed_in_client(database, world.users["viewer"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    for path in ("/inbox/conversations", "/members", "/posts", "/analytics/dashboard"):
        assert client.get(base + path).status_code == 200, path
    refused = client.post(base + "/posts", json={"text": "x"})
    assert refused.status_code == 403 and "viewer" in refused.json()["message"]


# /me/tokens --------------------------------------------------------------------------------------------


def test_managing_tokens_needs_a_session_or_the_tokens_manage_scope(database: Database, world: World) -> None:
    owner = world.users["owner"]
    everything_but = _token(database, owner, sorted({p.value for p in Permission}))
    manager = _token(database, owner, [UserScope.TOKENS_MANAGE.value])
    client = TestClient(web_app())
    refused = client.get("/api/v1/me/tokens", headers=_bearer(everything_but))
    assert refused.status_code == 403 and "tokens:manage" in refused.json()["message"]
    assert client.get("/api/v1/me/tokens", headers=_bearer(manager)).status_code == 200
    session_client, _ = signed_in_client(database, owner)
    assert len(session_client.get("/api/v1/me/tokens").json()) == 2
    # A token makes no new tokens, even one that manages them.
    made = client.post("/api/v1/me/tokens", json={"name": "x", "scopes": ["posts:read"]}, headers=_bearer(manager))
    assert made.status_code == 404


def test_a_token_limited_to_a_workspace_reaches_only_that_workspaces_tokens(database: Database, world: World) -> None:
    owner = world.users["owner"]
    unrestricted = _token(database, owner, ["read"])
    limited = _token(database, owner, ["read", "tokens:manage"], world.workspace_id)
    with database.read_sessions() as session:
        ids = {t.name: t.id for t in session.scalars(select(ApiToken))}
    client = TestClient(web_app())
    listed = client.get("/api/v1/me/tokens", headers=_bearer(limited))
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json()] == ["read+tokens:manage"]
    gone = client.delete(f"/api/v1/me/tokens/{ids['read']}", headers=_bearer(limited))
    assert gone.status_code == 404
    assert client.get("/api/v1/me", headers=_bearer(unrestricted)).status_code == 200  # still alive
    assert client.delete(f"/api/v1/me/tokens/{ids['read+tokens:manage']}", headers=_bearer(limited)).status_code == 204


def test_last_used_at_is_recorded_once_per_resolution(database: Database, world: World, clock: ManualClock) -> None:
    secret = _token(database, world.users["owner"], ["posts:read"])
    client = TestClient(web_app())

    def last_used() -> object:
        with database.read_sessions() as session:
            return session.scalars(select(ApiToken.last_used_at)).one()

    assert last_used() is None
    assert client.get(f"/api/v1/workspaces/{world.workspace_id}/posts", headers=_bearer(secret)).status_code == 200
    first = last_used()
    assert first is not None
    clock.advance(timedelta(minutes=1))
    client.get("/api/v1/me", headers=_bearer(secret))
    assert last_used() == first  # not one write per request
    clock.advance(auth.TOKEN_USE_RESOLUTION)
    client.get("/api/v1/me", headers=_bearer(secret))
    assert last_used() > first  # type: ignore[operator]


def test_a_client_reviewer_opens_only_the_media_it_is_asked_to_approve(database: Database, clock: ManualClock) -> None:
    from socialdesk.content import service as content
    from socialdesk.content.schemas import Intent, PostIn
    from socialdesk.media import service as media
    from tests.helpers import image_bytes

    world = make_world(database, profiles=("x",), approval_steps=["client_reviewer"])
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        shown = media.upload(ctx, "shown.jpg", image_bytes(1)).id
        other = media.upload(ctx, "other.jpg", image_bytes(2)).id
        post = content.compose(ctx, PostIn(text="For the client", channel_ids=[world.channels["x"]],
                                           media_ids=[shown], scheduled_at=clock.now() + timedelta(days=1),
                                           intent=Intent.DRAFT)).post
        content.submit(ctx, post.id)
    client, _ = signed_in_client(database, world.users["client_reviewer"])
    base = f"/api/v1/workspaces/{world.workspace_id}/media"
    assert client.get(f"{base}/{shown}/file").status_code == 200
    refused = client.get(f"{base}/{other}/file")
    assert refused.status_code == 403 and "waiting for your approval" in refused.json()["message"]
    assert client.get(f"{base}/{shown}").status_code == 403  # the library itself stays closed
    assert client.get(f"/w/{world.workspace_id}/approvals").status_code == 200
