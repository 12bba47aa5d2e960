"""Public hypothesis strategies for the objects mathcheck's properties quantify over.

>>> from hypothesis import given
>>> from mathcheck.gaussian import kl_normal_std
>>> from mathcheck.strategies import gaussians, spd_matrices, discrete_distributions
>>> @given(gaussians())
... def test_kl_is_non_negative(params):
...     mu, sigma = params
...     assert kl_normal_std(mu, sigma) >= 0
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def gaussians(
    max_abs_mu: float = 10.0, min_sigma: float = 1e-3, max_sigma: float = 1e3
) -> st.SearchStrategy[tuple[float, float]]:
    """``(mu, sigma)`` pairs with |mu| <= max_abs_mu and min_sigma <= sigma <= max_sigma.

    sigma is drawn log-uniformly in spirit (as ``exp`` of a float in [log min, log max]), so every
    scale is exercised, and sigma = 1 exactly, where the article's formula cancels, is always a candidate.

    >>> gaussians().example()  # doctest: +SKIP
    (-3.5, 0.0072)
    >>> gaussians(max_abs_mu=1e150, min_sigma=1e-150, max_sigma=1e150)  # the float64 extremes  # doctest: +SKIP
    """
    if not (0 < min_sigma <= max_sigma) or max_abs_mu < 0:
        raise ValueError("gaussians: need 0 < min_sigma <= max_sigma and max_abs_mu >= 0")
    mu = st.floats(-max_abs_mu, max_abs_mu, allow_nan=False, allow_infinity=False)
    log_sigma = st.floats(np.log(min_sigma), np.log(max_sigma), allow_nan=False, allow_infinity=False)
    sigma = st.one_of(
        log_sigma.map(np.exp).map(float).filter(lambda s: min_sigma <= s <= max_sigma),
        st.just(1.0).filter(lambda s: min_sigma <= s <= max_sigma),
    )
    return st.tuples(mu, sigma)


def spd_matrices(
    n: int, min_eigenvalue: float = 0.1, max_eigenvalue: float = 10.0
) -> st.SearchStrategy[np.ndarray]:
    """Symmetric positive definite ``n x n`` float64 matrices with spectrum in [min_eigenvalue, max_eigenvalue].

    Built as Q diag(lambda) Q^T with Q orthogonal (QR of a drawn matrix), so off-diagonal
    correlations are generic, not only diagonal matrices.

    >>> spd_matrices(2).example()  # doctest: +SKIP
    array([[ 1.9, -0.4],
           [-0.4,  0.7]])
    """
    if n < 1 or not (0 < min_eigenvalue <= max_eigenvalue):
        raise ValueError("spd_matrices: need n >= 1 and 0 < min_eigenvalue <= max_eigenvalue")
    entries = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)
    basis = hnp.arrays(np.float64, (n, n), elements=entries).map(_orthogonal)
    spectrum = hnp.arrays(np.float64, (n,), elements=st.floats(min_eigenvalue, max_eigenvalue))
    return st.builds(_compose, basis, spectrum)


def discrete_distributions(
    min_size: int = 1, max_size: int = 8, allow_zeros: bool = True
) -> st.SearchStrategy[np.ndarray]:
    """Probability vectors (non-negative float64, summing to 1 up to rounding), including near-degenerate ones.

    Half the draws are generic (normalized non-negative weights, some exactly 0 when allow_zeros);
    the other half put almost all mass on one atom and 1e-15 ... 1e-3 on the others.

    >>> discrete_distributions(max_size=3).example()  # doctest: +SKIP
    array([0.25, 0.  , 0.75])
    """
    if not 1 <= min_size <= max_size:
        raise ValueError("discrete_distributions: need 1 <= min_size <= max_size")
    low = 0.0 if allow_zeros else 1e-3
    weights = st.integers(min_size, max_size).flatmap(
        lambda k: hnp.arrays(np.float64, (k,), elements=st.floats(low, 1.0))
    ).filter(lambda w: w.sum() > 0)
    tiny = st.floats(1e-15, 1e-3)
    near_degenerate = st.integers(min_size, max_size).flatmap(
        lambda k: st.tuples(st.integers(0, k - 1), hnp.arrays(np.float64, (k,), elements=tiny))
    ).map(_spike)
    return st.one_of(weights, near_degenerate).map(lambda w: w / w.sum())


def _orthogonal(matrix: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(matrix)  # Householder QR: q is orthogonal even when the draw is singular
    return q


def _compose(basis: np.ndarray, spectrum: np.ndarray) -> np.ndarray:
    matrix = (basis * spectrum) @ basis.T
    return (matrix + matrix.T) / 2


def _spike(drawn: tuple[int, np.ndarray]) -> np.ndarray:
    index, weights = drawn
    weights = weights.copy()
    weights[index] = 1.0
    return weights


def worlds(*expressions) -> st.SearchStrategy:
    """The engine's worlds able to evaluate every given expression (sympy expressions or strings).

    Delegates to ``mathcheck.numeric.world_strategy`` (the lead's engine); with no expressions it draws
    a world with no densities. Raises ``mathcheck.numeric.Unsupported`` if no world family fits.

    >>> worlds().example()  # doctest: +SKIP
    World(family='parameters', ...)
    """
    from mathcheck.numeric import Needs, world_strategy  # sympy-heavy: only when asked for

    return world_strategy(Needs.of(expressions))
