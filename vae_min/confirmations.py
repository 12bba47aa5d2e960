"""The empirical confirmations: each function returns its numbers, tolerances, precision and verdicts.

Statistical comparisons pass when a difference is within Z_TOLERANCE standard errors (two-sided
p = 6e-7 if the claim is true, so a correct model does not flake); exact ones run in float64 with a
stated relative tolerance. A confirmation never says "proved": only "holds" or "refuted".
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import torch
from torch.distributions import Normal, kl_divergence

from mathcheck.gaussian import kl_normal_std_logvar
from mathcheck.report import HOLDS, REFUTED, UNDECIDED, combine_verdicts
from . import estimators
from .linear_gaussian import LinearGaussianVAE
from .model import VAE, loss_function, loss_terms, reparameterize
from .precision import TOLERANCE_ULPS, check_elementwise

Z_TOLERANCE = 5.0
FLOAT64 = "float64"


@dataclass
class Finding:
    claim: str
    verdict: str
    tolerance: str
    precision: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass
class Confirmation:
    name: str
    title: str
    source: str
    findings: list[Finding]

    @property
    def verdict(self) -> str:
        return combine_verdicts([HOLDS, *(f.verdict for f in self.findings)])  # empirical: never "proved"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "source": self.source, "verdict": self.verdict,
                "findings": [vars(f) for f in self.findings]}


def _verdict(ok: bool) -> str:
    return HOLDS if ok else REFUTED


def _statistical_verdict(ok: bool, se: float) -> str:
    """A comparison within standard errors decides nothing where there is no finite standard error (one image,
    one draw): such a test could not fail, so it is undecided, never "holds"."""
    return _verdict(ok) if math.isfinite(se) else UNDECIDED


def _within_z(mean: float, se: float) -> str:
    return _statistical_verdict(abs(mean) <= Z_TOLERANCE * se, se)


def _at_least(mean: float, se: float) -> str:
    return _statistical_verdict(mean >= -Z_TOLERANCE * se, se)


def _z(mean: float, se: float) -> float:
    return mean / se if se > 0 else (0.0 if mean == 0 else math.inf)


def _statistical(z: float = Z_TOLERANCE) -> str:
    return f"|difference| <= {z:g} standard errors (two-sided p = {math.erfc(z / math.sqrt(2)):.0e} under the claim)"


def as_float64(model: VAE) -> VAE:
    return copy.deepcopy(model).to(dtype=torch.float64).eval()


def _generator(seed: int, device) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


# 0. torch's own elementwise functions ------------------------------------------------------------

def elementwise_precision(seed: int = 0, device: str = "cpu") -> Confirmation:
    """torch float32 exp/log/sigmoid/... within TOLERANCE_ULPS of float64 numpy/scipy (run first in a process)."""
    by_function: dict[str, list] = {}
    for result in check_elementwise(seed=seed, device=device):
        by_function.setdefault(result.name, []).append(result)
    findings = []
    for name, results in by_function.items():
        worst = max(results, key=lambda r: r.max_ulps)
        findings.append(Finding(
            claim=f"torch {name} (float32, {device}) == float64 reference, elementwise",
            verdict=_verdict(all(r.ok for r in results)),
            tolerance=f"<= {TOLERANCE_ULPS:g} float32 ulps per element",
            precision="float32 against float64",
            numbers={"max_ulps": round(worst.max_ulps, 3), "worst_shape": list(worst.shape),
                     "elements_beyond_tolerance": max(r.bad_fraction for r in results),
                     "shapes": [list(r.shape) for r in results], "threads": torch.get_num_threads()},
        ))
    return Confirmation("vae-elementwise", "torch's float32 elementwise functions against float64 references",
                        "mathcheck.vae_min.precision", findings)


# 1. the training loss is -ELBO ---------------------------------------------------------------------

def loss_is_negative_elbo(model: VAE, x: torch.Tensor, draws: int = 100, seed: int = 0) -> Confirmation:
    """The training loss (BCE + closed-form KL) is a one-sample estimate of -ELBO = -(E_q[log p(x|z)] - KL)."""
    model, x = as_float64(model), x.double()
    g = _generator(seed, x.device)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        z = reparameterize(mu, logvar, g)
        logits = model.decode(z)
        training = loss_function(logits, x, mu, logvar).item()
        q, prior = Normal(mu, torch.exp(0.5 * logvar)), Normal(torch.zeros_like(mu), torch.ones_like(mu))
        reference = -(estimators.bernoulli_log_prob(logits, x) - kl_divergence(q, prior).sum(-1)).mean().item()
        same_z_error = abs(training - reference) / abs(reference)
        # independent: the loss averaged over draws vs a pure Monte Carlo -ELBO (no closed-form KL)
        losses = torch.stack([sum(loss_terms(model.decode(reparameterize(mu, logvar, g)), x, mu, logvar))
                              for _ in range(draws)]).mean(0)
        negative_elbo_mc = -estimators.elbo_mc(model, x, draws, g)
    diff_mean, diff_se = estimators.mean_and_se(losses - negative_elbo_mc)
    return Confirmation("vae-loss-is-neg-elbo", "the training loss BCE + KL is -ELBO",
                        "article lines 156-176 (Loss = -(-D_KL) + BCELoss)", [
        Finding("loss_function(z) == -(log Bernoulli(x | logits(z)) - kl_divergence(q, p(z))), same z",
                _verdict(same_z_error <= 1e-12), "relative error <= 1e-12", FLOAT64,
                {"training_loss": training, "reference": reference, "relative_error": same_z_error}),
        Finding("E_eps[training loss] == -E_q[log p(x|z) + log p(z) - log q(z|x)] (Monte Carlo)",
                _within_z(diff_mean, diff_se), _statistical(), FLOAT64,
                {"mean_loss": losses.mean().item(), "mc_negative_elbo": negative_elbo_mc.mean().item(),
                 "difference": diff_mean, "standard_error": diff_se, "z": _z(diff_mean, diff_se),
                 "images": len(x), "draws": draws}),
    ])


# 2. the KL term ------------------------------------------------------------------------------------

def kl_term(model: VAE, x: torch.Tensor, samples: int = 1000, seed: int = 0) -> Confirmation:
    """The closed-form KL of the loss equals torch.distributions.kl_divergence and a Monte Carlo KL."""
    model, x = as_float64(model), x.double()
    g = _generator(seed, x.device)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        closed = kl_normal_std_logvar(mu, logvar).sum(-1)
        q, prior = Normal(mu, torch.exp(0.5 * logvar)), Normal(torch.zeros_like(mu), torch.ones_like(mu))
        library = kl_divergence(q, prior).sum(-1)
        z = q.loc + q.scale * torch.randn((samples, *mu.shape), generator=g, dtype=mu.dtype, device=mu.device)
        monte_carlo = (q.log_prob(z) - prior.log_prob(z)).sum(-1).mean(0)
    error = ((closed - library).abs() / library.abs().clamp_min(1.0)).max().item()
    diff_mean, diff_se = estimators.mean_and_se(monte_carlo - closed)
    return Confirmation("vae-kl-closed-form", "KL[q(z|x) || p(z)] in the loss is the Gaussian KL",
                        "article lines 170-172; mathcheck.derivations.gaussian_kl_std", [
        Finding("kl_normal_std_logvar(mu, logvar).sum() == torch.distributions.kl_divergence(q, p(z)).sum()",
                _verdict(error <= 1e-12), "|difference| <= 1e-12 * max(1, |KL|) per image", FLOAT64,
                {"mean_kl": closed.mean().item(), "max_scaled_error": error, "images": len(x)}),
        Finding("closed-form KL == E_q[log q(z|x) - log p(z)] (Monte Carlo)",
                _within_z(diff_mean, diff_se), _statistical(), FLOAT64,
                {"mean_kl": closed.mean().item(), "mc_kl": monte_carlo.mean().item(), "difference": diff_mean,
                 "standard_error": diff_se, "z": _z(diff_mean, diff_se), "samples": samples}),
    ])


# 3. ELBO <= log p(x), IWAE non-decreasing in K -----------------------------------------------------

def elbo_bound(model: VAE, x: torch.Tensor, ks=(1, 10, 100, 1000), draws: int = 100, seed: int = 0) -> Confirmation:
    """ELBO <= IWAE_K <= log p(x); IWAE_K non-decreasing in K (paired over test images)."""
    model, x = as_float64(model), x.double()
    g = _generator(seed, x.device)
    elbo = estimators.elbo_mc(model, x, draws, g)
    bounds = {k: estimators.iwae(model, x, k, g) for k in ks}
    k_max = max(ks)
    gap_mean, gap_se = estimators.mean_and_se(bounds[k_max] - elbo)
    findings = [Finding(f"ELBO <= log p(x) (estimated by importance sampling, K = {k_max})",
                        _at_least(gap_mean, gap_se),
                        f"log p(x) - ELBO >= -{Z_TOLERANCE:g} standard errors", FLOAT64,
                        {"elbo": elbo.mean().item(), "log_px": bounds[k_max].mean().item(), "gap": gap_mean,
                         "standard_error": gap_se, "images": len(x), "elbo_draws": draws})]
    for small, large in zip(ks, ks[1:]):
        mean, se = estimators.mean_and_se(bounds[large] - bounds[small])
        findings.append(Finding(f"IWAE_{large} >= IWAE_{small}", _at_least(mean, se),
                                f"difference >= -{Z_TOLERANCE:g} standard errors", FLOAT64,
                                {f"iwae_{small}": bounds[small].mean().item(), f"iwae_{large}": bounds[large].mean().item(),
                                 "difference": mean, "standard_error": se}))
    return Confirmation("vae-elbo-bound", "ELBO <= log p(x); the IWAE bound rises with K",
                        "article lines 40-74 (Jensen: log p(X) >= L)", findings)


# 4. the gap is KL(q(z|x) || p(z|x)) ---------------------------------------------------------------

def gap_is_posterior_kl(model: VAE, x: torch.Tensor, k: int = 1000, draws: int = 100, seed: int = 0,
                        linear: LinearGaussianVAE | None = None) -> Confirmation:
    """log p(x) - ELBO = KL(q(z|x) || p(z|x)): exactly on a linear-Gaussian VAE, by importance sampling on `model`."""
    linear = linear if linear is not None else LinearGaussianVAE.random(seed=seed)
    xs = linear.sample_x(32, seed=seed)
    exact_gap, exact_kl = linear.log_px(xs) - linear.elbo(xs), linear.kl_to_posterior(xs)
    relative = ((exact_gap - exact_kl).abs() / exact_kl.abs()).max().item()

    model, x = as_float64(model), x.double()
    g = _generator(seed, x.device)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        training_elbo = -torch.stack([sum(loss_terms(model.decode(reparameterize(mu, logvar, g)), x, mu, logvar))
                                      for _ in range(draws)]).mean(0)
    gap = estimators.iwae(model, x, k, g) - training_elbo
    # KL(q || p(z|x)) = E_q[log q(z|x) - log p(x, z)] + log p(x), with log p(x) from independent samples
    posterior_kl = -estimators.elbo_mc(model, x, draws, g) + estimators.iwae(model, x, k, g)
    diff_mean, diff_se = estimators.mean_and_se(gap - posterior_kl)
    return Confirmation("vae-gap-is-posterior-kl", "log p(x) - ELBO = KL(q(z|x) || p(z|x))",
                        "article lines 75-105 and 106-155", [
        Finding("linear-Gaussian VAE: log p(x) - ELBO == KL(q(z|x) || p(z|x)), all closed form",
                _verdict(relative <= 1e-6), "relative error <= 1e-6", FLOAT64,
                {"points": len(xs), "mean_gap": exact_gap.mean().item(), "mean_kl": exact_kl.mean().item(),
                 "max_relative_error": relative}),
        Finding(f"trained VAE: log p(x) - ELBO == E_q[log q(z|x) - log p(z|x)] (importance sampling, K = {k})",
                _within_z(diff_mean, diff_se), _statistical(), FLOAT64,
                {"gap": gap.mean().item(), "posterior_kl": posterior_kl.mean().item(), "difference": diff_mean,
                 "standard_error": diff_se, "z": _z(diff_mean, diff_se), "images": len(x)}),
    ])


# 5. reparameterization gradients ------------------------------------------------------------------

@dataclass(frozen=True)
class GradientCase:
    name: str
    f: Callable[[torch.Tensor], torch.Tensor]
    expectation: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # E_{z ~ N(mu, sigma^2)}[f(z)], closed form


GRADIENT_CASES = (
    GradientCase("z^2", lambda z: z**2, lambda mu, sigma: mu**2 + sigma**2),
    GradientCase("exp(z)", torch.exp, lambda mu, sigma: torch.exp(mu + sigma**2 / 2)),
    GradientCase("cos(z)", torch.cos, lambda mu, sigma: torch.cos(mu) * torch.exp(-sigma**2 / 2)),
    GradientCase("cos(6z)", lambda z: torch.cos(6 * z), lambda mu, sigma: torch.cos(6 * mu) * torch.exp(-18 * sigma**2)),
)


def per_sample_gradients(case: GradientCase, mu: float, sigma: float, eps: torch.Tensor) -> dict[str, torch.Tensor]:
    """d/d(mu, sigma) of one-sample estimates at each eps: reparameterization f(mu + sigma eps) and
    score function f(z) d log q(z)/d(mu, sigma) (torch.distributions.Normal.log_prob, autograd)."""
    grads = {}
    m, s = (torch.full_like(eps, v, requires_grad=True) for v in (mu, sigma))
    case.f(m + s * eps).sum().backward()
    grads["reparam_mu"], grads["reparam_sigma"] = m.grad, s.grad
    m, s = (torch.full_like(eps, v, requires_grad=True) for v in (mu, sigma))
    z = (mu + sigma * eps).detach()
    (case.f(z) * Normal(m, s).log_prob(z)).sum().backward()
    grads["score_mu"], grads["score_sigma"] = m.grad, s.grad
    return grads


def quadrature_moments(case: GradientCase, mu: float, sigma: float, nodes: int = 160) -> dict[str, tuple[float, float]]:
    """(mean, variance) of each per-sample gradient under eps ~ N(0, 1), by Gauss-Hermite quadrature."""
    points, weights = np.polynomial.hermite_e.hermegauss(nodes)
    weights = torch.from_numpy(weights / math.sqrt(2 * math.pi))
    grads = per_sample_gradients(case, mu, sigma, torch.from_numpy(points))
    moments = {}
    for name, g in grads.items():
        mean = (weights * g).sum().item()
        moments[name] = (mean, (weights * (g - mean) ** 2).sum().item())
    return moments


def reparameterization_gradients(samples: int = 100_000, mu: float = 0.5, sigma: float = 0.8,
                                 seed: int = 0, cases=GRADIENT_CASES) -> Confirmation:
    """Both estimators are unbiased; their variances are measured, checked against quadrature, and compared."""
    eps = torch.randn(samples, generator=_generator(seed, "cpu"), dtype=torch.float64)
    findings, lower = [], []
    for case in cases:
        m, s = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (mu, sigma))
        case.expectation(m, s).backward()
        analytic = {"mu": m.grad.item(), "sigma": s.grad.item()}
        grads = per_sample_gradients(case, mu, sigma, eps)
        exact = quadrature_moments(case, mu, sigma)
        numbers, ok, decidable = {"mu": mu, "sigma": sigma, "samples": samples}, True, True
        for name, g in grads.items():
            mean, se = estimators.mean_and_se(g)
            variance = g.var().item() if samples > 1 else math.nan  # no variance from one sample
            variance_se = math.sqrt(max(((g - g.mean()) ** 4).mean().item() - variance**2, 0.0) / samples)
            bias_z = _z(mean - analytic[name.split("_")[1]], se)
            variance_z = _z(variance - exact[name][1], variance_se)
            ok &= abs(bias_z) <= Z_TOLERANCE and abs(variance_z) <= Z_TOLERANCE
            decidable &= math.isfinite(se) and samples > 1
            numbers[name] = {"mean": mean, "analytic": analytic[name.split("_")[1]], "bias_z": round(bias_z, 3),
                             "variance": variance, "variance_quadrature": exact[name][1], "variance_z": round(variance_z, 3)}
        for parameter in ("mu", "sigma"):
            ratio = numbers[f"score_{parameter}"]["variance"] / numbers[f"reparam_{parameter}"]["variance"]
            numbers[f"variance_ratio_score_over_reparam_{parameter}"] = ratio
            lower.append(ratio > 1)
        findings.append(Finding(
            f"f = {case.name}: reparameterization and score-function gradients of E[f(z)] are unbiased; "
            f"their variances match quadrature",
            _verdict(ok) if decidable else UNDECIDED,
            _statistical() + " for each mean (vs the analytic gradient) and each variance (vs quadrature)",
            FLOAT64, numbers))
    summary = Finding(
        "variance ratio Var[score] / Var[reparameterization] (reported, not claimed > 1 in general)", HOLDS,
        "none: a measurement", FLOAT64,
        {"reparameterization_lower_in": f"{sum(lower)} of {len(lower)} (case, parameter) pairs",
         "ratios": {f"{c.name} d/d{p}": round(f.numbers[f"variance_ratio_score_over_reparam_{p}"], 4)
                    for c, f in zip(cases, findings) for p in ("mu", "sigma")}})
    return Confirmation("vae-reparam-gradients", "reparameterization gradients: unbiased, variance vs score function",
                        "article lines 177-190 (z = mu + eps sigma)", findings + [summary])
