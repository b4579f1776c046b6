"""Issue 13's "done when" for X, through the command line with SOCIALDESK_X_API_URL at the contract
server: a post with an image and a reply under it each go out exactly once with the documented requests;
a mention and a reply arrive in the inbox, triaged; an answer goes out; metrics are stored."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.cli import app
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox import actions
from socialdesk.inbox.models import InboxItem
from socialdesk.workspaces.service import find_workspace, system_context
from tests.helpers import image_bytes
from tests.networks.x.conftest import XWorld

runner = CliRunner()


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_x_through_the_cli(database: Database, x: XWorld, clock: ManualClock, tmp_path: Path) -> None:
    _ok("user", "create", "--email", "ana@example.com", "--name", "Ana", "--password", "long enough password")
    _ok("workspace", "create", "--name", "Acme", "--owner", "ana@example.com", "--timezone", "Europe/Zagreb")
    issued = x.server.issue(x.brand)
    added = _ok("channel", "add", "x", "--workspace", "Acme", "--name", "Acme on X",
                "--field", f"access_token={issued['access_token']}",
                "--field", f"refresh_token={issued['refresh_token']}")
    assert "Acme on X (x brand)" in added

    picture = tmp_path / "launch.jpg"
    picture.write_bytes(image_bytes(3))
    first = _ok("post", "create", "-w", "Acme", "--channel", "Acme on X", "--text", "Launch day ☕ #coffee",
                "--image", str(picture), "--now").strip()
    _ok("run-jobs")
    shown = json.loads(_ok("post", "show", first, "--json"))
    (publication,) = shown["publications"]
    assert publication["status"] == "published", publication
    root = publication["external_id"]
    assert publication["external_url"] == f"https://x.com/brand/status/{root}"

    second = _ok("post", "create", "-w", "Acme", "--channel", "Acme on X", "--text", "Doors open at 10.",
                 "--option", f"Acme on X:reply_to={root}", "--now").strip()
    _ok("run-jobs")
    (reply_publication,) = json.loads(_ok("post", "show", second, "--json"))["publications"]
    assert reply_publication["status"] == "published", reply_publication

    # Exactly once each, with the documented requests.
    posts = [c.json() for c in x.server.calls_to("POST", "/2/tweets")]
    assert len(posts) == 2
    assert posts[0]["text"] == "Launch day ☕ #coffee" and len(posts[0]["media"]["media_ids"]) == 1
    assert posts[1] == {"text": "Doors open at 10.", "reply": {"in_reply_to_tweet_id": root}}
    assert len(x.server.calls_to("POST", "/2/media/upload")) == 1
    assert [t.id for t in x.server.posts_by(x.brand)] == [root, reply_publication["external_id"]]
    assert x.server.tweets[reply_publication["external_id"]].conversation_id == root

    # People answer; the next fetch brings them in, triaged.
    comment = x.server.post_as(x.fan, "Congratulations, love the new cups!", reply_to=root)
    mention = x.server.post_as(x.fan, "@brand do you ship to Split? My order is late and I'm annoyed")
    x.server.tweets[root].impressions = 420
    clock.advance(timedelta(hours=1, minutes=1))
    _ok("run-jobs")
    with database.read_sessions() as session:
        items = {i.external_id: i for i in session.scalars(select(InboxItem))}
        assert set(items) == {comment.id, mention.id}
        assert all(i.triaged_at is not None for i in items.values())
        assert (items[comment.id].kind, items[mention.id].kind) == ("comment", "mention")
        item_id = items[comment.id].id
        snapshots = {s.publication_id: s for s in session.scalars(select(PublicationMetricSnapshot))}
        followers = [s.followers for s in session.scalars(select(ChannelMetricSnapshot))]
    assert publication["id"] in snapshots and snapshots[publication["id"]].impressions == 420
    assert snapshots[publication["id"]].comments == 2  # our own reply under it and the fan's
    assert followers and set(followers) == {1200}

    # An answer goes out under the fan's reply, through the inbox (as the web page and API send it).
    with database.unit_of_work() as session:
        ctx = system_context(session, find_workspace(session, "Acme").id, "test")
        sent = actions.reply(ctx, item_id, "Thank you!")
        reply_id = sent.reply_external_id
    assert x.server.tweets[reply_id].reply_to == comment.id
    assert x.server.unexpected == []
