"""KL(N(μ, diag σ²) ‖ N(0, I)) = Σᵢ ½[−log σᵢ² + σᵢ² − 1 + μᵢ²], for two latent dimensions.

Article lines 174-176 only reference the multivariate case. The chain is written for d = 2 (so that the
numeric checker can integrate it on a grid); no step uses d: the log of the product is the sum of logs, and
each other factor integrates to one. ``mathcheck.gaussian.kl_mvn_diag`` is checked for every d numerically.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import KL, Normal, integral, ratio, times

z1, z2 = sp.symbols("z1 z2", real=True)
mu1, mu2 = sp.symbols("mu1 mu2", real=True)
sigma1, sigma2 = sp.symbols("sigma1 sigma2", positive=True)
half = sp.Rational(1, 2)
Q = times(Normal(z1, mu1, sigma1), Normal(z2, mu2, sigma2))
P = times(Normal(z1, 0, 1), Normal(z2, 0, 1))

CHAIN = calc(
    integral(times(Q, sp.log(ratio(Q, P))), z1, z2),
    ("=", KL(Normal(z1, mu1, sigma1), Normal(z1, 0, 1)) + KL(Normal(z2, mu2, sigma2), Normal(z2, 0, 1)),
     "log of a product is a sum; each other factor integrates to 1 (Fubini)"),
    ("=", times(half, -sp.log(sigma1**2) + sigma1**2 - 1 + mu1**2) + times(half, -sp.log(sigma2**2) + sigma2**2 - 1 + mu2**2),
     "the univariate closed form (gaussian_kl_std) for each dimension"),
    name="gaussian_kl_diagonal",
    title="KL(N(μ, diag σ²) ‖ N(0, I)) = Σᵢ ½[−log σᵢ² + σᵢ² − 1 + μᵢ²]",
    source="article lines 174-176 (referenced, not derived there)",
)
