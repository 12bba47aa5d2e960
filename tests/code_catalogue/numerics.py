"""Code that is right on ordinary inputs; some of it turns inf/nan at extremes where the math stays finite.

Which patterns do, in float64 (the inputs the contract names: logits +-50, sigma near 0, logvar +-30):
- sigmoid then log: sigmoid(50) rounds to exactly 1, so log(1 - p) = -inf where the NLL is 50;
- log(sigma ** 2): sigma ** 2 underflows to 0 below sigma = 2.2e-162 (log -> -inf) where the KL is about -log sigma;
- torch.distributions' Normal-Normal KL squares the scale ratio first, the same underflow;
- log(exp(logvar)) is finite for |logvar| <= 30 (exp(-30) = 9.4e-14): it fails only past -745, outside.
Written for the catalogue (not taken from any project).
"""
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence


def _kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_sigmoid_then_log(logits, x, mu, logvar):
    p = torch.sigmoid(logits)
    bce = -torch.sum(x * torch.log(p) + (1 - x) * torch.log(1 - p))
    return bce + _kl_sum(mu, logvar)


def loss_stable_logits(logits, x, mu, logvar):
    """The fused BCE-with-logits: finite at any logit."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") + _kl_sum(mu, logvar)


def kl_sigma_log_of_square(mu, sigma):
    return -0.5 * torch.sum(1 + torch.log(sigma ** 2) - mu.pow(2) - sigma.pow(2))


def kl_sigma_two_log(mu, sigma):
    """2 log sigma instead of log sigma^2: finite for every positive float sigma."""
    return torch.sum(0.5 * (sigma.pow(2) + mu.pow(2) - 1) - torch.log(sigma))


def kl_distributions_sigma(loc, scale):
    return kl_divergence(Normal(loc, scale), Normal(torch.zeros_like(loc), torch.ones_like(scale))).sum()


def kl_log_of_exp(mu, logvar):
    """var = exp(logvar), then log(var): finite over logvar in [-30, 30]."""
    var = torch.exp(logvar)
    return -0.5 * torch.sum(1 + torch.log(var) - mu.pow(2) - var)


def loss_handwritten_bce_probs(recon_x, x, mu, logvar):
    """x log p + (1 - x) log(1 - p) by hand: 0 * log 0 = nan at probabilities 0 or 1 where the data agree."""
    bce = -torch.sum(x * torch.log(recon_x) + (1 - x) * torch.log(1 - recon_x))
    return bce + _kl_sum(mu, logvar)


def kl_float32_inside(mu, logvar):
    """Computed in float32, as a model's tensors are: right to float32 precision."""
    mu, logvar = mu.float(), logvar.float()
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_float32_inside(recon_x, x, mu, logvar):
    recon_x, x, mu, logvar = recon_x.float(), x.float(), mu.float(), logvar.float()
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce + _kl_sum(mu, logvar)


def sample_float32(mu, logvar):
    mu, logvar = mu.float(), logvar.float()
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
