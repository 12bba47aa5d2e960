"""KL terms that are wrong, in PyTorch: the mistakes issue 14 counts in public VAE code, written anew."""
import torch
import torch.nn.functional as F


def kl_mean_over_everything(mu, logvar):
    """torch.mean over batch and latent dims: KL / (B d) instead of a sum over the latent dims."""
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())


def kl_mean_last_axis(z_mean, z_log_var):
    """Keras-style mean over the last axis: one KL / d per example."""
    return -0.5 * torch.mean(1 + z_log_var - torch.square(z_mean) - torch.exp(z_log_var), dim=-1)


def kl_mean_latent_then_sum_batch(mu, logvar):
    elementwise = -0.5 * (1 + logvar - mu ** 2 - logvar.exp())
    return elementwise.mean(-1).sum()


def kl_sign_flipped(mu, logvar):
    """The leading minus forgotten: returns -KL."""
    return 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_minus_one_dropped(mu, logvar):
    """The -1 (from E_q[(z - mu)^2 / sigma^2] = 1) dropped: KL + 1/2 per latent dim."""
    return -0.5 * torch.sum(logvar - mu.pow(2) - logvar.exp())


def kl_half_missing(mu, logvar):
    """The 1/2 dropped: 2 KL."""
    return -torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1).mean()


def kl_softplus_on_logvar(mu, logvar):
    """A positivity transform on a log-variance: sigma^2 = exp(softplus(s)) >= 1."""
    logvar = F.softplus(logvar)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_exp_logvar_as_std(mu, logvar):
    """std = exp(logvar) in the variance term while the log term reads logvar as log sigma^2."""
    std = logvar.exp()
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - std.pow(2))


def kl_mu_not_squared(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu - logvar.exp(), dim=-1)


def kl_squares_only(mu, logvar):
    """Not a KL at all: a penalty on mu^2 and logvar^2."""
    return 0.5 * torch.sum(mu ** 2 + logvar ** 2)


def kl_sign_and_mean(mu, logvar):
    """Two mistakes: the sign and the mean over the latent dims."""
    return 0.5 * torch.mean(1 + logvar - mu ** 2 - torch.exp(logvar))


def kl_wrong_axis_then_mean(mu, logvar):
    """Summed over dim 0 (the batch) where dim 1 was meant, then averaged: KL / d summed over the batch."""
    elementwise = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
    return torch.sum(elementwise, dim=0).mean()
