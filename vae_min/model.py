"""The VAE and its loss: -ELBO = KL[q(z|x) || p(z)] + BCE, per example."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from mathcheck.gaussian import kl_normal_std_logvar


class VAE(nn.Module):
    """q(z|x) = N(mu(x), diag exp(logvar(x))), p(z) = N(0, I), p(x|z) = prod Bernoulli(sigmoid(logits(z)))."""

    def __init__(self, pixels: int, hidden_dim: int, latent_dim: int):
        super().__init__()
        self.encoder = nn.Linear(pixels, hidden_dim)
        self.to_mu_logvar = nn.Linear(hidden_dim, 2 * latent_dim)  # both heads in one matmul
        self.decoder_hidden = nn.Linear(latent_dim, hidden_dim)
        self.to_logits = nn.Linear(hidden_dim, pixels)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.to_mu_logvar(F.relu(self.encoder(x))).chunk(2, dim=-1)
        return mu, logvar

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits of p(x|z), one per pixel."""
        return self.to_logits(F.relu(self.decoder_hidden(z)))

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar, generator)
        return self.decode(z), mu, logvar


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps, eps ~ N(0, I): a sample of q(z|x) that is differentiable in mu and sigma."""
    std = torch.exp(0.5 * logvar)
    eps = torch.randn(std.shape, generator=generator, dtype=std.dtype, device=std.device)
    return mu + eps * std


def loss_terms(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor):
    """Per-example (BCE, KL), each summed over its dimensions.

    BCE = -log p(x|z) for binary x (summed over pixels). KL[q(z|x) || p(z)] is the closed form proved in
    ``mathcheck.derivations.gaussian_kl_std`` (``mathcheck.gaussian.kl_normal_std_logvar``), summed over latent dims.
    """
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)
    kl = kl_normal_std_logvar(mu, logvar).sum(dim=-1)
    return bce, kl


def loss_function(logits: torch.Tensor, x: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """The training loss: BCE + KL per example (a one-sample estimate of -ELBO), averaged over the batch."""
    bce, kl = loss_terms(logits, x, mu, logvar)
    return (bce + kl).mean()
