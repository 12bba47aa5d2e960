"""Round 6 (fixA): a negative margin of the minimum search that is rounding at a degenerate minimum (a whole
line of zeros, where Newton's method finds no isolated minimiser) does not block "holds"; a symbolic power of a
base that may be negative is explained by its own guard, not as a side that is not real."""
import pytest

from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from tests.test_round6_skips import only


@pytest.mark.parametrize("formula", ["a^2 + b^2 \\ge 2ab", "2\\mu\\sigma \\le \\mu^2 + \\sigma^2",
                                     "x^2 + y^2 + 10^{-30} \\ge 2xy + 10^{-30}"])
def test_a_minimum_of_zero_on_a_line_still_holds(formula):
    step = only(f"$$\n{formula}\n$$\n")
    assert step.verdict in (PROVED, HOLDS), step.reason


@pytest.mark.parametrize("formula", ["(x - y)^2 \\ge 10^{-40}", "x^2 + y^2 > 2xy", "(x - y)^4 - 10^{-60} \\ge 0"])
def test_a_bound_just_above_a_zero_line_is_refuted(formula):
    assert only(f"$$\n{formula}\n$$\n").verdict == REFUTED


@pytest.mark.parametrize("formula", ["(y^{2})^{k} = y^{2k}", "(u^{6})^{m/3} = u^{2m}"])
def test_a_symbolic_power_of_a_negative_base_gives_the_special_values_reason(formula):
    step = only(f"$$\n{formula}\n$$\n")
    assert step.verdict == UNDECIDED and "special values" in step.reason, step.reason
