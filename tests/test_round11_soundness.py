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
from tests.audit_steps import verdict

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
