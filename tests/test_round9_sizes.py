"""Round 9, sizes: an inequality in the sizes alone that is a ratio of polynomials in one size (1/d ≤ 1,
d/(d+1) < 1) is decided exactly at every size; one in several sizes is proved by sympy's sign rules once each
size s is written 1 + t (1/d + 1/N ≤ 2). A proof must hold at every size and a refutation must fail at its size.

Reference: exact rational arithmetic (``fractions.Fraction``) at the sizes 1..``SCAN``, independent of sympy."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from mathcheck.report import HOLDS, PROVED
from mathcheck.size_difference import decide_sizes
from tests.audit_steps import step_verdicts as _verdicts

d = sp.Symbol("d", integer=True, positive=True)
N = sp.Symbol("N", integer=True, positive=True)
SCAN = 60
RELATIONS = (">=", ">", "<=", "<")

coefficients = st.lists(st.integers(-4, 4), min_size=1, max_size=4)


def _polynomial(coeffs: list[int]) -> sp.Expr:
    return sum(c * d**k for k, c in enumerate(coeffs))


def _value(coeffs: list[int], size: int) -> Fraction:
    return Fraction(sum(c * size**k for k, c in enumerate(coeffs)))


def _holds(margin: Fraction, relation: str) -> bool:
    return {">=": margin >= 0, ">": margin > 0, "<=": margin <= 0, "<": margin < 0}[relation]


@given(coefficients, coefficients, st.sampled_from(RELATIONS))
def test_a_ratio_in_one_size_is_decided_as_exact_arithmetic_says(top, bottom, relation):
    if all(_value(bottom, k) != 0 for k in range(1, SCAN + 1)) and any(bottom):
        difference = _polynomial(top) / _polynomial(bottom)
        verdict = decide_sizes(difference, relation)
        values = {k: _value(top, k) / _value(bottom, k) for k in range(1, SCAN + 1)}
        if verdict is not None and verdict.status == "proved":
            assert all(_holds(v, relation) for v in values.values())
        if verdict is not None and verdict.status == "refuted":
            assert not _holds(values[int(verdict.sizes[d])], relation)


@pytest.mark.parametrize("difference, relation", [
    pytest.param(1 / d - 1, "<=", id="one-over-d-at-most-one"),
    pytest.param(1 / d, ">", id="one-over-d-positive"),
    pytest.param(d / (d + 1) - 1, "<", id="d-over-d-plus-one-below-one"),
    pytest.param(1 / d**2 - 1 / d, "<=", id="inverse-square-below-inverse"),
    pytest.param(1 / d + 1 / N - 2, "<=", id="two-inverse-sizes-at-most-two"),
    pytest.param((N + d) / d - 1, ">", id="ratio-of-sums-above-one"),
])
def test_a_true_size_inequality_is_proved(difference, relation):
    assert decide_sizes(difference, relation).status == "proved"


@pytest.mark.parametrize("difference, relation, sizes", [
    pytest.param(1 / d - 1, "<", {d: 1}, id="one-over-d-below-one-fails-at-one"),
    pytest.param((d - 3) * (d - 5) / (d + 1), ">=", {d: 4}, id="negative-between-roots"),
    pytest.param(1 / d + 1 / N - 1, ">=", None, id="two-inverse-sizes-at-least-one"),
    pytest.param(N / d - 1, ">=", None, id="ratio-of-sizes-at-least-one"),
    pytest.param(d * (sp.Float(0.1) + sp.Float(0.2) - sp.Float(0.3)), ">", {d: 1}, id="float-rounding-not-positive"),
])
def test_a_false_size_inequality_is_refuted_where_it_fails(difference, relation, sizes):
    verdict = decide_sizes(difference, relation)
    assert verdict.status == "refuted"
    value = difference.subs(verdict.sizes)
    assert not _holds(Fraction(int(sp.numer(value)), int(sp.denom(value))), relation)
    if sizes is not None:
        assert verdict.sizes == sizes


# --- the prose declares counts: "d is the number of latent dimensions", "K はサンプル数", "K a positive integer"


COUNT_DECLARATIONS = [
    pytest.param("Let $d$ be the number of latent dimensions.", "d", id="number-of-latent-dimensions"),
    pytest.param("Let $x$ be data and $N$ the number of data points.", "N", id="apposition-number-of"),
    pytest.param("Here $T$ is the latent dimension.", "T", id="the-latent-dimension"),
    pytest.param("Let $M$ be a positive integer.", "M", id="capital-positive-integer"),
    pytest.param("Let $K \\in \\mathbb{N}$.", "K", id="capital-in-naturals"),
    pytest.param("$K$ はサンプル数とする。", "K", id="ja-sample-count"),
    pytest.param("$D$ は潜在変数の次元である。", "D", id="ja-dimension-of-latent"),
]


@pytest.mark.parametrize("prose, name", COUNT_DECLARATIONS)
def test_a_count_the_prose_declares_makes_one_over_it_at_most_one(prose, name):
    assert _verdicts(f"{prose}\n\n$$\\frac{{1}}{{{name}}} \\le 1$$\n") == [PROVED]


@pytest.mark.parametrize("prose, name", COUNT_DECLARATIONS)
def test_a_count_the_prose_declares_can_be_one(prose, name):
    assert _verdicts(f"{prose}\n\n$$\\frac{{1}}{{{name}}} < 1$$\n")[0] not in (PROVED, HOLDS)


NOT_COUNTS = [
    pytest.param("$z$ は多次元ベクトルである。", "z", id="ja-multidimensional-vector"),
    pytest.param("$w$ はサンプル数に依存する。", "w", id="ja-depends-on-the-count"),
    pytest.param("Here $u$ is the mean, not the number of samples.", "u", id="the-mean"),
    pytest.param("Here $s$ is not the number of samples.", "s", id="negated"),
    pytest.param("Let $\\sigma$, the dimension-wise standard deviation, be given.", "\\sigma", id="dimension-wise"),
    pytest.param("Let $N$ be the number of data points divided by two, a real number.", "N", id="count-divided"),
    pytest.param("$\\alpha$ is the latent dimension scaling factor.", "\\alpha", id="dimension-scaling-factor"),
    pytest.param("Let $t$ be the number of latent dimensions times $\\sigma$.", "t", id="count-times-sigma"),
    pytest.param("Let $b$ be the number of bits per dimension.", "b", id="bits-per-dimension"),
    pytest.param("Let $v$ be the number of inactive dimensions, which may be zero.", "v", id="may-be-zero"),
]


@pytest.mark.parametrize("prose, name", NOT_COUNTS)
def test_a_name_not_declared_a_count_is_not_taken_for_one(prose, name):
    assert _verdicts(f"{prose}\n\n$$\\frac{{1}}{{{name}}} \\le 1$$\n")[0] not in (PROVED, HOLDS)


@pytest.mark.parametrize("difference, relation", [
    pytest.param(2**d - 10**13, "<=", id="power-outgrows-a-bound-past-the-scan"),
    pytest.param(sp.sqrt(d) - sp.Rational(13, 2), "<=", id="root-outgrows-a-bound"),
    pytest.param(sp.log(d) - sp.Rational(19, 5), "<=", id="log-outgrows-a-bound"),
])
def test_a_bound_that_fails_past_the_scanned_sizes_is_refuted(difference, relation):
    verdict = decide_sizes(difference, relation)
    assert verdict.status == "refuted" and verdict.sizes[d] > 40
    assert not (sp.N(difference.subs(d, verdict.sizes[d])) <= 0)


@pytest.mark.parametrize("difference, relation, size", [
    pytest.param(1 / (d - 50), "<=", 50, id="ratio-undefined-at-fifty"),
    pytest.param((d + 1) / (d - 1) - 1, ">=", 1, id="ratio-undefined-at-one"),
    pytest.param(1 / (d - 2) - 1, "<=", 2, id="ratio-undefined-at-two"),
])
def test_a_size_inequality_undefined_at_a_size_is_not_passed(difference, relation, size):
    assert difference.subs(d, size).has(sp.zoo)
    verdict = decide_sizes(difference, relation)
    assert verdict.status in ("undefined", "refuted") and verdict.status != "proved"
