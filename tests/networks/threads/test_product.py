"""A Threads channel inside socialdesk against the contract server: connected by token and by OAuth, a post
sent by the real publisher exactly once (also when Threads' answer to the publish is lost), the token renewed
by the per-channel machinery, and a refused renewal asking for reconnection."""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.cli import app as cli
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.contract.threads import ThreadsContract
from tests.helpers import World, image_bytes, make_world
from tests.web_client import signed_in_client, web_app

PUBLISH = r"/v1\.0/\d+/threads_publish"
CREATE = r"/v1\.0/\d+/threads"


@pytest.fixture
def world(database: Database, threads: ThreadsContract) -> World:
    made = make_world(database, "Threads Brand", profiles=(), roles=("editor",))
    with database.unit_of_work() as session:
        channel = channels.connect(made.ctx(session), "threads", "Brand on Threads", access_token=threads.token,
                                   threads_user_id=threads.user_id)
        made.channels["threads"] = channel.id
    return made


def _publish_now(database: Database, world: World, text: str) -> Publication:
    with database.unit_of_work() as session:
        post = content.compose(world.ctx(session), PostIn(text=text, channel_ids=[world.channels["threads"]],
                                                          intent=Intent.PUBLISH_NOW)).post
    Runner(database).run_pending()
    with database.read_sessions() as session:
        return session.scalars(select(Publication).where(Publication.post_id == post.id)).one()


def test_a_connected_channel_keeps_its_token_encrypted(database: Database, world: World,
                                                       threads: ThreadsContract) -> None:
    with database.read_sessions() as session:
        channel = session.get(Channel, world.channels["threads"])
        assert channel is not None and channel.handle == "brand" and channel.external_id == threads.user_id
        assert threads.token not in channel.credentials_encrypted
        assert decrypt_json(channel.credentials_encrypted)["access_token"] == threads.token
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="threads refused"):
        channels.connect(world.ctx(session), "threads", "Wrong", access_token="THAAwrong")


def test_the_publisher_sends_a_threads_post_once(database: Database, world: World, threads: ThreadsContract) -> None:
    publication = _publish_now(database, world, "Fresh roast today ☕")
    assert publication.status == PublicationStatus.PUBLISHED
    assert publication.external_id in threads.media
    assert len(threads.server.calls_to("POST", CREATE)) == 1 and len(threads.server.calls_to("POST", PUBLISH)) == 1
    assert len(threads.posts()) == 1


def test_a_lost_publish_answer_is_looked_up_and_not_sent_again(database: Database, world: World,
                                                              threads: ThreadsContract) -> None:
    threads.server.lose_answer("POST", PUBLISH)
    publication = _publish_now(database, world, "Exactly once, please")
    assert publication.status == PublicationStatus.PUBLISHED
    assert len(threads.posts()) == 1 and threads.posts()[0].id == publication.external_id
    assert len(threads.server.calls_to("POST", PUBLISH)) == 1  # the look-up found it: no second publish
    looked = [c for c in threads.server.calls if c.method == "GET" and c.path.endswith(f"/{threads.user_id}/threads")]
    assert looked, "the publisher looked the post up on the account"


def test_a_refused_post_is_failed_with_threads_words(database: Database, world: World,
                                                     threads: ThreadsContract) -> None:
    threads.server.fail("POST", CREATE, status=400, json={"error": {
        "message": "(#100) The parameter text is invalid", "type": "OAuthException", "code": 100}})
    publication = _publish_now(database, world, "Refused")
    assert publication.status == PublicationStatus.FAILED
    assert "The parameter text is invalid" in (publication.last_error or "")
    assert threads.server.calls_to("POST", PUBLISH) == []


def test_the_token_is_renewed_by_the_channel_machinery_ahead_of_expiry(database: Database, world: World,
                                                                       threads: ThreadsContract,
                                                                       clock: ManualClock) -> None:
    old = threads.token
    channel_id = world.channels["threads"]
    assert not channels._expiring(channels.fresh_adapter(database, channel_id))  # a pasted token: a day to wait
    clock.advance(timedelta(hours=24))
    adapter = channels.fresh_adapter(database, channel_id)  # due now: renewed before use
    assert len(threads.server.calls_to("GET", "/refresh_access_token")) == 1
    with database.read_sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        stored = decrypt_json(channel.credentials_encrypted)
    assert stored["access_token"] != old and stored["access_token"] in threads.tokens and stored["expiry_known"]
    assert adapter.account_metrics().followers == 1234
    # 60 days from the renewal, renewed again a week before their end.
    clock.advance(timedelta(days=52))
    channels.fresh_adapter(database, channel_id)
    assert len(threads.server.calls_to("GET", "/refresh_access_token")) == 1
    clock.advance(timedelta(days=1, minutes=1))
    channels.fresh_adapter(database, channel_id)
    assert len(threads.server.calls_to("GET", "/refresh_access_token")) == 2


def test_a_refused_renewal_asks_for_reconnection(database: Database, world: World, threads: ThreadsContract,
                                                 clock: ManualClock) -> None:
    channel_id = world.channels["threads"]
    with database.unit_of_work() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        credentials = decrypt_json(channel.credentials_encrypted)
        channel.credentials_encrypted = encrypt_json({**credentials, "access_token": "THAArevoked"})
    clock.advance(timedelta(hours=25))
    with pytest.raises(Exception, match="Invalid OAuth access token"):
        channels.fresh_adapter(database, channel_id)
    with database.read_sessions() as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None and channel.status == ChannelStatus.NEEDS_RECONNECTION


def test_oauth_round_trip_ends_with_a_long_lived_token(database: Database, threads: ThreadsContract,
                                                       clock: ManualClock) -> None:
    made = make_world(database, "OAuth Brand", profiles=(), roles=())
    client, _ = signed_in_client(database, made.users["owner"])
    w = f"/w/{made.workspace_id}"
    assert 'name="access_token"' in client.get(f"{w}/channels?connect=threads").text
    started = client.post(f"{w}/channels/connect", data={"network": "threads", "name": "Signed in"})
    assert started.status_code == 303, started.text
    location = started.headers["location"]
    assert location.startswith("https://threads.com/oauth/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["client_id"] == threads.app_id and query["response_type"] == "code"
    assert set(query["scope"].split(",")) >= {"threads_basic", "threads_content_publish", "threads_read_replies",
                                              "threads_manage_replies", "threads_manage_insights"}
    code = threads.authorize(location)
    done = client.get(f"/oauth/callback?code={code}&state={query['state']}")
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels"
    exchange = threads.server.calls_to("POST", "/oauth/access_token")[0].form()
    assert exchange["grant_type"] == "authorization_code" and exchange["redirect_uri"] == query["redirect_uri"]
    assert exchange["client_secret"] == threads.app_secret
    long_lived = threads.server.calls_to("GET", "/access_token")[0].query
    assert long_lived["grant_type"] == "th_exchange_token" and long_lived["client_secret"] == threads.app_secret
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == made.workspace_id)).one()
        stored = decrypt_json(channel.credentials_encrypted)
    assert channel.network == "threads" and channel.name == "Signed in" and channel.external_id == threads.user_id
    token = threads.tokens[stored["access_token"]]
    assert token.long_lived and stored["expiry_known"] is True
    # The code is single use: replaying the callback connects nothing more.
    assert client.get(f"/oauth/callback?code={code}&state={query['state']}").status_code == 422


def test_oauth_without_the_operators_app_says_what_to_set(database: Database, threads: ThreadsContract,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCIALDESK_THREADS_APP_ID")
    reset_settings_cache()
    made = make_world(database, "No App", profiles=(), roles=())
    client, _ = signed_in_client(database, made.users["owner"])
    page = client.post(f"/w/{made.workspace_id}/channels/connect", data={"network": "threads"})
    assert page.status_code == 422 and "SOCIALDESK_THREADS_APP_ID" in page.text


def test_a_signed_threads_webhook_is_stored_once_and_a_forged_one_refused(database: Database, world: World,
                                                                         threads: ThreadsContract,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN", "verify-me")
    reset_settings_cache()
    post = _publish_now(database, world, "Tell us what you think")
    client = TestClient(web_app())
    handshake = client.get("/webhooks/threads", params={"hub.mode": "subscribe", "hub.verify_token": "verify-me",
                                                        "hub.challenge": "8675309"})
    assert handshake.status_code == 200 and handshake.text == "8675309"
    delivery = {"app_id": threads.app_id, "topic": "moderate", "target_id": threads.user_id, "time": 1723226877,
                "values": {"field": "replies", "value": {
                    "id": "990001", "username": "ana", "text": "Love the new blend", "media_type": "TEXT_POST",
                    "replied_to": {"id": post.external_id}, "timestamp": "2026-03-02T09:05:00+0000",
                    "root_post": {"id": post.external_id, "owner_id": threads.user_id, "username": "brand"}}}}
    raw = json.dumps(delivery).encode()
    signature = "sha256=" + hmac.new(threads.app_secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"x-hub-signature-256": signature, "content-type": "application/json"}

    def stored() -> int:
        with database.read_sessions() as session:
            return session.scalar(select(func.count()).select_from(InboxItem)) or 0

    assert client.post("/webhooks/threads", content=raw, headers=headers).status_code == 200
    assert client.post("/webhooks/threads", content=raw, headers=headers).status_code == 200  # a replay
    assert stored() == 1
    with database.read_sessions() as session:
        item = session.scalars(select(InboxItem)).one()
        assert item.publication_id == post.id and item.text == "Love the new blend" and item.author_handle == "ana"
    forged = raw.replace(b"Love the new blend", b"Buy followers now")
    assert client.post("/webhooks/threads", content=forged, headers=headers).status_code == 403
    assert stored() == 1


def test_an_image_post_and_who_may_reply_through_the_cli(database: Database, world: World,
                                                         threads: ThreadsContract) -> None:
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "latte.jpg"
        picture.write_bytes(image_bytes(7))
        done = CliRunner().invoke(cli, ["post", "create", "-w", world.workspace_id, "--channel", "Brand on Threads",
                                        "--text", "Latte art Friday", "--image", str(picture), "--now",
                                        "--option", "reply_control=followers_only"])
    assert done.exit_code == 0, done.output + repr(done.exception)
    Runner(database).run_pending()
    create = threads.server.calls_to("POST", CREATE)[0].form()
    assert create["media_type"] == "IMAGE" and create["text"] == "Latte art Friday"
    assert create["reply_control"] == "followers_only"
    assert create["image_url"].startswith("https://social.example.com/public-media/")
    assert len(threads.server.calls_to("POST", PUBLISH)) == 1
    assert [m.media_type for m in threads.posts()] == ["IMAGE"]
