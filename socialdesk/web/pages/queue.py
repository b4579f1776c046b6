"""The queue: the workspace's weekly posting times, the next free slot, and pausing all publishing."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialdesk.channels import service as channels
from socialdesk.scheduling import service as scheduling
from socialdesk.web.deps import Ctx
from socialdesk.web.pages.common import Form, act, attempt, render, ws_url
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import WorkspaceContext
from socialdesk.workspaces.permissions import Permission, requires

router = APIRouter()
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@router.get("/w/{workspace_id}/queue", response_class=HTMLResponse)
@requires(Permission.POSTS_READ)
def queue(request: Request, ctx: Ctx) -> HTMLResponse:
    slots = scheduling.list_slots(ctx)
    by_day: dict[int, list[str]] = defaultdict(list)
    channel_slots: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for slot in slots:
        if slot.channel_id is None:
            by_day[slot.weekday].append(slot.local_time)
        else:
            channel_slots[slot.channel_id].append((slot.weekday, slot.local_time))
    listed = channels.list_channels(ctx)
    upcoming: list[tuple[str, datetime | None, str | None]] = []
    for channel in listed:
        at, error = attempt(ctx.session, lambda c=channel: scheduling.next_free_slot(ctx, [c.id]))
        upcoming.append((channel.name, at, error.message if error else None))
    return render(request, "queue.html", ctx=ctx, section="queue", weekdays=WEEKDAYS, by_day=by_day,
                  channel_slots=channel_slots, channels={c.id: c for c in listed}, upcoming=upcoming)


@router.post("/w/{workspace_id}/queue/slots")
@requires(Permission.WORKSPACE_ADMIN)
def save_slots(ctx: Ctx, form: Form) -> Response:
    chosen = [(day, value.strip()) for day in range(7) for value in form.getlist(f"slot_{day}")
              if isinstance(value, str) and value.strip()]

    def run() -> list[str]:
        created = scheduling.set_slots(ctx, chosen)
        return [f"Saved {len(created)} weekly slot(s)."]

    return act(ctx, run, back=ws_url(ctx, "/queue"))


def _set_paused(ctx: WorkspaceContext, paused: bool) -> Response:
    def run() -> list[str]:
        workspaces.set_queue_paused(ctx, paused)
        return ["Publishing is paused for the whole workspace; nothing scheduled is lost." if paused
                else "Publishing resumed; posts that fell due meanwhile go out now."]

    return act(ctx, run, back=ws_url(ctx, "/queue"))


@router.post("/w/{workspace_id}/queue/pause")
@requires(Permission.POSTS_PUBLISH)
def pause(ctx: Ctx) -> Response:
    return _set_paused(ctx, True)


@router.post("/w/{workspace_id}/queue/resume")
@requires(Permission.POSTS_PUBLISH)
def resume(ctx: Ctx) -> Response:
    return _set_paused(ctx, False)
