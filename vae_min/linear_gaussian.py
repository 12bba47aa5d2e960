"""A linear-Gaussian VAE, where log p(x), p(z|x) and the ELBO are all closed form.

    p(z) = N(0, I_L),   p(x|z) = N(W z + b, s^2 I_D),   q(z|x) = N(A x + c, diag exp(logvar)).

Then p(x) = N(b, W W^T + s^2 I) and p(z|x) = N(m, C) with C = (I + W^T W / s^2)^{-1}, m = C W^T (x - b) / s^2
(Gaussian conjugacy), so every side of  log p(x) - ELBO = KL(q(z|x) || p(z|x))  is exact.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.distributions import MultivariateNormal, Normal, kl_divergence

from mathcheck.gaussian import kl_normal_std_logvar


@dataclass(frozen=True)
class LinearGaussianVAE:
    W: torch.Tensor  # (D, L) decoder weights
    b: torch.Tensor  # (D,)
    noise_std: float  # s
    A: torch.Tensor  # (L, D) encoder weights (deliberately not the optimal ones: the gap is > 0)
    c: torch.Tensor  # (L,)
    logvar: torch.Tensor  # (L,) encoder log-variances

    @classmethod
    def random(cls, pixels: int = 6, latent: int = 3, seed: int = 0) -> "LinearGaussianVAE":
        g = torch.Generator().manual_seed(seed)
        def normal(*shape):
            return torch.randn(shape, generator=g, dtype=torch.float64)
        return cls(W=normal(pixels, latent), b=normal(pixels), noise_std=0.7, A=0.3 * normal(latent, pixels),
                   c=0.1 * normal(latent), logvar=0.5 * normal(latent) - 1.0)

    def sample_x(self, n: int, seed: int = 0) -> torch.Tensor:
        g = torch.Generator().manual_seed(seed)
        z = torch.randn((n, self.W.shape[1]), generator=g, dtype=torch.float64)
        noise = torch.randn((n, self.W.shape[0]), generator=g, dtype=torch.float64)
        return z @ self.W.T + self.b + self.noise_std * noise

    def q(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean (n, L) and variance (L,) of q(z|x)."""
        return x @ self.A.T + self.c, self.logvar.exp()

    def log_px(self, x: torch.Tensor) -> torch.Tensor:
        cov = self.W @ self.W.T + self.noise_std**2 * torch.eye(len(self.b), dtype=torch.float64)
        return MultivariateNormal(self.b, covariance_matrix=cov).log_prob(x)

    def posterior(self, x: torch.Tensor) -> MultivariateNormal:
        s2 = self.noise_std**2
        precision = torch.eye(self.W.shape[1], dtype=torch.float64) + self.W.T @ self.W / s2
        cov = torch.linalg.inv(precision)
        mean = (x - self.b) @ self.W @ cov.T / s2
        return MultivariateNormal(mean, covariance_matrix=cov)

    def elbo(self, x: torch.Tensor) -> torch.Tensor:
        """E_q[log p(x|z)] - KL[q || p(z)]; E_q of the Gaussian log-density is its value at the mean of z
        minus tr(W diag(v) W^T) / (2 s^2)."""
        mean, var = self.q(x)
        at_mean = Normal(mean @ self.W.T + self.b, self.noise_std).log_prob(x).sum(-1)
        spread = (self.W.pow(2) @ var).sum() / (2 * self.noise_std**2)
        return at_mean - spread - kl_normal_std_logvar(mean, self.logvar.expand_as(mean)).sum(-1)

    def kl_to_posterior(self, x: torch.Tensor) -> torch.Tensor:
        mean, var = self.q(x)
        q = MultivariateNormal(mean, covariance_matrix=torch.diag(var))
        return kl_divergence(q, self.posterior(x))
