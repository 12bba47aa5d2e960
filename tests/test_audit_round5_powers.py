"""A power with a symbolic exponent and a base that can be negative is real there only at special exponents,
which no drawn world hits: such a step never "holds" on the worlds with a nonnegative base alone."""
import pytest

from tests.audit_steps import verdict
from mathcheck.report import HOLDS, PROVED

UNDECIDED = "undecided"


@pytest.mark.parametrize("formula", [
    "(x^{2})^{a} = x^{2a}",           # x = -1, a = 1/2: 1 ≠ -1
    "(x^{2})^{b/2} = x^{b}",          # x = -1, b = 1
    "(\\sigma^{2})^{a} = \\sigma^{2a}",
    "(t^{4})^{c} = t^{4c}",
])
def test_a_power_rule_false_for_a_negative_base_does_not_hold(formula):
    found = verdict("", formula)
    assert found[0] == UNDECIDED and "special values" in found[1], found


@pytest.mark.parametrize("prose, formula", [
    ("Let $\\sigma > 0$.", "(\\sigma^{2})^{a} = \\sigma^{2a}"),
    ("Let $x > 0$.", "(x^{2})^{b/2} = x^{b}"),
])
def test_the_power_rule_for_a_positive_base_is_proved(prose, formula):
    assert verdict(prose, formula)[0] in (PROVED, HOLDS)


@pytest.mark.parametrize("formula", [
    "\\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0,1)}\\left[\\frac{1}{\\epsilon}\\right] = 0",
    "\\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0,1)}\\left[\\frac{\\mu}{\\epsilon}\\right] = 0",
    "\\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0,1)}\\left[\\frac{\\epsilon^2 + 1}{\\epsilon}\\right] = 0",
    "\\int_{-\\infty}^{\\infty} \\frac{1}{z} \\mathcal{N}(z; 0, 1) \\, dz = 0",
])
def test_an_expectation_with_a_pole_on_the_line_never_holds(formula):
    assert verdict("", formula)[0] not in (HOLDS, PROVED)


def test_an_expectation_without_a_real_pole_still_holds():
    found = verdict("", "\\mathbb{E}_{z \\sim \\mathcal{N}(0,1)}\\left[\\frac{z}{1 + z^2}\\right] = 0")
    assert found[0] in (HOLDS, PROVED), found
