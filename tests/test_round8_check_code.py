"""check-code, round 8: encoder outputs cut inside the function, priors given as keywords, noise shared across
the rows of a supplied eps, Bernoulli decoders on grey levels, and one source reader.

- an argument holding the whole encoder output (``mu, logvar = h.chunk(2, dim=-1)``; ``torch.split``,
  ``unbind``, ``narrow``, slices, indices, unpacking, ``np.split``) is read through its pieces, so the KL
  and sampler checks run on them; ``split``/``topk`` sizes are cut sizes;
- ``prior_mu``/``prior_logvar``-like keywords are called at a non-standard prior, which must give the KL
  against it (the KL against N(m, s²) is the standard one at μ' = (μ − m)/s, σ' = σ/s);
- a sampler given eps that repeats one row (or one column) of it is ``sampler-deterministic``;
- Bernoulli NLLs on grey levels in [0, 1] (and the continuous Bernoulli, their normalized form) are no bug;
- one ``syntax_tree`` reader for the cut sizes and the layouts.
"""
from __future__ import annotations

import ast
import inspect
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional
D = torch.distributions

from mathcheck.code import UsageError, check  # noqa: E402
from mathcheck.code import cutoffs, layouts, source  # noqa: E402
from mathcheck.code.encoder import encoder_output_cut, join_pieces  # noqa: E402
from mathcheck.code.priors import prior_parameters  # noqa: E402
from mathcheck.code.reconstruction import BY_NAME  # noqa: E402
from tests.check_code_reports import described, one_report  # noqa: E402


def _name(function) -> str:
    return getattr(function, "__qualname__", function.__name__)


def _kl(mu, logvar):
    """The reference KL against N(0, 1), summed: torch.distributions, not a closed form typed here."""
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    return D.kl_divergence(q, D.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum()


def _kl_per_dim_mean(mu, logvar):
    return _kl(mu, logvar) / mu.shape[1]


def _bugs(report) -> list[str]:
    return [finding.code for finding in report.findings if finding.severity == "bug"]


# --- 1. encoder outputs cut inside the function ----------------------------------------------------------

def chunk_last(h):
    mu, logvar = h.chunk(2, dim=-1)
    return _kl(mu, logvar)


def chunk_last_mean(h):
    mu, logvar = h.chunk(2, dim=-1)
    return _kl_per_dim_mean(mu, logvar)


def torch_chunk_dim1(encoded):
    z_mean, z_log_var = torch.chunk(encoded, 2, dim=1)
    return _kl(z_mean, z_log_var)


def torch_chunk_dim1_sign(encoded):
    z_mean, z_log_var = torch.chunk(encoded, 2, dim=1)
    return -_kl(z_mean, z_log_var)


def split_half(recon_x, x, h):
    mu, logvar = torch.split(h, h.size(1) // 2, dim=1)
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl(mu, logvar)


def split_half_pixel_mean(recon_x, x, h):
    mu, logvar = h.split(h.shape[-1] // 2, -1)
    return F.binary_cross_entropy(recon_x, x, reduction="mean") + _kl(mu, logvar)


def unbind_log_std(h):
    mu, log_std = h.unbind(1)
    return _kl(mu, 2 * log_std)


def unbind_mu_sign(h):
    mu, logvar = torch.unbind(h, dim=-1)
    return 0.5 * torch.sum(-logvar + torch.exp(logvar) - 1 - mu**2)


def narrow_local(h):
    d = h.size(1) // 2
    mu = h.narrow(1, 0, d)
    logvar = h.narrow(1, d, d)
    return _kl(mu, logvar)


def narrow_local_constant(h):
    d = h.size(1) // 2
    mu = h.narrow(1, 0, d)
    logvar = h.narrow(1, d, d)
    return -0.5 * torch.sum(logvar - mu.pow(2) - logvar.exp())


def slices_half(stats):
    mean, log_var = stats[:, :stats.shape[1] // 2], stats[:, stats.shape[1] // 2:]
    return _kl(mean, log_var)


def slices_half_detached(stats):
    mean, log_var = stats[:, :stats.shape[1] // 2], stats[:, stats.shape[1] // 2:]
    return _kl(mean, log_var.detach())


def indices_stacked(params):
    mu = params[:, 0]
    logvar = params[:, 1]
    return _kl(mu, logvar)


def indices_stacked_mean(params):
    mu = params[:, 0]
    logvar = params[:, 1]
    return _kl_per_dim_mean(mu, logvar)


def unpacked_sigma(moments):
    mu, sigma = moments
    return _kl(mu, 2 * torch.log(sigma))


def unpacked_sigma_mu_missing(moments):
    mu, sigma = moments
    return _kl(torch.zeros_like(mu), 2 * torch.log(sigma)) + 0 * mu.sum()


def numpy_split(h):
    mu, logvar = np.split(h, 2, axis=1)
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar))


def numpy_split_mean(h):
    mu, logvar = np.split(h, 2, axis=1)
    return -0.5 * np.mean(1 + logvar - mu**2 - np.exp(logvar))


def chunk_sampler(h):
    mu, logvar = h.chunk(2, dim=-1)
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def chunk_sampler_exp_std(h):
    mu, logvar = h.chunk(2, dim=-1)
    return mu + torch.exp(logvar) * torch.randn_like(mu) * torch.exp(logvar)


def split_list_of_halves(h):
    d = h.shape[1] // 2
    mu, logvar = torch.split(h, [d, d], dim=1)
    return _kl(mu, logvar)


def split_list_of_halves_sign(h):
    d = h.shape[1] // 2
    mu, logvar = torch.split(h, [d, d], dim=1)
    return -_kl(mu, logvar)


def encoder_output_middle_index(encoder_output):
    mu, log_var = encoder_output[:, 0, :], encoder_output[:, 1, :]
    return _kl(mu, log_var)


def encoder_output_middle_index_mean(encoder_output):
    mu, log_var = encoder_output[:, 0, :], encoder_output[:, 1, :]
    return _kl_per_dim_mean(mu, log_var)


def keras_like_sampling(inputs):
    z_mean, z_log_var = inputs
    return z_mean + torch.exp(0.5 * z_log_var) * torch.randn_like(z_mean)


def keras_like_sampling_shared_noise(inputs):
    z_mean, z_log_var = inputs
    return z_mean + torch.exp(0.5 * z_log_var) * torch.randn(z_mean.shape[-1], dtype=z_mean.dtype)


class EncoderVAE(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.z_dim = 20

    def loss_function(self, recon_x, x, h):
        mu, logvar = h[:, :self.z_dim], h[:, self.z_dim:]
        return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl(mu, logvar)

    def reparameterize(self, h):
        mu, logvar = torch.split(h, self.z_dim, dim=1)
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


class EncoderVAEWithBugs(EncoderVAE):
    def loss_function(self, recon_x, x, h):
        mu, logvar = h[:, :self.z_dim], h[:, self.z_dim:]
        return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_per_dim_mean(mu, logvar)

    def reparameterize(self, h):
        mu, logvar = torch.split(h, self.z_dim, dim=1)
        return mu + 0.01 * torch.randn_like(mu) + 0 * logvar


CORRECT_CUTS = [chunk_last, torch_chunk_dim1, split_half, unbind_log_std, narrow_local, slices_half, indices_stacked,
                unpacked_sigma, numpy_split, chunk_sampler, split_list_of_halves, encoder_output_middle_index,
                keras_like_sampling, EncoderVAE().loss_function, EncoderVAE().reparameterize]
PLANTED_BUGS = [(chunk_last_mean, "kl-mean-over-latent"), (torch_chunk_dim1_sign, "kl-sign"),
                (split_half_pixel_mean, "reduction-mismatch"), (unbind_mu_sign, "kl-form"),
                (narrow_local_constant, "kl-constant"), (slices_half_detached, "kl-form"),
                (indices_stacked_mean, "kl-mean-over-latent"), (unpacked_sigma_mu_missing, "kl-form"),
                (numpy_split_mean, "kl-mean-over-latent"), (chunk_sampler_exp_std, "sampler-std"),
                (split_list_of_halves_sign, "kl-sign"), (encoder_output_middle_index_mean, "kl-mean-over-latent"),
                (keras_like_sampling_shared_noise, "sampler-deterministic"),
                (EncoderVAEWithBugs().loss_function, "kl-mean-over-latent"),
                (EncoderVAEWithBugs().reparameterize, "sampler-std")]


@pytest.mark.parametrize("function", CORRECT_CUTS, ids=_name)
def test_a_correct_function_of_a_cut_encoder_output_is_correct(function):
    report = one_report(function)
    assert report.verdict == "correct", described(report)
    assert "encoder output" in report.identified, described(report)


@pytest.mark.parametrize("function, code", PLANTED_BUGS, ids=[_name(f) for f, _ in PLANTED_BUGS])
def test_a_bug_behind_a_cut_encoder_output_is_found(function, code):
    report = one_report(function)
    assert report.verdict == "bug", described(report)
    assert code in _bugs(report), described(report)


@pytest.mark.parametrize("function, pieces", [(chunk_last, ("mu", "logvar")),
                                              (torch_chunk_dim1, ("z_mean", "z_log_var")),
                                              (unbind_log_std, ("mu", "log_std")), (narrow_local, ("mu", "logvar")),
                                              (indices_stacked, ("mu", "logvar")), (unpacked_sigma, ("mu", "sigma"))],
                         ids=["chunk", "torch-chunk", "unbind", "narrow", "indices", "unpacking"])
def test_the_pieces_of_a_cut_are_read_in_the_order_the_code_assigns_them(function, pieces):
    assert encoder_output_cut(function, {}).names == pieces


@pytest.mark.parametrize("join, axis", [("concatenated", -1), ("concatenated", 1), ("stacked", 0), ("stacked", 1),
                                        ("stacked", -1)], ids=["cat-last", "cat-1", "stack-0", "stack-1", "stack-last"])
def test_joined_pieces_cut_by_the_matching_torch_call_give_the_pieces_back(join, axis):
    mu, scale = torch.randn(4, 3), torch.randn(4, 3)
    whole = join_pieces([mu, scale], join, axis)
    back = whole.chunk(2, dim=axis) if join == "concatenated" else whole.unbind(axis)
    assert torch.equal(back[0], mu) and torch.equal(back[1], scale)


def three_pieces(h):
    mu, logvar, extra = h.chunk(3, dim=-1)
    return _kl(mu, logvar) + extra.sum()


def uncut_argument(h):
    return h.pow(2).sum()


def pieces_without_roles(h):
    first, second = h.chunk(2, dim=-1)
    return _kl(first, second)


def slice_of_unknown_size(h, size=None):
    mu, logvar = h[:, :size], h[:, size:]
    return _kl(mu, logvar)


ENCODER_FILE = """
import torch


def loss_function(recon_x, x, h):
    mu, logvar = h.chunk(2, dim=-1)
    bce = torch.nn.functional.binary_cross_entropy(recon_x, x, reduction="sum")
    return bce - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_of_stats(stats):
    mu, log_var = torch.unbind(stats, dim=1)
    return -0.5 * torch.mean(1 + log_var - mu.pow(2) - log_var.exp())
"""


def test_a_file_s_functions_of_a_cut_encoder_output_are_found_and_checked(tmp_path):
    from mathcheck.code.targets import load_targets

    path = tmp_path / "encoder_model.py"
    path.write_text(ENCODER_FILE)
    targets = load_targets([str(path)])
    report = check(*[(target.name, target.function) for target in targets])
    verdicts = {target.rsplit("::", 1)[1]: verdict for target, verdict in
                ((function.target, function.verdict) for function in report.functions)}
    assert verdicts == {"loss_function": "correct", "kl_of_stats": "bug"}, report.to_text()


def test_an_argument_given_a_role_with_inputs_is_not_read_as_a_cut():
    assert encoder_output_cut(chunk_last, {"h": "mu"}) is None


@pytest.mark.parametrize("function", [three_pieces, uncut_argument, pieces_without_roles], ids=_name)
def test_an_argument_not_cut_into_a_named_mean_and_scale_stays_without_a_role(function):
    with pytest.raises(UsageError, match="cannot tell what argument 'h' is"):
        check(function)


def slice_at_half_the_batch(h):
    mu, logvar = h[:, :h.size(0) // 2], h[:, h.size(0) // 2:]
    return _kl(mu, logvar)


def cut_differently_per_branch(h, swapped=False):
    if swapped:
        logvar, mu = h.chunk(2, dim=1)
    else:
        mu, logvar = h.chunk(2, dim=1)
    return _kl(mu, logvar)


def cut_after_a_transform(h):
    h = torch.tanh(h)
    mu, logvar = h.chunk(2, dim=1)
    return _kl(mu, logvar)


@pytest.mark.parametrize("function", [slice_of_unknown_size, slice_at_half_the_batch, cut_differently_per_branch,
                                      cut_after_a_transform], ids=_name)
def test_a_cut_whose_pieces_the_code_does_not_fix_is_not_read(function):
    assert encoder_output_cut(function, {}) is None


def kl_top_dims(mu, logvar):
    kl = D.kl_divergence(D.Normal(mu, torch.exp(0.5 * logvar)), D.Normal(torch.zeros_like(mu), torch.ones_like(mu)))
    return kl.topk(8, dim=1).values.sum()


def kl_first_split(mu, logvar):
    return _kl(torch.split(mu, 8, dim=1)[0], torch.split(logvar, 8, dim=1)[0])


def kl_whole_split(mu, logvar):
    return sum(_kl(m, v) for m, v in zip(torch.split(mu, 8, dim=1), torch.split(logvar, 8, dim=1)))


@pytest.mark.parametrize("function", [kl_top_dims, kl_first_split], ids=_name)
def test_a_kl_over_the_dims_a_split_or_topk_keeps_is_a_bug(function):
    report = one_report(function)
    assert report.verdict == "bug", described(report)


def test_a_kl_summed_over_every_split_piece_stays_correct():
    report = one_report(kl_whole_split)
    assert report.verdict == "correct", described(report)


@pytest.mark.parametrize("function, size", [(kl_top_dims, 8), (kl_first_split, 8)], ids=["topk", "split"])
def test_the_sizes_split_and_topk_name_are_cut_sizes(function, size):
    assert cutoffs.cut_sizes(function)[1] == size


# --- 2. priors given as keywords -------------------------------------------------------------------------

def _kl_against(mu, logvar, prior_mean, prior_std):
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    p = D.Normal(torch.as_tensor(prior_mean, dtype=mu.dtype).expand_as(mu),
                 torch.as_tensor(prior_std, dtype=mu.dtype).expand_as(mu))
    return D.kl_divergence(q, p).sum()


def prior_logvar_closed_form(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    return 0.5 * torch.sum(prior_logvar - logvar + (logvar.exp() + (mu - prior_mu) ** 2) / prior_logvar.exp() - 1)


def prior_mu_p_distributions(mu, logvar, mu_p=0.0, logvar_p=0.0):
    return _kl_against(mu, logvar, mu_p, torch.exp(0.5 * torch.as_tensor(logvar_p, dtype=mu.dtype)))


def prior_mean_std_none(mu, log_std, prior_mean=None, prior_std=None):
    mean = 0.0 if prior_mean is None else prior_mean
    std = 1.0 if prior_std is None else prior_std
    return _kl_against(mu, 2 * log_std, mean, std)


def loss_with_prior_and_beta(recon_x, x, mu, logvar, p_mu=0.0, p_log_var=0.0, beta=1.0):
    prior_std = torch.exp(0.5 * torch.as_tensor(p_log_var, dtype=mu.dtype))
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + beta * _kl_against(mu, logvar, p_mu, prior_std)


def prior_variance_not_dividing_the_mean(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    return 0.5 * torch.sum(prior_logvar - logvar + logvar.exp() / prior_logvar.exp() + (mu - prior_mu) ** 2 - 1)


def prior_log_term_sign(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    prior_logvar = torch.as_tensor(prior_logvar, dtype=mu.dtype)
    return 0.5 * torch.sum(-prior_logvar - logvar + (logvar.exp() + (mu - prior_mu) ** 2) / prior_logvar.exp() - 1)


def prior_ignored(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    return _kl(mu, logvar)


def prior_std_given_as_variance(mu, log_std, prior_mean=None, prior_std=None):
    mean = 0.0 if prior_mean is None else prior_mean
    std = 1.0 if prior_std is None else prior_std
    return _kl_against(mu, 2 * log_std, mean, torch.as_tensor(std, dtype=mu.dtype) ** 2)


def loss_prior_mean_added(recon_x, x, mu, logvar, p_mu=0.0, p_log_var=0.0):
    prior_std = torch.exp(0.5 * torch.as_tensor(p_log_var, dtype=mu.dtype))
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl_against(mu + 2 * torch.as_tensor(p_mu), logvar,
                                                                             p_mu, prior_std)


def prior_python_numbers_only(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    assert isinstance(prior_mu, float) and isinstance(prior_logvar, float)
    return 0.5 * torch.sum(prior_logvar - logvar + (logvar.exp() + (mu - prior_mu) ** 2) / math.exp(prior_logvar) - 1)


def prior_python_numbers_variance_squared(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    assert isinstance(prior_mu, float) and isinstance(prior_logvar, float)
    variance = math.exp(prior_logvar)
    return 0.5 * torch.sum(prior_logvar - logvar + (logvar.exp() + (mu - prior_mu) ** 2) / variance**2 - 1)


def prior_per_latent_dim(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    mean, log_variance = torch.as_tensor(prior_mu, dtype=mu.dtype), torch.as_tensor(prior_logvar, dtype=mu.dtype)
    assert mean.dim() <= 1 and log_variance.dim() <= 1
    return _kl_against(mu, logvar, mean, torch.exp(0.5 * log_variance))


def prior_logvar_used_as_log_std(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    return _kl_against(mu, logvar, prior_mu, torch.exp(torch.as_tensor(prior_logvar, dtype=mu.dtype)))


def prior_tensor_defaults(mu, logvar, prior_mu=torch.zeros(1, dtype=torch.float64),
                          prior_logvar=torch.zeros(1, dtype=torch.float64)):
    return _kl_against(mu, logvar, prior_mu, torch.exp(0.5 * prior_logvar))


def prior_tensor_defaults_variance_left_out(mu, logvar, prior_mu=torch.zeros(1, dtype=torch.float64),
                                            prior_logvar=torch.zeros(1, dtype=torch.float64)):
    return 0.5 * torch.sum(prior_logvar - logvar + logvar.exp() + (mu - prior_mu) ** 2 - 1)


CORRECT_PRIORS = [prior_tensor_defaults, prior_logvar_closed_form, prior_mu_p_distributions, prior_mean_std_none,
                  loss_with_prior_and_beta, prior_python_numbers_only, prior_per_latent_dim]
WRONG_PRIORS = [prior_variance_not_dividing_the_mean, prior_log_term_sign, prior_ignored, prior_std_given_as_variance,
                loss_prior_mean_added, prior_python_numbers_variance_squared, prior_tensor_defaults_variance_left_out]


@pytest.mark.parametrize("function", CORRECT_PRIORS, ids=_name)
def test_a_kl_right_against_a_non_standard_prior_stays_correct(function):
    report = one_report(function)
    assert report.verdict == "correct", described(report)


@pytest.mark.parametrize("function", WRONG_PRIORS, ids=_name)
def test_a_kl_right_only_at_the_standard_prior_is_a_bug(function):
    report = one_report(function)
    assert report.verdict == "bug", described(report)
    assert any(f.code == "kl-form" and "non-standard prior" in f.message for f in report.findings), described(report)


def test_a_prior_scale_keyword_acting_as_another_parameterization_is_correct_only_under_that_reading():
    report = one_report(prior_logvar_used_as_log_std)
    assert report.verdict == "correct", described(report)
    assert report.identified.get("condition") == "prior_logvar holds log s", described(report)


@pytest.mark.parametrize("function, roles", [
    (prior_logvar_closed_form, {"prior_mu": "mu", "prior_logvar": "logvar"}),
    (prior_mu_p_distributions, {"mu_p": "mu", "logvar_p": "logvar"}),
    (prior_mean_std_none, {"prior_mean": "mu", "prior_std": "sigma"}),
    (loss_with_prior_and_beta, {"p_mu": "mu", "p_log_var": "logvar"})], ids=["prior_", "_p", "mean-std", "p_"])
def test_prior_keywords_are_read_with_their_meaning(function, roles):
    assert prior_parameters(function) == roles


def test_the_prior_identity_holds_for_the_reference_kl():
    """KL(N(μ, σ²) ‖ N(m, s²)) = KL(N((μ − m)/s, (σ/s)²) ‖ N(0, 1)), torch.distributions on both sides."""
    generator = torch.Generator().manual_seed(3)
    mu, logvar = torch.randn(5, 3, generator=generator, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    m, s = torch.rand(5, 3, dtype=torch.float64) - 0.5, torch.rand(5, 3, dtype=torch.float64) + 0.5
    moved = _kl_against((mu - m) / s, logvar - 2 * torch.log(s), 0.0, 1.0)
    assert math.isclose(float(_kl_against(mu, logvar, m, s)), float(moved), rel_tol=1e-12)


# --- 3. noise shared across the rows of a supplied eps ---------------------------------------------------

def first_row_of_eps(mu, logvar, eps):
    return mu + torch.exp(0.5 * logvar) * eps[0]


def first_rows_slice(mean, log_var, noise):
    return mean + torch.exp(0.5 * log_var) * noise[:1]


def first_column_of_eps(mu, std, eps):
    return mu + std * eps[:, :1]


def half_the_rows_repeated(mu, logvar, epsilon):
    half = (mu.shape[0] + 1) // 2
    return mu + torch.exp(0.5 * logvar) * epsilon[:half].repeat(2, 1)[:mu.shape[0]]


def one_latent_dim_shared_across_rows(mu, logvar):
    rows, latent = mu.shape
    own = torch.randn(rows, latent - 1, dtype=mu.dtype)
    shared = torch.randn(1, 1, dtype=mu.dtype).expand(rows, 1)
    return mu + torch.exp(0.5 * logvar) * torch.cat([own, shared], dim=1)


def test_a_sampler_drawing_one_latent_dim_once_per_call_is_deterministic_noise():
    report = one_report(one_latent_dim_shared_across_rows, roles="reparameterize")
    assert "sampler-deterministic" in _bugs(report), described(report)


def eps_used_row_by_row(mu, logvar, eps):
    return mu + torch.exp(0.5 * logvar) * eps


def eps_rows_reversed(mu, std, eps):
    return mu + std * eps.flip(1)


@pytest.mark.parametrize("function", [first_row_of_eps, first_rows_slice, first_column_of_eps, half_the_rows_repeated],
                         ids=_name)
def test_a_sampler_sharing_the_supplied_noise_is_deterministic_noise(function):
    report = one_report(function, roles="reparameterize")
    assert "sampler-deterministic" in _bugs(report), described(report)


def test_a_sampler_using_the_supplied_noise_row_by_row_stays_correct():
    report = one_report(eps_used_row_by_row, roles="reparameterize")
    assert report.verdict == "correct", described(report)


def test_a_sampler_permuting_the_supplied_noise_is_not_called_shared():
    report = one_report(eps_rows_reversed, roles="reparameterize")
    assert "sampler-deterministic" not in _bugs(report), described(report)


# --- 4. Bernoulli decoders on grey levels -----------------------------------------------------------------

def bce_probs(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, x, reduction="sum") + _kl(mu, logvar)


def bce_logits_per_example(logits, x, mu, logvar):
    rows = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    kl = D.kl_divergence(D.Normal(mu, torch.exp(0.5 * logvar)), D.Normal(0.0, 1.0)).sum(1)
    return (rows + kl).mean()


def bernoulli_distribution_validated(recon_x, x, mu, logvar):
    return -D.Bernoulli(probs=recon_x).log_prob(x).sum() + _kl(mu, logvar)


def bernoulli_xlogy(x_hat, x, mu, logvar):
    return -torch.sum(torch.xlogy(x, x_hat) + torch.xlogy(1 - x, 1 - x_hat)) + _kl(mu, logvar)


def continuous_bernoulli_logits(logits, x, mu, logvar):
    return -D.ContinuousBernoulli(logits=logits).log_prob(x).sum() + _kl(mu, logvar)


def continuous_bernoulli_probs(recon_x, images, mu, logvar):
    return -D.ContinuousBernoulli(probs=recon_x, validate_args=False).log_prob(images).sum() + _kl(mu, logvar)


def continuous_bernoulli_normalizer_sign(logits, x, mu, logvar):
    cb = D.ContinuousBernoulli(logits=logits)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    return bce + (bce + cb.log_prob(x).sum()) + _kl(mu, logvar)  # BCE + log C: the normalizer's sign flipped


BCE_MODULE = torch.nn.BCELoss(reduction="sum")


def bce_loss_module(recon_x, x, mu, logvar):
    return BCE_MODULE(recon_x, x) + _kl(mu, logvar)


def bernoulli_softplus_logits(logits, targets, mu, logvar):
    return (F.softplus(logits) - targets * logits).sum() + _kl(mu, logvar)


def dynamically_binarized_targets(recon_x, x, mu, logvar):
    return F.binary_cross_entropy(recon_x, torch.bernoulli(x), reduction="sum") + _kl(mu, logvar)


GREY_LEVEL_BERNOULLI = [bce_probs, bce_logits_per_example, bernoulli_distribution_validated, bernoulli_xlogy,
                        continuous_bernoulli_logits, continuous_bernoulli_probs, bce_loss_module,
                        bernoulli_softplus_logits]


@pytest.mark.parametrize("function", GREY_LEVEL_BERNOULLI, ids=_name)
def test_a_bernoulli_decoder_usable_on_grey_levels_is_no_bug(function):
    report = one_report(function)
    assert report.verdict == "correct", described(report)
    assert not [f for f in report.findings if f.severity == "bug"], described(report)


def test_a_bernoulli_nll_of_dynamically_binarized_grey_levels_is_at_most_conditional():
    report = one_report(dynamically_binarized_targets)
    assert report.verdict == "correct" and report.identified.get("condition") == "the data is binary", \
        described(report)


def test_a_continuous_bernoulli_with_the_normalizer_sign_flipped_is_a_bug():
    report = one_report(continuous_bernoulli_normalizer_sign)
    assert "reconstruction-form" in _bugs(report), described(report)


@pytest.mark.parametrize("family, given", [("continuous-bernoulli-probs", "probs"),
                                          ("continuous-bernoulli-logits", "logits")], ids=["probs", "logits"])
def test_the_continuous_bernoulli_reference_is_torchs_on_grey_levels(family, given, monkeypatch):
    rng = np.random.default_rng(5)
    recon = rng.uniform(0.05, 0.95, (4, 6)) if given == "probs" else rng.uniform(-3, 3, (4, 6))
    x = rng.uniform(0.0, 1.0, (4, 6))
    expected = -D.ContinuousBernoulli(**{given: torch.as_tensor(recon)}, validate_args=False).log_prob(
        torch.as_tensor(x)).numpy()
    import sys

    monkeypatch.delitem(sys.modules, "torch")  # the numpy formula, not torch's
    got = BY_NAME[family].nll(recon, x)
    monkeypatch.undo()
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)


# --- 5. one source reader -----------------------------------------------------------------------------

def _decorated(function):
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


@_decorated
def decorated_kl(mu, logvar):
    return _kl(mu[:, :8], logvar[:, :8])


@pytest.mark.parametrize("function", [decorated_kl, EncoderVAE().loss_function], ids=["decorated", "method"])
def test_the_syntax_tree_is_that_of_the_underlying_def(function):
    tree = source.syntax_tree(function)
    defined = next(node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    assert defined == source.plain_function(function).__name__


@pytest.mark.parametrize("module", [cutoffs, layouts], ids=["cutoffs", "layouts"])
def test_the_readers_parse_source_only_through_syntax_tree(module):
    assert "ast.parse" not in inspect.getsource(module) and "syntax_tree" in inspect.getsource(module)
