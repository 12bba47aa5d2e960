"""The decomposition KL[q(z|X) ‖ p(z|X)] = KL[q(z|X) ‖ p(z)] − E_q[log p(X|z)] + log p(X).

Article lines 145-154 (explained at lines 137-143).
"""
import sympy as sp

from ._notation import p_X, p_z
from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, X, p, q, z

log = sp.log
q_phi = q(z, given=X, label="phi")
posterior = p(z, given=X, label="theta")
decoder = p(X, given=z, label="theta")

CHAIN = calc(
    KL(q_phi, posterior),
    ("=", Expectation(q_phi, log(q_phi) - log(posterior)), "definition of KL as an expectation under q"),
    ("=", Expectation(q_phi, log(q_phi) - log(decoder) - log(p_z) + log(p_X)),
     "Bayes' rule p(z|X) = p(X|z) p(z) / p(X), log of a product"),
    ("=", Expectation(q_phi, log(q_phi) - log(decoder) - log(p_z)) + log(p_X),
     "log p(X) does not depend on z and E_q[1] = 1"),
    ("=", Expectation(q_phi, log(q_phi) - log(p_z)) - Expectation(q_phi, log(decoder)) + log(p_X),
     "linearity of E"),
    ("=", KL(q_phi, p_z) - Expectation(q_phi, log(decoder)) + log(p_X), "definition of KL"),
    name="kl_decomposition",
    title="KL[q ‖ p(z|X)] = KL[q ‖ p(z)] − E_q[log p(X|z)] + log p(X)",
    source="article lines 145-154",
)
