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


def _png_declaring(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of width × height black pixels, built without holding its pixels:
    a decompression bomb that compresses to a few dozen KB and decodes to hundreds of MB."""
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to decode pixels fails the test: the size must be refused from the header alone."""
    from PIL import ImageFile

    def refuse(self: ImageFile.ImageFile) -> None:
        raise AssertionError(f"decoded a {self.width}x{self.height} image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_a_decompression_bomb_is_refused_from_its_header(database: Database, world: World,
                                                         no_decoding: None) -> None:
    bomb = _png_declaring(15_400, 15_400)
    assert len(bomb) < 1_000_000
    refused = pytest.raises(ValidationFailed, match=r"15,400 × 15,400 pixels .* over the 50 megapixel limit")
    with database.unit_of_work() as session, refused:
        media.upload(world.ctx(session), "bomb.png", bomb)
    assert not list(get_settings().media_dir.rglob("*")), "nothing of the bomb may be stored"


def test_the_pixel_limit_is_a_setting(database: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialdesk.core.config import reset_settings_cache

    monkeypatch.setenv("SOCIALDESK_MAX_IMAGE_PIXELS", "10000")
    reset_settings_cache()
    with database.unit_of_work() as session:
        media.upload(world.ctx(session), "ok.png", image_bytes(7, (100, 100), fmt="PNG"))
        with pytest.raises(ValidationFailed, match="101 × 100 pixels"):
            media.upload(world.ctx(session), "big.png", image_bytes(8, (101, 100), fmt="PNG"))


def test_a_bomb_already_in_the_library_is_left_out_of_reports(database: Database, world: World,
                                                              no_decoding: None) -> None:
    """A logo stored before uploads were checked: the report renders without it instead of decoding it."""
    from socialdesk.media.models import MediaAsset
    from socialdesk.reports import render
    from socialdesk.reports.service import Branding

    folder = get_settings().media_dir / "w"
    folder.mkdir(parents=True)
    (folder / "bomb.png").write_bytes(_png_declaring(15_400, 15_400))
    logo = MediaAsset(filename="bomb.png", content_type="image/png", kind="image", storage_key="w/bomb.png")

    class FakeReport:
        branding = Branding(title="", primary="#000000", accent="#000000", footer="", logo=logo)

    assert render._logo(FakeReport()) is None  # type: ignore[arg-type]


def test_networks_with_a_pixel_limit_say_so() -> None:
    from socialdesk.content.validation import MediaInfo, validate_publication
    from socialdesk.networks.profiles import NETWORK_PROFILES

    photo = MediaInfo(kind=MediaKind.IMAGE, content_type="image/jpeg", size_bytes=3_000_000, width=8000,
                      height=6000, filename="wide.jpg")
    problems = validate_publication("A photo", [photo], NETWORK_PROFILES["linkedin"], channel_name="Co").problems
    assert [p.code for p in problems] == ["image_too_many_pixels"]
    assert "8,000 × 6,000 pixels" in problems[0].message
    assert validate_publication("A photo", [photo], NETWORK_PROFILES["x"], channel_name="Co").problems == []
