"""Round 8, the numeric worlds: a side that diverges where the other is not real is evidence against the step,
never a skipped world (1); the switch points and extrema of the arguments of max, min, |·| and step functions
are searched, so a claim false only on a narrow band is refuted (2); an integer exponent by its symbol's
assumption is an integer power in interval arithmetic (3); a declared order (0 < a < b, b − a > 0) makes the
logarithms of the differences and sums it signs readable (4)."""
import math
from fractions import Fraction

import pytest
import sympy as sp

from mathcheck import checker
from mathcheck.audit.check import UNPARSED, audit_document
from mathcheck.audit.document import parse_document
from mathcheck.audit.latex import _log_problem
from mathcheck.calc import Step
from mathcheck.numeric import (Needs, NotReal, World, bounds, interval_value, switch_points, with_symbols,
                               world_strategy)
from mathcheck.report import UNDECIDED, HOLDS, PROVED, REFUTED
from mathcheck.vocab import Expectation, Normal

PASSING = (PROVED, HOLDS)


def only(text: str):
    found = [step for step in audit_document(parse_document("doc.md", text)).steps if step.relation]
    assert len(found) == 1, found
    return found[0]


def world(values: dict) -> World:
    return with_symbols(World("parameters", {}), values)


# ---------------------------------------------------------------- 1: a divergent side against an unreal one

DIVERGING = {
    "quarter-square": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                       "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/4}\\right] = \\left(1 - \\frac{\\sigma^2}{2}\\right)^{-1/2}$$\n"),
    "square": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
               "$$\\mathbb{E}_{q(z)}\\left[e^{z^2}\\right] = \\left(1 - 2\\sigma^2\\right)^{-1/2}$$\n"),
    "scaled-square": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$ and $a > 0$.\n\n"
                      "$$\\mathbb{E}_{q(z)}\\left[e^{a z^2}\\right] = \\frac{1}{\\sqrt{1 - 2 a \\sigma^2}}$$\n"),
    "half-square-one-minus": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                              "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/2}\\right] = \\frac{1}{\\sqrt{1 - \\sigma^2}}$$\n"),
    "other-names": ("Let $r(u) = \\mathcal{N}(0, \\tau^2)$.\n\n"
                    "$$\\mathbb{E}_{r(u)}\\left[e^{u^2/4}\\right] = \\left(1 - \\frac{\\tau^2}{2}\\right)^{-1/2}$$\n"),
    "japanese": ("$q(w) = \\mathcal{N}(0, s^2)$ とする。\n\n"
                 "$$\\mathbb{E}_{q(w)}\\left[e^{w^2/4}\\right] = \\frac{1}{\\sqrt{1 - s^2/2}}$$\n"),
}


@pytest.mark.parametrize("text", list(DIVERGING.values()), ids=list(DIVERGING))
def test_an_expectation_diverging_where_its_closed_form_is_not_real_is_not_said_to_hold(text):
    step = only(text)
    assert step.verdict not in PASSING, step.reason
    assert "side diverges" in step.reason and "not real" in step.reason, step.reason


RESTRICTED = {
    "quarter-square": ("Let $0 < \\sigma < 1$ and let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                       "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/4}\\right] = \\left(1 - \\frac{\\sigma^2}{2}\\right)^{-1/2}$$\n"),
    "square": ("Let $0 < \\sigma < 0.5$ and let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
               "$$\\mathbb{E}_{q(z)}\\left[e^{z^2}\\right] = \\left(1 - 2\\sigma^2\\right)^{-1/2}$$\n"),
    "half-square-one-minus": ("Let $0 < \\sigma < 1$ and let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                              "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/2}\\right] = \\frac{1}{\\sqrt{1 - \\sigma^2}}$$\n"),
}


@pytest.mark.parametrize("text", list(RESTRICTED.values()), ids=list(RESTRICTED))
def test_an_expectation_restricted_to_where_it_converges_still_passes(text):
    step = only(text)
    assert step.verdict in PASSING, step.reason


UNBOUNDED_BOUNDS = {
    "quarter-square": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                       "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/4}\\right] \\ge 1$$\n"),
    "square-positive": ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
                        "$$\\mathbb{E}_{q(z)}\\left[e^{z^2}\\right] > 0$$\n"),
    "japanese": ("$q(w) = \\mathcal{N}(0, s^2)$ とする。\n\n"
                 "$$\\mathbb{E}_{q(w)}\\left[e^{w^2/2}\\right] \\ge 1$$\n"),
}


@pytest.mark.parametrize("text", list(UNBOUNDED_BOUNDS.values()), ids=list(UNBOUNDED_BOUNDS))
def test_a_bound_on_an_expectation_that_may_be_infinite_is_not_said_to_hold(text):
    step = only(text)
    assert step.verdict not in PASSING, step.reason
    assert "may not exist" in step.reason, step.reason


def test_a_bound_on_an_expectation_restricted_to_where_it_converges_holds():
    text = ("Let $0 < \\sigma < 1$ and let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
            "$$\\mathbb{E}_{q(z)}\\left[e^{z^2/4}\\right] \\ge 1$$\n")
    assert only(text).verdict in PASSING


@pytest.mark.parametrize("sigma", [3.0, -2.5, 1.5], ids=["three", "minus-two-and-a-half", "just-past-root-two"])
def test_a_world_where_the_left_side_diverges_and_the_right_is_not_real_is_unreal(sigma):
    z, s = sp.symbols("z sigma", real=True)
    lhs, rhs = Expectation(Normal(z, 0, sp.sqrt(s**2)), sp.exp(z**2 / 4)), (1 - s**2 / 2) ** sp.Rational(-1, 2)
    assert sigma**2 > 2  # where E[e^{z²/4}] = ∫ e^{z²/4 − z²/(2σ²)} … diverges and 1 − σ²/2 < 0
    outcome = checker.judge_world(lhs, "=", rhs, world({s: sigma}))
    assert outcome.status == checker.UNREAL, outcome
    assert "left side diverges" in outcome.reason


@pytest.mark.parametrize("bound", [10, 1000], ids=["ten", "thousand"])
def test_a_boundary_world_where_an_expectation_diverges_past_a_finite_bound_violates_it(bound):
    z, s = sp.symbols("z sigma", real=True)
    lhs = Expectation(Normal(z, 0, sp.sqrt(s**2)), sp.exp(z**2 / 4))
    edge = with_symbols(World("parameters", {}), {s: 1000.0}, probe="edge values")  # σ² > 2: E = ∞
    outcome = checker.judge_world(lhs, "<=", sp.Integer(bound), edge)
    assert outcome.status == checker.VIOLATED, outcome


def test_a_world_where_the_expectation_converges_still_holds():
    z, s = sp.symbols("z sigma", real=True)
    lhs, rhs = Expectation(Normal(z, 0, sp.sqrt(s**2)), sp.exp(z**2 / 4)), (1 - s**2 / 2) ** sp.Rational(-1, 2)
    outcome = checker.judge_world(lhs, "=", rhs, world({s: 0.8}))
    assert outcome.status == checker.HOLDS_NUMERICALLY, outcome
    assert math.isclose(outcome.left.value, (1 - 0.8**2 / 2) ** -0.5, rel_tol=1e-9)


# ---------------------------------------------------------------- 2: where a switching argument switches

NARROW = {
    "max-bump": "For every real $x$:\n\n$$\\max(0, 1-(e^x-10^6)^2) = 0$$\n",
    "min-bump": "For every real $t$:\n\n$$\\min(0, (e^t-10^6)^2 - 1) = 0$$\n",
    "max-expanded": "For every real $x$:\n\n$$\\max(0, -e^{2x} + 2 \\cdot 10^6 e^x - 999999999999) = 0$$\n",
    "min-one": ("For every real $r$:\n\n"
                "$$\\min\\left(1, 1 + (e^{r} - 10^{6})^{2} - 10^{-4}\\right) = 1$$\n"),
    "abs-bump": "For every real $x$:\n\n$$|1-(e^x-10^6)^2| + 1 - (e^x-10^6)^2 = 0$$\n",
    "japanese": ("すべての実数 $s$ について\n\n"
                 "$$\\max\\left(0, 1 - (e^{s} - 10^{6})^{2}\\right) = 0$$\n"),
}


@pytest.mark.parametrize("text", list(NARROW.values()), ids=list(NARROW))
def test_a_claim_false_only_on_a_narrow_band_is_refuted(text):
    step = only(text)
    assert step.verdict == REFUTED, step.reason


def test_the_band_counterexample_lies_where_the_switching_argument_peaks():
    step = only(NARROW["max-bump"])
    assert f"x = {math.log(10**6)!r}" in step.reason or f"{math.log(10**6):.6g}" in step.reason, step.reason


BOUNDED = {
    "max-below-one": "For every real $x$:\n\n$$\\max(0, 1-(e^x-10^6)^2) \\le 1$$\n",
    "max-halves": ("For every real $x$:\n\n$$\\max(0, 1-(e^x-10^6)^2) = "
                   "\\frac{1 - (e^x-10^6)^2 + |1 - (e^x-10^6)^2|}{2}$$\n"),
}


@pytest.mark.parametrize("text", list(BOUNDED.values()), ids=list(BOUNDED))
def test_a_true_claim_about_a_narrow_band_is_not_refuted(text):
    assert only(text).verdict != REFUTED


def _api_verdict(lhs: sp.Expr, relation: str, rhs: sp.Expr) -> tuple[str, dict]:
    return checker.check_step(lhs, Step(relation, rhs, "claim"), world_strategy(Needs.of([lhs, rhs])))


X = sp.Symbol("x", real=True)
STEP_FALSE = {
    "piecewise-bump": (sp.Piecewise((1 - (sp.exp(X) - 10**6) ** 2, (sp.exp(X) - 10**6) ** 2 < 1), (0, True)),
                       sp.Integer(0)),
    "heaviside-bump": (sp.Heaviside(1 - (sp.exp(X) - 10**6) ** 2) * (1 - (sp.exp(X) - 10**6) ** 2), sp.Integer(0)),
    "heaviside-window": (sp.Heaviside(1 - (X - 10**6) ** 2, 0), sp.Integer(0)),
    "heaviside-at-zero": (sp.Heaviside(X, 0) + sp.Heaviside(-X, 0), sp.Integer(1)),
}


@pytest.mark.parametrize("sides", list(STEP_FALSE.values()), ids=list(STEP_FALSE))
def test_a_step_function_claim_false_near_its_switch_is_refuted(sides):
    verdict, detail = _api_verdict(sides[0], "=", sides[1])
    assert verdict == REFUTED, detail


STEP_TRUE = {
    "ramp": (sp.Heaviside(X) * X, sp.Max(0, X)),
    "halves": (sp.Heaviside(X) + sp.Heaviside(-X), sp.Integer(1)),
}


@pytest.mark.parametrize("sides", list(STEP_TRUE.values()), ids=list(STEP_TRUE))
def test_a_true_step_function_identity_passes(sides):
    verdict, detail = _api_verdict(sides[0], "=", sides[1])
    assert verdict in PASSING, detail


PIECEWISE_FALSE = {
    "prose-bump": ("Let $f(x) = 1 - (e^x - 10^6)^2$ for $(e^x - 10^6)^2 < 1$, and zero otherwise.\n\n"
                   "$$f(x) = 0$$\n"),
    "prose-window": "Let $g(t) = 1 - |t - 10^6|$ for $|t - 10^6| < 1$, and zero otherwise.\n\n$$g(t) = 0$$\n",
    "japanese": ("$(e^x - 10^6)^2 < 1$ のとき $f(x) = 1 - (e^x - 10^6)^2$、それ以外では $0$ とする。\n\n"
                 "$$f(x) = 0$$\n"),
    "two-pieces-written": ("Define $k(u) = 1 - (u - 10^6)^2$ if $(u - 10^6)^2 < 1$, and $0$ if "
                           "$(u - 10^6)^2 \\ge 1$.\n\n$$k(u) = 0$$\n"),
}


@pytest.mark.parametrize("text", list(PIECEWISE_FALSE.values()), ids=list(PIECEWISE_FALSE))
def test_a_piecewise_definition_nonzero_only_on_a_narrow_band_is_not_zero(text):
    step = only(text)
    assert step.verdict == REFUTED, step.reason


def test_a_true_bound_of_a_piecewise_definition_is_not_refuted():
    text = ("Let $f(x) = 1 - (e^x - 10^6)^2$ for $(e^x - 10^6)^2 < 1$, and zero otherwise.\n\n"
            "$$f(x) \\le 1$$\n")
    assert only(text).verdict in PASSING + (UNDECIDED,)  # a bound with cases the samples support: not refuted


PIECES = {
    "inside": (0.5, 1 - 0.5**2),
    "outside": (3.0, 0.0),
    "on-the-boundary": (1.0, 0.0),
}


@pytest.mark.parametrize("case", list(PIECES.values()), ids=list(PIECES))
def test_a_piecewise_enclosure_takes_the_piece_whose_condition_holds(case):
    value, expected = case
    expr = sp.Piecewise((1 - X**2, X**2 < 1), (0, True))
    low, high = bounds(interval_value(expr, world({X: value}), 120))
    assert low <= expected <= high and high - low <= 1e-30


SWITCHES = {
    "exp-residual": (sp.exp(X) - 10**6, math.log(10**6)),
    "bump-top": ((sp.exp(X) - 10**6) ** 2 - 1, math.log(10**6)),
    "expanded-bump-top": (-sp.exp(2 * X) + 2 * 10**6 * sp.exp(X) - (10**12 - 1), math.log(10**6)),
    "far-shift": (X - 10**6 - sp.Rational(1, 1000), 10**6 + 0.001),
}


@pytest.mark.parametrize("case", list(SWITCHES.values()), ids=list(SWITCHES))
def test_the_switch_points_contain_the_root_or_the_extremum(case):
    expression, expected = case
    points = switch_points(expression, X, {})
    assert any(math.isclose(p, expected, rel_tol=1e-12) for p in points), points


def test_the_switch_points_keep_to_a_symbol_declared_positive():
    t = sp.Symbol("t", positive=True)
    points = switch_points(sp.sin(t), t, {})
    assert points and all(p > 0 for p in points)
    assert any(math.isclose(p, math.pi, rel_tol=1e-12) for p in points)


def test_the_switch_points_take_the_other_symbols_at_their_values():
    a = sp.Symbol("a", real=True)
    points = switch_points(sp.exp(X) - a, X, {a: 5.0e7})
    assert any(math.isclose(p, math.log(5.0e7), rel_tol=1e-12) for p in points), points


# ---------------------------------------------------------------- 3: integer exponents by assumption

M = sp.Symbol("m", integer=True)
Y = sp.Symbol("y", real=True)
POWERS = {
    "odd": (Y ** (2 * M + 1), 1, Fraction(-3, 2)),
    "even": (Y ** (2 * M), 2, Fraction(-3, 2)),
    "plain": (Y ** M, 3, Fraction(-5, 4)),
    "negative-exponent": (Y ** (M - 4), 1, Fraction(-2)),
}


@pytest.mark.parametrize("case", list(POWERS.values()), ids=list(POWERS))
def test_a_negative_base_to_an_integer_symbol_is_its_integer_power(case):
    expr, m, y = case
    exponent = int(expr.exp.subs(M, m))
    low, high = bounds(interval_value(expr, world({M: m, Y: float(y)}), 120))
    reference = y ** exponent
    assert low <= float(reference) <= high and high - low <= 1e-30 * (1 + abs(float(reference)))


def test_a_negative_base_to_a_real_exponent_stays_not_real():
    a = sp.Symbol("a", real=True)
    with pytest.raises(NotReal):
        interval_value(Y**a, world({a: 3.0, Y: -1.5}), 120)


@pytest.mark.parametrize("values", [{"k": 3, "t": -1.0}, {"k": 1, "t": -2.5}, {"k": 4, "t": -0.5}],
                         ids=["three-minus-one", "one-minus-two-and-a-half", "four-minus-half"])
def test_an_even_integer_power_of_a_negative_number_is_judged(values):
    k, t = sp.Symbol("k", integer=True, positive=True), sp.Symbol("t", real=True)
    outcome = checker.judge_world(t ** (2 * k) + 1, ">=", sp.Integer(1), world({k: values["k"], t: values["t"]}))
    assert outcome.status == checker.HOLDS_NUMERICALLY, outcome


EVEN_POWERS = {
    "reciprocal": "Let $n$ be a positive integer and $x$ real.\n\n$$\\frac{1}{x^{2n} + 1} \\le 1$$\n",
    "shifted-sum": "Let $n$ be a positive integer and $x$ real.\n\n$$(x - 1)^{2n} + (x+1)^{2n} \\ge 2$$\n",
    "plus-one": "Let $k$ be a positive integer and $t$ real.\n\n$$t^{2k} + 1 \\ge 1$$\n",
    "odd-cancels": "Let $m$ be an integer and $y$ real.\n\n$$(-y)^{2m+1} + y^{2m+1} = 0$$\n",
}


@pytest.mark.parametrize("text", list(EVEN_POWERS.values()), ids=list(EVEN_POWERS))
def test_a_true_step_with_integer_powers_of_negative_numbers_passes(text):
    step = only(text)
    assert step.verdict in PASSING, step.reason


@pytest.mark.parametrize("text", [
    "Let $m$ be an integer and $y$ real.\n\n$$(-y)^{2m+1} = y^{2m+1}$$\n",
    "Let $j$ be a positive integer and $u$ real.\n\n$$(u - 2)^{2j+1} \\ge 0$$\n",
], ids=["odd-symmetry", "odd-power-sign"])
def test_a_false_step_with_an_odd_integer_power_of_a_negative_number_is_refuted(text):
    step = only(text)
    assert step.verdict == REFUTED, step.reason


def test_an_odd_integer_power_of_a_negative_number_refutes_a_false_symmetry():
    outcome = checker.judge_world((-Y) ** (2 * M + 1), "=", Y ** (2 * M + 1), world({M: 1, Y: -1.5}))
    assert outcome.status == checker.VIOLATED, outcome
    assert math.isclose(outcome.left.value, 1.5**3) and math.isclose(outcome.right.value, (-1.5) ** 3)


# ---------------------------------------------------------------- 4: declared orders and log positivity

ORDERED_LOGS = {
    "difference-of-squares": ("Let $0 < a < b$.\n\n$$\\log(b^2-a^2) = \\log(b-a) + \\log(b+a)$$\n"),
    "scaled-difference": "Let $0 < a < b$.\n\n$$\\log(2b-2a) = \\log 2 + \\log(b-a)$$\n",
    "japanese": "$0 < s < t$ とする。\n\n$$\\log(t - s) + \\log(t + s) = \\log(t^2 - s^2)$$\n",
    "anchored-order": "Let $a > 0$ and $b > a$.\n\n$$\\log(b^2 - a^2) = \\log(b-a) + \\log(b+a)$$\n",
    "unit-interval": "Let $0 < r < 1$.\n\n$$\\log(1 - r^2) = \\log(1-r) + \\log(1+r)$$\n",
    "wider-interval": "Let $0 < r < 2$.\n\n$$\\log(4 - r^2) = \\log(2-r) + \\log(2+r)$$\n",
    "declared-difference": "Let $b - a > 0$.\n\n$$\\log(b-a) - \\log 2 = \\log\\frac{b-a}{2}$$\n",
    "difference-on-the-right": "Let $0 < v - u$.\n\n$$\\log(v-u) - \\log 3 = \\log\\frac{v-u}{3}$$\n",
    "negative-difference": ("Let $\\alpha - \\beta < 0$.\n\n"
                            "$$\\log(\\beta - \\alpha) - \\log 2 = \\log\\frac{\\beta - \\alpha}{2}$$\n"),
}


@pytest.mark.parametrize("text", list(ORDERED_LOGS.values()), ids=list(ORDERED_LOGS))
def test_a_log_of_a_difference_signed_by_a_declared_order_is_read(text):
    step = only(text)
    assert step.verdict in PASSING, step.reason


UNSIGNED_LOGS = {
    "sum-without-signs": "Let $a < b$.\n\n$$\\log(b-a) + \\log(b+a) = \\log(b^2 - a^2)$$\n",
    "reversed-difference": "Let $b - a > 0$.\n\n$$\\log(a-b) - \\log 2 = \\log\\frac{a-b}{2}$$\n",
    "no-order": "For real $a$ and $b$:\n\n$$\\log(b^2-a^2) = \\log(b-a) + \\log(b+a)$$\n",
}


@pytest.mark.parametrize("text", list(UNSIGNED_LOGS.values()), ids=list(UNSIGNED_LOGS))
def test_a_log_the_declarations_do_not_sign_is_still_flagged(text):
    step = only(text)
    assert step.verdict == UNPARSED, step.reason


@pytest.mark.parametrize("claim", ["a > b", "b < a", "b - a < 0"], ids=["greater", "less", "difference"])
def test_a_claim_against_a_declared_difference_is_refuted(claim):
    assert only(f"Let $b - a > 0$.\n\n$${claim}$$\n").verdict == REFUTED


A, D = sp.Symbol("a", positive=True), sp.Symbol("delta_b", positive=True)
SIGNED_BY_REWRITING = {
    "square-difference": (A + D) ** 2 - A**2,
    "ratio": 1 - A / (A + D),
    "scaled": 2 * (A + D) - 2 * A,
}


@pytest.mark.parametrize("expr", list(SIGNED_BY_REWRITING.values()), ids=list(SIGNED_BY_REWRITING))
def test_a_log_argument_positive_once_expanded_has_no_problem(expr):
    assert sp.expand(sp.together(expr)).subs({A: 1, D: 1}) > 0  # positive where both are
    assert _log_problem(expr) == ""


@pytest.mark.parametrize("expr", [A**2 - (A + D) ** 2, (A + D) ** 2 - 2 * A * D - 3 * A**2 - D],
                         ids=["negative-square-difference", "mixed-signs"])
def test_a_log_argument_of_no_known_sign_is_still_a_problem(expr):
    assert _log_problem(expr) != ""
