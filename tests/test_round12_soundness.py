"""Round 12: what a quotation declares holds inside it only.

A block quote (``> ...`` lines and their lazy continuations, ``<blockquote>``, LaTeX's quote environments) is
another text's words, or words set apart from the author's: a count, a sign or a law it declares is not the
document's. Its own formulas are read under it.

Reference: the same steps after the same declarations written as the author's own text."""
from __future__ import annotations

import mpmath
import pytest

from mathcheck.report import HOLDS, PROVED
from tests.audit_steps import step_verdicts

PASSING = (PROVED, HOLDS)
ONE_OVER_N = "$$\n\\frac{1}{N} \\le 1\n$$\n"
ROOT = "$$\n\\sqrt{\\sigma^2} = \\sigma\n$$\n"


@pytest.mark.parametrize("quoted", [
    "> Let $N$ be the number of data points.\n",
    "> In the original paper:\n>\n> Let $N$ be the number of data points.\n",
    "> Let $N$ be\nthe number of data points.\n",  # a lazy continuation line
    "> **Lemma 1.** Let $N$ be the number of data points.\n",
    "<blockquote>\nLet $N$ be the number of data points.\n</blockquote>\n",
    "> > Let $N$ be the number of data points.\n",
])
def test_a_count_declared_in_a_quote_is_not_the_documents(quoted):
    assert step_verdicts(f"# Notes\n\n{quoted}\nThen\n\n{ONE_OVER_N}")[0] not in PASSING


@pytest.mark.parametrize("declared", [
    "> Let $N$ be the number of data points.\n\n",
    "> Let $N$ be the number of data points. Then\n> ",
])
def test_a_quotes_own_formula_is_read_under_its_declarations(declared):
    quoted_display = "".join("> " + line + "\n" for line in ONE_OVER_N.splitlines())
    text = declared.replace("\n\n", "\n") + (quoted_display if declared.endswith("\n\n") else quoted_display[2:])
    assert step_verdicts(f"# Notes\n\n{text}")[0] == PROVED


def test_a_sign_assumed_in_a_quote_is_not_the_documents():
    assert step_verdicts(f"> Assume $\\sigma > 0$.\n\nThen\n\n{ROOT}")[0] not in PASSING


def test_a_sign_assumed_before_a_quote_holds_after_it():
    text = f"Assume $\\sigma > 0$.\n\n> A remark from [3]: let $\\sigma$ be negative.\n\nThen\n\n{ROOT}"
    assert step_verdicts(text)[0] == PROVED


def test_the_same_count_declared_outside_a_quote_is_the_documents():
    assert step_verdicts(f"# Notes\n\nLet $N$ be the number of data points.\n\nThen\n\n{ONE_OVER_N}")[0] == PROVED


@pytest.mark.parametrize("environment", ["quote", "quotation", "displayquote"])
def test_a_count_declared_in_a_latex_quote_is_not_the_documents(environment):
    text = (f"\\documentclass{{article}}\n\\begin{{document}}\n\\begin{{{environment}}}\n"
            f"Let $N$ be the number of data points.\n\\end{{{environment}}}\n"
            f"Then\n\\[\n\\frac{{1}}{{N}} \\le 1\n\\]\n\\end{{document}}\n")
    assert step_verdicts(text, "doc.tex")[0] not in PASSING


def test_a_quote_line_inside_a_code_block_opens_no_quote():
    text = ("Let $N$ be the number of data points.\n\n```\n> not a quote\n```\n\nThen\n\n" + ONE_OVER_N)
    assert step_verdicts(text)[0] == PROVED


# -- attack32: the next variants of the size check, the count withdrawals and the signs

from mathcheck.report import REFUTED  # noqa: E402
from tests.audit_steps import verdict  # noqa: E402

TWO_COUNTS = "Let $N$ be the number of data points. Let $d$ be the number of latent dimensions."


@pytest.mark.parametrize("step", [
    r"\frac{(N-2d)^{2} + (d-300)^{2}}{(N-2d)^{2} + (d-300)^{2}} = 1",  # 0/0 at N = 600, d = 300
    r"\frac{1}{(N - 2d)^{2} + (d - 300)^{2}} \le 1",
    r"\frac{N^{2} - 13 d^{2} - 1}{N^{2} - 13 d^{2} - 1} = 1",  # 0/0 at the Pell point N = 649, d = 180
])
def test_a_divisor_that_vanishes_at_two_sizes_keeps_the_step_from_passing(step):
    assert verdict(TWO_COUNTS, step)[0] not in PASSING


@pytest.mark.parametrize("step", [
    r"\frac{N^2 - N d + d^2}{N^2 - N d + d^2} = 1",
    r"\frac{(N - d)^2 + 1}{(N - d)^2 + 1} = 1",
    r"\frac{N d}{N d} = 1",
])
def test_a_divisor_nonzero_at_every_pair_of_sizes_is_proved(step):
    assert verdict(TWO_COUNTS, step)[0] == PROVED


def test_a_tower_of_powers_in_a_size_gives_a_verdict_not_a_crash():
    assert verdict("Let $N$ be the number of data points.", r"2^{2^{2^{N}}} \ge 1")[0] != REFUTED


@pytest.mark.parametrize("withdrawal", [
    "Let $N$ be the number of data points, which we treat as a real parameter.",
    "Let $N$ be the number of data points, which we regard as a positive real.",
    "Let $N$ be the number of data points, which we let vary continuously.",
    "Let $N$ be the number of data points. We treat it as a real parameter.",
    "Let $N$ be the number of data points. Below it is a real parameter.",
    "Let $N$ be the number of data points. Below, this count may be fractional.",
    "Let $N$ be the number of data points. We allow fractional counts.",
    "Let $N$ be the number of data points. We allow fractional $N$.",
    "Let $N$ be the number of data points. Fractional values of $N$ are allowed below.",
    "Let $N$ be the number of data points. We extend all formulas to positive real $N$.",
    "$N$ をデータ数とする。ただし $N$ は非整数値もとりうる。",
    "Let $N$ be the number of data points. Half-integer $N$ are allowed.",
    "Let $N$ be the number of data points. We interpolate $N$ continuously.",
    "$N$ をデータ数とする。以下では $N$ を正の数とみなす（整数とは限らない）。",
    "Let $N$ be the number of data points. We extend the bound to non-integral $N$.",
    "Let $N$ be the number of data points. We now drop the assumption that $N$ is whole.",
    "Let $N$ be the number of data points. Set $N \\leftarrow 0.5$.",
    "Let $N$ be the number of data points.\n\n> Note: from now on $N$ may be any positive real.\n\nThen",
    "$N$ をデータ数とする。ここで $N$ の整数性は仮定しない。",
    "$N$ をデータ数とする。$N$ は分数でもよい。",
    "$N$ をデータ数とする。以降、$N$ を $N/2$ で置き換える。",
    "$N$ をデータ数とする。記号 $N$ はノイズの大きさにも用いる。",
    "Let $N$ be the number of data points, and let $N$ also denote the noise scale.",
    "Let $N$ be the number of data points; $N$ also denotes the noise scale.",
    "Let $N$ be the number of data points. The symbol $N$ is also used for the noise scale.",
    "Let $N$ be the number of data points. By abuse of notation, $N$ is also the temperature.",
])
def test_a_count_spoken_of_as_no_count_is_withdrawn(withdrawal):
    """By a pronoun, an adjective, a verb, a second meaning, an assignment, a quoted note, in English and Japanese
    (attack32 B14/B15, attack33 B2, attack34 B3/B4/B13/B20)."""
    assert verdict(withdrawal, r"\frac{1}{N} \le 1")[0] not in PASSING


@pytest.mark.parametrize("remark", [
    "Let $N$ be the number of data points, which is large.",
    "Let $N$ be the number of data points. We treat it as fixed.",
    "Let $N$ be the number of data points. The loss is a real number.",
])
def test_a_remark_that_makes_nothing_real_keeps_the_count(remark):
    assert verdict(remark, r"\frac{1}{N} \le 1")[0] == PROVED


def test_a_condition_beside_a_step_that_no_count_meets_keeps_it_from_passing():
    text = "Let $N$ be the number of data points.\n\n$$\\frac{1}{N} \\le 1 \\quad \\text{for } N = 1/2$$\n"
    assert step_verdicts(text)[0] not in PASSING


@pytest.mark.parametrize("prose, step, expected", [
    ("Let $a$ be a real number. Assume $a < 0$.", r"\sqrt{a^2} = -a", PROVED),
    ("Let $a$ be real. Assume $a < 0$.", r"\sqrt{a^2} = -a", PROVED),
    ("Let $a$ be a real number. Assume $a < 0$.", r"\sqrt{a^2} = a", REFUTED),
    ("Assume $K > 0$.", r"\sqrt{K^2} = K", PROVED),
    ("Assume $K > 0$.", r"\sqrt{K^2} = -K", REFUTED),
    ("Let $N$ be the number of data points. Assume $N > 2$.", r"\frac{1}{N} \le \frac{1}{2}", PASSING),
    ("Let $N$ be the number of data points. Assume $N \\ge 2$.", r"\frac{1}{N} \le \frac{1}{3}", REFUTED),
    ("Let $K$ be the number of components. Assume $K \\ge 2$.", r"(-1)^{2K} = 1", PROVED),
    ("Let $K$ be the number of components. Assume $K \\ge 2$.", r"(-1)^{K} = 1", REFUTED),
])
def test_a_sign_or_bound_stated_after_a_declaration_holds(prose, step, expected):
    assert verdict(prose, step)[0] in (expected if isinstance(expected, tuple) else (expected,))


@pytest.mark.parametrize("heading, inside", [
    ("### Case $N \\ge 2$", PROVED),
    ("### When $N \\ge 2$", PROVED),
    ("### $N \\ge 2$ の場合", PROVED),
    ("### Case 2: $N \\ge 2$", PROVED),
    ("### Why $N \\ge 2$ matters", REFUTED),  # states no case: nothing assumed
    ("### Proof that $N \\ge 2$", REFUTED),
])
def test_a_case_heading_assumes_its_case_in_its_section_only(heading, inside):
    display = "$$\n\\frac{1}{N} \\le \\frac{1}{2}\n$$\n"
    text = f"Let $N$ be the number of data points.\n\n{heading}\n\n{display}\n### Other\n\n{display}"
    assert step_verdicts(text) == [inside, REFUTED]


@pytest.mark.parametrize("prose, step, expected", [
    ("Let $N$ be the number of data points.", r"\Gamma(N + \frac{1}{2}) \ge 0", PROVED),
    ("", r"\Gamma(1) = 1", PROVED),
    ("Let $N$ be the number of data points.", r"\Gamma(N) \ge 2", REFUTED),
    ("Let $\\Gamma$ be a $2 \\times 2$ matrix.", r"\Gamma (I) = \Gamma", PROVED),  # a matrix named Γ stays one
])
def test_gamma_before_its_argument_is_the_gamma_function(prose, step, expected):
    assert verdict(prose, step)[0] == expected


@pytest.mark.parametrize("text, path", [
    ("## The case $\\sigma > 0$\n\n$$\\sqrt{\\sigma^2} = \\sigma$$\n", "doc.md"),
    ("\\section{The case $\\sigma > 0$}\n\\[ \\sqrt{\\sigma^2} = \\sigma \\]\n", "doc.tex"),
])
def test_a_case_heading_was_a_name_and_now_assumes_its_case(text, path):
    """Was "a heading names a case; it declares nothing" (the true step refuted in its own case, attack32 B5)."""
    assert step_verdicts(text, path) == [PROVED]


@pytest.mark.parametrize("heading", [
    "## When $\\sigma > 0$ fails",
    "## The case $\\sigma > 0$ is not needed",
    "## If $\\sigma > 0$?",
])
def test_a_case_heading_that_denies_or_asks_assumes_nothing(heading):
    assert step_verdicts(f"{heading}\n\n$$\\sqrt{{\\sigma^2}} = \\sigma$$\n")[0] not in PASSING


@pytest.mark.parametrize("step, failing, margin", [
    (r"\cos N \le 1 - 10^{-11}", 312689, lambda n: (1 - mpmath.mpf(10) ** -11) - mpmath.cos(n)),
    (r"1 - \cos N \ge 10^{-14}", 10838702, lambda n: 1 - mpmath.cos(n) - mpmath.mpf(10) ** -14),
    (r"\left| \sin(N) \right| \ge 10^{-6}", 1146408, lambda n: abs(mpmath.sin(n)) - mpmath.mpf(10) ** -6),
    (r"\left| \sin(N) \right| \ge 10^{-7}", 5419351, lambda n: abs(mpmath.sin(n)) - mpmath.mpf(10) ** -7),
])
def test_a_trig_step_is_tried_at_the_integers_nearest_multiples_of_pi(step, failing, margin):
    """Reference: the margin at the size named, in 80-digit mpmath (not the evaluator under test)."""
    found, reason = verdict("Let $N$ be the number of data points.", step)
    assert found == REFUTED and f"N = {failing}" in reason, reason
    with mpmath.workdps(80):
        assert margin(mpmath.mpf(failing)) < 0


@pytest.mark.parametrize("step", [r"1 - \cos N \ge 0", r"\sin(N)^2 \le 1", r"\left| \sin(N) \right| \ge 0"])
def test_a_true_trig_step_in_a_size_is_not_refuted(step):
    assert verdict("Let $N$ be the number of data points.", step)[0] in PASSING


# -- attack33



@pytest.mark.parametrize("display", [
    "$$\\frac{1}{N} \\le 1 \\quad (N = \\tfrac{1}{2})$$",
    "$$\\frac{1}{N} \\le 1 \\text{ at } N = 0.5$$",
])
def test_a_value_no_count_takes_beside_a_step_keeps_it_from_passing(display):
    assert step_verdicts(f"Let $N$ be the number of data points.\n\n{display}\n")[0] not in PASSING


@pytest.mark.parametrize("step, expected", [
    (r"\frac{1}{N - \pi} \cdot (N - \pi) = 1", PROVED),  # N − π ≠ 0 at every size
    (r"\frac{1}{N - e} \ge -10", PROVED),
    (r"\frac{1}{N^{2} - \sqrt{2}} \cdot (N^{2} - \sqrt{2}) = 1", PROVED),
    (r"\frac{1}{N - \log 3} > 0", REFUTED),  # at N = 1: 1/(1 − log 3) < 0
])
def test_a_size_polynomial_with_irrational_coefficients_is_decided(step, expected):
    """Was an internal error (sympy isolates real roots over the rationals only)."""
    assert verdict("Let $N$ be the number of data points.", step)[0] == expected


def test_a_sign_compatible_with_a_count_keeps_it_a_count():
    assert verdict("Let $K \\in \\mathbb{N}$, and assume $K \\neq 0$.", r"(-1)^{2K} = 1")[0] == PROVED


# -- attack34

@pytest.mark.parametrize("step", [
    r"\left(\sqrt{N - 2}\right)^{2} = N - 2",  # √(−1) at N = 1, though sympy reads (√x)² as x
    r"\left(\sqrt{\cos(\pi N)}\right)^{2} = \cos(\pi N)",
    r"\exp\left(\log\left(\cos(\pi N)\right)\right) = \cos(\pi N)",
    r"\frac{\Gamma(N - 1)}{\Gamma(N - 1)} = 1",  # Γ(0) at N = 1
    r"\frac{\Gamma(N)}{\Gamma(N - 1)} = N - 1",
    r"\frac{1}{\Gamma(2 - N)} \cdot \Gamma(2 - N) = 1",
])
def test_a_root_log_or_gamma_with_no_value_at_a_size_as_written_keeps_the_step_from_passing(step):
    assert verdict("Let $N$ be the number of data points.", step)[0] not in PASSING


@pytest.mark.parametrize("step", [
    r"\left(\sqrt{N - 1}\right)^{2} = N - 1",
    r"\exp(\log N) = N",
    r"\frac{\Gamma(N + 1)}{\Gamma(N + 1)} = 1",
])
def test_a_root_log_or_gamma_defined_at_every_size_still_passes(step):
    assert verdict("Let $N$ be the number of data points.", step)[0] in PASSING


@pytest.mark.parametrize("step, failing, margin", [
    (r"\left|\tan(2N)\right| \le 10^{6}", 286602, lambda n: 10**6 - abs(mpmath.tan(2 * n))),
    (r"\left|\sin(\sqrt{2} N)\right| \ge 10^{-6}", 2664739,
     lambda n: abs(mpmath.sin(mpmath.sqrt(2) * n)) - mpmath.mpf(10) ** -6),
])
def test_a_trig_step_of_a_multiple_of_a_size_is_tried_near_its_periods(step, failing, margin):
    found, reason = verdict("Let $N$ be the number of data points.", step)
    assert found == REFUTED and f"N = {failing}" in reason, reason
    with mpmath.workdps(80):
        assert margin(mpmath.mpf(failing)) < 0



@pytest.mark.parametrize("display", [
    "$$\\frac{1}{N} \\le 1 \\quad \\text{for all real } N > 0$$",
    "$$\\frac{1}{N} \\le 1 \\quad \\text{for every positive real } N$$",
    "$$\\frac{1}{N} \\le 1 \\quad \\forall N \\in (0, 1)$$",
])
def test_a_display_quantifier_over_reals_makes_the_count_real(display):
    assert step_verdicts(f"Let $N$ be the number of data points.\n\n{display}\n")[0] not in PASSING



@pytest.mark.parametrize("prose", [
    "Let $K$ be the number of mixture components. If $K = 0$ the prior is flat.",
    "Let $K$ be the number of mixture components. We allow no components at all.",
])
def test_a_count_that_may_be_zero_is_looked_at_zero_as_written(prose):
    assert verdict(prose, r"\frac{K}{K} = 1")[0] not in PASSING



@pytest.mark.parametrize("step", [
    r"(A A^{\top} - A A^{\top})^{-1} = (A^{\top} A - A^{\top} A)^{-1}",
    r"(0 \cdot A)^{-1} = (0 \cdot A)^{-1}",
])
def test_the_inverse_of_the_zero_matrix_is_no_presumption(step):
    assert verdict(r"Let $A$ be a $d \times d$ matrix.", step)[0] not in PASSING


@pytest.mark.parametrize("display", [
    "$$\\frac{1}{N} \\le 1 \\quad \\text{if } N \\text{ is half-integer}$$",
    "$$\\frac{1}{N} \\le 1 \\quad [N = 1/2]$$",
])
def test_a_display_condition_in_words_that_no_count_meets(display):
    assert step_verdicts(f"Let $N$ be the number of data points.\n\n{display}\n")[0] not in PASSING


@pytest.mark.parametrize("text", [
    "Let $N$ be the number of data points.\n\n**Lemma 1.** Let $N \\ge 2$. Then the bound below is tight.\n\n"
    "We now return to the general case, where\n\n$$\\frac{1}{N} \\le \\frac{1}{2}$$\n",
    "Let $N$ be the number of data points.\n\n### Case $N \\ge 2$\n\nHere the bound holds.\n\n"
    "**Back to all $N$.** In general,\n\n$$\\frac{1}{N} \\le \\frac{1}{2}$$\n",
])
def test_a_return_to_the_general_case_ends_a_statement_or_a_case(text):
    assert step_verdicts(text)[-1] not in PASSING
