"""A blog network for tests of the blog-link flow without a blog server: posts kept in memory.

The real WordPress and Ghost adapters are tested against real servers in tests/integration/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from socialdesk.core import clock
from socialdesk.networks.base import (
    Capabilities,
    ChannelAccount,
    IdempotencyMethod,
    MediaKind,
    MediaRules,
    NetworkError,
    OutgoingPost,
    PublishedPost,
    TextRules,
)
from socialdesk.networks.blog.unsupported import BlogWithoutInbox
from socialdesk.networks.registry import NetworkSpec

SPEC = NetworkSpec(key="fakeblog", label="Fake blog", adapter="tests.content.fake_blog:FakeBlogAdapter",
                   connect="tests.content.fake_blog:connect")


@dataclass
class Blog:
    posts: dict[str, OutgoingPost] = field(default_factory=dict)  # slug -> what was sent
    fail_with: NetworkError | None = None


BLOG = Blog()


class FakeBlogAdapter(BlogWithoutInbox):
    network: ClassVar[str] = "fakeblog"

    def __init__(self, account: ChannelAccount) -> None:
        self.account = account

    def capabilities(self) -> Capabilities:
        return Capabilities(label="Fake blog", text=TextRules(limit=100_000, required=True),
                            media=MediaRules(kinds=frozenset({MediaKind.IMAGE}), max_count=1), comments=False,
                            reply=False, idempotency=IdempotencyMethod.LOOKUP, blog=True, title_limit=80)

    def publish(self, post: OutgoingPost) -> PublishedPost:
        if BLOG.fail_with is not None:
            raise BLOG.fail_with
        slug = f"post-{len(BLOG.posts) + 1}"
        BLOG.posts[slug] = post
        return PublishedPost(slug, f"https://blog.example.com/{slug}/", clock.now())

    def find_published(self, post: OutgoingPost, since: datetime) -> PublishedPost | None:
        return None

    def delete(self, external_id: str) -> None:
        BLOG.posts.pop(external_id, None)


def connect(site: str = "blog", **_unused: Any) -> dict[str, Any]:
    return {"external_id": site, "handle": site, "display_name": "The Blog", "credentials": {},
            "settings": {"home_url": "https://blog.example.com"}}
