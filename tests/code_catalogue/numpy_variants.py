"""NumPy reference implementations (no autograd: no gradient is expected of them), right and wrong.

Written for the catalogue (not taken from any project).
"""
import numpy as np

_rng = np.random.default_rng(2024)  # one generator for the module: fresh noise on every call


def kl_np_per_example(mu, logvar):
    return -0.5 * np.sum(1.0 + logvar - np.square(mu) - np.exp(logvar), axis=-1)


def kl_np_sigma_batch_mean(mean, std):
    return np.mean(np.sum(np.log(1.0 / std) + (std ** 2 + mean ** 2 - 1.0) / 2.0, axis=1))


def kl_np_var_total(mu, sigmasq):
    return 0.5 * float(np.sum(sigmasq + mu ** 2 - 1.0 - np.log(sigmasq)))


def kl_np_keras_mean(z_mean, z_log_var):
    """The Keras-style mean over the latent axis: KL / d per example."""
    return -0.5 * np.mean(1 + z_log_var - np.square(z_mean) - np.exp(z_log_var), axis=-1)


def kl_np_sign(mu, logvar):
    return 0.5 * np.sum(1.0 + logvar - mu ** 2 - np.exp(logvar))


def loss_np_bce(recon_x, x, mu, logvar):
    bce = -np.sum(x * np.log(recon_x) + (1.0 - x) * np.log1p(-recon_x), axis=1)
    return float(np.mean(bce + kl_np_per_example(mu, logvar)))


def loss_np_gaussian(x_hat, x, mu, log_sigma):
    """Unit-variance Gaussian reconstruction, KL with the scale as log sigma."""
    nll = 0.5 * np.sum((x - x_hat) ** 2 + np.log(2.0 * np.pi), axis=-1)
    kl = np.sum(0.5 * (np.exp(2.0 * log_sigma) + mu ** 2 - 1.0) - log_sigma, axis=-1)
    return np.sum(nll + kl)


def loss_np_pixel_mean(recon_x, x, mu, logvar):
    """A per-pixel mean BCE beside a per-example KL: reduction mismatch."""
    bce = -np.mean(x * np.log(recon_x) + (1.0 - x) * np.log(1.0 - recon_x))
    return bce + np.mean(kl_np_per_example(mu, logvar))


def sample_np(mu, logvar):
    return mu + np.exp(0.5 * logvar) * np.random.standard_normal(mu.shape)


def sample_np_generator(mu, log_sigma):
    return mu + np.exp(log_sigma) * _rng.normal(size=np.shape(mu))


def sample_np_seeded_inside(mu, logvar):
    """A generator seeded inside the call: the same noise on every call."""
    rng = np.random.default_rng(0)
    return mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape)


def sample_np_exp_logvar_as_std(mu, logvar):
    return mu + np.exp(logvar) * np.random.randn(*mu.shape)


def loss_np_xlogy(recon_x, x, mu, logvar):
    """scipy's xlogy: 0 log 0 = 0, finite at probabilities 0 and 1."""
    from scipy.special import xlogy

    bce = -np.sum(xlogy(x, recon_x) + xlogy(1.0 - x, 1.0 - recon_x))
    return bce + np.sum(kl_np_per_example(mu, logvar))
