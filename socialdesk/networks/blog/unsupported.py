"""The parts of the adapter protocol a blog channel does not offer in socialdesk (yet).

WordPress overrides the comment methods (wordpress/comments.py); Ghost's comments are not in its Admin
API, so its capabilities say `comments=False`, the inbox never asks, and these answers keep the
protocol whole. Metrics: neither API reports views
(WordPress needs a statistics plugin, Ghost's analytics are not in the Admin API), so every number is
None — never a made-up zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from socialdesk.core import clock
from socialdesk.networks.base import (
    AccountMetrics,
    FollowerPage,
    InboxPage,
    PermanentNetworkError,
    PostMetrics,
)


class BlogWithoutInbox:
    label = "This blog"

    def _unsupported(self, what: str) -> PermanentNetworkError:
        return PermanentNetworkError(f"{self.label}: socialdesk cannot {what} on a blog; use the blog's own admin.")

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        return InboxPage(items=[], cursor=cursor)

    def reply(self, item_external_id: str, text: str) -> str:
        raise self._unsupported("reply to comments")

    def hide(self, item_external_id: str) -> None:
        raise self._unsupported("hide comments")

    def unhide(self, item_external_id: str) -> None:
        raise self._unsupported("unhide comments")

    def like(self, item_external_id: str) -> None:
        raise self._unsupported("like comments")

    def unlike(self, item_external_id: str) -> None:
        raise self._unsupported("unlike comments")

    def delete_comment(self, item_external_id: str) -> None:
        raise self._unsupported("delete comments")

    def block(self, author_external_id: str) -> None:
        raise self._unsupported("block people")

    def unblock(self, author_external_id: str) -> None:
        raise self._unsupported("unblock people")

    def post_metrics(self, external_ids: Sequence[str]) -> dict[str, PostMetrics]:
        now = clock.now()
        return {external_id: PostMetrics(collected_at=now) for external_id in external_ids}

    def account_metrics(self) -> AccountMetrics:
        return AccountMetrics(collected_at=clock.now())

    def followers(self, cursor: str | None = None, limit: int = 100) -> FollowerPage:
        return FollowerPage(followers=[], cursor=None, total=None)

    def credentials_expire_at(self) -> datetime | None:
        return None  # application passwords and integration keys do not expire; they are revoked

    def refresh_credentials(self) -> dict[str, Any]:
        return {}
