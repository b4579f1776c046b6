"""The command line as a newcomer meets it: workspaces by the name they read, a quiet demo, a doctor
that does not fail on the demo's data, and a log level switch."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialdesk import cli
from socialdesk.cli import app
from socialdesk.core import clock
from socialdesk.core.config import reset_settings_cache
from socialdesk.core.db import Database
from socialdesk.demo import ensure_demo
from socialdesk.jobs.models import Heartbeat
from socialdesk.workspaces import service as workspaces
from tests.helpers import make_world

runner = CliRunner()
SOCIALDESK = str(Path(sys.executable).parent / "socialdesk")


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


# Workspaces by name, slug or id ---------------------------------------------------------------------


def test_a_workspace_is_found_by_name_in_any_case_by_slug_and_by_id(database: Database) -> None:
    world = make_world(database, "Kava & Čaj Co. (demo)", profiles=("x",))
    for ref in ("Kava & Čaj Co. (demo)", "KAVA & čaj co. (DEMO)", " kava & čaj co. (demo) ", "kava-caj-co-demo",
                world.workspace_id):
        code, output = _run("channel", "list", "-w", ref)
        assert code == 0, (ref, output)
        assert world.channels["x"] in output
    code, output = _run("workspace", "list")
    assert code == 0 and "kava-caj-co-demo" in output


def test_an_unknown_workspace_is_refused_with_the_close_matches(database: Database) -> None:
    make_world(database, "Kava & Co. (demo)", profiles=())
    make_world(database, "Zlatna ribica", profiles=())
    code, output = _run("channel", "list", "-w", "Kava & Co.")
    assert code != 0
    assert "No workspace named 'Kava & Co.'" in output
    assert "Did you mean 'Kava & Co. (demo)' (slug kava-co-demo)?" in output
    assert "Zlatna" not in output
    code, output = _run("post", "list", "-w", "nothing like it")
    assert code != 0 and "No workspace named 'nothing like it'" in output and "Did you mean" not in output


def test_two_workspaces_with_one_name_ask_for_the_id(database: Database) -> None:
    first = make_world(database, "Acme", profiles=())
    second = make_world(database, "ACME", profiles=())
    code, output = _run("channel", "list", "-w", "acme")
    assert code != 0
    assert "Several workspaces match 'acme'" in output
    assert first.workspace_id in output and second.workspace_id in output
    assert _run("channel", "list", "-w", second.workspace_id)[0] == 0


def test_one_resolver_for_every_workspace_option(database: Database) -> None:
    """The token command's --workspace goes through the same resolver as -w."""
    world = make_world(database, "Brand Ä", profiles=())
    code, output = _run("token", "create", "--email", world.users["owner"], "--name", "ci", "--scope", "read",
                        "--workspace", "brand-a")
    assert code == 0 and output.startswith("sdk_"), output
    with database.read_sessions() as session:
        assert workspaces.find_workspace(session, "BRAND ä").id == world.workspace_id


# Doctor ----------------------------------------------------------------------------------------------


def _demo_data_without_a_key(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's data as `socialdesk demo` leaves it: credentials sealed with the demo key."""
    monkeypatch.delenv("SOCIALDESK_SECRET_KEY")
    monkeypatch.setenv("SOCIALDESK_DEMO_MODE", "1")
    reset_settings_cache()
    ensure_demo(database)
    monkeypatch.delenv("SOCIALDESK_DEMO_MODE")
    reset_settings_cache()


def _runners_alive(database: Database, count: int) -> None:
    now = clock.now()
    with database.unit_of_work() as session:
        for n in range(count):
            session.add(Heartbeat(runner_id=f"test-{n}", kind="embedded", hostname="here", pid=n + 1,
                                  started_at=now - timedelta(minutes=1), seen_at=now))


def test_doctor_on_the_demo_data_needs_no_secret_key(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _demo_data_without_a_key(database, monkeypatch)
    _runners_alive(database, 1)
    code, output = _run("doctor")
    assert code == 0, output
    assert "not needed yet" in output
    assert "1 job runner alive" in output and "running jobs" not in output


def test_doctor_still_wants_a_key_for_anything_but_the_demo(database: Database,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    make_world(database, "Real brand", profiles=("x",))  # sealed with the test's real key
    _runners_alive(database, 2)
    monkeypatch.delenv("SOCIALDESK_SECRET_KEY")
    reset_settings_cache()
    code, output = _run("doctor")
    assert code == 1
    assert "PROBLEM" in output and "SOCIALDESK_SECRET_KEY" in output and "not needed yet" not in output
    assert "2 job runners alive" in output


def test_doctor_counts_read_as_english() -> None:
    from socialdesk.doctor import counted

    assert counted(1, "job runner") == "1 job runner"
    assert counted(2, "job runner") == "2 job runners"
    assert counted(0, "channel") == "0 channels"
    assert counted(1_200, "post") == "1,200 posts"


# Log levels ------------------------------------------------------------------------------------------


def test_commands_log_warnings_and_services_log_info(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCIALDESK_LOG_LEVEL", raising=False)
    try:
        assert cli.configure_logging("doctor") == "WARNING"
        assert cli.configure_logging("demo") == "WARNING"
        assert logging.getLogger("alembic").getEffectiveLevel() == logging.ERROR
        assert logging.getLogger("weasyprint").getEffectiveLevel() == logging.ERROR
        assert cli.configure_logging("serve") == "INFO"
        # A service's log is socialdesk's own record: its INFO lines, not its libraries'.
        assert logging.getLogger("socialdesk.publishing").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("celery.worker").getEffectiveLevel() == logging.WARNING
        assert cli.configure_logging("demo", verbose=True) == "INFO"
        assert logging.getLogger("celery.worker").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("alembic").getEffectiveLevel() == logging.INFO
        monkeypatch.setenv("SOCIALDESK_LOG_LEVEL", "debug")
        assert cli.configure_logging("doctor") == "DEBUG"
        monkeypatch.setenv("SOCIALDESK_LOG_LEVEL", "loud")
        with pytest.raises(Exception, match="SOCIALDESK_LOG_LEVEL='LOUD'"):
            cli.configure_logging("doctor")
    finally:
        monkeypatch.delenv("SOCIALDESK_LOG_LEVEL", raising=False)
        cli.configure_logging(None)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SOCIALDESK_DATABASE_URL", "SOCIALDESK_LOG_LEVEL", "SOCIALDESK_DEMO_MODE")}
    return {**env, "SOCIALDESK_DATA_DIR": str(data_dir), **extra}


@pytest.mark.parametrize(("args", "extra", "info"), [
    ((), {}, False), (("--verbose",), {}, True), ((), {"SOCIALDESK_LOG_LEVEL": "INFO"}, True)])
def test_migrate_is_quiet_unless_asked(tmp_path: Path, args: tuple[str, ...], extra: dict[str, str],
                                       info: bool) -> None:
    done = subprocess.run([SOCIALDESK, *args, "migrate"], env=_env(tmp_path / "data", **extra),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Database is up to date" in done.stdout
    assert ("INFO alembic.runtime.migration: Running upgrade" in done.stderr) is info, done.stderr


# The demo --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_demo_prints_one_block_and_no_log_lines(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path / "data")
    env.pop("SOCIALDESK_SECRET_KEY", None)
    process = subprocess.Popen([SOCIALDESK, "demo", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline() for _ in range(5)]
        assert printed[-1], ("the demo printed no block in 120 s", printed)
        # The address is printed once it answers: a person who opens it at once is not refused.
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        time.sleep(1)
    finally:
        watchdog.cancel()
        process.terminate()
        rest, errors = process.communicate(timeout=60)
    out = "".join(printed) + rest
    lines = out.splitlines()
    assert f"Open      http://127.0.0.1:{port}" in out
    assert "E-mail    demo@socialdesk.local" in out and "Password  socialdesk-demo" in out
    assert "Stop      press Ctrl+C" in out
    assert lines[0].startswith("socialdesk demo is ready: 3 channels"), out
    assert len(lines) == 5, out
    for noise in (" INFO ", "INFO:", "published", "alembic", "Uvicorn running"):
        assert noise not in out and noise not in errors, (noise, out, errors)


def test_demo_check_is_quiet(tmp_path: Path) -> None:
    done = subprocess.run([SOCIALDESK, "demo", "--check"], env=_env(tmp_path / "data"), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "E-mail    demo@socialdesk.local" in done.stdout and "Password  socialdesk-demo" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("demo: 3 channels")
    assert "INFO" not in done.stdout + done.stderr and "published" not in done.stdout + done.stderr
    assert done.stderr == "", done.stderr
