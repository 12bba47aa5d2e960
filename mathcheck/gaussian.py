"""Closed-form KL divergences between Gaussians, accurate over the whole float64 range.

The article (line 172) states, for p = N(mu, sigma^2) and q = N(0, 1),

    KL(p || q) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2].

Written naively this fails at the extremes: sigma^2 overflows for sigma > 1.3e154, mu1 - mu2 overflows for
mu1 = -mu2 = 1e308 (while the KL against a wide q is finite), and ``sigma^2 - 1 - log sigma^2`` loses every
digit to cancellation near sigma = 1. Here every KL is a sum of two non-negative pieces,

    KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = [r^2/2 - 1/2 - log r] + [(mu1 - mu2) / sigma2]^2 / 2,   r = sigma1/sigma2,

each a double-double (a float plus its rounding error) built from mantissas and exponents (``frexp``), so
nothing cancels and no intermediate over- or underflows before the result does:

- the sigma part near r = 1 (|r - 1| <= 1/2) is the series d^2 (1 - d/3 + d^2/4 - ...) in d = r - 1, taken
  from the exact difference sigma1 - sigma2; elsewhere r^2/2 - 1/2 - log r with r^2 exact and
  log r = k log 2 + log rho (r = rho 2^k), scaled by 4^-k while it is summed;
- the mean part is the exact square of the double-double quotient (mu1 - mu2) / sigma2;
- with logvar = x, the sigma part is (e^x - 1 - x)/2: a Taylor series for -1 < x < 1.5, expm1 elsewhere,
  e^(x - log 2) where e^x overflows but e^x / 2 does not.

What is left is the rounding of ``log`` and ``expm1`` (under one unit in the last place each) and of the
series; the bounds measured against mpmath at 50 digits are in ``ACCURACY`` (tests/test_gaussian_extremes.py
checks them). Numpy inputs broadcast; scalars give floats. Invalid input raises ``ValueError`` (one line):
strings, booleans, complex numbers, objects that are not real numbers, NaN, inf, sigma <= 0, shapes that do
not broadcast. A KL whose true value exceeds float64 (e.g. mu = 1e160) also raises ``ValueError``: never
inf, never NaN. The torch path of ``kl_normal_std_logvar`` validates and reports overflow the same way.

The closed form is derived symbolically in ``mathcheck.derivations.gaussian_kl_std``; this module is checked
numerically against quadrature, Monte Carlo, mpmath and torch.distributions (``mathcheck.references``).
"""
from __future__ import annotations

import functools
import math
import sys
from typing import Any

import numpy as np
import scipy  # scipy.linalg is imported on first use (scipy loads its submodules lazily)

# Bounds on the relative error against mpmath (50 digits), float64 unless named, each about twice the worst
# measured over dense sweeps (25 000 to 100 000 points per region) and hypothesis; the tests hold the code
# to them. kl_mvn is only backward stable: the Cholesky factorizations and triangular solves add about
# k kappa 1e-16 in absolute terms, so its bound is for condition numbers <= 10 and covariances that are not
# nearly equal (measured worst 6e-15); as cov1 -> cov2 the KL -> 0 and its relative error grows.
ACCURACY = {
    "kl_normal_std": 5e-16,  # measured worst 2.5e-16 (sigma near 1/2, the series edge)
    "kl_normal_std_logvar": 5e-16,  # measured worst 2.8e-16 (logvar near 1.6, expm1 - logvar)
    "kl_normal": 5e-16,  # measured worst 2.4e-16
    "kl_mvn_diag": 6e-16,  # measured worst 1.2e-16 for 8 dimensions
    "kl_mvn": 2e-14,
    "torch float64": 5e-16,  # measured worst 2.8e-16
    "torch float32": 4e-7,  # measured worst 1.6e-7 (1.3 float32 eps)
    "torch float64 gradient": 4e-16,  # d/dlogvar = expm1(logvar)/2, measured worst 2e-16
    "torch float32 gradient": 2.5e-7,  # measured worst 1.1e-7
}

_SPLITTER = 134217729.0  # 2^27 + 1: Dekker's split of a float into two 26-bit halves
_LN2_HI = 6.93147180369123816490e-01  # 33 significant bits, so k * _LN2_HI is exact for |k| < 2^20
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_NEAR_ONE = 0.5  # |r - 1| up to this: the series in d = r - 1
# r^2/2 - 1/2 - log r = d + d^2/2 - log(1 + d) = d^2 Q(d), Q(d) = 1 + sum_{j>=1} (-d)^j / (j + 2);
# 52 terms reach 2^-56 at |d| = 1/2
_Q_SERIES = np.array([1.0] + [(-1.0) ** j / (j + 2) for j in range(1, 52)])
# e^x - 1 - x = x^2 P(x), P(x) = sum_j x^j / (j + 2)!; 22 terms reach 2^-56 at x = 1.5
_P_SERIES = np.array([1.0 / math.factorial(j + 2) for j in range(22)])
# where x^2 P(x) is used (its rounding grows with x, and the switch at 1.5 measured best); outside,
# expm1(x) - x cancels by a factor below 1.8 (x >= 1.5) or 1.7 (x <= -1)
_SERIES_FROM, _SERIES_TO = -1.0, 1.5
_HUGE_LOGVAR = 708.0  # above this expm1 nears overflow while the KL ~ e^x / 2 does not yet

DoubleDouble = tuple  # (hi, lo): the value hi + lo, |lo| <= ulp(hi) / 2


def kl_normal_std(mu: Any, sigma: Any) -> Any:
    """KL(N(mu, sigma^2) || N(0, 1)) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2], elementwise.

    >>> kl_normal_std(0.0, 1.0)
    0.0
    >>> round(kl_normal_std(1.0, 2.0), 12)  # 1/2 (-log 4 + 4 - 1 + 1)
    1.30685281944
    """
    mu, sigma = _as_arrays("kl_normal_std", mu=mu, sigma=sigma)
    _require_positive("kl_normal_std", "sigma", sigma)
    one, zero = np.ones_like(sigma), np.zeros_like(mu)
    with np.errstate(all="ignore"):
        total = _dd_add(_sigma_part(sigma, one), _mean_part(mu, zero, one))
    return _finish("kl_normal_std", total)


def kl_normal_std_logvar(mu: Any, logvar: Any) -> Any:
    """KL(N(mu, exp(logvar)) || N(0, 1)) = 1/2 [-logvar + exp(logvar) - 1 + mu^2], elementwise.

    The VAE parametrization, and the one implementation ``vae_min`` uses for its loss. Proved by
    ``mathcheck.derivations.gaussian_kl_std`` (the closed form, derived with sympy).

    Torch tensors go through torch operations only (differentiable, elementwise, dtype and device kept,
    mixed tensor dtypes promoted): (e^x - 1 - x)/2 is a Taylor series for -1 < x < 1.5, ``expm1`` beyond, so
    float32 keeps its precision near logvar = 0 (where exp(x) - 1 - x is about x^2/2). Bad tensors
    (complex, bool, NaN, inf) and a KL beyond the tensor's dtype raise ``ValueError`` as on the numpy path.
    Anything else is treated as numpy input: validated, float64.

    >>> kl_normal_std_logvar(0.0, 0.0)
    0.0
    """
    torch = sys.modules.get("torch")  # never import torch here: only a caller that has it passes tensors
    if torch is not None and (isinstance(mu, torch.Tensor) or isinstance(logvar, torch.Tensor)):
        return _kl_normal_std_logvar_torch(torch, mu, logvar)
    mu, logvar = _as_arrays("kl_normal_std_logvar", mu=mu, logvar=logvar)
    with np.errstate(all="ignore"):
        total = _dd_add(_half_exp_excess(logvar), _mean_part(mu, np.zeros_like(mu), np.ones_like(mu)))
    return _finish("kl_normal_std_logvar", total)


def kl_normal(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> Any:
    """KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(sigma2/sigma1) + (sigma1^2 + (mu1-mu2)^2)/(2 sigma2^2) - 1/2.

    >>> round(kl_normal(1.0, 2.0, 0.0, 1.0), 12) == round(kl_normal_std(1.0, 2.0), 12)
    True
    >>> f"{kl_normal(1e308, 1.0, -1e308, 1e300):.6e}"  # (mu1 - mu2) overflows, the KL does not
    '2.000000e+16'
    """
    mu1, sigma1, mu2, sigma2 = _as_arrays("kl_normal", mu1=mu1, sigma1=sigma1, mu2=mu2, sigma2=sigma2)
    _require_positive("kl_normal", "sigma1", sigma1)
    _require_positive("kl_normal", "sigma2", sigma2)
    with np.errstate(all="ignore"):
        total = _dd_add(_sigma_part(sigma1, sigma2), _mean_part(mu1, mu2, sigma2))
    return _finish("kl_normal", total)


def kl_mvn_diag(mu: Any, sigma: Any) -> Any:
    """KL(N(mu, diag(sigma^2)) || N(0, I)): ``kl_normal_std`` summed over the last axis (a compensated sum).

    >>> round(kl_mvn_diag([1.0, 0.0], [2.0, 1.0]), 12) == round(kl_normal_std(1.0, 2.0), 12)
    True
    """
    mu, sigma = _as_arrays("kl_mvn_diag", mu=mu, sigma=sigma)
    if mu.ndim == 0:
        raise ValueError("kl_mvn_diag: mu and sigma need at least one axis (the dimensions of z)")
    _require_positive("kl_mvn_diag", "sigma", sigma)
    one, zero = np.ones_like(sigma), np.zeros_like(mu)
    with np.errstate(all="ignore"):
        terms = _dd_add(_sigma_part(sigma, one), _mean_part(mu, zero, one))
        total = _dd_sum_last_axis(terms)
    return _finish("kl_mvn_diag", total)


def kl_mvn(mu1: Any, cov1: Any, mu2: Any, cov2: Any) -> float:
    """KL(N(mu1, cov1) || N(mu2, cov2)) for full covariances (one pair of k-dimensional Gaussians).

    With Cholesky factors cov = L L^T and A = L2^{-1} L1 (lower triangular, A_ii = L1_ii / L2_ii),
    z = L2^{-1} (mu1 - mu2):

        KL = 1/2 [tr(cov2^{-1} cov1) - k + log det cov2 - log det cov1 + (mu1-mu2)^T cov2^{-1} (mu1-mu2)]
           = sum_i half_excess(log A_ii) + 1/2 sum_{i != j} A_ij^2 + 1/2 |z|^2,

    a sum of non-negative terms; no inverse and no determinant is formed, and the squares are summed
    scaled by a power of two, so mu1 - mu2 = 2e308 against a wide cov2 stays finite.

    >>> round(kl_mvn([1.0, 0.0], [[4.0, 0.0], [0.0, 1.0]], [0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]]), 12)
    1.30685281944
    """
    mu1, mu2 = (_finite_array("kl_mvn", name, v) for name, v in (("mu1", mu1), ("mu2", mu2)))
    cov1, cov2 = (_finite_array("kl_mvn", name, v) for name, v in (("cov1", cov1), ("cov2", cov2)))
    k = mu1.shape[0] if mu1.ndim == 1 else -1
    if k < 1 or mu2.shape != (k,) or cov1.shape != (k, k) or cov2.shape != (k, k):
        raise ValueError(
            f"kl_mvn: expected mu1, mu2 of shape (k,) and cov1, cov2 of shape (k, k), k >= 1; got "
            f"{mu1.shape}, {cov1.shape}, {mu2.shape}, {cov2.shape}"
        )
    chol1, chol2 = _cholesky("cov1", cov1), _cholesky("cov2", cov2)
    with np.errstate(all="ignore"):
        diagonal = _dd_sum_last_axis(_sigma_part(np.diag(chol1), np.diag(chol2)))
        a = scipy.linalg.solve_triangular(chol2, chol1, lower=True)
        halve = max(np.max(np.abs(mu1)), np.max(np.abs(mu2))) >= 2.0**1022  # mu1 - mu2 could overflow
        shift = (0.5 * mu1 - 0.5 * mu2) if halve else (mu1 - mu2)
        z = scipy.linalg.solve_triangular(chol2, shift, lower=True)
        squares = _half_sum_of_squares(a[~np.eye(k, dtype=bool)], 0) + _half_sum_of_squares(z, int(halve))
        total = _dd_add(diagonal, (squares, 0.0))
    return _finish("kl_mvn", total)


def half_excess(log_r: Any, r: Any) -> np.ndarray:
    """(r^2 - 1 - log r^2) / 2 >= 0, given log r and r = exp(log r) (r may be inf or 0 if it over/underflows).

    This is the sigma-part of every Gaussian KL. Near r = 1 (|log r| < 1) it is (e^x - 1 - x)/2 at
    x = 2 log r, from ``log_r`` alone (a series, then expm1: no cancellation); elsewhere r^2/2 - 1/2 - log r
    from ``r``, with r^2 exact. Its accuracy is that of the argument it reads; the KL functions above use
    the exact sigma1, sigma2 instead. Unlike them it is a plotting and checking helper that returns inf
    where the true value exceeds float64 (or log r = -inf, r = 0), for its caller to report; NaN, complex
    and other non-real input raise ``ValueError``.
    """
    log_r = _real_array("half_excess", "log_r", log_r)
    r = _real_array("half_excess", "r", r)
    if np.any(np.isnan(log_r)) or np.any(np.isnan(r)) or np.any(r < 0):
        raise ValueError("half_excess: log_r must not be NaN and r must be >= 0 (r = exp(log_r))")
    try:
        log_r, r = np.broadcast_arrays(log_r, r)
    except ValueError:
        raise ValueError(f"half_excess: shapes do not broadcast: log_r {log_r.shape}, r {r.shape}") from None
    near = np.abs(log_r) < 1.0
    infinite = ~near & (np.isinf(log_r) | np.isinf(r))
    far = ~near & ~infinite
    with np.errstate(all="ignore"):
        total = _piecewise([near, far], [lambda x, _r: _half_exp_excess(2.0 * x), _half_excess_from_r], log_r, r)
        return np.where(infinite, np.inf, _dd_value(total))


def _half_excess_from_r(log_r: np.ndarray, r: np.ndarray) -> DoubleDouble:
    mantissa, exponent = np.frexp(r)
    return _half_square_minus((mantissa, np.zeros_like(mantissa)), exponent, _two_sum(0.5, log_r))


# ---------------------------------------------------------------- the two pieces of every KL


def _sigma_part(sigma1: np.ndarray, sigma2: np.ndarray) -> DoubleDouble:
    """r^2/2 - 1/2 - log r >= 0 for r = sigma1 / sigma2 (positive floats, subnormal ones included)."""
    m1, e1 = np.frexp(sigma1)
    m2, e2 = np.frexp(sigma2)
    s1 = np.ldexp(sigma1, -e2)  # sigma1 / 2^e2, exact wherever it is used (the near branch)
    near = np.abs(s1 - m2) <= _NEAR_ONE * m2
    return _piecewise([near, ~near], [lambda a, b, _m, _k: _sigma_part_near_one(a, b),
                                      lambda _a, b, m, k: _sigma_part_far_from_one(m, k, b)], s1, m2, m1, e1 - e2)


def _sigma_part_near_one(s1: np.ndarray, s2: np.ndarray) -> DoubleDouble:
    """d^2 Q(d) for d = s1/s2 - 1 (a double-double from the exact difference: Sterbenz), |d| <= 1/2."""
    difference = s1 - s2
    d = difference / s2
    product, error = _two_prod(d, s2)
    d_lo = ((difference - product) - error) / s2
    q = np.polynomial.polynomial.polyval(d, _Q_SERIES)
    square, square_error = _two_prod(d, d)
    hi, hi_error = _two_prod(square, q)
    slope = d * (2.0 + d) / (1.0 + d)  # d/dd [d^2 Q(d)] = r - 1/r
    return _fast_two_sum(hi, hi_error + square_error * q + slope * d_lo)


def _sigma_part_far_from_one(m1: np.ndarray, k: np.ndarray, m2: np.ndarray) -> DoubleDouble:
    """r^2/2 - 1/2 - log r for r = (m1/m2) 2^k, m1, m2 in [1/2, 1) (so rho = m1/m2 in (1/2, 2))."""
    rho = m1 / m2
    product, error = _two_prod(rho, m2)
    rho_lo = ((m1 - product) - error) / m2
    log_hi, log_error = _two_sum(k * _LN2_HI, np.log(rho))
    log_r = (log_hi, log_error + (k * _LN2_LO + rho_lo / rho))
    return _half_square_minus((rho, rho_lo), k, _dd_add((0.5, 0.0), log_r))


def _half_square_minus(rho: DoubleDouble, k: np.ndarray, c: DoubleDouble) -> DoubleDouble:
    """(rho 2^k)^2 / 2 - c for rho in [1/2, 2): summed at the scale of the larger term, then scaled back."""
    product, error = _two_prod(rho[0], rho[0])
    half_square = (0.5 * product, 0.5 * error + rho[0] * rho[1])
    up = k >= 0  # r >= 1/2: (rho^2/2 - c 4^-k) 4^k;  r < 1: rho^2 4^k / 2 - c
    square = _dd_ldexp(half_square, np.where(up, 0, 2 * k))
    subtrahend = _dd_ldexp(c, np.where(up, -2 * k, 0))
    difference = _dd_add(square, (-subtrahend[0], -subtrahend[1]))
    return _dd_ldexp(difference, np.where(up, 2 * k, 0))


def _mean_part(mu1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> DoubleDouble:
    """((mu1 - mu2) / sigma2)^2 / 2 >= 0, with mu1 - mu2 exact (halved first where it could overflow)."""
    halve = np.maximum(np.abs(mu1), np.abs(mu2)) >= 2.0**1022
    difference, difference_lo = _two_sum(np.where(halve, 0.5 * mu1, mu1), np.where(halve, -0.5 * mu2, -mu2))
    md, ed = np.frexp(difference)
    ms, es = np.frexp(sigma2)
    q = md / ms
    product, error = _two_prod(q, ms)
    q_lo = ((md - product) - error + np.ldexp(difference_lo, -ed)) / ms
    square, square_error = _two_prod(q, q)
    exponent = 2 * (ed - es + halve.astype(np.int32)) - 1
    return np.ldexp(square, exponent), np.ldexp(square_error + 2.0 * q * q_lo, exponent)


def _half_exp_excess(x: np.ndarray) -> DoubleDouble:
    """(e^x - 1 - x)/2 >= 0: the sigma part at logvar = x."""
    series = (x > _SERIES_FROM) & (x < _SERIES_TO)
    huge = x > _HUGE_LOGVAR
    return _piecewise([series, huge, ~series & ~huge], [_half_exp_excess_series, _half_exp_excess_huge,
                                                        _half_exp_excess_expm1], x)


def _half_exp_excess_series(x: np.ndarray) -> DoubleDouble:
    p = np.polynomial.polynomial.polyval(x, _P_SERIES)
    square, square_error = _two_prod(x, x)
    hi, hi_error = _two_prod(square, p)
    return 0.5 * hi, 0.5 * (hi_error + square_error * p)


def _half_exp_excess_expm1(x: np.ndarray) -> DoubleDouble:
    hi, error = _two_sum(np.expm1(x), -x)
    return 0.5 * hi, 0.5 * error


def _half_exp_excess_huge(x: np.ndarray) -> DoubleDouble:
    half_exp = np.exp(x - _LN2_HI)  # e^x / 2 = e^(x - ln 2); x - _LN2_HI is exact for x in [512, 1024)
    return _fast_two_sum(half_exp, -(half_exp * _LN2_LO) - 0.5 - 0.5 * x)


def _piecewise(selectors: list, branches: list, *arrays: np.ndarray) -> DoubleDouble:
    """Each branch evaluated on the elements its selector picks (the selectors partition the elements)."""
    shape = np.broadcast(*arrays).shape
    arrays = tuple(np.broadcast_to(a, shape) for a in arrays)
    hi, lo = np.zeros(shape), np.zeros(shape)
    for selector, branch in zip(selectors, branches):
        if np.any(selector):
            hi[selector], lo[selector] = branch(*(a[selector] for a in arrays))
    return hi, lo


def _half_sum_of_squares(values: np.ndarray, extra_exponent: int) -> float:
    """sum(values^2) / 2 * 4^extra_exponent, scaled by a power of two so no square over- or underflows."""
    if values.size == 0 or not np.any(values):
        return 0.0
    _, exponent = np.frexp(np.max(np.abs(values)))
    scaled = np.ldexp(values, -int(exponent))
    return float(np.ldexp(0.5 * np.dot(scaled, scaled), 2 * (int(exponent) + extra_exponent)))


# ---------------------------------------------------------------- double-double arithmetic (Dekker, Knuth)


def _two_sum(a, b) -> DoubleDouble:
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _fast_two_sum(a, b) -> DoubleDouble:  # needs |a| >= |b| (or a == 0)
    s = a + b
    return s, b - (s - a)


def _two_prod(a, b) -> DoubleDouble:
    """a b = p + e exactly, for |a|, |b| well inside the float range (the callers pass mantissas)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _split(a):
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _dd_add(x: DoubleDouble, y: DoubleDouble) -> DoubleDouble:
    s, e = _two_sum(x[0], y[0])
    return _fast_two_sum(s, e + (x[1] + y[1]))


def _dd_value(x: DoubleDouble) -> np.ndarray:
    """hi + lo, or hi where hi overflowed (lo may then be an inf of the other sign)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(x[0]), x[0], x[0] + x[1])


def _dd_ldexp(x: DoubleDouble, exponent) -> DoubleDouble:
    return np.ldexp(x[0], exponent), np.ldexp(x[1], exponent)


def _dd_sum_last_axis(x: DoubleDouble) -> DoubleDouble:
    """Pairwise double-double sum over the last axis."""
    hi, lo = np.asarray(x[0], dtype=np.float64), np.asarray(x[1], dtype=np.float64)
    if hi.shape[-1] == 0:
        return np.zeros(hi.shape[:-1]), np.zeros(hi.shape[:-1])
    while hi.shape[-1] > 1:
        half = hi.shape[-1] // 2
        pair_hi, pair_lo = _dd_add((hi[..., :half], lo[..., :half]), (hi[..., half:2 * half], lo[..., half:2 * half]))
        hi = np.concatenate([pair_hi, hi[..., 2 * half:]], axis=-1)
        lo = np.concatenate([pair_lo, lo[..., 2 * half:]], axis=-1)
    return hi[..., 0], lo[..., 0]


# ---------------------------------------------------------------- torch


def _kl_normal_std_logvar_torch(torch: Any, mu: Any, logvar: Any) -> Any:
    function = "kl_normal_std_logvar"
    tensors = {name: v for name, v in (("mu", mu), ("logvar", logvar)) if isinstance(v, torch.Tensor)}
    for name, tensor in tensors.items():
        if tensor.dtype == torch.bool or tensor.is_complex():
            raise ValueError(f"{function}: {name} must be a real tensor, got dtype {tensor.dtype}")
    devices = {tensor.device for tensor in tensors.values()}
    if len(devices) > 1:
        raise ValueError(f"{function}: mu and logvar are on different devices ({', '.join(map(str, devices))})")
    dtype = functools.reduce(torch.promote_types, (tensor.dtype for tensor in tensors.values()))
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    device = devices.pop()
    mu, logvar = (_torch_operand(torch, function, name, value, dtype, device)
                  for name, value in (("mu", mu), ("logvar", logvar)))
    try:  # numpy's shape arithmetic: torch.broadcast_shapes imports sympy (symbolic shapes) on first use
        np.broadcast_shapes(tuple(mu.shape), tuple(logvar.shape))
    except ValueError:
        raise ValueError(f"{function}: shapes do not broadcast: mu {tuple(mu.shape)}, logvar {tuple(logvar.shape)}") from None
    kl = _torch_half_exp_excess(torch, logvar) + (0.5 * mu) * mu
    if not bool(torch.isfinite(kl).all()):  # one check in the common case; NaN or inf input makes kl non-finite
        for name, value in (("mu", mu), ("logvar", logvar)):
            if not bool(torch.isfinite(value).all()):
                raise ValueError(f"{function}: {name} must be finite (got NaN or inf, or a value beyond {dtype})")
        raise ValueError(f"{function}: the KL exceeds the {dtype} range")
    return kl


def _torch_operand(torch: Any, function: str, name: str, value: Any, dtype: Any, device: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.to(dtype)
    return torch.as_tensor(_finite_array(function, name, value), dtype=dtype, device=device)


def _torch_half_exp_excess(torch: Any, x: Any) -> Any:
    """(e^x - 1 - x)/2 in torch, differentiable: its gradient is the exact (e^x - 1)/2 (``_torch_half_expm1``)."""
    return _torch_half_exp_excess_function(torch).apply(x)


@functools.lru_cache(maxsize=None)
def _torch_half_exp_excess_function(torch: Any) -> Any:
    class HalfExpExcess(torch.autograd.Function):
        """Forward: the series, expm1 and e^x/2 regions of ``_half_exp_excess``, untracked; backward: (e^x - 1)/2."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return _torch_half_exp_excess_values(torch, x)

        @staticmethod
        def backward(ctx, gradient):
            (x,) = ctx.saved_tensors
            return gradient * _torch_half_expm1(torch, x)

    return HalfExpExcess


def _torch_half_exp_excess_values(torch: Any, x: Any) -> Any:
    finfo = torch.finfo(x.dtype)
    huge_from, ln2_hi, exp_minus_ln2_lo = _huge_logvar_constants(float(finfo.max), round(-math.log2(finfo.eps)))
    series = (x > _SERIES_FROM) & (x < _SERIES_TO)
    huge = x > huge_from
    xs = torch.where(series, x, 0.0)
    coefficients = _P_SERIES[:_series_terms(float(finfo.eps))]
    p = torch.full_like(xs, float(coefficients[-1]))
    for coefficient in coefficients[-2::-1]:
        p.mul_(xs).add_(float(coefficient))
    result = xs.square().mul_(0.5).mul_(p)  # the series lanes
    xm = torch.where(series | huge, 3.0, x)
    result = torch.where(series, result, torch.expm1(xm).sub_(xm).mul_(0.5))
    if bool(huge.any()):
        xh = torch.where(huge, x, huge_from)
        from_exp = torch.exp(xh - ln2_hi).mul_(exp_minus_ln2_lo).sub_(0.5).sub_(0.5 * xh)
        result = torch.where(huge, from_exp, result)
    return result


def _torch_half_expm1(torch: Any, x: Any) -> Any:
    """(e^x - 1)/2, finite wherever (e^x - 1 - x)/2 is (e^(x - hi) e^-lo - 1/2 where expm1 overflows)."""
    finfo = torch.finfo(x.dtype)
    huge_from, ln2_hi, exp_minus_ln2_lo = _huge_logvar_constants(float(finfo.max), round(-math.log2(finfo.eps)))
    huge = x > huge_from
    half = 0.5 * torch.expm1(torch.where(huge, 0.0, x))
    return torch.where(huge, torch.exp(torch.where(huge, x, huge_from) - ln2_hi) * exp_minus_ln2_lo - 0.5, half)


@functools.lru_cache(maxsize=None)
def _series_terms(eps: float) -> int:
    """How many terms of P(x) = sum_j x^j / (j + 2)! reach eps / 8 of P (>= e^-1) on -1 < x < 1.5."""
    return next(n for n in range(1, len(_P_SERIES) + 1) if _SERIES_TO**n / math.factorial(n + 2) < eps / 8 * math.exp(-1))


@functools.lru_cache(maxsize=None)
def _huge_logvar_constants(largest: float, mantissa_bits: int) -> tuple[float, float, float]:
    """Where e^x/2 takes over from expm1, and ln 2 = hi + lo with x - hi exact there (e^x/2 = e^(x - hi) e^-lo).

    Every x from the threshold to the overflow of e^x/2 shares one binade, so rounding ln 2 to that
    binade's spacing makes the subtraction exact.
    """
    huge_from = math.log(largest) - 1.0
    spacing_exponent = math.floor(math.log2(huge_from)) - mantissa_bits
    ln2_hi = math.ldexp(round(math.ldexp(math.log(2.0), -spacing_exponent)), spacing_exponent)
    return huge_from, ln2_hi, math.exp(-(math.log(2.0) - ln2_hi))


# ---------------------------------------------------------------- validation


def _as_arrays(function: str, **values: Any) -> list[np.ndarray]:
    arrays = [_finite_array(function, name, value) for name, value in values.items()]
    try:
        return list(np.broadcast_arrays(*arrays))
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(values, arrays))
        raise ValueError(f"{function}: shapes do not broadcast: {shapes}") from None


def _finite_array(function: str, name: str, value: Any) -> np.ndarray:
    array = _real_array(function, name, value)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{function}: {name} must be finite (got NaN or inf)")
    return array


def _real_array(function: str, name: str, value: Any) -> np.ndarray:
    """``value`` as float64, refusing what is not a real number: strings, booleans, complex, other objects."""
    prefix = f"{function}: {name} must be real numbers"
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, RuntimeError):  # ragged nesting, tensors that need grad or live on a GPU
        raise ValueError(f"{prefix}, got {_describe(value)}") from None
    kind = raw.dtype.kind
    if kind in "iuf":
        return raw.astype(np.float64)
    refused = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
               "M": "datetimes", "m": "timedeltas", "V": "structured values"}
    if kind in refused:
        raise ValueError(f"{prefix}, got {refused[kind]} ({_describe(value)})")
    not_real = (str, bytes, bool, np.bool_, complex, np.complexfloating, type(None))
    bad = [item for item in raw.ravel() if isinstance(item, not_real)]
    if bad:
        where = "" if raw.ndim == 0 else f" in {_describe(value)}"
        raise ValueError(f"{prefix}, got {_describe(bad[0])}{where}")
    try:
        return raw.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{prefix} within the float64 range, got {_describe(value)}") from None
    except (TypeError, ValueError):
        raise ValueError(f"{prefix}, got {_describe(value)}") from None


def _describe(value: Any) -> str:
    text = repr(value).replace("\n", " ")
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


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


def _finish(function: str, total: DoubleDouble) -> Any:
    result = np.asarray(_dd_value(total), dtype=np.float64)
    if not np.all(np.isfinite(result)):
        raise ValueError(f"{function}: the KL exceeds the float64 range (its true value is above 1.8e308)")
    return float(result) if result.ndim == 0 else result
