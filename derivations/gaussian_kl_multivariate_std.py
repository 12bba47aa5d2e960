"""KL(N(μ, Σ) ‖ N(0, I)) = ½[tr Σ + μᵀμ − d − log det Σ], symbolic d: the special case μ₂ = 0, Σ₂ = I.

Article lines 174-176 reference the multivariate case. The first step is the full-covariance closed form
(``gaussian_kl_multivariate``), which the matrix normal form re-derives from the definition; the rest is
I⁻¹ = I, det I = 1, log 1 = 0 and ‖μ‖² = μᵀμ.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.matrices import MvNormal, covariance, d, scalar, vector
from mathcheck.vocab import KL

x, mu = vector("x"), vector("mu")
Sigma = covariance("Sigma")
I, zero = sp.Identity(d), sp.ZeroMatrix(d, 1)
half = sp.Rational(1, 2)
logdet = sp.log(sp.Determinant(Sigma))

CHAIN = calc(
    KL(MvNormal(x, mu, Sigma), MvNormal(x, zero, I)),
    ("=", half * (sp.Trace(I.I * Sigma) + scalar((zero - mu).T * I.I * (zero - mu)) - d
                  + sp.log(sp.Determinant(I)) - logdet),
     "the full-covariance closed form (gaussian_kl_multivariate) with μ₂ = 0, Σ₂ = I"),
    ("=", half * (sp.Trace(Sigma) + scalar(mu.T * mu) - d - logdet),
     "I⁻¹ = I, det I = 1, log 1 = 0, (0 − μ)ᵀ(0 − μ) = μᵀμ"),
    name="gaussian_kl_multivariate_std",
    title="KL(N(μ, Σ) ‖ N(0, I)) = ½[tr Σ + μᵀμ − d − log det Σ]",
    source="article lines 174-176 (the multivariate case, against the standard normal prior)",
    hypotheses=("Σ is a symmetric positive definite d×d matrix",),
)
