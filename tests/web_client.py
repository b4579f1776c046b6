"""A TestClient signed in as a given person, with the CSRF header a page would send."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from socialdesk.auth.service import start_session, user_by_email
from socialdesk.core.config import get_settings
from socialdesk.core.db import Database
from socialdesk.web.app import create_app
from socialdesk.web.deps import CSRF_HEADER, SESSION_COOKIE

_APPS: dict[str, FastAPI] = {}


def web_app() -> FastAPI:
    """create_app(), built once per test process for the same settings. Building the app costs about a second
    of CPU (FastAPI works out the dependencies of each of its ~350 routes when first used), which was a third
    of the suite's time when every test built its own. The app keeps nothing between requests: the database,
    the clock and the settings are looked up per request, so only what create_app reads from the settings
    (the key check, the request limit) could differ, and the settings are the cache's key; the test's own data
    folder is not part of it. Tests of what create_app itself does call create_app()."""
    settings = get_settings()
    key = settings.model_dump_json(exclude={"data_dir"})
    app = _APPS.get(key)
    if app is None:
        if len(_APPS) >= 8:
            _APPS.clear()
        app = _APPS[key] = create_app()
    return app


def signed_in_client(db: Database, email: str) -> tuple[TestClient, str]:
    """Returns the client and the session's CSRF token."""
    with db.unit_of_work() as session:
        user = user_by_email(session, email)
        assert user is not None
        new = start_session(session, user)
        csrf = new.session.csrf_token
    client = TestClient(web_app(), follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, new.cookie_value)
    client.headers[CSRF_HEADER] = csrf
    return client, csrf
