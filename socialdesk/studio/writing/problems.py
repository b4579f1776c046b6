"""One problem found in a text: where it is, what kind, what to say, what to put instead."""

from __future__ import annotations

from dataclasses import dataclass, field

# Every kind a check can report; the workspace chooses per kind whether it blocks saving or only advises.
KINDS: dict[str, str] = {
    "spelling": "Spelling",
    "grammar": "Grammar (English)",
    "repeated_word": "Repeated word",
    "spacing": "Spacing around punctuation",
    "capital": "Sentence starts with a small letter",
    "unbalanced": "Unbalanced quotes or brackets",
    "shouting": "ALL-CAPS shouting",
    "exclamation": "Too many exclamation marks",
    "emoji": "Too many emoji",
    "hashtags": "Too many hashtags for the network",
    "links": "Links the network shortens or cuts",
    "confusion": "Commonly confused forms (hr/sr/bs)",
    "banned_word": "Style guide: banned word",
    "preferred_spelling": "Style guide: preferred spelling",
    "disclosure": "Style guide: paid-post disclosure",
}


@dataclass(frozen=True)
class Problem:
    offset: int  # in Python characters (code points) from the start of the text
    length: int
    kind: str
    message: str
    suggestions: tuple[str, ...] = field(default_factory=tuple)
    rule: str = ""  # which rule inside the kind (e.g. "double_space"), for tests and statistics
    blocking: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"offset": self.offset, "length": self.length, "kind": self.kind, "rule": self.rule,
                "message": self.message, "suggestions": list(self.suggestions), "blocking": self.blocking}
