"""The estimators of vae_min and the bounds its confirmations decide by: each bound keeps its stated rate."""
from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

from mathcheck.vae_min import estimators as E
from mathcheck.vae_min.model import VAE


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _centred_lognormal(shape, seed: int, s: float = 1.5) -> tuple[torch.Tensor, float]:
    """exp(s N(0, 1)) minus its mean: skewness ~ 33, the kind of tail that breaks normal-theory cuts."""
    raw = torch.exp(s * torch.randn(shape, generator=_generator(seed), dtype=torch.float64))
    return raw - math.exp(s * s / 2), math.expm1(s * s) * math.exp(s * s)


@pytest.mark.parametrize("alpha", [0.05, 1e-2, 1e-4, 1e-6, 1.25e-7])
def test_median_of_means_design_has_binomial_tail_at_most_alpha(alpha):
    k, blocks = E.median_of_means_design(alpha)
    assert blocks % 2 == 1 and k > math.sqrt(2)
    assert stats.binom.sf((blocks - 1) // 2, blocks, 1 / k**2) <= alpha


@pytest.mark.parametrize("alpha, sign", [(0.05, 1), (0.05, -1), (0.01, 1), (0.01, -1)])
def test_median_of_means_false_alarm_rate_is_at_most_alpha_for_skewed_draws(alpha, sign):
    k, blocks = E.median_of_means_design(alpha)
    values, variance = _centred_lognormal((4000, 8 * blocks), seed=3)
    tests = [E.median_of_means(sign * row, variance, alpha) for row in values]
    assert sum(abs(t.estimate) > t.bound for t in tests) / len(tests) <= alpha


def test_student_t_on_the_same_skewed_draws_errs_far_above_its_rate():
    """Why the confirmations do not decide by mean / sample standard error: here it errs > 3x its rate."""
    values, _ = _centred_lognormal((4000, 40), seed=4)
    t = values.mean(1) / (values.std(1) / math.sqrt(40))
    assert ((t.abs() > E.student_t_critical(39, 0.01)).double().mean().item()) > 0.03


def test_median_of_means_rejects_a_shifted_mean():
    values, variance = _centred_lognormal((1000,), seed=5, s=0.5)
    test = E.median_of_means(values + 0.5, variance, 1e-6)
    assert abs(test.estimate) > test.bound


def test_median_of_means_with_fewer_values_than_blocks_is_none():
    blocks = E.median_of_means_design(1e-6)[1]
    assert E.median_of_means(torch.zeros(blocks - 1), 1.0, 1e-6) is None
    assert E.median_of_means(torch.zeros(blocks), 1.0, 1e-6) is not None


def test_median_of_means_bound_is_k_block_standard_errors_of_the_widest_block():
    k, blocks = E.median_of_means_design(1e-6)
    variances = torch.ones(blocks * 4)
    variances[:4] = 9.0  # the first block's values: its block mean has variance 9 / 4
    test = E.median_of_means(torch.zeros(blocks * 4), variances, 1e-6)
    assert test.block_size == 4 and test.bound == pytest.approx(k * 1.5)


def test_symmetric_mean_bound_keeps_its_rate_even_for_cauchy_values():
    u = torch.rand((4000, 40), generator=_generator(6), dtype=torch.float64)
    cauchy = torch.tan(math.pi * (u - 0.5))  # symmetric, no mean, no variance
    alarms = sum(abs(row.mean().item()) > E.symmetric_mean_bound(row, 0.05) for row in cauchy)
    assert alarms / len(cauchy) <= 0.05


def test_symmetric_mean_bound_rejects_values_that_are_not_centred():
    values = 1 + 0.1 * torch.randn(200, generator=_generator(7), dtype=torch.float64)
    assert values.mean().item() > E.symmetric_mean_bound(values, 1e-6)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_symmetric_mean_bound_of_fewer_values_than_its_quantile_squared_cannot_be_exceeded(n):
    values = torch.randn(n, generator=_generator(n), dtype=torch.float64).abs()  # all one sign: the worst case
    assert values.mean().item() <= E.symmetric_mean_bound(values, 1e-6) * (1 + 1e-12)


def test_five_standard_errors_of_two_normal_values_err_in_one_of_eight_and_student_t_at_its_rate():
    """The reviewer's false refutations: with 2 images the 5-SE normal cut has 1 degree of freedom."""
    pairs = torch.randn((40000, 2), generator=_generator(8), dtype=torch.float64)
    t = (pairs.mean(1) / (pairs.std(1) / math.sqrt(2))).abs()
    assert (t > 5).double().mean().item() == pytest.approx(2 * stats.t.sf(5, 1), abs=0.006)  # 0.126
    assert (t > E.student_t_critical(1, 0.05)).double().mean().item() <= 0.05 + 0.004


@pytest.mark.parametrize("dof, alpha, expected", [(1, 0.05, 12.706), (10, 0.01, 3.169), (1000, 0.05, 1.962)])
def test_student_t_critical_is_the_two_sided_quantile(dof, alpha, expected):
    assert E.student_t_critical(dof, alpha) == pytest.approx(expected, abs=1e-3)


def test_student_t_critical_without_degrees_of_freedom_is_infinite():
    assert E.student_t_critical(0, 0.05) == math.inf


@pytest.mark.parametrize("mu, logvar", [([0.0], [0.0]), ([0.3, -1.2], [-1.0, 0.4]), ([2.5, 0.0, -0.7], [-4.0, 1.5, 0.0])])
def test_log_ratio_variance_is_sum_of_mu2_sigma2_plus_half_sigma2_minus_1_squared(mu, logvar):
    mu, logvar = (torch.tensor([v], dtype=torch.float64) for v in (mu, logvar))
    sigma2 = logvar.exp()
    expected = (mu**2 * sigma2 + (sigma2 - 1) ** 2 / 2).sum(-1)
    assert E.log_ratio_variance(mu, logvar) == pytest.approx(expected, rel=1e-12, abs=1e-14)


def test_log_ratio_variance_matches_monte_carlo_of_log_q_minus_log_p():
    mu, logvar = torch.tensor([[0.4, -0.9]], dtype=torch.float64), torch.tensor([[-1.3, 0.2]], dtype=torch.float64)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    z = mu + q.scale * torch.randn((400_000, 1, 2), generator=_generator(9), dtype=torch.float64)
    log_ratio = (q.log_prob(z) - torch.distributions.Normal(0.0, 1.0).log_prob(z)).sum(-1)
    assert log_ratio.var().item() == pytest.approx(E.log_ratio_variance(mu, logvar).item(), rel=0.02)


@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    model = VAE(pixels=6, hidden_dim=8, latent_dim=2).double().eval()
    x = (torch.rand((3, 6), generator=_generator(10)) > 0.5).double()
    return model, x


def test_elbo_mc_and_iwae_from_one_generator_state_see_the_same_draws(small_model):
    model, x = small_model
    log_w = E.log_weights(model, x, 50, _generator(11))
    assert torch.allclose(E.elbo_mc(model, x, 50, _generator(11)), log_w.mean(0), rtol=0, atol=1e-12)
    assert torch.allclose(E.iwae(model, x, 50, _generator(11)), torch.logsumexp(log_w, 0) - math.log(50),
                          rtol=0, atol=1e-12)


def test_iwae_of_rows_tiled_c_times_partitions_the_samples_of_one_call(small_model):
    model, x = small_model
    log_w = E.log_weights(model, x, 12, _generator(12))  # (12 samples, 3 images)
    groups = E.iwae(model, x.repeat(4, 1), 3, _generator(12)).reshape(4, 3)
    expected = torch.stack([torch.logsumexp(log_w[c::4], 0) - math.log(3) for c in range(4)])
    assert torch.allclose(groups, expected, rtol=0, atol=1e-12)


def test_rows_per_draw_keeps_each_call_to_the_chunk_budget():
    assert E.rows_per_draw(1000) * 1000 <= E.MAX_SAMPLES_PER_CHUNK and E.rows_per_draw(10**6) == 1


@pytest.mark.parametrize("t, a, b", [(0.3, 0.5, -0.4), (-0.7, 1.2, 0.3), (0.1, 0.0, 2.0), (1.5, -0.2, -0.45)])
def test_log_mgf_of_a_gaussian_quadratic_matches_quadrature(t, a, b):
    import numpy as np

    points, weights = np.polynomial.hermite_e.hermegauss(120)
    expected = math.log(np.sum(weights * np.exp(t * (a * points + b * (points**2 - 1)))) / math.sqrt(2 * math.pi))
    assert E._log_mgf_of_quadratic(t, np.array([a]), np.array([b])) == pytest.approx(expected, rel=1e-9)


def _log_ratio_minus_kl_means(mu, logvar, draws: int, repeats: int, seed: int) -> torch.Tensor:
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    z = mu + q.scale * torch.randn((repeats, draws, *mu.shape), generator=_generator(seed), dtype=torch.float64)
    kl = (-0.5 * logvar + (mu**2 + logvar.exp() - 1) / 2).sum(-1)
    return ((q.log_prob(z) - torch.distributions.Normal(0.0, 1.0).log_prob(z)).sum(-1) - kl).mean((1, 2))


@pytest.mark.parametrize("mu, logvar, draws", [
    ([[0.3, -1.2], [0.5, 0.1]], [[-1.0, -1.4], [-2.0, -0.5]], 5),
    ([[0.0, 0.0, 0.0]], [[-5.0, -4.0, -6.0]], 3),  # sigma << 1: b ~ -1/2, chi-square-like, the skewed case
    ([[2.0]], [[1.5]], 4),  # sigma > 1: the other tail
])
def test_log_ratio_mean_bounds_keep_their_rate_on_each_side(mu, logvar, draws):
    mu, logvar = torch.tensor(mu, dtype=torch.float64), torch.tensor(logvar, dtype=torch.float64)
    below, above = E.log_ratio_mean_bounds(mu, logvar, draws, 0.02)
    means = _log_ratio_minus_kl_means(mu, logvar, draws, 100_000, seed=13)
    assert (means < -below).double().mean().item() <= 0.01 and (means > above).double().mean().item() <= 0.01


def test_log_ratio_mean_bounds_approach_the_chernoff_normal_width_for_many_draws():
    mu, logvar = torch.tensor([[0.4, -0.9]], dtype=torch.float64), torch.tensor([[-1.3, 0.2]], dtype=torch.float64)
    draws, alpha = 10**6, 1e-6
    standard_error = math.sqrt(E.log_ratio_variance(mu, logvar).item() / draws)
    for side in E.log_ratio_mean_bounds(mu, logvar, draws, alpha):
        assert side / standard_error == pytest.approx(math.sqrt(2 * math.log(2 / alpha)), rel=0.02)


def test_log_ratio_mean_bounds_of_q_equal_to_the_prior_are_zero():
    zeros = torch.zeros((2, 3), dtype=torch.float64)
    assert E.log_ratio_mean_bounds(zeros, zeros, 10, 1e-6) == (0.0, 0.0)
