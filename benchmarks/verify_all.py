"""Cold wall time of ``python -m mathcheck verify-all`` against the import floor, in the same run.

The floor is a bare interpreter importing only the libraries verify-all imports (sympy, numpy, scipy,
hypothesis, torch, sklearn), timed the same way. Targets: <= 10 s and <= 3x the floor on 2 cores.

    python benchmarks/verify_all.py [--repeat 3] [--quick]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

FLOOR = "import sympy, numpy, scipy.stats, scipy.integrate, hypothesis, torch, sklearn"


def wall(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="verify-all --quick (no VAE training)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "mathcheck", "verify-all"] + (["--quick"] if args.quick else [])
    floors, runs = [], []
    for _ in range(args.repeat):
        floors.append(wall([sys.executable, "-c", FLOOR]))
        runs.append(wall(command))
    floor, run = statistics.median(floors), statistics.median(runs)
    print(f"import floor   : {floor:6.2f} s  (median of {args.repeat}: {', '.join(f'{t:.2f}' for t in floors)})")
    print(f"verify-all     : {run:6.2f} s  (median of {args.repeat}: {', '.join(f'{t:.2f}' for t in runs)})")
    print(f"ratio to floor : {run / floor:6.2f}x  (target <= 3x; absolute target <= 10 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
