"""Numeric check families for ``verify-all``: the Gaussian KL closed forms and Jensen's inequality.

Every verdict here is ``holds`` (checked on finitely many drawn instances, never ``proved``) or
``refuted`` with the counterexample. Instances come from a seeded numpy generator, so a seed fixes
the report. References are independent of the closed forms (``mathcheck.references``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import scipy.special
import scipy.stats

from mathcheck import references as ref
from mathcheck.gaussian import half_excess
from mathcheck.mutants import CORRECT, KINDS, MUTANTS, Formula
from mathcheck.registry import Check
from mathcheck.report import HOLDS, REFUTED, EntryReport, StepReport

ARTICLE = "000_7c6babc3eea41398.txt"
DEFAULT_KL_INSTANCES = 8  # per kind (std, pair, mvn); --examples raises it
MUTANT_INSTANCES = 4  # per kind, drawn so that every mutant differs from the truth on each one
DEFAULT_JENSEN_INSTANCES = 200
QUAD_RTOL, QUAD_ATOL = 1e-8, 1e-10  # quadrature agrees to ~1e-11 (x-space rounding around narrow peaks)
TORCH_RTOL, TORCH_ATOL = 1e-9, 1e-12

KIND_TEXT = {
    "std": ("KL(N(mu, sigma^2) || N(0, 1))", "1/2 [-log sigma^2 + sigma^2 - 1 + mu^2]"),
    "pair": ("KL(N(mu1, sigma1^2) || N(mu2, sigma2^2))", "log(sigma2/sigma1) + (sigma1^2 + (mu1-mu2)^2)/(2 sigma2^2) - 1/2"),
    "mvn": ("KL(N(m1, S1) || N(m2, S2))", "1/2 [tr(S2^-1 S1) + (m1-m2)^T S2^-1 (m1-m2) - k + log det S2 - log det S1]"),
}


# ---------------------------------------------------------------- instances


def draw_instances(kind: str, n: int, seed: int, distinguishing: bool = False) -> list[tuple]:
    """n parameter tuples for ``kind``; ``distinguishing`` keeps away from where mutants coincide with the truth.

    Distinguishing draws: |mu| in [1.2, 2] (so mu != mu^2, mu^2 not small), sigma (or sigma1/sigma2) in
    [0.35, 0.6] or [1.6, 2] (so log sigma != 0, sigma != sigma^2); covariances as in ``_distinguishing_mvn``.
    """
    rng = np.random.default_rng([seed, KINDS.index(kind), int(distinguishing)])
    if kind == "std":
        if distinguishing:
            return [(_signed(rng, 1.2, 2.0), _away_from_one(rng)) for _ in range(n)]
        fixed = [(0.0, 1.0), (5.0, 1e-3)]  # p == q; a narrow shifted peak that naive quadrature misses
        drawn = [(float(rng.uniform(-4, 4)), float(np.exp(rng.uniform(-3, 2.5)))) for _ in range(n)]
        return (fixed + drawn)[:n]
    if kind == "pair":
        out = []
        for _ in range(n):
            if distinguishing:
                sigma2 = float(rng.uniform(0.5, 2.0))
                mu2 = float(rng.uniform(-1, 1))
                out.append((mu2 + _signed(rng, 1.2, 2.0) * sigma2, _away_from_one(rng) * sigma2, mu2, sigma2))
            else:
                out.append((float(rng.uniform(-3, 3)), float(np.exp(rng.uniform(-2, 2))),
                            float(rng.uniform(-3, 3)), float(np.exp(rng.uniform(-2, 2)))))
        return out
    if kind == "mvn":
        if distinguishing:
            return [_distinguishing_mvn(rng) for _ in range(n)]
        return [(rng.normal(size=2), _random_spd(rng, 2, 0.05, 5.0), rng.normal(size=2), _random_spd(rng, 2, 0.05, 5.0))
                for _ in range(n)]
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def _signed(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.choice([-1.0, 1.0]) * rng.uniform(low, high))


def _away_from_one(rng: np.random.Generator) -> float:
    return float(rng.uniform(0.35, 0.6) if rng.random() < 0.5 else rng.uniform(1.6, 2.0))


def _distinguishing_mvn(rng: np.random.Generator) -> tuple:
    """S1 small and nearly uncorrelated, S2 large and strongly correlated, |m1 - m2| in [1, 2]: then
    S2^-1 != S2, S1^-1 != S2^-1, det S1 != det S2 and the diagonal misses det S2's correlation."""
    def covariance(sd_low, sd_high, rho_low, rho_high):
        sd = rng.uniform(sd_low, sd_high, size=2)
        rho = _signed(rng, rho_low, rho_high)
        return np.outer(sd, sd) * np.array([[1.0, rho], [rho, 1.0]])

    direction = rng.normal(size=2)
    mu2 = rng.normal(size=2)
    mu1 = mu2 + rng.uniform(1.0, 2.0) * direction / np.linalg.norm(direction)
    return mu1, covariance(0.35, 0.6, 0.0, 0.2), mu2, covariance(1.8, 2.0, 0.6, 0.7)


def _random_spd(rng: np.random.Generator, k: int, low: float, high: float) -> np.ndarray:
    q, _ = np.linalg.qr(rng.normal(size=(k, k)))
    cov = (q * rng.uniform(low, high, size=k)) @ q.T
    return (cov + cov.T) / 2


# ---------------------------------------------------------------- references per kind


def _distributions(kind: str, args: tuple) -> tuple[Any, Any]:
    if kind == "std":
        mu, sigma = args
        return scipy.stats.norm(mu, sigma), scipy.stats.norm(0.0, 1.0)
    if kind == "pair":
        mu1, sigma1, mu2, sigma2 = args
        return scipy.stats.norm(mu1, sigma1), scipy.stats.norm(mu2, sigma2)
    mu1, cov1, mu2, cov2 = args
    return scipy.stats.multivariate_normal(mu1, cov1), scipy.stats.multivariate_normal(mu2, cov2)


def quadrature_reference(kind: str, args: tuple) -> float:
    if kind == "mvn":
        return ref.kl_quadrature_mvn(*args)
    return ref.kl_quadrature(*_distributions(kind, args))


def monte_carlo_reference(kind: str, args: tuple, seed: Any, samples: int = ref.MC_SAMPLES) -> ref.MonteCarlo:
    return ref.kl_monte_carlo(*_distributions(kind, args), samples=samples, seed=seed)


def torch_reference(kind: str, args: tuple) -> float:
    if kind == "std":
        return float(ref.kl_torch_normal(args[0], args[1], 0.0, 1.0))
    if kind == "pair":
        return float(ref.kl_torch_normal(*args))
    return ref.kl_torch_mvn(*args)


@dataclass(frozen=True)
class Reference:
    name: str
    why: str
    compute: Callable[[str, list[tuple], int], list]  # (kind, instances, seed) -> one value per instance
    agrees: Callable[[float, Any], bool]
    value: Callable[[Any], float] = float


REFERENCES = (
    Reference(
        "quadrature",
        "quadrature (tanh-sinh; quad before scipy 1.15) of p (log p - log q) over p's mass window (2-d: "
        "Gauss-Legendre in p's whitened coordinates)",
        lambda kind, instances, seed: [quadrature_reference(kind, a) for a in instances],
        lambda v, r: abs(v - r) <= QUAD_RTOL * abs(r) + QUAD_ATOL,
    ),
    Reference(
        "monte-carlo",
        f"mean of log p(X) - log q(X), X ~ p, {ref.MC_SAMPLES} samples; pass when within {ref.MC_Z:.2f} standard "
        f"errors (false-alarm rate {ref.MC_FALSE_ALARM_RATE:g} per instance)",
        lambda kind, instances, seed: [monte_carlo_reference(kind, a, [seed, i]) for i, a in enumerate(instances)],
        lambda v, r: r.agrees_with(v),
        lambda r: r.estimate,
    ),
    Reference(
        "torch",
        "torch.distributions.kl_divergence in float64 (a peer implementation)",
        lambda kind, instances, seed: [torch_reference(kind, a) for a in instances],
        lambda v, r: abs(v - r) <= TORCH_RTOL * abs(r) + TORCH_ATOL,
    ),
)


# ---------------------------------------------------------------- comparing a formula with a reference


@dataclass
class Comparison:
    formula: str
    reference: str
    instances: int
    disagreements: int
    max_abs_error: float
    max_rel_error: float
    counterexample: dict[str, Any] | None

    @property
    def agrees(self) -> bool:
        return self.disagreements == 0

    def detail(self) -> dict[str, Any]:
        out = {"instances": self.instances, "disagreements": self.disagreements,
               "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error}
        if self.counterexample:
            out["counterexample"] = self.counterexample
        return out


def compare_with_reference(formula: Formula, instances: list[tuple], values: list, reference: Reference) -> Comparison:
    """Evaluate ``formula`` on every instance and count disagreements with the reference values."""
    disagreements, max_abs, max_rel, counterexample = 0, 0.0, 0.0, None
    for args, reference_value in zip(instances, values):
        expected = reference.value(reference_value)
        got, failure = _evaluate(formula, args)
        error = abs(got - expected) if np.isfinite(got) else float("inf")
        max_abs = max(max_abs, error)
        max_rel = max(max_rel, error / max(abs(expected), 1e-300))
        if not (np.isfinite(got) and reference.agrees(got, reference_value)):
            disagreements += 1
            if counterexample is None:
                counterexample = {"args": _jsonable(args), "formula": got, reference.name: _jsonable(reference_value)}
                if failure:
                    counterexample["error"] = failure
    return Comparison(formula.name, reference.name, len(instances), disagreements, max_abs, max_rel, counterexample)


def _evaluate(formula: Formula, args: tuple) -> tuple[float, str | None]:
    with np.errstate(all="ignore"):
        try:
            return float(formula.formula(*args)), None
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            return float("nan"), str(error)


def _jsonable(value: Any) -> Any:
    if isinstance(value, ref.MonteCarlo):
        return {"estimate": value.estimate, "standard_error": value.standard_error, "samples": value.samples}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    return float(value)


def reference_values(kind: str, instances: list[tuple], seed: int) -> dict[str, list]:
    return {r.name: r.compute(kind, instances, seed) for r in REFERENCES}


def mutant_outcomes(seed: int, per_kind: int = MUTANT_INSTANCES,
                    reference_names: tuple[str, ...] = ("quadrature", "monte-carlo")) -> dict[str, list[Comparison]]:
    """For each reference: one Comparison per catalogued formula (mutants first, then the correct ones)."""
    chosen = [r for r in REFERENCES if r.name in reference_names]
    outcomes: dict[str, list[Comparison]] = {r.name: [] for r in chosen}
    for kind in KINDS:
        instances = draw_instances(kind, per_kind, seed, distinguishing=True)
        for reference in chosen:
            values = reference.compute(kind, instances, seed)
            for formula in MUTANTS + CORRECT:
                if formula.kind == kind:
                    outcomes[reference.name].append(compare_with_reference(formula, instances, values, reference))
    return outcomes


# ---------------------------------------------------------------- the gaussian-kl-numeric check


def run_gaussian_kl(seed: int, examples: int | None = None, formulas: tuple[Formula, ...] = CORRECT) -> EntryReport:
    """The check family; ``formulas`` are the implementations under test (tests pass mutants here)."""
    start = time.perf_counter()
    n = examples or DEFAULT_KL_INSTANCES
    steps: list[StepReport] = []
    for kind in (k for k in KINDS if any(f.kind == k for f in formulas)):
        instances = draw_instances(kind, n, seed)
        values = reference_values(kind, instances, seed)
        for formula in (f for f in formulas if f.kind == kind):
            for reference in REFERENCES:
                outcome = compare_with_reference(formula, instances, values[reference.name], reference)
                lhs, rhs = KIND_TEXT[kind]
                steps.append(StepReport(
                    index=len(steps) + 1, relation="=", lhs=lhs, rhs=f"{formula.name}: {rhs}",
                    why=f"{reference.name}: {reference.why}",
                    verdict=HOLDS if outcome.agrees else REFUTED, detail=outcome.detail(),
                ))
    for reference_name, outcomes in mutant_outcomes(seed).items():
        missed = [o.formula for o in outcomes if o.agrees and o.formula in {m.name for m in MUTANTS}]
        false_alarms = [o.formula for o in outcomes if not o.agrees and o.formula in {c.name for c in CORRECT}]
        steps.append(StepReport(
            index=len(steps) + 1, relation="rejects", lhs=f"the {reference_name} check",
            rhs=f"the {reference_name} check rejects each of {len(MUTANTS)} wrong KL formulas (mathcheck.mutants), and no correct one",
            why="a checker that cannot tell a typo from the truth decides nothing",
            verdict=REFUTED if missed or false_alarms else HOLDS,
            detail={"mutants": len(MUTANTS), "instances_per_kind": MUTANT_INSTANCES,
                    "missed_mutants": missed, "false_alarms": false_alarms},
        ))
    return EntryReport(
        name="gaussian-kl-numeric",
        title="Gaussian KL closed forms vs quadrature, Monte Carlo and torch.distributions",
        source=f"{ARTICLE}:172 (最終的な損失関数)",
        conclusion="KL(N(mu, sigma^2) || N(0, 1)) = 1/2 [-log sigma^2 + sigma^2 - 1 + mu^2]",
        steps=steps, seconds=time.perf_counter() - start,
    )


# ---------------------------------------------------------------- Jensen's inequality


def jensen_gap_discrete(probs: Any, g: Any) -> float:
    """log E_p[g] - E_p[log g] >= 0 for a probability vector p and g > 0 on p's support.

    Computed as E_p[G(log g - log E_p[g])] with G(x) = e^x - 1 - x >= 0: a sum of non-negative
    terms (never negative by rounding), exactly 0 when g is constant on the support, and accurate
    for tiny gaps (an error in log E[g] enters only at second order).
    """
    probs, g = np.asarray(probs, float), np.asarray(g, float)
    if probs.ndim != 1 or probs.shape != g.shape or probs.size == 0:
        raise ValueError(f"jensen_gap_discrete: p and g must be 1-d of one length, got {probs.shape} and {g.shape}")
    if not np.all(np.isfinite(probs)) or np.any(probs < 0) or abs(probs.sum() - 1) > 1e-9:
        raise ValueError("jensen_gap_discrete: p must be a probability vector (non-negative, summing to 1)")
    support = probs > 0
    p, values = probs[support], g[support]
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("jensen_gap_discrete: g must be finite and > 0 on the support of p")
    x = _log_ratio(values, values[np.argmax(p)])  # exactly 0 everywhere when g is constant on the support
    log_mean = _log_mean_exp(x, p)
    return float(np.sum(p * _excess(x - log_mean)) / np.sum(p))


def _log_ratio(values: np.ndarray, reference: float) -> np.ndarray:
    """log(values / reference), nonzero whenever a value differs from the reference, even by one ulp:
    near the reference log1p of the exact difference (Sterbenz), elsewhere the difference of logs."""
    near = np.abs(values - reference) < 0.5 * reference
    with np.errstate(divide="ignore", invalid="ignore"):
        close = np.log1p((values - reference) / reference)
    return np.where(near, close, np.log(values) - np.log(reference))


def jensen_gap_continuous(dist: Any, g: Callable[[np.ndarray], np.ndarray], tail: float = 1e-30) -> float:
    """log E[g(X)] - E[log g(X)] for a frozen scipy.stats distribution, both by quadrature of g times its pdf
    (``references.integrate``), the second as E[G(log g(X) - log E[g(X)])], G(x) = e^x - 1 - x >= 0.

    Both expectations integrate over the window holding all but ``2 tail`` of X's mass (over an
    infinite range quad would evaluate g far out, where e.g. exp(a x) overflows).
    """
    low, high = ref.mass_window(dist, tail)
    with np.errstate(over="ignore", divide="ignore"):
        log_mean = float(np.log(ref.integrate(lambda x: g(x) * dist.pdf(x), low, high, atol=0.0, rtol=1e-12)))
        return ref.integrate(lambda x: _excess(np.log(g(x)) - log_mean) * dist.pdf(x), low, high, atol=1e-15,
                             rtol=1e-12)


def convex_jensen_gap_discrete(probs: Any, x: Any, f: Callable[[np.ndarray], np.ndarray]) -> float:
    """E_p[f(X)] - f(E_p[X]) (>= 0 for convex f: the reversed direction of the concave log)."""
    probs, x = np.asarray(probs, float), np.asarray(x, float)
    mean = np.sum(probs * x) / np.sum(probs)
    return float(np.sum(probs * f(x)) / np.sum(probs) - f(mean))


def _excess(x: np.ndarray) -> np.ndarray:
    """G(x) = e^x - 1 - x, accurate near 0 (twice ``half_excess`` at log r = x/2)."""
    x = np.asarray(x, float)
    with np.errstate(over="ignore"):
        return 2.0 * half_excess(x / 2.0, np.exp(x / 2.0))


def _log_mean_exp(x: np.ndarray, p: np.ndarray) -> float:
    """log(sum p e^x / sum p): log1p of sum p expm1(x) (exact for tiny contributions) unless that sum is near -1."""
    with np.errstate(over="ignore"):
        excess = np.sum(p * np.expm1(x)) / np.sum(p)
    if np.isfinite(excess) and excess > -0.5:
        return float(np.log1p(excess))
    return float(scipy.special.logsumexp(x, b=p) - np.log(np.sum(p)))


CONVEX_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x^2": np.square,
    "exp(x)": np.exp,
    "|x|": np.abs,
    "x log x (x > 0)": lambda x: scipy.special.xlogy(x, x),
}


def _discrete_instances(rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(p, g) pairs: generic p with zeros, near-degenerate p, and every fourth g constant on the support."""
    out = []
    for i in range(n):
        k = int(rng.integers(1, 9))
        if i % 3 == 2:
            p = 10.0 ** rng.uniform(-15, -3, size=k)
            p[rng.integers(k)] = 1.0
        else:
            p = rng.uniform(size=k) * (rng.uniform(size=k) > 0.25)
            p[rng.integers(k)] += 1e-3
        p = p / p.sum()
        g = np.exp(rng.normal(0.0, 2.0, size=k))
        if i % 4 == 3:
            g = np.where(p > 0, 2.5, g)
        out.append((p, g))
    return out


def _continuous_instances(rng: np.random.Generator, n: int) -> list[tuple[str, Any, Callable, float]]:
    """(label, dist, g, exact gap) with a closed form from outside this module (scipy.special for Gamma)."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            mu, sigma, a = rng.uniform(-2, 2), np.exp(rng.uniform(-2, 0.5)), rng.uniform(-1.5, 1.5)
            g = (lambda a: lambda x: np.exp(a * x))(a)
            out.append((f"N({mu:.3g}, {sigma:.3g}^2), g = exp({a:.3g} x)", scipy.stats.norm(mu, sigma), g,
                        a * a * sigma * sigma / 2))
        else:
            shape, scale = np.exp(rng.uniform(-1, 2)), np.exp(rng.uniform(-1, 1))
            gap = np.log(shape) - scipy.special.digamma(shape)  # log E[X] - E[log X] for Gamma(shape, scale)
            out.append((f"Gamma({shape:.3g}, scale {scale:.3g}), g = x", scipy.stats.gamma(shape, scale=scale),
                        lambda x: x, gap))
    return out


def run_jensen_gap(seed: int, examples: int | None = None, gap: Callable[[Any, Any], float] | None = None) -> EntryReport:
    """The check family; ``gap`` is the discrete gap under test (default ``jensen_gap_discrete``; tests pass mutants)."""
    start = time.perf_counter()
    gap = gap or jensen_gap_discrete
    n = examples or DEFAULT_JENSEN_INSTANCES
    rng = np.random.default_rng([seed, 7])
    discrete = _discrete_instances(rng, n)
    steps = [
        _jensen_bounds_step(discrete, gap),
        _jensen_equality_step(discrete, gap),
        _jensen_continuous_step(_continuous_instances(rng, max(2, n // 20))),
        _convex_step(discrete),
    ]
    for index, step in enumerate(steps, 1):
        step.index = index
    return EntryReport(
        name="jensen-gap",
        title="Jensen's inequality for log (concave) and for convex f, numerically",
        source=f"{ARTICLE}:40-74 (Jensen's inequality, log p(X) >= L)",
        conclusion="log E[g] >= E[log g], with equality exactly when g is constant on the support",
        steps=steps, seconds=time.perf_counter() - start,
    )


def _step(relation: str, lhs: str, rhs: str, why: str, bad: list, detail: dict) -> StepReport:
    if bad:
        detail = {**detail, "failures": len(bad), "counterexample": bad[0]}
    return StepReport(0, relation, lhs, rhs, why, REFUTED if bad else HOLDS, detail)


def _jensen_bounds_step(instances, gap_of) -> StepReport:
    bad, worst, checked = [], np.inf, 0
    for p, g in instances:
        gap = gap_of(p, g)
        support = p > 0
        values = g[support]
        if np.all(values == values[0]):
            continue  # the equality case, next step
        checked += 1
        variance = np.sum(p[support] * (values - np.sum(p[support] * values)) ** 2)
        low, high = variance / (2 * values.max() ** 2), variance / (2 * values.min() ** 2)
        slack = 1e-9 * high + 1e-30 * (values.max() / values.min()) ** 2  # rounding of the mean inside Var
        worst = min(worst, gap)
        if not (gap > 0 and low - slack <= gap <= high + slack):
            bad.append({"p": p.tolist(), "g": g.tolist(), "gap": gap, "bounds": [low, high]})
    return _step(
        ">=", "log E_p[g]", "E_p[log g]",
        "g not constant on supp p: 0 < Var(g)/(2 max g^2) <= log E[g] - E[log g] <= Var(g)/(2 min g^2) "
        "(the curvature of -log on [min g, max g])",
        bad, {"instances": checked, "min_gap": float(worst)},
    )


def _jensen_equality_step(instances, gap_of) -> StepReport:
    bad, constant = [], 0
    for p, g in instances:
        values = g[p > 0]
        if np.all(values == values[0]):
            constant += 1
            gap = gap_of(p, g)
            if gap != 0.0:
                bad.append({"p": p.tolist(), "g": g.tolist(), "gap": gap})
    return _step("=", "log E_p[g]", "E_p[log g]  (g constant on supp p)",
                 "Jensen's equality case: a constant g has nothing to average", bad, {"instances": constant})


def _jensen_continuous_step(instances) -> StepReport:
    bad, max_error = [], 0.0
    for label, dist, g, exact in instances:
        gap = jensen_gap_continuous(dist, g)
        error = abs(gap - exact)
        max_error = max(max_error, error)
        if not (gap >= 0 and error <= 1e-7 * exact + 1e-9):
            bad.append({"case": label, "gap": gap, "exact": float(exact)})
    return _step(
        ">=", "log E[g(X)]", "E[log g(X)]  (X continuous)",
        "quadrature of g times scipy.stats pdfs vs exact gaps: a^2 sigma^2/2 for N and exp(a x); log k - digamma(k) for "
        "Gamma(k)",
        bad, {"instances": len(instances), "max_abs_error": max_error},
    )


def _convex_step(instances) -> StepReport:
    bad, checked = [], 0
    for p, g in instances:
        x = np.log(g)  # any real values
        for name, f in CONVEX_FUNCTIONS.items():
            values = g if name.startswith("x log x") else x
            gap = convex_jensen_gap_discrete(p, values, f)
            scale = np.sum(p * np.abs(f(values))) + abs(f(np.sum(p * values)))
            floor = -1e-13 * scale
            if name == "x^2":  # here the gap is exactly the variance
                variance = np.sum(p * (values - np.sum(p * values)) ** 2)
                ok = abs(gap - variance) <= 1e-9 * scale
            else:
                ok = gap >= floor
            checked += 1
            if not ok:
                bad.append({"f": name, "p": p.tolist(), "x": values.tolist(), "gap": gap})
    return _step(">=", "E_p[f(X)]", "f(E_p[X])  (f convex: the reversed direction)",
                 "convex f in {" + ", ".join(CONVEX_FUNCTIONS) + "}; for x^2 the gap equals Var(X)",
                 bad, {"instances": checked})


def checks() -> list[Check]:
    return [
        Check("gaussian-kl-numeric", "Gaussian KL closed forms vs quadrature, Monte Carlo and torch.distributions",
              f"{ARTICLE}:172", run_gaussian_kl, uses_torch=True),  # the torch.distributions reference
        Check("jensen-gap", "Jensen's inequality for log and for convex f, numerically", f"{ARTICLE}:40-74",
              run_jensen_gap),
    ]
