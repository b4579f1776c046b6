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


class PublicationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant_text: Text | None = None
    clear_variant: bool = False
    title: Text | None = Field(None, max_length=1000, description="Blog channels: a new title")
    media_ids: list[str] | None = None
    scheduled_at: Moment | None = None
    timezone: str | None = None


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
    approval_step: str | None
    created_at: datetime
    updated_at: datetime
    author: str | None
    publications: list[PublicationOut]
    approvals: list[ApprovalOut]
    notes: list[str] = Field(default_factory=list, description="What the service decided for you, e.g. DST")
