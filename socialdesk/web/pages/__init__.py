"""HTML pages (Jinja2 + htmx): one module per screen, all behind one router."""

from fastapi import APIRouter

from socialdesk.web.pages import (
    agency,
    analytics,
    approvals,
    auth,
    bulk,
    calendar,
    campaigns,
    channels,
    collab,
    compose,
    contests,
    dashboard,
    goals,
    inbox,
    invitations,
    links,
    media,
    network_facing,
    posts,
    queue,
    reports,
    settings,
    studio,
    studio_fit,
)

router = APIRouter(include_in_schema=False)
for module in (auth, dashboard, calendar, compose, posts, approvals, inbox, channels, media, queue, settings,
               analytics, goals, reports, contests, invitations, network_facing):
    router.include_router(module.router)
router.include_router(agency.router)
router.include_router(collab.router)
from socialdesk.web.pages import my_work as _my_work  # noqa: E402
from socialdesk.web.pages import password_reset as _password_reset  # noqa: E402
from socialdesk.web.pages import quizzes as _quizzes  # noqa: E402

router.include_router(_quizzes.router)
router.include_router(_my_work.router)
router.include_router(_password_reset.router)
from socialdesk.web.pages import writing as writing_pages  # noqa: E402

router.include_router(writing_pages.router)
from socialdesk.web.pages import academy  # noqa: E402

router.include_router(academy.router)
router.include_router(campaigns.router)
from socialdesk.web.pages import listening, strategy  # noqa: E402

router.include_router(listening.router)
router.include_router(strategy.router)
router.include_router(studio_fit.router)
router.include_router(studio.router)
router.include_router(links.router)
router.include_router(bulk.router)
from socialdesk.web.pages import competitors as competitor_pages  # noqa: E402

router.include_router(competitor_pages.router)
