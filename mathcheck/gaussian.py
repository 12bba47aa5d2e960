"""Closed-form KL divergences between Gaussians, accurate over the whole float64 range.

The article (line 172) states, for p = N(mu, sigma^2) and q = N(0, 1),

    KL(p || q) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2].

Written naively this fails at the extremes: sigma^2 overflows for sigma > 1.3e154, and
``sigma^2 - 1 - log sigma^2`` loses every digit to cancellation near sigma = 1. Here every KL is
assembled from non-negative pieces, ``(r^2 - 1 - log r^2) / 2`` (``half_excess``, with a series near
r = 1) plus a squared mean shift, so nothing cancels and nothing overflows before the true value does.
Numpy inputs broadcast; scalars give floats. Invalid input raises ``ValueError`` (one line); a KL whose
true value exceeds float64 (e.g. mu = 1e160) also raises ``ValueError``: never inf, never NaN.

The closed form is derived symbolically in ``derivations.gaussian_kl_std``; this module is checked
numerically against quadrature, Monte Carlo, mpmath and torch.distributions (``mathcheck.references``).
"""
from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import scipy.linalg

# (e^x - 1 - x) / 2 = sum_{k>=2} x^k / (2 k!); used for |x| < 1/2, where 16 terms reach full precision.
_SERIES = np.array([1.0 / (2.0 * math.factorial(k)) for k in range(2, 18)])
_SERIES_LIMIT = 0.25  # |log r| below this: the series; above it the direct form loses < 4 bits


def kl_normal_std(mu: Any, sigma: Any) -> Any:
    """KL(N(mu, sigma^2) || N(0, 1)) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2], elementwise.

    >>> kl_normal_std(0.0, 1.0)
    0.0
    >>> round(kl_normal_std(1.0, 2.0), 12)  # 1/2 (-log 4 + 4 - 1 + 1)
    1.30685281944
    """
    mu, sigma = _as_arrays("kl_normal_std", mu=mu, sigma=sigma)
    _require_positive("kl_normal_std", "sigma", sigma)
    with np.errstate(over="ignore", under="ignore"):
        result = half_excess(np.log(sigma), sigma) + _half_square(mu)
    return _finish("kl_normal_std", result)


def kl_normal_std_logvar(mu: Any, logvar: Any) -> Any:
    """KL(N(mu, exp(logvar)) || N(0, 1)) = 1/2 [-logvar + exp(logvar) - 1 + mu^2], elementwise.

    The VAE parametrization, and the one implementation ``vae_min`` uses for its loss. Proved by
    ``derivations.gaussian_kl_std`` (the closed form, derived with sympy).

    Torch tensors go through torch operations only (differentiable, elementwise, no validation, dtype
    and device kept); ``expm1`` keeps ``exp(logvar) - 1 - logvar`` accurate near logvar = 0. Anything
    else is treated as numpy input: validated, float64, overflow raises ``ValueError``.

    >>> kl_normal_std_logvar(0.0, 0.0)
    0.0
    """
    torch = sys.modules.get("torch")  # never import torch here: only a caller that has it passes tensors
    if torch is not None and (isinstance(mu, torch.Tensor) or isinstance(logvar, torch.Tensor)):
        like = mu if isinstance(mu, torch.Tensor) else logvar
        mu, logvar = (torch.as_tensor(v, dtype=like.dtype, device=like.device) for v in (mu, logvar))
        return 0.5 * (torch.expm1(logvar) - logvar + mu.pow(2))
    mu, logvar = _as_arrays("kl_normal_std_logvar", mu=mu, logvar=logvar)
    log_sigma = 0.5 * logvar  # exact
    with np.errstate(over="ignore", under="ignore"):
        result = half_excess(log_sigma, np.exp(log_sigma)) + _half_square(mu)
    return _finish("kl_normal_std_logvar", result)


def kl_normal(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> Any:
    """KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(sigma2/sigma1) + (sigma1^2 + (mu1-mu2)^2)/(2 sigma2^2) - 1/2.

    >>> round(kl_normal(1.0, 2.0, 0.0, 1.0), 12) == round(kl_normal_std(1.0, 2.0), 12)
    True
    """
    mu1, sigma1, mu2, sigma2 = _as_arrays("kl_normal", mu1=mu1, sigma1=sigma1, mu2=mu2, sigma2=sigma2)
    _require_positive("kl_normal", "sigma1", sigma1)
    _require_positive("kl_normal", "sigma2", sigma2)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        log_ratio, ratio = _log_ratio(sigma1, sigma2)
        shift = (mu1 - mu2) / sigma2
        result = half_excess(log_ratio, ratio) + _half_square(shift)
    return _finish("kl_normal", result)


def kl_mvn_diag(mu: Any, sigma: Any) -> Any:
    """KL(N(mu, diag(sigma^2)) || N(0, I)): ``kl_normal_std`` summed over the last axis.

    >>> round(kl_mvn_diag([1.0, 0.0], [2.0, 1.0]), 12) == round(kl_normal_std(1.0, 2.0), 12)
    True
    """
    mu, sigma = _as_arrays("kl_mvn_diag", mu=mu, sigma=sigma)
    if mu.ndim == 0:
        raise ValueError("kl_mvn_diag: mu and sigma need at least one axis (the dimensions of z)")
    terms = kl_normal_std(mu, sigma)
    result = np.sum(terms, axis=-1)
    return _finish("kl_mvn_diag", result)


def kl_mvn(mu1: Any, cov1: Any, mu2: Any, cov2: Any) -> float:
    """KL(N(mu1, cov1) || N(mu2, cov2)) for full covariances (one pair of k-dimensional Gaussians).

    With Cholesky factors cov = L L^T and A = L2^{-1} L1 (lower triangular, A_ii = L1_ii / L2_ii),
    z = L2^{-1} (mu1 - mu2):

        KL = 1/2 [tr(cov2^{-1} cov1) - k + log det cov2 - log det cov1 + (mu1-mu2)^T cov2^{-1} (mu1-mu2)]
           = sum_i half_excess(log A_ii) + 1/2 sum_{i != j} A_ij^2 + 1/2 |z|^2,

    a sum of non-negative terms; no inverse and no determinant is formed.

    >>> round(kl_mvn([1.0, 0.0], [[4.0, 0.0], [0.0, 1.0]], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), 12)
    1.30685281944
    """
    mu1, mu2 = (_finite_array("kl_mvn", name, v) for name, v in (("mu1", mu1), ("mu2", mu2)))
    cov1, cov2 = (_finite_array("kl_mvn", name, v) for name, v in (("cov1", cov1), ("cov2", cov2)))
    k = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu1.ndim != 1 or mu2.shape != (k,) or cov1.shape != (k, k) or cov2.shape != (k, k):
        raise ValueError(
            f"kl_mvn: expected mu1, mu2 of shape (k,) and cov1, cov2 of shape (k, k); got "
            f"{mu1.shape}, {cov1.shape}, {mu2.shape}, {cov2.shape}"
        )
    chol1, chol2 = _cholesky("cov1", cov1), _cholesky("cov2", cov2)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        a = scipy.linalg.solve_triangular(chol2, chol1, lower=True)
        z = scipy.linalg.solve_triangular(chol2, mu1 - mu2, lower=True)
        diagonal = np.diag(a)
        off_diagonal = a[~np.eye(k, dtype=bool)]
        result = (
            np.sum(half_excess(np.log(diagonal), diagonal))
            + np.sum(_half_square(off_diagonal))
            + np.sum(_half_square(z))
        )
    return _finish("kl_mvn", result)


def half_excess(log_r: np.ndarray, r: np.ndarray) -> np.ndarray:
    """(r^2 - 1 - log r^2) / 2 >= 0, given log r and r = exp(log r) (r may be inf or 0 if it over/underflows).

    This is the sigma-part of every Gaussian KL. Near r = 1 it is the series of (e^x - 1 - x)/2 in
    x = 2 log r (the direct form cancels); elsewhere (r/2) r - 1/2 - log r, which overflows only when
    the true value does.
    """
    log_r = np.asarray(log_r, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    x = 2.0 * log_r
    series = x * x * np.polynomial.polynomial.polyval(x, _SERIES)
    with np.errstate(over="ignore", invalid="ignore"):
        direct = (0.5 * r) * r - 0.5 - log_r
    return np.where(np.abs(log_r) < _SERIES_LIMIT, series, direct)


def _half_square(x: np.ndarray) -> np.ndarray:
    return (0.5 * x) * x  # 0.5 x is exact, so one rounding, and no overflow before x^2 / 2 overflows


def _log_ratio(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log(n/d) and n/d, accurate when n ~ d (log1p of the exact difference) and when n/d over/underflows."""
    ratio = numerator / denominator
    near_one = (ratio > 0.5) & (ratio < 2.0)
    representable = (ratio > np.finfo(np.float64).tiny) & np.isfinite(ratio)
    log_ratio = np.where(
        near_one,
        np.log1p((numerator - denominator) / denominator),  # the difference is exact (Sterbenz)
        np.where(representable, np.log(np.where(representable, ratio, 1.0)), np.log(numerator) - np.log(denominator)),
    )
    return log_ratio, ratio


def _as_arrays(function: str, **values: Any) -> list[np.ndarray]:
    arrays = [_finite_array(function, name, value) for name, value in values.items()]
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(values, arrays))
        raise ValueError(f"{function}: shapes do not broadcast: {shapes}") from None


def _finite_array(function: str, name: str, value: Any) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{function}: {name} must be real numbers, got {type(value).__name__}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{function}: {name} must be finite (got NaN or inf)")
    return array


def _require_positive(function: str, name: str, sigma: np.ndarray) -> None:
    if not np.all(sigma > 0):
        raise ValueError(f"{function}: {name} must be > 0 (a standard deviation), got {float(np.min(sigma))!r}")


def _cholesky(name: str, cov: np.ndarray) -> np.ndarray:
    scale = np.max(np.abs(cov)) if cov.size else 0.0
    if not np.allclose(cov, cov.T, rtol=1e-12, atol=1e-12 * scale):
        raise ValueError(f"kl_mvn: {name} must be symmetric")
    try:
        factor, lower = scipy.linalg.cho_factor(cov, lower=True)
    except np.linalg.LinAlgError:
        raise ValueError(f"kl_mvn: {name} must be symmetric positive definite") from None
    return np.tril(factor)


def _finish(function: str, result: np.ndarray) -> Any:
    if not np.all(np.isfinite(result)):
        raise ValueError(f"{function}: the KL exceeds the float64 range (its true value is above 1.8e308)")
    return float(result) if np.ndim(result) == 0 else result
