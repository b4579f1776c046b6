"""The JSON API under /api/v1, assembled from each domain's router."""

from fastapi import APIRouter

from socialdesk.analytics.api import router as analytics
from socialdesk.auth.api import router as auth
from socialdesk.channels.api import router as channels
from socialdesk.content.api import router as content
from socialdesk.goals.api import router as goals
from socialdesk.inbox.api import router as inbox
from socialdesk.media.api import router as media
from socialdesk.reports.api import router as reports
from socialdesk.scheduling.api import router as scheduling
from socialdesk.workspaces.api import router as workspaces

router = APIRouter(prefix="/api/v1")
for domain in (auth, workspaces, channels, media, content, scheduling, inbox, analytics, goals, reports):
    router.include_router(domain)
