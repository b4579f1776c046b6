"""The composer's features beyond text and media: a thread, a native poll, a content warning and a visibility.

A post holds them for every channel (`Post.extras`); a publication may hold its own (`Publication.extras`,
a key present overriding the post's: `thread: []` for no thread there, `poll: None` for no poll). Each is
checked against the channel's capabilities, and refused with the reason where the network has no such thing.
The thread's first part is the post's text; `thread` lists the parts after it, each sent as a reply to the
one before, each its own step (publishing/steps.py). The first comment is the `first_comment` option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from socialdesk.content.validation import Problem, _text_problems
from socialdesk.networks.base import Capabilities, OutgoingPoll
from socialdesk.text.counting import count

KEYS = ("thread", "poll", "content_warning", "visibility")
POLL_MIN_SECONDS = 5 * 60
POLL_MAX_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Features:
    thread: tuple[str, ...] = ()  # the parts after the first
    poll: dict[str, Any] | None = None  # {"options": [...], "expires_in_seconds": int, "multiple": bool}
    content_warning: str = ""
    visibility: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.thread or self.poll or self.content_warning or self.visibility)

    def outgoing_poll(self) -> OutgoingPoll | None:
        if not self.poll:
            return None
        return OutgoingPoll(options=tuple(self.poll.get("options") or ()),
                            expires_in_seconds=int(self.poll.get("expires_in_seconds") or 24 * 3600),
                            multiple=bool(self.poll.get("multiple")))

    def to_dict(self) -> dict[str, Any]:
        return {"thread": list(self.thread), "poll": self.poll, "content_warning": self.content_warning,
                "visibility": self.visibility}


def plain_poll(poll: Any) -> dict[str, Any] | None:
    """A poll as stored: from the API's PollIn, a dict, or None; no options means no poll."""
    if poll is None:
        return None
    data = poll.model_dump() if hasattr(poll, "model_dump") else dict(poll)
    options = [" ".join(str(o).split()) for o in data.get("options") or []]
    options = [o for o in options if o]
    if not options:
        return None
    return {"options": options, "expires_in_seconds": int(data.get("expires_in_seconds") or 24 * 3600),
            "multiple": bool(data.get("multiple"))}


def clean_thread(parts: Any) -> list[str]:
    return [p.strip() for p in parts or [] if p and p.strip()]


def from_post_input(data: Any) -> dict[str, Any] | None:
    """Post.extras from a PostIn (None when it uses none of the features)."""
    found = Features(thread=tuple(clean_thread(data.thread)), poll=plain_poll(data.poll),
                     content_warning=(data.content_warning or "").strip(), visibility=data.visibility or None)
    return None if found.empty else found.to_dict()


def from_variant(variant: Any) -> dict[str, Any] | None:
    """Publication.extras from a VariantIn: only what the variant sets."""
    if variant is None:
        return None
    own: dict[str, Any] = {}
    if variant.thread is not None:
        own["thread"] = clean_thread(variant.thread)
    if variant.no_poll:
        own["poll"] = None
    elif variant.poll is not None:
        own["poll"] = plain_poll(variant.poll)
    if variant.content_warning is not None:
        own["content_warning"] = variant.content_warning.strip()
    if variant.visibility is not None:
        own["visibility"] = variant.visibility or None
    return own or None


def effective(post_extras: Mapping[str, Any] | None, own: Mapping[str, Any] | None) -> Features:
    merged = dict(post_extras or {}) | dict(own or {})
    return Features(thread=tuple(clean_thread(merged.get("thread"))), poll=plain_poll(merged.get("poll")),
                    content_warning=str(merged.get("content_warning") or "").strip(),
                    visibility=merged.get("visibility") or None)


def problems(features: Features, caps: Capabilities, where: str, *, has_media: bool) -> list[Problem]:
    """What the channel cannot take, each with what to do instead."""
    found: list[Problem] = []
    if features.thread:
        if not caps.threads:
            found.append(Problem("threads_unsupported", "thread", f"{where} has no threads: it cannot chain "
                                 "replies to your own post. Set no thread for this channel, or leave it out."))
        elif len(features.thread) + 1 > caps.thread_max_parts:
            found.append(Problem("thread_too_long", "thread", f"The thread has {len(features.thread) + 1} parts; "
                                 f"socialdesk sends at most {caps.thread_max_parts} to {where}."))
        else:
            for index, part in enumerate(features.thread, start=2):
                for problem in _text_problems(count(part, caps.text, has_media=False), caps.text,
                                              f"{where} (thread part {index})"):
                    found.append(Problem(problem.code, "thread", problem.message,
                                         problem.details | {"part": index}))
    if features.poll:
        options = list(features.poll["options"])
        seconds = int(features.poll["expires_in_seconds"])
        if not caps.polls:
            found.append(Problem("polls_unsupported", "poll", f"{where} has no native polls. Set no poll for this "
                                 "channel (ask in the text instead), or leave the channel out."))
        else:
            if not 2 <= len(options) <= caps.poll_max_options:
                found.append(Problem("poll_options", "poll", f"A poll on {where} has 2 to {caps.poll_max_options} "
                                     f"options; this one has {len(options)}."))
            long = [o for o in options if len(o) > caps.poll_option_length]
            if long:
                found.append(Problem("poll_option_too_long", "poll", f"Poll options on {where} have at most "
                                     f"{caps.poll_option_length} characters: shorten {long[0]!r}."))
            if len({o.casefold() for o in options}) != len(options):
                found.append(Problem("poll_duplicate_option", "poll", "Two poll options are the same."))
            if not POLL_MIN_SECONDS <= seconds <= POLL_MAX_SECONDS:
                found.append(Problem("poll_duration", "poll", "A poll runs from 5 minutes to 30 days."))
            if has_media:  # Mastodon, X and Telegram alike: a poll is a post of its own
                found.append(Problem("poll_with_media", "poll", f"{where} does not allow a poll and media in "
                                     "the same post. Remove the media or the poll for this channel."))
    if features.content_warning and not caps.content_warnings:
        found.append(Problem("content_warning_unsupported", "content_warning", f"{where} has no content "
                             "warnings. Clear the warning for this channel, or write it into the text."))
    if features.visibility:
        if not caps.visibilities:
            found.append(Problem("visibility_unsupported", "visibility", f"{where} does not let a post be limited "
                                 "to an audience. Leave the visibility as the channel's default."))
        elif features.visibility not in caps.visibilities:
            found.append(Problem("visibility_unknown", "visibility", f"{where} has the visibilities "
                                 f"{', '.join(caps.visibilities)}, not {features.visibility!r}."))
    return found
