"""check-code, round 5 (attack9 H9, H13, H18): verdicts that hold only under a condition the first probes
cannot see, and sampler noise that keeps its N(0, 1) marginals but is not independent.

- layouts (H9): a loss right on flat (B, D) data that also takes image batches (B, 1, H, W) is read on
  them too; where the images show a reduction bug (``.sum(dim=1)`` sums the channel only), the verdict is
  "correct if the data is flat (B, D)" with a note naming both shapes, and ``--shape`` states the layout;
- conditions in ``mathcheck.testing`` (H18): "correct if probs holds logits" (a double sigmoid otherwise),
  a ``logvar`` the KL reads as log σ (check-code keeps it correct: the behaviour decides) and a β = 2 that a
  missing ½ gives fail ``assert_vae_loss`` with ``allow_conventions=False``; by default the conditional ones
  pass with a ``ConditionalVerdictWarning``;
- samplers (H13): noise negated between calls, antithetic halves of a call (in order, reversed or shuffled),
  noise centred over the batch, and noise correlated with the previous call's are ``sampler-deterministic``.
Correct losses on every layout and correct samplers (any batch, float32, numpy, several samples) stay correct.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from mathcheck.code import check  # noqa: E402
from tests.check_code_reports import described as _describe, one_report as _report  # noqa: E402
from mathcheck.testing import ConditionalVerdictWarning, assert_reparameterization, assert_vae_loss  # noqa: E402

FLAT = "the data is flat (B, D)"


def _kl_rows(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def _kl(mu, logvar):
    return _kl_rows(mu, logvar).sum()


def _name(function) -> str:
    return function.__qualname__


# --- H9: a reduction right for flat data only -----------------------------------------------------------------

def loss_sum_dim1_images(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1).mean()
    return bce + _kl_rows(mu, logvar).mean()


def loss_mse_sum_last_axis(x_hat, x, mu, logvar):
    return ((x_hat - x) ** 2).sum(-1).mean() + _kl_rows(mu, logvar).mean()


def loss_mean_times_shape1(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="mean") * x.shape[1] + _kl_rows(mu, logvar).mean()


def loss_logits_sum_dim1(logits, x, mu, logvar):
    nll = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    return nll.mean() + _kl_rows(mu, logvar).mean()


def loss_numpy_axis1(recon_x, x, mu, logvar):
    recon_x = np.clip(recon_x, 1e-12, 1 - 1e-12)
    bce = -np.sum(x * np.log(recon_x) + (1 - x) * np.log(1 - recon_x), axis=1).mean()
    return bce - 0.5 * np.sum(1 + logvar - mu ** 2 - np.exp(logvar), axis=1).mean()


FLAT_ONLY = [loss_sum_dim1_images, loss_mse_sum_last_axis, loss_mean_times_shape1, loss_logits_sum_dim1,
             loss_numpy_axis1]


def loss_sum(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl(mu, logvar)


def loss_flatten_then_sum(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x.flatten(1), x.flatten(1), reduction="none").sum(dim=1)
    return (bce + _kl_rows(mu, logvar)).mean()


def loss_view_batch(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").view(x.size(0), -1).sum(-1).mean()
    return bce + _kl_rows(mu, logvar).mean()


def loss_mean_times_numel(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="mean") * x[0].numel() + _kl_rows(mu, logvar).mean()


def loss_view_784(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x.view(-1, 784), x.view(-1, 784), reduction="none").sum(dim=1).mean()
    return bce + _kl_rows(mu, logvar).mean()


def loss_per_example_broadcast(recon_x, x, mu, logvar):
    """(B, H, W) + (B,) raises on image batches: flat data is all it takes."""
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1)
    return (bce + _kl_rows(mu, logvar)).mean()


EVERY_LAYOUT = [loss_sum, loss_flatten_then_sum, loss_view_batch, loss_mean_times_numel, loss_view_784,
                loss_per_example_broadcast]


@pytest.mark.parametrize("mutant", FLAT_ONLY, ids=_name)
def test_a_loss_right_only_on_flat_data_is_correct_only_if_the_data_is_flat(mutant):
    report = _report(mutant)
    assert report.verdict == "correct" and report.identified.get("condition") == FLAT, _describe(report)


@pytest.mark.parametrize("mutant", FLAT_ONLY, ids=_name)
def test_the_layout_note_names_the_image_shape_and_the_flat_shape(mutant):
    report = _report(mutant)
    notes = [f for f in report.findings if f.code == "reduction-mismatch" and f.severity == "note"]
    assert notes and all(f.evidence["severity_on_images"] == "bug" and "1x9x10" in f.evidence["image_shape"]
                         and "on image batches" in f.message for f in notes), _describe(report)


def test_the_verdict_line_says_the_condition_and_the_layouts_checked():
    lines = check(loss_sum_dim1_images).to_text().splitlines()
    assert ": correct if the data is flat (B, D) (" in lines[0], lines
    assert any(line.strip().startswith("data layouts checked: flat (") and "images (B=" in line for line in lines)


def test_the_image_batch_shows_the_bug_when_given_as_the_shape():
    report = _report(loss_sum_dim1_images, shape="16,1,28,28,8")
    assert report.verdict == "bug" and any(f.code == "reduction-mismatch" for f in report.findings), \
        _describe(report)


def test_a_flat_shape_given_checks_flat_data_only():
    report = _report(loss_sum_dim1_images, shape="4,11,3")
    assert report.verdict == "correct" and not report.identified.get("condition") and not report.findings, \
        _describe(report)


@pytest.mark.parametrize("function", EVERY_LAYOUT, ids=_name)
def test_a_loss_right_on_every_layout_is_correct_with_no_condition(function):
    report = _report(function)
    assert report.verdict == "correct" and not report.identified.get("condition"), _describe(report)
    assert not [f for f in report.findings if f.code == "reduction-mismatch"], _describe(report)


def test_a_loss_that_raises_on_images_says_so_in_the_layouts():
    layouts = _report(loss_per_example_broadcast).identified["layouts checked"]
    assert "not accepted" in layouts["images"], layouts


def test_a_bug_on_flat_data_is_not_read_again_on_images():
    def loss_kl_mean_over_latent(recon_x, x, mu, logvar):
        kl = -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
        return F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1).mean() + kl.mean()

    report = _report(loss_kl_mean_over_latent)
    assert report.verdict == "bug" and "layouts checked" not in report.identified, _describe(report)


# --- H18: conditions and mathcheck.testing ----------------------------------------------------------------------

def loss_probs_named_into_logits_bce(probs, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(probs, x, reduction="sum") + _kl(mu, logvar)


def loss_recon_x_into_logits_bce(recon_x, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(recon_x, x, reduction="sum") + _kl(mu, logvar)


def kl_named_logvar_holds_log_sigma(mu, logvar):
    return torch.sum(0.5 * (torch.exp(2 * logvar) + mu ** 2 - 1) - logvar)


def loss_named_logvar_holds_log_sigma(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_named_logvar_holds_log_sigma(mu, logvar)


def kl_named_log_std_holds_logvar(mu, log_std):
    return -0.5 * torch.sum(1 + log_std - mu.pow(2) - log_std.exp())


def loss_kl_half_missing(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


REPORTED_CONDITION = {loss_probs_named_into_logits_bce: "probs holds logits",
                      loss_recon_x_into_logits_bce: "recon_x holds logits",
                      loss_sum_dim1_images: FLAT}
SCALE_NAMED = {kl_named_logvar_holds_log_sigma: "logvar holds log σ",
               loss_named_logvar_holds_log_sigma: "logvar holds log σ",
               kl_named_log_std_holds_logvar: "log_std holds log σ²"}
CONDITIONAL = {**REPORTED_CONDITION, **SCALE_NAMED}


@pytest.mark.parametrize("function", list(REPORTED_CONDITION), ids=_name)
def test_the_report_names_the_condition(function):
    report = _report(function)
    assert report.verdict == "correct" and report.identified.get("condition") == REPORTED_CONDITION[function], \
        _describe(report)


@pytest.mark.parametrize("function", list(SCALE_NAMED), ids=_name)
def test_a_scale_read_against_its_name_stays_correct_and_keeps_what_the_name_said(function):
    report = _report(function)
    named = report.identified.get("scale named", {})
    assert report.verdict == "correct" and named.get("condition") == SCALE_NAMED[function], _describe(report)


@pytest.mark.parametrize("function", list(CONDITIONAL), ids=_name)
def test_a_conditional_verdict_fails_the_assertion_without_conventions(function):
    with pytest.raises(AssertionError, match="if " + CONDITIONAL[function].replace("(", r"\(").replace(")", r"\)")):
        assert_vae_loss(function, allow_conventions=False)


@pytest.mark.parametrize("function", list(CONDITIONAL), ids=_name)
def test_a_conditional_verdict_passes_by_default_with_a_warning(function):
    with pytest.warns(ConditionalVerdictWarning, match="only if"):
        assert assert_vae_loss(function).ok


def test_a_kl_missing_its_half_fails_the_assertion_even_with_conventions():
    with pytest.raises(AssertionError):
        assert_vae_loss(loss_kl_half_missing, allow_conventions=True)


def test_a_beta_of_two_with_no_weight_named_is_the_missing_half():
    report = _report(loss_kl_half_missing)
    (constant,) = [f for f in report.findings if f.code == "kl-constant"]
    assert report.verdict == "bug" and "½" in constant.message, constant.message


def test_a_scale_declared_as_what_the_kl_reads_has_no_condition():
    report = _report(kl_named_logvar_holds_log_sigma, inputs={"logvar": "log_sigma"})
    assert report.verdict == "correct" and "scale named" not in report.identified and not report.findings, \
        _describe(report)


def test_stated_conditions_pass_the_assertion_without_conventions():
    assert_vae_loss(loss_probs_named_into_logits_bce, inputs={"probs": "recon_logits"}, allow_conventions=False)
    assert_vae_loss(kl_named_logvar_holds_log_sigma, inputs={"logvar": "log_sigma"}, allow_conventions=False)
    assert_vae_loss(loss_sum_dim1_images, shape="4,11,3", allow_conventions=False)


@pytest.mark.parametrize("function", [loss_sum, loss_flatten_then_sum, loss_view_784], ids=_name)
def test_an_unconditional_correct_loss_passes_without_conventions_and_without_warning(function):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConditionalVerdictWarning)
        assert assert_vae_loss(function, allow_conventions=False).ok


# --- H13: dependent sampler noise ------------------------------------------------------------------------------

def reparameterize_antithetic(mu, logvar):
    b = mu.shape[0]
    half = torch.randn((b + 1) // 2, mu.shape[1], dtype=mu.dtype)
    return mu + torch.cat([half, -half])[:b] * torch.exp(0.5 * logvar)


def reparameterize_antithetic_reversed(mu, logvar):
    b = mu.shape[0]
    half = torch.randn(b // 2, mu.shape[1], dtype=mu.dtype)
    middle = torch.randn(b % 2, mu.shape[1], dtype=mu.dtype)
    return mu + torch.cat([half, middle, -half.flip(0)]) * torch.exp(0.5 * logvar)


def reparameterize_antithetic_shuffled(mu, logvar):
    b = mu.shape[0]
    half = torch.randn((b + 1) // 2, mu.shape[1], dtype=mu.dtype)
    eps = torch.cat([half, -half])[:b]
    return mu + eps[torch.randperm(b)] * torch.exp(0.5 * logvar)


def reparameterize_centred(mu, logvar):
    eps = torch.randn_like(mu)
    eps = (eps - eps.mean(dim=0, keepdim=True)) / eps.std(dim=0, keepdim=True)
    return mu + eps * torch.exp(0.5 * logvar)


def _sign_flipping_sampler():
    state = {"eps": None, "calls": 0}

    def reparameterize_negated_on_every_second_call(mu, logvar):
        state["calls"] += 1
        if state["calls"] % 2 or state["eps"] is None or state["eps"].shape != mu.shape:
            state["eps"] = torch.randn_like(mu)
            return mu + state["eps"] * torch.exp(0.5 * logvar)
        return mu - state["eps"] * torch.exp(0.5 * logvar)

    return reparameterize_negated_on_every_second_call


def _anticorrelated_calls_sampler():
    state = {"eps": None}

    def reparameterize_anticorrelated_with_the_last_call(mu, logvar):
        fresh = torch.randn_like(mu)
        last = state["eps"] if state["eps"] is not None and state["eps"].shape == mu.shape else fresh
        state["eps"] = -0.6 * last + 0.8 * fresh
        return mu + state["eps"] * torch.exp(0.5 * logvar)

    return reparameterize_anticorrelated_with_the_last_call


def reparameterize_fixed_batch_antithetic(mu, logvar):
    assert mu.shape[0] == 16
    half = torch.randn(8, mu.shape[1], dtype=mu.dtype)
    return mu + torch.cat([half, -half]) * torch.exp(0.5 * logvar)


DEPENDENT = [reparameterize_antithetic, reparameterize_antithetic_reversed, reparameterize_antithetic_shuffled,
             reparameterize_centred]


def _deterministic(report) -> list:
    return [f for f in report.findings if f.code == "sampler-deterministic" and f.severity == "bug"]


@pytest.mark.parametrize("sampler", DEPENDENT, ids=_name)
def test_noise_built_to_cancel_over_the_batch_is_no_fresh_noise(sampler):
    report = _report(sampler, roles="reparameterize")
    assert report.verdict == "bug" and _deterministic(report), _describe(report)


@pytest.mark.parametrize("factory", [_sign_flipping_sampler, _anticorrelated_calls_sampler], ids=_name)
def test_noise_that_depends_on_the_previous_call_is_no_fresh_noise(factory):
    report = _report(factory(), roles="reparameterize")
    assert report.verdict == "bug" and _deterministic(report), _describe(report)


def test_the_negated_call_is_named():
    (finding,) = _deterministic(_report(_sign_flipping_sampler(), roles="reparameterize"))
    assert "negated" in finding.message and finding.evidence["negated_fraction"] == 1.0, finding.message


def test_antithetic_halves_are_named():
    (finding,) = _deterministic(_report(reparameterize_antithetic, roles="reparameterize"))
    assert "antithetic" in finding.message and finding.evidence["correlation"] < -0.99, finding.message


@pytest.mark.parametrize("factory", [_sign_flipping_sampler], ids=_name)
def test_a_fixed_batch_sampler_negating_its_last_call_is_no_fresh_noise(factory):
    inner = factory()

    def reparameterize_fixed_batch(mu, logvar):
        assert mu.shape[0] == 16
        return inner(mu, logvar)

    report = _report(reparameterize_fixed_batch, roles="reparameterize", shape="16,10,4")
    assert report.verdict == "bug" and _deterministic(report), _describe(report)


def test_a_fixed_batch_antithetic_sampler_is_no_fresh_noise():
    report = _report(reparameterize_fixed_batch_antithetic, roles="reparameterize", shape="16,10,4")
    assert report.verdict == "bug" and _deterministic(report), _describe(report)


@pytest.mark.parametrize("sampler", [reparameterize_antithetic, reparameterize_centred], ids=_name)
def test_assert_reparameterization_rejects_dependent_noise(sampler):
    with pytest.raises(AssertionError, match="sampler-deterministic"):
        assert_reparameterization(sampler)


def reparameterize(mu, logvar):
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


def reparameterize_float32(mu, logvar):
    mu32, logvar32 = mu.float(), logvar.float()
    return mu32 + torch.randn_like(mu32) * torch.exp(0.5 * logvar32)


def reparameterize_numpy(mu, logvar):
    return mu + np.random.standard_normal(mu.shape) * np.exp(0.5 * logvar)


def reparameterize_two_samples(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return torch.stack([mu + torch.randn_like(mu) * std for _ in range(2)], dim=1)


def reparameterize_rsample(mu, std):
    return torch.distributions.Normal(mu, std).rsample()


INDEPENDENT = [reparameterize, reparameterize_float32, reparameterize_numpy, reparameterize_two_samples,
               reparameterize_rsample]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("sampler", INDEPENDENT, ids=_name)
def test_independent_noise_is_correct(sampler, seed):
    (report,) = check(sampler, roles="reparameterize", seed=seed).functions
    assert report.verdict == "correct", _describe(report)


@pytest.mark.parametrize("seed", range(4))
def test_a_fixed_batch_sampler_with_independent_noise_is_correct(seed):
    def reparameterize_fixed_batch(mu, logvar):
        assert mu.shape[0] == 16
        return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)

    (report,) = check(reparameterize_fixed_batch, roles="reparameterize", seed=seed, shape="16,10,4").functions
    assert report.verdict == "correct", _describe(report)
