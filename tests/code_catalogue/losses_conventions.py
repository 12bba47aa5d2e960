"""Losses that are right up to a stated convention: a KL weight beta != 1, or one scale on both terms.

Written for the catalogue (not taken from any project).
"""
import torch
import torch.nn.functional as F


def _kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_beta_vae(recon_x, x, mu, logvar, beta=4.0):
    """A beta-VAE with beta = 4."""
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + beta * _kl_sum(mu, logvar)


def loss_kl_weight_half(logits, x, mu, logvar, kl_weight=0.5):
    """A KL weight (e.g. mid-annealing) of 1/2, averaged over the batch."""
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(-1)
    return (bce + kl_weight * kl).mean()


def loss_halved(recon_x, x, mu, logvar):
    """The same factor 1/2 on both terms."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return 0.5 * (bce + _kl_sum(mu, logvar))


def loss_per_element(recon_x, x, mu, logvar):
    """Both summed terms divided by the number of data values, B * D: one scale on both."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return (bce + _kl_sum(mu, logvar)) / x.numel()
