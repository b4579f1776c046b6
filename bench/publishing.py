"""Publishing throughput and punctuality, next to a bare baseline.

N publications due within one minute across C sandbox channels with an adapter latency of L ms, run by
  * the embedded runner on SQLite (one `socialdesk worker` process, T threads), and
  * Celery on PostgreSQL with 1, 2 and 4 worker processes (T threads each) and one scheduler.
For each: throughput, lateness after the due time (p50/p99), duplicates on the network, missed and
unconfirmed publications; and, in the same run, the bare baseline: the same adapter calls in a plain
thread pool at the same concurrency, with no database of ours — and the ratio pipeline/baseline.

    python bench/publishing.py [--quick] [--posts 10000] [--channels 1000] [--latency-ms 50]
                               [--threads 8] [--pg-url URL] [--broker-url URL] [--modes sqlite,pg1,pg2,pg4]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

SOCIALDESK = str(Path(sys.executable).parent / "socialdesk")
KEY = "c29jaWFsZGVzay1iZW5jaC1rZXktbm90LXNlY3JldCE="


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class Result:
    mode: str
    concurrency: int
    published: int
    unconfirmed: int
    missed: int
    duplicates: int
    seconds: float
    lateness: list[float]
    worker_cpu: float = float("nan")  # CPU seconds of the worker (and scheduler) processes
    database_cpu: float = float("nan")  # CPU seconds of PostgreSQL's backends serving this run (local server)

    @property
    def per_second(self) -> float:
        return self.published / self.seconds if self.seconds else 0.0


def _environment(database_url: str, data_dir: str, broker_url: str | None) -> dict[str, str]:
    env = {**os.environ, "SOCIALDESK_DATABASE_URL": database_url, "SOCIALDESK_DATA_DIR": data_dir,
           "SOCIALDESK_SECRET_KEY": KEY, "SOCIALDESK_LOG_LEVEL": "WARNING", "SOCIALDESK_RUNNER_POLL_SECONDS": "0.2",
           "SOCIALDESK_HEARTBEAT_SECONDS": "1", "SOCIALDESK_HEARTBEAT_STALE_SECONDS": "10"}
    env.pop("SOCIALDESK_BROKER_URL", None)
    if broker_url:
        env["SOCIALDESK_BROKER_URL"] = broker_url
    os.environ.update(env)
    if not broker_url:
        os.environ.pop("SOCIALDESK_BROKER_URL", None)
    from socialdesk.core.config import reset_settings_cache
    from socialdesk.core.db import set_database

    reset_settings_cache()
    set_database(None)
    return env


def _prepare(posts: int, channels: int, latency_ms: int, lead: float, window: float, prefix: str) -> float:
    """A fresh schema, `channels` sandbox channels and `posts` publications due over `window` seconds
    from `lead` seconds from now, each due second with its dispatch pass asked for (as scheduling a
    post does). Returns the first due time (epoch seconds)."""
    from socialdesk.auth.service import create_user
    from socialdesk.channels.service import connect
    from socialdesk.content.models import Post, Publication, PublicationStatus
    from socialdesk.core import clock
    from socialdesk.core.db import get_database
    from socialdesk.core.schema import create_schema
    from socialdesk.networks.sandbox import faults, server
    from socialdesk.publishing.dispatching import pass_for, request_dispatch
    from socialdesk.workspaces.context import Actor, WorkspaceContext
    from socialdesk.workspaces.models import Role
    from socialdesk.workspaces.service import create_organisation, create_workspace

    db = get_database()
    server.reset(db.url)
    create_schema(db.url, reset=db.dialect == "postgresql")
    handles = [f"{prefix}{i}" for i in range(channels)]
    with db.unit_of_work() as session:
        user = create_user(session, "bench@example.com", "Bench", "bench-password-1")
        workspace = create_workspace(session, create_organisation(session, "Bench"), "Bench", user)
        ctx = WorkspaceContext(session, workspace, Actor(user.id, user.email), Role.OWNER)
        ids = [connect(ctx, "sandbox", handle, handle=handle, profile="generic", audience_size=50).id
               for handle in handles]
        workspace_id = workspace.id
    for handle in handles:
        faults.set_latency(handle, latency_ms)
    first_due = clock.now() + timedelta(seconds=lead)
    with db.unit_of_work() as session:
        for start in range(0, posts, 2000):
            rows = [(n, first_due + timedelta(seconds=window * n / posts))
                    for n in range(start, min(posts, start + 2000))]
            batch = [Post(workspace_id=workspace_id, text=f"{prefix} post {n}", scheduled_at=at) for n, at in rows]
            session.add_all(batch)
            session.flush()
            session.add_all([Publication(workspace_id=workspace_id, post_id=post.id, channel_id=ids[n % len(ids)],
                                         status=PublicationStatus.SCHEDULED, scheduled_at=at)
                             for (n, at), post in zip(rows, batch, strict=True)])
            # What scheduling each post does (request_dispatch(session, at)), once per pass it asks for.
            last_of_pass = {pass_for(at): at for _, at in rows}
            for at in last_of_pass.values():
                request_dispatch(session, at)
    db.refresh_statistics()
    return first_due.timestamp()


def _measure(mode: str, concurrency: int, total: int, first_due: float, started: float) -> Result:
    from sqlalchemy import func, select

    from socialdesk.content.models import Publication, PublicationStatus
    from socialdesk.core.db import get_database
    from socialdesk.networks.sandbox.models import SandboxPost
    from socialdesk.networks.sandbox.server import sandbox_database

    S = PublicationStatus
    with get_database().read_sessions() as session:
        rows = session.execute(select(Publication.status, Publication.scheduled_at, Publication.published_at)).all()
    with sandbox_database().read_sessions() as session:
        duplicates = session.scalar(select(func.count()).select_from(
            select(SandboxPost.text).group_by(SandboxPost.account_id, SandboxPost.text)
            .having(func.count() > 1).subquery())) or 0
    published = [r for r in rows if r.status == S.PUBLISHED]
    lateness = [(r.published_at - r.scheduled_at).total_seconds() for r in published]
    last = max((r.published_at.timestamp() for r in published), default=time.time())
    return Result(mode, concurrency, len(published), sum(r.status == S.UNCONFIRMED for r in rows),
                  total - len(published) - sum(r.status == S.UNCONFIRMED for r in rows), duplicates,
                  max(0.001, last - max(first_due, started)), lateness)


def _wait(total: int, deadline: float) -> None:
    from sqlalchemy import func, select

    from socialdesk.content.models import Publication, PublicationStatus
    from socialdesk.core.db import get_database

    done_states = (PublicationStatus.PUBLISHED, PublicationStatus.UNCONFIRMED, PublicationStatus.FAILED)
    while time.time() < deadline:
        with get_database().read_sessions() as session:
            done = session.scalar(select(func.count()).select_from(Publication).where(
                Publication.status.in_(done_states))) or 0
        if done >= total:
            return
        time.sleep(1.0)


def run_pipeline(mode: str, args: argparse.Namespace, workers: int, log_dir: Path) -> Result:
    lead = 12.0  # processes start (imports, migrations) before the first post is due
    first_due = _prepare(args.posts, args.channels, args.latency_ms, lead, args.window, prefix=f"{mode}-")
    env = dict(os.environ)
    processes = []
    if mode != "sqlite":
        log = (log_dir / f"{mode}-scheduler.log").open("wb")
        processes.append(subprocess.Popen([SOCIALDESK, "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT))
    for index in range(workers):
        command = [SOCIALDESK, "worker", "--concurrency", str(args.threads)]
        if mode != "sqlite":
            command += ["--pool", "threads"]
        log = (log_dir / f"{mode}-worker{index}.log").open("wb")
        processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    started = time.time()
    cpu: tuple[float, float] = (float("nan"), float("nan"))
    try:
        _wait(args.posts, first_due + args.window + args.timeout)
        cpu = (sum(_cpu_seconds(p.pid) for p in processes), _database_cpu() if mode != "sqlite" else float("nan"))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
    result = _measure(mode, workers * args.threads, args.posts, first_due, started)
    result.worker_cpu, result.database_cpu = cpu
    return result


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc), its waited-for children included."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _database_cpu() -> float:
    """CPU seconds of the PostgreSQL backends connected to this run's database, read while the workers
    still hold their connections (a local server only; nan elsewhere)."""
    from sqlalchemy import text

    from socialdesk.core.db import get_database

    with get_database().read_sessions() as session:
        pids = list(session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                         "AND pid <> pg_backend_pid()")))
    return sum(_cpu_seconds(pid) for pid in pids) if pids else float("nan")


def run_baseline(args: argparse.Namespace, concurrency: int) -> float:
    """The same adapter calls (one publish per post, same latency) in a plain thread pool: posts/second."""
    from socialdesk.networks.base import ChannelAccount, OutgoingPost
    from socialdesk.networks.sandbox import faults
    from socialdesk.networks.sandbox.adapter import SandboxAdapter, connect

    accounts = []
    for i in range(args.channels):
        handle = f"base{concurrency}-{i}"
        found = connect(handle, "generic", audience_size=50)
        faults.set_latency(handle, args.latency_ms)
        accounts.append(SandboxAdapter(ChannelAccount(handle, found["external_id"], handle, found["credentials"],
                                                      found["settings"])))

    def one(n: int) -> None:
        accounts[n % len(accounts)].publish(OutgoingPost(text=f"baseline post {n}", idempotency_key=f"b{n}"))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(args.posts)))
    return args.posts / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 posts due within 10 s on 30 channels, SQLite only")
    parser.add_argument("--window", type=float, default=60, help="seconds over which the posts fall due")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8, help="jobs at once per worker process")
    parser.add_argument("--timeout", type=float, default=600, help="seconds after the last due time to give up")
    parser.add_argument("--pg-url", default=os.environ.get(
        "SOCIALDESK_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/socialdesk_bench"))
    parser.add_argument("--broker-url", default=os.environ.get(
        "SOCIALDESK_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--modes", default="sqlite,pg1,pg2,pg4")
    args = parser.parse_args()
    if args.quick:
        args.posts, args.channels, args.modes, args.timeout, args.window = 300, 30, "sqlite", 30, 10
    results: list[tuple[Result, float]] = []
    with tempfile.TemporaryDirectory(prefix="socialdesk-bench-") as folder:
        log_dir = Path(folder)
        for mode in args.modes.split(","):
            workers = 1 if mode == "sqlite" else int(mode.removeprefix("pg"))
            if mode == "sqlite":
                _environment(f"sqlite:///{folder}/bench.db", folder, None)
            else:
                _ensure_pg_database(args.pg_url)
                import redis

                redis.Redis.from_url(args.broker_url).flushdb()
                _environment(args.pg_url, folder, args.broker_url)
            result = run_pipeline(mode, args, workers, log_dir)
            baseline = run_baseline(args, result.concurrency)
            results.append((result, baseline))
            ratio = result.per_second / baseline if baseline else float("nan")
            print(f"{mode:6s} x{result.concurrency:<3d} published {result.published}/{args.posts} "
                  f"in {result.seconds:6.1f} s = {result.per_second:6.1f}/s | lateness "
                  f"p50 {percentile(result.lateness, 50):6.2f} s p99 {percentile(result.lateness, 99):6.2f} s | "
                  f"duplicates {result.duplicates} missed {result.missed} unconfirmed {result.unconfirmed} | "
                  f"baseline {baseline:6.1f}/s ratio {ratio:.2f} | CPU: workers {result.worker_cpu:.1f} s = "
                  f"{1000 * result.worker_cpu / max(1, result.published):.1f} ms/publication, PostgreSQL "
                  f"{1000 * result.database_cpu / max(1, result.published):.2f} ms/publication", flush=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"{args.posts} posts, {args.channels} channels, latency {args.latency_ms} ms, {args.threads} threads/worker")
    # A pipeline that keeps up publishes at the offered rate, so the ratio cannot exceed offered/baseline.
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    print(f"offered: {args.posts / args.window:.1f} posts/s (due over {args.window:.0f} s); load average {load}")
    worst = max(results, key=lambda r: percentile(r[0].lateness, 99))[0]
    lowest = min((r.per_second / b for r, b in results if b), default=float("nan"))
    print(f"publishing: published={sum(r.published for r, _ in results)} "
          f"duplicates={sum(r.duplicates for r, _ in results)} missed={sum(r.missed for r, _ in results)} "
          f"unconfirmed={sum(r.unconfirmed for r, _ in results)} "
          f"p99_lateness_s={percentile(worst.lateness, 99):.2f} ratio={lowest:.2f}")


def _ensure_pg_database(url: str) -> None:
    import sqlalchemy as sa

    name = sa.engine.make_url(url).database
    admin = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


if __name__ == "__main__":
    main()
