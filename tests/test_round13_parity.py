"""Round 13: a count's parity, stated in words ("Assume $N$ is even", "for odd $N$", "### Case $N$ even").

The count N reads as 2δ (even) or 2δ − 1 (odd), δ a positive integer, and the size check decides the step
exactly. Before, the parity was not read: (−1)^N = 1 was refuted at N = 1 under "Assume $N$ is even".
A parity of a real number, a questioned or negated parity, and a parity outside its case section say
nothing.

Reference: each step evaluated exactly by sympy at the counts 1..40 of the stated parity."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import verdicts

N = sp.Symbol("N", integer=True, positive=True)
COUNT = "Let $N$ be the number of data points."
STEPS = {  # the display, the claim as sympy reads it
    "(-1)^N = 1": sp.Eq((-1) ** N, 1),
    "(-1)^{N+1} = 1": sp.Eq((-1) ** (N + 1), 1),
    "\\cos(\\pi N) = -1": sp.Eq(sp.cos(sp.pi * N), -1),
    "\\sin(\\pi N / 2) = 0": sp.Eq(sp.sin(sp.pi * N / 2), 0),
}


def _holds_at(claim: sp.Basic, parity: str) -> bool:
    counts = range(2 if parity == "even" else 1, 41, 2)
    return all(bool(claim.subs(N, n)) for n in counts)


def _verdict(text: str) -> str:
    ((verdict, _),) = verdicts(text)
    return verdict


@pytest.mark.parametrize("parity", ["even", "odd"])
@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("stated", ["Assume $N$ is {parity}.", "For {parity} $N$:", "Here $N$ is {parity}."])
def test_a_step_under_a_stated_parity_is_decided_as_at_the_counts_of_that_parity(stated, step, parity):
    text = f"{COUNT} {stated.format(parity=parity)}\n\n$$\n{step}\n$$\n"
    expected = (PROVED, HOLDS) if _holds_at(STEPS[step], parity) else (REFUTED,)
    assert _verdict(text) in expected


@pytest.mark.parametrize("parity", ["even", "odd"])
@pytest.mark.parametrize("step", sorted(STEPS))
def test_a_case_heading_states_its_parity_in_its_section_only(step, parity):
    text = (f"{COUNT}\n\n### Case $N$ {parity}\n\n$$\n{step}\n$$\n\n## The general case\n\n"
            f"Back to general $N$.\n\n$$\n{step}\n$$\n")
    inside, outside = (verdict for verdict, _ in verdicts(text))
    assert inside in ((PROVED, HOLDS) if _holds_at(STEPS[step], parity) else (REFUTED,))
    assert outside == REFUTED  # true at neither parity alone or at one only: never at every count


@pytest.mark.parametrize("stated", [
    "Is $N$ even?",
    "$N$ is not even.",
    "Perhaps $N$ is even.",
])
def test_a_parity_not_stated_says_nothing(stated):
    assert _verdict(f"{COUNT} {stated}\n\n$$\n(-1)^N = 1\n$$\n") == REFUTED


def test_a_parity_of_a_real_number_makes_no_count():
    assert _verdict("Let $N$ be a real number. Assume $N$ is even.\n\n$$\n(-1)^N = 1\n$$\n") not in (PROVED, HOLDS)
