"""The composer's plain text, sent to Telegram safely.

socialdesk sends text with no `parse_mode` at all, so nothing in it is markup and nothing needs escaping:
`*_[]()~`>#+-=|{}.!` and `<b>` arrive exactly as typed. (MarkdownV2 and HTML would make every such
character a parsing decision, the classic source of "can't parse entities" and of mangled posts.)
Links, hashtags and @mentions are given as `entities` computed here. Entity offsets and lengths are in
UTF-16 code units (https://core.telegram.org/bots/api#messageentity), so an emoji before a link counts 2.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ENTITIES = 100  # https://core.telegram.org/bots/api#sendmessage: at most 100 entities are parsed
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z]\w{3,31}")
_TRAILING = ".,;:!?)]}'\""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def length(text: str) -> int:
    """How Telegram counts a message's length against 4,096 / 1,024: characters (code points) after
    entity parsing; with no parse_mode the text is the text."""
    return len(text)


def entities(text: str) -> list[dict[str, Any]]:
    """MessageEntity objects for the links, hashtags and mentions in `text`, in UTF-16 units."""
    spans: list[tuple[int, int, str]] = []
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING:
            if text[end - 1] == ")" and text.count("(", match.start(), end) >= text.count(")", match.start(), end):
                break  # a balanced bracket belongs to the link (Wikipedia's …_(disambiguation))
            end -= 1
        spans.append((match.start(), end, "url"))
    taken = [(s, e) for s, e, _ in spans]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for pattern, kind in ((_HASHTAG, "hashtag"), (_MENTION, "mention")):
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                spans.append((match.start(), match.end(), kind))
    found = []
    for start, end, kind in sorted(spans)[:MAX_ENTITIES]:
        found.append({"type": kind, "offset": utf16_length(text[:start]), "length": utf16_length(text[start:end])})
    return found
