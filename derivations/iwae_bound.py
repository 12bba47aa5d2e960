"""The IWAE bound (Burda, Grosse & Salakhutdinov 2016, Theorem 1): L_K ≤ L_{K+1} ≤ log p(X).

L_K = E_{z_1..z_K ~ q(z|X)}[log (1/K) Σ_{k=1}^K w_k] with the importance weights w_k = p(X, z_k)/q(z_k|X)
(z_k i.i.d.; q(z|X) > 0 wherever p(X, z) > 0). L_1 is the ELBO of article lines 66-73 (iwae_one_sample_is_elbo).
The proof of the theorem: an unused sample integrates out; each K-subset of K + 1 exchangeable samples has
the same law, so the K-sample average is the uniform average over the K + 1 subsets that leave one out
(Σ_{k≠i} w_k = Σ_k w_k − w_i); Jensen for that finite average; the average of the leave-one-out averages is
the (K + 1)-sample average; then Jensen for E and E[w_k] = p(X). Every step for symbolic K.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.sums import WEIGHTS as w, SampleExpectation as E
from mathcheck.vocab import X, p

i = sp.Symbol("i", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)  # samples


def total(n):
    return sp.Sum(w[k], (k, 1, n))


leave_one_out = (total(K + 1) - w[i]) / K  # (1/K) Σ_{k≠i} w_k

CHAIN = calc(
    E(sp.log(total(K) / K), K),
    ("=", E(sp.log(total(K) / K), K + 1), "the sample z_{K+1} is not used: its density integrates to 1"),
    ("=", E(sp.Sum(sp.log(leave_one_out), (i, 1, K + 1)) / (K + 1), K + 1),
     "exchangeability: each leave-one-out average of the i.i.d. samples has the law of the first K's"),
    ("<=", E(sp.log(sp.Sum(leave_one_out, (i, 1, K + 1)) / (K + 1)), K + 1),
     "Jensen for the uniform average over i (log is concave, each leave-one-out average > 0), under E"),
    ("=", E(sp.log(total(K + 1) / (K + 1)), K + 1),
     "(1/(K+1)) Σ_i (1/K) Σ_{k≠i} w_k = (1/(K+1)) Σ_k w_k: each w_k is left out once"),
    ("<=", sp.log(E(total(K + 1) / (K + 1), K + 1)), "Jensen: log is concave"),
    ("=", sp.log(sp.Sum(E(w[k], K + 1), (k, 1, K + 1)) / (K + 1)), "linearity of E over a finite sum"),
    ("=", sp.log(p(X)), "E_q[p(X, z)/q(z|X)] = ∫ p(X, z) dz = p(X) for each sample"),
    name="iwae_bound",
    title="L_K ≤ L_{K+1} ≤ log p(X): the importance-weighted bound tightens with K",
    source="Burda et al. 2016, Theorem 1 (the ELBO of article lines 66-73 is L_1)",
    hypotheses=("z_1, z_2, ... i.i.d. from q(z|X)", "q(z|X) > 0 wherever p(X, z) > 0"),
)
