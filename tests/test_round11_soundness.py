"""Round 11, what may declare a count and where a size check looks.

A count is withdrawn by any clause that speaks of the name as a real (however it is phrased), or describes it
as something else; a report of someone else's text (a source named before or after the formula) declares
nothing; a Japanese count is the whole phrase, a それぞれ list maps name k to phrase k, and so does an English list
written phrases first; ℕ holds 0 where any sentence says so, and a text that considers K = 0 makes K nonnegative.
A size step is undefined where a side as written has no value (before any cancellation), and a size inequality
is looked at next to its stationary points, at odd far sizes and, for sums sympy cannot close, at large sizes
through their tails.

Reference for the sizes: the value written out at the size the verdict names (sympy exact, mpmath's nsum)."""
from __future__ import annotations

import textwrap

import mpmath
import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from tests.audit_steps import step_verdicts, verdict

PASSING = (PROVED, HOLDS)
COUNT = "Let $N$ be the number of data points."
ONE_OVER_N = r"\frac{1}{N} \le 1"


def _after(prose: str, formula: str = ONE_OVER_N) -> str:
    return verdict(prose, formula)[0]


@pytest.mark.parametrize("withdrawal", [
    "From now on, $N$ may be any real number.",
    r"Henceforth $N \in \mathbb{R}$.",
    "We now treat $N$ as a real number.",
    "From now on $N$ ranges over the positive reals.",
    "From now on $N$ can be any positive real number.",
    "We now allow $N$ to be any positive real.",
    "Let us now take $N$ to be a positive real number.",
    "In what follows, $N$ is a continuous variable.",
    "From now on we regard $N$ as continuous.",
    r"From here on $N \in (0, \infty)$.",
    "(Retracted: $N$ is a temperature.)",
    "以降 $N$ は連続変数とする。",
])
def test_a_count_spoken_of_as_a_real_is_withdrawn(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}") not in PASSING
    assert _after(f"{COUNT} {withdrawal}") not in PASSING


@pytest.mark.parametrize("later", [
    "Let $x \\in \\mathbb{R}^N$ be a real vector.",
    "$N$ is the size of the data set.",
    "When $N$ is large, the average is close to its mean.",
])
def test_a_count_mentioned_with_no_real_reading_stays(later):
    assert _after(f"{COUNT}\n\n{later}") == PROVED


@pytest.mark.parametrize("report", [
    "According to the reviewer, $N$ is the number of data points.",
    "In the original paper, $N$ is the number of data points.",
    "In an earlier version, we let $N$ be the number of data points.",
    "In [3], $N$ denotes the number of data points.",
    "[^1]: In an earlier version, let $N$ be the number of data points.",
    "$N$ is the number of data points, according to the authors.",
])
def test_a_report_of_another_text_declares_no_count(report):
    assert _after(report) not in PASSING


@pytest.mark.parametrize("lead", ["For simplicity, ", "As usual, ", "Here, ", "Throughout, ", "In this note, "])
def test_a_plain_lead_in_still_declares(lead):
    assert _after(lead + "let $N$ be the number of data points.") == PROVED


def test_a_report_declares_no_sign_either():
    assert _after("According to the reviewer, $\\sigma > 0$.", r"\sqrt{\sigma^2} = \sigma") not in PASSING


@pytest.mark.parametrize("prose, formula, expected", [
    (r"$\beta$ と $N$ はそれぞれKL重みとデータ数とする。", r"\beta \ge 1", REFUTED),
    (r"$\beta$ と $N$ はそれぞれKL重みとデータ数とする。", ONE_OVER_N, PROVED),
    ("$M$ は半分のデータ数とする。", r"\frac{1}{M} \le 1", UNDECIDED),
    (r"$\epsilon$ はデータ数とする、というのは誤りである。", r"\epsilon \ge 1", REFUTED),
    ("$N$ はデータ数、$d$ は潜在変数の次元数とする。", r"\frac{1}{d} \le 1", PROVED),
    ("$N$ はデータ数、$d$ は潜在変数の次元数とする。", ONE_OVER_N, PROVED),
])
def test_a_japanese_count_is_the_whole_phrase(prose, formula, expected):
    assert _after(prose, formula) == expected


@pytest.mark.parametrize("prose, formula, expected", [
    (r"The KL weight and the latent dimension are $\beta$ and $d$, respectively.", r"\frac{1}{d} \le 1", PROVED),
    (r"The KL weight and the latent dimension are $\beta$ and $d$, respectively.", r"\beta \ge 1", REFUTED),
    (r"Let $d$ and $\beta$ be the latent dimension and the KL weight, respectively.", r"\frac{1}{d} \le 1", PROVED),
])
def test_a_respectively_list_maps_each_name_to_its_phrase(prose, formula, expected):
    assert _after(prose, formula) == expected


@pytest.mark.parametrize("prose", [
    "Let $N$ be the number of data points: more precisely, its logarithm.",
    "Let $N$ be the number of effective samples.",
    r"We scale by $N$, the number of data points being large.",
    "Let $N$ be the expected number of samples.",
])
def test_a_phrase_that_goes_on_or_is_qualified_is_no_count(prose):
    assert _after(prose, r"N \ge 1") != PROVED


def test_a_count_before_a_display_colon_is_a_count():
    assert _after("Let $N$ be the number of data points:") == PROVED


@pytest.mark.parametrize("prose", [
    r"Here $\mathbb{N} = \mathbb{Z}_{\ge 0}$. Let $K \in \mathbb{N}$.",
    r"Here $\mathbb{N} = \{0\} \cup \mathbb{Z}_{>0}$. Let $K \in \mathbb{N}$.",
    r"Here $\mathbb{N}_0 = \mathbb{N}$. Let $K \in \mathbb{N}$.",
    r"Throughout, $\mathbb{N}$ denotes the nonnegative integers. Let $K \in \mathbb{N}$.",
    r"Let $K \in \mathbb{N}$ (we allow $K = 0$).",
    r"Let $K$ be the number of samples. When $K = 0$ the sum is empty.",
])
def test_a_size_the_text_lets_be_zero_is_nonnegative(prose):
    assert _after(prose, r"\frac{1}{K} \le 1") not in PASSING


def test_naturals_without_zero_stay_positive():
    assert _after(r"Let $K \in \mathbb{N}$.", r"\frac{1}{K} \le 1") == PROVED


DIMENSION = "Let $d$ be the number of latent dimensions."


@pytest.mark.parametrize("formula, size", [
    (r"\frac{d^2 - 4}{d - 2} \ge d + 2", 2),
    (r"\frac{d-2}{d-2} \ge 1", 2),
    (r"\frac{(d-2) \cdot 2^{d}}{d-2} \ge 2^{d}", 2),
    (r"\frac{d^2 - 9}{d - 3} = d + 3", 3),
    (r"\frac{2^{d}}{(d-45)^{2}} \ge 0", 45),
    (r"\sqrt{(d-45)^{2} - 1} \ge 0", 45),
    (r"\log\left((d-45)^{2}\right) \ge -1", 45),
])
def test_a_side_with_no_value_at_a_size_is_undecided_with_the_size(formula, size):
    found, reason = verdict(DIMENSION, formula)
    assert found == UNDECIDED and f"d = {size}" in reason, reason


def test_a_fraction_defined_at_every_size_is_still_proved():
    assert _after(DIMENSION, r"\frac{d^2 - 4}{d + 2} = d - 2") == PROVED


def _margin_at(formula: str, size: int) -> float:
    """lhs − rhs of a ``≥`` written in sympy, evaluated exactly at the size."""
    d = sp.Symbol("d", integer=True, positive=True)
    lhs, rhs = (sp.sympify(side, locals={"d": d}) for side in formula.split(">="))
    return float((lhs - rhs).subs(d, size))


@pytest.mark.parametrize("formula, written", [
    (r"e^{(d-101)^2} \ge 2", "exp((d-101)**2) >= 2"),
    (r"(-1)^{d} d \ge -41", "(-1)**d*d >= -41"),
    (r"\cos(\pi d) \cdot 2^{d} \ge -2^{41}", "cos(pi*d)*2**d >= -2**41"),
])
def test_a_size_inequality_failing_past_the_scan_is_refuted_where_it_fails(formula, written):
    found, reason = verdict(DIMENSION, formula)
    assert found == REFUTED, reason
    size = int(reason.split("at d = ")[1].split()[0])
    assert _margin_at(written, size) < 0


def test_two_sizes_failing_at_a_stationary_point_is_refuted():
    found, reason = verdict(DIMENSION + " " + COUNT, r"(N - 13)^2 + (d - 1)^2 \ge 1")
    assert found == REFUTED and "N = 13" in reason and "d = 1" in reason, reason


@pytest.mark.parametrize("formula, term, bound", [
    (r"\sum_{k=1}^{N} \frac{1}{k^2 + 1} \le \frac{107}{100}", lambda k: 1 / (k ** 2 + 1), 1.07),
    (r"\sum_{k=1}^{N} \frac{1}{k^{3/2}} \le 2.5", lambda k: k ** -1.5, 2.5),
])
def test_a_convergent_sum_over_its_bound_is_refuted_at_a_large_size(formula, term, bound):
    found, reason = verdict(COUNT, formula)
    assert found == REFUTED, reason
    size = 2 ** int(reason.split("N = 2^")[1].split()[0])
    assert mpmath.fsum(term(mpmath.mpf(k)) for k in range(1, size + 1)) > bound


def test_a_convergent_sum_under_its_bound_is_not_refuted():
    assert _after(COUNT, r"\sum_{k=1}^{N} \frac{1}{k^2 + 1} \le \frac{108}{100}") in PASSING + (UNDECIDED,)


def test_the_size_d_to_a_power_over_no_differential_is_a_fraction():
    found, reason = verdict(DIMENSION, r"\frac{d^{100}}{2^{d}} \le 10^{90}")
    assert found == REFUTED, reason
    size = int(reason.split("at d = ")[1].split()[0])
    assert sp.Integer(size) ** 100 / sp.Integer(2) ** size > sp.Integer(10) ** 90


@pytest.mark.parametrize("prose, expected", [
    ("Let $\\sigma$ be a real number. Assume $\\sigma > 0$.", PROVED),
    ("Let $\\sigma$ be a real number.\n\nAssume $\\sigma > 0$.", PROVED),
    ("Assume $\\sigma > 0$. Now let $\\sigma$ be any real number.", UNDECIDED),
    ("Let $\\sigma > 0$. Now let $\\sigma$ be any real number. Perhaps $\\sigma > 0$.", UNDECIDED),
])
def test_a_sign_stated_after_a_real_declaration_is_the_later_statement(prose, expected):
    found = _after(prose, r"\log \sigma^2 = 2 \log \sigma")
    assert (found == PROVED) == (expected == PROVED), found


MAIN = "\n\nMain text.\n\n$$\\frac{1}{N} \\le 1$$\n"


@pytest.mark.parametrize("statement", [
    "*Example 2.* Let $N$ be the number of data points.\n\n$$N \\ge 1$$\n\nThis ends the example.",
    "<details><summary>Proof of Lemma 2</summary>\n\nLet $N$ be the number of data points.\n\n$$N \\ge 1$$\n\n"
    "</details>",
    "**Lemma 3.** Let $N$ be the number of data points.\n\n$$N \\ge 1$$\n\n*Proof.* Obvious. $\\square$",
])
def test_a_statements_declaration_ends_with_it(statement):
    found = step_verdicts(f"# T\n\n{statement}{MAIN}")
    assert found[0] == PROVED and found[-1] != PROVED, found


@pytest.mark.parametrize("statement", [
    "**Exercise 3.** Let $N$ be the number of data points. Show that\n\n$$N \\ge 1$$",
    "**Claim.** Let $N$ be the number of data points.\n\n$$N \\ge 1$$",
])
def test_a_posed_statements_sentence_declares_nothing_after_it(statement):
    assert step_verdicts(f"# T\n\n{statement}{MAIN}")[-1] != PROVED


@pytest.mark.parametrize("label", ["**Lemma 1.**", "**Theorem 2** (KL).", "*Remark.*", "\\begin{lemma}"])
def test_a_label_before_a_declaration_does_not_stop_it_declaring(label):
    found = step_verdicts(f"# T\n\n{label} Let $N$ be the number of data points.\n\n$$\\frac{{1}}{{N}} \\le 1$$\n")
    assert found == [PROVED]


@pytest.mark.parametrize("withdrawal", [
    "We henceforth write $N$ for the temperature.",
    "We now reuse $N$ for the noise scale.",
    "We overload $N$: from now on it denotes the variance.",
    "Afterwards $N$ becomes the inverse temperature.",
    "From now on $N$ is a positive rational number.",
    r"From now on $N \in \mathbb{Q}_{>0}$.",
    "In the rest of the note $N$ is a positive float.",
    "From now on, replace $N$ by its square root.",
    r"From now on $N$ denotes $\sqrt{N}$.",
    "From now on $N$ is not an integer.",
])
def test_a_count_given_a_new_meaning_is_withdrawn(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}", r"(N - 1)(N - 2) \ge 0") not in PASSING


@pytest.mark.parametrize("later", [
    "We use $N$ samples of the prior.",
    "The ELBO is a real number that depends on $N$.",
    "Note that $N$ is not a real-valued temperature.",
    "$N$ denotes the number of points we draw.",
])
def test_a_count_in_a_sentence_about_something_else_stays(later):
    assert _after(f"{COUNT}\n\n{later}") == PROVED


@pytest.mark.parametrize("prose", [
    "Let $N$ be the number of data points, and $d$ the latent dimension.",
    "Let $N$ be the number of data points and let $\\beta$ be the KL weight.",
    "Let $N$ be the number of data points in the training set.",
    "Let $N$ be the number of data points, which we assume is large.",
    "Let $N$ be the number of data points, where each point lies in $\\mathbb{R}^D$.",
    "Let $N$ be the number of data points, $d$ the number of latent dimensions, and $\\beta$ the KL weight.",
    "We write $N$ for the number of data points and $\\sigma^2$ for the noise variance.",
    "Let $N$ be the number of data points and $T \\in \\mathbb{R}$ the temperature.",
    "Let $N$ be the number of data points, as in [3].",
])
def test_a_count_phrase_followed_by_another_clause_declares(prose):
    assert _after(prose) == PROVED


@pytest.mark.parametrize("prose", [
    "The reviewer suggested: let $N$ be the number of data points.",
    "Let $N$ be the number of data points; more precisely, its logarithm.",
    "Let $N$ be the number of data points, or rather its logarithm.",
])
def test_a_count_that_is_suggested_or_redefined_in_its_sentence_is_none(prose):
    assert _after(prose) not in PASSING


@pytest.mark.parametrize("prose, formula, expected", [
    ("$N$ をデータ数とする。", ONE_OVER_N, PROVED),
    ("データ数を $N$ とする。", ONE_OVER_N, PROVED),
    (r"KL重みとデータ数をそれぞれ $N$ と $\beta$ とする。", r"\frac{1}{\beta} \le 1", PROVED),
    (r"KL重みとデータ数をそれぞれ $N$ と $\beta$ とする。", r"N \ge 1", UNDECIDED),
    ("$N$ はデータ数とする。以下、$N$ を温度とする。", ONE_OVER_N, UNDECIDED),
])
def test_japanese_counts_in_either_order(prose, formula, expected):
    assert _after(prose, formula) == expected


@pytest.mark.parametrize("prose, expected", [
    (r"Let $K \in \mathbb{N}$; when $K$ vanishes the sum is empty.", UNDECIDED),
    (r"Let $K \in \mathbb{N}$. The case where $K$ equals zero is allowed.", UNDECIDED),
    ("Let $K$ be the number of mixture components. We allow no components at all.", UNDECIDED),
    (r"Let $K \in \mathbb{N}$. Here $\mathbb{N} = \mathbb{Z}_{+}$ includes the origin.", UNDECIDED),
    (r"Let $K \in \mathbb{N}$, and assume $K \neq 0$.", PROVED),
    ("Let $K$ be the number of mixture components. We exclude $K = 0$.", PROVED),
])
def test_a_count_is_nonnegative_exactly_where_zero_is_let_in(prose, expected):
    found = _after(prose, r"\frac{1}{K} \le 1")
    assert (found == PROVED) == (expected == PROVED), found


@pytest.mark.parametrize("formula, size", [
    (r"\frac{1}{2^{d} - 2^{77}} \ge -1", 77),
    (r"\frac{2^{d}}{\sin(\pi d / 77)^{2}} \ge 0", 77),
    (r"\log\left(\left|d - 77\right|\right) \ge 0", 77),
])
def test_a_side_with_no_value_past_the_scan_is_found_by_its_roots(formula, size):
    found, reason = verdict(DIMENSION, formula)
    assert found == UNDECIDED and f"d = {size}" in reason, reason


def test_a_margin_negative_between_two_roots_past_the_scan_is_refuted():
    found, reason = verdict(DIMENSION, r"\left| d - 77 \right| \ge 1")
    assert found == REFUTED and "d = 77" in reason, reason


@pytest.mark.parametrize("withdrawal", [
    "From now on $N$ ranges over $(0, 1)$.",
    "Below, $N$ varies in $[0.5, 2]$.",
    "We sweep $N$ over the interval $[0.1, 10]$.",
    "In the experiments $N$ lies between $0.1$ and $10$.",
    "From now on $0 < N < 1$.",
    "Assume from now on that $N \\le 1/2$.",
    "We relax the integrality of $N$.",
    "$N$ need not be an integer below.",
    "We do not assume $N$ is an integer.",
    "From now on, all sizes are real.",
    "以下、$N$ は区間 $[0.1, 1]$ の値をとる。",
    "以下、$N$ は学習率を表す。",
])
def test_a_count_given_non_integer_values_is_withdrawn(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}") not in PASSING


@pytest.mark.parametrize("later", ["Assume $N \\le 100$.", "Assume $N \\ge 2$ from now on."])
def test_an_integer_bound_keeps_the_count(later):
    assert _after(f"{COUNT}\n\n{later}", r"\frac{1}{N} \le 1") == PROVED


@pytest.mark.parametrize("prose", [
    "Let $N > 0$ be the number of data points.",
    "Let $N \\ge 1$ be the number of data points.",
    "Let the number of data points be $N$.",
    "Following Kingma and Welling, let $N$ be the number of data points.",
    "As in [3], let $N$ be the number of data points.",
])
def test_more_ways_of_declaring_a_count(prose):
    assert _after(prose) == PROVED


@pytest.mark.parametrize("prose, formula, size", [
    (DIMENSION, r"\exp\left((d-77.5)^{2}\right) + \frac{d}{10^{6}} \ge 1.3", {"d": 77}),
    (DIMENSION, r"\sin(d)^2 \ge 10^{-6}", {"d": 355}),
    (DIMENSION + " " + COUNT, r"2^{(N-d-50)^{2}} \ge 2", None),
    (DIMENSION + " " + COUNT, r"(N - d - 50)^{2} \ge 1", None),
])
def test_a_size_inequality_failing_between_scanned_sizes_is_refuted(prose, formula, size):
    found, reason = verdict(prose, formula)
    assert found == REFUTED, reason
    if size is not None:
        assert all(f"{name} = {value}" in reason for name, value in size.items()), reason
    else:
        n, d = (int(reason.split(f"{name} = ")[1].split(",")[0].split()[0]) for name in ("N", "d"))
        assert n - d == 50


@pytest.mark.parametrize("formula", [r"\frac{N-d}{N-d} = 1", r"\frac{1}{N - d} \cdot (N-d) = 1",
                                     r"\frac{1}{(N - d - 50)^2} \ge 0"])
def test_a_divisor_in_two_sizes_vanishing_somewhere_leaves_the_step_undecided(formula):
    found, reason = verdict(DIMENSION + " " + COUNT, formula)
    assert found == UNDECIDED and "no value at" in reason, reason


def test_a_removable_zero_of_a_periodic_divisor_is_found():
    found, reason = verdict(DIMENSION, r"\frac{\tan(\pi d/77)}{\tan(\pi d/77)} = 1")
    assert found == UNDECIDED and "d = 77" in reason, reason


@pytest.mark.parametrize("formula, difference", [
    (r"(N - 3d - 400)^{2} \ge 1", 400), (r"\left| N - d - 150 \right| \ge 1", 150)])
def test_a_two_size_margin_failing_on_a_line_past_the_grid_is_refuted(formula, difference):
    found, reason = verdict(DIMENSION + " " + COUNT, formula)
    assert found == REFUTED, reason


@pytest.mark.parametrize("formula", [r"\left| K \right| \ge 1", r"\left| d + K \right| \ge 2", r"|K - 2| \cdot |K-3| \ge 0"])
def test_a_declared_count_between_bars_is_a_number(formula):
    assert _after(DIMENSION + " Let $K$ be the number of mixture components.", formula) == PROVED


@pytest.mark.parametrize("withdrawal", ["From now on $N$ is a positive irrational number.",
                                        "Now put $N := \\sigma^2$ where $\\sigma^2 > 0$ is the noise variance."])
def test_a_count_assigned_a_non_integer_is_withdrawn(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}") not in PASSING


@pytest.mark.parametrize("later", [
    r"Then the average $\frac{1}{N}\sum_n x_n$ is a real number.",
    r"Then the average $\bar x$ of the $N$ points is a real number.",
    "We approximate the sum over $N$ points by a continuous integral.",
    "The KL weight is annealed from $0.1$ to $1$ over $N$ steps.",
    "The ratio $d/N$ is a real number in $(0, 1)$.",
    "We use $N$ Monte Carlo samples of real-valued noise.",
    r"The number $\log N$ is real.",
    r"The likelihood of the $N$ points is continuous in $\theta$.",
    "In this section $N$ denotes the same quantity as before.",
    "We use a batch size of $B$, where $B$ divides $N$.",
    r"平均 $\frac{1}{N}\sum_n x_n$ は実数である。",
])
def test_a_sentence_about_something_built_from_the_count_keeps_it(later):
    assert _after(f"{COUNT}\n\n{later}") == PROVED


@pytest.mark.parametrize("withdrawal", [
    "From now on $N$ may take any positive value.",
    "From now on we let $N$ be arbitrary positive.",
    "Let $N > 0$ be arbitrary from now on.",
    "We normalise $N$ by the batch size.",
    "以下、$N$ は整数とは限らない。",
    "以下、$N$ は任意の正の値をとる。",
    "以下では $N$ をデータ数の平方根で置き換える。",
    "以下では、$N$ は分散を意味する。",
    "以降、$N$ はノイズの大きさである。",
])
def test_a_count_left_any_value_is_withdrawn(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}") not in PASSING


@pytest.mark.parametrize("prose", [
    "Let $N$ be the size of the training set.",
    "Let $N$ be the dataset size.",
    "Suppose we have $N$ data points $x_1, \\dots, x_N$.",
    "Given a dataset of $N$ samples, we fit a VAE.",
    "We observe $N$ images.",
    "学習データの数を $N$ で表す。",
])
def test_implicit_counts_declare(prose):
    assert _after(prose) == PROVED


@pytest.mark.parametrize("formula", [r"\log(1 + e^{-N}) > 0", r"\log(1 + 2^{-N}) > 0",
                                     r"\log\left(1 + \frac{1}{N^{30}}\right) > 0"])
def test_a_tiny_positive_exact_margin_is_not_a_failure(formula):
    assert _after(COUNT, formula) in PASSING


def test_a_tower_of_powers_ends_in_time():
    assert _after(COUNT, r"2^{2^{N}} \ge N") in PASSING + (UNDECIDED,)


def test_a_thematic_break_ends_an_example():
    text = ("# T\n\n" + COUNT + "\n\n**Example.** Suppose $N = 1/2$.\n\n---\n\nBack to the main line.\n\n"
            "$$\\frac{1}{N} \\le 1$$\n")
    assert step_verdicts(text) == [PROVED]


@pytest.mark.parametrize("prose, formula", [
    ("Let $N$ be the number of data points (for MNIST, $N = 60000$).", r"N \ge 60000"),
    ("Let $N$ be the number of data points; the case $N = 60000$ is MNIST.", r"N \ge 60000"),
    ("Let $N$ be the number of data points (in our toy example $N = 3$).", r"N \le 3"),
    ("Let $K$ be the number of mixture components; the case $K = 1$ is a single Gaussian.", r"\frac{1}{K} \ge 1"),
])
def test_an_example_value_is_no_definition(prose, formula):
    assert _after(prose, formula) not in PASSING


def test_a_plain_value_definition_still_defines():
    assert _after("Let $c = 3$.", r"c + 1 = 4") == PROVED


@pytest.mark.parametrize("heading", ["### Case $N = 1/2$", "#### Continuous relaxation ($N \\in (0, 1)$)"])
def test_a_heading_that_makes_the_count_no_count_withdraws_it(heading):
    assert step_verdicts(f"# T\n\n{COUNT}\n\n{heading}\n\nIn this case\n\n$$\\frac{{1}}{{N}} \\le 1$$\n") != [PROVED]


def test_a_plain_heading_keeps_the_count():
    assert step_verdicts(f"# T\n\n{COUNT}\n\n### The bound for $N$ points\n\n$$\\frac{{1}}{{N}} \\le 1$$\n") == [PROVED]
