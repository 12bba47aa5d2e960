"""½[−log σ² + σ² − 1 + μ²] ≥ 0, with equality exactly at σ = 1, μ = 0.

Article lines 33-34, which plot y = −log x² + x² − 1 and conclude the KL is "always positive".
Correction: it is non-negative, not positive: it is 0 at σ = 1, μ = 0 (N(0, 1) against itself).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import mu, sigma, times

half = sp.Rational(1, 2)

CHAIN = calc(
    times(half, -sp.log(sigma**2) + sigma**2 - 1 + mu**2),
    ("=", times(half, sigma**2 - 1 - 2 * sp.log(sigma)) + times(half, mu**2), "log σ² = 2 log σ, regrouped"),
    (">=", 0, "calculus: σ² − 1 − 2 log σ has its minimum 0 at σ = 1, and μ² ≥ 0"),
    name="gaussian_kl_nonnegative",
    title="½[−log σ² + σ² − 1 + μ²] ≥ 0, zero only at σ = 1, μ = 0",
    source="article lines 33-34",
)
