"""The body a blog receives, and the marker that lets a retry find a post an earlier try created."""

from __future__ import annotations

import html
import re

# A tag such as <p>, </em> or <img ...>: the text is already HTML and goes out as the user wrote it.
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?/?>")
_MARKER_PREFIX = "socialdesk-publication:"


def body_html(text: str) -> str:
    """The post's text as HTML. Text with HTML tags is the user's HTML and is sent unchanged; plain text
    (what the composer's box usually holds) becomes paragraphs, blank lines separating them, escaped so
    that a "<" in prose stays a character."""
    if _HTML_TAG.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "\n".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def marker(idempotency_key: str) -> str:
    """A word that only this publication's post contains (its id), for find_published to search for."""
    return f"{_MARKER_PREFIX}{idempotency_key}"


def marker_comment(idempotency_key: str) -> str:
    # An HTML comment: invisible to readers, kept by WordPress in the stored content.
    return f"<!-- {marker(idempotency_key)} -->"
