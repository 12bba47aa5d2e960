"""Round 6, skipped worlds and precision: a world where one side is real and the other is not is evidence
against the step, never skipped (A7); an expectation whose integrand does not decay in a world of moderate
values may not exist (A6); a difference below the enclosures' precision is enclosed again in a
cancellation-free form (A1); a negative margin at an inequality's minimiser is refined before it may hold (A2)."""
import math

import pytest
import sympy as sp

from mathcheck import checker
from mathcheck.audit.check import audit_document
from mathcheck.audit.document import parse_document
from mathcheck.numeric import World, with_symbols
from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.vocab import Expectation, Normal

PASSING = (PROVED, HOLDS)


def steps(text: str, path: str = "doc.md"):
    return [step for step in audit_document(parse_document(path, text)).steps if step.relation]


def only(text: str, path: str = "doc.md"):
    found = steps(text, path)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- A7: one side real, the other not


@pytest.mark.parametrize("text", [
    "Let $a$ and $b$ be two covariances; each can be negative.\n\n$$\n\\sqrt{a b} = \\sqrt{a}\\,\\sqrt{b}\n$$\n",
    "For real $x$ and $y$:\n\n$$\\sqrt{x y} = \\sqrt{x}\\,\\sqrt{y}$$\n",
    "実数 $s$ と $t$ について\n\n$$\\sqrt{s t} = \\sqrt{s}\\,\\sqrt{t}$$\n",
    "For real $u$ and $v$,\n\n$$\\sqrt{\\frac{u}{v}} = \\frac{\\sqrt{u}}{\\sqrt{v}}$$\n",
    "For real $s$ and $t$,\n\n$$(s t)^{1/3} = s^{1/3} t^{1/3}$$\n",
])
def test_sqrt_of_a_product_over_the_reals_is_not_said_to_hold(text):
    step = only(text)
    assert step.verdict == UNDECIDED, step.reason
    assert "not real" in step.reason and "side condition" in step.reason


def test_sqrt_of_a_product_over_the_reals_names_the_world_where_one_side_is_real():
    step = only("For real $x$ and $y$:\n\n$$\\sqrt{x y} = \\sqrt{x}\\,\\sqrt{y}$$\n")
    assert "the left side is 1, the right side is not real" in step.reason


def test_sqrt_of_a_shifted_product_is_not_said_to_hold():
    step = only("For real $x$:\n\n$$\\sqrt{x - 5}\\,\\sqrt{x - 6} = \\sqrt{(x-5)(x-6)}$$\n")
    assert step.verdict == UNDECIDED and "not real" in step.reason


@pytest.mark.parametrize("text", [
    "Let $a \\ge 0$ and $b \\ge 0$.\n\n$$\\sqrt{a b} = \\sqrt{a}\\,\\sqrt{b}$$\n",
    "Let $a > 0$ and $b > 0$.\n\n$$\\sqrt{\\frac{a}{b}} = \\frac{\\sqrt{a}}{\\sqrt{b}}$$\n",
    "For real $u$ and $v$:\n\n$$\\sqrt{u^2 v^2} = \\sqrt{u^2}\\,\\sqrt{v^2}$$\n",
])
def test_sqrt_of_a_product_of_nonnegative_factors_still_passes(text):
    assert only(text).verdict in PASSING


def test_a_world_where_only_one_side_is_real_is_unreal_not_skipped():
    a, b = sp.symbols("a b", real=True)
    world = with_symbols(World("parameters", {}), {a: -1.0, b: -1.0}, probe="edge values")
    outcome = checker.judge_world(sp.sqrt(a * b), "=", sp.sqrt(a) * sp.sqrt(b), world)
    assert outcome.status == checker.UNREAL


def test_a_world_where_both_sides_are_not_real_is_skipped_and_counted():
    a = sp.Symbol("a", real=True)
    world = with_symbols(World("parameters", {}), {a: -2.0}, probe="edge values")
    outcome = checker.judge_world(sp.sqrt(a) * 2, "=", sp.sqrt(4 * a), world)
    assert outcome.status == checker.SKIPPED and outcome.unreal


def test_worlds_where_no_side_is_real_never_make_a_silent_majority():
    a = sp.Symbol("a", real=True)
    tally = checker.Tally("=")
    skipped = checker.Outcome(checker.SKIPPED, reason="NaN: a fractional power of a negative number", unreal=True)
    held = checker.Judgement(checker.HOLDS_NUMERICALLY, 0.0, 0.0, 1.0, "interval")
    for value in (1.0, 2.0, 3.0):
        tally.add(checker.Outcome(checker.HOLDS_NUMERICALLY, held), with_symbols(World("parameters", {}), {a: value}))
    for _ in range(4):
        tally.add(skipped, World("parameters", {}))
    result = tally.finish()
    assert result.status == "unsupported" and "not real in 4 of 7" in result.detail["reason"]


# ---------------------------------------------------------------- A6: an expectation that may not exist


@pytest.mark.parametrize("text", [
    "Let $q(z) = \\mathcal{N}(0, \\sigma^2)$. By symmetry:\n\n$$\n\\mathbb{E}_{q(z)}\\left[z\\, e^{z^2}\\right] = 0\n$$\n",
    "Let $q(z) = \\mathcal{N}(\\mu, s^2)$.\n\n$$\\mathbb{E}_{q(z)}\\left[(z-\\mu)\\, e^{(z-\\mu)^2}\\right] = 0$$\n",
    "$q(z) = \\mathcal{N}(0, \\sigma^2)$ とする。\n\n$$\\mathbb{E}_{q(z)}\\left[z^3 e^{z^2}\\right] = 0$$\n",
])
def test_an_odd_moment_of_a_heavy_integrand_may_not_exist(text):
    step = only(text)
    assert step.verdict == UNDECIDED, step.reason
    assert "may not exist" in step.reason


def test_an_odd_moment_restricted_to_where_it_exists_holds():
    text = ("Let $0 < \\sigma < 1$ and let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n"
            "$$\\mathbb{E}_{q(z)}\\left[z\\, e^{z^2/4}\\right] = 0$$\n")
    assert only(text).verdict in PASSING


def test_moments_that_exist_for_every_sigma_still_pass():
    text = ("Let $q(z) = \\mathcal{N}(0, \\sigma^2)$.\n\n$$\\mathbb{E}_{q(z)}\\left[z^3\\right] = 0$$\n\n"
            "$$\\mathbb{E}_{q(z)}\\left[e^{z}\\right] = e^{\\sigma^2/2}$$\n")
    assert [step.verdict for step in steps(text)] == [PROVED, PROVED]


def test_a_growing_tail_is_told_from_a_large_but_finite_integrand():
    z, sigma, mu = sp.symbols("z sigma mu", real=True)
    heavy = Normal(z, 0, sigma) * z * sp.exp(z**2)
    light = Normal(z, 0, sigma) * z * sp.exp(z**2 / 4)
    shifted = Normal(z, mu, 1) * sp.exp(sp.Rational(238, 1000) * z)
    assert checker._growing_tail(heavy, z, {sigma: sp.Float(1)})
    assert not checker._growing_tail(light, z, {sigma: sp.Float(1)})
    assert not checker._growing_tail(shifted, z, {mu: sp.Float(311546)})


def test_an_expectation_diverging_in_a_moderate_world_is_unbounded():
    z, sigma = sp.symbols("z sigma", real=True)
    world = with_symbols(World("parameters", {}), {sigma: 1.0}, probe="edge values")
    outcome = checker.judge_world(Expectation(Normal(z, 0, sigma), z * sp.exp(z**2)), "=", sp.Integer(0), world)
    assert outcome.status == checker.UNBOUNDED and "may not exist" in outcome.reason


# ---------------------------------------------------------------- A1: a difference below the precision


@pytest.mark.parametrize("step_text", [
    "\\frac{1}{1 + e^{-(x^2 + 10000)}} = 1",
    "\\log\\left(1 + e^{x^2 + 10000}\\right) = x^2 + 10000",
    "\\tanh(x^2 + 10000) = 1",
    "\\frac{e^{x^2 + 5000}}{1 + e^{x^2 + 5000}} = 1",
    "\\frac{1 - \\tanh(x^2 + 3000)}{2} = 0",
    "\\tanh(x^2 + 8000) \\ge 1",
    "1 - \\frac{1}{1 + e^{-(x^2+9000)}} \\le 0",
])
def test_a_saturation_below_the_interval_precision_is_refuted(step_text):
    step = only(f"For every real $x$:\n\n$$\n{step_text}\n$$\n")
    assert step.verdict == REFUTED, step.reason
    assert "cancellation-free" in step.reason


def test_a_saturation_written_in_japanese_is_refuted():
    step = only("すべての実数 $t$ について\n\n$$\\log\\left(e^{t^2+20000} + 1\\right) - t^2 = 20000$$\n")
    assert step.verdict == REFUTED, step.reason


@pytest.mark.parametrize("step_text", [
    "\\log\\left(1 + e^{x^2 + 10000}\\right) = x^2 + 10000 + \\log\\left(1 + e^{-(x^2 + 10000)}\\right)",
    "\\tanh(x^2 + 10000) \\le 1",
    "\\frac{1}{1 + e^{-(x^2 + 10000)}} = \\frac{e^{x^2 + 10000}}{e^{x^2 + 10000} + 1}",
])
def test_a_true_saturation_identity_still_passes(step_text):
    step = only(f"For every real $x$:\n\n$$\n{step_text}\n$$\n")
    assert step.verdict in PASSING, step.reason


def test_the_sign_forms_cancel_the_saturated_terms():
    t = sp.Symbol("t", real=True)
    forms = checker._sign_forms(sp.log(1 + sp.exp(t)) - t)
    assert any(numerator == 1 for numerator, _ in forms)


# ---------------------------------------------------------------- A2: a negative margin at the minimiser


@pytest.mark.parametrize("bound", ["0.03548791142243195942",
                                   "0.0354879114224319594142636568960781099200792172717720457780432"])
def test_a_bound_just_above_a_transcendental_minimum_is_refuted(bound):
    step = only(f"For every real $x$:\n\n$$\ne^{{x}} + x^4 + x \\ge {bound}\n$$\n")
    assert step.verdict == REFUTED, step.reason
    assert "Newton" in step.reason


def test_a_mirrored_bound_just_above_its_minimum_is_refuted():
    step = only("For every real $t$:\n\n$$t^4 - t + e^{-t} \\ge 0.0354879114224319594143$$\n")
    assert step.verdict == REFUTED, step.reason


def test_a_bound_just_below_the_minimum_still_holds_and_says_why():
    step = only("For every real $x$:\n\n$$e^{x} + x^4 + x \\ge 0.0354879114224319594142$$\n")
    assert step.verdict == HOLDS, step.reason
    assert "positive margin" in step.reason


def test_a_negative_margin_never_holds_unconfirmed():
    numeric = checker.NumericResult("holds", 5, worst=1.0, methods={"interval"})
    numeric.searched = [(-1e-17, World("parameters", {}))]
    x = sp.Symbol("x", real=True)
    result = checker.certified(sp.exp(x) + x**4 + x, ">=", sp.Rational(1, 100), numeric)
    assert result.status == "unsupported" and "negative" in result.detail["reason"]
    assert not math.isnan(numeric.worst)


# ---------------------------------------------------------------- A4: a band around a root with no closed form


@pytest.mark.parametrize("step_text", [
    "\\max\\left(0,\\; 10^{-4} - \\left|e^{x} + x^3 - 2\\right|\\right) = 0",
    "\\max\\left(0,\\; 1 - 10^{30}\\left(e^{x} + x^3 - 2\\right)^2\\right) = 0",
    "\\max\\left(0,\\; 10^{-5} - \\left|\\cos x - x\\right|\\right) = 0",
    "\\min\\left(0,\\; \\left|x e^{x} - 1\\right| - 10^{-6}\\right) = 0",
    "\\max\\left(0, 1 - 10^{12}\\left(\\log(1 + x^2) - 1\\right)^2\\right) = 0",
])
def test_a_band_around_a_transcendental_root_is_refuted(step_text):
    step = only(f"For every real $x$:\n\n$$\n{step_text}\n$$\n")
    assert step.verdict == REFUTED, step.reason


def test_a_band_around_a_curve_in_two_symbols_is_refuted():
    step = only("For all real $a, b$:\n\n$$\\max\\left(0,\\; 1 - 10^{8}\\left(a b - \\tfrac{1}{3}\\right)^2\\right) = 0$$\n")
    assert step.verdict == REFUTED, step.reason


@pytest.mark.parametrize("step_text", [
    "\\max\\left(0,\\; 10^{-4} - \\left|e^{x} + x^3 - 2\\right|\\right) \\le 10^{-4}",
    "\\left|e^{x} - x - 2\\right| \\ge 0",
    "\\min\\left(1,\\; 10^{6}\\left|\\cos x - x\\right|\\right) \\ge 0",
])
def test_a_true_bound_on_a_hinge_still_holds(step_text):
    step = only(f"For every real $x$:\n\n$$\n{step_text}\n$$\n")
    assert step.verdict in PASSING, step.reason


def test_a_product_of_roots_proved_over_the_complex_numbers_is_not_proved_over_the_reals():
    step = only("For real $u$:\n\n$$\\sqrt{u}\\,\\sqrt{u} = u$$\n")
    assert step.verdict == UNDECIDED and "not real" in step.reason


def test_a_product_of_roots_of_a_nonnegative_symbol_is_still_proved():
    assert only("Let $x \\ge 0$.\n\n$$\\sqrt{x}\\,\\sqrt{x} = x$$\n").verdict == PROVED


# ---------------------------------------------------------------- A11: a minimum shifted far from the origin

@pytest.mark.parametrize("shift", ["1000000", "10^{7}"])
def test_a_bound_failing_only_near_a_far_shift_is_refuted(shift):  # "holds" before the fix
    text = f"Let $x$ be real.\n\n$$\ne^{{x - {shift}}} + (x - {shift})^4 + (x - {shift}) \\ge 0.036\n$$\n"
    assert only(text).verdict == REFUTED


def test_a_true_bound_near_a_far_shift_still_passes():
    text = "Let $x$ be real.\n\n$$\ne^{x - 1000000} + (x - 1000000)^4 + (x - 1000000) \\ge 0.035\n$$\n"
    assert only(text).verdict in PASSING


def test_shift_points_are_where_linear_arguments_vanish():
    x = sp.Symbol("x", real=True)
    assert checker._shift_points(sp.exp(2 * x - 6) + (x + 5) ** 2 + sp.sin(x), x) == [-5.0, 3.0]
