"""What each network advises about hashtags, and what it does to links, as problems on the text.

Hard limits (Instagram's 30 hashtags, text length) are the composer's per-channel check
(content/validation.py); these are the networks' own recommendations, advisory by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialdesk.studio.writing.problems import Problem
from socialdesk.text.entities import hashtags, urls


@dataclass(frozen=True)
class HashtagAdvice:
    advised: int
    why: str


# Per network: how many hashtags it advises at most, and where that advice comes from.
HASHTAGS: dict[str, HashtagAdvice] = {
    "instagram": HashtagAdvice(5, "Instagram recommends 3–5 relevant hashtags (hard limit 30)"),
    "x": HashtagAdvice(2, "X recommends no more than 2 hashtags per post"),
    "linkedin": HashtagAdvice(3, "LinkedIn suggests about 3 hashtags per post"),
    "threads": HashtagAdvice(1, "Threads turns only one tag per post into a topic"),
    "tiktok": HashtagAdvice(5, "TikTok captions do best with a few relevant hashtags"),
    "facebook": HashtagAdvice(3, "hashtags do little on Facebook: keep to 1–3"),
    "pinterest": HashtagAdvice(5, "Pinterest reads descriptions, not hashtags: keep a few"),
    "youtube": HashtagAdvice(15, "YouTube ignores all hashtags on a video with more than 15"),
    "bluesky": HashtagAdvice(5, "on Bluesky, hashtags take characters from a 300-character post"),
    "mastodon": HashtagAdvice(5, "Mastodon users follow a few hashtags; many look like spam"),
    "vk": HashtagAdvice(5, "VK recommends no more than 5 hashtags"),
}

# Per network: what happens to a link in the text.
LINKS: dict[str, str] = {
    "x": "X shortens every link to t.co (it counts 23 characters); the full address is not shown",
    "linkedin": "LinkedIn shortens links to lnkd.in in the post",
    "instagram": "links in Instagram captions cannot be clicked: put it in the bio or a story link sticker",
    "tiktok": "links in TikTok captions cannot be clicked: put it in the bio",
    "threads": "Threads shows one link preview per post; other links stay plain",
    "bluesky": "Bluesky shows long links cut to about 30 characters",
    "mastodon": "Mastodon counts every link as 23 characters and shows it shortened",
}


def check(text: str, networks: list[str]) -> list[Problem]:
    found: list[Problem] = []
    tags = hashtags(text)
    for network in dict.fromkeys(networks):
        advice = HASHTAGS.get(network)
        if advice and len(tags) > advice.advised:
            extra = tags[advice.advised]
            found.append(Problem(extra.start, tags[-1].end - extra.start, "hashtags",
                                 f"{len(tags)} hashtags for {network}: {advice.why}.", rule=network))
        note = LINKS.get(network)
        if note:
            for link in urls(text):
                if network in ("x", "linkedin", "mastodon", "bluesky") and len(link.value) <= 30:
                    continue  # a short link is shown as it is (X/LinkedIn still wrap it, harmlessly)
                found.append(Problem(link.start, link.end - link.start, "links", f"On {network}: {note}.",
                                     rule=network))
    return found
