"""The password-reset flow: e-mailed, expiring, single-use (also for people created by an import, who have no
password); it signs the person out everywhere and says nothing about which addresses have accounts."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import Message
from email.utils import parseaddr

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from socialdesk.auth.models import User, UserSession
from socialdesk.auth.service import authenticate, start_session, user_by_email
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from tests.helpers import make_world
from tests.mail import smtp_server_fixture  # noqa: F401 (a fixture)
from tests.web_client import web_app

NEW_PASSWORD = "a Long and unusual passphrase 42"


def _link(smtp: list[Message]) -> str:
    body = smtp[-1].get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(r"(/password-reset/[\w-]+)", body)
    assert found, body
    return found.group(1)


def _client() -> TestClient:
    return TestClient(web_app(), follow_redirects=False, base_url="http://testserver",
                      headers={"origin": "http://testserver"})


def test_a_forgotten_password_is_reset_once_through_an_emailed_link(
        database: Database, clock: ManualClock, smtp_server: list[Message]) -> None:
    world = make_world(database, "Kava Co", profiles=("mastodon",))
    email = world.users["editor"]
    with database.unit_of_work() as session:
        user = user_by_email(session, email)
        assert user is not None
        start_session(session, user)  # signed in somewhere: the reset signs them out
    client = _client()
    assert "Forgot your password?" in client.get("/login").text
    unknown = client.post("/password-reset", data={"email": "nobody@example.com"})
    assert unknown.status_code == 200 and "If an account uses that address" in unknown.text and not smtp_server
    asked = client.post("/password-reset", data={"email": email.upper()})
    assert asked.status_code == 200 and asked.text.count("If an account uses that address") == 1
    assert len(smtp_server) == 1 and smtp_server[0]["To"] == email
    assert parseaddr(smtp_server[0]["From"])[0] == "Kava Co"  # one workspace: its sender name
    link = _link(smtp_server)
    assert client.get(link).status_code == 200
    assert "differ" in client.post(link, data={"password": NEW_PASSWORD, "again": "other"}).text
    assert client.post(link, data={"password": "short", "again": "short"}).status_code == 422
    done = client.post(link, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    with database.unit_of_work() as session:
        assert authenticate(session, email, NEW_PASSWORD).email == email
        assert session.scalars(select(UserSession).join(User).where(User.email == email)).first() is None
    again = client.post(link, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert again.status_code == 410 and "expired or was used" in again.text
    assert client.get(link).status_code == 410
    foreign = TestClient(web_app(), follow_redirects=False, headers={"origin": "https://evil.test"})
    assert foreign.post("/password-reset", data={"email": email}).status_code == 403


def test_links_expire_only_the_newest_works_and_requests_are_limited(
        database: Database, clock: ManualClock, smtp_server: list[Message]) -> None:
    world = make_world(database, profiles=("mastodon",))
    email = world.users["viewer"]
    client = _client()
    client.post("/password-reset", data={"email": email})
    first = _link(smtp_server)
    client.post("/password-reset", data={"email": email})
    second = _link(smtp_server)
    assert client.get(first).status_code == 410  # a newer link replaces it
    assert client.get(second).status_code == 200
    limited = client.post("/password-reset", data={"email": email})
    assert limited.status_code == 200
    refused = client.post("/password-reset", data={"email": email})
    assert refused.status_code == 429 and "Several links" in refused.text
    clock.advance(timedelta(hours=1, minutes=1))
    assert client.get(_link(smtp_server)).status_code == 410  # expired
    assert client.get("/password-reset/not-a-real-token").status_code == 410


def test_a_person_created_by_an_import_sets_a_password_through_a_reset(
        database: Database, clock: ManualClock, smtp_server: list[Message]) -> None:
    with database.unit_of_work() as session:
        session.add(User(email="imported@client.test", name="Imported", password_hash="!imported", is_active=True))
    client = _client()
    client.post("/password-reset", data={"email": "imported@client.test"})
    link = _link(smtp_server)
    assert client.post(link, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code == 303
    with database.unit_of_work() as session:
        assert authenticate(session, "imported@client.test", NEW_PASSWORD).name == "Imported"


def test_without_email_the_page_says_so_and_the_operator_makes_a_link(database: Database, clock: ManualClock,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from socialdesk.cli import app as cli
    from socialdesk.core.config import reset_settings_cache

    world = make_world(database, profiles=("mastodon",))
    client = _client()
    refused = client.post("/password-reset", data={"email": world.users["editor"]})
    assert refused.status_code == 503 and "cannot send e-mail" in refused.text
    monkeypatch.setenv("SOCIALDESK_PUBLIC_URL", "https://desk.example.com")
    reset_settings_cache()
    made = CliRunner().invoke(cli, ["password", "reset-link", world.users["editor"]])
    assert made.exit_code == 0, made.output
    link = made.output.strip().splitlines()[0]
    assert link.startswith("https://desk.example.com/password-reset/")
    path = link.removeprefix("https://desk.example.com")
    assert client.post(path, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code == 303
    assert CliRunner().invoke(cli, ["password", "reset-link", "nobody@example.com"]).exit_code != 0
