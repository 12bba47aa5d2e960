"""Jensen's inequality for log (article lines 52-56): log E[g(z)] >= E[log g(z)], the gap shaded.

Both curves are drawn relative to log g(mu), and the gap is summed from non-negative terms, so neither the
size of mu nor a gap far below the curves' own rounding can turn the figure wrong (no cancellation).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from mathcheck.plots._common import (PlotError, checked_range, checked_resolution, new_figure, require_drawable,
                                     require_axis_grid)

G_LATEX = {"exp": r"e^{z}", "1+z^2": r"1+z^2"}
MAX_SPREAD = 100.0  # the quadrature grid grows like sigma^2: beyond this it would not fit in memory
STEP = 0.05  # trapezoid step in units of the smaller of 1 and the distance 1/sigma to g's complex poles
_H_SERIES = np.array([1.0 / math.factorial(k) for k in range(2, 18)])  # e^u - 1 - u = u^2 sum_k u^k / (k+2)!


def _log1p_square(x):
    """log(1 + x^2) without overflow of x^2."""
    x = np.abs(np.asarray(x, dtype=float))
    big = x > 1.0
    safe = np.where(big, x, 1.0)
    return np.where(big, 2 * np.log(safe) + np.log1p(safe**-2), np.log1p(np.minimum(x, 1.0) ** 2))


def log_g(g: str, z):
    """log g(z) for the positive functions g of the figure."""
    return np.asarray(z, dtype=float) if g == "exp" else _log1p_square(z)


def _rise_square(mu: float, t):
    """log g(mu + t) - log g(mu) for g = 1 + z^2, as log1p of (z^2 - mu^2) / (1 + mu^2) = t (2 mu + t) / (1 + mu^2):
    accurate when the two logs nearly cancel (large mu), and written in t / mu for |mu| > 1 so nothing overflows."""
    if abs(mu) > 1:
        a = t / mu
        ratio = a * (2 + a) / (1 + mu**-2)
    else:
        ratio = t * (2 * mu + t) / (1 + mu * mu)
    near_zero = ratio < -0.5  # z near 0: the ratio rounds towards -1, the plain difference of logs is accurate
    rise = np.log1p(np.maximum(ratio, -0.5))
    return np.where(near_zero, _log1p_square(mu + t) - _log1p_square(mu), rise) if near_zero.any() else rise


def _rise_pair_square(mu: float, t):
    """[log g(mu + t) - log g(mu)] + [log g(mu - t) - log g(mu)] for g = 1 + z^2: the odd parts cancel exactly,
    as log1p(t^2 (2 + t^2 - 2 mu^2) / (1 + mu^2)^2), written in t / mu for |mu| > 1."""
    if abs(mu) > 1:
        a = t / mu
        ratio = a * a * (a * a + 2 * mu**-2 - 2) / (1 + mu**-2) ** 2
    else:
        ratio = t * t * (2 + t * t - 2 * mu * mu) / (1 + mu * mu) ** 2
    near_zero = ratio < -0.5  # z near 0 on one side: add the two rises, each accurate there
    pair = np.log1p(np.maximum(ratio, -0.5))
    return np.where(near_zero, _rise_square(mu, t) + _rise_square(mu, -t), pair) if near_zero.any() else pair


# g -> (rise: log g(mu + t) - log g(mu), pair: rise(t) + rise(-t)), each computed without cancellation
RISES = {"exp": (lambda mu, t: t, lambda mu, t: np.zeros_like(t)), "1+z^2": (_rise_square, _rise_pair_square)}


def _excess(log_weights, rise) -> float:
    """log E[e^d] - E[d] for d = rise, weights exp(log_weights) summing to 1.

    It equals sum_i w_i h(d_i - L), h(u) = e^u - 1 - u >= 0, L = log E[e^d]: every term is non-negative, so the
    gap is never negative, and the sum is stationary in L, so the rounding of L does not reach it.
    """
    weights = np.exp(log_weights)
    if np.max(np.abs(rise)) <= 1.0:  # log1p of a sum of expm1: L keeps its digits when it is tiny (|mu| = 1e14)
        level = np.log1p(weights @ np.expm1(rise))
    else:
        level = logsumexp(rise + log_weights)
    u = rise - level
    small = np.abs(u) < 0.5
    terms = np.empty_like(u)
    terms[small] = weights[small] * u[small] ** 2 * np.polynomial.polynomial.polyval(u[small], _H_SERIES)
    # away from 0, w e^u = exp(log w + u) is a tilted weight (at most 1), and e^u - 1 - u > 0.1 cancels little
    terms[~small] = np.exp(log_weights[~small] + u[~small]) - weights[~small] * (1 + u[~small])
    return float(np.sum(np.maximum(terms, 0.0)))


def jensen_curves(g: str = "exp", mu: float = 0.0, spread_range=(0.0, 2.0), resolution: int = 101):
    """(sigma, log E[g(z)] - log g(mu), E[log g(z)] - log g(mu), gap) for z ~ N(mu, sigma^2), by quadrature.

    The trapezoidal rule over eps = (z - mu) / sigma converges geometrically for integrands analytic in a
    strip (exp(-2 pi d / h)); 1+z^2 has poles at z = +-i, a distance 1/sigma away in eps, so the step
    shrinks like 1/sigma. The window reaches 12 beyond sigma, where e^z N(z; mu, sigma^2) peaks. The grid is
    symmetric, so E[log g] sums the even part of log g(mu + sigma eps) (odd parts cancel exactly), and the
    gap log E[g] - E[log g] is summed from non-negative terms (``_excess``); log E[g] is E[log g] + gap.
    """
    if g not in RISES:
        raise PlotError(f"unknown function g {g!r} for jensen-gap; known: {', '.join(RISES)}")
    lo, hi = checked_range("sigma range", spread_range, lowest=0.0, strict=False)
    n = checked_resolution(resolution)
    if hi > MAX_SPREAD:
        raise PlotError(f"sigma range [{lo:g}, {hi:g}] for jensen-gap must stay at or below {MAX_SPREAD:g}")
    if not np.isfinite(mu):
        raise PlotError(f"mu must be finite, got {mu!r}")
    require_axis_grid("sigma range", lo, hi, n)
    mu = float(mu)
    rise, rise_pair = RISES[g]
    sigma = np.linspace(lo, hi, n)
    mean_of_log, gap = np.empty(n), np.empty(n)
    for i, spread in enumerate(sigma):
        step = STEP * min(1.0, 1.0 / max(spread, 1e-300))
        half_count = math.ceil((12.0 + spread) / step)
        eps = step * np.arange(-half_count, half_count + 1)
        log_weights = -0.5 * eps**2
        log_weights -= logsumexp(log_weights)  # normalised: exact for constants, the sigma = 0 case
        positive = slice(half_count + 1, None)
        mean_of_log[i] = np.exp(log_weights[positive]) @ rise_pair(mu, spread * eps[positive])
        gap[i] = _excess(log_weights, rise(mu, spread * eps))
    log_of_mean = mean_of_log + gap
    require_drawable("log E[g(z)] - log g(mu)", log_of_mean, mean_of_log)
    return sigma, log_of_mean, mean_of_log, gap


def jensen_gap(g: str = "exp", mu: float = 0.0, spread_range=(0.0, 2.0), resolution: int = 101):
    """log E[g(z)] and E[log g(z)] against the spread sigma of z ~ N(mu, sigma^2), the Jensen gap shaded.

    Both are drawn relative to log g(mu) (zero for mu = 0), so that a large mu does not hide the gap."""
    sigma, log_of_mean, mean_of_log, gap = jensen_curves(g, mu, spread_range, resolution)
    offset = float(log_g(g, float(mu)))
    minus = r" - \log g(\mu)" if offset else ""
    g_tex = G_LATEX[g]
    figure = new_figure(8, 5)
    axes = figure.add_subplot()
    axes.plot(sigma, log_of_mean, color="C0", linewidth=2, label=rf"$\log E[g(z)]{minus}$", gid="log-of-mean")
    axes.plot(sigma, mean_of_log, color="C1", linewidth=2, label=rf"$E[\log g(z)]{minus}$", gid="mean-of-log")
    axes.fill_between(sigma, mean_of_log, log_of_mean, color="C2", alpha=0.3, gid="gap",
                      label=r"Jensen gap $\log E[g] - E[\log g] \geq 0$")
    widest = int(sigma.size - 1)
    axes.annotate(f"gap {gap[widest]:.3g}", (sigma[widest], mean_of_log[widest] + 0.5 * gap[widest]),
                  textcoords="offset points", xytext=(-8, 0), ha="right", va="center", fontsize=9, gid="gap-value")
    distribution = rf"$z \sim \mathcal{{N}}(\mu, \sigma^2)$"  # one text for title and axis: they cannot disagree
    axes.set_xlabel(rf"spread $\sigma$ of {distribution}")
    axes.set_ylabel(rf"nats, relative to $\log g(\mu)$ = {offset:.6g}" if offset else "nats")
    axes.set_title(rf"Jensen's inequality for $\log$: $g(z) = {g_tex}$, {distribution}, $\mu = {float(mu):g}$")
    axes.legend(loc="upper left")
    axes.grid(alpha=0.3)
    return figure
