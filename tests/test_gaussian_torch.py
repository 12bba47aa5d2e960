"""kl_normal_std_logvar on torch tensors: the one KL vae_min trains with."""
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from mathcheck import references as ref  # noqa: E402
from mathcheck.gaussian import kl_mvn, kl_normal, kl_normal_std_logvar  # noqa: E402
from mathcheck.strategies import gaussians, spd_matrices  # noqa: E402

FLOATS = st.floats(-5.0, 5.0, allow_nan=False)


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


