"""A VK API 5.199 contract server: one community, its wall, comments, messages and statistics, the upload
servers VK hands out, and VK ID's token endpoint — built from dev.vk.com and id.vk.com.

Every method answers at `/method/<name>` (GET or POST, parameters in the query or a form), with HTTP 200
and `{"response": …}` or `{"error": {"error_code", "error_msg", "request_params"}}`
(https://dev.vk.com/reference/errors). What the docs say VK refuses is refused: no token (5), a bad token
(5), no version (8), a community token on a user-only method (27, per VK's schema `access_token_type`),
a missing right (15), the app's service token on a method it cannot call (28), a closed community's wall
(15), a private profile (30), a deleted or banned page (18), an unknown user id (113), text over the limit,
more than 10 attachments or more than one link, an attachment
that does not exist (100), `messages.send` without `random_id` (100).

    vk = VkContract()
    with vk.server.running() as base: ...
    vk.state.user_token, vk.state.community_token, vk.state.group_id

Competitors: other communities' and people's public walls (add_public_community, add_public_person,
add_wall_post), read with the app's service token (vk.state.service_token) or a user token.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.contract.server import ContractServer

DOC = "https://dev.vk.com/method/"
ERRORS_DOC = "https://dev.vk.com/reference/errors"
UPLOAD_PHOTO_DOC = "https://dev.vk.com/api/upload/wall-photo"
UPLOAD_VIDEO_DOC = "https://dev.vk.com/api/upload/video-in-profile"
VKID_DOC = "https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/connection/api-integration/api-description"
TEXT_LIMIT = 16_384
MAX_ATTACHMENTS = 10
USER_ONLY = {"wall.post", "wall.delete", "wall.deleteComment", "photos.getWallUploadServer", "photos.saveWallPhoto",
             "video.save", "polls.create", "groups.ban", "groups.unban", "stats.get", "stats.getPostReach"}
# What the app's service token may call here (public data): https://dev.vk.com/api/access-token/getting-started
SERVICE_OK = {"groups.getById", "users.get", "utils.resolveScreenName", "wall.get", "wall.getById"}
WALL_FILTERS = {"suggests", "postponed", "owner", "others", "all", "donut"}
GROUP_ONLY = {"messages.getConversations", "messages.getHistory", "messages.send"}  # here: community messages
SCOPE_OF = {"wall.post": "wall", "wall.delete": "wall", "wall.deleteComment": "wall", "wall.createComment": "wall",
            "photos.getWallUploadServer": "photos", "photos.saveWallPhoto": "photos", "video.save": "video",
            "polls.create": "wall", "groups.ban": "groups", "groups.unban": "groups", "stats.get": "stats",
            "stats.getPostReach": "stats", "messages.getConversations": "messages",
            "messages.getHistory": "messages", "messages.send": "messages"}


class VkFailure(Exception):
    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


@dataclass
class Token:
    kind: str  # "user", "group" or "service" (the app's service token)
    owner: int  # user id, or group id
    scope: set[str]
    expires_at: float | None = None


@dataclass
class VkState:
    group_id: int = 4242
    admin_id: int = 100
    group_name: str = "Brand Cafe"
    screen_name: str = "brandcafe"
    members_count: int = 1234
    confirmation_code: str = "a1b2c3d4"
    user_token: str = field(default_factory=lambda: "vk1.a." + secrets.token_urlsafe(24))
    community_token: str = field(default_factory=lambda: "vk1.a.g" + secrets.token_urlsafe(24))
    tokens: dict[str, Token] = field(default_factory=dict)
    next_id: int = 1  # a wall's posts and comments share one id sequence
    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)  # "photo-4242_7", "video-4242_3", "poll-4242_1"
    pending_photos: dict[str, bytes] = field(default_factory=dict)
    pending_videos: dict[int, bytes] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    random_ids: dict[tuple[int, int], int] = field(default_factory=dict)
    banned: set[int] = field(default_factory=set)
    users: dict[int, tuple[str, str, str]] = field(default_factory=lambda: {
        100: ("Admin", "Person", "admin"), 501: ("Ana", "Petrova", "ana_p"), 502: ("Boris", "Ivanov", "boris")})
    # VK ID
    client_id: str = "51234567"
    client_secret: str = "vkid-secret"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> device id
    # Competitors: public walls of others, by owner id (negative: a community), with their posts.
    service_token: str = field(default_factory=lambda: "svc." + secrets.token_urlsafe(24))
    walls: dict[int, dict[str, Any]] = field(default_factory=dict)
    wall_posts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    reads: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # public reads: (method, params)

    def __post_init__(self) -> None:
        self.tokens[self.user_token] = Token("user", self.admin_id, {"wall", "photos", "video", "groups", "stats",
                                                                     "offline"})
        self.tokens[self.community_token] = Token("group", self.group_id, {"messages", "manage", "wall"})
        self.tokens[self.service_token] = Token("service", int(self.client_id), set())

    def add_public_community(self, name: str, screen_name: str, *, members: int | None = 800, is_closed: int = 0,
                             deactivated: str | None = None) -> int:
        """Another community; `members` None: it hides its member count; is_closed 1 closed, 2 private."""
        group_id = 9000 + len(self.walls)
        self.walls[-group_id] = {"kind": "group", "id": group_id, "name": name, "screen_name": screen_name,
                                 "members_count": members, "is_closed": is_closed, "deactivated": deactivated}
        return group_id

    def add_public_person(self, first: str, last: str, screen_name: str, *, followers: int = 300,
                          is_closed: bool = False, deactivated: str | None = None) -> int:
        user_id = 7000 + len(self.walls)
        self.walls[user_id] = {"kind": "user", "id": user_id, "first_name": first, "last_name": last,
                               "screen_name": screen_name, "followers_count": followers, "is_closed": is_closed,
                               "deactivated": deactivated}
        return user_id

    def add_wall_post(self, owner_id: int, text: str, *, date: int | None = None, likes: int = 0, reposts: int = 0,
                      comments: int = 0, views: int | None = 0, attachments: list[dict[str, Any]] | None = None,
                      copy_of: int | None = None) -> int:
        """A post on a public wall (owner_id: -group_id or user_id); `copy_of`: a repost of that owner's post."""
        number = self.new_id()
        post: dict[str, Any] = {"id": number, "owner_id": owner_id, "from_id": owner_id,
                                "date": date or int(time.time()), "text": text, "post_type": "post",
                                "attachments": attachments or [], "comments": {"count": comments, "can_post": 1},
                                "likes": {"count": likes, "user_likes": 0}, "reposts": {"count": reposts}}
        if views is not None:
            post["views"] = {"count": views}
        if copy_of is not None:
            post["copy_history"] = [{"id": 1, "owner_id": copy_of, "from_id": copy_of, "text": "original"}]
        self.wall_posts.setdefault(owner_id, []).append(post)
        return number

    @property
    def owner_id(self) -> int:
        return -self.group_id

    def new_id(self) -> int:
        value, self.next_id = self.next_id, self.next_id + 1
        return value

    # Things a test makes happen on "VK" -------------------------------------------------------------

    def add_comment(self, post_id: int, from_id: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
        comment = {"id": self.new_id(), "from_id": from_id, "post_id": post_id, "owner_id": self.owner_id,
                   "date": int(time.time()), "text": text}
        if reply_to:
            comment["reply_to_comment"] = reply_to
            comment["parents_stack"] = [reply_to]
        self.comments[comment["id"]] = comment
        self.posts[post_id]["comments"]["count"] += 1
        return comment

    def add_message(self, from_id: int, text: str) -> dict[str, Any]:
        message = {"id": len(self.messages) + 1, "date": int(time.time()), "peer_id": from_id, "from_id": from_id,
                   "out": 0, "text": text, "conversation_message_id": len(self.messages) + 1}
        self.messages.append(message)
        return message

    def authorize(self, redirect_uri: str, code_challenge: str, state: str, scope: str) -> dict[str, str]:
        """The user signs in on id.vk.com and allows the app: what VK ID sends back to redirect_uri."""
        code, device = secrets.token_urlsafe(16), secrets.token_urlsafe(8)
        self.codes[code] = {"redirect_uri": redirect_uri, "challenge": code_challenge, "device_id": device,
                            "scope": scope, "state": state}
        return {"code": code, "device_id": device, "state": state, "type": "code_v2", "expires_in": "600"}


def _params(request: Request, body: bytes) -> dict[str, str]:
    params = dict(request.query_params)
    if body and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params |= {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    return params


def _error(code: int, message: str, method: str, params: dict[str, str], **extra: Any) -> JSONResponse:
    echoed = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    echoed += [{"key": k, "value": v} for k, v in params.items() if k not in ("access_token", "message")]
    return JSONResponse({"error": {"error_code": code, "error_msg": message, "request_params": echoed, **extra}})


class VkContract:
    def __init__(self, state: VkState | None = None) -> None:
        self.state = state or VkState()
        self.server = ContractServer("vk")
        self._register()

    def upload_base(self) -> str:
        return self.server.base_url

    # --- wiring ------------------------------------------------------------------------------------

    def _register(self) -> None:
        handlers = {name.replace("_", "."): getattr(self, name) for name in dir(self)
                    if name.split("_")[0] in ("groups", "wall", "photos", "video", "polls", "messages", "stats",
                                              "users", "utils")
                    and callable(getattr(self, name))}
        for name, handler in handlers.items():
            for verb in ("GET", "POST"):
                self.server.endpoint(verb, f"/method/{name}", doc=f"{DOC}{name}")(self._method(name, handler))

        @self.server.endpoint("POST", "/upload/photo", doc=UPLOAD_PHOTO_DOC)
        async def upload_photo(request: Request) -> dict[str, Any]:
            form = await request.form()
            sent = form.get("photo")
            if sent is None or isinstance(sent, str):
                return {"server": 1, "photo": "[]", "hash": ""}  # VK's answer to a missing "photo" field
            key = secrets.token_hex(6)
            self.state.pending_photos[key] = await sent.read()
            return {"server": 856312, "photo": json.dumps([{"photo": f"{key}:w", "sizes": []}]), "hash": key}

        @self.server.endpoint("POST", "/upload/video", doc=UPLOAD_VIDEO_DOC)
        async def upload_video(request: Request) -> dict[str, Any]:
            form = await request.form()
            sent = form.get("video_file")
            video_id = int(request.query_params.get("vid", "0"))
            if sent is None or isinstance(sent, str) or video_id not in self.state.pending_videos:
                return {"error": "invalid file"}
            data = await sent.read()
            self.state.pending_videos.pop(video_id)
            self.state.media.add(f"video{self.state.owner_id}_{video_id}")
            return {"size": len(data), "video_id": video_id, "owner_id": self.state.owner_id}

        @self.server.endpoint("GET", "/authorize", doc=VKID_DOC)
        async def authorize(request: Request) -> Any:
            """The sign-in page: here the administrator is taken to have signed in and allowed the access."""
            from fastapi.responses import RedirectResponse

            q = request.query_params
            wrong = [name for name, ok in (
                ("response_type", q.get("response_type") == "code"),
                ("client_id", q.get("client_id") == self.state.client_id),
                ("code_challenge", len(q.get("code_challenge", "")) >= 43),
                ("code_challenge_method", q.get("code_challenge_method", "").lower() == "s256"),
                ("state", bool(q.get("state"))), ("redirect_uri", bool(q.get("redirect_uri")))) if not ok]
            if wrong:
                return JSONResponse({"error": "invalid_request", "error_description": f"invalid {', '.join(wrong)}"},
                                    status_code=400)
            back = self.state.authorize(q["redirect_uri"], q["code_challenge"], q["state"], q.get("scope", ""))
            return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

        @self.server.endpoint("POST", "/oauth2/auth", doc=VKID_DOC)
        async def token(request: Request) -> JSONResponse:
            form = {k: v[-1] for k, v in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}
            return self._token(form)

    def _method(self, name: str, handler: Any) -> Any:
        async def serve(request: Request) -> JSONResponse:
            params = _params(request, await request.body())
            try:
                self._check_call(name, params)
                return JSONResponse({"response": handler(params, self.state.tokens[params["access_token"]])})
            except VkFailure as failure:
                return _error(failure.code, failure.message, name, params, **failure.extra)

        serve.__name__ = name.replace(".", "_")
        return serve

    def _check_call(self, name: str, params: dict[str, str]) -> None:
        if not params.get("access_token"):
            raise VkFailure(5, "User authorization failed: no access_token passed.")
        token = self.state.tokens.get(params["access_token"])
        if token is None or (token.expires_at is not None and token.expires_at < time.time()):
            raise VkFailure(5, "User authorization failed: invalid access_token (4).")
        if not params.get("v"):
            raise VkFailure(8, "Invalid request: v (version) is required")
        if token.kind == "service" and name not in SERVICE_OK:
            raise VkFailure(28, "Application authorization failed: method is unavailable with service token.")
        if name in SERVICE_OK:
            self.state.reads.append((name, {k: v for k, v in params.items() if k != "access_token"}))
        if token.kind == "group" and name in USER_ONLY:
            raise VkFailure(27, "Group authorization failed: method is unavailable with group auth.")
        if token.kind == "user" and name in GROUP_ONLY:
            raise VkFailure(15, "Access denied: no access to call this method")
        needed = SCOPE_OF.get(name)
        if needed and needed not in token.scope:
            raise VkFailure(15, f"Access denied: no access to call this method (scope {needed})")

    def _group(self, params: dict[str, str], key: str = "group_id") -> int:
        value = str(params.get(key, "")).lstrip("-")
        if value not in (str(self.state.group_id), self.state.screen_name):
            raise VkFailure(100, f"One of the parameters specified was missing or invalid: {key} is undefined")
        return self.state.group_id

    def _owner(self, params: dict[str, str]) -> int:
        if params.get("owner_id") != str(self.state.owner_id):
            raise VkFailure(15, "Access denied: this wall is not available")
        return self.state.owner_id

    def _post_json(self, post: dict[str, Any]) -> dict[str, Any]:
        return {**post, "owner_id": self.state.owner_id}

    def _names(self, ids: set[int]) -> dict[str, Any]:
        profiles = [{"id": i, "first_name": f, "last_name": la, "screen_name": s}
                    for i, (f, la, s) in self.state.users.items() if i in ids]
        groups = [{"id": self.state.group_id, "name": self.state.group_name, "screen_name": self.state.screen_name}]
        return {"profiles": profiles, "groups": groups}

    # --- groups ----------------------------------------------------------------------------------------

    def _public_group(self, key: str) -> dict[str, Any] | None:
        key = key.lstrip("-").lower()
        return next((w for w in self.state.walls.values() if w["kind"] == "group"
                     and key in (str(w["id"]), w["screen_name"].lower())), None)

    def groups_getById(self, params: dict[str, str], token: Token) -> Any:
        """https://dev.vk.com/method/groups.getById: group_id (or group_ids), fields; since 5.194 the answer is
        {"groups": [...], "profiles": [...]}; an unknown community is error 100."""
        asked = params.get("group_id") or params.get("group_ids") or ""
        others = [self._public_group(k) for k in asked.split(",") if k]
        if asked and all(others):
            groups = []
            for other in others:
                assert other is not None
                group = {k: other[k] for k in ("id", "name", "screen_name", "is_closed")} | {"type": "group"}
                if other["deactivated"]:
                    group["deactivated"] = other["deactivated"]
                if "members_count" in params.get("fields", "") and other["members_count"] is not None:
                    group["members_count"] = other["members_count"]
                groups.append(group)
            return {"groups": groups, "profiles": []}
        if token.kind == "service" and not asked:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: group_ids is undefined")
        wanted = token.owner if token.kind == "group" and not params.get("group_id") else self._group(params)
        group = {"id": wanted, "name": self.state.group_name, "screen_name": self.state.screen_name,
                 "is_closed": 0, "type": "page"}
        if token.kind == "user":
            admin = token.owner == self.state.admin_id
            group |= {"is_admin": int(admin), **({"admin_level": 3} if admin else {})}
        if "members_count" in params.get("fields", ""):
            group["members_count"] = self.state.members_count
        return {"groups": [group], "profiles": []}

    def groups_getCallbackConfirmationCode(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        return {"code": self.state.confirmation_code}

    def groups_ban(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        self.state.banned.add(int(params["owner_id"]))
        return 1

    def groups_unban(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        self.state.banned.discard(int(params["owner_id"]))
        return 1

    # --- users and addresses (competitors) ----------------------------------------------------------------

    def users_get(self, params: dict[str, str], token: Token) -> Any:
        """https://dev.vk.com/method/users.get: user_ids (ids or screen names, comma-separated), fields;
        a deleted or banned page comes back with `deactivated`; an id that is no page is error 113."""
        asked = [k for k in params.get("user_ids", "").split(",") if k]
        if not asked:
            if token.kind == "service":
                raise VkFailure(100, "One of the parameters specified was missing or invalid: user_ids is undefined")
            asked = [str(token.owner)]
        found = []
        fields = params.get("fields", "").split(",")
        for key in asked:
            person = next((w for w in self.state.walls.values() if w["kind"] == "user"
                           and key.lower() in (str(w["id"]), w["screen_name"].lower())), None)
            if person is None:
                raise VkFailure(113, "Invalid user id")
            row = {"id": person["id"], "first_name": person["first_name"], "last_name": person["last_name"],
                   "is_closed": person["is_closed"], "can_access_closed": not person["is_closed"]}
            if person["deactivated"]:
                row |= {"first_name": "DELETED", "last_name": "", "deactivated": person["deactivated"]}
            else:
                row |= {k: person[k] for k in ("followers_count", "screen_name") if k in fields}
            found.append(row)
        return found

    def utils_resolveScreenName(self, params: dict[str, str], token: Token) -> Any:
        """https://dev.vk.com/method/utils.resolveScreenName: screen_name required; {"type", "object_id"}, or
        an empty list when the address is nobody's."""
        name = params.get("screen_name", "").lower()
        if not name:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: screen_name is undefined")
        if name == self.state.screen_name:
            return {"type": "group", "object_id": self.state.group_id}
        for wall in self.state.walls.values():
            if wall["screen_name"].lower() == name:
                return {"type": wall["kind"], "object_id": wall["id"]}
        return []

    # --- uploads ---------------------------------------------------------------------------------------

    def photos_getWallUploadServer(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        return {"album_id": -14, "user_id": token.owner,
                "upload_url": f"{self.upload_base()}/upload/photo?act=do_add&gid={self.state.group_id}&api=1"
                              "&wallphoto=1"}

    def photos_saveWallPhoto(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        key = params.get("hash", "")
        if key not in self.state.pending_photos or not params.get("photo") or not params.get("server"):
            raise VkFailure(100, "One of the parameters specified was missing or invalid: photos_list is invalid")
        self.state.pending_photos.pop(key)
        photo_id = 457239000 + len(self.state.media)
        self.state.media.add(f"photo{self.state.owner_id}_{photo_id}")
        return [{"id": photo_id, "album_id": -14, "owner_id": self.state.owner_id, "user_id": 100,
                 "text": params.get("caption", ""), "date": int(time.time()), "sizes": []}]

    def video_save(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        video_id = 456239000 + len(self.state.media)
        self.state.pending_videos[video_id] = b""
        return {"upload_url": f"{self.upload_base()}/upload/video?vid={video_id}", "video_id": video_id,
                "owner_id": self.state.owner_id, "title": params.get("name", ""), "access_key": "k"}

    def polls_create(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        try:
            answers = json.loads(params.get("add_answers", ""))
        except ValueError:
            answers = None
        if not params.get("question") or not isinstance(answers, list) or not 1 <= len(answers) <= 10:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: question or add_answers")
        poll_id = 1 + len(self.state.media)
        self.state.media.add(f"poll{self.state.owner_id}_{poll_id}")
        return {"id": poll_id, "owner_id": self.state.owner_id, "question": params["question"],
                "multiple": params.get("is_multiple") == "1",
                "answers": [{"id": i + 1, "text": a, "votes": 0, "rate": 0} for i, a in enumerate(answers)]}

    # --- wall ------------------------------------------------------------------------------------------

    def wall_post(self, params: dict[str, str], token: Token) -> Any:
        owner = self._owner(params)
        message = params.get("message", "")
        attachments = [a for a in params.get("attachments", "").split(",") if a]
        if not message and not attachments:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: message is empty or invalid")
        if len(message) > TEXT_LIMIT:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: message is too long")
        if len(attachments) > MAX_ATTACHMENTS:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: too many attachments")
        links = [a for a in attachments if a.startswith(("http://", "https://"))]
        if len(links) > 1:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: only one link allowed")
        for attachment in attachments:
            if attachment not in links and attachment not in self.state.media:
                raise VkFailure(100, f"One of the parameters specified was missing or invalid: attachments "
                                     f"{attachment} is invalid")
        if params.get("from_group") != "1":
            raise VkFailure(214, "Access to adding post denied: only the community may post here")
        number = self.state.new_id()
        self.state.posts[number] = {
            "id": number, "from_id": owner, "created_by": token.owner, "date": int(time.time()), "text": message,
            "post_type": "post", "attachments": [{"type": a.split("-")[0].rstrip("0123456789") or "link",
                                                  "ref": a} for a in attachments],
            "comments": {"count": 0, "can_post": 1}, "likes": {"count": 0}, "reposts": {"count": 0},
            "views": {"count": 0}}
        return {"post_id": number}

    def _public_wall(self, params: dict[str, str]) -> Any:
        """Another owner's wall: closed communities (15), private profiles (30), deleted pages (18) refused as
        https://dev.vk.com/reference/errors says; count is at most 100, filter one of WALL_FILTERS."""
        try:
            owner = int(params.get("owner_id", ""))
            count, offset = int(params.get("count", 20)), int(params.get("offset", 0))
        except ValueError:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: owner_id, count or offset "
                                 "is not a number") from None
        if not 0 <= count <= 100:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: count should be less or "
                                 "equal to 100")
        if params.get("filter", "all") not in WALL_FILTERS:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: filter is invalid")
        wall = self.state.walls.get(owner)
        if wall is None:
            raise VkFailure(100 if owner < 0 else 113, "One of the parameters specified was missing or invalid: "
                                                       "owner_id is undefined" if owner < 0 else "Invalid user id")
        if wall["deactivated"]:
            if wall["kind"] == "user":
                raise VkFailure(18, "User was deleted or banned")
            raise VkFailure(15, "Access denied: group is blocked")
        if wall["kind"] == "group" and wall["is_closed"]:
            raise VkFailure(15, "Access denied: this wall available only for community members")
        if wall["kind"] == "user" and wall["is_closed"]:
            raise VkFailure(30, "This profile is private")
        items = sorted(self.state.wall_posts.get(owner, []), key=lambda p: -p["id"])
        if params.get("filter") == "others":
            items = []
        return {"count": len(items), "items": items[offset:offset + count]}

    def wall_get(self, params: dict[str, str], token: Token) -> Any:
        if params.get("owner_id") != str(self.state.owner_id):
            return self._public_wall(params)
        self._owner(params)
        count = min(int(params.get("count", 20)), 100)
        offset = int(params.get("offset", 0))
        items = sorted(self.state.posts.values(), key=lambda p: -p["id"])
        return {"count": len(items), "items": [self._post_json(p) for p in items[offset:offset + count]]}

    def wall_getById(self, params: dict[str, str], token: Token) -> Any:
        found = []
        for ref in params.get("posts", "").split(","):
            owner, _, number = ref.partition("_")
            if owner == str(self.state.owner_id) and number.isdigit() and int(number) in self.state.posts:
                found.append(self._post_json(self.state.posts[int(number)]))
        return {"items": found}

    def wall_delete(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        if self.state.posts.pop(int(params.get("post_id", 0)), None) is None:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: post_id is invalid")
        return 1

    def wall_getComments(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        number = int(params.get("post_id", 0))
        if number not in self.state.posts:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: post_id is invalid")
        top = [c for c in self.state.comments.values() if c["post_id"] == number and not c.get("reply_to_comment")]
        top.sort(key=lambda c: c["id"], reverse=params.get("sort") == "desc")
        items = []
        for comment in top[:min(int(params.get("count", 10)), 100)]:
            thread = [c for c in self.state.comments.values() if c.get("reply_to_comment") == comment["id"]]
            items.append({**comment, "thread": {"count": len(thread),
                                                "items": thread[:int(params.get("thread_items_count", 0))]}})
        answer: dict[str, Any] = {"count": len(top), "current_level_count": len(top), "can_post": 1, "items": items}
        if params.get("extended") == "1":
            answer |= self._names({c["from_id"] for c in self.state.comments.values()})
        return answer

    def wall_createComment(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        number = int(params.get("post_id", 0))
        if number not in self.state.posts or not params.get("message"):
            raise VkFailure(100, "One of the parameters specified was missing or invalid: post_id or message")
        from_id = -int(params["from_group"]) if params.get("from_group") not in (None, "", "0") else token.owner
        reply_to = int(params["reply_to_comment"]) if params.get("reply_to_comment") else None
        comment = self.state.add_comment(number, from_id, params["message"], reply_to)
        return {"comment_id": comment["id"], "parents_stack": comment.get("parents_stack", [])}

    def wall_deleteComment(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        comment = self.state.comments.pop(int(params.get("comment_id", 0)), None)
        if comment is None:
            raise VkFailure(100, "One of the parameters specified was missing or invalid: comment_id is invalid")
        self.state.posts[comment["post_id"]]["comments"]["count"] -= 1
        return 1

    # --- messages (community token) -------------------------------------------------------------------

    def messages_getConversations(self, params: dict[str, str], token: Token) -> Any:
        last: dict[int, dict[str, Any]] = {}
        for message in self.state.messages:
            last[message["peer_id"]] = message
        items = [{"conversation": {"peer": {"id": peer, "type": "user", "local_id": peer}},
                  "last_message": message} for peer, message in sorted(last.items(), key=lambda kv: -kv[1]["id"])]
        answer: dict[str, Any] = {"count": len(items), "items": items[:int(params.get("count", 20))]}
        if params.get("extended") == "1":
            answer |= self._names(set(last))
        return answer

    def messages_getHistory(self, params: dict[str, str], token: Token) -> Any:
        peer = int(params.get("peer_id", 0))
        items = sorted((m for m in self.state.messages if m["peer_id"] == peer), key=lambda m: -m["id"])
        answer: dict[str, Any] = {"count": len(items), "items": items[:int(params.get("count", 20))]}
        if params.get("extended") == "1":
            answer |= self._names({peer})
        return answer

    def messages_send(self, params: dict[str, str], token: Token) -> Any:
        if not params.get("random_id"):
            raise VkFailure(100, "One of the parameters specified was missing or invalid: random_id is a required "
                                 "parameter")
        peer = int(params.get("peer_id", 0))
        if peer in self.state.banned:
            raise VkFailure(901, "Can't send messages for users without permission")
        key = (peer, int(params["random_id"]))
        if key in self.state.random_ids:  # the same random_id again: VK does not send it twice
            return self.state.random_ids[key]
        message = {"id": len(self.state.messages) + 1, "date": int(time.time()), "peer_id": peer,
                   "from_id": self.state.owner_id, "out": 1, "text": params.get("message", "")}
        self.state.messages.append(message)
        self.state.random_ids[key] = message["id"]
        return message["id"]

    # --- statistics ------------------------------------------------------------------------------------

    def stats_get(self, params: dict[str, str], token: Token) -> Any:
        self._group(params)
        start = int(params.get("timestamp_from", 0))
        return [{"period_from": start + day * 86400, "period_to": start + (day + 1) * 86400,
                 "visitors": {"views": 40 + day, "visitors": 30 + day,
                              "sex_age": [{"value": "f;18-21", "count": 5}]},
                 "reach": {"reach": 300 + day, "reach_subscribers": 200 + day, "mobile_reach": 250},
                 "activity": {"subscribed": 3, "unsubscribed": 1, "likes": 10}} for day in range(2)]

    def stats_getPostReach(self, params: dict[str, str], token: Token) -> Any:
        self._owner(params)
        rows = []
        for number in params.get("post_ids", "").split(","):
            if number.isdigit() and int(number) in self.state.posts:
                rows.append({"post_id": int(number), "reach_total": 120, "reach_subscribers": 80, "links": 7})
        return rows

    # --- VK ID -----------------------------------------------------------------------------------------

    def _token(self, form: dict[str, str]) -> JSONResponse:
        def refuse(error: str, description: str) -> JSONResponse:
            return JSONResponse({"error": error, "error_description": description}, status_code=400)

        if form.get("client_id") != self.state.client_id:
            return refuse("invalid_client", "client_id is invalid")
        if form.get("grant_type") == "authorization_code":
            import base64
            import hashlib

            pending = self.state.codes.pop(form.get("code", ""), None)
            if pending is None:
                return refuse("invalid_grant", "code is invalid or expired")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
            if challenge.decode().rstrip("=") != pending["challenge"]:
                return refuse("invalid_grant", "code_verifier is invalid")
            if form.get("device_id") != pending["device_id"] or form.get("redirect_uri") != pending["redirect_uri"]:
                return refuse("invalid_request", "device_id or redirect_uri does not match")
            device, scope = pending["device_id"], pending["scope"]
        elif form.get("grant_type") == "refresh_token":
            device = self.state.refresh_tokens.pop(form.get("refresh_token", ""), "")
            if not device or form.get("device_id") != device:
                return refuse("invalid_grant", "refresh_token is invalid")
            scope = "wall photos video groups stats"
        else:
            return refuse("unsupported_grant_type", "grant_type is invalid")
        access, refresh = "vk2.a." + secrets.token_urlsafe(24), "vk2.a.r" + secrets.token_urlsafe(24)
        self.state.tokens[access] = Token("user", self.state.admin_id, set(scope.split()),
                                          expires_at=time.time() + 3600)
        self.state.refresh_tokens[refresh] = device
        return JSONResponse({"access_token": access, "refresh_token": refresh, "id_token": "x.y.z",
                             "token_type": "Bearer", "expires_in": 3600, "user_id": self.state.admin_id,
                             "state": form.get("state", ""), "scope": scope})
