"""The CUDA path (skipped where CUDA is unavailable, e.g. CI)."""
from __future__ import annotations

import pytest
import torch

from mathcheck.vae_min import confirmations as C
from mathcheck.vae_min.config import VAEConfig
from mathcheck.vae_min.train import train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")


def test_cuda_elementwise_functions_are_within_4_ulps_of_float64():
    assert C.elementwise_precision(device="cuda").verdict == "holds"


def test_cuda_training_is_deterministic_and_on_the_device():
    first, second = (train(VAEConfig(hidden_dim=32, latent_dim=4, epochs=2, device="cuda")) for _ in range(2))
    assert first.device == "cuda" and next(first.model.parameters()).is_cuda
    assert first.history == second.history


def test_cuda_model_confirms_loss_bound_and_gap():
    result = train(VAEConfig(hidden_dim=32, latent_dim=4, epochs=2, device="cuda"))
    x = result.dataset.test[:16]
    for confirmation in (C.loss_is_negative_elbo(result.model, x, draws=20), C.kl_term(result.model, x, samples=200),
                         C.elbo_bound(result.model, x, draws=20), C.gap_is_posterior_kl(result.model, x, draws=20)):
        assert confirmation.verdict == "holds", confirmation.to_dict()


def test_cli_device_cuda_runs(capsys):
    from mathcheck.cli import main

    assert main(["vae", "--device", "cuda", "--epochs", "2", "--images", "16", "--format", "json"]) == 0
