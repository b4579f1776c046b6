"""The composer's form: what the user typed, kept whole so a refused save shows it all again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from starlette.datastructures import FormData

from socialdesk.content.schemas import Intent, PostIn, PostOut, VariantIn
from socialdesk.core import inputs
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.timezones import zone
from socialdesk.web.pages.common import field as form_field
from socialdesk.web.pages.common import fields as form_fields

REPEATS = {"none": "Does not repeat", "daily": "Every day", "weekly": "Every week", "monthly": "Every month"}
_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
_SIMPLE_RULE = re.compile(r"^FREQ=(DAILY|WEEKLY|MONTHLY);COUNT=(\d+)$")
MAX_REPEAT_COUNT = 366
VARIANT_PREFIX = "variant_"
# A blog channel's own fields: its title, tags and categories (comma-separated) and "keep as a draft".
BLOG_PREFIXES = ("title_", "tags_", "categories_", "blogdraft_")
# A channel's network options (Capabilities.options): opt_<channel id>_<option name> (ids have no "_").
OPTION_PREFIX = "opt_"
# A channel that takes none of the post's thread, poll, content warning and visibility: plain_<channel id>.
PLAIN_PREFIX = "plain_"
# The thread's further parts are written in one box, separated by a line holding only this.
PART_SEPARATOR = "---"
POLL_DURATIONS = {"300": "5 minutes", "3600": "1 hour", "21600": "6 hours", "86400": "1 day", "259200": "3 days",
                  "604800": "7 days"}


@dataclass
class ComposeForm:
    text: str = ""
    channel_ids: list[str] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)  # channel id -> its own text ("" = the master text)
    media_ids: list[str] = field(default_factory=list)
    day: str = ""  # YYYY-MM-DD, in `timezone`
    time: str = ""  # HH:MM
    timezone: str = ""
    use_queue: bool = False
    repeat: str = "none"  # a key of REPEATS, or "custom" for a rule written elsewhere (API, CLI)
    repeat_count: str = "4"
    custom_rule: str = ""
    # Blog channels: channel id -> {"title": ..., "tags": "a, b", "categories": "c", "blogdraft": "1"}
    blog: dict[str, dict[str, str]] = field(default_factory=dict)
    # Network options: channel id -> {option name: value as typed}
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    # Composer features (content/features.py), for every chosen channel but the `plain` ones.
    thread: str = ""  # the further parts, separated by PART_SEPARATOR lines
    poll_options: str = ""  # one option a line
    poll_seconds: str = "86400"
    poll_multiple: bool = False
    content_warning: str = ""
    visibility: str = ""
    plain: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: FormData) -> ComposeForm:
        variants = {key.removeprefix(VARIANT_PREFIX): value for key, value in form.multi_items()
                    if key.startswith(VARIANT_PREFIX) and isinstance(value, str)}
        blog: dict[str, dict[str, str]] = {}
        for key, value in form.multi_items():
            prefix = next((p for p in BLOG_PREFIXES if key.startswith(p)), None)
            if prefix and isinstance(value, str):
                blog.setdefault(key.removeprefix(prefix), {})[prefix.rstrip("_")] = value
        options: dict[str, dict[str, str]] = {}
        for key, value in form.multi_items():
            channel_id, _, name = key.removeprefix(OPTION_PREFIX).partition("_")
            if key.startswith(OPTION_PREFIX) and name and isinstance(value, str):
                options.setdefault(channel_id, {})[name] = value
        return cls(text=str(form.get("text") or ""), channel_ids=form_fields(form, "channel_ids"), variants=variants,
                   blog=blog, options=options,
                   media_ids=form_fields(form, "media_ids"), day=form_field(form, "day"),
                   time=form_field(form, "time"), timezone=form_field(form, "timezone"),
                   use_queue=form_field(form, "use_queue") == "1", repeat=form_field(form, "repeat", "none") or "none",
                   repeat_count=form_field(form, "repeat_count", "4") or "4",
                   custom_rule=form_field(form, "custom_rule"), thread=str(form.get("thread") or ""),
                   poll_options=str(form.get("poll_options") or ""),
                   poll_seconds=form_field(form, "poll_seconds", "86400") or "86400",
                   poll_multiple=form_field(form, "poll_multiple") == "1",
                   content_warning=form_field(form, "content_warning"), visibility=form_field(form, "visibility"),
                   plain=[key.removeprefix(PLAIN_PREFIX) for key, value in form.multi_items()
                          if key.startswith(PLAIN_PREFIX) and value == "1"])

    @classmethod
    def from_post(cls, post: PostOut) -> ComposeForm:
        day, clock_time = (post.scheduled_local or " ").split(" ", 1)
        form = cls(text=post.text, channel_ids=[p.channel_id for p in post.publications if p.status != "cancelled"],
                   variants={p.channel_id: p.variant_text for p in post.publications if p.variant_text is not None},
                   media_ids=list(post.media_ids), day=day, time=clock_time, timezone=post.timezone,
                   blog={p.channel_id: _blog_fields(p.title, p.blog_options) for p in post.publications
                         if p.title or p.blog_options},
                   options={p.channel_id: {k: _typed(v) for k, v in p.network_options.items()}
                            for p in post.publications if p.network_options})
        extras = post.extras or {}
        poll = extras.get("poll") or {}
        form.thread = f"\n{PART_SEPARATOR}\n".join(extras.get("thread") or [])
        form.poll_options = "\n".join(poll.get("options") or [])
        form.poll_seconds = str(poll.get("expires_in_seconds") or 86400)
        form.poll_multiple = bool(poll.get("multiple"))
        form.content_warning = str(extras.get("content_warning") or "")
        form.visibility = str(extras.get("visibility") or "")
        # A channel that gets none of the post's features was sent as a plain post there.
        form.plain = [p.channel_id for p in post.publications if extras and not p.features]
        if post.recurrence:
            simple = _SIMPLE_RULE.match(post.recurrence)
            if simple:
                form.repeat = simple.group(1).lower()
                form.repeat_count = simple.group(2)
            else:
                form.repeat, form.custom_rule = "custom", post.recurrence
        return form

    def thread_parts(self) -> list[str]:
        parts = re.split(rf"(?m)^\s*{re.escape(PART_SEPARATOR)}\s*$", self.thread.replace("\r\n", "\n"))
        return [p.strip() for p in parts if p.strip()]

    def poll(self) -> dict[str, Any] | None:
        options = [line.strip() for line in self.poll_options.splitlines() if line.strip()]
        if not options:
            return None
        seconds = int(self.poll_seconds) if self.poll_seconds.isdigit() else 86400
        return {"options": options, "expires_in_seconds": seconds, "multiple": self.poll_multiple}

    def recurrence(self) -> str | None:
        if self.repeat == "custom":
            return self.custom_rule or None
        if self.repeat not in _FREQ:
            return None
        if not self.repeat_count.isdigit() or not 1 < int(self.repeat_count) <= MAX_REPEAT_COUNT:
            raise ValidationFailed(f"Repeat how many times in all? Give a number from 2 to {MAX_REPEAT_COUNT}.")
        return f"FREQ={_FREQ[self.repeat]};COUNT={int(self.repeat_count)}"

    def scheduled_at(self) -> datetime | None:
        if not self.day and not self.time:
            return None
        if not self.day or not self.time:
            raise ValidationFailed("Give both a date and a time, or neither.")
        try:
            when = datetime.combine(date.fromisoformat(self.day), time.fromisoformat(self.time))
        except ValueError:
            raise ValidationFailed(f"{self.day} {self.time} is not a date and time (YYYY-MM-DD and HH:MM).") from None
        return inputs.check_moment(when, "The date")

    def to_post_in(self, intent: Intent = Intent.DRAFT, *, content_only: bool = False) -> PostIn:
        """The service's input; `content_only` skips the when-parts, which the live check does not need."""
        chosen = set(self.channel_ids)
        # An empty variant box means "use the master text"; boxes of channels not ticked are ignored.
        variants = {cid: inputs.valid(VariantIn, {"text": text}) for cid, text in self.variants.items()
                    if cid in chosen and text.strip()}
        for cid, fields in self.blog.items():
            if cid not in chosen:
                continue
            own = variants.get(cid, VariantIn())
            # Built anew (not model_copy, which skips validation): the blog fields get the same rules.
            variants[cid] = inputs.valid(VariantIn, {
                **own.model_dump(exclude_unset=True), "title": fields.get("title") or None,
                "tags": _names(fields.get("tags", "")), "categories": _names(fields.get("categories", "")),
                "draft": fields.get("blogdraft") == "1"})
        for cid, typed in self.options.items():
            if cid in chosen and any(v.strip() for v in typed.values()):
                own = variants.get(cid, VariantIn())
                variants[cid] = inputs.valid(VariantIn, {**own.model_dump(exclude_unset=True), "options": typed})
        for cid in self.plain:
            if cid in chosen:
                own = variants.get(cid, VariantIn())
                variants[cid] = inputs.valid(VariantIn, {**own.model_dump(exclude_unset=True), "thread": [],
                                                         "no_poll": True, "content_warning": "", "visibility": ""})
        values: dict[str, Any] = {"text": self.text, "channel_ids": self.channel_ids, "media_ids": self.media_ids,
                                  "variants": variants, "intent": intent, "thread": self.thread_parts(),
                                  "content_warning": self.content_warning.strip(),
                                  "visibility": self.visibility or None, "poll": self.poll()}
        if not content_only:
            if self.timezone:
                zone(self.timezone)
            values |= {"scheduled_at": None if self.use_queue else self.scheduled_at(),
                       "timezone": self.timezone or None, "use_queue": self.use_queue,
                       "recurrence": self.recurrence()}
        return inputs.valid(PostIn, values)


def _names(typed: str) -> list[str] | None:
    names = [name.strip() for name in typed.split(",") if name.strip()]
    return names or None


def _typed(value: Any) -> str:
    """A saved option value as its form field shows it."""
    return ("1" if value else "") if isinstance(value, bool) else str(value)


def _blog_fields(title: str | None, options: dict[str, Any] | None) -> dict[str, str]:
    options = options or {}
    return {"title": title or "", "tags": ", ".join(options.get("tags") or []),
            "categories": ", ".join(options.get("categories") or []), "blogdraft": "1" if options.get("draft") else ""}


def parse_intent(value: str) -> Intent:
    try:
        return Intent(value or "draft")
    except ValueError:
        raise ValidationFailed(f"Unknown action {value!r}.") from None
