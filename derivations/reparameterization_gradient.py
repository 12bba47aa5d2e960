"""The reparameterization gradient: ∂/∂μ E_{N(μ, σ²)}[f(z)] = E_{ε ~ N(0, 1)}[f'(μ + σε)].

Article line 189 (z = μ(X) + ε σ(X)) and why it is used (lines 187-188): with z written as μ + σε the
expectation no longer depends on μ through the density, so the gradient moves inside the expectation.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.symbolic import RULES
from mathcheck.vocab import Expectation, Normal, mu, regular_function, sigma, z

epsilon = sp.Symbol("epsilon", real=True)
t = sp.Symbol("t", real=True)
f = regular_function("f")  # smooth; f and f' bounded by polynomials (so the derivative moves under E)

CHAIN = calc(
    sp.Derivative(Expectation(Normal(z, mu, sigma), f(z)), mu),
    ("=", sp.Derivative(Expectation(Normal(epsilon, 0, 1), f(mu + sigma * epsilon)), mu),
     "change of variables z = μ + σε", RULES + (sp.Eq(z, mu + sigma * epsilon),)),
    ("=", Expectation(Normal(epsilon, 0, 1), sp.Subs(sp.Derivative(f(t), t), t, mu + sigma * epsilon)),
     "differentiation under the integral sign (dominated convergence), chain rule"),
    name="reparameterization_gradient",
    title="∂/∂μ E[f(z)] = E[f'(μ + σε)] for z = μ + σε",
    source="article lines 187-189",
    hypotheses=("f is smooth and f, f' are bounded by polynomials",),
)
