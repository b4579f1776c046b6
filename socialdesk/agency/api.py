"""The agency overview and review links as JSON."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from socialdesk.agency import overview as agency
from socialdesk.agency import review_links, time_log
from socialdesk.agency.models import ReviewLink
from socialdesk.web.deps import Ctx, CurrentIdentity, DbSession
from socialdesk.web.links import review_link
from socialdesk.workspaces.permissions import Access, Permission, requires

router = APIRouter(tags=["agency"])


@router.get("/agency/overview", response_model=agency.OverviewOut)
@requires(Access.SIGNED_IN)
def overview(session: DbSession, identity: CurrentIdentity,
             sort: str = Query("attention", max_length=20, description=f"One of {', '.join(agency.SORTS)}"),
             order: str | None = Query(None, pattern="^(asc|desc)$")) -> agency.OverviewOut:
    """Every client workspace the caller is a member of (a token limited to one workspace: that one), with
    what needs attention in each; figures the caller's role may not read there are null."""
    return agency.overview(session, identity.actor, token_workspace_id=identity.token_workspace_id, sort=sort,
                           descending=None if order is None else order == "desc")


class ReviewLinkIn(BaseModel):
    email: str = Field(max_length=320)
    post_ids: list[str] = Field(default_factory=list, max_length=review_links.MAX_POSTS)
    range_start: date | None = None
    range_end: date | None = None
    days_valid: int = Field(review_links.DEFAULT_DAYS, ge=1, le=review_links.MAX_DAYS)
    message: str = Field("", max_length=5000)
    name: str = Field("", max_length=200)


class ReviewLinkOut(BaseModel):
    id: str
    email: str
    name: str
    state: str
    posts: int | None = Field(description="Chosen posts; null for a calendar range")
    range_start: datetime | None
    range_end: datetime | None
    expires_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None
    approved: int
    changes_requested: int
    url: str | None = Field(None, description="The link itself: given once, when it is made, never again")


def _out(s: review_links.LinkSummary, url: str | None = None) -> ReviewLinkOut:
    link = s.link
    return ReviewLinkOut(id=link.id, email=link.email, name=link.name, state=s.state, posts=s.posts,
                         range_start=link.range_start, range_end=link.range_end, expires_at=link.expires_at,
                         revoked_at=link.revoked_at, last_opened_at=link.last_opened_at, approved=s.approved,
                         changes_requested=s.changes_requested, url=url)


def _summary(ctx: Ctx, link: ReviewLink) -> review_links.LinkSummary:
    return next(s for s in review_links.list_links(ctx) if s.link.id == link.id)


@router.get("/workspaces/{workspace_id}/review-links", response_model=list[ReviewLinkOut])
@requires(Permission.POSTS_APPROVE)
def list_links(ctx: Ctx) -> list[ReviewLinkOut]:
    return [_out(s) for s in review_links.list_links(ctx)]


@router.post("/workspaces/{workspace_id}/review-links", response_model=ReviewLinkOut, status_code=201)
@requires(Permission.POSTS_APPROVE)
def create_link(request: Request, data: ReviewLinkIn, ctx: Ctx) -> ReviewLinkOut:
    """Make a review link and e-mail it to the client (needs SOCIALDESK_SMTP_HOST)."""
    link, url = review_links.create(ctx, review_links.LinkIn(**data.model_dump()),
                                    lambda secret: review_link(request, secret, ctx.workspace))
    ctx.session.flush()
    return _out(_summary(ctx, link), url)


@router.post("/workspaces/{workspace_id}/review-links/{review_link_id}/revoke", response_model=ReviewLinkOut)
@requires(Permission.POSTS_APPROVE)
def revoke_link(review_link_id: str, ctx: Ctx) -> ReviewLinkOut:
    link = review_links.revoke(ctx, review_link_id)
    ctx.session.flush()
    return _out(_summary(ctx, link))


class TimeEntryIn(BaseModel):
    day: date
    minutes: int = Field(ge=1, le=time_log.MAX_MINUTES)
    note: str = Field("", max_length=500)


class TimeEntryOut(BaseModel):
    id: str
    person: str
    email: str
    started_at: datetime
    ended_at: datetime | None
    minutes: int | None
    note: str


@router.get("/workspaces/{workspace_id}/time-entries", response_model=list[TimeEntryOut])
@requires(Permission.POSTS_READ)
def list_time(ctx: Ctx, month: str = Query("", max_length=7, description="YYYY-MM; default: this month")
              ) -> list[TimeEntryOut]:
    """The month's entries: everyone's for an admin, the caller's own for anyone else."""
    return [TimeEntryOut(id=r.entry.id, person=r.person, email=r.email, started_at=r.entry.started_at,
                         ended_at=r.entry.ended_at, minutes=r.entry.minutes, note=r.entry.note)
            for r in time_log.entries(ctx, time_log.period(ctx, month))]


@router.post("/workspaces/{workspace_id}/time-entries", response_model=TimeEntryOut, status_code=201)
@requires(Permission.POSTS_WRITE)
def add_time(data: TimeEntryIn, ctx: Ctx, identity: CurrentIdentity) -> TimeEntryOut:
    entry = time_log.add_entry(ctx, data.day, data.minutes, data.note)
    return TimeEntryOut(id=entry.id, person=identity.user.name, email=identity.user.email,
                        started_at=entry.started_at, ended_at=entry.ended_at, minutes=entry.minutes, note=entry.note)


@router.get("/workspaces/{workspace_id}/time-entries.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
@requires(Permission.WORKSPACE_ADMIN)
def time_csv(ctx: Ctx, month: str = Query("", max_length=7, description="YYYY-MM; default: this month")) -> Response:
    """The month's time for invoicing: one line per entry, each person's total, the month's total."""
    return Response(time_log.monthly_csv(ctx, time_log.period(ctx, month)), media_type="text/csv; charset=utf-8")
