"""A wrong SOCIALDESK_SECRET_KEY is refused at start-up and by doctor; rotate-secret-key re-encrypts every
stored secret in one transaction."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from socialdesk.channels import service as channels
from socialdesk.channels.models import Channel, NetworkApp
from socialdesk.channels.secrets import ENCRYPTED_COLUMNS
from socialdesk.cli import app as cli
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.crypto import encrypt_json, generate_key
from socialdesk.core.db import Base, Database
from socialdesk.core.errors import ConfigurationError
from socialdesk.doctor import run_checks
from socialdesk.web.app import create_app
from tests.helpers import KEY, World, make_world

runner = CliRunner()


@pytest.fixture
def world(database: Database) -> World:
    world = make_world(database, profiles=("x", "instagram"))
    with database.unit_of_work() as session:  # an OAuth app's secret is stored encrypted too
        session.add(NetworkApp(network="mastodon", server_url="https://m.example", redirect_uri="https://sd/cb",
                               client_id="cid", client_secret_encrypted=encrypt_json({"secret": "s3"}), scopes="read"))
    return world


def _use_key(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("SOCIALDESK_SECRET_KEY", key)
    reset_settings_cache()


def test_every_encrypted_column_is_known_to_the_key_check() -> None:
    listed = {(c.class_.__tablename__, c.key) for c in ENCRYPTED_COLUMNS}
    found = {(table.name, column.name) for table in Base.metadata.tables.values() for column in table.columns
             if column.name.endswith("_encrypted")}
    assert found == listed


def test_a_wrong_key_stops_the_start(database: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app()) as client:  # the right key: the app starts
        assert client.get("/login").status_code == 200
    _use_key(monkeypatch, generate_key())
    with pytest.raises(ConfigurationError, match="does not decrypt the credentials stored"), \
            TestClient(create_app()):
        pass
    result = runner.invoke(cli, ["serve"])
    assert result.exit_code != 0
    assert "rotate-secret-key" in str(result.exception)


def test_doctor_says_when_the_key_does_not_open_the_stored_credentials(database: Database, world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    right = next(c for c in run_checks() if c.name == "secret key")
    assert right.ok and "opens the stored credentials" in right.detail
    _use_key(monkeypatch, generate_key())
    wrong = next(c for c in run_checks() if c.name == "secret key")
    assert not wrong.ok and "does not decrypt the credentials stored in the database" in wrong.detail


def test_rotation_re_encrypts_everything(database: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    new = generate_key()
    result = runner.invoke(cli, ["rotate-secret-key", "--old", KEY, "--new", new])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 3 stored secret(s)" in result.stdout
    _use_key(monkeypatch, new)
    with database.unit_of_work() as session:
        for channel in session.scalars(select(Channel)):
            channels.adapter(channel)  # decrypts with the new key
    assert next(c for c in run_checks() if c.name == "secret key").ok
    _use_key(monkeypatch, KEY)
    assert not next(c for c in run_checks() if c.name == "secret key").ok


def test_rotation_changes_nothing_when_one_value_does_not_open(database: Database, world: World) -> None:
    with database.unit_of_work() as session:
        app = session.scalars(select(NetworkApp)).one()
        from cryptography.fernet import Fernet

        app.client_secret_encrypted = Fernet(generate_key().encode()).encrypt(b"{}").decode()
        before = sorted(session.scalars(select(Channel.credentials_encrypted)))
    result = runner.invoke(cli, ["rotate-secret-key", "--old", KEY, "--new", generate_key()])
    assert result.exit_code != 0
    assert "does not decrypt with the --old key, so nothing was changed" in str(result.exception)
    with database.unit_of_work() as session:
        assert sorted(session.scalars(select(Channel.credentials_encrypted))) == before
    bad = runner.invoke(cli, ["rotate-secret-key", "--old", "nonsense", "--new", generate_key()])
    assert bad.exit_code != 0 and "is not a valid key" in str(bad.exception)
