"""Round 6 (worlds): IWAE bounds tried where q misses the posterior's mass (log p(X) − L_K beyond any constant
the worlds can show), expectations over many samples by multisets of them, leave-one-out sums without
cancellation, and differences in the sizes alone decided exactly (polynomials by their coefficients and roots)."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED
from mathcheck.size_difference import decide_sizes, size_counterexample
from tests.audit_steps import assert_proved, assert_refuted, verdicts

IWAE = ("Draw $z_1, \\dots, z_K$ independently from the encoder $q(z|x)$ and let\n\n$$ w_k := \\frac{p(x, z_k)}{q(z_k|x)} $$"
        "\n\n$$ \\mathcal{L}_K := \\mathbb{E}_{z_1, \\dots, z_K \\sim q(z|x)}\\left[\\log \\frac{1}{K}\\sum_{k=1}^K w_k\\right] $$")
IWAE_JA = ("エンコーダ $q(z|x)$ から $z_1, \\dots, z_K$ を独立に引き、\n\n$$ w_k := \\frac{p(x, z_k)}{q(z_k|x)} $$\n\nとする。"
           "目的関数は\n\n$$ \\mathcal{L}_K := \\mathbb{E}_{z_1, \\dots, z_K \\sim q(z|x)}\\left[\\log \\frac{1}{K}"
           "\\sum_{k=1}^K w_k\\right] $$\n\nである。")
SIZES = r"Let $d \in \mathbb{N}$ be the dimension, $K \in \mathbb{N}$ the samples and $\mathbf{x} \in \mathbb{R}^d$."
ROOTS_1_TO_12 = "(d-1)(d-2)(d-3)(d-4)(d-5)(d-6)(d-7)(d-8)(d-9)(d-10)(d-11)(d-12)"
d = sp.Symbol("d", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
k = sp.Symbol("k", integer=True)


def last_verdict(prose: str, formula: str) -> tuple[str, str]:
    return verdicts(prose + f"\n\n$$ {formula} $$\n")[-1]


@pytest.mark.parametrize("formula", [
    r"\log p(x) \le \mathcal{L}_8 + 2",
    r"\log p(x) - \mathcal{L}_{8} \leq 2",
    r"\log p(x) \le \mathcal{L}_{16} + 5",
    r"\log p(x) - \mathcal{L}_{50} \le 10",
    r"\log p(x) \le \mathcal{L}_{100} + 20",
    r"\mathcal{L}_8 \ge \log p(x) - 1",
    r"\mathcal{L}_K \ge \log p(x) - \frac{3}{K}",
    r"\mathcal{L}_K \ge \log p(x) - \frac{100}{K}",
    r"\log p(x) - \mathcal{L}_K \le \frac{10}{K}",
])
def test_constant_bound_on_the_iwae_gap_is_refuted_where_q_misses_the_posterior(formula):
    assert last_verdict(IWAE, formula)[0] == REFUTED


def test_constant_bound_on_the_iwae_gap_is_refuted_in_japanese_prose():
    assert last_verdict(IWAE_JA, r"\log p(x) \le \mathcal{L}_8 + 2")[0] == REFUTED


@pytest.mark.parametrize("formula", [
    r"\mathcal{L}_K \le \mathcal{L}_{K+1}", r"\mathcal{L}_K \le \log p(x)", r"\mathcal{L}_8 \le \mathcal{L}_{16}",
    r"\mathcal{L}_{16} \le \log p(x)", r"\mathcal{L}_{50} \le \log p(x)",
])
def test_iwae_bound_below_the_evidence_and_monotone_in_k_still_holds(formula):
    assert last_verdict(IWAE, formula)[0] in (PROVED, HOLDS)


def test_iwae_one_sample_is_the_elbo_still_proved():
    formula = r"\mathcal{L}_1 = \mathbb{E}_{q(z|x)}\left[\log \frac{p(x, z)}{q(z|x)}\right]"
    assert last_verdict(IWAE, formula)[0] == PROVED


def test_leave_one_out_average_equals_the_plain_average_in_every_world():
    from mathcheck import registry
    from mathcheck.checker import check_chain

    report = check_chain(registry.derivation_modules()["iwae_bound"].CHAIN, examples=4)
    assert all(step.verdict == PROVED for step in report.steps), [s.detail for s in report.steps]


@pytest.mark.parametrize("formula", [
    r"\prod_{k=1}^{12}(d - k) + d = d",
    ROOTS_1_TO_12 + " = 0",
    r"\sum_{j=1}^{d} x_j = \sum_{j=1}^{d} x_j + " + ROOTS_1_TO_12,
    r"\sum_{k=1}^{d} k = \frac{d(d+1)}{2} + " + ROOTS_1_TO_12,
    r"\sum_{k=1}^{K} k^3 = \frac{K^2(K+1)^2}{4} + \prod_{i=1}^{12}(K-i)",
])
def test_size_polynomial_with_roots_one_to_twelve_is_refuted_at_thirteen(formula):
    found = last_verdict(SIZES, formula)
    assert found[0] == REFUTED and "= 13" in found[1], found


@pytest.mark.parametrize("formula", [
    r"\sum_{k=1}^{d} k = \frac{d(d+1)}{2}", r"\sum_{k=1}^{d} (2k - 1) = d^2",
    r"\sum_{k=1}^{K} k^3 = \left(\frac{K(K+1)}{2}\right)^2", r"d^2 + 1 \ge 2d",
])
def test_size_polynomial_identity_is_proved_exactly(formula):
    assert_proved(SIZES, formula)


def test_size_polynomial_inequality_failing_only_beyond_twelve_is_refuted():
    found = last_verdict(SIZES, r"(d - 20)^2 \ge 1")
    assert found[0] == REFUTED and "d = 20" in found[1], found


@pytest.mark.parametrize("formula", [r"2^d \ge d + 1", r"\sum_{k=1}^{d} \frac{1}{k} \le 1 + \log d"])
def test_non_polynomial_size_difference_holds_only_with_the_sizes_checked(formula):
    found = last_verdict(SIZES, formula)
    assert found[0] == HOLDS and "1..40" in found[1] and "other sizes can" in found[1], found


def test_non_polynomial_size_difference_is_refuted_where_it_fails():
    assert_refuted(SIZES, r"2^d = d + 1 + (d-1)(d-2)")


def test_polynomial_counterexample_is_exact_in_two_sizes():
    roots = sp.prod([(d - i) for i in range(1, 13)])
    sizes, value = size_counterexample(sp.expand((K - 1) * roots))
    assert value != 0 and sizes[d] == 13 and sizes[K] != 1


def test_zero_size_polynomial_is_proved_and_backward_sums_are_not():
    assert decide_sizes(sp.Sum(k, (k, 1, d)) - d * (d + 1) / 2, "=").status == "proved"
    backward = decide_sizes(sp.Sum(k, (k, 3, d)) - (d * (d + 1) / 2 - 3), "=")  # d = 1: the empty sum 0, not −2
    assert backward.status == "refuted" and backward.sizes == {d: 1}


@pytest.mark.parametrize("formula", [
    r"\sum_{j=1}^{d} x_j = \sum_{j=1}^{d} x_j + (d-1)(d-2)(d-3)(d-4)(d-5)(d-8) x_1^2",
    r"\sum_{j=1}^{d} x_j^2 = \left(1 + (d-1)(d-2)(d-3)(d-4)(d-5)(d-8)\right) \sum_{j=1}^{d} x_j^2",
])
def test_component_term_vanishing_at_every_drawn_size_is_refuted_at_another_size(formula):
    found = last_verdict(SIZES, formula)
    assert found[0] == REFUTED and "d = 6" in found[1], found


def test_component_term_vanishing_at_every_size_the_worlds_hold_is_not_held():
    found = last_verdict(SIZES, r"\sum_{j=1}^{d} x_j = \sum_{j=1}^{d} x_j + x_1^2 \prod_{k=1}^{12}(d-k)")
    assert found[0] in (REFUTED, "undecided"), found


def test_component_sum_identity_in_the_size_still_proved():
    assert_proved(SIZES, r"\sum_{j=1}^{d} (x_j + 1) = \sum_{j=1}^{d} x_j + d")


MATRIX_SIZES = r"Let $\mathbf{x} \in \mathbb{R}^d$, $\mu \in \mathbb{R}^d$ and let $A$ be a $d \times d$ matrix."
DRAWN_ROOTS = "(d-1)(d-2)(d-3)(d-4)(d-5)(d-8)"  # every size the matrix worlds draw


@pytest.mark.parametrize("formula", [
    rf"\|\mathbf{{x}}\|^2 = \|\mathbf{{x}}\|^2(1+{DRAWN_ROOTS})",
    rf"\mathbf{{x}}^\top \mathbf{{x}} = \mathbf{{x}}^\top \mathbf{{x}} \left(1+{DRAWN_ROOTS}\right)",
    rf"\mathrm{{tr}}(A) = \mathrm{{tr}}(A(1+{DRAWN_ROOTS}))",
    rf"\mathrm{{tr}}(A) + {DRAWN_ROOTS} \,\mathrm{{tr}}(A^T A) = \mathrm{{tr}}(A)",
    rf"\det(A) = \det(A) (1+{DRAWN_ROOTS})^2",
    rf"A = A (1+{DRAWN_ROOTS})",
])
def test_matrix_step_with_a_size_factor_vanishing_at_every_drawn_size_is_refuted_at_d_6(formula):
    found = last_verdict(MATRIX_SIZES, formula)
    assert found[0] == REFUTED and "d = 6" in found[1], found


def test_matrix_step_with_a_size_factor_hidden_in_a_determinant_is_refuted():
    found = last_verdict(MATRIX_SIZES, rf"\det(A) = \det(A + {DRAWN_ROOTS} I)")
    assert found[0] == REFUTED and "d = 6" in found[1], found


@pytest.mark.parametrize("formula", [
    r"\sum_{k=1}^{K} \|\mathbf{x}\|^2 = K\|\mathbf{x}\|^2 (1+(K-1)(K-2)(K-3)(K-4)(K-5)(K-8))",
    r"\sum_{n=1}^{N} \mu^T \mu = N \mu^T\mu + (N-1)(N-2)(N-3)(N-4)(N-5)(N-8) \mu^T\mu",
])
def test_matrix_step_with_a_factor_in_a_sum_limit_vanishing_at_every_drawn_size_is_refuted(formula):
    found = last_verdict(MATRIX_SIZES, formula)
    assert found[0] == REFUTED and "= 6" in found[1], found


def test_matrix_step_with_a_size_factor_nonzero_only_beyond_the_drawn_sizes_is_refuted_there():
    found = last_verdict(MATRIX_SIZES, rf"\|\mathbf{{x}}\|^2 = \|\mathbf{{x}}\|^2(1+{ROOTS_1_TO_12})")
    assert found[0] == REFUTED and "d = 13" in found[1], found


@pytest.mark.parametrize("terms", [20, 100])
def test_matrix_step_with_a_size_factor_vanishing_beyond_every_world_is_not_held(terms):
    found = last_verdict(MATRIX_SIZES, rf"\mathbf{{x}}^T\mathbf{{x}} = \mathbf{{x}}^T\mathbf{{x}} + "
                                       rf"\prod_{{j=1}}^{{{terms}}}(d-j)\, \mathbf{{x}}^T\mathbf{{x}}")
    assert found[0] in (REFUTED, "undecided"), found


@pytest.mark.parametrize("formula", [
    r"\mathrm{tr}(\mathbf{x}\mathbf{x}^T + I) = \|\mathbf{x}\|^2 + d",
    r"\|\mathbf{x}\|^2 (d+1)^2 = \|\mathbf{x}\|^2 (d^2 + 2d + 1)",
    r"\sum_{k=1}^{K} \|\mathbf{x}\|^2 = K \|\mathbf{x}\|^2",
    r"\mathrm{tr}(A + A^T) = 2\,\mathrm{tr}(A)",
])
def test_matrix_step_polynomial_in_the_sizes_still_proved(formula):
    assert_proved(MATRIX_SIZES, formula)


@pytest.mark.parametrize("formula", [
    r"\sum_{j=3}^{d} 1 = d-2",  # d = 1: the empty sum 0, not −1
    r"\sum_{j=4}^{d} j = \frac{d(d+1)}{2} - 6",  # d = 1, 2: the empty sum 0
    r"\sum_{i=1}^{d} \sum_{j=1}^{i-2} 1 = \frac{d(d-3)}{2}",  # d = 1: Σ_{j=1}^{-1} is empty, not −1
])
def test_size_sum_over_a_possibly_empty_range_is_refuted_at_the_empty_range(formula):
    found = last_verdict(SIZES, formula)
    assert found[0] == REFUTED and "d = 1" in found[1], found


def test_size_sum_with_an_empty_range_written_out_is_the_empty_sum():
    i = sp.Symbol("i", integer=True)
    inner = sp.Sum(1, (k, i, d - 2))
    assert decide_sizes(sp.Sum(inner, (i, 1, d)) - d * (d - 3) / 2, "=").status == "refuted"  # sympy's own value
    assert decide_sizes(sp.Sum(inner, (i, 1, d)) - (d - 1) * (d - 2) / 2, "=").status != "refuted"


def test_size_sum_over_a_range_that_is_never_backwards_still_proved():
    assert_proved(SIZES, r"\sum_{j=1}^{d} j = \frac{d(d+1)}{2}")


def test_size_sum_with_inner_empty_ranges_counted_as_empty_is_not_refuted():
    found = last_verdict(SIZES, r"\sum_{i=1}^{d} \sum_{j=1}^{i-2} 1 = \frac{(d-1)(d-2)}{2}")
    assert found[0] in (PROVED, HOLDS), found
