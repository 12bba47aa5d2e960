"""The ELBO of a data set: log p(D) = Σ_{i=1}^N log p(x^(i)) ≥ Σ_{i=1}^N L(x^(i), z).

Kingma & Welling 2014, section 2.2 (the marginal likelihood of i.i.d. data is the sum over its points);
the one-point bound is article lines 66-73 (elbo_le_log_evidence), applied at each point. [e]|_(X = x^(i))
is the model expression e at the data point x^(i); the steps hold for symbolic N.
"""
import sympy as sp

from ._notation import ELBO, p_X
from mathcheck.calc import calc
from mathcheck.sums import AtPoint

i = sp.Symbol("i", integer=True, positive=True)
N = sp.Symbol("N", integer=True, positive=True)  # data points

CHAIN = calc(
    sp.log(sp.Product(AtPoint(p_X, i), (i, 1, N))),
    ("=", sp.Sum(AtPoint(sp.log(p_X), i), (i, 1, N)), "log of a product of positive factors"),
    (">=", sp.Sum(AtPoint(ELBO, i), (i, 1, N)), "termwise: log p(X) ≥ L(X, z) at every X (article lines 66-73)"),
    name="dataset_elbo_sum",
    title="log p(D) = Σ_i log p(x^(i)) ≥ Σ_i L(x^(i), z) for i.i.d. data",
    source="Kingma & Welling 2014, section 2.2; article lines 66-73 at each point",
    hypotheses=("x^(1), ..., x^(N) i.i.d.: p(D) = Π_i p(x^(i))",),
)
