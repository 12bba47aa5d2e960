"""Three mistakes often found in VAE code: the documentation's check-code example of bugs."""
import torch
import torch.nn.functional as F


def kl_divergence(mu, logvar):
    """The Gaussian KL, averaged over the latent dimensions instead of summed."""
    return torch.mean(-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()))


def reparameterize(mu, logvar):
    """exp(logvar) used as the standard deviation: the KL above reads logvar as log sigma^2."""
    return mu + torch.exp(logvar) * torch.randn_like(mu)


def sample_without_noise(mu, logvar):
    """No noise at all: every call returns the mean."""
    return mu + 0.0 * torch.exp(0.5 * logvar)
