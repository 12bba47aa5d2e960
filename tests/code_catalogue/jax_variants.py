"""JAX / flax-style variants (run only where JAX is installed). Written for the catalogue.

PRNG keys come in as arguments named rng or key; the checker passes a fresh key per call.
"""
import jax
import jax.numpy as jnp


def kl_jax_sum(mean, logvar):
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar))


@jax.vmap
def kl_jax_vmapped(mean, logvar):
    """One example per call, vmapped over the batch: a vector of KLs."""
    return -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar))


def kl_jax_mean(mean, logvar):
    """jnp.mean over everything: KL / (B d)."""
    return -0.5 * jnp.mean(1 + logvar - jnp.square(mean) - jnp.exp(logvar))


def reparameterize(rng, mean, logvar):
    std = jnp.exp(0.5 * logvar)
    eps = jax.random.normal(rng, logvar.shape, dtype=logvar.dtype)
    return mean + eps * std


def reparameterize_split(key, mu, log_sigma):
    key, subkey = jax.random.split(key)
    return mu + jnp.exp(log_sigma) * jax.random.normal(subkey, mu.shape, dtype=mu.dtype)


def reparameterize_fixed_key(mean, logvar):
    """A PRNG key made inside the call: the same noise on every call."""
    key = jax.random.PRNGKey(0)
    eps = jax.random.normal(key, mean.shape, dtype=mean.dtype)
    return mean + eps * jnp.exp(0.5 * logvar)


def loss_jax(logits, x, mean, logvar):
    """Stable BCE from logits plus the KL, averaged over the batch."""
    log_p = jax.nn.log_sigmoid(logits)
    log_not_p = jax.nn.log_sigmoid(-logits)
    bce = -jnp.sum(x * log_p + (1.0 - x) * log_not_p, axis=-1)
    kl = -0.5 * jnp.sum(1 + logvar - jnp.square(mean) - jnp.exp(logvar), axis=-1)
    return jnp.mean(bce + kl)


def loss_jax_pixel_mean(logits, x, mean, logvar):
    """A per-pixel mean BCE beside a summed KL."""
    bce = -jnp.mean(x * jax.nn.log_sigmoid(logits) + (1.0 - x) * jax.nn.log_sigmoid(-logits))
    return bce + kl_jax_sum(mean, logvar)


def reparameterize_stop_gradient(rng, mean, logvar):
    """stop_gradient on the std: no gradient reaches logvar."""
    std = jax.lax.stop_gradient(jnp.exp(0.5 * logvar))
    return mean + std * jax.random.normal(rng, mean.shape, dtype=mean.dtype)
