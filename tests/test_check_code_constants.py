"""Sizes written as constants (``IMAGE_PIXELS = 784``, ``BATCH_SIZE = 128``, ``latent_dim = 2``) are reductions
over the dimension they stand for, judged at that size; a β stays a β. The losses below are test inputs written
by this project's reviewer (the hard-coded-size and Keras-pattern probes) and for these tests."""
from __future__ import annotations

import functools

import pytest
import torch
import torch.nn.functional as F

from mathcheck.code.analysis import analyse
from mathcheck.code.loss import size_constants, visible_numbers
from mathcheck.code.report import Shape
from mathcheck.code.roles import argument_roles

BATCH_SIZE = 128
IMAGE_PIXELS = 784
LATENT = 20
original_dim = 784
latent_dim = 2
HIDDEN_UNITS = 7
BETA = 4


def report_of(function, **kwargs):
    return analyse(function, target=function.__name__, role=None, arg_roles=argument_roles(function), **kwargs)


def codes(report) -> set[str]:
    return {finding.code for finding in report.findings if finding.severity != "note"}


def _kld(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_bce_over_784(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") / IMAGE_PIXELS + _kld(mu, logvar)


def loss_bce_over_batch128(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") / BATCH_SIZE + _kld(mu, logvar)


def loss_kl_over_latent20(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kld(mu, logvar) / LATENT


def loss_both_over_batch128(recon_x, x, mu, logvar):
    return (F.binary_cross_entropy(recon_x, x, reduction="sum") + _kld(mu, logvar)) / BATCH_SIZE


def vae_loss(x, x_pred, z_mean, z_log_var):
    reconstruction_loss = F.binary_cross_entropy(x_pred, x, reduction="none").mean(dim=-1)
    reconstruction_loss = reconstruction_loss * original_dim
    kl_loss = 1 + z_log_var - z_mean.pow(2) - z_log_var.exp()
    kl_loss = -0.5 * kl_loss.sum(dim=-1)
    return (reconstruction_loss + kl_loss).mean()


def vae_loss_mse(x, x_pred, z_mean, z_log_var):
    reconstruction_loss = F.mse_loss(x_pred, x, reduction="none").mean(dim=-1) * original_dim
    kl_loss = -0.5 * (1 + z_log_var - z_mean.pow(2) - z_log_var.exp()).sum(dim=-1)
    return (reconstruction_loss + kl_loss).mean()


def vae_loss_kl_over_latent(x, x_pred, z_mean, z_log_var):
    rec = F.binary_cross_entropy(x_pred, x, reduction="none").sum(dim=-1)
    kl = -0.5 * (1 + z_log_var - z_mean.pow(2) - z_log_var.exp()).sum(dim=-1) / latent_dim
    return (rec + kl).mean()


def loss_bce_mean_literal_784(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") / 784 + _kld(mu, logvar)


def loss_with_batch_default(recon_x, x, mu, logvar, batch_size=64):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") / batch_size + _kld(mu, logvar)


def loss_kl_and_scale_over_latent(recon_x, x, mu, logvar):
    return 0.5 * F.binary_cross_entropy(recon_x, x, reduction="sum") + 0.5 * _kld(mu, logvar) / LATENT


def beta_vae_default_argument(recon_x, x, mu, logvar, beta=4):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + beta * _kld(mu, logvar)


def beta_vae_float(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + 4.0 * _kld(mu, logvar)


def beta_vae_module_constant(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + BETA * _kld(mu, logvar)


def kl_weight_equal_to_one_over_a_latent_constant(recon_x, x, mu, logvar, kl_weight=0.05):
    assert mu.shape[-1] <= LATENT
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_weight * _kld(mu, logvar)


def weighted_by_an_unrelated_constant(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + HIDDEN_UNITS * _kld(mu, logvar)


def kl_over_latent_constant(mu, logvar):
    return _kld(mu, logvar) / LATENT


# --- the hard-coded size is a reduction over its dimension ------------------------------------------------

@pytest.mark.parametrize("function, code, size", [
    (loss_bce_over_784, "reduction-mismatch", "784× at D = 784"),
    (loss_bce_mean_literal_784, "reduction-mismatch", "784× at D = 784"),
    (loss_bce_over_batch128, "reduction-mismatch", "128× at B = 128"),
    (loss_with_batch_default, "reduction-mismatch", "64× at B = 64"),
    (loss_kl_over_latent20, "kl-mean-over-latent", "1/20 at d = 20"),
    (vae_loss_kl_over_latent, "kl-mean-over-latent", "1/2 at d = 2"),
    (loss_kl_and_scale_over_latent, "kl-mean-over-latent", "1/20 at d = 20"),
])
def test_a_term_divided_by_a_size_constant_is_a_bug_named_at_that_size(function, code, size):
    report = report_of(function)
    assert report.verdict == "bug" and code in codes(report) and "beta" not in codes(report)
    assert any(size in finding.message for finding in report.findings if finding.code == code)


@pytest.mark.parametrize("function", [vae_loss, vae_loss_mse, loss_both_over_batch128])
def test_a_size_constant_that_makes_the_terms_the_elbo_is_correct(function):
    report = report_of(function)
    assert (report.verdict, report.findings) == ("correct", [])
    assert report.identified["hard-coded sizes"]


@pytest.mark.parametrize("function", [vae_loss, vae_loss_mse])
def test_the_keras_pattern_is_correct_at_the_shape_the_user_gives(function):
    report = report_of(function, shape=Shape(16, (784,), 2))
    assert (report.verdict, report.findings) == ("correct", [])


def test_a_loss_naming_its_data_size_is_checked_at_that_size():
    report = report_of(vae_loss)
    assert report.identified["shapes"][0].startswith("B=") and "data=784" in report.identified["shapes"][0]


def test_a_bare_kl_divided_by_a_latent_constant_is_a_kl_mean_over_latent():
    report = report_of(kl_over_latent_constant)
    assert report.verdict == "bug" and "kl-mean-over-latent" in codes(report)


# --- a β stays a β; a constant that stands for no size changes nothing --------------------------------------

@pytest.mark.parametrize("function, beta", [
    (beta_vae_default_argument, 4.0), (beta_vae_float, 4.0), (beta_vae_module_constant, 4.0),
    (kl_weight_equal_to_one_over_a_latent_constant, 0.05), (weighted_by_an_unrelated_constant, 7.0),
])
def test_a_genuine_beta_stays_a_beta(function, beta):
    report = report_of(function)
    assert (report.verdict, codes(report)) == ("convention", {"beta"})
    assert abs(next(f for f in report.findings if f.code == "beta").evidence["beta"] - beta) < 1e-6


# --- what the code can see ---------------------------------------------------------------------------------

def test_visible_numbers_reach_globals_of_called_functions_defaults_and_literals():
    named, weights = visible_numbers(loss_with_batch_default)
    assert ("batch_size", 64) in named
    named, _ = visible_numbers(loss_bce_mean_literal_784)
    assert ("", 784) in named
    named, weights = visible_numbers(beta_vae_default_argument)
    assert 4.0 in weights and ("beta", 4) not in named


def test_visible_numbers_read_a_closure_and_a_partial():
    def make(pixels):
        def loss(recon_x, x, mu, logvar, scale_kl=1.0):
            return F.binary_cross_entropy(recon_x, x, reduction="sum") / pixels + _kld(mu, logvar)
        return loss

    assert ("pixels", 784) in visible_numbers(make(784))[0]
    partial = functools.partial(loss_with_batch_default, batch_size=32)
    assert ("batch_size", 32) in visible_numbers(partial)[0]


@pytest.mark.parametrize("function, dimension, value", [
    (loss_bce_over_784, "D", 784), (loss_bce_over_batch128, "B", 128), (loss_kl_over_latent20, "d", 20),
    (vae_loss, "D", 784), (vae_loss_kl_over_latent, "d", 2),
])
def test_size_constants_name_the_dimension_a_constant_stands_for(function, dimension, value):
    found = size_constants(function)[0]
    assert any(c.dimension == dimension and c.value == value for c in found)


def test_a_constant_with_no_size_name_stands_for_no_dimension():
    assert size_constants(weighted_by_an_unrelated_constant)[0] == []
