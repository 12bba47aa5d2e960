"""kl_normal_std_logvar on torch tensors: the one KL vae_min trains with."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import mpmath  # noqa: E402

from mathcheck import references as ref  # noqa: E402
from mathcheck.gaussian import ACCURACY, kl_mvn, kl_normal, kl_normal_std_logvar  # noqa: E402
from mathcheck.strategies import gaussians, spd_matrices  # noqa: E402
from tests.test_gaussian_extremes import error_ratio, reference_kl_logvar  # noqa: E402

FLOATS = st.floats(-5.0, 5.0, allow_nan=False)
BOUND = {torch.float32: ACCURACY["torch float32"], torch.float64: ACCURACY["torch float64"]}
GRADIENT_BOUND = {torch.float32: ACCURACY["torch float32 gradient"], torch.float64: ACCURACY["torch float64 gradient"]}
SMALLEST = {torch.float32: 2.0**-149, torch.float64: 2.0**-1074}  # one subnormal spacing: what rounding may lose
NEAR_ZERO = st.one_of(st.floats(-1e-3, 1e-3), st.sampled_from([1e-8, -1e-8, 1e-20, -1e-30, 0.0, 2.0**-30]))
WIDE = {  # up to where e^x / 2 overflows the dtype (89.4 and 710.47)
    torch.float32: st.one_of(NEAR_ZERO, st.floats(-1.2, 1.7), st.floats(-80.0, 89.4)),
    torch.float64: st.one_of(NEAR_ZERO, st.floats(-1.2, 1.7), st.floats(-700.0, 700.0), st.floats(700.0, 710.4)),
}


def test_importing_mathcheck_gaussian_does_not_import_torch():
    code = "import sys, mathcheck.gaussian; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@given(st.lists(st.tuples(FLOATS, FLOATS), min_size=1, max_size=8))
def test_torch_branch_equals_numpy_branch_elementwise(pairs):
    mu, logvar = (np.array(v) for v in zip(*pairs))
    got = kl_normal_std_logvar(torch.tensor(mu, dtype=torch.float64), torch.tensor(logvar, dtype=torch.float64))
    assert isinstance(got, torch.Tensor) and got.shape == (len(pairs),)
    np.testing.assert_allclose(got.numpy(), kl_normal_std_logvar(mu, logvar), rtol=1e-12, atol=1e-15)


@settings(max_examples=20)
@given(st.lists(st.tuples(FLOATS, FLOATS), min_size=1, max_size=8))
def test_torch_branch_equals_torch_distributions(pairs):
    mu, logvar = (torch.tensor(v, dtype=torch.float64) for v in zip(*pairs))
    peer = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, torch.exp(0.5 * logvar)), torch.distributions.Normal(0.0, 1.0)
    )
    np.testing.assert_allclose(kl_normal_std_logvar(mu, logvar).numpy(), peer.numpy(), rtol=1e-10, atol=1e-14)


def test_torch_gradients_match_finite_differences():
    mu = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    logvar = torch.tensor([0.1, -2.0, 1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(kl_normal_std_logvar, (mu, logvar))


def test_torch_gradients_are_the_analytic_ones():
    # d/dmu = mu, d/dlogvar = (exp(logvar) - 1)/2
    mu = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    logvar = torch.tensor([0.1, -2.0], dtype=torch.float64, requires_grad=True)
    kl_normal_std_logvar(mu, logvar).sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), mu.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(logvar.grad.numpy(), np.expm1(logvar.detach().numpy()) / 2, rtol=1e-14)


def test_torch_float32_error_is_float32_rounding_of_its_terms():
    # expm1 avoids exp(x) - 1 losing everything near logvar = 0; what is left is rounding of expm1(x) and x
    logvar = torch.tensor([1e-4, -3e-5, 0.0, 2.0, -7.0], dtype=torch.float32)
    mu = torch.tensor([0.0, 0.0, 0.0, 0.5, -3.0], dtype=torch.float32)
    got = kl_normal_std_logvar(mu, logvar)
    assert got.dtype == torch.float32
    lv, m = logvar.double().numpy(), mu.double().numpy()
    expected = kl_normal_std_logvar(m, lv)
    bound = 4 * np.finfo(np.float32).eps * (np.abs(np.expm1(lv)) + np.abs(lv) + m * m)
    assert np.all(np.abs(got.double().numpy() - expected) <= bound)


def test_torch_branch_accepts_a_python_number_beside_a_tensor():
    got = kl_normal_std_logvar(torch.tensor([1.0, 2.0]), 0.0)
    np.testing.assert_allclose(got.numpy(), [0.5, 2.0])


@given(gaussians(max_abs_mu=1e3, min_sigma=1e-5, max_sigma=1e5), gaussians(max_abs_mu=1e3, min_sigma=1e-5, max_sigma=1e5))
def test_kl_normal_equals_torch_distributions(first, second):
    expected = ref.kl_torch_normal(*first, *second)
    np.testing.assert_allclose(kl_normal(*first, *second), expected, rtol=1e-9, atol=1e-12)


@settings(max_examples=25)
@given(st.integers(1, 4).flatmap(lambda k: st.tuples(st.just(k), spd_matrices(k), spd_matrices(k))), st.data())
def test_kl_mvn_equals_torch_distributions(dims_and_covs, data):
    k, cov1, cov2 = dims_and_covs
    mu1 = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=k, max_size=k)))
    mu2 = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=k, max_size=k)))
    expected = ref.kl_torch_mvn(mu1, cov1, mu2, cov2)
    np.testing.assert_allclose(kl_mvn(mu1, cov1, mu2, cov2), expected, rtol=1e-9, atol=1e-12)




# ---------------------------------------------------------------- accuracy near logvar = 0 and over each dtype's range


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_keeps_the_issue_example_at_logvar_1e_minus_8(dtype):
    got = kl_normal_std_logvar(torch.zeros(1, dtype=dtype), torch.full((1,), 1e-8, dtype=dtype))
    logvar = torch.full((1,), 1e-8, dtype=dtype).double().item()  # the dtype's nearest value to 1e-8
    assert error_ratio(got.item(), reference_kl_logvar(0.0, logvar), SMALLEST[dtype]) <= BOUND[dtype]
    assert got.item() > 0  # about logvar^2 / 4 = 2.5e-17, where exp(x) - 1 - x in float32 gives 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@given(st.lists(NEAR_ZERO, min_size=1, max_size=8))
def test_torch_kl_near_logvar_zero_equals_the_definition(dtype, logvars):
    logvar = torch.tensor(logvars, dtype=dtype)
    got = kl_normal_std_logvar(torch.zeros_like(logvar), logvar)
    for value, lv in zip(got.tolist(), logvar.double().tolist()):
        assert error_ratio(value, reference_kl_logvar(0.0, lv), SMALLEST[dtype]) <= BOUND[dtype], lv


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@given(st.data())
def test_torch_kl_equals_the_definition_over_the_dtype_range(dtype, data):
    pairs = data.draw(st.lists(st.tuples(st.floats(-1e3, 1e3), WIDE[dtype]), min_size=1, max_size=8))
    mu, logvar = (torch.tensor(v, dtype=dtype) for v in zip(*pairs))
    got = kl_normal_std_logvar(mu, logvar)
    assert got.dtype == dtype and bool(torch.isfinite(got).all())
    for value, m, lv in zip(got.tolist(), mu.double().tolist(), logvar.double().tolist()):
        assert error_ratio(value, reference_kl_logvar(m, lv), SMALLEST[dtype]) <= BOUND[dtype], (m, lv)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@given(st.data())
def test_torch_gradient_in_logvar_is_half_of_expm1(dtype, data):
    # d/dlogvar 1/2 (e^x - 1 - x) = (e^x - 1)/2: also ~x/2 near 0, and finite up to the overflow of the KL
    logvar = torch.tensor(data.draw(st.lists(WIDE[dtype], min_size=1, max_size=8)), dtype=dtype, requires_grad=True)
    kl_normal_std_logvar(torch.zeros_like(logvar), logvar).sum().backward()
    for gradient, lv in zip(logvar.grad.tolist(), logvar.detach().double().tolist()):
        with mpmath.workdps(40):
            expected = mpmath.expm1(mpmath.mpf(lv)) / 2
        assert error_ratio(gradient, expected, SMALLEST[dtype]) <= GRADIENT_BOUND[dtype], lv


@pytest.mark.parametrize(
    "logvar", [[1e-6, -1e-6, 0.3], [-0.999, 1.499, -1.001, 1.501], [-30.0, 50.0, 1e-12], [709.5, 710.0]],
    ids=["near-zero", "series-switches", "expm1", "e^x/2"],
)
def test_torch_gradients_match_finite_differences_in_every_region(logvar):
    mu = torch.linspace(-1.0, 1.0, len(logvar), dtype=torch.float64)  # at KL ~ 1e308 a step in mu is lost
    logvar = torch.tensor(logvar, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda lv: kl_normal_std_logvar(mu, lv), (logvar,))


def test_torch_promotes_mixed_dtypes():
    got = kl_normal_std_logvar(torch.tensor([0.5], dtype=torch.float32), torch.tensor([1e-9], dtype=torch.float64))
    assert got.dtype == torch.float64


# ---------------------------------------------------------------- bad tensors: the numpy path's errors


@pytest.mark.parametrize(
    "mu, logvar, message",
    [
        (torch.zeros(2, dtype=torch.complex64), torch.zeros(2), "mu must be a real tensor"),
        (torch.zeros(2), torch.zeros(2, dtype=torch.bool), "logvar must be a real tensor"),
        (torch.zeros(2), torch.tensor([0.0, float("nan")]), "logvar must be finite"),
        (torch.tensor([float("inf")]), torch.zeros(1), "mu must be finite"),
        (torch.tensor([0.0]), torch.tensor([-float("inf")], dtype=torch.float64), "logvar must be finite"),
        (torch.zeros(2), "0", "logvar must be real numbers"),
        (torch.zeros(2), 1 + 0j, "logvar must be real numbers"),
        (True, torch.zeros(2), "mu must be real numbers"),
        (torch.zeros(1), 1e39, "logvar must be finite .*beyond torch.float32"),
        (torch.zeros(2), torch.zeros(3), "shapes do not broadcast"),
        (torch.zeros(1), torch.tensor([90.0]), "exceeds the torch.float32 range"),
        (torch.tensor([3e19]), torch.zeros(1), "exceeds the torch.float32 range"),
        (torch.zeros(1, dtype=torch.float64), torch.tensor([711.0], dtype=torch.float64), "exceeds the torch.float64 range"),
    ],
)
def test_torch_branch_rejects_bad_input_with_one_line(mu, logvar, message):
    with pytest.raises(ValueError, match=message) as info:
        kl_normal_std_logvar(mu, logvar)
    assert "\n" not in str(info.value) and str(info.value).startswith("kl_normal_std_logvar: ")
