"""KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), for symbolic d.

Article lines 174-176 only reference the multivariate case. The chain is the special case Σ = diag(σ²) of the
full-covariance KL against N(0, I) (``gaussian_kl_multivariate_std``, itself derived from the definition by the
matrix normal form): the trace of a diagonal is the sum of its entries, μᵀμ = Σ_j μ_j², and the determinant
of a diagonal is the product of its entries, whose log is the sum of the logs (σ_j > 0).
Components are ``IndexedBase`` entries μ_j, σ_j summed by ``sp.Sum`` over j = 1..d: the matrix steps are
decided by ``mathcheck.matrices``, the last (sums only) by the sums normal form (``mathcheck.sums``).
"""
import sympy as sp

from mathcheck.calc import calc
from mathcheck.matrices import Components, Diagonal, MvNormal, d, j, scalar, vector
from mathcheck.vocab import KL

mu = sp.IndexedBase("mu", real=True)
sigma = sp.IndexedBase("sigma", positive=True)
z = vector("z")
mean, cov = Components(mu), Diagonal(sigma[j] ** 2)
half = sp.Rational(1, 2)

CHAIN = calc(
    KL(MvNormal(z, mean, cov), MvNormal(z, sp.ZeroMatrix(d, 1), sp.Identity(d))),
    ("=", half * (sp.Trace(cov) + scalar(mean.T * mean) - d - sp.log(sp.Determinant(cov))),
     "the multivariate KL against N(0, I) (gaussian_kl_multivariate_std) with Σ = diag(σ²) ≻ 0"),
    ("=", half * (sp.Sum(sigma[j] ** 2, (j, 1, d)) + sp.Sum(mu[j] ** 2, (j, 1, d)) - d
                  - sp.log(sp.Product(sigma[j] ** 2, (j, 1, d)))),
     "tr diag(σ²) = Σ_j σ_j², μᵀμ = Σ_j μ_j², det diag(σ²) = ∏_j σ_j²"),
    ("=", half * sp.Sum(mu[j] ** 2 + sigma[j] ** 2 - 1 - sp.log(sigma[j] ** 2), (j, 1, d)),
     "log ∏_j σ_j² = Σ_j log σ_j² (σ_j > 0), d = Σ_{j=1}^d 1, linearity of Σ_j"),
    name="gaussian_kl_diagonal",
    title="KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)",
    source="article lines 174-176 (referenced, not derived there)",
    hypotheses=("σ_j > 0 for j = 1..d",),
)
