"""L(X, z) = log p(X) − KL[q(z|X) ‖ p(z|X)], with the parameters written out.

Article lines 126-131: rearranging the gap (lines 93-104); q_φ and p_θ name the networks that compute q and p.
"""
import sympy as sp

from ._notation import ELBO, p_X, p_z_given_X, q_phi, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, X, p, z

CHAIN = calc(
    ELBO,
    ("=", sp.log(p_X) - KL(q_zX, p_z_given_X), "the gap log p(X) − L = KL[q ‖ p(z|X)] (lines 93-104)"),
    ("=", sp.log(p_X) - KL(q_phi, p(z, given=X, label="theta")), "q = q_φ and p = p_θ: the parameters made explicit"),
    name="elbo_is_log_evidence_minus_kl",
    title="L(X, z) = log p(X) − KL[q_φ(z|X) ‖ p_θ(z|X)]",
    source="article lines 126-131",
)
