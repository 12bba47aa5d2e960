"""Round 10, counts and sizes read from the prose, and the limits of a size check.

A name is a count (a positive integer) only where a plain declarative sentence says so: a hedge ("Perhaps"),
a report of others ("Many papers let ..."), a struck-out or quoted sentence declares nothing; a respectively list
gives each name its own phrase; a later "From now on $N$ is an arbitrary real number" withdraws the count; a count
of items that satisfy a condition may be 0, and a "number of" anything else is no count. A document that says ℕ
holds 0 makes ℕ nonnegative. An inequality in one size is checked past the scanned sizes by its limit, and a
size where a side has no real finite value makes it undecided, never held.

Reference for the sizes: the value written out (mpmath, 60 digits) at the size the verdict names."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED, UNDECIDED
from mathcheck.size_difference import decide_sizes
from tests.audit_steps import step_verdicts, verdict

PASSING = (PROVED, HOLDS)
COUNT = "Let $N$ be the number of data points."


def _after(prose: str, formula: str = r"N \ge 1") -> str:
    return verdict(prose, formula)[0]


@pytest.mark.parametrize("prose", [
    "Perhaps $N$ is the number of data points.",
    "Many papers let $N$ be the number of data points.",
    "~~Let $N$ be the number of data points.~~",
    'Kingma writes: "let $N$ be the number of data points", but we do not.',
    "Let $K$ be the number of samples. Whether $N$ is the number of data points is left open.",
], ids=["hedge", "report", "struck-out", "quoted", "open-question"])
def test_a_count_not_plainly_declared_does_not_prove_it_is_at_least_one(prose):
    assert _after(prose) != PROVED


@pytest.mark.parametrize("prose", [
    COUNT,
    "Here $N$ denotes the number of data points.",
    "Let $K$ be the number of samples and $N$ the number of data points.",
    "Let $N$ be the number of training examples.",
], ids=["let", "denotes", "two-subjects", "training-examples"])
def test_a_plainly_declared_count_is_at_least_one(prose):
    assert _after(prose) == PROVED


def test_a_respectively_list_makes_only_the_count_phrase_a_count():
    prose = r"Let $d$ and $\beta$ be the number of latent dimensions and the KL weight."
    assert _after(prose, r"\beta \ge 1") == REFUTED


def test_a_respectively_list_of_two_counts_declares_both():
    prose = "Let $d$ and $N$ be the latent dimension and the number of data points, respectively."
    assert _after(prose, r"\frac{1}{d} + \frac{1}{N} \le 2") == PROVED


@pytest.mark.parametrize("withdrawal", [
    "From now on $N$ is an arbitrary real number.",
    "Now let $N > 0$ be a real number.",
    "We now relax $N$ to a positive real.",
    "From now on $N$ is arbitrary.",
    "以降 $N$ は一般の実数とする。",
], ids=["arbitrary-real", "positive-real", "relax", "arbitrary", "japanese"])
def test_a_count_redeclared_a_real_no_longer_proves_it_is_at_least_one(withdrawal):
    assert _after(f"{COUNT}\n\n{withdrawal}") != PROVED


def test_a_real_declared_before_the_count_leaves_the_count():
    assert _after(f"From now on $N$ is an arbitrary real number.\n\n{COUNT}") == PROVED


def test_a_positive_name_redeclared_arbitrary_loses_its_sign():
    prose = "Let $\\sigma > 0$.\n\nFrom now on $\\sigma$ is arbitrary."
    assert _after(prose, r"\log \sigma^2 = 2 \log \sigma") != PROVED


@pytest.mark.parametrize("phrase", [
    "the number of mislabelled data points",
    "the number of data points with label zero",
], ids=["mislabelled", "with-label"])
def test_a_count_of_items_that_satisfy_a_condition_may_be_zero(phrase):
    assert _after(f"Let $m$ be {phrase}.", r"m \ge 1") != PROVED


def test_a_count_of_items_that_satisfy_a_condition_is_nonnegative():
    assert _after("Let $m$ be the number of mislabelled data points.", r"m \ge 0") in PASSING


@pytest.mark.parametrize("phrase", [
    "the number of standard deviations",
    "the number of negative entries",
], ids=["deviations", "entries"])
def test_a_number_of_what_a_text_does_not_count_is_no_integer(phrase):
    assert _after(f"Let $s$ be {phrase}.", r"s \ge 1") != PROVED


def test_naturals_said_to_hold_zero_make_a_natural_possibly_zero():
    prose = r"Let $K \in \mathbb{N}$, where $\mathbb{N} = \{0, 1, 2, \dots\}$."
    assert _after(prose, r"K \ge 1") == REFUTED


def test_naturals_by_default_start_at_one():
    assert _after(r"Let $K \in \mathbb{N}$.", r"K \ge 1") == PROVED


N = sp.Symbol("N", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)


@pytest.mark.parametrize("margin", [
    10 - sp.Sum(1 / k, (k, 1, N)),  # Σ 1/k ≤ 10 fails from N = 12367
    1 - sp.Integer(2) ** -40 - sp.Sum(sp.Integer(2) ** -k, (k, 1, N)),  # fails for N > 40
    sp.exp(-1) - sp.Rational(1, 10**6) - (1 - 1 / N) ** N,  # fails for N ≳ 2·10^5
    sp.Rational(27, 10) - (1 + 1 / N) ** N,  # fails from N = 74
], ids=["harmonic", "geometric", "one-minus", "one-plus"])
def test_a_size_inequality_failing_only_past_the_scan_is_refuted_where_it_fails(margin):
    found = decide_sizes(-margin, "<=")
    assert found is not None and found.status == "refuted", found
    size = found.sizes[N]
    with mpmath.workdps(60):
        value = sp.lambdify(N, margin.doit() if size < 10**5 else margin.doit(), "mpmath")(mpmath.mpf(size))
    assert value < 0


def test_a_size_inequality_that_holds_at_every_size_is_not_refuted_by_its_limit():
    found = decide_sizes(sp.Sum(1 / k**2, (k, 1, N)) - 2, "<=")
    assert found is not None and found.status != "refuted"


@pytest.mark.parametrize("formula", [r"\log(N-1) \ge 0", r"\sqrt{N-2} \le N", r"\frac{1}{\log N} \le 2"],
                         ids=["log-zero", "root-negative", "division-by-log"])
def test_a_size_inequality_without_a_value_at_some_size_is_undecided(formula):
    assert _after(COUNT, formula) == UNDECIDED


@pytest.mark.parametrize("text, expected", [
    ("### Lemma 1\n\n" + COUNT + "\n\n$$N \\ge 1$$\n\n∎\n\nAfterwards\n\n$$N \\ge 1$$\n", [PROVED, UNDECIDED]),
    ("**Lemma 1.** " + COUNT + "\n\n$$N \\ge 1$$\n\nThis concludes the proof.\n\nAfterwards\n\n$$N \\ge 1$$\n",
     [PROVED, UNDECIDED]),
    ("## Lemma 2 (the bound)\n\n" + COUNT + "\n\n$$N \\ge 1$$\n\n## Next\n\n$$N \\ge 1$$\n", [PROVED, UNDECIDED]),
], ids=["heading-qed", "concludes-the-proof", "heading-next-heading"])
def test_a_declaration_inside_a_lemma_ends_with_it(text, expected):
    assert step_verdicts(text) == expected


@pytest.mark.parametrize("label", ["**Lemma 1**", "**Lemma 1** (KL)"], ids=["bare", "titled"])
def test_a_bold_label_without_a_period_keeps_the_declaration_after_it(label):
    text = f"{label} Let $\\sigma > 0$. Then\n\n$$\\log \\sigma^2 = 2 \\log \\sigma$$\n"
    assert step_verdicts(text) == [PROVED]


@pytest.mark.parametrize("end", [r". \quad \square", r" \qed", r" \qquad \blacksquare"],
                         ids=["square", "qed", "blacksquare"])
def test_an_end_of_proof_mark_closing_a_display_is_no_formula(end):
    text = f"Let $\\sigma > 0$.\n\n$$\\log \\sigma^2 = 2 \\log \\sigma{end}$$\n"
    assert step_verdicts(text) == [PROVED]


@pytest.mark.parametrize("heading", ["### Lemma 1: a bound on the sample size", "### Lemma 1 — the sample size",
                                     "## Proof of Lemma 1"], ids=["colon-title", "dash-title", "proof-of"])
def test_a_titled_lemma_heading_scopes_its_declarations(heading):
    text = f"{heading}\n\n{COUNT}\n\n$$N \\ge 1$$\n\nThis proves the lemma.\n\nAfterwards\n\n$$N \\ge 1$$\n"
    assert step_verdicts(text) == [PROVED, UNDECIDED]


@pytest.mark.parametrize("heading", ["## Problem setup", "### Lemmas and notation"], ids=["setup", "plural"])
def test_a_heading_that_is_no_statement_label_keeps_its_declarations(heading):
    text = f"{heading}\n\n{COUNT}\n\n$$N \\ge 1$$\n\n## Derivation\n\n$$N \\ge 1$$\n"
    assert step_verdicts(text) == [PROVED, PROVED]
