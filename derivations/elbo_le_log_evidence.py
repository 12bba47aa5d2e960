"""The evidence lower bound: log p(X) ≥ L(X, z).

Article lines 66-73 (the chain and the four explanations at lines 61-64).
"""
import sympy as sp

from ._notation import ELBO, p_X, p_Xz, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import integral, ratio, times, z

CHAIN = calc(
    sp.log(p_X),
    ("=", sp.log(integral(p_Xz, z)), "marginalization: p(X) = ∫ p(X, z) dz"),
    ("=", sp.log(integral(times(q_zX, ratio(p_Xz, q_zX)), z)), "multiply by q(z|X)/q(z|X) = 1"),
    (">=", integral(times(q_zX, sp.log(ratio(p_Xz, q_zX))), z), "Jensen: log is concave, q(z|X) is a density"),
    ("=", ELBO, "definition of the lower bound L(X, z)"),
    name="elbo_le_log_evidence",
    title="log p(X) ≥ L(X, z): the evidence lower bound",
    source="article lines 66-73",
)
