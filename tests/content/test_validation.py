"""Validating a publication against its channel's capabilities."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from socialdesk.content.validation import MediaInfo, validate_publication
from socialdesk.networks.base import MediaKind, MediaRules, OutgoingMedia, TextRules
from socialdesk.networks.profiles import profile

MiB = 1024 * 1024
INSTAGRAM_LIKE = replace(profile("instagram"), label="Instagram-like sandbox")
X = profile("x")
BLUESKY = profile("bluesky")
MASTODON = profile("mastodon")
TELEGRAM = profile("telegram")
FAMILY = "👨\u200d👩\u200d👧\u200d👦"


def image(filename: str = "plaza.jpg", size: int = 300_000, content_type: str = "image/jpeg") -> MediaInfo:
    return MediaInfo(kind=MediaKind.IMAGE, content_type=content_type, size_bytes=size, width=1080, height=1350,
                     filename=filename)


def video(filename: str = "reel.mp4", seconds: float = 30, size: int = 20 * MiB) -> MediaInfo:
    return MediaInfo(kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=size, width=1080, height=1920,
                     duration_seconds=seconds, filename=filename)


def gif(filename: str = "wave.gif", size: int = 2 * MiB) -> MediaInfo:
    return MediaInfo(kind=MediaKind.GIF, content_type="image/gif", size_bytes=size, filename=filename)


def test_a_fitting_post_is_ok() -> None:
    report = validate_publication("Ljeto u Zagrebu ☀️ #ljeto2026", [image()], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert report.ok and report.problems == []
    assert report.count.length == 28


def test_text_too_long_says_by_how_much_and_what_to_do() -> None:
    report = validate_publication("a" * 2315, [image()], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert report.codes == ["text_too_long"]
    problem = report.problems[0]
    assert problem.field == "text"
    assert problem.message == (
        'Text is 2,315 characters; Instagram-like sandbox "Brand IG" allows 2,200. '
        "Shorten it by 115 characters, or write a shorter variant for this channel."
    )
    assert problem.details == {"length": 2315, "limit": 2200, "over_by": 115, "counting": "graphemes",
                               "caption": False}


def test_exactly_at_the_limit_passes_and_one_over_fails() -> None:
    assert validate_publication("ž" * 2200, [image()], INSTAGRAM_LIKE, channel_name="Brand IG").ok
    over = validate_publication("ž" * 2201, [image()], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert over.codes == ["text_too_long"]
    assert "Shorten it by 1 character," in over.problems[0].message


def test_emoji_at_the_x_boundary() -> None:
    assert validate_publication("a" * 278 + "🎉", [], X, channel_name="Brand X").ok
    over = validate_publication("a" * 279 + "🎉", [], X, channel_name="Brand X")
    assert over.codes == ["text_too_long"]
    assert "281 characters as this network counts them" in over.problems[0].message
    assert "an emoji or CJK character as 2" in over.problems[0].message


def test_x_counts_a_long_link_as_23() -> None:
    link = "https://primjer.hr/blog/ljetna-akcija?utm_source=x&utm_campaign=" + "ljeto" * 40
    assert validate_publication("a" * 256 + " " + link, [], X, channel_name="Brand X").ok
    assert validate_publication("a" * 257 + " " + link, [], X, channel_name="Brand X").codes == ["text_too_long"]


def test_mastodon_counts_a_long_link_as_23() -> None:
    link = "https://mastodon.social/@brand/" + "1" * 120
    assert validate_publication("č" * 476 + " " + link, [], MASTODON, channel_name="Brand M").ok
    over = validate_publication("č" * 477 + " " + link, [], MASTODON, channel_name="Brand M")
    assert "501 characters (a link counts as 23)" in over.problems[0].message


def test_bluesky_bytes_fail_where_graphemes_pass() -> None:
    report = validate_publication(FAMILY * 200, [], BLUESKY, channel_name="Brand Sky")
    assert report.count.length == 200
    assert report.codes == ["bytes_too_long"]
    assert report.problems[0].message.startswith('Text is 5,000 bytes; Bluesky "Brand Sky" allows 3,000 bytes')
    assert "Shorten it by 2,000 bytes" in report.problems[0].message


def test_bluesky_graphemes_over() -> None:
    report = validate_publication("Ђ" * 301, [], BLUESKY, channel_name="Brand Sky")
    assert report.codes == ["text_too_long"]  # 602 bytes is well within 3,000


def test_telegram_caption_limit_with_media() -> None:
    text = "Novi broj je vani! " + "č" * 1006  # 1,025 characters
    assert validate_publication(text, [], TELEGRAM, channel_name="News").ok
    report = validate_publication(text, [image()], TELEGRAM, channel_name="News")
    assert report.count.limit == 1024
    assert report.codes == ["text_too_long"]
    assert 'Telegram channel "News" allows 1,024 in a caption (text with media)' in report.problems[0].message
    assert report.problems[0].details["caption"] is True


def test_instagram_without_media_fails() -> None:
    report = validate_publication("Samo tekst", [], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert report.codes == ["media_required"]
    assert report.problems[0].field == "media"
    assert report.problems[0].message == (
        'Instagram-like sandbox "Brand IG" needs at least one image or video; it has no text-only posts. '
        "Attach an image or video."
    )


def test_youtube_needs_a_video() -> None:
    report = validate_publication("Opis", [image("thumb.jpg")], profile("youtube"), channel_name="Vlog")
    assert report.codes == ["media_kind_not_supported"]
    assert report.problems[0].message == (
        'YouTube "Vlog" takes only videos, not images. Remove "thumb.jpg", or post it on another channel.')


def test_x_video_plus_image_fails() -> None:
    report = validate_publication("Pogledajte!", [video("clip.mp4"), image("poster.jpg")], X, channel_name="Brand X")
    assert report.codes == ["video_not_alone"]
    assert report.problems[0].message == (
        'X "Brand X" takes a video or GIF only on its own, and this post has 1 image and 1 video. '
        'Post the video "clip.mp4" separately, or remove the other media.'
    )


def test_x_gif_plus_image_fails_but_four_images_pass() -> None:
    assert validate_publication("", [gif(), image()], X, channel_name="Brand X").codes == ["video_not_alone"]
    assert validate_publication("", [image(f"{i}.jpg") for i in range(4)], X, channel_name="Brand X").ok


def test_too_many_media() -> None:
    report = validate_publication("Galerija", [image(f"{i}.jpg") for i in range(6)], X, channel_name="Brand X")
    assert report.codes == ["too_many_media"]
    assert report.problems[0].message == (
        '6 media files attached; X "Brand X" allows up to 4. Remove 2, or split them across several posts.')


def test_a_20_mb_image_on_bluesky_fails_with_a_size_message() -> None:
    report = validate_publication("Plaža", [image("beach.jpg", size=20_000_000)], BLUESKY, channel_name="Brand Sky")
    assert report.codes == ["media_too_large"]
    problem = report.problems[0]
    assert problem.message == (
        'Image "beach.jpg" is 20 MB; Bluesky "Brand Sky" takes images up to 1 MB. '
        "Compress or resize it below 1 MB, or choose a smaller file."
    )
    assert problem.details == {"index": 0, "filename": "beach.jpg", "kind": "image", "size_bytes": 20_000_000,
                               "max_bytes": 1_000_000}


def test_size_exactly_at_the_limit_passes_and_a_byte_over_is_spelt_out() -> None:
    assert validate_publication("", [image(size=1_000_000)], BLUESKY, channel_name="Sky").ok
    report = validate_publication("", [image(size=1_000_001)], BLUESKY, channel_name="Sky")
    assert "is 1,000,001 bytes" in report.problems[0].message
    assert "up to 1,000,000 bytes" in report.problems[0].message


def test_sizes_use_the_networks_own_megabytes() -> None:
    report = validate_publication("", [image("a.png", size=6 * MiB, content_type="image/png")], X,
                                  channel_name="Brand X")
    assert 'Image "a.png" is 6 MB; X "Brand X" takes images up to 5 MB.' in report.problems[0].message
    big = validate_publication("", [video(size=700 * MiB)], X, channel_name="Brand X")
    assert "is 700 MB" in big.problems[0].message and "up to 512 MB" in big.problems[0].message


def test_video_too_long() -> None:
    assert validate_publication("", [video(seconds=140)], X, channel_name="Brand X").ok
    report = validate_publication("", [video(seconds=200)], X, channel_name="Brand X")
    assert report.codes == ["video_too_long"]
    assert report.problems[0].message == (
        'Video "reel.mp4" is 3 min 20 s long; X "Brand X" takes videos up to 2 min 20 s. '
        "Trim it to 2 min 20 s or less.")
    nearly = validate_publication("", [video(seconds=140.4)], X, channel_name="Brand X")
    assert "is 140.4 s long" in nearly.problems[0].message  # not "2 min 20 s" twice


def test_unknown_duration_is_not_guessed() -> None:
    clip = MediaInfo(kind=MediaKind.VIDEO, content_type="video/mp4", size_bytes=MiB)
    assert validate_publication("", [clip], X, channel_name="Brand X").ok


def test_content_type_not_supported() -> None:
    report = validate_publication("Ljeto", [image("poster.png", content_type="image/png")], INSTAGRAM_LIKE,
                                  channel_name="Brand IG")
    assert report.codes == ["content_type_not_supported"]
    assert report.problems[0].message == (
        'Image "poster.png" is PNG; Instagram-like sandbox "Brand IG" takes images as JPEG. '
        "Convert it to one of those.")


def test_gif_not_supported_on_instagram() -> None:
    report = validate_publication("Hi", [gif()], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert report.codes == ["media_kind_not_supported"]
    assert report.problems[0].message == (
        'Instagram-like sandbox "Brand IG" takes only images and videos, not GIFs. '
        'Convert "wave.gif" to a video, or remove it.')


def test_unnamed_media_is_named_by_position() -> None:
    unnamed = MediaInfo(kind=MediaKind.IMAGE, content_type="image/jpeg", size_bytes=2_000_000)
    report = validate_publication("", [image(), unnamed], BLUESKY, channel_name="Sky")
    assert report.problems[0].message.startswith("The image in position 2 is 2 MB;")
    assert report.problems[0].details["index"] == 1


def test_empty_post() -> None:
    report = validate_publication(" \n\t", [], MASTODON, channel_name="Brand M")
    assert report.codes == ["empty_post"]
    assert report.problems[0].message == 'The post for Mastodon "Brand M" is empty. Write some text or attach media.'
    assert validate_publication("", [image()], MASTODON, channel_name="Brand M").ok  # media alone is a post


def test_empty_post_on_a_media_network_says_both() -> None:
    report = validate_publication("", [], INSTAGRAM_LIKE, channel_name="Brand IG")
    assert report.codes == ["empty_post", "media_required"]


def test_text_required() -> None:
    caps = replace(MASTODON, text=replace(MASTODON.text, required=True))
    report = validate_publication("", [image()], caps, channel_name="Brand M")
    assert report.codes == ["text_required"]
    assert 'Mastodon "Brand M" needs text with every post.' in report.problems[0].message


def test_media_on_a_network_without_media() -> None:
    caps = replace(MASTODON, media=MediaRules())
    report = validate_publication("Hi", [image(), image()], caps, channel_name="Text only")
    assert report.codes == ["media_not_supported"]
    assert "Remove the 2 files" in report.problems[0].message


def test_several_problems_are_all_reported() -> None:
    media = [video("clip.mp4", seconds=600, size=600 * MiB), image("a.bmp", content_type="image/bmp"),
             *(image(f"{i}.jpg") for i in range(3))]
    report = validate_publication("日" * 150, media, X, channel_name="Brand X")
    assert report.codes == ["text_too_long", "too_many_media", "video_not_alone", "media_too_large",
                            "video_too_long", "content_type_not_supported"]
    assert not report.ok


def test_report_serialises() -> None:
    report = validate_publication("a" * 301, [], BLUESKY, channel_name="Sky")
    body = json.loads(json.dumps(report.to_dict()))
    assert body["ok"] is False
    assert body["problems"][0]["code"] == "text_too_long"
    assert body["count"] == {"length": 301, "limit": 300, "bytes": 301, "byte_limit": 3000, "over_by": 1,
                             "remaining": 0, "ok": False}


def test_media_info_from_outgoing_media() -> None:
    outgoing = OutgoingMedia(path=Path("/srv/media/ab/plaza.jpg"), kind=MediaKind.IMAGE, content_type="image/jpeg",
                             size_bytes=1234, width=10, height=20)
    assert MediaInfo.from_outgoing(outgoing) == MediaInfo(kind=MediaKind.IMAGE, content_type="image/jpeg",
                                                          size_bytes=1234, width=10, height=20, filename="plaza.jpg")


def test_generic_profile_accepts_plain_posts() -> None:
    assert validate_publication("Novi članak na blogu", [], profile("generic"), channel_name="Blog").ok
    assert TextRules(limit=1).required is False
