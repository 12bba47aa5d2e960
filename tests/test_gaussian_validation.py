"""Bad input and overflow: a clear one-line ValueError, never NaN, never a silent inf."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mathcheck.gaussian import kl_mvn, kl_mvn_diag, kl_normal, kl_normal_std, kl_normal_std_logvar


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 0.0), "sigma must be > 0"),
        ((0.0, -1.0), "sigma must be > 0"),
        ((0.0, np.nan), "sigma must be finite"),
        ((np.nan, 1.0), "mu must be finite"),
        ((np.inf, 1.0), "mu must be finite"),
        ((0.0, np.inf), "sigma must be finite"),
        (([0.0, 1.0], [1.0, 2.0, 3.0]), "shapes do not broadcast"),
        (("zero", 1.0), "must be real numbers"),
        ((1e160, 1.0), "exceeds the float64 range"),
        ((0.0, 1e160), "exceeds the float64 range"),
    ],
)
def test_kl_normal_std_rejects_bad_input_with_one_line(args, message):
    with pytest.raises(ValueError, match=message) as info:
        kl_normal_std(*args)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "args, message",
    [((0.0, 1.0, 0.0, 0.0), "sigma2 must be > 0"), ((0.0, -1.0, 0.0, 1.0), "sigma1 must be > 0"),
     ((1e300, 1.0, -1e300, 1e-10), "exceeds the float64 range")],
)
def test_kl_normal_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        kl_normal(*args)


def test_kl_normal_std_logvar_rejects_overflow_and_nan():
    with pytest.raises(ValueError, match="exceeds the float64 range"):
        kl_normal_std_logvar(0.0, 800.0)
    with pytest.raises(ValueError, match="logvar must be finite"):
        kl_normal_std_logvar(0.0, np.nan)


def test_kl_mvn_diag_needs_an_axis():
    with pytest.raises(ValueError, match="at least one axis"):
        kl_mvn_diag(0.0, 1.0)


@pytest.mark.parametrize(
    "cov1, message",
    [([[1.0, 2.0], [2.0, 1.0]], "positive definite"), ([[1.0, 0.5], [0.0, 1.0]], "symmetric"),
     ([[1.0, 0.0], [0.0, np.nan]], "finite"), ([[1.0]], "expected mu1, mu2 of shape")],
)
def test_kl_mvn_rejects_bad_covariances(cov1, message):
    with pytest.raises(ValueError, match=message):
        kl_mvn([0.0, 0.0], cov1, [0.0, 0.0], np.eye(2))


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(min_value=5e-324, allow_infinity=False))
def test_kl_normal_std_is_finite_and_non_negative_or_raises_on_overflow(mu, sigma):
    try:
        value = kl_normal_std(mu, sigma)
    except ValueError as error:
        assert "exceeds the float64 range" in str(error)
        assert abs(mu) > 1.8e154 or sigma > 1.8e154  # only where mu^2/2 or sigma^2/2 truly overflows
    else:
        assert np.isfinite(value) and value >= 0
