"""The β-VAE objective bounds the ELBO from below for β ≥ 1: E_q[log p(X|z)] − β KL[q ‖ p(z)] ≤ L(X, z).

Higgins et al. 2017 (β-VAE); the ELBO in the form of article line 160. β ≥ 1 is written β = 1 + δ with
δ ≥ 0, so that the checkers know it: the step is (β − 1) KL ≥ 0, by δ ≥ 0 and Gibbs' inequality.
"""
import sympy as sp

from ._notation import ELBO, p_X_given_z, p_z, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, X, define, z

delta = sp.Symbol("delta", nonnegative=True)  # β − 1
beta = 1 + delta
reconstruction = Expectation(q_zX, sp.log(p_X_given_z))
L_beta = define("L_beta", (X, z), reconstruction - beta * KL(q_zX, p_z))

CHAIN = calc(
    L_beta,
    ("=", reconstruction - KL(q_zX, p_z) - delta * KL(q_zX, p_z), "definition of L_β, with β = 1 + δ"),
    ("<=", reconstruction - KL(q_zX, p_z), "δ ≥ 0 and KL ≥ 0 (Gibbs' inequality)"),
    ("=", ELBO, "L = −KL[q ‖ p(z)] + E_q[log p(X|z)] (article line 160)"),
    name="beta_vae_lower_bound",
    title="L_β ≤ L(X, z) for β ≥ 1",
    source="Higgins et al. 2017; article line 160",
    hypotheses=("β = 1 + δ with δ ≥ 0",),
)
