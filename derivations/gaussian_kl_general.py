"""KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²)/(2σ₂²) − ½.

The general univariate case behind article line 172 (the article cites it, lines 170-176).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import KL, Expectation, Normal, z

mu1, mu2 = sp.symbols("mu1 mu2", real=True)
sigma1, sigma2 = sp.symbols("sigma1 sigma2", positive=True)
half = sp.Rational(1, 2)
P, Q = Normal(z, mu1, sigma1), Normal(z, mu2, sigma2)

CHAIN = calc(
    KL(P, Q),
    ("=", Expectation(P, sp.log(P) - sp.log(Q)), "definition of KL as an expectation"),
    ("=", Expectation(P, sp.log(sigma2 / sigma1) - (z - mu1) ** 2 / (2 * sigma1**2) + (z - mu2) ** 2 / (2 * sigma2**2)),
     "log of the Gaussian densities"),
    ("=", sp.log(sigma2 / sigma1) - half + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2),
     "Gaussian moments E[(z − μ₁)²] = σ₁², E[(z − μ₂)²] = σ₁² + (μ₁ − μ₂)² (integrated by sympy)"),
    name="gaussian_kl_general",
    title="KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) in closed form",
    source="article lines 170-176 (the general case it references)",
)
