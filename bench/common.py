"""What the web benchmarks share: the environment, a busy workspace's owner and channels, and viewing pages in
this process with their CPU time and SQL statements (bench/web.py, bench/lists.py, bench/pages.py)."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_SECRET_KEY = "c29jaWFsZGVzay1iZW5jaC1rZXktbm90LXNlY3JldCE="  # a fixed key: the data is thrown away


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def bench_environment(folder: str | Path, database_url: str | None = None) -> dict[str, str]:
    """The settings a bench's app runs with (a throw-away data folder, quiet logs), set in this process and
    returned for a server it starts."""
    env = {"SOCIALDESK_DATA_DIR": str(folder), "SOCIALDESK_LOG_LEVEL": "WARNING",
           "SOCIALDESK_SECRET_KEY": os.environ.get("SOCIALDESK_SECRET_KEY") or BENCH_SECRET_KEY}
    if database_url:
        env["SOCIALDESK_DATABASE_URL"] = database_url
    os.environ.update(env)
    return env


@dataclass(frozen=True)
class BusyWorkspace:
    user_id: str
    email: str
    workspace_id: str
    channel_ids: list[str]  # three sandbox channels: x, mastodon, facebook


def busy_workspace(session: Any, email: str, name: str) -> BusyWorkspace:
    """A user owning a workspace (Europe/Zagreb) with three sandbox channels, in `session`'s transaction."""
    from socialdesk.auth.service import create_user
    from socialdesk.channels.service import connect
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role
    from socialdesk.workspaces.service import create_organisation, create_workspace

    user = create_user(session, email, name, "bench-password-1")
    org = create_organisation(session, "Bench")
    workspace = create_workspace(session, org, "Busy brand", user, timezone="Europe/Zagreb")
    ctx = WorkspaceContext(session, workspace, Actor(user.id, user.email), Role.OWNER)
    channels = [connect(ctx, "sandbox", f"Channel {p}", handle=f"bench_{p}", profile=p).id
                for p in ("x", "mastodon", "facebook")]
    return BusyWorkspace(user.id, email, workspace.id, channels)


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL statements sent meanwhile (transaction control left out)."""
    from sqlalchemy import Engine, event

    statements: list[str] = []

    def note(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", note)


@dataclass(frozen=True)
class PageFigures:
    wall_p50_ms: float
    wall_p95_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    statements: int
    size: int  # bytes of the answer
    views: int
    database_cpu_p50_ms: float | None = None  # PostgreSQL backends' CPU, where measured


def view_page(client: Any, path: str, repeat: int, database_cpu_ms: Any = None) -> PageFigures:
    """`repeat` timed views of `path` after one warm-up (this process's CPU time and the wall clock; with
    `database_cpu_ms`, a function giving the database server's CPU so far, that too), then one more view with
    its statements counted (outside the timed ones: the listener costs a little)."""
    first = client.get(path)
    if first.status_code != 200:
        raise SystemExit(f"{path} answered {first.status_code}: {first.text[:300]}")
    walls, cpus, database = [], [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        before = database_cpu_ms() if database_cpu_ms else 0.0
        answer = client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if database_cpu_ms:
            database.append(database_cpu_ms() - before)
        answer.raise_for_status()
    with counted_statements() as statements:
        answer = client.get(path)
    answer.raise_for_status()
    return PageFigures(percentile(walls, 50), percentile(walls, 95), percentile(cpus, 50), percentile(cpus, 95),
                       len(statements), len(answer.content), repeat,
                       percentile(database, 50) if database else None)


def print_page(name: str, label: str, figures: PageFigures) -> None:
    database = (f"; database CPU p50 {figures.database_cpu_p50_ms:.0f} ms"
                if figures.database_cpu_p50_ms is not None else "")
    print(f"{name:15} {label[:70]}: wall p50 {figures.wall_p50_ms:.0f} ms, p95 {figures.wall_p95_ms:.0f} ms; CPU "
          f"p50 {figures.cpu_p50_ms:.0f} ms, p95 {figures.cpu_p95_ms:.0f} ms{database} ({figures.views} views, "
          f"{figures.size:,} bytes, {figures.statements} statements); load {os.getloadavg()[0]:.1f}", flush=True)


def print_summary(bench: str, results: dict[str, PageFigures], database: str, extra: str = "") -> None:
    """The machine line, then the summary line `bench: <page>_p95_ms=… <page>_cpu_p50_ms=… … load=…`."""
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database}")
    parts = []
    for name, r in results.items():
        parts.append(f"{name}_p95_ms={r.wall_p95_ms:.0f} {name}_cpu_p50_ms={r.cpu_p50_ms:.0f} "
                     f"{name}_cpu_p95_ms={r.cpu_p95_ms:.0f} {name}_statements={r.statements}"
                     + (f" {name}_pg_cpu_p50_ms={r.database_cpu_p50_ms:.0f}"
                        if r.database_cpu_p50_ms is not None else ""))
    print(f"{bench}: " + " ".join(parts) + (f" {extra}" if extra else "") + f" db={database} "
          f"load={os.getloadavg()[0]:.1f}")
