"""``mathcheck.testing``: the one-line assertions a project adds to its own test suite."""
import importlib
import textwrap

import pytest

from mathcheck.code import CodeReport
from mathcheck.testing import assert_reparameterization, assert_vae_loss
from tests.test_check_code_cli import BUG, CONVENTION, NOTE, fake, needs_analysis, vae_min_model  # noqa: F401


def loss_function(recon_x, x, mu, logvar):
    return x


def reparameterize(mu, logvar):
    return mu


def test_a_correct_loss_returns_the_report(fake):
    report = assert_vae_loss(loss_function)
    assert isinstance(report, CodeReport) and report.ok


def test_a_bug_raises_with_the_code_message_and_evidence(fake):
    fake.set("loss_function", findings=[BUG])
    with pytest.raises(AssertionError) as caught:
        assert_vae_loss(loss_function)
    text = str(caught.value)
    assert "kl-mean-over-latent" in text and BUG.message in text and "got=0.125" in text


def test_an_undecided_loss_raises_with_its_reason(fake):
    fake.set("loss_function", verdict="undecided", reason="it raised TypeError on every shape tried")
    with pytest.raises(AssertionError, match="undecided.*raised TypeError on every shape tried"):
        assert_vae_loss(loss_function)


def test_a_convention_passes_by_default(fake):
    fake.set("loss_function", findings=[CONVENTION])
    assert assert_vae_loss(loss_function).functions[0].verdict == "convention"


def test_a_convention_raises_when_conventions_are_not_allowed(fake):
    fake.set("loss_function", findings=[CONVENTION])
    with pytest.raises(AssertionError, match="beta"):
        assert_vae_loss(loss_function, allow_conventions=False)


def test_a_note_alone_passes(fake):
    fake.set("loss_function", findings=[NOTE])
    assert assert_vae_loss(loss_function).ok


def test_a_sampler_given_as_a_loss_raises(fake):
    fake.set("reparameterize", role="reparameterize")
    with pytest.raises(AssertionError, match="assert_reparameterization"):
        assert_vae_loss(reparameterize)


def test_the_loss_assertion_lets_the_analysis_infer_the_role(fake):
    assert_vae_loss(loss_function)
    assert fake.calls[0]["role"] is None


def test_the_reparameterization_assertion_asks_for_a_sampler(fake):
    assert_reparameterization(reparameterize)
    assert fake.calls[0]["role"] == "reparameterize"


def test_a_sampler_bug_raises(fake):
    from mathcheck.code.report import Finding
    fake.set("reparameterize", role="reparameterize",
             findings=[Finding("sampler-deterministic", "bug", "the same z on every call")])
    with pytest.raises(AssertionError, match="sampler-deterministic: the same z on every call"):
        assert_reparameterization(reparameterize)


def test_options_reach_the_analysis(fake):
    def kl(m, s):
        return m
    assert_vae_loss(kl, inputs="m=mu,s=log_sigma", seed=3, examples=4, shape="2,5,3")
    call = fake.calls[0]
    assert (call["arg_roles"], call["seed"], call["examples"], call["shape"].data) == (
        {"m": "mu", "s": "log_sigma"}, 3, 4, (5,))


# the real analysis

@needs_analysis
def test_vae_min_loss_passes():
    assert_vae_loss(vae_min_model().loss_function)


@needs_analysis
def test_vae_min_reparameterization_passes():
    assert_reparameterization(vae_min_model().reparameterize)


@needs_analysis
def test_a_kl_averaged_over_latent_dims_raises(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "mc_kl_mean_loss.py").write_text(textwrap.dedent("""
        import torch
        import torch.nn.functional as F

        def loss_function(logits, x, mu, logvar):
            bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=-1)
            kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)
            return (bce + kl).mean()
    """))
    module = importlib.import_module("mc_kl_mean_loss")
    with pytest.raises(AssertionError, match="kl-mean-over-latent"):
        assert_vae_loss(module.loss_function)
