"""The composer checks an Instagram channel against Instagram's rules through its capabilities: media
required, at most 10 items, caption 2,200, 30 hashtags, 20 @mentions; the post kinds and options."""

from __future__ import annotations

import pytest

from socialdesk.channels import service as channels
from socialdesk.content import service as content
from socialdesk.content.schemas import Intent, PostIn
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.networks import registry
from socialdesk.networks.base import MediaKind
from tests.helpers import make_world
from tests.networks.instagram.conftest import Instagram


def test_capabilities_follow_the_content_publishing_api() -> None:
    caps = registry.capabilities_for("instagram", {"publishing_limit": {"quota_total": 50}})
    assert caps.media.required and caps.media.max_count == 10
    assert caps.media.kinds == frozenset({MediaKind.IMAGE, MediaKind.VIDEO})
    assert {"image/jpeg", "image/png", "image/webp"} <= caps.media.image_types  # PNG/WebP are converted
    assert (caps.text.limit, caps.text.hashtag_limit, caps.text.mention_limit) == (2200, 30, 20)
    assert caps.rate_limit is not None and (caps.rate_limit.posts, caps.rate_limit.per_seconds) == (50, 86400)
    assert caps.hide_comments and caps.delete_comments and not caps.like_comments and not caps.direct_messages
    assert caps.idempotency == "lookup"
    options = {o.name: o for o in getattr(caps, "options", ())}
    if options:  # once the shared PublishOption declaration is there
        assert options["kind"].choices == ("feed", "reel", "story")
        assert options["first_comment"].kind == "textarea"


@pytest.mark.parametrize(("text", "problem"), [
    ("Only words, no picture", "at least one image or video"),
    (" ".join(f"#tag{i}" for i in range(31)), "31 hashtags"),
    (" ".join(f"@user{i}" for i in range(21)), "21 @mentions"),
    ("x" * 2201, "2,200"),
])
def test_the_composer_refuses_what_instagram_would(database: Database, instagram: Instagram, text: str,
                                                   problem: str) -> None:
    world = make_world(database, profiles=())
    with database.unit_of_work() as session:
        ctx = world.ctx(session)
        channel = channels.connect(ctx, "instagram", "Brand IG", ig_user_id=instagram.account["id"],
                                   access_token=instagram.token)
        media_ids = [] if "image" in problem else [_upload(ctx)]
        with pytest.raises(ValidationFailed, match=problem):
            content.compose(ctx, PostIn(text=text, channel_ids=[channel.id], media_ids=media_ids,
                                        intent=Intent.PUBLISH_NOW))


def _upload(ctx: object) -> str:
    from socialdesk.media.service import upload
    from tests.helpers import image_bytes

    return upload(ctx, "a.jpg", image_bytes(3)).id  # type: ignore[arg-type]
