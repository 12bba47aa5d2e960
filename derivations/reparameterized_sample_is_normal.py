"""z = μ + σε with ε ~ N(0, 1) has the density N(z; μ, σ²): change of variables.

Article lines 187-189. Correction: line 187 writes z ~ N(μ(X), σ(X)) while the article's own notation
(line 170) is N(mean, variance): z = μ + εσ has variance σ², so it is N(μ(X), σ(X)²).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.vocab import Normal, mu, sigma, z

epsilon_of_z = (z - mu) / sigma  # the inverse map ε(z)

CHAIN = calc(
    Normal(epsilon_of_z, 0, 1) * sp.Abs(sp.Derivative(epsilon_of_z, z)),
    ("=", Normal(epsilon_of_z, 0, 1) / sigma, "dε/dz = 1/σ > 0"),
    ("=", Normal(z, mu, sigma), "the Gaussian density written out"),
    name="reparameterized_sample_is_normal",
    title="z = μ + σε, ε ~ N(0, 1) has density N(z; μ, σ²)",
    source="article lines 187-189",
)
