"""Round 13 (attack35): what the prose takes back is taken back.

- A count redescribed as something no count is (a half-integer, an average number, the number divided by
  three, the square root of a count, a bandwidth, measured in thousands), put in a set of non-integers
  (N ∈ \\mathbf{R}, N ∉ ℕ, N ∈ ½ℤ, N − 1/2 ∈ ℕ), or given a value (set N to 1/2, N ↦ N + 0.5) is no count.
- A count's bound (N ≥ 5) is withdrawn by the words that withdraw a sign ("drop the assumption", "no longer
  needed", "allow N < 5"): the count stays, of any size.
- A sign is withdrawn by "may vanish", "can have either sign", "is unconstrained", "is a signed quantity".
- A hypothesis ("If $x > 0$ then") ends at a heading.
- A matrix the prose calls singular (not invertible, det A = 0, a zero eigenvalue, Av = 0 for some v ≠ 0,
  nilpotent) has no inverse to write.
- An equality in the sizes alone is searched past the scan of sizes 1..40 (|N − 40| + N = 40 fails at 41).

Reference: sin(πN) = 0 is false at N = 1/2 (and every half-integer), N² ≥ 5N at N = 1, |x| = x at x = −1,
AA⁻¹ = I has no value for a singular A; each step's reference verdict is the one the same step gets under
the plain declaration (a real N, no bound, no sign) or the value computed here."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED
from tests.audit_steps import verdicts

PASSING = (PROVED, HOLDS)
COUNT = "We have $N$ training examples."
SINE = "$$\n\\sin(\\pi N) = 0\n$$\n"


def _verdicts(text: str) -> list[str]:
    return [verdict for verdict, _ in verdicts(text)]


def test_the_reference_a_count_proves_sin_pi_n_and_a_real_does_not():
    assert _verdicts(f"{COUNT}\n\n{SINE}") == [PROVED]
    assert sp.sin(sp.pi * sp.Rational(1, 2)) == 1
    assert _verdicts(f"Let $N$ be a real number.\n\n{SINE}")[0] not in PASSING


@pytest.mark.parametrize("redescription", [
    "From now on $N$ is a half-integer.",
    "Below, $N$ denotes the average number of tokens per example.",
    "Below $N$ is the number of examples divided by three.",
    "From now on $N$ denotes the square root of the number of examples.",
    "Below, $N$ is the logarithm of the sample size.",
    "Below, $N$ is the number of examples per GPU, averaged over the 3 GPUs.",
    "Next, $N$ is reused for the bandwidth.",
    "Let us now think of $N$ as a bandwidth.",
    "Below, $N$ plays the role of a bandwidth.",
    "In Section 3 we reinterpret $N$ as a temperature.",
    "Let $N$ be measured in thousands.",
    "Below, $N$ counts examples in units of batches of size 64.",
    "After dividing $N$ by three, we get:",
    "Now set $N$ to $\\tfrac12$.",
    "Now set $N$ to one half.",
    "Update $N \\mapsto N + 0.5$.",
    "以降、$N$ は半整数とする。",
    "以降、$N$ は1文あたりの平均トークン数を表す。",
    "以降、$N$ を帯域幅として再利用する。",
    "以降、$N$ は正の定数とする。",
    "以降、$N$ を千単位で測る。",
])
def test_a_count_redescribed_as_no_count_is_no_count(redescription):
    assert _verdicts(f"{COUNT} {redescription}\n\n{SINE}")[0] not in PASSING


@pytest.mark.parametrize("membership", [
    "Now suppose $N \\notin \\mathbb{N}$.",
    "From now on $N \\in \\mathbf{R}$.",
    "From now on $N \\in \\Bbb R$.",
    "Hereafter $N \\in \\mathrm{R}$.",
    "From now on $N \\in \\tfrac{1}{2}\\mathbb{Z}$.",
    "From now on $N - 1/2 \\in \\mathbb{N}$.",
    "From now on $2N$ is an odd number.",
    "以降、$N \\in \\mathbf{R}$ とする。",
])
def test_a_count_put_among_non_integers_is_no_count(membership):
    assert _verdicts(f"{COUNT} {membership}\n\n{SINE}")[0] not in PASSING


@pytest.mark.parametrize("restated", [
    "Here $N$ is the number of samples per data point.",
    "From now on $N \\in \\mathbb{N}$.",
    "Then the average $\\frac{1}{N}\\sum_n x_n$ is a real number.",
    "Let $N$ be the number of data points and let $\\beta$ be the KL weight.",
])
def test_a_count_restated_as_a_count_stays_one(restated):
    assert _verdicts(f"{COUNT} {restated}\n\n{SINE}") == [PROVED]


BOUND = "$$\nN^2 \\ge 5N\n$$\n"


@pytest.mark.parametrize("withdrawal", [
    "We now drop the assumption $N \\ge 5$.",
    "Now allow $N < 5$ as well.",
    "The bound $N \\ge 5$ is no longer needed.",
    "Henceforth we only assume $N \\ge 1$.",
    "Forget the assumption $N \\ge 5$.",
    "From now on, $N \\geq 5$ is not assumed.",
])
def test_a_count_bound_withdrawn_no_longer_holds(withdrawal):
    found = _verdicts(f"We have $N$ training examples, $N \\ge 5$.\n\n{BOUND}\n{withdrawal}\n\n{BOUND}")
    assert found[0] == PROVED and found[1] not in PASSING
    assert 1 < 5 * 1  # N = 1: N² = 1 < 5N = 5


def test_a_count_bound_withdrawn_leaves_a_count():
    text = f"We have $N$ training examples, $N \\ge 5$.\n\nWe now drop the assumption $N \\ge 5$.\n\n{SINE}"
    assert _verdicts(text) == [PROVED]


ABS = "$$\n|x| = x\n$$\n"


@pytest.mark.parametrize("withdrawal", [
    "In the rest of the note $x$ can have either sign.",
    "From here on $x$ may also take negative values.",
    "Hereafter $x$ is unconstrained.",
    "From now on $x$ is a signed quantity.",
])
def test_a_sign_withdrawn_in_words_no_longer_holds(withdrawal):
    found = _verdicts(f"Let $x > 0$.\n\n{ABS}\n{withdrawal}\n\n{ABS}")
    assert found == [PROVED, REFUTED]


@pytest.mark.parametrize("withdrawal", [
    "Below, $\\sigma$ may vanish.",
    "From now on $\\sigma$ can be zero.",
    "From now on $\\sigma$ is merely nonnegative.",
])
def test_a_positive_sign_that_may_vanish_no_longer_makes_a_log_defined(withdrawal):
    text = f"Let $\\sigma > 0$.\n\n{withdrawal}\n\n$$\n\\log \\sigma^2 = 2 \\log \\sigma\n$$\n"
    assert _verdicts(text)[0] not in PASSING


@pytest.mark.parametrize("between", ["## Appendix: general $x$\n\n", "---\n\n## New section\n\n",
                                     "## Notes\n\nSome words.\n\n"])
def test_a_hypothesis_ends_at_a_heading(between):
    assert _verdicts(f"If $x > 0$ then\n\n{between}{ABS}") == [REFUTED]


def test_a_hypothesis_holds_for_the_formula_right_after_it():
    assert _verdicts(f"If $x > 0$ then\n\n{ABS}") == [PROVED]


@pytest.mark.parametrize("declaration", [
    "Let $A$ be an $n \\times n$ matrix that is not invertible.",
    "Let $A$ be an $n \\times n$ matrix with $\\det(A) = 0$.",
    "Let $A$ be a singular $n \\times n$ matrix.",
    "Let $A$ be an $n \\times n$ matrix with a zero eigenvalue.",
    "Let $A$ be an $n \\times n$ matrix with $A v = 0$ for some $v \\neq 0$.",
    "Let $A$ be a nilpotent $n \\times n$ matrix.",
    "Let $A$ be the $n \\times n$ zero matrix.",
])
def test_a_singular_matrix_has_no_inverse_to_write(declaration):
    assert _verdicts(f"{declaration}\n\n$$\nA A^{{-1}} = I\n$$\n")[0] not in PASSING


@pytest.mark.parametrize("declaration", [
    "Let $A$ be an invertible $n \\times n$ matrix, and let $B$ be singular.",
    "Let $A$ be a nonsingular $n \\times n$ matrix.",
])
def test_an_invertible_matrix_keeps_its_inverse(declaration):
    assert _verdicts(f"{declaration}\n\n$$\nA A^{{-1}} = I\n$$\n") == [PROVED]


@pytest.mark.parametrize("formula, size", [
    ("|N - 40| + N = 40", 41),
    ("\\sqrt{(N - 40)^2} + N = 40", 41),
])
def test_an_equality_in_a_count_false_past_the_scan_is_refuted(formula, size):
    ((verdict, reason),) = verdicts(f"{COUNT}\n\n$$\n{formula}\n$$\n")
    n = sp.Integer(size)
    assert abs(n - 40) + n != 40
    assert verdict == REFUTED and f"N = {size}" in reason, reason


@pytest.mark.parametrize("other", ["- Otherwise:", "Otherwise, we get", "- Else:"])
def test_a_supposition_does_not_reach_the_other_case(other):
    text = f"- Suppose $x > 0$. Then\n\n  {ABS}\n{other}\n\n  {ABS}"
    assert _verdicts(text) == [PROVED, REFUTED]


def test_a_count_supposed_large_is_any_count_in_the_other_case():
    text = f"{COUNT}\n\n- Suppose $N \\ge 5$. Then\n\n  {BOUND}\n- Otherwise:\n\n  {BOUND}"
    found = _verdicts(text)
    assert found[0] == PROVED and found[1] not in PASSING


def test_a_supposition_holds_after_a_sentence_that_is_no_other_case():
    assert _verdicts(f"Suppose $x > 0$.\n\nMoreover, we get\n\n{ABS}") == [PROVED]


# attack37: the next kinds of the same mechanisms
@pytest.mark.parametrize("redescription", [
    "Below, $N$ is the number $\\pi$.",
    "Below, $N$ is the number of examples over three.",
    "Below, $N$ is one third of the number of examples.",
    "Below, $N$ is the variance of the number of examples.",
    "Below, $N$ is the number of examples, but allowed to be fractional.",
    "Now halve $N$.",
    "Now substitute $N/2$ for $N$.",
])
def test_a_count_redescribed_in_other_words_is_no_count(redescription):
    assert _verdicts(f"{COUNT} {redescription}\n\n{SINE}")[0] not in PASSING


@pytest.mark.parametrize("redescription", [
    "Below, $x$ denotes the log-likelihood.",
    "Next, $x$ is reused for the correlation coefficient.",
    "In Section 2 we reinterpret $x$ as an angle.",
    "Below, $x$ stands for $\\log x$.",
    "Update $x \\mapsto x - 10$.",
    "Now subtract 10 from $x$.",
    "Now negate $x$.",
    "From now on $x$ can be negative too.",
    "From now on $x$ ranges over the real line.",
    "Now we flip the sign of $x$.",
])
def test_a_sign_ends_with_a_new_meaning_or_value(redescription):
    assert _verdicts(f"Let $x > 0$. {redescription}\n\n{ABS}") == [REFUTED]


def test_a_sign_restated_stays():
    text = "Let $\\sigma > 0$. Here $\\sigma$ is the standard deviation of $q$.\n\n$$\n\\log \\sigma^2 = 2 \\log \\sigma\n$$\n"
    assert _verdicts(text) == [PROVED]


@pytest.mark.parametrize("declaration", [
    "Let $A$ be an $n \\times n$ matrix that is rank deficient.",
    "Let $A$ be an $n \\times n$ matrix whose columns are linearly dependent.",
    "Let $A$ be an $n \\times n$ strictly upper triangular matrix.",
    "Let $A$ be an $n \\times n$ matrix with $\\operatorname{det}(A) = 0$.",
    "Let $A$ be an $n \\times n$ matrix of rank $n - 1$.",
    "Let $A$ be an $n \\times n$ covariance matrix that is only positive semidefinite, with a zero eigenvalue.",
    "Let $A$ be the $n \\times n$ all-ones matrix.",
    "$A$ を $n \\times n$ の正則でない行列とする。",
])
def test_a_matrix_singular_in_other_words_has_no_inverse(declaration):
    assert _verdicts(f"{declaration}\n\n$$\nA A^{{-1}} = I\n$$\n")[0] not in PASSING


@pytest.mark.parametrize("formula", ["\\frac{\\det A}{\\det A} = 1", "\\det(A)^{-1} \\det(A) = 1"])
def test_the_determinant_of_a_singular_matrix_divides_nothing(formula):
    assert _verdicts(f"Let $A$ be a singular $n \\times n$ matrix.\n\n$$\n{formula}\n$$\n")[0] not in PASSING


def test_an_equality_in_a_count_false_far_past_the_scan_is_refuted():
    ((verdict, reason),) = verdicts(f"{COUNT}\n\n$$\n|N - 10^{{7}}| + N = 10^{{7}}\n$$\n")
    assert verdict == REFUTED, reason


def test_a_tangent_at_its_poles_has_no_value_as_written():
    assert _verdicts(f"{COUNT}\n\n$$\n\\tan(\\pi N / 2) - \\tan(\\pi N / 2) = 0\n$$\n")[0] not in PASSING


def test_a_parity_for_the_next_formula_is_that_formulas_only():
    text = (f"{COUNT}\n\nFor even $N$,\n\n$$\n\\cos(\\pi N) = 1\n$$\n\nFor odd $N$,\n\n$$\n\\cos(\\pi N) = 1\n$$\n\n"
            f"$$\n\\cos(\\pi N) = 1\n$$\n")
    assert _verdicts(text) == [PROVED, REFUTED, REFUTED]


def test_a_later_parity_replaces_the_earlier_one():
    text = f"{COUNT}\n\nAssume $N$ is even.\n\nNow suppose $N$ is odd.\n\n$$\n\\cos(\\pi N) = 1\n$$\n"
    assert _verdicts(text) == [REFUTED]


def test_a_parity_keeps_a_bound_of_its_sentence():
    text = f"{COUNT}\n\nAssume $N$ is odd and $N \\ge 4$.\n\n$$\nN \\ge 5\n$$\n\n$$\nN \\ge 7\n$$\n"
    assert _verdicts(text) == [PROVED, REFUTED]


@pytest.mark.parametrize("formula", ["1 = 1 {+ 1}", "1 = 1 {\\scriptstyle + 1}", "x = x \\underbrace{+ 1}_{\\text{small}}",
                                     "x = x \\overbrace{+ 1}^{\\text{extra}}", "0 = 1 {-1}"])
def test_a_braced_sign_after_a_term_is_never_read_as_a_product(formula):
    assert _verdicts(f"Let $x$ be a real number.\n\n$$\n{formula}\n$$\n")[0] not in PASSING + (REFUTED,)


@pytest.mark.parametrize("membership", ["From now on $N \\in \\mathbb{Z}$.", "From now on $N \\in \\mathbb{Z}_{\\ge 0}$.",
                                        "From now on $N \\in \\mathbb{N}_0$."])
def test_a_count_put_among_integers_that_may_be_0_is_no_positive_count(membership):
    assert _verdicts(f"{COUNT} {membership}\n\n$$\nN \\ge 1\n$$\n")[0] not in PASSING


@pytest.mark.parametrize("withdrawal", ["以降、$N$ は正の数とする。", "以降、$N$ は整数ではない。", "以降、$N$ を半分にする。"])
def test_a_japanese_count_withdrawal_in_other_words(withdrawal):
    assert _verdicts(f"$N$ 個の訓練データがある。{withdrawal}\n\n{SINE}")[0] not in PASSING


def test_a_japanese_sign_withdrawal_may_be_negative():
    assert _verdicts(f"$x > 0$ とする。\n\n{ABS}\n以降、$x$ は負でもよい。\n\n{ABS}") == [PROVED, REFUTED]


def test_a_vector_sign_withdrawn_by_negative_entries():
    text = ("Let $\\boldsymbol{\\sigma} \\in \\mathbb{R}^d$ with $\\boldsymbol{\\sigma} > 0$. From now on "
            "$\\boldsymbol\\sigma$ may have negative entries.\n\n"
            "$$\n\\sum_{j=1}^{d} \\log \\sigma_j^2 = 2 \\sum_{j=1}^{d} \\log \\sigma_j\n$$\n")
    assert _verdicts(text)[0] not in PASSING


def test_a_product_with_a_singular_square_factor_has_no_inverse():
    text = "Let $A$ be an $n \\times n$ matrix such that $A^\\top A$ is singular.\n\n$$\n(A^\\top A)^{-1} A^\\top A = I\n$$\n"
    assert _verdicts(text)[0] not in PASSING


@pytest.mark.parametrize("prose, value", [(COUNT, "-5"), (COUNT, "\\frac{1}{2}"),
                                          ("We have $N$ training examples, $N \\ge 5$.", "2")])
def test_a_value_a_declared_name_cannot_take_is_refuted_not_defined(prose, value):
    assert _verdicts(f"{prose}\n\n$$\nN = {value}\n$$\n") == [REFUTED]


def test_a_value_a_count_can_take_defines_it():
    assert [verdict for verdict, _ in verdicts(f"{COUNT}\n\n$$\nN = 60000\n$$\n")] == ["definition"]


# attack39
@pytest.mark.parametrize("update", [
    "Now shift $x$ by $-10$.", "Now decrease $x$ by 10.", "Now let $x \\leftarrow -x$.", "Multiply $x$ by $-1$.",
    "We then overwrite $x$ with its negative.", "Here $x$ is the drift.", "Here $x$ is the log of the standard deviation of $q$.",
    "In what follows, $x$ is the drift.",
])
def test_a_sign_ends_with_an_update_or_a_meaning_of_no_sign(update):
    assert _verdicts(f"Let $x > 0$. {update}\n\n{ABS}") == [REFUTED]


@pytest.mark.parametrize("declaration", [
    "Let $A$ be an $n \\times n$ matrix with determinant zero.",
    "Let $A$ be an $n \\times n$ matrix which fails to be invertible.",
    "Let $A$ be an $n \\times n$ matrix that cannot be inverted.",
    "Let $A$ be an $n \\times n$ matrix of rank at most $n - 1$.",
    "Let $A$ be an $n \\times n$ matrix with $\\operatorname{rank} A \\leq n-1$.",
    "$A$ を行列式が 0 の $n \\times n$ 行列とする。",
])
def test_a_matrix_singular_in_yet_other_words_has_no_inverse(declaration):
    assert _verdicts(f"{declaration}\n\n$$\nA A^{{-1}} = I\n$$\n")[0] not in PASSING


@pytest.mark.parametrize("formula", ["x = x \\text{$+ 1$}", "x = x \\mbox{$- 1$}", "1 = 1 \\hbox{$+ 1$}",
                                     "1 = 1 \\text{ $+1$ }"])
def test_math_in_a_text_group_that_continues_the_formula_is_read_with_it(formula):
    assert _verdicts(f"Let $x$ be a real number.\n\n$$\n{formula}\n$$\n") == [REFUTED]


@pytest.mark.parametrize("declaration", ["Let $x > 0$ be the input.", "Let $x > 0$ be the drift of the walk."])
def test_a_sign_declared_with_a_meaning_in_one_sentence_holds(declaration):
    assert _verdicts(f"{declaration}\n\n{ABS}") == [PROVED]


@pytest.mark.parametrize("formula", ["\\csc(\\pi N) - \\csc(\\pi N) = 0", "\\cot(\\pi N) - \\cot(\\pi N) = 0",
                                     "\\sec(\\pi N - \\pi/2) - \\sec(\\pi N - \\pi / 2) = 0"])
def test_a_function_at_its_pole_for_every_count_has_no_value_as_written(formula):
    assert _verdicts(f"{COUNT}\n\n$$\n{formula}\n$$\n")[0] not in PASSING
