"""Sign-in throttling: after a few wrong passwords for one account, or many from one address, further
tries wait, longer each time (exponential backoff, capped). Counts live in the database (LoginThrottle),
so they hold across web processes and restarts.

While a key is locked, the password is not even checked: the right password is refused too, so guessing
cannot go faster than the backoff. An account that does not exist is throttled the same way, so the
answers reveal nothing about which e-mails have accounts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from socialdesk.auth.models import LoginThrottle
from socialdesk.core import clock
from socialdesk.core.errors import TooManyRequests


@dataclass(frozen=True)
class Policy:
    free_failures: int  # wrong passwords allowed before any wait
    first_wait: timedelta  # the wait after the first failure past the free ones; doubles with each further one
    max_wait: timedelta
    forget_after: timedelta  # a key with no failure for this long starts again from zero


ACCOUNT = Policy(5, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1))
# Higher: an office behind one address has many people, some of whom mistype.
ADDRESS = Policy(20, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1))
POLICIES = {"account": ACCOUNT, "address": ADDRESS}


def _keys(email: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("account", hashlib.sha256(email.strip().lower().encode()).hexdigest())]
    if address:
        keys.append(("address", hashlib.sha256(address.encode()).hexdigest()))
    return keys


def _row(session: Session, kind: str, key_hash: str, *, lock: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key_hash == key_hash)
    return session.scalars(query.with_for_update() if lock else query).first()


def check(session: Session, email: str, address: str | None) -> None:
    """TooManyRequests when the account or the address must wait before another try."""
    now = clock.now()
    for kind, key_hash in _keys(email, address):
        row = _row(session, kind, key_hash)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = math.ceil((row.locked_until - now).total_seconds())
            what = "this account" if kind == "account" else "your network address"
            raise TooManyRequests(f"Too many failed sign-ins for {what}. Wait {wait} s and try again.",
                                  retry_after=wait)


def record_failure(session: Session, email: str, address: str | None) -> None:
    now = clock.now()
    for kind, key_hash in _keys(email, address):
        policy = POLICIES[kind]
        row = _row(session, kind, key_hash, lock=True)
        if row is None:
            try:
                with session.begin_nested():  # another process may add the same key at the same moment
                    row = LoginThrottle(kind=kind, key_hash=key_hash, failures=0, last_failure_at=now)
                    session.add(row)
            except IntegrityError:
                row = _row(session, kind, key_hash, lock=True)
                assert row is not None
        if now - row.last_failure_at > policy.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - policy.free_failures
        if over > 0:
            wait = min(policy.first_wait * 2 ** min(over - 1, 20), policy.max_wait)
            row.locked_until = now + wait


def record_success(session: Session, email: str) -> None:
    """The account's count starts again; the address's does not (a guesser with an account of their own
    must not be able to reset it by signing in)."""
    for kind, key_hash in _keys(email, None):
        row = _row(session, kind, key_hash)
        if row is not None:
            session.delete(row)
