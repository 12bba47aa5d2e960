"""Plausible wrong KL formulas: the typos a derivation can make. Every checker must reject each of them.

Three kinds, by signature:

- ``std``: ``(mu, sigma)`` for KL(N(mu, sigma^2) || N(0, 1)), the article's formula (line 172);
- ``pair``: ``(mu1, sigma1, mu2, sigma2)`` for KL(N(mu1, sigma1^2) || N(mu2, sigma2^2));
- ``mvn``: ``(mu1, cov1, mu2, cov2)`` for k-variate Gaussians with full covariances.

``MATRIX_MUTANTS`` are different: a step of a multivariate KL derivation (``derivations/gaussian_kl_multivariate``)
with its right-hand side written wrong (a transpose on the wrong factor, a non-cyclic trace reordering, det of a
sum split, the −d dropped, Σ₁ for Σ₂⁻¹Σ₁); ``matrix_mutant_verdict`` checks it with the matrix engine.

Mutants are written naively (inverses, determinants) on purpose: they are only evaluated on
moderate parameters. ``CORRECT`` lists the implementations that must pass the same checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mathcheck.gaussian import kl_mvn, kl_mvn_diag, kl_normal, kl_normal_std, kl_normal_std_logvar

KINDS = ("std", "pair", "mvn")


@dataclass(frozen=True)
class Formula:
    name: str
    kind: str
    formula: Callable[..., float]
    description: str


def _std(name: str, description: str):
    def register(formula):
        return Formula(name, "std", formula, description)
    return register


# ---- KL(N(mu, sigma^2) || N(0, 1)) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2], misremembered


@_std("missing-half", "the factor 1/2 dropped")
def missing_half(mu, sigma):
    return -np.log(sigma**2) + sigma**2 - 1 + mu**2


@_std("sigma-for-sigma-squared", "sigma written where sigma^2 belongs, twice")
def sigma_for_sigma_squared(mu, sigma):
    return 0.5 * (-np.log(sigma) + sigma - 1 + mu**2)


@_std("log-sign-flipped", "+log sigma^2 instead of -log sigma^2")
def log_sign_flipped(mu, sigma):
    return 0.5 * (np.log(sigma**2) + sigma**2 - 1 + mu**2)


@_std("plus-one", "+1 instead of -1")
def plus_one(mu, sigma):
    return 0.5 * (-np.log(sigma**2) + sigma**2 + 1 + mu**2)


@_std("mu-for-mu-squared", "mu instead of mu^2")
def mu_for_mu_squared(mu, sigma):
    return 0.5 * (-np.log(sigma**2) + sigma**2 - 1 + mu)


@_std("missing-mu-squared", "the mean term dropped")
def missing_mu_squared(mu, sigma):
    return 0.5 * (-np.log(sigma**2) + sigma**2 - 1)


@_std("log-sigma-not-squared", "-log sigma instead of -log sigma^2")
def log_sigma_not_squared(mu, sigma):
    return 0.5 * (-np.log(sigma) + sigma**2 - 1 + mu**2)


@_std("direction-swapped", "KL(N(0, 1) || N(mu, sigma^2)) instead of KL(N(mu, sigma^2) || N(0, 1))")
def direction_swapped(mu, sigma):
    return np.log(sigma) + (1 + mu**2) / (2 * sigma**2) - 0.5


# ---- KL(N(mu1, s1^2) || N(mu2, s2^2)) = log(s2/s1) + (s1^2 + (mu1-mu2)^2) / (2 s2^2) - 1/2


def _pair_direction_swapped(mu1, sigma1, mu2, sigma2):
    return np.log(sigma1 / sigma2) + (sigma2**2 + (mu1 - mu2) ** 2) / (2 * sigma1**2) - 0.5


def _pair_shift_over_sigma1(mu1, sigma1, mu2, sigma2):
    return np.log(sigma2 / sigma1) + sigma1**2 / (2 * sigma2**2) + (mu1 - mu2) ** 2 / (2 * sigma1**2) - 0.5


def _pair_log_ratio_inverted(mu1, sigma1, mu2, sigma2):
    return np.log(sigma1 / sigma2) + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2) - 0.5


# ---- KL(N(m1, S1) || N(m2, S2)) = 1/2 [tr(S2^-1 S1) + d^T S2^-1 d - k + log det S2 - log det S1], d = m1 - m2


def _mvn_parts(mu1, cov1, mu2, cov2):
    d = np.asarray(mu1, float) - np.asarray(mu2, float)
    cov1, cov2 = np.asarray(cov1, float), np.asarray(cov2, float)
    return d, cov1, cov2, np.linalg.inv(cov1), np.linalg.inv(cov2), len(d)


def _mvn_trace_swapped(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    return 0.5 * (np.trace(s1_inv @ s2) + d @ s2_inv @ d - k + np.log(np.linalg.det(s2) / np.linalg.det(s1)))


def _mvn_logdet_sign(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    return 0.5 * (np.trace(s2_inv @ s1) + d @ s2_inv @ d - k + np.log(np.linalg.det(s1) / np.linalg.det(s2)))


def _mvn_mahalanobis_cov1(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    return 0.5 * (np.trace(s2_inv @ s1) + d @ s1_inv @ d - k + np.log(np.linalg.det(s2) / np.linalg.det(s1)))


def _mvn_missing_k(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    return 0.5 * (np.trace(s2_inv @ s1) + d @ s2_inv @ d + np.log(np.linalg.det(s2) / np.linalg.det(s1)))


def _mvn_trace_without_inverse(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    return 0.5 * (np.trace(s2 @ s1) + d @ s2_inv @ d - k + np.log(np.linalg.det(s2) / np.linalg.det(s1)))


def _mvn_diagonal_logdet(mu1, cov1, mu2, cov2):
    d, s1, s2, s1_inv, s2_inv, k = _mvn_parts(mu1, cov1, mu2, cov2)
    logdet = np.sum(np.log(np.diag(s2))) - np.sum(np.log(np.diag(s1)))  # ignores the correlations
    return 0.5 * (np.trace(s2_inv @ s1) + d @ s2_inv @ d - k + logdet)


MUTANTS: tuple[Formula, ...] = (
    missing_half,
    sigma_for_sigma_squared,
    log_sign_flipped,
    plus_one,
    mu_for_mu_squared,
    missing_mu_squared,
    log_sigma_not_squared,
    direction_swapped,
    Formula("pair-direction-swapped", "pair", _pair_direction_swapped, "KL(q || p) instead of KL(p || q)"),
    Formula("pair-shift-over-sigma1", "pair", _pair_shift_over_sigma1, "(mu1 - mu2)^2 divided by sigma1^2, not sigma2^2"),
    Formula("pair-log-ratio-inverted", "pair", _pair_log_ratio_inverted, "log(sigma1/sigma2) instead of log(sigma2/sigma1)"),
    Formula("mvn-trace-swapped", "mvn", _mvn_trace_swapped, "tr(S1^-1 S2) instead of tr(S2^-1 S1)"),
    Formula("mvn-logdet-sign", "mvn", _mvn_logdet_sign, "log det S1 - log det S2: the log-determinant sign flipped"),
    Formula("mvn-mahalanobis-cov1", "mvn", _mvn_mahalanobis_cov1, "the mean term weighted by S1^-1, not S2^-1"),
    Formula("mvn-missing-k", "mvn", _mvn_missing_k, "the -k dropped"),
    Formula("mvn-trace-without-inverse", "mvn", _mvn_trace_without_inverse, "tr(S2 S1) instead of tr(S2^-1 S1)"),
    Formula("mvn-diagonal-logdet", "mvn", _mvn_diagonal_logdet, "log det from the diagonal only (correlations ignored)"),
)


def _std_via_logvar(mu, sigma):
    return kl_normal_std_logvar(mu, 2.0 * np.log(sigma))


def _std_via_diag(mu, sigma):
    return kl_mvn_diag(np.asarray(mu, float)[..., None], np.asarray(sigma, float)[..., None])


CORRECT: tuple[Formula, ...] = (
    Formula("kl_normal_std", "std", kl_normal_std, "the article's formula (line 172)"),
    Formula("kl_normal_std_logvar", "std", _std_via_logvar, "the VAE parametrization, logvar = log sigma^2"),
    Formula("kl_mvn_diag", "std", _std_via_diag, "the diagonal multivariate form with k = 1"),
    Formula("kl_normal", "pair", kl_normal, "general univariate"),
    Formula("kl_mvn", "mvn", kl_mvn, "full covariance, via Cholesky factors"),
)


def by_name(name: str) -> Formula:
    for formula in MUTANTS + CORRECT:
        if formula.name == name:
            return formula
    raise ValueError(f"no formula named {name!r}; known: {', '.join(f.name for f in MUTANTS + CORRECT)}")


# ---- matrix mutants: one step of a multivariate derivation written wrong (each must be refuted)


@dataclass(frozen=True)
class StepMutant:
    """Step ``step`` (1-based) of derivation ``derivation`` with its right-hand side replaced by ``build(module)``."""

    name: str
    derivation: str
    step: int
    description: str
    build: Callable[..., object]


def _mv_trace_trick_transposed(m):  # (x−μ₁)ᵀ(x−μ₁) where (x−μ₁)(x−μ₁)ᵀ belongs: a 1×1 times d×d
    import sympy as sp
    wrong = m.Sigma1.I * ((m.x - m.mu1).T * (m.x - m.mu1))
    return (-m.half * m.Expectation(m.Q, sp.Trace(wrong)) + m.half * m.Expectation(m.Q, m.quad2)
            + m.half * m.logdet2 - m.half * m.logdet1)


def _mv_trace_non_cyclic(m):  # tr((x−μ₁) Σ₁⁻¹ (x−μ₁)ᵀ): not a rotation of tr(Σ₁⁻¹ (x−μ₁)(x−μ₁)ᵀ)
    import sympy as sp
    wrong = (m.x - m.mu1) * m.Sigma1.I * (m.x - m.mu1).T
    return (-m.half * m.Expectation(m.Q, sp.Trace(wrong)) + m.half * m.Expectation(m.Q, m.quad2)
            + m.half * m.logdet2 - m.half * m.logdet1)


def _mv_det_sum_split(m):  # log det Σ₂ − log det Σ₁ from det(Σ₁ + Σ₂) = det Σ₁ + det Σ₂ (wrong for d ≥ 2)
    import sympy as sp
    return m.CLOSED_FORM + m.half * (sp.log(sp.Determinant(m.Sigma1 + m.Sigma2))
                                     - sp.log(sp.Determinant(m.Sigma1) + sp.Determinant(m.Sigma2)))


def _mv_minus_d_dropped(m):
    return m.CLOSED_FORM + m.half * m.d


def _mv_sigma1_for_product(m):  # tr(Σ₁) where tr(Σ₂⁻¹Σ₁) belongs
    import sympy as sp
    return m.CLOSED_FORM + m.half * (sp.Trace(m.Sigma1) - sp.Trace(m.Sigma2.I * m.Sigma1))


def _mv_transpose_general(m):  # (Σ₂⁻¹ A)ᵀ = Σ₂⁻¹ Aᵀ for a general (non-symmetric) A: the transpose on the wrong factor
    import sympy as sp
    from mathcheck.matrices import matrix
    a = matrix("A")
    return sp.Trace((m.Sigma2.I * a).T * m.Sigma1) - sp.Trace(m.Sigma2.I * a.T * m.Sigma1) + m.CLOSED_FORM


def _diag_minus_one_dropped(m):
    import sympy as sp
    return m.half * sp.Sum(m.mu[m.j] ** 2 + m.sigma[m.j] ** 2 - sp.log(m.sigma[m.j] ** 2), (m.j, 1, m.d))


def _diag_log_sigma_not_squared(m):
    import sympy as sp
    return m.half * sp.Sum(m.mu[m.j] ** 2 + m.sigma[m.j] ** 2 - 1 - sp.log(m.sigma[m.j]), (m.j, 1, m.d))


MATRIX_MUTANTS: tuple[StepMutant, ...] = (
    StepMutant("mv-trace-trick-transposed", "gaussian_kl_multivariate", 4,
               "(x−μ)ᵀ(x−μ) written for (x−μ)(x−μ)ᵀ in the trace trick (the transpose on the wrong factor)",
               _mv_trace_trick_transposed),
    StepMutant("mv-trace-non-cyclic", "gaussian_kl_multivariate", 4,
               "tr((x−μ)Σ⁻¹(x−μ)ᵀ) for tr(Σ⁻¹(x−μ)(x−μ)ᵀ): a non-cyclic reordering of the trace", _mv_trace_non_cyclic),
    StepMutant("mv-det-sum-split", "gaussian_kl_multivariate", 8,
               "det(Σ₁ + Σ₂) split into det Σ₁ + det Σ₂", _mv_det_sum_split),
    StepMutant("mv-minus-d-dropped", "gaussian_kl_multivariate", 8, "the −d dropped", _mv_minus_d_dropped),
    StepMutant("mv-sigma1-for-product", "gaussian_kl_multivariate", 8, "tr(Σ₁) for tr(Σ₂⁻¹Σ₁)", _mv_sigma1_for_product),
    StepMutant("mv-transpose-wrong-factor", "gaussian_kl_multivariate", 8,
               "(Σ₂⁻¹A)ᵀ = Σ₂⁻¹Aᵀ for a general A: the transpose on the wrong factor", _mv_transpose_general),
    StepMutant("diag-minus-one-dropped", "gaussian_kl_diagonal", 3, "the −1 in each summand (the −d) dropped",
               _diag_minus_one_dropped),
    StepMutant("diag-log-sigma-not-squared", "gaussian_kl_diagonal", 3, "log σ_j for log σ_j² in each summand",
               _diag_log_sigma_not_squared),
)


def matrix_mutant_verdict(mutant: StepMutant, seed: int = 0):
    """(verdict, detail) of the derivation's step with the mutant's right-hand side."""
    from mathcheck.calc import Step
    from mathcheck.matrices import ShapeError
    from mathcheck.matrix_numeric import decide_matrix
    from mathcheck.registry import derivation_modules
    from mathcheck.report import REFUTED

    module = derivation_modules()[mutant.derivation]
    lhs, step = list(module.CHAIN.pairs())[mutant.step - 1]
    try:
        wrong = mutant.build(module)
    except (ShapeError, ValueError, TypeError) as error:  # sympy refuses some ill-formed products outright
        return REFUTED, {"reason": f"ill-formed: {error}"}
    return decide_matrix(lhs, Step(step.relation, wrong, step.why, step.rules), seed=seed)
