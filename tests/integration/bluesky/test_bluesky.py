"""Bluesky against a real PDS and AppView (the official servers from npm, on loopback): connecting with
an app password, publishing with facets, images, threads and language, deleting, finding a post whose
answer was lost, conversations and numbers flowing back into the inbox and metrics, and errors in the
server's own words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from atproto_client import Client
from httpx import Response
from sqlalchemy import select

from socialdesk.analytics import service as analytics
from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core import clock
from socialdesk.core.clock import ManualClock
from socialdesk.core.crypto import decrypt_json, encrypt_json
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.inbox import service as inbox
from socialdesk.inbox.models import InboxItem
from socialdesk.jobs.runner import Runner
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    TransientNetworkError,
)
from socialdesk.networks.bluesky import session
from socialdesk.networks.bluesky.adapter import BlueskyAdapter
from tests.helpers import World, image_bytes, make_world
from tests.integration.bluesky.pds import INSTALL_TIMEOUT, Account, Network
from tests.web_client import signed_in_client

# The timeout leaves room for a first install when pytest runs these directly (./scripts/test installs
# before the run, so the fixture then only checks that the install is there).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(INSTALL_TIMEOUT + 300),
              # atproto's uploadBlob hands httpx raw bytes as `data=`, which httpx deprecates: not ours to fix.
              pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")]


def _connect(db: Database, network: Network, account: Account, name: str = "Brand on Bluesky") -> tuple[World, str]:
    world = make_world(db, profiles=(), roles=())
    with db.unit_of_work() as s:
        channel = channels.connect(world.ctx(s), "bluesky", name, handle=account.handle,
                                   app_password=account.app_password, service=network.pds)
        world.channels["bluesky"] = channel.id
    return world, channel.id


def _adapter(db: Database, channel_id: str) -> BlueskyAdapter:
    adapter = channels.fresh_adapter(db, channel_id)
    assert isinstance(adapter, BlueskyAdapter)
    return adapter


def _as(network: Network, account: Account) -> Client:
    """Another person on the network, using the SDK directly."""
    return network.signed_in(account)


def _write(client: Client, account: Account, collection: str, record: dict) -> str:
    record = {"$type": collection, "createdAt": clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"), **record}
    made = client.com.atproto.repo.create_record({"repo": account.did, "collection": collection, "record": record})
    return made.uri


def _record(network: Network, uri: str) -> dict:
    repo, collection, rkey = uri.removeprefix("at://").split("/")
    got = network.client().com.atproto.repo.get_record({"repo": repo, "collection": collection, "rkey": rkey})
    return got.value.model_dump(by_alias=True, exclude_none=True)


def _slice(text: str, facet: dict) -> str:
    return text.encode("utf-8")[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")


def _publish_now(db: Database, world: World, text: str) -> str:
    with db.unit_of_work() as s:
        post = content.compose(world.ctx(s), PostIn(text=text, channel_ids=[world.channels["bluesky"]],
                                                    intent=Intent.PUBLISH_NOW)).post
    with db.read_sessions() as s:
        return s.scalars(select(Publication.id).where(Publication.post_id == post.id)).one()


def _indexed_profile(network: Network, adapter: BlueskyAdapter) -> AccountMetrics:
    """The account's numbers once the AppView has indexed the new account (it does so in the background)."""
    def profile() -> AccountMetrics | None:
        try:
            return adapter.account_metrics()
        except PermanentNetworkError as error:
            if "Profile not found" in error.network_message:
                return None
            raise

    found = network.wait_until(profile, "the new account's profile")
    assert isinstance(found, AccountMetrics)
    return found


def _publication(db: Database, publication_id: str) -> Publication:
    with db.read_sessions() as s:
        found = s.get(Publication, publication_id)
        assert found is not None
        return found


def test_connect_keeps_a_session_not_the_password_and_refreshes_it(database: Database, bluesky: Network) -> None:
    brand = bluesky.create_account("brand")
    _, channel_id = _connect(database, bluesky, brand)
    with database.read_sessions() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None and channel.external_id == brand.did and channel.handle == brand.handle
        stored = decrypt_json(channel.credentials_encrypted)
        assert set(stored) == {"access_jwt", "refresh_jwt"}
        assert brand.app_password not in channel.credentials_encrypted and brand.app_password not in str(stored)
        assert channel.settings["pds"].startswith("http://localhost:")
    adapter = _adapter(database, channel_id)
    expires = adapter.credentials_expire_at()
    assert expires is not None and expires > clock.now()
    # A forced refresh stores the new pair of tokens.
    refreshed = channels.fresh_adapter(database, channel_id, force=True)
    with database.read_sessions() as s:
        after = decrypt_json(s.get(Channel, channel_id).credentials_encrypted)  # type: ignore[union-attr]
    assert after["refresh_jwt"] != stored["refresh_jwt"]

    assert _indexed_profile(bluesky, refreshed).posts == 0
    # (The PDS accepts a spent refresh token again for a short grace period, to forgive races; socialdesk
    # does not rely on that: fresh_adapter serialises refreshes per channel.)
    with pytest.raises(AuthError):
        session.refresh(channel.settings["pds"], "not-a-refresh-token")


def test_a_refused_access_token_is_refreshed_once_and_the_call_goes_through(database: Database,
                                                                           bluesky: Network) -> None:
    brand = bluesky.create_account("stale")
    _, channel_id = _connect(database, bluesky, brand)
    _indexed_profile(bluesky, _adapter(database, channel_id))  # else the retry may meet "Profile not found"
    with database.unit_of_work() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None
        stored = decrypt_json(channel.credentials_encrypted)
        header, payload, _ = stored["access_jwt"].split(".")
        # Still "valid" by its expiry, refused by the server (as a token revoked by the PDS would be).
        channel.credentials_encrypted = encrypt_json({**stored, "access_jwt": f"{header}.{payload}.AAAA"})
    assert channels.call_network(database, channel_id, lambda adapter: adapter.account_metrics()).posts == 0
    with database.read_sessions() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None and channel.status == "active"
        assert decrypt_json(channel.credentials_encrypted)["refresh_jwt"] != stored["refresh_jwt"]


def test_wrong_password_and_account_password_are_refused_with_the_servers_words(
        database: Database, bluesky: Network) -> None:
    brand = bluesky.create_account("wrong")
    with pytest.raises(AuthError) as caught:
        session.login(bluesky.pds, brand.handle, "not-the-password")
    assert "Invalid identifier or password" in caught.value.network_message
    world = make_world(database, profiles=(), roles=())
    with database.unit_of_work() as s, pytest.raises(ValidationFailed, match="Invalid identifier or password"):
        channels.connect(world.ctx(s), "bluesky", None, handle=brand.handle, app_password="nope",
                         service=bluesky.pds)
    with pytest.raises(AuthError, match="app password"):
        session.login(bluesky.pds, brand.handle, brand.password)  # the account's own password


def test_publish_with_facets_language_and_card_then_delete(database: Database, bluesky: Network) -> None:
    brand, friend = bluesky.create_account("brand"), bluesky.create_account("friend")
    _, channel_id = _connect(database, bluesky, brand)
    adapter = _adapter(database, channel_id)
    text = (f"Čestitke 🎉👩‍👩‍👧 Привет! #ljeto2026 s @{friend.handle} i @nobody.test "
            "na https://primjer.hr/ljeto?x=1.")
    published = adapter.publish(OutgoingPost(text, idempotency_key="pub-facets", language="hr"))
    record = _record(bluesky, published.external_id)
    assert record["text"] == text and record["langs"] == ["hr"]
    facets = record["facets"]
    assert [_slice(text, f) for f in facets] == ["#ljeto2026", f"@{friend.handle}", "https://primjer.hr/ljeto?x=1"]
    features = [f["features"][0] for f in facets]
    assert features[0]["tag"] == "ljeto2026"
    assert features[1]["did"] == friend.did  # a mention carries the DID, resolved by the PDS
    assert features[2]["uri"] == "https://primjer.hr/ljeto?x=1"
    assert record["embed"]["external"]["uri"] == "https://primjer.hr/ljeto?x=1"
    adapter.delete(published.external_id)
    adapter.delete(published.external_id)  # already gone: not an error
    with pytest.raises(Exception, match=r"RecordNotFound|Could not locate record"):
        _record(bluesky, published.external_id)


def test_images_with_alt_text_and_a_thread(database: Database, bluesky: Network, tmp_path: Path) -> None:
    brand = bluesky.create_account("pics")
    _, channel_id = _connect(database, bluesky, brand)
    adapter = _adapter(database, channel_id)
    media = []
    for i in range(2):
        path = tmp_path / f"photo{i}.png"
        path.write_bytes(image_bytes(i, (40, 30), "PNG"))
        media.append(OutgoingMedia(path, MediaKind.IMAGE, "image/png", path.stat().st_size,
                                   alt_text=f"Fotografija {i}: kava i kroasan", width=40, height=30))
    first = adapter.publish(OutgoingPost("Jutro u kafiću (1/3)", media=media))
    images = _record(bluesky, first.external_id)["embed"]["images"]
    assert [i["alt"] for i in images] == ["Fotografija 0: kava i kroasan", "Fotografija 1: kava i kroasan"]
    assert images[0]["image"]["mimeType"] == "image/png" and images[0]["aspectRatio"]["width"] == 40
    second = adapter.publish(OutgoingPost("(2/3)", reply_to_external_id=first.external_id))
    third = adapter.publish(OutgoingPost("(3/3)", reply_to_external_id=second.external_id))
    reply = _record(bluesky, third.external_id)["reply"]
    assert reply["root"]["uri"] == first.external_id and reply["parent"]["uri"] == second.external_id
    with pytest.raises(PermanentNetworkError, match="up to 4 images"):
        adapter.publish(OutgoingPost("Too many", media=[media[0]] * 5))


def test_a_lost_answer_is_found_instead_of_posting_twice(database: Database, bluesky: Network,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    brand = bluesky.create_account("lost")
    world, channel_id = _connect(database, bluesky, brand)
    real_create = BlueskyAdapter._create

    def create_then_lose_the_answer(self: BlueskyAdapter, *args: object, **kwargs: object) -> tuple[str, str]:
        real_create(self, *args, **kwargs)  # type: ignore[arg-type]
        raise OutcomeUnknown("No answer from the Bluesky server (ReadTimeout).")

    monkeypatch.setattr(BlueskyAdapter, "_create", create_then_lose_the_answer)
    publication_id = _publish_now(database, world, "Samo jednom, molim 🙏 #jednom")
    Runner(database).run_pending()
    done = _publication(database, publication_id)
    assert done.status == PublicationStatus.PUBLISHED and done.external_id
    posts = network_posts(bluesky, brand)
    assert len(posts) == 1 and posts[0] == done.external_id
    monkeypatch.undo()
    # Another publication with the same text is not mistaken for this one, nor is an older post.
    adapter = _adapter(database, channel_id)
    twin = OutgoingPost("Samo jednom, molim 🙏 #jednom", idempotency_key="another-publication")
    assert adapter.find_published(twin, clock.now() - timedelta(minutes=5)) is None
    assert adapter.find_published(OutgoingPost("Samo jednom, molim 🙏 #jednom", idempotency_key=publication_id),
                                  clock.now() + timedelta(minutes=1)) is None
    # A post made by hand (no marker) with the same text counts as the one the interrupted try made.
    by_hand = adapter._create("app.bsky.feed.post", {"$type": "app.bsky.feed.post", "text": "Ručno 🖐",
                                                     "createdAt": clock.now().strftime("%Y-%m-%dT%H:%M:%S.000Z")},
                              write=False)[0]
    found = adapter.find_published(OutgoingPost("Ručno 🖐", idempotency_key="x"), clock.now() - timedelta(minutes=5))
    assert found is not None and found.external_id == by_hand


def network_posts(network: Network, account: Account) -> list[str]:
    listed = network.client().com.atproto.repo.list_records({"repo": account.did, "collection": "app.bsky.feed.post"})
    return [r.uri for r in listed.records]


def _wait(network: Network, check: Callable[[], object], what: str) -> object:
    return network.wait_until(check, what)


def test_replies_mentions_likes_and_follows_flow_into_inbox_and_metrics(database: Database, bluesky: Network) -> None:
    brand, fan = bluesky.create_account("shop"), bluesky.create_account("fan")
    world, channel_id = _connect(database, bluesky, brand)
    publication_id = _publish_now(database, world, "Nova kolekcija stiže u petak! #moda")
    Runner(database).run_pending()
    post_uri = _publication(database, publication_id).external_id
    assert post_uri
    them = _as(bluesky, fan)
    post = them.com.atproto.repo.get_record({"repo": brand.did, "collection": "app.bsky.feed.post",
                                            "rkey": post_uri.rsplit("/", 1)[1]})
    ref = {"uri": post.uri, "cid": post.cid}
    _write(them, fan, "app.bsky.feed.like", {"subject": ref})
    _write(them, fan, "app.bsky.feed.repost", {"subject": ref})
    _write(them, fan, "app.bsky.graph.follow", {"subject": brand.did})
    hostile = "<script>alert('x')</script> Koliko košta? 😍"
    comment = _write(them, fan, "app.bsky.feed.post", {"text": hostile, "reply": {"root": ref, "parent": ref},
                                                         "langs": ["hr"]})
    mention_text = f"Pogledajte @{brand.handle}"
    mention = _write(them, fan, "app.bsky.feed.post", {"text": mention_text, "facets": [
        {"index": {"byteStart": 11, "byteEnd": len(mention_text.encode())},
         "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]}]})
    quote = _write(them, fan, "app.bsky.feed.post", {"text": "Ovo!", "embed": {"$type": "app.bsky.embed.record",
                                                                                "record": ref}})

    def fetched() -> int:
        inbox.fetch_channel(database, channel_id)
        with database.read_sessions() as s:
            return len(list(s.scalars(select(InboxItem).where(InboxItem.channel_id == channel_id))))

    _wait(bluesky, lambda: fetched() >= 3, "the reply, the mention and the quote")
    with database.read_sessions() as s:
        items = {i.external_id: i for i in s.scalars(select(InboxItem).where(InboxItem.channel_id == channel_id))}
    reply_item, mention_item = items[comment], items[mention]
    assert reply_item.kind == "comment" and reply_item.text == hostile  # kept as data, escaped where shown
    assert reply_item.publication_id == publication_id and reply_item.author_handle == fan.handle
    assert reply_item.language == "hr" and mention_item.kind == "mention"
    assert items[quote].kind == "mention" and items[quote].publication_id == publication_id  # a quote of our post
    assert inbox.fetch_channel(database, channel_id) == 0  # nothing new: nothing added twice

    # Answering, liking and hiding from socialdesk land on the network.
    adapter = _adapter(database, channel_id)
    answer = adapter.reply(comment, "Hvala! 49 € 🙂")
    answer_record = _record(bluesky, answer)
    assert answer_record["reply"]["parent"]["uri"] == comment and answer_record["reply"]["root"]["uri"] == post_uri
    adapter.like(comment)
    adapter.like(comment)  # twice is still one like
    likes = bluesky.client().com.atproto.repo.list_records({"repo": brand.did, "collection": "app.bsky.feed.like"})
    assert [r.value.subject.uri for r in likes.records] == [comment]
    adapter.hide(comment)
    gate = _record(bluesky, f"at://{brand.did}/app.bsky.feed.threadgate/{post_uri.rsplit('/', 1)[1]}")
    assert gate["hiddenReplies"] == [comment] and "allow" not in gate  # everyone may still reply
    adapter.unhide(comment)
    assert _record(bluesky, gate["post"].replace("feed.post", "feed.threadgate"))["hiddenReplies"] == []
    repost = adapter.repost(comment)
    assert repost.startswith(f"at://{brand.did}/app.bsky.feed.repost/")

    # Numbers: through the same collection path as every channel.
    def counted() -> object:
        found = adapter.post_metrics([post_uri]).get(post_uri)
        return found if found and found.likes == found.reposts == found.comments == found.quotes == 1 else None

    # Bluesky's replyCount counts direct replies: the fan's, not our answer under it.
    _wait(bluesky, counted, "the like, repost, reply and quote")
    _wait(bluesky, lambda: (found := adapter.account_metrics()).followers == 1 and found.posts == 2,
          "the follower and both posts (the post and our answer)")
    # The job runner took a first snapshot when the post went out; the next is due hours later.
    previous = clock.get_clock()
    clock.set_clock(ManualClock(clock.now() + timedelta(hours=2)))
    try:
        assert analytics.collect_channel(database, channel_id) == 2
    finally:
        clock.set_clock(previous)
    with database.read_sessions() as s:
        snapshot = s.scalars(select(PublicationMetricSnapshot)
                             .order_by(PublicationMetricSnapshot.collected_at.desc())).first()
        account = s.scalars(select(ChannelMetricSnapshot).order_by(ChannelMetricSnapshot.collected_at.desc())).first()
    assert snapshot is not None and account is not None
    assert (snapshot.likes, snapshot.reposts, snapshot.comments, snapshot.quotes) == (1, 1, 1, 1)
    assert snapshot.views is None and snapshot.impressions is None  # Bluesky has none: never a made-up 0
    assert account.followers == 1 and account.posts == 2  # the post and our answer
    adapter.block(fan.did)
    adapter.block(fan.did)  # once is enough
    blocks = bluesky.client().com.atproto.repo.list_records({"repo": brand.did, "collection": "app.bsky.graph.block"})
    assert [r.value.subject for r in blocks.records] == [fan.did]
    adapter.unblock(fan.did)
    assert not bluesky.client().com.atproto.repo.list_records(
        {"repo": brand.did, "collection": "app.bsky.graph.block"}).records
    # The AppView indexes the unblock a moment after the PDS has it; until then the fan is hidden.
    followers = _wait(bluesky, lambda: adapter.followers().followers, "the follower again after the unblock")
    assert [(f.external_id, f.handle) for f in followers] == [(fan.did, fan.handle)]


def test_errors_from_the_server_keep_its_words(database: Database, bluesky: Network) -> None:
    brand = bluesky.create_account("errs")
    _, channel_id = _connect(database, bluesky, brand)
    adapter = _adapter(database, channel_id)
    with pytest.raises(PermanentNetworkError) as caught:
        adapter._create("app.bsky.feed.post", {"$type": "app.bsky.feed.post", "text": "x", "createdAt": "yesterday"})
    assert caught.value.status_code == 400
    assert caught.value.network_message.endswith('Invalid datetime (got "yesterday") at $.record.createdAt')
    broken = BlueskyAdapter(type(adapter.account)(channel_id, brand.did, brand.handle,
                                                  {"access_jwt": "garbage", "refresh_jwt": "garbage"},
                                                  adapter.account.settings))
    with pytest.raises(AuthError) as auth:
        broken.publish(OutgoingPost("Hello"))
    assert auth.value.network_message  # the server's words, e.g. "InvalidToken: ..."
    closed = BlueskyAdapter(type(adapter.account)(channel_id, brand.did, brand.handle, adapter.account.credentials,
                                                  {"service": "http://127.0.0.1:9", "pds": "http://127.0.0.1:9"}))
    with pytest.raises(TransientNetworkError) as down:
        closed.publish(OutgoingPost("Hello"))
    assert type(down.value) is TransientNetworkError  # refused before sending: safe to try again


def test_the_channels_page_connects_bluesky_through_its_form(database: Database, bluesky: Network) -> None:
    world = make_world(database, profiles=(), roles=())
    client, csrf = signed_in_client(database, world.users["owner"])
    del client.headers["x-csrf-token"]  # the page sends the token as a form field

    def submit(**fields: str) -> Response:
        return client.post(f"/w/{world.workspace_id}/channels/connect",
                           data={"csrf_token": csrf, "network": "bluesky", **fields})

    page = client.get(f"/w/{world.workspace_id}/channels?connect=bluesky").text
    assert 'name="app_password" type="password"' in page and "Server (PDS)" in page
    brand = bluesky.create_account("web")
    refused = submit(name="Web", handle=brand.handle, app_password="wrong-one", service=bluesky.pds)
    assert refused.status_code == 422 and "Invalid identifier or password" in refused.text
    assert "wrong-one" not in refused.text  # a secret is never written back into the page
    done = submit(name="Brand on Bluesky", handle=brand.handle, app_password=brand.app_password, service=bluesky.pds)
    assert done.status_code == 303, done.text[:400]
    listed = client.get(f"/w/{world.workspace_id}/channels").text
    assert "Brand on Bluesky" in listed and f"@{brand.handle}" in listed


def test_a_pds_without_appview_publishes_and_says_why_it_cannot_read(database: Database, bare_pds: Network) -> None:
    brand, friend = bare_pds.create_account("bare"), bare_pds.create_account("pal")
    world, channel_id = _connect(database, bare_pds, brand)
    publication_id = _publish_now(database, world, f"Bez AppViewa radi i ovo, @{friend.handle} #pds")
    Runner(database).run_pending()
    published = _publication(database, publication_id)
    assert published.status == PublicationStatus.PUBLISHED, published.last_error
    record = _record(bare_pds, published.external_id or "")
    assert [f["features"][0].get("did") for f in record["facets"]] == [friend.did, None]
    adapter = _adapter(database, channel_id)
    answer = adapter.publish(OutgoingPost("…i niti", reply_to_external_id=published.external_id))
    adapter.like(answer.external_id)
    adapter.delete(answer.external_id)
    # Reading other people's activity needs an AppView: the channel shows the server's reason.
    assert inbox.fetch_channel(database, channel_id) == 0
    with database.read_sessions() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None and channel.status == "active"
        assert "Fetching comments failed: UpstreamFailure" in (channel.status_message or "")
    with pytest.raises(TransientNetworkError, match="UpstreamFailure"):
        adapter.account_metrics()


def test_a_script_connects_bluesky_and_publishes_from_the_command_line(database: Database, bluesky: Network) -> None:
    import json

    from typer.testing import CliRunner

    from socialdesk.cli import app

    def ok(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    brand = bluesky.create_account("cli")
    ok("user", "create", "--email", "ana@example.com", "--name", "Ana", "--password", "long enough password")
    ok("workspace", "create", "--name", "Acme", "--owner", "ana@example.com", "--timezone", "Europe/Zagreb")
    ok("channel", "add", "bluesky", "-w", "Acme", "--name", "Acme on Bluesky", "--handle", brand.handle,
       "--field", f"app_password={brand.app_password}", "--field", f"service={bluesky.pds}")
    post_id = ok("post", "create", "-w", "Acme", "--channel", "Acme on Bluesky", "--text", "Iz skripte 🚀 #cli",
                 "--now").strip()
    Runner(database).run_pending()
    (shown,) = json.loads(ok("post", "show", post_id, "--json"))["publications"]
    assert shown["status"] == "published" and shown["external_id"].startswith(f"at://{brand.did}/app.bsky.feed.post/")
    assert _record(bluesky, shown["external_id"])["text"] == "Iz skripte 🚀 #cli"


def test_a_thread_and_a_first_comment_go_out_once_even_when_an_answer_is_lost(
        database: Database, bluesky: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """Part 2's record is made and its answer lost: the look-up finds it by its marker, part 3 answers it,
    and the first comment answers the post: four records, each once, in one thread."""
    from socialdesk.content.models import PublicationStep
    from socialdesk.content.schemas import VariantIn

    brand = bluesky.create_account("thread")
    world, channel_id = _connect(database, bluesky, brand)
    real_create = BlueskyAdapter._create
    lost: list[str] = []

    def lose_part_two(self: BlueskyAdapter, collection: str, record: dict, **kwargs: object) -> tuple[str, str]:
        made = real_create(self, collection, record, **kwargs)  # type: ignore[arg-type]
        if record.get("text") == "Dva: zrno iz Etiopije." and not lost:
            lost.append(made[0])
            raise OutcomeUnknown("No answer from the Bluesky server (ReadTimeout).")
        return made

    monkeypatch.setattr(BlueskyAdapter, "_create", lose_part_two)
    with database.unit_of_work() as s:
        post = content.compose(world.ctx(s), PostIn(
            text="Jedan: nova kava 🧵", channel_ids=[channel_id], intent=Intent.PUBLISH_NOW,
            thread=["Dva: zrno iz Etiopije.", "Tri: degustacija u subotu."],
            variants={channel_id: VariantIn(options={"first_comment": "Karte: link u profilu"})})).post
    Runner(database).run_pending()
    with database.read_sessions() as s:
        publication = s.scalars(select(Publication).where(Publication.post_id == post.id)).one()
        steps = list(s.scalars(select(PublicationStep).where(PublicationStep.publication_id == publication.id)
                               .order_by(PublicationStep.kind.desc(), PublicationStep.position)))
    assert lost and [(x.kind, x.status) for x in steps] == [
        ("thread_part", "published"), ("thread_part", "published"), ("first_comment", "published")]
    assert steps[0].external_id == lost[0]
    assert sorted(network_posts(bluesky, brand)) == sorted([publication.external_id or "",
                                                            *(x.external_id or "" for x in steps)])
    part3, comment = _record(bluesky, steps[1].external_id or ""), _record(bluesky, steps[2].external_id or "")
    assert part3["reply"]["parent"]["uri"] == steps[0].external_id
    assert part3["reply"]["root"]["uri"] == publication.external_id
    assert comment["reply"]["parent"]["uri"] == publication.external_id
