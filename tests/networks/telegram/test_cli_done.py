"""Issue 13, Telegram "done when": through the CLI, with SOCIALDESK_TELEGRAM_API_URL at the contract
server, a channel album publishes exactly once (one sendMediaGroup in the documented multipart/attach://
form), comments arrive in the inbox triaged, a reply goes out (through the API, with a token the CLI made:
the CLI has no inbox commands), and metrics — followers, and "not available" for the posts — are stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.cli import app
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.inbox.models import InboxItem
from tests.contract.telegram import CHANNEL_ID, TOKEN, TROLL, TelegramContract
from tests.helpers import make_world
from tests.web_client import web_app

runner = CliRunner()
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_a_telegram_album_comments_a_reply_and_metrics(database: Database, clock: ManualClock,
                                                        telegram: TelegramContract, tmp_path: Path) -> None:
    world = make_world(database, profiles=())
    workspace = world.workspace_id
    out = _cli("channel", "add", "telegram", "--workspace", workspace, "--name", "Brand on Telegram",
               "--field", f"bot_token={TOKEN}", "--field", "chat_id=@brand_channel",
               "--field", "updates_by=polling")
    assert "Connected Brand on Telegram" in out and "@brand_channel" in out
    images = []
    for n in range(3):
        path = tmp_path / f"photo{n}.png"
        path.write_bytes(PNG)
        images += ["--image", str(path)]
    text = "New menu! *50%* off_today <b>only</b> & more: https://example.com/menu"
    _cli("post", "create", "--workspace", workspace, "--channel", "Brand on Telegram", "--text", text,
         *images, "--option", "Brand on Telegram:silent=true", "--now")
    _cli("run-jobs")

    # Published exactly once, as one documented sendMediaGroup.
    [album] = telegram.server.calls_to("POST", r"/bot[^/]+/sendMediaGroup")
    assert album.headers["content-type"].startswith("multipart/form-data")
    assert len(telegram.calls_sent()) == 1
    sent = telegram.sent("sendMediaGroup")[0]
    assert [m["media"] for m in sent["media"]] == ["attach://file0", "attach://file1", "attach://file2"]
    assert all(sent[f"file{n}"]["size"] == len(PNG) for n in range(3))
    assert sent["media"][0]["caption"] == text and "parse_mode" not in sent["media"][0]
    assert sent["disable_notification"] == "true"  # the post's silent option, a multipart field
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication)).one()
        assert publication.status == PublicationStatus.PUBLISHED
        first = int(publication.external_id.split(":")[1].split(",")[0])
        assert publication.external_id == f"{CHANNEL_ID}:{first},{first + 1},{first + 2}"

    # Comments in the discussion group arrive, triaged.
    telegram.comment("Love it, how much is the big one?", on=first)
    telegram.comment("FREE CRYPTO click here http://spam.example", on=first, author=TROLL)
    clock.advance(timedelta(minutes=3))
    _cli("run-jobs")
    with database.read_sessions() as session:
        items = list(session.scalars(select(InboxItem).order_by(InboxItem.received_at)))
    assert len(items) == 2 and all(i.kind == "comment" for i in items)
    assert all(i.triaged_at is not None for i in items), "every comment is triaged on arrival"
    question = next(i for i in items if "how much" in i.text)

    # A reply goes out, as a reply in the discussion group.
    secret = _cli("token", "create", "--email", world.users["owner"], "--name", "done-test",
                  "--scope", "inbox:read", "--scope", "inbox:write", "--workspace", workspace).strip().splitlines()[-1]
    client = TestClient(web_app(), headers={"Authorization": f"Bearer {secret}"})
    answer = client.post(f"/api/v1/workspaces/{workspace}/inbox/conversations/{question.conversation_id}/reply",
                         json={"text": "12 € — see you soon!"})
    assert answer.status_code == 200, answer.text
    reply = telegram.sent("sendMessage")[-1]
    assert reply["text"] == "12 € — see you soon!"
    assert reply["reply_parameters"] == {"message_id": int(question.external_id.split(":")[1])}

    # Metrics: followers from getChatMemberCount; the posts' numbers are not available (None, never 0).
    clock.advance(timedelta(hours=2))
    _cli("run-jobs")
    with database.read_sessions() as session:
        followers = session.scalars(select(ChannelMetricSnapshot.followers)).all()
        snapshots = session.scalars(select(PublicationMetricSnapshot)).all()
    assert followers and set(followers) == {1234}
    assert snapshots and all(s.views is None and s.likes is None and s.reposts is None for s in snapshots)
    assert len(telegram.calls_sent()) == 2  # the album and the reply; nothing else was ever sent
