"""Addresses the networks call, not people: media files they fetch and webhooks they deliver.

Neither has a session or a token: a public media link carries its own signed, expiring token
(media/public_links.py); a webhook is checked by the network's signature or secret (inbox/webhooks.py).
"""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from socialdesk.core.db import get_database
from socialdesk.inbox import webhooks
from socialdesk.media import public_links
from socialdesk.networks.webhooks import WebhookRequest
from socialdesk.workspaces.permissions import Access, requires

router = APIRouter()


@router.get("/public-media/{token}/{name}")
@requires(Access.PUBLIC)
def public_media(token: str, name: str) -> Response:
    path = public_links.resolve(token)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})


async def _deliver(request: Request, network: str, channel_id: str | None) -> Response:
    body = await request.body()
    hook = WebhookRequest(method=request.method, query=dict(request.query_params),
                          headers={k.lower(): v for k, v in request.headers.items()}, body=body)
    # The service does database work and network parsing: a thread, not the event loop.
    reply = await run_in_threadpool(webhooks.receive, get_database(), network, channel_id, hook)
    return Response(reply.body, status_code=reply.status, media_type=reply.content_type)


@router.api_route("/webhooks/{network}", methods=["GET", "POST"])
@requires(Access.PUBLIC)
async def network_webhook(request: Request, network: str) -> Response:
    return await _deliver(request, network, None)


@router.api_route("/webhooks/{network}/{hook_channel_id}", methods=["GET", "POST"])
@requires(Access.PUBLIC)
async def channel_webhook(request: Request, network: str, hook_channel_id: str) -> Response:
    return await _deliver(request, network, hook_channel_id)
