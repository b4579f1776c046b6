"""How long `socialdesk demo --check` takes: cold (empty data directory: migrations, the demo
workspace with four weeks of history loaded from the recording, the upcoming posts) and warm (the same
directory again: migrations checked and a top-up only).

    python bench/startup.py [--quick] [--runs N]

Each run also reports the CPU seconds it used (user + system), which say more than the wall clock on a
machine that other work is loading. The last line is `startup: cold_s=X warm_s=X` (medians, wall clock).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCIALDESK = [str(Path(sys.executable).parent / "socialdesk")]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_demo_check(data_dir: Path) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds and the summary line of one `socialdesk demo --check`."""
    env = {**os.environ, "SOCIALDESK_DATA_DIR": str(data_dir)}
    for name in ("SOCIALDESK_DATABASE_URL", "SOCIALDESK_LOG_LEVEL", "SOCIALDESK_SECRET_KEY"):
        env.pop(name, None)
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([*SOCIALDESK, "demo", "--check"], env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"demo --check failed:\n{done.stdout}\n{done.stderr}")
    summary = [line for line in done.stdout.splitlines() if line.startswith("demo:")]
    return took, _children_cpu() - cpu, summary[-1] if summary else done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one cold and one warm run")
    parser.add_argument("--runs", type=int, default=3, help="cold runs (each in a new data directory)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    cold, warm = [], []
    for index in range(runs):
        with tempfile.TemporaryDirectory(prefix="socialdesk-bench-") as folder:
            took, cpu, summary = run_demo_check(Path(folder))
            cold.append(took)
            print(f"cold run {index + 1}: {took:.2f} s, {cpu:.2f} s CPU   ({summary})")
            took, cpu, summary = run_demo_check(Path(folder))
            warm.append(took)
            print(f"warm run {index + 1}: {took:.2f} s, {cpu:.2f} s CPU   ({summary})")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {load}, runs={runs}")
    print(f"startup: cold_s={statistics.median(cold):.2f} warm_s={statistics.median(warm):.2f}")


if __name__ == "__main__":
    main()
