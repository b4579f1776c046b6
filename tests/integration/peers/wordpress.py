"""A real WordPress (Debian's `wordpress` package) on loopback, fresh for each test session.

What runs: a private MariaDB (its own data directory and socket, so nothing on the machine is touched)
and PHP's built-in web server over a document root of our own. Debian's `wp-config.php` reads its
settings from /etc/wordpress; to leave /etc alone, the document root holds copies of WordPress's
top-level PHP files (they find `wp-config.php` next to themselves), links to `wp-includes` and
`wp-admin`, and a `wp-config.php` written here. `setup.php` installs the site and prints a fresh
application password. Start: about 5 s. The packages come from apt (README, "Services for the tests").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.integration.peers.processes import Process, free_port, start, wait_for_http


def _wordpress_dir() -> Path:
    """Where WordPress's files are: the setting, Debian's installed package, or the copy that
    scripts/fresh-machine-check unpacks into the cache (no Apache, nothing in /usr/share)."""
    if "SOCIALDESK_TEST_WORDPRESS_DIR" in os.environ:
        return Path(os.environ["SOCIALDESK_TEST_WORDPRESS_DIR"])
    installed = Path("/usr/share/wordpress")
    if installed.exists():
        return installed
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    root = Path(os.environ.get("SOCIALDESK_TEST_WORDPRESS_ROOT", cache / "socialdesk" / "wordpress-root"))
    return root / "usr" / "share" / "wordpress"


WORDPRESS = _wordpress_dir()
INSTALL = "run scripts/fresh-machine-check --install, or see README"

_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
// Application passwords are refused over plain http unless the site says it is a local one.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('AUTH_KEY', 'test'); define('SECURE_AUTH_KEY', 'test'); define('LOGGED_IN_KEY', 'test');
define('NONCE_KEY', 'test'); define('AUTH_SALT', 'test'); define('SECURE_AUTH_SALT', 'test');
define('LOGGED_IN_SALT', 'test'); define('NONCE_SALT', 'test');
$table_prefix = 'wp_';
define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

_ROUTER = """<?php
// Files that exist (uploads) are served as they are; every other path is WordPress's.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path !== '/' && is_file(__DIR__ . $path) && !str_ends_with($path, '.php')) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
require __DIR__ . '/index.php';
"""

_SETUP = """<?php
define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Socialdesk Test Blog', 'admin', 'admin@example.invalid', true, '', 'admin-password-1');
update_option('permalink_structure', '/%postname%/');
$app = WP_Application_Passwords::create_new_application_password(1, array('name' => 'socialdesk tests'));
echo $app[0], "\\n";
"""


@dataclass
class WordPressPeer:
    url: str
    username: str
    app_password: str
    processes: list[Process]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def missing() -> str | None:
    """Why WordPress cannot run here, or None."""
    for tool in ("php", "mariadbd", "mariadb-install-db", "mariadb"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed ({INSTALL})"
    if not (WORDPRESS / "wp-settings.php").exists():
        return f"WordPress is not installed at {WORDPRESS} ({INSTALL})"
    return None


def _tool(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def start_wordpress(root: Path) -> WordPressPeer:
    root.mkdir(parents=True, exist_ok=True)
    processes: list[Process] = []
    try:
        socket = _start_mariadb(root / "mysql", processes)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        docroot = _docroot(root / "site", socket, url)
        setup = subprocess.run(["php", str(docroot / "setup.php")], cwd=docroot, capture_output=True, text=True,
                               timeout=120)
        if setup.returncode != 0 or not setup.stdout.strip():
            raise RuntimeError(f"WordPress setup failed: {setup.stdout[-2000:]} {setup.stderr[-2000:]}")
        app_password = setup.stdout.strip().splitlines()[-1]
        server = start(["php", "-S", f"127.0.0.1:{port}", "-t", str(docroot), str(docroot / "router.php")],
                       log=root / "php-server.log", cwd=docroot, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"})
        processes.append(server)
        wait_for_http(f"{url}/wp-json/", server, timeout=30)
        return WordPressPeer(url=url, username="admin", app_password=app_password, processes=processes)
    except BaseException:
        for process in reversed(processes):
            process.stop()
        raise


def _start_mariadb(data: Path, processes: list[Process]) -> str:
    data.mkdir(parents=True, exist_ok=True)
    user = ["--user=root"] if os.geteuid() == 0 else []
    install = subprocess.run([_tool("mariadb-install-db"), "--no-defaults", f"--datadir={data / 'data'}", *user,
                              "--auth-root-authentication-method=normal", "--skip-test-db"],
                             capture_output=True, text=True, timeout=120)
    if install.returncode != 0:
        raise RuntimeError(f"mariadb-install-db failed: {install.stdout[-1500:]} {install.stderr[-1500:]}")
    socket = data / "mysql.sock"
    server = start([_tool("mariadbd"), "--no-defaults", f"--datadir={data / 'data'}", f"--socket={socket}",
                    "--skip-networking", f"--pid-file={data / 'mariadb.pid'}", "--innodb-buffer-pool-size=32M",
                    "--innodb-flush-log-at-trx-commit=0", *user], log=data / "mariadb.log")
    processes.append(server)
    for _ in range(300):
        ready = subprocess.run([_tool("mariadb"), "--no-defaults", f"--socket={socket}", "-uroot",
                                "-e", "CREATE DATABASE IF NOT EXISTS wordpress"], capture_output=True, text=True)
        if ready.returncode == 0:
            return str(socket)
        server.check_alive()
        time.sleep(0.1)
    raise RuntimeError(f"MariaDB did not start: {server.log_tail()}")


def _docroot(site: Path, socket: str, url: str) -> Path:
    site.mkdir(parents=True, exist_ok=True)
    for entry in WORDPRESS.iterdir():
        if entry.name in ("wp-config.php", "wp-content", ".htaccess"):
            continue
        target = site / entry.name
        if entry.is_dir():
            target.symlink_to(entry, target_is_directory=True)
        else:
            shutil.copy2(entry, target)  # a copy: PHP resolves links, and would find Debian's wp-config.php
    (site / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
    (site / "wp-config.php").write_text(_CONFIG.format(socket=socket, url=url))
    (site / "router.php").write_text(_ROUTER)
    (site / "setup.php").write_text(_SETUP)
    return site
