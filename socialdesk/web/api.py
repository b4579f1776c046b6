"""The JSON API under /api/v1, assembled from each domain's router."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from socialdesk.agency.api import router as agency
from socialdesk.analytics.api import router as analytics
from socialdesk.auth.api import router as auth
from socialdesk.bulk.api import router as bulk
from socialdesk.channels.api import router as channels
from socialdesk.comments.api import router as comments
from socialdesk.content.api import router as content
from socialdesk.goals.api import router as goals
from socialdesk.inbox.api import router as inbox
from socialdesk.integrations.api import router as integrations
from socialdesk.media.api import router as media
from socialdesk.notifications.api import router as notifications
from socialdesk.reports.api import router as reports
from socialdesk.scheduling.api import router as scheduling
from socialdesk.workspaces.api import router as workspaces


class ErrorOut(BaseModel):
    """Every refusal, as the app's error handlers write it (DomainError.to_dict and request validation)."""

    error: str = Field(description="A stable code, e.g. not_found, forbidden, validation_failed, invalid_request")
    message: str = Field(description="What went wrong and what to fix, for people")
    details: Any = Field(None, description="Per-field or per-channel problems, when there are some")


# Documented so clients (and the schemathesis run in tests/test_api_fuzz.py) know the shape of a refusal;
# 422 replaces FastAPI's default HTTPValidationError, which this app never sends.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {400: "Bad request", 401: "No valid session or API token",
                                403: "The role or the token's scopes do not allow it", 404: "No such object here",
                                409: "Conflicts with the object's current state",
                                422: "Invalid input; `details` says where"}.items()
}

router = APIRouter(prefix="/api/v1", responses=ERRORS)
for domain in (auth, workspaces, channels, media, content, scheduling, inbox, analytics, goals, reports):
    router.include_router(domain)
for domain in (agency, comments, notifications, integrations):
    router.include_router(domain)
from socialdesk.studio.writing.api import router as writing  # noqa: E402

router.include_router(writing)
router.include_router(bulk)
from socialdesk.competitors.api import router as competitors  # noqa: E402
from socialdesk.listening.api import router as listening  # noqa: E402
from socialdesk.strategy.api import router as strategy  # noqa: E402

for domain in (listening, competitors, strategy):
    router.include_router(domain)
