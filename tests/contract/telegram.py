"""A Telegram Bot API contract server, from https://core.telegram.org/bots/api.

One bot (TOKEN) administers one channel (@brand_channel) whose linked discussion group is GROUP.
Every method is `POST /bot<token>/<method>` with a JSON, urlencoded or multipart body
(https://core.telegram.org/bots/api#making-requests); every answer is `{"ok": true, "result": …}` or
`{"ok": false, "error_code": …, "description": "…", "parameters": {…}}`. Descriptions marked (U) below
are this server's wording where the docs do not give Telegram's exact text.

What it refuses, as Telegram does: an unknown token (401 Unauthorized), an unknown chat, a bot that is
not an administrator allowed to post, text over 4,096 / a caption over 1,024 characters after entity
parsing, unescaped MarkdownV2 and broken HTML ("can't parse entities"), entities outside the text
(offsets in UTF-16 code units), an album of fewer than 2 or more than 10 items or an attach:// name with
no file, a poll with a question over 300 characters or fewer than 2 / more than 12 options, a quiz with
no correct answer, getUpdates while a webhook is set (409), a webhook secret outside [A-Za-z0-9_-]{1,256}.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.contract.server import ContractServer

API = "https://core.telegram.org/bots/api"
TOKEN = "123456789:AAH-contract-token_for_tests"
BOT = {"id": 123456789, "is_bot": True, "first_name": "Brand Bot", "username": "brand_bot",
       "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
CHANNEL_ID = -1001234567890
GROUP_ID = -1009876543210
FAN = {"id": 555001, "is_bot": False, "first_name": "Ana", "last_name": "K", "username": "ana_k"}
TROLL = {"id": 555002, "is_bot": False, "first_name": "Troll", "username": "troll42"}

MARKDOWN_RESERVED = set("_*[]()~`>#+-=|{}.!")
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji",
             "code", "pre", "blockquote", "tg-time"}
ENTITY_TYPES = {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
                "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
                "text_link", "text_mention", "custom_emoji", "date_time"}


def error(code: int, description: str, **parameters: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


class Refused(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def bad(description: str) -> Refused:
    return Refused(400, f"Bad Request: {description}")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HtmlText(HTMLParser):
    """Telegram's HTML: only its tags, every tag closed, `<`, `>` and `&` escaped elsewhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise bad(f"can't parse entities: Unsupported start tag \"{tag}\" at byte offset {self.getpos()[1]}")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise bad(f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\"")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed_text(text: str, parse_mode: str | None, entities: Any) -> str:
    """The text as Telegram keeps it after entity parsing, or Refused."""
    if parse_mode == "MarkdownV2":
        plain, escaped = [], False
        for ch in text:
            if escaped:
                plain.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch in MARKDOWN_RESERVED:
                # Simplified (U): any reserved character not escaped is refused, formatting included.
                raise bad(f"can't parse entities: Character '{ch}' is reserved and must be escaped with the "
                          "preceding '\\'")
            else:
                plain.append(ch)
        return "".join(plain)
    if parse_mode == "HTML":
        if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
            raise bad("can't parse entities: Unsupported HTML entity at byte offset "
                      f"{text.index('&')}")  # (U) wording
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        if parser.open:
            raise bad(f"can't parse entities: Can't find end tag corresponding to start tag \"{parser.open[-1]}\"")
        if "<" in "".join(parser.text) and "<" in re.sub(r"<[^>]*>", "", text):
            raise bad("can't parse entities: Unexpected end of name token")  # a stray '<'
        return "".join(parser.text)
    if parse_mode not in (None, ""):
        raise bad("unsupported parse_mode")  # (U)
    if entities:
        size = utf16(text)
        for entity in entities:
            if entity.get("type") not in ENTITY_TYPES:
                raise bad("can't parse entities: unsupported entity type")  # (U)
            offset, length = int(entity.get("offset", -1)), int(entity.get("length", 0))
            if offset < 0 or length <= 0 or offset + length > size:
                raise bad("can't parse entities: entity beyond the end of the text")  # (U)
        if len(entities) > 100:
            raise bad("too many entities")  # (U); the docs: at most 100 are parsed
    return text


@dataclass
class Chat:
    id: int
    type: str
    title: str
    username: str | None = None
    linked_chat_id: int | None = None
    members: int = 0
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    pinned: list[int] = field(default_factory=list)
    banned: set[int] = field(default_factory=set)

    def public(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            found["username"] = self.username
        return found


class TelegramContract:
    """The server and its state. Tests add comments and messages with `comment` / `direct_message`."""

    def __init__(self) -> None:
        self.server = ContractServer("telegram")
        self.tokens = {TOKEN: BOT}
        self.channel = Chat(CHANNEL_ID, "channel", "Brand", username="brand_channel", linked_chat_id=GROUP_ID,
                            members=1234, next_id=100)
        self.group = Chat(GROUP_ID, "supergroup", "Brand chat", username="brand_chat", next_id=500)
        self.private: dict[int, Chat] = {}
        self.bot_status: dict[str, Any] = {"status": "administrator", "can_post_messages": True,
                                           "can_edit_messages": True, "can_delete_messages": True,
                                           "can_manage_chat": True}
        self.updates: list[dict[str, Any]] = []
        self.next_update = 800_000
        self.confirmed_below = 0
        self.webhook: dict[str, Any] | None = None
        self.webhook_trouble: dict[str, Any] = {}  # last_error_date / last_error_message, as getWebhookInfo has them
        self.files: dict[str, bytes] = {}
        self._routes()

    # State helpers ----------------------------------------------------------------------------------

    def chat(self, chat_id: Any) -> Chat:
        key = str(chat_id)
        for chat in (self.channel, self.group, *self.private.values()):
            if key in (str(chat.id), f"@{chat.username}"):
                return chat
        raise bad("chat not found")

    def _update(self, **body: Any) -> dict[str, Any]:
        update = {"update_id": self.next_update, **body}
        self.next_update += 1
        self.updates.append(update)
        return update

    def _store(self, chat: Chat, message: dict[str, Any]) -> dict[str, Any]:
        message = {"message_id": chat.next_id, "date": int(time.time()), "chat": chat.public(), **message}
        chat.messages[chat.next_id] = message
        chat.next_id += 1
        return message

    def _post_in_channel(self, content: dict[str, Any]) -> dict[str, Any]:
        message = self._store(self.channel, {"sender_chat": self.channel.public(), **content})
        # Telegram forwards every channel post into the linked discussion group, where comments go.
        forward = self._store(self.group, {
            "sender_chat": self.channel.public(), "is_automatic_forward": True,
            "forward_origin": {"type": "channel", "chat": self.channel.public(),
                               "message_id": message["message_id"], "date": message["date"]},
            **{k: v for k, v in content.items() if k in ("text", "caption")}})
        message["_forward_id"] = forward["message_id"]
        self._update(message=forward)
        return message

    def comment(self, text: str, *, on: int, author: dict[str, Any] = FAN,
                reply_to: int | None = None) -> dict[str, Any]:
        """A person comments on channel post `on` (or replies to comment `reply_to` under it)."""
        post = self.channel.messages[on]
        target = self.group.messages[reply_to if reply_to else post["_forward_id"]]
        message = self._store(self.group, {"from": author, "text": text, "message_thread_id": post["_forward_id"],
                                           "reply_to_message": target})
        return self._update(message=message)

    def direct_message(self, text: str, *, author: dict[str, Any] = FAN) -> dict[str, Any]:
        chat = self.private.setdefault(author["id"], Chat(author["id"], "private", "", username=author.get("username")))
        message = self._store(chat, {"from": author, "text": text})
        message["chat"] = {"id": author["id"], "type": "private", "first_name": author["first_name"],
                           **({"username": author["username"]} if author.get("username") else {})}
        return self._update(message=message)

    def sent(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call of `method` that reached the server."""
        found = []
        for call in self.server.calls_to("POST", rf"/bot[^/]+/{method}"):
            found.append(_params_of(call))
        return found

    def calls_sent(self) -> list[Any]:
        """Every call that could have made a message in a chat."""
        return self.server.calls_to("POST", r"/bot[^/]+/(send\w+|copyMessages?|forwardMessages?)")

    # The API ----------------------------------------------------------------------------------------

    def _routes(self) -> None:
        def method(name: str, anchor: str | None = None):  # type: ignore[no-untyped-def]
            def register(handler):  # type: ignore[no-untyped-def]
                async def endpoint(request: Request, token: str) -> Any:
                    if token not in self.tokens:
                        return error(401, "Unauthorized")
                    params, files = await _read(request)
                    try:
                        return {"ok": True, "result": handler(params, files)}
                    except Refused as refused:
                        return error(refused.code, refused.description)
                self.server.endpoint("POST", f"/bot{{token}}/{name}", doc=f"{API}#{anchor or name.lower()}")(
                    endpoint)
                return handler
            return register

        def admin(chat: Chat) -> None:
            if chat is self.channel and not (self.bot_status.get("status") in ("administrator", "creator")
                                             and self.bot_status.get("can_post_messages")):
                raise bad("need administrator rights in the channel chat")

        def send(params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
            chat = self.chat(params.get("chat_id"))
            admin(chat)
            reply = params.get("reply_parameters")
            if reply:
                target = reply.get("message_id")
                if int(target) not in chat.messages:
                    raise bad("message to be replied not found")
                content["reply_to_message"] = chat.messages[int(target)]
            if chat is self.channel:
                return _public(self._post_in_channel(content))
            return _public(self._store(chat, {"from": BOT, **content}))

        def text_of(params: dict[str, Any], key: str, limit: int, too_long: str) -> str:
            raw = str(params.get(key) or "")
            plain = parsed_text(raw, params.get("parse_mode"), params.get("entities" if key == "text"
                                                                           else "caption_entities"))
            if len(plain) > limit:
                raise bad(too_long)
            return plain

        @method("getMe")
        def get_me(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            return BOT

        @method("getChat")
        def get_chat(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            found = {**chat.public(), "accent_color_id": 0, "max_reaction_count": 11,
                     "accepted_gift_types": {}}
            if chat.linked_chat_id:
                found["linked_chat_id"] = chat.linked_chat_id
            return found

        @method("getChatMember")
        def get_chat_member(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            self.chat(params.get("chat_id"))
            if int(params.get("user_id", 0)) != BOT["id"]:
                return {"status": "member", "user": FAN}
            return {"user": BOT, **self.bot_status}

        @method("getChatMemberCount")
        def get_chat_member_count(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            return self.chat(params.get("chat_id")).members

        @method("sendMessage")
        def send_message(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            if not str(params.get("text") or "").strip():
                raise bad("message text is empty")
            text = text_of(params, "text", 4096, "message is too long")
            return send(params, {"text": text, **({"entities": params["entities"]} if params.get("entities")
                                                 else {})})

        def media_method(name: str, kind: str) -> None:
            @method(name)
            def send_media(params: dict[str, Any], files: dict[str, bytes]) -> Any:
                content = _file_in(params.get(kind), files, kind)
                caption = text_of(params, "caption", 1024, "message caption is too long")
                return send(params, {kind: content, **({"caption": caption} if caption else {})})

        for name, kind in (("sendPhoto", "photo"), ("sendVideo", "video"), ("sendAnimation", "animation"),
                           ("sendDocument", "document")):
            media_method(name, kind)

        @method("sendMediaGroup")
        def send_media_group(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            media = params.get("media")
            if not isinstance(media, list) or not 2 <= len(media) <= 10:
                raise bad("wrong number of media in the group; 2-10 items are allowed")  # (U) wording
            kinds = {item.get("type") for item in media}
            if not kinds <= {"photo", "video"} and len(kinds) > 1:
                raise bad("documents and audio files can't be mixed with other media types")  # (U)
            if "animation" in kinds:
                raise bad("animations can't be sent in a media group")  # (U)
            chat = self.chat(params.get("chat_id"))
            admin(chat)
            contents = []
            for item in media:
                content = {item["type"]: _file_in(item.get("media"), files, item["type"])}
                caption = parsed_text(str(item.get("caption") or ""), item.get("parse_mode"),
                                      item.get("caption_entities"))
                if len(caption) > 1024:
                    raise bad("message caption is too long")
                if caption:
                    content["caption"] = caption
                contents.append(content)
            group = f"mg{int(time.time() * 1000)}"
            return [_public(self._post_in_channel({**c, "media_group_id": group})) if chat is self.channel
                    else _public(self._store(chat, {"from": BOT, **c, "media_group_id": group})) for c in contents]

        @method("sendPoll")
        def send_poll(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            question = str(params.get("question") or "")
            if not 1 <= len(question) <= 300:
                raise bad("poll question length must be between 1 and 300")  # (U)
            options = params.get("options")
            if not isinstance(options, list) or not 2 <= len(options) <= 12:
                raise bad("poll must have 2-12 options")  # (U)
            texts = [o["text"] if isinstance(o, dict) else str(o) for o in options]
            if any(not 1 <= len(t) <= 100 for t in texts):
                raise bad("poll options length must not exceed 100")  # (U)
            kind = params.get("type") or "regular"
            if kind == "quiz":
                correct = params.get("correct_option_id")
                if correct is None or not 0 <= int(correct) < len(texts):
                    raise bad("wrong correct option id specified")  # (U)
            poll = {"id": f"poll{self.next_update}", "question": question, "type": kind,
                    "options": [{"text": t, "voter_count": 0} for t in texts], "total_voter_count": 0,
                    "is_closed": False, "is_anonymous": True,
                    "allows_multiple_answers": bool(params.get("allows_multiple_answers"))}
            return send(params, {"poll": poll})

        @method("editMessageText")
        def edit_text(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            message = chat.messages.get(int(params.get("message_id") or 0))
            if message is None:
                raise bad("message to edit not found")
            if "text" not in message:
                raise bad("there is no text in the message to edit")
            message["text"] = text_of(params, "text", 4096, "message is too long")
            return _public(message)

        @method("editMessageCaption")
        def edit_caption(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            message = chat.messages.get(int(params.get("message_id") or 0))
            if message is None:
                raise bad("message to edit not found")
            message["caption"] = text_of(params, "caption", 1024, "message caption is too long")
            return _public(message)

        @method("deleteMessage")
        def delete_message(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            if chat.messages.pop(int(params.get("message_id") or 0), None) is None:
                raise bad("message to delete not found")
            return True

        @method("deleteMessages")
        def delete_messages(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            ids = params.get("message_ids")
            if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
                raise bad("message_ids must hold 1-100 identifiers")  # (U)
            for found in ids:
                chat.messages.pop(int(found), None)  # missing ones are skipped, as the docs say
            return True

        @method("pinChatMessage")
        def pin(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            message = int(params.get("message_id") or 0)
            if message not in chat.messages:
                raise bad("message to pin not found")
            chat.pinned.append(message)
            return True

        @method("banChatMember")
        def ban(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            chat = self.chat(params.get("chat_id"))
            if chat.type not in ("group", "supergroup", "channel"):
                raise bad("method is available for supergroup and channel chats only")
            chat.banned.add(int(params["user_id"]))
            return True

        @method("unbanChatMember")
        def unban(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            self.chat(params.get("chat_id")).banned.discard(int(params["user_id"]))
            return True

        @method("getUpdates")
        def get_updates(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            if self.webhook is not None:
                raise Refused(409, "Conflict: can't use getUpdates method while webhook is active; use "
                                   "deleteWebhook to delete the webhook first")
            offset = int(params.get("offset") or 0)
            if offset:
                # "All updates with update_id less than offset are marked as confirmed".
                self.confirmed_below = max(self.confirmed_below, offset)
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            allowed = params.get("allowed_updates")
            limit = int(params.get("limit") or 100)
            if not 1 <= limit <= 100:
                raise bad("limit must be between 1 and 100")  # (U)
            chosen = [u for u in self.updates if not allowed or any(k in u for k in allowed)]
            return chosen[:limit]

        @method("setWebhook")
        def set_webhook(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            url = str(params.get("url") or "")
            if url and not url.startswith("https://"):
                raise bad("bad webhook: An HTTPS URL must be provided for webhook")
            secret = params.get("secret_token")
            if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
                raise bad("bad webhook: secret token contains unallowed characters")  # (U)
            self.webhook = {"url": url, "secret_token": secret,
                            "allowed_updates": params.get("allowed_updates")} if url else None
            return True

        @method("getWebhookInfo")
        def get_webhook_info(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            found: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
            if self.webhook is not None:
                found.update(url=self.webhook["url"], pending_update_count=len(self.updates),
                             allowed_updates=self.webhook["allowed_updates"] or [])
                found.update(self.webhook_trouble)
            return found

        @method("deleteWebhook")
        def delete_webhook(params: dict[str, Any], files: dict[str, bytes]) -> Any:
            self.webhook = None
            return True


def _public(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if not k.startswith("_")}


def _file_in(value: Any, files: dict[str, bytes], kind: str) -> Any:
    """A file given as attach://<name> (a multipart part of that name), as an upload in the field itself,
    or as a file_id / HTTP URL string."""
    if isinstance(value, str) and value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in files:
            raise bad("wrong file identifier/HTTP URL specified")  # (U) for a missing part
        data = files[name]
    elif isinstance(value, bytes):
        data = value
    elif isinstance(value, str) and value:
        return {"file_id": value}
    else:
        raise bad(f"there is no {kind} in the request")
    if not data:
        raise bad("file must be non-empty")
    return {"file_id": f"F{len(data)}", "file_size": len(data)}


def _decode(value: str) -> Any:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read(request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    kind = request.headers.get("content-type", "")
    files: dict[str, bytes] = {}
    if kind.startswith("application/json"):
        body = await request.body()
        return (json.loads(body) if body else {}), files
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        params: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                params[key] = _decode(value)
            else:
                files[key] = await value.read()
                params[key] = files[key]
        return params, files
    return dict(request.query_params), files


def _params_of(call: Any) -> dict[str, Any]:
    kind = call.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return call.json() or {}
    if kind.startswith("multipart/form-data"):
        import email.parser
        import email.policy

        raw = b"Content-Type: " + kind.encode() + b"\r\n\r\n" + call.body
        parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        found: dict[str, Any] = {}
        for part in parsed.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if part.get_filename() is not None:
                found[name] = {"filename": part.get_filename(), "size": len(payload),
                               "content_type": part.get_content_type()}
            else:
                found[name] = _decode(payload.decode())
        return found
    return call.form()
