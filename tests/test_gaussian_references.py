"""The closed forms against independent references: quadrature and Monte Carlo (torch peer: test_gaussian_torch)."""
import numpy as np
import pytest
import scipy.integrate
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcheck.gaussian import kl_mvn, kl_mvn_diag, kl_normal, kl_normal_std
from mathcheck import references as ref
from mathcheck.strategies import gaussians, spd_matrices

QUAD_RTOL, QUAD_ATOL = 1e-8, 1e-10
MODERATE = gaussians(max_abs_mu=5.0, min_sigma=1e-3, max_sigma=30.0)
MEANS = st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2).map(np.array)


def std_normal():
    return scipy.stats.norm(0.0, 1.0)


@settings(max_examples=30)
@given(MODERATE)
def test_kl_normal_std_equals_windowed_quadrature(params):
    mu, sigma = params
    expected = ref.kl_quadrature(scipy.stats.norm(mu, sigma), std_normal())
    np.testing.assert_allclose(kl_normal_std(mu, sigma), expected, rtol=QUAD_RTOL, atol=QUAD_ATOL)


@settings(max_examples=30)
@given(MODERATE, MODERATE)
def test_kl_normal_equals_windowed_quadrature(first, second):
    p, q = scipy.stats.norm(*first), scipy.stats.norm(*second)
    np.testing.assert_allclose(kl_normal(*first, *second), ref.kl_quadrature(p, q), rtol=QUAD_RTOL, atol=QUAD_ATOL)


def test_naive_infinite_range_quadrature_misses_a_narrow_shifted_peak():
    p = scipy.stats.norm(5.0, 0.001)
    exact = kl_normal_std(5.0, 0.001)  # about 18.9
    assert abs(ref.kl_quadrature_naive(p, std_normal())) < 1e-6  # silently ~0
    np.testing.assert_allclose(ref.kl_quadrature(p, std_normal()), exact, rtol=QUAD_RTOL)


INTEGRALS = [  # f of an array, [low, high], the exact integral: smooth, narrow, and singular at an end
    (np.exp, 0.0, 1.0, np.e - 1),
    (lambda x: scipy.stats.norm(5.0, 1e-3).pdf(x), 5.0 - 0.02, 5.0 + 0.02, 1 - 2 * scipy.stats.norm.sf(20.0)),
    (lambda x: x**-0.6, 0.0, 1.0, 2.5),
    (lambda x: np.log(x), 0.0, 1.0, -1.0),
]


@pytest.mark.parametrize("tanhsinh", [True, False], ids=["tanh-sinh", "quad"])
@pytest.mark.parametrize("f, low, high, exact", INTEGRALS)
def test_integrate_meets_its_tolerance_by_either_rule(f, low, high, exact, tanhsinh, monkeypatch):
    if not tanhsinh:  # scipy before 1.15
        monkeypatch.delattr(scipy.integrate, "tanhsinh", raising=False)
    elif not hasattr(scipy.integrate, "tanhsinh"):
        pytest.skip("scipy.integrate.tanhsinh needs scipy >= 1.15")
    np.testing.assert_allclose(ref.integrate(f, low, high, atol=1e-14, rtol=1e-10), exact, rtol=1e-9, atol=1e-13)


def test_integrate_says_when_it_does_not_converge():
    with pytest.raises(ArithmeticError, match="did not converge"):
        ref.integrate(lambda x: np.sin(1 / x) / x, 1e-9, 1.0, atol=1e-14, rtol=1e-12)  # oscillates without end


@settings(max_examples=15)
@given(MEANS, spd_matrices(2), MEANS, spd_matrices(2))
def test_kl_mvn_equals_gauss_legendre_quadrature(mu1, cov1, mu2, cov2):
    expected = ref.kl_quadrature_mvn(mu1, cov1, mu2, cov2)
    np.testing.assert_allclose(kl_mvn(mu1, cov1, mu2, cov2), expected, rtol=QUAD_RTOL, atol=QUAD_ATOL)


def test_kl_mvn_equals_quadrature_in_three_dimensions():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3))
    cov1, cov2 = a @ a.T + 0.5 * np.eye(3), np.diag([0.5, 2.0, 1.5])
    mu1, mu2 = rng.normal(size=3), rng.normal(size=3)
    expected = ref.kl_quadrature_mvn(mu1, cov1, mu2, cov2, nodes=48)
    np.testing.assert_allclose(kl_mvn(mu1, cov1, mu2, cov2), expected, rtol=1e-7)


@settings(max_examples=20)
@given(MODERATE, st.integers(0, 2**32 - 1))
def test_kl_normal_std_within_monte_carlo_error(params, seed):
    mu, sigma = params
    estimate = ref.kl_monte_carlo(scipy.stats.norm(mu, sigma), std_normal(), seed=seed)
    assert estimate.agrees_with(kl_normal_std(mu, sigma)), estimate


@pytest.mark.parametrize("seed", range(3))
def test_kl_mvn_within_monte_carlo_error(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, 2, 2))
    mu1, cov1, mu2, cov2 = rng.normal(size=2), a @ a.T + 0.3 * np.eye(2), rng.normal(size=2), b @ b.T + 0.3 * np.eye(2)
    p, q = scipy.stats.multivariate_normal(mu1, cov1), scipy.stats.multivariate_normal(mu2, cov2)
    estimate = ref.kl_monte_carlo(p, q, seed=seed)
    assert estimate.agrees_with(kl_mvn(mu1, cov1, mu2, cov2)), estimate


def test_monte_carlo_tolerance_has_the_stated_false_alarm_rate():
    assert ref.MC_FALSE_ALARM_RATE <= 1e-6
    np.testing.assert_allclose(2 * scipy.stats.norm.sf(ref.MC_Z), ref.MC_FALSE_ALARM_RATE, rtol=1e-9)


def test_monte_carlo_is_reproducible_for_a_seed():
    p = scipy.stats.norm(1.0, 2.0)
    assert ref.kl_monte_carlo(p, std_normal(), seed=11) == ref.kl_monte_carlo(p, std_normal(), seed=11)


@given(st.lists(MODERATE, min_size=1, max_size=5))
def test_kl_mvn_diag_equals_kl_mvn_with_diagonal_covariances(coordinates):
    mu, sigma = (np.array(v) for v in zip(*coordinates))
    full = kl_mvn(mu, np.diag(sigma**2), np.zeros_like(mu), np.eye(len(mu)))
    np.testing.assert_allclose(kl_mvn_diag(mu, sigma), full, rtol=1e-9, atol=1e-12)


def test_mpmath_reference_survives_the_cancellation_it_is_meant_to_expose():
    # KL(N(0, (1+d)^2) || N(0, 1)) = d^2 - d^3 + ... for tiny d; a 50-digit naive evaluation returns 0 here
    d = 2.0**-40  # 1 + d is exact in float64
    value = ref.kl_normal_mpmath(0.0, 1.0 + d)
    np.testing.assert_allclose(float(value), d * d - d**3 / 3, rtol=1e-15)
