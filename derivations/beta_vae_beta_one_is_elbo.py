"""The β-VAE objective at β = 1 is the ELBO: E_q[log p(X|z)] − 1 · KL[q ‖ p(z)] = L(X, z).

Higgins et al. 2017; the ELBO in the form of article line 160.
"""
import sympy as sp

from ._notation import ELBO, p_X_given_z, p_z, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, X, define, z

L_beta_at_one = define("L_beta=1", (X, z), Expectation(q_zX, sp.log(p_X_given_z)) - KL(q_zX, p_z))

CHAIN = calc(
    L_beta_at_one,
    ("=", ELBO, "L = −KL[q ‖ p(z)] + E_q[log p(X|z)] (article line 160)"),
    name="beta_vae_beta_one_is_elbo",
    title="L_β at β = 1 is L(X, z)",
    source="Higgins et al. 2017; article line 160",
)
