"""The public hypothesis strategies draw what their docstrings promise."""
import numpy as np
import pytest
from hypothesis import find, given, settings

from mathcheck.strategies import discrete_distributions, gaussians, spd_matrices


@given(gaussians(max_abs_mu=3.0, min_sigma=0.1, max_sigma=5.0))
def test_gaussians_respect_their_bounds(params):
    mu, sigma = params
    assert isinstance(mu, float) and isinstance(sigma, float)
    assert abs(mu) <= 3.0 and 0.1 <= sigma <= 5.0


def test_gaussians_reach_both_ends_of_an_extreme_range():
    drawn = []

    @settings(max_examples=200, database=None)
    @given(gaussians(max_abs_mu=1e150, min_sigma=1e-150, max_sigma=1e150))
    def collect(params):
        drawn.append(params)

    collect()
    mu, sigma = np.array(drawn).T
    assert sigma.min() < 1e-100 and sigma.max() > 1e100 and np.abs(mu).max() > 1e100
    assert sigma.min() >= 1e-150 and sigma.max() <= 1e150 and np.abs(mu).max() <= 1e150


def test_gaussians_include_sigma_exactly_one():
    assert find(gaussians(), lambda p: p[1] == 1.0)[1] == 1.0


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_spd_matrices_are_symmetric_with_spectrum_in_bounds(n):
    @settings(max_examples=25)
    @given(spd_matrices(n, min_eigenvalue=0.2, max_eigenvalue=4.0))
    def check(matrix):
        assert matrix.shape == (n, n)
        np.testing.assert_array_equal(matrix, matrix.T)
        eigenvalues = np.linalg.eigvalsh(matrix)
        assert eigenvalues.min() >= 0.2 * (1 - 1e-9) and eigenvalues.max() <= 4.0 * (1 + 1e-9)
        np.linalg.cholesky(matrix)

    check()


def test_spd_matrices_are_not_only_diagonal():
    matrix = find(spd_matrices(2), lambda m: abs(m[0, 1]) > 0.5)
    assert abs(matrix[0, 1]) > 0.5


@given(discrete_distributions(max_size=6))
def test_discrete_distributions_are_probability_vectors(p):
    assert 1 <= p.size <= 6
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(), 1.0, rtol=0, atol=1e-12)


def test_discrete_distributions_include_near_degenerate_and_zero_mass_atoms():
    near = find(discrete_distributions(), lambda p: p.size >= 2 and 0 < p.min() < 1e-9)
    assert near.max() > 1 - 1e-6
    assert find(discrete_distributions(), lambda p: np.any(p == 0)).min() == 0


@given(discrete_distributions(allow_zeros=False))
def test_discrete_distributions_without_zeros_have_full_support(p):
    assert np.all(p > 0)


@pytest.mark.parametrize("bad", [lambda: gaussians(min_sigma=0.0), lambda: spd_matrices(0),
                                 lambda: discrete_distributions(min_size=3, max_size=2)])
def test_strategies_reject_impossible_bounds(bad):
    with pytest.raises(ValueError):
        bad()


def test_worlds_delegates_to_the_engine_world_strategy():
    from mathcheck.numeric import World
    from mathcheck.strategies import worlds

    drawn = []

    @settings(max_examples=5, database=None)
    @given(worlds())
    def collect(world):
        drawn.append(world)

    collect()
    assert drawn and all(isinstance(w, World) for w in drawn)
