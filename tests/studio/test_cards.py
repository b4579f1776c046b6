"""Branded cards, the brand kit, infographics from the workspace's numbers, the alt-text rule, and the CLI."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from socialdesk.analytics.models import ChannelMetricSnapshot, PublicationMetricSnapshot
from socialdesk.cli import app
from socialdesk.content import service as content
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.content.schemas import PostIn
from socialdesk.core import clock as core_clock
from socialdesk.core.db import Database
from socialdesk.core.errors import Forbidden, ValidationFailed
from socialdesk.media import service as media
from socialdesk.studio import accessibility, brand, cards, contrast, fonts, infographics, textfit
from tests.helpers import World, image_bytes, make_world

runner = CliRunner()


@pytest.fixture
def world(database: Database) -> World:
    return make_world(database, profiles=("instagram", "x"))


def _brand(**colours: str) -> cards.Brand:
    system = fonts.system_fonts()
    return cards.Brand(heading_font=system["DejaVuSans-Bold"], body_font=system["DejaVuSans"], **colours)


# Pure parts --------------------------------------------------------------------------------------------


def test_contrast_ratios_are_wcag_s() -> None:
    assert contrast.ratio("#000000", "#ffffff") == pytest.approx(21, abs=0.01)
    assert contrast.ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA
    assert contrast.readable_text("#ffff00", "#ffffff") == "#000000"  # white on yellow is unreadable
    with pytest.raises(ValueError, match="#rrggbb"):
        contrast.rgb("not a colour")


def test_long_text_is_wrapped_and_shrunk_to_its_box() -> None:
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    font = fonts.system_fonts()["DejaVuSans"]
    short = textfit.fit(draw, "Hello", font, (600, 200), largest=80)
    long = textfit.fit(draw, "A much longer sentence " * 12, font, (600, 200), largest=80)
    assert short.size == 80 and long.size < 80
    assert long.height <= 200 or long.size == 12
    for line in long.lines:
        assert draw.textlength(line, font=long.font) <= 600
    unbreakable = textfit.fit(draw, "Supercalifragilistic" * 5, font, (300, 400), largest=60)
    assert all(draw.textlength(line, font=unbreakable.font) <= 300 for line in unbreakable.lines)


def test_a_card_uses_readable_text_and_says_when_the_brand_colour_is_not() -> None:
    card = cards.render("quote", {"quote": "Coffee is a hug in a mug", "author": "Ana"},
                        _brand(background="#ffffff", text="#dddddd"), (1080, 1350))
    assert card.image.size == (1080, 1350)
    assert "Coffee is a hug in a mug" in card.alt_text and "Ana" in card.alt_text
    assert card.warnings and "WCAG AA" in card.warnings[0]
    ok = cards.render("event", {"title": "Latte art night", "when": "Fri 12 Dec, 19:00", "where": "Ilica 5"},
                      _brand(primary="#1c3d7a"), (1080, 1080))
    assert not ok.warnings and "Fri 12 Dec" in ok.alt_text


@pytest.mark.parametrize(("name", "values", "message"), [
    ("quote", {}, "needs “Quote”"),
    ("quote", {"quote": "x", "colour": "red"}, "no field colour"),
    ("menu", {"dish": "x" * 101}, "Shorten it"),
    ("poster", {"title": "x"}, "Unknown template"),
])
def test_bad_card_input_is_refused_with_what_to_fix(name: str, values: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        cards.render(name, values, _brand(), (1080, 1080))


# The workspace ------------------------------------------------------------------------------------------


def test_a_template_renders_a_branded_card_into_the_library(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        logo = media.upload(ctx, "logo.png", image_bytes(3, (200, 200), "PNG"))
        brand.update(ctx, colours={"primary": "#0b7285", "accent": "#e8590c"}, logo_media_id=logo.id)
        made, warnings = brand.make_card(ctx, "announcement", {"title": "We open on Sundays", "cta": "See you!"},
                                         network="instagram", size="all")
        assert [(a.width, a.height) for a in made] == [(1080, 1350), (1080, 1080), (1080, 566), (1080, 1920)]
        assert all(a.alt_text.startswith("Announcement: We open on Sundays") for a in made)
        with Image.open(media.path_of(made[0])) as image:
            assert image.getpixel((540, 20)) == (11, 114, 133), "the background is the brand's primary colour"
        assert not warnings


def test_brand_kit_changes_are_checked_and_only_admins_make_them(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        with pytest.raises(ValidationFailed, match="#rrggbb"):
            brand.update(world.ctx(session), colours={"primary": "blueish"})
        with pytest.raises(ValidationFailed, match="neither installed"):
            brand.update(world.ctx(session), heading_font="Comic Sans Nowhere")
        with pytest.raises(Forbidden):
            brand.update(world.ctx(session, "editor"), colours={"primary": "#000000"})
        with pytest.raises(ValidationFailed, match="not a TrueType"):
            brand.upload_font(world.ctx(session), "fake.ttf", b"not a font at all")
        ttf = fonts.system_fonts()["DejaVuSans"].read_bytes()
        name = brand.upload_font(world.ctx(session), "Brand Sans.ttf", ttf)
        kit = brand.update(world.ctx(session), heading_font=name)
        assert kit.heading_font == "upload:Brand Sans"
        assert brand.brand_of(world.ctx(session)).heading_font.suffix == ".ttf"


def test_alt_text_is_required_where_the_workspace_asks(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        photo = media.upload(ctx, "latte.jpg", image_bytes(5, (1080, 1080)))
        data = PostIn(text="Latte", channel_ids=[world.channels["x"]], media_ids=[photo.id])
        assert content.check(ctx, data)[0].ok, "no rule: no problem"
        brand.update(ctx, require_alt_text=True)
        check = content.check(ctx, data)[0]
        assert [p.code for p in check.problems] == [accessibility.CODE]
        assert "latte.jpg" in check.problems[0].message
        accessibility.skip(ctx, photo.id)  # consciously decorative
        assert content.check(ctx, data)[0].ok
        accessibility.skip(ctx, photo.id, False)
        media.set_alt_text(ctx, photo.id, "A latte with a heart in the foam")
        assert content.check(ctx, data)[0].ok


def _published_with_numbers(session, world: World, ctx) -> None:
    now = core_clock.now()
    for channel_id, (before, after) in zip(world.channels.values(), ((1000, 1130), (400, 390)), strict=True):
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel_id,
                                          collected_at=now.replace(day=1, hour=1), followers=before))
        session.add(ChannelMetricSnapshot(workspace_id=world.workspace_id, channel_id=channel_id,
                                          collected_at=now - timedelta(minutes=5), followers=after))
    for index, likes in enumerate((12, 40, 7, 25)):
        post = content.compose(ctx, PostIn(text=f"Post number {index}", channel_ids=[world.channels["x"]])).post
        publication = session.query(Publication).filter_by(post_id=post.id).one()
        publication.status = PublicationStatus.PUBLISHED
        publication.published_at = now - timedelta(days=index + 1)
        session.add(PublicationMetricSnapshot(workspace_id=world.workspace_id, publication_id=publication.id,
                                              collected_at=now - timedelta(hours=1), likes=likes, comments=index))
    session.flush()


def test_infographics_are_drawn_from_the_numbers_with_alt_text(database: Database, world: World, clock) -> None:
    clock.set(clock.now().replace(day=20))
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        with pytest.raises(ValidationFailed, match="No follower counts"):
            infographics.make(ctx, "followers")
        _published_with_numbers(session, world, ctx)
        followers = infographics.make(ctx, "followers")
        assert "+120 this month, 1,520 in all" in followers.alt_text
        top = infographics.make(ctx, "top_posts")
        assert top.alt_text.index("Post number 1") < top.alt_text.index("Post number 3") < top.alt_text.index(
            "Post number 0"), "ranked by interactions: 41, 28, 12"
        assert "(40 likes, 1 comments)" in top.alt_text
        assert (top.width, top.height) == (1080, 1350)
        with pytest.raises(ValidationFailed, match="Unknown infographic"):
            infographics.make(ctx, "pie")
        with pytest.raises(ValidationFailed):
            infographics.make(ctx, "heatmap")  # four posts on one channel: not enough for a heatmap
        with pytest.raises(Forbidden):
            infographics.make(world.ctx(session, "viewer"), "followers")


# CLI ----------------------------------------------------------------------------------------------------


def test_the_cli_renders_a_card_and_fits_an_image(database: Database, world: World, tmp_path: Path) -> None:
    out = tmp_path / "card.jpg"
    result = runner.invoke(app, ["studio", "card", "quote", "-w", "Brand A", "--field", "quote=Small batches, big "
                                 "taste", "--field", "author=Kava & Co.", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "alt: Quote card: “Small batches, big taste” — Kava & Co." in result.output
    with Image.open(out) as image:
        assert image.size == (1080, 1350)
    bad = runner.invoke(app, ["studio", "card", "quote", "-w", "Brand A", "--field", "author"])
    assert bad.exit_code != 0 and "name=value" in str(bad.exception)
    png = io.BytesIO()
    Image.new("RGB", (500, 1000), (9, 9, 9)).save(png, "PNG")
    with database.unit_of_work() as session:
        asset_id = media.upload(world.ctx(session), "tall.png", png.getvalue()).id
    review = runner.invoke(app, ["studio", "review", asset_id, "-w", "Brand A", "--json"])
    assert review.exit_code == 0 and '"fits": false' in review.output
    fitted = runner.invoke(app, ["studio", "fit", asset_id, "-w", "Brand A", "--network", "instagram",
                                 "--mode", "crop", "--focal", "0.5,0.2"])
    assert fitted.exit_code == 0, fitted.output
    assert "cropped to 4:5" in fitted.output
    wrong = runner.invoke(app, ["studio", "fit", asset_id, "-w", "Brand A", "--network", "instagram",
                                "--focal", "top"])
    assert wrong.exit_code != 0 and "--focal" in str(wrong.exception)
