"""Jensen's inequality: log E[g] - E[log g] >= 0, equality exactly for g constant on the support; convex f reversed."""
import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathcheck.numeric_checks import (
    CONVEX_FUNCTIONS,
    convex_jensen_gap_discrete,
    jensen_gap_continuous,
    jensen_gap_discrete,
    run_jensen_gap,
)
from mathcheck.strategies import discrete_distributions

POSITIVE = st.floats(1e-3, 1e3, allow_nan=False)


@st.composite
def distribution_and_g(draw, **kwargs):
    p = draw(discrete_distributions(**kwargs))
    g = draw(hnp.arrays(np.float64, p.shape, elements=POSITIVE))
    return p, g


def mpmath_gap(p, g, dps=400):
    with mpmath.workdps(dps):
        p = [mpmath.mpf(float(v)) for v in p]
        total = sum(p)
        p = [v / total for v in p]
        mean = sum(w * mpmath.mpf(float(x)) for w, x in zip(p, g))
        return mpmath.log(mean) - sum(w * mpmath.log(mpmath.mpf(float(x))) for w, x in zip(p, g) if w > 0)


@given(distribution_and_g())
def test_log_of_mean_is_at_least_mean_of_log(case):
    p, g = case
    assert jensen_gap_discrete(p, g) >= 0.0


@given(distribution_and_g())
def test_discrete_gap_matches_high_precision_mpmath(case):
    p, g = case
    expected = mpmath_gap(p, g)
    assert abs(jensen_gap_discrete(p, g) - float(expected)) <= 1e-12 * float(expected) + 1e-15


@given(distribution_and_g())
def test_gap_lies_between_the_curvature_bounds_of_log(case):
    p, g = case
    support = p > 0
    values, weights = g[support], p[support] / p[support].sum()
    variance = float(np.sum(weights * (values - np.sum(weights * values)) ** 2))
    gap = jensen_gap_discrete(p, g)
    slack = 1e-9 * variance / (2 * values.min() ** 2) + 1e-30 * (values.max() / values.min()) ** 2
    assert variance / (2 * values.max() ** 2) - slack <= gap <= variance / (2 * values.min() ** 2) + slack


@given(discrete_distributions(), POSITIVE, st.data())
def test_gap_is_exactly_zero_when_g_is_constant_on_the_support(p, constant, data):
    off_support = data.draw(hnp.arrays(np.float64, p.shape, elements=POSITIVE))
    g = np.where(p > 0, constant, off_support)  # values off the support must not matter
    assert jensen_gap_discrete(p, g) == 0.0


@given(distribution_and_g(min_size=2))
def test_gap_is_positive_when_g_is_not_constant_on_the_support(case):
    p, g = case
    support = p > 0
    if np.all(g[support] == g[support][0]):
        return
    assert jensen_gap_discrete(p, g) > 0.0


def test_near_degenerate_distribution_keeps_a_tiny_positive_gap():
    p = np.array([1.0 - 1e-12, 1e-12])
    g = np.array([1.0, np.e])
    expected = float(mpmath_gap(p, g))  # about 1e-12 * (e - 2): Var/(2 g^2) scale
    np.testing.assert_allclose(jensen_gap_discrete(p, g), expected, rtol=1e-9)


@pytest.mark.parametrize("p, g, message", [
    ([0.5, 0.6], [1.0, 2.0], "probability vector"),
    ([0.5, 0.5], [1.0, -2.0], "g must be finite and > 0"),
    ([1.0], [1.0, 2.0], "one length"),
])
def test_discrete_gap_rejects_bad_input(p, g, message):
    with pytest.raises(ValueError, match=message):
        jensen_gap_discrete(p, g)


@settings(max_examples=15)
@given(st.floats(-2, 2), st.floats(0.1, 2.0), st.floats(-1.5, 1.5))
def test_continuous_gap_of_exp_under_a_normal_is_a_squared_sigma_squared_over_two(mu, sigma, a):
    gap = jensen_gap_continuous(scipy.stats.norm(mu, sigma), lambda x: np.exp(a * x))
    np.testing.assert_allclose(gap, a * a * sigma * sigma / 2, rtol=1e-7, atol=1e-10)


@settings(max_examples=15)
@given(st.floats(0.3, 20.0), st.floats(0.2, 5.0))
def test_continuous_gap_of_x_under_a_gamma_is_log_k_minus_digamma_k(shape, scale):
    gap = jensen_gap_continuous(scipy.stats.gamma(shape, scale=scale), lambda x: x)
    np.testing.assert_allclose(gap, np.log(shape) - scipy.special.digamma(shape), rtol=1e-7, atol=1e-10)


FROZEN = [scipy.stats.beta(2.0, 5.0), scipy.stats.uniform(1.0, 3.0), scipy.stats.lognorm(0.5),
          scipy.stats.expon(scale=2.0), scipy.stats.norm(0.5, 1.5)]


@pytest.mark.parametrize("dist", FROZEN, ids=lambda d: d.dist.name)
@pytest.mark.parametrize("g_name, g", [("1+x^2", lambda x: 1 + x * x), ("constant", lambda x: np.full_like(x, 3.0))])
def test_continuous_gap_is_non_negative_and_zero_for_constant_g(dist, g_name, g):
    gap = jensen_gap_continuous(dist, g)
    if g_name == "constant":
        assert abs(gap) <= 1e-14
    else:
        assert gap > 0


@pytest.mark.parametrize("name", list(CONVEX_FUNCTIONS))
@given(distribution_and_g())
def test_convex_function_of_mean_is_at_most_mean_of_convex_function(name, case):
    p, g = case
    x = g if name.startswith("x log x") else np.log(g)  # real values in [-6.9, 6.9]; positive ones for x log x
    f = CONVEX_FUNCTIONS[name]
    gap = convex_jensen_gap_discrete(p, x, f)
    mean = float(np.sum(p * x))
    step = 1e-6 * max(1.0, abs(mean))  # the mean's rounding moves f(mean) by about |f'(mean)| times it
    slope = abs(float(f(np.array([mean + step]))[0] - f(np.array([mean - step]))[0])) / (2 * step)
    scale = float(np.sum(p * np.abs(f(x))) + abs(f(np.array([mean]))[0]) + slope * np.sum(p * np.abs(x)))
    assert gap >= -1e-13 * scale


@given(distribution_and_g())
def test_convex_gap_of_square_is_the_variance(case):
    p, x = case
    variance = np.sum(p * (x - np.sum(p * x)) ** 2)
    np.testing.assert_allclose(convex_jensen_gap_discrete(p, x, np.square), variance, rtol=1e-8, atol=1e-8 * np.max(x) ** 2)


def test_jensen_check_holds_and_is_deterministic_for_a_seed():
    first, second = run_jensen_gap(3, 60), run_jensen_gap(3, 60)
    assert first.verdict == "holds"
    assert [s.detail for s in first.steps] == [s.detail for s in second.steps]


@pytest.mark.parametrize("wrong_gap", [
    lambda p, g: -jensen_gap_discrete(p, g),  # the direction reversed
    lambda p, g: 0.0,  # "log E[g] = E[log g]" always
    lambda p, g: 2.0 * jensen_gap_discrete(p, g) + 1e-3,  # off by a factor
])
def test_jensen_check_refutes_wrong_gaps(wrong_gap):
    report = run_jensen_gap(0, 60, gap=wrong_gap)
    assert report.verdict == "refuted"
    assert any("counterexample" in step.detail for step in report.steps)
