"""Comments on posts: threads, resolving, who sees them, and a mention that reaches the member in the app,
by e-mail (a local SMTP server) and in a Slack-compatible chat (a local HTTP server)."""

from __future__ import annotations

import json
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from socialdesk.auth.service import user_by_email
from socialdesk.content import service as content
from socialdesk.content.schemas import PostIn
from socialdesk.core.db import Database
from socialdesk.jobs.runner import Runner
from socialdesk.notifications.models import ChatWebhook, PersonalNotification
from tests.helpers import World, allow_private_targets, make_world, serving
from tests.mail import smtp_server_fixture  # noqa: F401  (the smtp_server fixture)
from tests.web_client import signed_in_client


@pytest.fixture
def world(database: Database, clock: object) -> World:
    return make_world(database)


def _post(database: Database, world: World, text: str = "Spring sale starts Monday") -> str:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        return content.compose(ctx, PostIn(text=text, channel_ids=[world.channels["x"]])).post.id


class ChatServer(HTTPServer):
    """A Slack-compatible incoming webhook: keeps every JSON body POSTed to it and answers "ok"."""

    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                outer.received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/services/T000/B000/XXXX"


def test_a_mention_notifies_the_member_in_the_app_by_email_and_in_slack(
        database: Database, world: World, smtp_server: list[Message], monkeypatch: pytest.MonkeyPatch) -> None:
    allow_private_targets(monkeypatch)
    post_id = _post(database, world)
    owner, _ = signed_in_client(database, world.users["owner"])
    editor, _ = signed_in_client(database, world.users["editor"])
    chat = ChatServer()
    with serving(chat):
        answer = owner.post(f"/api/v1/workspaces/{world.workspace_id}/chat-webhooks",
                            json={"name": "Team", "flavour": "slack", "url": chat.url, "events": ["mention"]})
        assert answer.status_code == 201, answer.text
        assert chat.url not in answer.text  # the address is a secret: never shown back

        answer = editor.post(f"/api/v1/workspaces/{world.workspace_id}/posts/{post_id}/comments",
                             json={"body": "@approver can you check the price <b>before</b> Friday?"})
        assert answer.status_code == 201, answer.text
        with database.read_sessions() as session:
            approver = user_by_email(session, world.users["approver"])
            assert approver is not None
        assert answer.json()["mentions"] == [approver.id]

        Runner(database).run_pending()

        # In the app: the approver's own notifications, and nobody else's.
        mine = signed_in_client(database, world.users["approver"])[0].get(
            f"/api/v1/workspaces/{world.workspace_id}/notifications/mine").json()
        assert [n["event"] for n in mine] == ["mention"]
        assert "can you check the price" in mine[0]["message"] and mine[0]["link"].endswith(
            f"/posts/{post_id}#comment-{answer.json()['id']}")
        assert editor.get(f"/api/v1/workspaces/{world.workspace_id}/notifications/mine").json() == []
        # By e-mail, at once (the default preference).
        assert [m["To"] for m in smtp_server] == [world.users["approver"]]
        assert "mentioned you" in smtp_server[0]["Subject"]
        # In the team's Slack, with the comment's text escaped as Slack's format asks.
        assert len(chat.received) == 1
        text = str(chat.received[0]["text"])
        assert "mentioned you" in text and "&lt;b&gt;before&lt;/b&gt;" in text
        with database.read_sessions() as session:
            hook = session.scalars(select(ChatWebhook)).one()
            assert hook.last_status == "HTTP 200"


def test_preferences_digest_and_muting(database: Database, world: World, smtp_server: list[Message],
                                       clock: object) -> None:
    post_id = _post(database, world)
    approver, _ = signed_in_client(database, world.users["approver"])
    editor, _ = signed_in_client(database, world.users["editor"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    assert approver.put(f"{base}/notifications/preferences",
                        json={"email": "digest", "in_app_muted": [], "email_muted": []}).status_code == 200
    assert approver.put(f"{base}/notifications/preferences",
                        json={"email": "weekly"}).status_code == 422
    for n in range(2):
        editor.post(f"{base}/posts/{post_id}/comments", json={"body": f"@approver look ({n})"})
    runner = Runner(database)
    runner.run_pending()  # the digest job runs too (periodic): one e-mail with both
    assert len(smtp_server) == 1 and "2 notification(s)" in smtp_server[0]["Subject"]
    editor.post(f"{base}/posts/{post_id}/comments", json={"body": "@approver one more"})
    runner.run_pending()
    assert len(smtp_server) == 1  # the next digest waits a day
    # Muting mentions in the app and by e-mail: nothing is kept for them.
    approver.put(f"{base}/notifications/preferences",
                 json={"email": "immediate", "in_app_muted": ["mention"], "email_muted": ["mention"]})
    editor.post(f"{base}/posts/{post_id}/comments", json={"body": "@approver muted"})
    with database.read_sessions() as session:
        assert len(session.scalars(select(PersonalNotification)).all()) == 3


def test_threads_resolve_and_who_may_see_them(database: Database, world: World) -> None:
    post_id = _post(database, world)
    base = f"/api/v1/workspaces/{world.workspace_id}"
    editor, _ = signed_in_client(database, world.users["editor"])
    approver, _ = signed_in_client(database, world.users["approver"])
    top = editor.post(f"{base}/posts/{post_id}/comments", json={"body": "Is the image right?"}).json()
    reply = approver.post(f"{base}/posts/{post_id}/comments",
                          json={"body": "Use the blue one", "parent_id": top["id"]}).json()
    # A reply to a reply joins the same thread.
    editor.post(f"{base}/posts/{post_id}/comments", json={"body": "Done", "parent_id": reply["id"]})
    threads = editor.get(f"{base}/posts/{post_id}/comments").json()
    assert len(threads) == 1 and [r["body"] for r in threads[0]["replies"]] == ["Use the blue one", "Done"]
    resolved = approver.post(f"{base}/comments/{reply['id']}/resolve").json()
    assert resolved["id"] == top["id"] and resolved["resolved_at"]
    # The post page folds the resolved thread away.
    page = editor.get(f"/w/{world.workspace_id}/posts/{post_id}").text
    assert "1 resolved" in page and "Is the image right?" in page
    # Empty comments are refused; the client reviewer (who only approves) sees no internal talk.
    assert editor.post(f"{base}/posts/{post_id}/comments", json={"body": "  "}).status_code == 422
    client, _ = signed_in_client(database, world.users["client_reviewer"])
    assert client.get(f"{base}/posts/{post_id}/comments").status_code == 403
    assert client.post(f"{base}/posts/{post_id}/comments", json={"body": "hi"}).status_code == 403
    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.post(f"{base}/posts/{post_id}/comments", json={"body": "hi"}).status_code == 403
