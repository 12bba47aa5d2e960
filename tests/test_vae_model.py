"""vae_min's model, loss, data and training loop (CPU, small settings)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from mathcheck.vae_min.config import VAEConfig, resolve_device
from mathcheck.vae_min.data import load_digits
from mathcheck.vae_min.model import VAE, loss_function, loss_terms, reparameterize
from mathcheck.vae_min import train as training
from mathcheck.vae_min.train import load_checkpoint, save_checkpoint, train

SMALL = dict(hidden_dim=32, latent_dim=4, epochs=2, device="cpu")


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.1, 8.0))
def test_loss_terms_equal_bernoulli_nll_and_gaussian_kl(seed, scale):
    rng = np.random.default_rng(seed)
    logits, mu, logvar = (scale * rng.standard_normal(shape) for shape in ((5, 7), (5, 3), (5, 3)))
    x = (rng.random((5, 7)) < 0.5).astype(np.float64)
    bce, kl = loss_terms(*(torch.from_numpy(a) for a in (logits, x, mu, logvar)))
    # reference, in numpy: -log Bernoulli(x; sigmoid(l)), log sigmoid(l) = -log(1 + e^-l), log(1 - sigmoid(l)) = -log(1 + e^l)
    expected_bce = np.sum(np.where(x == 1, np.logaddexp(0, -logits), np.logaddexp(0, logits)), axis=-1)
    sigma2 = np.exp(logvar)
    expected_kl = 0.5 * np.sum(sigma2 + mu**2 - 1 - logvar, axis=-1)
    assert_allclose(bce.numpy(), expected_bce, rtol=1e-12)
    assert_allclose(kl.numpy(), expected_kl, rtol=1e-10, atol=1e-12)


def test_loss_function_is_batch_mean_of_bce_plus_kl():
    g = torch.Generator().manual_seed(0)
    logits, mu, logvar = (torch.randn(shape, generator=g, dtype=torch.float64) for shape in ((6, 8), (6, 2), (6, 2)))
    x = (torch.rand((6, 8), generator=g) < 0.5).double()
    bce, kl = loss_terms(logits, x, mu, logvar)
    assert_allclose(loss_function(logits, x, mu, logvar).item(), (bce + kl).sum().item() / 6, rtol=1e-14)


def test_reparameterized_samples_have_mean_mu_and_variance_exp_logvar():
    mu, logvar = torch.tensor([1.5, -2.0], dtype=torch.float64), torch.tensor([0.4, -1.0], dtype=torch.float64)
    z = reparameterize(mu.expand(200_000, 2), logvar.expand(200_000, 2), torch.Generator().manual_seed(1))
    se_mean = torch.exp(0.5 * logvar) / 200_000**0.5
    assert torch.all((z.mean(0) - mu).abs() <= 5 * se_mean)
    assert_allclose(z.var(0).numpy(), logvar.exp().numpy(), rtol=0.02)  # 5 SE of a variance at n = 2e5 ~ 1.6%


def test_reparameterization_is_differentiable_in_mu_and_logvar():
    mu = torch.zeros(3, requires_grad=True)
    logvar = torch.zeros(3, requires_grad=True)
    eps = reparameterize(mu, logvar, torch.Generator().manual_seed(2))
    eps.sum().backward()
    assert_allclose(mu.grad.numpy(), np.ones(3))
    assert_allclose(logvar.grad.numpy(), 0.5 * eps.detach().numpy(), rtol=1e-6)  # dz/dlogvar = eps sigma / 2


def test_digits_are_binary_with_a_fixed_split(digits):
    assert digits.train.shape == (1438, 64) and digits.test.shape == (359, 64)
    assert set(torch.unique(torch.cat([digits.train, digits.test])).tolist()) == {0.0, 1.0}
    again = load_digits()
    assert torch.equal(digits.test, again.test) and torch.equal(digits.train, again.train)


def test_training_is_deterministic_for_a_seed(digits):
    first, second = (train(VAEConfig(seed=3, **SMALL), digits) for _ in range(2))
    other = train(VAEConfig(seed=4, **SMALL), digits)
    for (name, a), b, c in zip(first.model.state_dict().items(), second.model.state_dict().values(),
                               other.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert not torch.equal(first.model.to_mu_logvar.weight, other.model.to_mu_logvar.weight)
    assert first.history == second.history


@pytest.mark.parametrize("fused", [False, True], ids=["single-tensor", "fused"])
def test_the_optimizer_takes_the_steps_of_torch_optim_adam(digits, fused, monkeypatch):
    if fused and not training._fused_adam_runs(torch.device("cpu")):
        pytest.skip("this torch has no fused Adam kernel for the CPU")
    monkeypatch.setattr(training, "make_optimizer",
                        lambda model, lr: training.Adam(model.parameters(), lr=lr, fused=fused))
    ours = train(VAEConfig(seed=5, **SMALL), digits)
    monkeypatch.setattr(training, "make_optimizer",
                        lambda model, lr: torch.optim.Adam(model.parameters(), lr=lr, fused=fused))
    theirs = train(VAEConfig(seed=5, **SMALL), digits)
    for (name, a), b in zip(ours.model.state_dict().items(), theirs.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert ours.history == theirs.history


def test_training_does_not_import_torch_dynamo():
    code = ("import sys; from mathcheck.vae_min.config import VAEConfig; from mathcheck.vae_min.train import train; "
            "train(VAEConfig(hidden_dim=8, latent_dim=2, epochs=1, device='cpu')); print('torch._dynamo' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]


def test_training_lowers_the_loss(digits):
    result = train(VAEConfig(hidden_dim=64, latent_dim=8, epochs=8, device="cpu"), digits)
    losses = [h["train_loss"] for h in result.history]
    assert losses[-1] < losses[0] - 5  # nats per image; from ~40 to ~25 on binarized digits


def test_checkpoint_round_trip_restores_the_model(digits, tmp_path):
    result = train(VAEConfig(**SMALL), digits)
    path = save_checkpoint(result, tmp_path / "sub" / "vae.pt")
    model, config, history = load_checkpoint(path)
    assert config == result.config and history == result.history
    x = digits.test[:4]
    assert torch.equal(model.encode(x)[0], result.model.encode(x)[0])
    assert [p.name for p in path.parent.iterdir()] == ["vae.pt"]  # no temporary file left behind


def test_failed_checkpoint_write_keeps_the_old_file(digits, tmp_path, monkeypatch):
    result = train(VAEConfig(**SMALL), digits)
    path = save_checkpoint(result, tmp_path / "vae.pt")
    before = path.read_bytes()

    def broken_save(obj, stream):
        stream.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(result, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["vae.pt"]


def test_loading_a_corrupt_checkpoint_is_one_clear_error(tmp_path):
    path = tmp_path / "bad.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot load checkpoint"):
        load_checkpoint(path)


def test_config_rejects_bad_values():
    for bad in (dict(epochs=0), dict(lr=0.0), dict(device="tpu"), dict(dataset="cifar"), dict(dataset="mnist")):
        with pytest.raises(ValueError):
            VAEConfig(**bad)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
def test_cuda_request_without_cuda_is_a_value_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")


def test_model_sizes_come_from_the_config():
    model = VAE(pixels=64, hidden_dim=16, latent_dim=3)
    logits, mu, logvar = model(torch.zeros(2, 64))
    assert logits.shape == (2, 64) and mu.shape == logvar.shape == (2, 3)
