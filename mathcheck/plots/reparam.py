"""Gradient variance of the pathwise (reparameterization, article lines 177-190) and score-function estimators.

For E[f(z)], z ~ N(mu, sigma^2), both estimators of d/dmu and d/dsigma are unbiased:
  pathwise:       d/dtheta f(mu + sigma eps),               eps ~ N(0, 1)   (autograd through the sample)
  score function: f(z) d/dtheta log N(z; mu, sigma^2),      z ~ N(mu, sigma^2) (autograd through log_prob)
The figure shows the variance of one-sample estimates of each, measured by torch autograd on shared draws.
"""
from __future__ import annotations

import numpy as np
import torch

from mathcheck.plots._common import PlotError, checked_range, checked_resolution, new_figure, require_finite

FUNCTIONS = {"square": "z^2", "sin": r"\sin z"}


def _cases():
    from vae_min.confirmations import GRADIENT_CASES, GradientCase

    square = next(case for case in GRADIENT_CASES if case.name == "z^2")
    sine = GradientCase("sin(z)", torch.sin, lambda mu, sigma: torch.sin(mu) * torch.exp(-sigma**2 / 2))
    return {"square": square, "sin": sine}


def gradient_samples(f: str, mu: float, sigma: float, samples: int, seed: int):
    """One-sample gradient estimates, shape (samples,), of E[f(z)] w.r.t. mu and sigma, from vae_min's
    estimators (``vae_min.confirmations.per_sample_gradients``, torch autograd) on shared draws eps.

    Returns {"pathwise": (d_mu, d_sigma), "score": (d_mu, d_sigma)} as float64 numpy arrays.
    """
    from vae_min.confirmations import per_sample_gradients

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
    sigma = np.geomspace(lo, hi, n)
    curves = {(estimator, parameter): {"mean": np.empty(n), "variance": np.empty(n)}
              for estimator in ("pathwise", "score") for parameter in ("mu", "sigma")}
    for i, s in enumerate(sigma):  # the same draws eps at every sigma (common random numbers): smooth curves
        for estimator, grads in gradient_samples(f, mu, s, int(samples), seed).items():
            for parameter, g in zip(("mu", "sigma"), grads):
                with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, as one line
                    curves[estimator, parameter]["mean"][i] = g.mean()
                    curves[estimator, parameter]["variance"][i] = g.var(ddof=1)
    require_finite("the gradient estimates", *[c[k] for c in curves.values() for k in c])
    return sigma, curves


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
