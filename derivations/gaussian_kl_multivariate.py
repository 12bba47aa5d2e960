"""KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) = ½[tr(Σ₂⁻¹Σ₁) + (μ₂−μ₁)ᵀΣ₂⁻¹(μ₂−μ₁) − d + log det Σ₂ − log det Σ₁], symbolic d.

Article lines 174-176 reference the multivariate case without deriving it. Derived here from the definition
KL = E_q[log q − log p], with log N(x; μ, Σ) written out and the Gaussian expectation identities (x ~ N(μ₁, Σ₁),
Σ₁, Σ₂ declared symmetric positive definite, so invertible with positive determinants):
E[(x−μ₁)ᵀΣ₁⁻¹(x−μ₁)] = tr(Σ₁⁻¹ E[(x−μ₁)(x−μ₁)ᵀ]) = tr(Σ₁⁻¹Σ₁) = d (the trace trick), and
E[(x−μ₂)ᵀΣ₂⁻¹(x−μ₂)] = tr(Σ₂⁻¹Σ₁) + (μ₁−μ₂)ᵀΣ₂⁻¹(μ₁−μ₂) (E[xᵀAx] = tr(AΣ) + μᵀAμ, shifted).
Every step is decided by the matrix normal form of ``mathcheck.matrices`` and checked in random matrix worlds.
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.matrices import MvNormal, covariance, d, scalar, vector
from mathcheck.vocab import KL, Expectation

x = vector("x")
mu1, mu2 = vector("mu1"), vector("mu2")
Sigma1, Sigma2 = covariance("Sigma1"), covariance("Sigma2")
half = sp.Rational(1, 2)
Q, P = MvNormal(x, mu1, Sigma1), MvNormal(x, mu2, Sigma2)
logdet1, logdet2 = sp.log(sp.Determinant(Sigma1)), sp.log(sp.Determinant(Sigma2))
quad1 = scalar((x - mu1).T * Sigma1.I * (x - mu1))
quad2 = scalar((x - mu2).T * Sigma2.I * (x - mu2))
outer1 = (x - mu1) * (x - mu1).T
shift = mu2 - mu1
CLOSED_FORM = half * (sp.Trace(Sigma2.I * Sigma1) + scalar(shift.T * Sigma2.I * shift) - d + logdet2 - logdet1)

CHAIN = calc(
    KL(Q, P),
    ("=", Expectation(Q, sp.log(Q) - sp.log(P)), "definition of KL as an expectation"),
    ("=", Expectation(Q, -half * (quad1 + logdet1 + d * sp.log(2 * sp.pi)) + half * (quad2 + logdet2 + d * sp.log(2 * sp.pi))),
     "log N(x; μ, Σ) = −½[(x−μ)ᵀΣ⁻¹(x−μ) + log det Σ + d log 2π] (Σ₁, Σ₂ ≻ 0); the d log 2π terms cancel"),
    ("=", -half * Expectation(Q, quad1) + half * Expectation(Q, quad2) + half * logdet2 - half * logdet1,
     "linearity of E, E[1] = 1"),
    ("=", -half * Expectation(Q, sp.Trace(Sigma1.I * outer1)) + half * Expectation(Q, quad2) + half * logdet2 - half * logdet1,
     "the trace trick: a 1×1 form is its trace, tr is cyclic: (x−μ₁)ᵀΣ₁⁻¹(x−μ₁) = tr(Σ₁⁻¹(x−μ₁)(x−μ₁)ᵀ)"),
    ("=", -half * sp.Trace(Sigma1.I * Sigma1) + half * Expectation(Q, quad2) + half * logdet2 - half * logdet1,
     "E[(x−μ₁)(x−μ₁)ᵀ] = Σ₁ under x ~ N(μ₁, Σ₁), tr and E linear"),
    ("=", -half * d + half * Expectation(Q, quad2) + half * logdet2 - half * logdet1,
     "Σ₁⁻¹Σ₁ = I, tr(I_d) = d"),
    ("=", -half * d + half * (sp.Trace(Sigma2.I * Sigma1) + scalar((mu1 - mu2).T * Sigma2.I * (mu1 - mu2)))
     + half * logdet2 - half * logdet1,
     "E[(x−m)ᵀA(x−m)] = tr(AΣ₁) + (μ₁−m)ᵀA(μ₁−m) for x ~ N(μ₁, Σ₁) (E[x xᵀ] = Σ₁ + μ₁μ₁ᵀ), A = Σ₂⁻¹, m = μ₂"),
    ("=", CLOSED_FORM, "(μ₁−μ₂)ᵀA(μ₁−μ₂) = (μ₂−μ₁)ᵀA(μ₂−μ₁); collect the ½"),
    name="gaussian_kl_multivariate",
    title="KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) = ½[tr(Σ₂⁻¹Σ₁) + (μ₂−μ₁)ᵀΣ₂⁻¹(μ₂−μ₁) − d + log det Σ₂ − log det Σ₁]",
    source="article lines 174-176 (the multivariate case it references, derived for symbolic d)",
    hypotheses=("Σ₁ and Σ₂ are symmetric positive definite d×d matrices",),
)
