"""The Mastodon adapter against a server process (mastodon_mock, see mastodon_peer.py): publishing with
every option a post can carry, idempotency keys, reading back, engagement, metrics and error sorting.

These tests touch no database of ours, so they run in the SQLite pass of ./scripts/test only; the
database-side tests (inbox ingestion, connecting from the web UI) run in both passes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialdesk.networks.base import (
    AuthError,
    ChannelAccount,
    IncomingKind,
    MediaKind,
    OutcomeUnknown,
    OutgoingMedia,
    OutgoingPoll,
    OutgoingPost,
    PermanentNetworkError,
    RateLimited,
    TransientNetworkError,
)
from socialdesk.networks.mastodon.adapter import MastodonAdapter
from socialdesk.networks.mastodon.oauth import connect
from socialdesk.networks.registry import capabilities_for
from tests.helpers import PG_URL, image_bytes
from tests.integration.mastodon_peer import LosingProxy, Peer

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="adapter-only tests run in the SQLite pass")


def brand(peer: Peer, **kwargs: float) -> tuple[MastodonAdapter, str]:
    """A fresh account on the server, connected as a channel would be: (adapter, username)."""
    username, token = peer.new_account()
    account = connect(peer.url, token)
    channel = ChannelAccount(channel_id="c", external_id=account.external_id, handle=account.handle,
                             credentials=account.credentials, settings=account.settings)
    return MastodonAdapter(channel, **kwargs), username


def own_statuses(peer: Peer, adapter: MastodonAdapter) -> list[dict]:
    token = adapter.account.credentials["access_token"]
    return peer.api(token).get(f"/api/v1/accounts/{adapter.account_id}/statuses", limit=40)


def test_connecting_reads_the_instance_limits_into_the_channel(mastodon_peer: Peer) -> None:
    adapter, username = brand(mastodon_peer)
    settings = adapter.account.settings
    assert adapter.account.handle == f"{username}@{settings['instance_host']}"
    assert settings["limits"]["max_characters"] == 500
    caps = capabilities_for("mastodon", settings)
    # The test server allows 10 MiB images and 40 MiB videos, not Mastodon's default 16 MiB / 99 MiB:
    # the composer checks against what this server said.
    assert caps.media.max_image_bytes == 10_485_760
    assert caps.media.max_video_bytes == 41_943_040
    assert caps.media.max_count == 4 and caps.text.limit == 500 and caps.text.url_length == 23
    assert "image/heic" not in caps.media.image_types  # not in the server's supported types
    assert caps.idempotency == "key"


def test_a_repeated_post_with_the_same_key_is_one_status(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer)
    post = OutgoingPost("Dobar dan, svijete! 👋 #launch", idempotency_key="pub-01")
    first = adapter.publish(post)
    again = adapter.publish(post)
    assert again.external_id == first.external_id
    other = adapter.publish(OutgoingPost("Dobar dan, svijete! 👋 #launch", idempotency_key="pub-02"))
    assert other.external_id != first.external_id
    assert len(own_statuses(mastodon_peer, adapter)) == 2
    assert first.url and first.url.endswith(first.external_id)


def test_a_lost_answer_is_outcome_unknown_and_the_retry_finds_the_first_status(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer)
    with LosingProxy(mastodon_peer.url) as proxy:
        lossy = MastodonAdapter(dataclasses.replace(
            adapter.account, settings={**adapter.account.settings, "instance": proxy.url}))
        proxy.lose["/api/v1/statuses"] = 1  # the server posts the status; its answer is lost
        post = OutgoingPost("Only once, please", idempotency_key="pub-lost-answer")
        with pytest.raises(OutcomeUnknown):
            lossy.publish(post)
        made = own_statuses(mastodon_peer, adapter)
        assert len(made) == 1  # it did go out
        retried = lossy.publish(post)
    assert retried.external_id == made[0]["id"]
    assert len(own_statuses(mastodon_peer, adapter)) == 1
    sent = [headers.get("Idempotency-Key") for method, path, headers in proxy.seen
            if (method, path) == ("POST", "/api/v1/statuses")]
    assert sent == ["pub-lost-answer", "pub-lost-answer"]  # the same key on both tries


def test_a_slow_server_is_outcome_unknown_for_a_post(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer, read_timeout=1.0)
    mastodon_peer.add_fault("/api/v1/statuses", {"type": "latency", "delay_ms": 2500}, methods=["POST"])
    with pytest.raises(OutcomeUnknown, match="No answer"):
        adapter.publish(OutgoingPost("Slow", idempotency_key="pub-slow"))
    # A read that times out is only worth another try.
    mastodon_peer.add_fault(f"/api/v1/accounts/{adapter.account_id}/statuses", {"type": "latency", "delay_ms": 2500})
    with pytest.raises(TransientNetworkError) as slow_read:
        adapter.find_published(OutgoingPost("Slow"), datetime.now(UTC) - timedelta(hours=1))
    assert not isinstance(slow_read.value, OutcomeUnknown)


def test_image_with_alt_text_and_focus(mastodon_peer: Peer, tmp_path: Path) -> None:
    adapter, _ = brand(mastodon_peer)
    path = tmp_path / "photo.jpg"
    path.write_bytes(image_bytes(3, (120, 80)))
    media = OutgoingMedia(path=path, kind=MediaKind.IMAGE, content_type="image/jpeg",
                          size_bytes=path.stat().st_size, alt_text="Tim na štandu u Splitu", focus=(0.5, -0.25))
    published = adapter.publish(OutgoingPost("Naš štand", media=[media], idempotency_key="pub-img"))
    status = mastodon_peer.api(adapter.account.credentials["access_token"]).get(
        f"/api/v1/statuses/{published.external_id}")
    [attachment] = status["media_attachments"]
    assert attachment["type"] == "image"
    assert attachment["description"] == "Tim na štandu u Splitu"
    assert attachment["meta"]["focus"] == {"x": 0.5, "y": -0.25}


def test_content_warning_visibility_language_poll_and_thread(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer)
    api = mastodon_peer.api(adapter.account.credentials["access_token"])
    first = adapter.publish(OutgoingPost("Spoileri za finale 🧵", content_warning="Finale sezone",
                                         visibility="unlisted", language="hr", idempotency_key="t-1"))
    second = adapter.publish(OutgoingPost("Koja epizoda vam je najbolja?", reply_to_external_id=first.external_id,
                                          poll=OutgoingPoll(["Prva", "Treća", "Zadnja"], expires_in_seconds=3600),
                                          idempotency_key="t-2"))
    head = api.get(f"/api/v1/statuses/{first.external_id}")
    assert head["spoiler_text"] == "Finale sezone" and head["sensitive"] is True
    assert head["visibility"] == "unlisted" and head["language"] == "hr"
    tail = api.get(f"/api/v1/statuses/{second.external_id}")
    assert tail["in_reply_to_id"] == first.external_id
    assert [o["title"] for o in tail["poll"]["options"]] == ["Prva", "Treća", "Zadnja"]
    # The channel's default visibility applies when the post names none.
    assert tail["visibility"] == "public"


def test_what_the_server_would_refuse_is_refused_before_uploading(mastodon_peer: Peer, tmp_path: Path) -> None:
    adapter, _ = brand(mastodon_peer)
    with pytest.raises(PermanentNetworkError, match="2 to 4 options"):
        adapter.publish(OutgoingPost("Poll", poll=OutgoingPoll(["a", "b", "c", "d", "e"])))
    with pytest.raises(PermanentNetworkError, match="visibility"):
        adapter.publish(OutgoingPost("Hm", visibility="friends"))
    assert own_statuses(mastodon_peer, adapter) == []


def test_delete_removes_the_status_and_deleting_again_is_no_error(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer)
    published = adapter.publish(OutgoingPost("Short-lived", idempotency_key="del-1"))
    adapter.delete(published.external_id)
    assert own_statuses(mastodon_peer, adapter) == []
    adapter.delete(published.external_id)
    assert adapter.post_metrics([published.external_id]) == {}


def test_inbox_replies_mentions_and_direct_messages(mastodon_peer: Peer) -> None:
    adapter, me = brand(mastodon_peer)
    post = adapter.publish(OutgoingPost("Što mislite o novoj kolekciji?", idempotency_key="inbox-1"))
    _, ana_token = mastodon_peer.new_account("ana")
    _, ivo_token = mastodon_peer.new_account("ivo")
    ana, ivo = mastodon_peer.api(ana_token), mastodon_peer.api(ivo_token)
    reply = ana.post("/api/v1/statuses", status=f"@{me} <b>Super</b> je! & više", in_reply_to_id=post.external_id)
    # Ivo answers Ana, under our post: the inbox threads it to our post all the same.
    deeper = ivo.post("/api/v1/statuses", status=f"@{me} slažem se", in_reply_to_id=reply["id"])
    ivo.post("/api/v1/statuses", status=f"@{me} imate li dostavu u Zadar?")
    dm = ana.post("/api/v1/statuses", status=f"@{me} pošaljite mi cjenik", visibility="direct")

    page = adapter.fetch_inbox(None)
    found = {i.external_id: i for i in page.items}
    assert found[reply["id"]].kind == IncomingKind.COMMENT
    assert found[reply["id"]].post_external_id == post.external_id
    assert "<b>" in found[reply["id"]].text  # what Ana typed, as text: never markup of ours
    assert found[deeper["id"]].kind == IncomingKind.COMMENT
    assert found[deeper["id"]].post_external_id == post.external_id
    assert found[deeper["id"]].parent_external_id == reply["id"]
    assert found[dm["id"]].kind == IncomingKind.DIRECT_MESSAGE
    assert any(i.kind == IncomingKind.MENTION and "Zadar" in i.text for i in page.items)
    assert all(i.author_handle.startswith(("ana_", "ivo_")) for i in page.items)
    # The cursor brings only what is newer.
    later = adapter.fetch_inbox(page.cursor)
    assert [i for i in later.items if i.kind != IncomingKind.DIRECT_MESSAGE] == []
    news = ana.post("/api/v1/statuses", status=f"@{me} još jedno pitanje", in_reply_to_id=post.external_id)
    assert [i.external_id for i in adapter.fetch_inbox(later.cursor).items
            if i.kind != IncomingKind.DIRECT_MESSAGE] == [news["id"]]

    # The thread below the post (its context), as inbox items.
    assert {i.external_id for i in adapter.replies_to(post.external_id)} >= {reply["id"], deeper["id"], news["id"]}


def test_reply_favourite_boost_block_and_the_numbers(mastodon_peer: Peer) -> None:
    adapter, me = brand(mastodon_peer)
    post = adapter.publish(OutgoingPost("Brojimo", idempotency_key="m-1"))
    _, ana_token = mastodon_peer.new_account("ana")
    ana = mastodon_peer.api(ana_token)
    ana.post(f"/api/v1/accounts/{adapter.account_id}/follow")
    comment = ana.post("/api/v1/statuses", status=f"@{me} bravo", in_reply_to_id=post.external_id)
    ana.post(f"/api/v1/statuses/{post.external_id}/favourite")
    ana.post(f"/api/v1/statuses/{post.external_id}/reblog")
    dm = ana.post("/api/v1/statuses", status=f"@{me} tajna", visibility="direct")

    answer_id = adapter.reply(comment["id"], "Hvala!")
    answer = ana.get(f"/api/v1/statuses/{answer_id}")
    assert answer["in_reply_to_id"] == comment["id"]
    assert ana.get(f"/api/v1/accounts/{comment['account']['id']}")["acct"] in answer["content"]
    assert answer["visibility"] == "public"
    assert adapter.reply(comment["id"], "Hvala!") == answer_id  # a double click: one reply
    private = ana.get(f"/api/v1/statuses/{adapter.reply(dm['id'], 'Šaljemo.')}")
    assert private["visibility"] == "direct"  # an answer to a direct message never becomes public

    adapter.like(comment["id"])
    adapter.boost(comment["id"])
    seen = ana.get(f"/api/v1/statuses/{comment['id']}")
    assert seen["favourites_count"] == 1 and seen["reblogs_count"] == 1
    adapter.unlike(comment["id"])
    adapter.unboost(comment["id"])

    metrics = adapter.post_metrics([post.external_id])[post.external_id]
    assert (metrics.likes, metrics.reposts, metrics.comments) == (1, 1, 1)
    assert metrics.impressions is None and metrics.reach is None  # Mastodon has none: never a zero
    account = adapter.account_metrics()
    profile = ana.get(f"/api/v1/accounts/{adapter.account_id}")
    assert account.followers == 1 and account.posts == profile["statuses_count"] >= 2
    followers = adapter.followers()
    assert [f.handle for f in followers.followers] == [comment["account"]["acct"]]

    adapter.block(comment["account"]["id"])
    relation = mastodon_peer.api(adapter.account.credentials["access_token"]).get(
        "/api/v1/accounts/relationships", **{"id[]": comment["account"]["id"]})
    assert relation[0]["blocking"] is True
    adapter.unblock(comment["account"]["id"])
    with pytest.raises(PermanentNetworkError, match="no way to hide"):
        adapter.hide(comment["id"])


def test_errors_are_sorted_with_the_servers_own_message(mastodon_peer: Peer) -> None:
    adapter, _ = brand(mastodon_peer)
    path = "/api/v1/statuses"
    mastodon_peer.add_fault(path, {"type": "status", "status": 503, "body": {"error": "Down for upgrade"}},
                            methods=["POST"])
    with pytest.raises(TransientNetworkError, match="Down for upgrade") as transient:
        adapter.publish(OutgoingPost("x", idempotency_key="e-1"))
    assert transient.value.status_code == 503 and not isinstance(transient.value, OutcomeUnknown)

    mastodon_peer.add_fault(path, {"type": "ratelimit", "headers": {"Retry-After": "120"}}, methods=["POST"])
    with pytest.raises(RateLimited) as limited:
        adapter.publish(OutgoingPost("x", idempotency_key="e-2"))
    assert limited.value.retry_after == 120

    # The server's own validation: too long for this instance.
    with pytest.raises(PermanentNetworkError) as invalid:
        adapter.publish(OutgoingPost("ž" * 501, idempotency_key="e-3"))
    assert invalid.value.status_code == 422 and "500" in invalid.value.network_message
    assert not isinstance(invalid.value, AuthError)

    mastodon_peer.add_fault(path, {"type": "malformed"}, methods=["POST"])
    with pytest.raises(OutcomeUnknown):  # 200 with a cut body: it was posted, we cannot read what
        adapter.publish(OutgoingPost("x", idempotency_key="e-4"))

    revoked = MastodonAdapter(ChannelAccount("c", adapter.account.external_id, adapter.account.handle,
                                             {"access_token": "revoked-token"}, adapter.account.settings))
    with pytest.raises(AuthError):
        revoked.account_metrics()
    with pytest.raises(AuthError):
        revoked.refresh_credentials()  # nothing to refresh: the channel needs reconnecting
    assert revoked.credentials_expire_at() is None

    # Nobody listening: the request never left, so even a publish is safe to repeat.
    closed = MastodonAdapter(ChannelAccount("c", "1@127.0.0.1:9", "x", {"access_token": "t"},
                                            {"instance": "http://127.0.0.1:9", "account_id": "1"}))
    with pytest.raises(TransientNetworkError) as refused:
        closed.publish(OutgoingPost("x", idempotency_key="e-5"))
    assert not isinstance(refused.value, OutcomeUnknown)
