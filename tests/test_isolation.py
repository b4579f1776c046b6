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

from socialdesk.agency.models import ReviewLink, TimeEntry
from socialdesk.auth.models import ApiToken
from socialdesk.auth.service import create_api_token, user_by_email
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.contests import service as contests
from socialdesk.core import clock as clock_module
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database, get_database, set_database
from socialdesk.core.ids import new_id
from socialdesk.goals import service as goals
from socialdesk.inbox import actions, rules, saved_replies
from socialdesk.inbox.models import InboxItem
from socialdesk.inbox.saved_replies import SavedReplyIn
from socialdesk.jobs.runner import Runner
from socialdesk.media import service as media
from socialdesk.networks.sandbox import server as sandbox_server
from socialdesk.reports import schedules as report_schedules
from socialdesk.web.app import create_app
from socialdesk.workspaces.models import Invitation, Membership
from socialdesk.workspaces.permissions import ALL_SCOPES
from tests.helpers import World, apply_settings, fresh_database, image_bytes, install_clock, make_world
from tests.web_client import signed_in_client, web_app


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
        draft = content.compose(ctx, PostIn(text=f"{name} draft", channel_ids=[world.channels["x"]],
                                            intent=Intent.DRAFT)).post
        draft_id = draft.id
        draft_publication_id = content.publications(ctx, draft)[0].id
        owner = user_by_email(session, world.users["owner"])
        assert owner is not None
        _, token = create_api_token(session, owner, "isolation", sorted(ALL_SCOPES))
        token_id = token.id
        goal_id = goals.create(ctx, goals.GoalIn(name="Posts", metric="posts_published", target=20,
                                                 due_on=date(2026, 6, 1))).id
        schedule_id = report_schedules.create(ctx, "monthly", "pdf", ["boss@example.com"]).id
        editor = user_by_email(session, world.users["editor"])
        assert editor is not None
        member_id = session.scalars(select(Membership.id).where(Membership.user_id == editor.id)).one()
        invitation = Invitation(workspace_id=world.workspace_id, email=f"invited@{name}.test", role="viewer",
                                token_hash=new_id(), expires_at=clock.now() + timedelta(days=7))
        session.add(invitation)
        review_link = ReviewLink(workspace_id=world.workspace_id, email=f"client@{name}.test", token_hash=new_id(),
                                 expires_at=clock.now() + timedelta(days=7))
        session.add(review_link)
        time_entry = TimeEntry(workspace_id=world.workspace_id, user_id=owner.id, started_at=clock.now(),
                               ended_at=clock.now(), minutes=30)
        session.add(time_entry)
        session.flush()
        invitation_id, user_id, review_link_id, time_entry_id = invitation.id, editor.id, review_link.id, time_entry.id
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
               "goal_id": goal_id, "schedule_id": schedule_id, "member_id": member_id,
               "invitation_id": invitation_id, "user_id": user_id, "draft_id": draft_id,
               "review_link_id": review_link_id, "time_entry_id": time_entry_id,
               "draft_publication_id": draft_publication_id}
    ids.update(_inbox_objects(db, world, ids["item_id"]))
    with db.unit_of_work() as session:
        ids["contest_id"] = contests.create(world.ctx(session), name="Giveaway", opens_at=clock.now(),
                                            closes_at=clock.now() + timedelta(days=1),
                                            publication_ids=[ids["publication_id"]]).id
        from socialdesk.quizzes import service as quizzes

        ids["quiz_id"] = quizzes.create(world.ctx(session), name="Quiz", channel_ids=[world.channels["x"]], questions=[
            quizzes.QuestionIn("Which bean?", ["arabica"], clock.now() + timedelta(days=1),
                               clock.now() + timedelta(days=2))]).id
    ids.update(_collab_objects(db, world, ids["post_id"]))
    with db.unit_of_work() as session:
        from socialdesk.studio.writing import service as writing

        ids["word_id"] = writing.add_word(world.ctx(session), "Kavomat").id
        from socialdesk.campaigns import service as campaigns

        ids["campaign_id"] = campaigns.create(world.ctx(session), name="Launch", budget=100.0).id
        from socialdesk.campaigns import audiences
        from socialdesk.campaigns.models import AdRequest

        ids["audience_id"] = audiences.save(world.ctx(session), name="Coffee lovers", spec={"locations": "HR"}).id
        ad_request = AdRequest(workspace_id=world.workspace_id, campaign_id=ids["campaign_id"], kind="boost",
                               params={"ad_account": "111", "daily_budget": 5, "days": 3})
        session.add(ad_request)
        session.flush()
        ids["request_id"] = ad_request.id
    ids.update(_listening_objects(db, world))
    ids.update(_links_objects(db, world))
    return Objects(world.workspace_id, ids)


def _listening_objects(db: Database, world: World) -> dict[str, str]:
    """A listening monitor (on a feed nobody fetches here) with one mention, and a content pillar."""
    from socialdesk.listening import service as listening
    from socialdesk.listening.models import Mention
    from socialdesk.strategy.models import ContentPillar

    with db.unit_of_work() as session:
        monitor = listening.add_monitor(world.ctx(session), name="Brand", terms=["kava"],
                                        sources=["rss:https://news.example.com/feed.xml"])
        mention = Mention(workspace_id=world.workspace_id, monitor_id=monitor.id, dedupe_key="k", text_key="t",
                          source="rss:https://news.example.com/feed.xml", text="kava", posted_at=clock_module.now())
        session.add(mention)
        pillar = ContentPillar(workspace_id=world.workspace_id, name="Education", target_share=0.4)
        session.add(pillar)
        from socialdesk.strategy.models import KeyDate

        key_date = KeyDate(workspace_id=world.workspace_id, name="Christmas", kind="holiday",
                           starts_on=clock_module.now().date(), ends_on=clock_module.now().date())
        session.add(key_date)
        from socialdesk.competitors import service as competitors

        rival = competitors.add(world.ctx(session), network="bluesky", handle="rival.bsky.social",
                                service="https://appview.example.com")
        session.flush()
        return {"monitor_id": monitor.id, "mention_id": mention.id, "pillar_id": pillar.id, "competitor_id": rival.id,
                "key_date_id": key_date.id}


def _links_objects(db: Database, world: World) -> dict[str, str]:
    """A calendar feed and an RSS/Atom feed of the workspace."""
    from socialdesk.links.models import CalendarFeed, NewsFeed

    with db.unit_of_work() as session:
        calendar = CalendarFeed(workspace_id=world.workspace_id, token_hash=new_id(), label="Team")
        feed = NewsFeed(workspace_id=world.workspace_id, url="https://blog.example.com/feed",
                        channel_ids=[world.channels["x"]])
        session.add_all([calendar, feed])
        session.flush()
        return {"calendar_feed_id": calendar.id, "news_feed_id": feed.id}


def _collab_objects(db: Database, world: World, post_id: str) -> dict[str, str]:
    """A team comment on a post, a chat webhook and an outgoing webhook of the workspace."""
    from socialdesk.comments import service as team_comments
    from socialdesk.core.crypto import encrypt_json
    from socialdesk.integrations.models import OutgoingWebhook
    from socialdesk.notifications.models import ChatWebhook

    with db.unit_of_work() as session:
        ctx = world.ctx(session)
        comment = team_comments.add(ctx, post_id, "Looks good")
        chat = ChatWebhook(workspace_id=world.workspace_id, name="Team", flavour="slack",
                           url_encrypted=encrypt_json({"url": "https://hooks.example.com/x"}), events=["mention"])
        hook = OutgoingWebhook(workspace_id=world.workspace_id, name="CRM", url="https://crm.example.com/hook",
                               secret_encrypted=encrypt_json({"secret": "s"}), events=["post.published"])
        session.add_all([chat, hook])
        session.flush()
        return {"comment_id": comment.id, "chat_webhook_id": chat.id, "webhook_id": hook.id}


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
        if "{invitation_token}" in route.path:
            continue  # a capability link, not a workspace's object: whoever holds it may open it
        if route.path.startswith("/review/"):
            continue  # a client's review link: tests/agency/test_review_links.py shows it opens nothing else
        if route.path.startswith("/draws/"):
            continue  # a drawn contest's public record, for anyone (tests/contests/test_announce_results_links.py)
        if route.path.startswith("/password-reset/"):
            continue  # a person's own reset link, not a workspace's object (tests/test_password_reset.py)
        if route.path.startswith(("/l/", "/bio/", "/ical/")):
            continue  # public by design (short links, link-in-bio page, a secret iCal address): tests/links/
        if route.path.startswith(("/public-media/", "/webhooks/")):
            continue  # called by networks: a signed token, or the network's signature (test_network_infrastructure)

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
    bearer = TestClient(web_app())
    headers = {"Authorization": f"Bearer {secret}"}
    assert bearer.get(f"/api/v1/workspaces/{setup.a.workspace_id}/posts", headers=headers).status_code == 200
    assert bearer.get(f"/api/v1/workspaces/{setup.b.workspace_id}/posts", headers=headers).status_code == 404
    response = bearer.get(f"/api/v1/workspaces/{setup.a.workspace_id}/posts/{setup.b.ids['post_id']}",
                          headers=headers)
    assert response.status_code == 404


# Ids in bodies and query strings ---------------------------------------------------------------------------
# A's workspace in the path, one of B's objects in the body or the query: refused (404/422), or for a filter,
# answered without anything of B. Every id field of the API is listed, so a new one must be added here.


@dataclass(frozen=True)
class Cross:
    method: str
    path: str  # the route, as in the route table
    field: str  # the body field or query parameter that carries B's id
    body: dict[str, object] | None = None
    query: str = ""
    is_filter: bool = False  # a query filter may answer 200, as long as nothing of B comes back
    per_item: bool = False  # a bulk action answers 200 with each id's outcome: B's must be among the failed


def _cross_cases(a: Objects, b: Objects) -> list[Cross]:
    ws = "/api/v1/workspaces/{workspace_id}"
    rule = {"name": "x", "conditions": {"keywords": ["x"]}, "actions": {"labels": ["x"]}}
    goal = {"name": "x", "metric": "posts_published", "target": 1, "due_on": "2026-06-01"}
    return [
        Cross("POST", "/api/v1/me/tokens", "workspace_id",
              {"name": "x", "scopes": ["posts:read"], "workspace_id": b.workspace_id}),
        *[Cross("POST", ws + path, "channel_ids", {"text": "x", "channel_ids": [b.ids["channel_id"]]})
          for path in ("/posts", "/posts/check")],
        *[Cross("POST", ws + path, "media_ids", {"text": "x", "channel_ids": [a.ids["channel_id"]],
                                                  "media_ids": [b.ids["media_id"]]})
          for path in ("/posts", "/posts/check")],
        Cross("PATCH", ws + "/posts/{post_id}", "channel_ids", {"text": "x", "channel_ids": [b.ids["channel_id"]]}),
        Cross("PATCH", ws + "/posts/{post_id}", "media_ids", {"text": "x", "channel_ids": [a.ids["channel_id"]],
                                                              "media_ids": [b.ids["media_id"]]}),
        Cross("PATCH", ws + "/publications/{publication_id}", "media_ids", {"media_ids": [b.ids["media_id"]]}),
        Cross("POST", ws + "/posts/{post_id}/comments", "parent_id", {"body": "x", "parent_id": b.ids["comment_id"]}),
        Cross("PUT", ws + "/queue/slots", "channel_id", {"channel_id": b.ids["channel_id"], "slots": []}),
        Cross("GET", ws + "/queue/next-slot", "channel_ids", query=f"channel_ids={b.ids['channel_id']}"),
        Cross("GET", ws + "/posts", "channel_id", query=f"channel_id={b.ids['channel_id']}", is_filter=True),
        *[Cross("GET", ws + "/inbox/conversations", name, query=f"{name}={b.ids[key]}", is_filter=True)
          for name, key in (("channel_id", "channel_id"), ("publication_id", "publication_id"),
                            ("assignee_id", "user_id"))],
        *[Cross("GET", ws + "/inbox", name, query=f"{name}={b.ids[name]}", is_filter=True)
          for name in ("channel_id", "publication_id")],
        Cross("POST", ws + "/inbox/conversations/bulk", "conversation_ids",
              {"conversation_ids": [b.ids["conversation_id"]], "action": "close"}, per_item=True),
        Cross("POST", ws + "/inbox/conversations/bulk", "user_id",
              {"conversation_ids": [a.ids["conversation_id"]], "action": "assign", "user_id": b.ids["user_id"]},
              per_item=True),
        Cross("POST", ws + "/inbox/conversations/{conversation_id}/assign", "user_id", {"user_id": b.ids["user_id"]}),
        *[Cross(method, ws + path, "conditions.channel_ids",
                {**rule, "conditions": {"channel_ids": [b.ids["channel_id"]]}})
          for method, path in (("POST", "/inbox/rules"), ("PUT", "/inbox/rules/{rule_id}"))],
        *[Cross(method, ws + path, "actions.assign_to", {**rule, "actions": {"assign_to": b.ids["user_id"]}})
          for method, path in (("POST", "/inbox/rules"), ("PUT", "/inbox/rules/{rule_id}"))],
        *[Cross(method, ws + path, "actions.draft_reply",
                {**rule, "actions": {"draft_reply": b.ids["saved_reply_id"]}})
          for method, path in (("POST", "/inbox/rules"), ("PUT", "/inbox/rules/{rule_id}"))],
        Cross("POST", ws + "/inbox/triage", "channel_id",
              {"texts": [{"text": "hi"}], "channel_id": b.ids["channel_id"]}),
        Cross("GET", ws + "/analytics/best-time/next-slot", "channel_ids", query=f"channel_ids={b.ids['channel_id']}"),
        Cross("GET", ws + "/analytics/key-dates", "channel_id", query=f"channel_id={b.ids['channel_id']}"),
        Cross("POST", ws + "/goals", "channel_id", {**goal, "channel_id": b.ids["channel_id"]}),
        Cross("PUT", ws + "/report-branding", "logo_media_id", {"logo_media_id": b.ids["media_id"]}),
        Cross("POST", ws + "/review-links", "post_ids", {"email": "client@a.test", "post_ids": [b.ids["post_id"]]}),
        Cross("POST", ws + "/mentions/{mention_id}/reply", "channel_id", {"channel_id": b.ids["channel_id"],
                                                                          "text": "x"}),
    ]


def _id_fields() -> set[tuple[str, str, str]]:
    """Every (method, path, field) of the OpenAPI whose query parameter or body field holds an object id."""
    spec = create_app().openapi()
    schemas = spec["components"]["schemas"]

    def names(schema: dict[str, object], prefix: str = "") -> list[str]:
        if "$ref" in schema:
            schema = schemas[str(schema["$ref"]).rsplit("/", 1)[1]]
        found = []
        for key, sub in dict(schema.get("properties", {})).items():  # type: ignore[call-overload]
            found.append(prefix + key)
            for inner in [sub, *sub.get("anyOf", [])]:
                if "$ref" in inner:
                    found += names(inner, f"{prefix}{key}.")
        return found

    ids = re.compile(r"(_ids?|assign_to|draft_reply)$")
    fields = set()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            candidates = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            for content_type in op.get("requestBody", {}).get("content", {}).values():
                candidates += names(content_type["schema"])
            fields |= {(method.upper(), path, name) for name in candidates if ids.search(name)}
    return fields


def test_every_id_field_of_the_api_is_tried_with_another_workspaces_id(setup: Setup) -> None:
    tried = {(c.method, c.path, c.field) for c in _cross_cases(setup.a, setup.b)}
    assert _id_fields() - tried == set(), "add these id fields to _cross_cases"


def _cross_ids(s: Setup) -> list[str]:
    return [f"{c.method} {c.path} {c.field}" for c in _cross_cases(s.a, s.b)]


@pytest.mark.parametrize("index", range(33))
def test_another_workspaces_id_in_a_body_or_query_is_refused(setup: Setup, index: int) -> None:
    cases = _cross_cases(setup.a, setup.b)
    assert len(cases) == 33, "keep the parametrize range equal to the number of cases"
    case = cases[index]
    own = {**setup.a.ids, "post_id": setup.a.ids["draft_id"], "publication_id": setup.a.ids["draft_publication_id"]}
    url = _fill(case.path, {"workspace_id": setup.a.workspace_id, **own}) + (f"?{case.query}" if case.query else "")
    response = setup.client.request(case.method, url, json=case.body)
    where = f"{case.method} {url} {case.field}: {response.status_code} {response.text[:300]}"
    assert "Brand B" not in response.text, where
    if case.is_filter:
        assert response.status_code in (200, 404, 422), where
    elif case.per_item and response.status_code == 200:
        outcome = response.json()
        assert outcome["done"] == [] and len(outcome["failed"]) == 1, where
    else:
        assert response.status_code in (404, 422), where


def test_pages_refuse_another_workspaces_ids_in_forms_and_queries(setup: Setup) -> None:
    a, b, client = setup.a, setup.b, setup.client
    w = f"/w/{a.workspace_id}"
    for path in (f"/compose?channel={b.ids['channel_id']}", f"/posts?channel={b.ids['channel_id']}",
                 f"/compose/best-time?channel_ids={b.ids['channel_id']}",
                 f"/inbox?channel={b.ids['channel_id']}", f"/inbox?c={b.ids['conversation_id']}"):
        response = client.get(w + path)
        assert response.status_code in (200, 404, 422) and "Brand B" not in response.text, path
    forms: list[tuple[str, dict[str, object]]] = [
        ("/compose", {"text": "x", "channel_ids": b.ids["channel_id"], "intent": "draft"}),
        ("/compose", {"text": "x", "channel_ids": a.ids["channel_id"], "media_ids": b.ids["media_id"],
                      "intent": "draft"}),
        ("/goals", {"name": "x", "metric": "posts_published", "target": "1", "due_on": "2026-06-01",
                    "channel_id": b.ids["channel_id"]}),
        ("/reports/branding", {"logo_media_id": b.ids["media_id"], "accent_colour": "#112233"}),
        (f"/inbox/c/{a.ids['conversation_id']}/assign", {"user_id": b.ids["user_id"]}),
        ("/inbox/bulk", {"conversation_ids": b.ids["conversation_id"], "action": "close"}),
        ("/inbox/setup/rules", {"name": "x", "channel_ids": b.ids["channel_id"], "labels": "x"}),
    ]
    for path, data in forms:
        response = client.post(w + path, data={**data, "csrf_token": setup.csrf})
        said = response.cookies.get("sd_flash", "")
        assert "Brand B" not in response.text, path
        if response.status_code == 303:
            refused = "errors%22%3A%20%5B%22" in said or "%220%20conversations%20updated" in said  # bulk: none done
            assert refused, f"{path} accepted another workspace's id: {said}"
        else:
            assert response.status_code in (404, 422), f"{path}: {response.status_code}"
