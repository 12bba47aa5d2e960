"""Cold wall time of ``python -m mathcheck verify-all`` against the import floor, in the same run.

The floor is a bare interpreter importing only the libraries verify-all imports (sympy, numpy, scipy,
hypothesis, mpmath, tqdm, torch with the two submodules torch itself loads lazily: torch.distributions and
torch._dynamo, which every torch.optim optimizer imports; checked with ``python -X importtime``), timed the
same way. The ratio to a floor with a plain ``import torch`` is printed too. Targets: <= 10 s and <= 3x the floor on 2 cores.

    python benchmarks/verify_all.py [--repeat 3] [--quick]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from readme_figures import machine  # benchmarks/ is on sys.path when this script runs

LIBRARIES = "sympy, numpy, scipy.stats, scipy.integrate, scipy.special, hypothesis, mpmath, tqdm, torch"
# torch loads these two lazily, at the first torch.distributions call and the first torch.optim optimizer
TORCH_SUBMODULES = "torch.distributions, torch._dynamo"
FLOORS = {"import floor": f"import {LIBRARIES}, {TORCH_SUBMODULES}",
          "plain-torch floor": f"import {LIBRARIES}"}


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
    times: dict[str, list[float]] = {name: [] for name in [*FLOORS, "verify-all"]}
    for _ in range(args.repeat):
        for name, code in FLOORS.items():
            times[name].append(wall([sys.executable, "-c", code]))
        times["verify-all"].append(wall(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"machine: {machine()}")
    for name, values in times.items():
        print(f"{name:<18}: {median[name]:6.2f} s  (median of {args.repeat}: {', '.join(f'{t:.2f}' for t in values)})")
    for name in FLOORS:
        print(f"ratio to {name:<18}: {median['verify-all'] / median[name]:5.2f}x")
    print("targets: verify-all <= 10 s, <= 3x the import floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
