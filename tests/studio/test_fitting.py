"""Fitting images and videos to networks: pixels (crop around a focal point, pad, resize, JPEG, no
location) and the library (originals kept, one copy per network, the copy is what that network gets)."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image

from socialdesk.content import service as content
from socialdesk.content.schemas import PostIn
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.media import service as media
from socialdesk.networks.base import MediaKind
from socialdesk.studio import fitting, video
from socialdesk.studio import service as studio
from socialdesk.studio.specs import parse_aspect, spec_for
from tests.helpers import World, make_world


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=("instagram", "mastodon"))


def _png(size: tuple[int, int], colour: tuple[int, int, int, int] = (200, 30, 30, 128)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_location(size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make: kept
    exif[fitting.GPS_IFD] = {1: "N", 2: (45.0, 48.0, 0.0), 3: "E", 4: (15.0, 58.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


# Pixels -------------------------------------------------------------------------------------------------


def test_the_crop_keeps_the_focal_point_in_the_frame() -> None:
    # A 2000 × 1000 picture cropped to 4:5 around a subject near the right edge.
    left, top, right, bottom = fitting.crop_box(2000, 1000, 4 / 5, (0.9, 0.5))
    assert (right - left, bottom - top) == (800, 1000)
    assert right == 2000 and left <= 1800 <= right
    centred = fitting.crop_box(2000, 1000, 4 / 5)
    assert centred == (600, 0, 1400, 1000)


def test_padding_keeps_the_whole_picture_with_a_colour_or_a_blur() -> None:
    image = Image.new("RGB", (300, 100), (255, 0, 0))
    padded = fitting.pad_to(image, 1.0, "#00ff00")
    assert padded.size == (300, 300)
    assert padded.getpixel((150, 10)) == (0, 255, 0) and padded.getpixel((150, 150)) == (255, 0, 0)
    blurred = fitting.pad_to(image, 1.0, fitting.BLUR)
    assert blurred.size == (300, 300) and blurred.getpixel((150, 10))[1] < 100  # from the red picture


def test_the_plan_says_what_a_network_needs_and_nothing_more() -> None:
    rules = studio.rules_of("instagram")
    tall = fitting.plan(900, 1600, "image/png", 50_000, spec_for("instagram"), rules, fitting.FitRequest())
    assert tall.aspect == pytest.approx(0.8) and tall.jpeg and tall.needed
    assert any("converted to JPEG" in r for r in tall.reasons)
    fine = fitting.plan(1080, 1350, "image/jpeg", 50_000, spec_for("instagram"), rules, fitting.FitRequest())
    assert not fine.needed
    wide = fitting.plan(4000, 1000, "image/jpeg", 50_000, spec_for("instagram"), rules, fitting.FitRequest())
    assert wide.how == fitting.PAD, "a 4:1 panorama cropped to 1.91:1 would lose half of it"
    assert wide.max_width == 1440


def test_bad_requests_are_refused_with_what_to_write() -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        fitting.FitRequest(background="reddish")
    with pytest.raises(ValueError, match="from 0 to 1"):
        fitting.FitRequest(focal=(1.5, 0.2))
    with pytest.raises(ValueError, match="width:height"):
        parse_aspect("tall")
    assert parse_aspect("4:5") == pytest.approx(0.8) and parse_aspect("1.91") == pytest.approx(1.91)


# The library --------------------------------------------------------------------------------------------


def test_an_instagram_png_is_fitted_and_the_copy_is_what_instagram_gets(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        original = media.upload(ctx, "menu.png", _png((900, 1600)), "Our winter menu")
        fits = {f.network: f for f in studio.review(ctx, original.id)}
        assert not fits["instagram"].fits and fits["mastodon"].fits
        assert any("PNG" in p for p in fits["instagram"].problems)
        copy = studio.fit(ctx, original.id, "instagram")
        original_id, copy_id = original.id, copy.id
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        copy = media.get(ctx, copy_id)
        assert (copy.content_type, copy.derived_from_id, copy.fitted_for) == ("image/jpeg", original_id, "instagram")
        assert copy.width / copy.height == pytest.approx(0.8, abs=0.01)
        assert copy.alt_text == "Our winter menu"
        assert media.get(ctx, original_id).content_type == "image/png", "the original is kept"
        assert [a.id for a in media.list_media(ctx)] == [original_id], "copies stay under their original"
        # The composer's check: Instagram gets the copy (no problem), Mastodon the PNG.
        checks = content.check(ctx, PostIn(text="Winter menu", channel_ids=list(world.channels.values()),
                                                media_ids=[original_id]))
        assert all(c.ok for c in checks), [p.message for c in checks for p in c.problems]


def test_fitting_again_replaces_the_copy_and_a_fitting_image_is_left_alone(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        original = media.upload(ctx, "wide.jpg", _jpeg_with_location((1600, 1000)))
        first = studio.fit(ctx, original.id, "instagram", fitting.FitRequest(mode="crop", aspect=1.0, focal=(0.1, 0.5)))
        assert first.width == first.height
        second = studio.fit(ctx, original.id, "instagram", fitting.FitRequest(mode="pad", aspect=0.8,
                                                                              background="blur"))
        assert list(studio.copies_of(ctx, original).values()) == [second]
        with Image.open(media.path_of(second)) as fitted:
            assert not fitting.has_location(fitted), "the copy tells nobody where the photo was taken"
            assert fitted.getexif().get(0x010F) == "Camera maker"
        square = media.upload(ctx, "square.jpg", _square_jpeg())
        with pytest.raises(ValidationFailed, match="already fits"):
            studio.fit(ctx, square.id, "instagram")


def _square_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), (1, 2, 3)).save(out, "JPEG")
    return out.getvalue()


def test_a_focal_point_out_of_range_is_refused(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        asset = media.upload(ctx, "a.png", _png((100, 100)))
        with pytest.raises(ValidationFailed, match="from 0 to 1"):
            studio.set_focal_point(ctx, asset.id, 2, 0.5)
        assert studio.set_focal_point(ctx, asset.id, 0.25, 0.75).focal_x == 0.25


def test_a_viewer_cannot_fit(database: Database, world: World) -> None:
    from socialdesk.core.errors import Forbidden

    with database.unit_of_work() as session:
        asset = media.upload(world.ctx(session, "editor"), "a.png", _png((100, 300)))
        with pytest.raises(Forbidden):
            studio.fit(world.ctx(session, "viewer"), asset.id, "instagram")


# Video --------------------------------------------------------------------------------------------------

needs_ffmpeg = pytest.mark.skipif(not video.available(), reason="ffmpeg is not installed (scripts/fresh-machine-check)")


def _gif() -> bytes:
    frames = [Image.new("P", (64, 48), i * 40) for i in range(4)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


@needs_ffmpeg
def test_a_gif_becomes_an_mp4_for_instagram_with_progress(database: Database, world: World) -> None:
    seen: list[float] = []
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        gif = media.upload(ctx, "dance.gif", _gif())
        assert not {f.network: f for f in studio.review(ctx, gif.id)}["instagram"].fits
        copy = studio.fit(ctx, gif.id, "instagram", progress=seen.append)
        assert (copy.kind, copy.content_type, copy.fitted_for) == (MediaKind.VIDEO, "video/mp4", "instagram")
        facts = video.probe(media.path_of(copy))
    assert facts.codec == "h264" and facts.width % 2 == 0 and seen[-1] == 1.0


@needs_ffmpeg
def test_a_video_the_network_refuses_is_transcoded(database: Database, world: World, tmp_path) -> None:
    source = tmp_path / "wide.webm"  # VP9, 4:1: Instagram wants H.264 within 1.91:1
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=400x100:rate=10:duration=1",
                    "-c:v", "libvpx-vp9", "-deadline", "realtime", str(source)], check=True)
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        clip = media.upload(ctx, "wide.webm", source.read_bytes())
        fit = {f.network: f for f in studio.review(ctx, clip.id)}["instagram"]
        assert any("vp9" in p for p in fit.problems) and any("shape" in p for p in fit.problems)
        copy = studio.fit(ctx, clip.id, "instagram")
        facts = video.probe(media.path_of(copy))
    assert facts.codec == "h264" and facts.aspect <= 1.92


def test_without_ffmpeg_the_message_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr(video.shutil, "which", lambda name: None)
    with pytest.raises(video.ToolMissing, match="apt-get install ffmpeg"):
        video.probe(tmp_path / "x.mp4")


# API and pages -------------------------------------------------------------------------------------------


def test_the_api_reviews_fits_and_refuses_bad_input(database: Database, world: World) -> None:
    from tests.web_client import signed_in_client

    with database.unit_of_work() as session:
        asset_id = media.upload(world.ctx(session, "editor"), "menu.png", _png((900, 1600))).id
    client, _ = signed_in_client(database, world.users["editor"])
    base = f"/api/v1/workspaces/{world.workspace_id}/media/{asset_id}"
    review = client.get(f"{base}/fit", params={"network": "instagram"}).json()
    assert review[0]["fits"] is False and review[0]["fitted_copy"] is None
    bad = client.post(f"{base}/fit", json={"network": "instagram", "mode": "pad", "background": "reddish"})
    assert bad.status_code == 422 and "#rrggbb" in bad.text
    unknown = client.post(f"{base}/fit", json={"network": "myspace"})
    assert unknown.status_code == 422 and "instagram" in unknown.text
    made = client.post(f"{base}/fit", json={"network": "instagram", "mode": "crop", "aspect": "1:1"})
    assert made.status_code == 201, made.text
    assert made.json()["fitted_for"] == "instagram" and made.json()["width"] == made.json()["height"]
    focal = client.patch(base, json={"focal_x": 0.2, "focal_y": 0.3})
    assert focal.json()["focal_x"] == 0.2
    assert client.patch(base, json={"focal_x": 0.2}).status_code == 422
    assert client.patch(base, json={"alt_skipped": True}).json()["alt_skipped"] is True
    # Another workspace cannot see or fit it.
    other = make_world(database, "Brand B", profiles=("x",))
    stranger, _ = signed_in_client(database, other.users["editor"])
    assert stranger.post(f"/api/v1/workspaces/{other.workspace_id}/media/{asset_id}/fit",
                         json={"network": "instagram"}).status_code == 404


def test_a_heic_photo_is_accepted_and_converted_to_jpeg_for_x(database: Database, world: World) -> None:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 90, 160)).save(out, "HEIF")
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        photo = media.upload(ctx, "IMG_0001.HEIC", out.getvalue())
        assert (photo.content_type, photo.width, photo.height) == ("image/heic", 1200, 900)
        assert media.path_of(photo, thumbnail=True).exists()
        fits = {f.network: f for f in studio.review(ctx, photo.id, ["x", "mastodon"])}
        assert not fits["x"].fits and fits["mastodon"].fits, "Mastodon takes HEIC; X does not"
        copy = studio.fit(ctx, photo.id, "x")
        assert copy.content_type == "image/jpeg" and (copy.width, copy.height) == (1200, 900)


def test_a_file_damaged_on_disk_is_reported_not_a_crash(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session, "editor")
        asset = media.upload(ctx, "tall.png", _png((100, 300)))
        media.path_of(asset).write_bytes(b"garbage")
        with pytest.raises(ValidationFailed, match="upload it again"):
            studio.fit(ctx, asset.id, "instagram")
