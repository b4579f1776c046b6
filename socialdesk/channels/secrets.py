"""The secrets stored encrypted with SOCIALDESK_SECRET_KEY: checking the key opens them, and rotating it.

A wrong key used to go unnoticed: `doctor` said "valid", publishing then failed, and channels connected
meanwhile were encrypted with the new key, so no single key opened everything any more. Start-up and
`doctor` now open one stored secret first; `socialdesk rotate-secret-key` re-encrypts every one of them.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from socialdesk.campaigns.models import AdRequest, MetaAdConnection
from socialdesk.channels.models import Channel, NetworkApp, OAuthState
from socialdesk.contests.models import Contest
from socialdesk.core.crypto import fernet_for
from socialdesk.core.errors import ConfigurationError
from socialdesk.integrations.models import OutgoingWebhook
from socialdesk.notifications.models import ChatWebhook
from socialdesk.quizzes.models import Quiz

# Every column that holds a Fernet token (tests/test_secret_key.py checks no `*_encrypted` column is missing).
# Channel credentials, OAuth secrets, the draws' secret seeds, webhook secrets, team-chat addresses and the Meta
# tokens of ad requests and ad account connections. An empty value is a secret wiped after use (an ad
# request's token once it ran): skipped.
ENCRYPTED_COLUMNS: tuple[InstrumentedAttribute[str], ...] = (
    Channel.credentials_encrypted, NetworkApp.client_secret_encrypted, OAuthState.code_verifier_encrypted,
    Contest.seed_encrypted, Quiz.seed_encrypted, OutgoingWebhook.secret_encrypted, ChatWebhook.url_encrypted,
    AdRequest.token_encrypted, MetaAdConnection.token_encrypted)

WRONG_KEY = ("SOCIALDESK_SECRET_KEY does not decrypt the credentials stored in the database (it is not the key "
             "they were saved with). Start with the original key. To change keys, run `socialdesk "
             "rotate-secret-key --old <original> --new <new>` first, then start with the new key (see "
             "docs/operations.md, 'Rotating the secret key').")


def check_key_opens_stored_secrets(session: Session, key: str) -> bool:
    """True when `key` decrypts a stored secret, False when nothing is stored yet; ConfigurationError when
    it does not (one value is enough: every value is written with the same key)."""
    fernet = fernet_for(key)
    for column in ENCRYPTED_COLUMNS:
        token = session.scalars(select(column).where(column != "").limit(1)).first()
        if token is None:
            continue
        try:
            fernet.decrypt(token.encode())
        except InvalidToken:
            raise ConfigurationError(WRONG_KEY) from None
        return True
    return False


def rotate_key(session: Session, old: str, new: str) -> int:
    """Re-encrypt every stored secret from `old` to `new`; returns how many. Changes nothing (raises
    ConfigurationError) if any value does not decrypt with `old`; the caller's transaction makes it
    all-or-nothing."""
    old_fernet, new_fernet = fernet_for(old), fernet_for(new)
    if old == new:
        raise ConfigurationError("--old and --new are the same key: nothing to rotate.")
    changed = 0
    for column in ENCRYPTED_COLUMNS:
        model = column.class_
        for row in session.scalars(select(model).where(column != "")):
            token: str = getattr(row, column.key)
            try:
                plain = old_fernet.decrypt(token.encode())
            except InvalidToken:
                raise ConfigurationError(
                    f"{model.__tablename__} {row.id}: its {column.key} does not decrypt with the --old key, so "
                    "nothing was changed. Give the key the data was saved with.") from None
            setattr(row, column.key, new_fernet.encrypt(plain).decode())
            changed += 1
    session.flush()
    return changed


def verify_secret_key() -> bool:
    """At start-up: the configured key is well-formed and opens the stored secrets (ConfigurationError if not).
    True when a stored secret was opened, False when there is none yet."""
    from socialdesk.core.config import get_settings
    from socialdesk.core.crypto import check_secret_key
    from socialdesk.core.db import get_database

    key = check_secret_key(get_settings())
    with get_database().unit_of_work(read_only=True) as session:
        return check_key_opens_stored_secrets(session, key)
