"""How long `socialdesk demo --check` takes: cold (empty data directory: migrations, demo workspace,
four weeks of simulated history) and warm (the same directory again: migrations and a top-up only).

    python bench/startup.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCIALDESK = [str(Path(sys.executable).parent / "socialdesk")]


def run_demo_check(data_dir: Path) -> tuple[float, str]:
    env = {**os.environ, "SOCIALDESK_DATA_DIR": str(data_dir), "SOCIALDESK_LOG_LEVEL": "WARNING"}
    env.pop("SOCIALDESK_DATABASE_URL", None)
    started = time.perf_counter()
    done = subprocess.run([*SOCIALDESK, "demo", "--check"], env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"demo --check failed:\n{done.stdout}\n{done.stderr}")
    summary = [line for line in done.stdout.splitlines() if line.startswith("demo:")]
    return took, summary[-1] if summary else done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one cold and one warm run")
    parser.add_argument("--runs", type=int, default=3, help="cold runs (each in a new data directory)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    cold, warm = [], []
    for index in range(runs):
        with tempfile.TemporaryDirectory(prefix="socialdesk-bench-") as folder:
            took, summary = run_demo_check(Path(folder))
            cold.append(took)
            print(f"cold run {index + 1}: {took:.2f} s   ({summary})")
            took, summary = run_demo_check(Path(folder))
            warm.append(took)
            print(f"warm run {index + 1}: {took:.2f} s   ({summary})")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"startup: cold_s={statistics.median(cold):.2f} warm_s={statistics.median(warm):.2f} runs={runs}")


if __name__ == "__main__":
    main()
