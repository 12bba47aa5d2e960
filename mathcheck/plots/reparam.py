"""Gradient variance of the pathwise (reparameterization, article lines 177-190) and score-function estimators.

For E[f(z)], z ~ N(mu, sigma^2), both estimators of d/dmu and d/dsigma are unbiased:
  pathwise:       d/dtheta f(mu + sigma eps),               eps ~ N(0, 1)   (autograd through the sample)
  score function: f(z) d/dtheta log N(z; mu, sigma^2),      z ~ N(mu, sigma^2) (autograd through log_prob)
The figure shows the variance of one-sample estimates of each, measured by torch autograd on shared draws.
"""
from __future__ import annotations

import numpy as np
import torch

from mathcheck.plots._common import (PlotError, checked_range, checked_resolution, new_figure, require_axis_grid,
                                     require_drawable, require_log_drawable)

FUNCTIONS = {"square": "z^2", "sin": r"\sin z"}
# torch's autograd of Normal.log_prob divides by (2 sigma^2)^2: it must stay a normal float64 (about 1e-77..1e77)
SIGMA_LIMITS = (1e-75, 1e75)
# z = mu + sigma eps must carry sigma eps to this relative precision: float64's spacing near mu is at most
# this fraction of sigma (rounding of z then moves each variance by far less than its sampling error)
Z_RESOLUTION = 2.0**-20
# a variance is drawn only where the estimates spread by more than this fraction of their size; below it the
# spread is float64 rounding of the estimates (about 1e-16 of their size), not the estimator's variance
SPREAD_RESOLUTION = 2.0**-38
TINY_VARIANCE = float(np.finfo(np.float64).tiny / np.finfo(np.float64).eps)  # below it: subnormal squares


def _cases():
    from mathcheck.vae_min.confirmations import GRADIENT_CASES, GradientCase

    square = next(case for case in GRADIENT_CASES if case.name == "z^2")
    sine = GradientCase("sin(z)", torch.sin, lambda mu, sigma: torch.sin(mu) * torch.exp(-sigma**2 / 2))
    return {"square": square, "sin": sine}


def gradient_samples(f: str, mu: float, sigma: float, samples: int, seed: int):
    """One-sample gradient estimates, shape (samples,), of E[f(z)] w.r.t. mu and sigma, from vae_min's
    estimators (``mathcheck.vae_min.confirmations.per_sample_gradients``, torch autograd) on shared draws eps.

    Returns {"pathwise": (d_mu, d_sigma), "score": (d_mu, d_sigma)} as float64 numpy arrays.
    """
    from mathcheck.vae_min.confirmations import per_sample_gradients

    generator = torch.Generator().manual_seed(int(seed))
    eps = torch.randn(samples, generator=generator, dtype=torch.float64)
    grads = per_sample_gradients(_cases()[f], float(mu), float(sigma), eps)
    return {"pathwise": (grads["reparam_mu"].numpy(), grads["reparam_sigma"].numpy()),
            "score": (grads["score_mu"].numpy(), grads["score_sigma"].numpy())}


def variance_curves(f: str = "square", mu: float = 1.0, sigma_range=(0.05, 5.0), resolution: int = 21,
                    samples: int = 20000, seed: int = 0):
    """sigma and, per estimator and parameter, the mean and variance of one-sample gradient estimates."""
    if f not in FUNCTIONS:
        raise PlotError(f"unknown function f {f!r} for reparam-variance; known: {', '.join(FUNCTIONS)}")
    lo, hi = checked_range("sigma range", sigma_range, lowest=0.0)
    n = checked_resolution(resolution, minimum=2, maximum=200)
    if isinstance(samples, bool) or int(samples) != samples or not 100 <= samples <= 10**7:
        raise PlotError(f"samples must be an integer from 100 to 10000000, got {samples!r}")
    if not np.isfinite(mu):
        raise PlotError(f"mu must be finite, got {mu!r}")
    require_axis_grid("sigma range", lo, hi, n, log=True)
    _require_resolvable(float(mu), lo, hi)
    sigma = np.geomspace(lo, hi, n)
    curves = {(estimator, parameter): {"mean": np.empty(n), "variance": np.empty(n)}
              for estimator in ("pathwise", "score") for parameter in ("mu", "sigma")}
    for i, s in enumerate(sigma):  # the same draws eps at every sigma (common random numbers): smooth curves
        for estimator, grads in gradient_samples(f, mu, s, int(samples), seed).items():
            for parameter, g in zip(("mu", "sigma"), grads):
                with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as one line
                    curves[estimator, parameter]["mean"][i] = g.mean()
                    curves[estimator, parameter]["variance"][i] = g.var(ddof=1)
    require_drawable("the gradient estimates", *[c[k] for c in curves.values() for k in c])
    _require_resolved_spread(sigma, curves)
    require_log_drawable("sigma", sigma)
    for parameter in ("mu", "sigma"):
        require_log_drawable(f"the variances of the d/d{parameter} estimates",
                             *[curves[estimator, parameter]["variance"] for estimator in ("pathwise", "score")])
    return sigma, curves


def _require_resolvable(mu: float, lo: float, hi: float) -> None:
    """Refuse sigmas that float64 (or torch's Normal.log_prob) cannot carry through z = mu + sigma eps."""
    if lo < SIGMA_LIMITS[0] or hi > SIGMA_LIMITS[1]:
        raise PlotError(f"sigma range [{lo:g}, {hi:g}] must lie within [{SIGMA_LIMITS[0]:g}, {SIGMA_LIMITS[1]:g}]: "
                        "the score function's autograd divides by sigma^4, which leaves float64 beyond")
    spacing = float(np.spacing(abs(mu) + 8 * lo))  # |eps| < 8: P(|eps| > 8) = 1e-15 per draw
    if spacing > Z_RESOLUTION * lo:
        smallest = 2 * float(np.spacing(abs(mu))) / Z_RESOLUTION
        if smallest > SIGMA_LIMITS[1]:
            raise PlotError(f"mu = {mu:g} is too large: z = mu + sigma eps rounds to float64 steps of {spacing:.3g}, "
                            f"which blur sigma eps for every sigma up to {SIGMA_LIMITS[1]:g}; choose a smaller |mu|")
        raise PlotError(f"sigma = {lo:g} is too small for mu = {mu:g}: z = mu + sigma eps rounds to float64 steps "
                        f"of {spacing:.3g}, which blur sigma eps; start the sigma range at {smallest:.3g} or above")


def _require_resolved_spread(sigma, curves) -> None:
    """Refuse a variance that is below float64's resolution of the estimates it is the variance of."""
    for (estimator, parameter), curve in curves.items():
        variance, mean = curve["variance"], curve["mean"]
        spread = np.sqrt(variance)
        unresolved = (spread < SPREAD_RESOLUTION * np.hypot(spread, mean)) | (variance < TINY_VARIANCE)
        if unresolved.any():
            i = int(np.argmax(unresolved))
            raise PlotError(f"at sigma = {sigma[i]:g} the {estimator} estimates of dE[f]/d{parameter} spread by "
                            f"{np.sqrt(variance[i]):.3g} around {mean[i]:.3g}: too little for float64 to resolve "
                            "their variance; choose another sigma range")


def reparam_variance(f: str = "square", mu: float = 1.0, sigma_range=(0.05, 5.0), resolution: int = 21,
                     samples: int = 20000, seed: int = 0):
    """Log-log plot of one-sample gradient variance against sigma, pathwise vs score function."""
    sigma, curves = variance_curves(f, mu, sigma_range, resolution, samples, seed)
    figure = new_figure(12, 5)
    figure.suptitle(rf"Variance of one-sample gradient estimates of $E[f(z)]$, $f(z) = {FUNCTIONS[f]}$, "
                    rf"$z = \mu + \sigma\varepsilon$, $\mu = {float(mu):g}$ ({samples} draws per σ, torch autograd)")
    styles = {"pathwise": ("C0", "o", "pathwise (reparameterization)"),
              "score": ("C3", "s", "score function (REINFORCE, no baseline)")}
    for axes, parameter, symbol in zip(figure.subplots(1, 2), ("mu", "sigma"), ("μ", "σ")):
        for estimator, (color, marker, label) in styles.items():
            variance = curves[estimator, parameter]["variance"]
            axes.loglog(sigma, variance, color=color, marker=marker, markersize=4, label=label, gid=estimator)
        axes.set_gid(f"d-{parameter}")
        axes.set_xlabel("standard deviation σ (log scale)")
        axes.set_ylabel(f"Var[one-sample estimate of ∂E[f]/∂{symbol}] (log scale)")
        axes.set_title(f"gradient with respect to {symbol}", fontsize="medium")
        axes.legend(loc="best", fontsize="small")
        axes.grid(alpha=0.3, which="both")
    return figure
