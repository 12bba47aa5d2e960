"""KL as cross-entropy minus entropy: KL(p ‖ q) = −∫ p log q dx − [−∫ p log p dx] = ∫ p log(p/q) dx.

Article lines 115-119. Corrections: line 117 writes ``\\log_2`` while line 118 writes ``\\log``: the two
lines then differ by the factor ln 2, so one log base must be used throughout (natural log here, as in the
rest of the article); and ``\\log_2(x)`` in the entropy term must be log p(x).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import KL, integral, p, q, ratio, times, x

log = sp.log

CHAIN = calc(
    KL(p(x), q(x)),
    ("=", -integral(p(x) * log(q(x)), x) - (-integral(p(x) * log(p(x)), x)),
     "definition: cross-entropy H(p, q) minus entropy H(p)"),
    ("=", integral(times(p(x), log(ratio(p(x), q(x)))), x), "linearity of ∫, log a − log b = log(a/b)"),
    name="kl_is_cross_entropy_minus_entropy",
    title="KL(p ‖ q) = H(p, q) − H(p) = ∫ p log(p/q) dx",
    source="article lines 115-119",
)
