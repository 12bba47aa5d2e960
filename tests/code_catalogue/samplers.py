"""Reparameterized samplers z = mu + sigma * eps in PyTorch, right and wrong.

Written for the catalogue (not taken from any project); the styles are those of common VAE code.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch.distributions import Normal

EPSILON_STD = 0.01  # an old tutorial default for the noise's standard deviation


def reparameterize(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return mu + eps * std


def reparameterize_inplace(mu, logvar):
    """Older PyTorch style: in-place exp_, normal_ and add_."""
    std = logvar.mul(0.5).exp_()
    eps = torch.empty_like(std).normal_()
    return eps.mul(std).add_(mu)


def sample_log_sigma(mu, log_sigma):
    return mu + torch.exp(log_sigma) * torch.randn_like(mu)


def sample_scale(loc, scale):
    noise = torch.randn(loc.shape, dtype=loc.dtype, device=loc.device)
    return loc + scale * noise


def sample_variance(mean, variance):
    return mean + variance.sqrt() * torch.randn_like(mean)


def sample_rsample(mu, logvar):
    return Normal(mu, torch.exp(logvar / 2)).rsample()


def reparameterize_given_noise(mu, logvar, eps):
    """The noise comes in as an argument."""
    return mu + eps * torch.exp(0.5 * logvar)


def reparameterize_float32_noise(mu, logvar):
    """Noise drawn in the default dtype (float32) and by explicit size."""
    eps = torch.randn(mu.size(0), mu.size(1))
    return mu + eps * torch.exp(0.5 * logvar)


def sample_exp_logvar_as_std(mu, logvar):
    """exp(logvar) as the std: right if `logvar` is log sigma, wrong beside a KL that reads it as log sigma^2."""
    return mu + torch.exp(logvar) * torch.randn_like(mu)


def sample_small_noise(mu, logvar):
    """Noise with std 0.01 instead of 1."""
    epsilon = torch.normal(0.0, EPSILON_STD, size=mu.shape, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * epsilon


def sample_no_noise(mu, logvar):
    """The sampling step left out."""
    return mu


def sample_eval_mode_default(mu, logvar, training=False):
    """Samples only when told it is training; called as written, it returns the mean."""
    if training:
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    return mu


def sample_seeded_inside(mu, logvar):
    """A seed set inside the call: the same noise on every call."""
    torch.manual_seed(0)
    eps = torch.randn_like(mu)
    return mu + eps * torch.exp(0.5 * logvar)


def sample_fixed_generator(mu, logvar):
    generator = torch.Generator().manual_seed(1234)
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
    return mu + eps * torch.exp(0.5 * logvar)


_NOISE = {}
_NOISE_AT_IMPORT = torch.randn(1 << 16, dtype=torch.float64)  # drawn once, when the module is imported


def sample_noise_from_import(mu, logvar):
    """Noise cut from a buffer drawn at import: the same noise on every call."""
    eps = _NOISE_AT_IMPORT[: mu.numel()].view_as(mu).to(mu.dtype)
    return mu + eps * torch.exp(0.5 * logvar)



def sample_reused_noise(mu, logvar):
    """Noise drawn once per shape and reused for every later call."""
    eps = _NOISE.setdefault(tuple(mu.shape), torch.randn(mu.shape, dtype=mu.dtype))
    return mu + eps * torch.exp(0.5 * logvar)


def sample_noise_shared_across_batch(mu, logvar):
    """One noise vector broadcast over the whole batch."""
    eps = torch.randn(mu.shape[-1], dtype=mu.dtype)
    return mu + eps * torch.exp(0.5 * logvar)


def sample_detached_std(mu, logvar):
    std = torch.exp(0.5 * logvar).detach()
    return mu + std * torch.randn_like(std)


def sample_numpy_roundtrip(mu, logvar):
    """Sampled in numpy: no gradient reaches mu or logvar."""
    m = mu.detach().cpu().numpy()
    s = np.exp(0.5 * logvar.detach().cpu().numpy())
    return torch.from_numpy(m + s * np.random.standard_normal(m.shape))


def sample_softplus_logvar(mu, logvar):
    """softplus on the log-variance: the variance exp(softplus(s)) is never below 1."""
    std = torch.exp(0.5 * F.softplus(logvar))
    return mu + std * torch.randn_like(std)


def sample_torch_normal(mu, logvar):
    """torch.normal draws from N(mu, std) but is not reparameterized: its gradients are zero."""
    return torch.normal(mu, torch.exp(0.5 * logvar))


def sample_distribution_sample(mu, logvar):
    """.sample() where .rsample() belongs: drawn without a gradient."""
    return Normal(mu, torch.exp(0.5 * logvar)).sample()


BATCH_SIZE, LATENT_DIM = 32, 8  # hard-coded, as in scripts written for one model


def sample_hard_coded_shape(mu, logvar):
    """The noise shape comes from module constants: only (32, 8) inputs work."""
    epsilon = torch.randn(BATCH_SIZE, LATENT_DIM, dtype=mu.dtype)
    return mu + torch.exp(0.5 * logvar) * epsilon


def sample_clamped_logvar(mu, logvar):
    std = torch.exp(0.5 * logvar.clamp(-10.0, 10.0))
    return mu + std * torch.randn_like(std)


@torch.no_grad()
def sample_under_no_grad(mu, logvar):
    """A generation helper (no_grad) used as the training sampler: no gradient."""
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def sample_uniform_noise(mu, logvar):
    """rand_like where randn_like belongs: uniform noise on [0, 1)."""
    return mu + torch.exp(0.5 * logvar) * torch.rand_like(mu)
