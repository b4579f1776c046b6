"""Report branding coming in: the API's model and the one rule for its text, which the pages share
through the service."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

TITLE_MAX = 200
FOOTER_MAX = 500
# Invisible characters that reorder the text around them (a footer that reads differently than it is).
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line(value: str | None, limit: int | None = None) -> str:
    """Branding text as it is printed on every page: one line, without control characters.

    Newlines, tabs, NUL and other controls and the line and paragraph separators become spaces; direction
    overrides and lone surrogates are dropped; runs of spaces become one. A newline is what ended the
    footer's CSS string in the report (issue 11), and a NUL is refused by PostgreSQL.
    """
    kept = []
    for ch in value or "":
        category = unicodedata.category(ch)
        if ch in _BIDI_CONTROLS or category == "Cs":
            continue
        kept.append(" " if category in ("Cc", "Zl", "Zp") else ch)
    text = " ".join("".join(kept).split())
    return text[:limit] if limit else text


def _title(value: str) -> str:
    return one_line(value, TITLE_MAX)


def _footer(value: str) -> str:
    return one_line(value, FOOTER_MAX)


class BrandingIn(BaseModel):
    logo_media_id: str | None = None
    accent_colour: str = "#f08c00"
    title: Annotated[str, AfterValidator(_title)] = Field("", max_length=TITLE_MAX)
    footer: Annotated[str, AfterValidator(_footer)] = Field("", max_length=FOOTER_MAX,
                                                            description="One line, printed at the foot of each page")
