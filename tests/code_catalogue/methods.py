"""Losses, KLs and samplers written as methods: nn.Module classes, a plain class, a staticmethod, and a
class that cannot be built without arguments. Written for the catalogue (not taken from any project).
"""
import torch
import torch.nn.functional as F
from torch import nn


class VAE(nn.Module):
    """An MLP VAE for MNIST whose loss and sampler are methods."""

    def __init__(self, pixels=784, hidden=400, latent=20):
        super().__init__()
        self.pixels = pixels
        self.fc1 = nn.Linear(pixels, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, pixels)

    def reparameterize(self, mu, logvar):
        if self.training:
            std = torch.exp(0.5 * logvar)
            return mu + std * torch.randn_like(std)
        return mu

    def loss_function(self, recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x.view(-1, self.pixels), reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld


class BetaVAE(VAE):
    """Returns a dict of named terms, as experiment frameworks log them; beta = 4."""

    def __init__(self, beta=4.0, **kwargs):
        super().__init__(**kwargs)
        self.beta = beta

    def loss_function(self, recon_x, x, mu, logvar):
        recons = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1)
        kld = torch.sum(-0.5 * (1 + logvar - mu ** 2 - logvar.exp()), dim=1)
        loss = torch.mean(recons + self.beta * kld)
        return {"loss": loss, "Reconstruction_Loss": recons.mean(), "KLD": kld.mean()}


class KerasLikeModel:
    """A plain class with a Keras-style KL (mean over the latent axis) and a static sampler."""

    def __init__(self):
        self.kl_weight = 1.0

    def kl_loss(self, z_mean, z_log_var):
        kl = -0.5 * torch.mean(1 + z_log_var - z_mean.pow(2) - z_log_var.exp(), dim=-1)
        return self.kl_weight * kl.mean()

    @staticmethod
    def sampling(z_mean, z_log_var):
        epsilon = torch.randn_like(z_mean)
        return z_mean + torch.exp(0.5 * z_log_var) * epsilon


class CachedNoiseSampler(nn.Module):
    """Keeps its first noise and reuses it while the shape stays the same."""

    def __init__(self):
        super().__init__()
        self.eps = None

    def forward(self, mu, logvar):
        if self.eps is None or self.eps.shape != mu.shape:
            self.eps = torch.randn_like(mu)
        return mu + self.eps * torch.exp(0.5 * logvar)


class NeedsConfig:
    """Cannot be built without its configuration: binding a method needs arguments."""

    def __init__(self, config):
        self.beta = config["beta"]

    def loss(self, recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
        return bce + self.beta * (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()))
