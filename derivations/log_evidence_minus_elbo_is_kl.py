"""The gap: log p(X) − L(X, z) = KL[q(z|X) ‖ p(z|X)] ≥ 0.

Article lines 93-104, all eight steps (explained at lines 84-91).
Corrections: line 99 writes ``\\log (z\\mid X)``, a log of no density; it must be log q(z|X) (the next
line uses it so). Line 102 has a stray ``|`` inside the KL brackets.
"""
import sympy as sp

from ._notation import ELBO, p_X, p_Xz, p_z_given_X, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, integral, ratio, times, z

log = sp.log

CHAIN = calc(
    log(p_X) - ELBO,
    ("=", log(p_X) - integral(times(q_zX, log(ratio(p_Xz, q_zX))), z), "definition of L(X, z)"),
    ("=", log(p_X) * integral(q_zX, z) - integral(times(q_zX, log(ratio(p_Xz, q_zX))), z),
     "∫ q(z|X) dz = 1"),
    ("=", integral(times(q_zX, log(p_X)), z)
     - integral(times(q_zX, log(ratio(times(p_z_given_X, p_X), q_zX))), z),
     "log p(X) does not depend on z; product rule p(X, z) = p(z|X) p(X)"),
    ("=", integral(times(q_zX, log(p_X)), z)
     - integral(times(q_zX, log(p_z_given_X) + log(p_X) - log(q_zX)), z),  # article: log(z|X)
     "log of a product is the sum of the logs"),
    ("=", integral(times(q_zX, -log(p_z_given_X) + log(q_zX)), z), "linearity of ∫: the log p(X) terms cancel"),
    ("=", integral(times(q_zX, log(ratio(q_zX, p_z_given_X))), z), "log a − log b = log(a/b)"),
    ("=", KL(q_zX, p_z_given_X), "definition of KL"),
    (">=", 0, "Gibbs' inequality: KL ≥ 0"),
    name="log_evidence_minus_elbo_is_kl",
    title="log p(X) − L(X, z) = KL[q(z|X) ‖ p(z|X)] ≥ 0",
    source="article lines 93-104",
)
