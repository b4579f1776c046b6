"""A Telegram channel behind the adapter protocol, through the Bot API with plain httpx.

What a bot can do in a channel it administers (https://core.telegram.org/bots/api): post, edit, delete
and pin messages; read comments in the channel's linked discussion group and messages people send the
bot; count subscribers. What it cannot: read the channel's history (so a post cannot be looked up after
a lost answer), see views, or set an idempotency key — see docs/networks/telegram.md.

Post ids are `<channel chat id>:<message id>`; an album's are `<chat id>:<id>,<id>,…` (all its messages,
so deleting it deletes them all).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    IdempotencyMethod,
    InboxPage,
    MediaKind,
    NetworkError,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    PublishOption,
    TransientNetworkError,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.telegram import text as texts
from socialdesk.networks.telegram import updates
from socialdesk.networks.telegram.api import BotApi

log = logging.getLogger("socialdesk.networks.telegram")

TEXT_LIMIT = 4_096  # https://core.telegram.org/bots/api#sendmessage
CAPTION_LIMIT = 1_024  # https://core.telegram.org/bots/api#sendphoto
POLL_QUESTION_LIMIT = 300  # https://core.telegram.org/bots/api#sendpoll
POLL_OPTIONS = (2, 12)
POLL_OPTION_LIMIT = 100
ALBUM = (2, 10)  # https://core.telegram.org/bots/api#sendmediagroup
INBOX_BATCH = 100  # getUpdates' largest `limit`
WEBHOOK_SET = "webhook"  # the inbox cursor once Telegram delivers by webhook
WEBHOOK_ERROR_RECENT = 15 * 60  # a delivery error younger than this is shown on the channel


OPTIONS = (
    PublishOption("silent", "Send silently", kind="bool", default=False,
                  help="Subscribers get the post without a sound (disable_notification)."),
    PublishOption("pin", "Pin in the channel", kind="bool", default=False,
                  help="Pin the post once it is out (pinChatMessage, without a notification)."),
    PublishOption("as_document", "Send files as documents", kind="bool", default=False,
                  help="Uncompressed files (sendDocument) instead of photos and videos."),
    PublishOption("quiz_answer", "Quiz: number of the correct answer", kind="number",
                  help="For a poll: makes it a quiz whose correct answer is this one (1 is the first)."),
)


def capabilities() -> Capabilities:
    base = NETWORK_PROFILES["telegram"]
    return dataclasses.replace(
        base,
        # The Bot API cannot read a channel's history and has no idempotency key: after a lost answer
        # the publication is left unconfirmed for a person, never sent again (publishing/service.py).
        idempotency=IdempotencyMethod.NONE,
        # No views and no way to ask for a post's reactions: Telegram only pushes reaction counts as
        # updates, which socialdesk does not store per post (docs/networks/telegram.md).
        post_metrics=frozenset(),
        direct_messages=True,  # messages people send the bot (they must start it first)
        options=OPTIONS,
    )


def _option(post: OutgoingPost, name: str, default: Any = None) -> Any:
    return (post.options or {}).get(name, default)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "yes", "on")


class TelegramAdapter:
    network: ClassVar[str] = "telegram"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account  # no I/O here
        self.chat_id = str(account.settings.get("chat_id") or account.external_id)
        discussion = account.settings.get("discussion_chat_id")
        self.discussion_id = str(discussion) if discussion else None
        bot = account.settings.get("bot_id")
        self.bot_id = str(bot) if bot else None
        self.api = BotApi(str(account.credentials.get("bot_token") or ""))

    def capabilities(self) -> Capabilities:
        return capabilities()

    # Credentials: a bot token does not expire; it is revoked in @BotFather --------------------------

    def credentials_expire_at(self) -> datetime | None:
        return None

    def refresh_credentials(self) -> dict[str, Any]:
        raise AuthError("A Telegram bot token cannot be refreshed; paste a new one from @BotFather.")

    # Publishing ----------------------------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishedPost:
        self._check(post)
        common: dict[str, Any] = {"chat_id": self.chat_id}
        if _flag(_option(post, "silent", False)):
            common["disable_notification"] = True
        if post.reply_to_external_id:
            common["reply_parameters"] = {"message_id": updates.split_id(post.reply_to_external_id)[1]}
        if post.poll is not None:
            sent = [self._send_poll(post, common)]
        elif not post.media:
            sent = [self.api.call("sendMessage", {**common, "text": post.text,
                                                  "entities": texts.entities(post.text) or None}, write=True)]
        elif len(post.media) == 1:
            sent = [self._send_one(post, post.media[0], common)]
        else:
            sent = self._send_album(post, common)
        ids = [int(m["message_id"]) for m in sent]
        # Recorded by the publisher the moment this returns: the only record of the post there will be.
        external_id = f"{self.chat_id}:{','.join(str(i) for i in ids)}"
        published = PublishedPost(external_id=external_id, url=self._url(ids[0]),
                                  published_at=_time(sent[0].get("date")))
        if _flag(_option(post, "pin", False)):
            self._pin(ids[0])
        return published

    def _check(self, post: OutgoingPost) -> None:
        """Refuse, before anything is sent, what Telegram would refuse (a refusal after a partial send
        would be worse)."""
        if not post.text.strip() and not post.media and post.poll is None:
            raise PermanentNetworkError("Telegram cannot send an empty message.")
        limit = CAPTION_LIMIT if post.media else TEXT_LIMIT
        if texts.length(post.text) > limit:
            what = "a caption" if post.media else "a message"
            raise PermanentNetworkError(f"The text is {texts.length(post.text)} characters; Telegram allows "
                                        f"{limit} in {what}.")
        if post.poll is not None:
            if post.media:
                raise PermanentNetworkError("A Telegram poll cannot carry media: send them as separate posts.")
            if not 1 <= len(post.text.strip()) <= POLL_QUESTION_LIMIT:
                raise PermanentNetworkError(f"A Telegram poll's question (the post's text) must be 1 to "
                                            f"{POLL_QUESTION_LIMIT} characters.")
            low, high = POLL_OPTIONS
            if not low <= len(post.poll.options) <= high:
                raise PermanentNetworkError(f"A Telegram poll needs {low} to {high} answers.")
            if any(not 1 <= len(o) <= POLL_OPTION_LIMIT for o in post.poll.options):
                raise PermanentNetworkError(f"Each poll answer must be 1 to {POLL_OPTION_LIMIT} characters.")
        if len(post.media) > 1:
            low, high = ALBUM
            if len(post.media) > high:
                raise PermanentNetworkError(f"A Telegram album holds {low} to {high} photos or videos.")
            if any(m.kind == MediaKind.GIF for m in post.media):
                raise PermanentNetworkError("A GIF (animation) cannot be part of a Telegram album; post it alone.")

    def _send_poll(self, post: OutgoingPost, common: dict[str, Any]) -> dict[str, Any]:
        assert post.poll is not None
        params: dict[str, Any] = {**common, "question": post.text.strip(),
                                  "options": [{"text": o} for o in post.poll.options]}
        answer = _option(post, "quiz_answer")
        if answer not in (None, ""):
            index = int(answer) - 1
            if not 0 <= index < len(post.poll.options):
                raise PermanentNetworkError(f"The quiz answer must be 1 to {len(post.poll.options)}.")
            params.update(type="quiz", correct_option_id=index)
        elif post.poll.multiple:
            params["allows_multiple_answers"] = True
        return self.api.call("sendPoll", params, write=True)

    def _media_type(self, post: OutgoingPost, media: OutgoingMedia) -> str:
        if _flag(_option(post, "as_document", False)):
            return "document"
        return {MediaKind.IMAGE: "photo", MediaKind.VIDEO: "video", MediaKind.GIF: "animation"}[media.kind]

    def _send_one(self, post: OutgoingPost, media: OutgoingMedia, common: dict[str, Any]) -> dict[str, Any]:
        kind = self._media_type(post, media)
        params = {**common, "caption": post.text or None,
                  "caption_entities": texts.entities(post.text) or None}
        if kind == "video":
            params["supports_streaming"] = True
        method = {"photo": "sendPhoto", "video": "sendVideo", "animation": "sendAnimation",
                  "document": "sendDocument"}[kind]
        return self.api.call(method, params, files={kind: _file(media)}, write=True)

    def _send_album(self, post: OutgoingPost, common: dict[str, Any]) -> list[dict[str, Any]]:
        kind = self._media_type(post, post.media[0])
        items, files = [], {}
        for n, media in enumerate(post.media):
            name = f"file{n}"
            item: dict[str, Any] = {"type": kind if kind == "document" else self._media_type(post, media),
                                    "media": f"attach://{name}"}
            if n == 0 and post.text:
                # The album's caption: on its first item, which clients show under the album.
                item["caption"] = post.text
                found = texts.entities(post.text)
                if found:
                    item["caption_entities"] = found
            items.append(item)
            files[name] = _file(media)
        sent = self.api.call("sendMediaGroup", {**common, "media": items}, files=files, write=True)
        return list(sent)

    def _pin(self, message: int) -> None:
        """Pin a post that is already out. A refusal must not undo the publication (a retry would post it
        again), so it is logged and left for a person."""
        try:
            self.api.call("pinChatMessage", {"chat_id": self.chat_id, "message_id": message,
                                             "disable_notification": True}, write=True)
        except NetworkError as error:
            log.warning("telegram: post %s:%s is out but could not be pinned: %s", self.chat_id, message,
                        error.network_message)

    def _url(self, message: int) -> str | None:
        username = self.account.settings.get("username")
        if username:
            return f"https://t.me/{username}/{message}"
        if self.chat_id.startswith("-100"):
            return f"https://t.me/c/{self.chat_id[4:]}/{message}"
        return None

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        # The Bot API cannot list a channel's messages (capabilities say NONE, so this is never asked).
        return None

    def edit(self, external_id: str, text: str) -> None:
        """Change a published post's text (editMessageText), or its caption when it is media
        (editMessageCaption; an album's caption is on its first message)."""
        chat, message = updates.split_id(external_id)
        params = {"chat_id": chat, "message_id": message}
        caption = {**params, "caption": text, "caption_entities": texts.entities(text) or None}
        if "," in external_id.rpartition(":")[2]:
            self.api.call("editMessageCaption", caption, write=True)
            return
        if texts.length(text) > TEXT_LIMIT:
            raise PermanentNetworkError(f"Telegram allows {TEXT_LIMIT} characters in a message.")
        try:
            self.api.call("editMessageText", {**params, "text": text, "entities": texts.entities(text) or None},
                          write=True)
        except PermanentNetworkError as error:
            if "no text in the message" not in error.network_message:
                raise
            if texts.length(text) > CAPTION_LIMIT:
                raise PermanentNetworkError(f"Telegram allows {CAPTION_LIMIT} characters in a caption.") from None
            self.api.call("editMessageCaption", caption, write=True)

    def delete(self, external_id: str) -> None:
        chat, ids = updates.album_ids(external_id)
        if len(ids) == 1:
            self.api.call("deleteMessage", {"chat_id": chat, "message_id": ids[0]}, write=True)
        else:
            self.api.call("deleteMessages", {"chat_id": chat, "message_ids": ids}, write=True)

    # Inbox -----------------------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """New comments and direct messages by long polling (getUpdates with no wait).

        The cursor is the next update's id; Telegram forgets updates below the `offset` it is sent, so an
        update is only dropped on Telegram once socialdesk has stored the page that carried it. With a
        webhook set (a public address configured), getUpdates is refused and the webhook delivers.
        """
        if self.account.settings.get("webhook"):
            self.check_webhook()
            return InboxPage(items=[], cursor=WEBHOOK_SET)  # the webhook delivers (webhooks.py)
        offset = int(cursor) if cursor and cursor.isdigit() else None
        try:
            got = self.api.call("getUpdates", {"offset": offset, "limit": INBOX_BATCH, "timeout": 0,
                                               "allowed_updates": updates.ALLOWED_UPDATES})
        except PermanentNetworkError as error:
            if error.status_code == 409:  # "Conflict: can't use getUpdates method while webhook is active"
                return InboxPage(items=[], cursor=cursor)
            raise
        items = []
        last = offset
        for update in got or []:
            last = max(last or 0, int(update["update_id"]) + 1)
            items.extend(updates.items_from(update, channel_id=self.chat_id, discussion_id=self.discussion_id,
                                            bot_id=self.bot_id))
        return InboxPage(items=items, cursor=str(last) if last is not None else cursor)

    def check_webhook(self) -> None:
        """Set the webhook when Telegram does not have it (first fetch, or someone changed it), and say so
        when Telegram reports it cannot deliver (https://core.telegram.org/bots/api#getwebhookinfo)."""
        from socialdesk.inbox.webhooks import webhook_url

        info = self.api.call("getWebhookInfo") or {}
        if info.get("url") != webhook_url("telegram", self.account.channel_id):
            self.set_webhook()
            return
        failed_at = int(info.get("last_error_date") or 0)
        if info.get("last_error_message") and failed_at > clock.now().timestamp() - WEBHOOK_ERROR_RECENT:
            raise TransientNetworkError(f"Telegram cannot deliver comments to socialdesk's webhook: "
                                        f"{info['last_error_message']} ({info.get('pending_update_count', 0)} "
                                        "waiting)")

    def set_webhook(self) -> None:
        """Ask Telegram to deliver this bot's updates to socialdesk's address for the channel, with the
        channel's secret in X-Telegram-Bot-Api-Secret-Token (https://core.telegram.org/bots/api#setwebhook)."""
        from socialdesk.inbox.webhooks import webhook_url

        self.api.call("setWebhook", {"url": webhook_url("telegram", self.account.channel_id),
                                     "secret_token": str(self.account.credentials.get("webhook_secret") or ""),
                                     "allowed_updates": updates.ALLOWED_UPDATES}, write=True)

    def reply(self, item_external_id: str, text: str) -> str:
        chat, message = updates.split_id(item_external_id)
        if texts.length(text) > TEXT_LIMIT:
            raise PermanentNetworkError(f"Telegram allows {TEXT_LIMIT} characters in a message.")
        sent = self.api.call("sendMessage", {"chat_id": chat, "text": text,
                                             "entities": texts.entities(text) or None,
                                             "reply_parameters": {"message_id": message}}, write=True)
        return updates.message_id(chat, sent["message_id"])

    def delete_comment(self, item_external_id: str) -> None:
        chat, message = updates.split_id(item_external_id)
        self.api.call("deleteMessage", {"chat_id": chat, "message_id": message}, write=True)

    def block(self, author_external_id: str) -> None:
        """Ban the person from the discussion group (they can no longer comment)."""
        if not self.discussion_id:
            raise PermanentNetworkError("This channel has no discussion group socialdesk knows of; nobody can "
                                        "be banned from its comments.")
        self.api.call("banChatMember", {"chat_id": self.discussion_id, "user_id": int(author_external_id)},
                      write=True)

    def unblock(self, author_external_id: str) -> None:
        if not self.discussion_id:
            raise PermanentNetworkError("This channel has no discussion group socialdesk knows of.")
        self.api.call("unbanChatMember", {"chat_id": self.discussion_id, "user_id": int(author_external_id),
                                          "only_if_banned": True}, write=True)

    def hide(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Telegram has no hidden comments; delete the comment or ban its author.")

    def unhide(self, item_external_id: str) -> None:
        raise PermanentNetworkError("Telegram has no hidden comments.")

    def like(self, item_external_id: str) -> None:
        raise PermanentNetworkError("socialdesk does not set reactions on Telegram.")

    def unlike(self, item_external_id: str) -> None:
        raise PermanentNetworkError("socialdesk does not set reactions on Telegram.")

    # Metrics ---------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        # The Bot API has no method that reads a message's views, forwards or reactions: every number is
        # "not available" (None), never 0.
        now = clock.now()
        return {external_id: PostMetrics(collected_at=now) for external_id in external_ids}

    def account_metrics(self) -> AccountMetrics:
        count = self.api.call("getChatMemberCount", {"chat_id": self.chat_id})
        return AccountMetrics(collected_at=clock.now(), followers=int(count))

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        # A bot cannot list a channel's subscribers, only count them.
        return FollowerPage(followers=[], cursor=None, total=self.account_metrics().followers)


def _file(media: OutgoingMedia) -> tuple[str, bytes, str]:
    try:
        return media.path.name, media.path.read_bytes(), media.content_type
    except OSError as error:  # before anything was sent: a plain failure, not an unknown outcome
        raise PermanentNetworkError(f"Cannot read {media.path.name}: {error.strerror}") from None


def _time(stamp: Any) -> datetime:
    return datetime.fromtimestamp(int(stamp), clock.now().tzinfo) if stamp else clock.now()


# Connecting ----------------------------------------------------------------------------------------

ADMIN_RIGHTS = ("can_post_messages",)


def connect(bot_token: str, chat_id: str, updates_by: str = "", **_: Any) -> dict[str, Any]:
    """Check the token (getMe), the channel (getChat) and that the bot may post there (getChatMember)."""
    token, chat = bot_token.strip(), chat_id.strip()
    if not token or not chat:
        raise ValidationFailed("Give the bot's token (from @BotFather) and the channel (@name or -100… id).")
    if not chat.startswith("@") and not chat.lstrip("-").isdigit():
        chat = f"@{chat}"
    api = BotApi(token)
    try:
        me = api.call("getMe")
        found = api.call("getChat", {"chat_id": chat})
    except AuthError as error:
        raise ValidationFailed(f"Telegram refused the bot token: {error.network_message}") from None
    except PermanentNetworkError as error:
        raise ValidationFailed(f"Telegram: {error.network_message} (is {chat} right, and is the bot in it?)") \
            from None
    if found.get("type") != "channel":
        raise ValidationFailed(f"{chat} is a {found.get('type')}, not a channel.")
    member = api.call("getChatMember", {"chat_id": found["id"], "user_id": me["id"]})
    if member.get("status") not in ("administrator", "creator") or not all(member.get(r) for r in ADMIN_RIGHTS):
        raise ValidationFailed(f"@{me.get('username')} must be an administrator of {chat} allowed to post "
                               "messages: channel → Administrators → Add administrator.")
    settings: dict[str, Any] = {
        "chat_id": found["id"], "username": found.get("username"), "bot_id": me["id"],
        "bot_username": me.get("username"), "can_edit": bool(member.get("can_edit_messages")),
        "can_delete": bool(member.get("can_delete_messages")),
    }
    linked = found.get("linked_chat_id")
    if linked:
        settings["discussion_chat_id"] = linked
    credentials = {"bot_token": token, "webhook_secret": secrets.token_urlsafe(32)}
    mode = (updates_by or "").strip().lower() or ("webhook" if get_settings().public_url else "polling")
    if mode not in ("webhook", "polling"):
        raise ValidationFailed("updates_by is webhook or polling.")
    if mode == "webhook":
        if not get_settings().public_url:
            raise ValidationFailed("A webhook needs socialdesk's public address: set SOCIALDESK_PUBLIC_URL.")
        settings["webhook"] = True  # setWebhook is called by the channel's first inbox fetch
    title = found.get("title") or chat
    handle = f"@{found['username']}" if found.get("username") else str(found["id"])
    return {"external_id": str(found["id"]), "handle": handle, "display_name": title,
            "credentials": credentials, "settings": settings}

