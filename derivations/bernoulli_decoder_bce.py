"""The Bernoulli decoder: −log Π_{i=1}^D y_i^{x_i} (1 − y_i)^{1 − x_i} = −Σ_i [x_i log y_i + (1 − x_i) log(1 − y_i)].

Article lines 166-168 (the BCE loss of a decoder with per-pixel Bernoulli means y_i = ŷ_i(z) ∈ (0, 1)).
p(x|z) is this product over the D pixels; it is a probability for binary x_i ∈ {0, 1}, which the identity
itself does not need: each step holds for every real x_i and y_i ∈ (0, 1). The steps hold for symbolic D.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.sums import unit_interval

i = sp.Symbol("i", integer=True, positive=True)
D = sp.Symbol("D", integer=True, positive=True)  # number of pixels
x = sp.IndexedBase("x", real=True)  # the pixels, 0 or 1
y = unit_interval("y")  # the decoder's Bernoulli means, in (0, 1)

CHAIN = calc(
    -sp.log(sp.Product(y[i] ** x[i] * (1 - y[i]) ** (1 - x[i]), (i, 1, D))),
    ("=", -sp.Sum(sp.log(y[i] ** x[i] * (1 - y[i]) ** (1 - x[i])), (i, 1, D)),
     "log of a product of positive factors (y_i and 1 − y_i lie in (0, 1))"),
    ("=", -sp.Sum(x[i] * sp.log(y[i]) + (1 - x[i]) * sp.log(1 - y[i]), (i, 1, D)),
     "log(ab) = log a + log b and log aᵇ = b log a for a > 0"),
    name="bernoulli_decoder_bce",
    title="−log p(x|z) of a Bernoulli decoder = the BCE summed over D pixels",
    source="article lines 166-168",
)
