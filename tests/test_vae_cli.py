"""``mathcheck vae`` in-process, the ``vae-*`` entries of verify-all, and the import-cost contract."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from mathcheck.cli import main

FAST = ["vae", "--epochs", "2", "--hidden-dim", "32", "--latent-dim", "4", "--images", "16", "--device", "cpu"]


def test_vae_json_report_has_every_confirmation_and_exits_0(capsys):
    code = main(FAST + ["--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True
    assert {"ok", "device", "dataset", "epochs", "test_elbo", "test_log_px", "checks"} <= set(report)
    assert [c["name"] for c in report["checks"]] == [
        "vae-elementwise", "vae-loss-is-neg-elbo", "vae-kl-closed-form", "vae-elbo-bound",
        "vae-gap-is-posterior-kl", "vae-reparam-gradients"]
    assert all(c["verdict"] == "holds" for c in report["checks"])
    assert report["test_elbo"] <= report["test_log_px"] < 0 and report["dataset"] == "digits"


def test_vae_text_report_prints_elbo_log_px_and_a_table(capsys):
    assert main(FAST) == 0
    out = capsys.readouterr().out
    assert "test ELBO" in out and "test log p(x)" in out and "6/6 confirmations hold" in out


def test_vae_exits_1_when_a_confirmation_is_refuted(capsys, monkeypatch):
    from mathcheck.vae_min import confirmations

    monkeypatch.setattr(confirmations, "kl_normal_std_logvar", lambda mu, logvar: 2 * (torch.expm1(logvar) - logvar + mu**2))
    assert main(FAST + ["--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error printed without CUDA")
def test_vae_device_cuda_without_cuda_is_one_error_line_and_exit_2(capsys):
    assert main(["vae", "--device", "cuda", "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mathcheck: error:") and "CUDA" in err[0]


@pytest.mark.parametrize("argv, message", [
    (["vae", "--dataset", "mnist"], "--data-dir"),
    (["vae", "--dataset", "mnist", "--data-dir", "/nonexistent/mnist"], "not found"),
    (["vae", "--epochs", "0"], "positive integer"),
    (["vae", "--images", "1"], "at least 2"),
    (["vae", "--seed", "-1"], "seed must be an integer from 0"),
    (["vae", "--seed", "18446744073709551616"], "seed must be an integer from 0"),
    (["vae", "--data-dir", "/tmp"], "only with --dataset mnist"),
    (["vae", "--plot", "curve.txt"], "extension must be one of"),
    (["vae", "--save", "/nonexistent-dir/vae.pt"], "directory does not exist"),
    (["vae", "--hidden-dim", str(10**12), "--epochs", "1"], "not enough memory"),  # 256 TB of weights
])
def test_vae_usage_errors_are_one_line_and_exit_2(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mathcheck: error:") and message in err[0]


@pytest.mark.parametrize("argv", [["verify-all", "--quick", "--seed", "-1"], ["verify", "jensen-gap", "--seed", "2e3"],
                                  ["verify", "vae-reparam-gradients", "--seed", str(2**64)]])
def test_out_of_range_seeds_are_usage_errors_not_internal_errors(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mathcheck: error:") and "seed" in err[0]


def test_a_check_without_a_standard_error_is_undecided_not_holds():
    from mathcheck.vae_min import confirmations
    from mathcheck.vae_min.config import VAEConfig
    from mathcheck.vae_min.train import build_model

    model = build_model(VAEConfig(hidden_dim=8, latent_dim=2), 64, "cpu")
    one_image = torch.zeros(1, 64)
    for confirmation in (confirmations.loss_is_negative_elbo(model, one_image, draws=3),
                         confirmations.kl_term(model, one_image, samples=10),
                         confirmations.reparameterization_gradients(samples=1)):
        statistical = [f for f in confirmation.findings if "standard errors" in f.tolerance]
        assert statistical and all(f.verdict == "undecided" for f in statistical), confirmation.name
        assert confirmation.verdict == "undecided"


def test_vae_json_is_strict_json_without_infinity(capsys, monkeypatch):
    from mathcheck.vae_min import estimators

    monkeypatch.setattr(estimators, "mean_and_se", lambda values: (values.double().mean().item(), float("inf")))
    assert main(FAST + ["--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(f"non-JSON constant {name}"))
    assert report["ok"] is False
    assert any(f["numbers"].get("standard_error", 0) is None for c in report["checks"] for f in c["findings"])


def test_vae_writes_plot_and_loadable_checkpoint(tmp_path, capsys):
    plot, checkpoint = tmp_path / "curve.png", tmp_path / "vae.pt"
    assert main(FAST + ["--plot", str(plot), "--save", str(checkpoint)]) == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from mathcheck.vae_min.train import load_checkpoint

    model, config, history = load_checkpoint(checkpoint)
    assert config.epochs == 2 and len(history) == 2 and "test_log_px" in history[-1]


def test_vae_unwritable_plot_path_is_exit_2(tmp_path, capsys):
    assert main(FAST + ["--plot", str(tmp_path / "missing-dir" / "curve.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mathcheck: error: cannot write")


def test_verify_all_entries_are_empirical_vae_checks_that_hold():
    from mathcheck.vae_min.confirm import checks

    entries = checks()
    assert entries and all(c.name.startswith("vae-") and c.empirical for c in entries)
    for check in entries:
        report = check.run(0, None)
        assert report.name == check.name and report.verdict == "holds", report.to_dict()
        assert all(step.verdict in ("holds", "refuted") for step in report.steps)


def test_listing_commands_does_not_import_torch():
    code = ("import sys; from mathcheck.cli import build_parser; build_parser(); "
            "from mathcheck.vae_min.confirm import checks; checks(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _has_torchvision() -> bool:
    import importlib.util

    return importlib.util.find_spec("torchvision") is not None


@pytest.mark.skipif(_has_torchvision(), reason="checks the error printed without torchvision")
def test_vae_mnist_without_torchvision_is_exit_2(tmp_path, capsys):
    assert main(["vae", "--dataset", "mnist", "--data-dir", str(tmp_path)]) == 2
    assert "torchvision" in capsys.readouterr().err


MNIST_DIR = __import__("os").environ.get("MATHCHECK_MNIST_DIR")


@pytest.mark.skipif(not (MNIST_DIR and _has_torchvision()),
                    reason="set MATHCHECK_MNIST_DIR to a torchvision MNIST root (with torchvision installed)")
def test_vae_trains_and_confirms_on_mnist(capsys):
    code = main(["vae", "--dataset", "mnist", "--data-dir", MNIST_DIR, "--epochs", "1", "--images", "32",
                 "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["dataset"] == "mnist"
