"""mathcheck.gaussian at the extremes of float64, against a 50-digit mpmath evaluation of the definition.

The reference below is written from the textbook formula only (nothing from mathcheck): the float inputs
are taken exactly, and the working precision is raised by twice the number of digits the formula can
cancel (about |log10 d| for d = sigma1/sigma2 - 1, 2 |log10 logvar| in the logvar form), then confirmed
at 20 more digits. Every finite true KL must come back finite within the bound of ``ACCURACY``; a true
KL beyond float64 must raise a one-line ValueError.
"""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mathcheck.gaussian import ACCURACY, kl_mvn, kl_mvn_diag, kl_normal, kl_normal_std, kl_normal_std_logvar

DPS = 50
FLOAT_MAX = mpmath.mpf(2) ** 1024 - mpmath.mpf(2) ** 970  # reals at or above this round to inf
SUBNORMAL_ULP = 5e-324


def _exactly(value) -> Fraction:
    return Fraction(float(value))  # every float is a dyadic rational


def _mpf(value: Fraction) -> mpmath.mpf:
    return mpmath.mpf(value.numerator) / value.denominator


def _rational_plus_transcendental(rational: Fraction, transcendental) -> mpmath.mpf:
    """rational + transcendental(), raising the precision until the cancellation between them is paid for.

    The rational part is exact; the transcendental one is good to a few units in 10^-digits of its size,
    so the sum is accepted once that error is below 10^-DPS of the sum itself.
    """
    digits = DPS + 20
    while True:
        with mpmath.workdps(digits):
            exact = _mpf(rational)
            other = transcendental()
            value = exact + other
            error = (abs(exact) + abs(other)) * mpmath.mpf(10) ** (5 - digits)
            if error <= abs(value) * mpmath.mpf(10) ** -DPS:
                return +value
        assert digits < 20000, "reference not converged"
        digits *= 2


def reference_kl_normal(mu1, sigma1, mu2=0.0, sigma2=1.0) -> mpmath.mpf:
    """log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2, to DPS digits."""
    m1, s1, m2, s2 = (_exactly(v) for v in (mu1, sigma1, mu2, sigma2))
    rational = (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - Fraction(1, 2)
    if s1 == s2:
        return _mpf(rational)  # elsewhere log(s2/s1) is irrational
    return _rational_plus_transcendental(rational, lambda: mpmath.log(mpmath.mpf(float(sigma2)) / float(sigma1)))


def reference_kl_logvar(mu, logvar) -> mpmath.mpf:
    """(-logvar + exp(logvar) - 1 + mu^2) / 2, to DPS digits."""
    m, lv = _exactly(mu), _exactly(logvar)
    rational = (-lv - 1 + m**2) / 2
    if lv == 0:
        return _mpf(m**2 / 2)  # elsewhere exp(lv) is irrational, so the sum is not 0
    return _rational_plus_transcendental(rational, lambda: mpmath.exp(mpmath.mpf(float(logvar))) / 2)


def error_ratio(value: float, reference: mpmath.mpf, floor: float = SUBNORMAL_ULP) -> float:
    """|value - reference| in units of |reference|, less ``floor`` (the subnormal spacing of the dtype)."""
    with mpmath.workdps(60):
        excess = abs(mpmath.mpf(float(value)) - reference) - floor
        if excess <= 0:
            return 0.0
        return math.inf if reference == 0 else float(excess / abs(reference))


def assert_finite_and_accurate_or_overflow(compute, reference: mpmath.mpf, bound: float) -> None:
    """A representable true KL comes back within ``bound``; one beyond float64 raises (one line)."""
    if reference >= FLOAT_MAX * (1 + mpmath.mpf(10) ** -15):
        with pytest.raises(ValueError, match="exceeds the float64 range") as info:
            compute()
        assert "\n" not in str(info.value)
        return
    if reference >= FLOAT_MAX * (1 - mpmath.mpf(10) ** -15):
        return  # rounds to the last float or to inf: either answer is honest
    value = compute()
    assert isinstance(value, float) and math.isfinite(value)
    assert error_ratio(value, reference) <= bound, (value, reference)


# ---------------------------------------------------------------- strategies over the whole float range


def log_uniform(low: float, high: float):
    return st.floats(math.log(low), math.log(high)).map(math.exp).filter(lambda s: low <= s <= high)


SIGMAS = st.one_of(
    log_uniform(1e-150, 1e150),
    st.floats(0.4, 2.5),  # both sides of the series / direct switch at |r - 1| = 1/2
    st.floats(-1e-6, 1e-6).map(lambda d: 1.0 + d),
    st.sampled_from([1.0, 0.5, 1.5, 2.0, np.nextafter(1.0, 2.0), np.nextafter(1.0, 0.0), 1e-150, 1e150]),
)
ANY_SIGMAS = st.one_of(SIGMAS, st.floats(5e-324, 1.7e308))  # subnormal to the largest float
MEANS = st.one_of(st.floats(-1e308, 1e308), st.floats(-1e3, 1e3), st.just(0.0))
LOGVARS = st.one_of(
    st.floats(-700.0, 700.0),
    st.floats(-1e-3, 1e-3),
    st.floats(-1.2, 1.7),  # both sides of the series / expm1 switches at -1 and 1.5
    st.floats(700.0, 711.0),  # expm1 overflows near 709.8, the KL only near 710.48
    st.sampled_from([0.0, 5e-324, -5e-324, 1e-8, -1e-8, 1.5, -1.0, 0.51, 708.0, 709.78, 710.47]),
)


def near(sigma: float, relative: float) -> float:
    return float(sigma * (1.0 + relative))


# ---------------------------------------------------------------- properties


@settings(max_examples=300)
@given(MEANS, ANY_SIGMAS)
@example(1e154, 1.0).via("mu^2/2 just below the float64 range")
@example(2e154, 1.0).via("mu^2/2 just above the float64 range")
@example(0.0, 1.9e154).via("sigma^2/2 near the float64 range")
@example(1e-160, 1.0).via("a subnormal KL")
def test_kl_normal_std_equals_the_definition_or_reports_overflow(mu, sigma):
    assert_finite_and_accurate_or_overflow(lambda: kl_normal_std(mu, sigma), reference_kl_normal(mu, sigma),
                                           ACCURACY["kl_normal_std"])


@settings(max_examples=300)
@given(MEANS, LOGVARS)
@example(0.0, 0.51).via("issue 10: 2.4e-15 here before the series reached it")
@example(0.0, 1e-8)
@example(0.0, 710.4)
def test_kl_normal_std_logvar_equals_the_definition_or_reports_overflow(mu, logvar):
    assert_finite_and_accurate_or_overflow(lambda: kl_normal_std_logvar(mu, logvar),
                                           reference_kl_logvar(mu, logvar), ACCURACY["kl_normal_std_logvar"])


@settings(max_examples=300)
@given(MEANS, ANY_SIGMAS, MEANS, ANY_SIGMAS)
@example(1e308, 1.0, -1e308, 1e300).via("issue 10: mu1 - mu2 overflows, the KL is 2e16")
@example(0.0, 1e-300, 0.0, 1e300).via("sigma1/sigma2 underflows, the KL is 1381")
@example(0.0, 1e300, 0.0, 1e-300).via("sigma1/sigma2 overflows, so does the KL")
@example(1.7e308, 5e-324, -1.7e308, 1.7e308)
def test_kl_normal_equals_the_definition_or_reports_overflow(mu1, sigma1, mu2, sigma2):
    assert_finite_and_accurate_or_overflow(lambda: kl_normal(mu1, sigma1, mu2, sigma2),
                                           reference_kl_normal(mu1, sigma1, mu2, sigma2), ACCURACY["kl_normal"])


@settings(max_examples=200)
@given(MEANS, SIGMAS, st.floats(-0.6, 0.6), st.floats(-1e3, 1e3))
def test_kl_normal_is_accurate_for_nearly_equal_sigmas_at_any_scale(mu, sigma, relative, shift):
    other = near(sigma, relative)
    assert_finite_and_accurate_or_overflow(lambda: kl_normal(mu, sigma, mu + shift * sigma, other),
                                           reference_kl_normal(mu, sigma, mu + shift * sigma, other),
                                           ACCURACY["kl_normal"])


@settings(max_examples=100)
@given(st.lists(st.tuples(MEANS, SIGMAS), min_size=1, max_size=12))
def test_kl_mvn_diag_equals_the_sum_of_the_definitions(coordinates):
    mu, sigma = (np.array(v) for v in zip(*coordinates))
    with mpmath.workdps(DPS + 10):
        reference = mpmath.fsum(reference_kl_normal(m, s) for m, s in coordinates)
    assert_finite_and_accurate_or_overflow(lambda: kl_mvn_diag(mu, sigma), reference, ACCURACY["kl_mvn_diag"])


def reference_kl_mvn(mu1, cov1, mu2, cov2) -> mpmath.mpf:
    """1/2 [tr(S2^-1 S1) - k + log det S2 - log det S1 + (m1 - m2)^T S2^-1 (m1 - m2)] in mpmath.

    Evaluated after dividing both covariances by c = max |S2_ij| and both means by sqrt(c) (which leaves
    the KL unchanged), so mpmath's singularity test, an absolute one, sees entries of order one.
    """
    with mpmath.workdps(DPS + 30):
        c = max(abs(mpmath.mpf(float(v))) for v in np.ravel(cov2))
        s1, s2 = (mpmath.matrix([[mpmath.mpf(float(v)) / c for v in row] for row in cov]) for cov in (cov1, cov2))
        shift = mpmath.matrix([(mpmath.mpf(float(a)) - mpmath.mpf(float(b))) / mpmath.sqrt(c) for a, b in zip(mu1, mu2)])
        inverse = s2**-1
        trace = sum((inverse * s1)[i, i] for i in range(len(mu1)))
        quadratic = (shift.T * inverse * shift)[0, 0]
        return (trace - len(mu1) + mpmath.log(mpmath.det(s2) / mpmath.det(s1)) + quadratic) / 2


@settings(max_examples=60)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(-300.0, 300.0), st.floats(-1.0, 1.0), st.booleans())
def test_kl_mvn_equals_the_definition_for_well_conditioned_covariances_at_any_scale(k, seed, scale, offset, far):
    rng = np.random.default_rng(seed)
    rotations = (np.linalg.qr(rng.normal(size=(k, k)))[0] for _ in range(2))
    spectra = rng.uniform(1.0, 10.0, size=(2, k))  # condition number <= 10
    scales = (scale, float(np.clip(scale + (300.0 if far else 1.0) * offset, -300.0, 300.0)))  # no subnormal entries
    cov1, cov2 = ((q @ np.diag(s) @ q.T) * 10.0**e for q, s, e in zip(rotations, spectra, scales))
    cov1, cov2 = (0.5 * (c + c.T) for c in (cov1, cov2))
    mu1, mu2 = rng.normal(size=(2, k)) * 10.0 ** (scales[1] / 2)
    assert_finite_and_accurate_or_overflow(lambda: kl_mvn(mu1, cov1, mu2, cov2),
                                           reference_kl_mvn(mu1, cov1, mu2, cov2), ACCURACY["kl_mvn"])


def test_kl_mvn_keeps_a_finite_kl_finite_when_the_mean_difference_overflows():
    mu1, mu2, cov = np.array([1e308, 0.0]), np.array([-1e308, 0.0]), np.eye(2) * 1.7e308  # KL = 1.18e308
    reference = reference_kl_mvn(mu1, np.eye(2), mu2, cov)
    assert reference < FLOAT_MAX
    assert error_ratio(kl_mvn(mu1, np.eye(2), mu2, cov), reference) <= ACCURACY["kl_mvn"]
