"""The scalar linear-Gaussian model, where log p(X), p(z | X), the ELBO and the gap are all exact.

    p(z) = N(prior_mean, prior_std^2),   p(X | z) = N(weight z + bias, noise^2),   X = observed.

Gaussian conjugacy gives p(X) = N(weight prior_mean + bias, weight^2 prior_std^2 + noise^2) and
p(z | X) = N(m, t^2) with 1/t^2 = 1/prior_std^2 + weight^2/noise^2, m = t^2 (prior_mean/prior_std^2 +
weight (X - bias)/noise^2). The numeric checker's linear-Gaussian worlds and the ELBO figure both use this
one class; tests check it against quadrature of p(X | z) p(z).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mathcheck.laws import normal_logpdf

QUADRATURE_NODES = 8  # Gauss-Hermite is exact for the ELBO: its integrand is quadratic in z


@dataclass(frozen=True)
class LinearGaussian:
    """p(z) = N(prior_mean, prior_std^2), p(X | z) = N(weight z + bias, noise^2), with X = observed."""

    observed: float = 2.0
    weight: float = 1.5
    bias: float = 0.0
    noise: float = 0.5
    prior_mean: float = 0.0
    prior_std: float = 1.0

    def log_evidence(self) -> float:
        """log p(X), X ~ N(weight prior_mean + bias, weight^2 prior_std^2 + noise^2)."""
        spread = (self.weight**2 * self.prior_std**2 + self.noise**2) ** 0.5
        return float(normal_logpdf(self.observed, self.weight * self.prior_mean + self.bias, spread))

    def posterior(self) -> tuple[float, float]:
        """Mean and standard deviation of p(z | X) (the conjugate update of the prior)."""
        precision = self.prior_std**-2 + self.weight**2 / self.noise**2
        mean = (self.prior_mean / self.prior_std**2 + self.weight * (self.observed - self.bias) / self.noise**2)
        return mean / precision, precision**-0.5

    def log_likelihood(self, z):
        """log p(X | z), elementwise in z."""
        return normal_logpdf(self.observed, self.weight * z + self.bias, self.noise)

    def log_joint(self, z):
        """log p(X, z) = log p(X | z) + log p(z), elementwise in z."""
        return self.log_likelihood(z) + normal_logpdf(z, self.prior_mean, self.prior_std)

    def elbo(self, mean, scale):
        """E_q[log p(X, z) - log q(z)] for q = N(mean, scale^2), by Gauss-Hermite quadrature (broadcasts).

        log q is taken at the standard nodes themselves: recovering them as (z - mean) / scale from
        z = mean + scale * node would lose them to rounding when scale << |mean|.
        """
        nodes, weights = np.polynomial.hermite_e.hermegauss(QUADRATURE_NODES)
        weights = weights / weights.sum()
        mean, scale = np.broadcast_arrays(np.asarray(mean, float), np.asarray(scale, float))
        z = mean[..., None] + scale[..., None] * nodes
        log_q = normal_logpdf(nodes) - np.log(scale)[..., None]
        return (self.log_joint(z) - log_q) @ weights

    def kl_to_posterior(self, mean, scale):
        """KL(q || p(z | X)) for q = N(mean, scale^2), closed form."""
        from mathcheck.gaussian import kl_normal  # with scipy: not for the numeric worlds, which use the rest

        post_mean, post_scale = self.posterior()
        return kl_normal(mean, scale, post_mean, post_scale)
