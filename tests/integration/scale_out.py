"""Running socialdesk scaled out for tests: worker and scheduler processes on PostgreSQL and a broker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from socialdesk.content.models import Publication, PublicationStatus
from socialdesk.core.db import Database
from socialdesk.networks.sandbox.models import SandboxPost
from socialdesk.networks.sandbox.server import sandbox_database

SOCIALDESK = str(Path(sys.executable).parent / "socialdesk")
TERMINAL = (PublicationStatus.PUBLISHED, PublicationStatus.UNCONFIRMED, PublicationStatus.FAILED)


@dataclass
class Cluster:
    """Worker and scheduler processes, each in its own process group so a kill takes its children too."""

    env: dict[str, str]
    log_dir: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    worker_started: dict[int, float] = field(default_factory=dict)  # pid -> monotonic start time
    schedulers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    started: int = 0

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        self.started += 1
        log = (self.log_dir / f"{args[0]}-{self.started}.log").open("wb")
        return subprocess.Popen([SOCIALDESK, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def start_worker(self, concurrency: int = 4, pool: str = "threads") -> None:
        process = self._spawn("worker", "--pool", pool, "--concurrency", str(concurrency))
        self.workers.append(process)
        self.worker_started[process.pid] = time.monotonic()

    def restart_dead_workers(self) -> int:
        """What the supervisor docs/operations.md asks for (systemd `Restart=always`) does: a worker that
        exited is started again. Celery's consumer sometimes dies at a Redis restart ("Unrecoverable error:
        AttributeError: 'NoneType' object has no attribute 'hostname'" while restoring unacknowledged
        messages), taking the whole worker with it. Returns how many were restarted."""
        dead = [process for process in self.workers if process.poll() is not None]
        for process in dead:
            self.workers.remove(process)
            print(f"  worker {process.pid} exited ({process.returncode}): started again", flush=True)
            self.start_worker()
        return len(dead)

    def busy_workers(self, warm_up: float) -> list[int]:
        """Indexes of workers up for at least `warm_up` seconds (a worker needs a few to start working)."""
        now = time.monotonic()
        return [i for i, p in enumerate(self.workers) if now - self.worker_started[p.pid] >= warm_up]

    def start_scheduler(self) -> None:
        self.schedulers.append(self._spawn("scheduler"))

    def kill_worker(self, index: int) -> None:
        """SIGKILL, no goodbye: whatever the worker was doing is cut off mid-way."""
        process = self.workers.pop(index)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.workers + self.schedulers:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.workers + self.schedulers:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.workers.clear()
        self.schedulers.clear()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Stop every process at the end; a failed check inside shows the processes' logs."""
        try:
            yield
        except AssertionError:
            raise AssertionError(self.logs()) from None
        finally:
            self.stop()

    def logs(self) -> str:
        keep = os.environ.get("SOCIALDESK_TEST_KEEP_LOGS")  # a folder to copy the processes' logs to
        if keep:
            shutil.copytree(self.log_dir, keep, dirs_exist_ok=True)
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.log_dir.glob("*.log")))


def statuses(db: Database) -> dict[str, int]:
    with db.read_sessions() as session:
        return dict(session.execute(select(Publication.status, func.count()).group_by(Publication.status)).all())


def wait_until_settled(db: Database, total: int, timeout: float, tick: Callable[[], object] | None = None) -> None:
    started = time.monotonic()
    deadline = started + timeout
    reported = started
    while time.monotonic() < deadline:
        counts = statuses(db)
        if sum(counts.get(s, 0) for s in TERMINAL) >= total:
            return
        if time.monotonic() - reported > 10:  # visible with pytest -s
            print(f"  {time.monotonic() - started:5.0f} s: {counts}", flush=True)
            reported = time.monotonic()
        if tick:
            tick()
        time.sleep(0.5)
    raise AssertionError(f"not settled after {timeout:.0f} s: {statuses(db)}")


def posts_on_the_network() -> dict[str, int]:
    """How many times each text was posted (every test post has a text of its own)."""
    with sandbox_database().read_sessions() as session:
        return dict(session.execute(select(SandboxPost.text, func.count()).group_by(SandboxPost.text)).all())
