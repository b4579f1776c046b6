"""The YouTube adapter: one channel, through the Data API v3 and the Analytics API (docs/networks/youtube.md).

Duplicates are avoided without an idempotency key: the resumable upload session is recorded before the
bytes go (upload.py), so a repeated try resumes it or finds its video; and `find_published` looks in the
channel's uploads playlist for a video with the same title since the first try.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from dateutil import parser as dateparser

from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.networks.base import (
    AccountMetrics,
    AuthError,
    Capabilities,
    ChannelAccount,
    FollowerPage,
    InboxPage,
    IncomingItem,
    IncomingKind,
    MediaKind,
    NetworkError,
    OutgoingMedia,
    OutgoingPost,
    PermanentNetworkError,
    PostMetrics,
    PublishedPost,
    PublishOption,
)
from socialdesk.networks.profiles import NETWORK_PROFILES
from socialdesk.networks.youtube import oauth, upload
from socialdesk.networks.youtube.api import YouTubeApi, quota_usage
from socialdesk.networks.youtube.upload import Uploader

log = logging.getLogger("socialdesk.networks.youtube")

TITLE_LIMIT = 100  # characters (videos resource: snippet.title)
DESCRIPTION_BYTES = 5_000  # snippet.description
TAGS_LIMIT = 500  # characters over all tags, a tag with a space counting its quotes
PRIVACY = ("public", "unlisted", "private")
SHORTS_SECONDS = 180
# Top-level threads read per inbox fetch, and pages of them at most (1 unit each).
THREADS_PAGE = 100
MAX_THREAD_PAGES = 3
STATS_BATCH = 50  # ids per videos.list
ANALYTICS_BATCH = 200  # video filter ids per reports.query
YOUTUBE_START = date(2005, 2, 14)
CHANNEL_METRICS = "views,estimatedMinutesWatched,averageViewDuration,subscribersGained,subscribersLost,shares"
AUDIENCE_DAYS = 90  # the window of the viewers' demographics

OPTIONS = (
    PublishOption("title", "Title", help="At most 100 characters. Empty: the first line of the text. A YouTube "
                                         "post is one video (the text is its description); a vertical video of "
                                         "up to 3 minutes becomes a Short. Community posts cannot be made "
                                         "through YouTube's API.", max_length=TITLE_LIMIT),
    PublishOption("privacy", "Privacy", kind="select", choices=PRIVACY,
                  help="Empty: the channel's default. Videos uploaded through an unverified Google project are "
                       "kept private by YouTube whatever is chosen here."),
    PublishOption("publish_at", "Let YouTube publish it at", kind="datetime",
                  help="Upload now as private and let YouTube make it public at this time. Empty (the default): "
                       "socialdesk uploads it at the post's scheduled time, public at once."),
    PublishOption("made_for_kids", "Made for kids", kind="bool", default=False,
                  help="YouTube requires this declaration (COPPA): comments and personalised ads are off for "
                       "videos made for kids."),
    PublishOption("tags", "Tags", help="Comma-separated, 500 characters in all.", max_length=TAGS_LIMIT),
    PublishOption("category", "Category id", kind="number", default=22,
                  help="YouTube's category id: 22 People & Blogs, 27 Education, 28 Science & Technology, "
                       "24 Entertainment, 10 Music, 20 Gaming, 26 Howto & Style."),
    PublishOption("notify_subscribers", "Notify subscribers", kind="bool", default=True),
)


def when(value: Any) -> datetime:
    if not value:
        return clock.now()
    return clock.utc(dateparser.isoparse(str(value)))


def _flag(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def video_url(video_id: str, *, short: bool = False) -> str:
    return f"https://www.youtube.com/shorts/{video_id}" if short else f"https://www.youtube.com/watch?v={video_id}"


def title_of(post: OutgoingPost) -> str:
    """The option's title, else the blog-style title, else the text's first line (cut to 100 characters)."""
    chosen = str((post.options or {}).get("title") or post.title or "").strip()
    if chosen:
        return chosen
    first = next((line.strip() for line in post.text.splitlines() if line.strip()), "")
    return first[:TITLE_LIMIT].rstrip() or "Video"


def is_short(media: OutgoingMedia) -> bool:
    """YouTube makes a Short of any vertical or square video up to three minutes: nothing else is sent."""
    return bool(media.width and media.height and media.height >= media.width and media.duration_seconds
                and media.duration_seconds <= SHORTS_SECONDS)


class YouTubeAdapter:
    network: ClassVar[str] = "youtube"

    def __init__(self, account: ChannelAccount, *, chunk_size: int | None = None) -> None:
        self.account = account  # no I/O here
        self.chunk_size = chunk_size or upload.DEFAULT_CHUNK
        self._api: YouTubeApi | None = None

    # Who and where ---------------------------------------------------------------------------------------

    @property
    def channel_id(self) -> str:
        return str(self.account.settings.get("channel_id") or self.account.external_id)

    @property
    def project(self) -> str:
        return str(self.account.settings.get("quota_project") or oauth.project())

    def api(self) -> YouTubeApi:
        if self._api is None:
            token = self.account.credentials.get("access_token")
            if not token:
                raise AuthError("This YouTube channel has no token. Connect it again.")
            self._api = YouTubeApi(str(token), self.project)
        return self._api

    def capabilities(self) -> Capabilities:
        base = NETWORK_PROFILES["youtube"]
        # A thumbnail comes as an image beside the video (thumbnails.set); Community posts have no API.
        media = dataclasses.replace(base.media, kinds=frozenset({MediaKind.VIDEO, MediaKind.IMAGE}), max_count=2,
                                    max_image_bytes=2 * 1024 * 1024)
        return dataclasses.replace(base, label="YouTube", media=media, like_comments=False, options=OPTIONS,
                                   title_limit=TITLE_LIMIT)

    def quota(self) -> list[dict[str, object]]:
        """Today's use of the Google project's quota, for the channel page."""
        return [u.to_dict() for u in quota_usage(self.project)]

    def credentials_expire_at(self) -> datetime | None:
        expires = self.account.credentials.get("expires_at")
        if expires:
            return when(expires)
        # A token without a recorded expiry but with a refresh token: let an auth error trigger a refresh.
        return clock.now() + timedelta(hours=1) if self.account.credentials.get("refresh_token") else None

    def refresh_credentials(self) -> dict[str, Any]:
        return oauth.refresh(self.account.credentials)

    # Publishing ------------------------------------------------------------------------------------------

    def _parts(self, post: OutgoingPost) -> tuple[OutgoingMedia, OutgoingMedia | None]:
        videos = [m for m in post.media if m.kind == MediaKind.VIDEO]
        images = [m for m in post.media if m.kind == MediaKind.IMAGE]
        if len(videos) != 1:
            raise PermanentNetworkError("A YouTube post is one video (with, if you like, one image as its "
                                        "thumbnail). Text-only and Community posts cannot be made through "
                                        "YouTube's API.")
        if len(images) > 1 or len(post.media) > 2:
            raise PermanentNetworkError("Attach one video and at most one image (its thumbnail).")
        return videos[0], (images[0] if images else None)

    def video_resource(self, post: OutgoingPost) -> dict[str, Any]:
        """The `video` resource sent when the upload session opens; refuses what YouTube would refuse."""
        options = post.options or {}
        title = title_of(post)
        if len(title) > TITLE_LIMIT:
            raise PermanentNetworkError(f"A YouTube title has at most {TITLE_LIMIT} characters; this one has "
                                        f"{len(title)}.")
        description = post.text
        if len(description.encode()) > DESCRIPTION_BYTES:
            raise PermanentNetworkError(f"A YouTube description has at most {DESCRIPTION_BYTES} bytes; this one "
                                        f"has {len(description.encode())}.")
        if any(c in title + description for c in "<>"):
            raise PermanentNetworkError("YouTube refuses < and > in titles and descriptions.")
        tags = [t.strip() for t in str(options.get("tags") or "").split(",") if t.strip()] or list(post.tags)
        if sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1) > TAGS_LIMIT:
            raise PermanentNetworkError(f"YouTube's tags have at most {TAGS_LIMIT} characters together.")
        privacy = str(options.get("privacy") or self.account.settings.get("default_privacy") or "public")
        if privacy not in PRIVACY:
            raise PermanentNetworkError(f"Unknown privacy {privacy!r}; YouTube has {', '.join(PRIVACY)}.")
        status: dict[str, Any] = {"privacyStatus": privacy,
                                  "selfDeclaredMadeForKids": _flag(options.get("made_for_kids"), False)}
        publish_at = options.get("publish_at") or None
        if publish_at:
            at = publish_at if isinstance(publish_at, datetime) else when(publish_at)
            if at <= clock.now():
                raise PermanentNetworkError("'Let YouTube publish it at' must be in the future.")
            # YouTube ignores publishAt unless the video is private until then.
            status.update(privacyStatus="private", publishAt=at.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        snippet: dict[str, Any] = {"title": title, "description": description,
                                   "categoryId": str(options.get("category") or "22")}
        if tags:
            snippet["tags"] = tags
        if post.language:
            snippet["defaultLanguage"] = post.language
        return {"snippet": snippet, "status": status}

    def publish(self, post: OutgoingPost) -> PublishedPost:
        video_file, thumbnail = self._parts(post)
        resource = self.video_resource(post)
        uploader = Uploader(self.api(), chunk_size=self.chunk_size)
        video = uploader.upload(self._key(post), video_file, resource,
                                notify=_flag((post.options or {}).get("notify_subscribers"), True))
        if thumbnail is not None:
            self._thumbnail(str(video["id"]), thumbnail)
        return self._published(video, short=is_short(video_file))

    def _key(self, post: OutgoingPost) -> str:
        return f"{self.channel_id}:{post.idempotency_key or title_of(post)}"

    def _thumbnail(self, video_id: str, image: OutgoingMedia) -> None:
        """thumbnails.set (https://developers.google.com/youtube/v3/docs/thumbnails/set). The video exists by
        now: a failed thumbnail is logged, not a failed publication (it would be uploaded again)."""
        url = f"{get_settings().youtube_api_url.rstrip('/')}/upload/youtube/v3/thumbnails/set"
        try:
            self.api().send("thumbnails.set", "POST", url, params={"videoId": video_id, "uploadType": "media"},
                            content=image.path.read_bytes(), headers={"Content-Type": image.content_type})
        except NetworkError as error:
            log.warning("thumbnail for YouTube video %s not set: %s", video_id, error.network_message)

    def _published(self, video: dict[str, Any], *, short: bool = False) -> PublishedPost:
        snippet = video.get("snippet") or {}
        return PublishedPost(external_id=str(video["id"]), url=video_url(str(video["id"]), short=short),
                             published_at=when(snippet.get("publishedAt")))

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """An earlier try's video: first its recorded upload session (finished now if it was cut off: a
        session makes one video at most), then the uploads playlist, by title, since `since`."""
        try:
            video_file, _ = self._parts(post)
        except PermanentNetworkError:
            return None
        try:
            finished = Uploader(self.api(), chunk_size=self.chunk_size).resume_only(self._key(post), video_file)
        except AuthError:
            raise
        except NetworkError as error:  # the session cannot be asked now: the uploads playlist can
            log.warning("YouTube upload session not readable (%s); looking in the uploads playlist",
                        error.network_message)
            finished = None
        if finished is not None:
            return self._published(finished, short=is_short(video_file))
        playlist = self.account.settings.get("uploads_playlist") or ("UU" + self.channel_id[2:])
        found = self.api().get("playlistItems.list", "playlistItems", part="snippet,contentDetails",
                               playlistId=playlist, maxResults=50)
        wanted = title_of(post)
        for item in found.get("items") or []:
            snippet = item.get("snippet") or {}
            added = when(snippet.get("publishedAt"))
            video_id = (item.get("contentDetails") or {}).get("videoId") or \
                (snippet.get("resourceId") or {}).get("videoId")
            if video_id and snippet.get("title") == wanted and added >= since:
                return PublishedPost(external_id=str(video_id), url=video_url(str(video_id)), published_at=added)
        return None

    def delete(self, external_id: str) -> None:
        try:
            self.api().delete("videos.delete", "videos", id=external_id)
        except PermanentNetworkError as error:
            if error.status_code != 404 or isinstance(error, AuthError):
                raise

    # The inbox -------------------------------------------------------------------------------------------

    def _comment(self, comment: dict[str, Any], video_id: str | None, parent: str | None) -> IncomingItem:
        snippet = comment.get("snippet") or {}
        author = (snippet.get("authorChannelId") or {}).get("value") or ""
        video = snippet.get("videoId") or video_id
        return IncomingItem(
            external_id=str(comment["id"]), kind=IncomingKind.COMMENT,
            text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
            created_at=when(snippet.get("publishedAt")), author_external_id=str(author),
            author_handle=str(snippet.get("authorDisplayName") or author), author_name=str(
                snippet.get("authorDisplayName") or ""),
            post_external_id=str(video) if video else None, parent_external_id=parent,
            url=f"{video_url(str(video))}&lc={comment['id']}" if video else None)

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        """Comment threads on the channel's videos newer than the cursor (the newest comment time seen),
        their replies (comments.list when the thread carries only some), and those YouTube holds for review."""
        state = json.loads(cursor) if cursor else {}
        since = when(state["t"]) if state.get("t") else None
        now = clock.now()
        last = when(state["f"]) if state.get("f") else None
        if last is not None and now - last < timedelta(minutes=get_settings().youtube_inbox_minutes):
            return InboxPage(items=[], cursor=cursor)  # every read costs quota: not again so soon
        api = self.api()
        items: list[IncomingItem] = []
        newest = since
        for moderation in ("published", "heldForReview"):
            token = None
            for _ in range(MAX_THREAD_PAGES):
                page = api.get("commentThreads.list", "commentThreads", background=True, part="snippet,replies",
                               allThreadsRelatedToChannelId=self.channel_id, maxResults=THREADS_PAGE, order="time",
                               textFormat="plainText", moderationStatus=moderation, pageToken=token)
                older = False
                for thread in page.get("items") or []:
                    snippet = thread.get("snippet") or {}
                    top = snippet.get("topLevelComment") or {}
                    video = snippet.get("videoId")
                    found = [self._comment(top, video, None)] if top.get("id") else []
                    replies = (thread.get("replies") or {}).get("comments") or []
                    if int(snippet.get("totalReplyCount") or 0) > len(replies) and top.get("id"):
                        replies = self._replies(str(top["id"]))
                    found += [self._comment(r, video, str(top.get("id"))) for r in replies]
                    for item in found:
                        # Same-second comments may come after a fetch: the boundary is read again (the
                        # inbox keeps each comment once).
                        if since is not None and item.created_at < since:
                            older = older or item.parent_external_id is None
                            continue
                        if item.author_external_id == self.channel_id:
                            continue  # our own replies
                        items.append(item)
                        newest = item.created_at if newest is None or item.created_at > newest else newest
                token = page.get("nextPageToken")
                if not token or older:
                    break
        items.sort(key=lambda i: i.created_at)
        mark = {"t": newest.isoformat()} if newest else {}
        return InboxPage(items=items, cursor=json.dumps({**mark, "f": now.isoformat()}))

    def _replies(self, parent_id: str) -> list[dict[str, Any]]:
        found = self.api().get("comments.list", "comments", background=True, part="snippet", parentId=parent_id,
                               maxResults=100, textFormat="plainText")
        return list(found.get("items") or [])

    def reply(self, item_external_id: str, text: str) -> str:
        """comments.insert with the thread's top-level comment as parent (YouTube threads are one level)."""
        parent = item_external_id.split(".", 1)[0]
        created = self.api().post("comments.insert", "comments", {"snippet": {"parentId": parent,
                                                                             "textOriginal": text}}, part="snippet")
        return str(created["id"])

    def _moderate(self, comment_id: str, status: str, *, ban: bool = False) -> None:
        params: dict[str, Any] = {"id": comment_id, "moderationStatus": status}
        if ban:
            params["banAuthor"] = "true"
        self.api().post("comments.setModerationStatus", "comments/setModerationStatus", sends=False, **params)

    def hide(self, item_external_id: str) -> None:
        self._moderate(item_external_id, "heldForReview")

    def unhide(self, item_external_id: str) -> None:
        self._moderate(item_external_id, "published")

    def delete_comment(self, item_external_id: str) -> None:
        """Rejected: YouTube removes it from the video (comments.delete is only for the channel's own)."""
        self._moderate(item_external_id, "rejected")

    def block(self, author_external_id: str) -> None:
        """YouTube bans an author through one of their comments (setModerationStatus rejected + banAuthor)."""
        comment = self._recent_comment_by(author_external_id)
        if comment is None:
            raise PermanentNetworkError("YouTube bans a person through one of their comments, and none by them "
                                        "was found on the channel's recent videos.")
        self._moderate(comment, "rejected", ban=True)

    def _recent_comment_by(self, author: str) -> str | None:
        for moderation in ("heldForReview", "published"):
            token = None
            for _ in range(MAX_THREAD_PAGES):
                page = self.api().get("commentThreads.list", "commentThreads", part="snippet,replies",
                                      allThreadsRelatedToChannelId=self.channel_id, maxResults=THREADS_PAGE,
                                      moderationStatus=moderation, pageToken=token)
                for thread in page.get("items") or []:
                    top = (thread.get("snippet") or {}).get("topLevelComment") or {}
                    for comment in [top, *((thread.get("replies") or {}).get("comments") or [])]:
                        if ((comment.get("snippet") or {}).get("authorChannelId") or {}).get("value") == author:
                            return str(comment["id"])
                token = page.get("nextPageToken")
                if not token:
                    break
        return None

    def unblock(self, author_external_id: str) -> None:
        raise PermanentNetworkError("YouTube's API cannot lift a ban; do it in YouTube Studio → Settings → "
                                    "Community → Hidden users.")

    def like(self, item_external_id: str) -> None:
        raise PermanentNetworkError("YouTube's API cannot like a comment.")

    def unlike(self, item_external_id: str) -> None:
        raise PermanentNetworkError("YouTube's API cannot like a comment.")

    # Metrics ---------------------------------------------------------------------------------------------

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        """videos.list statistics (views, likes, comments; dislikes are private), and shares from the
        Analytics API as reposts (None when the Analytics API cannot be read)."""
        now = clock.now()
        ids = list(dict.fromkeys(external_ids))
        found: dict[str, PostMetrics] = {}
        for start in range(0, len(ids), STATS_BATCH):
            batch = ",".join(ids[start:start + STATS_BATCH])
            page = self.api().get("videos.list", "videos", background=True, part="statistics", id=batch)
            for video in page.get("items") or []:
                stats = video.get("statistics") or {}
                found[str(video["id"])] = PostMetrics(
                    collected_at=now, views=_count(stats.get("viewCount")), likes=_count(stats.get("likeCount")),
                    comments=_count(stats.get("commentCount")))
        shares = {vid: row.get("shares") for vid, row in self.video_reports(list(found)).items()}
        return {vid: dataclasses.replace(m, reposts=_count(shares.get(vid))) for vid, m in found.items()}

    def video_reports(self, video_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Analytics API per video since upload: views, estimatedMinutesWatched, averageViewDuration,
        subscribersGained, subscribersLost, shares. {} when the Analytics API refuses (scope not granted)."""
        rows: dict[str, dict[str, Any]] = {}
        for start in range(0, len(video_ids), ANALYTICS_BATCH):
            batch = video_ids[start:start + ANALYTICS_BATCH]
            report = self._report(dimensions="video", filters=f"video=={','.join(batch)}")
            rows.update({str(row.pop("video")): row for row in report})
        return rows

    def channel_report(self) -> dict[str, Any]:
        """Analytics API for the whole channel since it began; {} when it cannot be read."""
        rows = self._report()
        return rows[0] if rows else {}

    def _report(self, metrics: str = CHANNEL_METRICS, start: date = YOUTUBE_START,
                **extra: str) -> list[dict[str, Any]]:
        try:
            report = self.api().analytics(ids="channel==MINE", startDate=start.isoformat(),
                                          endDate=clock.now().date().isoformat(), metrics=metrics, **extra)
        except AuthError:
            raise
        except PermanentNetworkError as error:
            log.warning("YouTube Analytics report not available: %s", error.network_message)
            return []
        names = [h.get("name") for h in report.get("columnHeaders") or []]
        return [dict(zip(names, row, strict=False)) for row in report.get("rows") or []]

    def account_details(self) -> dict[str, Any] | None:
        """The channel's viewers over the last AUDIENCE_DAYS days, kept in the channel's settings under
        "account_details" by the metrics collection for the audience profile: viewerPercentage by ageGroup
        and by gender (one `dimensions=ageGroup,gender` report, added up each way) and views by country
        (https://developers.google.com/youtube/analytics/channel_reports#demographic-reports and
        #geographic-reports). viewerPercentage is of signed-in viewers; its n is taken as the period's
        views (audience_base), the closest count YouTube gives. None when neither report can be read
        (the yt-analytics.readonly scope was not granted)."""
        start = clock.now().date() - timedelta(days=AUDIENCE_DAYS)
        by_age: dict[str, float] = {}
        by_gender: dict[str, float] = {}
        for row in self._report("viewerPercentage", start, dimensions="ageGroup,gender"):
            share = row.get("viewerPercentage")
            if isinstance(share, int | float):
                by_age[str(row.get("ageGroup"))] = by_age.get(str(row.get("ageGroup")), 0.0) + float(share)
                by_gender[str(row.get("gender"))] = by_gender.get(str(row.get("gender")), 0.0) + float(share)
        countries = {str(row.get("country")): int(row["views"])
                     for row in self._report("views", start, dimensions="country", sort="-views")
                     if isinstance(row.get("views"), int)}
        if not (by_age or countries):
            return None
        views = sum(countries.values())
        return {"source": "youtube analytics", "collected_at": clock.now().isoformat(), "days": AUDIENCE_DAYS,
                "audience": {"age": {k: round(v, 2) for k, v in by_age.items()},
                             "gender": {k: round(v, 2) for k, v in by_gender.items()}, "country": countries},
                "audience_base": {"age": views, "gender": views, "country": views}}

    def account_metrics(self) -> AccountMetrics:
        page = self.api().get("channels.list", "channels", background=True, part="statistics", mine="true")
        items = page.get("items") or []
        stats = (items[0].get("statistics") or {}) if items else {}
        hidden = bool(stats.get("hiddenSubscriberCount"))
        return AccountMetrics(collected_at=clock.now(),
                              followers=None if hidden else _count(stats.get("subscriberCount")),
                              posts=_count(stats.get("videoCount")))

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        """YouTube does not list a channel's subscribers; only their (rounded) number."""
        return FollowerPage(followers=[], cursor=None, total=self.account_metrics().followers)


def _count(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
