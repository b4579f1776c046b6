"""A contract server for the YouTube Data API v3, the YouTube Analytics API and Google's OAuth endpoints,
built from Google's public documentation (each endpoint cites its page).

Public data (search, other people's channels, their uploads and videos) takes the operator's API key
(`key`) instead of a token; `mine=true` needs a token. It refuses what the docs say is wrong: no or unknown
Bearer token (401, Google's error JSON), an unknown API key (400 badRequest), a missing `part` or a part
name the resource does not have, not exactly one channels.list filter, maxResults outside 0-50, more than
50 video ids, a title over 100 characters, a description over 5,000 bytes, an unknown privacyStatus, publishAt on
a video that is not private, chunks that do not follow the bytes already held, and calls past the
project's quota (403 quotaExceeded) — each with Google's documented error shape.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from tests.contract.server import ContractServer

DOCS = "https://developers.google.com/youtube/v3/docs"
QUOTA_DOC = "https://developers.google.com/youtube/v3/determine_quota_cost"
RESUMABLE_DOC = "https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol"
ANALYTICS_DOC = "https://developers.google.com/youtube/analytics/reference/reports/query"
DEMOGRAPHICS_DOC = "https://developers.google.com/youtube/analytics/channel_reports#demographic-reports"
GEOGRAPHY_DOC = "https://developers.google.com/youtube/analytics/channel_reports#geographic-reports"
OAUTH_DOC = "https://developers.google.com/identity/protocols/oauth2/web-server"
CHUNK_UNIT = 256 * 1024

COSTS = {"channels.list": 1, "playlistItems.list": 1, "videos.list": 1, "videos.delete": 50, "thumbnails.set": 50,
         "commentThreads.list": 1, "comments.list": 1, "comments.insert": 50, "comments.setModerationStatus": 50,
         "search.list": 100}


def google_error(status: int, message: str, reason: str, domain: str = "global",
                 status_text: str | None = None) -> JSONResponse:
    """Google's error shape (https://developers.google.com/youtube/v3/docs/errors)."""
    body: dict[str, Any] = {"error": {"code": status, "message": message,
                                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}
    if status_text:
        body["error"]["status"] = status_text
    return JSONResponse(body, status_code=status)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Session:
    upload_id: str
    video: dict[str, Any]
    size: int
    content_type: str
    received: bytearray = field(default_factory=bytearray)
    video_id: str | None = None


@dataclass
class YouTubeState:
    channel_id: str = "UCsocialdesk0000000000001"
    title: str = "Brand Channel"
    custom_url: str = "@brand"
    subscribers: int = 1200
    hidden_subscribers: bool = False
    tokens: set[str] = field(default_factory=lambda: {"ya29.valid"})
    refresh_tokens: set[str] = field(default_factory=lambda: {"1//refresh"})
    client_id: str = "client-123.apps.googleusercontent.com"
    client_secret: str = "GOCSPX-secret"
    units_left: int = 10_000
    uploads_left: int = 100
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    thumbnails: dict[str, bytes] = field(default_factory=dict)
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> comment resource (+ "_status")
    banned: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # authorization code -> its request
    api_keys: set[str] = field(default_factory=lambda: {"AIza-listening-key"})
    # Public videos of anyone on YouTube, for search.list: {"id", "title", "description", "channelTitle",
    # "channelId", "publishedAt"} (add_public_video).
    public: list[dict[str, Any]] = field(default_factory=list)
    searches: list[dict[str, str]] = field(default_factory=list)  # each search.list's query parameters
    # Other people's public channels (competitors): id -> {"title", "handle", "subscribers", "hidden"};
    # their videos are in `public` with "channelId" set (add_public_channel, add_public_video).
    public_channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (method, query) of reads by key
    # The channel's signed-in viewers: (ageGroup, gender) -> viewerPercentage (adding up to 100), and views
    # per country (ISO 3166 alpha-2), for the demographic and geographic reports.
    viewers: dict[tuple[str, str], float] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids):08d}"

    def add_public_video(self, title: str, description: str = "", *, published_at: str | None = None,
                         channel: str = "Some Channel", channel_id: str = "UCsomeone00000000000000001",
                         views: int = 0, likes: int | None = 0, comments: int | None = 0,
                         duration: str = "PT4M13S", live: str = "none") -> str:
        """A public video; `likes`/`comments` None: hidden by its owner (the counts are left out)."""
        video_id = self.new_id("vid")
        if channel_id in self.public_channels:
            channel = self.public_channels[channel_id]["title"]
        self.public.append({"id": video_id, "title": title, "description": description, "channelTitle": channel,
                            "channelId": channel_id, "publishedAt": published_at or _now(), "views": views,
                            "likes": likes, "comments": comments, "duration": duration, "live": live})
        return video_id

    def add_public_channel(self, title: str, handle: str, *, subscribers: int = 5000,
                           hidden: bool = False) -> str:
        channel_id = "UC" + f"{len(self.public_channels) + 1:022d}"
        self.public_channels[channel_id] = {"title": title, "handle": handle if handle.startswith("@") else
                                            f"@{handle}", "subscribers": subscribers, "hidden": hidden}
        return channel_id

    def add_comment(self, video_id: str, text: str, *, author: str = "UCviewer000000000000001",
                    name: str = "Viewer", parent: str | None = None, held: bool = False,
                    published_at: str | None = None) -> str:
        top = self.new_id("Ugz")
        comment_id = f"{parent}.{top}" if parent else top
        snippet = {"videoId": video_id, "textOriginal": text, "textDisplay": text, "authorDisplayName": name,
                   "authorChannelId": {"value": author}, "publishedAt": published_at or _now(),
                   "updatedAt": published_at or _now(), "channelId": self.channel_id, "likeCount": 0}
        if parent:
            snippet["parentId"] = parent
        self.comments[comment_id] = {"kind": "youtube#comment", "id": comment_id, "snippet": snippet,
                                     "_status": "heldForReview" if held else "published"}
        return comment_id


def make_server() -> tuple[ContractServer, YouTubeState]:
    server = ContractServer("youtube")
    state = YouTubeState()

    def authorised(request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return google_error(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                     "access token, login cookie or other valid authentication credential.",
                                "required", status_text="UNAUTHENTICATED")
        if header[7:] not in state.tokens:
            return google_error(401, "Invalid Credentials", "authError", status_text="UNAUTHENTICATED")
        return None

    def charge(name: str) -> JSONResponse | None:
        cost = COSTS[name]
        if state.units_left < cost:
            return google_error(403, "The request cannot be completed because you have exceeded your "
                                     "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "quotaExceeded",
                                "youtube.quota")
        state.units_left -= cost
        return None

    def credentials(request: Request) -> JSONResponse | None:
        """An API key or an OAuth token: a method that reads public data takes either
        (https://developers.google.com/youtube/v3/docs#calling-the-api); an unknown key is refused."""
        key = request.query_params.get("key")
        if key is None:
            return authorised(request)
        if key not in state.api_keys:
            return google_error(400, "API key not valid. Please pass a valid API key.", "badRequest",
                                status_text="INVALID_ARGUMENT")
        return None

    def guard(request: Request, name: str, *, part: bool = True,
              parts: frozenset[str] = frozenset()) -> JSONResponse | None:
        refused = credentials(request)
        if refused is None and part and not request.query_params.get("part"):
            refused = google_error(400, "Required parameter: part", "required")
        if refused is None and parts:
            unknown = set(request.query_params["part"].split(",")) - parts
            if unknown:
                refused = google_error(400, f"Unknown part {', '.join(sorted(unknown))} (this resource has "
                                            f"{', '.join(sorted(parts))}).", "unknownPart")
        if refused is None and request.query_params.get("key") is not None:
            state.calls.append((name, dict(request.query_params)))
        return refused or charge(name)

    def max_results(request: Request, default: int = 5) -> int | JSONResponse:
        try:
            size = int(request.query_params.get("maxResults", str(default)))
        except ValueError:
            size = -1
        if not 0 <= size <= 50:
            return google_error(400, "Invalid value for maxResults: it is 0 to 50.", "invalidParameter")
        return size

    def public_video(video: dict[str, Any], parts: str) -> dict[str, Any]:
        stats = {"viewCount": str(video["views"]), "favoriteCount": "0"}
        if video.get("likes") is not None:
            stats["likeCount"] = str(video["likes"])
        if video.get("comments") is not None:
            stats["commentCount"] = str(video["comments"])
        resource = {"snippet": {"publishedAt": video["publishedAt"], "channelId": video["channelId"],
                                "title": video["title"], "description": video["description"],
                                "channelTitle": video["channelTitle"], "liveBroadcastContent": video["live"]},
                    "statistics": stats, "contentDetails": {"duration": video["duration"], "dimension": "2d",
                                                            "definition": "hd", "caption": "false"}}
        return {"kind": "youtube#video", "id": video["id"],
                **{k: v for k, v in resource.items() if k in parts.split(",")}}

    def video_public(video: dict[str, Any], parts: str) -> dict[str, Any]:
        wanted = set(parts.split(","))
        return {"kind": "youtube#video", "id": video["id"], **{k: v for k, v in video.items() if k in wanted}}

    # Search (listening) -------------------------------------------------------------------------------------

    @server.endpoint("GET", "/youtube/v3/search", doc=f"{DOCS}/search/list")
    async def search_list(request: Request) -> Any:
        """search.list with an API key (`key`) or OAuth: part=snippet is required; maxResults is 0 to 50
        (default 5); q takes alternatives joined with | (NOT with -, not served here); order=date sorts newest
        first; publishedAfter is an RFC 3339 date-time. Costs 100 units (determine_quota_cost)."""
        query = request.query_params
        state.searches.append(dict(query))
        key = query.get("key")
        if key is None and not request.headers.get("authorization"):
            return google_error(403, "The request is missing a valid API key.", "forbidden",
                                status_text="PERMISSION_DENIED")
        if key is not None and key not in state.api_keys:
            return google_error(400, "API key not valid. Please pass a valid API key.", "badRequest",
                                status_text="INVALID_ARGUMENT")
        if key is None and (refused := authorised(request)) is not None:
            return refused
        if not query.get("part"):
            return google_error(400, "Required parameter: part", "required")
        if query["part"] != "snippet":
            return google_error(400, f"Invalid value for part: {query['part']} (search resources have only "
                                     "id and snippet; set part to snippet).", "invalidPart")
        try:
            size = int(query.get("maxResults", "5"))
        except ValueError:
            size = -1
        if not 0 <= size <= 50:
            return google_error(400, "Invalid value for maxResults: it is 0 to 50.", "invalidParameter")
        after = None
        if query.get("publishedAfter"):
            try:
                after = datetime.fromisoformat(query["publishedAfter"].replace("Z", "+00:00"))
            except ValueError:
                return google_error(400, "Invalid value for publishedAfter: an RFC 3339 date-time, e.g. "
                                         "1970-01-01T00:00:00Z.", "invalidParameter")
        if (refused := charge("search.list")) is not None:
            return refused
        alternatives = [a.strip().strip('"').lower() for a in (query.get("q") or "").split("|") if a.strip()]

        def matches(video: dict[str, Any]) -> bool:
            text = f"{video['title']} {video['description']}".lower()
            return not alternatives or any(all(w in text for w in a.split()) for a in alternatives)

        found = [v for v in state.public if matches(v) and (after is None or datetime.fromisoformat(
            v["publishedAt"].replace("Z", "+00:00")) > after)]
        if query.get("order") == "date":
            found.sort(key=lambda v: v["publishedAt"], reverse=True)
        items = [{"kind": "youtube#searchResult", "etag": f"e{v['id']}",
                  "id": {"kind": "youtube#video", "videoId": v["id"]},
                  "snippet": {"publishedAt": v["publishedAt"], "channelId": v["channelId"], "title": v["title"],
                              "description": v["description"], "channelTitle": v["channelTitle"],
                              "liveBroadcastContent": "none"}} for v in found[:size]]
        return {"kind": "youtube#searchListResponse", "etag": "search", "regionCode": "HR",
                "pageInfo": {"totalResults": len(found), "resultsPerPage": size}, "items": items}

    # Channels ----------------------------------------------------------------------------------------------

    CHANNEL_PARTS = frozenset({"auditDetails", "brandingSettings", "contentDetails", "contentOwnerDetails", "id",
                               "localizations", "snippet", "statistics", "status", "topicDetails"})
    FILTERS = ("categoryId", "forHandle", "forUsername", "id", "managedByMe", "mine")

    @server.endpoint("GET", "/youtube/v3/channels", doc=f"{DOCS}/channels/list")
    async def channels_list(request: Request) -> Any:
        """channels.list: part required; exactly one filter (forHandle, id, mine, ...); `mine` needs OAuth,
        `id` and `forHandle` take an API key. statistics.subscriberCount is left out when the channel hides
        it (hiddenSubscriberCount true). Costs 1 unit."""
        query = request.query_params
        filters = [f for f in FILTERS if query.get(f) not in (None, "")]
        if len(filters) > 1:
            return google_error(400, f"Incompatible parameters specified in the request: {', '.join(filters)}. "
                                     "Specify exactly one filter.", "incompatibleParameters", "youtube.parameter")
        if query.get("mine") == "true" and query.get("key") is not None and not request.headers.get("authorization"):
            return google_error(401, "The request uses the mine parameter but is not properly authorized.",
                                "authorizationRequired", "youtube.parameter", status_text="UNAUTHENTICATED")
        refused = guard(request, "channels.list", parts=CHANNEL_PARTS)
        if refused:
            return refused
        if not filters or (filters == ["mine"] and query.get("mine") != "true"):
            return google_error(400, "No filter selected. Expected one of: mine, id, forHandle, ...",
                                "missingRequiredParameter", "youtube.parameter")
        parts = set(query["part"].split(","))
        own = {"id": state.channel_id, "title": state.title, "handle": state.custom_url,
               "subscribers": state.subscribers, "hidden": state.hidden_subscribers,
               "videos": list(state.videos.values())}
        everyone = [own] + [{"id": cid, **c, "videos": [v for v in state.public if v["channelId"] == cid]}
                            for cid, c in state.public_channels.items()]
        if filters == ["mine"]:
            chosen = [own]
        elif filters == ["id"]:
            wanted = query["id"].split(",")
            chosen = [c for c in everyone if c["id"] in wanted]
        elif filters == ["forHandle"]:
            handle = query["forHandle"].lower()
            handle = handle if handle.startswith("@") else f"@{handle}"
            chosen = [c for c in everyone if c["handle"].lower() == handle]
        else:
            chosen = []

        def resource(c: dict[str, Any]) -> dict[str, Any]:
            if c is own:
                views = sum(int(v["statistics"]["viewCount"]) for v in c["videos"])
            else:
                views = sum(int(v["views"]) for v in c["videos"])
            stats = {"viewCount": str(views), "hiddenSubscriberCount": c["hidden"], "videoCount": str(len(c["videos"]))}
            if not c["hidden"]:
                stats["subscriberCount"] = str(c["subscribers"])
            body = {"snippet": {"title": c["title"], "customUrl": c["handle"]},
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + c["id"][2:]}}, "statistics": stats}
            return {"kind": "youtube#channel", "id": c["id"], **{k: v for k, v in body.items() if k in parts}}

        answer: dict[str, Any] = {"kind": "youtube#channelListResponse",
                                  "pageInfo": {"totalResults": len(chosen), "resultsPerPage": 5}}
        if chosen:  # Google leaves `items` out when nothing matched
            answer["items"] = [resource(c) for c in chosen]
        return answer

    # Upload ------------------------------------------------------------------------------------------------

    @server.endpoint("POST", "/upload/youtube/v3/videos", doc=f"{DOCS}/videos/insert")
    async def videos_insert(request: Request) -> Any:
        refused = authorised(request)
        if refused:
            return refused
        query = request.query_params
        if query.get("uploadType") != "resumable":
            return google_error(400, "This contract server takes resumable uploads only (uploadType=resumable).",
                                "invalidUploadType")
        if not query.get("part"):
            return google_error(400, "Required parameter: part", "required")
        if state.uploads_left < 1:
            return google_error(403, "The request cannot be completed because you have exceeded your "
                                     "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "quotaExceeded",
                                "youtube.quota")
        state.uploads_left -= 1
        try:
            video = await request.json()
        except ValueError:
            return google_error(400, "The request metadata is invalid.", "invalidVideoMetadata", "youtube.video")
        snippet, status = video.get("snippet") or {}, video.get("status") or {}
        title = snippet.get("title") or ""
        if not title.strip() or len(title) > 100 or re.search("[<>]", title):
            return google_error(400, "The request metadata specifies an invalid or empty video title.",
                                "invalidTitle", "youtube.video")
        description = snippet.get("description") or ""
        if len(description.encode()) > 5000 or re.search("[<>]", description):
            return google_error(400, "The request metadata specifies an invalid video description.",
                                "invalidDescription", "youtube.video")
        if status.get("privacyStatus", "public") not in ("public", "unlisted", "private"):
            return google_error(400, "The request metadata is invalid.", "invalidVideoMetadata", "youtube.video")
        if status.get("publishAt") and status.get("privacyStatus") != "private":
            return google_error(400, "The request metadata specifies an invalid scheduled publishing time.",
                                "invalidPublishAt", "youtube.video")
        if "selfDeclaredMadeForKids" in status and not isinstance(status["selfDeclaredMadeForKids"], bool):
            return google_error(400, "The request metadata is invalid.", "invalidVideoMetadata", "youtube.video")
        size = request.headers.get("x-upload-content-length", "")
        kind = request.headers.get("x-upload-content-type", "")
        if not size.isdigit() or not (kind.startswith("video/") or kind == "application/octet-stream"):
            return google_error(400, "Media type or length missing (X-Upload-Content-Type/-Length).",
                                "mediaBodyRequired", "youtube.video")
        upload_id = secrets.token_urlsafe(12)
        state.sessions[upload_id] = Session(upload_id, video, int(size), kind)
        location = f"{server.base_url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        return Response(status_code=200, headers={"Location": location})

    @server.endpoint("PUT", "/upload/youtube/v3/videos", doc=RESUMABLE_DOC)
    async def upload_chunk(request: Request) -> Any:
        refused = authorised(request)
        if refused:
            return refused
        session = state.sessions.get(request.query_params.get("upload_id", ""))
        if session is None:
            return google_error(404, "Upload session not found or expired.", "notFound")
        body = await request.body()
        header = request.headers.get("content-range", "")
        held = len(session.received)
        if session.video_id is not None:  # complete: the status query and any repeat get the video
            return JSONResponse(state.videos[session.video_id] | {"kind": "youtube#video"}, status_code=200)
        asked = re.fullmatch(r"bytes \*/(\d+)", header)
        if asked and not body:
            if int(asked.group(1)) != session.size:
                return google_error(400, "Content-Range total does not match the session.", "badContent")
            headers = {"Range": f"bytes=0-{held - 1}"} if held else {}
            return Response(status_code=308, headers=headers)
        found = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", header)
        if not found:
            return google_error(400, "Content-Range missing or malformed.", "badContent")
        start, end, total = (int(g) for g in found.groups())
        if total != session.size or start != held or end - start + 1 != len(body) or end >= total:
            return google_error(400, f"Content-Range {header} does not follow the {held} bytes held.", "badContent")
        if end + 1 < total and len(body) % CHUNK_UNIT:
            return google_error(400, "Chunks other than the last must be multiples of 256 KiB.", "badContent")
        session.received.extend(body)
        if len(session.received) < session.size:
            return Response(status_code=308, headers={"Range": f"bytes=0-{len(session.received) - 1}"})
        video_id = state.new_id("vid")
        snippet = {**(session.video.get("snippet") or {}), "publishedAt": _now(), "channelId": state.channel_id}
        status = {"privacyStatus": "public", **(session.video.get("status") or {}), "uploadStatus": "uploaded"}
        state.videos[video_id] = {"id": video_id, "snippet": snippet, "status": status,
                                  "statistics": {"viewCount": "0", "likeCount": "0", "favoriteCount": "0",
                                                 "commentCount": "0"},
                                  "_bytes": bytes(session.received)}
        session.video_id = video_id
        return JSONResponse(video_public(state.videos[video_id], "snippet,status"), status_code=201)

    @server.endpoint("POST", "/upload/youtube/v3/thumbnails/set", doc=f"{DOCS}/thumbnails/set")
    async def thumbnails_set(request: Request) -> Any:
        refused = authorised(request) or charge("thumbnails.set")
        if refused:
            return refused
        video_id = request.query_params.get("videoId", "")
        if video_id not in state.videos:
            return google_error(404, "The video that you are trying to update cannot be found.", "videoNotFound",
                                "youtube.thumbnail")
        body = await request.body()
        if not request.headers.get("content-type", "").startswith("image/") or len(body) > 2 * 1024 * 1024:
            return google_error(400, "The thumbnail must be an image of at most 2 MB.", "mediaBodyRequired",
                                "youtube.thumbnail")
        state.thumbnails[video_id] = body
        return {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}}]}

    # Videos ------------------------------------------------------------------------------------------------

    @server.endpoint("GET", "/youtube/v3/playlistItems", doc=f"{DOCS}/playlistItems/list")
    async def playlist_items(request: Request) -> Any:
        """playlistItems.list: part required (contentDetails, id, snippet, status); playlistId or id;
        maxResults 0 to 50 (default 5); an uploads playlist (UU…) lists the channel's videos newest first;
        an unknown playlist is 404 playlistNotFound. Costs 1 unit."""
        refused = guard(request, "playlistItems.list", parts=frozenset({"contentDetails", "id", "snippet", "status"}))
        if refused:
            return refused
        limit = max_results(request)
        if isinstance(limit, JSONResponse):
            return limit
        playlist = request.query_params.get("playlistId", "")
        if not playlist and not request.query_params.get("id"):
            return google_error(400, "No filter selected. Expected one of: id, playlistId.",
                                "missingRequiredParameter", "youtube.parameter")
        if playlist == "UU" + state.channel_id[2:]:
            newest = [{"id": v["id"], "title": v["snippet"]["title"], "publishedAt": v["snippet"]["publishedAt"]}
                      for v in state.videos.values()]
        elif playlist.startswith("UU") and "UC" + playlist[2:] in state.public_channels:
            newest = [v for v in state.public if v["channelId"] == "UC" + playlist[2:]]
        else:
            return google_error(404, "The playlist identified with the request's playlistId parameter cannot be "
                                     "found.", "playlistNotFound", "youtube.playlistItem")
        newest = sorted(newest, key=lambda v: v["publishedAt"], reverse=True)
        return {"kind": "youtube#playlistItemListResponse",
                "pageInfo": {"totalResults": len(newest), "resultsPerPage": limit}, "items": [
                    {"kind": "youtube#playlistItem", "id": f"pi-{v['id']}",
                     "snippet": {"title": v["title"], "publishedAt": v["publishedAt"],
                                 "resourceId": {"kind": "youtube#video", "videoId": v["id"]}},
                     "contentDetails": {"videoId": v["id"], "videoPublishedAt": v["publishedAt"]}}
                    for v in newest[:limit]]}

    VIDEO_PARTS = frozenset({"contentDetails", "fileDetails", "id", "liveStreamingDetails", "localizations",
                             "paidProductPlacementDetails", "player", "processingDetails", "recordingDetails",
                             "snippet", "statistics", "status", "suggestions", "topicDetails"})

    @server.endpoint("GET", "/youtube/v3/videos", doc=f"{DOCS}/videos/list")
    async def videos_list(request: Request) -> Any:
        """videos.list: part required; id takes at most 50 comma-separated ids; unknown ids are left out;
        statistics omits likeCount/commentCount where the owner hides them; contentDetails.duration is ISO
        8601. Costs 1 unit."""
        refused = guard(request, "videos.list", parts=VIDEO_PARTS)
        if refused:
            return refused
        ids = [i for i in request.query_params.get("id", "").split(",") if i]
        if len(ids) > 50:
            return google_error(400, "The request specifies more than 50 video ids.", "invalidParameter")
        public = {v["id"]: v for v in state.public}
        parts = request.query_params["part"]
        items = [video_public(state.videos[i], parts) if i in state.videos else public_video(public[i], parts)
                 for i in ids if i in state.videos or i in public]
        return {"kind": "youtube#videoListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}, "items": items}

    @server.endpoint("DELETE", "/youtube/v3/videos", doc=f"{DOCS}/videos/delete")
    async def videos_delete(request: Request) -> Any:
        refused = authorised(request) or charge("videos.delete")
        if refused:
            return refused
        if state.videos.pop(request.query_params.get("id", ""), None) is None:
            return google_error(404, "The video that you are trying to delete cannot be found.", "videoNotFound",
                                "youtube.video")
        return Response(status_code=204)

    # Comments ----------------------------------------------------------------------------------------------

    def public_comment(comment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in comment.items() if not k.startswith("_")} | {
            "snippet": {**comment["snippet"], "moderationStatus": comment["_status"]}}

    @server.endpoint("GET", "/youtube/v3/commentThreads", doc=f"{DOCS}/commentThreads/list")
    async def comment_threads(request: Request) -> Any:
        refused = guard(request, "commentThreads.list")
        if refused:
            return refused
        query = request.query_params
        if query.get("allThreadsRelatedToChannelId") not in (None, state.channel_id):
            return google_error(404, "The channel could not be found.", "channelNotFound", "youtube.commentThread")
        wanted = query.get("moderationStatus", "published")
        if wanted not in ("published", "heldForReview", "likelySpam"):
            return google_error(400, "Invalid moderationStatus.", "invalidParameter")
        if query.get("videoId") and query["videoId"] not in state.videos:
            return google_error(404, "The video could not be found.", "videoNotFound", "youtube.commentThread")
        tops = [c for c in state.comments.values() if "parentId" not in c["snippet"] and c["_status"] == wanted
                and (not query.get("videoId") or c["snippet"]["videoId"] == query["videoId"])]
        tops.sort(key=lambda c: c["snippet"]["publishedAt"], reverse=True)
        limit = int(query.get("maxResults", "20"))
        if not 1 <= limit <= 100:
            return google_error(400, "maxResults must be 1 to 100.", "invalidParameter")
        offset = int(query.get("pageToken") or 0) if (query.get("pageToken") or "0").isdigit() else -1
        if offset < 0:
            return google_error(400, "The pageToken is invalid.", "invalidPageToken")
        page, rest = tops[offset:offset + limit], tops[offset + limit:]
        items = []
        for top in page:
            replies = [public_comment(c) for c in state.comments.values()
                       if c["snippet"].get("parentId") == top["id"] and c["_status"] == "published"]
            thread: dict[str, Any] = {"kind": "youtube#commentThread", "id": top["id"], "snippet": {
                "channelId": state.channel_id, "videoId": top["snippet"]["videoId"],
                "topLevelComment": public_comment(top), "totalReplyCount": len(replies), "canReply": True}}
            if "replies" in query["part"] and replies:
                thread["replies"] = {"comments": replies[:5]}  # a thread carries some replies, not all
            items.append(thread)
        answer: dict[str, Any] = {"kind": "youtube#commentThreadListResponse", "items": items}
        if rest:
            answer["nextPageToken"] = str(offset + limit)
        return answer

    @server.endpoint("GET", "/youtube/v3/comments", doc=f"{DOCS}/comments/list")
    async def comments_list(request: Request) -> Any:
        refused = guard(request, "comments.list")
        if refused:
            return refused
        parent = request.query_params.get("parentId")
        if not parent and not request.query_params.get("id"):
            return google_error(400, "No filter selected. Expected one of: id, parentId.",
                                "missingRequiredParameter", "youtube.parameter")
        return {"kind": "youtube#commentListResponse", "items": [
            public_comment(c) for c in state.comments.values()
            if c["snippet"].get("parentId") == parent and c["_status"] == "published"]}

    @server.endpoint("POST", "/youtube/v3/comments", doc=f"{DOCS}/comments/insert")
    async def comments_insert(request: Request) -> Any:
        refused = guard(request, "comments.insert")
        if refused:
            return refused
        snippet = (await request.json()).get("snippet") or {}
        parent = snippet.get("parentId")
        text = snippet.get("textOriginal") or ""
        if parent not in state.comments or "parentId" in state.comments[parent]["snippet"]:
            return google_error(404, "The specified parent comment could not be found.", "parentCommentNotFound",
                                "youtube.comment")
        if not text.strip() or len(text) > 10_000:
            return google_error(400, "The comment's text is empty or too long.", "commentTextTooLong",
                                "youtube.comment")
        comment_id = state.add_comment(state.comments[parent]["snippet"]["videoId"], text, author=state.channel_id,
                                       name=state.title, parent=parent)
        return public_comment(state.comments[comment_id])

    @server.endpoint("POST", "/youtube/v3/comments/setModerationStatus", doc=f"{DOCS}/comments/setModerationStatus")
    async def set_moderation(request: Request) -> Any:
        refused = guard(request, "comments.setModerationStatus", part=False)
        if refused:
            return refused
        query = request.query_params
        status = query.get("moderationStatus")
        if status not in ("heldForReview", "published", "rejected"):
            return google_error(400, "Invalid moderationStatus.", "invalidModerationStatus", "youtube.comment")
        if query.get("banAuthor") == "true" and status != "rejected":
            return google_error(400, "banAuthor can only be used with moderationStatus=rejected.",
                                "banWithoutReject", "youtube.comment")
        ids = [i for i in query.get("id", "").split(",") if i]
        if not ids or any(i not in state.comments for i in ids):
            return google_error(404, "One of the comments could not be found.", "commentNotFound",
                                "youtube.comment")
        for comment_id in ids:
            state.comments[comment_id]["_status"] = status
            if query.get("banAuthor") == "true":
                state.banned.add(state.comments[comment_id]["snippet"]["authorChannelId"]["value"])
        return Response(status_code=204)

    # Analytics ---------------------------------------------------------------------------------------------

    @server.endpoint("GET", "/v2/reports", doc=ANALYTICS_DOC)
    async def reports(request: Request) -> Any:
        refused = authorised(request)
        if refused:
            return refused
        query = request.query_params
        missing = [p for p in ("ids", "startDate", "endDate", "metrics") if not query.get(p)]
        if missing:
            return google_error(400, f"Required parameter: {missing[0]}", "required")
        if query["ids"] != "channel==MINE":
            return google_error(403, "Forbidden", "forbidden")
        metrics = query["metrics"].split(",")
        dimensions = query.get("dimensions", "")
        if dimensions in ("ageGroup", "gender", "ageGroup,gender", "gender,ageGroup"):
            return demographics(query, metrics, dimensions.split(","))
        if dimensions == "country":
            return geography(query, metrics)
        known = {"views", "estimatedMinutesWatched", "averageViewDuration", "subscribersGained", "subscribersLost",
                 "shares", "likes", "comments"}
        if any(m not in known for m in metrics):
            return google_error(400, "Unknown metric.", "badRequest")

        def numbers(video: dict[str, Any]) -> list[Any]:
            views = int(video["statistics"]["viewCount"])
            values = {"views": views, "estimatedMinutesWatched": views * 2, "averageViewDuration": 95 if views else 0,
                      "subscribersGained": views // 10, "subscribersLost": views // 100, "shares": views // 20,
                      "likes": int(video["statistics"]["likeCount"]),
                      "comments": int(video["statistics"]["commentCount"])}
            return [values[m] for m in metrics]

        headers = [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        if query.get("dimensions") == "video":
            found = re.fullmatch(r"video==([\w,-]+)", query.get("filters", ""))
            if not found:
                return google_error(400, "The video dimension needs a video== filter.", "badRequest")
            rows = [[vid, *numbers(state.videos[vid])] for vid in found.group(1).split(",") if vid in state.videos]
            headers = [{"name": "video", "columnType": "DIMENSION", "dataType": "STRING"}, *headers]
        elif query.get("dimensions"):
            return google_error(400, "Unsupported dimension here.", "badRequest")
        else:
            totals = [0] * len(metrics)
            for video in state.videos.values():
                totals = [a + b for a, b in zip(totals, numbers(video), strict=True)]
            rows = [totals]
        return {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows}

    def demographics(query: Any, metrics: list[str], dimensions: list[str]) -> Any:
        """Demographic reports (DEMOGRAPHICS_DOC): dimensions ageGroup and/or gender take only the
        viewerPercentage metric, and no video filter is needed for the channel; the percentages of all rows
        add up to 100. Groups too small to stay anonymous are left out (state.viewers empty: no rows)."""
        if metrics != ["viewerPercentage"]:
            return google_error(400, "The query is not supported. Check the documentation at "
                                     f"{DEMOGRAPHICS_DOC} for a list of supported queries.", "badRequest")
        totals: dict[tuple[str, ...], float] = {}
        for (age, gender), share in state.viewers.items():
            key = tuple(age if d == "ageGroup" else gender for d in dimensions)
            totals[key] = totals.get(key, 0.0) + share
        headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dimensions]
        headers.append({"name": "viewerPercentage", "columnType": "METRIC", "dataType": "FLOAT"})
        return {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers,
                "rows": [[*k, round(v, 1)] for k, v in sorted(totals.items())]}

    def geography(query: Any, metrics: list[str]) -> Any:
        """Geographic report (GEOGRAPHY_DOC): dimension country with view metrics; viewerPercentage is a
        demographic metric and is refused here; sort, when given, is by a requested metric."""
        allowed = {"views", "estimatedMinutesWatched", "averageViewDuration", "averageViewPercentage",
                   "subscribersGained", "subscribersLost"}
        if any(m not in allowed for m in metrics):
            return google_error(400, "The query is not supported. Check the documentation at "
                                     f"{GEOGRAPHY_DOC} for a list of supported queries.", "badRequest")
        sort = query.get("sort", "")
        if sort and sort.lstrip("-") not in metrics:
            return google_error(400, "Sort must be by a requested metric.", "badRequest")
        rows = [[code, *[views if m == "views" else views * 2 for m in metrics]]
                for code, views in state.countries.items()]
        if sort:
            rows.sort(key=lambda r: r[1 + metrics.index(sort.lstrip("-"))], reverse=sort.startswith("-"))
        headers = [{"name": "country", "columnType": "DIMENSION", "dataType": "STRING"},
                   *[{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]]
        return {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows}

    # OAuth -------------------------------------------------------------------------------------------------

    @server.endpoint("GET", "/o/oauth2/v2/auth", doc=OAUTH_DOC)
    async def authorize(request: Request) -> Any:
        query = dict(request.query_params)
        if query.get("client_id") != state.client_id:
            return JSONResponse({"error": "invalid_client", "error_description": "The OAuth client was not found."},
                                status_code=401)
        problems = [k for k, v in (("response_type", "code"), ("access_type", "offline"),
                                   ("code_challenge_method", "S256")) if query.get(k) != v]
        if problems or not query.get("code_challenge") or not query.get("redirect_uri") or not query.get("scope"):
            return JSONResponse({"error": "invalid_request", "error_description": f"bad {problems}"}, status_code=400)
        code = "4/" + secrets.token_urlsafe(16)
        state.codes[code] = query
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}",
                                status_code=302)

    @server.endpoint("POST", "/token", doc=f"{OAUTH_DOC}#exchange-authorization-code")
    async def token(request: Request) -> Any:
        form = dict((await request.form()).items())
        if form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret:
            return JSONResponse({"error": "invalid_client", "error_description": "Unauthorized"}, status_code=401)
        bad = JSONResponse({"error": "invalid_grant", "error_description": "Bad Request"}, status_code=400)
        if form.get("grant_type") == "authorization_code":
            asked = state.codes.pop(str(form.get("code")), None)
            if asked is None or asked["redirect_uri"] != form.get("redirect_uri"):
                return bad
            digest = hashlib.sha256(str(form.get("code_verifier", "")).encode()).digest()
            if base64.urlsafe_b64encode(digest).decode().rstrip("=") != asked["code_challenge"]:
                return bad
            access, refresh = "ya29." + secrets.token_urlsafe(12), "1//" + secrets.token_urlsafe(12)
            state.tokens.add(access)
            state.refresh_tokens.add(refresh)
            return {"access_token": access, "expires_in": 3599, "refresh_token": refresh, "scope": asked["scope"],
                    "token_type": "Bearer"}
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in state.refresh_tokens:
                return bad
            access = "ya29." + secrets.token_urlsafe(12)
            state.tokens.add(access)
            return {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                    "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}
        return JSONResponse({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                            status_code=400)

    return server, state
