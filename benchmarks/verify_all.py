"""Cold wall time of ``python -m mathcheck verify-all`` against the import floor, in the same run.

The floor is a bare interpreter importing only the libraries verify-all imports (sympy, numpy, scipy,
hypothesis, mpmath, tqdm, torch with the submodule torch loads lazily at the first
torch.distributions.MultivariateNormal: torch.fx.experimental.symbolic_shapes; checked with ``python -X
importtime``), timed the same way. verify-all imports no torch._dynamo (vae_min's Adam is not torch.optim's
class, whose methods import it): the floor with it, as the floor was before, is printed too, and the ratio to a
floor with a plain ``import torch``. Targets: <= 10 s and <= 3x the floor on 2 cores.

The CPU seconds (user + system, the worker processes' included) are printed beside: on a machine that other
work loads, they move less than the wall times do.

    python benchmarks/verify_all.py [--repeat 3] [--quick] [--jobs N]
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

from readme_figures import machine  # benchmarks/ is on sys.path when this script runs

LIBRARIES = "sympy, numpy, scipy.stats, scipy.integrate, scipy.special, hypothesis, mpmath, tqdm, torch"
TORCH_SUBMODULE = "torch.fx.experimental.symbolic_shapes"  # torch loads it at the first MultivariateNormal
FLOORS = {"import floor": f"import {LIBRARIES}, {TORCH_SUBMODULE}",
          "floor with dynamo": f"import {LIBRARIES}, {TORCH_SUBMODULE}, torch._dynamo",  # as torch.optim imports
          "plain-torch floor": f"import {LIBRARIES}"}


def wall(argv: list[str]) -> tuple[float, float]:
    """The wall time of ``argv`` and the CPU seconds (user + system) of it and its worker processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="verify-all --quick (no VAE training)")
    parser.add_argument("--jobs", type=int, default=None, help="verify-all --jobs N (default: its own)")
    args = parser.parse_args()
    command = [sys.executable, "-m", "mathcheck", "verify-all"] + (["--quick"] if args.quick else []) + (
        ["--jobs", str(args.jobs)] if args.jobs else [])
    times: dict[str, list[float]] = {name: [] for name in [*FLOORS, "verify-all"]}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for _ in range(args.repeat):
        for name, argv in [*((name, [sys.executable, "-c", code]) for name, code in FLOORS.items()),
                           ("verify-all", command)]:
            elapsed, seconds = wall(argv)
            times[name].append(elapsed)
            cpu[name].append(seconds)
    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    print(f"machine: {machine()}")
    print(f"command: {' '.join(command[1:])}")
    for name, values in times.items():
        print(f"{name:<18}: {median[name]:6.2f} s  (median of {args.repeat}: {', '.join(f'{t:.2f}' for t in values)})"
              f"; CPU {median_cpu[name]:6.2f} s")
    for name in FLOORS:
        print(f"ratio to {name:<18}: {median['verify-all'] / median[name]:5.2f}x wall, "
              f"{median_cpu['verify-all'] / median_cpu[name]:5.2f}x CPU")
    print("targets: verify-all <= 10 s, <= 3x the import floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
