"""L_1 = ELBO: the importance-weighted bound with one sample is the evidence lower bound.

Burda et al. 2016, section 3 (L_1 is the VAE objective); the ELBO as defined at article line 71.
"""
import sympy as sp

from ._notation import ELBO
from mathcheck.calc import calc
from mathcheck.sums import WEIGHTS as w, SampleExpectation as E
from mathcheck.vocab import X, integral, p, q, ratio, times, z

k = sp.Symbol("k", integer=True, positive=True)

CHAIN = calc(
    E(sp.log(sp.Sum(w[k], (k, 1, 1)) / 1), 1),
    ("=", E(sp.log(w[1]), 1), "a sum of one term"),
    ("=", integral(times(q(z, given=X), sp.log(ratio(p(X, z), q(z, given=X)))), z),
     "one sample z ~ q(z|X) with weight w_1 = p(X, z)/q(z|X)"),
    ("=", ELBO, "definition of L(X, z) (article line 71)"),
    name="iwae_one_sample_is_elbo",
    title="L_1 = L(X, z): one importance sample gives the ELBO",
    source="Burda et al. 2016, section 3; article line 71",
)
