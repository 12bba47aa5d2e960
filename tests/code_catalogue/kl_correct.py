"""KL[q(z|x) || N(0, I)] terms that are right, in PyTorch: every parameterization of the scale, every batch
convention, and names that say something else than the code does.

Written for the catalogue (not taken from any project); the styles are those of common VAE code.
"""
import torch
from torch.distributions import Independent, Normal, kl_divergence


def kl_logvar_sum(mu, logvar):
    """Summed over latent dims and the batch, as most tutorials write it."""
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_logvar_batch_mean(mu, logvar):
    """Summed over latent dims, averaged over the batch."""
    per_example = -0.5 * torch.sum(1 + logvar - mu ** 2 - torch.exp(logvar), dim=1)
    return torch.mean(per_example)


def kl_logvar_per_example(mu, log_var):
    """One KL per example: a vector of length B."""
    return 0.5 * (mu.square() + log_var.exp() - 1.0 - log_var).sum(dim=-1)


def kl_log_sigma_sum(mu, log_sigma):
    """The scale as log sigma: KL = sum(-log sigma + (sigma^2 + mu^2 - 1) / 2)."""
    return torch.sum(-log_sigma + 0.5 * (torch.exp(2 * log_sigma) + mu * mu) - 0.5)


def kl_log_std_per_example(z_mean, log_std):
    var = torch.exp(log_std) ** 2
    return torch.sum(0.5 * (var + z_mean ** 2 - 1.0) - log_std, dim=-1)


def kl_sigma_batch_mean(mu, sigma):
    var = sigma ** 2
    return (0.5 * (var + mu ** 2 - 1) - torch.log(sigma)).sum(1).mean()


def kl_std_sum(mean, std):
    return 0.5 * torch.sum(std * std + mean * mean - 1.0 - 2.0 * std.log())


def kl_var_sum(z_mean, variance):
    return 0.5 * torch.sum(variance + z_mean ** 2 - 1 - torch.log(variance))


def kl_var_per_example(mu, sigma2):
    return -0.5 * (1 + sigma2.log() - mu.pow(2) - sigma2).sum(-1)


def kl_named_z_var_holds_logvar(z_mean, z_var):
    """The name says variance; the code reads z_var as log sigma^2 (a well-known tutorial's naming)."""
    per_example = -0.5 * torch.sum(z_var - torch.square(z_mean) - torch.exp(z_var) + 1, dim=-1)
    return per_example.mean()


def kl_named_logvar_holds_log_sigma(mu, logvar):
    """The name says log sigma^2; the code reads it as log sigma (std = exp(logvar)), consistently."""
    std = torch.exp(logvar)
    return torch.sum(0.5 * (std ** 2 + mu ** 2) - logvar - 0.5)


def kl_torch_distributions(mu, logvar):
    """torch.distributions, per example."""
    q = Normal(mu, torch.exp(0.5 * logvar))
    p = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return kl_divergence(q, p).sum(-1)


def kl_torch_distributions_scale(loc, scale):
    """torch.distributions with the standard deviation given directly and a scalar prior."""
    return kl_divergence(Normal(loc, scale), Normal(0.0, 1.0)).sum(dim=-1).mean()


def kl_independent_normal(mu, logvar):
    """An Independent(Normal) posterior: the event dims are summed by torch itself."""
    std = (0.5 * logvar).exp()
    q = Independent(Normal(mu, std), 1)
    p = Independent(Normal(torch.zeros_like(mu), torch.ones_like(std)), 1)
    return kl_divergence(q, p).sum()


def kl_term(m, s):
    """Names that say nothing: the roles come from --inputs m=mu,s=logvar."""
    return torch.sum(0.5 * (torch.exp(s) + m ** 2 - 1.0 - s))


def kl_mean_over_batch_first(mu, logvar):
    """A mean over dim 0 (the batch), then a sum over the latent dims: the batch mean of the KL."""
    elementwise = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
    return torch.mean(elementwise, dim=0).sum()


def kl_normal_scale_given_logvar(mu, logvar):
    """`logvar` passed as Normal's scale: a KL in sigma, whatever the name (and it rejects negative values)."""
    return kl_divergence(Normal(mu, logvar), Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum()


def kl_keepdim(mu, logvar):
    """Per example, kept as a (B, 1) column."""
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1, keepdim=True)


def kl_clamped_logvar(mu, logvar):
    """A guard on the log-variance that changes nothing inside [-10, 10]."""
    logvar = torch.clamp(logvar, -10.0, 10.0)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_mean_times_latent_dim(z_mean, z_log_var):
    """torch.mean over everything, multiplied back by the latent dim: the batch mean of the KL."""
    elementwise = 1 + z_log_var - z_mean.square() - z_log_var.exp()
    return -0.5 * torch.mean(elementwise) * z_mean.shape[1]
