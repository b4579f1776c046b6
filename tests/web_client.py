"""A TestClient signed in as a given person, with the CSRF header a page would send."""

from __future__ import annotations

from fastapi.testclient import TestClient

from socialdesk.auth.service import start_session, user_by_email
from socialdesk.core.db import Database
from socialdesk.web.app import create_app
from socialdesk.web.deps import CSRF_HEADER, SESSION_COOKIE


def signed_in_client(db: Database, email: str) -> tuple[TestClient, str]:
    """Returns the client and the session's CSRF token."""
    with db.unit_of_work() as session:
        user = user_by_email(session, email)
        assert user is not None
        new = start_session(session, user)
        csrf = new.session.csrf_token
    client = TestClient(create_app(), follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, new.cookie_value)
    client.headers[CSRF_HEADER] = csrf
    return client, csrf
