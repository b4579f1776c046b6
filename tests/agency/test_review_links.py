"""Review links: a client approves, or asks for changes, through an e-mailed link without an account, sees
the chosen posts as each network shows them and nothing else of the workspace, and every decision is on
record with the link it came through. Revoked and expired links open nothing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import Message

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.agency import review_links
from socialdesk.agency.models import ReviewLink
from socialdesk.audit.models import AuditEntry
from socialdesk.content import service as content
from socialdesk.content.models import ApprovalDecision, Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.media import service as media
from tests.helpers import World, image_bytes, make_world
from tests.mail import smtp_server_fixture  # noqa: F401
from tests.web_client import signed_in_client, web_app


@dataclass
class Posts:
    ready: str  # waits for the client, with a picture
    second: str  # waits for the client too
    internal: str  # still waits for the approver
    other: str  # not shared
    picture: str
    other_picture: str


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, "Kava", profiles=("x", "facebook"), approval_steps=["approver", "client_reviewer"])


def _post(db: Database, world: World, clock: ManualClock, text: str, media_ids: list[str], approve: bool,
          days: int = 3) -> str:
    with db.unit_of_work() as session:
        post_id = content.compose(world.ctx(session, "editor"), PostIn(
            text=text, channel_ids=[world.channels["x"], world.channels["facebook"]], media_ids=media_ids,
            scheduled_at=clock.now() + timedelta(days=days), intent=Intent.DRAFT)).post.id
        content.submit(world.ctx(session, "editor"), post_id)
    if approve:
        with db.unit_of_work() as session:
            content.approve(world.ctx(session, "approver"), post_id, "Internal: the boss likes it")
    return post_id


@pytest.fixture
def posts(database: Database, world: World, clock: ManualClock) -> Posts:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        picture = media.upload(ctx, "latte.jpg", image_bytes(1)).id
        other_picture = media.upload(ctx, "secret.jpg", image_bytes(2)).id
    return Posts(
        ready=_post(database, world, clock, "Latte art Tuesday #coffee", [picture], True),
        second=_post(database, world, clock, "Cold brew is back", [], True),
        internal=_post(database, world, clock, "Draft of the winter menu", [], False),
        other=_post(database, world, clock, "Unshared secret launch", [other_picture], True),
        picture=picture, other_picture=other_picture)


def _send(database: Database, world: World, smtp: list[Message], **form: object) -> str:
    client, _ = signed_in_client(database, world.users["approver"])
    response = client.post(f"/w/{world.workspace_id}/review-links", data=form)
    assert response.status_code == 200, response.text
    body = smtp[-1].get_payload()
    assert isinstance(body, str)
    found = re.search(r"http://testserver/review/(\S+)", body)
    assert found, body
    assert found.group(0) in response.text  # the sender sees the address once
    return found.group(1)


def test_a_client_approves_without_an_account(database: Database, world: World, posts: Posts,
                                              smtp_server: list[Message]) -> None:
    secret = _send(database, world, smtp_server, email="Client@Example.com", message="Please look by Friday",
                   post_ids=[posts.ready, posts.second, posts.internal], days="7")
    assert smtp_server[-1]["To"] == "client@example.com"
    with database.read_sessions() as session:
        link = session.scalars(select(ReviewLink)).one()
        assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest()  # only the hash is kept
        assert secret not in repr([getattr(link, c.key) for c in ReviewLink.__table__.columns])
    anonymous = TestClient(web_app(), follow_redirects=False)
    page = anonymous.get(f"/review/{secret}")
    assert page.status_code == 200
    assert "sd_session" not in page.headers.get("set-cookie", "")
    assert "Latte art Tuesday" in page.text and "Cold brew is back" in page.text
    assert "Please look by Friday" in page.text
    assert "Still in internal review" in page.text  # the approver has not decided it yet: no buttons
    assert f"/review/{secret}/posts/{posts.internal}/approve" not in page.text
    assert "Unshared secret launch" not in page.text
    assert "the boss likes it" not in page.text  # the team's internal comments stay inside
    assert page.text.count('class="preview"') == 6  # each post as each of its two networks shows it
    assert anonymous.get(f"/review/{secret}/media/{posts.picture}").status_code == 200
    assert anonymous.get(f"/review/{secret}/media/{posts.other_picture}").status_code == 404

    done = anonymous.post(f"/review/{secret}/posts/{posts.ready}/approve", data={"comment": "Lovely"})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#post-{posts.ready}")
    no_comment = anonymous.post(f"/review/{secret}/posts/{posts.second}/changes", data={"comment": " "})
    assert no_comment.status_code == 303  # back to the page with the error: a comment is needed
    assert "needs a comment" in anonymous.get(no_comment.headers["location"].split("#")[0]).text
    changes = anonymous.post(f"/review/{secret}/posts/{posts.second}/changes", data={"comment": "Say 'iced'"})
    assert changes.status_code == 303
    not_yet = anonymous.post(f"/review/{secret}/posts/{posts.internal}/approve", data={})
    assert not_yet.status_code == 303  # the approver's turn first: said on the page, nothing decided
    assert "waiting for an approver, not for your role" in anonymous.get(f"/review/{secret}").text
    assert anonymous.post(f"/review/{secret}/posts/{posts.other}/approve", data={}).status_code == 404

    with database.read_sessions() as session:
        statuses = dict(session.execute(select(Publication.post_id, Publication.status)).all())
        assert statuses[posts.ready] == "scheduled" and statuses[posts.second] == "draft"
        assert statuses[posts.internal] == "pending_approval" and statuses[posts.other] == "pending_approval"
        decisions = session.scalars(select(ApprovalDecision).where(ApprovalDecision.review_link_id == link.id)
                                    .order_by(ApprovalDecision.created_at)).all()
        assert [(d.post_id, d.decision, d.step, d.comment, d.user_id) for d in decisions] == [
            (posts.ready, "approved", "client_reviewer", "Lovely", None),
            (posts.second, "rejected", "client_reviewer", "Say 'iced'", None)]
        assert {d.by_label for d in decisions} == {"client@example.com (review link)"}
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action.in_(["post.approve", "post.reject"]),
                                                         AuditEntry.actor_user_id.is_(None))).all()
        assert {(a.object_id, a.details["review_link_id"], a.actor_label) for a in audit} == {
            (posts.ready, link.id, "client@example.com (review link)"),
            (posts.second, link.id, "client@example.com (review link)")}
        out = content.to_out(world.ctx(session), [content.get_post(world.ctx(session), posts.ready)])[0]
        assert out.approvals[-1].by == "client@example.com (review link)"
        assert out.approvals[-1].review_link_id == link.id
    page = anonymous.get(f"/review/{secret}")
    assert "You approved" in page.text and "You asked for changes" in page.text


def test_nothing_else_is_reachable_and_revoked_or_expired_links_open_nothing(
        database: Database, world: World, posts: Posts, clock: ManualClock, smtp_server: list[Message]) -> None:
    secret = _send(database, world, smtp_server, email="client@example.com", post_ids=[posts.ready])
    anonymous = TestClient(web_app(), follow_redirects=False)
    assert anonymous.get(f"/review/{secret}").status_code == 200
    ws = world.workspace_id
    cookie = TestClient(web_app(), follow_redirects=False, cookies={"sd_session": secret})
    # The link is no key to anything else: the workspace's pages and API want a sign-in, the secret is no token.
    for path in (f"/w/{ws}/inbox", f"/w/{ws}/analytics", f"/w/{ws}/posts", f"/w/{ws}/posts/{posts.other}",
                 f"/w/{ws}/approvals"):
        response = anonymous.get(path)
        assert response.status_code in (303, 401) and "/login" in response.headers.get("location", "/login"), path
    for path in (f"/api/v1/workspaces/{ws}/inbox/conversations", f"/api/v1/workspaces/{ws}/analytics/dashboard",
                 f"/api/v1/workspaces/{ws}/posts", f"/api/v1/workspaces/{ws}/media/{posts.other_picture}/file"):
        assert anonymous.get(path, headers={"Authorization": f"Bearer {secret}"}).status_code == 401, path
        assert cookie.get(path).status_code == 401, path
    assert anonymous.get(f"/review/{secret}/media/{posts.other_picture}").status_code == 404
    assert anonymous.post(f"/review/{secret}/posts/{posts.other}/approve", data={}).status_code == 404
    assert anonymous.get(f"/review/{secret[:-2]}").status_code == 404  # a wrong secret
    assert anonymous.get("/review/x").status_code == 404

    approver, _ = signed_in_client(database, world.users["approver"])
    with database.read_sessions() as session:
        link_id = session.scalars(select(ReviewLink.id)).one()
    assert approver.post(f"/w/{ws}/review-links/{link_id}/revoke", data={}).status_code == 303
    assert anonymous.get(f"/review/{secret}").status_code == 410
    assert "revoked" in anonymous.get(f"/review/{secret}").text
    assert anonymous.post(f"/review/{secret}/posts/{posts.ready}/approve", data={}).status_code == 410
    assert anonymous.get(f"/review/{secret}/media/{posts.picture}").status_code == 410
    with database.read_sessions() as session:
        statuses = set(session.scalars(select(Publication.status).where(Publication.post_id == posts.ready)))
    assert statuses == {"pending_approval"}

    later = _send(database, world, smtp_server, email="client@example.com", post_ids=[posts.ready], days="3")
    assert anonymous.get(f"/review/{later}").status_code == 200
    clock.advance(timedelta(days=3, minutes=1))
    assert anonymous.get(f"/review/{later}").status_code == 410
    assert anonymous.post(f"/review/{later}/posts/{posts.ready}/approve", data={}).status_code == 410
    listing = approver.get(f"/w/{ws}/review-links").text
    assert "revoked" in listing and "expired" in listing


def test_a_calendar_range(database: Database, world: World, posts: Posts, clock: ManualClock,
                          smtp_server: list[Message]) -> None:
    later = _post(database, world, clock, "Next month's post", [], True, days=40)
    day = clock.now().date()
    secret = _send(database, world, smtp_server, email="client@example.com", **{
        "from": str(day), "to": str(day + timedelta(days=7))})
    page = TestClient(web_app()).get(f"/review/{secret}")
    assert "Latte art Tuesday" in page.text and "Unshared secret launch" in page.text
    assert "Next month's post" not in page.text
    assert TestClient(web_app()).post(f"/review/{secret}/posts/{later}/approve", data={}).status_code == 404


def test_who_may_send_which_posts(database: Database, world: World, posts: Posts,
                                  smtp_server: list[Message]) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "client_reviewer")  # may share what waits for it, nothing more
        review_links.create(ctx, review_links.LinkIn("boss@client.test", [posts.ready]), lambda s: s)
        with pytest.raises(NotFound):
            review_links.create(ctx, review_links.LinkIn("boss@client.test", [posts.internal]), lambda s: s)
        with pytest.raises(ValidationFailed, match="not both"):
            review_links.create(world.ctx(session, "approver"), review_links.LinkIn(
                "boss@client.test", [posts.ready], date(2026, 3, 1), date(2026, 3, 2)), lambda s: s)
    viewer, _ = signed_in_client(database, world.users["viewer"])
    refused = viewer.post(f"/w/{world.workspace_id}/review-links", data={"email": "a@b.c", "post_ids": posts.ready})
    assert refused.status_code == 403


def test_the_api(database: Database, world: World, posts: Posts, smtp_server: list[Message]) -> None:
    client, _ = signed_in_client(database, world.users["approver"])
    base = f"/api/v1/workspaces/{world.workspace_id}/review-links"
    made = client.post(base, json={"email": "client@example.com", "post_ids": [posts.ready], "days_valid": 5})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["url"].startswith("http://testserver/review/") and body["state"] == "active" and body["posts"] == 1
    listed = client.get(base).json()
    assert [link["id"] for link in listed] == [body["id"]] and listed[0]["url"] is None  # given once only
    assert client.post(f"{base}/{body['id']}/revoke").json()["state"] == "revoked"
    assert TestClient(web_app()).get(body["url"].removeprefix("http://testserver")).status_code == 410


def test_the_review_page_wears_the_workspace_report_branding(database: Database, world: World, posts: Posts,
                                                             smtp_server: list[Message]) -> None:
    from socialdesk.reports import service as reports
    from socialdesk.workspaces import service as workspaces

    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        logo = media.upload(ctx, "logo.png", image_bytes(3, fmt="PNG")).id
        reports.save_branding(ctx, logo_media_id=logo, accent_colour="#aa3300", title="", footer="Kava d.o.o., Split")
        workspaces.update_settings(ctx, brand_colour="#0b7285")
    secret = _send(database, world, smtp_server, email="client@example.com", post_ids=[posts.ready])
    anonymous = TestClient(web_app())
    page = anonymous.get(f"/review/{secret}").text
    assert f'src="/review/{secret}/logo"' in page and "--primary: #0b7285" in page and "Kava d.o.o., Split" in page
    assert anonymous.get(f"/review/{secret}/logo").headers["content-type"].startswith("image/")
    # The logo is the only media of the workspace the link opens besides its posts' own.
    assert anonymous.get(f"/review/{secret}/media/{logo}").status_code == 404
