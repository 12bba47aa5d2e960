"""Jensen's inequality for log (article lines 52-56): log E[g(z)] >= E[log g(z)], the gap shaded."""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from mathcheck.plots._common import PlotError, checked_range, checked_resolution, new_figure, require_finite


def _log_exp(z):
    return z


def _log_one_plus_square(z):
    return np.log1p(z**2)


# Positive functions g, given by log g so that E[g] can be summed in log space without overflow.
LOG_G = {"exp": _log_exp, "1+z^2": _log_one_plus_square}
G_LATEX = {"exp": r"e^{z}", "1+z^2": r"1+z^2"}
MAX_SPREAD = 100.0  # the quadrature grid grows like sigma^2: beyond this it would not fit in memory
STEP = 0.05  # trapezoid step in units of the smaller of 1 and the distance 1/sigma to g's complex poles


def jensen_curves(g: str = "exp", mu: float = 0.0, spread_range=(0.0, 2.0), resolution: int = 101):
    """(sigma, log E[g(z)], E[log g(z)]) for z ~ N(mu, sigma^2), by quadrature in log space.

    The trapezoidal rule over eps = (z - mu) / sigma converges geometrically for integrands analytic in a
    strip (exp(-2 pi d / h)); 1+z^2 has poles at z = +-i, a distance 1/sigma away in eps, so the step
    shrinks like 1/sigma. The window reaches 12 beyond sigma, where e^z N(z; mu, sigma^2) peaks.
    """
    if g not in LOG_G:
        raise PlotError(f"unknown function g {g!r} for jensen-gap; known: {', '.join(LOG_G)}")
    lo, hi = checked_range("sigma range", spread_range, lowest=0.0, strict=False)
    n = checked_resolution(resolution)
    if hi > MAX_SPREAD:
        raise PlotError(f"sigma range [{lo:g}, {hi:g}] for jensen-gap must stay at or below {MAX_SPREAD:g}")
    if not np.isfinite(mu):
        raise PlotError(f"mu must be finite, got {mu!r}")
    sigma = np.linspace(lo, hi, n)
    log_of_mean, mean_of_log = np.empty(n), np.empty(n)
    for i, spread in enumerate(sigma):
        half_width = 12.0 + spread
        eps = np.arange(-half_width, half_width + STEP, STEP * min(1.0, 1.0 / max(spread, 1e-300)))
        log_weights = -0.5 * eps**2
        log_weights -= logsumexp(log_weights)  # normalised: exact for constants, the sigma = 0 case
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as one line
            log_g = LOG_G[g](float(mu) + spread * eps)
            log_of_mean[i] = logsumexp(log_g + log_weights)
            mean_of_log[i] = np.exp(log_weights) @ log_g
    require_finite("log E[g(z)]", log_of_mean, mean_of_log)
    return sigma, log_of_mean, mean_of_log


def jensen_gap(g: str = "exp", mu: float = 0.0, spread_range=(0.0, 2.0), resolution: int = 101):
    """log E[g(z)] and E[log g(z)] against the spread sigma of z ~ N(mu, sigma^2), the Jensen gap shaded."""
    sigma, log_of_mean, mean_of_log = jensen_curves(g, mu, spread_range, resolution)
    g_tex = G_LATEX[g]
    figure = new_figure(8, 5)
    axes = figure.add_subplot()
    axes.plot(sigma, log_of_mean, color="C0", linewidth=2, label=r"$\log E[g(z)]$", gid="log-of-mean")
    axes.plot(sigma, mean_of_log, color="C1", linewidth=2, label=r"$E[\log g(z)]$", gid="mean-of-log")
    axes.fill_between(sigma, mean_of_log, log_of_mean, color="C2", alpha=0.3, gid="gap",
                      label=r"Jensen gap $\log E[g] - E[\log g] \geq 0$")
    widest = int(sigma.size - 1)
    axes.annotate(f"gap {log_of_mean[widest] - mean_of_log[widest]:.3g}",
                  (sigma[widest], 0.5 * (log_of_mean[widest] + mean_of_log[widest])),
                  textcoords="offset points", xytext=(-8, 0), ha="right", va="center", fontsize=9)
    axes.set_xlabel("spread σ of z ~ N(μ, σ²)")
    axes.set_ylabel("nats")
    axes.set_title(rf"Jensen's inequality for $\log$: $g(z) = {g_tex}$, $z \sim \mathcal{{N}}({float(mu):g}, \sigma^2)$")
    axes.legend(loc="upper left")
    axes.grid(alpha=0.3)
    return figure
