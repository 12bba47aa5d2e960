"""The conditional VAE's bound: log p(x|c) ≥ E_{q(z|x,c)}[log p(x|z,c)] − KL[q(z|x,c) ‖ p(z|c)].

Every density is conditioned on the condition c (a label, the input of a structured-output model); the
chain is the article's evidence lower bound (lines 66-73, ``elbo_le_log_evidence``) with c kept behind
every bar, followed by its split at line 160 (``elbo_is_minus_kl_plus_reconstruction``): marginalization
of the conditional joint, importance weighting by the encoder q(z|x,c), Jensen's inequality, and the product rule
p(x, z|c) = p(x|z,c) p(z|c). The notation's scope says that z is latent and c a condition
(``mathcheck.notation``), so the engine's product rule keeps c behind the bar.

Source: K. Sohn, H. Lee, X. Yan, "Learning Structured Output Representation using Deep Conditional
Generative Models", NeurIPS 2015, eq. (4) (their input x is c here, their output y is x).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.notation import Scope
from mathcheck.symbolic import with_scope
from mathcheck.vocab import KL, Expectation, integral, p, q, ratio, times, x, z

c = sp.Symbol("c", real=True)
CVAE = Scope(latents=frozenset({z}), observed=frozenset({x}), conditioning=frozenset({c}))
RULES = with_scope(None, CVAE)

q_zxc = q(z, given=(x, c))  # the encoder q(z|x,c)
p_xzc = p(x, z, given=c)  # the conditional joint p(x, z|c)
log = sp.log

CHAIN = calc(
    log(p(x, given=c)),
    ("=", log(integral(p_xzc, z)), "marginalization: p(x|c) = ∫ p(x, z|c) dz", RULES),
    ("=", log(integral(times(q_zxc, ratio(p_xzc, q_zxc)), z)), "multiply by q(z|x,c)/q(z|x,c) = 1", RULES),
    (">=", integral(times(q_zxc, log(ratio(p_xzc, q_zxc))), z),
     "Jensen: log is concave, q(z|x,c) is a density of z", RULES),
    ("=", Expectation(q_zxc, log(p(x, given=(z, c)))) + Expectation(q_zxc, log(ratio(p(z, given=c), q_zxc))),
     "product rule p(x, z|c) = p(x|z,c) p(z|c), and linearity", RULES),
    ("=", Expectation(q_zxc, log(p(x, given=(z, c)))) - KL(q_zxc, p(z, given=c)),
     "definition of KL[q(z|x,c) ‖ p(z|c)]", RULES),
    name="cvae_bound",
    title="log p(x|c) ≥ E_q[log p(x|z,c)] − KL[q(z|x,c) ‖ p(z|c)]: the conditional VAE's bound",
    source="Sohn, Lee & Yan (2015), Learning Structured Output Representation using Deep Conditional "
           "Generative Models, eq. (4)",
)
