"""``mathcheck.code.analysis.analyse`` on VAE losses: every reconstruction family and reduction convention
that is an ELBO passes; β and a common scale are conventions; reductions that weigh the terms differently,
signs, wrong constants and wrong formulas are bugs, each named. The functions below are small user code
written for these tests."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.code.analysis import analyse
from mathcheck.code.roles import argument_roles
from mathcheck.vae_min import model


def report_of(function, role=None, **kwargs):
    return analyse(function, target=function.__name__, role=role, arg_roles=argument_roles(function), **kwargs)


def codes(report) -> set[str]:
    return {finding.code for finding in report.findings if finding.severity != "note"}


def kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_per_example(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=-1)


# --- vae_min ----------------------------------------------------------------------------------------------

def test_vae_min_loss_function_is_a_correct_loss_in_logvar():
    report = report_of(model.loss_function)
    assert (report.verdict, report.role, report.parameterization, report.findings) == ("correct", "loss", "logvar", [])


def test_vae_min_loss_terms_returned_as_a_pair_add_up_to_a_correct_loss():
    report = report_of(model.loss_terms)
    assert (report.verdict, report.role, report.parameterization) == ("correct", "loss", "logvar")


# --- correct losses ---------------------------------------------------------------------------------------

def loss_bernoulli_probs(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar)


def loss_bernoulli_logits_batch_mean(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
    return (bce + kl_per_example(mu, logvar)).mean()


def loss_manual_bce_with_eps(recon_x, x, mu, logvar):
    bce = -torch.sum(x * torch.log(recon_x + 1e-8) + (1 - x) * torch.log(1 - recon_x + 1e-8))
    return bce + kl_sum(mu, logvar)


def loss_gaussian_summed_squares(recon_x, x, mu, logvar):
    return F.mse_loss(recon_x, x, reduction="sum") + kl_sum(mu, logvar)


def loss_gaussian_with_its_constant(recon_x, x, mu, logvar):
    nll = -torch.distributions.Normal(recon_x, 0.3).log_prob(x).sum(-1)
    return (nll + kl_per_example(mu, logvar)).mean()


def loss_laplace(recon_x, x, mu, logvar):
    return F.l1_loss(recon_x, x, reduction="sum") + kl_sum(mu, logvar)


def loss_categorical_onehot(logits, x, mu, logvar):
    return F.cross_entropy(logits, x.argmax(-1), reduction="sum") + kl_sum(mu, logvar)


def loss_token_ids(logits, x, mu, logvar):
    return F.cross_entropy(logits.transpose(1, 2), x.long(), reduction="sum") + kl_sum(mu, logvar)


def loss_squared_error_of_sigmoid(logits, x, mu, logvar):
    return F.mse_loss(torch.sigmoid(logits), x, reduction="sum") + kl_sum(mu, logvar)


def loss_bce_with_a_1e4_guard(recon_x, x, mu, logvar):
    bce = -torch.sum(x * torch.log(recon_x + 1e-4) + (1 - x) * torch.log(1 - recon_x + 1e-4))
    return bce + kl_sum(mu, logvar)


def loss_per_example_vector(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="none").sum(-1) + kl_per_example(mu, logvar)


def loss_mnist_flat(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum") + kl_sum(mu, logvar)


def loss_mnist_image(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x.view(-1, 1, 28, 28), x.view(-1, 1, 28, 28), reduction="sum") \
        + kl_sum(mu, logvar)


def loss_numpy(recon_x, x, mu, logvar):
    p = np.clip(recon_x, 1e-7, 1 - 1e-7)
    bce = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=-1)
    return np.mean(bce - 0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1))


def loss_float32(recon_x, x, mu, logvar):
    recon_x, x, mu, logvar = recon_x.float(), x.float(), mu.float(), logvar.float()
    return (F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar)) / x.shape[0]


def loss_sigma_scale(recon_x, x, mu, sigma):
    kl = (0.5 * (mu**2 + sigma**2 - 1) - torch.log(sigma)).sum()
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kl


def loss_tuple(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = kl_sum(mu, logvar)
    return bce + kld, bce, kld


def elbo(recon_x, x, mu, logvar):
    return -(F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar))


@pytest.mark.parametrize("function, family", [
    (loss_bernoulli_probs, "Bernoulli NLL from probabilities"),
    (loss_bernoulli_logits_batch_mean, "Bernoulli NLL from logits"),
    (loss_manual_bce_with_eps, "Bernoulli NLL from probabilities"),
    (loss_gaussian_summed_squares, "Gaussian NLL"), (loss_gaussian_with_its_constant, "Gaussian NLL"),
    (loss_squared_error_of_sigmoid, "Gaussian NLL of sigmoid(logits)"),
    (loss_bce_with_a_1e4_guard, "Bernoulli NLL from probabilities"),
    (loss_laplace, "Laplace NLL (L1)"),
    (loss_categorical_onehot, "categorical NLL from softmax logits over the last data axis"),
    (loss_token_ids, "categorical NLL of token ids from softmax logits"),
    (loss_per_example_vector, "Bernoulli NLL from probabilities"),
    (loss_mnist_flat, "Bernoulli NLL from probabilities"), (loss_mnist_image, "Bernoulli NLL from probabilities"),
    (loss_numpy, "Bernoulli NLL from probabilities"), (loss_float32, "Bernoulli NLL from probabilities"),
    (loss_tuple, "Bernoulli NLL from probabilities"), (elbo, "Bernoulli NLL from probabilities"),
])
def test_loss_of_each_reconstruction_family_and_reduction_is_correct(function, family):
    report = report_of(function)
    assert (report.verdict, report.role, report.parameterization) == ("correct", "loss", "logvar"), \
        [f.message for f in report.findings] or report.reason
    assert report.identified["reconstruction"]["family"] == family


def test_scale_argument_read_as_sigma_in_a_loss():
    assert report_of(loss_sigma_scale).parameterization == "sigma"


def test_gaussian_variance_is_read_from_the_weight_on_squared_errors():
    report = report_of(loss_gaussian_with_its_constant)
    assert report.identified["reconstruction"]["σ²"] == pytest.approx(0.09)


def test_hard_coded_image_shape_is_found_from_the_error():
    report = report_of(loss_mnist_image)
    assert report.identified["shapes"][0].startswith("B=4, data=1x28x28")


# --- conventions ------------------------------------------------------------------------------------------

def loss_beta_four(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + 4.0 * kl_sum(mu, logvar)


def loss_kl_without_half(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_gaussian_beta(recon_x, x, mu, logvar):
    return F.mse_loss(recon_x, x, reduction="sum") + 0.25 * kl_sum(mu, logvar)


@pytest.mark.parametrize("function, beta", [(loss_beta_four, 4.0), (loss_gaussian_beta, 0.25)])
def test_weight_on_the_kl_alone_is_beta_a_convention(function, beta):
    report = report_of(function)
    assert (report.verdict, codes(report)) == ("convention", {"beta"})
    assert report.findings[0].evidence["beta"] == pytest.approx(beta)


def test_a_kl_doubled_with_no_weight_named_is_its_half_missing():
    report = report_of(loss_kl_without_half)
    assert report.verdict == "bug" and "kl-constant" in codes(report)


def loss_per_element(recon_x, x, mu, logvar):
    return (F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar)) / x.numel()


def loss_halved(recon_x, x, mu, logvar):
    return 0.5 * (F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar))


@pytest.mark.parametrize("function", [loss_per_element, loss_halved])
def test_same_factor_on_both_terms_is_scale_a_convention(function):
    report = report_of(function)
    assert (report.verdict, codes(report)) == ("convention", {"scale"})


# --- bugs -------------------------------------------------------------------------------------------------

def loss_per_pixel_mean_bce(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x) + kl_per_example(mu, logvar).mean()


def loss_per_pixel_mean_bce_784(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x.view(-1, 784)) + kl_per_example(mu, logvar).mean()


def loss_mean_squared_error(recon_x, x, mu, logvar):
    return F.mse_loss(recon_x, x) + kl_per_example(mu, logvar).mean()


def loss_batch_mean_reconstruction_summed_kl(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") / x.shape[0] + kl_sum(mu, logvar)


@pytest.mark.parametrize("function", [loss_per_pixel_mean_bce, loss_mean_squared_error,
                                      loss_batch_mean_reconstruction_summed_kl])
def test_terms_reduced_differently_are_reduction_mismatch(function):
    report = report_of(function)
    assert (report.verdict, codes(report)) == ("bug", {"reduction-mismatch"})


def test_per_pixel_mean_bce_puts_784_times_the_weight_on_the_kl():
    finding = report_of(loss_per_pixel_mean_bce_784).findings[0]
    assert finding.code == "reduction-mismatch" and "784×" in finding.message
    assert finding.evidence["implied_kl_weight"] == pytest.approx(784.0)


def loss_kl_mean_over_latent(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - 0.5 * torch.sum(
        torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))


def test_kl_averaged_over_latent_dims_in_a_loss_is_kl_mean_over_latent():
    report = report_of(loss_kl_mean_over_latent)
    assert codes(report) == {"kl-mean-over-latent"}


def loss_reconstruction_negated(recon_x, x, mu, logvar):
    return -F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar)


def loss_kl_negated(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - kl_sum(mu, logvar)


def elbo_with_kl_added(recon_x, x, mu, logvar):
    return -F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_sum(mu, logvar)


@pytest.mark.parametrize("function, code", [(loss_reconstruction_negated, "reconstruction-sign"),
                                            (loss_kl_negated, "kl-sign"), (elbo_with_kl_added, "kl-sign")])
def test_term_with_the_wrong_sign_is_named(function, code):
    assert codes(report_of(function)) == {code}


def loss_kl_without_minus_one(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - 0.5 * torch.sum(logvar - mu.pow(2) - logvar.exp())


def test_kl_without_its_minus_one_in_a_loss_is_kl_constant():
    assert codes(report_of(loss_kl_without_minus_one)) == {"kl-constant"}


def loss_kl_abs_mu(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") - 0.5 * torch.sum(1 + logvar - mu.abs() - logvar.exp())


def test_wrong_kl_formula_in_a_loss_is_kl_form():
    report = report_of(loss_kl_abs_mu)
    assert codes(report) == {"kl-form"} and report.parameterization is None


def loss_bernoulli_missing_term(recon_x, x, mu, logvar):
    return -torch.sum(x * torch.log(recon_x)) + kl_sum(mu, logvar)


def loss_swapped_bce(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(x, recon_x, reduction="sum") + kl_sum(mu, logvar)


def loss_bce_of_clamped_logits(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits.clamp(0.0, 1.0), x, reduction="sum") + kl_sum(mu, logvar)


@pytest.mark.parametrize("function, named", [(loss_bernoulli_missing_term, "(1 − x)·log(1 − p) term"),
                                             (loss_swapped_bce, "arguments swapped"),
                                             (loss_bce_of_clamped_logits, "logits in (−4, 4)")])
def test_wrong_likelihood_formula_is_reconstruction_form_named(function, named):
    report = report_of(function)
    assert codes(report) == {"reconstruction-form"} and named in report.findings[0].message


def loss_reports_negated_kl(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = kl_sum(mu, logvar)
    return {"loss": bce + kld, "recon": bce, "kl": -kld}


def test_returned_kl_with_the_wrong_sign_is_kl_sign_while_the_loss_is_right():
    report = report_of(loss_reports_negated_kl)
    assert codes(report) == {"kl-sign"} and "'kl'" in report.findings[0].message


def test_components_of_a_dict_result_are_identified():
    assert report_of(loss_reports_negated_kl).identified["components"] == {
        "loss": "total", "recon": "reconstruction", "kl": "kl"}


# --- numerics, randomness, calls --------------------------------------------------------------------------

def loss_sigmoid_then_log(logits, x, mu, logvar):
    p = torch.sigmoid(logits)
    return -torch.sum(x * torch.log(p) + (1 - x) * torch.log(1 - p)) + kl_sum(mu, logvar)


def test_sigmoid_then_log_is_nonfinite_at_logits_50_as_a_note():
    report = report_of(loss_sigmoid_then_log)
    notes = [f for f in report.findings if f.code == "nonfinite-at-extremes"]
    assert report.verdict == "correct" and notes and "logits ±50" in notes[0].message


def test_fused_bce_with_logits_is_finite_at_logits_50():
    report = report_of(loss_bernoulli_logits_batch_mean)
    assert not [f for f in report.findings if f.code == "nonfinite-at-extremes"]


def loss_sampling_inside(recon_x, x, mu, logvar):
    z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + 0.5 * (z**2).sum()


def test_loss_that_samples_inside_is_undecided():
    report = report_of(loss_sampling_inside)
    assert report.verdict == "undecided" and "changes between two calls" in report.reason


def test_a_loss_is_checked_in_few_calls():
    assert report_of(model.loss_function).identified["calls"] <= 60
