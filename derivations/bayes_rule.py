"""Bayes' rule for the posterior: p_θ(z|X) = p_θ(X|z) p(z) / p(X).

Article line 139. Checked at every z, not only under an integral.
"""
from mathcheck.calc import calc
from mathcheck.vocab import X, p, ratio, times, z

CHAIN = calc(
    p(z, given=X, label="theta"),
    ("=", ratio(p(X, z), p(X)), "definition of a conditional density"),
    ("=", ratio(times(p(X, given=z, label="theta"), p(z)), p(X)), "product rule p(X, z) = p(X|z) p(z)"),
    name="bayes_rule",
    title="Bayes' rule: p(z|X) = p(X|z) p(z) / p(X)",
    source="article line 139",
)
