"""Reply from here (listening/replies.py) on a Mastodon server process (mastodon_mock): a mention found by a
monitor is answered as the workspace's Mastodon channel from the API, the page and the command line, each
exactly once per idempotency key, audited and shown on the mention; the server's refusal comes back in its
words; people without inbox:write cannot; sources without a reply path say why and offer no button.
(The same on the real local Bluesky servers: tests/integration/bluesky/test_listening_stream.py.)"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.audit.models import AuditEntry
from socialdesk.channels import service as channels
from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database, set_database
from socialdesk.listening import service
from socialdesk.listening.models import Mention, MentionReply, Monitor
from tests.helpers import World, make_world
from tests.web_client import signed_in_client


def _setup(database: Database, peer: Any) -> tuple[World, str, str, dict[str, Any], Any]:
    """A monitor that found Ana's status, and the workspace's Mastodon channel; returns the world, the
    mention's id, the channel's id, Ana's status and the brand's API client on the server."""
    _, ana_token = peer.new_account("ana")
    ana = peer.api(ana_token)
    status = ana.post("/api/v1/statuses", status="Gdje u Zagrebu ima dobre kave? #kava", language="hr")
    _, brand_token = peer.new_account("brand")
    world = make_world(database, "Reply Brand", profiles=(), roles=("editor", "viewer"))
    with database.unit_of_work() as s:
        ctx = world.ctx(s)
        channel_id = channels.connect(ctx, "mastodon", "Brand on Mastodon", instance=peer.url,
                                      access_token=brand_token).id
        service.add_monitor(ctx, name="Kava", terms=["kava"], sources=[f"mastodon:{peer.url}", "sandbox"])
        service.run_monitor(s, s.scalars(select(Monitor)).one())
        mention = next(m for m in s.scalars(select(Mention)) if "Gdje u Zagrebu" in m.text)
        mention_id = mention.id
    return world, mention_id, channel_id, status, peer.api(brand_token)


def _replies_to(api: Any, status_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/statuses/{status_id}/context")["descendants"])


def test_reply_from_the_api_once_per_key_audited_and_shown_on_the_mention(
        mastodon_peer: Any, database: Database, real_now: ManualClock) -> None:
    world, mention_id, channel_id, status, brand = _setup(database, mastodon_peer)
    client, _ = signed_in_client(database, world.users["editor"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    options = client.get(f"{base}/mentions/{mention_id}/reply").json()
    assert options["can_reply"] is True and [c["id"] for c in options["channels"]] == [channel_id]

    body = {"channel_id": channel_id, "text": "Svrati k nama, kava je na nama!"}
    first = client.post(f"{base}/mentions/{mention_id}/reply", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.text
    again = client.post(f"{base}/mentions/{mention_id}/reply", json=body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    replies = _replies_to(brand, status["id"])
    assert len(replies) == 1 and replies[0]["id"] == first.json()["external_id"]  # exactly once on the server
    assert replies[0]["in_reply_to_id"] == status["id"] and "Svrati k nama" in replies[0]["content"]
    assert first.json()["url"].endswith("/" + first.json()["external_id"])
    # The same key for another text is refused, not sent.
    other = client.post(f"{base}/mentions/{mention_id}/reply", json={**body, "text": "Drugi tekst"},
                        headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and "idempotency key" in other.json()["message"]
    assert len(_replies_to(brand, status["id"])) == 1

    listed = client.get(f"{base}/mentions").json()
    shown = next(m for m in listed if m["id"] == mention_id)
    assert [(r["replied_by"], r["url"]) for r in shown["replies"]] == [(world.users["editor"], first.json()["url"])]
    with database.unit_of_work() as s:
        assert [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "listening.reply"))] == \
            ["listening.reply"]

    viewer, _ = signed_in_client(database, world.users["viewer"])
    assert viewer.post(f"{base}/mentions/{mention_id}/reply", json=body).status_code == 403


def test_the_servers_refusal_is_shown_and_nothing_is_recorded(
        mastodon_peer: Any, database: Database, real_now: ManualClock) -> None:
    world, mention_id, channel_id, status, brand = _setup(database, mastodon_peer)
    client, _ = signed_in_client(database, world.users["editor"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    mastodon_peer.add_fault("/api/v1/statuses", {"type": "status", "status": 422, "body": {
        "error": "Validation failed: Text character limit of 500 exceeded"}}, methods=["POST"])
    try:
        refused = client.post(f"{base}/mentions/{mention_id}/reply", json={"channel_id": channel_id, "text": "Bok"})
    finally:
        mastodon_peer.clear_faults()
    assert refused.status_code == 409, refused.text
    assert "Brand on Mastodon refused to take the reply" in refused.json()["message"]
    assert "character limit" in refused.json()["message"]
    with database.unit_of_work() as s:
        assert s.scalars(select(MentionReply)).all() == []
    # After the refusal the same request may be sent again, and goes out.
    ok = client.post(f"{base}/mentions/{mention_id}/reply", json={"channel_id": channel_id, "text": "Bok"})
    assert ok.status_code == 201 and len(_replies_to(brand, status["id"])) == 1


def test_reply_from_the_page_and_the_command_line(
        mastodon_peer: Any, database: Database, real_now: ManualClock) -> None:
    world, mention_id, channel_id, status, brand = _setup(database, mastodon_peer)
    client, _ = signed_in_client(database, world.users["editor"])
    w = f"/w/{world.workspace_id}"
    page = client.get(f"{w}/listening").text
    with database.unit_of_work() as s:
        sandbox_ids = [m.id for m in s.scalars(select(Mention)) if m.source.startswith("sandbox")]
    # The Mastodon mention has the button; the sandbox's say why not instead.
    assert f'action="{w}/listening/mentions/{mention_id}/reply"' in page
    assert sandbox_ids and not any(f"/listening/mentions/{i}/reply" in page for i in sandbox_ids)
    assert "simulated: its posts have no account to reply to" in page
    key = re.search(rf'action="{w}/listening/mentions/{mention_id}/reply".*?name="key" value="([^"]+)"', page,
                    re.S).group(1)  # type: ignore[union-attr]
    form = {"channel_id": channel_id, "text": "Hvala na pitanju!", "key": key}
    assert client.post(f"{w}/listening/mentions/{mention_id}/reply", data=form).status_code == 303
    assert client.post(f"{w}/listening/mentions/{mention_id}/reply", data=form).status_code == 303  # resent
    assert len(_replies_to(brand, status["id"])) == 1
    assert "Replied by " + world.users["editor"] in client.get(f"{w}/listening").text

    set_database(database)
    args = ["mentions", "reply", "--workspace", world.workspace_id, "--mention", mention_id, "--channel",
            "Brand on Mastodon", "--text", "Vidimo se!", "--json"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(app, args)  # a script run twice: one reply
    assert json.loads(first.stdout)["id"] == json.loads(second.stdout)["id"]
    assert len(_replies_to(brand, status["id"])) == 2
    listed = CliRunner().invoke(app, ["mentions", "list", "--workspace", world.workspace_id, "--json"])
    mention = next(m for m in json.loads(listed.stdout) if m["id"] == mention_id)
    assert [r["text"] for r in mention["replies"]] == ["Hvala na pitanju!", "Vidimo se!"]


def test_where_the_network_does_not_allow_it_the_api_says_why(
        mastodon_peer: Any, database: Database, real_now: ManualClock) -> None:
    world, _, channel_id, _, _ = _setup(database, mastodon_peer)
    client, _ = signed_in_client(database, world.users["editor"])
    base = f"/api/v1/workspaces/{world.workspace_id}"
    with database.unit_of_work() as s:
        sandbox = next(m for m in s.scalars(select(Mention)) if m.source.startswith("sandbox"))
        sandbox_id = sandbox.id
        monitor = s.scalars(select(Monitor)).one()
        for source, why in (("rss:https://example.com/feed.xml", "news feed"), ("youtube", "YouTube"),
                            ("reddit", "application-only"), ("bluesky", "No Bluesky channel")):
            s.add(Mention(workspace_id=world.workspace_id, monitor_id=monitor.id, dedupe_key=source[:60],
                          text_key=source[:60], source=source, url="https://example.com/p/1", author="x",
                          text=why, posted_at=sandbox.posted_at))
    options = client.get(f"{base}/mentions/{sandbox_id}/reply").json()
    assert options == {"can_reply": False, "reason": options["reason"], "channels": [], "replies": []}
    assert "simulated" in options["reason"]
    refused = client.post(f"{base}/mentions/{sandbox_id}/reply", json={"channel_id": channel_id, "text": "Hej"})
    assert refused.status_code == 409 and "simulated" in refused.json()["message"]
    for mention in client.get(f"{base}/mentions?limit=1000").json():
        if mention["source"] in ("rss:https://example.com/feed.xml", "youtube", "reddit", "bluesky"):
            why = client.get(f"{base}/mentions/{mention['id']}/reply").json()
            assert why["can_reply"] is False and mention["text"] in why["reason"], why
    empty = client.post(f"{base}/mentions/{sandbox_id}/reply", json={"channel_id": channel_id, "text": "  "})
    assert empty.status_code == 422 and "Write a reply" in empty.text


def test_two_requests_at_once_with_one_key_send_one_reply(
        mastodon_peer: Any, database: Database, real_now: ManualClock) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from socialdesk.listening import replies

    world, mention_id, channel_id, status, brand = _setup(database, mastodon_peer)
    together = Barrier(2)

    def send(_: int) -> str:
        together.wait()
        with database.unit_of_work() as s:
            row = replies.reply(world.ctx(s), mention_id, channel_id=channel_id, text="Dođite na kavu!",
                                idempotency_key="double-click")
            return row.external_id

    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(send, range(2)))
    assert sent[0] == sent[1] and sent[0]
    assert [r["id"] for r in _replies_to(brand, status["id"])] == [sent[0]]  # one reply on the server
