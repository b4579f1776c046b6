"""The Meta Graph API contract server core: a world of users, Pages, tokens and objects, the auth check, the
version prefix, the documented error shapes and usage headers, and the OAuth endpoints.

Network modules add their endpoints to the same server through `MetaGraph.node` / `MetaGraph.edge`
(Facebook Pages: tests/contract/meta_facebook.py `install_facebook(graph)`; Instagram:
tests/contract/meta_instagram.py `install_instagram(graph)`), because Graph paths do not say what kind of
object an id is (`/{id}/comments` is a Page post's comments or an Instagram media's): one route per
(method, shape) dispatches on the kind of the object the id names, and an id of a kind nobody serves gets
Graph's documented "Unsupported get request" (code 100, subcode 33).

    world = MetaWorld()
    user = world.add_user("Ana")
    page = world.add_page("Brand", admins=[user["id"]])
    token = world.page_token(page["id"])
    graph = meta_server(world)             # a ContractServer with the core endpoints
    install_facebook(graph)
    with graph.server.running() as base_url: ...

Documentation followed here:
- Errors: https://developers.facebook.com/docs/graph-api/guides/error-handling
- Usage headers and rate-limit codes: https://developers.facebook.com/docs/graph-api/overview/rate-limiting/
- Versions in the path: https://developers.facebook.com/docs/graph-api/guides/versioning
- Tokens: https://developers.facebook.com/docs/facebook-login/guides/access-tokens
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from tests.contract.server import ContractServer

DOC_ERRORS = "https://developers.facebook.com/docs/graph-api/guides/error-handling"
DOC_RATE_LIMITS = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting/"
DOC_MANUAL_FLOW = "https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow"
DOC_LONG_LIVED = "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived"
DOC_ACCOUNTS = "https://developers.facebook.com/docs/graph-api/reference/user/accounts/"
DOC_DEBUG_TOKEN = "https://developers.facebook.com/docs/graph-api/reference/debug_token/"
DOC_USER = "https://developers.facebook.com/docs/graph-api/reference/user/"

VERSION_RE = re.compile(r"v\d+\.\d+")
SHORT_LIVED_SECONDS = 2 * 3600
LONG_LIVED_SECONDS = 5_183_944  # the documented sample answer: about 60 days


def graph_error(message: str, *, code: int, status: int = 400, subcode: int | None = None,
                type_: str = "OAuthException", user_title: str | None = None, user_msg: str | None = None,
                is_transient: bool | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """Graph's documented error body (error-handling guide)."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code,
                             "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode is not None:
        error["error_subcode"] = subcode
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    if is_transient is not None:
        error["is_transient"] = is_transient
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def invalid_parameter(message: str, *, subcode: int | None = None) -> JSONResponse:
    return graph_error(f"(#100) {message}", code=100, subcode=subcode)


def rate_limit_error(code: int = 80001, *, minutes: int = 5, business_id: str = "0") -> dict[str, Any]:
    """Arguments for `server.fail(...)`: a Business Use Case throttle with the documented header."""
    usage = {business_id: [{"type": "pages", "call_count": 100, "total_cputime": 20, "total_time": 30,
                            "estimated_time_to_regain_access": minutes}]}
    body = {"error": {"message": "(#80001) There have been too many calls to this Page account. Wait a bit "
                                 "and try again.", "type": "OAuthException", "code": code,
                      "fbtrace_id": "Arate"}}
    return {"status": 400, "json": body, "headers": {"X-Business-Use-Case-Usage": json.dumps(usage)}}


class GraphRefusal(Exception):
    """Raised by a handler to answer with Graph's error body."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__("graph refusal")
        self.response = response


@dataclass
class Token:
    value: str
    kind: str  # "user", "page", "app"
    subject: str  # the user's, Page's or app's id
    app_id: str
    scopes: tuple[str, ...] = ()
    expires_at: float | None = None  # epoch seconds; None: does not expire
    revoked: bool = False
    user_id: str | None = None  # for a Page token: the user it was derived from


@dataclass
class Auth:
    """Who is calling: handed to every handler."""

    token: Token
    world: MetaWorld

    @property
    def subject(self) -> str:
        return self.token.subject


@dataclass
class MetaWorld:
    """What the Graph knows. Objects live in `objects` by id, each a dict with a `_kind`."""

    app_id: str = "1000000001"
    app_secret: str = "app-secret-for-tests"
    version: str = "v24.0"
    now: Callable[[], float] = time.time
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # OAuth code -> user id, redirect uri
    # When set, every call must carry appsecret_proof (the app's "Require App Secret" setting).
    require_appsecret_proof: bool = False
    _ids: Any = field(default_factory=lambda: itertools.count(10_000_000_001))

    # -- ids and objects ------------------------------------------------------------------------------

    def new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids)}"

    def add(self, kind: str, data: dict[str, Any], *, id: str | None = None) -> dict[str, Any]:
        obj_id = id or data.get("id") or self.new_id()
        obj = {**data, "id": obj_id, "_kind": kind}
        self.objects[obj_id] = obj
        return obj

    def get(self, obj_id: str, kind: str | None = None) -> dict[str, Any] | None:
        obj = self.objects.get(obj_id)
        if obj is None or (kind is not None and obj["_kind"] != kind):
            return None
        return obj

    def of_kind(self, kind: str, **where: Any) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["_kind"] == kind
                and all(o.get(k) == v for k, v in where.items())]

    def iso(self, epoch: float | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(self.now() if epoch is None else epoch))

    # -- people, Pages, Instagram accounts --------------------------------------------------------------

    def add_user(self, name: str) -> dict[str, Any]:
        return self.add("user", {"name": name})

    def add_page(self, name: str, *, admins: list[str] = (), category: str = "Brand",  # type: ignore[assignment]
                 followers_count: int = 0, username: str | None = None) -> dict[str, Any]:
        page = self.add("page", {"name": name, "category": category, "followers_count": followers_count,
                                 "fan_count": followers_count, "username": username,
                                 "admins": list(admins), "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT",
                                                                   "MESSAGING", "MODERATE", "MANAGE"]})
        page["link"] = f"https://www.facebook.com/{page['id']}"
        return page

    def add_instagram_account(self, page_id: str, username: str, **fields: Any) -> dict[str, Any]:
        """An Instagram professional account linked to a Page (the Page's `instagram_business_account`)."""
        account = self.add("ig_user", {"username": username, "page_id": page_id, "followers_count": 0,
                                       "media_count": 0, **fields})
        self.objects[page_id]["instagram_business_account"] = {"id": account["id"]}
        return account

    # -- tokens ---------------------------------------------------------------------------------------

    def issue(self, kind: str, subject: str, *, lifetime: float | None = None,
              scopes: tuple[str, ...] = (), user_id: str | None = None, prefix: str = "EAA",
              app_id: str | None = None) -> Token:
        """A token; `app_id` other than the world's: one another app made (the Graph API Explorer's)."""
        value = prefix + secrets.token_urlsafe(24)
        token = Token(value, kind, subject, app_id or self.app_id, scopes,
                      None if lifetime is None else self.now() + lifetime, user_id=user_id)
        self.tokens[value] = token
        return token

    def user_token(self, user_id: str, *, lifetime: float | None = SHORT_LIVED_SECONDS,
                   scopes: tuple[str, ...] = ()) -> str:
        return self.issue("user", user_id, lifetime=lifetime, scopes=scopes).value

    def page_token(self, page_id: str, *, user_id: str | None = None, lifetime: float | None = None) -> str:
        """A Page token; from a long-lived user token it does not expire (access-tokens guide)."""
        admins = self.objects[page_id].get("admins") or [None]
        return self.issue("page", page_id, lifetime=lifetime, user_id=user_id or admins[0]).value

    def app_token(self) -> str:
        return f"{self.app_id}|{self.app_secret}"

    def revoke(self, value: str) -> None:
        self.tokens[value].revoked = True

    def expire(self, value: str) -> None:
        self.tokens[value].expires_at = self.now() - 1

    def grant_code(self, user_id: str, redirect_uri: str, scopes: tuple[str, ...] = ()) -> str:
        """What the login dialog does when the person accepts: a single-use code for `redirect_uri`."""
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"user_id": user_id, "redirect_uri": redirect_uri, "scopes": scopes}
        return code

    def authenticate(self, value: str | None, proof: str | None = None) -> Token:
        """The token's record, or GraphRefusal with the documented 190 error."""
        if not value:
            raise GraphRefusal(graph_error("An active access token must be used to query information about "
                                           "the current user.", code=190))
        if value == self.app_token():
            return Token(value, "app", self.app_id, self.app_id)
        token = self.tokens.get(value)
        if token is None:
            raise GraphRefusal(graph_error("Invalid OAuth access token - Cannot parse access token", code=190))
        if token.revoked:
            raise GraphRefusal(graph_error(
                "Error validating access token: The session has been invalidated because the user changed "
                "their password or Facebook has changed the session for security reasons.",
                code=190, subcode=460))
        if token.expires_at is not None and token.expires_at <= self.now():
            raise GraphRefusal(graph_error(
                f"Error validating access token: Session has expired on {self.iso(token.expires_at)}. The "
                f"current time is {self.iso()}.", code=190, subcode=463))
        # A proof is checked against the secret of the app the token belongs to (a token made by another app,
        # e.g. the Graph API Explorer's, fails with ours); "Require App Secret" makes it mandatory.
        if proof is not None or (self.require_appsecret_proof and token.app_id == self.app_id):
            secret = self.app_secret if token.app_id == self.app_id else f"secret-of-{token.app_id}"
            expected = hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()
            if not proof or not hmac.compare_digest(proof, expected):
                raise GraphRefusal(graph_error("Invalid appsecret_proof provided in the API argument",
                                               code=100, type_="GraphMethodException"))
        return token

    def usage_headers(self, token: Token) -> dict[str, str]:
        """The usage header a real answer carries: Business Use Case for Page tokens, X-App-Usage else."""
        if token.kind == "page":
            usage = {token.subject: [{"type": "pages", "call_count": 1, "total_cputime": 1, "total_time": 1,
                                      "estimated_time_to_regain_access": 0}]}
            return {"X-Business-Use-Case-Usage": json.dumps(usage)}
        return {"X-App-Usage": json.dumps({"call_count": 1, "total_cputime": 1, "total_time": 1})}


Handler = Callable[..., Awaitable[Any] | Any]


async def request_params(request: Request) -> dict[str, Any]:
    """Query and body parameters together, as Graph reads them (form, multipart or JSON body)."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "DELETE"):
        if "application/json" in content_type:
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif "form" in content_type:
            form = await request.form()
            for key, value in form.multi_items():
                params[key] = value  # an UploadFile for a file part
    return params


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    for scheme in ("OAuth ", "Bearer "):
        if header.startswith(scheme):
            return header[len(scheme):].strip()
    return None


class MetaGraph:
    """A ContractServer speaking the Graph conventions, with endpoints added per kind of object."""

    def __init__(self, world: MetaWorld, server: ContractServer | None = None) -> None:
        self.world = world
        self.server = server or ContractServer("meta-graph")
        self.docs: list[tuple[str, str, str]] = []  # (method, "/{version}/{id:kind}/edge", doc)
        self._nodes: dict[tuple[str, str], Handler] = {}
        self._edges: dict[tuple[str, str, str], Handler] = {}
        self._routes: set[tuple[str, str]] = set()

    # -- declaring -----------------------------------------------------------------------------------

    def node(self, method: str, kind: str, *, doc: str) -> Callable[[Handler], Handler]:
        """`method /{version}/{id}` for objects of `kind`: handler(auth, obj, params, request)."""
        def register(handler: Handler) -> Handler:
            self._nodes[(method.upper(), kind)] = handler
            self.docs.append((method.upper(), f"/{{version}}/{{{kind}-id}}", doc))
            self._route(method.upper(), "/{version}/{node_id}", doc)
            return handler
        return register

    def edge(self, method: str, kind: str, edge: str, *, doc: str) -> Callable[[Handler], Handler]:
        """`method /{version}/{id}/{edge}` for objects of `kind`: handler(auth, obj, params, request)."""
        def register(handler: Handler) -> Handler:
            self._edges[(method.upper(), kind, edge)] = handler
            self.docs.append((method.upper(), f"/{{version}}/{{{kind}-id}}/{edge}", doc))
            self._route(method.upper(), "/{version}/{node_id}/{edge}", doc)
            return handler
        return register

    def _route(self, method: str, path: str, doc: str) -> None:
        if (method, path) in self._routes:
            return
        self._routes.add((method, path))

        async def dispatch(request: Request, version: str, node_id: str, edge: str | None = None) -> Response:
            return await self._dispatch(request, version, node_id, edge)

        self.server.endpoint(method, path, doc=doc)(dispatch)

    def plain(self, method: str, path: str, *, doc: str, auth: bool = True) -> Callable[[Handler], Handler]:
        """An endpoint at a fixed path under the version (`oauth/access_token`, `debug_token`):
        handler(auth_or_None, params, request)."""
        def register(handler: Handler) -> Handler:
            async def serve(request: Request, version: str) -> Response:
                return await self._serve(request, version, None, lambda a, p: handler(a, p, request), auth)

            self.docs.append((method.upper(), f"/{{version}}/{path}", doc))
            self.server.endpoint(method, f"/{{version}}/{path}", doc=doc)(serve)
            return handler
        return register

    # -- serving --------------------------------------------------------------------------------------

    async def _serve(self, request: Request, version: str, resolve: Callable[[Auth], Any] | None,
                     call: Callable[[Auth | None, dict[str, Any]], Any], needs_auth: bool = True) -> Response:
        try:
            if not VERSION_RE.fullmatch(version) or version != self.world.version:
                raise GraphRefusal(graph_error(f"Unknown path components: /{version}", code=2500))
            params = await request_params(request)
            auth = None
            token = None
            if needs_auth:
                value = params.pop("access_token", None) or bearer(request)
                token = self.world.authenticate(value, params.pop("appsecret_proof", None))
                auth = Auth(token, self.world)
            result = call(auth, params)
            if hasattr(result, "__await__"):
                result = await result
        except GraphRefusal as refusal:
            return refusal.response
        if isinstance(result, Response):
            return result
        headers = self.world.usage_headers(token) if token is not None else {}
        return JSONResponse(result, headers=headers)

    async def _dispatch(self, request: Request, version: str, node_id: str, edge: str | None) -> Response:
        method = request.method.upper()

        def call(auth: Auth | None, params: dict[str, Any]) -> Any:
            assert auth is not None
            obj_id = auth.subject if node_id == "me" else node_id
            obj = self.world.get(obj_id)
            handler = None
            if obj is not None:
                handler = (self._edges.get((method, obj["_kind"], edge)) if edge
                           else self._nodes.get((method, obj["_kind"])))
            if handler is None:
                if obj is not None:
                    self.server.unexpected.append(self.server.calls[-1])
                raise GraphRefusal(graph_error(
                    f"Unsupported {method.lower()} request. Object with ID '{node_id}' does not exist, cannot "
                    "be loaded due to missing permissions, or does not support this operation. Please read "
                    "the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                    code=100, subcode=33, type_="GraphMethodException"))
            return handler(auth, obj, params, request)

        return await self._serve(request, version, None, call)


def fields_of(obj: dict[str, Any], params: dict[str, Any], default: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """The `fields` a read asked for (Graph returns only those, plus the id)."""
    wanted = [f.strip() for f in str(params.get("fields") or "").split(",") if f.strip()] or list(default)
    out = {"id": obj["id"]}
    for name in wanted:
        name = name.split("{")[0].split(".")[0]
        if name in obj and not name.startswith("_"):
            out[name] = obj[name]
    return out


def paged(items: list[dict[str, Any]], params: dict[str, Any], *, default_limit: int = 25) -> dict[str, Any]:
    """Cursor paging as Graph does it: `data`, `paging.cursors.before/after`, `paging.next` when more."""
    try:
        limit = max(1, min(int(params.get("limit") or default_limit), 100))
    except ValueError:
        raise GraphRefusal(invalid_parameter("Param limit must be an integer")) from None
    start = 0
    if params.get("after"):
        try:
            start = int(params["after"])
        except ValueError:
            raise GraphRefusal(invalid_parameter("Invalid cursor")) from None
    page = items[start:start + limit]
    body: dict[str, Any] = {"data": page}
    if page:
        body["paging"] = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        if start + len(page) < len(items):
            body["paging"]["next"] = f"https://graph.facebook.com/next?after={start + len(page)}"
    return body


def require(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise GraphRefusal(invalid_parameter(f"The parameter {name} is required"))


def meta_server(world: MetaWorld, server: ContractServer | None = None) -> MetaGraph:
    """A Graph contract server with the core endpoints: the token ones and reading the user."""
    graph = MetaGraph(world, server)
    if world.get(world.app_id) is None:
        world.add("app", {"name": "socialdesk tests"}, id=world.app_id)

    @graph.plain("GET", "oauth/access_token", doc=DOC_MANUAL_FLOW, auth=False)
    def access_token(_auth: Auth | None, params: dict[str, Any], request: Request) -> Any:
        """Code exchange (manual-flow guide) and `grant_type=fb_exchange_token` (long-lived guide)."""
        if params.get("client_id") != world.app_id or params.get("client_secret") != world.app_secret:
            raise GraphRefusal(graph_error("Error validating client secret.", code=1, subcode=None))
        if params.get("grant_type") == "fb_exchange_token":
            require(params, "fb_exchange_token")
            short = world.authenticate(params["fb_exchange_token"])
            if short.kind != "user":
                raise GraphRefusal(invalid_parameter("fb_exchange_token must be a user access token"))
            token = world.issue("user", short.subject, lifetime=LONG_LIVED_SECONDS, scopes=short.scopes)
            return {"access_token": token.value, "token_type": "bearer", "expires_in": LONG_LIVED_SECONDS}
        require(params, "redirect_uri", "code")
        grant = world.codes.pop(params["code"], None)
        if grant is None:
            raise GraphRefusal(graph_error("This authorization code has been used.", code=100, subcode=36009))
        if grant["redirect_uri"] != params["redirect_uri"]:
            raise GraphRefusal(graph_error("Can't load URL: The domain of this URL isn't included in the app's "
                                           "domains.", code=191))
        token = world.issue("user", grant["user_id"], lifetime=SHORT_LIVED_SECONDS, scopes=grant["scopes"])
        return {"access_token": token.value, "token_type": "bearer", "expires_in": SHORT_LIVED_SECONDS}

    @graph.plain("GET", "debug_token", doc=DOC_DEBUG_TOKEN)
    def debug_token(auth: Auth | None, params: dict[str, Any], request: Request) -> Any:
        require(params, "input_token")
        token = world.tokens.get(params["input_token"])
        if token is None:
            return {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid OAuth access token"}}}
        valid = not token.revoked and (token.expires_at is None or token.expires_at > world.now())
        data = {"app_id": token.app_id, "type": token.kind.upper(), "application": "socialdesk tests",
                "expires_at": int(token.expires_at or 0), "is_valid": valid, "scopes": list(token.scopes),
                "user_id": token.user_id or token.subject}
        if token.kind == "page":
            data["profile_id"] = token.subject
        return {"data": data}

    @graph.node("GET", "user", doc=DOC_USER)
    def read_user(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        return fields_of(obj, params, ("id", "name"))

    @graph.edge("GET", "user", "accounts", doc=DOC_ACCOUNTS)
    def accounts(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """The Pages the user can act on, each with a Page token (from a long-lived user token, one that
        does not expire)."""
        if auth.token.kind != "user" or auth.subject != obj["id"]:
            raise GraphRefusal(graph_error("(#200) Requires a user access token for this user", code=200))
        long_lived = auth.token.expires_at is None or auth.token.expires_at - world.now() > SHORT_LIVED_SECONDS
        pages = []
        for page in world.of_kind("page"):
            if obj["id"] in page.get("admins", []):
                token = world.issue("page", page["id"], user_id=obj["id"],
                                    lifetime=None if long_lived else SHORT_LIVED_SECONDS)
                entry = {"id": page["id"], "name": page["name"], "category": page["category"],
                         "access_token": token.value, "tasks": page["tasks"]}
                if "instagram_business_account" in page and "instagram_business_account" in str(
                        params.get("fields", "")):
                    entry["instagram_business_account"] = page["instagram_business_account"]
                pages.append(entry)
        return paged(pages, params)

    return graph


def point_settings_at(monkeypatch: Any, base_url: str, world: MetaWorld, *, webhook_verify_token: str = "verify-me",
                      ) -> None:
    """socialdesk's settings for this world: the Graph base, version, the app and loopback allowed."""
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.setenv("SOCIALDESK_META_GRAPH_URL", base_url)
    monkeypatch.setenv("SOCIALDESK_META_GRAPH_VERSION", world.version)
    monkeypatch.setenv("SOCIALDESK_META_APP_ID", world.app_id)
    monkeypatch.setenv("SOCIALDESK_META_APP_SECRET", world.app_secret)
    monkeypatch.setenv("SOCIALDESK_META_WEBHOOK_VERIFY_TOKEN", webhook_verify_token)
    monkeypatch.setenv("SOCIALDESK_ALLOW_PRIVATE_NETWORK_TARGETS", "127.0.0.1/32")
    reset_settings_cache()


DOC_WEBHOOKS = "https://developers.facebook.com/docs/graph-api/webhooks/getting-started"


def signed_delivery(world: MetaWorld, payload: dict[str, Any], *,
                    secret: str | None = None) -> tuple[bytes, dict[str, str]]:
    """A webhook delivery as Meta sends it (DOC_WEBHOOKS, "Event Notifications"): the JSON body and its
    `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body keyed by the app secret>` header."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    digest = hmac.new((secret or world.app_secret).encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}
