"""KL(N(μ, σ²) ‖ N(0, 1)) = ½[−log σ² + σ² − 1 + μ²], derived by sympy from the definition.

Article line 172 (with the declaration p ~ N(μ, σ²), q ~ N(0, 1) at line 170) and the summary at line 33.
The Gaussian integrals (the moments) are done by ``sympy.integrate``, not asserted.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, Normal, mu, sigma, times, z

half = sp.Rational(1, 2)
N = Normal(z, mu, sigma)
STANDARD = Normal(z, 0, 1)
CLOSED_FORM = times(half, -sp.log(sigma**2) + sigma**2 - 1 + mu**2)

CHAIN = calc(
    KL(N, STANDARD),
    ("=", Expectation(N, sp.log(N) - sp.log(STANDARD)), "definition of KL as an expectation"),
    ("=", Expectation(N, -sp.log(sigma) - (z - mu) ** 2 / (2 * sigma**2) + z**2 / 2),
     "log of the Gaussian densities: the log √(2π) terms cancel"),
    ("=", -sp.log(sigma) - Expectation(N, (z - mu) ** 2) / (2 * sigma**2) + Expectation(N, z**2) / 2,
     "linearity of E, E[1] = 1"),
    ("=", -sp.log(sigma) - sigma**2 / (2 * sigma**2) + (sigma**2 + mu**2) / 2,
     "Gaussian moments E[(z − μ)²] = σ², E[z²] = σ² + μ² (integrated by sympy)"),
    ("=", CLOSED_FORM, "log σ² = 2 log σ"),
    name="gaussian_kl_std",
    title="KL(N(μ, σ²) ‖ N(0, 1)) = ½[−log σ² + σ² − 1 + μ²]",
    source="article lines 170-172 and 33",
)
