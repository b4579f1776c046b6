"""The one protocol every network adapter implements, and the capability declarations.

Only code under `socialdesk/networks/` talks to a network. The rest of the product asks an adapter
what it can do (`Capabilities`) and adapts: the composer validates against `TextRules` and
`MediaRules`, the inbox offers "hide" only where `hide_comments` is true, and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol


class TextCounting(StrEnum):
    """How a network counts the length of a text."""

    GRAPHEMES = "graphemes"  # user-perceived characters (Bluesky, Mastodon, Instagram, most)
    CODEPOINTS = "codepoints"  # Unicode code points (Telegram)
    X_WEIGHTED = "x_weighted"  # twitter-text v3: CJK and emoji weigh 2, URLs 23
    UTF8_EMOJI = "utf8_emoji"  # Threads: characters, but an emoji counts as its UTF-8 bytes


class MediaKind(StrEnum):
    IMAGE = "image"
    GIF = "gif"
    VIDEO = "video"


class IdempotencyMethod(StrEnum):
    """How an adapter avoids a duplicate post when a try is repeated."""

    KEY = "key"  # the network de-duplicates requests carrying the same key
    LOOKUP = "lookup"  # we look for the post among the account's recent posts before retrying
    NONE = "none"


@dataclass(frozen=True)
class TextRules:
    limit: int
    counting: TextCounting = TextCounting.GRAPHEMES
    url_length: int | None = None  # a URL counts as this many characters (X, Mastodon: 23)
    byte_limit: int | None = None  # a cap on UTF-8 bytes as well (Bluesky: 3000)
    caption_limit: int | None = None  # the limit when media is attached (Telegram: 1024)
    required: bool = False  # a post must have text (title-less networks do not)
    hashtag_limit: int | None = None  # at most this many #hashtags (Instagram: 30)
    mention_limit: int | None = None  # at most this many @mentions (Instagram: 20)


@dataclass(frozen=True)
class MediaRules:
    kinds: frozenset[MediaKind] = frozenset()
    max_count: int = 0
    max_image_bytes: int | None = None
    max_image_pixels: int | None = None  # width × height an image may have on this network
    max_gif_bytes: int | None = None
    max_video_bytes: int | None = None
    max_video_seconds: float | None = None
    required: bool = False  # Instagram, TikTok, YouTube: no text-only posts
    # X, Bluesky: images may come several at once, but a video or GIF comes alone.
    video_alone: bool = False
    image_types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
    video_types: frozenset[str] = frozenset({"video/mp4", "video/quicktime", "video/webm"})


@dataclass(frozen=True)
class RateLimit:
    """How many posts a channel may send per window, as the network states it."""

    posts: int
    per_seconds: int


@dataclass(frozen=True)
class PublishOption:
    """A choice a network offers for each publication (YouTube's privacy, Instagram's story or reel, a first
    comment): the composer shows it for the channel, the API and CLI take it by `name`, and the adapter reads
    it from `OutgoingPost.options`."""

    name: str
    label: str
    kind: str = "text"  # text, textarea, select, bool, number, datetime
    choices: tuple[str, ...] = ()
    help: str = ""
    default: Any = None
    max_length: int | None = None  # text and textarea


# A comment the account itself writes under its post right after publishing it (Capabilities.options).
FIRST_COMMENT = PublishOption("first_comment", "First comment", kind="textarea", max_length=10_000,
                              help="Posted under the post right after it goes out; its outcome is shown apart.")


POST_METRICS = ("impressions", "reach", "views", "likes", "reposts", "comments", "saves", "clicks", "quotes")
ACCOUNT_METRICS = ("followers", "following", "posts")


@dataclass(frozen=True)
class Capabilities:
    label: str  # what the user sees: "Instagram-like sandbox", "Mastodon"
    text: TextRules
    media: MediaRules = MediaRules()
    threads: bool = False
    polls: bool = False
    comments: bool = True
    reply: bool = True
    like_comments: bool = False
    hide_comments: bool = False
    delete_comments: bool = False
    block_authors: bool = False  # block (ban) a person from the account's comments and messages
    direct_messages: bool = False
    native_scheduling: bool = False
    post_metrics: frozenset[str] = frozenset()
    account_metrics: frozenset[str] = frozenset()
    idempotency: IdempotencyMethod = IdempotencyMethod.NONE
    rate_limit: RateLimit | None = None
    # What each publish costs the operator where the network bills per request (X), shown by the composer
    # beside the channel (Capabilities.to_dict() reaches it with the channel's capabilities); "" for free.
    cost_note: str = ""
    # A blog: every post has a title (at most `title_limit` characters) and a page of its own, which the
    # post's publications on other channels link to once it is published (content/bloglink.py).
    blog: bool = False
    title_limit: int | None = None
    # Per-publication choices this channel offers (see PublishOption).
    options: tuple[PublishOption, ...] = ()
    # Direct messages can be answered only this long after the person's last message (Messenger's and
    # Instagram's 24-hour standard messaging window); None: no such limit. The inbox can say so.
    messaging_window_hours: int | None = None
    # Composer features (docs/composer.md): a content warning readers click through (Mastodon's spoiler
    # text), the audiences a post may be limited to, a native poll's limits, and whether the publisher
    # posts the `first_comment` option as a reply step of its own (True) or the adapter does in publish().
    content_warnings: bool = False
    visibilities: tuple[str, ...] = ()
    poll_max_options: int = 4
    poll_option_length: int = 50
    first_comment_step: bool = False
    thread_max_parts: int = 25

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if isinstance(value, frozenset):
                return sorted(str(v) for v in value)
            if hasattr(value, "__dataclass_fields__"):
                return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
            return value

        return plain(self)


# What goes out ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMedia:
    path: Path
    kind: MediaKind
    content_type: str
    size_bytes: int
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    # Where a crop should stay centred, x and y from -1 to 1 with 0,0 the middle (Mastodon's focus).
    focus: tuple[float, float] | None = None


@dataclass(frozen=True)
class OutgoingPoll:
    options: Sequence[str]
    expires_in_seconds: int = 24 * 3600
    multiple: bool = False  # voters may pick several options


@dataclass(frozen=True)
class OutgoingPost:
    text: str
    media: Sequence[OutgoingMedia] = ()
    # The publication's id: stable across every try of the same publication, so a network (or our
    # look-up) can recognise a repeat.
    idempotency_key: str = ""
    language: str | None = None
    reply_to_external_id: str | None = None
    # What readers see before they open the text (Mastodon's spoiler_text); "" for none.
    content_warning: str = ""
    poll: OutgoingPoll | None = None
    # Who may see it where a network asks (Mastodon: public, unlisted, private, direct); None: the channel's
    # default.
    visibility: str | None = None
    # Blogs only (Capabilities.blog): the headline, tag and category names, and how the post is left
    # there: published now, kept as a draft, or scheduled on the blog itself for `publish_at`.
    title: str = ""
    tags: Sequence[str] = ()
    categories: Sequence[str] = ()
    as_draft: bool = False
    publish_at: datetime | None = None
    # The publication's values for the channel's `Capabilities.options`, checked against them, by name.
    options: Mapping[str, Any] = field(default_factory=dict)
    # The account's own comment under `reply_to_external_id` (a first comment), not a part of a thread:
    # networks where both are replies treat it as one; others post it as a comment.
    comment: bool = False


@dataclass(frozen=True)
class PublishedPost:
    external_id: str
    url: str | None
    published_at: datetime


# What comes in ---------------------------------------------------------------------------------


class IncomingKind(StrEnum):
    COMMENT = "comment"  # a comment on (or reply under) one of the channel's posts
    MENTION = "mention"
    DIRECT_MESSAGE = "direct_message"


@dataclass(frozen=True)
class IncomingItem:
    external_id: str
    kind: IncomingKind
    text: str
    created_at: datetime
    author_external_id: str
    author_handle: str
    author_name: str = ""
    post_external_id: str | None = None  # the channel's post this belongs to, when there is one
    parent_external_id: str | None = None  # the item this replies to, for threading
    language: str | None = None  # as the network reports it, when it does
    url: str | None = None
    ad_comment: bool = False  # under an ad (a Meta dark post): shown marked, and filterable, in the inbox


@dataclass(frozen=True)
class InboxPage:
    items: list[IncomingItem]
    cursor: str | None  # pass back to fetch only what is newer


@dataclass(frozen=True)
class PostMetrics:
    """Totals at `collected_at`. None means the network does not offer the number (never a zero)."""

    collected_at: datetime
    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None
    saves: int | None = None
    clicks: int | None = None
    quotes: int | None = None
    # A native poll's votes per option, in the options' order; None where the post has no poll or the
    # network does not say.
    poll_votes: Sequence[int] | None = None


@dataclass(frozen=True)
class AccountMetrics:
    collected_at: datetime
    followers: int | None = None
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True)
class Follower:
    external_id: str
    handle: str
    name: str = ""
    followed_at: datetime | None = None


@dataclass(frozen=True)
class FollowerPage:
    followers: list[Follower]
    cursor: str | None
    total: int | None = None


# Errors ----------------------------------------------------------------------------------------


class NetworkError(Exception):
    """A network said no. `network_message` is the network's own text, shown to the user as is."""

    transient: ClassVar[bool] = False

    def __init__(self, network_message: str, *, status_code: int | None = None,
                 retry_after: float | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(network_message)
        self.network_message = network_message
        self.status_code = status_code
        self.retry_after = retry_after
        self.details = details or {}


class TransientNetworkError(NetworkError):
    """Safe to try again later: 5xx, connection refused before the request was sent, timeouts on reads."""

    transient = True


class RateLimited(TransientNetworkError):
    """429 or the network's own rate-limit answer; `retry_after` says when to come back."""


class PermanentNetworkError(NetworkError):
    """Trying again will not help: the post breaks the network's rules, the object is gone."""


class AuthError(PermanentNetworkError):
    """The credentials were revoked or expired and cannot be refreshed: the channel needs reconnecting."""


class OutcomeUnknown(NetworkError):
    """The request went out and no answer came back: the post may or may not exist on the network."""


# The protocol ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelAccount:
    """What an adapter needs to act for one connected account."""

    channel_id: str
    external_id: str
    handle: str
    credentials: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


class NetworkAdapter(Protocol):
    network: ClassVar[str]

    def capabilities(self) -> Capabilities: ...

    def publish(self, post: OutgoingPost) -> PublishedPost: ...

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        """Look for a post that an earlier, unconfirmed try may have created."""
        ...

    def delete(self, external_id: str) -> None: ...

    def fetch_inbox(self, cursor: str | None) -> InboxPage: ...

    def reply(self, item_external_id: str, text: str) -> str:
        """Answer a comment or message; returns the reply's external id."""
        ...

    def hide(self, item_external_id: str) -> None: ...

    # Moderation beyond hiding: offered where the capabilities say so (like_comments, hide_comments,
    # delete_comments, block_authors); an adapter without them raises PermanentNetworkError.

    def unhide(self, item_external_id: str) -> None: ...

    def like(self, item_external_id: str) -> None: ...

    def unlike(self, item_external_id: str) -> None: ...

    def delete_comment(self, item_external_id: str) -> None: ...

    def block(self, author_external_id: str) -> None: ...

    def unblock(self, author_external_id: str) -> None: ...

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]: ...

    def account_metrics(self) -> AccountMetrics: ...

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage: ...

    def credentials_expire_at(self) -> datetime | None:
        """When the stored access token stops working; None when it does not expire (Mastodon)."""
        ...

    def refresh_credentials(self) -> dict[str, Any]:
        """New credentials from the refresh token (which some networks rotate and allow once).

        Raises AuthError when the network refuses: the account must be reconnected by a person.
        """
        ...
