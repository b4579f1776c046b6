"""What reading X costs the operator: X's pay-per-use API bills every resource a read returns
(https://docs.x.com/x-api/getting-started/pricing, read 2026-12-07: "Posts: Read $0.005 per resource",
"User: Read $0.010 per resource"; https://docs.x.com/x-api/fundamentals/post-cap: Posts returned by
recent search and the user timelines count). The prices are settings (SOCIALDESK_X_POST_READ_USD,
SOCIALDESK_X_USER_READ_USD) because X changes them; the Developer Console has the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.core.config import get_settings


@dataclass(frozen=True)
class Reads:
    posts: int = 0
    users: int = 0

    def __add__(self, other: Reads) -> Reads:
        return Reads(self.posts + other.posts, self.users + other.users)

    @property
    def count(self) -> int:
        return self.posts + self.users

    @property
    def usd(self) -> float:
        settings = get_settings()
        return self.posts * settings.x_post_read_usd + self.users * settings.x_user_read_usd

    def text(self, *, at_most: bool = False) -> str:
        """`21 reads ≈ $0.11` (`up to 21 reads ≈ $0.11` for an estimate)."""
        return f"{'up to ' if at_most else ''}{self.count} read{'s' if self.count != 1 else ''} ≈ ${self.usd:.2f}"

    def as_dict(self) -> dict[str, float | int]:
        return {"reads": self.count, "post_reads": self.posts, "user_reads": self.users, "usd": round(self.usd, 4)}


def competitor_snapshot() -> Reads:
    """The most one X competitor snapshot is billed for: the user and SOCIALDESK_COMPETITORS_X_POSTS posts."""
    return Reads(posts=get_settings().competitors_x_posts, users=1)


def prices() -> str:
    settings = get_settings()
    return (f"X pay-per-use: ${settings.x_post_read_usd:.3f} per post read, ${settings.x_user_read_usd:.3f} per "
            "user read (SOCIALDESK_X_POST_READ_USD, SOCIALDESK_X_USER_READ_USD)")
