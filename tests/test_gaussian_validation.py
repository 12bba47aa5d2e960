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


# ---------------------------------------------------------------- every public function, every kind of bad input

import decimal  # noqa: E402
import fractions  # noqa: E402

import mpmath  # noqa: E402

from mathcheck.gaussian import half_excess  # noqa: E402

# each function with valid arguments; ``sigmas`` names the ones that must be > 0
VALID = {
    "kl_normal_std": (kl_normal_std, {"mu": 0.5, "sigma": 2.0}, ("sigma",)),
    "kl_normal_std_logvar": (kl_normal_std_logvar, {"mu": 0.5, "logvar": 0.3}, ()),
    "kl_normal": (kl_normal, {"mu1": 0.5, "sigma1": 2.0, "mu2": -1.0, "sigma2": 0.7}, ("sigma1", "sigma2")),
    "kl_mvn_diag": (kl_mvn_diag, {"mu": [0.5, 0.0], "sigma": [2.0, 1.0]}, ("sigma",)),
    "kl_mvn": (kl_mvn, {"mu1": [0.5, 0.0], "cov1": [[2.0, 0.3], [0.3, 1.0]], "mu2": [0.0, 0.0], "cov2": [[1.0, 0.0], [0.0, 1.0]]}, ()),
}
ARGUMENTS = [(function, name) for function, (_, kwargs, _) in VALID.items() for name in kwargs]
NOT_REAL = {
    "string": ("0", "must be real numbers, got strings"),
    "bytes": (b"1", "must be real numbers, got bytes"),
    "complex": (1 + 0j, "must be real numbers, got complex numbers"),
    "complex array": (np.array([1 + 0j, 2 + 0j]), "must be real numbers, got complex numbers"),
    "bool": (True, "must be real numbers, got booleans"),
    "bool array": (np.array([True, False]), "must be real numbers, got booleans"),
    "None": (None, "must be real numbers"),
    "object array with None": (np.array([1.0, None], dtype=object), "must be real numbers, got NoneType"),
    "object array with a string": (np.array([1.0, "2"], dtype=object), "must be real numbers, got str"),
    "object array with complex": (np.array([1.0, 2j], dtype=object), "must be real numbers, got complex"),
    "mixed list": ([1.0, "a"], "must be real numbers, got strings"),
    "ragged list": ([[1.0], [1.0, 2.0]], "must be real numbers"),
    "dict": ({"a": 1.0}, "must be real numbers"),
    "datetime": (np.datetime64("2020-01-01"), "must be real numbers, got datetimes"),
    "int beyond float64": (10**400, "within the float64 range"),
    "NaN": (np.nan, "must be finite"),
    "inf": (np.inf, "must be finite"),
    "-inf in an array": (np.array([0.0, -np.inf]), "must be finite"),
}


def _call(function: str, name: str, value):
    call, kwargs, _ = VALID[function]
    return call(**{**kwargs, name: value})


@pytest.mark.parametrize("kind", NOT_REAL)
@pytest.mark.parametrize("function, name", ARGUMENTS)
def test_every_argument_refuses_what_is_not_a_finite_real_number_with_one_line(function, name, kind):
    value, message = NOT_REAL[kind]
    with pytest.raises(ValueError, match=message) as info:
        _call(function, name, value)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"{function}: {name} ")


SIGMAS = [(function, name) for function, (_, _, sigmas) in VALID.items() for name in sigmas]


@pytest.mark.parametrize("bad", [0.0, -0.0, -1.0, -5e-324, [1.0, 0.0]])
@pytest.mark.parametrize("function, name", SIGMAS)
def test_every_standard_deviation_must_be_positive(function, name, bad):
    with pytest.raises(ValueError, match=f"{function}: {name} must be > 0"):
        _call(function, name, bad)


@pytest.mark.parametrize("exotic", [fractions.Fraction(1, 2), decimal.Decimal("0.5"), mpmath.mpf("0.5"), np.float32(0.5),
                                    np.int8(1), 1, np.array([0.5], dtype=object)])
@pytest.mark.parametrize("function", ["kl_normal_std", "kl_normal_std_logvar", "kl_normal"])
def test_real_numbers_of_any_type_are_accepted_as_their_float_value(function, exotic):
    name = next(iter(VALID[function][1]))  # the first mean
    expected = _call(function, name, np.asarray(exotic, dtype=np.float64))
    assert np.array_equal(_call(function, name, exotic), expected)


@pytest.mark.parametrize("function", ["kl_normal_std", "kl_normal_std_logvar", "kl_normal", "kl_mvn_diag"])
def test_shapes_that_do_not_broadcast_are_refused(function):
    call, kwargs, _ = VALID[function]
    first, second = list(kwargs)[:2]
    with pytest.raises(ValueError, match=f"{function}: shapes do not broadcast"):
        call(**{**kwargs, first: np.zeros(3), second: np.ones(4)})


@pytest.mark.parametrize(
    "log_r, r, message",
    [("1", 1.0, "log_r must be real numbers"), (0.0, 1j, "r must be real numbers"), (np.nan, 1.0, "must not be NaN"),
     (0.0, -1.0, "r must be >= 0"), ([0.0, 1.0], [1.0, 2.0, 3.0], "shapes do not broadcast")],
)
def test_half_excess_refuses_what_is_not_real(log_r, r, message):
    with pytest.raises(ValueError, match=message):
        half_excess(log_r, r)


def test_half_excess_reports_an_overflowing_value_as_inf_for_its_caller():
    assert np.all(np.isinf(half_excess([400.0, -np.inf, np.inf], [np.inf, 0.0, np.inf])))


@pytest.mark.parametrize(
    "function, args",
    [("kl_normal", (1e308, 1.0, -1e308, 1e300)), ("kl_normal", (0.0, 1e-300, 0.0, 1e300)),
     ("kl_normal_std", (1.8e154, 1.0)), ("kl_normal_std", (0.0, 1.8e154)), ("kl_normal_std_logvar", (0.0, 710.47)),
     ("kl_normal_std_logvar", (1.8e154, -700.0))],
)
def test_finite_kls_whose_intermediates_overflow_come_back_finite(function, args):
    value = VALID[function][0](*args)
    assert isinstance(value, float) and np.isfinite(value) and value > 0


@pytest.mark.parametrize(
    "function, args",
    [("kl_normal", (0.0, 1e300, 0.0, 1e-300)), ("kl_normal", (1e308, 1.0, -1e308, 1e150)),
     ("kl_normal_std", (1.9e154, 1.0)), ("kl_normal_std_logvar", (0.0, 710.5)), ("kl_mvn_diag", ([1.5e154, 1.5e154], [1.0, 1.0]))],  # each term finite, the sum not
)
def test_infinite_kls_raise_one_line(function, args):
    with pytest.raises(ValueError, match=f"{function}: the KL exceeds the float64 range") as info:
        VALID[function][0](*args)
    assert "\n" not in str(info.value)
