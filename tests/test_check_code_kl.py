"""``mathcheck.code.analysis.analyse`` on KL functions: each parameterization and reduction that is the KL
passes; each way of not being the KL is named (sign, latent mean, constant, form); role and shape found by
behaviour. The functions below are small user code written for these tests."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mathcheck.code.analysis import analyse, hinted_shapes
from mathcheck.code.report import Shape
from mathcheck.code.roles import argument_roles


def report_of(function, role=None, **kwargs):
    return analyse(function, target=function.__name__, role=role, arg_roles=argument_roles(function), **kwargs)


def codes(report) -> set[str]:
    return {finding.code for finding in report.findings}


# --- correct KLs ------------------------------------------------------------------------------------------

def kl_logvar_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_logvar_batch_mean(mu, logvar):
    return torch.mean(-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1))


def kl_log_sigma_per_example(mu, log_sigma):
    return torch.sum(0.5 * (mu**2 + torch.exp(2 * log_sigma) - 1) - log_sigma, dim=1)


def kl_sigma_distributions(mu, sigma):
    q = torch.distributions.Normal(mu, sigma)
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(sigma))
    return torch.distributions.kl_divergence(q, p).sum(-1).mean()


def kl_var_elementwise(mu, var):
    return 0.5 * (mu**2 + var - 1 - torch.log(var))


def kl_numpy_logvar(mu, logvar):
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)


def kl_float32(mu, logvar):
    mu, logvar = mu.float(), logvar.float()
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1).mean()


def kl_in_a_dict(mu, logvar):
    return {"kl": -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())}


@pytest.mark.parametrize("function, parameterization", [
    (kl_logvar_sum, "logvar"), (kl_logvar_batch_mean, "logvar"), (kl_log_sigma_per_example, "log_sigma"),
    (kl_sigma_distributions, "sigma"), (kl_var_elementwise, "var"), (kl_numpy_logvar, "logvar"),
    (kl_float32, "logvar"), (kl_in_a_dict, "logvar"),
])
def test_kl_in_every_parameterization_and_batch_reduction_is_correct(function, parameterization):
    report = report_of(function)
    assert (report.verdict, report.role, report.parameterization) == ("correct", "kl", parameterization), \
        [f.message for f in report.findings]


def kl_named_z_var_is_logvar(mu, z_var):
    return -0.5 * torch.sum(1 + z_var - mu.pow(2) - z_var.exp())


def kl_named_logvar_is_log_sigma(mu, logvar):
    return torch.sum(0.5 * (mu**2 + torch.exp(2 * logvar) - 1) - logvar)


@pytest.mark.parametrize("function, parameterization", [
    (kl_named_z_var_is_logvar, "logvar"), (kl_named_logvar_is_log_sigma, "log_sigma")])
def test_parameterization_reported_is_the_one_the_behaviour_fits_not_the_name(function, parameterization):
    report = report_of(function)
    assert (report.verdict, report.parameterization) == ("correct", parameterization)


def test_numpy_kl_is_called_through_numpy():
    assert report_of(kl_numpy_logvar).framework == "numpy"


def test_float32_kl_is_found_to_compute_in_float32():
    assert report_of(kl_float32).identified["dtype"] == "float32"


# --- bugs -------------------------------------------------------------------------------------------------

def kl_mean_over_everything(mu, logvar):
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp())


def kl_per_example_mean_over_latent(mu, logvar):
    return -0.5 * torch.mean(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


@pytest.mark.parametrize("function", [kl_mean_over_everything, kl_per_example_mean_over_latent])
def test_kl_averaged_over_the_latent_dims_is_kl_mean_over_latent(function):
    report = report_of(function)
    assert report.verdict == "bug" and codes(report) == {"kl-mean-over-latent"}


def kl_negated(mu, logvar):
    return 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def test_negated_kl_is_kl_sign():
    report = report_of(kl_negated)
    assert codes(report) == {"kl-sign"} and report.parameterization == "logvar"


def kl_without_half(mu, logvar):
    return -torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def test_kl_without_its_half_is_kl_constant_weighted_two():
    report = report_of(kl_without_half)
    assert codes(report) == {"kl-constant"}
    assert report.findings[0].evidence["weight"] == pytest.approx(2.0)


def kl_without_minus_one(mu, logvar):
    return -0.5 * torch.sum(logvar - mu.pow(2) - logvar.exp())


def kl_plus_offset(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) + 0.1


def test_kl_without_its_minus_one_is_kl_constant_of_half_per_latent_entry():
    report = report_of(kl_without_minus_one)
    assert codes(report) == {"kl-constant"}
    assert report.findings[0].evidence["constant_per_latent_entry"] == pytest.approx(0.5)


def test_kl_plus_an_offset_is_kl_constant():
    report = report_of(kl_plus_offset)
    assert codes(report) == {"kl-constant"}
    assert report.findings[0].evidence["constant"] == pytest.approx(0.1)


def kl_exp_logvar_as_std(mu, logvar):
    std = torch.exp(logvar)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - std**2)


def kl_softplus_on_logvar(mu, logvar):
    logvar = F.softplus(logvar)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_abs_mu(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.abs() - logvar.exp())


def kl_mu_missing(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - logvar.exp())


@pytest.mark.parametrize("function, named", [
    (kl_exp_logvar_as_std, "standard deviation"), (kl_softplus_on_logvar, "softplus"), (kl_abs_mu, None),
    (kl_mu_missing, "μ² term missing")])
def test_kl_formula_of_no_parameterization_is_kl_form(function, named):
    report = report_of(function)
    assert report.verdict == "bug" and codes(report) == {"kl-form"} and report.parameterization is None
    if named:
        assert named in report.findings[0].message


def test_kl_form_counterexample_is_a_readable_point_where_code_and_closed_form_differ():
    finding = report_of(kl_abs_mu).findings[0]
    point = next(row for row in finding.evidence["points"] if row["mu"] == 2.0)
    assert point["code"] != pytest.approx(point["closed_form_summed"])
    assert "μ = 2" in finding.message


# --- role, shapes, calls ----------------------------------------------------------------------------------

def sampler(mu, logvar):
    return mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)


def kl_monte_carlo(mu, logvar):
    z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
    return (0.5 * (z**2 - ((z - mu) ** 2) / logvar.exp() - logvar)).sum()


def test_random_result_shaped_like_mu_is_a_reparameterization():
    assert report_of(sampler).role == "reparameterize"


def test_deterministic_function_of_mu_and_scale_is_a_kl():
    assert report_of(kl_logvar_sum).role == "kl"


def test_random_result_not_shaped_like_mu_has_no_role():
    report = report_of(kl_monte_carlo)
    assert report.verdict == "undecided" and "random" in report.reason


def kl_hard_coded_latent(mu, logvar):
    mu, logvar = mu.view(-1, 20), logvar.view(-1, 20)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def test_latent_dim_in_the_error_message_is_retried():
    report = report_of(kl_hard_coded_latent)
    assert report.verdict == "correct" and any("d=20" in shape for shape in report.identified["shapes"])


def test_view_error_implies_its_target_shape():
    message = "shape '[-1, 784]' is invalid for input of size 30"
    assert Shape(3, (784,), 2) in hinted_shapes(message, Shape(3, (10,), 2))


def test_matmul_error_implies_its_inner_dimension():
    message = "mat1 and mat2 shapes cannot be multiplied (3x10 and 784x400)"
    assert Shape(3, (784,), 2) in hinted_shapes(message, Shape(3, (10,), 2))


def kl_that_raises(mu, logvar):
    raise RuntimeError("no good\nsecond line")


def test_function_that_cannot_be_called_is_undecided_with_the_first_line_of_its_error():
    report = report_of(kl_that_raises)
    assert report.verdict == "undecided" and report.reason.endswith("RuntimeError: no good")


def test_given_shape_is_used_first():
    report = report_of(kl_logvar_sum, shape=Shape(7, (5,), 6))
    assert report.identified["shapes"][0] == "B=7, data=5, d=6"


def test_same_seed_gives_the_same_report():
    first, second = report_of(kl_abs_mu, seed=3), report_of(kl_abs_mu, seed=3)
    assert first.to_dict() == second.to_dict()


# --- numerics ---------------------------------------------------------------------------------------------

def kl_sigma_log_of_square(mu, sigma):
    return -0.5 * torch.sum(1 + torch.log(sigma**2) - mu.pow(2) - sigma.pow(2))


def kl_sigma_two_log(mu, sigma):
    return torch.sum(0.5 * (sigma.pow(2) + mu.pow(2) - 1) - torch.log(sigma))


def test_log_of_sigma_squared_is_nonfinite_near_sigma_zero_as_a_note():
    report = report_of(kl_sigma_log_of_square)
    assert report.verdict == "correct" and codes(report) == {"nonfinite-at-extremes"}
    assert report.findings[0].severity == "note"


def test_two_log_sigma_is_finite_near_sigma_zero():
    assert codes(report_of(kl_sigma_two_log)) == set()
