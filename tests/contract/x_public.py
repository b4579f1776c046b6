"""Public reads on the X contract server, as the X API v2 documentation describes them: user lookup by
username, the search query language of recent search, and app-only (bearer token) authentication.

- `GET /2/users/by/username/:username` (https://docs.x.com/x-api/users/lookup/integrate): a username must
  match `^[A-Za-z0-9_]{1,15}$` (400 invalid request otherwise); an unknown one answers 200 with an `errors`
  list (`Not Found Error`, "Could not find user with username: [NAME].") and no `data`; `user.fields=
  public_metrics` adds followers_count, following_count, tweet_count, listed_count.
- Recent search queries (https://docs.x.com/x-api/posts/search/introduction and the operator reference
  https://docs.x.com/x-api/posts/search/integrate/build-a-query): keywords (a word matches a whole token,
  case-insensitively, `#tag` a hashtag), "exact phrases", `OR`, grouping with parentheses, `-` negation,
  `lang:xx`, `is:retweet`, `conversation_id:ID`; at most 512 characters (the pay-per-use limit); a query
  that is empty, unbalanced, longer, or only negated/standalone-only operators (`lang:` and `is:` "cannot
  be used as a standalone operator") is refused with 400. Posts older than 7 days are never returned;
  `max_results` is 10 to 100; `next_token` pages.
- App-only authentication (https://docs.x.com/resources/fundamentals/authentication): the app's bearer
  token reads public data; `/2/users/me` refuses it with 403 "Unsupported Authentication".
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

DOC_USER_BY_USERNAME = "https://docs.x.com/x-api/users/lookup/integrate"
DOC_QUERY = "https://docs.x.com/x-api/posts/search/integrate/build-a-query"
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
MAX_QUERY = 512
STANDALONE_ONLY = ("lang", "is", "has")
APP_USER_ID = "app"

UNSUPPORTED_AUTH = {"title": "Unsupported Authentication", "status": 403,
                    "type": "https://api.twitter.com/2/problems/unsupported-authentication",
                    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
                              "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context]."}


class QueryError(ValueError):
    pass


# -- the query language ------------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+)')


@dataclass
class Node:
    kind: str  # "and", "or", "not", "word", "phrase", "op"
    value: str = ""
    children: list[Node] | None = None


def _tokens(query: str) -> list[str]:
    out, at = [], 0
    while at < len(query):
        if query[at:].strip() == "":
            break
        found = _TOKEN.match(query, at)
        if found is None:
            raise QueryError(f"There were errors processing your request: no viable alternative at character "
                             f"'{query[at]}' (at position {at + 1})")
        out.append(found.group(1))
        at = found.end()
    return out


def parse(query: str) -> Node:
    tokens = _tokens(query)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def expression() -> Node:
        parts = [conjunction()]
        while peek() == "OR":
            take()
            parts.append(conjunction())
        return parts[0] if len(parts) == 1 else Node("or", children=parts)

    def conjunction() -> Node:
        parts = []
        while peek() not in (None, ")", "OR"):
            parts.append(unary())
        if not parts:
            raise QueryError("There were errors processing your request: Ambiguous use of or")
        return parts[0] if len(parts) == 1 else Node("and", children=parts)

    def unary() -> Node:
        token = take()
        if token == "(":
            inner = expression()
            if peek() != ")":
                raise QueryError("There were errors processing your request: missing ')'")
            take()
            return inner
        negated = token.startswith("-") and len(token) > 1
        token = token[1:] if negated else token
        if token.startswith('"'):
            node = Node("phrase", token.strip('"').casefold())
        elif ":" in token and token.split(":", 1)[0].isalpha() and token.split(":", 1)[1]:
            node = Node("op", token.casefold())
        else:
            node = Node("word", token.casefold())
        return Node("not", children=[node]) if negated else node

    tree = expression()
    if position != len(tokens):
        raise QueryError(f"There were errors processing your request: extraneous input '{tokens[position]}'")
    if not _has_standalone(tree):
        raise QueryError("There were errors processing your request: Reference to invalid operator. Operators "
                         "lang:, is: and has: and negations cannot be used as standalone operators")
    return tree


def _has_standalone(node: Node) -> bool:
    """A query needs one positive keyword, phrase or standalone operator (conversation_id:, from: …)."""
    if node.kind in ("word", "phrase"):
        return True
    if node.kind == "op":
        return node.value.split(":", 1)[0] not in STANDALONE_ONLY
    if node.kind == "not":
        return False
    if node.kind == "or":
        return all(_has_standalone(c) for c in node.children or [])
    return any(_has_standalone(c) for c in node.children or [])


def _words(text: str) -> list[str]:
    return re.findall(r"[#@]?\w+", text.casefold())


def matches(node: Node, tweet: Any) -> bool:
    if node.kind == "and":
        return all(matches(c, tweet) for c in node.children or [])
    if node.kind == "or":
        return any(matches(c, tweet) for c in node.children or [])
    if node.kind == "not":
        return not matches((node.children or [])[0], tweet)
    text = tweet.text.casefold()
    if node.kind == "phrase":
        return " ".join(_words(node.value)) in " ".join(w.lstrip("#@") for w in _words(text))
    if node.kind == "word":
        words = _words(text)
        if node.value.startswith("#"):
            return node.value in words
        return node.value in {w.lstrip("#") for w in words}
    name, value = node.value.split(":", 1)
    if name == "lang":
        return getattr(tweet, "lang", "en") == value
    if name == "is" and value == "retweet":
        return bool(getattr(tweet, "retweet_of", None))
    if name == "conversation_id":
        return tweet.conversation_id == value
    if name == "from":
        return getattr(tweet, "_author_username", "") == value
    return False


# -- endpoints -------------------------------------------------------------------------------------------

def issue_app_token(server: Any) -> str:
    """The app's bearer token (app-only authentication): reads public data, never acts as a user."""
    token = "app-" + secrets.token_urlsafe(16)
    server.app_tokens.add(token)
    return token


def install_public_reads(server: Any) -> None:
    from tests.contract.x import _invalid

    @server.endpoint("GET", "/2/users/by/username/{username}", doc=DOC_USER_BY_USERNAME)
    async def user_by_username(request: Request, username: str) -> Response:
        _viewer, headers, refusal = server._guard(request, "GET /2/users/by/username")
        if refusal is not None:
            return refusal
        if not USERNAME.match(username):
            return _invalid(f"The `username` query parameter value [{username}] does not match "
                            "^[A-Za-z0-9_]{1,15}$")
        found = next((u for u in server.users.values() if u.username.lower() == username.lower()), None)
        if found is None:
            return server._ok({"errors": [{
                "value": username, "detail": f"Could not find user with username: [{username}].",
                "title": "Not Found Error", "resource_type": "user", "parameter": "username",
                "resource_id": username, "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
                headers)
        data: dict[str, Any] = {"id": found.id, "name": found.name, "username": found.username}
        if "public_metrics" in (request.query_params.get("user.fields") or ""):
            data["public_metrics"] = {"followers_count": found.followers, "following_count": found.following,
                                      "tweet_count": len(server.posts_by(found)), "listed_count": 0,
                                      "like_count": 0}
        return server._ok({"data": data}, headers)


def search_query_problem(query: str) -> str | None:
    if not query.strip():
        return "The `query` query parameter can not be empty"
    if len(query) > MAX_QUERY:
        return f"The `query` query parameter value [{query[:20]}…] is not valid: at most {MAX_QUERY} characters"
    try:
        parse(query)
    except QueryError as error:
        return str(error)
    return None


def unsupported_auth() -> JSONResponse:
    return JSONResponse(UNSUPPORTED_AUTH, status_code=403, media_type="application/problem+json")
