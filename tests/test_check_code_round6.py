"""check-code, round 6: the data layouts a loss's own code implies, colour images, and samplers whose
std fits another parameterization than their argument's name.

- layouts: a reduction over several fixed dims says the data layout (``dim=(1, 2)`` or ``(-2, -1)``:
  (B, H, W); ``dim=(1, 2, 3)`` or ``(2, 3)``: (B, C, H, W)); the verdict is that of the implied layouts,
  a bug only when wrong on all of them, "correct if the data is ..." when another accepted layout reads
  differently;
- colour images: (B, 3, H, W) is tried where the code does not pin the channel count, so that a sum over
  dims (2, 3) that forgets the channel is named on it;
- samplers: ``var = logvar.exp()`` used as the std, or ``std = exp(logvar / 2)`` then squared, contradict
  the code's own variables: a bug; ``exp(logvar)`` as the std with nothing else said is "correct if logvar
  holds log σ" (names may lie), with a note; the statistical mutants (uniform noise, a wrong factor, noise
  drawn once) stay bugs and the correct spellings stay correct.
"""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from mathcheck.code import check  # noqa: E402
from tests.check_code_reports import described as _describe, one_report as _report  # noqa: E402
from mathcheck.code.layouts import implied_data_axes  # noqa: E402


def _kl_rows(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def _name(function) -> str:
    return function.__name__


# --- losses written for (B, H, W) ---------------------------------------------------------------------------

def loss_sum_tuple_12(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(1, 2))
    return (bce + _kl_rows(mu, logvar)).mean()


def loss_sum_list_12_then_means(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=[1, 2]).mean() + _kl_rows(mu, logvar).mean()


def loss_sum_last_two_axes(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(-2, -1))
    return torch.mean(bce + _kl_rows(mu, logvar))


def loss_torch_sum_axis_12(recon_x, x, mu, logvar):
    bce = torch.sum(F.binary_cross_entropy(recon_x, x, reduction="none"), (1, 2))
    return torch.sum(bce + _kl_rows(mu, logvar))


def _recon_rows(recon_x, x):
    return F.binary_cross_entropy(recon_x, x, reduction="none").sum(axis=(1, 2))


def loss_helper_sums_12(recon_x, x, mu, logvar):
    return (_recon_rows(recon_x, x) + _kl_rows(mu, logvar)).mean()


def loss_flatten_rows(recon_x, x, mu, logvar):
    return (F.binary_cross_entropy(recon_x, x, reduction="none").flatten(1).sum(1) + _kl_rows(mu, logvar)).mean()


def loss_view_rows(recon_x, x, mu, logvar):
    batch = x.size(0)
    bce = F.binary_cross_entropy(recon_x.view(batch, -1), x.view(batch, -1), reduction="none").sum(-1)
    return (bce + _kl_rows(mu, logvar)).mean()


def loss_sum_123(recon_x, x, mu, logvar):
    return (F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(1, 2, 3)) + _kl_rows(mu, logvar)).mean()


RIGHT_FOR_THE_IMPLIED_LAYOUT = [loss_sum_tuple_12, loss_sum_list_12_then_means, loss_sum_last_two_axes,
                                loss_torch_sum_axis_12, loss_helper_sums_12]
RIGHT_ON_EVERY_LAYOUT = [loss_flatten_rows, loss_view_rows, loss_sum_123]


@pytest.mark.parametrize("function", RIGHT_FOR_THE_IMPLIED_LAYOUT + RIGHT_ON_EVERY_LAYOUT, ids=_name)
def test_a_reduction_right_for_the_layout_the_code_implies_is_no_bug(function):
    report = _report(function)
    assert report.verdict == "correct", _describe(report)
    assert not [f for f in report.findings if f.severity in ("bug", "convention")], _describe(report)


@pytest.mark.parametrize("function", [loss_sum_list_12_then_means, loss_sum_last_two_axes], ids=_name)
def test_a_reduction_over_dims_1_2_wrong_on_other_accepted_layouts_is_correct_if_the_data_is_b_h_w(function):
    report = _report(function)
    assert report.identified.get("condition") == "the data is (B, H, W)", _describe(report)
    assert any(f.severity == "note" and "(B, H, W)" in f.message for f in report.findings), _describe(report)


@pytest.mark.parametrize("function", RIGHT_ON_EVERY_LAYOUT, ids=_name)
def test_a_loss_right_on_every_layout_has_no_condition(function):
    report = _report(function)
    assert not report.identified.get("condition"), _describe(report)


@pytest.mark.parametrize("source, axes", [
    ("x.sum(dim=(1, 2))", {2}), ("x.sum(dim=[1, 2, 3])", {3}), ("x.sum((2, 3))", {3}),
    ("torch.sum(x, (1, 2))", {2}), ("x.mean(axis=(-2, -1))", {2}), ("x.sum(dim=1)", set()),
    ("x.flatten(1).sum(1)", set()), ("torch.cat([x, x], dim=1)", set())])
def test_the_layout_a_reduction_implies_is_the_count_of_its_data_axes(source, axes, tmp_path):
    path = tmp_path / f"reduction_{abs(hash(source))}.py"
    path.write_text(f"import torch\n\n\ndef loss(x):\n    return {source}\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert implied_data_axes(module.loss) == axes


def test_a_layout_implied_by_the_code_but_wrong_there_is_a_bug():
    def loss_mean_12(recon_x, x, mu, logvar):
        return (F.binary_cross_entropy(recon_x, x, reduction="none").mean(dim=(1, 2)) + _kl_rows(mu, logvar)).mean()

    report = _report(loss_mean_12)
    assert report.verdict == "bug" and any(f.code == "reduction-mismatch" for f in report.findings), \
        _describe(report)


# --- colour images ------------------------------------------------------------------------------------------

def loss_sum_23_channel_mean(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(2, 3)).mean(1)
    return (bce + _kl_rows(mu, logvar)).mean()


def loss_sum_23_then_mean(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=(2, 3)).mean() + _kl_rows(mu, logvar).mean()


def loss_mse_sum_23(x_hat, x, mu, logvar):
    return ((x_hat - x) ** 2).sum(dim=[2, 3]).mean() + _kl_rows(mu, logvar).mean()


FORGET_THE_CHANNEL = [loss_sum_23_channel_mean, loss_sum_23_then_mean, loss_mse_sum_23]


@pytest.mark.parametrize("function", FORGET_THE_CHANNEL, ids=_name)
def test_a_sum_over_dims_2_3_is_correct_only_if_the_images_have_one_channel(function):
    report = _report(function)
    assert report.verdict == "correct" and report.identified.get("condition") == "the data is (B, 1, H, W)", \
        _describe(report)


@pytest.mark.parametrize("function", FORGET_THE_CHANNEL, ids=_name)
def test_the_colour_note_names_the_three_channel_shape(function):
    report = _report(function)
    notes = [f for f in report.findings if f.severity == "note" and f.evidence.get("layout") == "(B, 3, H, W)"]
    assert notes and all(f.evidence["severity_on_layout"] == "bug" and "data=3x" in f.evidence["layout_shape"]
                         for f in notes), _describe(report)


def test_a_flat_only_sum_over_dim_1_stays_correct_only_if_flat_with_colour_images_tried():
    def loss_sum_dim1(recon_x, x, mu, logvar):
        return F.binary_cross_entropy(recon_x, x, reduction="none").sum(dim=1).mean() + _kl_rows(mu, logvar).mean()

    report = _report(loss_sum_dim1)
    assert report.identified.get("condition") == "the data is flat (B, D)", _describe(report)
    assert "3-channel images" in report.identified["layouts checked"], report.identified["layouts checked"]


def test_a_code_that_pins_one_channel_is_not_read_on_colour_images():
    def loss_view_784(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x.view(-1, 784), x.view(-1, 784), reduction="sum")
        return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    report = _report(loss_view_784)
    assert report.verdict == "correct" and not report.identified.get("condition"), _describe(report)


# --- samplers -----------------------------------------------------------------------------------------------

def sample_var_as_std(mu, logvar):
    var = logvar.exp()
    return mu + torch.randn_like(var) * var


def sample_variance_as_std(mu, log_var):
    variance = torch.exp(log_var)
    eps = torch.randn_like(mu)
    return mu + eps * variance


def sample_std_squared(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu + torch.randn_like(std) * std * std


def sample_sigma_then_pow(mu, logvar):
    sigma = logvar.mul(0.5).exp()
    return mu + torch.randn_like(mu) * sigma ** 2


def sample_half_exp(mu, logvar):
    std = 0.5 * logvar.exp()
    return mu + torch.randn_like(mu) * std


def sample_uniform(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu + torch.rand_like(std) * std


def sample_uniform_symmetric(mu, logvar):
    return mu + (torch.rand_like(mu) * 2 - 1) * torch.exp(0.5 * logvar)


def sample_scale_double_exponent(mu, logvar):
    scale = (2 * logvar).exp()
    return mu + scale * torch.randn_like(scale)


def sample_scale_quarter_exponent(mu, logvar):
    scale = torch.exp(logvar / 4)
    return mu + scale * torch.randn_like(scale)


_NOISE = torch.randn(1, 6)


def sample_noise_drawn_once(mu, logvar):
    return mu + _NOISE * torch.exp(0.5 * logvar)


def sample_default_noise(mu, logvar, eps=torch.randn(9, 6)):
    return mu + eps * torch.exp(0.5 * logvar)


class NoiseAtConstruction(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("noise", torch.randn(4096, 64))

    def forward(self, mu, logvar):
        rows, dims = mu.shape
        return mu + self.noise[:rows, :dims] * torch.exp(0.5 * logvar)


MUTANTS = [sample_var_as_std, sample_variance_as_std, sample_std_squared, sample_sigma_then_pow, sample_half_exp,
           sample_uniform, sample_uniform_symmetric, sample_scale_double_exponent, sample_scale_quarter_exponent,
           sample_noise_drawn_once, sample_default_noise, NoiseAtConstruction().forward]


def sample_sqrt_of_exp(mu, logvar):
    std = logvar.exp().sqrt()
    return mu + torch.randn_like(mu) * std


def sample_scale_half_exponent(mu, logvar):
    scale = (logvar / 2).exp()
    return mu + scale * torch.randn_like(scale)


def sample_var_then_sqrt(mu, logvar):
    var = logvar.exp()
    return mu + torch.randn_like(mu) * var.sqrt()


def sample_inplace(mu, logvar):
    std = logvar.mul(0.5).exp_()
    return std.new_empty(std.size()).normal_().mul(std).add_(mu)


def sample_normal_rsample(mu, logvar):
    return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).rsample()


def sample_from_variance(mu, var):
    return mu + torch.randn_like(mu) * var.sqrt()


def sample_log_std_named(mu, log_std):
    std = torch.exp(log_std)
    return mu + torch.randn_like(std) * std


CORRECT = [sample_sqrt_of_exp, sample_scale_half_exponent, sample_var_then_sqrt, sample_inplace,
           sample_normal_rsample, sample_from_variance, sample_log_std_named]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda f: f.__qualname__)
def test_a_wrong_reparameterization_is_a_bug(mutant):
    report = _report(mutant, roles="reparameterize")
    assert report.verdict == "bug", _describe(report)


@pytest.mark.parametrize("function", CORRECT, ids=_name)
def test_a_correct_reparameterization_is_correct_without_condition(function):
    report = _report(function)
    assert report.verdict == "correct" and not report.identified.get("condition"), _describe(report)
    assert not report.findings, _describe(report)


@pytest.mark.parametrize("mutant", [sample_var_as_std, sample_variance_as_std, sample_std_squared,
                                    sample_sigma_then_pow], ids=_name)
def test_a_std_against_the_codes_own_variables_names_the_variable(mutant):
    report = _report(mutant)
    (bug,) = [f for f in report.findings if f.severity == "bug"]
    assert bug.code == "sampler-std" and bug.evidence["variable"] in bug.message, _describe(report)


def sample_exp_as_std(mu, logvar):
    return mu + torch.exp(logvar) * torch.randn_like(mu)


def sample_std_from_exp(mu, logvar):
    std = torch.exp(logvar)
    return mu + std * torch.randn_like(std)


def sample_logvar_as_std(mu, logvar):
    return mu + torch.randn_like(mu) * logvar


@pytest.mark.parametrize("function, condition", [(sample_exp_as_std, "logvar holds log σ"),
                                                 (sample_std_from_exp, "logvar holds log σ"),
                                                 (sample_logvar_as_std, "logvar holds σ")],
                         ids=["exp_as_std", "std_from_exp", "logvar_as_std"])
def test_a_std_read_against_the_argument_name_alone_is_correct_only_under_the_name_lying(function, condition):
    report = _report(function)
    assert report.verdict == "correct" and report.identified.get("condition") == condition, _describe(report)
    assert any(f.code == "sampler-std" and f.severity == "note" for f in report.findings), _describe(report)


def test_a_std_read_against_the_name_beside_a_kl_reading_the_name_is_a_mismatch():
    def kl(mu, logvar):
        return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    report = check(sample_exp_as_std, kl, seed=0)
    assert not report.ok and "parameterization-mismatch" in {f.code for f in report.findings}, report.to_text()
    sampler = report.functions[0]
    assert sampler.verdict == "bug" and not sampler.identified.get("condition"), report.to_text()


def test_a_declared_role_matching_the_behaviour_removes_the_condition():
    report = _report(sample_exp_as_std, inputs={"logvar": "log_sigma"})
    assert report.verdict == "correct" and not report.identified.get("condition") and not report.findings, \
        _describe(report)


def test_a_numpy_sampler_reading_the_name_is_checked_alike():
    def sample_np_var_as_std(mu, logvar):
        var = np.exp(logvar)
        return mu + np.random.standard_normal(mu.shape) * var

    report = _report(sample_np_var_as_std)
    assert report.verdict == "bug", _describe(report)


def test_a_sampler_correct_only_if_its_name_lies_fails_the_strict_assertion():
    from mathcheck.testing import assert_reparameterization

    with pytest.raises(AssertionError, match="if logvar holds log σ"):
        assert_reparameterization(sample_exp_as_std, allow_conventions=False)


def test_a_loss_correct_only_on_one_channel_fails_the_strict_assertion():
    from mathcheck.testing import assert_vae_loss

    with pytest.raises(AssertionError, match=r"if the data is \(B, 1, H, W\)"):
        assert_vae_loss(loss_sum_23_then_mean, allow_conventions=False)


# --- round 6b (attack 12): inputs changed in place, sizes cut by the code, grey levels, a KL-weight keyword ---

def sample_add_into_mu(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu.add_(torch.randn_like(std) * std)


def sample_iadd_into_mu(mu, logvar):
    std = torch.exp(0.5 * logvar)
    mu += torch.randn_like(std) * std
    return mu


def sample_halve_logvar_in_place(mu, logvar):
    std = logvar.mul_(0.5).exp_()
    return mu + torch.randn_like(std) * std


def sample_imul_logvar(mu, logvar):
    logvar *= 0.5
    std = logvar.exp()
    return mu + torch.randn_like(std) * std


def sample_eps_mul_add_in_place(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    return eps.mul_(std).add_(mu)


def sample_new_empty_normal_in_place(mu, logvar):
    std = logvar.mul(0.5).exp_()
    return std.new_empty(std.size()).normal_().mul_(std).add_(mu)


def loss_mu_pow_in_place(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow_(2) - logvar.exp())


def loss_logvar_exp_in_place(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    log_variance = logvar.clone()
    return bce - 0.5 * torch.sum(1 + log_variance - mu.pow(2) - logvar.exp_())


def kl_mu_mul_in_place(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.mul_(mu) - logvar.exp())


def loss_pow_in_place_on_a_clone(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.clone().pow_(2) - logvar.exp())


def loss_clamp_in_place_far_outside(recon_x, x, mu, logvar):
    logvar = logvar.clamp_(-10.0, 10.0)
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


@pytest.mark.parametrize("function, argument", [(sample_add_into_mu, "mu"), (sample_iadd_into_mu, "mu"),
                                                (sample_halve_logvar_in_place, "logvar"),
                                                (sample_imul_logvar, "logvar")], ids=lambda v: getattr(v, "__name__", v))
def test_a_sampler_changing_its_input_in_place_is_a_bug_naming_it(function, argument):
    report = _report(function)
    named = [f for f in report.findings if f.severity == "bug" and f.evidence.get("argument") == argument
             and f.evidence.get("in_place")]
    assert report.verdict == "bug" and named, _describe(report)


def test_a_numpy_sampler_adding_into_mu_is_a_bug():
    def sample_np_add_into_mu(mu, logvar):
        mu += np.random.standard_normal(mu.shape) * np.exp(0.5 * logvar)
        return mu

    report = _report(sample_np_add_into_mu)
    assert report.role == "reparameterize" and report.verdict == "bug" and any(
        f.evidence.get("in_place") for f in report.findings), _describe(report)


@pytest.mark.parametrize("function, argument", [(loss_mu_pow_in_place, "mu"), (loss_logvar_exp_in_place, "logvar"),
                                                (kl_mu_mul_in_place, "mu")], ids=lambda v: getattr(v, "__name__", v))
def test_a_loss_or_kl_changing_its_input_in_place_is_a_bug_naming_it(function, argument):
    report = _report(function)
    assert report.verdict == "bug" and any(f.evidence.get("argument") == argument and f.evidence.get("in_place")
                                           for f in report.findings), _describe(report)


@pytest.mark.parametrize("function", [sample_eps_mul_add_in_place, sample_new_empty_normal_in_place,
                                      loss_pow_in_place_on_a_clone, loss_clamp_in_place_far_outside], ids=_name)
def test_in_place_work_on_own_temporaries_stays_correct(function):
    report = _report(function)
    assert report.verdict == "correct" and not any(f.evidence.get("in_place") for f in report.findings), \
        _describe(report)


LATENT_KEPT = 8


def _kl_sum(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def loss_kl_first_latent_dims(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu[:, :LATENT_KEPT], logvar[:, :LATENT_KEPT])


def loss_kl_narrowed(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu.narrow(1, 0, 10), logvar.narrow(1, 0, 10))


def loss_kl_guarded_slice(recon_x, x, mu, logvar):
    if mu.shape[1] > 10:
        mu, logvar = mu[:, :10], logvar[:, :10]
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def kl_first_sixteen_dims(mu, logvar):
    return _kl_sum(mu[:, :16], logvar[:, :16])


def loss_recon_first_784_pixels(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x[:, :784], x[:, :784], reduction="sum") + _kl_sum(mu, logvar)


def loss_kl_first_32_rows(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu[:32], logvar[:32])


def loss_recon_first_64_rows(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x[:64], x[:64], reduction="sum") + _kl_sum(mu, logvar)


def sample_dims_7_8_shared(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    if eps.size(1) > 8:
        eps[:, 8] = eps[:, 7]
    return mu + eps * std


def sample_no_noise_past_10(mu, logvar):
    std = torch.exp(0.5 * logvar)
    eps = torch.randn_like(std)
    if eps.size(1) > 10:
        eps[:, 10:] = 0
    return mu + eps * std


def loss_view_784(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum") + _kl_sum(mu, logvar)


def loss_view_784_batch_mean(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x.view(-1, 784), x.view(-1, 784), reduction="none").sum(1)
    return (bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)).mean()


def loss_clamp_with_integer_bounds(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar.clamp(-30, 20))


def loss_whole_slices(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x[:, :], x[:, :], reduction="sum") + _kl_sum(mu[:, :], logvar[:, :])


@pytest.mark.parametrize("function", [loss_kl_first_latent_dims, loss_kl_narrowed, loss_kl_guarded_slice,
                                      kl_first_sixteen_dims], ids=_name)
def test_a_kl_over_the_first_latent_dims_only_is_a_bug_by_default(function):
    report = _report(function)
    assert report.verdict == "bug" and any(f.code == "kl-form" for f in report.findings), _describe(report)


def test_a_reconstruction_over_the_first_784_pixels_only_is_a_bug_by_default():
    report = _report(loss_recon_first_784_pixels)
    assert report.verdict == "bug" and any(f.code == "reconstruction-form" for f in report.findings), \
        _describe(report)


@pytest.mark.parametrize("function", [loss_kl_first_32_rows, loss_recon_first_64_rows], ids=_name)
def test_a_term_over_the_first_rows_of_the_batch_only_is_a_bug_by_default(function):
    report = _report(function)
    assert report.verdict == "bug", _describe(report)


@pytest.mark.parametrize("function", [sample_dims_7_8_shared, sample_no_noise_past_10], ids=_name)
def test_a_sampler_wrong_past_a_hard_coded_latent_dim_is_a_bug_by_default(function):
    report = _report(function)
    assert report.verdict == "bug" and any(f.code == "sampler-deterministic" for f in report.findings), \
        _describe(report)


@pytest.mark.parametrize("function", [loss_view_784, loss_view_784_batch_mean, loss_clamp_with_integer_bounds,
                                      loss_whole_slices], ids=_name)
def test_losses_whose_literals_cut_nothing_stay_correct(function):
    report = _report(function)
    assert report.verdict == "correct", _describe(report)


def test_cut_sizes_read_slices_and_size_comparisons_but_not_views():
    from mathcheck.code.cutoffs import cut_sizes

    assert cut_sizes(loss_kl_first_32_rows)[:2] == (32, 0)
    assert cut_sizes(sample_dims_7_8_shared)[:2] == (0, 8)
    assert cut_sizes(loss_kl_first_latent_dims)[:2] == (0, LATENT_KEPT)
    assert cut_sizes(loss_view_784) == (0, 0, {784})


def loss_where_threshold(recon_x, x, mu, logvar):
    bce = -torch.sum(torch.where(x > 0.5, torch.log(recon_x), torch.log(1 - recon_x)))
    return bce + _kl_sum(mu, logvar)


def loss_bce_rounded_target(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x.round(), reduction="sum") + _kl_sum(mu, logvar)


def loss_x_squared_log_r(recon_x, x, mu, logvar):
    bce = -torch.sum(x ** 2 * torch.log(recon_x) + (1 - x) ** 3 * torch.log(1 - recon_x))
    return bce + _kl_sum(mu, logvar)


def loss_log_of_observed_probability(recon_x, x, mu, logvar):
    return -torch.sum(torch.log(x * recon_x + (1 - x) * (1 - recon_x))) + _kl_sum(mu, logvar)


def loss_manual_cross_entropy(recon_x, x, mu, logvar):
    bce = -torch.sum(x * torch.log(recon_x + 1e-10) + (1 - x) * torch.log(1 - recon_x + 1e-10))
    return bce + _kl_sum(mu, logvar)


def loss_validated_bernoulli(recon_x, x, mu, logvar):
    nll = -torch.distributions.Bernoulli(probs=recon_x, validate_args=True).log_prob(x).sum()
    return nll + _kl_sum(mu, logvar)


def loss_plain_bce(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


@pytest.mark.parametrize("function", [loss_where_threshold, loss_bce_rounded_target, loss_x_squared_log_r,
                                      loss_log_of_observed_probability], ids=_name)
def test_a_bernoulli_term_equal_to_the_bce_on_binary_data_only_is_correct_only_if_the_data_is_binary(function):
    report = _report(function)
    notes = [f for f in report.findings if f.severity == "note" and "grey levels" in f.message]
    assert report.verdict == "correct" and "the data is binary" in (report.identified.get("condition") or "") \
        and notes, _describe(report)


@pytest.mark.parametrize("function", [loss_where_threshold, loss_bce_rounded_target], ids=_name)
def test_a_target_thresholded_at_one_half_is_named_as_binarized(function):
    report = _report(function)
    assert any("binarized at 0.5" in f.message for f in report.findings), _describe(report)


@pytest.mark.parametrize("function", [loss_plain_bce, loss_manual_cross_entropy, loss_validated_bernoulli], ids=_name)
def test_a_cross_entropy_that_holds_on_grey_levels_has_no_binary_condition(function):
    report = _report(function)
    assert report.verdict == "correct" and not report.identified.get("condition"), _describe(report)


def test_a_loss_correct_only_on_binary_data_fails_the_strict_assertion():
    from mathcheck.testing import assert_vae_loss

    with pytest.raises(AssertionError, match="if the data is binary"):
        assert_vae_loss(loss_where_threshold, allow_conventions=False)


def loss_beta_on_the_reconstruction(recon_x, x, mu, logvar, beta=1.0):
    return beta * F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def loss_beta_4_on_the_reconstruction(recon_x, x, mu, logvar, beta=4.0):
    return beta * F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def loss_keyword_only_beta_on_the_reconstruction(recon_x, x, mu, logvar, *, beta=2.0):
    return beta * F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def loss_beta_unused(recon_x, x, mu, logvar, beta=1.0):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def loss_beta_on_the_whole_loss(recon_x, x, mu, logvar, beta=1.0):
    return beta * (F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar))


def loss_kl_weight_dividing(recon_x, x, mu, logvar, kl_weight=1.0):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar) / kl_weight


def kl_beta_squared(mu, logvar, beta=1.0):
    return beta ** 2 * _kl_sum(mu, logvar)


def loss_beta_on_the_kl(recon_x, x, mu, logvar, beta=1.0):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + beta * _kl_sum(mu, logvar)


def loss_kl_weight_half(recon_x, x, mu, logvar, kl_weight=0.5):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + kl_weight * _kl_sum(mu, logvar)


def loss_keyword_only_integer_beta(recon_x, x, mu, logvar, *, beta=4):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + beta * _kl_sum(mu, logvar)


def kl_beta_weighted(mu, logvar, beta=1.0):
    return beta * _kl_sum(mu, logvar)


def loss_four_times_the_reconstruction(recon_x, x, mu, logvar):
    return 4.0 * F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar)


def loss_four_times_both_terms(recon_x, x, mu, logvar):
    return 4.0 * (F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_sum(mu, logvar))


@pytest.mark.parametrize("function", [loss_beta_on_the_reconstruction, loss_beta_4_on_the_reconstruction,
                                      loss_keyword_only_beta_on_the_reconstruction], ids=_name)
def test_a_beta_keyword_on_the_reconstruction_is_a_bug(function):
    report = _report(function)
    beta = [f for f in report.findings if f.code == "beta" and f.severity == "bug"]
    assert report.verdict == "bug" and beta and "weights the reconstruction" in beta[0].message, _describe(report)


@pytest.mark.parametrize("function", [loss_beta_unused, loss_beta_on_the_whole_loss, loss_kl_weight_dividing,
                                      kl_beta_squared], ids=_name)
def test_a_kl_weight_keyword_that_does_not_scale_the_kl_alone_is_a_bug(function):
    report = _report(function)
    assert report.verdict == "bug" and any(f.code == "beta" and f.severity == "bug" for f in report.findings), \
        _describe(report)


@pytest.mark.parametrize("function", [loss_beta_on_the_kl, loss_kl_weight_half, loss_keyword_only_integer_beta,
                                      kl_beta_weighted], ids=_name)
def test_a_kl_weight_keyword_on_the_kl_stays_correct_or_a_beta_convention(function):
    report = _report(function)
    assert report.verdict in ("correct", "convention") and all(f.severity != "bug" for f in report.findings), \
        _describe(report)


def test_the_scale_note_names_the_elbo_optimum_only_when_the_kl_carries_the_same_factor():
    only_recon = [f for f in _report(loss_four_times_the_reconstruction).findings if f.code == "scale"]
    both = [f for f in _report(loss_four_times_both_terms).findings if f.code == "scale"]
    assert only_recon and "not the ELBO's" in only_recon[0].message and "the optimum is the ELBO's" \
        not in only_recon[0].message
    assert both and "the optimum is the ELBO's" in both[0].message
