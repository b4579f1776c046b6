"""Instagram's part of the Meta Graph contract server: professional accounts linked to Pages, the content
publishing flow (containers, status, media_publish, the publishing limit), media and account insights,
comments, replies, hiding, deleting, tags and mentions.

    world = MetaWorld()
    user = world.add_user("Ana"); page = world.add_page("Brand", admins=[user["id"]])
    ig = world.add_instagram_account(page["id"], "brand", followers_count=1200)
    graph = meta_server(world); install_instagram(graph)

Each endpoint cites the page of Meta's documentation it follows (`graph.docs`). What the documentation says
is wrong is refused with Graph's error body: a container for a URL the server cannot fetch (9004/2207052),
an image that is not JPEG (36001/2207005), over 8 MiB (36000/2207004) or outside 4:5–1.91:1
(36003/2207009) — the image is FETCHED from the URL given, as Instagram does —, a carousel with fewer than
2 or more than 10 children, children that are not finished carousel items of the same account, a caption
over 2,200 characters, 30 hashtags or 20 @mentions, alt_text on anything but an image, collaborators on
Stories or carousel items, publishing a container that is not FINISHED (9007/2207027), the daily publishing
limit (9/2207042), deprecated insights metrics (impressions, plays, video_views, profile_views …) and a
token that may not act for the account (10).

Error codes and subcodes: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
"""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from fastapi import Request
from PIL import Image

from tests.contract.meta import (
    Auth,
    GraphRefusal,
    MetaGraph,
    graph_error,
    invalid_parameter,
    paged,
    require,
)
from tests.contract.meta_business_discovery import install_business_discovery

IG = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference"
DOC_IG_USER = f"{IG}/ig-user"
DOC_IG_USER_MEDIA = f"{IG}/ig-user/media"
DOC_MEDIA_PUBLISH = f"{IG}/ig-user/media_publish"
DOC_PUBLISHING_LIMIT = f"{IG}/ig-user/content_publishing_limit"
DOC_CONTAINER = f"{IG}/ig-container"
DOC_STORIES = "https://developers.facebook.com/docs/instagram-api/reference/ig-user/stories/"
DOC_TAGS = f"{IG}/ig-user/tags"
DOC_MENTIONS = f"{IG}/ig-user/mentions"
DOC_MEDIA = "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media"
DOC_MEDIA_INSIGHTS = "https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights"
DOC_USER_INSIGHTS = "https://developers.facebook.com/docs/instagram-platform/api-reference/instagram-user/insights"
DOC_MEDIA_COMMENTS = f"{IG}/ig-media/comments"
DOC_COMMENT = f"{IG}/ig-comment"
DOC_REPLIES = f"{IG}/ig-comment/replies"
DOC_CONVERSATIONS = "https://developers.facebook.com/docs/messenger-platform/conversations"
DOC_SEND = "https://developers.facebook.com/docs/messenger-platform/instagram/features/send-message"
WINDOW_SECONDS = 24 * 3600
DOC_CONTENT_PUBLISHING = "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/content-publishing"

CAPTION_LIMIT, HASHTAG_LIMIT, MENTION_LIMIT = 2200, 30, 20
IMAGE_MAX_BYTES = 8 * 1024 * 1024
MIN_RATIO, MAX_RATIO = 0.8, 1.91
QUOTA_TOTAL, QUOTA_DURATION = 50, 86400  # the reference's sample answer and the media_publish limitation
MEDIA_METRICS = {"reach", "views", "likes", "comments", "saved", "shares", "total_interactions", "follows",
                 "profile_visits", "profile_activity", "ig_reels_avg_watch_time", "ig_reels_video_view_total_time",
                 "replies", "navigation", "total_likes", "total_comments", "total_views"}
STORY_METRICS = {"reach", "views", "shares", "total_interactions", "replies", "follows", "profile_visits",
                 "profile_activity", "navigation"}
DEPRECATED_MEDIA_METRICS = {"impressions", "plays", "video_views", "clips_replays_count",
                            "ig_reels_aggregated_all_plays_count", "engagement"}
ACCOUNT_TOTAL_METRICS = {"reach", "views", "accounts_engaged", "total_interactions", "likes", "comments",
                         "shares", "saves", "replies", "follows_and_unfollows", "profile_links_taps"}
DEMOGRAPHIC_METRICS = {"follower_demographics", "engaged_audience_demographics"}
DEPRECATED_ACCOUNT_METRICS = {"impressions", "profile_views", "website_clicks", "email_contacts",
                              "phone_call_clicks", "text_message_clicks", "get_directions_clicks"}
BREAKDOWNS = {"age", "gender", "city", "country"}

_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._]{1,30})")


# -- helpers for tests ------------------------------------------------------------------------------------

def add_comment(world: Any, media_id: str, text: str, *, username: str, from_id: str | None = None,
                parent_id: str | None = None, when: float | None = None) -> dict[str, Any]:
    """Someone comments on a media (or answers a comment): what the inbox should find."""
    media = world.objects[media_id]
    comment = world.add("ig_comment", {"media_id": media_id, "text": text, "username": username,
                                       "from_id": from_id or world.new_id("9"), "parent_id": parent_id,
                                       "hidden": False, "timestamp": world.iso(when), "like_count": 0})
    media["comments_count"] = media.get("comments_count", 0) + 1
    return comment


def add_tagged_media(world: Any, ig_user_id: str, caption: str, *, username: str) -> dict[str, Any]:
    """Someone else's media that tags (or @mentions in its caption) the account: `GET /{ig}/tags`."""
    return world.add("ig_media", {"owner": world.new_id("8"), "owner_username": username, "caption": caption,
                                  "media_type": "IMAGE", "media_product_type": "FEED", "tagged": [ig_user_id],
                                  "timestamp": world.iso(), "permalink": f"https://www.instagram.com/p/{caption[:5]}",
                                  "like_count": 0, "comments_count": 0, "_published_at": world.now()})


def add_direct_message(world: Any, ig_user_id: str, text: str, *, username: str, igsid: str | None = None,
                       when: float | None = None) -> dict[str, Any]:
    """Someone writes to the account in Instagram Direct: a conversation on the linked Page
    (`platform=instagram`) and a message in it."""
    account = world.objects[ig_user_id]
    igsid = igsid or world.new_id("6")
    talks = world.of_kind("ig_conversation", ig_user_id=ig_user_id, igsid=igsid)
    talk = talks[0] if talks else world.add("ig_conversation", {"page_id": account["page_id"], "ig_user_id": ig_user_id,
                                                                "igsid": igsid, "username": username})
    created = world.now() if when is None else when
    talk["updated"] = created
    return world.add("ig_message", {"conversation_id": talk["id"], "from": {"id": igsid, "username": username},
                                    "to": {"data": [{"id": ig_user_id, "username": account["username"]}]},
                                    "message": text, "created": created}, id=f"aWdf{world.new_id()}")


def comments_delivery(ig_user_id: str, comment: dict[str, Any], time_: int) -> dict[str, Any]:
    """A webhook body for a comment (Webhooks reference, Instagram `comments` field)."""
    value: dict[str, Any] = {"from": {"id": comment["from_id"], "username": comment["username"]},
                             "media": {"id": comment["media_id"], "media_product_type": "FEED"},
                             "id": comment["id"], "text": comment["text"]}
    if comment.get("parent_id"):
        value["parent_id"] = comment["parent_id"]
    return {"object": "instagram", "entry": [{"id": ig_user_id, "time": time_,
                                              "changes": [{"field": "comments", "value": value}]}]}


# -- the rules ---------------------------------------------------------------------------------------------

def _refuse(message: str, *, code: int, subcode: int | None = None, title: str | None = None,
            user_msg: str | None = None) -> GraphRefusal:
    return GraphRefusal(graph_error(message, code=code, subcode=subcode, user_title=title, user_msg=user_msg,
                                    is_transient=False))


def _owner_of(world: Any, obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj["_kind"]
    if kind == "ig_user":
        return obj
    if kind in ("ig_media", "ig_container"):
        return world.objects.get(obj.get("owner"), {})
    if kind == "ig_comment":
        return _owner_of(world, world.objects[obj["media_id"]])
    return {}


def _check_access(auth: Auth, obj: dict[str, Any], scope: str | None = None) -> dict[str, Any]:
    """The token must be the linked Page's, or a user's who administers that Page, with the permission."""
    world = auth.world
    owner = _owner_of(world, obj)
    page = world.objects.get(owner.get("page_id") or "", {})
    token = auth.token
    allowed = (token.kind == "page" and token.subject == page.get("id")) or (
        token.kind == "user" and token.subject in page.get("admins", []))
    if not allowed:
        raise _refuse("(#10) Application does not have permission for this action", code=10)
    if scope and token.scopes and scope not in token.scopes:
        raise _refuse(f"(#10) Application does not have permission for this action: {scope}", code=10)
    return owner


def _caption_problem(caption: str) -> str | None:
    if len(caption) > CAPTION_LIMIT:
        return f"The caption is {len(caption)} characters; at most {CAPTION_LIMIT} are allowed."
    if len(_HASHTAG.findall(caption)) > HASHTAG_LIMIT:
        return f"The caption has more than {HASHTAG_LIMIT} hashtags."
    if len(_MENTION.findall(caption)) > MENTION_LIMIT:
        return f"The caption has more than {MENTION_LIMIT} @ tags."
    return None


async def _fetch(url: str) -> bytes:
    """Instagram cURLs the media: so does the contract server."""
    try:
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        response = None
    if response is None or response.status_code != 200 or not response.content:
        raise _refuse("Media download has failed. The media URI doesn't meet our requirements.", code=9004,
                      subcode=2207052, title="Media download failed",
                      user_msg="The media could not be fetched from this uri: " + url)
    return response.content


def _check_image(data: bytes, *, story: bool) -> tuple[int, int]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, size = image.format, image.size
    except Exception:
        fmt, size = None, (0, 0)
    if fmt != "JPEG":
        raise _refuse("The image format is not supported.", code=36001, subcode=2207005,
                      title="Unsupported format", user_msg="The image format is not supported. Supported "
                                                           "formats are: JPEG")
    if len(data) > IMAGE_MAX_BYTES:
        raise _refuse("The image size is too large.", code=36000, subcode=2207004, title="Image size too large",
                      user_msg="The image is too large to download. It should be less than 8 MiB.")
    ratio = size[0] / size[1]
    if not story and not MIN_RATIO <= ratio <= MAX_RATIO:
        raise _refuse("The aspect ratio is not supported.", code=36003, subcode=2207009,
                      title="Aspect ratio not supported",
                      user_msg=f"The submitted image with aspect ratio {ratio:.3f} cannot be published. Please "
                               "submit an image with a valid aspect ratio.")
    return size


def _check_video(data: bytes) -> None:
    if data[4:8] != b"ftyp":
        raise _refuse("The video format is not supported.", code=352, subcode=2207026,
                      title="Unsupported video format",
                      user_msg="The video format is not supported. Please check spec for supported "
                               "video_url format")


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def _split_fields(text: str) -> list[str]:
    """`id,text,replies{id,text}` → ["id", "text", "replies{id,text}"] (commas inside braces kept)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += char == "{"
        depth -= char == "}"
        current += char
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p]


def install_instagram(graph: MetaGraph, *, polls_until_finished: int = 1) -> MetaGraph:
    """Add Instagram's endpoints to a Meta Graph contract server. A container answers IN_PROGRESS to its
    first `polls_until_finished` status reads, then FINISHED (`graph.instagram` holds the knobs)."""
    world = graph.world
    knobs = graph.instagram = {"polls_until_finished": polls_until_finished,  # type: ignore[attr-defined]
                               "fail_processing": set()}  # container ids that end in ERROR

    # -- the account ------------------------------------------------------------------------------------

    @graph.node("GET", "ig_user", doc=DOC_IG_USER)
    def read_account(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        out: dict[str, Any] = {"id": obj["id"]}
        for name in _split_fields(str(params.get("fields") or "id,username")):
            if name in ("username", "name", "followers_count", "follows_count", "media_count", "biography",
                        "profile_picture_url", "website"):
                out[name] = obj.get(name)
        return out

    @graph.edge("GET", "ig_user", "content_publishing_limit", doc=DOC_PUBLISHING_LIMIT)
    def publishing_limit(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_content_publish")
        wanted = set(_split_fields(str(params.get("fields") or "quota_usage")))
        entry: dict[str, Any] = {"quota_usage": _published_in_window(obj)}
        if "config" in wanted:
            entry["config"] = {"quota_total": obj.get("quota_total", QUOTA_TOTAL), "quota_duration": QUOTA_DURATION}
        return {"data": [entry]}

    def _published_in_window(account: dict[str, Any]) -> int:
        since = world.now() - QUOTA_DURATION
        return len([m for m in world.of_kind("ig_media", owner=account["id"])
                    if m.get("_via_api") and m["_published_at"] >= since]) + account.get("quota_used_elsewhere", 0)

    # -- publishing -------------------------------------------------------------------------------------

    @graph.edge("POST", "ig_user", "media", doc=DOC_IG_USER_MEDIA)
    async def create_container(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_content_publish")
        media_type = str(params.get("media_type") or "").upper() or None
        carousel_item = _flag(params.get("is_carousel_item"))
        caption = str(params.get("caption") or "")
        problem = _caption_problem(caption)
        if problem:
            raise GraphRefusal(invalid_parameter(f"Param caption is invalid. {problem}"))
        if carousel_item and caption:
            raise GraphRefusal(invalid_parameter("Carousel items cannot have a caption; set it on the carousel."))
        collaborators: list[str] = []
        if params.get("collaborators"):
            import json

            try:
                collaborators = json.loads(params["collaborators"])
            except ValueError:
                raise GraphRefusal(invalid_parameter("Param collaborators must be an array of usernames")) from None
            if not isinstance(collaborators, list) or len(collaborators) > 3:
                raise GraphRefusal(invalid_parameter("Param collaborators must be an array of at most 3 usernames"))
            if media_type == "STORIES" or carousel_item:
                raise GraphRefusal(invalid_parameter("Collaborators are not supported on stories or carousel items"))
        if params.get("alt_text") and (media_type in ("REELS", "STORIES", "VIDEO", "CAROUSEL")
                                       or not params.get("image_url")):
            raise GraphRefusal(invalid_parameter("alt_text is only supported for image posts"))
        container: dict[str, Any] = {"owner": obj["id"], "caption": caption, "carousel_item": carousel_item,
                                     "collaborators": collaborators, "alt_text": params.get("alt_text"),
                                     "status_code": "IN_PROGRESS", "_polls": 0, "_created_at": world.now(),
                                     "share_to_feed": params.get("share_to_feed")}
        if media_type == "CAROUSEL":
            require(params, "children")
            if params.get("image_url") or params.get("video_url"):
                raise GraphRefusal(invalid_parameter("A carousel container takes children, not a media URL"))
            children = [c.strip() for c in str(params["children"]).split(",") if c.strip()]
            if not 2 <= len(children) <= 10:
                raise _refuse("(#100) The carousel must have between 2 and 10 children.", code=100, subcode=2207028,
                              title="Carousel validation failed",
                              user_msg=f"A carousel takes 2 to 10 items; {len(children)} were given.")
            for child_id in children:
                child = world.get(child_id, "ig_container")
                if child is None or child["owner"] != obj["id"] or not child["carousel_item"]:
                    raise GraphRefusal(invalid_parameter(f"Param children[{child_id}] is not a carousel item "
                                                         "container of this account"))
                if child["status_code"] != "FINISHED":
                    raise _refuse("Media ID is not available", code=9007, subcode=2207027,
                                  title="The media is not ready for publishing",
                                  user_msg="The media is not ready for publishing, please wait for a moment")
            container.update(kind="CAROUSEL", children=children)
        else:
            image_url, video_url = params.get("image_url"), params.get("video_url")
            if bool(image_url) == bool(video_url):
                raise GraphRefusal(invalid_parameter("Exactly one of image_url or video_url is required"))
            if media_type not in (None, "REELS", "STORIES", "VIDEO"):
                raise _refuse(f"The media type {media_type} is unknown.", code=100, subcode=2207023)
            if video_url and media_type is None:
                raise GraphRefusal(invalid_parameter("media_type is required with video_url (REELS, STORIES, or "
                                                     "VIDEO for a carousel item)"))
            if media_type == "VIDEO" and not carousel_item:
                raise GraphRefusal(invalid_parameter("media_type=VIDEO is only for carousel items; single feed "
                                                     "videos are published as REELS"))
            if media_type == "REELS" and (image_url or carousel_item):
                raise GraphRefusal(invalid_parameter("A Reel is one video_url and cannot be a carousel item"))
            data = await _fetch(str(image_url or video_url))
            if image_url:
                size = _check_image(data, story=media_type == "STORIES")
                container.update(kind="STORY" if media_type == "STORIES" else "IMAGE", size=size)
            else:
                _check_video(data)
                container.update(kind={"REELS": "REELS", "STORIES": "STORY"}.get(media_type or "", "VIDEO"))
            container.update(url=str(image_url or video_url), bytes=len(data))
        created = world.add("ig_container", container)
        return {"id": created["id"]}

    @graph.node("GET", "ig_container", doc=DOC_CONTAINER)
    def read_container(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        if obj["status_code"] == "IN_PROGRESS":
            obj["_polls"] += 1
            if obj["_polls"] > knobs["polls_until_finished"]:
                failed = obj["id"] in knobs["fail_processing"]
                obj["status_code"] = "ERROR" if failed else "FINISHED"
                obj["status"] = "Error: 2207026" if failed else "Finished: Media has been uploaded and is ready"
        out = {"id": obj["id"]}
        for name in _split_fields(str(params.get("fields") or "id")):
            if name in ("status_code", "status"):
                out[name] = obj.get(name, "In Progress" if name == "status" else None)
        return out

    @graph.edge("POST", "ig_user", "media_publish", doc=DOC_MEDIA_PUBLISH)
    def media_publish(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_content_publish")
        require(params, "creation_id")
        container = world.get(str(params["creation_id"]), "ig_container")
        if container is None or container["owner"] != obj["id"]:
            raise _refuse("Media ID is not available", code=24, subcode=2207006,
                          title="Media not found", user_msg="The media with the given creation_id was not found.")
        if container["carousel_item"]:
            raise GraphRefusal(invalid_parameter("A carousel item is published through its carousel container"))
        if container["status_code"] == "PUBLISHED":
            raise _refuse("The container has already been published.", code=100, subcode=2207008)
        if container["status_code"] != "FINISHED":
            raise _refuse("Media ID is not available", code=9007, subcode=2207027,
                          title="The media is not ready for publishing",
                          user_msg="The media is not ready for publishing, please wait for a moment")
        if _published_in_window(obj) >= obj.get("quota_total", QUOTA_TOTAL):
            raise _refuse("Application request limit reached", code=9, subcode=2207042,
                          title="Maximum number of posts reached",
                          user_msg="You reached maximum number of posts that is allowed to be published by "
                                   "Content Publishing API.")
        kind = container["kind"]
        media = world.add("ig_media", {
            "owner": obj["id"], "owner_username": obj["username"], "caption": container["caption"],
            "media_type": {"CAROUSEL": "CAROUSEL_ALBUM", "IMAGE": "IMAGE"}.get(kind, "VIDEO"),
            "media_product_type": {"REELS": "REELS", "STORY": "STORY"}.get(kind, "FEED"),
            "children": container.get("children", []), "collaborators": container["collaborators"],
            "alt_text": container.get("alt_text"), "timestamp": world.iso(), "like_count": 0, "comments_count": 0,
            "_published_at": world.now(), "_via_api": True, "_container": container["id"], "insights": {}})
        if kind == "STORY" and container.get("size") is None:
            media["media_type"] = "VIDEO"
        if kind == "STORY" and container.get("size") is not None:
            media["media_type"] = "IMAGE"
        media["permalink"] = f"https://www.instagram.com/p/{media['id']}/"
        container["status_code"] = "PUBLISHED"
        obj["media_count"] = obj.get("media_count", 0) + 1
        return {"id": media["id"]}

    def _media_fields(media: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
        out = {"id": media["id"]}
        for name in _split_fields(str(params.get("fields") or "id")):
            if name == "username":
                out[name] = media.get("owner_username")
            elif name == "children":
                out[name] = {"data": [{"id": c} for c in media.get("children", [])]}
            elif name in ("caption", "timestamp", "permalink", "media_type", "media_product_type", "like_count",
                          "comments_count", "alt_text") and media.get(name) is not None:
                out[name] = media[name]
        return out

    def _own_media(account: dict[str, Any], *, stories: bool) -> list[dict[str, Any]]:
        found = [m for m in world.of_kind("ig_media", owner=account["id"])
                 if (m["media_product_type"] == "STORY") == stories]
        if stories:
            found = [m for m in found if world.now() - m["_published_at"] < 86400]
        return sorted(found, key=lambda m: m["_published_at"], reverse=True)

    @graph.edge("GET", "ig_user", "media", doc=DOC_IG_USER_MEDIA)
    def list_media(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        return paged([_media_fields(m, params) for m in _own_media(obj, stories=False)], params)

    @graph.edge("GET", "ig_user", "stories", doc=DOC_STORIES)
    def list_stories(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        return paged([_media_fields(m, params) for m in _own_media(obj, stories=True)], params)

    @graph.node("GET", "ig_media", doc=DOC_MEDIA)
    def read_media(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        return _media_fields(obj, params)

    # -- insights ---------------------------------------------------------------------------------------

    @graph.edge("GET", "ig_media", "insights", doc=DOC_MEDIA_INSIGHTS)
    def media_insights(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_insights")
        require(params, "metric")
        allowed = STORY_METRICS if obj["media_product_type"] == "STORY" else MEDIA_METRICS
        names = [m.strip() for m in str(params["metric"]).split(",") if m.strip()]
        for index, name in enumerate(names):
            if name in DEPRECATED_MEDIA_METRICS or name not in allowed:
                raise GraphRefusal(invalid_parameter(
                    f"metric[{index}] must be one of the following values: {', '.join(sorted(allowed))}"))
        if obj.get("_not_enough_viewers"):
            raise _refuse("(#10) Not enough viewers for the media to show insights", code=10)
        data = []
        for name in names:
            if name in obj.get("insights", {}):  # absent: an empty set, never a 0
                data.append({"name": name, "period": "lifetime", "values": [{"value": obj["insights"][name]}],
                             "title": name, "id": f"{obj['id']}/insights/{name}/lifetime"})
        return {"data": data}

    @graph.edge("GET", "ig_user", "insights", doc=DOC_USER_INSIGHTS)
    def account_insights(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_insights")
        require(params, "metric", "period")
        names = [m.strip() for m in str(params["metric"]).split(",") if m.strip()]
        for index, name in enumerate(names):
            if name in DEPRECATED_ACCOUNT_METRICS or name not in ACCOUNT_TOTAL_METRICS | DEMOGRAPHIC_METRICS:
                raise GraphRefusal(invalid_parameter(
                    f"metric[{index}] must be one of the following values: "
                    f"{', '.join(sorted(ACCOUNT_TOTAL_METRICS | DEMOGRAPHIC_METRICS))}"))
            if params.get("metric_type") != "total_value":
                raise GraphRefusal(invalid_parameter(f"The metric {name} requires metric_type=total_value"))
        data = []
        demographic = [n for n in names if n in DEMOGRAPHIC_METRICS]
        if demographic:
            if len(names) != 1 or params.get("period") != "lifetime":
                raise GraphRefusal(invalid_parameter("Demographic metrics are requested alone, with period=lifetime"))
            breakdown = params.get("breakdown")
            if breakdown not in BREAKDOWNS:
                raise GraphRefusal(invalid_parameter("breakdown must be one of age, city, country, gender"))
            if obj.get("followers_count", 0) < 100:
                return {"data": []}  # documented: not available under 100 followers
            results = [{"dimension_values": [key], "value": value}
                       for key, value in (obj.get("demographics", {}).get(breakdown) or {}).items()]
            data.append({"name": names[0], "period": "lifetime", "title": names[0],
                         "total_value": {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]},
                         "id": f"{obj['id']}/insights/{names[0]}/lifetime"})
            return {"data": data}
        for name in names:
            if name in obj.get("insights", {}):
                data.append({"name": name, "period": params["period"], "title": name,
                             "total_value": {"value": obj["insights"][name]},
                             "id": f"{obj['id']}/insights/{name}/{params['period']}"})
        return {"data": data}

    # -- comments ---------------------------------------------------------------------------------------

    def _comment_fields(comment: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": comment["id"]}
        for name in wanted:
            base, _, inner = name.partition("{")
            if base == "from":
                out["from"] = {"id": comment["from_id"], "username": comment["username"]}
            elif base == "replies":
                inner_fields = _split_fields(inner.rstrip("}")) or ["id"]
                replies = [c for c in world.of_kind("ig_comment", parent_id=comment["id"])]
                out["replies"] = {"data": [_comment_fields(r, inner_fields) for r in replies]}
            elif base == "parent_id":
                if comment.get("parent_id"):
                    out["parent_id"] = comment["parent_id"]
            elif base == "media":
                out["media"] = {"id": comment["media_id"]}
            elif base in ("text", "timestamp", "username", "hidden", "like_count"):
                out[base] = comment.get(base)
        return out

    @graph.edge("GET", "ig_media", "comments", doc=DOC_MEDIA_COMMENTS)
    def list_comments(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        wanted = _split_fields(str(params.get("fields") or "id,text,timestamp"))
        top = [c for c in world.of_kind("ig_comment", media_id=obj["id"]) if not c.get("parent_id")]
        return paged([_comment_fields(c, wanted) for c in top], params, default_limit=50)

    def _new_comment(media: dict[str, Any], account: dict[str, Any], text: str,
                     parent_id: str | None = None) -> dict[str, Any]:
        comment = world.add("ig_comment", {"media_id": media["id"], "text": text, "username": account["username"],
                                           "from_id": account["id"], "parent_id": parent_id, "hidden": False,
                                           "timestamp": world.iso(), "like_count": 0})
        media["comments_count"] = media.get("comments_count", 0) + 1
        return comment

    @graph.edge("POST", "ig_media", "comments", doc=DOC_MEDIA_COMMENTS)
    def create_comment(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        owner = _check_access(auth, obj, "instagram_manage_comments")
        require(params, "message")
        return {"id": _new_comment(obj, owner, str(params["message"]))["id"]}

    @graph.node("GET", "ig_comment", doc=DOC_COMMENT)
    def read_comment(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        return _comment_fields(obj, _split_fields(str(params.get("fields") or "id,text,timestamp")))

    @graph.node("POST", "ig_comment", doc=DOC_COMMENT)
    def hide_comment(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        require(params, "hide")
        if str(params["hide"]).lower() not in ("true", "false"):
            raise GraphRefusal(invalid_parameter("Param hide must be a boolean"))
        obj["hidden"] = str(params["hide"]).lower() == "true"
        return {"success": True}

    @graph.node("DELETE", "ig_comment", doc=DOC_COMMENT)
    def delete_comment(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        for reply in world.of_kind("ig_comment", parent_id=obj["id"]):
            world.objects.pop(reply["id"], None)
        world.objects.pop(obj["id"], None)
        return {"success": True}

    @graph.edge("GET", "ig_comment", "replies", doc=DOC_REPLIES)
    def list_replies(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        wanted = _split_fields(str(params.get("fields") or "id,text,timestamp"))
        return paged([_comment_fields(c, wanted) for c in world.of_kind("ig_comment", parent_id=obj["id"])], params)

    @graph.edge("POST", "ig_comment", "replies", doc=DOC_REPLIES)
    def create_reply(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        owner = _check_access(auth, obj, "instagram_manage_comments")
        require(params, "message")
        if obj.get("hidden"):
            raise GraphRefusal(invalid_parameter("You cannot reply to hidden comments"))
        top = obj["parent_id"] or obj["id"]  # a reply to a reply goes under the top-level comment
        media = world.objects[obj["media_id"]]
        return {"id": _new_comment(media, owner, str(params["message"]), parent_id=top)["id"]}

    # -- tags and mentions ------------------------------------------------------------------------------

    @graph.edge("GET", "ig_user", "tags", doc=DOC_TAGS)
    def tags(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj)
        found = sorted((m for m in world.of_kind("ig_media") if obj["id"] in (m.get("tagged") or [])),
                       key=lambda m: m["_published_at"], reverse=True)
        return paged([_media_fields(m, params) for m in found], params)

    @graph.edge("POST", "ig_user", "mentions", doc=DOC_MENTIONS)
    def reply_to_mention(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _check_access(auth, obj, "instagram_manage_comments")
        require(params, "media_id", "message")
        media = world.get(str(params["media_id"]), "ig_media")
        if media is None or (obj["id"] not in (media.get("tagged") or []) and f"@{obj['username']}" not in str(
                media.get("caption") or "")):
            raise GraphRefusal(invalid_parameter("The account was not mentioned on this media"))
        parent = str(params["comment_id"]) if params.get("comment_id") else None
        return {"id": _new_comment(media, obj, str(params["message"]), parent_id=parent)["id"]}

    # -- Instagram Direct (Messenger API for Instagram, through the linked Page) ---------------------------
    # Registered over the Facebook module's Page handlers when those exist: `platform=instagram` and
    # Instagram recipients are served here, the rest handed on (install Instagram after Facebook).

    previous_conversations = graph._edges.get(("GET", "page", "conversations"))
    previous_send = graph._edges.get(("POST", "page", "messages"))

    def _as_messaging_page(auth: Auth, page: dict[str, Any]) -> None:
        token = auth.token
        if not ((token.kind == "page" and token.subject == page["id"])
                or (token.kind == "user" and token.subject in page.get("admins", []))):
            raise _refuse("(#10) Application does not have permission for this action", code=10)
        if token.scopes and "instagram_manage_messages" not in token.scopes:
            raise _refuse("(#10) Application does not have permission for this action: instagram_manage_messages",
                          code=10)

    def _message_view(message: dict[str, Any]) -> dict[str, Any]:
        return {"id": message["id"], "created_time": world.iso(message["created"]), "from": message["from"],
                "to": message["to"], "message": message["message"]}

    @graph.edge("GET", "page", "conversations", doc=DOC_CONVERSATIONS)
    def conversations(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        if params.get("platform") != "instagram":
            if previous_conversations is None:
                raise GraphRefusal(invalid_parameter("platform must be messenger or instagram"))
            return previous_conversations(auth, page, params, request)
        _as_messaging_page(auth, page)
        talks = world.of_kind("ig_conversation", page_id=page["id"])
        if params.get("user_id"):
            talks = [t for t in talks if t["igsid"] == params["user_id"]]
        talks.sort(key=lambda t: t["updated"], reverse=True)
        return paged([{"id": t["id"], "updated_time": world.iso(t["updated"])} for t in talks], params)

    @graph.edge("GET", "ig_conversation", "messages", doc=DOC_CONVERSATIONS)
    def conversation_messages(auth: Auth, talk: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_messaging_page(auth, world.objects[talk["page_id"]])
        found = sorted(world.of_kind("ig_message", conversation_id=talk["id"]), key=lambda m: m["created"],
                       reverse=True)
        return paged([_message_view(m) for m in found], params)

    @graph.node("GET", "ig_message", doc=DOC_CONVERSATIONS)
    def read_message(auth: Auth, message: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        talk = world.objects[message["conversation_id"]]
        _as_messaging_page(auth, world.objects[talk["page_id"]])
        return _message_view(message)

    @graph.edge("POST", "page", "messages", doc=DOC_SEND)
    def send_message(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        import json

        try:
            recipient = json.loads(params.get("recipient") or "{}")
            message = json.loads(params.get("message") or "{}")
        except ValueError:
            raise GraphRefusal(invalid_parameter("Params recipient and message must be JSON objects")) from None
        igsid = str(recipient.get("id") or "")
        talks = world.of_kind("ig_conversation", page_id=page["id"], igsid=igsid)
        if not talks:
            if previous_send is None:
                raise _refuse("(#100) No matching user found", code=100, subcode=2018001)
            return previous_send(auth, page, params, request)
        _as_messaging_page(auth, page)
        text = str(message.get("text") or "")
        if not text:
            raise GraphRefusal(invalid_parameter("message.text is required"))
        if len(text.encode()) > 1000:
            raise GraphRefusal(invalid_parameter("param message[text] must be at most 1000 bytes"))
        theirs = [m["created"] for m in world.of_kind("ig_message", conversation_id=talks[0]["id"])
                  if m["from"]["id"] == igsid]
        if not theirs or world.now() - max(theirs) > WINDOW_SECONDS:
            raise _refuse("(#10) This message is sent outside of allowed window.", code=10, subcode=2534022)
        account = world.objects[talks[0]["ig_user_id"]]
        sent = world.add("ig_message", {"conversation_id": talks[0]["id"],
                                        "from": {"id": account["id"], "username": account["username"]},
                                        "to": {"data": [{"id": igsid}]}, "message": text, "created": world.now()},
                         id=f"aWdf{world.new_id()}")
        talks[0]["updated"] = world.now()
        return {"recipient_id": igsid, "message_id": sent["id"]}

    install_business_discovery(graph)  # GET /{ig-user-id}?fields=business_discovery… (meta_business_discovery.py)
    return graph


install = install_instagram
