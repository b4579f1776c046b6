"""`socialdesk doctor`: the health of the whole installation, each check with what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from socialdesk.channels.models import Channel, ChannelStatus
from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core import clock
from socialdesk.core.config import get_settings
from socialdesk.core.crypto import DEMO_KEY, check_secret_key
from socialdesk.core.db import get_database
from socialdesk.core.errors import ConfigurationError
from socialdesk.core.schema import alembic_config
from socialdesk.jobs import broker
from socialdesk.jobs.health import liveness
from socialdesk.jobs.models import Job, JobStatus
from socialdesk.publishing.service import OVERDUE_AFTER, STUCK_AFTER, overdue_counts

S = PublicationStatus


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks() -> list[Check]:
    checks = [_secret_key(), _database()]
    if not checks[-1].ok:
        return checks
    if broker.enabled():
        checks.append(_broker())
    checks += _runners_and_queue()
    return checks


def counted(n: int, thing: str, things: str | None = None) -> str:
    """"1 job runner", "2 job runners", "0 channels"."""
    return f"{n:,} {thing if n == 1 else things or thing + 's'}"


def _secret_key() -> Check:
    settings = get_settings()
    try:
        key = check_secret_key(settings)
    except ConfigurationError as exc:
        if not settings.secret_key and _only_demo_credentials():
            return Check("secret key", True, "not needed yet: the only stored credentials are the demo's sandbox "
                                             "channels (`socialdesk demo` runs them); set one before connecting "
                                             "a real network")
        return Check("secret key", False, str(exc))
    which = "set and valid" if settings.secret_key else "demo key (demo mode)"
    return _key_opens_stored_secrets(key, which)


def _only_demo_credentials() -> bool:
    """Does the database hold sandbox channels sealed with the demo key, and no other secret?"""
    from cryptography.fernet import Fernet, InvalidToken

    from socialdesk.channels.models import NetworkApp, OAuthState

    demo_key = Fernet(DEMO_KEY.encode())
    try:
        with get_database().unit_of_work(read_only=True) as session:
            channels = session.execute(select(Channel.network, Channel.credentials_encrypted)).all()
            others = (session.scalar(select(func.count()).select_from(NetworkApp)) or 0) \
                + (session.scalar(select(func.count()).select_from(OAuthState)) or 0)
    except Exception:
        return False  # no database, or not migrated: the database check says which
    if not channels or others or any(network != "sandbox" for network, _ in channels):
        return False
    try:
        for _, sealed in channels:
            demo_key.decrypt(sealed.encode())
    except InvalidToken:
        return False
    return True


def _key_opens_stored_secrets(key: str, which: str) -> Check:
    """A well-formed key may still be the wrong one: it must decrypt what is stored."""
    from socialdesk.channels.secrets import check_key_opens_stored_secrets

    try:
        with get_database().unit_of_work(read_only=True) as session:
            opened = check_key_opens_stored_secrets(session, key)
    except ConfigurationError as exc:
        return Check("secret key", False, str(exc))
    except Exception:  # the database check below names what is wrong with the database
        opened = None
    state = {True: "opens the stored credentials", False: "no credentials stored yet",
             None: "not checked against stored credentials (database unreachable)"}[opened]
    return Check("secret key", True, f"{which}, {state}")


def _database() -> Check:
    db = get_database()
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return Check("database", False, f"cannot connect to {db.engine.url.render_as_string()}: {exc}")
    newest = set(ScriptDirectory.from_config(alembic_config(db.url)).get_heads())
    if current != newest:
        return Check("database", False, f"schema is at {sorted(current) or 'nothing'}, the code expects "
                                        f"{sorted(newest)}: run `socialdesk migrate`")
    return Check("database", True, f"{db.dialect}, schema up to date")


def _broker() -> Check:
    url = get_settings().broker_url or ""
    try:
        with broker.celery_app().connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        return Check("broker", False, f"cannot reach {url.split('@')[-1]}: {exc}")
    return Check("broker", True, url.split("@")[-1])


def _runners_and_queue() -> list[Check]:
    now = clock.now()
    with get_database().unit_of_work(read_only=True) as session:
        alive = liveness(session, now)
        overdue = sum(overdue_counts(session, now).values())
        stuck = session.scalar(select(func.count()).select_from(Publication).where(
            Publication.status == S.PUBLISHING, Publication.claimed_at < now - STUCK_AFTER)) or 0
        unconfirmed = session.scalar(select(func.count()).select_from(Publication).where(
            Publication.status == S.UNCONFIRMED)) or 0
        reconnect = session.scalar(select(func.count()).select_from(Channel).where(
            Channel.status == ChannelStatus.NEEDS_RECONNECTION)) or 0
        failed_jobs = session.scalar(select(func.count()).select_from(Job).where(
            Job.status == JobStatus.FAILED, Job.finished_at >= now - timedelta(days=1))) or 0
    problem = alive.problem()
    checks = [Check("job runners", problem is None,
                    problem or f"{counted(alive.executing, 'job runner')} alive"
                    + (f", {counted(alive.schedulers, 'scheduler')}" if alive.broker_mode else ""))]
    if alive.broker_mode:
        checks.append(Check("scheduler", alive.schedulers > 0, f"{alive.schedulers:,} alive"))
    late, stuck_for = OVERDUE_AFTER.seconds // 60, STUCK_AFTER.seconds // 60
    checks += [
        Check("overdue publications", overdue == 0,
              f"{counted(overdue, 'scheduled post')} more than {late} min late" if overdue else "none"),
        Check("stuck publications", stuck == 0,
              f"{counted(stuck, 'publication')} in 'publishing' for over {stuck_for} min" if stuck else "none"),
        Check("unconfirmed publications", unconfirmed == 0,
              f"{counted(unconfirmed, 'post')} may or may not be online: check "
              f"{'it' if unconfirmed == 1 else 'them'} on the channel, then retry or confirm"
              if unconfirmed else "none"),
        Check("channels", reconnect == 0,
              f"{counted(reconnect, 'channel')} {'needs' if reconnect == 1 else 'need'} reconnecting"
              if reconnect else "all connected"),
        Check("failed jobs (24 h)", failed_jobs == 0,
              f"{counted(failed_jobs, 'job')} failed" if failed_jobs else "none"),
    ]
    return checks
