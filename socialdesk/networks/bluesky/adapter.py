"""Bluesky (AT Protocol) behind the adapter protocol, through the `atproto` SDK.

A post, a reply, a like are records in the account's repository on its PDS (com.atproto.repo.*); the
PDS serves those by itself. Reading other people's activity (notifications, threads, counts,
profiles) goes through app.bsky.* methods, which the PDS forwards to the AppView that indexes the
network: bsky.social does; a self-hosted PDS does when configured with an AppView, otherwise those
calls answer 502 UpstreamFailure and socialdesk shows that message.

External ids are AT URIs (at://did/app.bsky.feed.post/rkey); authors are DIDs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from atproto_client import exceptions as sdk

from socialdesk.core import clock
from socialdesk.networks.base import (
    FIRST_COMMENT,
    AccountMetrics,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    InboxPage,
    MediaKind,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
)
from socialdesk.networks.bluesky import inbox, reading, records, session, uris
from socialdesk.networks.bluesky.errors import calling
from socialdesk.networks.bluesky.facets import find_facets
from socialdesk.networks.profiles import NETWORK_PROFILES

DEFAULT_WEB = "https://bsky.app"
LOOKUP_PAGES = 5  # find_published reads at most this many pages of 100 of the account's posts


def capabilities() -> Capabilities:
    base = NETWORK_PROFILES["bluesky"]
    # What this adapter does today: images (no video upload yet), no direct messages (chat.bsky needs
    # an app password with DM access and a chat service), and nobody can delete another person's reply
    # under their post on Bluesky — only hide it.
    return dataclasses.replace(
        base, media=dataclasses.replace(base.media, kinds=frozenset({MediaKind.IMAGE}), video_alone=False),
        direct_messages=False, delete_comments=False,
        options=(*base.options, FIRST_COMMENT), first_comment_step=True)  # a first comment is a self-reply


class BlueskyAdapter:
    network: ClassVar[str] = "bluesky"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here: registries build adapters just to ask for capabilities
        settings = account.settings
        self.service = str(settings.get("service") or session.DEFAULT_SERVICE)
        self.pds = str(settings.get("pds") or self.service)
        self.web = str(settings.get("web") or DEFAULT_WEB)
        self.did = account.external_id
        self._client: Any = None

    def capabilities(self) -> Capabilities:
        return capabilities()

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = session.client_for(self.pds, str(self.account.credentials.get("access_jwt") or ""))
        return self._client

    # Credentials ---------------------------------------------------------------------------------

    def credentials_expire_at(self) -> datetime | None:
        return session.expires_at(str(self.account.credentials.get("access_jwt") or ""))

    def refresh_credentials(self) -> dict[str, Any]:
        return session.refresh(self.pds, str(self.account.credentials.get("refresh_jwt") or ""))

    # Records -------------------------------------------------------------------------------------

    def _create(self, collection: str, record: dict[str, Any], *, write: bool = True) -> tuple[str, str]:
        with calling(write=write):
            made = self.client.com.atproto.repo.create_record(
                {"repo": self.did, "collection": collection, "record": record})
        return made.uri, made.cid

    def _delete(self, uri: uris.AtUri) -> None:
        with calling():
            self.client.com.atproto.repo.delete_record(
                {"repo": self.did, "collection": uri.collection, "rkey": uri.rkey})

    def _get(self, uri: uris.AtUri) -> Any:
        """A record (of any repository: the PDS asks the network for ones it does not hold)."""
        with calling():
            return self.client.com.atproto.repo.get_record(
                {"repo": uri.repo, "collection": uri.collection, "rkey": uri.rkey})

    def _own_records(self, collection: str, pages: int = LOOKUP_PAGES) -> Iterator[Any]:
        """The account's records, newest first."""
        cursor = None
        for _ in range(pages):
            with calling():
                page = self.client.com.atproto.repo.list_records(
                    {"repo": self.did, "collection": collection, "limit": 100, "cursor": cursor})
            yield from page.records
            cursor = page.cursor
            if not cursor or not page.records:
                return

    def _strong_ref(self, external_id: str) -> tuple[dict[str, str], Any]:
        found = self._get(uris.parse(external_id))
        return {"uri": found.uri, "cid": found.cid}, found.value

    def _reply_ref(self, parent_id: str) -> dict[str, Any]:
        parent, value = self._strong_ref(parent_id)
        reply = getattr(value, "reply", None)
        root = {"uri": reply.root.uri, "cid": reply.root.cid} if reply is not None else parent
        return {"root": root, "parent": parent}

    def _resolve_handle(self, handle: str) -> str | None:
        try:
            with calling():
                return str(self.client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except PermanentNetworkError as error:
            if isinstance(error.__cause__, sdk.BadRequestError):
                return None  # no such handle: the mention stays plain text
            raise

    # Publishing ----------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        caps = self.capabilities()
        text = post.text.strip()
        if post.poll is not None:
            raise PermanentNetworkError("Bluesky has no polls: ask in the text instead.", status_code=400)
        if post.visibility or post.content_warning:
            raise PermanentNetworkError("Bluesky posts are public and have no content warnings (labels are not "
                                        "supported here).", status_code=400)
        if not text and not post.media:
            raise PermanentNetworkError("The post is empty.", status_code=400)
        records.check_text(text, caps)
        records.check_media(post.media, caps)
        facets = find_facets(text, self._resolve_handle)
        reply = self._reply_ref(post.reply_to_external_id) if post.reply_to_external_id else None
        embed = records.images_embed(post.media, self._upload) if post.media else records.link_card(facets)
        now = clock.now()
        record = records.post_record(text, facets, now, language=post.language, embed=embed, reply=reply,
                                     idempotency_key=post.idempotency_key)
        uri, _ = self._create(uris.POST, record)
        return PublishedPost(uri, self._web_url(uri), now)

    def _upload(self, media: OutgoingMedia) -> Any:
        data = media.path.read_bytes()
        # Sizes are checked again on the bytes themselves: the stored size may be stale.
        limit = self.capabilities().media.max_image_bytes
        if limit and len(data) > limit:
            raise PermanentNetworkError(f"{media.path.name} is {len(data):,} bytes; Bluesky takes images up to "
                                        f"{limit:,} bytes.", status_code=400)
        # An upload that fails is safe to repeat: a blob no record uses is dropped by the PDS.
        with calling():
            return self.client.com.atproto.repo.upload_blob(data, headers={"Content-Type": media.content_type}).blob

    def _web_url(self, uri: str) -> str:
        return uris.web_url(self.web, self.account.handle or self.did, uri)

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """An earlier try's post, created after `since`: the one with this publication's marker, or a
        post without any marker (made by hand, or elsewhere) with the same text."""
        wanted = records.marker(post.idempotency_key) if post.idempotency_key else None
        text = post.text.strip()
        for item in self._own_records(uris.POST):
            value = item.value
            created = reading.parse_time(getattr(value, "created_at", None))
            # The record key's time, set by the server, orders the list (a client may backdate createdAt).
            made = uris.tid_time(uris.parse(item.uri).rkey) or created
            if made is not None and made < since:
                return None  # newest first: everything further is older
            mark = (getattr(value, "model_extra", None) or {}).get(records.MARKER_FIELD)
            # A post with another publication's marker is that publication's, however alike the text.
            same = mark == wanted if mark else getattr(value, "text", None) == text
            if same:
                return PublishedPost(item.uri, self._web_url(item.uri), created or clock.now())
        return None

    def delete(self, external_id: str) -> None:
        uri = uris.parse(external_id)
        if uri.repo != self.did:
            raise PermanentNetworkError("This post belongs to another account; only its author can delete it.",
                                        status_code=403)
        self._delete(uri)  # deleting a post that is already gone is not an error on Bluesky

    # The inbox -----------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        return inbox.fetch(self.client, self.did, cursor, self.web)

    def reply(self, item_external_id: str, text: str) -> str:
        text = text.strip()
        if not text:
            raise PermanentNetworkError("The reply is empty.", status_code=400)
        records.check_text(text, self.capabilities(), what="reply")
        facets = find_facets(text, self._resolve_handle)
        reply = self._reply_ref(item_external_id)
        record = records.post_record(text, facets, clock.now(), reply=reply, embed=records.link_card(facets))
        uri, _ = self._create(uris.POST, record)
        return uri

    def public_post_id(self, url_or_uri: str) -> str:
        """The at:// URI of a public post, from its URI or its bsky.app-style address (/profile/NAME/post/RKEY;
        the PDS resolves a handle in an AT URI itself)."""
        if url_or_uri.startswith("at://"):
            return str(uris.parse(url_or_uri))
        parts = url_or_uri.split("://", 1)[-1].split("/")
        if len(parts) >= 5 and parts[1] == "profile" and parts[3] == "post" and parts[2] and parts[4]:
            return str(uris.AtUri(parts[2], uris.POST, parts[4]))
        raise PermanentNetworkError(f"{url_or_uri!r} is not the address of a Bluesky post.", status_code=400)

    def post_link(self, external_id: str) -> str:
        """Where people see one of the account's posts."""
        return self._web_url(external_id)

    def like(self, item_external_id: str) -> None:
        subject, _ = self._strong_ref(item_external_id)
        if self._find_own(uris.LIKE, item_external_id) is None:  # a second like would be a second record
            self._create(uris.LIKE, {"$type": uris.LIKE, "subject": subject,
                                     "createdAt": records.timestamp(clock.now())}, write=False)

    def unlike(self, item_external_id: str) -> None:
        found = self._find_own(uris.LIKE, item_external_id)
        if found is not None:
            self._delete(uris.parse(found, collection=uris.LIKE))

    def repost(self, external_id: str) -> str:
        """Repost someone's post (or our own) to the account's followers; returns the repost's URI."""
        existing = self._find_own(uris.REPOST, external_id)
        if existing is not None:
            return existing
        subject, _ = self._strong_ref(external_id)
        uri, _ = self._create(uris.REPOST, {"$type": uris.REPOST, "subject": subject,
                                            "createdAt": records.timestamp(clock.now())}, write=False)
        return uri

    def _find_own(self, collection: str, subject: str) -> str | None:
        """Our like, repost or block of `subject` (a post URI or a DID), if there is one."""
        for item in self._own_records(collection):
            target = getattr(item.value, "subject", None)
            if (target if isinstance(target, str) else getattr(target, "uri", None)) == subject:
                return str(item.uri)
        return None

    def hide(self, item_external_id: str) -> None:
        self._gate(item_external_id, hide=True)

    def unhide(self, item_external_id: str) -> None:
        self._gate(item_external_id, hide=False)

    def _gate(self, reply_id: str, *, hide: bool) -> None:
        """Hidden replies live in the thread's threadgate record, on the root post's rkey; only the
        root post's author can write it."""
        _, value = self._strong_ref(reply_id)
        reply = getattr(value, "reply", None)
        if reply is None:
            raise PermanentNetworkError("Only replies can be hidden on Bluesky.", status_code=400)
        root = uris.parse(reply.root.uri)
        if root.repo != self.did:
            raise PermanentNetworkError("Only replies in this account's own threads can be hidden.",
                                        status_code=403)
        gate_uri = uris.AtUri(self.did, uris.THREADGATE, root.rkey)
        gate: dict[str, Any] = {"$type": uris.THREADGATE, "post": str(root),
                                "createdAt": records.timestamp(clock.now())}
        try:
            existing = self._get(gate_uri).value
        except PermanentNetworkError as error:
            if error.status_code not in (400, 404):
                raise
        else:  # keep who-may-reply rules the user set in Bluesky
            gate = {**existing.model_dump(by_alias=True, exclude_none=True), "$type": uris.THREADGATE}
        hidden = [u for u in gate.get("hiddenReplies", []) if u != reply_id]
        gate["hiddenReplies"] = [*hidden, reply_id] if hide else hidden
        with calling():
            self.client.com.atproto.repo.put_record({"repo": self.did, "collection": uris.THREADGATE,
                                                     "rkey": root.rkey, "record": gate})

    def delete_comment(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Bluesky does not let an account delete other people's replies; hide the "
                                    "reply or block its author instead.", status_code=403)

    def block(self, author_external_id: str) -> None:
        if self._find_own(uris.BLOCK, author_external_id) is None:
            self._create(uris.BLOCK, {"$type": uris.BLOCK, "subject": author_external_id,
                                      "createdAt": records.timestamp(clock.now())}, write=False)

    def unblock(self, author_external_id: str) -> None:
        found = self._find_own(uris.BLOCK, author_external_id)
        if found is not None:
            self._delete(uris.parse(found, collection=uris.BLOCK))

    # Metrics -------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        return reading.post_metrics(self.client, external_ids)

    def account_metrics(self) -> AccountMetrics:
        return reading.account_metrics(self.client, self.did)

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        return reading.followers(self.client, self.did, cursor, limit)


def connect(handle: str, app_password: str, service: str | None = None, **_: Any) -> dict[str, Any]:
    """Log in with an app password and keep the session (never the password)."""
    base = session.normalise_service(service)
    opened = session.login(base, handle, app_password)
    return {"external_id": opened.did, "handle": opened.handle, "display_name": opened.handle,
            "credentials": opened.credentials(), "settings": {"service": base, "pds": opened.pds}}


