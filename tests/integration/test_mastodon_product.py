"""A Mastodon channel inside socialdesk, against the server process (mastodon_mock): connected from the
channels page by OAuth or by token, a post published by the publisher exactly once, replies and direct
messages brought into the inbox by the same path as every network, answered from it, and metrics
collected. These use the database, so they run in both passes of ./scripts/test."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from socialdesk.analytics import service as analytics
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, NetworkApp, OAuthState
from socialdesk.cli import app as cli_app
from socialdesk.content import service as content
from socialdesk.content.models import Publication
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import actions
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from tests.helpers import World, make_world
from tests.integration.mastodon_peer import LosingProxy, Peer
from tests.web_client import signed_in_client


@pytest.fixture
def world(database: Database, real_now: ManualClock) -> World:
    return make_world(database, "Mastodon Brand", profiles=(), roles=("editor",))


def _follow_authorize(peer: Peer, location: str, username: str) -> str:
    """Be the user on the server: pick the account on its authorize page; returns where it sends us back."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    picker = httpx.get(location, timeout=10)
    assert picker.status_code == 200 and username in picker.text
    answer = httpx.post(f"{peer.url}/oauth/authorize", timeout=10, follow_redirects=False, data={
        "username": username, "client_id": query["client_id"], "redirect_uri": query["redirect_uri"],
        "scope": query["scope"], "state": query["state"]})
    assert answer.status_code == 302
    return answer.headers["location"]


def test_connecting_from_the_channels_page_by_oauth(mastodon_peer: Peer, database: Database, world: World,
                                                    real_now: ManualClock) -> None:
    username, _ = mastodon_peer.new_account()
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    page = client.get(f"{w}/channels?connect=mastodon")
    assert page.status_code == 200 and "Mastodon" in page.text and 'name="instance"' in page.text

    started = client.post(f"{w}/channels/connect", data={
        "network": "mastodon", "name": "Brand on Mastodon", "instance": mastodon_peer.url, "visibility": "unlisted"})
    assert started.status_code == 303
    location = started.headers["location"]
    assert location.startswith(f"{mastodon_peer.url}/oauth/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["redirect_uri"] == "http://testserver/oauth/callback"
    assert query["code_challenge_method"] == "S256" and query["scope"] == "read write follow"
    with database.read_sessions() as session:
        state = session.scalars(select(OAuthState)).one()
        verifier = decrypt_json(state.code_verifier_encrypted)["verifier"]
        assert state.state_hash != query["state"]  # only its hash is kept
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    assert query["code_challenge"] == challenge

    # A second start reuses socialdesk's registration on that server.
    again = client.post(f"{w}/channels/connect", data={"network": "mastodon", "instance": mastodon_peer.url})
    assert again.status_code == 303
    with database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(NetworkApp)) == 1

    back = _follow_authorize(mastodon_peer, location, username)
    assert back.startswith("http://testserver/oauth/callback?")
    callback = back.removeprefix("http://testserver")

    # The same callback in another browser session connects nothing (a planted link) ...
    stranger, _ = signed_in_client(database, world.users["editor"])
    assert stranger.get(callback).status_code == 403
    # ... and an invented state neither.
    assert client.get(callback.replace("state=", "state=x")).status_code == 422

    done = client.get(callback)
    assert done.status_code == 303 and done.headers["location"] == f"{w}/channels"
    with database.read_sessions() as session:
        channel = session.scalars(select(Channel).where(Channel.workspace_id == world.workspace_id)).one()
        assert channel.network == "mastodon" and channel.name == "Brand on Mastodon"
        assert channel.handle.startswith(f"{username}@127.0.0.1:")
        assert channel.settings["default_visibility"] == "unlisted"
        assert channel.settings["limits"]["max_characters"] == 500
        token = decrypt_json(channel.credentials_encrypted)["access_token"]
        assert token and token not in channel.credentials_encrypted  # stored encrypted
    listed = client.get(f"{w}/channels")
    assert "Brand on Mastodon" in listed.text and "Connected Brand on Mastodon" in listed.text

    # Used once: replaying the callback is refused.
    assert client.get(callback).status_code == 422


def test_an_oauth_flow_expires_and_a_refusal_is_shown(mastodon_peer: Peer, database: Database, world: World,
                                                       real_now: ManualClock) -> None:
    username, _ = mastodon_peer.new_account()
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    location = client.post(f"{w}/channels/connect", data={"network": "mastodon",
                                                         "instance": mastodon_peer.url}).headers["location"]
    back = _follow_authorize(mastodon_peer, location, username).removeprefix("http://testserver")
    real_now.advance(timedelta(minutes=16))
    assert client.get(back).status_code == 422

    location = client.post(f"{w}/channels/connect", data={"network": "mastodon",
                                                         "instance": mastodon_peer.url}).headers["location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    denied = client.get("/oauth/callback", params={
        "state": state, "error": "access_denied",
        "error_description": "<b>The resource owner denied the request.</b>"})
    assert denied.status_code == 422
    assert "&lt;b&gt;The resource owner denied" in denied.text  # the server's words, escaped
    with database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Channel)) == 0

    # A server that is not there: said next to the form, nothing stored.
    nowhere = client.post(f"{w}/channels/connect", data={"network": "mastodon", "instance": "http://127.0.0.1:9"})
    assert nowhere.status_code == 422 and "did not register socialdesk" in nowhere.text
    plain_http = client.post(f"{w}/channels/connect", data={"network": "mastodon", "instance": "http://example.org"})
    assert plain_http.status_code == 422 and "https" in plain_http.text


def test_connecting_with_a_token_and_a_wrong_token(mastodon_peer: Peer, database: Database, world: World) -> None:
    username, token = mastodon_peer.new_account()
    client, _ = signed_in_client(database, world.users["owner"])
    w = f"/w/{world.workspace_id}"
    wrong = client.post(f"{w}/channels/connect", data={"network": "mastodon", "instance": mastodon_peer.url,
                                                      "access_token": "not-a-token"})
    assert wrong.status_code == 422 and "did not accept this token" in wrong.text
    assert "not-a-token" not in wrong.text  # a secret is never written back into the page
    ok = client.post(f"{w}/channels/connect", data={"network": "mastodon", "instance": mastodon_peer.url,
                                                   "access_token": token})
    assert ok.status_code == 303
    with database.read_sessions() as session:
        [channel] = session.scalars(select(Channel)).all()
        assert channel.handle.startswith(username)

    # Scripted use: the CLI takes the same fields.
    other, other_token = mastodon_peer.new_account()
    result = CliRunner().invoke(cli_app, ["channel", "add", "mastodon", "-w", "Mastodon Brand", "--name", "Second",
                                          "--field", f"instance={mastodon_peer.url}",
                                          "--field", f"access_token={other_token}"])
    assert result.exit_code == 0, result.output
    assert f"Connected Second (mastodon {other}@" in result.stdout


def test_publish_read_back_answer_and_measure(mastodon_peer: Peer, database: Database, world: World,
                                              real_now: ManualClock) -> None:
    me, token = mastodon_peer.new_account()
    with database.unit_of_work() as session:
        channel_id = channels.connect(world.ctx(session), "mastodon", "Brand", instance=mastodon_peer.url,
                                      access_token=token).id
    # The composer checks against the server's limit (500), not a guess.
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="500"):
        content.compose(world.ctx(session), PostIn(text="ć" * 501, channel_ids=[channel_id],
                                                   intent=Intent.PUBLISH_NOW))
    with database.unit_of_work() as session:
        post_id = content.compose(world.ctx(session), PostIn(
            text="Nova kolekcija stiže u petak! #moda", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW)).post.id
    Runner(database).run_pending()
    Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
    assert publication.status == "published" and publication.external_id
    assert publication.external_url and publication.external_url.endswith(publication.external_id)
    own = mastodon_peer.api(token).get("/api/v1/accounts/verify_credentials")
    statuses = mastodon_peer.api(token).get(f"/api/v1/accounts/{own['id']}/statuses")
    assert [s["id"] for s in statuses] == [publication.external_id]  # exactly once

    _, ana_token = mastodon_peer.new_account("ana")
    ana = mastodon_peer.api(ana_token)
    ana.post(f"/api/v1/accounts/{own['id']}/follow")
    comment = ana.post("/api/v1/statuses", status=f"@{me} Koje su cijene? <script>alert(1)</script>",
                       in_reply_to_id=publication.external_id)
    ana.post(f"/api/v1/statuses/{publication.external_id}/favourite")
    ana.post("/api/v1/statuses", status=f"@{me} imate li moju veličinu?", visibility="direct")

    assert inbox.fetch_channel(database, channel_id) == 2
    assert inbox.fetch_channel(database, channel_id) == 0  # nothing new, nothing twice
    with database.read_sessions() as session:
        items = {i.kind: i for i in session.scalars(select(InboxItem))}
    assert items["comment"].publication_id == publication.id
    assert "<script>alert(1)</script>" in items["comment"].text  # kept as text; pages escape it
    assert items["direct_message"].text.endswith("imate li moju veličinu?")

    with database.unit_of_work() as session:
        answered = actions.reply(world.ctx(session), items["comment"].id, "Od 29 €. Vidimo se!")
        reply_id = answered.reply_external_id
    status = ana.get(f"/api/v1/statuses/{reply_id}")
    assert status["in_reply_to_id"] == comment["id"] and "29 €" in status["content"]

    real_now.advance(timedelta(hours=1))
    analytics.collect_channel(database, channel_id)
    with database.read_sessions() as session:
        account = session.scalars(select(ChannelMetricSnapshot)
                                  .order_by(ChannelMetricSnapshot.collected_at.desc())).first()
        post = session.scalars(select(PublicationMetricSnapshot)
                               .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
    assert account is not None and post is not None
    assert account.followers == 1
    assert (post.likes, post.comments, post.reposts) == (1, 1, 0)
    assert post.impressions is None and post.reach is None


def test_a_post_whose_answer_was_lost_is_published_once(mastodon_peer: Peer, database: Database, world: World,
                                                        real_now: ManualClock) -> None:
    _, token = mastodon_peer.new_account()
    with LosingProxy(mastodon_peer.url) as proxy:
        with database.unit_of_work() as session:
            channel_id = channels.connect(world.ctx(session), "mastodon", "Brand", instance=proxy.url,
                                          access_token=token).id
            post_id = content.compose(world.ctx(session), PostIn(
                text="Jednom i samo jednom.", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW)).post.id
        proxy.lose["/api/v1/statuses"] = 1
        Runner(database).run_pending()
        with database.read_sessions() as session:
            publication = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
        assert publication.status == "scheduled" and "No answer" in (publication.last_error or "")
        real_now.advance(timedelta(minutes=2))
        Runner(database).run_pending()
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
    own = mastodon_peer.api(token).get("/api/v1/accounts/verify_credentials")
    statuses = mastodon_peer.api(token).get(f"/api/v1/accounts/{own['id']}/statuses")
    assert publication.status == "published"
    assert [s["id"] for s in statuses] == [publication.external_id]


def test_a_thread_with_a_poll_cw_visibility_and_first_comment_goes_out_once(
        mastodon_peer: Peer, database: Database, world: World, real_now: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Part 2's answer is lost on the way back: the retry carries the same Idempotency-Key, so the server
    returns the status it made, and the thread goes on from it: four statuses, each once, chained."""
    from socialdesk.content.models import PublicationStep
    from socialdesk.content.schemas import PollIn, VariantIn
    from socialdesk.networks.mastodon.adapter import MastodonAdapter

    _, token = mastodon_peer.new_account()
    with LosingProxy(mastodon_peer.url) as proxy:
        real = MastodonAdapter.publish

        def losing_part_two(self: MastodonAdapter, post):  # type: ignore[no-untyped-def]
            if post.idempotency_key.endswith(":thread_part:2") and not proxy.seen_lost:  # type: ignore[attr-defined]
                proxy.seen_lost = True  # type: ignore[attr-defined]
                proxy.lose["/api/v1/statuses"] = 1
            return real(self, post)

        proxy.seen_lost = False  # type: ignore[attr-defined]
        monkeypatch.setattr(MastodonAdapter, "publish", losing_part_two)
        with database.unit_of_work() as session:
            channel_id = channels.connect(world.ctx(session), "mastodon", "Brand", instance=proxy.url,
                                          access_token=token).id
            post_id = content.compose(world.ctx(session), PostIn(
                text="Koju kavu pečemo idući tjedan? 🧵", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW,
                thread=["Obje su iz Etiopije.", "Pobjednica je u prodaji od ponedjeljka."],
                poll=PollIn(options=["Yirgacheffe", "Sidamo"], expires_in_seconds=3600),
                content_warning="Kava", visibility="unlisted",
                variants={channel_id: VariantIn(options={"first_comment": "Glasajte do nedjelje!"})})).post.id
        Runner(database).run_pending()
        real_now.advance(timedelta(minutes=3))
        Runner(database).run_pending()
        real_now.advance(timedelta(minutes=5))
        Runner(database).run_pending()
        # Someone votes; the poll's results arrive with the post's numbers.
        own = mastodon_peer.api(token).get("/api/v1/accounts/verify_credentials")
        polled = [s for s in mastodon_peer.api(token).get(f"/api/v1/accounts/{own['id']}/statuses") if s.get("poll")]
        _, voter_token = mastodon_peer.new_account("voter")
        mastodon_peer.api(voter_token).post(f"/api/v1/polls/{polled[0]['poll']['id']}/votes", **{"choices[]": ["1"]})
        real_now.advance(timedelta(hours=1))
        analytics.collect_channel(database, channel_id)
    with database.read_sessions() as session:
        publication = session.scalars(select(Publication).where(Publication.post_id == post_id)).one()
        snapshot = session.scalars(select(PublicationMetricSnapshot).where(
            PublicationMetricSnapshot.publication_id == publication.id)
            .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
        steps = list(session.scalars(select(PublicationStep).where(PublicationStep.publication_id == publication.id)
                                     .order_by(PublicationStep.kind.desc(), PublicationStep.position)))
    assert proxy.seen_lost  # type: ignore[attr-defined]
    assert publication.status == "published"
    assert [(s.kind, s.status) for s in steps] == [("thread_part", "published"), ("thread_part", "published"),
                                                   ("first_comment", "published")]
    api = mastodon_peer.api(token)
    own = api.get("/api/v1/accounts/verify_credentials")
    statuses = {s["id"]: s for s in api.get(f"/api/v1/accounts/{own['id']}/statuses")}
    assert len(statuses) == 4, "the post, two parts and the first comment, each once"
    first = statuses[publication.external_id]
    part2, part3, comment = (statuses[s.external_id or ""] for s in steps)
    assert first["poll"] and [o["title"] for o in first["poll"]["options"]] == ["Yirgacheffe", "Sidamo"]
    assert first["spoiler_text"] == "Kava" and first["visibility"] == "unlisted"
    assert part2["in_reply_to_id"] == first["id"] and part3["in_reply_to_id"] == part2["id"]
    assert part2["spoiler_text"] == "Kava" and not part2.get("poll")
    assert comment["in_reply_to_id"] == first["id"] and "Glasajte" in comment["content"]
    assert snapshot is not None and snapshot.poll_votes == [0, 1]
