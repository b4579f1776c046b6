"""Rich-text facets for a Bluesky post: links, #hashtags and @mentions, located by UTF-8 byte offsets.

Bluesky does not parse a post's text: the client sends each link, tag and mention as a facet whose
`index` counts bytes of the UTF-8 encoding (not characters), so any emoji or non-ASCII letter before a
facet moves it. A mention carries the account's DID, not its handle; a handle that does not resolve
stays plain text, as in Bluesky's own app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from socialdesk.text.entities import hashtags, mentions, urls

LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MENTION = "app.bsky.richtext.facet#mention"

MAX_TAG_LENGTH = 64  # app.bsky.richtext.facet#tag: maxGraphemes 64 (we count code points: stricter)


@dataclass(frozen=True)
class Facet:
    byte_start: int
    byte_end: int
    kind: str  # LINK, TAG or MENTION
    value: str  # the URI, the tag without "#", or the DID

    def to_record(self) -> dict[str, Any]:
        feature: dict[str, Any] = {"$type": self.kind}
        feature[{LINK: "uri", TAG: "tag", MENTION: "did"}[self.kind]] = self.value
        return {"index": {"byteStart": self.byte_start, "byteEnd": self.byte_end}, "features": [feature]}


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def link_uri(value: str) -> str:
    """A link as written in the text, as the URI it opens ("primjer.hr/x" opens https://primjer.hr/x)."""
    return value if "://" in value else f"https://{value}"


def find_facets(text: str, resolve_handle: Callable[[str], str | None]) -> list[Facet]:
    """Every link, tag and resolvable mention in `text`, in text order, without overlaps.

    `resolve_handle` turns a handle into a DID (None when there is no such account).
    """
    candidates: list[tuple[int, int, str, str]] = []
    for span in urls(text):
        candidates.append((span.start, span.end, LINK, link_uri(span.value)))
    for span in hashtags(text):
        if len(span.value) <= MAX_TAG_LENGTH:
            candidates.append((span.start, span.end, TAG, span.value))
    for span in mentions(text):
        handle = span.value
        if "." not in handle or "@" in handle:  # Bluesky handles are domain names; user@host is fediverse
            continue
        candidates.append((span.start, span.start + 1 + len(handle), MENTION, handle))
    facets: list[Facet] = []
    taken_until = -1
    for start, end, kind, value in sorted(candidates):
        if start < taken_until:
            continue  # inside a link already (a "#anchor" or "@" in a URL is not a tag or a mention)
        if kind == MENTION:
            did = resolve_handle(value.lower())
            if did is None:
                continue
            value = did
        facets.append(Facet(_byte_offset(text, start), _byte_offset(text, end), kind, value))
        taken_until = end
    return facets
