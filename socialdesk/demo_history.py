"""The demo's four weeks of history: recorded once through the real pipeline, loaded in a second.

Replaying four weeks through the pipeline (publishing jobs, the sandbox audience, comment fetches,
triage, metric snapshots) takes about a minute on two cores. So `scripts/build-demo-history` runs
that replay (demo.record_history) once, in a scratch data directory, and packs its databases and
media into `demo_data/history.tar.gz`. `socialdesk demo` then copies those rows into the user's
database and moves every time in them forward by whole weeks, so the history ends within the last
seven days.

Whole weeks keep every post's weekday and local hour. The sandbox's audience is a pure function of
the seed and the posts' times, so after the move it reports exactly the comments and counts that
were recorded (unless a daylight-saving switch lies between the recording and today: then local
hours differ by one and the audience recomputes a slightly different past).

The recording carries a fingerprint of demo.py and of the sandbox's code: when either changed since
it was made, the demo replays the history instead (a minute, still correct) and
tests/test_demo.py fails until the recording is rebuilt.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import shutil
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Engine, Table, func, inspect, select
from sqlalchemy.orm import DeclarativeBase

from socialdesk.core import clock
from socialdesk.core.db import Base, Database, UTCDateTime, make_engine

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
RECORDING = PACKAGE / "demo_data" / "history.tar.gz"
WEEK = timedelta(days=7)
# Rows that describe the recording machine's processes, not the demo's history.
SKIPPED_TABLES = frozenset({"alembic_version", "heartbeats", "user_sessions"})
# Tables shared by the whole installation: kept as they are when the database already has rows.
SHARED_TABLES = frozenset({"periodic_schedules"})


@dataclass(frozen=True)
class Recording:
    recorded_until: datetime
    fingerprint: str
    workspace_id: str
    revision: list[str]


def fingerprint() -> str:
    """What the recorded history depends on: the demo's content and the sandbox's simulation."""
    digest = hashlib.sha256()
    files = [PACKAGE / "demo.py", *sorted((PACKAGE / "networks" / "sandbox").glob("*.py"))]
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()


def read_recording(path: Path = RECORDING) -> Recording | None:
    if not path.exists():
        return None
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("meta.json")
        if member is None:
            return None
        meta = json.load(member)
    return Recording(datetime.fromisoformat(meta["recorded_until"]), meta["fingerprint"], meta["workspace_id"],
                     list(meta["revision"]))


def shift_for(recorded_until: datetime, now: datetime) -> timedelta:
    """Whole weeks that bring the end of the recording into the last seven days before `now`."""
    return WEEK * ((now - recorded_until) // WEEK)


# Recording -----------------------------------------------------------------------------------------


def build(out: Path = RECORDING) -> Recording:
    """Record the history through the real pipeline in the current (scratch, demo-mode) data directory.

    Run by scripts/build-demo-history in a fresh process whose SOCIALDESK_DATA_DIR is an empty folder.
    """
    from alembic.script import ScriptDirectory

    from socialdesk import demo
    from socialdesk.core.config import get_settings
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import alembic_config, create_schema
    from socialdesk.networks.sandbox.server import sandbox_database

    settings = get_settings()
    if not (settings.demo_mode and settings.is_sqlite and not settings.secret_key):
        raise RuntimeError("build the recording with SOCIALDESK_DEMO_MODE=1, SQLite and no SOCIALDESK_SECRET_KEY "
                           "(use scripts/build-demo-history)")
    db = get_database()
    create_schema(db.url)
    workspace_id = demo.record_history(db)
    recorded_until = clock.now()
    sandbox_database().dispose()
    db.dispose()
    files = {"socialdesk.db": settings.data_dir / "socialdesk.db", "sandbox.db": settings.data_dir / "sandbox.db"}
    for path in files.values():
        _compact(path)
    recording = Recording(recorded_until, fingerprint(), workspace_id,
                          sorted(ScriptDirectory.from_config(alembic_config(db.url)).get_heads()))
    meta = json.dumps({"recorded_until": recording.recorded_until.isoformat(), "fingerprint": recording.fingerprint,
                       "workspace_id": recording.workspace_id, "revision": recording.revision}, indent=2).encode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz", compresslevel=9) as tar:
        _add_bytes(tar, "meta.json", meta)
        for name, path in files.items():
            tar.add(path, arcname=name)
        media = settings.media_dir
        for path in sorted(media.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}")
    return recording


def _compact(path: Path) -> None:
    """One self-contained file: the WAL folded in, rollback journal mode, no free pages."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


# Loading -------------------------------------------------------------------------------------------


def usable(db: Database, path: Path = RECORDING) -> Recording | None:
    """The recording, when it matches this code and the database has none of the demo's people yet."""
    from socialdesk import demo
    from socialdesk.auth.models import User
    from socialdesk.networks.sandbox.models import SandboxAccount
    from socialdesk.networks.sandbox.server import sandbox_database
    from socialdesk.workspaces.models import Organisation

    recording = read_recording(path)
    if recording is None:
        return None
    if recording.fingerprint != fingerprint():
        log.warning("The recorded demo history is older than demo.py or the sandbox's code; replaying it "
                    "instead (about a minute). Rebuild it with scripts/build-demo-history.")
        return None
    emails = [demo.EMAIL, *(email for email, _, _ in demo.TEAM)]
    handles = [handle for _, handle, _, _ in demo.CHANNELS]
    with db.unit_of_work(read_only=True) as session:
        taken = session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails))) or 0
        taken += session.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.name == demo.ORGANISATION)) or 0
    with sandbox_database().unit_of_work(read_only=True) as session:
        taken += session.scalar(select(func.count()).select_from(SandboxAccount).where(
            SandboxAccount.handle.in_(handles))) or 0
    return recording if taken == 0 else None


def load(db: Database, recording: Recording, path: Path = RECORDING) -> str:
    """Copy the recorded history into `db` (and its sandbox), moved to end within the last week."""
    from socialdesk.core.config import get_settings
    from socialdesk.networks.sandbox.server import SandboxBase, sandbox_database

    delta = shift_for(recording.recorded_until, clock.now())
    with tempfile.TemporaryDirectory(prefix="socialdesk-demo-") as folder:
        scratch = Path(folder)
        with tarfile.open(path, "r:gz") as tar:
            # The "data" filter (no absolute paths, links out or devices) exists from Python 3.11.4.
            if hasattr(tarfile, "data_filter"):
                tar.extractall(scratch, filter="data")
            else:  # pragma: no cover - older 3.11 releases; the archive is our own package's file
                tar.extractall(scratch)
        source_url = f"sqlite:///{scratch / 'socialdesk.db'}"
        _migrate_if_behind(source_url, recording.revision)
        source = make_engine(source_url)
        try:
            _copy(source, db.engine, Base, delta)
        finally:
            source.dispose()
        sandbox_source = make_engine(f"sqlite:///{scratch / 'sandbox.db'}")
        try:
            _copy(sandbox_source, sandbox_database().engine, SandboxBase, delta)
        finally:
            sandbox_source.dispose()
        media = scratch / "media"
        if media.exists():
            shutil.copytree(media, get_settings().media_dir, dirs_exist_ok=True)
    _move_inbox_cursors(db, recording.workspace_id, delta)
    _reencrypt_credentials(db, recording.workspace_id)
    return recording.workspace_id


def _migrate_if_behind(url: str, revision: list[str]) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from socialdesk.core.schema import alembic_config

    config = alembic_config(url)
    if sorted(ScriptDirectory.from_config(config).get_heads()) != sorted(revision):
        command.upgrade(config, "heads")


def _copy(source: Engine, target: Engine, base: type[DeclarativeBase], delta: timedelta) -> None:
    """Every row of every table `base` declares, in dependency order, with its times moved by `delta`."""
    present = inspect(source)
    source_tables = set(present.get_table_names())
    with target.begin() as conn:
        for table in base.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES or table.name not in source_tables:
                continue
            if table.name in SHARED_TABLES and conn.execute(select(func.count()).select_from(table)).scalar():
                continue
            # Only the columns the recording has (a table of the sandbox may have grown since).
            recorded = {c["name"] for c in present.get_columns(table.name)}
            columns = [c for c in table.columns if c.name in recorded]
            with source.connect() as reading:
                rows = [dict(row) for row in reading.execute(select(*columns)).mappings()]
            if rows:
                conn.execute(table.insert(), list(_moved(rows, table, delta)))


def _moved(rows: Iterable[dict[str, Any]], table: Table, delta: timedelta) -> Iterable[dict[str, Any]]:
    instants = [c.name for c in table.columns if isinstance(c.type, UTCDateTime)]
    days = [c.name for c in table.columns if isinstance(c.type, Date)]
    for row in rows:
        for name in instants:
            if row.get(name) is not None:
                row[name] = row[name] + delta
        for name in days:
            if row.get(name) is not None:
                row[name] = row[name] + delta
        yield row


def _move_inbox_cursors(db: Database, workspace_id: str, delta: timedelta) -> None:
    """The sandbox's inbox bookmarks hold times too; only the sandbox knows their format."""
    from socialdesk.channels.models import Channel
    from socialdesk.networks.sandbox.adapter import shift_cursor

    with db.unit_of_work() as session:
        for channel in session.scalars(select(Channel).where(Channel.workspace_id == workspace_id,
                                                             Channel.network == "sandbox")):
            if channel.inbox_cursor:
                channel.inbox_cursor = shift_cursor(channel.inbox_cursor, delta)


def _reencrypt_credentials(db: Database, workspace_id: str) -> None:
    """The recording's credentials are sealed with the demo key; use this installation's key if it has one."""
    from cryptography.fernet import Fernet

    from socialdesk.channels.models import Channel
    from socialdesk.core.crypto import DEMO_KEY, encrypt_json

    demo_key = Fernet(DEMO_KEY.encode())
    with db.unit_of_work() as session:
        for channel in session.scalars(select(Channel).where(Channel.workspace_id == workspace_id)):
            credentials = json.loads(demo_key.decrypt(channel.credentials_encrypted.encode()))
            channel.credentials_encrypted = encrypt_json(credentials)

