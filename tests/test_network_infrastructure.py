"""What every network of issues 12 and 13 builds on: webhooks taken in once, signed public media links,
and per-publication network options carried from the composer, API and CLI to the adapter."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from socialdesk.cli import app as cli
from socialdesk.cli import console
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.options import clean
from socialdesk.content.schemas import Intent, PostIn, VariantIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.config import get_settings, reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.core.errors import NotFound, ValidationFailed
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from socialdesk.media import public_links
from socialdesk.networks import registry
from socialdesk.networks.base import (
    Capabilities,
    ChannelAccount,
    IncomingItem,
    IncomingKind,
    OutgoingPost,
    PublishOption,
    TextRules,
)
from socialdesk.networks.sandbox.adapter import SandboxAdapter
from socialdesk.networks.webhooks import (
    WebhookEvent,
    WebhookRefused,
    WebhookReply,
    WebhookRequest,
    hmac_sha256_hex,
    signature_matches,
)
from tests.helpers import make_world
from tests.web_client import web_app

SECRET = "app-secret"


class FakeHooks:
    """A network that signs deliveries with an app secret, like Meta: the shape every real handler has."""

    def answer(self, request: WebhookRequest, channel: ChannelAccount | None) -> WebhookReply | None:
        if request.method == "GET":
            return WebhookReply(body=request.query.get("challenge", ""))
        return None

    def verify(self, request: WebhookRequest, channel: ChannelAccount | None) -> None:
        if not signature_matches("sha256=" + hmac_sha256_hex(SECRET, request.body), request.headers.get("x-sig")):
            raise WebhookRefused("the signature does not match")

    def events(self, request: WebhookRequest, channel: ChannelAccount | None) -> list[WebhookEvent]:
        body = json.loads(request.body)
        account = channel.external_id if channel else body["account"]
        return [WebhookEvent(event_id=body["id"], account_external_id=account,
                             items=tuple(IncomingItem(external_id=c, kind=IncomingKind.COMMENT, text=f"comment {c}",
                                                      created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                                                      author_external_id="u1", author_handle="fan")
                                         for c in body["comments"]))]


HOOKS = FakeHooks()


@pytest.fixture
def hooked(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = dataclasses.replace(registry.NETWORKS["sandbox"], webhooks=f"{__name__}:HOOKS")
    monkeypatch.setitem(registry.NETWORKS, "sandbox", spec)


def _items(db: Database) -> int:
    with db.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(InboxItem)) or 0


def _signed(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"x-sig": "sha256=" + hmac_sha256_hex(SECRET, raw), "content-type": "application/json"}


def test_a_signed_delivery_is_stored_once_and_a_forged_one_refused(database: Database, clock: ManualClock,
                                                                     hooked: None) -> None:
    world = make_world(database, profiles=("instagram",))
    with database.unit_of_work() as session:
        channel = world.ctx(session).session.get(registry_channel(), world.channels["instagram"])
        external_id = channel.external_id
    client = TestClient(web_app())
    assert client.get("/webhooks/sandbox", params={"challenge": "c-42"}).text == "c-42"

    raw, headers = _signed({"id": "e1", "account": external_id, "comments": ["c1", "c2"]})
    assert client.post("/webhooks/sandbox", content=raw, headers=headers).status_code == 200
    assert _items(database) == 2
    # The network sends it again (a retry, or a replay by someone who recorded it): nothing twice.
    assert client.post("/webhooks/sandbox", content=raw, headers=headers).status_code == 200
    assert _items(database) == 2

    forged = json.dumps({"id": "e2", "account": external_id, "comments": ["c3"]}).encode()
    refused = client.post("/webhooks/sandbox", content=forged, headers={**headers, "content-type": "application/json"})
    assert refused.status_code == 403
    assert _items(database) == 2

    # Per-channel address: the channel is given to the handler.
    raw, headers = _signed({"id": "e3", "comments": ["c4"]})
    assert client.post(f"/webhooks/sandbox/{world.channels['instagram']}", content=raw,
                       headers=headers).status_code == 200
    assert _items(database) == 3
    assert client.post("/webhooks/sandbox/01NOSUCHCHANNEL", content=raw, headers=headers).status_code == 404


def test_networks_without_webhooks_answer_not_found(database: Database) -> None:
    client = TestClient(web_app())
    assert client.post("/webhooks/sandbox", content=b"{}").status_code == 404
    assert client.post("/webhooks/no-such-network", content=b"{}").status_code == 404


def registry_channel() -> type:
    from socialdesk.channels.models import Channel

    return Channel


# Public media links -------------------------------------------------------------------------------


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", "https://social.example.com/")
    reset_settings_cache()
    folder = get_settings().media_dir / "w1"
    folder.mkdir(parents=True)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 jpeg bytes")
    yield folder / "photo.jpg"


def test_a_public_media_link_serves_the_file_until_it_expires(database: Database, public: Path) -> None:
    url = public_links.public_url(public)
    assert url.startswith("https://social.example.com/public-media/") and url.endswith("/photo.jpg")
    path = url.removeprefix("https://social.example.com")
    client = TestClient(web_app())
    answer = client.get(path)
    assert answer.status_code == 200 and answer.content == b"\xff\xd8 jpeg bytes"
    assert answer.headers["content-type"] == "image/jpeg"

    token = path.split("/")[2]
    assert client.get(f"/public-media/{token[:-4]}abcd/photo.jpg").status_code == 404  # altered
    expired = public_links.public_url(public, lifetime=timedelta(seconds=-1))
    assert client.get(expired.removeprefix("https://social.example.com")).status_code == 404
    with pytest.raises(NotFound):
        public_links.resolve(token + "x")


def test_only_library_files_get_a_public_link_and_only_with_a_public_address(
        database: Database, public: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("not media")
    with pytest.raises(ValidationFailed, match="not in the media library"):
        public_links.public_url(outside)
    with pytest.raises(ValidationFailed, match="not in the media library"):
        public_links.public_url(public.parent / ".." / ".." / "socialdesk.db")
    derived = public_links.derived_path(public, ".jpeg")
    assert derived.parent.is_dir() and derived.is_relative_to(get_settings().media_dir)
    assert derived == public_links.derived_path(public, ".jpeg")  # made once, found again
    monkeypatch.delenv("SOCIALDESK_PUBLIC_URL")
    reset_settings_cache()
    with pytest.raises(ValidationFailed, match="SOCIALDESK_PUBLIC_URL"):
        public_links.public_url(public)
    assert time.time()  # the clock the expiry uses is the real one


# Network options ----------------------------------------------------------------------------------

OPTIONS = (
    PublishOption("privacy", "Privacy", kind="select", choices=("public", "unlisted", "private"), default="public"),
    PublishOption("first_comment", "First comment", kind="textarea", max_length=20),
    PublishOption("silent", "Silent", kind="bool", default=False),
    PublishOption("hold_until", "Hold until", kind="datetime"),
    PublishOption("category", "Category", kind="number"),
)
CAPS = Capabilities(label="Test", text=TextRules(limit=500), options=OPTIONS)


def test_option_values_are_made_plain_and_wrong_ones_said_clearly() -> None:
    values, problems = clean({"privacy": "unlisted", "silent": "yes", "category": "22", "first_comment": "",
                              "hold_until": "2026-12-24T18:00:00+01:00"}, CAPS, "Test")
    assert problems == []
    assert values == {"privacy": "unlisted", "silent": True, "category": 22,
                      "hold_until": "2026-12-24T18:00:00+01:00"}
    _, problems = clean({"privacy": "secret", "silent": "maybe", "colour": "red", "first_comment": "x" * 21,
                         "hold_until": "2026-12-24 18:00", "category": "many"}, CAPS, "Test")
    messages = " ".join(p.message for p in problems)
    assert [p.code for p in problems].count("bad_option") == 5
    assert "no option 'colour'" in messages and "public, unlisted, private" in messages
    assert "at most 20" in messages and "no time zone" in messages


@pytest.fixture
def with_options(monkeypatch: pytest.MonkeyPatch) -> None:
    original = registry.capabilities_for

    def capabilities_for(network: str, settings: dict[str, Any]) -> Capabilities:
        return dataclasses.replace(original(network, settings), options=OPTIONS)

    monkeypatch.setattr(registry, "capabilities_for", capabilities_for)


def test_options_go_from_the_api_to_the_adapter(database: Database, clock: ManualClock, with_options: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(database, profiles=("x",))
    channel_id = world.channels["x"]
    sent: list[OutgoingPost] = []
    real_publish = SandboxAdapter.publish

    def publish(self: SandboxAdapter, post: OutgoingPost) -> Any:
        sent.append(post)
        return real_publish(self, post)

    monkeypatch.setattr(SandboxAdapter, "publish", publish)
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        with pytest.raises(ValidationFailed, match="is not one of"):
            content.compose(ctx, PostIn(text="Hello", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW,
                                        variants={channel_id: VariantIn(options={"privacy": "secret"})}))
    with database.unit_of_work() as session:
        # A draft keeps what was typed, right or wrong, for the author to finish.
        draft = content.compose(world.ctx(session), PostIn(
            text="Hello", channel_ids=[channel_id], intent=Intent.DRAFT,
            variants={channel_id: VariantIn(options={"privacy": "secret", "silent": "no"})}))
        out = content.to_out(world.ctx(session), [draft.post])[0]
        assert out.publications[0].network_options == {"privacy": "secret", "silent": False}
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        result = content.compose(ctx, PostIn(
            text="Hello", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW,
            variants={channel_id: VariantIn(options={"privacy": "unlisted", "silent": "true"})}))
        post_id = result.post.id
        out = content.to_out(ctx, [result.post])[0]
        assert out.publications[0].network_options == {"privacy": "unlisted", "silent": True}
        again = content.to_input(ctx, content.get_post(ctx, post_id))
        assert again.variants[channel_id].options == {"privacy": "unlisted", "silent": True}
    Runner(database).run_pending()
    Runner(database).run_pending()
    assert [p.options for p in sent] == [{"privacy": "unlisted", "silent": True}]


def test_the_cli_takes_options_by_channel_or_for_every_channel_offering_them(
        database: Database, clock: ManualClock, with_options: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = make_world(database, profiles=("x", "instagram"))
    runner = CliRunner()
    done = runner.invoke(cli, ["post", "create", "-w", world.workspace_id, "--channel", world.channels["x"],
                               "--channel", world.channels["instagram"], "--text", "Hi",
                               "--option", f"{world.channels['x']}:privacy=private", "--option", "silent=yes"])
    assert done.exit_code == 0, done.output
    with database.unit_of_work() as session:
        options = dict(session.execute(select(Publication.channel_id, Publication.network_options)).all())
    assert options == {world.channels["x"]: {"privacy": "private", "silent": True},
                       world.channels["instagram"]: {"silent": True}}
    wrong = runner.invoke(cli, ["post", "create", "-w", world.workspace_id, "--channel", world.channels["x"],
                                "--text", "Hi", "--option", "privacy"])
    assert wrong.exit_code != 0 and "CHANNEL:NAME=VALUE" in str(wrong.exception)
    monkeypatch.setattr(console, "_width", 300)
    listed = runner.invoke(cli, ["channel", "options", "-w", world.workspace_id, world.channels["x"]])
    assert "public | unlisted | private" in listed.output and "first_comment" in listed.output
