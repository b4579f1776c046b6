"""Facebook Page endpoints on the Meta Graph contract server (tests/contract/meta.py).

    world = MetaWorld(); graph = meta_server(world); install_facebook(graph)

Each endpoint cites the page it follows; what those pages say is wrong is refused with Graph's error body.
World helpers for tests: `add_comment`, `add_message` (a person writes the Page in Messenger).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from tests.contract.meta import (
    Auth,
    GraphRefusal,
    MetaGraph,
    MetaWorld,
    fields_of,
    graph_error,
    invalid_parameter,
    paged,
    require,
)

DOC_PAGE = "https://developers.facebook.com/docs/graph-api/reference/page/"
DOC_FEED = "https://developers.facebook.com/docs/graph-api/reference/page/feed/"
DOC_POSTS_GUIDE = "https://developers.facebook.com/docs/pages-api/posts"
DOC_PHOTOS = "https://developers.facebook.com/docs/graph-api/reference/page/photos/"
DOC_UPLOAD = "https://developers.facebook.com/docs/graph-api/guides/upload"
DOC_VIDEOS = "https://developers.facebook.com/docs/video-api/guides/publishing"
DOC_PUBLISHED_POSTS = "https://developers.facebook.com/docs/graph-api/reference/page/published_posts/"
DOC_POST = "https://developers.facebook.com/docs/graph-api/reference/post/"
DOC_COMMENTS = "https://developers.facebook.com/docs/graph-api/reference/object/comments/"
DOC_COMMENT = "https://developers.facebook.com/docs/graph-api/reference/comment/"
DOC_LIKES = "https://developers.facebook.com/docs/graph-api/reference/object/likes/"
DOC_INSIGHTS = "https://developers.facebook.com/docs/graph-api/reference/insights/"
DOC_PAGE_INSIGHTS = "https://developers.facebook.com/docs/platforminsights/page"
DOC_DEPRECATED = "https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics"
DOC_CONVERSATIONS = "https://developers.facebook.com/docs/graph-api/reference/page/conversations/"
DOC_CONVERSATION_MESSAGES = "https://developers.facebook.com/docs/graph-api/reference/conversation/messages/"
DOC_MESSAGE = "https://developers.facebook.com/docs/graph-api/reference/message/"
DOC_SEND = "https://developers.facebook.com/docs/messenger-platform/send-messages"
DOC_SEND_ERRORS = "https://developers.facebook.com/docs/messenger-platform/error-codes"
DOC_SUBSCRIBED_APPS = "https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps/"
DOC_VIDEO = "https://developers.facebook.com/docs/graph-api/reference/video/"
DOC_VIDEO_INSIGHTS = "https://developers.facebook.com/docs/graph-api/reference/video/video_insights/"
DOC_ADS_POSTS = "https://developers.facebook.com/docs/graph-api/reference/page/ads_posts/"
DOC_BLOCKED = "https://developers.facebook.com/docs/graph-api/reference/page/blocked/"

MESSAGE_LIMIT = 63_206
SEND_TEXT_LIMIT = 2_000
WINDOW_SECONDS = 24 * 3600
UPLOAD_TYPES = {"application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"}
# Post insights that exist now; asking for a deprecated one is an invalid-metric error (DOC_DEPRECATED).
POST_METRICS = {"post_media_view", "post_total_media_view_unique", "post_clicks", "post_reactions_by_type_total",
                "post_video_views", "post_video_avg_time_watched"}
# Page metrics with an audience breakdown that exist now (DOC_DEPRECATED names them as the alternatives).
PAGE_METRICS = {"page_follows_country", "page_follows_city", "page_follows", "page_media_view",
                "page_total_media_view_unique"}
REACTIONS = ("like", "love", "wow", "haha", "sorry", "anger")


# -- the world's Facebook side ------------------------------------------------------------------------

def add_comment(world: MetaWorld, object_id: str, author: dict[str, str], message: str, *,
                when: float | None = None) -> dict[str, Any]:
    """Someone comments on a post, or replies under a comment (Facebook keeps two levels)."""
    target = world.objects[object_id]
    post_id = target["post_id"] if target["_kind"] == "comment" else object_id
    parent = None
    if target["_kind"] == "comment":
        parent = target["parent_id"] or target["id"]
    number = world.new_id()
    comment = world.add("comment", {
        "message": message, "from": dict(author), "created": when if when is not None else world.now(),
        "post_id": post_id, "parent_id": parent, "is_hidden": False, "likes": [],
        "can_hide": author.get("id") != world.objects[post_id]["page_id"],
    }, id=f"{post_id.split('_')[-1]}_{number}")
    comment["permalink_url"] = f"https://www.facebook.com/{post_id}?comment_id={comment['id']}"
    return comment


def add_message(world: MetaWorld, page_id: str, person: dict[str, str], text: str, *,
                when: float | None = None) -> dict[str, Any]:
    """A person (`{"id": psid, "name": …}`) writes the Page in Messenger."""
    found = world.of_kind("conversation", page_id=page_id, psid=person["id"])
    talk = found[0] if found else world.add("conversation", {"page_id": page_id, "psid": person["id"],
                                                               "name": person.get("name", ""), "updated": 0.0},
                                            id=f"t_{world.new_id()}")
    stamp = when if when is not None else world.now()
    message = world.add("message", {"conversation_id": talk["id"], "from": dict(person), "message": text,
                                    "created": stamp}, id=f"m_{secrets.token_urlsafe(12)}")
    talk["updated"] = max(talk["updated"], stamp)
    return message


def add_dark_post(world: MetaWorld, page_id: str, message: str) -> dict[str, Any]:
    """An unpublished Page post made for an ad (a "dark post"): never in the Page's feed, only in its ads
    posts (DOC_ADS_POSTS), and commented on by the people the ad reached."""
    return world.add("post", {"page_id": page_id, "created": world.now(), "is_published": False, "ad": True,
                              "message": message, "reactions": {}, "shares": 0, "insights": {}},
                     id=f"{page_id}_{world.new_id()}")


def posts_of(world: MetaWorld, page_id: str) -> list[dict[str, Any]]:
    posts = [p for p in world.of_kind("post", page_id=page_id) if p.get("is_published")]
    return sorted(posts, key=lambda p: p["created"], reverse=True)


# -- serialising ---------------------------------------------------------------------------------------

def _post_view(world: MetaWorld, post: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    wanted = [f.strip() for f in str(params.get("fields") or "id,message,created_time").split(",") if f.strip()]
    out: dict[str, Any] = {"id": post["id"]}
    comments = [c for c in world.of_kind("comment", post_id=post["id"])]
    for name in wanted:
        base = name.split("{")[0].split(".")[0]
        if base == "created_time":
            out[base] = world.iso(post["created"])
        elif base == "message" and post.get("message"):
            out[base] = post["message"]
        elif base == "permalink_url":
            out[base] = f"https://www.facebook.com/{post['id']}"
        elif base == "shares" and post.get("shares"):
            out[base] = {"count": post["shares"]}  # absent when nobody shared it, as on Facebook
        elif base == "comments":
            out[base] = {"data": [], "summary": {"total_count": len(comments), "order": "ranked",
                                                 "can_comment": True}}
        elif base == "reactions":
            total = sum(post.get("reactions", {}).values())
            out[base] = {"data": [], "summary": {"total_count": total, "viewer_reaction": "NONE"}}
        elif base in ("link", "attachments", "is_published") and base in post:
            out[base] = post[base]
    return out


def _comment_view(world: MetaWorld, comment: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    wanted = [f.strip() for f in str(params.get("fields") or "id,message,created_time,from").split(",")]
    out: dict[str, Any] = {"id": comment["id"]}
    for name in wanted:
        base = name.split("{")[0].split(".")[0]
        if base == "created_time":
            out[base] = world.iso(comment["created"])
        elif base == "parent" and comment.get("parent_id"):
            out[base] = {"id": comment["parent_id"]}
        elif base == "like_count":
            out[base] = len(comment["likes"])
        elif base in ("message", "from", "is_hidden", "can_hide", "permalink_url"):
            out[base] = comment.get(base)
    return out


def _message_view(world: MetaWorld, message: dict[str, Any]) -> dict[str, Any]:
    return {"id": message["id"], "message": message["message"], "from": message["from"],
            "created_time": world.iso(message["created"])}


def _json_param(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise GraphRefusal(invalid_parameter(f"Param {name} must be a JSON object")) from None
    return value


def _flag(params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None:
        return default
    return str(value).lower() in ("true", "1")


def _as_page(auth: Auth, page_id: str) -> None:
    """Writing as the Page takes the Page's token (the feed reference's requirements)."""
    if auth.token.kind != "page" or auth.subject != page_id:
        raise GraphRefusal(graph_error(
            "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an "
            "admin with sufficient administrative permission", code=200))


def _since(params: dict[str, Any]) -> float | None:
    value = params.get("since")
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise GraphRefusal(invalid_parameter("Param since must be a Unix time")) from None


def install_facebook(graph: MetaGraph) -> None:
    world = graph.world

    def new_post(page_id: str, **data: Any) -> dict[str, Any]:
        post = world.add("post", {"page_id": page_id, "created": world.now(), "is_published": True,
                                  "reactions": {}, "shares": 0, "insights": {}, **data},
                         id=f"{page_id}_{world.new_id()}")
        return post

    # -- the Page ------------------------------------------------------------------------------------

    @graph.node("GET", "page", doc=DOC_PAGE)
    def read_page(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        return fields_of(page, params, ("id", "name"))

    @graph.edge("GET", "page", "insights", doc=DOC_PAGE_INSIGHTS)
    def page_insights(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """Page insights (DOC_PAGE_INSIGHTS): a Page token of someone who may analyse the Page (read_insights);
        only Pages with 100 or more followers have them; the deprecated metrics (DOC_DEPRECATED: page_fans_*
        since 2025-11-15, page_fans_gender_age and page_follows_gender_age since 2024-03-14) are an invalid-
        metric error; period must be one the metric has. The world's Page keeps "audience": {metric: {key: n}}."""
        if auth.token.kind != "page" or auth.subject != page["id"]:
            raise GraphRefusal(graph_error("(#200) Requires read_insights permission and a Page access token of "
                                           "someone who may analyse the Page", code=200))
        names = _metric_names(params, PAGE_METRICS)
        period = str(params.get("period") or "day")
        if period not in ("day", "week", "days_28"):
            raise GraphRefusal(invalid_parameter(f"(#100) Invalid period {period!r} for these metrics"))
        if int(page.get("followers_count") or 0) < 100:
            raise GraphRefusal(graph_error("(#100) The object does not have enough followers for insights "
                                           "(Page insights need 100 or more)", code=100))
        end = world.iso(world.now() - world.now() % 86400)
        return {"data": [{"name": name, "period": period, "title": name, "description": "",
                          "values": [{"value": dict((page.get("audience") or {}).get(name) or {}), "end_time": end}],
                          "id": f"{page['id']}/insights/{name}/{period}"} for name in names]}

    @graph.edge("POST", "page", "feed", doc=DOC_FEED)
    def create_feed_post(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        message = str(params.get("message") or "")
        link = params.get("link")
        attached = []
        indexed = sorted((k for k in params if k.startswith("attached_media[")),
                         key=lambda k: int(k[len("attached_media["):-1] or 0))
        for key in indexed:
            attached.append(_json_param(params, key))
        if "attached_media" in params:
            listed = _json_param(params, "attached_media")
            attached.extend(listed if isinstance(listed, list) else [listed])
        if not message and not link and not attached:
            raise GraphRefusal(invalid_parameter("Must include at least one of message, link or attached_media"))
        if len(message) > MESSAGE_LIMIT:
            raise GraphRefusal(invalid_parameter("Message is too long"))
        if link is not None and not str(link).startswith(("http://", "https://")):
            raise GraphRefusal(invalid_parameter("The link parameter must be a URL"))
        photos = []
        for entry in attached:
            media_id = str((entry or {}).get("media_fbid") or "") if isinstance(entry, dict) else ""
            photo = world.get(media_id, "photo")
            if photo is None or photo["page_id"] != page["id"] or photo["published"] or photo.get("post_id"):
                raise GraphRefusal(invalid_parameter(f"attached_media: {media_id!r} is not an unpublished photo "
                                                     "of this Page"))
            photos.append(photo)
        if len(photos) > 10:  # the multi-photo guide's cap as socialdesk's profile states it
            raise GraphRefusal(invalid_parameter("Too many attached_media"))
        if params.get("scheduled_publish_time") or _flag(params, "published", True) is False:
            raise GraphRefusal(invalid_parameter("This contract server serves published posts only"))
        post = new_post(page["id"], message=message, link=link,
                        attachments=[{"media_fbid": p["id"]} for p in photos])
        for photo in photos:
            photo["post_id"] = post["id"]
        return {"id": post["id"]}

    @graph.edge("POST", "page", "photos", doc=DOC_PHOTOS)
    async def upload_photo(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        source = params.get("source")
        if isinstance(source, UploadFile):
            content = await source.read()
            if not (source.content_type or "").startswith("image/") or not content:
                raise GraphRefusal(graph_error("(#324) Missing or invalid image file", code=324,
                                               type_="GraphMethodException"))
        elif params.get("url"):
            content = b""
        else:
            raise GraphRefusal(graph_error("(#324) Requires upload file", code=324, type_="GraphMethodException"))
        published = _flag(params, "published", True)
        message = str(params.get("message") or params.get("caption") or "")
        if len(message) > MESSAGE_LIMIT:
            raise GraphRefusal(invalid_parameter("Message is too long"))
        photo = world.add("photo", {"page_id": page["id"], "published": published, "bytes": len(content),
                                    "alt_text": params.get("alt_text_custom"), "message": message,
                                    "created": world.now()})
        if not published:
            return {"id": photo["id"]}
        post = new_post(page["id"], message=message, attachments=[{"media_fbid": photo["id"]}])
        photo["post_id"] = post["id"]
        return {"id": photo["id"], "post_id": post["id"]}

    @graph.edge("GET", "page", "published_posts", doc=DOC_PUBLISHED_POSTS)
    def published_posts(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        since = _since(params)
        posts = [p for p in posts_of(world, page["id"]) if since is None or p["created"] >= since]
        return paged([_post_view(world, p, params) for p in posts], params)

    @graph.edge("GET", "page", "ads_posts", doc=DOC_ADS_POSTS)
    def ads_posts(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        """The posts the Page's ads use, dark posts included; the reference requires pages_manage_ads (and
        ads_management): a token without them is refused with (#200)."""
        if auth.token.scopes and "pages_manage_ads" not in auth.token.scopes:
            raise GraphRefusal(graph_error("(#200) Requires pages_manage_ads permission to manage the object",
                                           code=200))
        posts = sorted((p for p in world.of_kind("post", page_id=page["id"]) if p.get("ad")),
                       key=lambda p: p["created"], reverse=True)
        return paged([_post_view(world, p, params) for p in posts], params)

    # -- videos: the Resumable Upload API, then /videos --------------------------------------------------

    @graph.edge("POST", "app", "uploads", doc=DOC_UPLOAD)
    def start_upload(auth: Auth, app: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        if auth.token.kind != "user":
            raise GraphRefusal(invalid_parameter("An upload session needs a User access token"))
        require(params, "file_name", "file_length", "file_type")
        if params["file_type"] not in UPLOAD_TYPES:
            raise GraphRefusal(invalid_parameter("file_type must be one of " + ", ".join(sorted(UPLOAD_TYPES))))
        session = world.add("upload", {"length": int(params["file_length"]), "type": params["file_type"],
                                       "user": auth.subject, "received": 0, "handle": None},
                            id=f"upload:{world.new_id()}")
        return {"id": session["id"]}

    @graph.node("POST", "upload", doc=DOC_UPLOAD)
    async def upload_bytes(auth: Auth, session: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        if not request.headers.get("authorization", "").startswith("OAuth "):
            raise GraphRefusal(invalid_parameter("The upload takes the token in an 'Authorization: OAuth' header"))
        if request.headers.get("file_offset") != str(session["received"]):
            raise GraphRefusal(invalid_parameter(f"file_offset must be {session['received']}"))
        content = await request.body()
        session["received"] += len(content)
        if session["received"] != session["length"]:
            raise GraphRefusal(invalid_parameter("The file is not complete"))
        session["handle"] = f"4:{secrets.token_urlsafe(16)}"
        return {"h": session["handle"]}

    @graph.edge("POST", "page", "videos", doc=DOC_VIDEOS)
    def publish_video(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        require(params, "fbuploader_video_file_chunk")
        handle = params["fbuploader_video_file_chunk"]
        uploads = [u for u in world.of_kind("upload") if u["handle"] == handle]
        if not uploads or uploads[0]["type"] != "video/mp4":
            raise GraphRefusal(invalid_parameter("fbuploader_video_file_chunk is not a handle of an uploaded video"))
        video = world.add("video", {"page_id": page["id"], "title": params.get("title"),
                                    "description": params.get("description") or "", "created": world.now()})
        post = new_post(page["id"], message=video["description"], attachments=[{"video": video["id"]}])
        video["post_id"] = post["id"]
        return {"id": video["id"]}

    @graph.node("GET", "video", doc=DOC_VIDEO)
    def read_video(auth: Auth, video: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        for name in str(params.get("fields") or "").split(","):
            base = name.strip().split("{")[0].split(".")[0]
            if base and base not in ("id", "title", "description", "comments", "reactions", "permalink_url",
                                     "created_time", "length", "post_id"):
                raise GraphRefusal(invalid_parameter(f"Tried accessing nonexisting field ({base}) on node type "
                                                     "(Video)"))
        post = world.objects.get(video.get("post_id") or "")
        out: dict[str, Any] = {"id": video["id"]}
        if post is not None:
            view = _post_view(world, post, {"fields": "comments,reactions"})
            wanted = str(params.get("fields") or "")
            out.update({k: v for k, v in view.items() if k in ("comments", "reactions") and k in wanted})
        for name in ("title", "description"):
            if name in str(params.get("fields") or "") and video.get(name):
                out[name] = video[name]
        return out

    @graph.edge("GET", "video", "video_insights", doc=DOC_VIDEO_INSIGHTS)
    def video_insights(auth: Auth, video: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        names = [m.strip() for m in str(params.get("metric") or "").split(",") if m.strip()]
        known = {"total_video_views", "total_video_views_unique", "total_video_avg_time_watched"}
        if not names or set(names) - known:
            raise GraphRefusal(invalid_parameter("The value must be a valid insights metric"))
        return {"data": [{"name": n, "period": "lifetime", "values": [{"value": video.get("insights", {}).get(n, 0)}],
                          "id": f"{video['id']}/video_insights/{n}/lifetime"} for n in names]}

    # -- posts ---------------------------------------------------------------------------------------

    @graph.node("GET", "post", doc=DOC_POST)
    def read_post(auth: Auth, post: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        return _post_view(world, post, params)

    @graph.node("DELETE", "post", doc=DOC_POST)
    def delete_post(auth: Auth, post: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, post["page_id"])
        del world.objects[post["id"]]
        return {"success": True}

    @graph.edge("GET", "post", "insights", doc=DOC_INSIGHTS)
    def post_insights(auth: Auth, post: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        names = _metric_names(params, POST_METRICS)
        data = []
        for name in names:
            if name == "post_reactions_by_type_total":
                value: Any = {k: v for k, v in post.get("reactions", {}).items() if v}
            else:
                value = post["insights"].get(name, 0)
            data.append({"name": name, "period": "lifetime", "values": [{"value": value}],
                         "title": name, "description": "", "id": f"{post['id']}/insights/{name}/lifetime"})
        return {"data": data}

    # -- comments ------------------------------------------------------------------------------------

    def comments_under(object_id: str, stream: bool) -> list[dict[str, Any]]:
        obj = world.objects[object_id]
        if obj["_kind"] == "comment":
            found = [c for c in world.of_kind("comment") if c.get("parent_id") == object_id]
        elif stream:
            found = world.of_kind("comment", post_id=object_id)
        else:
            found = [c for c in world.of_kind("comment", post_id=object_id) if not c.get("parent_id")]
        return sorted(found, key=lambda c: c["created"])

    def read_comments(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        stream = params.get("filter") == "stream"
        if params.get("filter") not in (None, "stream", "toplevel"):
            raise GraphRefusal(invalid_parameter("filter must be toplevel or stream"))
        since = _since(params)
        found = [c for c in comments_under(obj["id"], stream) if since is None or c["created"] >= since]
        if params.get("order") == "reverse_chronological":
            found.reverse()
        return paged([_comment_view(world, c, params) for c in found], params)

    def write_comment(auth: Auth, obj: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        post = world.objects[obj["post_id"]] if obj["_kind"] == "comment" else obj
        _as_page(auth, post["page_id"])
        require(params, "message")
        if len(str(params["message"])) > 8000:
            raise GraphRefusal(invalid_parameter("Comment is too long"))
        page = world.objects[post["page_id"]]
        comment = add_comment(world, obj["id"], {"id": page["id"], "name": page["name"]}, str(params["message"]))
        return {"id": comment["id"]}

    for kind in ("post", "comment"):
        graph.edge("GET", kind, "comments", doc=DOC_COMMENTS)(read_comments)
        graph.edge("POST", kind, "comments", doc=DOC_COMMENTS)(write_comment)

    @graph.node("GET", "comment", doc=DOC_COMMENT)
    def read_comment(auth: Auth, comment: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        return _comment_view(world, comment, params)

    @graph.node("POST", "comment", doc=DOC_COMMENT)
    def update_comment(auth: Auth, comment: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, world.objects[comment["post_id"]]["page_id"])
        if "is_hidden" in params:
            if not comment["can_hide"]:
                raise GraphRefusal(invalid_parameter("This comment cannot be hidden (the Page's own comment)"))
            comment["is_hidden"] = _flag(params, "is_hidden", False)
            return {"success": True}
        if "message" in params:
            if comment["from"].get("id") != world.objects[comment["post_id"]]["page_id"]:
                raise GraphRefusal(graph_error("(#200) Permissions error", code=200))
            comment["message"] = str(params["message"])
            return {"success": True}
        raise GraphRefusal(invalid_parameter("Nothing to update: give is_hidden or message"))

    @graph.node("DELETE", "comment", doc=DOC_COMMENT)
    def delete_comment(auth: Auth, comment: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, world.objects[comment["post_id"]]["page_id"])
        for reply in [c for c in world.of_kind("comment") if c.get("parent_id") == comment["id"]]:
            del world.objects[reply["id"]]
        del world.objects[comment["id"]]
        return {"success": True}

    @graph.edge("POST", "comment", "likes", doc=DOC_LIKES)
    def like(auth: Auth, comment: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, world.objects[comment["post_id"]]["page_id"])
        if auth.subject not in comment["likes"]:
            comment["likes"].append(auth.subject)
        return {"success": True}

    @graph.edge("DELETE", "comment", "likes", doc=DOC_LIKES)
    def unlike(auth: Auth, comment: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, world.objects[comment["post_id"]]["page_id"])
        if auth.subject in comment["likes"]:
            comment["likes"].remove(auth.subject)
        return {"success": True}

    # -- Messenger -----------------------------------------------------------------------------------

    @graph.edge("GET", "page", "conversations", doc=DOC_CONVERSATIONS)
    def conversations(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        if params.get("platform") not in (None, "messenger", "instagram"):
            raise GraphRefusal(invalid_parameter("platform must be messenger or instagram"))
        talks = world.of_kind("conversation", page_id=page["id"])
        if params.get("user_id"):
            talks = [t for t in talks if t["psid"] == params["user_id"]]
        talks.sort(key=lambda t: t["updated"], reverse=True)
        return paged([{"id": t["id"], "updated_time": world.iso(t["updated"])} for t in talks], params)

    @graph.edge("GET", "conversation", "messages", doc=DOC_CONVERSATION_MESSAGES)
    def conversation_messages(auth: Auth, talk: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, talk["page_id"])
        found = sorted(world.of_kind("message", conversation_id=talk["id"]), key=lambda m: m["created"],
                       reverse=True)
        return paged([_message_view(world, m) for m in found], params)

    @graph.node("GET", "message", doc=DOC_MESSAGE)
    def read_message(auth: Auth, message: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        talk = world.objects[message["conversation_id"]]
        _as_page(auth, talk["page_id"])
        return _message_view(world, message)

    @graph.edge("POST", "page", "messages", doc=DOC_SEND)
    def send_message(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        recipient = _json_param(params, "recipient") or {}
        message = _json_param(params, "message") or {}
        kind = params.get("messaging_type")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            raise GraphRefusal(invalid_parameter("messaging_type must be RESPONSE, UPDATE or MESSAGE_TAG"))
        psid = str(recipient.get("id") or "")
        text = str(message.get("text") or "")
        if not psid or not text:
            raise GraphRefusal(invalid_parameter("recipient.id and message.text are required"))
        if len(text) > SEND_TEXT_LIMIT:
            raise GraphRefusal(invalid_parameter("param message[text] must be less than 2000 characters"))
        talks = world.of_kind("conversation", page_id=page["id"], psid=psid)
        theirs = [m["created"] for t in talks for m in world.of_kind("message", conversation_id=t["id"])
                  if m["from"].get("id") == psid]
        if not theirs:
            raise GraphRefusal(graph_error("(#100) No matching user found", code=100, subcode=2018001))
        tag_ok = kind == "MESSAGE_TAG" and params.get("tag") == "HUMAN_AGENT" \
            and world.now() - max(theirs) <= 7 * 24 * 3600
        if world.now() - max(theirs) > WINDOW_SECONDS and not tag_ok:
            raise GraphRefusal(graph_error("(#10) This message is sent outside of allowed window.", code=10,
                                           subcode=2018278, type_="OAuthException"))
        sent = world.add("message", {"conversation_id": talks[0]["id"], "from": {"id": page["id"],
                                                                                   "name": page["name"]},
                                     "message": text, "created": world.now()}, id=f"m_{secrets.token_urlsafe(12)}")
        talks[0]["updated"] = world.now()
        return {"recipient_id": psid, "message_id": sent["id"]}

    @graph.edge("POST", "page", "subscribed_apps", doc=DOC_SUBSCRIBED_APPS)
    def subscribe(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        require(params, "subscribed_fields")
        fields = {f.strip() for f in str(params["subscribed_fields"]).split(",") if f.strip()}
        unknown = fields - {"feed", "messages", "mention", "message_echoes", "messaging_postbacks"}
        if unknown:
            raise GraphRefusal(invalid_parameter(f"Invalid subscribed_fields: {', '.join(sorted(unknown))}"))
        page["subscribed_fields"] = sorted(fields)
        return {"success": True}

    @graph.edge("POST", "page", "blocked", doc=DOC_BLOCKED)
    def block(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        require(params, "user")
        page.setdefault("blocked", []).append(str(params["user"]))
        return {str(params["user"]): True}

    @graph.edge("DELETE", "page", "blocked", doc=DOC_BLOCKED)
    def unblock(auth: Auth, page: dict[str, Any], params: dict[str, Any], request: Request) -> Any:
        _as_page(auth, page["id"])
        require(params, "user")
        if str(params["user"]) in page.get("blocked", []):
            page["blocked"].remove(str(params["user"]))
        return {"success": True}


DOC_PAGE_WEBHOOKS = "https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed"
DOC_MESSAGES_WEBHOOK = "https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages"


def comment_delivery(world: MetaWorld, comment: dict[str, Any]) -> dict[str, Any]:
    """The `object=page` delivery of a new comment (`feed` field, item `comment`, verb `add`)."""
    post = world.objects[comment["post_id"]]
    value = {"from": comment["from"], "post": {"id": post["id"], "status_type": "mobile_status_update"},
             "message": comment["message"], "post_id": post["id"], "comment_id": comment["id"],
             "created_time": int(comment["created"]), "item": "comment", "verb": "add"}
    if comment.get("parent_id"):
        value["parent_id"] = comment["parent_id"]
    return {"object": "page", "entry": [{"id": post["page_id"], "time": int(world.now()),
                                         "changes": [{"field": "feed", "value": value}]}]}


def message_delivery(world: MetaWorld, message: dict[str, Any]) -> dict[str, Any]:
    """The `object=page` delivery of a Messenger message (`messaging` with `message.mid`)."""
    talk = world.objects[message["conversation_id"]]
    event = {"sender": {"id": message["from"]["id"]}, "recipient": {"id": talk["page_id"]},
             "timestamp": int(message["created"] * 1000), "message": {"mid": message["id"], "text": message["message"]}}
    return {"object": "page", "entry": [{"id": talk["page_id"], "time": int(world.now() * 1000),
                                         "messaging": [event]}]}


def _metric_names(params: dict[str, Any], known: Any) -> list[str]:
    """The insights edges' `metric` list: none is error 3001, an unknown or deprecated one an invalid parameter."""
    names = [m.strip() for m in str(params.get("metric") or "").split(",") if m.strip()]
    if not names:
        raise GraphRefusal(graph_error("No metric was specified to be fetched. Please specify one or more "
                                       "metrics to be fetched and try again.", code=3001, subcode=1504028,
                                       type_="OAuthException"))
    for name in names:
        if name not in known:
            raise GraphRefusal(invalid_parameter(f"The value must be a valid insights metric ({name}; see "
                                                 f"{DOC_DEPRECATED})"))
    return names
