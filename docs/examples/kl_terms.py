"""KL terms whose argument names do not say what they hold: the documentation's check-code example."""
import numpy as np


def kl_term(m, s):
    """KL(N(m, exp(s)^2) || N(0, 1)) summed over the last axis: s is log sigma."""
    return np.sum(0.5 * (m**2 + np.exp(2 * s)) - s - 0.5, axis=-1)


def kl_from_logvar(mu, logvar):
    """The same formula; the name says log sigma^2, the body treats it as log sigma."""
    return np.sum(0.5 * (mu**2 + np.exp(2 * logvar)) - logvar - 0.5, axis=-1)
