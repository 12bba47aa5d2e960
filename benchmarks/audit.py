"""Wall time of ``python -m mathcheck audit`` on the source article (budget: 5 s on a 2-core machine).

    python benchmarks/audit.py [--repeats 3] [FILE]

Each run is a fresh process, as a user runs it. The import floor is a fresh process that only imports
what the audit imports; the ratio audit / floor shows what the checking itself costs.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

ARTICLE = "/work/shared/seed/000_7c6babc3eea41398.txt"
BUDGET_SECONDS = 5.0


def best_of(repeats: int, command: list[str]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=ARTICLE)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    floor = best_of(args.repeats, [sys.executable, "-c", "import mathcheck.cli, mathcheck.audit, mathcheck.checker"])
    audit = best_of(args.repeats, [sys.executable, "-m", "mathcheck", "audit", args.file])
    print(f"import floor (fresh process):  {floor:.2f}s")
    print(f"audit of {args.file}: {audit:.2f}s (best of {args.repeats})")
    print(f"ratio audit / import floor:    {audit / floor:.2f}")
    print(f"budget {BUDGET_SECONDS:.0f}s: {'within' if audit <= BUDGET_SECONDS else 'OVER'}")


if __name__ == "__main__":
    main()
