"""Time per numeric check family (what verify-all pays for them) and Monte Carlo throughput.

    python benchmarks/numeric_checks.py [--repeats 3]

Prints the import time, best-of-N seconds per check at its default size, their sum (budget: 5 s on
a 2-core machine), and samples/s of the Monte Carlo reference against a bare numpy normal draw
measured in the same process.
"""
from __future__ import annotations

import argparse
import time

import numpy as np


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats

    start = time.perf_counter()
    import scipy.stats

    from mathcheck import numeric_checks, references
    print(f"import mathcheck.numeric_checks: {time.perf_counter() - start:.2f}s")
    start = time.perf_counter()
    import torch  # noqa: F401  (the torch peer imports it lazily; vae_min pays this anyway)
    print(f"import torch (first torch-peer call): {time.perf_counter() - start:.2f}s")

    total = 0.0
    for check in numeric_checks.checks():
        seconds = best_of(repeats, lambda: check.run(0, None))
        report = check.run(0, None)
        total += seconds
        print(f"{check.name:22s} {seconds:6.2f}s  verdict {report.verdict}  ({len(report.steps)} steps)")
    print(f"{'all numeric checks':22s} {total:6.2f}s  (budget 5 s)")

    samples = references.MC_SAMPLES
    p, q = scipy.stats.norm(1.0, 2.0), scipy.stats.norm(0.0, 1.0)
    mc = best_of(repeats * 5, lambda: references.kl_monte_carlo(p, q, samples=samples, seed=0))
    rng = np.random.default_rng(0)
    bare = best_of(repeats * 5, lambda: rng.standard_normal(samples))
    print(f"Monte Carlo KL: {samples / mc:,.0f} samples/s ({samples} per estimate, {mc * 1e3:.2f} ms); "
          f"bare numpy normal draws {samples / bare:,.0f}/s; ratio {mc / bare:.1f}x")


if __name__ == "__main__":
    main()
