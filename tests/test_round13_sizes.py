"""Round 13: inequalities in two counts that fail only far from the small sizes, next to the zero curve of
their margin.

(N − √2 d)² ≥ 10⁻⁶ fails where N/d is a convergent of √2 (the Pell point N = 577, d = 408), (N d − 1000003)² ≥ 1
where N d = 1000003 (N = 1000003, d = 1), (3N − √5 d − 1)² ≥ 10⁻¹⁰ where (√5 d + 1)/3 comes within 3·10⁻⁶ of an
integer. Each was held ("other sizes can fail") before; each is refuted now, at sizes where the margin,
evaluated independently with mpmath at 50 digits, is negative.

Reference: mpmath at the sizes the report names."""
from __future__ import annotations

import re

import mpmath
import pytest

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import verdicts

COUNTS = "We have $N$ training examples. We have $d$ training batches."


def _sizes(reason: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r"\b([Nd]) = (\d+)\b", reason)}


def _audited(formula: str) -> tuple[str, str]:
    (found,) = verdicts(f"{COUNTS}\n\n$$\n{formula}\n$$\n")
    return found


# (the display, the margin lhs − rhs as an mpmath function of N and d)
FAR_FAILURES = [
    ("(N - \\sqrt{2} d)^2 \\geq 10^{-6}", lambda n, d: (n - mpmath.sqrt(2) * d) ** 2 - mpmath.mpf(10) ** -6),
    ("(N - \\pi d)^2 \\geq 10^{-8}", lambda n, d: (n - mpmath.pi * d) ** 2 - mpmath.mpf(10) ** -8),
    ("(N d - 1000003)^2 \\geq 1", lambda n, d: (n * d - 1000003) ** 2 - 1),
    ("(3N - \\sqrt{5} d - 1)^2 \\geq 10^{-10}", lambda n, d: (3 * n - mpmath.sqrt(5) * d - 1) ** 2 - mpmath.mpf(10) ** -10),
    ("(2N - \\sqrt{7} d)^2 \\geq 10^{-8}", lambda n, d: (2 * n - mpmath.sqrt(7) * d) ** 2 - mpmath.mpf(10) ** -8),
]


@pytest.mark.parametrize("formula, margin", FAR_FAILURES, ids=[f for f, _ in FAR_FAILURES])
def test_a_two_count_inequality_failing_next_to_its_zero_curve_is_refuted_there(formula, margin):
    verdict, reason = _audited(formula)
    assert verdict == REFUTED, reason
    sizes = _sizes(reason)
    assert set(sizes) == {"N", "d"}, reason
    with mpmath.workdps(50):
        assert margin(sizes["N"], sizes["d"]) < 0, reason


ONE_COUNT = "We have $N$ training examples."
# (the display, lhs − rhs ≥ 0 claimed, as an mpmath function of N): trigonometric margins that fail only at a
# rare size below 10⁶, which the float scan of one size now covers
RARE_FAILURES = [
    ("\\cos(N^2) \\le 1 - 10^{-8}", lambda n: 1 - mpmath.mpf(10) ** -8 - mpmath.cos(n ** 2)),
    ("\\cos(N) + \\cos(\\sqrt{2} N) \\ge -1.9999", lambda n: mpmath.cos(n) + mpmath.cos(mpmath.sqrt(2) * n) + mpmath.mpf("1.9999")),
    ("\\cos(N) \\cos(N^2) \\le 0.99999", lambda n: mpmath.mpf("0.99999") - mpmath.cos(n) * mpmath.cos(n ** 2)),
    ("\\cos(\\sqrt{N}) \\le 1 - 10^{-9}", lambda n: 1 - mpmath.mpf(10) ** -9 - mpmath.cos(mpmath.sqrt(n))),
    ("\\cos(2 \\log N) \\le 1 - 10^{-8}", lambda n: 1 - mpmath.mpf(10) ** -8 - mpmath.cos(2 * mpmath.log(n))),
]


@pytest.mark.parametrize("formula, margin", RARE_FAILURES, ids=[f for f, _ in RARE_FAILURES])
def test_a_one_count_inequality_failing_at_a_rare_size_is_refuted_there(formula, margin):
    ((verdict, reason),) = verdicts(f"{ONE_COUNT}\n\n$$\n{formula}\n$$\n")
    assert verdict == REFUTED, reason
    sizes = _sizes(reason)
    with mpmath.workdps(50):
        assert margin(sizes["N"]) < 0, reason


@pytest.mark.parametrize("formula", [
    "(N - \\sqrt{2} d)^2 + 1 \\geq 1",
    "(N - \\sqrt{2} d)^2 \\geq 0",
    "(N d + 1)^2 \\geq 4",
])
def test_a_two_count_inequality_true_at_every_size_is_not_refuted(formula):
    verdict, reason = _audited(formula)
    assert verdict in (PROVED, HOLDS), reason


# a division written, then cancelled by sympy before any check sees it: no value at a size as written
UNDEFINED_AS_WRITTEN = [
    ("\\frac{1}{N-1} - \\frac{1}{N-1} = 0", 1),
    ("\\frac{1}{N-1} + 1 - \\frac{1}{N-1} = 1", 1),
    ("N + \\frac{1}{N-2} - \\frac{1}{N-2} \\ge 1", 2),
    ("(N-2)^{-1} - (N-2)^{-1} = 0", 2),
    ("\\log_{N}(N) \\cdot 1 = 1", 1),
    ("\\left(\\frac{1}{N - 1}\\right)^{0} = 1", 1),
]


@pytest.mark.parametrize("formula, size", UNDEFINED_AS_WRITTEN, ids=[f for f, _ in UNDEFINED_AS_WRITTEN])
def test_a_step_with_no_value_at_a_size_as_written_is_not_passed(formula, size):
    ((verdict, reason),) = verdicts(f"{ONE_COUNT}\n\n$$\n{formula}\n$$\n")
    assert verdict not in (PROVED, HOLDS), reason
    assert f"N = {size}" in reason, reason


@pytest.mark.parametrize("formula", ["\\frac{N}{N} = 1", "\\frac{1}{N} \\le 1", "N^{-1} N = 1", "\\log_{2}(N) \\ge 0"])
def test_a_division_by_a_count_that_never_vanishes_is_passed(formula):
    ((verdict, reason),) = verdicts(f"{ONE_COUNT}\n\n$$\n{formula}\n$$\n")
    assert verdict == PROVED, reason
