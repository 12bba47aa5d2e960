"""The numeric checker's worlds and quadrature, against independent references (scipy quad, sums)."""
import itertools
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate, stats

from mathcheck.numeric import (Divergent, Needs, Unsupported, World, evaluate, linear_gaussian_worlds,
                               mixture_bernoulli_worlds, sample_worlds, world_strategy)
from mathcheck.vocab import KL, Normal, X, integral, p, q, x, z

MODEL = [p(X), p(z), p(X, given=z), p(X, z), p(z, given=X), q(z, given=X)]


@settings(max_examples=20)
@given(st.floats(-6, 6), st.floats(1e-3, 2))
def test_quadrature_finds_narrow_shifted_gaussian_mass(mean, std):
    # a naive quad over (-inf, inf) returns ~0 for N(5, 0.001²); the panels follow the density
    value, error = evaluate(integral(Normal(z, mean, std), z), World("parameters", {}))
    assert_allclose(value, 1.0, rtol=1e-10)


@settings(max_examples=20)
@given(st.floats(-3, 3), st.floats(0.05, 3))
def test_gaussian_expectation_of_z_squared_matches_scipy_quad(mean, std):
    value, _ = evaluate(integral(Normal(z, mean, std) * z**2, z), World("parameters", {}))
    window = (mean - 12 * std, mean + 12 * std)
    reference, _ = integrate.quad(lambda t: stats.norm.pdf(t, mean, std) * t**2, *window, epsabs=0, epsrel=1e-12)
    assert_allclose(value, reference, rtol=1e-9)


@settings(max_examples=15)
@given(linear_gaussian_worlds())
def test_linear_gaussian_evidence_is_the_integral_of_the_joint(world):
    evidence, _ = evaluate(p(X), world)
    joint, _ = evaluate(integral(p(X, z), z), world)
    assert_allclose(joint, evidence, rtol=1e-9)


@settings(max_examples=15)
@given(linear_gaussian_worlds())
def test_linear_gaussian_posterior_is_joint_over_evidence_at_any_z(world):
    at = {z: 0.37}
    world.symbols.update(at)
    posterior, _ = evaluate(p(z, given=X), world)
    joint, _ = evaluate(p(X, z) / p(X), world)
    assert_allclose(posterior, joint, rtol=1e-9)


@settings(max_examples=10)
@given(mixture_bernoulli_worlds())
def test_mixture_bernoulli_evidence_sums_to_one_over_all_binary_images(world):
    bits = world.params["X"]
    slopes_offsets = world.functions["yhat"]
    # p(X') for every binary X' of the same size, by quadrature of prior × Bernoulli pmf (scipy.stats)
    prior_density = lambda t: math.exp(world.densities[("p", ("z",), ())](lambda s: t))  # noqa: E731
    total = 0.0
    for image in itertools.product((0, 1), repeat=len(bits)):
        pmf = lambda t: np.prod([stats.bernoulli.pmf(b, slopes_offsets(i + 1, t)) for i, b in enumerate(image)])
        value, _ = integrate.quad(lambda t: prior_density(t) * pmf(t), -15, 15, points=[-3, 0, 3], limit=200)
        total += value
    assert_allclose(total, 1.0, rtol=1e-7)


@settings(max_examples=10)
@given(mixture_bernoulli_worlds())
def test_mixture_bernoulli_posterior_and_q_integrate_to_one(world):
    assert_allclose(evaluate(integral(p(z, given=X), z), world)[0], 1.0, rtol=1e-8)
    assert_allclose(evaluate(integral(q(z, given=X), z), world)[0], 1.0, rtol=1e-8)


@settings(max_examples=10)
@given(linear_gaussian_worlds())
def test_kl_between_gaussian_q_and_posterior_is_nonnegative(world):
    value, _ = evaluate(KL(q(z, given=X), p(z, given=X)), world)
    assert value >= -1e-10


@settings(max_examples=5)
@given(world_strategy(Needs.of(MODEL)))
def test_a_divergent_integral_is_reported_not_given_a_finite_value(world):
    with pytest.raises(Divergent):
        evaluate(integral(sp.log(p(X, z)), z), world)


def test_an_expression_without_a_world_raises_unsupported():
    with pytest.raises(Unsupported):
        world_strategy(Needs.of([p(X, z, given=x), p(x, given=X)]))  # p(X, z|x) with p(x) has one (x a condition)


def test_worlds_for_model_densities_include_both_families():
    families = {world.family for world in sample_worlds(Needs.of(MODEL), seed=0, examples=20)}
    assert families == {"linear-gaussian", "mixture-bernoulli"}


def test_an_abstract_function_of_two_variables_is_unsupported_not_a_crash():
    f = sp.Function("f")
    expr = f(x, z) + x
    needs = Needs.of([expr])
    world = sample_worlds(needs, seed=0, examples=1)[0]
    world.symbols.update({x: 0.5, z: 0.25})
    with pytest.raises(Unsupported, match="no function f"):
        evaluate(expr, world)
