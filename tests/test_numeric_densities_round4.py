"""The numeric worlds' own log-densities (``mathcheck.laws``) against scipy.stats and scipy.special, the
independent reference they replace on the hot path: every catalogue law equals scipy's log-density to 1e-12
relative over its parameters, in the bulk and in the tails (±30 scales: finite wherever scipy's is), and so
do its mean, standard deviation and median, log Φ, the sigmoids, Owen's T and the densities of the
linear-Gaussian worlds. The 40-digit forms (``laws.PRECISE``) are the same formulas in mpmath."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathcheck.laws import (FLOAT, PRECISE, Law, log_sigmoid, normal_logpdf, owens_t, sigmoid,
                            skewnorm_standard_median)
from mathcheck.linear_gaussian import LinearGaussian
from mathcheck.numeric import (ARTICLE_NAMES, ModelNames, _marginal_log_densities, chain_moments, linear_gaussian_world,
                               normal_density)

RTOL = 1e-12
locations = st.floats(-1e3, 1e3)
scales = st.floats(1e-3, 1e3)
shapes = st.floats(-20, 20)
standard_points = st.floats(-30, 30)  # in units of the scale, around the location


def laws() -> st.SearchStrategy:
    return st.one_of(st.builds(lambda m, s: Law("norm", (m, s)), locations, scales),
                     st.builds(lambda m, s: Law("logistic", (m, s)), locations, scales),
                     st.builds(lambda a, m, s: Law("skewnorm", (a, m, s)), shapes, locations, scales))


def reference(law: Law):
    return getattr(scipy.stats, law.family)


def close(value, expected, rtol: float = RTOL) -> bool:
    return abs(value - expected) <= rtol * max(1.0, abs(expected))


@settings(max_examples=300, deadline=None)
@given(laws(), standard_points)
def test_every_law_log_density_equals_scipy_stats(law, u):
    x = law.args[-2] + law.args[-1] * u
    expected = float(reference(law).logpdf(x, *law.args))
    got = float(law.logpdf(x))
    assert math.isfinite(got) and close(got, expected)


@pytest.mark.parametrize("u", [-30.0, -20.0, 20.0, 30.0])
@pytest.mark.parametrize("law", [Law("norm", (0.3, 1.7)), Law("logistic", (-2.0, 0.01)),
                                 Law("skewnorm", (6.0, 1.0, 2.0)), Law("skewnorm", (-6.0, -5.0, 0.05)),
                                 Law("skewnorm", (20.0, 0.0, 1.0))], ids=repr)
def test_a_law_is_finite_in_its_far_tails_where_scipy_is(law, u):
    x = law.args[-2] + law.args[-1] * u
    expected = float(reference(law).logpdf(x, *law.args))
    got = float(law.logpdf(x))
    assert math.isfinite(expected) and math.isfinite(got) and close(got, expected)


@settings(max_examples=100, deadline=None)
@given(laws())
def test_a_law_on_a_grid_equals_scipy_elementwise(law):
    grid = law.args[-2] + law.args[-1] * np.linspace(-30, 30, 241)
    expected = reference(law).logpdf(grid, *law.args)
    got = law.logpdf(grid)
    assert got.shape == grid.shape and np.all(np.isfinite(got))
    assert np.all(np.abs(got - expected) <= RTOL * np.maximum(1.0, np.abs(expected)))


@settings(max_examples=200, deadline=None)
@given(laws())
def test_every_law_moment_and_median_equals_scipy_stats(law):
    distribution = reference(law)
    scale = law.args[-1]
    assert close(law.mean(), float(distribution.mean(*law.args)), 1e-12)
    assert close(law.std(), float(distribution.std(*law.args)), 1e-12)
    assert abs(law.median() - float(distribution.median(*law.args))) <= 1e-9 * scale + 1e-12 * abs(law.args[-2])


@settings(max_examples=300, deadline=None)
@given(st.floats(-1e4, 1e3))
def test_log_ndtr_equals_scipy_special(t):
    expected = float(scipy.special.log_ndtr(t))
    got = float(FLOAT.log_ndtr(t))
    assert math.isfinite(got) and abs(got - expected) <= RTOL * max(abs(expected), 1e-300)


def test_log_ndtr_is_finite_far_below_where_erfc_underflows():
    t = np.array([-40.0, -200.0, -1e4, -1e150])
    expected = scipy.special.log_ndtr(t)
    got = FLOAT.log_ndtr(t)
    assert np.all(np.isfinite(got)) and np.allclose(got, expected, rtol=RTOL, atol=0)


@settings(max_examples=200, deadline=None)
@given(st.floats(-800, 800))
def test_the_sigmoids_equal_scipy_special(t):
    assert close(float(log_sigmoid(t)), float(scipy.special.log_expit(t)))
    assert close(float(sigmoid(t)), float(scipy.special.expit(t)))


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), st.floats(-50, 50))
def test_owens_t_equals_scipy_special(h, a):
    assert abs(owens_t(h, a) - float(scipy.special.owens_t(h, a))) <= 1e-13


@pytest.mark.parametrize("shape", [-50.0, -6.0, -1.0, -1e-3, 1e-3, 0.5, 3.0, 6.0, 50.0])
def test_the_skew_normal_median_solves_its_cdf(shape):
    assert abs(scipy.stats.skewnorm.cdf(skewnorm_standard_median(shape), shape) - 0.5) <= 1e-13


@settings(max_examples=200, deadline=None)
@given(laws(), standard_points)
def test_the_40_digit_law_is_the_float_law(law, u):
    x = law.args[-2] + law.args[-1] * u
    with mpmath.workdps(40):
        precise = law.logpdf(mpmath.mpf(x), PRECISE)
    assert close(float(precise), float(law.logpdf(x)), 1e-12)


def test_a_scipy_distribution_stands_for_its_name():
    assert Law(scipy.stats.logistic, (0.4, 0.5)) == Law("logistic", (0.4, 0.5))


def test_an_unknown_law_is_refused():
    with pytest.raises(ValueError, match="no catalogue law"):
        Law("cauchy", (0.0, 1.0))


@pytest.mark.parametrize("scale", [0.0, -1.0])
def test_the_normal_log_density_is_nan_for_a_scale_that_is_not_positive(scale):
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = scipy.stats.norm.logpdf(0.3, 0, scale)
    assert math.isnan(float(normal_logpdf(0.3, 0.0, scale))) and math.isnan(expected)


@settings(max_examples=100, deadline=None)
@given(st.floats(-10, 10), st.floats(-5, 5), st.floats(-3, 3), st.floats(0.1, 5), st.floats(0.1, 5))
def test_the_linear_gaussian_densities_equal_scipy_stats(x, weight, bias, noise, prior_std):
    model = LinearGaussian(observed=x, weight=weight, bias=bias, noise=noise, prior_std=prior_std)
    spread = math.sqrt(weight**2 * prior_std**2 + noise**2)
    assert close(model.log_evidence(), float(scipy.stats.norm.logpdf(x, bias, spread)))
    z = np.linspace(-30, 30, 61)
    expected = scipy.stats.norm.logpdf(x, weight * z + bias, noise) + scipy.stats.norm.logpdf(z, 0, prior_std)
    assert np.allclose(model.log_joint(z), expected, rtol=RTOL, atol=0)


@settings(max_examples=50, deadline=None)
@given(st.floats(-2, 2), st.floats(0.3, 3), st.floats(-3, 3), st.floats(-2, 2), st.floats(0.2, 3),
       st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2), st.floats(0.3, 3), st.floats(-5, 5))
def test_the_marginal_joint_is_the_bivariate_normal_of_scipy(m0, s0, a, b, s, k, g, mc, sc, x_obs):
    mean, cov = chain_moments(m0, s0, a, b, s, k, g, mc, sc)
    names = ModelNames(sp.Symbol("x", real=True), sp.Symbol("z", real=True), sp.Symbol("c", real=True),
                       marginals=True)
    joint = _marginal_log_densities(mean, cov, names, x_obs, FLOAT)[names.keys()["marginal joint"]]
    z = np.linspace(-6, 6, 25)
    pair = scipy.stats.multivariate_normal([mean["x"], mean["z"]],
                                           [[cov[("x", "x")], cov[("x", "z")]], [cov[("z", "x")], cov[("z", "z")]]])
    expected = pair.logpdf(np.stack([np.full_like(z, x_obs), z], axis=-1))
    assert np.allclose(joint(lambda symbol: z), expected, rtol=1e-10, atol=1e-10)


def test_a_world_density_is_the_law_it_describes():
    world = linear_gaussian_world(0.0, 1.0, 1.5, 0.0, 0.5, 2.0, q=normal_density(0.3, 0.7))
    encoder = world.densities[ARTICLE_NAMES.keys()["encoder"]]
    z = np.linspace(-5, 5, 11)
    assert np.allclose(encoder(lambda symbol: z), scipy.stats.norm.logpdf(z, 0.3, 0.7), rtol=RTOL, atol=0)
