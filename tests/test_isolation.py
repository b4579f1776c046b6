"""A member of workspace A gets 404 for every object of workspace B, through every route.

The routes come from the app's own route table, so a new route is covered the day it is added."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.auth.models import ApiToken
from socialdesk.auth.service import create_api_token, user_by_email
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, get_database, set_database
from socialdesk.goals import service as goals
from socialdesk.inbox import actions, rules, saved_replies
from socialdesk.inbox.models import InboxItem
from socialdesk.inbox.saved_replies import SavedReplyIn
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from socialdesk.networks.sandbox import server as sandbox_server
from socialdesk.reports import schedules as report_schedules
from socialdesk.web.app import create_app
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import World, apply_settings, fresh_database, image_bytes, install_clock, make_world
from tests.web_client import signed_in_client


@dataclass
class Objects:
    workspace_id: str
    ids: dict[str, str]


def _populate(db: Database, clock: ManualClock, name: str) -> Objects:
    world = make_world(db, name, profiles=("x",))
    with db.unit_of_work() as session:
        ctx = world.ctx(session)
        asset = media.upload(ctx, "pixel.jpg", image_bytes())
        post = content.compose(ctx, PostIn(text=f"{name} says hello #coffee", channel_ids=[world.channels["x"]],
                                           intent=Intent.PUBLISH_NOW)).post
        owner = user_by_email(session, world.users["owner"])
        assert owner is not None
        _, token = create_api_token(session, owner, "isolation", sorted(ALL_SCOPES))
        token_id = token.id
        goal_id = goals.create(ctx, goals.GoalIn(name="Posts", metric="posts_published", target=20,
                                                 due_on=date(2026, 6, 1))).id
        schedule_id = report_schedules.create(ctx, "monthly", "pdf", ["boss@example.com"]).id
    runner = Runner(db)
    runner.run_pending()
    for _ in range(48):  # let the audience comment
        clock.advance(timedelta(hours=1))
        runner.run_pending()
    with db.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post.id)).one()
        item = session.scalars(select(InboxItem).where(InboxItem.workspace_id == world.workspace_id)).first()
        assert item is not None, "the sandbox produced no comment to test with"
        ids = {"post_id": post.id, "publication_id": publication.id, "channel_id": world.channels["x"],
               "media_id": asset.id, "item_id": item.id, "token_id": token_id,
               "goal_id": goal_id, "schedule_id": schedule_id}
    ids.update(_inbox_objects(db, world, ids["item_id"]))
    return Objects(world.workspace_id, ids)


def _inbox_objects(db: Database, world: World, item_id: str) -> dict[str, str]:
    """A conversation, a saved reply, a moderation rule and a recorded action of the workspace."""
    with db.unit_of_work() as session:
        ctx = world.ctx(session)
        item = session.get(InboxItem, item_id)
        assert item is not None and item.conversation_id is not None
        saved = saved_replies.create(ctx, SavedReplyIn(name="Thanks", texts={"": "Thank you, {first_name}!"}))
        rule = rules.create(ctx, rules.RuleIn(name="Insults", conditions=rules.RuleConditions(offensive_at_least=0.9),
                                              actions=rules.RuleActions(labels=["insult"])))
        actions.add_tag(ctx, item.conversation_id, "isolation")
        session.flush()
        action = actions.history(ctx, item.conversation_id)[0]
        return {"conversation_id": item.conversation_id, "saved_reply_id": saved.id, "rule_id": rule.id,
                "action_id": action.id}


SHARED_WORLD = True  # one world for the whole module (see conftest._settings)


@dataclass
class Setup:
    a: Objects
    b: Objects
    client: TestClient
    csrf: str


@pytest.fixture(scope="module")
def setup(_template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("isolation")
    previous = clock_module.get_clock()
    with pytest.MonkeyPatch.context() as monkeypatch:
        apply_settings(monkeypatch, folder / "data")
        database = fresh_database(_template_db, folder)
        clock = install_clock()
        a = _populate(database, clock, "Brand A")
        b = _populate(database, clock, "Brand B")
        client, csrf = signed_in_client(database, "owner@branda.test")
        yield Setup(a, b, client, csrf)
        sandbox_server.reset(database.url)
        set_database(None)
        database.dispose()
    clock_module.set_clock(previous)
    reset_settings_cache()


def _routes() -> list[tuple[str, str]]:
    app = create_app()
    found = []
    for route in iter_route_contexts(app.router.routes):
        if not re.search(r"{\w+}", route.path) or route.path.startswith("/static"):
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, route.path))
    return found


ROUTES = _routes()


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], path)


def _call(s: Setup, method: str, path: str) -> int:
    kwargs: dict[str, object] = {}
    if method in ("POST", "PUT", "PATCH"):
        kwargs = {"json": {}} if path.startswith("/api/") else {"data": {"csrf_token": s.csrf}}
    return s.client.request(method, path, **kwargs).status_code


def test_the_route_table_has_workspace_routes() -> None:
    params = {p for _, path in ROUTES for p in re.findall(r"{(\w+)", path)}
    assert {"workspace_id", "post_id", "publication_id", "channel_id", "media_id", "item_id"} <= params
    assert len(ROUTES) >= 30


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_other_workspace_is_invisible(setup: Setup, method: str, path: str) -> None:
    # B's workspace with B's objects, then A's own workspace with B's objects.
    in_b = _fill(path, {"workspace_id": setup.b.workspace_id, **setup.b.ids})
    assert _call(setup, method, in_b) == 404, f"{method} {in_b} did not answer 404"
    if re.search(r"{(?!workspace_id)\w+}", path):
        mixed = _fill(path, {**setup.b.ids, "workspace_id": setup.a.workspace_id})
        assert _call(setup, method, mixed) == 404, f"{method} {mixed} did not answer 404"


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "GET"],
                         ids=[f"GET {p}" for m, p in ROUTES if m == "GET"])
def test_own_workspace_is_visible(setup: Setup, method: str, path: str) -> None:
    """The control: the same routes with A's own ids do not answer 404."""
    own = _fill(path, {"workspace_id": setup.a.workspace_id, **setup.a.ids})
    status = _call(setup, method, own)
    assert status not in (404, 500), f"{method} {own} answered {status} for its own workspace"


def test_api_token_of_a_cannot_reach_b(setup: Setup) -> None:
    with get_database().unit_of_work() as session:
        owner = user_by_email(session, "owner@branda.test")
        assert owner is not None
        secret, _ = create_api_token(session, owner, "reader", ["read"])
        assert session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id).limit(1)) is not None
    bearer = TestClient(create_app())
    headers = {"Authorization": f"Bearer {secret}"}
    assert bearer.get(f"/api/v1/workspaces/{setup.a.workspace_id}/posts", headers=headers).status_code == 200
    assert bearer.get(f"/api/v1/workspaces/{setup.b.workspace_id}/posts", headers=headers).status_code == 404
    response = bearer.get(f"/api/v1/workspaces/{setup.a.workspace_id}/posts/{setup.b.ids['post_id']}",
                          headers=headers)
    assert response.status_code == 404
