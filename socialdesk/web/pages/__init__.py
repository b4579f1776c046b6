"""HTML pages (Jinja2 + htmx): one module per screen, all behind one router."""

from fastapi import APIRouter

from socialdesk.web.pages import (
    agency,
    analytics,
    approvals,
    auth,
    bulk,
    calendar,
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
)

router = APIRouter(include_in_schema=False)
for module in (auth, dashboard, calendar, compose, posts, approvals, inbox, channels, media, queue, settings,
               analytics, goals, reports, contests, invitations, network_facing):
    router.include_router(module.router)
router.include_router(agency.router)
router.include_router(collab.router)
router.include_router(links.router)
router.include_router(bulk.router)
