"""Sign-in: throttled per account and per address with backoff (stored in the database, so every process
sees it), protected from login CSRF, and passwords that are short or common are refused everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from socialdesk.auth import passwords
from socialdesk.auth import service as auth
from socialdesk.auth.models import LoginThrottle, User
from socialdesk.cli import app as cli
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import ValidationFailed
from socialdesk.demo import PASSWORD as DEMO_PASSWORD
from socialdesk.web.app import create_app
from socialdesk.web.deps import SESSION_COOKIE

EMAIL = "ana@example.com"
RIGHT = "long enough password"


@pytest.fixture
def user(database: Database) -> None:
    with database.unit_of_work() as session:
        auth.create_user(session, EMAIL, "Ana", RIGHT)


def _login(client: TestClient, password: str, email: str = EMAIL, **headers: str) -> int:
    answer = client.post("/login", data={"email": email, "password": password, "next": "/"}, headers=headers)
    return answer.status_code


def _client() -> TestClient:
    # Each client is a separate app: like separate web processes, they share only the database.
    return TestClient(create_app(), follow_redirects=False)


def test_wrong_passwords_lock_the_account_with_backoff_across_processes(database: Database, user: None,
                                                                      clock: ManualClock) -> None:
    first, second = _client(), _client()
    for n in range(5):
        assert _login(first if n % 2 else second, "wrong password!") == 401
    assert _login(first, "wrong password!") == 401  # the 6th failure starts the wait (2 s)
    answer = second.post("/login", data={"email": EMAIL, "password": RIGHT})
    assert answer.status_code == 429, "while locked, even the right password is refused"
    assert "Too many failed sign-ins for this account" in answer.text and answer.headers["retry-after"] == "2"
    clock.advance(timedelta(seconds=3))
    assert _login(first, "wrong password!") == 401
    clock.advance(timedelta(seconds=3))  # the 7th failure doubled the wait to 4 s
    assert _login(second, RIGHT) == 429
    clock.advance(timedelta(seconds=2))
    assert _login(second, RIGHT) == 303
    with database.unit_of_work() as session:  # success forgets the account's failures
        assert session.scalar(select(func.count()).select_from(LoginThrottle)
                              .where(LoginThrottle.kind == "account")) == 0


def test_an_unknown_account_is_throttled_the_same_way(database: Database, user: None, clock: ManualClock) -> None:
    client = _client()
    answers = [_login(client, "wrong password!", email="nobody@example.com") for _ in range(7)]
    assert answers == [401] * 6 + [429]
    with database.unit_of_work() as session:
        assert EMAIL not in str(list(session.scalars(select(LoginThrottle.key_hash))))


def test_one_address_guessing_many_accounts_is_throttled(database: Database, user: None,
                                                         clock: ManualClock) -> None:
    client = _client()
    for n in range(20):
        assert _login(client, "wrong password!", email=f"guess{n}@example.com") == 401
    assert _login(client, "wrong password!", email="guess99@example.com") == 401
    answer = client.post("/login", data={"email": EMAIL, "password": RIGHT})
    assert answer.status_code == 429 and "your network address" in answer.text


def test_a_sign_in_form_posted_from_another_site_is_refused(database: Database, user: None) -> None:
    client = _client()
    assert _login(client, RIGHT, origin="https://evil.example") == 403
    assert _login(client, RIGHT, origin="null") == 403
    assert _login(client, RIGHT, referer="https://evil.example/page") == 403
    assert SESSION_COOKIE not in client.cookies
    assert _login(client, RIGHT, origin="http://testserver") == 303
    assert _login(_client(), RIGHT, referer="http://testserver/login") == 303
    assert _login(_client(), RIGHT) == 303  # not a browser: no Origin, no Referer


def test_every_unsafe_route_needs_the_csrf_token_with_a_session_cookie(database: Database, user: None) -> None:
    """Every POST/PUT/PATCH/DELETE route, pages and API, refuses a cookie-authenticated request without the
    session's CSRF token (before any object lookup)."""
    from fastapi.routing import iter_route_contexts

    from socialdesk.workspaces import service as workspaces

    with database.unit_of_work() as session:
        owner = session.scalars(select(User)).one()
        org = workspaces.create_organisation(session, "Org")
        workspace_id = workspaces.create_workspace(session, org, "Brand", owner).id
        cookie = auth.start_session(session, owner).cookie_value
    app = create_app()
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, cookie)
    checked = []
    for route in iter_route_contexts(app.router.routes):
        for method in (route.methods or set()) - {"GET", "HEAD", "OPTIONS"}:
            if route.path == "/login":
                continue  # before a session exists: protected by the Origin check above
            path = route.path.replace("{workspace_id}", workspace_id)
            for name in ("post_id", "publication_id", "channel_id", "media_id", "item_id", "conversation_id",
                         "rule_id", "saved_reply_id", "action_id", "goal_id", "schedule_id", "token_id", "path"):
                path = path.replace("{" + name + "}", "01nonexistent0000000000000")
            answer = client.request(method, path, data={"x": "1"}, headers={"accept": "application/json"})
            assert answer.status_code == 403 and "CSRF" in answer.text, f"{method} {route.path}: {answer.status_code}"
            checked.append(path)
    assert len(checked) > 40


@pytest.mark.parametrize("password", [" " * 12, "1234567890", "password12", "123456789012", "password1234",
                                      "Password2024!", "qwertyuiop12", "aaaaaaaaaaaaaaaa", "abababababab", "short"])
def test_weak_passwords_are_refused(database: Database, password: str) -> None:
    with database.unit_of_work() as session, pytest.raises(ValidationFailed, match="password"):
        auth.create_user(session, "bo@example.com", "Bo", password)
    user = User(email="x@example.com", name="X", password_hash="")
    with pytest.raises(ValidationFailed):
        auth.set_password(user, password)


def test_good_passwords_and_the_demo_password_pass() -> None:
    from pathlib import Path

    from socialdesk.demo import EMAIL as DEMO_EMAIL

    for password in ("correct horse battery", "long enough password", DEMO_PASSWORD, "Kava & Co. 2026 spring"):
        assert passwords.problem(password) is None, password
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert f"`{DEMO_EMAIL}` / `{DEMO_PASSWORD}`" in readme, "README's demo sign-in must stay true"
    assert len(passwords.common_passwords()) == 30_000


def test_the_cli_refuses_a_weak_password_clearly(database: Database) -> None:
    result = CliRunner().invoke(cli, ["user", "create", "--email", "cy@example.com", "--password", "password12"])
    assert result.exit_code != 0
    assert "at least 12 characters" in str(result.exception)
