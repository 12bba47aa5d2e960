"""The scalar linear-Gaussian model's closed forms, against quadrature of p(X | z) p(z) (scipy.integrate)."""
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate

from mathcheck.linear_gaussian import LinearGaussian


@st.composite
def models(draw) -> LinearGaussian:
    return LinearGaussian(observed=draw(st.floats(-5, 5)), weight=draw(st.floats(-3, 3)), bias=draw(st.floats(-2, 2)),
                          noise=draw(st.floats(0.2, 3)), prior_mean=draw(st.floats(-2, 2)),
                          prior_std=draw(st.floats(0.3, 3)))


def joint_moment(model: LinearGaussian, power: int) -> float:
    """∫ z^power p(X, z) dz by adaptive quadrature over the prior's ±12 sd and the likelihood's (where all the mass
    is: the posterior lies between them), with
    break points from the prior's mean to the likelihood's peak (X - bias) / weight, where a narrow
    posterior sits: found from the model's two factors, not from the posterior under test.

    An odd moment can be 0 (a centred posterior), where no relative tolerance is reachable: the absolute
    tolerance is relative to ∫ |z|^power p(X, z) dz, the size of what cancels."""
    lo, hi = model.prior_mean - 12 * model.prior_std, model.prior_mean + 12 * model.prior_std
    peak = (model.observed - model.bias) / model.weight if model.weight else model.prior_mean
    if model.weight:  # a likelihood peak far in the prior's tail pulls the posterior there: its ±12 sd too
        spread, widest = 12 * model.noise / abs(model.weight), 40 * model.prior_std  # (past 40 sd: no mass)
        lo = max(min(lo, peak - spread), model.prior_mean - widest)
        hi = min(max(hi, peak + spread), model.prior_mean + widest)
    points = [p for p in np.unique(np.linspace(model.prior_mean, np.clip(peak, lo, hi), 17)) if lo < p < hi]

    def moment(integrand, epsabs: float, breaks) -> float:
        return integrate.quad(integrand, lo, hi, points=breaks, epsabs=epsabs, epsrel=1e-12, limit=400)[0]

    size = moment(lambda t: abs(t) ** power * math.exp(model.log_joint(t)), 0, points + ([0.0] if lo < 0 < hi else []))
    return moment(lambda t: t**power * math.exp(model.log_joint(t)), 1e-12 * size, points)


@settings(max_examples=30)
@given(models())
def test_log_evidence_is_the_log_of_the_integral_of_the_joint(model):
    assert_allclose(model.log_evidence(), math.log(joint_moment(model, 0)), rtol=1e-9, atol=1e-9)


@settings(max_examples=30)
@given(models())
def test_posterior_mean_and_std_are_the_moments_of_joint_over_evidence(model):
    evidence = joint_moment(model, 0)
    mean = joint_moment(model, 1) / evidence
    std = math.sqrt(joint_moment(model, 2) / evidence - mean**2)
    assert_allclose(model.posterior(), (mean, std), rtol=1e-6, atol=1e-8)


@settings(max_examples=30)
@given(models(), st.floats(-4, 4), st.floats(0.05, 3))
def test_elbo_by_quadrature_equals_log_evidence_minus_kl_to_posterior(model, mean, scale):
    assert_allclose(model.elbo(mean, scale), model.log_evidence() - model.kl_to_posterior(mean, scale),
                    rtol=1e-9, atol=1e-9)


def test_elbo_reaches_log_evidence_at_the_posterior_and_only_there():
    model = LinearGaussian(observed=1.2, weight=-0.7, bias=0.3, noise=0.8, prior_mean=0.5, prior_std=1.4)
    post_mean, post_scale = model.posterior()
    assert_allclose(model.elbo(post_mean, post_scale), model.log_evidence(), rtol=1e-12)
    assert np.all(model.elbo(post_mean + np.array([-0.1, 0.1]), post_scale) < model.log_evidence())
