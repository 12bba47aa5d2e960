"""Jensen's inequality for log: log ∫ p g dx ≥ ∫ p log g dx.

Article lines 54-56: log is concave (checked from the sign of its second derivative).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import integral, p, positive_function, x

g = positive_function("g")

CHAIN = calc(
    sp.log(integral(p(x) * g(x), x)),
    (">=", integral(p(x) * sp.log(g(x)), x), "Jensen: log is concave"),
    name="jensen_log",
    title="Jensen's inequality for log",
    source="article lines 54-56",
    hypotheses=("p(x) is a probability density", "g > 0"),
)
