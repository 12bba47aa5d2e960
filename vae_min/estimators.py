"""Estimates of the ELBO and of log p(x), per example: the independent references for the training loss.

The Gaussian densities come from ``torch.distributions.Normal``. The Bernoulli one does not come from
``torch.distributions.Bernoulli``, whose ``log_prob`` *is* ``-binary_cross_entropy_with_logits``, the very
function the loss uses: it is written from its definition, x log s + (1 - x) log(1 - s), s = sigmoid(logits),
with log s = logsigmoid(logits) and log(1 - s) = logsigmoid(-logits).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch.distributions import Normal

MAX_SAMPLES_PER_CHUNK = 16384  # (importance samples) x (images) decoded at once: bounds the memory


def bernoulli_log_prob(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log p(x|z) = sum over pixels of x log s + (1 - x) log(1 - s), s = sigmoid(logits)."""
    return (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1)


def log_weights(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """log p(x, z_j) - log q(z_j|x) for z_j ~ q(z|x), j = 1..k: shape (k, batch)."""
    mu, logvar = model.encode(x)
    q = Normal(mu, torch.exp(0.5 * logvar))
    eps = torch.randn((k, *mu.shape), generator=generator, dtype=mu.dtype, device=mu.device)
    z = q.loc + q.scale * eps
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    log_px_given_z = bernoulli_log_prob(model.decode(z), x)
    return log_px_given_z + prior.log_prob(z).sum(-1) - q.log_prob(z).sum(-1)


@torch.no_grad()
def iwae(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The importance-weighted bound log (1/k) sum_j p(x, z_j) / q(z_j|x), per example.

    A lower bound on log p(x) for every k, non-decreasing in k in expectation, and -> log p(x) as k -> inf
    (Burda et al. 2016); with k = 1 it is a one-sample ELBO estimate.
    """
    chunk = max(1, MAX_SAMPLES_PER_CHUNK // k)
    parts = [torch.logsumexp(log_weights(model, x[i:i + chunk], k, generator), dim=0) for i in range(0, len(x), chunk)]
    return torch.cat(parts) - math.log(k)


@torch.no_grad()
def elbo_mc(model, x: torch.Tensor, samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """E_q[log p(x, z) - log q(z|x)] by plain Monte Carlo (no closed-form KL): per example."""
    chunk = max(1, MAX_SAMPLES_PER_CHUNK // samples)
    parts = [log_weights(model, x[i:i + chunk], samples, generator).mean(0) for i in range(0, len(x), chunk)]
    return torch.cat(parts)


def mean_and_se(values: torch.Tensor) -> tuple[float, float]:
    """Mean over examples and its standard error (sample std / sqrt(n)), as floats."""
    values = values.detach().double()
    n = values.numel()
    se = values.std(unbiased=True).item() / math.sqrt(n) if n > 1 else float("inf")
    return values.mean().item(), se
