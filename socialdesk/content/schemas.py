"""What a post looks like coming in and going out (API, pages and CLI share these)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from socialdesk.core.inputs import Moment, Text


class Intent(StrEnum):
    DRAFT = "draft"  # save; nothing is checked beyond what would corrupt data
    SUBMIT = "submit"  # ask for approval (or schedule at once when the workspace needs none)
    SCHEDULE = "schedule"  # schedule without approval (needs the right to publish)
    PUBLISH_NOW = "publish_now"


class PollIn(BaseModel):
    options: list[Text] = Field(default_factory=list, description="2 to 4 choices on most networks")
    expires_in_seconds: int = Field(24 * 3600, description="How long people can vote (5 minutes to 30 days)")
    multiple: bool = Field(False, description="Voters may pick several options")


class VariantIn(BaseModel):
    text: Text | None = Field(None, description="This channel's own text; null uses the master text")
    media_ids: list[str] | None = Field(None, description="This channel's own media; null uses the post's")
    # Blog channels only.
    title: Text | None = Field(None, max_length=1000, description="The blog post's title (blogs need one)")
    tags: list[Text] | None = Field(None, description="Blog tags by name; missing ones are created")
    categories: list[Text] | None = Field(None, description="WordPress categories by name (Ghost: the first "
                                                             "tags, the first being the primary tag)")
    draft: bool = Field(False, description="Leave the post as a draft on the blog instead of publishing it")
    options: dict[str, Any] | None = Field(None, description="The channel's own options by name, as its "
                                           "capabilities list them (e.g. privacy, first_comment)")
    # The post's composer features for this channel only (content/features.py); null: the post's.
    thread: list[Text] | None = Field(None, description="This channel's thread parts after the first; [] for none")
    poll: PollIn | None = Field(None, description="This channel's own poll")
    no_poll: bool = Field(False, description="No poll on this channel even if the post has one")
    content_warning: Text | None = Field(None, description="This channel's content warning; '' for none")
    visibility: str | None = Field(None, description="This channel's visibility (Mastodon: public, unlisted, "
                                   "private, direct)")

    def blog_options(self) -> dict[str, object] | None:
        tags, categories = clean_names(self.tags), clean_names(self.categories)
        if not (tags or categories or self.draft):
            return None
        return {"tags": tags, "categories": categories, "draft": self.draft}


def clean_names(names: list[str] | None) -> list[str]:
    """Tag or category names as typed: trimmed, empty ones dropped, each once (ignoring case)."""
    seen: dict[str, str] = {}
    for name in names or []:
        name = " ".join(name.split())[:190]
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


class PostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field("", max_length=100_000)
    channel_ids: list[str] = Field(default_factory=list)
    media_ids: list[str] = Field(default_factory=list)
    variants: dict[str, VariantIn] = Field(default_factory=dict, description="Keyed by channel id")
    scheduled_at: Moment | None = Field(
        None, description="Wall-clock time in `timezone` (or an aware time); null for none yet")
    timezone: str | None = Field(None, description="IANA zone; defaults to the workspace's")
    use_queue: bool = Field(False, description="Take the next free queue slot instead of scheduled_at")
    recurrence: str | None = Field(None, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=8")
    intent: Intent = Intent.DRAFT
    thread: list[Text] = Field(default_factory=list, description="A thread: the parts after the text, each "
                               "posted as a reply to the one before (networks with threads)")
    poll: PollIn | None = Field(None, description="A native poll (networks with polls)")
    content_warning: Text = Field("", max_length=1000, description="Shown before the text (Mastodon)")
    visibility: str | None = Field(None, description="Who may see the post (Mastodon); null: the channel's default")


class PublicationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant_text: Text | None = None
    clear_variant: bool = False
    title: Text | None = Field(None, max_length=1000, description="Blog channels: a new title")
    media_ids: list[str] | None = None
    scheduled_at: Moment | None = None
    timezone: str | None = None


class StepOut(BaseModel):
    kind: str = Field(description="thread_part or first_comment")
    position: int
    text: str
    status: str = Field(description="pending, published, failed or unconfirmed")
    attempts: int
    last_error: str | None
    external_id: str | None
    external_url: str | None
    published_at: datetime | None


class ProblemOut(BaseModel):
    code: str
    field: str
    message: str


class ChannelCheck(BaseModel):
    channel_id: str
    channel_name: str
    network_label: str
    length: int
    limit: int
    ok: bool
    problems: list[ProblemOut]


class PublicationOut(BaseModel):
    id: str
    channel_id: str
    channel_name: str
    network: str
    status: str
    text: str
    variant_text: str | None
    media_ids: list[str]
    title: str | None = None
    blog_options: dict[str, Any] | None = None
    network_options: dict[str, Any] | None = None
    link_from_id: str | None = Field(None, description="The blog publication this one waits for and links to")
    features: dict[str, Any] | None = Field(None, description="Thread, poll, content warning and visibility as "
                                            "this channel gets them")
    steps: list[StepOut] = Field(default_factory=list, description="Thread parts and first comment, each "
                                 "with its own outcome")
    scheduled_at: datetime | None
    published_at: datetime | None
    external_id: str | None
    external_url: str | None
    attempts: int
    last_error: str | None


class ApprovalOut(BaseModel):
    decision: str
    step: str | None
    comment: str
    by: str | None
    at: datetime
    review_link_id: str | None = None  # decided by a client through this review link


class PostOut(BaseModel):
    id: str
    workspace_id: str
    status: str
    text: str
    media_ids: list[str]
    scheduled_at: datetime | None
    timezone: str
    scheduled_local: str | None
    recurrence: str | None
    recurrence_parent_id: str | None
    extras: dict[str, Any] | None = Field(None, description="The post's thread, poll, content warning, visibility")
    approval_step: str | None
    created_at: datetime
    updated_at: datetime
    author: str | None
    publications: list[PublicationOut]
    approvals: list[ApprovalOut]
    notes: list[str] = Field(default_factory=list, description="What the service decided for you, e.g. DST")
