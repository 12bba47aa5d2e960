"""The loss: −L(X, z) = KL[q(z|X) ‖ p(z)] + E_q[BCE(X, z)] for a Bernoulli decoder on binary X.

Article lines 36-37 and 166-168 (``Loss_func = −(−D_KL) + BCELoss``). The decoder outputs
ŷᵢ(z) ∈ (0, 1) per pixel and p(X|z) = Πᵢ ŷᵢ^xᵢ (1 − ŷᵢ)^(1 − xᵢ): this is a probability only for binary
xᵢ, so BCE is −log p(X|z) only for binary data. BCELoss in the article is a one-sample estimate of E_q[BCE].
"""
import sympy as sp

from ._notation import ELBO, p_z, q_zX
from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, X, define, p, z

i = sp.Symbol("i", integer=True, positive=True)
D = sp.Symbol("D", integer=True, positive=True)  # number of pixels
x_i = sp.Function("x")(i)  # the i-th pixel of X, 0 or 1
yhat = sp.Function("yhat")(i, z)  # the decoder's Bernoulli mean for pixel i

BERNOULLI_LOG_LIKELIHOOD = sp.Sum(x_i * sp.log(yhat) + (1 - x_i) * sp.log(1 - yhat), (i, 1, D))
BCE = define("BCE", (X, z), -sp.Sum(x_i * sp.log(yhat) + (1 - x_i) * sp.log(1 - yhat), (i, 1, D)))
decoder = p(X, given=z, label="theta")

CHAIN = calc(
    -ELBO,
    ("=", KL(q_zX, p_z) - Expectation(q_zX, sp.log(decoder)), "L = −KL[q ‖ p(z)] + E_q[log p(X|z)] (line 160)"),
    ("=", KL(q_zX, p_z) + Expectation(q_zX, BCE), "Bernoulli decoder: log p(X|z) = −BCE(X, z) for binary X"),
    name="negative_elbo_is_kl_plus_bce",
    title="Loss = −L = KL[q(z|X) ‖ p(z)] + E_q[BCE]",
    source="article lines 36-37 and 166-168",
    model=((sp.log(p(X, given=z)), BERNOULLI_LOG_LIKELIHOOD),),
)
