"""A VAE's loss and sampler written the usual way, in PyTorch: the documentation's check-code example."""
import torch
import torch.nn.functional as F


def reparameterize(mu, logvar):
    """z = mu + sigma * eps with sigma = exp(logvar / 2) and fresh standard normal noise."""
    std = torch.exp(0.5 * logvar)
    return mu + std * torch.randn_like(std)


def loss_function(recon_x, x, mu, logvar):
    """-ELBO for a Bernoulli decoder: BCE summed over pixels plus the Gaussian KL summed over latent dims."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl
