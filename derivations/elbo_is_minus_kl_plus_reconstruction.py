"""L(X, z) = −KL[q(z|X) ‖ p(z)] + E_q[log p(X|z)]: the bound without the evidence.

Article line 160, from lines 126-131 and the decomposition at lines 145-154.
Correction: the summary at line 31 writes ``L(X,z) = -D_{KL} + E[\\log p(X)]``; the expectation is of
log p_θ(X|z) under q(z|X) (E_q[log p(X)] is just log p(X)), and D_KL is KL[q(z|X) ‖ p(z)].
"""
import sympy as sp

from ._notation import ELBO, p_X, p_X_given_z, p_z, p_z_given_X, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, X, p, q, z

log = sp.log

CHAIN = calc(
    ELBO,
    ("=", log(p_X) - KL(q_zX, p_z_given_X), "lines 126-128: L = log p(X) − KL[q ‖ p(z|X)]"),
    ("=", log(p_X) - (KL(q_zX, p_z) - Expectation(q_zX, log(p_X_given_z)) + log(p_X)),
     "the KL decomposition (lines 145-154)"),
    ("=", -KL(q(z, given=X, label="phi"), p_z) + Expectation(q(z, given=X, label="phi"),
                                                           log(p(X, given=z, label="theta"))),
     "log p(X) cancels"),
    name="elbo_is_minus_kl_plus_reconstruction",
    title="L(X, z) = −KL[q(z|X) ‖ p(z)] + E_q[log p(X|z)]",
    source="article line 160 (and the summary at line 31)",
)
