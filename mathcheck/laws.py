"""The catalogue laws of the numeric worlds (normal, logistic, skew-normal) and their log-densities, each
written once over an arithmetic: numpy floats for the worlds' quadrature (``FLOAT``) and mpmath numbers for
the 40-digit second look at a refutation (``PRECISE``). They are computed from their definitions, never from
a closed form under test; scipy.stats is the independent reference they are tested against
(tests/test_numeric_densities_round4.py) and is not imported here: a world needs none of scipy.

    normal(m, s):        log N = −y²/2 − log s − log(2π)/2,                   y = (v − m)/s
    logistic(m, s):      −|y| − 2 log(1 + e^−|y|) − log s
    skewnorm(a, m, s):   log 2 + log N(y; 0, 1) + log Φ(a y) − log s          (a = 0: the normal)

log Φ in floats (``log_ndtr``) is log(erfc(−t/√2)/2) for −20 ≤ t ≤ 0, log1p(−erfc(t/√2)/2) for t > 0 (there Φ
is near 1 and its complement is what is accurate) and the asymptotic series of Mills' ratio below t = −20
(before erfc underflows): finite wherever Φ(t) > 0 mathematically, which is everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import mpmath
import numpy as np

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SQRT_HALF = math.sqrt(0.5)
_erfc = np.frompyfunc(math.erfc, 1, 1)  # the C library's erfc, elementwise (numpy has none)
ASYMPTOTIC_BELOW, COMPLEMENT_ABOVE = -20.0, 0.0  # the regimes of ``log_ndtr``
ASYMPTOTIC_TERMS = 12  # the series' n-th term is (2n − 1)!!/t^2n: below 1e-17 by n = 12 at t = −20


def _float_log_ndtr(t):
    """log Φ(t), elementwise, for floats (see the module docstring)."""
    t = np.asarray(t, dtype=float)
    out = np.empty_like(t)
    low, high = t < ASYMPTOTIC_BELOW, t > COMPLEMENT_ABOVE
    bulk = ~(low | high)  # NaN lands here and stays NaN
    with np.errstate(divide="ignore"):
        out[bulk] = np.log(0.5 * _erfc(-t[bulk] * _SQRT_HALF).astype(float))
    out[high] = np.log1p(-0.5 * _erfc(t[high] * _SQRT_HALF).astype(float))
    out[low] = _log_ndtr_asymptotic(t[low])
    return out[()]


def _log_ndtr_asymptotic(t: np.ndarray) -> np.ndarray:
    """log Φ(t) for t ≤ −20: −t²/2 − log(−t) − log(2π)/2 + log Σₙ (−1)ⁿ (2n − 1)!! / t^2n."""
    inverse_square = 1 / (t * t)
    series, term = np.ones_like(t), np.ones_like(t)
    for n in range(1, ASYMPTOTIC_TERMS + 1):
        term = -term * (2 * n - 1) * inverse_square
        series = series + term
    return -t * t / 2 - np.log(-t) - HALF_LOG_2PI + np.log(series)


@dataclass(frozen=True)
class Arithmetic:
    """The functions a law's formula uses, for one kind of number."""

    log: Callable
    log1p: Callable
    exp: Callable
    abs: Callable
    sqrt: Callable
    minimum: Callable
    log_ndtr: Callable
    number: Callable  # a parameter as this kind of number
    pi: Any


FLOAT = Arithmetic(np.log, np.log1p, np.exp, np.abs, np.sqrt, np.minimum, _float_log_ndtr, float, math.pi)
PRECISE = Arithmetic(mpmath.log, mpmath.log1p, mpmath.exp, abs, mpmath.sqrt, min,
                     lambda t: mpmath.log(mpmath.ncdf(t)), mpmath.mpf, mpmath.pi)


def normal_log(v, m, s, a: Arithmetic = FLOAT):
    """log N(v; m, s²)."""
    y = (v - m) / s
    return -y * y / 2 - a.log(s) - a.log(2 * a.pi) / 2


def logistic_log(v, m, s, a: Arithmetic = FLOAT):
    """The logistic log-density of location m and scale s (symmetric: written in −|y|, where e^−|y| ≤ 1)."""
    y = -a.abs((v - m) / s)
    return y - 2 * a.log1p(a.exp(y)) - a.log(s)


def skewnorm_log(v, shape, m, s, a: Arithmetic = FLOAT):
    """The skew-normal log-density 2 φ(y) Φ(shape y) / s, y = (v − m)/s (scipy.stats.skewnorm's arguments)."""
    if shape == 0:
        return normal_log(v, m, s, a)
    y = (v - m) / s
    return a.log(2) + normal_log(y, 0, 1, a) + a.log_ndtr(shape * y) - a.log(s)


def log_sigmoid(t, a: Arithmetic = FLOAT):
    """log(1 / (1 + e^−t)) without cancellation on either side: min(t, 0) − log(1 + e^−|t|)."""
    return a.minimum(t, 0) - a.log1p(a.exp(-a.abs(t)))


def sigmoid(t):
    """1 / (1 + e^−t) for floats, elementwise, from e^−|t| ≤ 1 (no overflow)."""
    t = np.asarray(t, dtype=float)
    small = np.exp(-np.abs(t))
    return np.where(t >= 0, 1 / (1 + small), small / (1 + small))[()]


def normal_logpdf(v, m=0.0, s=1.0):
    """log N(v; m, s²) for floats, elementwise; NaN where s ≤ 0 (as scipy.stats.norm.logpdf)."""
    if np.ndim(s) == 0 and s > 0:
        return normal_log(np.asarray(v, dtype=float), m, s)[()]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(s) > 0, normal_log(np.asarray(v, dtype=float), m, s), np.nan)[()]


_LOGS = {"norm": normal_log, "logistic": logistic_log, "skewnorm": skewnorm_log}


@dataclass(frozen=True)
class Law:
    """A catalogue law with its parameters, in scipy.stats' order and names: ("norm", (m, s)),
    ("logistic", (m, s)), ("skewnorm", (shape, m, s)). A scipy.stats distribution (``stats.norm``) is
    accepted for ``family`` and stands for its name."""

    family: str
    args: tuple

    def __post_init__(self):
        if not isinstance(self.family, str):
            object.__setattr__(self, "family", self.family.name)
        if self.family not in _LOGS:
            raise ValueError(f"no catalogue law {self.family!r} (known: {', '.join(_LOGS)})")
        object.__setattr__(self, "args", tuple(float(v) for v in self.args))

    def logpdf(self, value, arithmetic: Arithmetic = FLOAT):
        """The log-density at ``value``: floats elementwise, or an mpmath number with ``PRECISE``."""
        if arithmetic is FLOAT:
            value = np.asarray(value, dtype=float)
            return _LOGS[self.family](value, *self.args)[()]
        return _LOGS[self.family](value, *(arithmetic.number(v) for v in self.args), arithmetic)

    def mean(self) -> float:
        if self.family == "skewnorm":
            shape, m, s = self.args
            return m + s * _skew_delta(shape) * math.sqrt(2 / math.pi)
        return self.args[0]

    def std(self) -> float:
        if self.family == "norm":
            return self.args[1]
        if self.family == "logistic":
            return self.args[1] * math.pi / math.sqrt(3)
        shape, _, s = self.args
        return s * math.sqrt(1 - 2 * _skew_delta(shape) ** 2 / math.pi)

    def median(self) -> float:
        if self.family == "skewnorm":
            shape, m, s = self.args
            return m + s * skewnorm_standard_median(shape)
        return self.args[0]


def _skew_delta(shape: float) -> float:
    return shape / math.sqrt(1 + shape * shape)


OWEN_NODES = 40  # Gauss–Legendre nodes for Owen's T over θ ∈ [0, atan a], |a| ≤ 1: a smooth integrand there


@lru_cache(maxsize=1)
def _owen_rule() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(OWEN_NODES)


def owens_t(h: float, shape: float) -> float:
    """Owen's T(h, a) = (1/2π) ∫₀^a e^(−h²(1 + x²)/2) / (1 + x²) dx = (1/2π) ∫₀^atan(a) e^(−h²/(2 cos²θ)) dθ,
    by Gauss–Legendre in θ for |a| ≤ 1 (there cos²θ ≥ 1/2: a smooth integrand); for |a| > 1 from T(ah, 1/a)
    by Owen's identity T(h, a) + T(ah, 1/a) = (Φ(h) + Φ(ah))/2 − Φ(h) Φ(ah) (h ≥ 0, a > 0; T is even in h
    and odd in a)."""
    if shape < 0:
        return -owens_t(h, -shape)
    h = abs(h)
    if shape > 1:
        cdf_h, cdf_ah = _ndtr(h), _ndtr(shape * h)
        return (cdf_h + cdf_ah) / 2 - cdf_h * cdf_ah - owens_t(shape * h, 1 / shape)
    nodes, weights = _owen_rule()
    top = math.atan(shape)
    theta = (nodes + 1) * (top / 2)
    return float(np.dot(weights, np.exp(-h * h / (2 * np.cos(theta) ** 2)))) * (top / 2) / (2 * math.pi)


def _ndtr(t: float) -> float:
    return 0.5 * math.erfc(-t * _SQRT_HALF)


@lru_cache(maxsize=1024)
def skewnorm_standard_median(shape: float) -> float:
    """The median of the standard skew-normal law (location 0, scale 1): F(y) = Φ(y) − 2 T(y, a) = 1/2 by
    Newton's method from its mean (F is smooth and increasing; its derivative is the density)."""
    if shape == 0:
        return 0.0
    y = _skew_delta(shape) * math.sqrt(2 / math.pi)
    for _ in range(50):
        cdf = _ndtr(y) - 2 * owens_t(y, shape)
        density = 2 * math.exp(-y * y / 2 - HALF_LOG_2PI) * _ndtr(shape * y)
        step = (cdf - 0.5) / density
        y -= step
        if abs(step) <= 1e-15 * (1 + abs(y)):
            break
    return y


__all__ = ["Arithmetic", "FLOAT", "PRECISE", "Law", "normal_log", "logistic_log", "skewnorm_log", "log_sigmoid",
           "sigmoid", "normal_logpdf", "owens_t", "skewnorm_standard_median", "HALF_LOG_2PI"]
