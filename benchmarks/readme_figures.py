"""The README's timings and figures, measured as a user meets them, and the machine they were measured on.

    python benchmarks/readme_figures.py [--repeat 2]

Each command runs as the README gives it, in a fresh interpreter, from an empty temporary directory, with the
environment as it is (no thread settings): ``python -m mathcheck vae --format json`` (its training time, by
its own clock; the whole command's wall time; the test ELBO and log p(x)) and ``python -m mathcheck verify-all``
(its wall time, and the report lines the README's "Reading the report" shows). A machine shared with other
work is noisy, so every timing is printed as the range over the runs, beside the machine: CPU model (from
/proc/cpuinfo), the cores this process may use, the load average, Python and torch versions, and the date.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata

VAE = ["vae", "--format", "json"]
VERIFY_ALL = ["verify-all"]
REPORT_ROWS = ("elbo_le_log_evidence", "gaussian-kl-numeric")  # the rows the README's sample report shows


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> str:
    """One line naming the machine and software the figures were measured with."""
    try:
        torch = f"torch {metadata.version('torch')}"
    except metadata.PackageNotFoundError:
        torch = "no torch"
    load = ""
    if hasattr(os, "getloadavg"):  # other work on the machine: the timings' noise
        load = ", load average " + " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{cpu_model()}, {usable_cores()} cores{load}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, {torch}; {datetime.date.today().isoformat()}")


def run_mathcheck(arguments: list[str], directory: str) -> tuple[float, str]:
    """(wall seconds, stdout) of ``python -m mathcheck ARGUMENTS`` run from `directory`; exit 0 or 1 accepted."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mathcheck", *arguments], cwd=directory, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"python -m mathcheck {' '.join(arguments)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds, done.stdout


def report_lines(stdout: str) -> list[str]:
    """The verify-all report's rows that the README shows, and its summary line (the last)."""
    lines = [line.rstrip() for line in stdout.splitlines() if line.strip()]
    rows = [line for line in lines if any(line.split()[1:2] == [name] for name in REPORT_ROWS)]
    return rows + lines[-1:]


def spread(values: list[float], unit: str = " s") -> str:
    low, high = min(values), max(values)
    return f"{low:.2f}{unit}" if round(low, 2) == round(high, 2) else f"{low:.2f}–{high:.2f}{unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs of each command (default 2)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(f"machine: {machine()}")
    train, vae_wall, verify_wall, elbo, log_px, lines = [], [], [], set(), set(), []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as directory:
            seconds, stdout = run_mathcheck(VAE, directory)
            summary = json.loads(stdout)
            train.append(summary["train_seconds"])
            vae_wall.append(seconds)
            elbo.add(f"{summary['test_elbo']:.2f}")
            log_px.add(f"{summary['test_log_px']:.2f}")
            seconds, stdout = run_mathcheck(VERIFY_ALL, directory)
            verify_wall.append(seconds)
            lines = report_lines(stdout)
    print(f"runs of each command: {args.repeat}")
    print(f"mathcheck vae, training ({summary['epochs']} epochs, its own clock): {spread(train)}")
    print(f"mathcheck vae, whole command (wall):  {spread(vae_wall)}")
    print(f"mathcheck vae, test ELBO / log p(x):  {', '.join(sorted(elbo))} / {', '.join(sorted(log_px))} "
          "nats per image")
    print(f"mathcheck verify-all (wall):          {spread(verify_wall)}")
    print("verify-all report, the rows the README shows (last run):")
    for line in lines:
        print(f"  {line}")
    print(f"machine after the runs: {machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
