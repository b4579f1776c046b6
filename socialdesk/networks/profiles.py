"""What each network allows: the best facts in the team's research notes (shared/research/networks.md,
snapshots of 2025-12 to 2026-11) and in the networks' own sources.

Comments mark how sure a number is, as networks.md does: no mark = read in the network's own docs,
schema or reference source; (S) = only in third-party material; (U) = unconfirmed (background
knowledge, or the sources disagree). Where a limit is per server or per account (Mastodon's instance
configuration, TikTok's `creator_info`), the value here is the default, and an adapter should narrow
it with what the network reports at run time.

Byte sizes are written exactly when the network gives bytes, as MiB when it writes "MB" for a binary
size (X's 5 MB is 5,242,880 bytes), and as decimal MB when the unit is unclear: the smaller reading,
so that we warn rather than have the network refuse.

`metrics` names come from POST_METRICS / ACCOUNT_METRICS. The networks' "shares" (Facebook,
Instagram, LinkedIn, TikTok, YouTube) are recorded as `reposts`, the nearest name there.
"""

from __future__ import annotations

from socialdesk.core.errors import NotFound
from socialdesk.networks.base import (
    ACCOUNT_METRICS,
    POST_METRICS,
    Capabilities,
    IdempotencyMethod,
    MediaKind,
    MediaRules,
    RateLimit,
    TextCounting,
    TextRules,
)

MB = 1_000_000
MiB = 1024 * 1024
GiB = 1024 * MiB
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

IMAGE = MediaKind.IMAGE
GIF = MediaKind.GIF
VIDEO = MediaKind.VIDEO

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF_TYPE = "image/gif"
MP4 = "video/mp4"
MOV = "video/quicktime"
WEBM = "video/webm"


def _metrics(names: str, allowed: tuple[str, ...]) -> frozenset[str]:
    chosen = frozenset(names.split())
    unknown = chosen - set(allowed)
    if unknown:  # a typo here would silently hide a metric from every report
        raise ValueError(f"unknown metric names {sorted(unknown)}; known: {', '.join(allowed)}")
    return chosen


def post_metrics(names: str) -> frozenset[str]:
    return _metrics(names, POST_METRICS)


def account_metrics(names: str) -> frozenset[str]:
    return _metrics(names, ACCOUNT_METRICS)


NETWORK_PROFILES: dict[str, Capabilities] = {
    "instagram": Capabilities(
        label="Instagram",
        # caption: "Maximum 2200 characters, 30 hashtags, and 20 @ tags" (IG User Media reference); unit
        # undocumented, graphemes assumed
        text=TextRules(limit=2_200, hashtag_limit=30, mention_limit=20),
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),  # every feed video is published as a Reel
            max_count=10,  # carousel: up to 10 images, videos or a mix (IG User Media reference)
            max_image_bytes=8 * MB,  # (S)
            max_video_bytes=300 * MB,  # Reels (S; a localized doc says 1 GB, U)
            max_video_seconds=15 * MINUTE,  # Reels 3 s to 15 min (S)
            required=True,  # no text-only posts through the API
            image_types=frozenset({JPEG}),  # (S) the Content Publishing API takes JPEG only
            video_types=frozenset({MP4, MOV}),  # (U)
        ),
        comments=True,
        reply=True,  # top-level comments only
        hide_comments=True,  # POST /{ig-comment-id}?hide=true
        delete_comments=True,
        direct_messages=True,  # Instagram Messaging API
        post_metrics=post_metrics("reach views likes comments saves reposts"),  # reposts = shares
        # followers_count, follows_count and media_count on the IG user (U for follows/media_count)
        account_metrics=account_metrics("followers following posts"),
        idempotency=IdempotencyMethod.LOOKUP,
        # 50 API-published posts per rolling 24 h, a carousel counting as one (IG User Media Publish reference;
        # content_publishing_limit's sample answer has quota_total 50; third parties say 100): the adapter
        # reads content_publishing_limit at run time.
        rate_limit=RateLimit(posts=50, per_seconds=DAY),
    ),
    "x": Capabilities(
        label="X",
        # 280 weighted characters; a URL weighs 23 (t.co), CJK and emoji 2 (counting-characters docs)
        text=TextRules(limit=280, counting=TextCounting.X_WEIGHTED, url_length=23),
        media=MediaRules(
            kinds=frozenset({IMAGE, GIF, VIDEO}),
            max_count=4,  # 4 photos, or 1 GIF, or 1 video
            max_image_bytes=5 * MiB,
            max_gif_bytes=15 * MiB,
            max_video_bytes=512 * MiB,
            max_video_seconds=140,  # 0.5-140 s; longer only for Premium / amplify_video (U)
            video_alone=True,
            image_types=frozenset({JPEG, PNG, GIF_TYPE, WEBP}),
            video_types=frozenset({MP4, MOV}),  # H.264; MOV (U)
        ),
        threads=True,  # reply.in_reply_to_tweet_id
        polls=True,
        like_comments=True,  # POST /2/users/{id}/likes (U: not in networks.md)
        hide_comments=True,  # PUT /2/tweets/{id}/hidden, in conversations the user started
        delete_comments=False,  # only one's own posts
        direct_messages=True,
        # public_metrics (bookmark_count as saves) and /2/tweets/analytics (UrlClicks as clicks)
        post_metrics=post_metrics("impressions likes reposts comments quotes saves clicks"),
        account_metrics=account_metrics("followers following posts"),  # user public_metrics
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=RateLimit(posts=100, per_seconds=15 * MINUTE),  # POST /2/tweets per user
    ),
    "bluesky": Capabilities(
        label="Bluesky",
        text=TextRules(limit=300, counting=TextCounting.GRAPHEMES, byte_limit=3_000),  # app.bsky.feed.post
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),  # a GIF goes up as a video; not as itself
            max_count=4,  # app.bsky.embed.images
            max_image_bytes=1_000_000,  # lexicon maxSize, bytes
            max_video_bytes=100_000_000,  # app.bsky.embed.video maxSize, bytes
            max_video_seconds=3 * MINUTE,  # (S) announcement 2025-03; getUploadLimits is authoritative
            video_alone=True,  # 4 images or 1 video
            video_types=frozenset({MP4}),
        ),
        threads=True,  # reply.root / reply.parent
        like_comments=True,  # app.bsky.feed.like record
        hide_comments=True,  # threadgate hiddenReplies
        delete_comments=False,
        block_authors=True,  # app.bsky.graph.block record
        direct_messages=True,  # chat.bsky.*
        post_metrics=post_metrics("likes reposts comments quotes saves"),  # no views; saves = bookmarks
        account_metrics=account_metrics("followers following posts"),
        # A deterministic rkey would make createRecord refuse a repeat (KEY-like); until an adapter
        # does that, look the post up.
        idempotency=IdempotencyMethod.LOOKUP,
        # 5,000 write points per hour at 3 per created record; shared with likes, follows, deletes.
        rate_limit=RateLimit(posts=1_666, per_seconds=HOUR),
    ),
    "mastodon": Capabilities(
        label="Mastodon",
        # Instance defaults (configuration.statuses.max_characters, characters_reserved_per_url).
        # Mastodon counts grapheme clusters: StatusLengthValidator's `each_grapheme_cluster.size`.
        text=TextRules(limit=500, counting=TextCounting.GRAPHEMES, url_length=23),
        media=MediaRules(
            kinds=frozenset({IMAGE, GIF, VIDEO}),
            max_count=4,  # max_media_attachments
            max_image_bytes=16_777_216,  # image_size_limit
            max_image_pixels=33_177_600,  # image_matrix_limit (U: instances report their own)
            max_gif_bytes=103_809_024,  # a GIF is transcoded to video and gets the video size limit
            max_video_bytes=103_809_024,  # video_size_limit
            # PostStatusService refuses a video beside anything else (images_and_video). It lets a GIF
            # sit beside images, which MediaRules cannot say, so GIFs are held alone too.
            video_alone=True,
            image_types=frozenset({JPEG, PNG, GIF_TYPE, WEBP, "image/heic", "image/heif", "image/avif"}),
        ),
        threads=True,  # in_reply_to_id
        polls=True,  # not together with media
        content_warnings=True,  # spoiler_text
        visibilities=("public", "unlisted", "private", "direct"),
        like_comments=True,  # favourite
        hide_comments=False,  # no API to hide someone else's reply
        delete_comments=False,  # own statuses only
        block_authors=True,  # POST /api/v1/accounts/:id/block
        direct_messages=True,  # visibility=direct + conversations
        native_scheduling=True,  # scheduled_at, at least 5 minutes ahead
        post_metrics=post_metrics("likes reposts comments quotes"),  # no impressions or reach
        account_metrics=account_metrics("followers following posts"),
        idempotency=IdempotencyMethod.KEY,  # Idempotency-Key header
        rate_limit=RateLimit(posts=300, per_seconds=3 * HOUR),  # RateLimiter family :statuses
    ),
    "facebook": Capabilities(
        label="Facebook Page",
        text=TextRules(limit=63_206),  # brightbean's constant
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),
            max_count=10,  # attached_media multi-photo, as brightbean caps it
            # A video goes through /videos or /video_reels on its own; multi-photo is photos only.
            video_alone=True,
        ),
        like_comments=True,  # POST /{object-id}/likes as the Page (U: not in networks.md)
        hide_comments=True,  # is_hidden
        delete_comments=True,
        block_authors=True,  # POST /{page-id}/blocked (U)
        direct_messages=True,  # Messenger, 24 h window (U)
        native_scheduling=True,  # published=false + scheduled_publish_time
        # post_media_view, post_total_media_view_unique (≈ reach), post_clicks, reactions, shares
        post_metrics=post_metrics("views reach clicks likes comments reposts"),
        account_metrics=account_metrics("followers"),  # followers_count, page_follows
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=None,  # Business Use Case call limits only; 30 API reels / 24 h is for Reels alone
    ),
    "threads": Capabilities(
        label="Threads",
        text=TextRules(limit=500, counting=TextCounting.UTF8_EMOJI),  # emoji count as UTF-8 bytes
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),
            max_count=20,  # carousel of 2-20, mixed images and videos (Meta's Threads API collection)
            max_image_bytes=8 * MB,  # (U)
            max_video_bytes=1_000 * MB,  # (U)
            max_video_seconds=5 * MINUTE,  # (S)
            image_types=frozenset({JPEG, PNG}),  # (U)
            video_types=frozenset({MP4, MOV}),  # (U)
        ),
        threads=True,  # reply_to_id
        polls=True,  # (S) changelog
        hide_comments=True,  # manage_reply, top-level replies
        delete_comments=False,  # own posts only
        direct_messages=False,  # no DM API
        post_metrics=post_metrics("views likes comments reposts quotes"),
        account_metrics=account_metrics("followers"),  # threads_insights followers_count
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=RateLimit(posts=250, per_seconds=DAY),  # a carousel counts as one
    ),
    "linkedin": Capabilities(
        label="LinkedIn",
        text=TextRules(limit=3_000),  # commentary; "little text" escaping is the adapter's job
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),
            max_count=20,  # multiImage 2-20
            max_image_bytes=5 * MB,  # (S)
            max_image_pixels=36_152_319,  # (S) "under 36 M pixels"
            max_video_bytes=500 * MB,  # (S)
            max_video_seconds=30 * MINUTE,  # 3 s to 30 min (S)
            video_alone=True,  # content.media holds one video; multiImage holds images only
            video_types=frozenset({MP4}),  # (S)
        ),
        polls=True,
        like_comments=True,  # /rest/reactions
        hide_comments=False,  # (U) no hide API found
        delete_comments=True,
        direct_messages=False,  # (U) not for general apps
        # organizationalEntityShareStatistics: impressionCount, uniqueImpressionsCount (reach),
        # clickCount, likeCount, commentCount, shareCount
        post_metrics=post_metrics("impressions reach clicks likes comments reposts"),
        account_metrics=account_metrics("followers"),
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=None,  # daily limits per endpoint exist but are not published
    ),
    "telegram": Capabilities(
        label="Telegram channel",
        # 4,096 after entity parsing; 1,024 for a caption. Code points: a live probe measured that
        # 4,096 astral characters (8,192 UTF-16 units) pass (U: others report UTF-16 units).
        text=TextRules(limit=4_096, counting=TextCounting.CODEPOINTS, caption_limit=1_024),
        media=MediaRules(
            kinds=frozenset({IMAGE, GIF, VIDEO}),
            max_count=10,  # sendMediaGroup album of 2-10
            max_image_bytes=10 * MB,  # sendPhoto
            max_gif_bytes=50 * MB,  # cloud Bot API upload cap; a local Bot API server allows 2,000 MB
            max_video_bytes=50 * MB,
            # Albums mix photos and videos; only an animation (GIF) must go alone, which MediaRules
            # cannot say, so nothing is held alone here.
            video_alone=False,
        ),
        polls=True,  # sendPoll
        comments=True,  # in the linked discussion group
        hide_comments=False,
        delete_comments=True,  # deleteMessage in the discussion group, under 48 h
        block_authors=True,  # banChatMember in the discussion group
        direct_messages=False,  # only users who started the bot; not a channel's inbox
        post_metrics=post_metrics("likes"),  # reaction counts only; no views in the Bot API
        account_metrics=account_metrics("followers"),  # getChatMemberCount
        # The Bot API cannot read a channel's history; a lookup sees the post's automatic forward
        # in the linked discussion group.
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=RateLimit(posts=20, per_seconds=MINUTE),  # 20 messages per minute to one group
    ),
    "youtube": Capabilities(
        label="YouTube",
        # The description: 5,000 bytes. The 100-character title is the adapter's to take.
        text=TextRules(limit=5_000, byte_limit=5_000),
        media=MediaRules(
            kinds=frozenset({VIDEO}),
            max_count=1,
            max_video_bytes=256 * GiB,
            required=True,  # no text or image posts through the API
            video_types=frozenset({MP4, MOV, WEBM, "video/x-msvideo", "video/x-matroska", "video/mpeg",
                                   "video/3gpp", "video/x-flv"}),  # video/*
        ),
        hide_comments=True,  # setModerationStatus heldForReview
        delete_comments=True,
        block_authors=True,  # comments.setModerationStatus banAuthor=true
        native_scheduling=True,  # status.publishAt with privacyStatus=private
        post_metrics=post_metrics("views likes comments reposts"),  # reposts = Analytics API shares
        account_metrics=account_metrics("followers posts"),  # subscriberCount, videoCount
        idempotency=IdempotencyMethod.LOOKUP,
        # videos.insert has its own bucket of 100 calls a day, per Google Cloud project: an upper
        # bound for one channel.
        rate_limit=RateLimit(posts=100, per_seconds=DAY),
    ),
    "tiktok": Capabilities(
        label="TikTok",
        text=TextRules(limit=2_200),  # video caption (brightbean); photo title 90 + description 4,000 (S)
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),
            max_count=35,  # photo carousel (S); a video goes alone
            max_video_bytes=4 * GiB,  # (S)
            max_video_seconds=10 * MINUTE,  # 3 s to 10 min (S); creator_info is authoritative
            required=True,  # no text-only posts
            video_alone=True,  # do not mix photos and video
            image_types=frozenset({JPEG, WEBP}),  # (S) no PNG
            video_types=frozenset({MP4, MOV, WEBM}),  # (U)
        ),
        comments=False,  # no comment API outside TikTok API for Business
        reply=False,
        post_metrics=post_metrics("views likes comments reposts"),  # reposts = share_count
        account_metrics=account_metrics("followers following posts"),  # user.info.stats
        idempotency=IdempotencyMethod.LOOKUP,
        # Publish init: 6 requests per minute per user token. A daily per-creator cap exists but is
        # unpublished (spam_risk_too_many_posts; about 15-25 (S)).
        rate_limit=RateLimit(posts=6, per_seconds=MINUTE),
    ),
    "pinterest": Capabilities(
        label="Pinterest",
        text=TextRules(limit=800),  # Pin description; the title (100) is the adapter's to take
        media=MediaRules(
            kinds=frozenset({IMAGE, VIDEO}),
            max_count=5,  # carousel 2-5 images
            max_image_bytes=20 * MB,  # (U)
            max_video_bytes=2 * GiB,  # (U)
            max_video_seconds=15 * MINUTE,  # (U)
            required=True,  # a Pin is an image or a video
            video_alone=True,  # a video Pin holds one video; carousels are images
        ),
        comments=False,  # no comment API in v5
        reply=False,
        # IMPRESSION, SAVE, PIN_CLICK/OUTBOUND_CLICK, TOTAL_COMMENTS, TOTAL_REACTIONS, video views
        post_metrics=post_metrics("impressions saves clicks comments likes views"),
        account_metrics=account_metrics("followers"),  # follower_count
        idempotency=IdempotencyMethod.LOOKUP,
        rate_limit=None,  # request limits only (Trial 1,000/day, Standard 100/s)
    ),
    "vk": Capabilities(
        label="VK community",
        text=TextRules(limit=16_384),  # about 16k (U)
        media=MediaRules(
            kinds=frozenset({IMAGE, GIF, VIDEO}),  # a GIF goes up as a document
            max_count=10,  # attachments (U)
        ),
        polls=True,  # poll attachment
        like_comments=True,  # likes.add (U)
        hide_comments=False,  # no hide: delete or ban
        delete_comments=True,  # wall.deleteComment
        block_authors=True,  # groups.ban (U)
        direct_messages=True,  # community messages
        native_scheduling=True,  # wall.post publish_date
        # likes/reposts/comments/views counters; stats.getPostReach reach_total and links
        post_metrics=post_metrics("views likes reposts comments reach clicks"),
        account_metrics=account_metrics("followers"),  # members_count
        idempotency=IdempotencyMethod.KEY,  # wall.post `guid` de-duplicates a repeated post
        rate_limit=None,  # 3 requests/s for user tokens (S); no stated posting limit
    ),
    # A network without known rules (a blog, a feed, a custom endpoint): generous limits, so that
    # only what is plainly wrong (an empty post) is flagged.
    "generic": Capabilities(
        label="Generic network",
        text=TextRules(limit=100_000),
        media=MediaRules(kinds=frozenset({IMAGE, GIF, VIDEO}), max_count=20),
        comments=False,
        reply=False,
        idempotency=IdempotencyMethod.LOOKUP,
    ),
}


def profile(name: str) -> Capabilities:
    """The capabilities of network `name`; NotFound, listing the known names, for any other."""
    try:
        return NETWORK_PROFILES[name]
    except KeyError:
        known = sorted(NETWORK_PROFILES)
        raise NotFound(
            f"No capability profile for network {name!r}. Known networks: {', '.join(known)}.",
            details={"network": name, "known": known},
        ) from None
