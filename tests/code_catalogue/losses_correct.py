"""Losses (one-sample -ELBO estimates) that are right, in PyTorch: Bernoulli from probabilities and from
logits, Gaussian, Laplace and categorical reconstructions, every batch convention, hard-coded image shapes,
tuples and dicts returned, names that lie.

Written for the catalogue (not taken from any project); the styles are those of common VAE code.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Normal, kl_divergence

DECODER_STD = 0.1  # a fixed decoder standard deviation, sigma^2 = 0.01


def _kl_per_example(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)


def loss_bce_probs_flat784(recon_x, x, mu, logvar):
    """MNIST hard-coded: the data are viewed as 784 pixels."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def loss_bce_logits_sum(logits, x, mu, logvar):
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    return recon + _kl_per_example(mu, logvar).sum()


def loss_batch_mean(x_hat, x, mu, log_var):
    bce = F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=-1)
    kl = 0.5 * (mu ** 2 + log_var.exp() - 1 - log_var).sum(dim=-1)
    return (bce + kl).mean()


def loss_conv_images(recon_x, x, mu, logvar):
    """A convolutional decoder's output: (B, C, H, W) images, summed over (C, H, W)."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(1, 2, 3))
    return torch.mean(bce + _kl_per_example(mu, logvar))


def loss_images_1x28x28(recon_x, x, mu, logvar):
    """Reshaped to MNIST images whatever layout the data come in."""
    recon = recon_x.view(-1, 1, 28, 28)
    target = x.view(-1, 1, 28, 28)
    bce = F.binary_cross_entropy(recon, target, reduction="none").sum(dim=(1, 2, 3))
    return bce.sum() + _kl_per_example(mu, logvar).sum()


def loss_gaussian_mse_sum(recon, x, mu, logvar):
    """Summed squared error: a Gaussian NLL with sigma^2 = 1/2, up to a constant."""
    mse = F.mse_loss(recon, x, reduction="sum")
    return mse + _kl_per_example(mu, logvar).sum()


def loss_gaussian_nll_fixed_std(x_hat, x, mu, logvar):
    """The full Gaussian NLL with a fixed decoder std, normaliser included."""
    nll = 0.5 * (((x - x_hat) / DECODER_STD) ** 2 + np.log(2 * np.pi * DECODER_STD ** 2))
    return (nll.sum(dim=-1) + _kl_per_example(mu, logvar)).mean()


def loss_laplace_l1(recon_x, x, mu, logvar):
    """Summed absolute error: a Laplace NLL with scale 1, up to a constant."""
    return F.l1_loss(recon_x, x, reduction="sum") + _kl_per_example(mu, logvar).sum()


def loss_categorical_onehot(logits, x, mu, logvar):
    """One-hot rows: a categorical NLL over the last axis."""
    nll = -(x * F.log_softmax(logits, dim=-1)).sum(dim=-1)
    return (nll + _kl_per_example(mu, logvar)).sum()


def loss_sequence_token_ids(logits, x, mu, logvar):
    """A sequence VAE: logits (B, L, K) for token ids x (B, L)."""
    nll = F.cross_entropy(logits.transpose(1, 2), x.long(), reduction="sum")
    return nll + _kl_per_example(mu, logvar).sum()


def loss_returns_tuple(recon_x, x, mu, logvar):
    """(loss, reconstruction, KL), the order most training loops log."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld, bce, kld


def loss_returns_dict(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(-1).mean()
    kld = _kl_per_example(mu, logvar).mean()
    return {"loss": bce + kld, "reconstruction": bce, "kl": kld}


def loss_keras_style_rescaled_mean(x_hat, x, z_mean, z_log_var):
    """A per-pixel mean BCE multiplied back by the number of pixels (read from the data): a sum."""
    xent = F.binary_cross_entropy(x_hat, x, reduction="none").mean(dim=-1) * x.shape[-1]
    kl = -0.5 * torch.sum(1 + z_log_var - torch.square(z_mean) - torch.exp(z_log_var), dim=-1)
    return torch.mean(xent + kl)


def loss_bce_eps_guard(recon_x, x, mu, logvar):
    """A hand-written BCE with a tiny guard inside the logs."""
    eps = 1e-10
    bce = -torch.sum(x * torch.log(recon_x + eps) + (1 - x) * torch.log(1 - recon_x + eps))
    return bce + _kl_per_example(mu, logvar).sum()


def loss_logsigmoid(logits, x, mu, logvar):
    """A hand-written, stable BCE from logits."""
    log_lik = x * F.logsigmoid(logits) + (1 - x) * F.logsigmoid(-logits)
    return -log_lik.sum() + _kl_per_example(mu, logvar).sum()


def loss_distributions(logits, x, mu, logvar):
    """torch.distributions for both terms, averaged over the batch."""
    nll = -Bernoulli(logits=logits).log_prob(x).sum(-1)
    q = Normal(mu, torch.exp(0.5 * logvar))
    kl = kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(-1)
    return (nll + kl).mean()


def loss_clamped_probs(probs, x, mu, logvar):
    p = probs.clamp(1e-7, 1 - 1e-7)
    return F.binary_cross_entropy(p, x, reduction="sum") + _kl_per_example(mu, logvar).sum()


def loss_sigma_parameterized(recon_x, x, mu, std):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kl = 0.5 * torch.sum(std ** 2 + mu ** 2 - 1 - 2 * torch.log(std))
    return bce + kl


def loss_named_logvar_holds_log_sigma(recon_x, x, mu, logvar):
    """`logvar` is log sigma here (its sampler uses exp(logvar) as the std): consistent, hence right."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kl = torch.sum(0.5 * (torch.exp(2 * logvar) + mu ** 2 - 1) - logvar)
    return bce + kl


def loss_divided_by_batch_size(recon_x, x, mu, logvar):
    """Summed terms divided by the batch size: the batch mean written as a division."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return (bce + _kl_per_example(mu, logvar).sum()) / x.size(0)


def loss_gaussian_nll_loss(x_hat, x, mu, logvar):
    """torch's Gaussian NLL with a unit variance, summed, normaliser included."""
    nll = F.gaussian_nll_loss(x_hat, x, torch.ones_like(x), full=True, reduction="sum")
    return nll + _kl_per_example(mu, logvar).sum()


BCE_SUMMED = nn.BCELoss(size_average=False)  # the pre-1.0 way of asking for a sum


def loss_legacy_size_average(recon_x, x, mu, logvar):
    return BCE_SUMMED(recon_x, x) + _kl_per_example(mu, logvar).sum()


def loss_logits_named_recon_x(recon_x, x, mu, logvar):
    """`recon_x` holds logits: the decoder has no final sigmoid."""
    bce = F.binary_cross_entropy_with_logits(recon_x, x, reduction="sum")
    return bce + _kl_per_example(mu, logvar).sum()


def loss_probs_named_logits(logits, x, mu, logvar):
    """`logits` holds probabilities (the decoder ends in a sigmoid): the BCE on probabilities is right."""
    return F.binary_cross_entropy(logits, x, reduction="sum") + _kl_per_example(mu, logvar).sum()


def elbo(recon_x, x, mu, logvar):
    """The ELBO itself (to be maximised): minus the loss."""
    log_lik = -F.binary_cross_entropy(recon_x, x, reduction="none").sum(-1)
    return (log_lik - _kl_per_example(mu, logvar)).mean()


def loss_sigmoid_then_bce(logits, x, mu, logvar):
    """The sigmoid applied inside the loss, then the BCE on probabilities."""
    bce = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="sum")
    return bce + _kl_per_example(mu, logvar).sum()


def loss_where_binary(logits, x, mu, logvar):
    """Written for binary pixels only: log p where x is 1, log(1 - p) where it is 0."""
    log_lik = torch.where(x > 0.5, F.logsigmoid(logits), F.logsigmoid(-logits))
    return -log_lik.sum() + _kl_per_example(mu, logvar).sum()


def loss_returns_terms(recon_x, x, mu, logvar):
    """The two terms, for the training loop to add: (reconstruction, KL)."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce, -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
