"""Round 5 (mworlds): size-only differences decided exactly, expectation-free differences evaluated in closed
form (no Monte Carlo slack), IWAE bounds tried in worlds whose importance weights spread."""
from __future__ import annotations

import pytest
import sympy as sp

from mathcheck.report import HOLDS, PROVED, REFUTED
from mathcheck.size_difference import size_counterexample
from tests.audit_steps import assert_proved, assert_refuted, verdicts

VECTORS = r"Let $\mathbf{x} \in \mathbb{R}^d$ and $A \in \mathbb{R}^{d\times d}$."
GAUSS = (r"Let $\boldsymbol{\mu}, \boldsymbol{\sigma} \in \mathbb{R}^d$ with $\sigma_j > 0$, and let "
         r"$\mathbf{z} \sim \mathcal{N}(\boldsymbol{\mu}, \mathrm{diag}(\boldsymbol{\sigma}^2))$.")
IWAE = ("Draw $z_1, \\dots, z_K$ independently from the encoder $q(z|x)$ and let\n\n$$ w_k := \\frac{p(x, z_k)}{q(z_k|x)} $$"
        "\n\n$$ \\mathcal{L}_K := \\mathbb{E}_{z_1, \\dots, z_K \\sim q(z|x)}\\left[\\log \\frac{1}{K}\\sum_{k=1}^K w_k\\right] $$")


def test_size_polynomial_with_roots_at_the_drawn_sizes_has_a_counterexample():
    d = sp.Symbol("d", integer=True, positive=True)
    sizes, value = size_counterexample((d - 1) * (d - 2) * (d - 3) * (d - 4) * (d - 5) * (d - 8))
    assert value != 0 and sizes[d] not in (1, 2, 3, 4, 5, 8)


@pytest.mark.parametrize("formula", [
    r"\mathrm{tr}(A) = \mathrm{tr}(A) + (d-1)(d-2)(d-3)(d-5)",
    r"\mathrm{tr}(A) = \mathrm{tr}(A) + (d-1)(d-2)(d-3)(d-4)(d-5)(d-8)",
    r"\sum_{j=1}^{d} x_j = \sum_{j=1}^{d} x_j + (d-1)(d-2)(d-3)(d-5)",
    r"\sum_{j=1}^{d} x_j = \sum_{j=1}^{d} x_j + (d-1)(d-2)(d-3)(d-4)(d-5)(d-8)",
    r"\prod_{j=1}^{d} x_j^2 = \prod_{j=1}^{d} x_j^2 \cdot (1 + (d-1)(d-2)(d-3)(d-5))",
])
def test_size_only_difference_is_refuted(formula):
    assert_refuted(VECTORS, formula)


@pytest.mark.parametrize("formula", [
    r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \sum_{j=1}^d (\mu_j^2 + 1.01\sigma_j^2)",
    r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \sum_{j=1}^d (1.02\mu_j^2 + \sigma_j^2)",
    r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \sum_{j=1}^d (\mu_j^2 + \sigma_j^2) + \frac{d}{1000}",
    r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \sum_{j=1}^d (\mu_j^2 + \sigma_j^2) + \frac{\sigma_1^2}{100}",
    r"\mathbb{E}\left[\|\mathbf{z} - \boldsymbol{\mu}\|^2\right] = \sum_{j=1}^d 1.001\sigma_j^2",
    r"\mathbb{E}\left[\log \mathcal{N}(\mathbf{z}; \mathbf{0}, I)\right] = -\frac{d}{2}\log(2\pi) - "
    r"\frac{1}{2}\sum_{j=1}^d (\mu_j^2 + 0.98\sigma_j^2)",
])
def test_small_relative_error_in_a_gaussian_closed_form_is_refuted(formula):
    assert_refuted(GAUSS, formula)


def test_right_gaussian_closed_form_stays_proved():
    assert_proved(GAUSS, r"\mathbb{E}\left[\|\mathbf{z}\|^2\right] = \sum_{j=1}^d (\mu_j^2 + \sigma_j^2)")


@pytest.mark.parametrize("formula", [
    r"\mathcal{L}_K \leq \mathcal{L}_1 + \log K",
    r"\mathcal{L}_2 \leq \mathcal{L}_1 + \log 2",
    r"\mathcal{L}_3 \leq \mathcal{L}_1 + 1",
    r"\log p(x) - \mathcal{L}_1 \leq 2",
    r"\log p(x) - \mathcal{L}_K \leq 3",
])
def test_false_iwae_bound_is_refuted_where_weights_spread(formula):
    found = verdicts(IWAE + f"\n\n$$ {formula} $$\n")
    assert found[-1][0] == REFUTED, found[-1]


@pytest.mark.parametrize("formula", [r"\mathcal{L}_K \leq \mathcal{L}_{2K}", r"\mathcal{L}_K \leq \log p(x)",
                                     r"\mathcal{L}_1 \leq \mathcal{L}_2"])
def test_true_iwae_bound_is_not_refuted(formula):
    found = verdicts(IWAE + f"\n\n$$ {formula} $$\n")
    assert found[-1][0] in (PROVED, HOLDS), found[-1]
