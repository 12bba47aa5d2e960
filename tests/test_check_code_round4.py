"""check-code, round 4: a loss must be −ELBO in value AND gradient, over the range each input covers, and a
decoder output's name must agree with how the code reads it.

- gradients: a term, μ, the scale or the decoder output detached (or its gradient scaled) leaves the value
  right and the training wrong; each such mutant is a bug naming the input whose gradient differs;
- ranges: the first probes draw the raw scale argument in (0.2, 2), so log σ² and log σ only ever meant
  σ > 1 there; a KL wrong only for σ < 1 (|logvar|, clamp(min=0)), only for large |log σ²|, or a
  reconstruction wrong only near 0 and 1 or for large logits is a bug;
- names: recon_x / x_hat / probs read as logits (a double sigmoid if the decoder ends in one), or logits
  read as probabilities, stays correct with a note saying under which reading.
Correct code in every parameterization and reduction must still pass, with no bug and no gradient note.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from mathcheck.code import check  # noqa: E402
from mathcheck.code.gradients import adjoint, reference_gradients, Term  # noqa: E402
from mathcheck.code.calls import rows  # noqa: E402
from mathcheck.code.report import Shape  # noqa: E402
from mathcheck.testing import assert_vae_loss  # noqa: E402


def _bce(recon_x, x):
    return F.binary_cross_entropy(recon_x, x, reduction="sum")


def _kl(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


# --- mutants whose value is −ELBO but whose gradient is not ---------------------------------------------------

def loss_kl_detached(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar).detach()


def loss_recon_detached(recon_x, x, mu, logvar):
    return _bce(recon_x.detach(), x) + _kl(mu, logvar)


def loss_mu_detached_in_kl(recon_x, x, mu, logvar):
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + logvar - mu.detach().pow(2) - logvar.exp())


def loss_logvar_detached_in_kl(recon_x, x, mu, logvar):
    lv = logvar.detach()
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp())


def loss_kl_through_data(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu.data, logvar.data)


def loss_kl_under_no_grad(recon_x, x, mu, logvar):
    with torch.no_grad():
        kld = _kl(mu, logvar)
    return _bce(recon_x, x) + kld


def loss_kl_as_python_number(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar).item()


def loss_kl_through_numpy(recon_x, x, mu, logvar):
    m, lv = mu.detach().numpy(), logvar.detach().numpy()
    return _bce(recon_x, x) + torch.as_tensor(-0.5 * np.sum(1 + lv - m ** 2 - np.exp(lv)))


def loss_kl_gradient_halved(recon_x, x, mu, logvar):
    kld = _kl(mu, logvar)
    return _bce(recon_x, x) + kld.detach() + 0.5 * (kld - kld.detach())


def loss_mu_gradient_scaled(recon_x, x, mu, logvar):
    m = mu.detach() + 0.1 * (mu - mu.detach())
    return _bce(recon_x, x) + _kl(m, logvar)


def loss_logits_detached(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits.detach(), x, reduction="sum") + _kl(mu, logvar)


def loss_std_detached(recon_x, x, mu, std):
    return _bce(recon_x, x) + 0.5 * torch.sum(mu.pow(2) + std.pow(2) - 2 * torch.log(std.detach()) - 1)


def loss_kl_detached_mean_batch(recon_x, x, mu, logvar):
    batch = x.shape[0]
    return (_bce(recon_x, x) + _kl(mu, logvar).detach()) / batch


def loss_dict_kl_detached(recon_x, x, mu, logvar):
    kld = _kl(mu, logvar)
    return {"loss": _bce(recon_x, x) + kld.detach(), "kl": kld}


def kl_returned_detached(mu, logvar):
    return _kl(mu, logvar).detach()


def kl_mu_detached(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.detach().pow(2) - logvar.exp())


def kl_log_sigma_detached(mu, log_sigma):
    return 0.5 * torch.sum(mu.pow(2) + torch.exp(2 * log_sigma.detach()) - 2 * log_sigma - 1)


def loss_terms_kl_detached(recon_x, x, mu, logvar):
    return _bce(recon_x, x), _kl(mu, logvar).detach()


def loss_logvar_detached_below_zero(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, torch.where(logvar < 0, logvar.detach(), logvar))


class Model(torch.nn.Module):
    def loss_function(self, recon_x, x, mu, logvar):
        return _bce(recon_x, x) + _kl(mu, logvar.detach())


GRADIENT_MUTANTS = {
    loss_kl_detached: ("kl-form", ("mu", "logvar")),
    loss_recon_detached: ("reconstruction-form", ("recon_x",)),
    loss_mu_detached_in_kl: ("kl-form", ("mu",)),
    loss_logvar_detached_in_kl: ("kl-form", ("logvar",)),
    loss_kl_through_data: ("kl-form", ("mu", "logvar")),
    loss_kl_under_no_grad: ("kl-form", ("mu", "logvar")),
    loss_kl_as_python_number: ("kl-form", ("mu", "logvar")),
    loss_kl_through_numpy: ("kl-form", ("mu", "logvar")),
    loss_kl_gradient_halved: ("kl-form", ("mu", "logvar")),
    loss_mu_gradient_scaled: ("kl-form", ("mu",)),
    loss_logits_detached: ("reconstruction-form", ("logits",)),
    loss_std_detached: ("kl-form", ("std",)),
    loss_kl_detached_mean_batch: ("kl-form", ("mu", "logvar")),
    loss_dict_kl_detached: ("kl-form", ("mu", "logvar")),
    kl_returned_detached: ("kl-form", ("mu", "logvar")),
    kl_mu_detached: ("kl-form", ("mu",)),
    kl_log_sigma_detached: ("kl-form", ("log_sigma",)),
    loss_terms_kl_detached: ("kl-form", ("mu", "logvar")),
    loss_logvar_detached_below_zero: ("kl-form", ("logvar",)),
    Model().loss_function: ("kl-form", ("logvar",)),
}


# --- mutants right for σ > 1 only (or only for moderate inputs) -----------------------------------------------

def loss_abs_logvar(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar.abs())


def loss_clamp_logvar_at_0(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar.clamp(min=0.0))


def loss_relu_logvar(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, F.relu(logvar))


def loss_clamp_logvar_at_minus_2(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar.clamp(min=-2.0))


def loss_logvar_zeroed_when_large(recon_x, x, mu, logvar):
    lv = torch.where(logvar.abs() > 4, torch.zeros_like(logvar), logvar)
    return _bce(recon_x, x) + _kl(mu, lv)


def loss_variance_floored_at_1(recon_x, x, mu, logvar):
    var = logvar.exp().clamp(min=1.0)
    return _bce(recon_x, x) - 0.5 * torch.sum(1 + torch.log(var) - mu.pow(2) - var)


def loss_mu_clamped(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu.clamp(-3.0, 3.0), logvar)


def loss_log_sigma_clamped_at_0(recon_x, x, mu, log_sigma):
    ls = log_sigma.clamp(min=0.0)
    return _bce(recon_x, x) + 0.5 * torch.sum(mu ** 2 + torch.exp(2 * ls) - 2 * ls - 1)


def kl_abs_log_sigma(mu, log_sigma):
    return 0.5 * torch.sum(mu ** 2 + torch.exp(2 * log_sigma.abs()) - 2 * log_sigma.abs() - 1)


def kl_logvar_clamped_at_0(mu, logvar):
    return _kl(mu, torch.clamp(logvar, min=0.0))


def kl_std_floored(mu, std):
    s = std.clamp(min=0.1)
    return 0.5 * torch.sum(mu ** 2 + s ** 2 - 2 * torch.log(s) - 1)


def kl_var_floored(mu, var):
    v = var.clamp(min=0.05)
    return 0.5 * torch.sum(mu ** 2 + v - torch.log(v) - 1)


def loss_probs_clamped_inside(recon_x, x, mu, logvar):
    return _bce(recon_x.clamp(0.02, 0.98), x) + _kl(mu, logvar)


def loss_logits_clamped(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits.clamp(-5.0, 5.0), x, reduction="sum") + _kl(mu, logvar)


RANGE_MUTANTS = {
    loss_abs_logvar: "kl-form", loss_clamp_logvar_at_0: "kl-form", loss_relu_logvar: "kl-form",
    loss_clamp_logvar_at_minus_2: "kl-form", loss_logvar_zeroed_when_large: "kl-form",
    loss_variance_floored_at_1: "kl-form", loss_mu_clamped: "kl-form", kl_abs_log_sigma: "kl-form",
    loss_log_sigma_clamped_at_0: "kl-form",
    kl_logvar_clamped_at_0: "kl-form", kl_std_floored: "kl-form", kl_var_floored: "kl-form",
    loss_probs_clamped_inside: "reconstruction-form", loss_logits_clamped: "reconstruction-form",
}


# --- decoder outputs whose names disagree with how the code reads them ----------------------------------------

def loss_double_sigmoid(recon_x, x, mu, logvar):
    return _bce(torch.sigmoid(recon_x), x) + _kl(mu, logvar)


def loss_bce_with_logits_on_recon_x(recon_x, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(recon_x, x, reduction="sum") + _kl(mu, logvar)


def loss_bce_with_logits_on_x_hat(x_hat, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(x_hat, x, reduction="sum") + _kl(mu, logvar)


def loss_mse_of_sigmoid_probs(probs, x, mu, logvar):
    return F.mse_loss(torch.sigmoid(probs), x, reduction="sum") + _kl(mu, logvar)


def loss_bce_on_logits_name(logits, x, mu, logvar):
    return _bce(logits, x) + _kl(mu, logvar)


def loss_mse_on_logits_name(logits, x, mu, logvar):
    return F.mse_loss(logits, x, reduction="sum") + _kl(mu, logvar)


def loss_bce_with_logits_on_decoded(decoded, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(decoded, x, reduction="sum") + _kl(mu, logvar)


NAMING_MUTANTS = {
    loss_double_sigmoid: ("recon_x", "logits"), loss_bce_with_logits_on_recon_x: ("recon_x", "logits"),
    loss_bce_with_logits_on_x_hat: ("x_hat", "logits"), loss_mse_of_sigmoid_probs: ("probs", "logits"),
    loss_bce_on_logits_name: ("logits", "probabilities"), loss_mse_on_logits_name: ("logits", "values in data space"),
    loss_bce_with_logits_on_decoded: ("decoded", "logits"),
}


# --- correct code: every parameterization, reduction and naming convention ------------------------------------

def loss_sum(recon_x, x, mu, logvar):
    return _bce(recon_x, x) + _kl(mu, logvar)


def loss_batch_mean(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1)
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
    return (bce + kld).mean()


def loss_per_example(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1)
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def loss_log_sigma(recon_x, x, mu, log_sigma):
    return _bce(recon_x, x) + 0.5 * torch.sum(mu.pow(2) + torch.exp(2 * log_sigma) - 2 * log_sigma - 1)


def loss_std(recon_x, x, mu, std):
    return _bce(recon_x, x) + 0.5 * torch.sum(mu.pow(2) + std.pow(2) - torch.log(std.pow(2)) - 1)


def loss_var(recon_x, x, mu, var):
    return _bce(recon_x, x) + 0.5 * torch.sum(mu.pow(2) + var - torch.log(var) - 1)


def loss_logits(logits, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") + _kl(mu, logvar)


def loss_recon_x_declared_logits(recon_x, x, mu, logvar):
    return F.binary_cross_entropy_with_logits(recon_x, x, reduction="sum") + _kl(mu, logvar)


def loss_input_target_logits(input, target, mu, logvar):
    """torch's convention: input is the prediction, here logits (binary_cross_entropy_with_logits)."""
    return F.binary_cross_entropy_with_logits(input, target, reduction="sum") + _kl(mu, logvar)


def loss_torch_distributions(recon_x, x, mu, logvar):
    d = torch.distributions
    q = d.Normal(mu, torch.exp(0.5 * logvar))
    p = d.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return -d.Bernoulli(probs=recon_x).log_prob(x).sum() + d.kl_divergence(q, p).sum()


def loss_mse_sum(x_hat, x, mu, logvar):
    return F.mse_loss(x_hat, x, reduction="sum") + _kl(mu, logvar)


def loss_with_logged_parts(recon_x, x, mu, logvar):
    bce, kld = _bce(recon_x, x), _kl(mu, logvar)
    return bce + kld, bce.detach(), kld.item()


def loss_dict_with_logged_kl(recon_x, x, mu, logvar):
    bce, kld = _bce(recon_x, x), _kl(mu, logvar)
    return {"loss": bce + kld, "kl": kld.detach()}


def loss_guarded_logs(recon_x, x, mu, logvar):
    bce = -torch.sum(x * torch.log(recon_x + 1e-8) + (1 - x) * torch.log(1 - recon_x + 1e-8))
    var = logvar.exp()
    return bce - 0.5 * torch.sum(1 + torch.log(var + 1e-8) - mu.pow(2) - var)


def loss_in_place_clamp(recon_x, x, mu, logvar):
    logvar = logvar.clamp_(-10.0, 10.0)
    return _bce(recon_x, x) + _kl(mu, logvar)


def loss_float32(recon_x, x, mu, logvar):
    recon_x, x, mu, logvar = recon_x.float(), x.float(), mu.float(), logvar.float()
    return _bce(recon_x, x) + _kl(mu, logvar)


def kl_logvar(mu, logvar):
    return _kl(mu, logvar)


def kl_log_sigma(mu, log_sigma):
    return 0.5 * torch.sum(mu ** 2 + torch.exp(2 * log_sigma) - 2 * log_sigma - 1)


def kl_std(mu, std):
    return torch.sum(-torch.log(std) + 0.5 * (std ** 2 + mu ** 2) - 0.5)


def kl_var_batch_mean(mu, var):
    return torch.mean(torch.sum(0.5 * (mu ** 2 + var - torch.log(var) - 1), dim=1))


def kl_clamped_guard(mu, logvar):
    return _kl(mu, torch.clamp(logvar, -10.0, 10.0))


CORRECT = [loss_sum, loss_batch_mean, loss_per_example, loss_log_sigma, loss_std, loss_var, loss_logits,
           loss_torch_distributions, loss_mse_sum, loss_with_logged_parts, loss_dict_with_logged_kl,
           loss_guarded_logs, loss_in_place_clamp, loss_float32, kl_logvar, kl_log_sigma, kl_std,
           kl_var_batch_mean, kl_clamped_guard]
PARAMETERIZATION = {loss_log_sigma: "log_sigma", loss_std: "sigma", loss_var: "var", kl_log_sigma: "log_sigma",
                    kl_std: "sigma", kl_var_batch_mean: "var"}


def _report(function, inputs=None):
    (report,) = check(function, inputs=inputs, seed=0).functions
    return report


def _describe(report) -> str:
    return f"{report.verdict}: " + "; ".join(f"[{f.severity}] {f.code}: {f.message}" for f in report.findings)


def _bugs(report, code: str):
    return [finding for finding in report.findings if finding.severity == "bug" and finding.code == code]


def _name(function) -> str:
    return function.__qualname__


# --- gradients ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mutant", list(GRADIENT_MUTANTS), ids=_name)
def test_a_loss_whose_gradient_is_not_the_elbos_is_a_bug(mutant):
    report = _report(mutant)
    assert report.verdict == "bug", _describe(report)


@pytest.mark.parametrize("mutant", list(GRADIENT_MUTANTS), ids=_name)
def test_the_gradient_finding_names_each_input_whose_gradient_differs(mutant):
    code, names = GRADIENT_MUTANTS[mutant]
    messages = " ".join(finding.message for finding in _bugs(_report(mutant), code))
    assert "gradient" in messages and all(f"{name}" in messages for name in names), messages


@pytest.mark.parametrize("mutant", [loss_kl_detached, loss_mu_detached_in_kl, loss_recon_detached], ids=_name)
def test_the_gradient_finding_carries_both_gradients_as_evidence(mutant):
    code, names = GRADIENT_MUTANTS[mutant]
    (finding,) = _bugs(_report(mutant), code)
    assert set(names) <= set(finding.evidence["derived_gradient"]) and finding.evidence["code_gradient"]


@pytest.mark.parametrize("mutant", [loss_kl_detached, loss_mu_detached_in_kl, loss_abs_logvar], ids=_name)
def test_assert_vae_loss_rejects_the_mutant(mutant):
    with pytest.raises(AssertionError):
        assert_vae_loss(mutant)


def test_a_loss_with_no_gradient_at_all_is_a_note_not_a_bug():
    def loss_reported(recon_x, x, mu, logvar):
        return (_bce(recon_x, x) + _kl(mu, logvar)).detach()

    report = _report(loss_reported)
    assert report.verdict == "correct" and any(f.severity == "note" and "gradient" in f.message
                                               for f in report.findings), _describe(report)


def test_a_kl_reported_as_a_python_number_is_a_note():
    def kl_reported(mu, logvar):
        return _kl(mu, logvar).item()

    report = _report(kl_reported)
    assert report.verdict == "correct" and report.findings, _describe(report)


# --- ranges ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mutant", list(RANGE_MUTANTS), ids=_name)
def test_a_term_wrong_outside_the_first_probes_range_is_a_bug(mutant):
    report = _report(mutant)
    assert _bugs(report, RANGE_MUTANTS[mutant]), _describe(report)


def test_the_abs_logvar_counterexample_is_a_log_variance_below_zero():
    (finding,) = _bugs(_report(loss_abs_logvar), "kl-form")
    worst = finding.message.split("at μ = ")[1]
    assert "logvar = -" in worst.split("(")[0], finding.message


def test_the_kl_at_mu_0_logvar_minus_1_is_the_closed_form():
    """The brief's counterexample, by torch.distributions: KL per dim at μ = 0, log σ² = −1 is 0.184."""
    zero = torch.tensor(0.0, dtype=torch.float64)
    q = torch.distributions.Normal(zero, torch.tensor(math.exp(-0.5), dtype=torch.float64))
    p = torch.distributions.Normal(zero, torch.tensor(1.0, dtype=torch.float64))
    true = float(torch.distributions.kl_divergence(q, p))
    abs_code = float(_kl(torch.zeros(1, dtype=torch.float64), torch.tensor([-1.0], dtype=torch.float64).abs()))
    assert abs(true - 0.18394) < 1e-4 and abs(abs_code - 0.35914) < 1e-4


@pytest.mark.parametrize("function", [kl_clamped_guard], ids=_name)
def test_a_guard_clamp_far_outside_the_range_is_only_a_note_at_the_extremes(function):
    report = _report(function)
    assert report.verdict == "correct" and all(f.severity == "note" for f in report.findings), _describe(report)


# --- names ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mutant", list(NAMING_MUTANTS), ids=_name)
def test_a_decoder_output_read_against_its_name_is_correct_with_a_note(mutant):
    report = _report(mutant)
    notes = [f for f in report.findings if f.severity == "note" and f.code == "reconstruction-form"]
    assert report.verdict == "correct" and notes, _describe(report)


@pytest.mark.parametrize("mutant", list(NAMING_MUTANTS), ids=_name)
def test_the_naming_note_says_under_which_reading_the_code_is_correct(mutant):
    name, reading = NAMING_MUTANTS[mutant]
    notes = [f.message for f in _report(mutant).findings if f.severity == "note"]
    assert any(message.startswith(f"correct if {name} holds {reading}") for message in notes), notes


def test_the_verdict_line_says_under_which_reading_the_code_is_correct():
    first_line = check(loss_double_sigmoid).to_text().splitlines()[0]
    assert ": correct if recon_x holds logits (" in first_line, first_line


def test_torchs_input_beside_target_gets_no_naming_note():
    report = _report(loss_input_target_logits)
    assert report.verdict == "correct" and not report.findings, _describe(report)


def test_a_decoder_output_declared_as_logits_gets_no_naming_note():
    report = _report(loss_recon_x_declared_logits, inputs={"recon_x": "recon_logits"})
    assert report.verdict == "correct" and not report.findings, _describe(report)


# --- correct code ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("function", CORRECT, ids=_name)
def test_correct_code_is_correct(function):
    report = _report(function)
    assert report.verdict == "correct", _describe(report)


@pytest.mark.parametrize("function", CORRECT, ids=_name)
def test_correct_differentiable_code_gets_no_gradient_finding(function):
    report = _report(function)
    assert not [f for f in report.findings if "gradient" in f.message], _describe(report)


@pytest.mark.parametrize("function", list(PARAMETERIZATION), ids=_name)
def test_correct_code_reports_its_parameterization(function):
    assert _report(function).parameterization == PARAMETERIZATION[function]


@pytest.mark.parametrize("function", [loss_sum, loss_logits, kl_log_sigma], ids=_name)
def test_assert_vae_loss_passes_correct_code(function):
    assert assert_vae_loss(function).ok


# --- the sampler's gradient over its parameterization's range ----------------------------------------------

def reparameterize_logvar_detached_below_zero(mu, logvar):
    lv = torch.where(logvar < 0, logvar.detach(), logvar)
    return mu + torch.randn_like(mu) * torch.exp(0.5 * lv)


def test_a_sampler_whose_gradient_is_cut_for_negative_logvar_is_a_bug():
    (report,) = check(reparameterize_logvar_detached_below_zero, roles="reparameterize").functions
    assert [f for f in report.findings if f.code == "sampler-no-gradient"], _describe(report)


# --- the reference gradients themselves -----------------------------------------------------------------------

@pytest.mark.parametrize("parameterization", ["logvar", "log_sigma", "sigma", "var"])
def test_the_kl_reference_gradient_is_the_closed_forms_derivative(parameterization):
    """d/dμ KL = μ; d/ds KL = ½(σ² − 1)·d log σ²/ds, against torch.distributions' autograd."""
    rng = np.random.default_rng(3)
    mu = rng.normal(size=(3, 2))
    logvar = rng.uniform(-4, 2, size=(3, 2))
    scale = {"logvar": logvar, "log_sigma": logvar / 2, "sigma": np.exp(logvar / 2), "var": np.exp(logvar)}[
        parameterization]
    dlogvar_ds = {"logvar": 1.0, "log_sigma": 2.0, "sigma": 2 / scale, "var": 1 / scale}[parameterization]
    grads = reference_gradients({"mu": mu, "scale": scale}, Term("kl", 1.0, parameterization, "the KL"),
                                np.ones(1), "scalar")
    assert np.allclose(grads["mu"], mu, rtol=1e-12)
    assert np.allclose(grads["scale"], 0.5 * (np.exp(logvar) - 1) * dlogvar_ds, rtol=1e-10)


@pytest.mark.parametrize("kind", ["scalar", "example", "latent", "latent-dims"])
def test_adjoint_is_the_transpose_of_rows(kind):
    """Σ w·rows(E) = Σ adjoint(w) ⊙ E for every layout."""
    rng = np.random.default_rng(5)
    shape = Shape(4, (6,), 3)
    elementwise = rng.normal(size=(4, 3))
    reduced = rows(elementwise, kind, shape)
    weights = rng.normal(size=reduced.shape)
    assert np.isclose(float(weights @ reduced), float(np.sum(adjoint(weights, kind, (4, 3)) * elementwise)))
