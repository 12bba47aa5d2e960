"""Kill rate and false-alarm rate of the quadrature and Monte Carlo KL checks over many seeds.

    python benchmarks/mutants.py [--seeds 200]

For each seed: draw fresh distinguishing instances, run both checks on every catalogued formula.
A mutant is killed at a seed when the check rejects it; a correct formula rejected is a false alarm.
Targets: kill rate 100%, false-alarm rate 0.
"""
from __future__ import annotations

import argparse
import time

from mathcheck.mutants import CORRECT, MUTANTS
from mathcheck.numeric_checks import mutant_outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    seeds = parser.parse_args().seeds
    mutant_names = {m.name for m in MUTANTS}
    kills: dict[str, dict[str, int]] = {}
    alarms: dict[str, dict[str, int]] = {}
    start = time.perf_counter()
    for seed in range(seeds):
        for reference, outcomes in mutant_outcomes(seed).items():
            for outcome in outcomes:
                table = kills if outcome.formula in mutant_names else alarms
                counts = table.setdefault(reference, {})
                rejected = not outcome.agrees
                counts[outcome.formula] = counts.get(outcome.formula, 0) + rejected
    elapsed = time.perf_counter() - start
    for reference in kills:
        killed = sum(kills[reference].values())
        alarmed = sum(alarms[reference].values())
        print(f"{reference:12s} kill rate {killed}/{seeds * len(MUTANTS)} = {killed / (seeds * len(MUTANTS)):.2%}; "
              f"false alarms {alarmed}/{seeds * len(CORRECT)} = {alarmed / (seeds * len(CORRECT)):.2%}")
        survivors = {name: seeds - k for name, k in kills[reference].items() if k < seeds}
        if survivors:
            print(f"  surviving mutants (seeds survived): {survivors}")
        flagged = {name: a for name, a in alarms[reference].items() if a}
        if flagged:
            print(f"  false alarms by formula: {flagged}")
    print(f"{seeds} seeds x {len(MUTANTS)} mutants + {len(CORRECT)} correct formulas in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
