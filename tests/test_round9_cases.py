"""Round 9, piecewise definitions: ``\\begin{cases} value & condition \\\\ ... \\end{cases}`` (and ``dcases``) reads
as a sympy Piecewise when its conditions are relations in one variable (``\\text{if}`` before them, or
``\\text{otherwise}``), cover every real value and agree where two rows overlap; any other cases environment is
unparsed with the reason. A difference of cases is proved when it is 0 on every piece.

Reference: sympy's own Piecewise, evaluated at points on both sides of each boundary."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import step_verdicts, verdicts

PASSING = (PROVED, HOLDS)
x = sp.Symbol("x", real=True)


def display(formula: str) -> str:
    return f"$$\n{formula}\n$$\n"


TRUE_IDENTITIES = [
    pytest.param(r"|x| = \begin{cases} x & x \ge 0 \\ -x & x < 0 \end{cases}", sp.Abs(x),
                 sp.Piecewise((x, x >= 0), (-x, True)), id="absolute-value"),
    pytest.param(r"|x| = \begin{cases} x & \text{if } x \geq 0, \\ -x & \text{otherwise.} \end{cases}", sp.Abs(x),
                 sp.Piecewise((x, x >= 0), (-x, True)), id="absolute-value-if-otherwise"),
    pytest.param(r"\max(x, 0) = \begin{dcases} x & x > 0 \\ 0 & x \le 0 \end{dcases}", sp.Max(x, 0),
                 sp.Piecewise((x, x > 0), (0, True)), id="relu-dcases"),
    pytest.param(r"\max(1 - x, 0) = \begin{cases} 1 - x & x < 1 \\ 0 & \text{otherwise} \end{cases}", sp.Max(1 - x, 0),
                 sp.Piecewise((1 - x, x < 1), (0, True)), id="hinge"),
]


def _agree(lhs: sp.Expr, rhs: sp.Expr) -> bool:
    return all(lhs.subs(x, v) == rhs.subs(x, v) for v in (-2, -1, 0, sp.Rational(1, 2), 1, 2))


@pytest.mark.parametrize("formula, lhs, rhs", TRUE_IDENTITIES)
def test_a_true_identity_with_cases_is_proved(formula, lhs, rhs):
    assert _agree(lhs, rhs)
    assert step_verdicts(display(formula)) == [PROVED]


FALSE_IDENTITIES = [
    pytest.param(r"|x| = \begin{cases} x & x > 0 \\ x & \text{otherwise} \end{cases}", sp.Abs(x),
                 sp.Piecewise((x, x > 0), (x, True)), id="absolute-value-wrong-branch"),
    pytest.param(r"\max(x, 0) = \begin{cases} x & x > 1 \\ 0 & x \le 1 \end{cases}", sp.Max(x, 0),
                 sp.Piecewise((x, x > 1), (0, True)), id="relu-wrong-boundary"),
    pytest.param(r"\max(1 - x, 0) = \begin{cases} 1 - x & x > 1 \\ 0 & \text{otherwise} \end{cases}",
                 sp.Max(1 - x, 0), sp.Piecewise((1 - x, x > 1), (0, True)), id="hinge-wrong-side"),
]


@pytest.mark.parametrize("formula, lhs, rhs", FALSE_IDENTITIES)
def test_a_false_identity_with_cases_is_refuted(formula, lhs, rhs):
    assert not _agree(lhs, rhs)
    assert step_verdicts(display(formula)) == [REFUTED]


DEFINED = r"f(t) := \begin{cases} t^2 & t > 1 \\ 1 & \text{otherwise} \end{cases}"


@pytest.mark.parametrize("claim, true", [
    pytest.param("f(3) = 9", True, id="upper-piece"),
    pytest.param("f(0) = 1", True, id="lower-piece"),
    pytest.param("f(1) = 1", True, id="boundary"),
    pytest.param("f(0) = 0", False, id="lower-piece-wrong"),
    pytest.param("f(1) = 2", False, id="boundary-wrong"),
])
def test_a_function_defined_by_cases_is_used_at_its_values(claim, true):
    found = step_verdicts("Let\n\n" + display(DEFINED) + "\n" + display(claim))[-1]
    assert (found == PROVED) if true else (found == REFUTED)


def test_cases_inside_an_align_define_too():
    text = "\\begin{align}\nh(t) &:= \\begin{cases} t^2 & t > 1 \\\\ 1 & \\text{otherwise} \\end{cases} \\\\\nh(3) &= 9\n" \
           "\\end{align}\n"
    assert step_verdicts(text, "doc.tex")[-1] == PROVED


@pytest.mark.parametrize("formula", [
    pytest.param(r"g(x) := \begin{cases} x & x > 0 \\ 0 & x < 0 \end{cases}", id="not-covering"),
    pytest.param(r"g(x) := \begin{cases} x + 1 & x \ge 0 \\ 0 & x \le 0 \end{cases}", id="overlap-differing"),
    pytest.param(r"g(x) := \begin{cases} x & x > y \\ 0 & \text{otherwise} \end{cases}", id="two-variables"),
    pytest.param(r"g(x) := \begin{cases} x & x \in A \\ 0 & \text{otherwise} \end{cases}", id="set-condition"),
    pytest.param(r"g(x) := \begin{cases} x & \text{when it rains} \\ 0 & \text{otherwise} \end{cases}", id="words"),
])
def test_cases_that_do_not_decide_one_value_are_unparsed(formula):
    found = step_verdicts(display(formula) + "\n" + display("g(1) = 1"))
    assert found[0] == "unparsed" and found[-1] not in PASSING


def test_overlapping_rows_that_agree_are_read():
    formula = r"|x| = \begin{cases} x & x \ge 0 \\ -x & x \le 0 \end{cases}"
    assert step_verdicts(display(formula)) == [PROVED]


# --- expectations of cases: each piece integrated over its own interval (sympy), absolutely convergent

z = sp.Symbol("z", real=True)
GAUSSIAN = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)


def _expectation(value: sp.Expr, low, high) -> sp.Expr:
    return sp.integrate(value * GAUSSIAN, (z, low, high))


@pytest.mark.parametrize("body, value, true", [
    pytest.param(r"\begin{cases} z & z > 0 \\ 0 & \text{otherwise}\end{cases}", 1 / sp.sqrt(2 * sp.pi), True,
                 id="relu-mean"),
    pytest.param(r"\begin{cases} z & z > 0 \\ 0 & \text{otherwise}\end{cases}", sp.Rational(1, 2), False,
                 id="relu-mean-wrong"),
    pytest.param(r"\begin{cases} 1 & z > 0 \\ 0 & \text{otherwise}\end{cases}", sp.Rational(1, 2), True,
                 id="probability-positive"),
    pytest.param(r"\begin{cases} 1 & z > 1 \\ 0 & \text{otherwise}\end{cases}", sp.Rational(1, 2), False,
                 id="probability-above-one-is-not-a-half"),
])
def test_the_expectation_of_cases_is_decided_by_its_pieces(body, value, true):
    reference = _expectation(z, 0, sp.oo) if "z & z > 0" in body else \
        _expectation(sp.S.One, 0 if "z > 0" in body else 1, sp.oo)
    assert (sp.simplify(reference - value) == 0) == true
    claim = rf"\mathbb{{E}}_{{z \sim \mathcal{{N}}(0,1)}}\left[{body}\right] = {sp.latex(value)}"
    assert step_verdicts(display(claim)) == [PROVED if true else REFUTED]


@pytest.mark.parametrize("formula, verdict", [
    pytest.param(r"\begin{cases} 1 & x^2 \ge 1 \\ 0 & \text{otherwise} \end{cases} = "
                 r"\begin{cases} 1 & |x| > 1 \\ 0 & \text{otherwise} \end{cases}", REFUTED, id="boundary-differs"),
    pytest.param(r"\begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases} = |x|", PROVED, id="absolute-value"),
])
def test_a_display_that_opens_with_cases_is_read(formula, verdict):
    assert step_verdicts(display(formula)) == [verdict]


def test_a_system_of_equations_in_cases_is_unparsed():
    assert [verdict for verdict, _ in verdicts(display(r"\begin{cases} a = b \\ c = d \end{cases}"))] == ["unparsed"]


def test_cases_inside_a_sum_are_not_read_apart_from_its_index():
    claim = (r"\sum_{k=1}^{2} \begin{cases} 1 & k > 1 \\ 0 & \text{otherwise} \end{cases} = "
             r"2 \sum_{k=1}^{1} \begin{cases} 1 & k > 1 \\ 0 & \text{otherwise} \end{cases}")
    assert step_verdicts(display(claim))[0] not in PASSING


@pytest.mark.parametrize("formula", [
    pytest.param(r"0 = \begin{cases} 1 & x \ge \pi \\ 0 & \text{otherwise} \end{cases} - "
                 r"\begin{cases} 1 & x > \pi \\ 0 & \text{otherwise} \end{cases}", id="differ-at-pi"),
    pytest.param(r"1 = \begin{cases} 1 & x \neq \pi \\ 0 & \text{otherwise} \end{cases}", id="one-point-off"),
])
def test_cases_that_differ_at_one_unsampled_point_do_not_pass(formula):
    assert step_verdicts(display(formula))[0] not in PASSING
