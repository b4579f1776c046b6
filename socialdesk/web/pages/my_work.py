"""My work: what is assigned to me (and overdue), what waits for my approval, where I was mentioned; and
assigning a post to someone with a due date."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.content import assignments
from socialdesk.core.errors import ValidationFailed
from socialdesk.core.inputs import check_moment
from socialdesk.core.timezones import local_to_utc
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, field, render, ws_url
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()


@router.get("/w/{workspace_id}/my-work", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def my_work_page(request: Request, ctx: Ctx) -> HTMLResponse:
    return render(request, "my_work.html", ctx=ctx, section="my-work", work=assignments.my_work(ctx))


def due_from(ctx: Ctx, text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"Give the due date as a date and time, not {text!r}.") from None
    return local_to_utc(check_moment(local, "The due date"), ctx.workspace.timezone).at


@router.post("/w/{workspace_id}/posts/{post_id}/assign")
@requires(Permission.POSTS_WRITE)
def assign(post_id: str, ctx: Ctx, form: Form) -> Response:
    def run() -> list[str]:
        due = due_from(ctx, field(form, "due_at"))
        post = assignments.assign(ctx, post_id, field(form, "assignee_id") or None, due)
        return ["Assigned; they are told." if post.assignee_id else "Nobody is assigned now."]

    return act(ctx, run, back=ws_url(ctx, f"/posts/{post_id}"))


@router.post("/w/{workspace_id}/settings/white-label")
@requires(Permission.WORKSPACE_ADMIN)
def white_label(ctx: Ctx, form: Form) -> Response:
    """(Here rather than in settings.py to keep the merge small: the settings page's white-label form.)"""
    from socialdesk.agency import white_label as branding

    def run() -> list[str]:
        branding.update(ctx, sender=field(form, "sender"), domain=field(form, "domain"))
        return ["White-label saved."]

    return act(ctx, run, back=ws_url(ctx, "/settings#white-label"))
