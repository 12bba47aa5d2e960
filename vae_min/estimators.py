"""Estimates of the ELBO and of log p(x), per example: the independent references for the training loss.

The Gaussian densities come from ``torch.distributions.Normal``. The Bernoulli one does not come from
``torch.distributions.Bernoulli``, whose ``log_prob`` *is* ``-binary_cross_entropy_with_logits``, the very
function the loss uses: it is written from its definition, x log s + (1 - x) log(1 - s), s = sigmoid(logits),
with log s = logsigmoid(logits) and log(1 - s) = logsigmoid(-logits).

Below them, the bounds the confirmations decide by, each kept at a stated false-alarm rate for every sample
size: a median of means with known variances, Chernoff bounds for log q(z|x) - log p(z) (whose distribution
is closed form), and a sign-symmetry bound for differences of two i.i.d. estimates. ``mean_and_se`` only
describes: a normal cut on the sample standard error of skewed draws errs far above its nominal rate.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch.distributions import Normal

MAX_SAMPLES_PER_CHUNK = 16384  # (importance samples) x (images) decoded at once: bounds the memory


def bernoulli_log_prob(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log p(x|z) = sum over pixels of x log s + (1 - x) log(1 - s), s = sigmoid(logits)."""
    return (x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)).sum(-1)


def log_weight_terms(model, x: torch.Tensor, z: torch.Tensor, mu: torch.Tensor,
                     logvar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p(x|z), log p(z) - log q(z|x)) at given z ~ q(z|x) = N(mu, exp(logvar)): the two parts of log w."""
    q = Normal(mu, torch.exp(0.5 * logvar))
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return bernoulli_log_prob(model.decode(z), x), prior.log_prob(z).sum(-1) - q.log_prob(z).sum(-1)


def log_weights(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """log p(x, z_j) - log q(z_j|x) for z_j ~ q(z|x), j = 1..k: shape (k, batch).

    The eps come from one ``torch.randn((k, batch, latent))``: two calls whose generators are in the same state
    and that draw the same number k * batch * latent of values see the same eps, sample j of row i at the flat
    position (j * batch + i) * latent (``confirmations.elbo_bound`` shares samples between estimates this way).
    """
    mu, logvar = model.encode(x)
    eps = torch.randn((k, *mu.shape), generator=generator, dtype=mu.dtype, device=mu.device)
    log_px_given_z, log_prior_ratio = log_weight_terms(model, x, mu + torch.exp(0.5 * logvar) * eps, mu, logvar)
    return log_px_given_z + log_prior_ratio


def rows_per_draw(k: int) -> int:
    """Rows of ``x`` whose k samples each ``iwae`` and ``elbo_mc`` draw in one call of ``torch.randn``."""
    return max(1, MAX_SAMPLES_PER_CHUNK // k)


@torch.no_grad()
def iwae(model, x: torch.Tensor, k: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """The importance-weighted bound log (1/k) sum_j p(x, z_j) / q(z_j|x), per example.

    A lower bound on log p(x) for every k, non-decreasing in k in expectation, and -> log p(x) as k -> inf
    (Burda et al. 2016); with k = 1 it is a one-sample ELBO estimate.
    """
    chunk = rows_per_draw(k)
    parts = [torch.logsumexp(log_weights(model, x[i:i + chunk], k, generator), dim=0) for i in range(0, len(x), chunk)]
    return torch.cat(parts) - math.log(k)


@torch.no_grad()
def elbo_mc(model, x: torch.Tensor, samples: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """E_q[log p(x, z) - log q(z|x)] by plain Monte Carlo (no closed-form KL): per example."""
    chunk = rows_per_draw(samples)
    parts = [log_weights(model, x[i:i + chunk], samples, generator).mean(0) for i in range(0, len(x), chunk)]
    return torch.cat(parts)


def mean_and_se(values: torch.Tensor) -> tuple[float, float]:
    """Mean over examples and its standard error (sample std / sqrt(n)), as floats.

    A description, not a decision: the sample std of skewed draws (log weights, score-function gradients) is
    small in most samples and the normal "mean within c standard errors" then errs far more often than its
    nominal rate; the decisions use the bounds below.
    """
    values = values.detach().double()
    n = values.numel()
    se = values.std(unbiased=True).item() / math.sqrt(n) if n > 1 else float("inf")
    return values.mean().item(), se


@torch.no_grad()
def log_ratio_variance(mu: torch.Tensor, logvar: torch.Tensor, nodes: int = 8) -> torch.Tensor:
    """Var over z ~ q(z|x) = N(mu, exp(logvar)) of log q(z|x) - log p(z), p = N(0, I), per row.

    The latent dimensions are independent, and in each log q - log p is a quadratic in eps = (z - mu) / sigma,
    so Gauss-Hermite quadrature with `nodes` >= 3 points is exact (up to rounding) for its variance.
    """
    points, weights = np.polynomial.hermite_e.hermegauss(nodes)
    shape = (nodes,) + (1,) * mu.dim()
    eps = torch.as_tensor(points, dtype=mu.dtype, device=mu.device).reshape(shape)
    weights = torch.as_tensor(weights / math.sqrt(2 * math.pi), dtype=mu.dtype, device=mu.device).reshape(shape)
    q = Normal(mu, torch.exp(0.5 * logvar))
    z = mu + q.scale * eps
    log_ratio = q.log_prob(z) - Normal(torch.zeros_like(mu), torch.ones_like(mu)).log_prob(z)
    mean = (weights * log_ratio).sum(0)
    return (weights * (log_ratio - mean) ** 2).sum(0).sum(-1)


def _log_mgf_of_quadratic(t: float, a: np.ndarray, b: np.ndarray) -> float:
    """log E exp(t sum_l (a_l eps_l + b_l (eps_l^2 - 1))), eps_l ~ N(0, 1) independent (needs 2 t b_l < 1)."""
    one_minus = 1 - 2 * t * b
    return float(np.sum(-t * b + (t * a) ** 2 / (2 * one_minus) - 0.5 * np.log(one_minus)))


def log_ratio_mean_bounds(mu: torch.Tensor, logvar: torch.Tensor, draws: int, alpha: float) -> tuple[float, float]:
    """(below, above): the mean over `draws` independent z ~ q(z|x) per row, and over the rows, of
    log q(z|x) - log p(z) - KL[q || p] falls below -below, or rises above above, with probability <= alpha / 2 each.

    Per latent dimension log q - log p - KL = a eps + b (eps^2 - 1), a = mu sigma, b = (sigma^2 - 1) / 2, whose
    moment generating function is closed form, so each side is a Chernoff bound: exact tail bounds for this
    distribution (skewed, chi-square-like), no normal approximation. Any t gives a valid bound; a grid of t
    around the natural scale takes nearly the best.
    """
    sigma = torch.exp(0.5 * logvar.detach().double())
    a = (mu.detach().double() * sigma).flatten().cpu().numpy()
    b = ((sigma**2 - 1) / 2).flatten().cpu().numpy()
    count = draws * (mu.numel() // max(mu.shape[-1], 1) if mu.dim() else 1)
    variance = draws * float(np.sum(a**2 + 2 * b**2))
    if variance == 0:
        return 0.0, 0.0
    log_2_over_alpha = math.log(2 / alpha)
    bounds = []
    for sign in (-1.0, 1.0):
        largest = float(np.max(sign * b))
        t_max = 1 / (2 * largest) if largest > 0 else math.inf
        scale = math.sqrt(2 * log_2_over_alpha / variance)
        ts = scale * np.logspace(-3, 3, 601)
        ts = ts[ts < t_max * (1 - 1e-9)]
        bounds.append(min((draws * _log_mgf_of_quadratic(t, sign * a, sign * b) + log_2_over_alpha) / t
                          for t in ts) / count)
    return bounds[0], bounds[1]


# Bounds that hold at a stated false-alarm rate alpha for every distribution (given what each one names) --

@dataclass(frozen=True)
class MedianOfMeans:
    estimate: float  # the median of the block means
    bound: float  # P(|estimate - mean| > bound) <= alpha
    blocks: int
    block_size: int
    k: float  # the bound in standard errors of one block mean


@lru_cache(maxsize=None)
def median_of_means_design(alpha: float) -> tuple[float, int]:
    """(k, B), B odd: each of B independent block means is more than k of its standard errors from the mean with
    probability <= 1/k^2 (Chebyshev), so the median is only if (B + 1)/2 blocks are, with probability
    <= P(Binomial(B, 1/k^2) >= (B + 1)/2) <= alpha. Of such pairs, the one with the smallest k sqrt(B) (the bound
    in standard errors of the mean of all the values)."""
    from scipy import stats

    blocks = np.arange(1, 2002, 2)
    best = None
    for k in (tenths / 10 for tenths in range(15, 101)):
        fine = np.nonzero(stats.binom.sf((blocks - 1) // 2, blocks, 1 / k**2) <= alpha)[0]
        if len(fine) and (best is None or k * math.sqrt(blocks[fine[0]]) < best[0] * math.sqrt(best[1])):
            best = (k, int(blocks[fine[0]]))
    if best is None:
        raise ValueError(f"no median-of-means design reaches rate {alpha:g} with at most {blocks[-1]} blocks")
    return best


def median_of_means(values: torch.Tensor, variances: torch.Tensor, alpha: float) -> MedianOfMeans | None:
    """The median of block means of independent `values` that share one mean, each with the *known* variance in
    `variances` (broadcast to `values`), and the bound it keeps at rate `alpha`; None when there are fewer
    values than blocks. No other assumption: heavy tails and skew cost nothing but the bound's width."""
    k, blocks = median_of_means_design(alpha)
    values = values.detach().double()
    variances = torch.as_tensor(variances, dtype=torch.float64, device=values.device).expand_as(values)
    size = values.numel() // blocks
    if size < 1:
        return None
    block_means = values.flatten()[: blocks * size].reshape(blocks, size).mean(1)
    block_variances = variances.flatten()[: blocks * size].reshape(blocks, size).sum(1) / size**2
    return MedianOfMeans(block_means.median().item(), k * block_variances.max().sqrt().item(), blocks, size, k)


def symmetric_mean_bound(values: torch.Tensor, alpha: float) -> float:
    """A bound on |mean| of independent values each symmetric about 0 (e.g. differences of two i.i.d. estimates),
    kept with probability >= 1 - alpha: given |v_i| the signs are fair coins, so Hoeffding gives
    P(|sum v| >= x sqrt(sum v^2)) <= 2 exp(-x^2 / 2); and |sum v| <= sqrt(n) sqrt(sum v^2) always."""
    values = values.detach().double().flatten()
    x = math.sqrt(2 * math.log(2 / alpha))
    return min(x, math.sqrt(values.numel())) * values.pow(2).sum().sqrt().item() / values.numel()


def student_t_critical(dof: int, alpha: float, two_sided: bool = True) -> float:
    """The Student t quantile that |t| (or -t, one-sided) exceeds with probability alpha for normal data."""
    from scipy import stats

    return float(stats.t.isf(alpha / 2 if two_sided else alpha, dof)) if dof >= 1 else math.inf
