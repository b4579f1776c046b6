"""The media library: what a file really is, thumbnails, duplicates, limits."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from socialdesk.core.config import get_settings
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, ValidationFailed
from socialdesk.media import service as media
from socialdesk.networks.base import MediaKind
from tests.helpers import World, image_bytes, make_world


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=("x",))


def _mp4(seconds: int) -> bytes:
    """The smallest MP4 that states a duration: ftyp + moov/mvhd (timescale 1000)."""
    ftyp = struct.pack(">I4s4sI4s", 20, b"ftyp", b"isom", 0, b"isom")
    mvhd_body = struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000) + b"\x00" * 80
    mvhd = struct.pack(">I4s", 8 + len(mvhd_body), b"mvhd") + mvhd_body
    moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    return ftyp + moov


def test_an_image_is_stored_with_its_size_and_a_thumbnail(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        asset = media.upload(world.ctx(session), "../../etc/photo.jpg", image_bytes(1, (1200, 800)), "A latte")
    assert asset.filename == "photo.jpg", "path parts of an uploaded name must not reach the disk"
    assert (asset.kind, asset.content_type, asset.width, asset.height) == ("image", "image/jpeg", 1200, 800)
    stored = get_settings().media_dir / asset.storage_key
    assert stored.read_bytes() == image_bytes(1, (1200, 800))
    with Image.open(media.path_of(asset, thumbnail=True)) as thumb:
        assert max(thumb.size) == 320


def test_the_claimed_type_is_not_trusted(database: Database, world: World) -> None:
    png_named_jpg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png_named_jpg, "PNG")
    with database.unit_of_work() as session:
        asset = media.upload(world.ctx(session), "really-a-png.jpg", png_named_jpg.getvalue())
    assert asset.content_type == "image/png"


def test_a_video_is_recognised_with_its_duration(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        asset = media.upload(world.ctx(session), "clip.mp4", _mp4(42))
    assert asset.kind == MediaKind.VIDEO and asset.content_type == "video/mp4"
    assert asset.duration_seconds == pytest.approx(42)
    assert asset.thumbnail_key is None


def test_the_same_file_twice_is_kept_once(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        first = media.upload(world.ctx(session), "a.jpg", image_bytes(3))
        second = media.upload(world.ctx(session), "copy.jpg", image_bytes(3))
    assert first.id == second.id


def test_uploads_over_the_limit_and_broken_images_are_refused(database: Database, world: World,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALDESK_MAX_UPLOAD_MB", "1")
    from socialdesk.core.config import reset_settings_cache

    reset_settings_cache()
    with database.unit_of_work() as session:
        with pytest.raises(ValidationFailed, match="over the 1 MB upload limit"):
            media.upload(world.ctx(session), "big.jpg", b"\xff\xd8" + b"0" * 2_000_000)
        with pytest.raises(ValidationFailed, match="damaged"):
            media.upload(world.ctx(session), "broken.png", image_bytes(4, fmt="PNG")[:60])


def test_media_in_use_cannot_be_deleted(database: Database, world: World) -> None:
    from socialdesk.content import service as content
    from socialdesk.content.schemas import PostIn

    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        asset = media.upload(ctx, "a.jpg", image_bytes(5))
        content.compose(ctx, PostIn(text="with image", channel_ids=[world.channels["x"]], media_ids=[asset.id]))
        with pytest.raises(Conflict, match="attached to a post"):
            media.delete(ctx, asset.id)
        spare = media.upload(ctx, "b.jpg", image_bytes(6))
        media.delete(ctx, spare.id)
        assert not (get_settings().media_dir / spare.storage_key).exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, at open
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(database: Database, world: World,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # 40 × 40 = 1,600 pixels against a limit of 1,000: Pillow itself would only warn (it refuses at twice the
    # limit) and the thumbnail would decode it.
    data = image_bytes(2, (40, 40), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    decoded: list[str] = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append("load"))
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="40 × 40 pixels is more than"):
        media.upload(world.ctx(session), "huge.png", data)
    assert decoded == []
