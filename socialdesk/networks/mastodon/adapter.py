"""The Mastodon adapter: one connected account on one server, through Mastodon.py.

Every status post carries an `Idempotency-Key` (the publication's id), so a repeated try within the
server's memory of keys (an hour on Mastodon) returns the first status instead of posting again.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from mastodon import Mastodon

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    Follower,
    FollowerPage,
    InboxPage,
    IncomingItem,
    NetworkError,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    TransientNetworkError,
)
from socialdesk.networks.mastodon import instance
from socialdesk.networks.mastodon.client import READ_TIMEOUT, make_client, sorted_errors
from socialdesk.networks.mastodon.statuses import incoming, plain_text, when

# Mastodon returns at most 40 notifications and 80 accounts per page.
NOTIFICATIONS_PAGE = 40
FOLLOWERS_PAGE = 80
CONVERSATIONS_PAGE = 20
# How long a publish waits for the server to process an upload (videos take a while).
MEDIA_PROCESSING_WAIT = 60.0
# Replies further down a thread need a context look-up to find the account's post they belong to; cap
# those per page so one busy thread cannot spend the account's request budget (300 per 5 minutes).
CONTEXT_LOOKUPS_PER_PAGE = 10
# Most public first: a reply is never more visible than what it answers.
_VISIBILITY_ORDER = {v: i for i, v in enumerate(instance.VISIBILITIES)}


def _id_order(value: Any) -> tuple[int, str]:
    """Ids sort by age: Mastodon's are numbers in strings, GoToSocial's are ULIDs (fixed length)."""
    text = str(value)
    return len(text), text


def _narrowest(*visibilities: str | None) -> str:
    known = [v for v in visibilities if v in _VISIBILITY_ORDER]
    return max(known, key=_VISIBILITY_ORDER.__getitem__) if known else "public"


def _status_id_in(address: str) -> str | None:
    """The id in a status address: /@user/ID (its web URL) or /users/user/statuses/ID (its URI)."""
    path = address.split("://", 1)[-1].partition("/")[2].split("?", 1)[0]
    parts = [p for p in path.split("/") if p]
    if (len(parts) == 2 and parts[0].startswith("@")) or (len(parts) == 4 and parts[2] == "statuses"):
        return parts[-1]
    return None


class MastodonAdapter:
    network: ClassVar[str] = "mastodon"

    def __init__(self, account: ChannelAccount, *, read_timeout: float = READ_TIMEOUT) -> None:
        self.account = account  # no I/O here: the registry builds adapters just to ask for capabilities
        self.read_timeout = read_timeout
        self._client: Mastodon | None = None

    # Who and where ----------------------------------------------------------------------------------

    @property
    def server_url(self) -> str:
        return str(self.account.settings.get("instance") or "")

    @property
    def account_id(self) -> str:
        return str(self.account.settings.get("account_id") or self.account.external_id.split("@", 1)[0])

    def _api(self) -> Mastodon:
        if self._client is None:
            token = self.account.credentials.get("access_token")
            if not token or not self.server_url:
                raise AuthError("This Mastodon channel has no token. Connect it again.")
            self._client = make_client(self.server_url, str(token), read_timeout=self.read_timeout,
                                       server_version=self.account.settings.get("server_version"))
        return self._client

    def capabilities(self) -> Capabilities:
        return instance.capabilities(self.account.settings)

    def credentials_expire_at(self) -> datetime | None:
        return None  # Mastodon tokens live until the user or the server revokes them

    def refresh_credentials(self) -> dict[str, Any]:
        raise AuthError("The server no longer accepts this channel's token (Mastodon tokens do not expire, so it "
                        "was revoked). Connect the account again.")

    # Publishing ---------------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        self._check(post)
        api = self._api()
        media_ids = [self._upload(api, media) for media in post.media]
        poll = None
        if post.poll is not None:
            poll = api.make_poll(list(post.poll.options), expires_in=int(post.poll.expires_in_seconds),
                                 multiple=post.poll.multiple)
        visibility = post.visibility or self.account.settings.get("default_visibility") or "public"
        # sends=True: once the request is out, a lost answer may hide a status that exists.
        with sorted_errors(api, sends=True):
            status = api.status_post(
                post.text, in_reply_to_id=post.reply_to_external_id or None, media_ids=media_ids or None,
                sensitive=bool(post.content_warning), visibility=visibility,
                spoiler_text=post.content_warning or None, language=post.language or None,
                idempotency_key=post.idempotency_key or None, poll=poll)
        return self._published(status)

    def _check(self, post: OutgoingPost) -> None:
        """What the server would refuse with a 422, said before anything is uploaded."""
        if post.visibility and post.visibility not in _VISIBILITY_ORDER:
            raise PermanentNetworkError(f"Unknown visibility {post.visibility!r}; Mastodon has "
                                        f"{', '.join(instance.VISIBILITIES)}.")
        if post.poll is None:
            return
        limits = self.account.settings.get("limits") or {}
        if post.media:
            raise PermanentNetworkError("Mastodon does not allow a poll and media in the same post.")
        most = int(limits.get("poll_max_options", 4))
        if not 2 <= len(post.poll.options) <= most:
            raise PermanentNetworkError(f"A poll on this server has 2 to {most} options.")
        longest = int(limits.get("poll_max_characters_per_option", 50))
        if any(len(option) > longest for option in post.poll.options):
            raise PermanentNetworkError(f"A poll option on this server has at most {longest} characters.")
        shortest, longest_time = limits.get("poll_min_expiration"), limits.get("poll_max_expiration")
        if (shortest and post.poll.expires_in_seconds < shortest) or (
                longest_time and post.poll.expires_in_seconds > longest_time):
            raise PermanentNetworkError(f"A poll on this server runs from {shortest or 300} to "
                                        f"{longest_time} seconds.")

    def _upload(self, api: Mastodon, media: OutgoingMedia) -> str:
        # An upload creates only an unattached file that the server deletes by itself, so a lost answer
        # here is safe to retry (sends=False).
        with sorted_errors(api):
            attachment = api.media_post(str(media.path), mime_type=media.content_type,
                                        description=media.alt_text or None, focus=media.focus)
        # /api/v2/media answers before a video is processed (url null), and a status cannot carry it until
        # it is. Mastodon.py's own wait has no end; this one gives up, and the publisher tries again later.
        waited, pause = 0.0, 0.5
        while attachment.get("url") is None:
            if waited >= MEDIA_PROCESSING_WAIT:
                raise TransientNetworkError(f"The server is still processing {media.path.name} after "
                                            f"{MEDIA_PROCESSING_WAIT:.0f} seconds.")
            time.sleep(pause)
            waited += pause
            pause = min(pause * 2, 5.0)
            with sorted_errors(api):
                attachment = api.media(attachment["id"])
        return str(attachment["id"])

    def _published(self, status: Any) -> PublishedPost:
        return PublishedPost(external_id=str(status["id"]), url=status.get("url") or status.get("uri"),
                             published_at=when(status.get("created_at")))

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """After the server's memory of idempotency keys has passed: the account's own status with the
        same text, posted since `since`."""
        api = self._api()
        with sorted_errors(api):
            recent = api.account_statuses(self.account_id, limit=40)
        wanted = post.text.strip()
        for status in recent:
            if when(status.get("created_at")) >= since and plain_text(status.get("content")) == wanted:
                return self._published(status)
        return None

    def delete(self, external_id: str) -> None:
        api = self._api()
        try:
            with sorted_errors(api):
                api.status_delete(external_id)
        except PermanentNetworkError as error:
            if error.status_code != 404 or isinstance(error, AuthError):
                raise
            # Already gone (deleted on the server, or an earlier try got through): what was asked is done.

    # The inbox ----------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """Mentions, replies and direct messages newer than `cursor` (the newest notification seen).

        Direct messages are also read from the conversations list: a server's notification filters (from
        people the account does not follow, say) can keep them out of the notifications.
        """
        api = self._api()
        after = json.loads(cursor).get("n") if cursor else None
        with sorted_errors(api):
            notes = api.notifications(types=["mention"], min_id=after, limit=NOTIFICATIONS_PAGE)
        newest = max((str(n["id"]) for n in notes), key=_id_order, default=None)
        items: dict[str, IncomingItem] = {}
        lookups = CONTEXT_LOOKUPS_PER_PAGE
        for note in sorted(notes, key=lambda n: _id_order(n["id"])):
            status = note.get("status")
            if note.get("type") != "mention" or not status:
                continue  # servers that ignore `types[]` send favourites, boosts and follows too
            if str((status.get("account") or {}).get("id")) == self.account_id:
                continue
            post_id, used = self._own_post_for(api, status, lookups > 0)
            lookups -= used
            items[str(status["id"])] = incoming(status, self.account_id, post_id)
        for talk in self._conversations(api):
            status = talk.get("last_status")
            if not status or str(status["id"]) in items:
                continue
            if str((status.get("account") or {}).get("id")) == self.account_id:
                continue  # our own last word in the conversation
            items[str(status["id"])] = incoming(status, self.account_id, None)
        next_cursor = json.dumps({"n": newest}) if newest is not None else cursor
        return InboxPage(items=sorted(items.values(), key=lambda i: i.created_at), cursor=next_cursor)

    def _conversations(self, api: Mastodon) -> list[Any]:
        try:
            with sorted_errors(api):
                return list(api.conversations(limit=CONVERSATIONS_PAGE))
        except PermanentNetworkError as error:
            if error.status_code == 404 and not isinstance(error, AuthError):
                return []  # a server without conversations: its DMs still come as mentions
            raise

    def _own_post_for(self, api: Mastodon, status: dict[str, Any], may_look_up: bool) -> tuple[str | None, int]:
        """The account's status at the top of the thread this status answers (and how many look-ups it took)."""
        parent = status.get("in_reply_to_id")
        if not parent:
            return None, 0
        direct = str(status.get("in_reply_to_account_id") or "") == self.account_id
        if not may_look_up:
            return (str(parent) if direct else None), 0
        try:
            with sorted_errors(api):
                context = api.status_context(status["id"])
        except NetworkError:
            return (str(parent) if direct else None), 1
        ours = [s for s in context.get("ancestors") or []
                if str((s.get("account") or {}).get("id")) == self.account_id]
        if ours:
            return str(ours[0]["id"]), 1  # ancestors come oldest first: the thread's first status of ours
        return (str(parent) if direct else None), 1

    def replies_to(self, external_id: str) -> list[IncomingItem]:
        """Everyone's replies below one of the account's statuses (its context), as inbox items."""
        api = self._api()
        with sorted_errors(api):
            context = api.status_context(external_id)
        return [incoming(s, self.account_id, external_id) for s in context.get("descendants") or []
                if str((s.get("account") or {}).get("id")) != self.account_id]

    def reply(self, item_external_id: str, text: str) -> str:
        """Answer a status. The reply names its author (Mastodon notifies only those named) and is never more
        visible than the status it answers: an answer to a direct message stays direct."""
        api = self._api()
        with sorted_errors(api):
            original = api.status(item_external_id)
        author = str((original.get("account") or {}).get("acct") or "")
        body = text if not author or f"@{author}".lower() in text.lower() else f"@{author} {text}"
        visibility = _narrowest(original.get("visibility"), self.account.settings.get("default_visibility"))
        # The same answer to the same status within the key's hour is one status (a double click, a retry).
        key = hashlib.sha256(f"{item_external_id}\n{body}".encode()).hexdigest()[:40]
        with sorted_errors(api, sends=True):
            status = api.status_post(body, in_reply_to_id=item_external_id, visibility=visibility,
                                     idempotency_key=key, language=original.get("language") or None)
        return str(status["id"])

    def public_post_id(self, url_or_uri: str) -> str:
        """This server's id of a public status seen anywhere (its URL or ActivityPub URI). A status of this
        server carries its id in its address (checked by reading it back); one of another server is fetched
        into this one by `search(resolve=true)` (https://docs.joinmastodon.org/methods/search/)."""
        api = self._api()
        candidate = _status_id_in(url_or_uri)
        if candidate is not None:
            try:
                with sorted_errors(api):
                    found = api.status(candidate)
                if url_or_uri in (found.get("url"), found.get("uri")):
                    return str(found["id"])
            except PermanentNetworkError:
                pass  # not this server's status: ask the search
        with sorted_errors(api):
            result = api.search_v2(url_or_uri, resolve=True, result_type="statuses")
        statuses = list((result or {}).get("statuses") or [])
        if not statuses:
            raise PermanentNetworkError(f"{self.server_url} could not find the post {url_or_uri} (it may be "
                                        "deleted, private, or on a server this one does not federate with).",
                                        status_code=404)
        return str(statuses[0]["id"])

    def post_link(self, external_id: str) -> str:
        """Where people see one of the account's statuses."""
        handle = str(self.account.handle or "").lstrip("@").split("@", 1)[0]
        return f"{self.server_url.rstrip('/')}/@{handle}/{external_id}" if handle else self.server_url

    # Moderation and engagement --------------------------------------------------------------------------

    def like(self, item_external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.status_favourite(item_external_id)

    def unlike(self, item_external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.status_unfavourite(item_external_id)

    def boost(self, external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.status_reblog(external_id)

    def unboost(self, external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.status_unreblog(external_id)

    def hide(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Mastodon has no way to hide someone else's reply. Block or mute its "
                                    "author instead, or report it to the server's moderators.")

    def unhide(self, item_external_id: str) -> None:
        self.hide(item_external_id)

    def delete_comment(self, item_external_id: str) -> None:
        raise PermanentNetworkError("On Mastodon an account can delete only its own statuses.")

    def block(self, author_external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.account_block(author_external_id)

    def unblock(self, author_external_id: str) -> None:
        api = self._api()
        with sorted_errors(api):
            api.account_unblock(author_external_id)

    # Numbers ------------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """Counts as the account's own server knows them (favourites and boosts from other servers arrive
        there over time). Mastodon has no impressions or reach: those stay None. A deleted status is left
        out."""
        api = self._api()
        found: dict[str, PostMetrics] = {}
        for external_id in external_ids:
            try:
                with sorted_errors(api):
                    status = api.status(external_id)
            except PermanentNetworkError as error:
                if error.status_code == 404 and not isinstance(error, AuthError):
                    continue
                raise
            quotes = status.get("quotes_count")
            poll = status.get("poll") or None
            # A poll's votes per option (Poll entity: options[].votes_count, null while the results are hidden).
            votes = [o.get("votes_count") for o in poll.get("options") or []] if poll else None
            found[external_id] = PostMetrics(
                collected_at=clock.now(), likes=int(status.get("favourites_count") or 0),
                reposts=int(status.get("reblogs_count") or 0), comments=int(status.get("replies_count") or 0),
                quotes=None if quotes is None else int(quotes),
                poll_votes=[int(v) for v in votes] if votes and all(v is not None for v in votes) else None)
        return found

    def account_metrics(self) -> AccountMetrics:
        api = self._api()
        with sorted_errors(api):
            me = api.account_verify_credentials()
        return AccountMetrics(collected_at=clock.now(), followers=int(me.get("followers_count") or 0),
                              following=int(me.get("following_count") or 0),
                              posts=int(me.get("statuses_count") or 0))

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        api = self._api()
        with sorted_errors(api):
            page = api.account_followers(self.account_id, max_id=cursor or None,
                                         limit=max(1, min(limit, FOLLOWERS_PAGE)))
        following = [Follower(external_id=str(a["id"]), handle=str(a.get("acct") or ""),
                              name=str(a.get("display_name") or "")) for a in page]
        after = getattr(page, "_pagination_next", None) or {}
        next_cursor = after.get("max_id") if isinstance(after, dict) else None
        return FollowerPage(following, str(next_cursor) if next_cursor and following else None)

