"""check_sampler: the parameterization a sampler's behaviour fits, and each sampler bug named by its code.

The samplers below are written for these tests: correct ones in every parameterization and framework, with
names that lie, several output and batch conventions, and one mutant per bug kind of issue 14.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from mathcheck.code.report import CodeReport, Shape  # noqa: E402
from mathcheck.code.sampler import ALPHA, check_sampler, dlog_std, implied_variance  # noqa: E402

ROLES = {"mu": "mu", "logvar": "logvar", "eps": "eps", "key": "rng", "rng": "rng", "seed": "rng"}


def check(function, roles=None, **options):
    return check_sampler(function, target=_name(function), arg_roles=ROLES if roles is None else roles,
                         **options)


def _name(function):
    return getattr(function, "__name__", type(function).__name__)


def codes(report):
    return {finding.code for finding in report.findings}


# --- correct samplers --------------------------------------------------------------------------------

def torch_logvar(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def torch_log_sigma(mu, log_sigma):
    return mu + torch.exp(log_sigma) * torch.randn_like(mu)


def torch_sigma(mu, sigma):
    return torch.distributions.Normal(mu, sigma).rsample()


def torch_var(mu, var):
    return mu + var.sqrt() * torch.randn_like(mu)


def numpy_logvar(mu, logvar):
    return mu + np.exp(0.5 * logvar) * np.random.standard_normal(mu.shape)


def numpy_log_sigma(mu, log_sigma):
    return mu + np.exp(log_sigma) * np.random.randn(*mu.shape)


def numpy_sigma(mu, sigma):
    return mu + sigma * np.random.normal(size=mu.shape)


def numpy_var(mu, var):
    return mu + np.sqrt(var) * np.random.randn(*mu.shape)


CORRECT = [(torch_logvar, "logvar", "torch"), (torch_log_sigma, "log_sigma", "torch"),
           (torch_sigma, "sigma", "torch"), (torch_var, "var", "torch"), (numpy_logvar, "logvar", "numpy"),
           (numpy_log_sigma, "log_sigma", "numpy"), (numpy_sigma, "sigma", "numpy"), (numpy_var, "var", "numpy")]


@pytest.mark.parametrize("function, parameterization, framework", CORRECT, ids=lambda v: getattr(v, "__name__", v))
def test_correct_sampler_is_correct_with_the_parameterization_it_implements(function, parameterization, framework):
    scale = list(function.__code__.co_varnames)[1]
    report = check(function, {"mu": "mu", scale: parameterization})
    assert (report.verdict, report.parameterization, report.framework, report.findings) == (
        "correct", parameterization, framework, [])


def test_vae_min_reparameterize_is_correct_in_logvar():
    from mathcheck.vae_min.model import reparameterize
    report = check(reparameterize)
    assert (report.verdict, report.parameterization, report.findings) == ("correct", "logvar", [])


def exp_logvar_as_std(mu, logvar):  # names log σ "logvar"
    return mu + torch.exp(logvar) * torch.randn_like(mu)


def z_var_is_a_log_variance(z_mean, z_var):
    return z_mean + torch.exp(0.5 * z_var) * torch.randn_like(z_mean)


def test_exp_of_logvar_as_std_fits_log_sigma_whatever_the_name():
    report = check(exp_logvar_as_std)
    assert (report.verdict, report.parameterization) == ("correct", "log_sigma")


def test_a_log_variance_named_z_var_fits_logvar():
    report = check(z_var_is_a_log_variance, {"z_mean": "mu", "z_var": "var"})
    assert (report.verdict, report.parameterization) == ("correct", "logvar")


def test_arguments_without_roles_are_read_as_mean_then_scale():
    def sample(a, b):
        return a + torch.exp(0.5 * b) * torch.randn_like(a)
    assert check(sample, {}).parameterization == "logvar"


# --- output and batch conventions ---------------------------------------------------------------------

def returns_tuple(mu, logvar):
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    return z, mu, logvar


def returns_dict(mu, logvar):
    return {"mu": mu, "logvar": logvar, "z": mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)}


def returns_eps_then_z(mu, logvar):
    eps = torch.randn_like(mu)
    return eps, mu + torch.exp(0.5 * logvar) * eps


def returns_dict_with_eps(mu, logvar):
    eps = torch.randn_like(mu)
    return {"eps": eps, "z": mu + torch.exp(0.5 * logvar) * eps}


def several_samples_per_row(mu, logvar):
    eps = torch.randn(mu.shape[0], 4, mu.shape[1], dtype=mu.dtype)
    return mu[:, None, :] + torch.exp(0.5 * logvar)[:, None, :] * eps


def fixed_latent_size(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape[0], 20, dtype=mu.dtype)


def fixed_batch_and_latent(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn(64, 12, dtype=mu.dtype)


def float32_inside(mu, logvar):
    return mu.float() + torch.exp(0.5 * logvar.float()) * torch.randn(mu.shape)


def positional_only(mu, logvar, /):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def packed_like_keras_sampling(inputs):
    z_mean, z_log_var = inputs
    return z_mean + torch.exp(0.5 * z_log_var) * torch.randn_like(z_mean)


def numpy_generator_argument(mu, logvar, rng):
    return mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape)


def torch_generator_argument(mu, logvar, rng):
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=rng, dtype=mu.dtype)


def integer_seed_argument(mu, logvar, seed):
    return mu + np.exp(0.5 * logvar) * np.random.default_rng(seed).standard_normal(mu.shape)


class SamplingModule(torch.nn.Module):
    def forward(self, mu, logvar):
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


class Encoder(torch.nn.Module):
    def reparameterize(self, mu, logvar):
        if self.training:
            return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return mu


@pytest.mark.parametrize("function", [returns_tuple, returns_dict, returns_eps_then_z, returns_dict_with_eps,
                                      several_samples_per_row, fixed_latent_size,
                                      fixed_batch_and_latent, float32_inside, positional_only,
                                      packed_like_keras_sampling, SamplingModule(), Encoder().reparameterize,
                                      numpy_generator_argument, torch_generator_argument, integer_seed_argument],
                         ids=_name)
def test_output_and_batch_conventions_are_correct(function):
    report = check(function)
    assert (report.verdict, report.parameterization, report.findings) == ("correct", "logvar", [])


def test_given_shape_is_used():
    report = check(fixed_batch_and_latent, shape=Shape(batch=64, data=(784,), latent=12))
    assert report.verdict == "correct"


def optional_eps(mu, logvar, eps=None):
    if eps is None:
        eps = torch.randn_like(mu)
    return mu + eps * torch.exp(0.5 * logvar)


def required_eps(mu, logvar, eps):
    return mu + eps * torch.exp(0.5 * logvar)


def required_eps_log_sigma(mu, logvar, eps):
    return mu + eps * torch.exp(logvar)


def eps_taken_but_own_noise_drawn(mu, logvar, eps):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


@pytest.mark.parametrize("function, parameterization", [(optional_eps, "logvar"), (required_eps, "logvar"),
                                                        (required_eps_log_sigma, "log_sigma"),
                                                        (eps_taken_but_own_noise_drawn, "logvar")],
                         ids=lambda v: getattr(v, "__name__", v))
def test_a_sampler_taking_eps_is_correct_in_its_parameterization(function, parameterization):
    report = check(function)
    assert (report.verdict, report.parameterization) == ("correct", parameterization)


# --- the bug kinds ------------------------------------------------------------------------------------

def std_times_001(mu, logvar):
    return mu + 0.01 * torch.exp(0.5 * logvar) * torch.randn_like(mu)


def no_noise(mu, logvar):
    return mu


_NOISE_AT_IMPORT = torch.randn(9, 6, dtype=torch.float64)


def noise_made_at_import(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * _NOISE_AT_IMPORT


_CACHE = {}


def noise_reused_across_steps(mu, logvar):
    if mu.shape not in _CACHE:
        _CACHE[mu.shape] = torch.randn_like(mu)
    return mu + torch.exp(0.5 * logvar) * _CACHE[mu.shape]


def seeded_inside(mu, logvar):
    generator = torch.Generator().manual_seed(0)
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=generator, dtype=mu.dtype)


def same_noise_for_every_row(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape[-1], dtype=mu.dtype)


def same_noise_for_half_the_rows(mu, logvar):
    eps = torch.randn((mu.shape[0] + 1) // 2, mu.shape[1], dtype=mu.dtype).repeat(2, 1)[:mu.shape[0]]
    return mu + torch.exp(0.5 * logvar) * eps


def same_noise_for_every_dim(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape[0], 1, dtype=mu.dtype)


def numpy_seeded_inside(mu, logvar):
    return mu + np.exp(0.5 * logvar) * np.random.default_rng(0).standard_normal(mu.shape)


def seed_argument_ignored(mu, logvar, seed):
    return mu + np.exp(0.5 * logvar) * np.random.default_rng(0).standard_normal(mu.shape)


def eps_ignored(mu, logvar, eps):
    return mu + 0 * eps


def detached_std(mu, logvar):
    return mu + torch.exp(0.5 * logvar).detach() * torch.randn_like(mu)


def packed_detached_std(inputs):
    z_mean, z_log_var = inputs
    return z_mean + torch.exp(0.5 * z_log_var).detach() * torch.randn_like(z_mean)


def detached_output(mu, logvar):
    return (mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)).detach()


def data_attribute(mu, logvar):
    return mu.data + torch.exp(0.5 * logvar.data) * torch.randn_like(mu)


def numpy_round_trip(mu, logvar):
    std = torch.from_numpy(np.exp(0.5 * logvar.detach().numpy()))
    return mu + std * torch.randn_like(mu)


def no_grad_inside(mu, logvar):
    with torch.no_grad():
        return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def not_reparameterized(mu, logvar):
    return torch.distributions.Normal(mu, torch.exp(0.5 * logvar)).sample()


def softplus_on_logvar(mu, logvar):
    return mu + torch.exp(0.5 * F.softplus(logvar)) * torch.randn_like(mu)


def softplus_as_std(mu, logvar):
    return mu + F.softplus(logvar) * torch.randn_like(mu)


def softplus_as_variance(mu, logvar):
    return mu + torch.sqrt(F.softplus(logvar)) * torch.randn_like(mu)


def mean_left_out(mu, logvar):
    return torch.exp(0.5 * logvar) * torch.randn_like(mu)


def uniform_noise(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * torch.rand_like(mu)


def uniform_noise_of_unit_variance(mu, logvar):
    return mu + torch.exp(0.5 * logvar) * (torch.rand_like(mu) - 0.5) * 12 ** 0.5


def eps_scaled_wrongly(mu, logvar, eps):
    return mu + 0.5 * torch.exp(logvar) * eps


def gradient_without_the_noise(mu, logvar):
    std = torch.exp(0.5 * logvar)
    return mu + (std * torch.randn_like(mu)).detach() + (std - std.detach())


def gradient_doubled_in_mu(mu, logvar):
    return mu.detach() + 2 * (mu - mu.detach()) + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def std_wrong_only_below_zero(mu, logvar):
    return mu + torch.exp(0.5 * logvar.clamp(min=0.0)) * torch.randn_like(mu)


BUGS = [
    (std_times_001, "sampler-std", "scaled by 0.01"),
    (no_noise, "sampler-deterministic", "no noise"),
    (noise_made_at_import, "sampler-deterministic", "reused"),
    (noise_reused_across_steps, "sampler-deterministic", "reused"),
    (seeded_inside, "sampler-deterministic", "seeded"),
    (numpy_seeded_inside, "sampler-deterministic", "seeded"),
    (same_noise_for_every_row, "sampler-deterministic", "same noise for every row"),
    (same_noise_for_half_the_rows, "sampler-deterministic", "same noise for several rows"),
    (same_noise_for_every_dim, "sampler-deterministic", "share their noise"),
    (eps_ignored, "sampler-deterministic", "no noise"),
    (seed_argument_ignored, "sampler-deterministic", "although a fresh key was passed in 'seed'"),
    (detached_std, "sampler-no-gradient", "'logvar'"),
    (packed_detached_std, "sampler-no-gradient", "'inputs[1]'"),
    (detached_output, "sampler-no-gradient", "'mu' or 'logvar'"),
    (data_attribute, "sampler-no-gradient", "'mu' or 'logvar'"),
    (numpy_round_trip, "sampler-no-gradient", "'logvar'"),
    (no_grad_inside, "sampler-no-gradient", "'mu' or 'logvar'"),
    (not_reparameterized, "sampler-no-gradient", "'mu' or 'logvar'"),
    (softplus_on_logvar, "sampler-std", "fits no parameterization"),
    (softplus_as_std, "sampler-std", "fits no parameterization"),
    (softplus_as_variance, "sampler-std", "fits no parameterization"),
    (mean_left_out, "sampler-std", "mean of z is not μ"),
    (uniform_noise, "sampler-std", "mean of z is not μ"),
    (uniform_noise_of_unit_variance, "sampler-std", "not Gaussian"),
    (eps_scaled_wrongly, "sampler-std", "scaled by 0.5"),
    (std_wrong_only_below_zero, "sampler-std", "but not at logvar in"),
    (gradient_without_the_noise, "sampler-no-gradient", "not the pathwise"),
    (gradient_doubled_in_mu, "sampler-no-gradient", "is not w"),
]


@pytest.mark.parametrize("function, code, words", BUGS, ids=lambda v: getattr(v, "__name__", v))
def test_bug_is_named_with_its_code(function, code, words):
    report = check(function)
    named = [finding for finding in report.findings if finding.code == code]
    assert report.verdict == "bug" and named, report.to_dict()
    assert named[0].severity == "bug" and words in named[0].message, named[0].message


def test_a_bug_in_the_noise_leaves_no_parameterization():
    assert check(std_times_001).parameterization is None


def test_a_numpy_sampler_is_not_flagged_for_having_no_gradient():
    report = check(numpy_logvar)
    assert report.framework == "numpy" and "sampler-no-gradient" not in codes(report)


def test_numpy_code_in_a_torch_module_runs_as_numpy():
    def numpy_inside(mu, logvar):
        return mu + np.exp(0.5 * logvar) * np.random.randn(*mu.shape)
    assert check(numpy_inside).framework == "numpy"


# --- numerics ----------------------------------------------------------------------------------------

def overflows_in_float32(mu, logvar):
    return mu + torch.exp(logvar).float().pow(4).pow(0.125) * torch.randn_like(mu)


def test_nonfinite_output_at_extreme_logvar_is_a_note():
    report = check(overflows_in_float32)
    notes = [finding for finding in report.findings if finding.code == "nonfinite-at-extremes"]
    assert notes and notes[0].severity == "note" and notes[0].evidence["input"]["logvar"] == 30.0
    assert report.verdict == "correct" and report.parameterization == "logvar"


@pytest.mark.parametrize("function, parameterization", [(torch_logvar, "logvar"), (torch_sigma, "sigma"),
                                                        (torch_var, "var"), (torch_log_sigma, "log_sigma")],
                         ids=lambda v: getattr(v, "__name__", v))
def test_a_stable_sampler_is_finite_at_extremes(function, parameterization):
    scale = list(function.__code__.co_varnames)[1]
    assert "nonfinite-at-extremes" not in codes(check(function, {"mu": "mu", scale: parameterization}))


# --- undecided ---------------------------------------------------------------------------------------

def always_raises(mu, logvar):
    raise RuntimeError("encoder not built")


def returns_a_number(mu, logvar):
    return 0.0


def needs_data(mu, logvar, x):
    return mu


@pytest.mark.parametrize("function, roles, words", [
    (always_raises, ROLES, "encoder not built"),
    (returns_a_number, ROLES, "nothing shaped like mu"),
    (needs_data, {**ROLES, "x": "x"}, "not a sampler's"),
    (needs_data, ROLES, "x have no role"),
], ids=["raises", "scalar", "data-argument", "unnamed-argument"])
def test_a_function_that_cannot_be_checked_is_undecided_with_the_reason(function, roles, words):
    report = check(function, roles)
    assert report.verdict == "undecided" and words in report.reason, report.reason


# --- contract and performance ------------------------------------------------------------------------

def test_report_with_findings_is_valid_json():
    reports = [check(function) for function, _, _ in BUGS[:12]] + [check(overflows_in_float32)]
    data = json.loads(CodeReport(reports, 1.0).to_json())
    assert all(function["role"] == "reparameterize" for function in data["functions"])


def test_evidence_states_the_test_and_its_false_alarm_rate():
    finding = check(std_times_001).findings[0]
    assert str(ALPHA) in finding.evidence["test"] or f"{ALPHA:g}" in finding.evidence["test"]


# --- the math the checks use --------------------------------------------------------------------------

@pytest.mark.parametrize("parameterization, scale, variance", [
    ("logvar", np.log(4.0), 4.0), ("log_sigma", np.log(2.0), 4.0), ("sigma", 2.0, 4.0), ("var", 4.0, 4.0)])
def test_implied_variance_of_each_parameterization(parameterization, scale, variance):
    assert implied_variance(parameterization, scale) == pytest.approx(variance)


@pytest.mark.parametrize("parameterization", ["logvar", "log_sigma", "sigma", "var"])
def test_dlog_std_is_the_derivative_of_log_sigma(parameterization):
    s, h = 0.7, 1e-6
    log_std = lambda v: 0.5 * np.log(implied_variance(parameterization, v))  # noqa: E731
    assert dlog_std(parameterization, s) == pytest.approx((log_std(s + h) - log_std(s - h)) / (2 * h), rel=1e-6)


# --- JAX (skips where it is not installed) -------------------------------------------------------------

def test_jax_sampler_with_a_key_is_correct_and_a_fixed_key_is_deterministic():
    jax = pytest.importorskip("jax")

    def jax_sampler(mu, logvar, key):
        return mu + jax.numpy.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, dtype=mu.dtype)

    def jax_fixed_key(mu, logvar):
        return mu + jax.numpy.exp(0.5 * logvar) * jax.random.normal(jax.random.PRNGKey(0), mu.shape, dtype=mu.dtype)

    good, fixed = check(jax_sampler), check(jax_fixed_key)
    assert (good.framework, good.verdict, good.parameterization) == ("jax", "correct", "logvar")
    assert "sampler-deterministic" in codes(fixed)
