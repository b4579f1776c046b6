"""Which real network a sandbox channel imitates, and what that gives it.

A sandbox channel takes the capabilities of one profile in `socialdesk.networks.profiles` (text and
media limits, comments, hiding, direct messages, which metrics exist, the posting rate limit) and
changes two things: its label says it is a sandbox, and it de-duplicates by idempotency key, which
the sandbox really does.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from socialdesk.networks.base import FIRST_COMMENT, Capabilities, IdempotencyMethod

PROFILE_NAMES = {
    "instagram": "Instagram", "x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "facebook": "Facebook",
    "threads": "Threads", "linkedin": "LinkedIn", "telegram": "Telegram", "youtube": "YouTube",
    "tiktok": "TikTok", "pinterest": "Pinterest", "vk": "VK", "generic": "Generic",
}
# Networks whose API says which language a post or reply is in; the others leave it to us.
REPORTS_LANGUAGE = frozenset({"x", "bluesky", "mastodon"})


def _profiles() -> dict[str, Capabilities]:
    # Imported here: the profiles module belongs to the networks package at large and the sandbox
    # must not be what breaks when it is being changed.
    from socialdesk.networks.profiles import NETWORK_PROFILES

    return NETWORK_PROFILES


def known_profiles() -> tuple[str, ...]:
    return tuple(_profiles())


@lru_cache(maxsize=64)
def capabilities_for(profile: str, *, keyless: bool = False) -> Capabilities:
    """The capabilities of a sandbox channel imitating `profile`; ValueError for an unknown one.

    A sandbox account honours idempotency keys, unless it was connected `keyless`: then it behaves like
    a network without them (a repeat makes a second post), and socialdesk must look its posts up.
    """
    profiles = _profiles()
    if profile not in profiles:
        raise ValueError(f"unknown profile {profile!r}; the sandbox imitates {', '.join(sorted(profiles))}")
    name = PROFILE_NAMES.get(profile, profile.title())
    method = IdempotencyMethod.LOOKUP if keyless else IdempotencyMethod.KEY
    base = profiles[profile]
    # Every sandbox account takes a first comment (as the account's own comment under the post) where
    # comments exist; the imitated network's own option of that name, if any, is replaced by it.
    options = tuple(o for o in base.options if o.name != FIRST_COMMENT.name)
    if base.comments:
        options += (FIRST_COMMENT,)
    return replace(base, label=f"{name}-like sandbox", idempotency=method, options=options,
                   first_comment_step=base.comments)
