"""Issue 12's "done when" for Threads, through the command line with SOCIALDESK_THREADS_API_URL at the
contract server: a text post publishes exactly once (one container, one publish, the right parameters),
replies arrive in the inbox triaged, a reply goes out (through the API with a token the CLI made: the CLI
has no inbox commands), and metrics are stored."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.cli import app
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from tests.contract.threads import ThreadsContract
from tests.helpers import make_world
from tests.web_client import web_app

runner = CliRunner()


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_a_threads_post_through_the_cli_once_then_inbox_reply_and_metrics(
        database: Database, threads: ThreadsContract, clock: ManualClock) -> None:
    world = make_world(database, "Threads CLI", profiles=(), roles=())
    w = world.workspace_id
    out = _cli("channel", "add", "threads", "--workspace", w, "--name", "Brand on Threads",
               "--field", f"threads_user_id={threads.user_id}", "--field", f"access_token={threads.token}")
    assert "Connected Brand on Threads (threads brand)" in out

    text = "New single origin from Huila 🇨🇴 — on the bar from today."
    created = _cli("post", "create", "-w", w, "--channel", "Brand on Threads", "--text", text, "--now")
    post_id = created.strip().splitlines()[-1]
    _cli("run-jobs")
    creates = threads.server.calls_to("POST", r"/v1\.0/\d+/threads")
    publishes = threads.server.calls_to("POST", r"/v1\.0/\d+/threads_publish")
    assert len(creates) == 1 and len(publishes) == 1
    made = creates[0].form()
    assert made == {"media_type": "TEXT", "text": text, "access_token": threads.token}
    assert creates[0].path == f"/v1.0/{threads.user_id}/threads"
    assert publishes[0].form() == {"creation_id": next(iter(threads.containers)), "access_token": threads.token}
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
    assert publication.status == PublicationStatus.PUBLISHED and publication.external_id
    assert [m.id for m in threads.posts()] == [publication.external_id]
    assert "published" in _cli("post", "show", post_id, "-w", w).lower()
    _cli("run-jobs")  # nothing goes out twice
    assert len(threads.server.calls_to("POST", r"/v1\.0/\d+/threads_publish")) == 1

    # People reply; the periodic fetch brings the replies in and triage runs.
    clock.advance(timedelta(minutes=3))
    question = threads.add_reply(publication.external_id, "ana", "Is it available as beans to take home?")
    threads.add_reply(question.id, "marko", "Same question here")
    clock.advance(timedelta(minutes=3))
    _cli("run-jobs")
    with database.read_sessions() as session:
        items = list(session.scalars(select(InboxItem).where(InboxItem.workspace_id == w)))
    assert {i.text for i in items} == {"Is it available as beans to take home?", "Same question here"}
    assert all(i.publication_id == publication.id for i in items)
    assert all(i.triaged_at is not None for i in items), "triaged"

    # A reply goes out, as a Threads reply to the waiting message.
    secret = _cli("token", "create", "--email", world.users["owner"], "--name", "ci", "--scope", "inbox:read",
                  "--scope", "inbox:write", "--workspace", w).strip().splitlines()[-1]
    api = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    conversations = api.get(f"/api/v1/workspaces/{w}/inbox/conversations").json()
    listed = conversations["items"] if isinstance(conversations, dict) else conversations
    assert listed, conversations
    answered = api.post(f"/api/v1/workspaces/{w}/inbox/conversations/{listed[0]['id']}/reply",
                        json={"text": "Yes, 250 g bags at the bar!"})
    assert answered.status_code == 200, answered.text
    reply_create = threads.server.calls_to("POST", r"/v1\.0/\d+/threads")[-1].form()
    assert reply_create["media_type"] == "TEXT" and reply_create["text"] == "Yes, 250 g bags at the bar!"
    assert reply_create["reply_to_id"] in {m.id for m in threads.media.values() if m.username in ("ana", "marko")}
    assert len(threads.posts(replies=True)) == 1

    # Metrics: the hourly collection stores the post's insights and the followers (the first collection, before
    # Threads had numbers for the post, stored None: "not available").
    threads.media[publication.external_id].insights = {"views": 321, "likes": 12, "replies": 2, "reposts": 1,
                                                       "quotes": 0, "shares": 4}
    clock.advance(timedelta(hours=2))
    _cli("run-jobs")
    with database.read_sessions() as session:
        snapshot = session.scalars(select(PublicationMetricSnapshot).where(
            PublicationMetricSnapshot.publication_id == publication.id).order_by(
            PublicationMetricSnapshot.collected_at.desc())).first()
        account = session.scalars(select(ChannelMetricSnapshot)).first()
    assert snapshot is not None and (snapshot.views, snapshot.likes, snapshot.comments, snapshot.reposts,
                                     snapshot.quotes) == (321, 12, 2, 1, 0)
    assert snapshot.reach is None and snapshot.saves is None  # Threads does not give them: not 0
    assert account is not None and account.followers == 1234
