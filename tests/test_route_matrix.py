"""Role × scope × route: for every route of the app, every role (a browser session) and a token of every single
scope get exactly what the permission table says: refused (403 from the route guard, or 401 signed out) or let
through to the route.

The routes and what each needs come from the route table itself (`@requires` on each endpoint), and the roles'
rights from ROLE_PERMISSIONS, so a new route is covered the day it is added. Object ids in paths are ids that
do not exist: a caller who may use the route gets 404, one who may not gets 403 before the lookup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

from socialdesk.auth.service import create_api_token, user_by_email
from socialdesk.core import clock as clock_module
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import set_database
from socialdesk.networks.sandbox import server as sandbox_server
from socialdesk.web.app import create_app
from socialdesk.workspaces.models import Role
from socialdesk.workspaces.permissions import (
    ALL_SCOPES,
    Access,
    Permission,
    Requirement,
    UserScope,
    declared,
    role_allows,
)
from tests.helpers import apply_settings, fresh_database, install_clock, make_world
from tests.web_client import signed_in_client, web_app

SHARED_WORLD = True  # one world for the whole module (see conftest._settings)
MISSING = "0" * 26  # an object id that exists nowhere
ROLES = [r.value for r in Role]
SCOPES = sorted(ALL_SCOPES)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    needs: frozenset[Requirement]

    @property
    def has_objects(self) -> bool:
        return bool(re.search(r"{(?!workspace_id)\w+}", self.path))


def _routes() -> list[Route]:
    found = []
    for route in iter_route_contexts(create_app().router.routes):
        endpoint = route.endpoint
        if endpoint is None or endpoint.__module__.startswith("fastapi."):
            continue
        needs = declared(endpoint)
        assert needs is not None  # the app would not have started
        found += [Route(m, route.path, needs) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


ROUTES = _routes()


def may(route: Route, *, role: str | None = None, scope: str | None = None) -> bool:
    """What the permission table says: a session of `role`, or the owner's token with the one `scope`."""
    if Access.PUBLIC in route.needs or Access.SIGNED_IN in route.needs or Access.MEMBER in route.needs:
        return True
    if role is not None:  # a session: only its role limits it
        return any(role_allows(Role(role), n) for n in route.needs if isinstance(n, Permission)) or \
            any(isinstance(n, UserScope) for n in route.needs)
    return scope in {n.value for n in route.needs}  # the owner's role allows everything


@dataclass
class Callers:
    workspace_id: str
    sessions: dict[str, TestClient]
    token: dict[str, dict[str, str]]  # scope -> headers
    bearer: TestClient
    anonymous: TestClient
    db_url: str


@pytest.fixture(scope="module")
def callers(_template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callers]:
    folder = tmp_path_factory.mktemp("matrix")
    previous = clock_module.get_clock()
    with pytest.MonkeyPatch.context() as monkeypatch:
        apply_settings(monkeypatch, folder / "data")
        database = fresh_database(_template_db, folder)
        install_clock()
        world = make_world(database, "Matrix", profiles=("x",),
                           roles=("admin", "editor", "approver", "client_reviewer", "viewer"))
        sessions = {role: signed_in_client(database, world.users[role])[0] for role in ROLES}
        tokens = {}
        with database.unit_of_work() as session:
            owner = user_by_email(session, world.users["owner"])
            assert owner is not None
            for scope in SCOPES:
                tokens[scope] = {"Authorization": f"Bearer {create_api_token(session, owner, scope, [scope])[0]}"}
        yield Callers(world.workspace_id, sessions, tokens, TestClient(web_app(), follow_redirects=False),
                      TestClient(web_app(), follow_redirects=False), database.url)
        sandbox_server.reset(database.url)
        set_database(None)
        database.dispose()
    clock_module.set_clock(previous)
    reset_settings_cache()


def _url(route: Route, workspace_id: str) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: workspace_id if m.group(1) == "workspace_id" else MISSING,
                  route.path)


def _call(client: TestClient, route: Route, url: str, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, object] = {}
    if route.method in ("POST", "PUT", "PATCH"):
        body = {"json": {}} if url.startswith("/api/") else {"data": {}}
    return client.request(route.method, url, headers=headers, **body)  # type: ignore[arg-type]


def _guard_refused(response: Response) -> bool:
    """A 403 from the route guard (or a service's own role and scope check, which words it the same)."""
    return response.status_code == 403 and ("may not do this" in response.text or "lacks the scope" in response.text)


def _check(route: Route, who: str, response: Response, allowed: bool) -> None:
    where = f"{route.method} {route.path} as {who}: {response.status_code} {response.text[:200]}"
    assert response.status_code != 500, where
    if not allowed:
        assert _guard_refused(response), "should be refused: " + where
        return
    assert not _guard_refused(response), "should be let through: " + where
    if Access.PUBLIC not in route.needs:  # signing in with a wrong password is the sign-in page's own 401
        assert response.status_code != 401, "should be let through: " + where
    if route.has_objects and Access.PUBLIC not in route.needs:
        assert response.status_code == 404, "let through, the missing object should answer 404: " + where


def test_the_route_table_is_all_here() -> None:
    assert len(ROUTES) > 170
    assert {r.path for r in ROUTES} >= {"/api/v1/me/tokens", "/w/{workspace_id}/settings", "/login"}


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.method} {r.path}" for r in ROUTES])
def test_every_role_and_every_scope_get_what_the_table_says(callers: Callers, route: Route) -> None:
    url = _url(route, callers.workspace_id)
    for role in ROLES:
        client = callers.sessions[role]
        if route.path == "/logout":  # signing out ends the session: use a session of its own
            from socialdesk.core.db import get_database

            client = signed_in_client(get_database(), _email(callers, role))[0]
        _check(route, f"a {role} session", _call(client, route, url), may(route, role=role))
    for scope in SCOPES:
        _check(route, f"a {scope} token", _call(callers.bearer, route, url, callers.token[scope]),
               may(route, scope=scope))
    if Access.PUBLIC not in route.needs:
        signed_out = _call(callers.anonymous, route, url)
        refused = signed_out.status_code == 401 or (
            signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login"))
        assert refused, f"{route.method} {route.path} signed out: {signed_out.status_code}"


def _email(callers: Callers, role: str) -> str:
    return f"{role}@matrix.test"


def test_the_issues_findings_hold_in_the_table() -> None:
    """The findings that started this: a posts:write token reads nothing; a client reviewer sees no messages
    and no members; only a session or tokens:manage reaches /me/tokens."""
    workspace_gets = [r for r in ROUTES if r.method == "GET" and "{workspace_id}" in r.path
                      and Access.MEMBER not in r.needs]
    assert workspace_gets and not [r.path for r in workspace_gets if may(r, scope="posts:write")]
    private = [r for r in ROUTES if re.search(r"/(inbox|comments|members|audit|settings|invitations)", r.path)
               and Access.PUBLIC not in r.needs]  # an invitation's own link is for whoever it was sent to
    assert private and not [r.path for r in private if may(r, role="client_reviewer")]
    assert may(next(r for r in ROUTES if r.path == "/w/{workspace_id}/approvals"), role="client_reviewer")
    tokens = [r for r in ROUTES if r.path.startswith("/api/v1/me/tokens")]
    assert tokens and all(may(r, scope=s) == (s == "tokens:manage") for r in tokens for s in SCOPES)
