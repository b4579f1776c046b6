"""Business Discovery on the Meta Graph contract server: `GET /{ig-user-id}?fields=business_discovery.
username(NAME){fields}` as the Instagram API with Facebook Login documents it
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/business_discovery,
https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/business-discovery).

- It is asked on the app user's own professional account, with a token that may act for it (the Page's,
  or its admin's) and, when the token's scopes are known, `instagram_basic` and `instagram_manage_insights`
  (the reference's permissions) — else (#10).
- Only other *business or creator* accounts answer; a personal account, an age-gated one ("Data about
  age-gated Instagram professional accounts will not be returned") or an unknown name get the answer Graph
  gives for them: code 110, subcode 2207013, "Cannot find User" / "The user with username: NAME cannot be
  found." (the body developers report for this call; the error-codes reference lists no row for it).
- Only the IG User reference's public fields can be expanded on the target (followers_count,
  follows_count, media_count, name, username, biography, profile_picture_url, website, id) and, on its
  `media` edge, the IG Media public fields; anything else is (#100) "Tried accessing nonexisting field".
  `like_count` is left out for media whose owner hides likes. `media` pages by 25 (`paging.cursors`),
  `media.after(CURSOR)` / `media.limit(N)` move and size the page.

    world.add_instagram_account(page_id, "rival", followers_count=900)     # a business account
    add_public_account(world, "someone", account_type="PERSONAL")           # refused by Business Discovery
    add_public_media(world, rival, "Nova #kava", likes=10, comments=2)
"""

from __future__ import annotations

import re
from typing import Any

from tests.contract.meta import GraphRefusal, graph_error, paged

DOC_BUSINESS_DISCOVERY = ("https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
                          "ig-user/business_discovery")
USER_FIELDS = {"id", "followers_count", "follows_count", "media_count", "name", "username", "biography",
               "profile_picture_url", "website"}
MEDIA_FIELDS = {"id", "caption", "comments_count", "like_count", "media_product_type", "media_type", "media_url",
                "permalink", "timestamp", "username", "children"}
_DISCOVERY = re.compile(r"^business_discovery\.username\(([^)]*)\)(?:\{(.*)\})?$", re.S)
_MEDIA = re.compile(r"^media((?:\.(?:limit|after)\([^)]*\))*)(?:\{(.*)\})?$", re.S)


def add_public_account(world: Any, username: str, *, account_type: str = "BUSINESS", age_gated: bool = False,
                       **fields: Any) -> dict[str, Any]:
    """Someone else's Instagram account, not linked to any of our Pages."""
    return world.add("ig_user", {"username": username, "followers_count": 0, "media_count": 0,
                                 "account_type": account_type, "age_gated": age_gated, **fields})


def add_public_media(world: Any, account: dict[str, Any], caption: str, *, likes: int = 0, comments: int = 0,
                     media_type: str = "IMAGE", product: str = "FEED", when: float | None = None,
                     hide_likes: bool = False) -> dict[str, Any]:
    at = world.now() if when is None else when
    media = world.add("ig_media", {
        "owner": account["id"], "owner_username": account["username"], "caption": caption,
        "media_type": media_type, "media_product_type": product, "children": [], "collaborators": [],
        "timestamp": world.iso(at), "like_count": likes, "comments_count": comments, "_published_at": at,
        "_hide_likes": hide_likes, "insights": {}})
    media["permalink"] = f"https://www.instagram.com/p/{media['id']}/"
    account["media_count"] = account.get("media_count", 0) + 1
    return media


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += char in "{("
        depth -= char in "})"
        current += char
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def _nonexisting(name: str, node: str) -> GraphRefusal:
    return GraphRefusal(graph_error(f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})",
                                    code=100))


def _not_found(username: str) -> GraphRefusal:
    return GraphRefusal(graph_error("Invalid user id", code=110, subcode=2207013, user_title="Cannot find User",
                                    user_msg=f"The user with username: {username} cannot be found.",
                                    is_transient=False))


def _media_view(media: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": media["id"]}
    for name in wanted:
        if name not in MEDIA_FIELDS:
            raise _nonexisting(name, "Media")
        if name == "username":
            out[name] = media.get("owner_username")
        elif name == "children":
            out[name] = {"data": [{"id": c} for c in media.get("children", [])]}
        elif name == "like_count" and media.get("_hide_likes"):
            continue  # the owner hides like counts: Graph leaves the field out
        elif media.get(name) is not None:
            out[name] = media[name]
    return out


def discover(world: Any, text: str) -> dict[str, Any]:
    found = _DISCOVERY.match(text.strip())
    if found is None:
        raise GraphRefusal(graph_error("(#100) Syntax error: business_discovery needs .username(NAME)", code=100))
    username, inner = found.group(1).strip(), found.group(2) or "id"
    if not username:
        raise GraphRefusal(graph_error("(#100) The parameter username is required", code=100))
    target = next((a for a in world.of_kind("ig_user") if str(a.get("username", "")).lower() == username.lower()),
                  None)
    if target is None or target.get("account_type", "BUSINESS") not in ("BUSINESS", "CREATOR") \
            or target.get("age_gated"):
        raise _not_found(username)
    out: dict[str, Any] = {"id": target["id"]}
    for name in _split(inner):
        media = _MEDIA.match(name)
        if media is not None:
            modifiers = dict(re.findall(r"\.(limit|after)\(([^)]*)\)", media.group(1) or ""))
            wanted = _split(media.group(2) or "id")
            items = sorted(world.of_kind("ig_media", owner=target["id"]), key=lambda m: m["_published_at"],
                           reverse=True)
            items = [m for m in items if m.get("media_product_type") != "STORY"]
            out["media"] = paged([_media_view(m, wanted) for m in items], modifiers)
        elif name in USER_FIELDS:
            if target.get(name) is not None:
                out[name] = target[name]
        else:
            raise _nonexisting(name, "IGUser")
    return out


def install_business_discovery(graph: Any) -> None:
    """Wrap the IG User read (meta_instagram.read_account) so that a `business_discovery` field is answered."""
    from tests.contract.meta_instagram import _check_access, _split_fields

    world = graph.world
    plain_read = graph._nodes[("GET", "ig_user")]
    graph.docs.append(("GET", "/{version}/{ig_user-id}?fields=business_discovery", DOC_BUSINESS_DISCOVERY))

    def read_account(auth: Any, obj: dict[str, Any], params: dict[str, Any], request: Any) -> Any:
        fields = _split_fields(str(params.get("fields") or ""))
        asked = [f for f in fields if f.startswith("business_discovery")]
        if not asked:
            return plain_read(auth, obj, params, request)
        _check_access(auth, obj, "instagram_manage_insights")
        if auth.token.scopes and "instagram_basic" not in auth.token.scopes:
            raise GraphRefusal(graph_error("(#10) Application does not have permission for this action", code=10))
        rest = [f for f in fields if not f.startswith("business_discovery")]
        out = plain_read(auth, obj, {**params, "fields": ",".join(rest) or "id"}, request)
        out["business_discovery"] = discover(world, asked[0])
        return out

    graph._nodes[("GET", "ig_user")] = read_account
