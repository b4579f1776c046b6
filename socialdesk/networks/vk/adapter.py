"""A VK community behind the adapter protocol, and `connect`.

Tokens. VK's schema (5.199) allows `wall.post`, the wall upload methods, `video.save`, `polls.create`,
`wall.delete(Comment)`, `groups.ban` and `stats.*` with a **user** token only: a community's wall is
written with the token of one of its administrators, `owner_id=-<group_id>` and `from_group=1`. A
community token (optional) is used for what only it can do well: the community's messages
(`messages.*`). Both are kept in the channel's credentials.

Exactly once. VK has no documented idempotency key for `wall.post`, so the adapter declares LOOKUP:
`find_published` reads the community wall (`wall.get`, newest first) and takes a post of the community
made since the first try whose text is the same (see docs/networks/vk.md for why text, not a marker).

Ids. A post is `<owner_id>_<post_id>` (`-123_45`, VK's own notation in `wall.getById`); an inbox item is
`wall:<owner_id>_<post_id>_<comment_id>` for a comment and `msg:<peer_id>_<message_id>` for a message.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    IdempotencyMethod,
    InboxPage,
    IncomingItem,
    IncomingKind,
    MediaKind,
    MediaRules,
    NetworkError,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    PublishOption,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.vk.api import COMMUNITY_PER_SECOND, VkApi

log = logging.getLogger(__name__)

# wall.post's message: VK documents no number; the web composer stops at 16,384 characters (unconfirmed).
TEXT_LIMIT = 16_384
MAX_ATTACHMENTS = 10  # https://dev.vk.com/method/wall.post: at most 10 attachments
# How many recent posts the inbox reads comments of, and how far back LOOKUP reads the wall.
INBOX_POSTS = 10
LOOKUP_POSTS = 50
COMMENTS_PAGE = 100
CONVERSATIONS_PAGE = 20
HISTORY_PAGE = 50
STATS_DAYS = 30


OPTIONS = (
    PublishOption("link", "Link", help="One web address attached to the post as a link card (VK allows one)",
                  max_length=2048),
    PublishOption("poll_question", "Poll question", help="The poll's question; the post's first line if empty",
                  max_length=255),
    PublishOption("first_comment", "First comment", kind="textarea", max_length=TEXT_LIMIT,
                  help="A comment the community posts under the post right after it"),
    PublishOption("close_comments", "Close comments", kind="bool", default=False),
    PublishOption("mute_notifications", "Do not notify subscribers", kind="bool", default=False),
)


def capabilities_for(settings: dict[str, Any]) -> Capabilities:
    base = NETWORK_PROFILES["vk"]
    return dataclasses.replace(
        base,
        label="VK community",
        text=dataclasses.replace(base.text, limit=TEXT_LIMIT),
        media=MediaRules(kinds=frozenset({MediaKind.IMAGE, MediaKind.VIDEO}), max_count=MAX_ATTACHMENTS,
                         max_image_bytes=50 * 1024 * 1024,  # https://dev.vk.com/api/upload/wall-photo
                         image_types=frozenset({"image/jpeg", "image/png", "image/gif"})),
        like_comments=False,  # likes.add would like as the administrator, not as the community
        hide_comments=False,  # VK has no hidden comments: delete, or ban the author
        direct_messages=bool(settings.get("community_messages")),
        native_scheduling=False,  # socialdesk's scheduler publishes; publish_date is not used
        post_metrics=frozenset({"views", "likes", "reposts", "comments", "reach", "clicks"}),
        idempotency=IdempotencyMethod.LOOKUP,
        options=OPTIONS,
    )


def post_id(external_id: str) -> tuple[int, int]:
    owner, _, number = external_id.partition("_")
    try:
        return int(owner), int(number)
    except ValueError:
        raise PermanentNetworkError(f"{external_id!r} is not a VK post id (owner_post)") from None


def _when(unix: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(unix), UTC)
    except (TypeError, ValueError):
        return clock.now()


def _count(block: Any) -> int | None:
    if isinstance(block, dict) and isinstance(block.get("count"), int):
        return int(block["count"])
    return None


def _groups_of(response: Any) -> list[dict[str, Any]]:
    """groups.getById answers `{"groups": [...]}` since 5.139 and a list before; both are read."""
    if isinstance(response, dict):
        return list(response.get("groups") or [])
    return list(response or [])


def _random_id(*parts: str) -> int:
    """messages.send's random_id: the same for the same reply, so VK drops a repeat (int32)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _same_text(a: str, b: str) -> bool:
    # VK keeps the text as sent; line endings and surrounding blanks are all it is known to touch.
    def norm(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n"))

    return norm(a) == norm(b)


class VkAdapter:
    network: ClassVar[str] = "vk"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here

    # Who and what ------------------------------------------------------------------------------------

    @property
    def group_id(self) -> int:
        return int(self.account.settings.get("group_id") or self.account.credentials.get("group_id") or 0)

    @property
    def owner_id(self) -> int:
        return -self.group_id

    def capabilities(self) -> Capabilities:
        return capabilities_for(self.account.settings)

    def _user(self) -> VkApi:
        return VkApi(str(self.account.credentials.get("access_token") or ""))

    def _community(self) -> VkApi:
        token = self.account.credentials.get("community_token")
        if not token:
            raise PermanentNetworkError("Community messages need a community token: reconnect the VK channel "
                                        "with one (community → Manage → API usage → Access tokens).")
        return VkApi(str(token), per_second=COMMUNITY_PER_SECOND)

    def credentials_expire_at(self) -> datetime | None:
        expires = self.account.credentials.get("expires_at")
        return datetime.fromisoformat(expires) if expires else None

    def refresh_credentials(self) -> dict[str, Any]:
        from socialdesk.networks.vk import oauth

        return oauth.refresh(self.account.credentials)

    # Publishing ----------------------------------------------------------------------------------------

    def _options(self, post: OutgoingPost) -> dict[str, Any]:
        return dict(post.options or {})

    def _check(self, post: OutgoingPost) -> None:
        if len(post.text) > TEXT_LIMIT:
            raise PermanentNetworkError(f"A VK post may have at most {TEXT_LIMIT} characters; this one has "
                                        f"{len(post.text)}.")
        count = len(post.media) + (1 if post.poll else 0) + (1 if self._options(post).get("link") else 0)
        if count > MAX_ATTACHMENTS:
            raise PermanentNetworkError(f"A VK post takes at most {MAX_ATTACHMENTS} attachments (photos, videos, "
                                        f"a poll, a link); this one has {count}.")
        if not post.text.strip() and not post.media and not post.poll:
            raise PermanentNetworkError("A VK post needs text or an attachment.")
        for media in post.media:
            if media.kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
                raise PermanentNetworkError(f"socialdesk does not put {media.kind} files on a VK wall.")

    def publish(self, post: OutgoingPost) -> PublishedPost:
        self._check(post)
        options = self._options(post)
        with self._user() as api:
            attachments = [self._attach(api, media) for media in post.media]
            if post.poll is not None:
                attachments.append(self._poll(api, post, options))
            if options.get("link"):
                attachments.append(str(options["link"]).strip())  # one external link (VK allows one)
            # Nothing before this line made a post; wall.post is the only call a lost answer makes doubtful.
            made = api.call("wall.post", creates=True, owner_id=self.owner_id, from_group=1,
                            message=post.text or None, attachments=attachments or None,
                            close_comments=1 if options.get("close_comments") else None,
                            mute_notifications=1 if options.get("mute_notifications") else None)
        number = int(made["post_id"])
        if str(options.get("first_comment") or "").strip():
            self._first_comment(number, str(options["first_comment"]).strip(), post.idempotency_key)
        return PublishedPost(external_id=f"{self.owner_id}_{number}", url=self._url(self.owner_id, number),
                             published_at=clock.now())

    def _first_comment(self, number: int, text: str, key: str) -> None:
        """The post is out whatever happens here: a refused comment is logged, never a failed publication."""
        try:
            with self._user() as api:
                api.call("wall.createComment", owner_id=self.owner_id, post_id=number, from_group=self.group_id,
                         message=text, guid=_random_id("first", key or str(number)))
        except NetworkError as error:
            log.warning("VK first comment under %s_%s not posted: %s", self.owner_id, number, error.network_message)

    @staticmethod
    def _url(owner: int, number: int) -> str:
        return f"https://vk.com/wall{owner}_{number}"

    def _attach(self, api: VkApi, media: OutgoingMedia) -> str:
        content = media.path.read_bytes()
        filename = media.path.name
        if media.kind == MediaKind.IMAGE:
            # https://dev.vk.com/api/upload/wall-photo
            server = api.call("photos.getWallUploadServer", group_id=self.group_id)
            sent = api.upload(str(server["upload_url"]), "photo", filename, content, media.content_type)
            if not isinstance(sent, dict) or sent.get("photo") in (None, "", "[]"):
                raise PermanentNetworkError(f"VK's upload server did not take {filename}.")
            saved = api.call("photos.saveWallPhoto", group_id=self.group_id, server=sent.get("server"),
                             photo=sent.get("photo"), hash=sent.get("hash"),
                             caption=media.alt_text[:2048] or None)
            photo = saved[0]
            return f"photo{photo['owner_id']}_{photo['id']}"
        # https://dev.vk.com/api/upload/video-in-profile : video.save, then the file to its upload_url
        made = api.call("video.save", group_id=self.group_id, name=filename[:128],
                        description=media.alt_text or None, wallpost=0)
        api.upload(str(made["upload_url"]), "video_file", filename, content, media.content_type)
        return f"video{made.get('owner_id', self.owner_id)}_{made['video_id']}"

    def _poll(self, api: VkApi, post: OutgoingPost, options: dict[str, Any]) -> str:
        assert post.poll is not None
        question = str(options.get("poll_question") or "").strip() or \
            (post.text.strip().splitlines() or ["Poll"])[0][:255]
        made = api.call("polls.create", owner_id=self.owner_id, question=question,
                        add_answers=json.dumps(list(post.poll.options), ensure_ascii=False),
                        is_multiple=1 if post.poll.multiple else 0,
                        end_date=int((clock.now() + timedelta(seconds=post.poll.expires_in_seconds)).timestamp()))
        return f"poll{made.get('owner_id', self.owner_id)}_{made['id']}"

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        earliest = since - timedelta(minutes=1)
        with self._user() as api:
            found = api.call("wall.get", owner_id=self.owner_id, count=LOOKUP_POSTS, filter="owner")
        for item in found.get("items", []):
            if _when(item.get("date")) < earliest or int(item.get("from_id") or 0) != self.owner_id:
                continue  # older (or a pinned post read first), or not made by the community
            if not _same_text(str(item.get("text") or ""), post.text):
                continue
            expected = len(post.media) + (1 if post.poll else 0) + (1 if self._options(post).get("link") else 0)
            if not post.text.strip() and len(item.get("attachments") or []) != expected:
                continue
            number = int(item["id"])
            return PublishedPost(external_id=f"{self.owner_id}_{number}", url=self._url(self.owner_id, number),
                                 published_at=_when(item.get("date")))
        return None

    def delete(self, external_id: str) -> None:
        owner, number = post_id(external_id)
        with self._user() as api:
            api.call("wall.delete", owner_id=owner, post_id=number)

    # Inbox ------------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        seen = json.loads(cursor) if cursor else {}
        last_comment, last_message = int(seen.get("comment", 0)), int(seen.get("message", 0))
        known_counts: dict[str, int] = dict(seen.get("counts") or {})
        counts: dict[str, int] = {}
        items: list[IncomingItem] = []
        with self._user() as api:
            posts = api.call("wall.get", owner_id=self.owner_id, count=INBOX_POSTS, filter="owner")
            for post in posts.get("items", []):
                count = _count(post.get("comments")) or 0
                counts[str(post["id"])] = count
                if not count or known_counts.get(str(post["id"])) == count:
                    continue  # no comments, or none since the last read: no call spent on it
                found = api.call("wall.getComments", owner_id=self.owner_id, post_id=post["id"], need_likes=0,
                                 count=COMMENTS_PAGE, sort="desc", extended=1, thread_items_count=10,
                                 fields="screen_name")
                names = _names(found)
                for comment in _flatten(found.get("items", [])):
                    if int(comment["id"]) > last_comment and int(comment.get("from_id") or 0) != self.owner_id:
                        items.append(self._comment(comment, int(post["id"]), names))
        if self.account.credentials.get("community_token"):
            items += self._messages(last_message)
        comments = [int(i.external_id.rsplit("_", 1)[1]) for i in items if i.kind == IncomingKind.COMMENT]
        messages = [int(i.external_id.rsplit("_", 1)[1]) for i in items if i.kind == IncomingKind.DIRECT_MESSAGE]
        cursor_out = {"comment": max([last_comment, *comments]), "message": max([last_message, *messages]),
                      "counts": counts}
        items.sort(key=lambda i: i.created_at)
        return InboxPage(items=items, cursor=json.dumps(cursor_out))

    def comment_item(self, comment: dict[str, Any], post_number: int,
                     names: dict[int, tuple[str, str]] | None = None) -> IncomingItem:
        return self._comment(comment, post_number, names or {})

    def _comment(self, comment: dict[str, Any], post_number: int,
                 names: dict[int, tuple[str, str]]) -> IncomingItem:
        author = int(comment.get("from_id") or 0)
        handle, name = names.get(author, (f"id{author}" if author > 0 else f"club{-author}", ""))
        stack = comment.get("parents_stack") or []
        parent = comment.get("reply_to_comment") or (stack[-1] if stack else None)
        return IncomingItem(
            external_id=f"wall:{self.owner_id}_{post_number}_{comment['id']}", kind=IncomingKind.COMMENT,
            text=str(comment.get("text") or ""), created_at=_when(comment.get("date")),
            author_external_id=str(author), author_handle=handle, author_name=name,
            post_external_id=f"{self.owner_id}_{post_number}",
            parent_external_id=f"wall:{self.owner_id}_{post_number}_{parent}" if parent else None,
            url=f"https://vk.com/wall{self.owner_id}_{post_number}?reply={comment['id']}")

    def message_item(self, message: dict[str, Any], names: dict[int, tuple[str, str]] | None = None) -> IncomingItem:
        author = int(message.get("from_id") or 0)
        handle, name = (names or {}).get(author, (f"id{author}", ""))
        peer = int(message.get("peer_id") or author)
        return IncomingItem(
            external_id=f"msg:{peer}_{message['id']}", kind=IncomingKind.DIRECT_MESSAGE,
            text=str(message.get("text") or ""), created_at=_when(message.get("date")),
            author_external_id=str(author), author_handle=handle, author_name=name,
            url=f"https://vk.com/gim{self.group_id}?sel={peer}")

    def _messages(self, last_message: int) -> list[IncomingItem]:
        items: list[IncomingItem] = []
        with self._community() as api:
            found = api.call("messages.getConversations", count=CONVERSATIONS_PAGE, extended=1,
                             fields="screen_name")
            names = _names(found)
            for entry in found.get("items", []):
                last = entry.get("last_message") or {}
                if int(last.get("id") or 0) <= last_message:
                    continue
                peer = int(entry["conversation"]["peer"]["id"])
                history = api.call("messages.getHistory", peer_id=peer, count=HISTORY_PAGE, extended=1,
                                   fields="screen_name")
                names |= _names(history)
                for message in history.get("items", []):
                    if int(message["id"]) > last_message and not message.get("out") \
                            and int(message.get("from_id") or 0) > 0:
                        items.append(self.message_item(message, names))
        return items

    def reply(self, item_external_id: str, text: str) -> str:
        kind, _, rest = item_external_id.partition(":")
        if kind == "wall":
            owner, number, comment = (int(p) for p in rest.split("_"))
            with self._user() as api:
                made = api.call("wall.createComment", creates=True, owner_id=owner, post_id=number,
                                from_group=self.group_id, message=text, reply_to_comment=comment,
                                guid=_random_id(item_external_id, text))
            return f"wall:{owner}_{number}_{made['comment_id']}"
        if kind == "msg":
            peer, _message = (int(p) for p in rest.split("_"))
            with self._community() as api:
                sent = api.call("messages.send", creates=True, peer_id=peer, message=text,
                                random_id=_random_id(item_external_id, text))
            sent_id = sent[0].get("message_id") if isinstance(sent, list) else sent
            return f"msg:{peer}_{sent_id}"
        raise PermanentNetworkError(f"{item_external_id!r} is not a VK comment or message.")

    def hide(self, item_external_id: str) -> None:
        raise PermanentNetworkError("VK cannot hide a comment: delete it, or ban its author.")

    def unhide(self, item_external_id: str) -> None:
        raise PermanentNetworkError("VK cannot hide a comment: delete it, or ban its author.")

    def like(self, item_external_id: str) -> None:
        raise PermanentNetworkError("socialdesk does not like VK comments (VK would like them as the "
                                    "administrator, not as the community).")

    unlike = like

    def delete_comment(self, item_external_id: str) -> None:
        kind, _, rest = item_external_id.partition(":")
        if kind != "wall":
            raise PermanentNetworkError("Only wall comments can be deleted on VK.")
        owner, _number, comment = (int(p) for p in rest.split("_"))
        with self._user() as api:
            api.call("wall.deleteComment", owner_id=owner, comment_id=comment)

    def block(self, author_external_id: str) -> None:
        with self._user() as api:
            api.call("groups.ban", group_id=self.group_id, owner_id=int(author_external_id),
                     comment="socialdesk", comment_visible=0)

    def unblock(self, author_external_id: str) -> None:
        with self._user() as api:
            api.call("groups.unban", group_id=self.group_id, owner_id=int(author_external_id))

    # Metrics ----------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        if not external_ids:
            return {}
        now = clock.now()
        result: dict[str, PostMetrics] = {}
        with self._user() as api:
            for start in range(0, len(external_ids), 100):
                chunk = list(external_ids[start:start + 100])
                found = api.call("wall.getById", posts=",".join(chunk))
                posts = found.get("items", []) if isinstance(found, dict) else found
                reach = self._reach(api, [post_id(e)[1] for e in chunk])
                for post in posts or []:
                    key = f"{post['owner_id']}_{post['id']}"
                    extra = reach.get(int(post["id"]), {})
                    result[key] = PostMetrics(
                        collected_at=now, views=_count(post.get("views")), likes=_count(post.get("likes")),
                        reposts=_count(post.get("reposts")), comments=_count(post.get("comments")),
                        reach=extra.get("reach_total"), clicks=extra.get("links"))
        return result

    def _reach(self, api: VkApi, numbers: list[int]) -> dict[int, dict[str, int | None]]:
        """stats.getPostReach (at most 30 posts a call); VK gives it only to administrators of larger
        communities, so a refusal leaves reach and clicks unknown (None)."""
        found: dict[int, dict[str, int | None]] = {}
        for start in range(0, len(numbers), 30):
            part = numbers[start:start + 30]
            try:
                rows = api.call("stats.getPostReach", owner_id=self.owner_id, post_ids=part)
            except PermanentNetworkError:
                return found
            for number, row in zip(part, rows or [], strict=False):
                found[int(row.get("post_id") or number)] = {
                    "reach_total": row.get("reach_total"), "links": row.get("links")}
        return found

    def account_metrics(self) -> AccountMetrics:
        with self._user() as api:
            groups = _groups_of(api.call("groups.getById", group_id=self.group_id, fields="members_count"))
            wall = api.call("wall.get", owner_id=self.owner_id, count=1, filter="owner")
        members = groups[0].get("members_count") if groups else None
        return AccountMetrics(collected_at=clock.now(), followers=members if isinstance(members, int) else None,
                              posts=wall.get("count") if isinstance(wall.get("count"), int) else None)

    def community_stats(self, days: int = STATS_DAYS) -> list[dict[str, Any]]:
        """stats.get by day for the last `days` days: reach, visitors, subscribed/unsubscribed and the
        demographics VK gives (sex, age, cities, countries). Kept as VK sends them; missing → absent."""
        now = clock.now()
        with self._user() as api:
            rows = api.call("stats.get", group_id=self.group_id, interval="day",
                            timestamp_from=int((now - timedelta(days=days)).timestamp()),
                            timestamp_to=int(now.timestamp()), extended=1)
        out = []
        for row in rows or []:
            reach, visitors, activity = row.get("reach") or {}, row.get("visitors") or {}, row.get("activity") or {}
            out.append({
                "period_from": row.get("period_from"), "period_to": row.get("period_to"),
                "reach": reach.get("reach"), "reach_subscribers": reach.get("reach_subscribers"),
                "visitors": visitors.get("visitors"), "views": visitors.get("views"),
                "subscribed": activity.get("subscribed"), "unsubscribed": activity.get("unsubscribed"),
                "sex_age": reach.get("sex_age") or visitors.get("sex_age"),
                "cities": reach.get("cities") or visitors.get("cities"),
                "countries": reach.get("countries") or visitors.get("countries"),
            })
        return out

    def account_details(self) -> dict[str, Any] | None:
        """What analytics keeps beside the counts (channel settings → account_details): the community's
        daily statistics. VK refuses stats.get to some communities and tokens: then None (not available)."""
        try:
            days = self.community_stats()
        except PermanentNetworkError:
            return None
        return {"source": "stats.get", "collected_at": clock.now().isoformat(), "days": days}

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        raise PermanentNetworkError("socialdesk does not list VK community members; the count is in metrics.")


def _names(found: Any) -> dict[int, tuple[str, str]]:
    """Handles and names from an `extended=1` answer's profiles and groups."""
    names: dict[int, tuple[str, str]] = {}
    if not isinstance(found, dict):
        return names
    for profile in found.get("profiles") or []:
        uid = int(profile["id"])
        full = f"{profile.get('first_name', '')} {profile.get('last_name', '')}".strip()
        names[uid] = (str(profile.get("screen_name") or f"id{uid}"), full)
    for group in found.get("groups") or []:
        gid = int(group["id"])
        names[-gid] = (str(group.get("screen_name") or f"club{gid}"), str(group.get("name") or ""))
    return names


def _flatten(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for comment in comments:
        out.append(comment)
        out.extend((comment.get("thread") or {}).get("items") or [])
    return out


# Connecting ---------------------------------------------------------------------------------------


def normalise_group(value: str) -> str:
    """`123`, `-123`, `club123`, `public123`, `https://vk.com/brand` → what groups.getById takes."""
    text = str(value or "").strip().rstrip("/")
    if "vk.com/" in text or "vk.ru/" in text:
        text = text.rsplit("/", 1)[-1]
    for prefix in ("club", "public", "event"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return text[len(prefix):]
    if text.startswith("-") and text[1:].isdigit():
        return text[1:]
    if not text:
        raise ValueError("give the community's id (the number in vk.com/club123) or its short name")
    return text


def account_for(group_id: str, access_token: str, *, community_token: str | None = None,
                callback_secret: str | None = None, confirmation_code: str | None = None,
                extra_credentials: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check the tokens against the community and return what the channel stores."""
    wanted = normalise_group(group_id)
    with VkApi(access_token) as api:
        groups = _groups_of(api.call("groups.getById", group_id=wanted, fields="members_count,screen_name"))
        if not groups:
            raise PermanentNetworkError(f"VK knows no community {group_id!r}.")
        group = groups[0]
        if group.get("is_admin") == 0:
            raise PermanentNetworkError(f"The token's user is not an administrator of {group.get('name')}: "
                                        "VK lets only administrators post on a community's wall.")
        gid = int(group["id"])
        # A user-token-only method without side effects: a community token fails here (error 27, "reconnect
        # with a user token") rather than at the first post.
        try:
            api.call("photos.getWallUploadServer", group_id=gid)
        except AuthError:
            raise
        except PermanentNetworkError:
            pass  # e.g. no photos right: text posts still work; uploads will say why
        confirmation = confirmation_code
        try:
            code = api.call("groups.getCallbackConfirmationCode", group_id=gid)
            confirmation = (code.get("code") if isinstance(code, dict) else None) or confirmation
        except PermanentNetworkError:
            pass  # needs the community's management right; Callback API then cannot be confirmed
    if community_token:
        with VkApi(community_token) as api:
            try:
                own = _groups_of(api.call("groups.getById"))
            except PermanentNetworkError as exc:
                raise type(exc)(f"VK did not take the community token as one: {exc.network_message}",
                                details=exc.details) from exc
        if not own or int(own[0]["id"]) != gid:
            raise PermanentNetworkError("The community token belongs to another community.")
    credentials: dict[str, Any] = {"access_token": access_token, **(extra_credentials or {})}
    if community_token:
        credentials["community_token"] = community_token
    if callback_secret:
        credentials["callback_secret"] = callback_secret
    if confirmation:
        credentials["confirmation_code"] = confirmation
    screen = str(group.get("screen_name") or f"club{gid}")
    return {
        "external_id": str(gid), "handle": screen, "display_name": str(group.get("name") or screen),
        "credentials": credentials,
        "settings": {"group_id": gid, "screen_name": screen, "community_url": f"https://vk.com/{screen}",
                     "community_messages": bool(community_token), "callback": bool(callback_secret)},
    }


def connect(group_id: str, access_token: str | None = None, community_token: str | None = None,
            callback_secret: str | None = None, confirmation_code: str | None = None,
            **_unused: Any) -> dict[str, Any]:
    """Connect by pasting tokens; without `access_token` the web page signs in with VK ID instead."""
    if not access_token:
        raise ValueError("an access token is needed here (the user token of a community administrator); "
                         "the web page can sign you in with VK ID instead")
    return account_for(group_id, access_token.strip(), community_token=(community_token or "").strip() or None,
                       callback_secret=(callback_secret or "").strip() or None,
                       confirmation_code=(confirmation_code or "").strip() or None)
