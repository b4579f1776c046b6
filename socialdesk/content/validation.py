"""Does a publication fit its channel? Pure checks of text and media against `Capabilities`.

No database and no I/O: the composer calls this on every keystroke, and publishing calls it once
more before anything goes out. Each problem has a stable `code` for programs and a `message` for
people that names the channel, says what is wrong and what to do about it.

Sizes are shown as the network writes its limit: "1 MB" for Bluesky's 1,000,000 bytes, "5 MB" for
X's 5,242,880.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from socialdesk.networks.base import Capabilities, MediaKind, MediaRules, OutgoingMedia, TextCounting, TextRules
from socialdesk.text.counting import TextCount, count

ProblemField = Literal["text", "media", "title", "options", "thread", "poll", "content_warning", "visibility"]

_KIND_NAMES = {MediaKind.IMAGE: "image", MediaKind.GIF: "GIF", MediaKind.VIDEO: "video"}
_KIND_ORDER = (MediaKind.IMAGE, MediaKind.GIF, MediaKind.VIDEO)
_TYPE_NAMES = {
    "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF", "image/heic": "HEIC",
    "image/heif": "HEIF", "image/avif": "AVIF", "image/bmp": "BMP", "image/tiff": "TIFF",
    "video/mp4": "MP4", "video/quicktime": "MOV", "video/webm": "WebM", "video/x-msvideo": "AVI",
    "video/x-matroska": "MKV", "video/mpeg": "MPEG", "video/3gpp": "3GP", "video/x-flv": "FLV",
}


@dataclass(frozen=True)
class MediaInfo:
    kind: MediaKind
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None  # None when unknown: the duration check is then skipped
    filename: str = ""

    @classmethod
    def from_outgoing(cls, media: OutgoingMedia) -> MediaInfo:
        return cls(kind=media.kind, content_type=media.content_type, size_bytes=media.size_bytes,
                   width=media.width, height=media.height, duration_seconds=media.duration_seconds,
                   filename=media.path.name)


@dataclass(frozen=True)
class Problem:
    code: str  # stable, for programs: "text_too_long", "media_too_large", ...
    field: ProblemField
    message: str  # for people: what is wrong on which channel, and what to do
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ValidationReport:
    problems: list[Problem]
    count: TextCount

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problems": [asdict(p) for p in self.problems], "count": asdict(self.count)}


def validate_publication(text: str, media: Sequence[MediaInfo], caps: Capabilities, *,
                         channel_name: str, title: str | None = None,
                         options: Mapping[str, Any] | None = None) -> ValidationReport:
    """Every way `text` with `media` (and `title`, on a blog) breaks the rules of `caps`, for the channel
    named `channel_name`."""
    where = f'{caps.label} "{channel_name}"'
    text_count = count(text, caps.text, has_media=bool(media))
    problems: list[Problem] = []
    has_text = bool(text.strip())
    if not has_text and not media:
        problems.append(Problem("empty_post", "text", f"The post for {where} is empty. "
                                "Write some text or attach media."))
    if not has_text and caps.text.required:
        problems.append(Problem("text_required", "text", f"{where} needs text with every post. "
                                "Write text for this channel."))
    if caps.blog:
        problems += _title_problems(title or "", caps, where)
    problems += _text_problems(text_count, caps.text, where)
    problems += _tag_problems(text, caps.text, where)
    problems += _media_problems(media, caps.media, where)
    if options:
        from socialdesk.content.options import clean

        problems += clean(options, caps, where)[1]
    return ValidationReport(problems=problems, count=text_count)


# Title (blogs) ---------------------------------------------------------------------------------


def _title_problems(title: str, caps: Capabilities, where: str) -> list[Problem]:
    title = title.strip()
    if not title:
        return [Problem("title_required", "title", f"{where} is a blog: its post needs a title. "
                        "Write the title in this channel's box in the composer.")]
    if caps.title_limit is not None and len(title) > caps.title_limit:
        over = len(title) - caps.title_limit
        return [Problem("title_too_long", "title",
                        f"The title is {len(title):,} characters; {where} allows {caps.title_limit:,}. "
                        f"Shorten it by {_plural(over, 'character')}.",
                        {"length": len(title), "limit": caps.title_limit})]
    return []


# Text ------------------------------------------------------------------------------------------


def _text_problems(text_count: TextCount, rules: TextRules, where: str) -> list[Problem]:
    problems = []
    if text_count.over_by:
        in_caption = text_count.limit != rules.limit
        problems.append(Problem(
            "text_too_long", "text",
            f"Text is {text_count.length:,} characters{_unit_note(rules)}; {where} allows "
            f"{text_count.limit:,}{' in a caption (text with media)' if in_caption else ''}. "
            f"Shorten it by {_plural(text_count.over_by, 'character')}, "
            "or write a shorter variant for this channel.",
            {"length": text_count.length, "limit": text_count.limit, "over_by": text_count.over_by,
             "counting": str(rules.counting), "caption": in_caption},
        ))
    if text_count.bytes_over_by:
        problems.append(Problem(
            "bytes_too_long", "text",
            f"Text is {text_count.bytes:,} bytes; {where} allows {text_count.byte_limit:,} bytes "
            "(an emoji takes 4 or more, an accented or non-Latin letter 2 or 3). "
            f"Shorten it by {_plural(text_count.bytes_over_by, 'byte')}, "
            "or write a shorter variant for this channel.",
            {"bytes": text_count.bytes, "byte_limit": text_count.byte_limit,
             "over_by": text_count.bytes_over_by},
        ))
    return problems


def _tag_problems(text: str, rules: TextRules, where: str) -> list[Problem]:
    """Networks that cap hashtags and @mentions in a text (Instagram: 30 and 20)."""
    from socialdesk.text.entities import hashtags, mentions

    problems = []
    for code, limit, found, what in (("too_many_hashtags", rules.hashtag_limit, hashtags, "hashtag"),
                                     ("too_many_mentions", rules.mention_limit, mentions, "@mention")):
        if limit is None:
            continue
        number = len(found(text))
        if number > limit:
            problems.append(Problem(code, "text", f"Text has {_plural(number, what)}; {where} allows {limit}. "
                                    f"Remove {_plural(number - limit, what)} (a first comment can carry "
                                    "hashtags).", {"count": number, "limit": limit}))
    return problems


def _unit_note(rules: TextRules) -> str:
    """How the network counted, when that is not what a person would count."""
    link = f"a link counts as {rules.url_length}" if rules.url_length else ""
    if rules.counting is TextCounting.X_WEIGHTED:
        return f" as this network counts them ({link or 'a link counts as 23'}, an emoji or CJK character as 2)"
    if rules.counting is TextCounting.UTF8_EMOJI:
        return f" as this network counts them (an emoji counts as 4 or more{', ' + link if link else ''})"
    return f" ({link})" if link else ""


# Media -----------------------------------------------------------------------------------------


def _media_problems(media: Sequence[MediaInfo], rules: MediaRules, where: str) -> list[Problem]:
    if not media:
        if rules.required:
            accepted = _kinds_phrase(rules.kinds, "or")
            return [Problem("media_required", "media",
                            f"{where} needs at least one {accepted}; it has no text-only posts. "
                            f"Attach {_a(accepted)}.", {"kinds": sorted(rules.kinds)})]
        return []
    if not rules.kinds:
        return [Problem("media_not_supported", "media",
                        f"{where} does not take images or videos. Remove the {_plural(len(media), 'file')}, "
                        "or post them on another channel.", {"count": len(media)})]

    problems = []
    if len(media) > rules.max_count:
        extra = len(media) - rules.max_count
        problems.append(Problem(
            "too_many_media", "media",
            f"{_plural(len(media), 'media file')} attached; {where} allows up to {rules.max_count:,}. "
            f"Remove {extra:,}, or split them across several posts.",
            {"count": len(media), "max_count": rules.max_count},
        ))
    alone = [item for item in media if item.kind in (MediaKind.VIDEO, MediaKind.GIF)]
    if rules.video_alone and alone and len(media) > 1:
        first = alone[0]
        problems.append(Problem(
            "video_not_alone", "media",
            f"{where} takes a video or GIF only on its own, and this post has {_media_summary(media)}. "
            f"Post the {_KIND_NAMES[first.kind]} {_file(first)}separately, or remove the other media.",
            {"kinds": [str(item.kind) for item in media]},
        ))
    for index, item in enumerate(media):
        problems += _item_problems(index, item, rules, where)
    return problems


def _item_problems(index: int, item: MediaInfo, rules: MediaRules, where: str) -> list[Problem]:
    kind = _KIND_NAMES[item.kind]
    name = f'{kind[0].upper()}{kind[1:]} "{item.filename}"' if item.filename else (
        f"The {kind} in position {index + 1}")
    base = {"index": index, "filename": item.filename, "kind": str(item.kind)}
    if item.kind not in rules.kinds:
        ref = f'"{item.filename}"' if item.filename else f"the {kind} in position {index + 1}"
        todo = (f"Convert {ref} to a video, or remove it." if item.kind is MediaKind.GIF
                else f"Remove {ref}, or post it on another channel.")
        return [Problem("media_kind_not_supported", "media",
                        f"{where} takes only {_kinds_phrase(rules.kinds, 'and', plural=True)}, "
                        f"not {kind}s. {todo}", base)]

    problems = []
    types = rules.video_types if item.kind is MediaKind.VIDEO else rules.image_types
    if item.content_type.lower() not in types:
        formats = ", ".join(sorted({_type_name(t) for t in types}))
        problems.append(Problem(
            "content_type_not_supported", "media",
            f"{name} is {_type_name(item.content_type)}; {where} takes "
            f"{'videos' if item.kind is MediaKind.VIDEO else 'images'} as {formats}. Convert it to one of those.",
            {**base, "content_type": item.content_type, "accepted": sorted(types)},
        ))
    max_bytes = _max_bytes(item.kind, rules)
    if max_bytes is not None and item.size_bytes > max_bytes:
        size, limit = _sizes(item.size_bytes, max_bytes)
        problems.append(Problem(
            "media_too_large", "media",
            f"{name} is {size}; {where} takes {kind}s up to {limit}. "
            f"{'Shorten or compress' if item.kind is MediaKind.VIDEO else 'Compress or resize'} it "
            f"below {limit}, or choose a smaller file.",
            {**base, "size_bytes": item.size_bytes, "max_bytes": max_bytes},
        ))
    pixels = item.width * item.height if item.width and item.height else None
    if (item.kind is not MediaKind.VIDEO and rules.max_image_pixels is not None and pixels is not None
            and pixels > rules.max_image_pixels):
        problems.append(Problem(
            "image_too_many_pixels", "media",
            f"{name} is {item.width:,} × {item.height:,} pixels ({pixels / 1e6:.1f} megapixels); {where} takes "
            f"images up to {rules.max_image_pixels / 1e6:.1f} megapixels. Resize it below that.",
            {**base, "width": item.width, "height": item.height, "max_pixels": rules.max_image_pixels},
        ))
    if (item.kind is MediaKind.VIDEO and rules.max_video_seconds is not None
            and item.duration_seconds is not None and item.duration_seconds > rules.max_video_seconds):
        length, limit_text = _durations(item.duration_seconds, rules.max_video_seconds)
        problems.append(Problem(
            "video_too_long", "media",
            f"{name} is {length} long; {where} takes videos up to {limit_text}. "
            f"Trim it to {limit_text} or less.",
            {**base, "duration_seconds": item.duration_seconds, "max_seconds": rules.max_video_seconds},
        ))
    return problems


def _max_bytes(kind: MediaKind, rules: MediaRules) -> int | None:
    if kind is MediaKind.VIDEO:
        return rules.max_video_bytes
    if kind is MediaKind.GIF and rules.max_gif_bytes is not None:
        return rules.max_gif_bytes
    return rules.max_image_bytes  # a GIF is an image file where the network sets no GIF limit


# Wording ---------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _a(phrase: str) -> str:
    return f"{'an' if phrase[0] in 'aeiou' else 'a'} {phrase}"


def _file(item: MediaInfo) -> str:
    return f'"{item.filename}" ' if item.filename else ""


def _kinds_phrase(kinds: frozenset[MediaKind], conjunction: str, *, plural: bool = False) -> str:
    names = [_KIND_NAMES[k] + ("s" if plural else "") for k in _KIND_ORDER if k in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def _media_summary(media: Sequence[MediaInfo]) -> str:
    counts = [(k, sum(1 for item in media if item.kind is k)) for k in _KIND_ORDER]
    parts = [f"{n} {_KIND_NAMES[k]}{'' if n == 1 else 's'}" for k, n in counts if n]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _type_name(content_type: str) -> str:
    if not content_type:
        return "of an unknown format"
    return _TYPE_NAMES.get(content_type.lower(), content_type)


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """Both sizes, readable, in the base the limit was written in, never the same text for two numbers.

    Networks write "MB" for both 1,000,000 bytes (Bluesky) and 1,048,576 (X, Mastodon); showing the
    limit as they write it ("5 MB", not "5.2 MB") lets the user match it with the network's help page.
    """
    base = 1024 if limit % (1024 * 1024) == 0 else 1000
    readable = _size(size, base), _size(limit, base)
    return readable if readable[0] != readable[1] else (f"{size:,} bytes", f"{limit:,} bytes")


def _size(n: int, base: int) -> str:
    for unit, scale in (("GB", base**3), ("MB", base**2), ("KB", base)):
        if n >= scale:
            value = n / scale
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.1f}".removesuffix(".0") + f" {unit}"
    return _plural(n, "byte")


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(p for p in parts if p)


def _durations(length: float, limit: float) -> tuple[str, str]:
    """Both durations, readable, yet never the same text for two different numbers."""
    readable = _duration(length), _duration(limit)
    return readable if readable[0] != readable[1] else (f"{length:g} s", f"{limit:g} s")
