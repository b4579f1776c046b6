"""Encryption of network credentials at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from socialdesk.core.config import Settings, get_settings
from socialdesk.core.errors import ConfigurationError

# Used only when SOCIALDESK_DEMO_MODE is on and no key was given: demo data is not secret, and the
# demo must start on a fresh machine with nothing configured.
DEMO_KEY = "c29jaWFsZGVzay1kZW1vLWtleS1ub3Qtc2VjcmV0ISE="


def generate_key() -> str:
    return Fernet.generate_key().decode()


def check_secret_key(settings: Settings) -> str:
    """The key to use, or a ConfigurationError that says how to set one."""
    if settings.secret_key:
        try:
            Fernet(settings.secret_key.encode())
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "SOCIALDESK_SECRET_KEY is not a valid key (it must be 32 bytes, url-safe base64). "
                "Generate one with `socialdesk secret-key` and keep it: without it the stored network "
                "credentials cannot be read."
            ) from exc
        return settings.secret_key
    if settings.demo_mode:
        return DEMO_KEY
    raise ConfigurationError(
        "SOCIALDESK_SECRET_KEY is not set. It encrypts the network credentials stored in the database. "
        "Generate one with `socialdesk secret-key`, put it in the environment "
        "(export SOCIALDESK_SECRET_KEY=...) and keep it safe; `socialdesk demo` needs none."
    )


@lru_cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt_json(value: dict[str, Any]) -> str:
    key = check_secret_key(get_settings())
    return _fernet(key).encrypt(json.dumps(value).encode()).decode()


def fernet_for(key: str) -> Fernet:
    """A Fernet for a key given on the command line (key rotation), with a clear error for a bad one."""
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{key[:6]}… is not a valid key (it must be 32 bytes, url-safe base64, as "
                                 "`socialdesk secret-key` prints).") from exc


@lru_cache(maxsize=4096)
def _decrypted(key: str, token: str) -> bytes:
    """A channel's credentials are decrypted for every publication; the token only changes when they do."""
    return _fernet(key).decrypt(token.encode())


def decrypt_json(token: str) -> dict[str, Any]:
    key = check_secret_key(get_settings())
    try:
        return json.loads(_decrypted(key, token))
    except InvalidToken as exc:
        raise ConfigurationError(
            "Stored network credentials cannot be decrypted with the current SOCIALDESK_SECRET_KEY. "
            "Start with the key they were saved with, or reconnect the channel."
        ) from exc
