"""check-code, round 9: a sampler and a KL given together that cut one encoder output in different layouts
(``encoder-cut-mismatch``); prior keywords exercised in every form the KL takes (per entry, per latent dim, one
number as a tensor and as a Python float), so a KL right for one form and wrong for another is a bug.

References: torch.distributions' KL of Normal(μ, σ) against Normal(m, s) for the correct variants; the mutants
are wrong for some input, so each must be reported."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
D = torch.distributions

from mathcheck.code import check  # noqa: E402


def _bugs(report) -> list[str]:
    return [finding.code for finding in report.findings if finding.severity == "bug"]


def _kl(mu, logvar, prior_mu=None, prior_logvar=None):
    """KL(N(μ, σ²) ‖ N(m, s²)) summed, by torch.distributions (an independent reference, not a closed form)."""
    prior_mu = torch.zeros_like(mu) if prior_mu is None else prior_mu
    prior_logvar = torch.zeros_like(mu) if prior_logvar is None else prior_logvar
    q = D.Normal(mu, torch.exp(0.5 * logvar))
    p = D.Normal(prior_mu.expand_as(mu), torch.exp(0.5 * prior_logvar).expand_as(mu))
    return D.kl_divergence(q, p).sum()


# --- 1. one encoder output, two cuts ----------------------------------------------------------------------

def kl_logvar_first(h):
    logvar, mu = h.chunk(2, dim=-1)
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def kl_mu_first(h):
    mu, logvar = h.chunk(2, dim=-1)
    return _kl(mu, logvar)


def kl_mu_first_slices(h):
    d = h.shape[1] // 2
    mu, logvar = h[:, :d], h[:, d:]
    return _kl(mu, logvar)


def kl_scale_first_split(stats):
    log_var, mean = torch.split(stats, stats.shape[1] // 2, dim=1)
    return _kl(mean, log_var)


def kl_stacked(h):
    mu, logvar = h.unbind(1)
    return _kl(mu, logvar)


def sample_mu_first(h):
    mu, logvar = h.chunk(2, dim=-1)
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def sample_scale_first_slices(h):
    d = h.shape[-1] // 2
    logvar, mu = h[:, :d], h[:, d:]
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def sample_mu_first_split(stats):
    mean, log_var = torch.split(stats, stats.shape[1] // 2, dim=1)
    return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


def sample_stacked_scale_first(h):
    logvar, mu = h.unbind(1)
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


CUT_MISMATCHES = [
    pytest.param(sample_mu_first, kl_logvar_first, id="chunk-orders-swapped"),
    pytest.param(sample_scale_first_slices, kl_mu_first, id="slices-against-chunk"),
    pytest.param(sample_mu_first_split, kl_scale_first_split, id="split-orders-swapped"),
    pytest.param(sample_stacked_scale_first, kl_stacked, id="unbind-orders-swapped"),
]


@pytest.mark.parametrize("sampler, kl", CUT_MISMATCHES)
def test_a_sampler_and_a_kl_cutting_one_output_in_different_orders_are_a_bug(sampler, kl):
    report = check(sampler, kl, seed=0)
    assert all("encoder-cut-mismatch" in _bugs(function) for function in report.functions)
    assert not report.ok


CUT_AGREEMENTS = [
    pytest.param(sample_mu_first, kl_mu_first, id="same-chunk"),
    pytest.param(sample_mu_first, kl_mu_first_slices, id="chunk-and-slices-alike"),
    pytest.param(sample_mu_first_split, kl_mu_first, id="split-and-chunk-alike"),
]


@pytest.mark.parametrize("sampler, kl", CUT_AGREEMENTS)
def test_a_sampler_and_a_kl_cutting_one_output_alike_are_correct(sampler, kl):
    report = check(sampler, kl, seed=0)
    assert report.ok, [(f.target, f.verdict, _bugs(f)) for f in report.functions]


# --- 2. prior keywords in every form ----------------------------------------------------------------------

def _as_prior(value, like):
    return torch.as_tensor(value, dtype=like.dtype)


def kl_float_prior_ignored(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    if not torch.is_tensor(prior_mu):
        prior_mu = torch.zeros(())
    if not torch.is_tensor(prior_logvar):
        prior_logvar = torch.zeros(())
    return _kl(mu, logvar, prior_mu.to(mu.dtype), prior_logvar.to(mu.dtype))


def kl_float_scale_ignored(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    pl = prior_logvar if torch.is_tensor(prior_logvar) else torch.zeros(())
    return _kl(mu, logvar, _as_prior(prior_mu, mu), pl.to(mu.dtype))


def kl_per_dim_prior_flipped(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    pm = _as_prior(prior_mu, mu)
    if pm.dim() == 1:
        pm = pm.flip(0)
    return _kl(mu, logvar, pm, _as_prior(prior_logvar, mu))


def kl_per_dim_scale_averaged(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    pl = _as_prior(prior_logvar, mu)
    if pl.dim() == 1:
        pl = pl.mean()
    return _kl(mu, logvar, _as_prior(prior_mu, mu), pl)


def kl_number_prior_halved(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    pm = prior_mu / 2 if isinstance(prior_mu, float) else prior_mu
    return _kl(mu, logvar, _as_prior(pm, mu), _as_prior(prior_logvar, mu))


PRIOR_MUTANTS = [
    pytest.param(kl_float_prior_ignored, id="python-float-prior-ignored"),
    pytest.param(kl_float_scale_ignored, id="python-float-scale-ignored"),
    pytest.param(kl_per_dim_prior_flipped, id="per-dim-mean-flipped"),
    pytest.param(kl_per_dim_scale_averaged, id="per-dim-scale-averaged"),
    pytest.param(kl_number_prior_halved, id="python-float-mean-halved"),
]


@pytest.mark.parametrize("kl", PRIOR_MUTANTS)
def test_a_kl_wrong_for_one_form_of_the_prior_is_a_kl_form_bug(kl):
    (report,) = check(kl, seed=0).functions
    assert "kl-form" in _bugs(report)


def kl_any_prior(mu, logvar, prior_mu=0.0, prior_logvar=0.0):
    return _kl(mu, logvar, _as_prior(prior_mu, mu), _as_prior(prior_logvar, mu))


def kl_tensor_prior_only(mu, logvar, prior_mu=None, prior_logvar=None):
    if prior_mu is not None and not torch.is_tensor(prior_mu):
        raise TypeError("prior_mu must be a tensor")
    if prior_logvar is not None and not torch.is_tensor(prior_logvar):
        raise TypeError("prior_logvar must be a tensor")
    return _kl(mu, logvar, prior_mu, prior_logvar)


@pytest.mark.parametrize("kl", [pytest.param(kl_any_prior, id="every-form"),
                                pytest.param(kl_tensor_prior_only, id="tensors-only")])
def test_a_kl_right_for_every_form_it_takes_is_correct(kl):
    (report,) = check(kl, seed=0).functions
    assert report.verdict == "correct", [(f.code, f.message) for f in report.findings]
