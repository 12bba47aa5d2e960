"""Kill rate and false-alarm rate of the quadrature and Monte Carlo KL checks over many seeds.

    python benchmarks/mutants.py [--seeds 200]

For each seed: draw fresh distinguishing instances, run both checks on every catalogued formula.
A mutant is killed at a seed when the check rejects it; a correct formula rejected is a false alarm.
Targets: kill rate 100%, false-alarm rate 0.

The matrix mutants (``mathcheck.mutants.MATRIX_MUTANTS``: a step of a multivariate KL derivation written wrong)
are checked at every seed too (matrix worlds drawn from the seed), with the correct step as the false-alarm control.
"""
from __future__ import annotations

import argparse
import time

from mathcheck.mutants import CORRECT, MATRIX_MUTANTS, MUTANTS, matrix_mutant_verdict
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
    matrix_kills(seeds)


def matrix_kills(seeds: int) -> None:
    from mathcheck.matrix_numeric import decide_matrix
    from mathcheck.registry import derivation_modules
    from mathcheck.report import PROVED, REFUTED

    start = time.perf_counter()
    killed = {m.name: sum(matrix_mutant_verdict(m, seed)[0] == REFUTED for seed in range(seeds)) for m in MATRIX_MUTANTS}
    controls = {(m.derivation, m.step) for m in MATRIX_MUTANTS}
    alarms = 0
    for name, index in controls:
        lhs, step = list(derivation_modules()[name].CHAIN.pairs())[index - 1]
        alarms += sum(decide_matrix(lhs, step, seed)[0] != PROVED for seed in range(seeds))
    total = seeds * len(MATRIX_MUTANTS)
    print(f"matrix mutants: kill rate {sum(killed.values())}/{total} = {sum(killed.values()) / total:.2%}; "
          f"false alarms on the correct steps {alarms}/{seeds * len(controls)}; {time.perf_counter() - start:.1f}s")
    survivors = {name: seeds - k for name, k in killed.items() if k < seeds}
    if survivors:
        print(f"  surviving matrix mutants (seeds survived): {survivors}")


if __name__ == "__main__":
    main()
