"""Jensen's inequality for a concave f: f(∫ p g dx) ≥ ∫ p f(g) dx.

Article lines 50-52. f is concave by hypothesis; p(x) is a density and g an (integrable) function.
"""
from mathcheck.calc import calc
from mathcheck.vocab import concave_function, integral, p, positive_function, x

f = concave_function("f")
g = positive_function("g")

CHAIN = calc(
    f(integral(p(x) * g(x), x)),
    (">=", integral(p(x) * f(g(x)), x), "Jensen: f is concave and p is a density"),
    name="jensen_concave_function",
    title="Jensen's inequality for a concave f",
    source="article lines 50-52",
    hypotheses=("f is concave", "p(x) is a probability density", "g > 0"),
)
