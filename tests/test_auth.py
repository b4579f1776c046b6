"""Sign-in, passwords, API tokens and their scopes, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from socialdesk.auth import service as auth
from socialdesk.auth.models import User
from socialdesk.core.clock import ManualClock
from socialdesk.core.db import Database
from socialdesk.core.errors import Conflict, Unauthorized, ValidationFailed
from socialdesk.web.app import create_app
from socialdesk.workspaces import service as workspaces
from socialdesk.workspaces.context import Actor
from socialdesk.workspaces.models import Role
from tests.conftest import PRODUCTION_HASHER
from tests.web_client import web_app


def _user(db: Database, email: str = "ana@example.com", password: str = "long enough password") -> User:
    with db.unit_of_work() as session:
        return auth.create_user(session, email, "Ana", password)


def test_passwords_are_stored_as_argon2_and_checked(database: Database) -> None:
    user = _user(database)
    assert user.password_hash.startswith("$argon2id$")
    assert "long enough" not in user.password_hash
    with database.unit_of_work() as session:
        assert auth.authenticate(session, "ANA@example.com ", "long enough password").id == user.id
        with pytest.raises(Unauthorized, match="Wrong e-mail or password"):
            auth.authenticate(session, "ana@example.com", "wrong password!")
        with pytest.raises(Unauthorized, match="Wrong e-mail or password"):
            auth.authenticate(session, "nobody@example.com", "long enough password")


def test_production_passwords_use_argon2id_at_its_recommended_cost(database: Database,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests hash at argon2's lowest cost (tests/conftest.py); socialdesk itself at RFC 9106's second
    recommendation (t=3, 64 MiB, p=4), and a hash of a lower cost is made again at sign-in."""
    weak = _user(database, "weak@example.com").password_hash
    assert weak.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    monkeypatch.setattr(auth, "_hasher", PRODUCTION_HASHER)
    strong = _user(database).password_hash
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with database.unit_of_work() as session:
        assert auth.authenticate(session, "weak@example.com", "long enough password").password_hash.startswith(
            "$argon2id$v=19$m=65536,t=3,p=4$")
        with pytest.raises(Unauthorized, match="Wrong e-mail or password"):
            auth.authenticate(session, "ana@example.com", "wrong password!")


def test_bad_accounts_are_refused_clearly(database: Database) -> None:
    _user(database)
    with database.unit_of_work() as session:
        with pytest.raises(Conflict, match="already exists"):
            auth.create_user(session, "ana@example.com", "Ana 2", "long enough password")
        with pytest.raises(ValidationFailed, match="at least 12 characters"):
            auth.create_user(session, "bo@example.com", "Bo", "short")
        with pytest.raises(ValidationFailed, match="not an e-mail"):
            auth.create_user(session, "bo.example.com", "Bo", "long enough password")


def test_sessions_expire(database: Database, clock: ManualClock) -> None:
    user = _user(database)
    with database.unit_of_work() as session:
        cookie = auth.start_session(session, user).cookie_value
    with database.unit_of_work() as session:
        assert auth.resolve_session(session, cookie) is not None
        assert auth.resolve_session(session, cookie + "x") is None
    clock.advance(timedelta(days=15))
    with database.unit_of_work() as session:
        assert auth.resolve_session(session, cookie) is None


def test_token_scopes_narrow_what_a_role_allows(database: Database) -> None:
    user = _user(database)
    with database.unit_of_work() as session:
        org = workspaces.create_organisation(session, "Org")
        ws = workspaces.create_workspace(session, org, "Brand", user)
        read_only, _ = auth.create_api_token(session, user, "dashboards", ["read"])
        writer, _ = auth.create_api_token(session, user, "scheduler", ["read", "posts:write"], workspace_id=ws.id)
        with pytest.raises(ValidationFailed, match="Unknown scope"):
            auth.create_api_token(session, user, "bad", ["everything"])
        ws_id = ws.id
    client = TestClient(web_app())
    body = {"text": "hello", "intent": "draft"}
    as_reader = {"Authorization": f"Bearer {read_only}"}
    as_writer = {"Authorization": f"Bearer {writer}"}
    assert client.get(f"/api/v1/workspaces/{ws_id}/posts", headers=as_reader).status_code == 200
    refused = client.post(f"/api/v1/workspaces/{ws_id}/posts", json=body, headers=as_reader)
    assert refused.status_code == 403
    assert "posts:write" in refused.json()["message"]
    assert client.post(f"/api/v1/workspaces/{ws_id}/posts", json=body, headers=as_writer).status_code == 201
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer sdk_nope"}).status_code == 401


def test_a_viewer_cannot_write_even_with_a_full_token(database: Database) -> None:
    owner = _user(database)
    viewer = _user(database, "vi@example.com")
    with database.unit_of_work() as session:
        org = workspaces.create_organisation(session, "Org")
        ws = workspaces.create_workspace(session, org, "Brand", owner)
        ctx = workspaces.context_for(session, Actor(owner.id, owner.email), ws.id)
        workspaces.add_member(ctx, viewer, Role.VIEWER)
        secret, _ = auth.create_api_token(session, viewer, "all", ["read", "posts:write"])
        ws_id = ws.id
    client = TestClient(web_app())
    response = client.post(f"/api/v1/workspaces/{ws_id}/posts", json={"text": "x"},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert "viewer" in response.json()["message"]


def test_cookie_session_needs_the_csrf_token_for_changes(database: Database) -> None:
    user = _user(database)
    with database.unit_of_work() as session:
        org = workspaces.create_organisation(session, "Org")
        ws_id = workspaces.create_workspace(session, org, "Brand", user).id
        new = auth.start_session(session, user)
    client = TestClient(web_app())
    client.cookies.set("sd_session", new.cookie_value)
    assert client.get("/api/v1/me").status_code == 200
    forged = client.post(f"/api/v1/workspaces/{ws_id}/posts", json={"text": "x"})
    assert forged.status_code == 403
    assert "CSRF" in forged.json()["message"]
    ok = client.post(f"/api/v1/workspaces/{ws_id}/posts", json={"text": "x"},
                     headers={"X-CSRF-Token": new.session.csrf_token})
    assert ok.status_code == 201


def test_credentials_are_encrypted_at_rest_and_a_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch
                                                                              ) -> None:
    from socialdesk.core.config import reset_settings_cache
    from socialdesk.core.crypto import decrypt_json, encrypt_json
    from socialdesk.core.errors import ConfigurationError

    token = encrypt_json({"access_token": "very-secret"})
    assert "very-secret" not in token
    assert decrypt_json(token) == {"access_token": "very-secret"}
    monkeypatch.delenv("SOCIALDESK_SECRET_KEY")
    reset_settings_cache()
    with pytest.raises(ConfigurationError, match="SOCIALDESK_SECRET_KEY is not set"):
        create_app()
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", "not-a-key")
    reset_settings_cache()
    with pytest.raises(ConfigurationError, match="not a valid key"):
        create_app()
    monkeypatch.delenv("SOCIALDESK_SECRET_KEY")
    monkeypatch.setenv("SOCIALDESK_DEMO_MODE", "1")
    reset_settings_cache()
    create_app()  # the demo needs no key
