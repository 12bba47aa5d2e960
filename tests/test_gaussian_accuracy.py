"""Accuracy of the closed forms against mpmath at 50 digits, over the whole float64 range."""
import doctest

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mathcheck.gaussian
from mathcheck.gaussian import ACCURACY, kl_mvn_diag, kl_normal, kl_normal_std, kl_normal_std_logvar
from mathcheck.references import kl_normal_mpmath, kl_normal_std_logvar_mpmath, relative_error
from mathcheck.strategies import gaussians

# the measured bounds (all below the README's 1e-15), against the references' own mpmath evaluation
STD, LOGVAR, PAIR = (ACCURACY[name] for name in ("kl_normal_std", "kl_normal_std_logvar", "kl_normal"))
EXTREME = gaussians(max_abs_mu=1e150, min_sigma=1e-150, max_sigma=1e150)
NEAR_ONE = st.floats(-1e-3, 1e-3, allow_nan=False).map(lambda d: 1.0 + d)


@given(EXTREME)
def test_kl_normal_std_matches_mpmath_over_the_float_range(params):
    mu, sigma = params
    assert relative_error(kl_normal_std(mu, sigma), kl_normal_mpmath(mu, sigma)) <= STD


@given(st.floats(-1e3, 1e3), NEAR_ONE)
def test_kl_normal_std_has_no_cancellation_near_sigma_one(mu, sigma):
    assert relative_error(kl_normal_std(mu, sigma), kl_normal_mpmath(mu, sigma)) <= STD


@given(st.floats(-1e150, 1e150), st.floats(-690.0, 690.0))
def test_kl_normal_std_logvar_matches_mpmath(mu, logvar):
    assert relative_error(kl_normal_std_logvar(mu, logvar), kl_normal_std_logvar_mpmath(mu, logvar)) <= LOGVAR


@given(st.floats(-1e-4, 1e-4))
def test_kl_normal_std_logvar_has_no_cancellation_near_zero(logvar):
    mu = 0.0
    assert relative_error(kl_normal_std_logvar(mu, logvar), kl_normal_std_logvar_mpmath(mu, logvar)) <= LOGVAR


@pytest.mark.parametrize("logvar", [0.49, 0.5, 0.51, 0.52, 0.55, -0.51, 0.999, 1.0, 1.499, 1.5, 1.501, -0.999, -1.0, -1.001])
def test_kl_normal_std_logvar_keeps_the_promise_where_the_old_switch_cancelled(logvar):
    # issue 10: 2.4e-15 at logvar = 0.51, where (r/2) r - 1/2 - log r took over from a short series
    assert relative_error(kl_normal_std_logvar(0.0, logvar), kl_normal_std_logvar_mpmath(0.0, logvar)) <= LOGVAR


@given(gaussians(max_abs_mu=1e3, min_sigma=1e-70, max_sigma=1e70), gaussians(max_abs_mu=1e3, min_sigma=1e-70, max_sigma=1e70))
def test_kl_normal_matches_mpmath(first, second):
    (mu1, sigma1), (mu2, sigma2) = first, second
    assert relative_error(kl_normal(mu1, sigma1, mu2, sigma2), kl_normal_mpmath(mu1, sigma1, mu2, sigma2)) <= PAIR


@given(gaussians(max_abs_mu=1e3), st.floats(-1e-3, 1e-3))
def test_kl_normal_has_no_cancellation_for_nearly_equal_sigmas(first, relative_step):
    mu, sigma = first
    other = sigma * (1.0 + relative_step)
    assert relative_error(kl_normal(mu, sigma, 0.5 * mu, other), kl_normal_mpmath(mu, sigma, 0.5 * mu, other)) <= PAIR


@pytest.mark.parametrize(
    "mu, sigma",
    [(0.0, 1.0), (0.0, 1e-150), (0.0, 1e150), (1e150, 1e150), (-1e150, 1e-150), (1e-160, 1.0),
     (0.0, np.nextafter(1.0, 2.0)), (0.0, np.nextafter(1.0, 0.0)), (3.0, 1.0 + 1e-12), (1e-300, 1e-300)],
)
def test_kl_normal_std_edge_cases_match_mpmath(mu, sigma):
    assert relative_error(kl_normal_std(mu, sigma), kl_normal_mpmath(mu, sigma)) <= STD


def test_kl_normal_std_broadcasts_like_its_scalar_form():
    mu = np.array([[0.0], [1.0], [-2.0]])
    sigma = np.array([0.5, 1.0, 3.0, 1e-100])
    table = kl_normal_std(mu, sigma)
    assert table.shape == (3, 4)
    expected = [[kl_normal_std(m, s) for s in sigma] for m in mu[:, 0]]
    np.testing.assert_array_equal(table, expected)


def test_kl_mvn_diag_sums_the_coordinates_over_the_last_axis():
    mu = np.array([[0.3, -1.0, 2.0], [0.0, 0.0, 0.0]])
    sigma = np.array([[0.5, 1.0, 4.0], [1.0, 1.0, 1.0]])
    expected = [float(sum(kl_normal_mpmath(m, s) for m, s in zip(row_mu, row_sigma))) for row_mu, row_sigma in zip(mu, sigma)]
    np.testing.assert_allclose(kl_mvn_diag(mu, sigma), expected, rtol=ACCURACY["kl_mvn_diag"], atol=0)


def test_kl_is_exactly_zero_for_identical_gaussians():
    assert kl_normal_std(0.0, 1.0) == 0.0
    assert kl_normal_std_logvar(0.0, 0.0) == 0.0
    assert kl_normal(2.5, 0.3, 2.5, 0.3) == 0.0


def test_docstring_examples_hold():
    failures, _ = doctest.testmod(mathcheck.gaussian)
    assert failures == 0
